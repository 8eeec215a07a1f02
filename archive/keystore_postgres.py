"""The key table in PostgreSQL, rewritten after every delete so no old tuple survives.

A plain ``DELETE`` only marks a tuple dead; ``VACUUM FULL`` writes the table into a new file
and drops the old one. PostgreSQL's write-ahead log and any backups can still hold wrapped
copies of a deleted key: ``archive rotate-master-key`` re-wraps live keys under a new master
key so those copies become useless once the old master key is destroyed.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import psycopg
from psycopg_pool import ConnectionPool

from archive.crypto import MasterKey
from archive.keystore import CACHE_SECONDS, KeyStore, WrappedRow

TABLE = "archive_data_keys"
CONNECT_TIMEOUT = 10
POOL_TIMEOUT = 30.0
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    subject_id uuid PRIMARY KEY,
    wrapped_key bytea NOT NULL,
    master_key_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


class PostgresKeyStore(KeyStore):
    """Data keys in a PostgreSQL table of the archive's database."""

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
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.execute(SCHEMA)
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            timeout=POOL_TIMEOUT,
            open=True,
        )

    def _release(self) -> None:
        self._pool.close()

    def _insert(self, rows: list[WrappedRow]) -> None:
        with self._pool.connection() as conn:
            with conn.transaction():
                with conn.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {TABLE} (subject_id, wrapped_key, master_key_id) VALUES (%s, %s, %s)",
                        rows,
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

    def _delete_physically(self, subject_ids: list[UUID]) -> None:
        with self._pool.connection() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE subject_id = ANY(%s)", (subject_ids,))
            self._rewrite(conn)

    def _replace_rows(self, rows: Iterable[WrappedRow]) -> None:
        with self._pool.connection() as conn:
            with conn.transaction():
                with conn.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {TABLE} SET wrapped_key = %s, master_key_id = %s WHERE subject_id = %s",
                        [(w, k, s) for s, w, k in rows],
                    )
            self._rewrite(conn)

    @staticmethod
    def _rewrite(conn: psycopg.Connection) -> None:
        # VACUUM cannot run inside a transaction block; the pool's connections autocommit.
        conn.execute(f"VACUUM FULL {TABLE}")
