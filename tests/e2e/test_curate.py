"""The curators' workspace: login, CSRF, recording, consent receipts, arranging, publishing."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from media_store import make_sample_photo
from tests.e2e.helpers import PASSWORD, login, post

pytestmark = pytest.mark.usefixtures("curator")  # every test here meets the curator dana


@pytest.fixture
def archive(media_archive):
    return media_archive


def test_the_workspace_needs_a_login(client):
    response = client.get("/curate/")
    assert response.status_code == 302 and "/curate/login" in response.headers["Location"]


def test_a_wrong_password_gets_one_generic_message(client):
    for username in ("dana", "nobody"):
        response = login(client, username=username, password="wrong password here")
        assert response.status_code == 401
        assert "The user name or password is not right." in response.get_data(as_text=True)


def test_login_attempts_are_rate_limited(client):
    statuses = [login(client, password=f"wrong {n} password!").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10 and 429 in statuses[10:]


def test_session_cookies_are_httponly_samesite_and_secure(client):
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_a_form_without_a_csrf_token_changes_nothing(logged_in, archive):
    response = logged_in.post("/curate/contributors/new", data={"name": "No Token"})
    assert response.status_code == 400
    assert archive.contributor_ids() == []


def test_logout_ends_the_session(logged_in):
    response = post(logged_in, "/curate/logout", {}, form_page="/curate/")
    assert response.status_code == 302
    assert logged_in.get("/curate/").status_code == 302


def _register(client, name="Aigerim Testova", pseudonym="Aq"):
    response = post(client, "/curate/contributors/new", {"name": name, "pseudonym": pseudonym})
    assert response.status_code == 302, response.get_data(as_text=True)
    return UUID(response.headers["Location"].rsplit("/", 1)[-1])


def test_record_an_artwork_with_images_then_consent_then_publish(logged_in, archive, client):
    contributor = _register(logged_in)
    photo = make_sample_photo(3, size=(900, 600))
    from io import BytesIO

    response = post(logged_in, "/curate/artworks/new", {
        "contributor_id": str(contributor), "title_en": "Threshold", "title_ru": "Порог", "year": "2023",
        "image_1": (BytesIO(photo), "door.jpg"), "alt_1_en": "A felt doormat", "alt_1_ru": "Войлочный коврик",
        "image_2": (BytesIO(photo), "door2.jpg"), "alt_2_en": "The same doormat, closer",
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    item_id = UUID(response.headers["Location"].rsplit("/", 1)[-1])
    assert len(archive.get_item(item_id).images) == 2
    item_page = logged_in.get(f"/curate/items/{item_id}").get_data(as_text=True)
    assert "no consent yet" in item_page
    thumb = re.search(r'src="(/curate/items/[^"]+/thumb\.jpeg)"', item_page).group(1)
    assert logged_in.get(thumb).status_code == 200

    receipt = post(logged_in, f"/curate/items/{item_id}/consent", {
        "scopes": ["exhibit", "publish_online"], "attribution": "pseudonym", "text_version": "2024-02",
    }, form_page=f"/curate/items/{item_id}")
    page = receipt.get_data(as_text=True)
    code = re.search(r'class="consent-code"><strong>([0-9A-Z-]{19})</strong>', page).group(1)
    assert "shown once" in page and "/consent" in page
    assert archive.self_service.holder_of_code(code).contributor_id == contributor
    assert code not in logged_in.get(f"/curate/items/{item_id}").get_data(as_text=True)
    assert code not in logged_in.get(f"/curate/contributors/{contributor}").get_data(as_text=True)

    assert post(logged_in, "/curate/exhibitions/new", {"slug": "tikha", "titles_en": "Silent Room",
                "opens_on": "2024-04-01", "closes_on": "2024-04-30"}).status_code == 302
    assert post(logged_in, "/curate/exhibitions/tikha/works", {"item_id": str(item_id), "wall_en": "Step in."},
                form_page="/curate/exhibitions/tikha").status_code == 302
    assert post(logged_in, "/curate/exhibitions/tikha/publish", {}, form_page="/curate/exhibitions/tikha").status_code == 302
    public = client.get("/exhibitions/tikha").get_data(as_text=True)
    assert "Threshold" in public and "Step in." in public and "Aq" in public and "Aigerim" not in public


def test_bad_input_is_refused_clearly_and_records_nothing(logged_in, archive):
    contributor = _register(logged_in)
    from io import BytesIO

    missing_alt = post(logged_in, "/curate/artworks/new", {
        "contributor_id": str(contributor), "title_en": "No alt",
        "image_1": (BytesIO(make_sample_photo(1, size=(300, 200))), "x.jpg"),
    }, content_type="multipart/form-data")
    assert missing_alt.status_code == 422 and "needs alt text" in missing_alt.get_data(as_text=True)
    bad_year = post(logged_in, "/curate/artworks/new", {"contributor_id": str(contributor), "title_en": "X", "year": "20x4"})
    assert bad_year.status_code == 422 and "Year must be a whole number" in bad_year.get_data(as_text=True)
    bad_date = post(logged_in, "/curate/exhibitions/new", {"slug": "dates", "titles_en": "D", "opens_on": "2024-13-40"})
    assert bad_date.status_code == 422 and "is not a date" in bad_date.get_data(as_text=True)
    wrong_order = post(logged_in, "/curate/exhibitions/new", {"slug": "order", "titles_en": "D",
                       "opens_on": "2024-05-01", "closes_on": "2024-04-01"})
    assert wrong_order.status_code == 422 and "opening date cannot be after" in wrong_order.get_data(as_text=True)
    bad_language = post(logged_in, "/curate/testimonies/new", {"contributor_id": str(contributor), "language": "de",
                        "text_en": "t", "content_note_en": "n"})
    assert bad_language.status_code == 422 and "Unsupported language" in bad_language.get_data(as_text=True)
    assert archive.item_ids() == [] and archive.exhibitions() == []


def test_a_broken_image_refuses_the_whole_artwork_and_records_nothing(logged_in, archive):
    contributor = _register(logged_in)
    from io import BytesIO

    response = post(logged_in, "/curate/artworks/new", {
        "contributor_id": str(contributor), "title_en": "Broken",
        "image_1": (BytesIO(make_sample_photo(2, size=(300, 200))), "good.jpg"), "alt_1_en": "fine",
        "image_2": (BytesIO(b"not an image at all"), "fake.jpg"), "alt_2_en": "something",
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Accepted formats are JPEG, PNG, WebP, TIFF and GIF" in response.get_data(as_text=True)
    assert archive.item_ids() == []
    assert archive.media.objects == {}


def test_withdrawal_needs_confirmation_and_shows_in_history(logged_in, archive):
    contributor = _register(logged_in)
    response = post(logged_in, "/curate/testimonies/new", {
        "contributor_id": str(contributor), "language": "ru", "text_ru": "Текст свидетельства", "content_note_en": "Note",
    })
    item_id = UUID(response.headers["Location"].rsplit("/", 1)[-1])
    post(logged_in, f"/curate/items/{item_id}/withdraw", {}, form_page=f"/curate/items/{item_id}")
    assert not archive.get_item(item_id).is_withdrawn
    post(logged_in, f"/curate/items/{item_id}/withdraw", {"confirm": "yes"}, form_page=f"/curate/items/{item_id}")
    assert archive.get_item(item_id).is_withdrawn
    history = logged_in.get(f"/curate/history/{item_id}").get_data(as_text=True)
    assert "consent withdrawn" in history and "Текст свидетельства" not in history
    overview = logged_in.get("/curate/consent").get_data(as_text=True)
    assert "consent withdrawn" in overview


def test_arranging_reorders_and_edits_wall_texts(logged_in, archive):
    contributor = _register(logged_in)
    items = [archive.cataloguing.record_artwork(contributor_id=contributor, actor="curator:dana", title={"en": f"Work {n}"}) for n in range(3)]
    post(logged_in, "/curate/exhibitions/new", {"slug": "arr", "titles_en": "Arrangement"})
    for item in items:
        post(logged_in, "/curate/exhibitions/arr/works", {"item_id": str(item)}, form_page="/curate/exhibitions/arr")
    post(logged_in, f"/curate/exhibitions/arr/works/{items[2]}/move", {"direction": "up"}, form_page="/curate/exhibitions/arr")
    assert archive.exhibition_by_slug("arr").item_ids == [items[0], items[2], items[1]]
    post(logged_in, f"/curate/exhibitions/arr/works/{items[0]}/wall-text", {"wall_en": "First words"},
         form_page="/curate/exhibitions/arr")
    assert archive.exhibition_by_slug("arr").placement(items[0]).wall_text.value == {"en": "First words"}
    post(logged_in, f"/curate/exhibitions/arr/works/{items[1]}/remove", {}, form_page="/curate/exhibitions/arr")
    assert archive.exhibition_by_slug("arr").item_ids == [items[0], items[2]]
    edit = post(logged_in, "/curate/exhibitions/arr", {"titles_en": "Arrangement II", "venue_ru": "Зал"})
    assert edit.status_code == 302
    assert archive.exhibition_by_slug("arr").field("venue") == {"ru": "Зал"}


def test_refusals_are_explained_in_the_curators_language(logged_in):
    page = post(logged_in, "/curate/exhibitions/new?lang=ru", {"slug": "Bad Slug", "titles_en": "X"},
                form_page="/curate/exhibitions/new?lang=ru").get_data(as_text=True)
    assert "недопустимый адрес" in page
    page = post(logged_in, "/curate/exhibitions/new?lang=kk", {"slug": "ok-slug"},
                form_page="/curate/exhibitions/new?lang=kk").get_data(as_text=True)
    assert "«Атауы» өрісін кемінде бір тілде толтыру керек." in page


def test_a_contributors_request_to_show_more_waits_for_a_curator(logged_in, archive):
    from domain.consent import ConsentChange

    contributor = _register(logged_in)
    item_id = archive.cataloguing.record_testimony(contributor_id=contributor, actor="curator:dana", text={"ru": "Текст"},
                                       language="ru", content_note={"en": "Note"}, title={"en": "Kitchen"})
    archive.consent.record_consent(item_id, actor="curator:dana", scopes=["exhibit"], attribution="anonymous", text_version="v1")
    archive.self_service.change_consent_as_contributor(contributor, item_id, ConsentChange("named", ["exhibit", "publish_online"], None))

    overview = logged_in.get("/curate/consent").get_data(as_text=True)
    assert "Requests from contributors" in overview and "Kitchen" in overview
    page = logged_in.get(f"/curate/items/{item_id}").get_data(as_text=True)
    assert "The contributor asked to show more" in page and "Your name is shown with your work." in page
    assert archive.get_item(item_id).consent.attribution.value == "anonymous"  # nothing widened yet

    response = post(logged_in, f"/curate/items/{item_id}/decline-request", {}, form_page=f"/curate/items/{item_id}")
    assert response.status_code == 302
    assert archive.get_item(item_id).consent_request is None
    assert "Requests from contributors" not in logged_in.get("/curate/consent").get_data(as_text=True)
    assert "request closed" in logged_in.get(f"/curate/history/{item_id}").get_data(as_text=True)


def test_a_contributor_erased_at_their_request_cannot_be_given_new_consent(logged_in, archive):
    contributor = _register(logged_in)
    item_id = archive.cataloguing.record_testimony(contributor_id=contributor, actor="curator:dana", text={"ru": "Текст"},
                                       language="ru", content_note={"en": "Note"})
    # Erased while the item was being recorded (new items are refused once erased).
    person = archive.get_contributor(contributor)
    person.erase_personal_data(f"contributor:{contributor}")
    archive.save(person)
    response = post(logged_in, f"/curate/items/{item_id}/consent", {
        "scopes": ["publish_online"], "attribution": "anonymous", "text_version": "v1",
    }, form_page=f"/curate/items/{item_id}", follow_redirects=True)
    assert "were erased at their request" in response.get_data(as_text=True)
    assert archive.get_item(item_id).consent is None


def test_a_contributor_erased_at_their_request_cannot_be_given_a_new_testimony(logged_in, archive):
    contributor = _register(logged_in)
    archive.self_service.withdraw_everything(contributor)
    response = post(logged_in, "/curate/testimonies/new", {
        "contributor_id": str(contributor), "language": "ru", "text_ru": "Новый текст", "content_note_en": "Note",
    }, form_page="/curate/testimonies/new")
    assert response.status_code == 422
    assert "nothing new can be recorded for them" in response.get_data(as_text=True)
    assert archive.contributor_item_ids(contributor) == []


def test_a_contributor_erased_at_their_request_keeps_their_code_and_gets_no_new_one(logged_in, archive):
    contributor = _register(logged_in)
    code = archive.contributors.issue_consent_code(contributor, "curator:dana")
    archive.self_service.withdraw_everything(contributor)
    response = post(logged_in, f"/curate/contributors/{contributor}/code", {},
                    form_page=f"/curate/contributors/{contributor}", follow_redirects=True)
    assert "a new consent code would stop their own code" in response.get_data(as_text=True)
    assert archive.self_service.holder_of_code(code).contributor_id == contributor


# -- your account: tokens and sessions -------------------------------------------------------------


def _issued_token(client, **fields) -> str:
    response = post(client, "/curate/account/tokens", {"label": "import script", **fields}, form_page="/curate/account")
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.search(r"arch_[A-Za-z0-9_-]+", response.get_data(as_text=True)).group(0)


def test_a_curator_issues_a_token_shown_once_then_listed_by_id(logged_in, archive):
    token = _issued_token(logged_in, expires_on="2999-12-31")
    page = logged_in.get("/curate/account").get_data(as_text=True)
    assert token not in page
    (info,) = archive.access.api_tokens("dana")
    assert info.short_id in page and "import script" in page and info.expires_at is not None
    with logged_in.session_transaction() as session:
        assert token not in repr(dict(session))


def test_a_curator_revokes_their_own_token_in_the_workspace(logged_in, archive):
    token = _issued_token(logged_in)
    token_id = archive.access.api_tokens("dana")[0].id
    response = post(logged_in, f"/curate/account/tokens/{token_id}/revoke", {}, form_page="/curate/account")
    assert response.status_code == 303
    assert archive.access.curator_for_token(token) is None
    assert "revoked" in logged_in.get("/curate/account").get_data(as_text=True)


def test_another_curators_token_cannot_be_revoked_or_seen(logged_in, archive):
    archive.access.create_curator(username="erlan", password=PASSWORD, actor="system:test")
    theirs = archive.access.issue_api_token("erlan", actor="system:test", label="erlan's script")
    token_id = archive.access.api_tokens("erlan")[0].id
    assert "erlan's script" not in logged_in.get("/curate/account").get_data(as_text=True)
    response = post(logged_in, f"/curate/account/tokens/{token_id}/revoke", {}, form_page="/curate/account")
    assert response.status_code == 404
    assert archive.access.curator_for_token(theirs) is not None


def test_a_bad_expiry_is_refused_clearly_and_issues_nothing(logged_in, archive):
    for bad in ("31.12.2999", "2000-01-01"):
        response = post(logged_in, "/curate/account/tokens", {"expires_on": bad}, form_page="/curate/account")
        assert response.status_code == 422 and "arch_" not in response.get_data(as_text=True)
    assert archive.access.api_tokens() == []


def test_the_workspace_cookie_holds_no_user_name(logged_in):
    with logged_in.session_transaction() as session:
        assert "dana" not in repr(dict(session))
