"""Consent-code limits in gunicorn as the Procfile runs it: two workers, one trusted proxy hop.

1,000 wrong codes from 50 clients behind the proxy: each real client gets exactly its ten
attempts whichever worker answers, another client still gets in, and a parallel burst of 40
from one client evaluates no more than the limit (issue 13, part 4).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from archive.credentials import consent_codes
from archive.config import Settings
from web.bootstrap import open_archive
from tests.support.web_server import free_port, gunicorn_command, running

CURATOR = "curator:dana"
CLIENTS, ATTEMPTS, LIMIT, BURST = 50, 20, 10, 40
APP = "web:create_app({'WTF_CSRF_ENABLED': False, 'CONSENT_MIN_CHECK_SECONDS': 0.02})"

pytestmark = pytest.mark.slow


def _prepare(data_dir: Path) -> str:
    archive = open_archive(Settings(data_dir=data_dir))
    try:
        contributor = archive.contributors.register_contributor(name="Aigerim Testova", actor=CURATOR)
        item = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Threshold"})
        code = archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="named",
                                      text_version="v1").code
    finally:
        archive.close()
    assert code is not None
    return code


@pytest.fixture
def server(tmp_path):
    data_dir = tmp_path / "var"
    code = _prepare(data_dir)
    port = free_port()
    env = {"ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_PROXY_HOPS": "1", "ARCHIVE_SECURE_COOKIES": "0"}
    command = gunicorn_command(port, APP, "--workers", "2", "--threads", "8")
    with running(command, port, env, tmp_path) as running_server:
        yield running_server, code


def _enter(server, code: str, client: str):
    # The proxy (the socket peer, 127.0.0.1) appends the client's address; a forged entry before it is ignored.
    headers = {"X-Forwarded-For": f"192.0.2.1, {client}"}
    return server.request("POST", "/consent", urlencode({"code": code}), headers)


def _pids(server) -> dict[str, set[str]]:
    """Which worker (pid) answered each status, from the access log."""
    answered: dict[str, set[str]] = {}
    for pid, status in re.findall(r'<(\d+)> "POST /consent HTTP/1\.1" (\d{3})', server.stdout.read_text()):
        answered.setdefault(status, set()).add(pid)
    return answered


def test_a_thousand_wrong_codes_from_fifty_clients_behind_a_proxy(server):
    server, code = server
    clients = [f"198.51.100.{n}" for n in range(1, CLIENTS + 1)]
    attempts = [client for _ in range(ATTEMPTS) for client in clients]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda client: (client, _enter(server, consent_codes.new_code(), client)), attempts))
    statuses = {client: Counter() for client in clients}
    for client, response in answers:
        statuses[client][response.status] += 1
        if response.status == 429:
            assert 1 <= int(response.getheader("Retry-After")) <= 600
    assert all(counts == {401: LIMIT, 429: ATTEMPTS - LIMIT} for counts in statuses.values()), statuses
    answered = _pids(server)
    assert len(answered["401"]) == 2, "both workers evaluated codes, and still the limit held per client"
    # Another client behind the same proxy is not locked out.
    assert _enter(server, consent_codes.new_code(), "203.0.113.40").status == 401
    assert _enter(server, code, "203.0.113.40").status == 303


def test_a_parallel_burst_of_forty_evaluates_no_more_than_the_limit(server):
    server, _ = server
    start = threading.Barrier(BURST)

    def attempt(_: int) -> int:
        start.wait()
        return _enter(server, consent_codes.new_code(), "198.51.100.200").status

    with ThreadPoolExecutor(BURST) as pool:
        statuses = Counter(pool.map(attempt, range(BURST)))
    assert statuses == {401: LIMIT, 429: BURST - LIMIT}
