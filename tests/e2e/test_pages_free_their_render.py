"""A page's render is freed as soon as the page is sent, not left for the garbage collector.

A Jinja macro imported ``with context`` (or defined in the page) closes over the page's
context, and the context holds the macro: a reference cycle that kept everything the page was
given (a contributor page's rows: 218 objects at 50,000 items) until the next collection, which
then took about 2 ms of some later request. Every page that uses macros is rendered here once
the archive and the templates are warm, and the test fails if a template context, a macro or a
macro module is left in a cycle.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.runtime import Context, Macro, TemplateReference
from jinja2.environment import TemplateModule

from archive.services.application import ExhibitionArchive
from archive.services.demo import SLUG, load_demo
from domain import clock
from media_store import make_sample_photo
from tests.e2e.helpers import login, post, site_app

#: A day the demo exhibition is open.
OPEN_DAY = datetime(2024, 4, 20, 12, tzinfo=timezone.utc)
RENDER_TYPES = (Context, Macro, TemplateModule, TemplateReference)


@pytest.fixture
def app(media_archive: ExhibitionArchive) -> Flask:
    """The site without its page cache: every visit renders."""
    return site_app(media_archive, PAGE_CACHE=False)


@pytest.fixture
def demo(media_archive: ExhibitionArchive, curator: str) -> dict[str, str]:
    """The Silent Room demo with small photographs; a contributor's code, a testimony, an artwork."""
    loaded = load_demo(media_archive, lambda seed, title: make_sample_photo(seed, size=(160, 120), title=title))
    assert loaded.consent_code
    items = [media_archive.get_item(UUID(str(i))) for i in media_archive.item_ids()]
    artwork = next(i for i in items if i.kind == "artwork" and i.images)
    testimony = next(i for i in items if i.kind == "testimony")
    return {"code": loaded.consent_code, "artwork": str(artwork.id), "testimony": str(testimony.id),
            "image": str(next(iter(artwork.images))), "contributor": str(artwork.contributor_id)}


def _render_objects_left_in_cycles(client: FlaskClient, path: str) -> list[str]:
    """The Jinja objects that rendering ``path`` once more leaves in reference cycles."""
    assert client.get(path).status_code == 200, path  # templates compiled, macro modules made
    gc.collect()
    saved = gc.get_debug()
    gc.set_debug(saved | gc.DEBUG_SAVEALL)  # what a collection finds unreachable goes to gc.garbage
    try:
        assert client.get(path).status_code == 200, path
        gc.collect()
        return [f"{type(o).__name__} {getattr(o, 'name', '')}" for o in gc.garbage if isinstance(o, RENDER_TYPES)]
    finally:
        gc.set_debug(saved)
        gc.garbage.clear()


@pytest.fixture
def walk(client: FlaskClient) -> Iterator[FlaskClient]:
    with clock.fixed_at(OPEN_DAY):
        yield client


def test_public_pages_leave_no_render_in_a_reference_cycle(walk: FlaskClient, demo: dict[str, str]) -> None:
    pages = ["/", "/exhibitions", f"/exhibitions/{SLUG}", f"/exhibitions/{SLUG}/history",
             f"/exhibitions/{SLUG}/as-of?date=2024-04-20", f"/items/{demo['artwork']}",
             f"/items/{demo['testimony']}", f"/items/{demo['artwork']}/images/{demo['image']}",
             f"/exhibitions/{SLUG}?lang=kk"]
    assert {page: _render_objects_left_in_cycles(walk, page) for page in pages} == {page: [] for page in pages}


def test_curator_pages_leave_no_render_in_a_reference_cycle(walk: FlaskClient, demo: dict[str, str]) -> None:
    assert login(walk).status_code == 302
    pages = ["/curate/", "/curate/contributors", f"/curate/contributors/{demo['contributor']}", "/curate/consent",
             f"/curate/items/{demo['artwork']}", f"/curate/items/{demo['testimony']}", f"/curate/exhibitions/{SLUG}",
             f"/curate/exhibitions/{SLUG}/candidates?q=a", "/curate/artworks/new", "/curate/testimonies/new"]
    assert {page: _render_objects_left_in_cycles(walk, page) for page in pages} == {page: [] for page in pages}


def test_consent_portal_pages_leave_no_render_in_a_reference_cycle(walk: FlaskClient, demo: dict[str, str]) -> None:
    assert post(walk, "/consent", {"code": demo["code"]}).status_code == 303
    mine = re.search(r'href="/consent/items/([0-9a-f-]{36})[?"]', walk.get("/consent/items").get_data(as_text=True))
    assert mine, "the portal lists no item"
    pages = ["/consent/items", f"/consent/items/{mine[1]}", f"/consent/items/{mine[1]}/withdraw", "/consent/withdraw-everything"]
    assert {page: _render_objects_left_in_cycles(walk, page) for page in pages} == {page: [] for page in pages}
