"""The key table in its own SQLite file, with deletes that leave no bytes behind.

``PRAGMA secure_delete`` makes SQLite overwrite deleted content with zeros; the old page
images in the write-ahead log are removed by a ``TRUNCATE`` checkpoint. A delete records the
subjects in ``pending_purges`` in the same transaction; the entry is cleared once the
checkpoint has succeeded, so a checkpoint blocked by another process's reader is retried
later (by the next shred, or when an archive is opened).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

from archive.shredding.crypto import MasterKey
from archive.storage.durable import enter_wal_mode
from archive.shredding.keystore import CACHE_SECONDS, MEDIA, RESERVED, KeyStore, Rewrap, WrappedRow

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS data_keys (
        subject_id BLOB PRIMARY KEY,
        wrapped_key BLOB NOT NULL,
        master_key_id TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE TABLE IF NOT EXISTS pending_purges (subject_id BLOB PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS progress (name TEXT PRIMARY KEY, position INTEGER NOT NULL)",
    """
    CREATE TABLE IF NOT EXISTS pending_work (
        kind TEXT NOT NULL,
        subject_id BLOB NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (kind, subject_id)
    )
    """,
)
#: A checkpoint blocked by another process's reader is retried for about two seconds, then
#: left pending (see ``KeyStore.complete_pending_purges``).
CHECKPOINT_ATTEMPTS = 40
CHECKPOINT_PAUSE = 0.025
BUSY_TIMEOUT_MS = 30_000
CHECKPOINT_BUSY_TIMEOUT_MS = 25


class SQLiteKeyStore(KeyStore):
    """Data keys in an SQLite file (WAL mode, secure delete, full sync)."""

    def __init__(self, path: Path, master_key: MasterKey, cache_seconds: float = CACHE_SECONDS):
        super().__init__(master_key, cache_seconds)
        self.path = Path(path)
        self._db_lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=30
        )
        enter_wal_mode(self._conn)
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute("PRAGMA synchronous=FULL")
        for statement in SCHEMA:
            self._conn.execute(statement)
        self.path.chmod(0o600)

    def _release(self) -> None:
        with self._db_lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that excludes other writers from the start."""
        with self._db_lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _insert(
        self, rows: list[WrappedRow], ignore_existing: bool = False, reserved_at: datetime | None = None
    ) -> None:
        now = datetime.now(timezone.utc).isoformat()
        verb = "INSERT OR IGNORE" if ignore_existing else "INSERT"
        with self._write() as conn:
            conn.executemany(
                f"{verb} INTO data_keys VALUES (?, ?, ?, ?)",
                [(s.bytes, w, k, now) for s, w, k in rows],
            )
            if reserved_at is not None:
                conn.executemany(
                    "INSERT OR IGNORE INTO pending_work VALUES (?, ?, ?)",
                    [(RESERVED, s.bytes, _timestamp(reserved_at)) for s, _, _ in rows],
                )

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

    def _delete(self, subject_ids: list[UUID], media_of: list[UUID]) -> None:
        params = [(s.bytes,) for s in subject_ids]
        since = _timestamp(datetime.now(timezone.utc))
        with self._write() as conn:
            conn.executemany("DELETE FROM data_keys WHERE subject_id = ?", params)
            conn.executemany("INSERT OR IGNORE INTO pending_purges VALUES (?)", params)
            conn.executemany(
                "DELETE FROM pending_work WHERE kind = ? AND subject_id = ?", [(RESERVED, s.bytes) for s in subject_ids]
            )
            conn.executemany(
                "INSERT OR IGNORE INTO pending_work VALUES (?, ?, ?)",
                [(MEDIA, s.bytes, since) for s in media_of],
            )

    def _noted(self, kind: str, before: datetime | None = None) -> list[UUID]:
        until = _timestamp(before) if before is not None else "~"  # '~' sorts after any time
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT subject_id FROM pending_work WHERE kind = ? AND since < ? ORDER BY since", (kind, until)
            ).fetchall()
        return [UUID(bytes=bytes(row[0])) for row in rows]

    def _note(self, kind: str, subject_ids: list[UUID], since: datetime) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO pending_work VALUES (?, ?, ?)",
                [(kind, s.bytes, _timestamp(since)) for s in subject_ids],
            )

    def _forget(self, kind: str, subject_ids: list[UUID]) -> None:
        with self._write() as conn:
            conn.executemany(
                "DELETE FROM pending_work WHERE kind = ? AND subject_id = ?",
                [(kind, s.bytes) for s in subject_ids],
            )

    def _purge(self) -> bool:
        with self._db_lock:
            pending = [row[0] for row in self._conn.execute("SELECT subject_id FROM pending_purges")]
            if not self._truncate_wal():
                return False
            if pending:
                with self._write() as conn:
                    conn.executemany("DELETE FROM pending_purges WHERE subject_id = ?", [(p,) for p in pending])
                self._truncate_wal()
            return True

    def _rewrap_all(self, rewrap: Rewrap) -> None:
        with self._write() as conn:
            rows = [
                (UUID(bytes=bytes(s)), bytes(w), k)
                for s, w, k in conn.execute("SELECT subject_id, wrapped_key, master_key_id FROM data_keys")
            ]
            conn.executemany(
                "UPDATE data_keys SET wrapped_key = ?, master_key_id = ? WHERE subject_id = ?",
                [(w, k, s.bytes) for s, w, k in rewrap(rows)],
            )
        self._truncate_wal()

    def _position(self, name: str) -> int:
        with self._db_lock:
            row = self._conn.execute("SELECT position FROM progress WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _advance(self, name: str, position: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO progress VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position)",
                (name, position),
            )

    def _truncate_wal(self) -> bool:
        """Copy every WAL frame into the main file and truncate the WAL to zero bytes."""
        # A checkpoint waits on readers through the busy handler: keep each wait short.
        self._conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_BUSY_TIMEOUT_MS}")
        try:
            for _ in range(CHECKPOINT_ATTEMPTS):
                busy, _log, _done = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
                time.sleep(CHECKPOINT_PAUSE)
            return False
        finally:
            self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _timestamp(moment: datetime) -> str:
    """A UTC time as fixed-width text, so that text order is time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
