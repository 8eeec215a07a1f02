"""The session table in its own small SQLite file in the data folder.

Every process of an embedded archive opens the same file (WAL mode), so a session ended by one
is refused by all. ``secure_delete`` overwrites ended sessions' rows in the file.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from archive.storage.durable import enter_wal_mode
from archive.credentials.sessions import SessionRow, SessionStore

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS sessions (
        id_hash BLOB PRIMARY KEY,
        kind TEXT NOT NULL,
        tag BLOB NOT NULL,
        sealed_subject BLOB NOT NULL,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL,
        expires_at REAL NOT NULL,
        idle_seconds REAL NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS sessions_by_tag ON sessions (tag)",
    "CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at)",
)
_COLUMNS = "kind, tag, sealed_subject, created_at, last_seen, expires_at, idle_seconds"


class SQLiteSessionStore(SessionStore):
    """Sessions in an SQLite file (WAL mode, secure delete)."""

    def __init__(self, path: Path, tag_key: bytes):
        super().__init__(tag_key)
        self.path = Path(path)
        self._db_lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        enter_wal_mode(self._conn)
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            self._conn.execute(statement)
        self.path.chmod(0o600)

    def _run(self, sql: str, params: tuple[object, ...]) -> sqlite3.Cursor:
        with self._db_lock:
            return self._conn.execute(sql, params)

    def _insert(self, id_hash: bytes, row: SessionRow) -> None:
        self._run(
            f"INSERT INTO sessions (id_hash, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (id_hash, row.kind, row.tag, row.sealed_subject, row.created_at, row.last_seen,
             row.expires_at, row.idle_seconds),
        )

    def _select(self, id_hash: bytes) -> SessionRow | None:
        with self._db_lock:
            found = self._conn.execute(f"SELECT {_COLUMNS} FROM sessions WHERE id_hash = ?", (id_hash,)).fetchone()
        if found is None:
            return None
        kind, tag, sealed, created, seen, expires, idle = found
        return SessionRow(kind, bytes(tag), bytes(sealed), created, seen, expires, idle)

    def _touch(self, id_hash: bytes, last_seen: float) -> None:
        self._run("UPDATE sessions SET last_seen = max(last_seen, ?) WHERE id_hash = ?", (last_seen, id_hash))

    def _delete(self, id_hash: bytes) -> None:
        self._run("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def _delete_tagged(self, kind: str, tag: bytes) -> int:
        return self._run("DELETE FROM sessions WHERE kind = ? AND tag = ?", (kind, tag)).rowcount

    def _delete_expired(self, now: float) -> int:
        return self._run(
            "DELETE FROM sessions WHERE expires_at <= ? OR ? - last_seen > idle_seconds", (now, now)
        ).rowcount

    def _release(self) -> None:
        with self._db_lock:
            self._conn.close()
