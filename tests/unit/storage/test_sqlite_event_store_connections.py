"""The event store's SQLite connections keep their prepared statements
(``archive.storage.sqlite_events``: eventsourcing 9.5.6 asks for a cache of one)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.config import Settings
from archive.storage import sqlite_events
from web.bootstrap import open_archive


def test_the_archive_opens_its_event_store_through_the_statement_caching_pool(tmp_path: Path) -> None:
    archive = open_archive(Settings(data_dir=tmp_path))
    try:
        assert isinstance(archive.factory.datastore.pool, sqlite_events.StatementCachingPool)
        assert archive.factory.datastore.pool.db_name == str(tmp_path / "events.sqlite3")
    finally:
        archive.close()


def test_each_connection_is_opened_with_a_statement_cache_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[dict[str, Any]] = []
    connect = sqlite3.connect

    def recording_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(kwargs)
        return connect(*args, **kwargs)

    monkeypatch.setattr(sqlite_events.sqlite3, "connect", recording_connect)
    pool = sqlite_events.StatementCachingPool(db_name=str(tmp_path / "events.sqlite3"), lock_timeout=7)

    connection = pool.get_connection(is_writer=False)
    try:
        with connection.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode;")
            assert cursor.fetchone()[0] == "wal"
    finally:
        pool.put_connection(connection)
        pool.close()

    assert [(k["cached_statements"], k["timeout"], k["isolation_level"]) for k in opened] == [
        (sqlite_events.STATEMENT_CACHE, 7, None)
    ]
    assert sqlite_events.STATEMENT_CACHE > 1
