"""axe-core finds no serious or critical accessibility problem on any public page type."""

from __future__ import annotations

import warnings

import pytest
from playwright.sync_api import Page


AXE_PATH = "/__axe-core.js"  # served by the test itself, so the page's CSP (script-src 'self') allows it
BLOCKING = ("serious", "critical")

#: (what, path, statuses that mean "this page type does not exist yet: skip it")
PAGES = [
    ("home", "/", ()),
    ("exhibitions list", "/exhibitions", (404,)),
    ("exhibition", "/exhibitions/silent-room", ()),
    ("search with results", "/search?q=Threshold", ()),
    ("search with a testimony's text behind its note", "/search?q=молчание", ()),
    ("about", "/about", (404,)),
    ("not found", "/no-such-page", ()),
    ("curator login", "/curate/login", ()),
    ("exhibition history", "/exhibitions/silent-room/history", ()),
    ("exhibition as it was", "/exhibitions/silent-room/as-of?date=2024-04-10", ()),
]


def item_pages(page: Page) -> list[tuple[str, str, tuple[int, ...]]]:
    """The artwork, testimony (before and after its content note) and larger-image pages of the demo."""
    page.goto("/exhibitions/silent-room")
    links = page.eval_on_selector_all("li.work h3 a", "links => links.map(a => [a.closest('li').className, a.getAttribute('href')])")
    artwork = next(href for kind, href in links if "artwork" in kind)
    testimony = next(href for kind, href in links if "testimony" in kind)
    page.goto(artwork)
    larger = page.eval_on_selector("p.larger-view a", "a => a.getAttribute('href')")
    return [
        ("artwork", artwork, ()),
        ("larger image", larger, ()),
        ("testimony behind its content note", testimony, ()),
        ("testimony text", testimony + ("&" if "?" in testimony else "?") + "continue=1", ()),
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
    skipped: list[str] = []
    scanned = 0
    for what, path, missing in PAGES + item_pages(page):
        response = page.goto(path)
        assert response is not None
        if response.status in missing:
            skipped.append(f"{what} ({path}) answered {response.status}: not scanned")
            continue
        if what == "search with results":
            assert page.locator("ol.hits li.hit").count() > 0, "the search found nothing to scan"
        if what == "search with a testimony's text behind its note":
            page.locator("details.behind-note summary").first.click()  # scanned opened
            assert page.locator("details.behind-note[open] mark").count() > 0, "no testimony text to scan"
        scanned += 1
        for violation in _scan(page):
            if violation["impact"] in BLOCKING:
                findings.append(_describe(what, path, violation))
    for note in skipped:
        warnings.warn(note, stacklevel=1)
    assert scanned >= 5
    if findings:
        pytest.fail(
            f"{len(findings)} serious or critical accessibility violation(s):\n\n" + "\n\n".join(findings), pytrace=False
        )
