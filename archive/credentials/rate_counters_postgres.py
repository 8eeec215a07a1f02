"""Rate counters in a PostgreSQL table of the archive's database, shared by every host.

One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` both counts and reads the count: the
row lock it takes makes concurrent attempts on any host see distinct counts. The table is
``UNLOGGED``: counters are not worth a write-ahead log entry each, and a crash that empties
the table only forgets counts for a few minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from archive.storage.postgres_pool import create_tables, small_pool
from archive.credentials.rate_counters import RateCounters

TABLE = "archive_rate_counters"
SCHEMA = f"""
    CREATE UNLOGGED TABLE IF NOT EXISTS {TABLE} (
        key bytea PRIMARY KEY,
        hits integer NOT NULL,
        closes_at double precision NOT NULL
    )
"""
ADD = f"""
    INSERT INTO {TABLE} AS c (key, hits, closes_at) VALUES (%(key)s, greatest(%(amount)s, 0), %(closes_at)s)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN c.closes_at <= %(now)s THEN greatest(%(amount)s, 0) ELSE greatest(c.hits + %(amount)s, 0) END,
        closes_at = CASE WHEN c.closes_at <= %(now)s THEN %(closes_at)s ELSE c.closes_at END
    RETURNING hits
"""


class PostgresRateCounters(RateCounters):
    """Counters in PostgreSQL, through a small connection pool."""

    def __init__(
        self, conninfo: str, secret: str | bytes, clock: Callable[[], float] = time.time, pool_size: int = 4
    ):
        super().__init__(secret, clock)
        create_tables(conninfo, [SCHEMA])
        self._pool = small_pool(conninfo, pool_size)

    def close(self) -> None:
        self._pool.close()

    def _add(self, digest: bytes, amount: int, now: float, closes_at: float) -> int:
        with self._pool.connection() as conn:
            row = conn.execute(ADD, {"key": digest, "amount": amount, "now": now, "closes_at": closes_at}).fetchone()
        assert row is not None
        return int(row[0])

    def _get(self, digest: bytes) -> tuple[int, float] | None:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT hits, closes_at FROM {TABLE} WHERE key = %s", (digest,)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def _delete(self, digest: bytes) -> None:
        with self._pool.connection() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE key = %s", (digest,))

    def _delete_closed(self, now: float) -> int:
        with self._pool.connection() as conn:
            return conn.execute(f"DELETE FROM {TABLE} WHERE closes_at <= %s", (now,)).rowcount

    def _delete_all(self) -> int:
        with self._pool.connection() as conn:
            return conn.execute(f"DELETE FROM {TABLE}").rowcount
