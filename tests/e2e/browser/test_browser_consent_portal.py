"""A contributor uses the consent portal (/consent) in a real browser.

A curator records (through the app) a contributor with a pseudonym, an artwork with an image
and a testimony, consent by name to publish online and exhibit, and a published exhibition;
the consent code from the receipt is kept. Then, as the contributor, with only that code:

* the code is typed messily (lower case, spaces) and still opens the portal, which lists both
  items with the artwork's thumbnail;
* narrowing the credit to anonymous goes form -> plain confirmation -> receipt ``R-XXXX-XXXX``,
  and the public page stops showing the name at once;
* withdrawing the testimony goes confirmation -> receipt; Back and a second submit give the same
  receipt and no error page; the testimony's public page is then a 404;
* the portal works with JavaScript disabled;
* the quick exit (Escape twice) leaves for the neutral page and ends the portal session;
* axe-core finds no serious or critical problem on the portal's pages;
* no request leaves the app's origin, but for the quick exit's destination (answered here).

And a curator's item page held open while another contributor narrows their consent in the
portal is refused (409, saying what changed) when submitted, instead of undoing the narrowing.
"""

from __future__ import annotations

import random
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from media_store import make_sample_photo
from test_browser_accessibility import AXE_PATH, BLOCKING, _describe, _scan
from test_browser_curator_flow import CONSENT_CODE, _id_in_url, _image_is_displayed, _log_in, _submit, _word

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
NEUTRAL = "https://www.google.com/"  # where the quick exit leaves for (web.consent.views.NEUTRAL_PAGE)
NEUTRAL_STAND_IN = "<!doctype html><title>neutral</title>neutral"
REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")
CONTEXT_OPTIONS = {"locale": "en-US", "viewport": {"width": 1280, "height": 900}}
TIMEOUT_MS = 10_000

ITEMS_URL = re.compile(r"/consent/items(\?lang=en)?$")
CODE_FORM_URL = re.compile(r"/consent(\?lang=en)?$")
RECEIPT_URL = re.compile(r"/consent/receipts/(R-[0-9A-Z]{4}-[0-9A-Z]{4})(\?lang=en)?$")

NAMED = "Your name is shown with your work."
ANONYMOUS = "No name is shown with your work: it is anonymous."


@dataclass(frozen=True)
class PortalContributor:
    """What the curator recorded, and the code the contributor was handed."""

    name: str
    pseudonym: str
    code: str
    artwork_id: str
    artwork_title: str
    testimony_id: str
    testimony_title: str
    slug: str


@pytest.fixture(scope="module")
def contributor(
    browser, live_server, curator_credentials, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalContributor]:
    """A curator records everything through the app's own pages, in a browser context of its own."""
    rng = random.Random()
    word = _word(rng)
    name = f"Portal Tester {_word(rng, 7).capitalize()}"
    pseudonym = f"Wren {_word(rng, 6).capitalize()}"
    artwork_title = f"Harbour {word.capitalize()}"
    testimony_title = f"Morning {_word(rng, 8).capitalize()}"
    slug = f"portal-{_word(rng, 8)}"

    context = browser.new_context(base_url=live_server.origin, **CONTEXT_OPTIONS)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _log_in(page, curator_credentials)

        page.goto("/curate/contributors/new")
        page.fill("#name", name)
        page.fill("#pseudonym", pseudonym)
        _submit(page, "form:has(#name)")
        contributor_id = _id_in_url(page, "/curate/contributors")

        photo = tmp_path_factory.mktemp("portal") / "harbour.jpg"
        photo.write_bytes(make_sample_photo(7, size=(800, 600)))
        page.goto("/curate/artworks/new")
        page.select_option("#contributor_id", contributor_id)
        page.fill("#title_en", artwork_title)
        page.fill("#year", "2023")
        page.set_input_files("#image_1", str(photo))
        page.fill("#alt_1_en", "Boats moored in a grey harbour at dawn")
        _submit(page, "form:has(#image_1)")
        artwork_id = _id_in_url(page, "/curate/items")

        # Consent by name, online and in exhibitions: the first consent issues the code, shown once.
        consent_form = f"form[action$='/curate/items/{artwork_id}/consent']"
        page.check(f"{consent_form} input[name=scopes][value=exhibit]")
        page.check(f"{consent_form} input[name=scopes][value=publish_online]")
        page.check(f"{consent_form} input[name=attribution][value=named]")
        page.fill(f"{consent_form} #text_version", "2024-02")
        _submit(page, consent_form)
        code = page.locator(".consent-code strong").inner_text().strip()
        assert CONSENT_CODE.match(code), f"no consent code on the receipt: {code!r}"

        page.goto("/curate/testimonies/new")
        page.select_option("#contributor_id", contributor_id)
        page.select_option("#language", "en")
        page.fill("#title_en", testimony_title)
        page.fill("#text_en", "I walked to the harbour every morning that winter, and nobody asked me why.")
        page.fill("#content_note_en", "Mentions loneliness")
        _submit(page, "form:has(#text_en)")
        testimony_id = _id_in_url(page, "/curate/items")
        consent_form = f"form[action$='/curate/items/{testimony_id}/consent']"
        page.check(f"{consent_form} input[name=scopes][value=exhibit]")
        page.check(f"{consent_form} input[name=scopes][value=publish_online]")
        page.check(f"{consent_form} input[name=attribution][value=named]")
        page.fill(f"{consent_form} #text_version", "2024-02")
        _submit(page, consent_form)
        expect(page.locator("main")).to_contain_text("credit: by name")
        expect(page.locator(".consent-code")).to_have_count(0)  # the contributor already has a code

        page.goto("/curate/exhibitions/new")
        page.fill("#slug", slug)
        page.fill("#titles_en", f"Portal test room {word}")
        _submit(page, "form:has(#slug)")
        expect(page).to_have_url(re.compile(rf"/curate/exhibitions/{slug}$"))
        add_form = f"form[action$='/curate/exhibitions/{slug}/works']"
        for item_id, title in ((artwork_id, artwork_title), (testimony_id, testimony_title)):
            page.fill("#q", title)  # the picker's script asks for matches as the curator types
            expect(page.locator(f"#candidates #pick-{item_id}")).to_have_count(1)
            expect(page.locator("#candidates input[name=item_id]")).to_have_count(1)
            page.check(f"#pick-{item_id}")
            _submit(page, add_form)
        expect(page.locator("ol.arrangement")).to_contain_text(artwork_title)
        expect(page.locator("ol.arrangement")).to_contain_text(testimony_title)
        _submit(page, f"form[action$='/curate/exhibitions/{slug}/publish']")
        expect(page.locator(f"form[action$='/curate/exhibitions/{slug}/unpublish']")).to_have_count(1)
    finally:
        context.close()
    yield PortalContributor(name, pseudonym, code, artwork_id, artwork_title, testimony_id, testimony_title, slug)


# -- helpers --------------------------------------------------------------------------------------


def _messy(code: str) -> str:
    """The code as someone might type it: lower case, groups split by spaces, stray spaces."""
    plain = code.replace("-", "").lower()
    return "  " + " ".join(plain[i : i + 4] for i in range(0, len(plain), 4)) + " "


def _enter_code(page: Page, code: str) -> None:
    """Open /consent, type the code (messily) and continue to the list of items."""
    page.goto("/consent?lang=en")
    expect(page.locator("main h1")).to_have_text("Your consent")
    field = page.get_by_label("Consent code")
    field.press_sequentially(_messy(code))
    assert field.input_value() == _messy(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    expect(page).to_have_url(ITEMS_URL)
    expect(page.locator("main h1")).to_have_text("Your items")


def _click_to(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _receipt_reference(page: Page) -> str:
    """The reference number of the receipt the page shows (the URL and the page agree)."""
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("main h1")).to_have_text("Receipt")
    shown = page.locator("dd.reference strong").inner_text().strip()
    assert REFERENCE.fullmatch(shown), f"not a reference number: {shown!r}"
    assert RECEIPT_URL.search(page.url).group(1) == shown
    return shown


def _not_an_error_page(page: Page) -> None:
    for heading in ("Something went wrong", "This request could not be used", "This page is not here", "Too many attempts"):
        expect(page.get_by_role("heading", name=heading)).to_have_count(0)
    expect(page.locator(".flash-error")).to_have_count(0)


class QuickExit:
    """Stands in for the neutral site, so that the quick exit never loads it.

    On the consent pages the quick exit goes through ``/consent/exit``, which ends the portal
    session and answers 303 to the neutral site. Playwright cannot intercept the target of a
    redirect (the browser would go out to the network for it), so that request is made to the
    app here (``route.fetch``, with the browser's cookies, without following the redirect), and
    the browser gets the app's answer with its headers (so its ``Set-Cookie`` ends the session)
    but with a stand-in for the neutral page instead of the redirect.
    """

    def __init__(self, page: Page, origin: str):
        self.answers: list[tuple[int, str | None]] = []
        page.route(re.compile(re.escape(origin + "/consent/exit") + r"(\?.*)?$"), self._exit)

    def _exit(self, route) -> None:
        answer = route.fetch(max_redirects=0)
        self.answers.append((answer.status, answer.headers.get("location")))
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("location", "content-length", "content-type")}
        route.fulfill(status=200, headers=headers, content_type="text/html", body=NEUTRAL_STAND_IN)

    def check_left(self, page: Page, origin: str) -> None:
        """The app sent the browser to the neutral site, and the browser shows it."""
        page.wait_for_url(origin + "/consent/exit")
        expect(page.locator("body")).to_have_text("neutral")
        assert self.answers == [(303, NEUTRAL)], f"/consent/exit answered {self.answers}, not 303 to {NEUTRAL}"


def _stayed_on_origin(requested_urls: list[str], origin: str) -> None:
    """Every request went to the app; the neutral site (the quick exit's destination) was never even asked for."""
    own = origin + "/"
    assert requested_urls, "no request was recorded"
    elsewhere = sorted({url for url in requested_urls if not (url.startswith(own) or url.startswith("data:"))})
    assert not elsewhere, "requests left the app's origin:\n" + "\n".join(elsewhere)


def _shot(page: Page, request: pytest.FixtureRequest, step: str) -> None:
    """A screenshot of one step, as ``screenshots/<test name>-<step>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}.png"), full_page=True)


class Axe:
    """Scans pages with axe-core and collects the serious and critical violations.

    Without axe-core the portal is still tested, unscanned, with a warning (and under
    ``ARCHIVE_REQUIRE_SERVICES=1`` the ``axe_source`` fixture fails the test instead).
    """

    def __init__(self, page: Page, request: pytest.FixtureRequest, origin: str):
        self.page = page
        self.findings: list[str] = []
        self.scanned: list[str] = []
        try:
            source = request.getfixturevalue("axe_source")
        except pytest.skip.Exception as reason:
            warnings.warn(f"consent portal not scanned for accessibility: {reason}", stacklevel=2)
            self.active = False
            return
        self.active = True
        page.route(
            origin + AXE_PATH,
            lambda route: route.fulfill(body=source, content_type="text/javascript; charset=utf-8"),
        )

    def scan(self, what: str) -> None:
        if not self.active:
            return
        path = self.page.url.split("/", 3)[-1]
        self.scanned.append(what)
        for violation in _scan(self.page):
            if violation["impact"] in BLOCKING:
                self.findings.append(_describe(what, "/" + path, violation))

    def check(self) -> None:
        if self.active:
            assert len(self.scanned) >= 5, self.scanned
        if self.findings:
            pytest.fail(
                f"{len(self.findings)} serious or critical accessibility violation(s) in the consent portal:\n\n"
                + "\n\n".join(self.findings),
                pytrace=False,
            )


# -- tests ----------------------------------------------------------------------------------------


def test_contributor_narrows_credit_and_withdraws_through_the_portal(
    page: Page, live_server, contributor: PortalContributor, requested_urls: list[str], request: pytest.FixtureRequest
) -> None:
    axe = Axe(page, request, live_server.origin)
    person = contributor

    # Before: the public pages credit the contributor by name, and the testimony is public.
    page.goto(f"/items/{person.artwork_id}?lang=en")
    expect(page.locator("main p.credit")).to_have_text(f"By {person.name}")
    response = page.goto(f"/items/{person.testimony_id}?lang=en")
    assert response is not None and response.status == 200

    # The code, typed in lower case with spaces, opens the portal.
    page.goto("/consent?lang=en")
    axe.scan("code form")
    _shot(page, request, "code-form")
    _enter_code(page, person.code)

    # Both items, with the artwork's thumbnail (served by the portal, not public media).
    artwork = page.locator(f"li.portal-item#item-{person.artwork_id}")
    testimony = page.locator(f"li.portal-item#item-{person.testimony_id}")
    expect(page.locator("li.portal-item")).to_have_count(2)
    expect(artwork.locator("h2")).to_have_text(person.artwork_title)
    expect(testimony.locator("h2")).to_have_text(person.testimony_title)
    expect(artwork.locator(".consent-now")).to_contain_text(NAMED)
    expect(testimony.locator(".consent-now")).to_contain_text(NAMED)
    thumb = artwork.locator("img.portal-thumb")
    _image_is_displayed(page, thumb)
    assert thumb.evaluate("img => img.currentSrc").startswith(
        live_server.url(f"/consent/items/{person.artwork_id}/images/")
    )
    expect(testimony.locator("img")).to_have_count(0)
    axe.scan("items page")
    _shot(page, request, "items")

    # Change how the artwork is shown: anonymously. Form, plain confirmation, receipt.
    _click_to(page, artwork.get_by_role("link", name="Change how it is shown"))
    expect(page.locator("main h1")).to_have_text("Change how it is shown")
    expect(page.locator("main .meta")).to_have_text(person.artwork_title)
    expect(page.get_by_label("With my name")).to_be_checked()  # the current choices are filled in
    expect(page.get_by_label("On the public website (pages, search)")).to_be_checked()
    expect(page.get_by_label("In exhibitions")).to_be_checked()
    axe.scan("change form")
    page.get_by_label("Anonymously, with no name").check()
    _shot(page, request, "change-form")
    _click_to(page, page.get_by_role("button", name="Review the change"))

    expect(page.locator("main h1")).to_have_text("Confirm the change")
    expect(page.get_by_role("heading", name="What happens at once")).to_be_visible()
    expect(page.locator("main ul").first).to_have_text(ANONYMOUS)
    expect(page.get_by_role("heading", name="What the curators will confirm with you first")).to_have_count(0)
    axe.scan("confirmation page")
    _shot(page, request, "confirm-change")
    _click_to(page, page.get_by_role("button", name="Confirm", exact=True))

    change_reference = _receipt_reference(page)
    expect(page.locator("main")).to_contain_text("Consent changed")
    expect(page.locator("main")).to_contain_text(ANONYMOUS)
    _not_an_error_page(page)
    axe.scan("receipt page")
    _shot(page, request, "receipt-change")

    # The public pages, in the same browser, no longer show the name (nor the pseudonym).
    response = page.goto(f"/items/{person.artwork_id}?lang=en")
    assert response is not None and response.status == 200
    expect(page.locator("main p.credit")).to_have_text("Anonymous")
    html = page.content()
    assert person.name not in html, "the artwork's page still shows the contributor's name"
    assert person.pseudonym not in html, "the artwork's page shows the pseudonym though the credit is anonymous"
    page.goto(f"/exhibitions/{person.slug}?lang=en")  # the testimony there is still credited by name
    work = page.locator(f"li.work#item-{person.artwork_id}")
    expect(work.locator("p.credit")).to_have_text(re.compile(r"^Anonymous\b"))
    assert person.name not in work.inner_html() and person.pseudonym not in work.inner_html()

    # Back in the portal (the session is still open): the new choice and its receipt are listed.
    page.goto("/consent/items?lang=en")
    expect(page).to_have_url(ITEMS_URL)
    expect(artwork.locator(".consent-now")).to_contain_text(ANONYMOUS)
    expect(page.locator("ul.receipts")).to_contain_text(change_reference)

    # Withdraw the testimony through its confirmation page.
    _click_to(page, testimony.get_by_role("link", name="Withdraw it"))
    expect(page.locator("main h1")).to_have_text("Withdraw this item")
    expect(page.locator("main .meta")).to_have_text(person.testimony_title)
    axe.scan("withdrawal confirmation page")
    _shot(page, request, "confirm-withdraw")
    confirmation_url = page.url
    stale = page.context.new_page()  # the same confirmation in a second tab, to submit it again later
    stale.goto(confirmation_url)
    expect(stale.get_by_role("button", name="Withdraw it, for good")).to_be_visible()

    _click_to(page, page.get_by_role("button", name="Withdraw it, for good"))
    withdrawal_reference = _receipt_reference(page)
    assert withdrawal_reference != change_reference
    expect(page.locator("main")).to_contain_text("Consent withdrawn")
    _not_an_error_page(page)
    axe.scan("withdrawal receipt page")
    _shot(page, request, "receipt-withdraw")

    # Back, and submit again: the same receipt, no error page. (Portal pages are never cached, so
    # Chromium asks for the confirmation again, and the app answers with the receipt; should a
    # browser show the old form, it is submitted again.)
    page.go_back()
    page.wait_for_load_state()
    again = page.get_by_role("button", name="Withdraw it, for good")
    if again.count():
        _click_to(page, again)
    assert _receipt_reference(page) == withdrawal_reference
    _not_an_error_page(page)
    # The second tab's confirmation, submitted after the withdrawal: a second POST in any case.
    with stale.expect_navigation():
        stale.get_by_role("button", name="Withdraw it, for good").click()
    assert _receipt_reference(stale) == withdrawal_reference
    _not_an_error_page(stale)
    stale.close()

    # The testimony is gone from the public site; the portal lists it as withdrawn, with both receipts.
    for path in (f"/items/{person.testimony_id}?lang=en", f"/items/{person.testimony_id}?lang=en&continue=1"):
        response = page.goto(path)
        assert response is not None and response.status == 404, f"{path} answered {response and response.status}"
    page.goto("/consent/items?lang=en")
    expect(testimony.locator(".status-withdrawn")).to_be_visible()
    expect(testimony).not_to_contain_text(person.testimony_title)
    expect(testimony.get_by_role("link", name=f"Receipt {withdrawal_reference}")).to_be_visible()
    expect(page.locator("ul.receipts li")).to_have_count(2)
    expect(page.locator("ul.receipts")).to_contain_text(change_reference)
    expect(page.locator("ul.receipts")).to_contain_text(withdrawal_reference)

    _stayed_on_origin(requested_urls, live_server.origin)
    axe.check()


def test_portal_works_without_javascript(
    browser, live_server, contributor: PortalContributor, requested_urls: list[str], request: pytest.FixtureRequest
) -> None:
    context = browser.new_context(base_url=live_server.origin, java_script_enabled=False, **CONTEXT_OPTIONS)
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", lambda req: requested_urls.append(req.url))
    page = context.new_page()
    try:
        quick_exit = QuickExit(page, live_server.origin)
        _enter_code(page, contributor.code)
        expect(page.locator("li.portal-item")).to_have_count(2)
        artwork = page.locator(f"li.portal-item#item-{contributor.artwork_id}")
        expect(artwork.locator("h2")).to_have_text(contributor.artwork_title)
        expect(page.locator(f"li.portal-item#item-{contributor.testimony_id}")).to_have_count(1)
        _image_is_displayed(page, artwork.locator("img.portal-thumb"))

        # A change can be reviewed without scripts too (then cancelled: nothing changes).
        _click_to(page, artwork.get_by_role("link", name="Change how it is shown"))
        page.get_by_label("In exhibitions").uncheck()
        _click_to(page, page.get_by_role("button", name="Review the change"))
        expect(page.get_by_role("heading", name="What happens at once")).to_be_visible()
        expect(page.locator("main")).to_contain_text("It is not shown in exhibitions.")
        _click_to(page, page.get_by_role("link", name="Cancel: change nothing"))
        expect(page).to_have_url(ITEMS_URL)
        expect(artwork.locator(".consent-now")).to_contain_text("It may be shown in exhibitions.")

        # Without scripts the quick exit is a plain link through /consent/exit: it still ends the session.
        _click_to(page, page.locator("a[data-quick-exit]"))
        quick_exit.check_left(page, live_server.origin)
        page.goto("/consent/items?lang=en")
        expect(page).to_have_url(CODE_FORM_URL)
        expect(page.get_by_label("Consent code")).to_be_visible()
        expect(page.locator("li.portal-item")).to_have_count(0)
    finally:
        SCREENSHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, timeout=5_000)
        finally:
            context.close()
    assert any(url.startswith(live_server.url("/consent/exit")) for url in requested_urls)
    _stayed_on_origin(requested_urls, live_server.origin)


def test_quick_exit_leaves_and_ends_the_portal_session(
    page: Page, live_server, contributor: PortalContributor, requested_urls: list[str]
) -> None:
    quick_exit = QuickExit(page, live_server.origin)
    _enter_code(page, contributor.code)
    expect(page.locator("li.portal-item")).to_have_count(2)
    expect(page.locator("a[data-quick-exit]")).to_have_attribute("href", "/consent/exit")

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    quick_exit.check_left(page, live_server.origin)

    # Back shows nothing of the portal: the list was replaced in the history, and the session is over.
    page.go_back()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.origin), page.url
    expect(page.locator("li.portal-item")).to_have_count(0)

    # A fresh visit to the list in the same browser lands on the code form.
    page.goto("/consent/items?lang=en")
    expect(page).to_have_url(CODE_FORM_URL)
    expect(page.get_by_label("Consent code")).to_be_visible()
    expect(page.locator("li.portal-item")).to_have_count(0)
    for step in (f"/consent/items/{contributor.artwork_id}", f"/consent/items/{contributor.testimony_id}/withdraw"):
        page.goto(step + "?lang=en")
        expect(page).to_have_url(CODE_FORM_URL)

    _stayed_on_origin(requested_urls, live_server.origin)



def test_a_curator_page_held_open_across_the_contributors_narrowing_is_refused(
    browser, live_server, curator_credentials, requested_urls: list[str], request: pytest.FixtureRequest
) -> None:
    """The issue's case, in real browsers: the curator's item page stays open while the contributor
    goes anonymous and offline in the portal; submitting that page (only the expiry changed) is
    refused with what changed, and the public page still shows no name."""
    rng = random.Random()
    name = f"Held Open {_word(rng, 7).capitalize()}"
    title = f"Evening {_word(rng, 8).capitalize()}"
    curator = browser.new_context(base_url=live_server.origin, **CONTEXT_OPTIONS)
    portal = browser.new_context(base_url=live_server.origin, **CONTEXT_OPTIONS)
    for context in (curator, portal):
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda req: requested_urls.append(req.url))
    page, person = curator.new_page(), portal.new_page()
    try:
        _log_in(page, curator_credentials)
        page.goto("/curate/contributors/new")
        page.fill("#name", name)
        _submit(page, "form:has(#name)")
        contributor_id = _id_in_url(page, "/curate/contributors")
        page.goto("/curate/testimonies/new")
        page.select_option("#contributor_id", contributor_id)
        page.select_option("#language", "en")
        page.fill("#title_en", title)
        page.fill("#text_en", "We kept the lamps lit until the last bus came.")
        page.fill("#content_note_en", "Mentions fear")
        _submit(page, "form:has(#text_en)")
        item_id = _id_in_url(page, "/curate/items")
        consent_form = f"form[action$='/curate/items/{item_id}/consent']"
        page.check(f"{consent_form} input[name=scopes][value=exhibit]")
        page.check(f"{consent_form} input[name=scopes][value=publish_online]")
        page.check(f"{consent_form} input[name=attribution][value=named]")
        page.fill(f"{consent_form} #text_version", "2024-02")
        _submit(page, consent_form)
        code = page.locator(".consent-code strong").inner_text().strip()
        assert CONSENT_CODE.match(code), f"no consent code on the receipt: {code!r}"

        # The curator opens the item's page, and leaves it open.
        page.goto(f"/curate/items/{item_id}")
        expect(page.locator("main")).to_contain_text("credit: by name")

        # Meanwhile the contributor goes anonymous and offline through the portal.
        _enter_code(person, code)
        item = person.locator(f"li.portal-item#item-{item_id}")
        _click_to(person, item.get_by_role("link", name="Change how it is shown"))
        person.get_by_label("Anonymously, with no name").check()
        person.get_by_label("On the public website (pages, search)").uncheck()
        _click_to(person, person.get_by_role("button", name="Review the change"))
        _click_to(person, person.get_by_role("button", name="Confirm", exact=True))
        _receipt_reference(person)

        # The curator changes only the expiry on the page held open, and submits it.
        page.fill(f"{consent_form} #expires_on", "2099-12-31")
        with page.expect_navigation() as navigation:
            page.locator(f"{consent_form} button[type=submit]").click()
        assert navigation.value is not None and navigation.value.status == 409
        expect(page.locator("main .flash-error")).to_contain_text("This record changed after you opened it")
        expect(page.locator("main .flash-error")).to_contain_text("narrowed by the contributor")
        expect(page.locator("main")).not_to_contain_text("Consent saved")
        expect(page.locator("main")).to_contain_text("credit: anonymous")  # the page now shows the current consent
        _shot(page, request, "stale-refused")

        response = person.goto(f"/items/{item_id}?lang=en")  # still offline, and nowhere under the name
        assert response is not None and response.status == 404
        assert name not in person.content()
    finally:
        curator.close()
        portal.close()
    _stayed_on_origin(requested_urls, live_server.origin)
