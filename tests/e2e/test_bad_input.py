"""No 500 from bad input: each malformed request gets a clear answer and changes nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import CURATOR
from web import create_app

PASSWORD = "a long enough password for tests"


@pytest.fixture
def app(archive):
    archive.create_curator(username="dana", password=PASSWORD, actor=CURATOR)
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


# -- next= at login -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/curate/\n", "/curate/\r\nSet-Cookie: a=b", "/curate/\t", "/curate/\x00",
                                    "/curate/\u2028", "/curate/ x", "/curate/é"])
def test_a_next_address_with_control_or_odd_characters_falls_back_to_the_dashboard(client, target):
    response = client.post(f"/curate/login?next={quote(target)}", data={"username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/curate/"


def test_a_plain_next_address_in_the_workspace_is_still_followed(client):
    response = client.post("/curate/login?next=/curate/consent%3Fa%3D1", data={"username": "dana", "password": PASSWORD})
    assert response.headers["Location"] == "/curate/consent?a=1"
