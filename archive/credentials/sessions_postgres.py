"""The session table in PostgreSQL, in the archive's own database, shared by every web host."""

from __future__ import annotations

from archive.storage.postgres_pool import create_tables, small_pool
from archive.credentials.sessions import SessionRow, SessionStore

TABLE = "archive_sessions"
SCHEMA = (
    f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        id_hash bytea PRIMARY KEY,
        kind text NOT NULL,
        tag bytea NOT NULL,
        sealed_subject bytea NOT NULL,
        created_at double precision NOT NULL,
        last_seen double precision NOT NULL,
        expires_at double precision NOT NULL,
        idle_seconds double precision NOT NULL
    )
    """,
    f"CREATE INDEX IF NOT EXISTS {TABLE}_by_tag ON {TABLE} (tag)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_by_expiry ON {TABLE} (expires_at)",
)
_COLUMNS = "kind, tag, sealed_subject, created_at, last_seen, expires_at, idle_seconds"


class PostgresSessionStore(SessionStore):
    """Sessions in a PostgreSQL table of the archive's database."""

    def __init__(self, conninfo: str, tag_key: bytes, pool_size: int = 4):
        super().__init__(tag_key)
        create_tables(conninfo, SCHEMA)
        self._pool = small_pool(conninfo, pool_size)

    def _insert(self, id_hash: bytes, row: SessionRow) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                f"INSERT INTO {TABLE} (id_hash, {_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (id_hash, row.kind, row.tag, row.sealed_subject, row.created_at, row.last_seen,
                 row.expires_at, row.idle_seconds),
            )

    def _select(self, id_hash: bytes) -> SessionRow | None:
        with self._pool.connection() as conn:
            found = conn.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE id_hash = %s", (id_hash,)).fetchone()
        if found is None:
            return None
        kind, tag, sealed, created, seen, expires, idle = found
        return SessionRow(kind, bytes(tag), bytes(sealed), created, seen, expires, idle)

    def _touch(self, id_hash: bytes, last_seen: float) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                f"UPDATE {TABLE} SET last_seen = greatest(last_seen, %s) WHERE id_hash = %s", (last_seen, id_hash)
            )

    def _delete(self, id_hash: bytes) -> None:
        with self._pool.connection() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE id_hash = %s", (id_hash,))

    def _delete_tagged(self, kind: str, tag: bytes) -> int:
        with self._pool.connection() as conn:
            return conn.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND tag = %s", (kind, tag)).rowcount

    def _delete_expired(self, now: float) -> int:
        with self._pool.connection() as conn:
            return conn.execute(
                f"DELETE FROM {TABLE} WHERE expires_at <= %s OR %s - last_seen > idle_seconds", (now, now)
            ).rowcount

    def _release(self) -> None:
        self._pool.close()
