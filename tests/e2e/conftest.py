"""Fixtures shared by the end-to-end tests: an archive that holds images, the site over it, a
client, the curator ``dana`` and a client signed in as her.

A test module that needs a differently built archive or app defines its own fixture of the same
name, which takes precedence over these. The helpers these fixtures use (CSRF tokens, forms,
login) are in ``tests/e2e/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive.services import access
from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.search.follower import SearchFollower
from domain import clock
from web.bootstrap import open_search_index
from media_store import PillowImagePipeline
from tests.conftest import CURATOR
from tests.e2e.helpers import ONLINE, PASSWORD, ApiWorld, login, site_app
from tests.fakes import InMemoryMediaStore, in_memory_archive

_API_PASSWORD = "a long enough password"
_API_PASSWORD_HASH = access.hash_password(_API_PASSWORD)  # Argon2 once, not once per test


@pytest.fixture
def media_archive() -> Iterator[ExhibitionArchive]:
    """An archive on in-memory events, keys and media, with the real image pipeline."""
    archive = in_memory_archive(
        media=InMemoryMediaStore(), images=PillowImagePipeline(),
    )
    yield archive
    archive.close()


@pytest.fixture
def curator(media_archive: ExhibitionArchive) -> str:
    """The curator ``dana`` (password ``PASSWORD``); her username."""
    media_archive.access.create_curator(username="dana", password=PASSWORD, actor="system:test", display_name="Dana")
    return "dana"


@pytest.fixture
def app(media_archive: ExhibitionArchive) -> Flask:
    return site_app(media_archive)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def logged_in(client: FlaskClient, curator: str) -> FlaskClient:
    """A client signed in to the workspace as ``dana``."""
    assert login(client).status_code == 302
    return client


# -- the JSON API ------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiWorld]:
    """The API world of tests/e2e/test_api*.py (other modules define their own ``world``)."""
    monkeypatch.setattr(access, "hash_password", lambda password: _API_PASSWORD_HASH)
    media = InMemoryMediaStore()
    archive = in_memory_archive(media=media, images=PillowImagePipeline())
    index = open_search_index(Settings(data_dir=tmp_path), writable=True)
    follower = SearchFollower(archive, index)
    app = site_app(archive, SEARCH=index)
    archive.access.create_curator(username="aigerim", password=_API_PASSWORD, actor=CURATOR)
    token = archive.access.issue_api_token("aigerim", actor=CURATOR, label="tests")
    archive.access.curator_for_token(token)  # today's first use is an event: tests count events after it
    yield ApiWorld(archive, media, follower, app.test_client(), token)
    index.close()
    archive.close()


@pytest.fixture
def site(world: ApiWorld) -> dict[str, Any]:
    """A published exhibition with one item in each consent state; the index lags one withdrawal."""
    archive = world.archive
    person = archive.contributors.register_contributor(name="Named Person", pseudonym="Pseudo", actor=CURATOR)
    ids: dict[str, Any] = {}

    def artwork(key: str, **consent: Any) -> None:
        item = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": f"{key}word title"}, year=2024)
        if consent:
            archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **consent)
        ids[key] = item

    with clock.fixed_at(datetime(2024, 1, 1, tzinfo=timezone.utc)):
        artwork("expired", scopes=ONLINE, attribution="named", expires_on=date(2024, 6, 1))
    artwork("shown", scopes=ONLINE, attribution="named")
    artwork("pseudonymous", scopes=ONLINE, attribution="pseudonym")
    artwork("anonymous", scopes=ONLINE, attribution="anonymous")
    artwork("roomonly", scopes=["exhibit"], attribution="named")
    artwork("onlineonly", scopes=["publish_online"], attribution="named")
    artwork("unconsented")
    artwork("withdrawn", scopes=ONLINE, attribution="named")
    testimony = archive.cataloguing.record_testimony(
        contributor_id=person, actor=CURATOR, text={"ru": "testimonyword свидетельство"}, language="ru",
        content_note={"en": "Mentions violence."}, title={"en": "testimonyword title"},
    )
    archive.consent.record_consent(testimony, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
    ids["testimony"] = testimony
    exhibition = archive.curation.create_exhibition(
        slug="open-show", actor=CURATOR, titles={"en": "Open Show"}, opens_on=date(2024, 1, 1)
    )
    for key, item in ids.items():
        archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text={"en": f"wall-{key}"})
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    archive.curation.create_exhibition(slug="hidden-show", actor=CURATOR, titles={"en": "Hiddenshowword"})
    with clock.fixed_at(datetime(2024, 3, 1, tzinfo=timezone.utc)):
        world.follower.catch_up()  # indexed while the expired consent was still valid
    archive.consent.withdraw(ids["withdrawn"], actor=CURATOR)  # the index has not seen this yet
    return ids
