"""Curators, API tokens and sessions can be cut off (archive.services.access, on in-memory storage)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from archive.services import access
from archive.credentials import passwords
from archive.services.application import ExhibitionArchive
from archive.errors import NotFound
from archive.services.self_service import CodeHolder
from domain import clock
from domain.errors import InvalidValue
from tests.fakes import in_memory_archive

CURATOR = "curator:test-curator"
PASSWORD = "a long enough passphrase"
ALMATY = ZoneInfo("Asia/Almaty")
_HASH = access.hash_password(PASSWORD)  # Argon2 once, not once per test


@pytest.fixture
def archive(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(access, "hash_password", lambda password: _HASH)
    app = in_memory_archive(zone=ALMATY)
    app.access.create_curator(username="dana", password=PASSWORD, actor=CURATOR)
    app.access.create_curator(username="erlan", password=PASSWORD, actor=CURATOR)
    yield app
    app.close()


def events(archive: ExhibitionArchive) -> int:
    return archive.recorder.max_notification_id() or 0


# -- tokens ----------------------------------------------------------------------------------------


def test_a_token_is_listed_by_an_id_that_revokes_it_without_the_token(archive):
    token = archive.access.issue_api_token("dana", actor=CURATOR, label="import script")
    (listed,) = archive.access.api_tokens("dana")
    assert listed.id == access.token_id(token) and listed.label == "import script"
    assert token not in repr(listed) and len(listed.short_id) == 8
    assert archive.access.curator_for_token(token) is not None
    archive.access.revoke_api_token(listed.short_id, actor=CURATOR)
    assert archive.access.curator_for_token(token) is None
    assert archive.access.api_tokens("dana")[0].status(clock.now()) == "revoked"


def test_a_curator_can_revoke_only_their_own_tokens(archive):
    theirs = archive.access.issue_api_token("erlan", actor=CURATOR)
    with pytest.raises(NotFound):
        archive.access.revoke_api_token(access.token_id(theirs).hex, actor="curator:dana", owner="dana")
    assert archive.access.curator_for_token(theirs) is not None


@pytest.mark.parametrize("name", ["", "abc", "zzzzzzzz", "00000000", "arch_not-a-token"])
def test_an_unknown_or_malformed_token_id_is_not_found(archive, name):
    archive.access.issue_api_token("dana", actor=CURATOR)
    with pytest.raises(NotFound):
        archive.access.revoke_api_token(name, actor=CURATOR)


def test_a_token_works_until_the_end_of_its_last_day_in_the_archives_zone(archive):
    with clock.fixed_at(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)):
        token = archive.access.issue_api_token("dana", actor=CURATOR, expires_on=date(2026, 3, 2))
    # 2026-03-02 ends in Almaty at 19:00 UTC.
    with clock.fixed_at(datetime(2026, 3, 2, 18, 59, tzinfo=timezone.utc)):
        assert archive.access.curator_for_token(token) is not None
    with clock.fixed_at(datetime(2026, 3, 2, 19, 0, tzinfo=timezone.utc)):
        assert archive.access.curator_for_token(token) is None
        assert archive.access.api_tokens()[0].status(clock.now()) == "expired"


def test_a_token_cannot_be_issued_already_expired(archive):
    with clock.fixed_at(datetime(2026, 3, 1, 20, 0, tzinfo=timezone.utc)):  # already March 2nd in Almaty
        with pytest.raises(InvalidValue):
            archive.access.issue_api_token("dana", actor=CURATOR, expires_on=date(2026, 3, 1))
        assert archive.access.api_tokens() == []


def test_last_use_is_recorded_at_most_once_a_day(archive):
    token = archive.access.issue_api_token("dana", actor=CURATOR)
    assert archive.access.api_tokens()[0].last_used is None
    day = datetime(2026, 3, 1, 5, 0, tzinfo=timezone.utc)
    with clock.fixed_at(day):
        before = events(archive)
        for _ in range(50):
            archive.access.curator_for_token(token)
        assert events(archive) == before + 1
    with clock.fixed_at(day + timedelta(days=1)):
        archive.access.curator_for_token(token)
        assert events(archive) == before + 2
        assert archive.access.api_tokens()[0].last_used == date(2026, 3, 2)


def test_a_deactivated_curator_can_neither_log_in_nor_use_a_token(archive):
    token = archive.access.issue_api_token("dana", actor=CURATOR)
    assert archive.access.deactivate_curator("dana", actor=CURATOR) is True
    assert archive.access.authenticate("dana", PASSWORD) is None
    assert archive.access.curator_for_token(token) is None
    assert archive.access.api_tokens("dana")[0].status(clock.now()) == "curator deactivated"
    assert archive.access.deactivate_curator("dana", actor=CURATOR) is False
    with pytest.raises(InvalidValue):
        archive.access.issue_api_token("dana", actor=CURATOR)


# -- sessions --------------------------------------------------------------------------------------


def test_a_curator_session_ends_with_a_password_change_or_log_out_everywhere(archive):
    dana = archive.access.authenticate("dana", PASSWORD)
    first, second = archive.access.open_curator_session(dana), archive.access.open_curator_session(dana)
    other = archive.access.open_curator_session(archive.access.authenticate("erlan", PASSWORD))
    assert archive.access.curator_for_session(first).username == "dana"
    assert archive.access.end_curator_sessions("dana") == 2
    assert archive.access.curator_for_session(first) is None and archive.access.curator_for_session(second) is None
    assert archive.access.curator_for_session(other).username == "erlan"
    third = archive.access.open_curator_session(dana)
    archive.access.change_password("dana", "a new long passphrase", actor=CURATOR)
    assert archive.access.curator_for_session(third) is None


def test_a_password_change_ends_sessions_even_if_the_table_missed_it(archive):
    session_id = archive.access.open_curator_session(archive.access.authenticate("dana", PASSWORD))
    curator = archive.access.get_curator("dana")
    curator.change_password(passwords.hash_password("another passphrase"), CURATOR)  # behind the use case's back
    archive._save(curator)
    assert archive.access.curator_for_session(session_id) is None


def test_a_session_id_is_opaque_and_the_table_holds_no_subject(archive):
    contributor = archive.contributors.register_contributor(name="Aigerim", actor=CURATOR)
    holder = CodeHolder(contributor, contributor)
    session_id = archive.access.open_portal_session(holder)
    assert str(contributor) not in session_id and contributor.hex not in session_id
    (row,) = archive.sessions._rows.values()  # type: ignore[attr-defined]
    stored = repr(row).encode() + row.tag + row.sealed_subject
    assert contributor.bytes not in stored and str(contributor).encode() not in stored
    assert contributor.hex.encode() not in stored


@pytest.mark.parametrize("session_id", ["", "x", "a" * 500, None, 42, "é" * 40])
def test_a_malformed_session_id_opens_nothing(archive, session_id):
    assert archive.access.curator_for_session(session_id) is None
    assert archive.access.holder_for_session(session_id) is None
    archive.access.end_session(session_id)


def test_a_portal_session_id_does_not_open_the_workspace(archive):
    contributor = archive.contributors.register_contributor(name="Aigerim", actor=CURATOR)
    session_id = archive.access.open_portal_session(CodeHolder(contributor, contributor))
    assert archive.access.curator_for_session(session_id) is None
