"""The key table in its own SQLite file, with deletes that leave no bytes behind.

``PRAGMA secure_delete`` makes SQLite overwrite deleted content with zeros in the main
file; the old page images in the write-ahead log are removed by a ``TRUNCATE`` checkpoint.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

from archive.crypto import MasterKey
from archive.keystore import CACHE_SECONDS, KeyStore, WrappedRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS data_keys (
    subject_id BLOB PRIMARY KEY,
    wrapped_key BLOB NOT NULL,
    master_key_id TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""
CHECKPOINT_ATTEMPTS = 100
CHECKPOINT_PAUSE = 0.05


class KeyDeletionIncomplete(RuntimeError):
    """The write-ahead log could not be truncated because another reader held it open."""


class SQLiteKeyStore(KeyStore):
    """Data keys in an SQLite file (WAL mode, secure delete, full sync)."""

    def __init__(self, path: Path, master_key: MasterKey, cache_seconds: float = CACHE_SECONDS):
        super().__init__(master_key, cache_seconds)
        self.path = Path(path)
        self._db_lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=30
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(SCHEMA)
        self.path.chmod(0o600)

    def _release(self) -> None:
        with self._db_lock:
            self._conn.close()

    def _insert(self, rows: list[WrappedRow]) -> None:
        now = datetime.now(timezone.utc).isoformat()
        with self._db_lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT INTO data_keys VALUES (?, ?, ?, ?)",
                    [(s.bytes, w, k, now) for s, w, k in rows],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _select(self, subject_id: UUID) -> tuple[bytes, str] | None:
        with self._db_lock:
            row = self._conn.execute(
                "SELECT wrapped_key, master_key_id FROM data_keys WHERE subject_id = ?",
                (subject_id.bytes,),
            ).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def _rows(self) -> list[WrappedRow]:
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT subject_id, wrapped_key, master_key_id FROM data_keys ORDER BY created_at"
            ).fetchall()
        return [(UUID(bytes=bytes(s)), bytes(w), k) for s, w, k in rows]

    def _delete_physically(self, subject_ids: list[UUID]) -> None:
        with self._db_lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "DELETE FROM data_keys WHERE subject_id = ?", [(s.bytes,) for s in subject_ids]
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._truncate_wal()

    def _replace_rows(self, rows: Iterable[WrappedRow]) -> None:
        with self._db_lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "UPDATE data_keys SET wrapped_key = ?, master_key_id = ? WHERE subject_id = ?",
                    [(w, k, s.bytes) for s, w, k in rows],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._truncate_wal()

    def _truncate_wal(self) -> None:
        """Copy every WAL frame into the main file and truncate the WAL to zero bytes."""
        for _ in range(CHECKPOINT_ATTEMPTS):
            busy, _log, _done = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(CHECKPOINT_PAUSE)
        raise KeyDeletionIncomplete(
            f"{self.path.name}: another process kept the write-ahead log open; the key row is "
            "deleted but older copies remain in the log until the next checkpoint."
        )
