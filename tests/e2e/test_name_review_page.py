"""The item's workspace page lists name-like words once the credit narrows; one click redacts."""

from __future__ import annotations

import html

import pytest

from tests.e2e.helpers import csrf

ONLINE = ["exhibit", "publish_online"]


@pytest.fixture
def archive(media_archive, curator):
    return media_archive


@pytest.fixture
def client(logged_in):
    return logged_in


@pytest.fixture
def testimony(archive):
    person = archive.contributors.register_contributor(name="Айгерим Садыкова", actor="curator:dana")
    item = archive.cataloguing.record_testimony(
        contributor_id=person, actor="curator:dana", language="ru", content_note={"en": "Mentions violence."},
        text={"ru": "Айгерим Маратовна открыла дверь. Соседка Гульмира молчала."},
    )
    archive.consent.record_consent(item, actor="curator:dana", scopes=ONLINE, attribution="anonymous", text_version="v1")
    return item


def redact(client, item, span, version):
    page = f"/curate/items/{item}"
    return client.post(f"{page}/redactions", data={"csrf_token": csrf(client, page), "span": span, "version": version})


def test_the_page_lists_name_like_words_and_one_click_redacts_one_everywhere(client, archive, testimony):
    page = html.unescape(client.get(f"/curate/items/{testimony}").get_data(as_text=True))
    assert 'name="span" value="Маратовна"' in page and 'name="span" value="Гульмира"' in page
    assert 'name="span" value="Соседка"' not in page

    version = archive.get_item(testimony).version
    done = redact(client, testimony, "Маратовна", version)

    assert done.status_code == 302 and done.headers["Location"].endswith(f"/curate/items/{testimony}#review")
    after = html.unescape(client.get(f"/curate/items/{testimony}").get_data(as_text=True))
    assert 'name="span" value="Маратовна"' not in after and "Redacted for good: “Маратовна”" in after
    visitor = html.unescape(client.get(f"/items/{testimony}?continue=1&lang=ru").get_data(as_text=True))
    api = client.get(f"/api/v1/items/{testimony}").get_data(as_text=True)
    assert "Маратовна" not in visitor and "Маратовна" not in api and "Гульмира" in visitor


@pytest.mark.parametrize(
    ("span", "version", "message"),
    [
        ("Маратовна", "1", "This item changed after the page was loaded"),
        ("Маратовна", "", "The form did not say which version"),
        ("Маратовна", "x9", "The form did not say which version"),
        ("   ", None, "Say which word or phrase to redact."),
    ],
)
def test_a_refused_redaction_says_why_and_records_nothing(client, archive, testimony, span, version, message):
    before = archive.get_item(testimony).version
    done = redact(client, testimony, span, before if version is None else version)

    assert done.status_code == 302
    assert message in html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    assert archive.get_item(testimony).version == before and archive.get_item(testimony).redacted_spans == []


def test_a_redaction_without_the_csrf_token_is_refused(client, archive, testimony):
    response = client.post(f"/curate/items/{testimony}/redactions", data={"span": "Маратовна", "version": "3"})
    assert response.status_code == 400 and archive.get_item(testimony).redacted_spans == []
