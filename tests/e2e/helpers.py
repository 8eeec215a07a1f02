"""Using the site as a browser does: the app under test, its CSRF tokens, forms and the login.

Plain functions for the e2e tests; the fixtures built on them are in ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from archive.services.application import ExhibitionArchive
from archive.search.follower import SearchFollower
from web import create_app
from tests.fakes import InMemoryMediaStore

#: The password of the curator ``dana`` that the ``curator`` fixture creates.
PASSWORD = "a long enough passphrase"
#: Consent that lets an item be shown in exhibitions and online.
ONLINE = ["exhibit", "publish_online"]

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


def site_app(archive: Any, **config: Any) -> Flask:
    """The web app over ``archive`` for tests; ``config`` adds to or overrides the defaults."""
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test-secret",
                       "CONSENT_MIN_CHECK_SECONDS": 0, **config})


def csrf(client: Any, path: str) -> str:
    """The CSRF token of the form on the page at ``path`` (after its redirects)."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    found = _CSRF.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def post(client: Any, path: str, data: dict[str, Any], form_page: str | None = None, **kwargs: Any) -> Any:
    """Submit a form as the page shows it: with its CSRF token and the version it was filled in on."""
    page = client.get(form_page or path, follow_redirects=True).get_data(as_text=True)
    token = _CSRF.search(page)
    assert token, f"no CSRF token on {form_page or path}"
    fields = {"csrf_token": token.group(1)}
    version = _VERSION.search(page)
    if version:
        fields["version"] = version.group(1)
    return client.post(path, data={**fields, **data}, **kwargs)


def login(client: Any, username: str = "dana", password: str = PASSWORD) -> Any:
    """Sign in to the curators' workspace through its login form."""
    return client.post("/curate/login", data={"csrf_token": csrf(client, "/curate/login"),
                                              "username": username, "password": password})


@dataclass
class ApiWorld:
    """The JSON API over in-memory events, keys and media, a real index and a signed-in token."""

    archive: ExhibitionArchive
    media: InMemoryMediaStore
    follower: SearchFollower
    client: FlaskClient
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def events(self) -> int:
        return self.archive.recorder.max_notification_id() or 0
