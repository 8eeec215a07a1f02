"""Rate counters in their own SQLite file, shared by every process on the machine.

One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` both counts and reads the count, under
SQLite's write lock, so concurrent processes never see the same count twice. Counters are not
precious: the file runs in WAL mode with ``synchronous=NORMAL`` (a power cut may forget the
last few counts, never corrupt the file).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from archive.storage.durable import enter_wal_mode
from archive.credentials.rate_counters import RateCounters

SCHEMA = """
    CREATE TABLE IF NOT EXISTS rate_counters (
        key BLOB PRIMARY KEY,
        hits INTEGER NOT NULL,
        closes_at REAL NOT NULL
    ) WITHOUT ROWID
"""
ADD = """
    INSERT INTO rate_counters (key, hits, closes_at) VALUES (:key, max(:amount, 0), :closes_at)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN closes_at <= :now THEN max(:amount, 0) ELSE max(hits + :amount, 0) END,
        closes_at = CASE WHEN closes_at <= :now THEN :closes_at ELSE closes_at END
    RETURNING hits
"""
BUSY_TIMEOUT_SECONDS = 30


class SQLiteRateCounters(RateCounters):
    """Counters in an SQLite file (one connection per process, serialised by a lock)."""

    def __init__(self, path: Path, secret: str | bytes, clock: Callable[[], float] = time.time):
        super().__init__(secret, clock)
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS
        )
        enter_wal_mode(self._conn)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(SCHEMA)
        self.path.chmod(0o600)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _add(self, digest: bytes, amount: int, now: float, closes_at: float) -> int:
        with self._lock:
            (hits,) = self._conn.execute(
                ADD, {"key": digest, "amount": amount, "now": now, "closes_at": closes_at}
            ).fetchone()
        return int(hits)

    def _get(self, digest: bytes) -> tuple[int, float] | None:
        with self._lock:
            row = self._conn.execute("SELECT hits, closes_at FROM rate_counters WHERE key = ?", (digest,)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def _delete(self, digest: bytes) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM rate_counters WHERE key = ?", (digest,))

    def _delete_closed(self, now: float) -> int:
        with self._lock:
            return self._conn.execute("DELETE FROM rate_counters WHERE closes_at <= ?", (now,)).rowcount

    def _delete_all(self) -> int:
        with self._lock:
            return self._conn.execute("DELETE FROM rate_counters").rowcount
