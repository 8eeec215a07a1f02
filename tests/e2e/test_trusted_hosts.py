"""Trusted host names: a forged Host header gets no page, pages are cached per host, HTTPS is kept."""

from __future__ import annotations

import pytest
from flask import request

from archive.config import Settings
from archive.errors import ConfigurationError
from archive.credentials.rate_counters_sqlite import SQLiteRateCounters
from web import create_app
from web.page_cache import cached_page

HOSTS = "archive.example.org,www.archive.example.org"


@pytest.fixture
def no_archive_settings(monkeypatch, tmp_path):
    """Only what a test passes configures the app, and its files (rate-limit counters, the
    secret key) go to the test's own folder, not to ./var wherever the tests run."""
    import os

    for name in list(os.environ):
        if name.startswith("ARCHIVE_") and name != "ARCHIVE_REQUIRE_SERVICES":
            monkeypatch.delenv(name)
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "no-settings"))


def app_for(archive, **config):
    return create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "test", **config})


def test_a_forged_host_header_is_refused_on_pages_the_api_and_unknown_paths(archive):
    client = app_for(archive, ARCHIVE_TRUSTED_HOSTS=HOSTS).test_client()
    for path in ("/about", "/search?q=x&_external=1", "/api/v1/exhibitions", "/no-such-page", "/curate/login"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert response.get_data(as_text=True) == "This site does not answer to that host name.", path
    for host in ("archive.example.org", "www.archive.example.org", "archive.example.org:8443"):
        assert client.get("/about", headers={"Host": host}).status_code == 200, host


def test_trusted_hosts_are_required_with_postgresql(archive, no_archive_settings, tmp_path):
    database = {"ARCHIVE_DATABASE_URL": "postgresql://archive:secret@127.0.0.1:9/archive",
                "ARCHIVE_SECRET_KEY": "shared", "ARCHIVE_MASTER_KEY": "unused"}
    with pytest.raises(ConfigurationError, match="ARCHIVE_TRUSTED_HOSTS is required with PostgreSQL"):
        create_app({"ARCHIVE": archive, **database})
    counters = SQLiteRateCounters(tmp_path / "rate_limits.sqlite3", "shared")  # no server at port 9
    app = create_app({"ARCHIVE": archive, **database, "ARCHIVE_TRUSTED_HOSTS": HOSTS, "RATE_COUNTERS": counters})
    assert app.config["TRUSTED_HOSTS"] == ["archive.example.org", "www.archive.example.org"]


def test_the_embedded_default_answers_to_any_host_unless_told(archive, no_archive_settings):
    assert create_app({"ARCHIVE": archive, "SECRET_KEY": "test"}).config["TRUSTED_HOSTS"] is None


@pytest.mark.parametrize("value", ["https://archive.example.org", "archive.example.org:443", "*",
                                   "archive.example.org/path", "a..b"])
def test_a_trusted_host_must_be_a_host_name(value, tmp_path):
    with pytest.raises(ConfigurationError, match="is not a host name"):
        Settings.from_environ({"ARCHIVE_DATA_DIR": str(tmp_path), "ARCHIVE_TRUSTED_HOSTS": value})


def test_trusted_hosts_are_read_as_a_list_with_subdomain_suffixes(tmp_path):
    settings = Settings.from_environ({"ARCHIVE_DATA_DIR": str(tmp_path),
                                      "ARCHIVE_TRUSTED_HOSTS": " Archive.Example.org , .example.kz,[::1]"})
    assert settings.trusted_hosts == ("archive.example.org", ".example.kz", "[::1]")


def test_a_cached_page_is_never_served_for_another_host(archive):
    app = app_for(archive, ARCHIVE_TRUSTED_HOSTS="a.example,b.example")
    app.add_url_rule("/which-host", "which_host", cached_page()(lambda: f"rendered for {request.host}"))
    client = app.test_client()
    assert client.get("/which-host", headers={"Host": "a.example"}).get_data(as_text=True) == "rendered for a.example"
    assert client.get("/which-host", headers={"Host": "b.example"}).get_data(as_text=True) == "rendered for b.example"


def test_browsers_are_told_to_keep_to_https_when_cookies_are_secure(archive, no_archive_settings):
    secure = app_for(archive).test_client().get("/about")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    local = app_for(archive, ARCHIVE_SECURE_COOKIES="0").test_client().get("/about")
    assert "Strict-Transport-Security" not in local.headers
