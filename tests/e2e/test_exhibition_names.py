"""An exhibition's own texts (title, statement, organiser) lose the names its works withhold.

A statement written while an artist was credited by name ("Works by Aigerim Sadykova") would
otherwise name her beside the testimony she has since made anonymous.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from archive.config import Settings
from archive.search.follower import SearchFollower
from domain.consent import ConsentChange
from web.bootstrap import open_archive, open_search_index
from tests.conftest import CURATOR
from web import create_app

ONLINE = ["exhibit", "publish_online"]
SLUG = "kitchen-voices"


@pytest.fixture
def world(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    writer = open_search_index(settings, writable=True)
    reader = open_search_index(settings, writable=False)
    follower = SearchFollower(archive, writer)
    person = archive.contributors.register_contributor(name="Айгерим Садыкова", pseudonym="Qaraqus", actor=CURATOR)
    item = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"ru": "Текст"}, language="ru",
                                    content_note={"en": "Mentions violence."}, title={"en": "Kitchen"})
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    exhibition = archive.curation.create_exhibition(
        slug=SLUG, actor=CURATOR, titles={"en": "Kitchen voices: Aigerim Sadykova", "kk": "Айгерім Садықова"},
        statement={"en": "Testimony by Sadykova, read aloud.", "ru": "Свидетельство Айгерим Садыковой."},
        organiser={"en": "Friends of Aigerim"},
    )
    archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR)
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    archive.self_service.change_consent_as_contributor(person, item, ConsentChange("anonymous", ["exhibit", "publish_online"], None))
    follower.catch_up()
    client = create_app({"TESTING": True, "ARCHIVE": archive, "SEARCH": reader, "SECRET_KEY": "test"}).test_client()
    yield archive, client
    reader.close()
    writer.close()
    archive.close()


def _shown(response) -> str:
    assert response.status_code == 200
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return html.unescape(response.get_data(as_text=True))


def test_an_exhibitions_texts_do_not_name_a_contributor_who_became_anonymous(world):
    archive, client = world
    today = archive.today().isoformat()
    paths = [
        f"/exhibitions/{SLUG}?lang=en", f"/exhibitions/{SLUG}?lang=ru", f"/exhibitions/{SLUG}?lang=kk",
        "/", "/exhibitions", f"/exhibitions/{SLUG}/as-of?date={today}", f"/exhibitions/{SLUG}/history",
        "/api/v1/exhibitions", f"/api/v1/exhibitions/{SLUG}",
    ]
    for path in paths:
        shown = _shown(client.get(path)).casefold()
        assert not any(name in shown for name in ("sadykov", "садыков", "садықов", "aigerim", "айгер")), path
    assert "kitchen voices" in _shown(client.get(f"/exhibitions/{SLUG}?lang=en")).casefold()


def test_a_search_for_the_name_finds_no_exhibition_of_hers(world):
    _, client = world
    for query in ("Sadykova", "Садыковой", "Aigerim"):
        api = client.get("/api/v1/search", query_string={"q": query}).get_json()
        assert api["hits"] == [] and api["total"] == 0, query
    shown = _shown(client.get("/api/v1/search", query_string={"q": "kitchen"})).casefold()
    assert "sadykov" not in shown and "aigerim" not in shown, shown
