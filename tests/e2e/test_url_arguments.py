"""URL arguments an attacker adds to a link: harmless on every page, never another host."""

from __future__ import annotations

import re

import pytest

from tests.conftest import CURATOR
from web import create_app
from tests.fakes import InMemoryMediaStore, SizedImagePipeline, in_memory_archive

PASSWORD = "a long enough password for tests"
EVIL = "evil.example"
#: url_for's own keywords, and names that would clash with it or with a route's values.
HOSTILE = ["_external=1", "_anchor=x", "_method=POST", "_scheme=javascript", "endpoint=x", "item_id=x", "slug=x"]
NOT_PAGES = ("static", "media.", "api.", "healthz", "consent.thumbnail", "curate.image", "consent.quick_exit",
             "pages.favicon")


@pytest.fixture
def world():
    archive = in_memory_archive(media=InMemoryMediaStore(), images=SizedImagePipeline())
    person = archive.contributors.register_contributor(name="Person", actor=CURATOR)
    item = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Work"})
    image = archive.item_images.upload_image(item, b"upload", actor=CURATOR, alt_text={"en": "Alt"})
    code = archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit", "publish_online"],
                                  attribution="named", text_version="v1").code
    show = archive.curation.create_exhibition(slug="show", actor=CURATOR, titles={"en": "Show"})
    archive.curation.add_to_exhibition(show, item, actor=CURATOR)
    archive.curation.publish_exhibition(show, actor=CURATOR)
    archive.access.create_curator(username="dana", password=PASSWORD, actor="system:test")
    values = {"slug": "show", "item_id": item, "image_id": image, "contributor_id": person,
              "aggregate_id": item, "reference": "R-AAAA-BBBB"}
    yield archive, values, code
    archive.close()


def signed_in_client(app, code: str):
    """A client logged in as a curator and holding a consent code, so every page is reachable."""
    client = app.test_client()
    assert client.post("/curate/login", data={"username": "dana", "password": PASSWORD}).status_code == 302
    assert client.post("/consent", data={"code": code}).status_code in (302, 303)
    return client


def html_pages(app, values: dict) -> list[str]:
    """A path for every GET route that answers with a page (not media, the API or static files)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(NOT_PAGES):
            continue
        paths.append(rule.build({name: str(values[name]) for name in rule.arguments})[1])
    return sorted(paths)


def test_url_for_keywords_in_the_query_are_harmless_on_every_page(world):
    archive, values, code = world
    app = create_app({"ARCHIVE": archive, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "CONSENT_MIN_CHECK_SECONDS": 0})
    pages = html_pages(app, values)
    assert "/exhibitions/show" in pages and "/curate/consent" in pages and "/consent/items" in pages
    for client in (app.test_client(), signed_in_client(app, code)):  # a visitor, then a curator and contributor
        for path in pages:
            for argument in HOSTILE:
                response = client.get(f"{path}?lang=ru&{argument}", headers={"Host": EVIL})
                assert response.status_code < 500, (path, argument)
                assert EVIL not in response.get_data(as_text=True), (path, argument)


def test_language_links_keep_the_visitors_arguments_but_not_url_fors(world):
    archive, _, _ = world
    client = create_app({"ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()
    html = client.get("/search?q=work&kind=artwork&_external=1&_anchor=top", headers={"Host": EVIL}).get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+)" lang="kk"', html)
    assert links == ["/search?q=work&amp;kind=artwork&amp;lang=kk"]
