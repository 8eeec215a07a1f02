"""The consent portal under /consent, end to end through the Flask test client.

A contributor enters the consent code from their receipt, sees only their own items, narrows
consent at once (widening waits for a curator), withdraws one item or everything, and keeps
content-free receipts. Every portal page is unindexed, uncached, sends no referrer, works
without JavaScript and has a quick exit that also ends the session.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from babel.messages.pofile import read_po

from archive.credentials import consent_codes
from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from domain import clock
from domain.consent import Attribution, ConsentChange, Scope
from media_store import make_sample_photo
from tests.e2e.helpers import csrf, post, site_app

CURATOR = "curator:dana"
ONLINE = ["exhibit", "publish_online"]
REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")
GENERIC = "This code did not work. Check it against your receipt and try again, or ask the curators for a new one."
TOO_MANY = "Too many attempts"
NOTHING_CHANGED = "Nothing was changed"

# Distinctive texts: each appears only where the holder of the right code may see it.
NAME = "Aigerim Testova"
PSEUDONYM = "Aq-Pseud"
PUBLIC_TITLE = "Threshold-Distinct-Title"
HIDDEN_TITLE = "Quilt-Never-Public-Title"
TESTIMONY_TITLE = "Testimony-Distinct-Title"
TESTIMONY_TEXT = "Менің-ерекше-әңгімем"
OTHER_NAME = "Boris Othercontributor"
OTHER_TITLE = "Foreign-Work-Title"


# -- set-up ------------------------------------------------------------------------------------


@pytest.fixture
def archive(media_archive):
    return media_archive


class World:
    """Two contributors: 'we' hold ``code``; the other one holds ``other_code``."""

    def __init__(self, archive: ExhibitionArchive):
        self.contributor = archive.contributors.register_contributor(name=NAME, pseudonym=PSEUDONYM, actor=CURATOR)
        self.public, (self.public_image,) = archive.item_images.record_artwork_with_images(
            contributor_id=self.contributor, actor=CURATOR, title={"en": PUBLIC_TITLE},
            images=[NewImage(make_sample_photo(1, size=(500, 400)), {"en": "A doormat"})],
        )
        self.hidden, (self.hidden_image,) = archive.item_images.record_artwork_with_images(
            contributor_id=self.contributor, actor=CURATOR, title={"en": HIDDEN_TITLE},
            images=[NewImage(make_sample_photo(2, size=(500, 400)), {"en": "A quilt"})],
        )
        self.testimony = archive.cataloguing.record_testimony(
            contributor_id=self.contributor, actor=CURATOR, text={"kk": TESTIMONY_TEXT}, language="kk",
            content_note={"en": "Mentions violence."}, title={"en": TESTIMONY_TITLE},
        )
        self.code = archive.consent.record_consent(
            self.public, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1").code
        archive.consent.record_consent(self.hidden, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
        archive.consent.record_consent(self.testimony, actor=CURATOR, scopes=ONLINE, attribution="anonymous",
                               text_version="v1")
        assert self.code is not None

        self.other = archive.contributors.register_contributor(name=OTHER_NAME, actor=CURATOR)
        self.foreign, (self.foreign_image,) = archive.item_images.record_artwork_with_images(
            contributor_id=self.other, actor=CURATOR, title={"en": OTHER_TITLE},
            images=[NewImage(make_sample_photo(3, size=(500, 400)), {"en": "Another"})],
        )
        self.other_code = archive.consent.record_consent(
            self.foreign, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1").code


@pytest.fixture
def world(archive):
    return World(archive)


def enter(client, code: str, **kwargs):
    return post(client, "/consent", {"code": code}, **kwargs)


@pytest.fixture
def portal(client, world):
    """A client in a portal session opened with our code."""
    response = enter(client, world.code)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def events(archive) -> int:
    return archive.recorder.max_notification_id() or 0


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', 'name="csrf_token"', html)


def receipt_reference(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    found = re.fullmatch(r"/consent/receipts/(R-[0-9A-Z]{4}-[0-9A-Z]{4})", response.headers["Location"].split("?")[0])
    assert found, response.headers["Location"]
    return found.group(1)


def redirected_to_code_form(response) -> bool:
    return response.status_code in (302, 303) and response.headers["Location"].split("?")[0] == "/consent"


# -- 1. entering a code ---------------------------------------------------------------------------


def test_the_right_code_in_any_spelling_opens_the_items_page(app, world):
    look_alikes = world.code.replace("0", "O").replace("1", "I")
    spellings = [world.code, world.code.lower(), world.code.replace("-", " "), f"  {world.code.replace('-', '')}  ",
                 look_alikes, world.code.replace("1", "l").lower()]
    for spelling in spellings:
        client = app.test_client()
        response = enter(client, spelling)
        assert response.status_code == 303, spelling
        assert response.headers["Location"].split("?")[0] == "/consent/items"
        page = client.get("/consent/items").get_data(as_text=True)
        assert PUBLIC_TITLE in page


def test_every_failing_code_gets_the_same_bytes_and_status(archive, app, world):
    retired = world.code
    archive.contributors.issue_consent_code(world.contributor, CURATOR)
    attempts = {
        "wrong": consent_codes.new_code(),
        "malformed": "HELLO-WORLD",
        "too long": world.other_code + "-ABCD",
        "empty": "",
        "retired": retired,
    }
    answers = {}
    for what, code in attempts.items():
        response = enter(app.test_client(), code)
        html = response.get_data(as_text=True)
        assert GENERIC in html, what
        answers[what] = (response.status_code, without_token(html).encode())
    assert {status for status, _ in answers.values()} == {401}
    assert len({body for _, body in answers.values()}) == 1, "a failing code must not tell why it failed"
    assert retired not in answers["retired"][1].decode()


def test_guessing_codes_from_one_client_is_limited_after_ten(client, world):
    csrf_token = csrf(client, "/consent")
    first = [client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()})
             for _ in range(10)]
    assert [r.status_code for r in first] == [401] * 10
    assert all(GENERIC in r.get_data(as_text=True) for r in first)
    rest = [client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()})
            for _ in range(990)]
    assert {r.status_code for r in rest} == {429}
    page = rest[-1].get_data(as_text=True)
    assert TOO_MANY in page and GENERIC not in page
    assert 'name="code"' not in page, "no code form while limited"
    # Even the right code is refused while limited: a limit that the right guess escapes leaks it.
    right = client.post("/consent", data={"csrf_token": csrf_token, "code": world.code})
    assert right.status_code == 429


def test_the_same_wrong_code_is_limited_after_five_whatever_the_address(app, world):
    wrong = consent_codes.new_code()
    statuses = []
    for n in range(7):
        client = app.test_client()
        address = {"REMOTE_ADDR": f"198.51.100.{n + 1}"}
        csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                               client.get("/consent", environ_base=address).get_data(as_text=True)).group(1)
        statuses.append(client.post("/consent", data={"csrf_token": csrf_token, "code": wrong},
                                    environ_base=address).status_code)
    assert statuses == [401] * 5 + [429] * 2
    # Another code from a fresh address is not affected by that code's limit.
    fresh = app.test_client()
    address = {"REMOTE_ADDR": "198.51.100.99"}
    csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                           fresh.get("/consent", environ_base=address).get_data(as_text=True)).group(1)
    assert fresh.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()},
                      environ_base=address).status_code == 401


def test_a_successful_entry_does_not_count_against_the_client(client, world):
    csrf_token = csrf(client, "/consent")
    for _ in range(9):
        assert client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()}).status_code == 401
    for _ in range(6):  # more than both limits, were they counted
        assert client.post("/consent", data={"csrf_token": csrf_token, "code": world.code}).status_code == 303
    assert client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()}).status_code == 401
    assert client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()}).status_code == 429


def test_a_wrong_code_takes_at_least_the_minimum_check_time(archive, world):
    client = site_app(archive, CONSENT_MIN_CHECK_SECONDS=0.2).test_client()
    csrf_token = csrf(client, "/consent")
    for code in (consent_codes.new_code(), "nonsense"):
        started = time.monotonic()
        response = client.post("/consent", data={"csrf_token": csrf_token, "code": code})
        assert response.status_code == 401
        assert time.monotonic() - started >= 0.2


# -- 2. every portal page -----------------------------------------------------------------------------


def _portal_pages(world) -> list[str]:
    return [
        "/consent/items",
        f"/consent/items/{world.public}",
        f"/consent/items/{world.public}/withdraw",
        "/consent/withdraw-everything",
    ]


def _assert_safe_page(response, path: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 200, path
    assert "noindex" in response.headers.get("X-Robots-Tag", ""), path
    assert '<meta name="robots" content="noindex' in html, path
    assert response.headers.get("Referrer-Policy") == "no-referrer", path
    assert "no-store" in response.headers.get("Cache-Control", ""), path
    exits = re.findall(r'<a class="quick-exit" href="([^"]+)"', html)
    assert exits == ["/consent/exit"], path
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(re.search(r'src="/static/quick-exit\.js"', s) for s in scripts), (path, scripts)
    assert "javascript:" not in html and " onclick=" not in html, path
    for form in re.findall(r"<form\b[^>]*>", html):
        assert re.search(r'method="(post|get)"', form) and 'action="' in form, (path, form)
    return html


def test_every_portal_page_is_unindexed_uncached_and_has_a_quick_exit(client, world):
    pages = {"/consent": _assert_safe_page(client.get("/consent"), "/consent")}
    assert enter(client, world.code).status_code == 303
    for path in _portal_pages(world):
        pages[path] = _assert_safe_page(client.get(path), path)
    confirmation = post(client, f"/consent/items/{world.public}", {"attribution": "anonymous", "scope": ONLINE})
    _assert_safe_page(confirmation, "confirm change")
    reference = receipt_reference(post(client, f"/consent/items/{world.hidden}/withdraw", {"confirm": "yes"},
                                       form_page="/consent/items"))
    _assert_safe_page(client.get(f"/consent/receipts/{reference}"), "receipt")
    not_found = client.get(f"/consent/items/{world.foreign}")
    assert not_found.status_code == 404 and "noindex" in not_found.headers["X-Robots-Tag"]
    # Every action is a plain form (withdraw and change are links to pages holding forms).
    assert f'action="/consent/items/{world.public}?lang=en"' in pages[f"/consent/items/{world.public}"]
    assert f'action="/consent/items/{world.public}/withdraw?lang=en"' in pages[f"/consent/items/{world.public}/withdraw"]
    assert 'action="/consent/withdraw-everything?lang=en"' in pages["/consent/withdraw-everything"]
    assert 'action="/consent/leave?lang=en"' in pages["/consent/items"]


def test_the_limited_page_is_also_unindexed_and_uncached(client, world):
    csrf_token = csrf(client, "/consent")
    for _ in range(10):
        client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()})
    limited = client.post("/consent", data={"csrf_token": csrf_token, "code": consent_codes.new_code()})
    assert limited.status_code == 429
    assert "noindex" in limited.headers["X-Robots-Tag"] and "no-store" in limited.headers["Cache-Control"]
    assert '<meta name="robots" content="noindex' in limited.get_data(as_text=True)


def test_the_quick_exit_ends_the_session_and_leaves_for_a_neutral_site(portal):
    assert portal.get("/consent/items").status_code == 200
    response = portal.get("/consent/exit")
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "https://www.google.com/"
    assert "consent" not in response.headers["Location"]
    assert redirected_to_code_form(portal.get("/consent/items"))


def _translated(lang: str, msgid: str) -> str | None:
    path = Path(__file__).resolve().parents[2] / "web" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        message = read_po(handle).get(msgid)
    return message.string if message is not None and message.string else None


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_portal_pages_render_in_every_interface_language(client, world, lang):
    entry = client.get(f"/consent?lang={lang}")
    assert entry.status_code == 200 and f'<html lang="{lang}">' in entry.get_data(as_text=True)
    welcome = "Your consent" if lang == "en" else _translated(lang, "Your consent")
    if welcome:  # only once the catalog has the portal's strings
        assert f"<h1>{welcome}</h1>" in entry.get_data(as_text=True)
    response = post(client, f"/consent?lang={lang}", {"code": world.code})
    assert response.status_code == 303 and f"lang={lang}" in response.headers["Location"]
    for path in _portal_pages(world):
        page = client.get(f"{path}?lang={lang}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert f'<html lang="{lang}">' in html, path
        assert f"lang={lang}" in html  # links and forms keep the language
    review = post(client, f"/consent/items/{world.public}?lang={lang}", {"attribution": "anonymous", "scope": ONLINE})
    assert review.status_code == 200 and f'<html lang="{lang}">' in review.get_data(as_text=True)
    done = post(client, f"/consent/items/{world.hidden}/withdraw?lang={lang}", {"confirm": "yes"})
    assert receipt_reference(done) and f"lang={lang}" in done.headers["Location"]
    receipt = client.get(done.headers["Location"])
    assert receipt.status_code == 200 and f'<html lang="{lang}">' in receipt.get_data(as_text=True)
    items = client.get(f"/consent/items?lang={lang}").get_data(as_text=True)
    for msgid in ("Your items", "Withdraw it", "Leave the consent pages"):
        wanted = msgid if lang == "en" else _translated(lang, msgid)
        if wanted:  # only once the catalog has the portal's strings
            assert wanted in items, (lang, msgid)


# -- 3. your items ----------------------------------------------------------------------------------------


def test_the_items_page_lists_only_the_holders_items_even_those_not_public(portal, world):
    html = portal.get("/consent/items").get_data(as_text=True)
    for item_id in (world.public, world.hidden, world.testimony):
        assert f'id="item-{item_id}"' in html
    assert PUBLIC_TITLE in html and HIDDEN_TITLE in html and TESTIMONY_TITLE in html
    assert f'id="item-{world.foreign}"' not in html and OTHER_TITLE not in html and OTHER_NAME not in html
    assert str(world.foreign) not in html
    assert TESTIMONY_TEXT not in html  # a list of items, not their content


def test_thumbnails_are_shown_even_for_items_not_public(portal, world, client):
    html = portal.get("/consent/items").get_data(as_text=True)
    for item_id, image_id in ((world.public, world.public_image), (world.hidden, world.hidden_image)):
        url = f"/consent/items/{item_id}/images/{image_id}.webp"
        assert f'src="{url}"' in html
        response = portal.get(url)
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WEBP"
        assert "no-store" in response.headers["Cache-Control"]
    # The hidden item's image is not public.
    assert portal.get(f"/media/{world.hidden}/{world.hidden_image}/thumb.webp").status_code == 404


def test_another_contributors_item_is_not_found_anywhere_in_the_portal(portal, archive, world):
    before = events(archive)
    version = archive.get_item(world.foreign).version
    foreign = [
        ("get", f"/consent/items/{world.foreign}", None),
        ("post", f"/consent/items/{world.foreign}", {"attribution": "anonymous", "confirm": "yes"}),
        ("get", f"/consent/items/{world.foreign}/withdraw", None),
        ("post", f"/consent/items/{world.foreign}/withdraw", {"confirm": "yes"}),
        ("get", f"/consent/items/{world.foreign}/images/{world.foreign_image}.webp", None),
        ("get", f"/consent/items/{world.public}/images/{world.foreign_image}.webp", None),
        ("get", f"/consent/items/{uuid4()}", None),
        ("get", f"/consent/items/{uuid4()}/withdraw", None),
    ]
    for method, path, data in foreign:
        if method == "get":
            response = portal.get(path)
        else:
            response = post(portal, path, data, form_page="/consent/items")
        assert response.status_code == 404, (method, path)
        assert OTHER_TITLE not in response.get_data(as_text=True)
    assert events(archive) == before
    assert archive.get_item(world.foreign).version == version
    assert not archive.get_item(world.foreign).is_withdrawn


def test_another_contributors_receipt_is_not_found(app, archive, world):
    theirs = app.test_client()
    assert enter(theirs, world.other_code).status_code == 303
    reference = receipt_reference(post(theirs, f"/consent/items/{world.foreign}/withdraw", {"confirm": "yes"},
                                       form_page="/consent/items"))
    ours = app.test_client()
    assert enter(ours, world.code).status_code == 303
    assert ours.get(f"/consent/receipts/{reference}").status_code == 404
    assert theirs.get(f"/consent/receipts/{reference}").status_code == 200


def test_the_portal_needs_a_code(client, world):
    for path in ["/consent/items", f"/consent/items/{world.public}", f"/consent/items/{world.public}/withdraw",
                 "/consent/withdraw-everything", f"/consent/items/{world.public}/images/{world.public_image}.webp",
                 "/consent/receipts/R-AAAA-AAAA"]:
        assert redirected_to_code_form(client.get(path)), path


# -- 4. changing consent ------------------------------------------------------------------------------------


def test_narrowing_asks_once_then_applies_at_once_with_a_receipt(portal, archive, world, client):
    public_page = client.get(f"/items/{world.public}").get_data(as_text=True)
    assert NAME in public_page
    version = archive.get_item(world.public).version

    review = post(portal, f"/consent/items/{world.public}", {"attribution": "anonymous", "scope": ONLINE})
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert "Confirm the change" in html and "No name is shown with your work: it is anonymous." in html
    assert 'name="confirm" value="yes"' in html
    assert archive.get_item(world.public).version == version
    assert archive.get_item(world.public).consent.attribution is Attribution.NAMED

    done = post(portal, f"/consent/items/{world.public}",
                {"attribution": "anonymous", "scope": ONLINE, "confirm": "yes"})
    reference = receipt_reference(done)
    item = archive.get_item(world.public)
    assert item.consent.attribution is Attribution.ANONYMOUS
    assert item.consent.scopes == frozenset({Scope.EXHIBIT, Scope.PUBLISH_ONLINE})
    assert item.consent_request is None
    receipt_page = portal.get(done.headers["Location"])
    receipt_html = receipt_page.get_data(as_text=True)
    assert receipt_page.status_code == 200 and reference in receipt_html and "Consent changed" in receipt_html
    assert "Done at once" in receipt_html and "Asked of the curators" not in receipt_html
    assert PUBLIC_TITLE not in receipt_html
    public = client.get(f"/items/{world.public}")
    assert public.status_code == 200 and NAME not in public.get_data(as_text=True)
    assert NAME not in client.get(f"/api/v1/items/{world.public}").get_data(as_text=True)
    assert reference in portal.get("/consent/items").get_data(as_text=True)


def test_widening_is_only_a_request_for_the_curators(portal, archive, world):
    before = archive.get_item(world.testimony).consent
    review = post(portal, f"/consent/items/{world.testimony}", {"attribution": "named", "scope": ONLINE})
    assert review.status_code == 200
    assert "What the curators will confirm with you first" in review.get_data(as_text=True)
    assert archive.get_item(world.testimony).consent_request is None

    done = post(portal, f"/consent/items/{world.testimony}",
                {"attribution": "named", "scope": ONLINE, "confirm": "yes"})
    reference = receipt_reference(done)
    item = archive.get_item(world.testimony)
    assert item.consent == before and item.consent.attribution is Attribution.ANONYMOUS
    assert item.consent_request is not None and item.consent_request.attribution is Attribution.NAMED
    html = portal.get(done.headers["Location"]).get_data(as_text=True)
    assert reference in html
    asked = html.split("Asked of the curators, to confirm with you first", 1)
    assert len(asked) == 2 and "Your name is shown with your work." in asked[1]
    assert "Done at once" not in html
    assert NAME not in portal.get(f"/items/{world.testimony}").get_data(as_text=True)


def test_an_unchanged_submit_says_nothing_was_changed(portal, archive, world):
    before = events(archive)
    current = {"attribution": "named", "scope": ONLINE, "expires_on": ""}
    for data in (current, {**current, "confirm": "yes"}):
        response = post(portal, f"/consent/items/{world.public}", data)
        assert response.status_code == 303 and response.headers["Location"].split("?")[0] == "/consent/items"
        assert NOTHING_CHANGED in portal.get(response.headers["Location"]).get_data(as_text=True)
    assert events(archive) == before


def test_a_malformed_expiry_is_refused_clearly_and_changes_nothing(portal, archive, world):
    before, version = events(archive), archive.get_item(world.public).version
    for confirm in ({}, {"confirm": "yes"}):
        response = post(portal, f"/consent/items/{world.public}",
                        {"attribution": "anonymous", "scope": ["exhibit"], "expires_on": "2024-13-40", **confirm})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "is not a date: use the form YYYY-MM-DD" in html
        assert 'value="2024-13-40"' in html  # the form keeps what was typed
    assert events(archive) == before and archive.get_item(world.public).version == version
    assert archive.get_item(world.public).consent.attribution is Attribution.NAMED


def test_an_expiry_in_the_past_is_refused_and_changes_nothing(portal, archive, world):
    before = events(archive)
    yesterday = (archive.today() - timedelta(days=1)).isoformat()
    response = post(portal, f"/consent/items/{world.public}",
                    {"attribution": "named", "scope": ONLINE, "expires_on": yesterday, "confirm": "yes"})
    assert response.status_code == 422
    assert "An expiry date cannot be in the past." in response.get_data(as_text=True)
    assert events(archive) == before
    assert archive.get_item(world.public).consent.expires_on is None


def test_an_expiry_in_the_past_is_refused_before_the_confirmation(portal, archive, world):
    """The review step checks as the change does: no confirmation promising what will be refused."""
    before = events(archive)
    yesterday = (archive.today() - timedelta(days=1)).isoformat()
    response = post(portal, f"/consent/items/{world.public}",
                    {"attribution": "named", "scope": ONLINE, "expires_on": yesterday})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "An expiry date cannot be in the past." in html
    assert 'name="confirm" value="yes"' not in html
    assert events(archive) == before


def test_an_earlier_expiry_applies_at_once(portal, archive, world, client):
    later = (archive.today() + timedelta(days=30))
    reference = receipt_reference(post(portal, f"/consent/items/{world.public}",
                                       {"attribution": "named", "scope": ONLINE, "expires_on": later.isoformat(),
                                        "confirm": "yes"}))
    assert archive.get_item(world.public).consent.expires_on == later
    assert REFERENCE.fullmatch(reference)


def test_a_pseudonym_is_offered_only_when_one_is_on_record(app, portal, world):
    ours = portal.get(f"/consent/items/{world.public}").get_data(as_text=True)
    assert 'value="pseudonym"' in ours
    theirs = app.test_client()
    assert enter(theirs, world.other_code).status_code == 303
    assert 'value="pseudonym"' not in theirs.get(f"/consent/items/{world.foreign}").get_data(as_text=True)


# -- 5. withdrawing one item -------------------------------------------------------------------------------


def test_withdrawing_one_item_confirms_then_hides_it_everywhere_at_once(portal, archive, world, client):
    item_page = client.get(f"/items/{world.public}").get_data(as_text=True)
    media = sorted(set(re.findall(rf'/media/{world.public}/{world.public_image}/[a-z]+\.(?:webp|jpeg)', item_page)))
    assert media, "the public page links its images"
    assert all(client.get(url).status_code == 200 for url in media)
    assert client.get(f"/api/v1/items/{world.public}").status_code == 200
    before = events(archive)

    confirmation = portal.get(f"/consent/items/{world.public}/withdraw")
    html = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200 and "Withdraw this item" in html and "cannot be undone" in html
    unconfirmed = post(portal, f"/consent/items/{world.public}/withdraw", {})
    assert unconfirmed.status_code == 200 and "Withdraw this item" in unconfirmed.get_data(as_text=True)
    assert events(archive) == before and not archive.get_item(world.public).is_withdrawn

    done = post(portal, f"/consent/items/{world.public}/withdraw", {"confirm": "yes"})
    reference = receipt_reference(done)
    assert archive.get_item(world.public).is_withdrawn
    receipt = portal.get(done.headers["Location"]).get_data(as_text=True)
    assert reference in receipt and "Consent withdrawn" in receipt and PUBLIC_TITLE not in receipt
    assert client.get(f"/items/{world.public}").status_code == 404
    assert all(client.get(url).status_code == 404 for url in media)
    assert client.get(f"/api/v1/items/{world.public}").status_code == 404
    assert portal.get(f"/consent/items/{world.public}/images/{world.public_image}.webp").status_code == 404
    assert not [key for key in archive.media.objects if str(world.public) in key]
    # The other items are untouched.
    assert not archive.get_item(world.hidden).is_withdrawn and not archive.get_item(world.testimony).is_withdrawn


def test_the_portal_lists_receipts_newest_first(portal, archive, world):
    older = archive.self_service.change_consent_as_contributor(
        world.contributor, world.testimony, ConsentChange("anonymous", ["exhibit"], None)
    )
    newer = archive.self_service.withdraw_as_contributor(world.contributor, world.hidden)

    page = portal.get("/consent/items").get_data(as_text=True)
    receipts = page[page.index('class="receipts"'):]
    assert receipts.index(newer.reference) < receipts.index(older.reference)


def test_a_repeated_withdrawal_is_harmless(portal, archive, world):
    csrf_token = csrf(portal, f"/consent/items/{world.public}/withdraw")
    first = portal.post(f"/consent/items/{world.public}/withdraw", data={"csrf_token": csrf_token, "confirm": "yes"})
    reference = receipt_reference(first)
    after = events(archive)
    again = portal.post(f"/consent/items/{world.public}/withdraw", data={"csrf_token": csrf_token, "confirm": "yes"})
    assert receipt_reference(again) == reference
    back = portal.get(f"/consent/items/{world.public}/withdraw")
    assert receipt_reference(back) == reference
    assert events(archive) == after
    assert [r.reference for r in archive.get_contributor(world.contributor).receipts] == [reference]
    items = portal.get("/consent/items").get_data(as_text=True)
    assert items.count(f'href="/consent/receipts/{reference}') == 2  # at the item, and in the receipts
    assert PUBLIC_TITLE not in items
    # A withdrawn item cannot be changed any more.
    changed = portal.get(f"/consent/items/{world.public}")
    assert changed.status_code == 303 and changed.headers["Location"].split("?")[0] == "/consent/items"


def test_two_submits_of_one_withdrawal_at_the_same_moment_both_show_the_same_receipt(portal, archive, world, monkeypatch):
    # A double click or a second tab: each request has read the item before either saves.
    csrf_token = csrf(portal, f"/consent/items/{world.public}/withdraw")
    tabs = [portal, portal.application.test_client()]
    tabs[1].set_cookie("session", portal.get_cookie("session").value)
    first_save = threading.Barrier(2, timeout=10)
    waited = threading.local()
    save = archive._save

    def save_after_both_have_read(*aggregates):
        if not getattr(waited, "done", False):
            waited.done = True
            first_save.wait()
        return save(*aggregates)

    monkeypatch.setattr(archive, "_save", save_after_both_have_read)
    responses: list = [None, None]

    def submit(n):
        responses[n] = tabs[n].post(f"/consent/items/{world.public}/withdraw",
                                    data={"csrf_token": csrf_token, "confirm": "yes"})

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    references = [receipt_reference(response) for response in responses]
    assert references[0] == references[1]
    for tab in tabs:
        page = tab.get(responses[0].headers["Location"], follow_redirects=True).get_data(as_text=True)
        assert references[0] in page and "at the same time" not in page
    assert [r.reference for r in archive.get_contributor(world.contributor).receipts] == references[:1]


def test_a_withdrawal_while_the_media_storage_stalls_answers_at_once_and_says_copies_are_being_removed(
    portal, archive, world, monkeypatch
):
    recovered = threading.Event()
    delete_prefix = archive.media.delete_prefix

    def stalled(prefix):  # a bucket that accepts the connection and never answers
        recovered.wait(8)
        delete_prefix(prefix)

    monkeypatch.setattr(archive.media, "delete_prefix", stalled)
    csrf_token = csrf(portal, f"/consent/items/{world.public}/withdraw")
    started = time.monotonic()
    done = portal.post(f"/consent/items/{world.public}/withdraw", data={"csrf_token": csrf_token, "confirm": "yes"})
    answered = time.monotonic() - started

    reference = receipt_reference(done)
    assert answered < 3.5, "far below a gunicorn worker's time-out (30 s)"
    assert not archive.keys.exists(world.public)
    receipt = portal.get(done.headers["Location"]).get_data(as_text=True)
    assert reference in receipt
    assert "is being completed" in receipt and "has been destroyed" not in receipt

    recovered.set()
    deadline = time.monotonic() + 10
    while archive.consent.media_removal_pending([world.public]) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [key for key in archive.media.objects if str(world.public) in key]
    receipt = portal.get(done.headers["Location"]).get_data(as_text=True)
    assert "has been destroyed" in receipt and "is being completed" not in receipt


# -- 6. withdrawing everything ----------------------------------------------------------------------------------


def test_withdrawing_everything_erases_the_name_and_keeps_the_receipts(app, portal, archive, world, client):
    earlier = receipt_reference(post(portal, f"/consent/items/{world.testimony}/withdraw", {"confirm": "yes"},
                                     form_page="/consent/items"))
    confirmation = portal.get("/consent/withdraw-everything").get_data(as_text=True)
    assert "Withdraw everything" in confirmation and "2 remaining items" in confirmation
    before = events(archive)
    assert post(portal, "/consent/withdraw-everything", {}).status_code == 200
    assert events(archive) == before

    done = post(portal, "/consent/withdraw-everything", {"confirm": "yes"})
    reference = receipt_reference(done)
    for item_id in (world.public, world.hidden, world.testimony):
        assert archive.get_item(item_id).is_withdrawn
        assert client.get(f"/items/{item_id}").status_code == 404
    assert archive.get_contributor(world.contributor).name is None
    assert archive.get_contributor(world.contributor).pseudonym is None
    assert not archive.get_item(world.foreign).is_withdrawn

    receipt = portal.get(done.headers["Location"]).get_data(as_text=True)
    assert reference in receipt and "your details erased" in receipt
    for secret in (PUBLIC_TITLE, HIDDEN_TITLE, TESTIMONY_TITLE, TESTIMONY_TEXT, NAME, PSEUDONYM, "A doormat"):
        assert secret not in receipt

    later = app.test_client()
    assert enter(later, world.code).status_code == 303
    items = later.get("/consent/items").get_data(as_text=True)
    assert earlier in items and reference in items
    for secret in (PUBLIC_TITLE, HIDDEN_TITLE, TESTIMONY_TITLE, NAME):
        assert secret not in items
    assert later.get(f"/consent/receipts/{earlier}").status_code == 200
    # Doing it again changes nothing and leads to the same receipt.
    after = events(archive)
    assert receipt_reference(post(later, "/consent/withdraw-everything", {"confirm": "yes"},
                                  form_page="/consent/items")) == reference
    assert events(archive) == after


# -- 7. CSRF ----------------------------------------------------------------------------------------------------


def test_a_request_without_a_csrf_token_changes_nothing(portal, archive, world):
    before = events(archive)
    attempts = [
        (f"/consent/items/{world.public}", {"attribution": "anonymous", "scope": ONLINE, "confirm": "yes"}),
        (f"/consent/items/{world.public}/withdraw", {"confirm": "yes"}),
        ("/consent/withdraw-everything", {"confirm": "yes"}),
        ("/consent/leave", {}),
    ]
    for path, data in attempts:
        assert portal.post(path, data=data).status_code == 400, path
        assert portal.post(path, data={**data, "csrf_token": "forged"}).status_code == 400, path
    assert events(archive) == before
    assert archive.get_item(world.public).consent.attribution is Attribution.NAMED
    assert not any(archive.get_item(i).is_withdrawn for i in (world.public, world.hidden, world.testimony))
    assert portal.get("/consent/items").status_code == 200  # not even the leave worked


def test_a_code_entry_without_a_csrf_token_opens_nothing(client, world):
    assert client.post("/consent", data={"code": world.code}).status_code == 400
    assert redirected_to_code_form(client.get("/consent/items"))


# -- 8. the session's end ---------------------------------------------------------------------------------------


def test_a_new_code_from_a_curator_ends_the_session(portal, archive, world):
    assert portal.get("/consent/items").status_code == 200
    new_code = archive.contributors.issue_consent_code(world.contributor, CURATOR)
    assert redirected_to_code_form(portal.get("/consent/items"))
    assert enter(portal, world.code).status_code == 401
    assert enter(portal, new_code).status_code == 303


def test_the_session_ends_after_fifteen_idle_minutes(client, world):
    start = clock.now()
    with clock.fixed_at(start):
        assert enter(client, world.code).status_code == 303
    with clock.fixed_at(start + timedelta(minutes=14)):
        assert client.get("/consent/items").status_code == 200  # activity renews it
    with clock.fixed_at(start + timedelta(minutes=28)):
        assert client.get("/consent/items").status_code == 200
    with clock.fixed_at(start + timedelta(minutes=43, seconds=5)):
        response = client.get("/consent/items")
        assert redirected_to_code_form(response)
        assert "15 minutes" in client.get(response.headers["Location"]).get_data(as_text=True)
        assert redirected_to_code_form(client.get("/consent/items"))


def test_a_replayed_cookie_cannot_keep_the_session_open_past_an_hour(client, world):
    start = clock.now()
    with clock.fixed_at(start):
        assert enter(client, world.code).status_code == 303
    with client.session_transaction() as session:
        copied = dict(session)
    for minutes in (10, 20, 30, 40, 50, 59):
        with clock.fixed_at(start + timedelta(minutes=minutes)):
            assert client.get("/consent/items").status_code == 200, minutes
    with clock.fixed_at(start + timedelta(minutes=61)):
        with client.session_transaction() as session:
            session.update(copied)
        assert redirected_to_code_form(client.get("/consent/items"))


def test_leaving_ends_the_session(portal):
    response = post(portal, "/consent/leave", {}, form_page="/consent/items")
    assert response.status_code == 303 and response.headers["Location"].split("?")[0] == "/consent"
    assert "You have left the consent pages." in portal.get(response.headers["Location"]).get_data(as_text=True)
    assert redirected_to_code_form(portal.get("/consent/items"))


def test_the_session_cookie_holds_neither_the_code_nor_a_name_nor_an_id(portal, world):
    with portal.session_transaction() as session:
        stored = repr(dict(session))
        assert session.permanent is False
    assert world.code not in stored and world.code.replace("-", "") not in stored and NAME not in stored
    for ident in (world.contributor, world.public, world.hidden, world.testimony):
        assert str(ident) not in stored and ident.hex not in stored


def test_the_quick_exit_of_every_page_also_ends_a_portal_session(portal):
    for path in ("/", "/exhibitions", "/about", "/consent/items"):
        page = portal.get(path, follow_redirects=True).get_data(as_text=True)
        link = re.search(r"<a [^>]*data-quick-exit[^>]*>", page).group(0)
        assert 'data-end-session="/consent/exit"' in link, path
    assert portal.get("/consent/exit").status_code == 303
    assert redirected_to_code_form(portal.get("/consent/items"))
