"""No 500 from bad input: each malformed request gets a clear answer and changes nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import CURATOR
from web import create_app

PASSWORD = "a long enough password for tests"


@pytest.fixture
def app(archive):
    archive.access.create_curator(username="dana", password=PASSWORD, actor=CURATOR)
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


# -- next= at login -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/curate/\n", "/curate/\r\nSet-Cookie: a=b", "/curate/\t", "/curate/\x00",
                                    "/curate/\u2028", "/curate/ x", "/curate/é"])
def test_a_next_address_with_control_or_odd_characters_falls_back_to_the_dashboard(client, target):
    response = client.post(f"/curate/login?next={quote(target)}", data={"username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/curate/"


def test_a_plain_next_address_in_the_workspace_is_still_followed(client):
    response = client.post("/curate/login?next=/curate/consent%3Fa%3D1", data={"username": "dana", "password": PASSWORD})
    assert response.headers["Location"] == "/curate/consent?a=1"


# -- JSON nested deep ---------------------------------------------------------------------------


@pytest.fixture
def token(app):
    archive = app.extensions["archive"]
    token = archive.access.issue_api_token("dana", actor=CURATOR)
    archive.access.curator_for_token(token)  # today's first use is an event: tests count events after it
    return token


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"name": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
                                  "[" * 100_000], ids=["arrays", "objects", "unclosed"])
def test_json_nested_100000_deep_is_a_400_problem_and_records_nothing(app, client, token, body):
    archive = app.extensions["archive"]
    before = archive.recorder.max_notification_id()
    response = client.post("/api/v1/contributors", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json["detail"] == "The request body is nested more than 32 levels deep."
    assert archive.recorder.max_notification_id() == before


def test_json_as_deep_as_the_limit_is_read_and_brackets_in_strings_do_not_count(client, token):
    body = '{"name": "[[[[' + "[" * 100 + '", "pseudonym": ' + "[" * 31 + "]" * 31 + "}"
    response = client.post("/api/v1/contributors", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422  # read, then refused by the schema: a pseudonym is text
    assert response.json["errors"] == [{"pointer": "#/pseudonym", "detail": "Must be text or null."}]


# -- digits that are not ASCII --------------------------------------------------------------


@pytest.mark.parametrize("query", ["year=²⁰²⁴", "year=٢٠٢٤", "page=²", "page=" + "9" * 5000, "page=0", "year=2024&page=³"],
                         ids=["superscript-year", "arabic-indic-year", "superscript-page", "5000-digit-page", "page-0",
                              "superscript-page-with-year"])
def test_search_arguments_in_odd_digits_are_ignored(client, query):
    response = client.get(f"/search?q=x&{query}")
    assert response.status_code == 200


def test_a_year_in_superscript_digits_in_the_workspace_form_is_refused_clearly(app, client):
    archive = app.extensions["archive"]
    person = archive.contributors.register_contributor(name="Person", actor=CURATOR)
    client.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    before = archive.recorder.max_notification_id()
    response = client.post("/curate/artworks/new", data={"contributor_id": str(person), "title_en": "Work", "year": "²⁰²⁴"})
    assert response.status_code == 422
    assert "Year must be a whole number." in response.get_data(as_text=True)
    assert archive.recorder.max_notification_id() == before


# -- media while the storage is down ------------------------------------------------------------


def test_images_thumbnails_and_workspace_images_are_a_503_with_retry_after_while_storage_is_down():
    from archive.services.item_images import NewImage
    from tests.fakes import InMemoryMediaStore, in_memory_archive
    from media_store import PillowImagePipeline, make_sample_photo

    store = InMemoryMediaStore()
    archive = in_memory_archive(media=store, images=PillowImagePipeline())
    archive.access.create_curator(username="dana", password=PASSWORD, actor=CURATOR)
    person = archive.contributors.register_contributor(name="Person", actor=CURATOR)
    item, (image,) = archive.item_images.record_artwork_with_images(
        contributor_id=person, actor=CURATOR, title={"en": "Work"},
        images=[NewImage(make_sample_photo(1, size=(500, 400)), {"en": "Alt"})])
    code = archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named",
                                  text_version="v1").code
    app = create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "CONSENT_MIN_CHECK_SECONDS": 0})
    curator, contributor = app.test_client(), app.test_client()
    curator.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    contributor.post("/consent", data={"code": code})
    paths = [(app.test_client(), f"/media/{item}/{image}/display.webp"),
             (contributor, f"/consent/items/{item}/images/{image}.webp"),
             (curator, f"/curate/items/{item}/images/{image}/thumb.jpeg")]
    for client, path in paths:
        assert client.get(path).status_code == 200, path
    store.unavailable = True
    for client, path in paths:
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "60"
        assert "Please try again in a minute." in response.get_data(as_text=True)


# -- request bodies -----------------------------------------------------------------------------

TWO_MB = "x" * (2 * 1024 * 1024)


@pytest.mark.parametrize("path, logged_in", [("/consent", False), ("/curate/login", False),
                                              ("/curate/contributors/new", True), ("/curate/exhibitions/new", True)])
def test_a_body_over_1_mb_is_refused_before_it_is_read_on_every_route_but_uploads(client, path, logged_in):
    if logged_in:
        client.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    response = client.post(path, data={"name": TWO_MB})
    assert response.status_code == 413
    assert "Go back and send less: a smaller file, or a shorter text." in response.get_data(as_text=True)


def test_the_api_refuses_a_body_over_1_mb_outside_uploads(client, token):
    response = client.post("/api/v1/contributors", data=TWO_MB, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413 and response.json["type"].endswith("payload-too-large")


def test_upload_routes_take_bodies_over_1_mb(app, client, token):
    import io
    import json

    archive = app.extensions["archive"]
    person = archive.contributors.register_contributor(name="Person", actor=CURATOR)
    def junk():
        return io.BytesIO(b"\0" * (2 * 1024 * 1024))

    response = client.post("/api/v1/artworks", headers={"Authorization": f"Bearer {token}"}, data={
        "metadata": json.dumps({"contributor_id": str(person), "title": {"en": "Work"}}),
        "image": (junk(), "big.jpg", "image/jpeg"), "alt_text": json.dumps({"en": "Alt"})})
    assert response.status_code != 413  # read, then judged on what it is
    client.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    response = client.post("/curate/artworks/new", data={"contributor_id": str(person), "title_en": "Work",
                                                          "alt_1_en": "Alt", "image_1": (junk(), "big.jpg")})
    assert response.status_code != 413


def test_a_testimony_as_long_as_the_api_takes_fits_in_the_workspace_form(app, client):
    archive = app.extensions["archive"]
    person = archive.contributors.register_contributor(name="Person", actor=CURATOR)
    client.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    text = "Мен " * 37_500  # 150,000 characters, 262 kB as UTF-8; 1.3 MB in three languages, URL-encoded
    assert 'enctype="multipart/form-data"' in client.get("/curate/testimonies/new").get_data(as_text=True)
    response = client.post("/curate/testimonies/new", content_type="multipart/form-data", data={
        "contributor_id": str(person), "language": "ru", "text_ru": text, "text_kk": text, "text_en": text,
        "content_note_en": "Mentions violence."})
    assert response.status_code == 302


# -- text in web forms ------------------------------------------------------------------------


@pytest.mark.parametrize("fields, message", [
    ({"name": "\u200b\u200d"}, "Name contains only invisible characters."),
    ({"name": "Aigerim \u202eavotseT"}, "Name contains invisible characters that change the direction of text"),
    ({"name": "x" * 201}, "Name can be at most 200 characters long."),
    ({"name": "Aigerim", "contact": "x" * 501}, "Contact can be at most 500 characters long."),
], ids=["invisible", "override", "long-name", "long-contact"])
def test_the_workspace_form_refuses_what_the_api_refuses(app, client, token, fields, message):
    archive = app.extensions["archive"]
    before = archive.recorder.max_notification_id()
    client.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    response = client.post("/curate/contributors/new", data=fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    api = client.post("/api/v1/contributors", json=fields, headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422
    assert archive.recorder.max_notification_id() == before


def test_an_exhibition_title_of_only_invisible_characters_is_refused_in_russian(app, client):
    archive = app.extensions["archive"]
    before = archive.recorder.max_notification_id()
    client.post("/curate/login", data={"username": "dana", "password": PASSWORD})
    response = client.post("/curate/exhibitions/new?lang=ru", data={"slug": "show", "titles_en": "\u3164"})
    assert response.status_code == 422
    assert "Название: здесь только невидимые знаки." in response.get_data(as_text=True)
    assert archive.recorder.max_notification_id() == before
