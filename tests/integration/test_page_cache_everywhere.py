"""The page cache forgets exactly what an event touches, in every process.

Two web apps, each with its own archive opened on the same storage (SQLite files, or one
PostgreSQL database), stand for two processes. Events are recorded through the first; pages
are asked of the second. Renders are counted by template (Flask's ``template_rendered``), so a
page served from the cache shows as no new render.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from flask import Flask, template_rendered

from archive.services.application import ExhibitionArchive
from tests.conftest import CURATOR, Storage
from web import create_app

ONLINE = ["exhibit", "publish_online"]
STATEMENT_NAME = "Dana Example"


@dataclass
class Processes:
    first: ExhibitionArchive
    second: ExhibitionArchive
    app: Flask  # the second process's web app
    renders: Counter[str]
    ids: dict[str, UUID]

    def get(self, path: str) -> tuple[int, str]:
        response = self.app.test_client().get(path)
        return response.status_code, response.get_data(as_text=True)


@pytest.fixture
def processes(storage: Storage, tmp_path) -> Iterator[Processes]:
    first, second = storage.open(), storage.open()
    anonymous = first.contributors.register_contributor(name="Aigerim Testova", actor=CURATOR)
    named = first.contributors.register_contributor(name="Named Person", actor=CURATOR)
    ids = {"anonymous": anonymous}

    def work(key: str, contributor: UUID, attribution: str) -> UUID:
        item = first.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": f"Work-{key}"})
        first.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution=attribution, text_version="v1")
        ids[key] = item
        return item

    def exhibition(slug: str, *works: UUID) -> None:
        made = first.curation.create_exhibition(
            slug=slug, actor=CURATOR, titles={"en": f"Show-{slug}"},
            statement={"en": f"With words by {STATEMENT_NAME}."},
        )
        for item in works:
            first.curation.add_to_exhibition(made, item, actor=CURATOR, wall_text={"en": "wall"})
        first.curation.publish_exhibition(made, actor=CURATOR)

    exhibition("first-show", work("one", anonymous, "anonymous"), work("two", named, "named"))
    exhibition("second-show", work("three", named, "named"))
    work("unrelated", named, "named")

    app = create_app({"TESTING": True, "ARCHIVE": second, "SECRET_KEY": "test",
                      "ARCHIVE_INDEX_DIR": str(tmp_path / "index")})
    renders: Counter[str] = Counter()

    def count(sender, template, context, **extra) -> None:
        renders[template.name] += 1

    template_rendered.connect(count, app)
    yield Processes(first, second, app, renders, ids)
    template_rendered.disconnect(count, app)
    first.close()
    second.close()


def shows(p: Processes, *paths: str) -> None:
    """Ask the second process for ``paths``, so that each is cached there."""
    for path in paths:
        assert p.get(path)[0] == 200, path


def test_an_event_on_an_unrelated_item_keeps_the_exhibition_page_cached(processes: Processes):
    p = processes
    shows(p, "/exhibitions/first-show", "/exhibitions/first-show")
    assert p.renders["exhibitions/show.html"] == 1
    p.first.cataloguing.revise_item(p.ids["unrelated"], actor=CURATOR, title={"en": "Renamed-unrelated"})
    p.first.cataloguing.record_artwork(contributor_id=p.ids["anonymous"], actor=CURATOR, title={"en": "New, unpublished"})
    status, page = p.get("/exhibitions/first-show")
    assert status == 200 and "Work-one" in page
    assert p.renders["exhibitions/show.html"] == 1


def test_withdrawing_a_work_forgets_its_pages_on_every_process_and_no_other(processes: Processes):
    p = processes
    work = p.ids["one"]
    shows(p, "/exhibitions/first-show", f"/items/{work}", "/", "/exhibitions", "/exhibitions/second-show")
    before = p.renders.copy()
    p.first.consent.withdraw(work, actor=CURATOR)
    status, page = p.get("/exhibitions/first-show")
    assert status == 200 and "Work-one" not in page and "Work-two" in page
    assert p.get(f"/items/{work}")[0] == 404
    shows(p, "/", "/exhibitions", "/exhibitions/second-show")
    assert p.renders["exhibitions/index.html"] == before["exhibitions/index.html"] + 1
    assert p.renders["exhibitions/list.html"] == before["exhibitions/list.html"] + 1
    assert p.renders["exhibitions/show.html"] == before["exhibitions/show.html"] + 1  # not second-show


def test_renaming_a_contributor_forgets_the_pages_of_their_works_exhibitions(processes: Processes):
    p = processes
    assert STATEMENT_NAME in p.get("/exhibitions/first-show")[1]
    shows(p, "/exhibitions/second-show")
    before = p.renders["exhibitions/show.html"]
    # The contributor of an anonymous work in first-show now bears the name its statement uses.
    p.first.contributors.revise_contributor(p.ids["anonymous"], actor=CURATOR, name=STATEMENT_NAME)
    status, page = p.get("/exhibitions/first-show")
    assert status == 200 and STATEMENT_NAME not in page
    assert STATEMENT_NAME in p.get("/exhibitions/second-show")[1]  # her name is not withheld there
    assert p.renders["exhibitions/show.html"] == before + 1  # second-show came from the cache


def test_a_token_used_forgets_no_page(processes: Processes):
    p = processes
    p.first.access.create_curator(username="dana", password="a long enough passphrase", actor=CURATOR)
    token = p.first.access.issue_api_token("dana", actor=CURATOR)
    shows(p, "/exhibitions/first-show", f"/items/{p.ids['one']}")
    before, position = p.renders.copy(), p.first.recorder.max_notification_id()
    assert p.first.access.curator_for_token(token) is not None
    assert p.first.recorder.max_notification_id() == position + 1  # the day's use, noted
    shows(p, "/exhibitions/first-show", f"/items/{p.ids['one']}")
    assert p.renders == before


def test_renaming_a_contributor_forgets_the_listings_and_shown_in_that_now_withhold_the_name(processes: Processes):
    # Listings and an item page's "shown in" read stored exhibition texts (no work is loaded):
    # they must still be forgotten when a work's contributor comes to bear a name they use.
    p = processes
    show = p.first.curation.create_exhibition(slug="quilts", actor=CURATOR, titles={"en": f"Quilts by {STATEMENT_NAME}"})
    p.first.curation.add_to_exhibition(show, p.ids["one"], actor=CURATOR)
    p.first.curation.publish_exhibition(show, actor=CURATOR)
    item_page = f"/items/{p.ids['one']}"
    for path in ("/", "/exhibitions", item_page):
        assert STATEMENT_NAME in p.get(path)[1], path  # cached now, naming the title as it stands
    p.first.contributors.revise_contributor(p.ids["anonymous"], actor=CURATOR, name=STATEMENT_NAME)  # no exhibition event
    for path in ("/", "/exhibitions", item_page):
        status, page = p.get(path)
        assert status == 200 and STATEMENT_NAME not in page, path
