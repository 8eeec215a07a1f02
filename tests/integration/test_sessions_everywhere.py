"""Sessions end everywhere: a cookie copied before the end is refused afterwards by another process.

Two web apps, each with its own archive opened on the same storage (SQLite files, or one
PostgreSQL database), stand for two processes or hosts behind a load balancer. A browser signs
in on the first; a copy of its cookie works on the second; after the session ends on the first,
the copy is refused on the second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive.services.application import ExhibitionArchive
from tests.conftest import Storage
from web import create_app

SECRET = "two-processes-one-secret"
CURATOR = "curator:test-curator"
PASSWORD = "a long enough passphrase"
COOKIE = "session"


@dataclass
class Processes:
    first: ExhibitionArchive
    second: ExhibitionArchive
    first_app: Flask
    second_app: Flask
    code: str
    contributor_id: object


@pytest.fixture
def processes(storage: Storage, tmp_path) -> Iterator[Processes]:
    first, second = storage.open(), storage.open()
    contributor = first.contributors.register_contributor(name="Aigerim Testova", actor=CURATOR)
    item = first.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"kk": "әңгіме"}, language="kk",
        content_note={"en": "Mentions violence."}, title={"en": "A testimony"},
    )
    code = first.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="anonymous", text_version="v1").code
    first.access.create_curator(username="dana", password=PASSWORD, actor=CURATOR)

    def app(archive: ExhibitionArchive, folder: str) -> Flask:
        return create_app({
            "TESTING": True, "ARCHIVE": archive, "SECRET_KEY": SECRET, "CONSENT_MIN_CHECK_SECONDS": 0,
            "ARCHIVE_INDEX_DIR": str(tmp_path / folder),
        })

    yield Processes(first, second, app(first, "index1"), app(second, "index2"), code, contributor)
    first.close()
    second.close()


def csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser on another process, holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def in_portal(client: FlaskClient) -> bool:
    return client.get("/consent/items").status_code == 200


def in_workspace(client: FlaskClient) -> bool:
    return client.get("/curate/").status_code == 200


# -- the consent portal ----------------------------------------------------------------------------


def leave(client: FlaskClient, p: Processes) -> None:
    assert client.post("/consent/leave", data={"csrf_token": csrf(client, "/consent/items")}).status_code == 303


def quick_exit(client: FlaskClient, p: Processes) -> None:
    assert client.get("/consent/exit").status_code == 303


def new_code(client: FlaskClient, p: Processes) -> None:
    p.first.contributors.issue_consent_code(p.contributor_id, CURATOR)


@pytest.mark.parametrize("end", [leave, quick_exit, new_code], ids=["leave", "quick exit", "new code"])
def test_a_copied_portal_cookie_is_refused_on_another_process_after_the_end(
    processes: Processes, end: Callable[[FlaskClient, Processes], None]
):
    browser = processes.first_app.test_client()
    response = browser.post("/consent", data={"csrf_token": csrf(browser, "/consent"), "code": processes.code})
    assert response.status_code == 303
    thief = copy_of(browser, processes.second_app)
    assert in_portal(thief)  # the same session, seen by the other process
    end(browser, processes)
    assert not in_portal(thief)
    assert not in_portal(copy_of(browser, processes.second_app))
    assert not in_portal(browser)


# -- the workspace -------------------------------------------------------------------------------


def log_out(client: FlaskClient, p: Processes) -> None:
    assert client.post("/curate/logout", data={"csrf_token": csrf(client, "/curate/")}).status_code == 302


def log_out_everywhere(client: FlaskClient, p: Processes) -> None:
    response = client.post("/curate/logout-everywhere", data={"csrf_token": csrf(client, "/curate/account")})
    assert response.status_code == 302


def change_password(client: FlaskClient, p: Processes) -> None:
    p.second.access.change_password("dana", "another long passphrase", actor="system:cli")


def deactivate(client: FlaskClient, p: Processes) -> None:
    p.second.access.deactivate_curator("dana", actor="system:cli")


@pytest.mark.parametrize(
    "end", [log_out, log_out_everywhere, change_password, deactivate],
    ids=["log out", "log out everywhere", "password change", "deactivation"],
)
def test_a_copied_workspace_cookie_is_refused_on_another_process_after_the_end(
    processes: Processes, end: Callable[[FlaskClient, Processes], None]
):
    browser = processes.first_app.test_client()
    response = browser.post("/curate/login", data={
        "csrf_token": csrf(browser, "/curate/login"), "username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    thief = copy_of(browser, processes.second_app)
    assert in_workspace(thief)
    end(browser, processes)
    assert not in_workspace(thief)
    assert not in_workspace(browser)


def test_logging_out_everywhere_ends_the_other_browsers_sessions_too(processes: Processes):
    laptop, phone = processes.first_app.test_client(), processes.second_app.test_client()
    for browser in (laptop, phone):
        assert browser.post("/curate/login", data={
            "csrf_token": csrf(browser, "/curate/login"), "username": "dana", "password": PASSWORD}).status_code == 302
    log_out_everywhere(phone, processes)
    assert not in_workspace(laptop)
    assert not in_workspace(phone)
