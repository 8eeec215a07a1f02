"""axe-core finds no serious or critical accessibility problem on any public page type.

Every page type must answer with the status it is listed with: a page that is missing (or
fails) is a test failure, never a page quietly left unscanned.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


AXE_PATH = "/__axe-core.js"  # served by the test itself, so the page's CSP (script-src 'self') allows it
BLOCKING = ("serious", "critical")

#: (what, path, the status the page answers with)
PAGES = [
    ("home", "/", 200),
    ("exhibitions list", "/exhibitions", 200),
    ("exhibition", "/exhibitions/silent-room", 200),
    ("search with results", "/search?q=Threshold", 200),
    ("search with a testimony's text behind its note", "/search?q=молчание", 200),
    ("about", "/about", 200),
    ("not found", "/no-such-page", 404),
    ("curator login", "/curate/login", 200),
    ("exhibition history", "/exhibitions/silent-room/history", 200),
    ("exhibition as it was", "/exhibitions/silent-room/as-of?date=2024-04-10", 200),
]


def item_pages(page: Page) -> list[tuple[str, str, int]]:
    """The artwork, testimony (before and after its content note) and larger-image pages of the demo."""
    page.goto("/exhibitions/silent-room")
    links = page.eval_on_selector_all("li.work h3 a", "links => links.map(a => [a.closest('li').className, a.getAttribute('href')])")
    artwork = next(href for kind, href in links if "artwork" in kind)
    testimony = next(href for kind, href in links if "testimony" in kind)
    page.goto(artwork)
    larger = page.eval_on_selector("p.larger-view a", "a => a.getAttribute('href')")
    return [
        ("artwork", artwork, 200),
        ("larger image", larger, 200),
        ("testimony behind its content note", testimony, 200),
        ("testimony text", testimony + ("&" if "?" in testimony else "?") + "continue=1", 200),
    ]


def _describe(what: str, path: str, violation: dict) -> str:
    lines = [f"[{violation['impact']}] {violation['id']} on {what} ({path}): {violation['help']}", f"    {violation['helpUrl']}"]
    for node in violation["nodes"]:
        target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
        lines.append(f"    - {target}: {node['html'][:200]}")
        summary = (node.get("failureSummary") or "").replace("\n", " / ")
        if summary:
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def _scan(page: Page) -> list[dict]:
    page.add_script_tag(url=AXE_PATH)
    page.wait_for_function("() => typeof window.axe === 'object'")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def test_axe_core_scan_of_every_public_page_type(axe_source: str, page: Page, live_server) -> None:
    page.route(
        live_server.url(AXE_PATH),
        lambda route: route.fulfill(body=axe_source, content_type="text/javascript; charset=utf-8"),
    )
    findings: list[str] = []
    unexpected: list[str] = []
    for what, path, status in PAGES + item_pages(page):
        response = page.goto(path)
        assert response is not None
        if response.status != status:
            unexpected.append(f"{what} ({path}) answered {response.status}, not {status}")
        if what == "search with results":
            assert page.locator("ol.hits li.hit").count() > 0, "the search found nothing to scan"
        if what == "search with a testimony's text behind its note":
            page.locator("details.behind-note summary").first.click()  # scanned opened
            assert page.locator("details.behind-note[open] mark").count() > 0, "no testimony text to scan"
        for violation in _scan(page):
            if violation["impact"] in BLOCKING:
                findings.append(_describe(what, path, violation))
    if unexpected:
        pytest.fail("page types that did not answer as listed:\n" + "\n".join(unexpected), pytrace=False)
    if findings:
        pytest.fail(
            f"{len(findings)} serious or critical accessibility violation(s):\n\n" + "\n\n".join(findings), pytrace=False
        )
