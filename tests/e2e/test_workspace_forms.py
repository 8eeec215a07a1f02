"""The site's HTML forms: malformed input refused in the curator's language, and no form of
the workspace or the consent portal accepted without its CSRF token."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from media_store import make_sample_photo
from tests.e2e.helpers import post

pytestmark = pytest.mark.usefixtures("curator")


@pytest.fixture
def person(media_archive):
    return media_archive.contributors.register_contributor(name="Person", actor="system:test")


def _events(archive) -> int:
    return archive.recorder.max_notification_id() or 0


def test_a_year_that_is_not_a_number_is_refused_in_russian_and_records_nothing(logged_in, media_archive, person):
    before = _events(media_archive)
    response = post(logged_in, "/curate/artworks/new?lang=ru", {"contributor_id": str(person), "title_en": "X",
                                                                "year": "20x4"})
    assert response.status_code == 422
    assert "Год: нужно целое число." in response.get_data(as_text=True)
    assert _events(media_archive) == before


def test_a_date_that_is_not_a_date_is_refused_in_kazakh_and_records_nothing(logged_in, media_archive):
    response = post(logged_in, "/curate/exhibitions/new?lang=kk", {"slug": "dates", "titles_en": "D",
                                                                   "opens_on": "2024-13-40"})
    assert response.status_code == 422
    assert "Ашылу күні: &#39;2024-13-40&#39; — күн емес (ЖЖЖЖ-АА-КК түрінде жазыңыз)." in response.get_data(as_text=True)
    assert media_archive.exhibitions() == []


def test_a_testimony_without_a_contributor_asks_for_one_in_russian(logged_in, media_archive):
    response = post(logged_in, "/curate/testimonies/new?lang=ru", {"language": "ru", "text_ru": "t",
                                                                   "content_note_ru": "n"})
    assert response.status_code == 422
    assert "Выберите автора." in response.get_data(as_text=True)
    assert media_archive.item_ids() == []


def test_an_image_in_the_second_slot_without_alt_text_is_named_and_nothing_is_recorded(logged_in, media_archive,
                                                                                      person):
    photo = make_sample_photo(1, size=(300, 200))
    response = post(logged_in, "/curate/artworks/new", {
        "contributor_id": str(person), "title_en": "Two images",
        "image_1": (BytesIO(photo), "a.jpg"), "alt_1_ru": "Описание",
        "image_2": (BytesIO(photo), "b.jpg"), "caption_2_en": "A caption is not alt text",
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Image 2 needs alt text" in response.get_data(as_text=True)
    assert media_archive.item_ids() == []


def test_the_login_form_is_labelled_in_the_visitors_language(client):
    page = client.get("/curate/login?lang=ru").get_data(as_text=True)
    assert "Имя пользователя" in page and "Пароль" in page


@pytest.mark.parametrize("path, data", [
    ("/curate/contributors/new", {"name": "Without a token"}),
    ("/curate/exhibitions/new", {"slug": "no-token", "titles_en": "No token"}),
])
def test_a_workspace_form_without_its_csrf_token_is_refused_and_records_nothing(logged_in, media_archive, path, data):
    before = _events(media_archive)
    response = logged_in.post(path, data=data)
    assert response.status_code == 400
    assert _events(media_archive) == before


def test_a_portal_form_without_its_csrf_token_is_refused_and_changes_nothing(client, media_archive, person):
    item = media_archive.cataloguing.record_testimony(contributor_id=person, actor="system:test", text={"en": "t"}, language="en",
                                          content_note={"en": "n"})
    code = media_archive.consent.record_consent(item, actor="system:test", scopes=["exhibit"], attribution="named",
                                        text_version="v1").code
    assert post(client, "/consent", {"code": code}).status_code == 303
    before = _events(media_archive)
    for path, data in ((f"/consent/items/{item}", {"attribution": "anonymous", "scope": ["exhibit"], "confirm": "yes"}),
                       (f"/consent/items/{item}/withdraw", {"confirm": "yes"})):
        assert client.post(path, data=data).status_code == 400
    assert _events(media_archive) == before and not media_archive.get_item(item).is_withdrawn


# -- the workspace in the curator's language ---------------------------------------------------


def test_the_workspace_frame_and_forms_have_no_english_left_on_a_russian_page(logged_in):
    page = logged_in.get("/curate/artworks/new?lang=ru").get_data(as_text=True)
    assert "Выйти (Dana)" in page and "Log out" not in page
    assert 'aria-label="Рабочее место"' in page
    assert "Изображение 1 (необязательно)" in page and "(optional)" not in page
    assert "Выставок пока нет." in logged_in.get("/curate/?lang=ru").get_data(as_text=True)


def test_a_consent_receipt_names_an_untitled_item_by_its_kind_in_kazakh(logged_in, media_archive, person):
    item = media_archive.cataloguing.record_testimony(contributor_id=person, actor="system:test", text={"en": "t"}, language="en",
                                          content_note={"en": "n"})
    receipt = post(logged_in, f"/curate/items/{item}/consent?lang=kk", {
        "scopes": ["exhibit"], "attribution": "anonymous", "text_version": "v1"}, form_page=f"/curate/items/{item}")
    assert receipt.status_code == 200
    items_line = re.search(r"<p>[^<]*: (.*)</p>", receipt.get_data(as_text=True).split('class="receipt"')[1]).group(1)
    assert items_line == "куәлік"
