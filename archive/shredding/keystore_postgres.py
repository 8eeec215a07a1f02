"""The key table in PostgreSQL, rewritten after deletes so no old tuple survives.

A plain ``DELETE`` only marks a tuple dead; ``VACUUM FULL`` writes the table into a new file
and drops the old one, but it must keep dead tuples that a still-running transaction could
see. So a delete records a *pending purge* in the same transaction; the purge waits (briefly)
until no transaction older than the delete is running, rewrites the table, and only then
clears the pending entry. A purge that cannot finish now is completed later, by the next
shred or when an archive is opened.

PostgreSQL's write-ahead log and any backups can still hold wrapped copies of a deleted key:
``archive rotate-master-key`` re-wraps live keys under a new master key so those copies
become useless once the old master key is destroyed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from uuid import UUID

import psycopg

from archive.shredding.crypto import MasterKey
from archive.errors import ConfigurationError
from archive.shredding.keystore import CACHE_SECONDS, MEDIA, RESERVED, KeyStore, Rewrap, WrappedRow
from archive.storage.postgres_pool import connect, small_pool

TABLE = "archive_data_keys"
PURGES = "archive_key_purges"
PROGRESS = "archive_key_progress"
PENDING = "archive_key_pending_work"
#: How long a purge waits for older transactions to finish before leaving itself pending.
PURGE_WAIT_SECONDS = 10.0
#: The advisory lock held while the archive's tables are created (a number unique to this use).
SCHEMA_LOCK = 0x6B65797461626C65  # "keytable"
SCHEMA = (
    f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        subject_id uuid PRIMARY KEY,
        wrapped_key bytea NOT NULL,
        master_key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )
    """,
    f"""
    CREATE TABLE IF NOT EXISTS {PURGES} (
        subject_id uuid PRIMARY KEY,
        deleted_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )
    """,
    f"CREATE TABLE IF NOT EXISTS {PROGRESS} (name text PRIMARY KEY, position bigint NOT NULL)",
    f"""
    CREATE TABLE IF NOT EXISTS {PENDING} (
        kind text NOT NULL,
        subject_id uuid NOT NULL,
        since timestamptz NOT NULL,
        PRIMARY KEY (kind, subject_id)
    )
    """,
)


@contextmanager
def creating_tables(conninfo: str) -> Iterator[None]:
    """Hold the schema lock (one session at a time) while the block creates tables.

    ``CREATE TABLE IF NOT EXISTS`` does not lock: two processes creating the same table at once
    clash in PostgreSQL's catalogue, and one of them fails to open the archive.
    """
    with connect(conninfo) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


class PostgresKeyStore(KeyStore):
    """Data keys in a PostgreSQL table of the archive's database (which this role must own)."""

    def __init__(
        self,
        conninfo: str,
        master_key: MasterKey,
        cache_seconds: float = CACHE_SECONDS,
        pool_size: int = 4,
    ):
        super().__init__(master_key, cache_seconds)
        # One direct connection first, so that an unreachable server fails at once with
        # PostgreSQL's own message instead of a pool time-out.
        with connect(conninfo) as conn:
            with conn.transaction():
                # One process at a time (see creating_tables).
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                for statement in SCHEMA:
                    conn.execute(statement)
            owns = conn.execute(
                "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
                (TABLE,),
            ).fetchone()
            if not owns or not owns[0]:
                raise ConfigurationError(
                    f"The database user must own the table {TABLE}: without that, deleted keys "
                    "cannot be purged from its files (VACUUM FULL)."
                )
        self._pool = small_pool(conninfo, pool_size)

    def _release(self) -> None:
        self._pool.close()

    def _insert(
        self, rows: list[WrappedRow], ignore_existing: bool = False, reserved_at: datetime | None = None
    ) -> None:
        conflict = " ON CONFLICT (subject_id) DO NOTHING" if ignore_existing else ""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (subject_id, wrapped_key, master_key_id) VALUES (%s, %s, %s){conflict}",
                rows,
            )
            if reserved_at is not None:
                cursor.execute(
                    f"INSERT INTO {PENDING} (kind, subject_id, since) "
                    "SELECT %s, unnest(%s::uuid[]), %s ON CONFLICT DO NOTHING",
                    (RESERVED, [s for s, _, _ in rows], reserved_at),
                )

    def _select(self, subject_id: UUID) -> tuple[bytes, str] | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT wrapped_key, master_key_id FROM {TABLE} WHERE subject_id = %s",
                (subject_id,),
            ).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def _rows(self) -> list[WrappedRow]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT subject_id, wrapped_key, master_key_id FROM {TABLE} ORDER BY created_at"
            ).fetchall()
        return [(s, bytes(w), k) for s, w, k in rows]

    def _delete(self, subject_ids: list[UUID], media_of: list[UUID]) -> None:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(f"DELETE FROM {TABLE} WHERE subject_id = ANY(%s)", (subject_ids,))
            conn.execute(
                f"INSERT INTO {PURGES} (subject_id) SELECT unnest(%s::uuid[]) ON CONFLICT DO NOTHING",
                (subject_ids,),
            )
            conn.execute(
                f"DELETE FROM {PENDING} WHERE kind = %s AND subject_id = ANY(%s)", (RESERVED, subject_ids)
            )
            if media_of:
                conn.execute(
                    f"INSERT INTO {PENDING} (kind, subject_id, since) "
                    "SELECT %s, unnest(%s::uuid[]), %s ON CONFLICT DO NOTHING",
                    (MEDIA, media_of, datetime.now(timezone.utc)),
                )

    def _noted(self, kind: str, before: datetime | None = None) -> list[UUID]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT subject_id FROM {PENDING} WHERE kind = %s AND (%s::timestamptz IS NULL OR since < %s) "
                "ORDER BY since",
                (kind, before, before),
            ).fetchall()
        return [row[0] for row in rows]

    def _note(self, kind: str, subject_ids: list[UUID], since: datetime) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                f"INSERT INTO {PENDING} (kind, subject_id, since) "
                "SELECT %s, unnest(%s::uuid[]), %s ON CONFLICT DO NOTHING",
                (kind, subject_ids, since),
            )

    def _forget(self, kind: str, subject_ids: list[UUID]) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                f"DELETE FROM {PENDING} WHERE kind = %s AND subject_id = ANY(%s)", (kind, subject_ids)
            )

    def _purge(self) -> bool:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT max(deleted_at), array_agg(subject_id) FROM {PURGES}").fetchone()
            deleted_at, pending = row if row else (None, None)
            if deleted_at is None:
                return True
            if not self._wait_for_older_transactions(conn, deleted_at):
                return False
            conn.execute(f"VACUUM FULL {TABLE}")  # cannot run in a transaction block
            conn.execute(f"DELETE FROM {PURGES} WHERE subject_id = ANY(%s)", (pending,))
            return True

    @staticmethod
    def _wait_for_older_transactions(conn: psycopg.Connection, since: object) -> bool:
        """Wait until no other session of this database holds a snapshot from before ``since``."""
        deadline = time.monotonic() + PURGE_WAIT_SECONDS
        while True:
            (older,) = conn.execute(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND backend_xmin IS NOT NULL AND xact_start <= %s
                """,
                (since,),
            ).fetchone()
            if older == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def _rewrap_all(self, rewrap: Rewrap) -> None:
        with self._pool.connection() as conn:
            with conn.transaction():
                conn.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
                rows = [
                    (s, bytes(w), k)
                    for s, w, k in conn.execute(
                        f"SELECT subject_id, wrapped_key, master_key_id FROM {TABLE}"
                    ).fetchall()
                ]
                with conn.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {TABLE} SET wrapped_key = %s, master_key_id = %s WHERE subject_id = %s",
                        [(w, k, s) for s, w, k in rewrap(rows)],
                    )
            # The old versions of every row (wrapped under the old master key) are dead tuples.
            conn.execute(f"INSERT INTO {PURGES} (subject_id) VALUES (%s) ON CONFLICT DO NOTHING", (UUID(int=0),))
        self._purge()

    def _position(self, name: str) -> int:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT position FROM {PROGRESS} WHERE name = %s", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _advance(self, name: str, position: int) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                f"INSERT INTO {PROGRESS} AS p VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET position = greatest(p.position, excluded.position)",
                (name, position),
            )
