"""Access logs that cannot betray anyone (issue 13, part 5).

A scripted visit (a contributor enters her code behind the proxy, opens her items, a receipt
page and the quick exit; a visitor searches for her name on the site and in the API) against
gunicorn as the Procfile runs it and against ``archive serve``: the logs hold the visit's
lines but no consent path, no search words and no client address.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from archive.config import Settings
from web.bootstrap import open_archive
from tests.support.web_server import RunningServer, free_port, gunicorn_command, running, serve_command
from web.log_privacy import private_path, private_request_line

CURATOR = "curator:dana"
CLIENT = "203.0.113.77"
SEARCH_WORDS = ("Aigerim", "Testova")

pytestmark = pytest.mark.slow


class Visit:
    """What the visit touched that the logs must not show."""

    def __init__(self, data_dir: Path):
        archive = open_archive(Settings(data_dir=data_dir))
        try:
            contributor = archive.contributors.register_contributor(name=" ".join(SEARCH_WORDS), actor=CURATOR)
            self.item = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Threshold"})
            self.code = archive.consent.record_consent(self.item, actor=CURATOR, scopes=["exhibit", "publish_online"],
                                               attribution="named", text_version="v1").code
        finally:
            archive.close()
        assert self.code is not None

    def run(self, server: RunningServer) -> None:
        jar: dict[str, str] = {}

        def call(method: str, path: str, body: dict[str, str] | None = None, expect: tuple[int, ...] = (200,)):
            headers = {"X-Forwarded-For": CLIENT}
            if jar:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            response = server.request(method, path, urlencode(body) if body is not None else None, headers)
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                jar[name] = rest.split(";", 1)[0]
            assert response.status in expect, (method, path, response.status)
            return response

        page = call("GET", "/consent?lang=en").data.decode()
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        entered = call("POST", "/consent?lang=en", {"csrf_token": csrf, "code": self.code}, expect=(303,))
        assert "/consent/items" in entered.getheader("Location")
        call("GET", "/consent/items?lang=en")
        call("GET", f"/consent/items/{self.item}?lang=en")
        call("GET", "/consent/receipts/R-7K3M-Q9XD", expect=(404,))
        call("GET", "/consent/exit", expect=(302, 303))
        words = quote(" ".join(SEARCH_WORDS))
        call("GET", f"/search?q={words}&lang=ru")
        call("GET", f"/api/v1/search?q={words}", expect=(200, 503))


def _assert_private(log: str, visit: Visit, access_lines: list[str]) -> None:
    assert any('"GET /consent/… HTTP/1.1" 200' in line for line in access_lines), "the visit was logged"
    assert any('"GET /search HTTP/1.1" 200' in line for line in access_lines)
    assert any('"GET /api/v1/search HTTP/1.1"' in line for line in access_lines)
    for secret in (CLIENT, str(visit.item), visit.code, "R-7K3M-Q9XD", "consent/items", "consent/receipts",
                   "consent/exit", "q=", *SEARCH_WORDS):
        assert secret not in log, secret
    for line in access_lines:
        assert "127.0.0.1" not in line, line


@pytest.fixture
def visit(tmp_path) -> Visit:
    return Visit(tmp_path / "var")


def _env(tmp_path) -> dict[str, str]:
    return {"ARCHIVE_DATA_DIR": str(tmp_path / "var"), "ARCHIVE_PROXY_HOPS": "1", "ARCHIVE_SECURE_COOKIES": "0"}


def test_gunicorn_as_the_procfile_runs_it_logs_no_consent_path_query_or_address(tmp_path, visit):
    port = free_port()
    with running(gunicorn_command(port, "web:create_app()"), port, _env(tmp_path), tmp_path) as server:
        visit.run(server)
    access = server.stdout.read_text()
    _assert_private(access + server.stderr.read_text(), visit, [line for line in access.splitlines() if '"' in line])


def test_the_development_server_logs_no_consent_path_query_or_address(tmp_path, visit):
    port = free_port()
    with running(serve_command(port), port, _env(tmp_path), tmp_path) as server:
        visit.run(server)
    log = server.stdout.read_text() + server.stderr.read_text()
    _assert_private(log, visit, [line for line in log.splitlines() if '"GET ' in line or '"POST ' in line])


@pytest.mark.parametrize(("path", "logged"), [
    ("/consent", "/consent"),
    ("/consent/items/5f0c/images/1.webp", "/consent/…"),
    ("//consent/receipts/R-7K3M-Q9XD", "/consent/…"),
    ("/Consent/items", "/consent/…"),
    ("/search", "/search"),
    ("/search/aigerim testova", "/search"),
    ("/api/v1/search", "/api/v1/search"),
    ("/exhibitions/silent-room", "/exhibitions/silent-room"),
    ("/items/a\x1b[2Jb", "/items/a\\x1b[2Jb"),
])
def test_a_path_is_logged_without_what_could_identify_a_contributor(path, logged):
    assert private_path(path) == logged


def test_a_request_line_is_logged_without_its_query(tmp_path):
    assert private_request_line("GET", "/search?q=Aigerim", "HTTP/1.1") == "GET /search HTTP/1.1"
    assert private_request_line("GET", "/%63onsent/items/1?lang=ru", "HTTP/1.1") == "GET /consent/… HTTP/1.1"
    assert private_request_line("BREW", "/items?page=2", "HTCPCP/1.0") == "- /items -"


def test_no_gunicorn_log_format_can_bring_back_an_address_or_a_query():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import SafeAtoms

    from web.gunicorn_conf import PrivateLogger

    logger = PrivateLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/consent/items/5f0c?lang=ru", "PATH_INFO": "/consent/items/5f0c",
               "QUERY_STRING": "lang=ru", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": CLIENT,
               "HTTP_X_FORWARDED_FOR": CLIENT, "HTTP_REFERER": "https://example.org/?q=Aigerim"}
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", CLIENT), ("REFERER", "https://example.org/?q=Aigerim")])
    response = SimpleNamespace(status="303 SEE OTHER", sent=0, headers=[("Location", "/consent/receipts/R-7K3M-Q9XD")])
    atoms = SafeAtoms(logger.atoms(response, request, environ, timedelta(milliseconds=3)))
    greedy = ('%(h)s %(r)s %(U)s %(q)s %(f)s %(a)s %({x-forwarded-for}i)s %({referer}i)s %({location}o)s '
              '%({remote_addr}e)s %({http_x_forwarded_for}e)s %(s)s')
    line = greedy % atoms
    assert line == "- GET /consent/… HTTP/1.1 /consent/…  - - - - - - - 303"
