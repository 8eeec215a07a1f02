"""The about page: consent, withdrawal and safety, in plain words."""

from __future__ import annotations

import re

import pytest

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


def test_the_about_page_tells_contributors_how_to_change_or_withdraw_consent(client):
    html = about(client)
    assert "private consent code" in html
    assert "/consent" in html and "coming soon" in html


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
