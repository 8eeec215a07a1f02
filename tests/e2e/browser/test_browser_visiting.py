"""What a visitor's browser does: languages, quick exit, and requests that never leave the site."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

EXHIBITION = "/exhibitions/silent-room"
NEUTRAL = "https://www.google.com/"


def test_language_switch(page: Page) -> None:
    page.goto(EXHIBITION)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    languages = page.locator("nav.languages")
    for name, code, title in (("Русский", "ru", "Тихая комната"), ("Қазақша", "kk", "Тыныш бөлме")):
        with page.expect_navigation():
            languages.get_by_role("link", name=name, exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("main h1")).to_have_text(title)
        assert page.url.split("?")[0].endswith(EXHIBITION)


def _neutral_site(page: Page) -> None:
    """The network is closed: answer for the neutral site ourselves."""
    page.route(
        "https://www.google.com/**",
        lambda route: route.fulfill(body="<title>neutral</title>neutral", content_type="text/html"),
    )


def _two_history_entries(page: Page, origin: str) -> None:
    page.goto("/")
    page.goto(EXHIBITION)
    assert page.url.startswith(origin + EXHIBITION)


def _back_does_not_return(page: Page, origin: str) -> None:
    page.wait_for_url(NEUTRAL)
    expect(page.locator("body")).to_have_text("neutral")
    page.go_back()
    page.wait_for_load_state()
    assert EXHIBITION not in page.url, f"Back returned to the page the visitor left: {page.url}"
    assert page.url == origin + "/", f"Back should go to the page before it, not {page.url}"


def test_quick_exit_leaves_and_back_does_not_return(page: Page, live_server) -> None:
    _neutral_site(page)

    # By the button.
    _two_history_entries(page, live_server.origin)
    page.locator("a[data-quick-exit]").click()
    _back_does_not_return(page, live_server.origin)

    # By Escape, twice.
    _two_history_entries(page, live_server.origin)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    _back_does_not_return(page, live_server.origin)


def _settle(page: Page) -> None:
    """Scroll to the end so lazy images load, then wait until the network is quiet."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")


def test_every_request_stays_on_the_apps_own_origin(page: Page, live_server, requested_urls: list[str]) -> None:
    origin = live_server.origin + "/"
    visited = []
    from test_browser_accessibility import item_pages

    extra = [path for _, path, _ in item_pages(page)]
    for path in ("/", "/exhibitions", EXHIBITION, "/search?q=Threshold", "/about", "/no-such-page", "/curate/login",
                 EXHIBITION + "/history", EXHIBITION + "/as-of?date=2024-04-10", *extra):
        page.goto(path)
        _settle(page)
        visited.append(path)

    page.goto(EXHIBITION)
    images = page.locator("main img")
    assert images.count() > 0, "the demo exhibition shows no image"
    image_url = images.first.evaluate("img => img.currentSrc || img.src")
    response = page.goto(image_url)
    assert response is not None and response.ok and response.headers["content-type"].startswith("image/")

    assert len(requested_urls) > len(visited)
    elsewhere = sorted({url for url in requested_urls if not (url.startswith(origin) or url.startswith("data:"))})
    assert not elsewhere, "requests left the app's origin:\n" + "\n".join(elsewhere)
    assert any(re.search(r"/media/.+\.(webp|jpeg)$", url) for url in requested_urls)
