"""A search index lagging behind a narrowed credit shows nothing more than consent allows,
for exhibition hits too: an exhibition's statement is indexed through the names its works
withhold, and one of its works may narrow its credit before the follower re-indexes it."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from archive.config import Settings
from archive.search.follower import SearchFollower
from domain import clock
from web.bootstrap import open_archive, open_search_index
from tests.conftest import CURATOR
from web import create_app

ONLINE = ["exhibit", "publish_online"]


@pytest.fixture
def world(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    writer = open_search_index(settings, writable=True)
    reader = open_search_index(settings, writable=False)
    client = create_app({"TESTING": True, "ARCHIVE": archive, "SEARCH": reader, "SECRET_KEY": "test"}).test_client()
    yield archive, SearchFollower(archive, writer), client
    reader.close()
    writer.close()
    archive.close()


def _hits(client, query: str) -> list[str]:
    page = client.get(f"/search?q={query}&lang=en").get_data(as_text=True)
    return re.findall(r'<li class="hit hit-\w+">.*?</li>', page, flags=re.S)


def test_an_exhibition_hit_never_shows_a_name_withheld_after_it_was_indexed(world):
    archive, follower, client = world
    person = archive.contributors.register_contributor(name="Zarina Seitova", pseudonym="Qaraqus", actor=CURATOR)
    quilt = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Quilt"})
    archive.consent.record_consent(quilt, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    show = archive.curation.create_exhibition(slug="patchwork", actor=CURATOR, titles={"en": "Patchwork"},
                                     statement={"en": "Patchwork quilts sewn by Zarina Seitova over winter."})
    archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
    archive.curation.publish_exhibition(show, actor=CURATOR)
    follower.catch_up()
    assert any("Seitova" in hit for hit in _hits(client, "winter"))  # the control: credited by name

    archive.consent.update_consent(quilt, actor=CURATOR, attribution="anonymous")  # the follower has not run yet

    assert [hit for query in ("winter", "patchwork") for hit in _hits(client, query) if "Seitova" in hit] == []
    assert _hits(client, "Seitova") == []


def test_an_exhibition_naming_a_contributor_is_not_found_by_her_name_once_her_consent_expired(world):
    archive, follower, client = world
    with clock.fixed_at(datetime(2026, 2, 1, 9, tzinfo=timezone.utc)):
        person = archive.contributors.register_contributor(name="Zarina Seitova", pseudonym="Qaraqus", actor=CURATOR)
        quilt = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Quilt"})
        archive.consent.record_consent(quilt, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1",
                               expires_on=date(2026, 3, 1))
        show = archive.curation.create_exhibition(slug="patchwork", actor=CURATOR, titles={"en": "Patchwork"},
                                         statement={"en": "Patchwork quilts sewn by Zarina Seitova over winter."})
        archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
        archive.curation.publish_exhibition(show, actor=CURATOR)
        follower.catch_up()
        assert any("Seitova" in hit for hit in _hits(client, "Seitova"))  # the control: her consent runs

    with clock.fixed_at(datetime(2026, 3, 5, 9, tzinfo=timezone.utc)):  # no event marks the expiry
        follower.remove_expired()

        assert _hits(client, "Seitova") == []
        assert [hit for hit in _hits(client, "winter") if "Seitova" in hit] == []
