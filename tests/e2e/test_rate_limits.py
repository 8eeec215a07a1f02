"""Rate limits on consent codes and logins: per real client behind a trusted proxy, counted
before they are evaluated, and refused with a time to wait (issue 13, part 4).

The same limits across gunicorn workers are tested in tests/integration/test_shared_rate_limits.py.
"""

from __future__ import annotations

import threading

import pytest

from archive.credentials import consent_codes
from tests.e2e.helpers import site_app

CURATOR = "curator:dana"
PROXY = "10.0.0.2"  # the load balancer's address, as the web process sees the socket
GENERIC = "This code did not work."


@pytest.fixture
def code(archive) -> str:
    contributor = archive.contributors.register_contributor(name="Aigerim Testova", actor=CURATOR)
    item = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Threshold"})
    issued = archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1").code
    assert issued is not None
    return issued


def _app(archive, **config):
    return site_app(archive, WTF_CSRF_ENABLED=False, **config)


def _enter(client, code: str, forwarded_for: str | None = None, socket: str = PROXY, **kwargs):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/consent", data={"code": code}, headers=headers, environ_base={"REMOTE_ADDR": socket}, **kwargs)


def test_clients_behind_one_trusted_proxy_are_limited_one_by_one(archive, code):
    client = _app(archive, ARCHIVE_PROXY_HOPS="1").test_client()
    guesser, contributor = "198.51.100.7", "203.0.113.40"
    statuses = [_enter(client, consent_codes.new_code(), guesser).status_code for _ in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    # The contributor reaches the archive through the same proxy: not locked out by the guesser.
    assert _enter(client, consent_codes.new_code(), contributor).status_code == 401
    assert _enter(client, code, contributor).status_code == 303


def test_a_client_cannot_escape_its_limit_by_forging_forwarded_addresses(archive):
    client = _app(archive, ARCHIVE_PROXY_HOPS="1").test_client()
    # The client sends its own X-Forwarded-For; the one trusted proxy appends the real address.
    statuses = [_enter(client, consent_codes.new_code(), f"192.0.2.{n}, 198.51.100.7").status_code for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2


def test_without_trusted_proxy_hops_a_forwarded_header_is_ignored(archive):
    client = _app(archive).test_client()
    statuses = [_enter(client, consent_codes.new_code(), f"192.0.2.{n}", socket="198.51.100.7").status_code
                for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2


def test_an_ipv6_client_is_counted_by_its_network_not_each_address(archive):
    client = _app(archive).test_client()
    statuses = [_enter(client, consent_codes.new_code(), socket=f"2001:db8:1:2::{n:x}").status_code for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    assert _enter(client, consent_codes.new_code(), socket="2001:db8:1:3::1").status_code == 401


def test_a_parallel_burst_evaluates_no_more_codes_than_the_limit(archive):
    app = _app(archive, CONSENT_MIN_CHECK_SECONDS=0.3)
    evaluated = []
    check = archive.self_service.holder_of_code

    def counted_check(attempt):
        evaluated.append(attempt)
        return check(attempt)

    archive.self_service.holder_of_code = counted_check  # type: ignore[method-assign]
    start = threading.Barrier(40)
    statuses = []

    def attempt():
        client = app.test_client()
        start.wait()
        statuses.append(_enter(client, consent_codes.new_code(), socket="198.51.100.7").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [401] * 10 + [429] * 30
    assert len(evaluated) == 10


def test_a_refused_code_entry_says_how_long_to_wait(archive):
    client = _app(archive).test_client()
    for _ in range(10):
        _enter(client, consent_codes.new_code())
    refused = _enter(client, consent_codes.new_code())
    assert refused.status_code == 429
    assert 590 <= int(refused.headers["Retry-After"]) <= 600  # the 10-minute window opened just now
    assert "please wait 10 minutes before you try again" in refused.get_data(as_text=True)
    in_russian = _enter(client, consent_codes.new_code(), query_string={"lang": "ru"})
    assert in_russian.status_code == 429 and "Осталось ждать: 10 минут." in in_russian.get_data(as_text=True)


def test_a_refused_login_says_how_long_to_wait(archive):
    client = _app(archive).test_client()
    statuses = [client.post("/curate/login", data={"username": "dana", "password": f"wrong {n}"}).status_code
                for n in range(11)]
    assert statuses == [401] * 10 + [429]
    refused = client.post("/curate/login", data={"username": "dana", "password": "wrong again"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Please wait 1 minute before trying again." in refused.get_data(as_text=True)


def test_a_working_code_gives_its_attempt_back(archive, code):
    client = _app(archive).test_client()
    for _ in range(9):
        assert _enter(client, consent_codes.new_code()).status_code == 401
    for _ in range(12):  # more than both limits, were they kept
        assert _enter(client, code).status_code == 303
    assert _enter(client, consent_codes.new_code()).status_code == 401
    assert _enter(client, consent_codes.new_code()).status_code == 429


@pytest.mark.parametrize("hops", ["-1", "one", "1.5"])
def test_a_malformed_proxy_hop_count_is_refused_with_a_clear_message(hops):
    from archive.config import Settings
    from archive.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="ARCHIVE_PROXY_HOPS"):
        Settings.from_environ({"ARCHIVE_PROXY_HOPS": hops})
