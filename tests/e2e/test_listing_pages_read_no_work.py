"""Listing pages (home, /exhibitions, /api/v1/exhibitions) and an item page's "Shown in" read
the read models: they load no item or contributor beyond the one an item page shows."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from archive.config import Settings
from domain.contributors import Contributor
from domain.items import Item
from web.bootstrap import open_archive, open_search_index
from tests.conftest import CURATOR
from web import create_app

ONLINE = ["exhibit", "publish_online"]


def test_listing_pages_load_no_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    reader = open_search_index(settings, writable=False)
    try:
        works = []
        for n in range(3):
            person = archive.contributors.register_contributor(name=f"Person {n}", actor=CURATOR)
            art = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": f"Work {n}"})
            archive.consent.record_consent(art, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
            works.append(art)
        for slug in ("first", "second"):
            show = archive.curation.create_exhibition(slug=slug, actor=CURATOR, titles={"en": f"Person 0 and {slug}"})
            for art in works:
                archive.curation.add_to_exhibition(show, art, actor=CURATOR)
            archive.curation.publish_exhibition(show, actor=CURATOR)
        client = create_app(
            {"TESTING": True, "ARCHIVE": archive, "SEARCH": reader, "SECRET_KEY": "test", "PAGE_CACHE": False}
        ).test_client()
        loaded: list[UUID] = []
        get = archive.repository.get

        def counting(aggregate_id: UUID, *args: object, **kwargs: object) -> object:
            aggregate = get(aggregate_id, *args, **kwargs)
            if isinstance(aggregate, (Item, Contributor)):
                loaded.append(aggregate_id)
            return aggregate

        monkeypatch.setattr(archive.repository, "get", counting)
        for url in ("/", "/exhibitions", "/api/v1/exhibitions"):
            response = client.get(url)
            assert response.status_code == 200 and "Person 0" not in response.get_data(as_text=True), url
            assert loaded == [], url
        page = client.get(f"/items/{works[1]}")
        assert page.status_code == 200 and "/exhibitions/second" in page.get_data(as_text=True)
        assert set(loaded) <= {works[1], archive.get_item(works[1]).contributor_id}, "only the item shown"
    finally:
        reader.close()
        archive.close()
