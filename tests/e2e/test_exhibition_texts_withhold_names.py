"""Texts written about an exhibition's works (its own texts and every work's wall text) never
show a name that any work hung there withholds: a curator may mention one contributor in the
wall text beside another contributor's work."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain import clock
from tests.conftest import CURATOR
from web import create_app
from tests.fakes import in_memory_archive

ONLINE = ["exhibit", "publish_online"]
NAME_FORMS = ("Zarina", "Seitova")


@pytest.fixture
def client_for():
    def make(archive):
        return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()

    return make


def _bodies(client, paths: list[str]) -> dict[str, str]:
    seen = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        seen[path] = json.dumps(response.get_json(), ensure_ascii=False) if path.startswith("/api/") else body
    return seen


def _naming(seen: dict[str, str]) -> dict[str, list[str]]:
    return {path: [n for n in NAME_FORMS if n in text] for path, text in seen.items() if any(n in text for n in NAME_FORMS)}


def _named_lamp_and_anonymous_quilt(archive) -> tuple[UUID, UUID]:
    """Dana Open's lamp, credited by name, and Zarina Seitova's quilt, anonymous: both online."""
    named = archive.contributors.register_contributor(name="Dana Open", actor=CURATOR)
    hidden = archive.contributors.register_contributor(name="Zarina Seitova", pseudonym="Qaraqus", actor=CURATOR)
    lamp = archive.cataloguing.record_artwork(contributor_id=named, actor=CURATOR, title={"en": "Lamp"})
    quilt = archive.cataloguing.record_artwork(contributor_id=hidden, actor=CURATOR, title={"en": "Quilt"})
    archive.consent.record_consent(lamp, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    archive.consent.record_consent(quilt, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
    return lamp, quilt


def test_a_wall_text_never_shows_a_name_another_work_there_withholds(archive, client_for):
    lamp, quilt = _named_lamp_and_anonymous_quilt(archive)
    show = archive.curation.create_exhibition(slug="together", actor=CURATOR, titles={"en": "Together"},
                                     statement={"en": "Zarina Seitova and friends."})
    archive.curation.add_to_exhibition(show, lamp, actor=CURATOR, wall_text={"en": "Sewn with Zarina Seitova."})
    archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
    archive.curation.publish_exhibition(show, actor=CURATOR)

    seen = _bodies(client_for(archive), ["/exhibitions/together?lang=en", "/api/v1/exhibitions/together"])

    assert _naming(seen) == {}
    assert all("Sewn with […]" in text for text in seen.values())


def test_a_contributor_who_has_not_consented_is_not_named_in_exhibition_texts(archive, client_for):
    named = archive.contributors.register_contributor(name="Dana Open", actor=CURATOR)
    waiting = archive.contributors.register_contributor(name="Zarina Seitova", pseudonym="Qaraqus", actor=CURATOR)
    lamp = archive.cataloguing.record_artwork(contributor_id=named, actor=CURATOR, title={"en": "Lamp"})
    quilt = archive.cataloguing.record_artwork(contributor_id=waiting, actor=CURATOR, title={"en": "Quilt"})
    archive.consent.record_consent(lamp, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    # The quilt is hung before its contributor's consent is recorded: she chose no credit yet.
    show = archive.curation.create_exhibition(slug="zarina", actor=CURATOR, titles={"en": "Zarina Seitova: quilts"},
                                     statement={"en": "Quilts by Qaraqus."})
    archive.curation.add_to_exhibition(show, lamp, actor=CURATOR)
    archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
    archive.curation.publish_exhibition(show, actor=CURATOR)

    seen = _bodies(client_for(archive), [
        "/", "/exhibitions?lang=en", "/exhibitions/zarina?lang=en", f"/items/{lamp}?lang=en",
        "/api/v1/exhibitions", "/api/v1/exhibitions/zarina",
    ])

    assert _naming(seen) == {}
    assert [path for path, text in seen.items() if "Qaraqus" in text] == []
    assert "[…]: quilts" in seen["/exhibitions/zarina?lang=en"]


def test_the_history_never_shows_a_past_title_naming_a_contributor_who_withholds_her_name(archive, client_for):
    lamp, quilt = _named_lamp_and_anonymous_quilt(archive)
    show = archive.curation.create_exhibition(slug="quilts", actor=CURATOR, titles={"en": "Zarina Seitova: quilts"})
    archive.curation.add_to_exhibition(show, lamp, actor=CURATOR)
    archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
    archive.curation.publish_exhibition(show, actor=CURATOR)
    # Renamed, then her work is taken down: the old title stays in the exhibition's history.
    archive.curation.revise_exhibition(show, actor=CURATOR, titles={"en": "Quilts"})
    archive.curation.remove_from_exhibition(show, quilt, actor=CURATOR)

    seen = _bodies(client_for(archive), ["/exhibitions/quilts/history?lang=en", "/exhibitions/quilts?lang=en"])

    assert _naming(seen) == {}
    assert "[…]: quilts" in seen["/exhibitions/quilts/history?lang=en"]


def test_a_contributor_whose_consent_expired_is_not_named_in_exhibition_texts(client_for):
    archive = in_memory_archive(zone=ZoneInfo("Asia/Almaty"))
    named = archive.contributors.register_contributor(name="Dana Open", actor=CURATOR)
    lapsed = archive.contributors.register_contributor(name="Zarina Seitova", pseudonym="Qaraqus", actor=CURATOR)
    lamp = archive.cataloguing.record_artwork(contributor_id=named, actor=CURATOR, title={"en": "Lamp"})
    quilt = archive.cataloguing.record_artwork(contributor_id=lapsed, actor=CURATOR, title={"en": "Quilt"})
    with clock.fixed_at(datetime(2026, 2, 1, 9, tzinfo=timezone.utc)):
        archive.consent.record_consent(lamp, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
        archive.consent.record_consent(quilt, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1",
                               expires_on=date(2026, 3, 1))
        show = archive.curation.create_exhibition(slug="zarina", actor=CURATOR, titles={"en": "Zarina Seitova: quilts"},
                                         statement={"en": "Quilts by Zarina Seitova, lamps by Dana."})
        archive.curation.add_to_exhibition(show, lamp, actor=CURATOR)
        archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
        archive.curation.publish_exhibition(show, actor=CURATOR)
    paths = ["/", "/exhibitions?lang=en", "/exhibitions/zarina?lang=en", "/exhibitions/zarina/history?lang=en",
             "/api/v1/exhibitions", "/api/v1/exhibitions/zarina"]

    with clock.fixed_at(datetime(2026, 3, 1, 18, 30, tzinfo=timezone.utc)):  # 23:30 on 1 March in Almaty
        before = _bodies(client_for(archive), paths)
    with clock.fixed_at(datetime(2026, 3, 1, 19, 30, tzinfo=timezone.utc)):  # 00:30 on 2 March in Almaty
        after = _bodies(client_for(archive), paths)

    assert all(_naming({path: text}) for path, text in before.items())  # her consent still runs
    assert _naming(after) == {}
    assert "[…]: quilts" in after["/exhibitions/zarina?lang=en"]
