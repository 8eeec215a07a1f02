"""A curator records a work with consent and publishes it; a visitor then finds and sees it."""

from __future__ import annotations

import random
import re
import string
import time
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, expect

from media_store import make_sample_photo

SEARCH_WAIT = 10.0  # seconds for the search follower of `archive serve` to index a change
CONSENT_CODE = re.compile(r"^[0-9A-Z-]{19}$")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _word(rng: random.Random, length: int = 10) -> str:
    """A made-up word that no demo text contains (letters only, so it is one search token)."""
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))


def _submit(page: Page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").last.click()


def _log_in(page: Page, credentials: tuple[str, str]) -> None:
    page.goto("/curate/login")
    page.fill("#username", credentials[0])
    page.fill("#password", credentials[1])
    _submit(page, "form:has(#password)")
    expect(page).to_have_url(re.compile(r"/curate/$"))


def _id_in_url(page: Page, prefix: str) -> str:
    found = re.search(rf"{prefix}/({UUID})", page.url)
    assert found, f"expected {prefix}/<id> in {page.url}"
    return found.group(1)


def _image_is_displayed(page: Page, image) -> None:
    image.scroll_into_view_if_needed()  # the public pages load images lazily
    handle = image.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle, timeout=10_000)
    assert image.evaluate("img => img.naturalWidth") > 0


def test_curator_flow(page: Page, new_page, live_server, curator_credentials, tmp_path: Path) -> None:
    rng = random.Random()
    word = _word(rng)
    title = f"Lantern {word.capitalize()}"
    pseudonym = f"Qaz {_word(rng, 6).capitalize()}"
    name = f"Aruzhan {_word(rng, 8).capitalize()}ova"  # invented; credited by pseudonym only
    slug = f"browser-{_word(rng, 8)}"

    # Log in and register a contributor.
    _log_in(page, curator_credentials)
    page.goto("/curate/contributors/new")
    page.fill("#name", name)
    page.fill("#pseudonym", pseudonym)
    _submit(page, "form:has(#name)")
    contributor_id = _id_in_url(page, "/curate/contributors")

    # Record an artwork with an image and its alt text.
    photo = tmp_path / "lantern.jpg"
    photo.write_bytes(make_sample_photo(5, size=(800, 600)))
    page.goto("/curate/artworks/new")
    page.select_option("#contributor_id", contributor_id)
    page.fill("#title_en", title)
    page.fill("#year", "2024")
    page.set_input_files("#image_1", str(photo))
    page.fill("#alt_1_en", "A paper lantern glowing on a dark windowsill")
    _submit(page, "form:has(#image_1)")
    item_id = _id_in_url(page, "/curate/items")
    thumb = page.locator(f"img[src*='/curate/items/{item_id}/images/']").first
    _image_is_displayed(page, thumb)

    # Record consent: exhibit and publish online, by pseudonym; the receipt shows the code once.
    consent_form = f"form[action$='/curate/items/{item_id}/consent']"
    page.check(f"{consent_form} input[name=scopes][value=exhibit]")
    page.check(f"{consent_form} input[name=scopes][value=publish_online]")
    page.check(f"{consent_form} input[name=attribution][value=pseudonym]")
    page.fill(f"{consent_form} #text_version", "2024-02")
    _submit(page, consent_form)
    code = page.locator(".consent-code strong").inner_text().strip()
    assert CONSENT_CODE.match(code), f"no consent code on the receipt: {code!r}"

    # Create an exhibition, add the work, publish.
    page.goto("/curate/exhibitions/new")
    page.fill("#slug", slug)
    page.fill("#titles_en", f"Browser test room {word}")
    _submit(page, "form:has(#slug)")
    expect(page).to_have_url(re.compile(rf"/curate/exhibitions/{slug}$"))
    add_form = f"form[action$='/curate/exhibitions/{slug}/works']"
    page.fill("#q", title)  # the picker's script asks for matches as the curator types
    expect(page.locator(f"#candidates #pick-{item_id}")).to_have_count(1)
    page.check(f"#pick-{item_id}")
    _submit(page, add_form)
    expect(page.locator("ol.arrangement")).to_contain_text(title)
    _submit(page, f"form[action$='/curate/exhibitions/{slug}/publish']")
    expect(page.locator(f"form[action$='/curate/exhibitions/{slug}/unpublish']")).to_have_count(1)

    # A visitor (no session) finds the work by its title once the search follower has indexed it.
    visitor = new_page()
    hit = visitor.locator("ol.hits li.hit", has_text=title)
    deadline = time.monotonic() + SEARCH_WAIT
    while True:
        visitor.goto(f"/search?q={quote(word)}&lang=en")
        if hit.count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(pseudonym)
    expect(hit).not_to_contain_text(name)

    # The hit leads to the work's own page: title, credit by pseudonym, the image with its alt text.
    item_link = hit.locator(f"a[href*='/items/{item_id}']")
    expect(item_link).to_have_count(1)
    with visitor.expect_navigation():
        item_link.click()
    assert f"/items/{item_id}" in visitor.url
    main = visitor.locator("main")
    expect(main).to_contain_text(title)
    expect(main).to_contain_text(pseudonym)
    expect(main).not_to_contain_text(name)
    _shows_the_lantern(visitor, main.locator("img").first, live_server.origin)

    # The published exhibition shows the same work, with the same image.
    visitor.goto(f"/exhibitions/{slug}?lang=en")
    work = visitor.locator(f"#item-{item_id}")
    expect(work).to_contain_text(title)
    expect(work).not_to_contain_text(name)
    _shows_the_lantern(visitor, work.locator("img").first, live_server.origin)


def _shows_the_lantern(page: Page, image, origin: str) -> None:
    expect(image).to_have_attribute("alt", "A paper lantern glowing on a dark windowsill")
    _image_is_displayed(page, image)
    src = image.evaluate("img => img.currentSrc")
    assert src.startswith(origin + "/media/"), src
