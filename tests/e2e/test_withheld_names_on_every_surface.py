"""A name the credit withholds appears on no visitor surface, in any text of the work.

Titles, descriptions, alt texts, captions and wall texts written while a contributor was
credited by name would still name her once she asks for a pseudonym: every page and API
response passes them through the name filter (the search engine's own surfaces are tested
with the search).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import CURATOR
from tests.fakes import InMemoryMediaStore, SizedImagePipeline, in_memory_archive
from web import create_app

ONLINE = ["exhibit", "publish_online"]
NAME_FORMS = ("Aigerim", "Айгерим", "Sadykova", "Садыков")
PSEUDONYM = "Qaraqus"


@pytest.fixture
def archive():
    """An in-memory archive whose uploads become 400 × 300 renditions (nothing is decoded)."""
    app = in_memory_archive(
        media=InMemoryMediaStore(),
        images=SizedImagePipeline((name, 400, 300) for name in ("thumb", "display", "large")),
    )
    yield app
    app.close()


@pytest.fixture
def work(archive):
    person = archive.contributors.register_contributor(name="Aigerim Sadykova", pseudonym=PSEUDONYM, actor=CURATOR)
    item = archive.cataloguing.record_artwork(
        contributor_id=person, actor=CURATOR, title={"en": "Aigerim's lantern", "ru": "Фонарь Айгерим"},
        description={"en": "Made by Aigerim Sadykova in 2023.", "ru": "Работа Айгерим Садыковой."},
    )
    image = archive.item_images.upload_image(
        item, b"upload", actor=CURATOR, alt_text={"en": "Aigerim at the window"}, caption={"en": "Sadykova's studio"},
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    exhibition = archive.curation.create_exhibition(slug="lanterns", actor=CURATOR, titles={"en": "Lanterns"})
    archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text={"en": "Aigerim Sadykova lit it every night."})
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    return archive, item, image


def _surfaces(archive, item, image) -> dict[str, str]:
    client = create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()
    paths = [
        f"/items/{item}?lang=en", f"/items/{item}?lang=ru", f"/items/{item}/images/{image}?lang=en",
        "/exhibitions/lanterns?lang=en", f"/api/v1/items/{item}", "/api/v1/exhibitions/lanterns",
    ]
    seen = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        seen[path] = json.dumps(response.get_json(), ensure_ascii=False) if path.startswith("/api/") else body
    return seen


def _named(text: str) -> list[str]:
    return [form for form in NAME_FORMS if re.search(form, text, re.IGNORECASE)]


def test_a_name_credited_by_the_contributor_is_shown_everywhere(work):
    # The positive control: the texts do carry the name, and every surface shows it.
    seen = _surfaces(*work)

    assert {path: _named(text) != [] for path, text in seen.items()} == {path: True for path in seen}


@pytest.mark.parametrize("attribution", ["pseudonym", "anonymous"])
def test_a_withheld_name_is_on_no_surface_in_any_text(work, attribution):
    archive, item, image = work
    archive.consent.update_consent(item, actor=CURATOR, attribution=attribution)

    seen = _surfaces(archive, item, image)

    assert {path: _named(text) for path, text in seen.items() if _named(text)} == {}
    assert all("[…]" in text for text in seen.values())
    if attribution == "pseudonym":
        assert PSEUDONYM in seen[f"/items/{item}?lang=en"] and PSEUDONYM in seen[f"/api/v1/items/{item}"]
    else:
        assert [path for path, text in seen.items() if PSEUDONYM in text] == []
