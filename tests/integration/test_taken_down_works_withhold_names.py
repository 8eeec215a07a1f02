"""A work taken down from an exhibition keeps withholding its contributor's names from the
exhibition's own texts and wall texts, on every surface: the page, the listings, the API, the
search (the exhibition's document) and pages served from the cache.

She narrows her credit (often together with asking for her work to come down); the texts that
named her were written while the work hung, and a curator rarely rewrites them. Both orders
are tried: narrowed then taken down, and taken down then narrowed (no exhibition event then).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.search.follower import SearchFollower
from web.bootstrap import open_search_index
from tests.conftest import CURATOR, Storage
from web import create_app

ONLINE = ["exhibit", "publish_online"]
NAME_FORMS = ("Ysolda", "Qorvathenko", "Vexmaraquill")
PAGES = ("/?lang=en", "/exhibitions?lang=en", "/exhibitions/letters?lang=en", "/api/v1/exhibitions",
         "/api/v1/exhibitions/letters")


@dataclass
class Show:
    archive: ExhibitionArchive
    her: UUID
    quilt: UUID
    lamp: UUID
    show: UUID


def _hang(archive: ExhibitionArchive) -> Show:
    """Her quilt (credited by name) and another's lamp, in a published exhibition whose title
    (shown by every listing), statement and the lamp's wall text name her."""
    her = archive.contributors.register_contributor(name="Ysolda Qorvathenko", pseudonym="Vexmaraquill", actor=CURATOR)
    other = archive.contributors.register_contributor(name="Dana Open", actor=CURATOR)
    quilt = archive.cataloguing.record_artwork(contributor_id=her, actor=CURATOR, title={"en": "Quilt"})
    lamp = archive.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Lamp"})
    for item in (quilt, lamp):
        archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    show = archive.curation.create_exhibition(
        slug="letters", actor=CURATOR, titles={"en": "Letters to Ysolda"},
        statement={"en": "Quilts by Ysolda Qorvathenko (Vexmaraquill)."},
    )
    archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
    archive.curation.add_to_exhibition(show, lamp, actor=CURATOR, wall_text={"en": "Lit for Ysolda Qorvathenko."})
    archive.curation.publish_exhibition(show, actor=CURATOR)
    return Show(archive, her, quilt, lamp, show)


@pytest.fixture
def hung(storage: Storage) -> Iterator[Show]:
    archive = storage.open()
    try:
        yield _hang(archive)
    finally:
        archive.close()


def _client(archive: ExhibitionArchive, **config: object) -> FlaskClient:
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", **config}).test_client()


def _naming(client: FlaskClient, paths: tuple[str, ...]) -> dict[str, list[str]]:
    """For each path that shows a form of her names, which ones."""
    named = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = json.dumps(response.get_json(), ensure_ascii=False) if path.startswith("/api/") else response.get_data(
            as_text=True)
        found = [form for form in NAME_FORMS if form in body]
        if found:
            named[path] = found
    return named


def _take_down_and_narrow(s: Show, *, narrow_first: bool) -> None:
    steps = [
        lambda: s.archive.consent.update_consent(s.quilt, actor=CURATOR, attribution="anonymous"),
        lambda: s.archive.curation.remove_from_exhibition(s.show, s.quilt, actor=CURATOR),
    ]
    for step in steps if narrow_first else reversed(steps):
        step()


@pytest.mark.parametrize("narrow_first", [True, False], ids=["narrowed-then-taken-down", "taken-down-then-narrowed"])
def test_no_page_or_api_names_her_after_her_work_is_taken_down(hung: Show, narrow_first: bool):
    client = _client(hung.archive, PAGE_CACHE=False)
    lamp_pages = (f"/items/{hung.lamp}?lang=en",)  # "shown in" the exhibition, by its title
    assert set(_naming(client, PAGES + lamp_pages)) == {*PAGES, *lamp_pages}  # the control: she consents

    _take_down_and_narrow(hung, narrow_first=narrow_first)

    assert _naming(client, PAGES + lamp_pages) == {}
    assert "Lit for […]" in client.get("/exhibitions/letters?lang=en").get_data(as_text=True)


def test_texts_rebuilt_from_the_log_still_withhold_her_names(hung: Show):
    _take_down_and_narrow(hung, narrow_first=False)
    hung.archive.rebuild_read_models()

    assert _naming(_client(hung.archive, PAGE_CACHE=False), PAGES) == {}


def test_a_cached_page_is_forgotten_when_a_taken_down_work_narrows_its_credit(hung: Show):
    client = _client(hung.archive)  # the page cache on
    hung.archive.curation.remove_from_exhibition(hung.show, hung.quilt, actor=CURATOR)
    assert set(_naming(client, PAGES)) == set(PAGES)  # and cached now

    hung.archive.consent.update_consent(hung.quilt, actor=CURATOR, attribution="anonymous")  # no exhibition event

    assert _naming(client, PAGES) == {}


# -- the search -------------------------------------------------------------------------------


@pytest.fixture
def searched(tmp_path: Path) -> Iterator[tuple[Show, SearchFollower, FlaskClient]]:
    from web.bootstrap import open_archive

    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    writer = open_search_index(settings, writable=True)
    reader = open_search_index(settings, writable=False)
    client = _client(archive, SEARCH=reader, PAGE_CACHE=False)
    try:
        yield _hang(archive), SearchFollower(archive, writer), client
    finally:
        reader.close()
        writer.close()
        archive.close()


def _hits(client: FlaskClient, query: str) -> list[str]:
    page = client.get(f"/search?q={query}&lang=en").get_data(as_text=True)
    return re.findall(r'<li class="hit hit-\w+">.*?</li>', page, flags=re.S)


@pytest.mark.parametrize("follower_ran", [True, False], ids=["re-indexed", "index-lagging"])
def test_the_exhibition_is_not_found_by_her_name_after_her_work_is_taken_down(searched, follower_ran: bool):
    s, follower, client = searched
    s.archive.curation.remove_from_exhibition(s.show, s.quilt, actor=CURATOR)
    follower.catch_up()
    assert any("Qorvathenko" in hit for hit in _hits(client, "Qorvathenko"))  # the control

    s.archive.consent.update_consent(s.quilt, actor=CURATOR, attribution="anonymous")
    if follower_ran:
        follower.catch_up()

    shown = [hit for query in ("Qorvathenko", "Quilts", "Letters") for hit in _hits(client, query)]
    assert [hit for hit in shown if any(form in hit for form in NAME_FORMS)] == []


def test_an_exhibition_snapshotted_by_the_release_before_still_knows_the_work_taken_down(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
):
    """The release before kept no list of works ever hung, so its snapshots hold none: an
    exhibition restored from one must recall, from its events, the works taken down before it,
    or her name comes back (and a rebuild of the read models would forget her work too)."""
    from domain.exhibitions import Exhibition

    archive = storage.open()
    try:
        with monkeypatch.context() as release_before:  # appliers that leave no list behind
            for event in (Exhibition.Created, Exhibition.WorkAdded):
                def forgetting(self, exhibition, apply=event.apply):  # noqa: ANN001, ANN202
                    apply(self, exhibition)
                    exhibition.__dict__.pop("hung_ever", None)
                release_before.setattr(event, "apply", forgetting)
            s = _hang(archive)
            _take_down_and_narrow(s, narrow_first=False)
            archive.take_snapshot(s.show)
        # The new release: another work is hung after the snapshot, and the read models rebuilt.
        other = archive.contributors.register_contributor(name="Mira Later", actor=CURATOR)
        later = archive.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Later"})
        archive.consent.record_consent(later, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
        archive.curation.add_to_exhibition(s.show, later, actor=CURATOR)
        archive.rebuild_read_models()

        assert s.quilt in archive.get_exhibition(s.show).works_ever_hung
        assert _naming(_client(archive, PAGE_CACHE=False), PAGES) == {}
    finally:
        archive.close()
