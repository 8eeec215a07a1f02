"""The about page: consent, withdrawal and safety, in plain words."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import login, site_app
from web import create_app


@pytest.fixture
def client(archive):
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()


def about(client, query: str = "") -> str:
    response = client.get("/about" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_about_page_explains_the_scopes_attribution_and_expiry_of_consent(client):
    html = about(client)
    assert "<h1>About consent and this archive</h1>" in html
    for words in ("Shown in exhibitions", "Published online", "Named", "Pseudonym", "Anonymous", "end date"):
        assert words in html


def test_the_about_page_sends_contributors_to_the_consent_portal_that_exists(client):
    for query in ("", "?lang=ru", "?lang=kk"):
        html = about(client, query)
        links = re.findall(r'<a href="(/consent[^"]*)"', html)
        assert links, f"the about page{query} does not link to the consent portal"
        for link in links:
            portal = client.get(link.replace("&amp;", "&"))
            assert portal.status_code == 200 and 'name="code"' in portal.get_data(as_text=True)


def test_the_about_page_says_what_the_consent_portal_does_and_not_that_it_is_coming(client):
    html = about(client)
    assert "private consent code" in html
    for words in ("less of it shown", "at once", "withdraw one work or everything", "receipt", "a curator confirms it"):
        assert words in html
    assert "coming soon" not in html and "Until it opens" not in html


def test_the_about_page_says_what_withdrawal_does(client):
    html = about(client)
    for words in ("key that locked", "cannot be read again", "images are deleted", "removed from the search index",
                  "only the fact that something was withdrawn, and when"):
        assert words in html


def test_the_about_page_explains_the_quick_exit_and_that_nothing_is_loaded_from_elsewhere(client):
    html = about(client)
    assert "<strong>Quick exit</strong>" in html and "<kbd>Esc</kbd> twice" in html
    assert "loads nothing from other websites" in html


def test_the_about_page_has_the_quick_exit_headings_and_lang_and_loads_nothing_from_elsewhere(client):
    for query, lang in (("", "en"), ("?lang=ru", "ru"), ("?lang=kk", "kk")):
        html = about(client, query)
        assert f'<html lang="{lang}">' in html
        assert "data-quick-exit" in html and "quick-exit.js" in html
        headings = re.findall(r"<h([1-6])[ >]", html.split('<main id="main">', 1)[1])
        assert headings[0] == "1" and all(int(b) - int(a) <= 1 for a, b in zip(headings, headings[1:]))
        sources = re.findall(r'(?:src|href|srcset)="([^"]+)"', html)
        assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == ["https://www.google.com/"]
        for anchor in re.findall(r'href="#([^"]+)"', html):
            assert f'id="{anchor}"' in html


def test_the_site_icon_is_served_from_here_public_and_cached_without_cookies(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.content_type.startswith("image/")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response.cache_control.public and response.cache_control.max_age >= 24 * 3600
    assert "no-store" not in response.headers["Cache-Control"] and "private" not in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    again = client.get("/favicon.ico", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_site_icon_sets_no_cookie_for_a_signed_in_curator_either(media_archive, curator):
    client = site_app(media_archive).test_client()
    assert login(client).status_code == 302
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.content_type.startswith("image/")
    assert "Set-Cookie" not in response.headers  # a shared cache would hand it to the next visitor
    assert "Set-Cookie" not in client.get("/static/site.css").headers
    assert "Set-Cookie" in client.get("/curate/").headers  # pages still refresh the session
