"""Use cases of the archive application, on in-memory storage."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from archive.credentials import consent_codes
from archive.errors import KeyShredded, NotFound
from domain import clock
from domain.errors import ConsentError, InvalidValue, ItemWithdrawn
from tests.conftest import CURATOR
from tests.fakes import in_memory_archive

ONLINE = ["exhibit", "publish_online"]


def _testimony(archive, **profile):
    contributor = archive.contributors.register_contributor(name="Person", actor=CURATOR, **profile)
    item = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"ru": "Текст"}, language="ru", content_note={"en": "Note"}
    )
    return contributor, item


def test_recording_consent_hands_out_a_code_exactly_once_and_stores_only_its_hash(archive):
    contributor, first = _testimony(archive)
    second = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Second"})
    receipt = archive.consent.record_consent(first, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    again = archive.consent.record_consent(second, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    assert consent_codes.looks_like_code(receipt.code)
    assert again.code is None
    stored = archive.get_contributor(contributor)
    assert stored.consent_code_hash == consent_codes.code_hash(receipt.code)
    assert receipt.code not in repr(vars(stored))
    assert archive.self_service.holder_of_code(receipt.code).contributor_id == contributor
    assert archive.self_service.holder_of_code(receipt.code.lower().replace("-", " ")).contributor_id == contributor


def test_a_new_consent_code_retires_the_old_one(archive):
    contributor, item = _testimony(archive)
    old = archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1").code
    new = archive.contributors.issue_consent_code(contributor, CURATOR)
    assert archive.self_service.holder_of_code(old) is None
    assert archive.self_service.holder_of_code(new).contributor_id == contributor


@pytest.mark.parametrize("code", ["", "nonsense", "0000-0000-0000-0000", "x" * 10_000])
def test_unknown_or_malformed_codes_find_nobody(archive, code):
    assert archive.self_service.holder_of_code(code) is None


def test_attribution_by_pseudonym_needs_a_pseudonym(archive):
    _, item = _testimony(archive)
    with pytest.raises(InvalidValue, match="pseudonym"):
        archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="pseudonym", text_version="v1")


def test_unknown_consent_codes_in_requests_are_clear_errors(archive):
    _, item = _testimony(archive)
    with pytest.raises(InvalidValue, match="Unknown consent scope 'everything'"):
        archive.consent.record_consent(item, actor=CURATOR, scopes=["everything"], attribution="named", text_version="v1")
    with pytest.raises(InvalidValue, match="Unknown attribution"):
        archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="famous", text_version="v1")
    assert archive.get_item(item).consent is None


def test_update_consent_changes_only_what_is_given(archive):
    _, item = _testimony(archive, pseudonym="Aq")
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1",
                           expires_on=date(2099, 1, 1))
    archive.consent.update_consent(item, actor=CURATOR, attribution="pseudonym")
    consent = archive.get_item(item).consent
    assert consent.attribution.value == "pseudonym"
    assert {s.value for s in consent.scopes} == set(ONLINE)
    assert consent.expires_on == date(2099, 1, 1)
    archive.consent.update_consent(item, actor=CURATOR, expires_on=None)
    assert archive.get_item(item).consent.expires_on is None


def test_a_contributor_may_act_only_on_their_own_items(archive):
    _, item = _testimony(archive)
    stranger = archive.contributors.register_contributor(name="Stranger", actor=CURATOR)
    with pytest.raises(NotFound):
        archive.consent.withdraw(item, actor=f"contributor:{stranger}")
    assert not archive.get_item(item).is_withdrawn


def test_withdrawal_is_terminal_and_repeating_it_is_harmless(archive):
    contributor, item = _testimony(archive)
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    first = archive.consent.withdraw(item, actor=f"contributor:{contributor}")
    assert archive.consent.withdraw(item, actor=f"contributor:{contributor}") == first
    assert len(archive.history(item)) == 3
    with pytest.raises(ItemWithdrawn):
        archive.consent.update_consent(item, actor=CURATOR, scopes=ONLINE)
    with pytest.raises(ItemWithdrawn):
        archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v2")
    with pytest.raises(ItemWithdrawn):
        archive.cataloguing.revise_item(item, actor=CURATOR, text={"ru": "Новый"}, language="ru", content_note={"en": "x"})
    exhibition = archive.curation.create_exhibition(slug="after", actor=CURATOR, titles={"en": "After"})
    with pytest.raises(ItemWithdrawn):
        archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR)


def test_content_cannot_be_written_for_a_shredded_subject(archive):
    _, item = _testimony(archive)
    exhibition = archive.curation.create_exhibition(slug="late", actor=CURATOR, titles={"en": "Late"})
    loaded = archive.get_exhibition(exhibition)
    target = archive.get_item(item)
    archive.consent.withdraw(item, actor=CURATOR)
    loaded.add_work(target, {"en": "wall text"}, CURATOR)  # stale copy, loaded before withdrawal
    with pytest.raises(KeyShredded):
        archive._save(loaded)
    assert archive.get_exhibition(exhibition).placements == []


def test_update_without_prior_consent_is_refused(archive):
    _, item = _testimony(archive)
    with pytest.raises(ConsentError, match="record it first"):
        archive.consent.update_consent(item, actor=CURATOR, scopes=ONLINE)


def test_unknown_ids_and_slugs_are_not_found(archive):
    with pytest.raises(NotFound):
        archive.get_item(uuid4())
    with pytest.raises(NotFound):
        archive.exhibition_by_slug("nowhere")
    with pytest.raises(NotFound):
        archive.history(uuid4())
    contributor = archive.contributors.register_contributor(name="Someone", actor=CURATOR)
    with pytest.raises(NotFound):
        archive.get_item(contributor)  # a contributor is not an item


def test_an_exhibition_as_of_a_date_shows_how_it_stood_that_day(archive):
    with clock.fixed_at(datetime(2024, 2, 1, 12, tzinfo=timezone.utc)):
        exhibition = archive.curation.create_exhibition(slug="then", actor=CURATOR, titles={"en": "Draft title"})
    with clock.fixed_at(datetime(2024, 3, 1, 12, tzinfo=timezone.utc)):
        archive.curation.revise_exhibition(exhibition, actor=CURATOR, titles={"en": "Final title"})
    assert archive.exhibition_as_of(exhibition, date(2024, 2, 15)).titles == {"en": "Draft title"}
    assert archive.exhibition_as_of(exhibition, date(2024, 3, 1)).titles == {"en": "Final title"}
    with pytest.raises(NotFound, match="did not exist yet"):
        archive.exhibition_as_of(exhibition, date(2024, 1, 31))


def test_slugs_are_unique(archive):
    archive.curation.create_exhibition(slug="once", actor=CURATOR, titles={"en": "Once"})
    with pytest.raises(InvalidValue, match="already used"):
        archive.curation.create_exhibition(slug="once", actor=CURATOR, titles={"en": "Twice"})
    assert [e.titles for e in archive.exhibitions()] == [{"en": "Once"}]


def test_every_command_records_who_acted(archive):
    contributor, item = _testimony(archive)
    archive.consent.record_consent(item, actor="curator:aigerim", scopes=ONLINE, attribution="named", text_version="v1")
    archive.consent.withdraw(item, actor=f"contributor:{contributor}")
    assert [entry.who for entry in archive.history(item)] == [
        "curator test-curator",
        "curator aigerim",
        "the contributor",
    ]
    with pytest.raises(InvalidValue, match="who made it"):
        archive.contributors.register_contributor(name="Nobody", actor="anonymous")


@pytest.mark.parametrize("zone, status", [("Asia/Almaty", "expired"), ("UTC", "given")])
def test_consent_expires_at_midnight_of_the_archives_own_time_zone(zone, status):
    from zoneinfo import ZoneInfo

    archive = in_memory_archive(zone=ZoneInfo(zone))
    try:
        _, item = _testimony(archive)
        archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1",
                               expires_on=date(2030, 3, 1))
        evening_utc = datetime(2030, 3, 1, 20, 0, tzinfo=timezone.utc)  # already 2 March in Almaty
        with clock.fixed_at(evening_utc):
            assert archive.get_item(item).status(archive.today()).value == status
    finally:
        archive.close()


def test_an_id_is_found_from_any_beginning_of_it_that_only_it_has(archive):
    contributors = [archive.contributors.register_contributor(name=f"Person {n}", actor=CURATOR) for n in range(40)]
    its_contributor, item = _testimony(archive)
    exhibition = archive.curation.create_exhibition(slug="voices", actor=CURATOR, titles={"en": "Voices"})
    known = [*contributors, its_contributor, item, exhibition]  # every id resolve() can find

    def sharing(prefix: str) -> list:
        return [i for i in known if str(i).startswith(prefix)]

    for aggregate_id in (item, exhibition, contributors[7]):
        short = str(aggregate_id)[:8]  # as history lines print it
        assert archive.resolve(short) == aggregate_id
        assert archive.resolve(short.upper()) == aggregate_id
        unique = next(str(aggregate_id)[:n] for n in range(1, 37) if len(sharing(str(aggregate_id)[:n])) == 1)
        assert archive.resolve(unique) == aggregate_id
        assert archive.resolve(aggregate_id.hex[:12]) == aggregate_id
    assert archive.resolve("voices") == exhibition
    assert archive.resolve(str(item)) == item

    # 43 ids over 16 first digits: some digit begins at least three of them.
    digit = max("0123456789abcdef", key=lambda d: len(sharing(d)))
    with pytest.raises(InvalidValue) as ambiguous:
        archive.resolve(digit)
    assert str(ambiguous.value) == (
        f"{len(sharing(digit))} items, contributors or exhibitions have an id starting '{digit}': give more of it."
    )
    unknown = next(p for p in (f"{n:08x}" for n in range(2**32)) if not sharing(p))
    with pytest.raises(NotFound, match=f"No item, contributor or exhibition has an id starting '{unknown}'"):
        archive.resolve(unknown)
    with pytest.raises(NotFound, match="No exhibition with the slug 'no-such-slug'"):
        archive.resolve("no-such-slug")
