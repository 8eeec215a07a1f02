"""Behaviour of the throwaway PostgreSQL server used by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.postgres import (
    NO_BINARIES_MESSAGE,
    PostgresServer,
    PostgresUnavailable,
    find_postgres_bin,
)
from tests.support.services import REQUIRE_SERVICES_ENV, skip_or_fail


def _require_binaries() -> None:
    if find_postgres_bin() is None:
        skip_or_fail(NO_BINARIES_MESSAGE)


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def _process_running(pid: int) -> bool:
    """True for a live process; an exited one that PID 1 has not reaped yet (zombie) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    _require_binaries()
    with PostgresServer() as running:
        yield running


@pytest.mark.postgres
def test_server_starts_accepts_connections_and_stops() -> None:
    _require_binaries()
    with PostgresServer() as server:
        data_dir = server.data_dir
        pid = _postmaster_pid(data_dir)
        assert server.dsn("postgres") == f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
        with psycopg.connect(server.dsn("postgres")) as conn:
            user, address, encoding = conn.execute(
                "SELECT current_user, inet_server_addr()::text, pg_encoding_to_char(encoding) "
                "FROM pg_database WHERE datname = current_database()"
            ).fetchone()
        assert (user, address, encoding) == ("postgres", "127.0.0.1/32", "UTF8")
        assert server.running
    assert not server.running
    assert not data_dir.exists()
    assert not _process_running(pid)


@pytest.mark.postgres
def test_create_database_returns_a_connectable_name(server: PostgresServer) -> None:
    name = server.create_database("archive_created")
    assert name == "archive_created"
    with psycopg.connect(server.dsn(name)) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (name,)


@pytest.mark.postgres
def test_database_files_are_listed_after_checkpoint(server: PostgresServer) -> None:
    dbname = server.create_database("archive_files")
    marker = b"distinctive-marker-7f3a9c1e-plaintext"
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        conn.execute("CREATE TABLE blobs (payload bytea)")
        conn.execute("INSERT INTO blobs VALUES (%s)", (marker,))
    server.checkpoint()

    files = server.database_files(dbname)

    assert files
    assert all(path.is_file() and server.data_dir / "base" in path.parents for path in files)
    assert any(marker in path.read_bytes() for path in files)


@pytest.mark.postgres
def test_database_files_of_unknown_database_raise_lookup_error(server: PostgresServer) -> None:
    with pytest.raises(LookupError):
        server.database_files("no_such_database")


@pytest.mark.postgres
def test_stop_is_idempotent() -> None:
    _require_binaries()
    server = PostgresServer().start()
    data_dir = server.data_dir
    pid = _postmaster_pid(data_dir)
    server.stop()
    server.stop()
    assert not server.running
    assert not data_dir.exists()
    assert not _process_running(pid)


def test_stop_before_start_does_nothing() -> None:
    PostgresServer().stop()


def test_missing_binaries_raise_postgres_unavailable(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailable, match="initdb, pg_ctl, postgres"):
        PostgresServer(bin_dir=tmp_path).start()


def test_newest_binary_directory_is_found_by_numeric_version(tmp_path: Path) -> None:
    for version, complete in [("9.6", True), ("10", True), ("16", False), ("notaversion", True)]:
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        for name in ("initdb", "pg_ctl", "postgres") if complete else ("initdb",):
            (bin_dir / name).write_text("#!/bin/sh\n")
            (bin_dir / name).chmod(0o755)

    assert find_postgres_bin(tmp_path) == tmp_path / "10" / "bin"
    assert find_postgres_bin(tmp_path / "empty") is None


def test_missing_service_skips_unless_services_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_SERVICES_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("no widget")
    monkeypatch.setenv(REQUIRE_SERVICES_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="no widget"):
        skip_or_fail("no widget")
