"""Artwork and testimony pages (and larger image views), through the consent gate."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from domain import clock
from tests.conftest import CURATOR
from tests.fakes import InMemoryMediaStore, SizedImagePipeline, in_memory_archive
from web import create_app

ONLINE = ["exhibit", "publish_online"]
SIZES = (("thumb", 400, 300), ("display", 1200, 900), ("large", 2400, 1800))


@pytest.fixture
def archive():
    """An in-memory archive whose uploads become renditions of SIZES (the pages only need
    their facts, so nothing is decoded)."""
    app = in_memory_archive(media=InMemoryMediaStore(), images=SizedImagePipeline(SIZES))
    yield app
    app.close()


@pytest.fixture
def site(archive):
    """Artworks and testimonies in every consent state, some hung in a published exhibition."""
    person = archive.contributors.register_contributor(name="Named Person", pseudonym="Pseudo", actor=CURATOR)
    ids = {}

    def artwork(key, title, *, details=None, **consent):
        item = archive.cataloguing.record_artwork(
            contributor_id=person, actor=CURATOR, title={"en": title, "ru": title + " ру"}, **(details or {})
        )
        if consent:
            archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **consent)
        ids[key] = item
        return item

    def testimony(key, text, **consent):
        item = archive.cataloguing.record_testimony(
            contributor_id=person, actor=CURATOR, text={"ru": text, "en": text + " (translated)"}, language="ru",
            content_note={"en": f"Note-{key}: mentions violence."}, title={"en": f"Title-{key}"},
        )
        if consent:
            archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **consent)
        ids[key] = item
        return item

    artwork(
        "shown", "Visible-work", scopes=ONLINE, attribution="named",
        details={
            "year": 2023, "medium": {"en": "Oil on canvas", "ru": "Холст, масло"}, "dimensions": "60 × 80 cm",
            "series": {"en": "Quiet-series"}, "description": {"en": "Description-of-visible-work"},
            "content_note": {"en": "Artwork-note: depicts a bruise."},
        },
    )
    ids["image"] = archive.item_images.upload_image(
        ids["shown"], b"upload", actor=CURATOR, alt_text={"en": "Alt-English", "ru": "Альт-русский"},
        caption={"en": "Caption-of-image"},
    )
    artwork("pseudonymous", "Pseudonymous-work", scopes=ONLINE, attribution="pseudonym")
    artwork("anonymous", "Anonymous-work", scopes=ONLINE, attribution="anonymous")
    artwork("online_only", "Online-not-exhibit-work", scopes=["publish_online"], attribution="named")
    artwork("room_only", "Room-only-work", scopes=["exhibit"], attribution="named")
    artwork("no_consent", "Unconsented-work")
    with clock.fixed_at(datetime(2024, 1, 1, tzinfo=timezone.utc)):
        artwork("expired", "Expired-work", scopes=ONLINE, attribution="named", expires_on=date(2024, 6, 1))
    artwork("withdrawn", "Withdrawn-work", scopes=ONLINE, attribution="named")
    ids["withdrawn_image"] = archive.item_images.upload_image(ids["withdrawn"], b"upload", actor=CURATOR, alt_text={"en": "Withdrawn-alt"})
    testimony("testimony", "Текст-первый", scopes=ONLINE, attribution="anonymous")
    testimony("last_testimony", "Текст-последний", scopes=ONLINE, attribution="pseudonym")
    testimony("withdrawn_testimony", "Текст-отозванный", scopes=ONLINE, attribution="named")

    exhibition = archive.curation.create_exhibition(slug="open-show", actor=CURATOR, titles={"en": "Open Show"}, venue={"en": "Hall"})
    for key in ("shown", "testimony", "anonymous", "withdrawn", "withdrawn_testimony", "online_only", "last_testimony"):
        archive.curation.add_to_exhibition(exhibition, ids[key], actor=CURATOR, wall_text={"en": f"wall-{key}"})
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    hidden = archive.curation.create_exhibition(slug="hidden-show", actor=CURATOR, titles={"en": "Hidden Show"})
    archive.curation.add_to_exhibition(hidden, ids["shown"], actor=CURATOR)
    archive.consent.withdraw(ids["withdrawn"], actor=CURATOR)
    archive.consent.withdraw(ids["withdrawn_testimony"], actor=CURATOR)
    return archive, ids


@pytest.fixture
def client(site):
    archive, _ = site
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test"}).test_client()


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


# -- artworks ------------------------------------------------------------------------------


def test_an_artwork_page_shows_its_details_and_credit(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['shown']}")
    assert '<h1 lang="en">Visible-work</h1>' in html
    assert "By Named Person" in html
    for shown in ("2023", "Oil on canvas", "60 × 80 cm", "Quiet-series", "Description-of-visible-work"):
        assert shown in html


def test_an_artwork_shows_its_content_note_before_its_images(client, site):
    _, ids = site
    html = main(page(client, f"/items/{ids['shown']}"))
    assert html.index("Artwork-note: depicts a bruise.") < html.index("<picture>")
    assert html.index("Artwork-note: depicts a bruise.") < html.index("Description-of-visible-work")


def test_artwork_credit_follows_attribution(client, site):
    _, ids = site
    pseudonymous = main(page(client, f"/items/{ids['pseudonymous']}"))
    assert "Pseudo" in pseudonymous and "Named Person" not in pseudonymous
    anonymous = main(page(client, f"/items/{ids['anonymous']}"))
    assert "Anonymous" in anonymous and "Named Person" not in anonymous and "Pseudo" not in anonymous


def test_artwork_images_are_responsive_pictures_with_webp_and_jpeg_srcsets(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['shown']}")
    picture = html.split("<picture>", 1)[1].split("</picture>", 1)[0]
    base = f"/media/{ids['shown']}/{ids['image']}"
    webp = re.search(r'<source type="image/webp" sizes="[^"]+" srcset="([^"]+)"', picture)
    jpeg = re.search(r'<img[^>]*\ssrcset="([^"]+)"', picture)
    assert webp and jpeg
    assert webp.group(1) == f"{base}/thumb.webp 400w, {base}/display.webp 1200w, {base}/large.webp 2400w"
    assert jpeg.group(1) == f"{base}/thumb.jpeg 400w, {base}/display.jpeg 1200w, {base}/large.jpeg 2400w"
    img = re.search(r"<img[^>]*>", picture).group(0)
    assert f'src="{base}/display.jpeg"' in img
    assert 'sizes="' in img and 'width="1200"' in img and 'height="900"' in img
    assert 'alt="Alt-English" lang="en"' in img
    assert "Caption-of-image" in html


def test_alt_text_is_in_the_visitors_language(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['shown']}?lang=ru")
    assert 'alt="Альт-русский" lang="ru"' in html
    assert '<h1 lang="ru">Visible-work ру</h1>' in html
    kk = page(client, f"/items/{ids['shown']}?lang=kk")
    assert '<html lang="kk">' in kk
    assert 'alt="Alt-English" lang="en"' in kk  # no Kazakh alt text: English, marked as English


def test_the_larger_view_shows_the_large_derivative_with_alt_text_caption_and_a_way_back(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['shown']}")
    link = re.search(r'<a href="([^"]+)">Larger view', html).group(1).replace("&amp;", "&")
    assert link.startswith(f"/items/{ids['shown']}/images/{ids['image']}")
    large = page(client, link)
    base = f"/media/{ids['shown']}/{ids['image']}"
    assert f'<source type="image/webp" srcset="{base}/large.webp">' in large
    assert f'src="{base}/large.jpeg"' in large and 'width="2400"' in large and 'height="1800"' in large
    assert 'alt="Alt-English"' in large and "Caption-of-image" in large
    back = re.search(r'<a href="([^"]+)">Back to', large).group(1)
    assert back.startswith(f"/items/{ids['shown']}?") and back.endswith(f"#image-{ids['image']}")
    assert large.index("Artwork-note: depicts a bruise.") < large.index("<picture>")


def test_an_artwork_lists_the_published_exhibitions_it_hangs_in(client, site):
    _, ids = site
    html = main(page(client, f"/items/{ids['shown']}"))
    assert re.search(r'<a href="/exhibitions/open-show\?lang=en#item-[^"]+" lang="en">Open Show</a>', html)
    assert "Hidden Show" not in html


def test_an_item_allowed_online_but_not_in_exhibitions_has_a_page_but_no_exhibitions(client, site):
    _, ids = site
    html = main(page(client, f"/items/{ids['online_only']}"))
    assert "Online-not-exhibit-work" in html
    assert "Open Show" not in html


def test_the_exhibition_page_links_each_work_to_its_page(client, site):
    _, ids = site
    html = page(client, "/exhibitions/open-show")
    for key in ("shown", "testimony", "anonymous"):
        assert f'href="/items/{ids[key]}?exhibition=open-show&amp;lang=en"' in html
    for key in ("withdrawn", "withdrawn_testimony", "online_only"):
        assert str(ids[key]) not in html


HIDDEN = {
    "room_only": "Room-only-work",
    "no_consent": "Unconsented-work",
    "expired": "Expired-work",
    "withdrawn": "Withdrawn-work",
    "withdrawn_testimony": "Текст-отозванный",
}


@pytest.mark.parametrize("key", sorted(HIDDEN))
def test_an_item_consent_does_not_allow_online_is_not_found_and_tells_nothing(client, site, key):
    _, ids = site
    for path in (f"/items/{ids[key]}", f"/items/{ids[key]}?continue=1"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        assert HIDDEN[key] not in body and "wall-" not in body and "Title-withdrawn" not in body
        assert "This page is not here" in body


def test_the_image_of_a_withdrawn_item_is_not_found(client, site):
    _, ids = site
    response = client.get(f"/items/{ids['withdrawn']}/images/{ids['withdrawn_image']}")
    assert response.status_code == 404
    assert "Withdrawn-alt" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/items/{unknown}", "/items/not-a-uuid", "/items/{shown}/images/{unknown}",
                                  "/items/{shown}/images/not-a-uuid", "/items/{room_only}/images/{image}"])
def test_unknown_or_malformed_ids_get_the_same_friendly_404(client, site, path):
    _, ids = site
    response = client.get(path.format(unknown=uuid4(), **ids))
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This page is not here" in body and "data-quick-exit" in body
    assert "Alt-English" not in body and "Visible-work" not in body


def test_narrowing_consent_hides_the_page_at_once(client, site):
    archive, ids = site
    page(client, f"/items/{ids['shown']}")
    archive.consent.update_consent(ids["shown"], actor=CURATOR, scopes=["exhibit"])
    for path in (f"/items/{ids['shown']}", f"/items/{ids['shown']}/images/{ids['image']}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Visible-work" not in response.get_data(as_text=True)


# -- testimonies -----------------------------------------------------------------------------


def test_a_testimony_page_shows_its_content_note_but_not_its_text(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['testimony']}")
    assert "Title-testimony" in html and "Anonymous" in html
    assert 'Told in <span lang="ru">Русский</span>' in html
    assert "Note-testimony: mentions violence." in html
    assert "Текст-первый" not in html and "translated" not in html


def test_the_content_note_offers_to_continue_or_skip_right_beside_it(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['testimony']}?exhibition=open-show")
    note = html.split('<section class="content-note"', 1)[1].split("</section>", 1)[0]
    continue_link = re.search(r'<a class="button" href="([^"]+)">Continue to the testimony</a>', note)
    skip_link = re.search(r'<a class="skip" href="([^"]+)">Skip this testimony', note)
    assert continue_link and skip_link
    assert "continue=1" in continue_link.group(1) and continue_link.group(1).endswith("#testimony-text")
    # skip goes on to the next visible work of the exhibition (withdrawn and hidden ones are passed over)
    assert skip_link.group(1) == f"/items/{ids['anonymous']}?exhibition=open-show&amp;lang=en"


def test_skipping_the_last_testimony_leads_back_to_the_exhibition(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['last_testimony']}")
    assert re.search(r'<a class="skip" href="/exhibitions/open-show\?lang=en">Skip this testimony', html)


def test_continuing_shows_the_text_after_the_note_with_its_language(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['testimony']}?lang=ru&continue=1")
    assert html.index("Note-testimony: mentions violence.") < html.index("Текст-первый")
    assert '<blockquote lang="ru">Текст-первый</blockquote>' in html
    assert 'id="testimony-text" class="testimony-text" tabindex="-1"' in html
    assert "Перейти к свидетельству" not in html and "Пропустить это свидетельство" in html  # the interface is in Russian too
    english = page(client, f"/items/{ids['testimony']}?lang=en&continue=1")
    assert '<blockquote lang="en">Текст-первый (translated)</blockquote>' in english
    assert 'hreflang="ru">Русский</a>' in english  # the original is one link away


def test_only_choosing_to_continue_reveals_the_text(client, site):
    _, ids = site
    html = page(client, f"/items/{ids['testimony']}?continue=yes")
    assert "Текст-первый" not in html


def test_testimony_credit_follows_attribution(client, site):
    _, ids = site
    html = main(page(client, f"/items/{ids['last_testimony']}"))
    assert "Shared by Pseudo" in html and "Named Person" not in html


# -- every new page ---------------------------------------------------------------------------


def test_item_pages_have_the_quick_exit_lang_attributes_and_load_nothing_from_elsewhere(client, site):
    _, ids = site
    for path in (
        f"/items/{ids['shown']}",
        f"/items/{ids['shown']}/images/{ids['image']}",
        f"/items/{ids['testimony']}",
        f"/items/{ids['testimony']}?continue=1",
    ):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "data-quick-exit" in html and "quick-exit.js" in html
        assert re.search(r'<html lang="(en|ru|kk)">', html)
        assert re.search(r"<h1[ >]", html)
        assert response.headers["Cache-Control"] == "private, no-store"
        sources = re.findall(r'(?:src|href|srcset)="([^"]+)"', html)
        assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == ["https://www.google.com/"]
