"""The event store on SQLite: eventsourcing's SQLite persistence, with connections that keep
their prepared statements.

eventsourcing 9.5.6 opens each connection with ``cached_statements=True``, which the
``sqlite3`` module reads as a cache of *one* statement. Every read is a ``BEGIN`` and a
``SELECT``, so each evicts the other and every statement is parsed and planned again, each
time: about 11 us of a 17.6 us read transaction, and a fifth of the SQLite work of an
exhibition page. The composition root names this module as the persistence module; it is
eventsourcing's own, with only the connections' statement cache changed.
"""

from __future__ import annotations

import sqlite3

from eventsourcing import sqlite as eventsourcing_sqlite
from eventsourcing.persistence import InterfaceError
from eventsourcing.utils import Environment, EnvType

#: Prepared statements each connection keeps (the ``sqlite3`` module's default is 128): the
#: event store's and the read models' statements, each a fixed text.
STATEMENT_CACHE = 128


class StatementCachingPool(eventsourcing_sqlite.SQLiteConnectionPool):
    """eventsourcing's SQLite connection pool, its connections opened as the library opens them
    (auto-commit, WAL, rows by name) but with a cache of ``STATEMENT_CACHE`` statements."""

    def _create_connection(self) -> eventsourcing_sqlite.SQLiteConnection:
        try:
            connection = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # auto-commit: eventsourcing issues its own BEGIN
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or eventsourcing_sqlite.SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            mode = connection.execute("PRAGMA journal_mode;").fetchone()[0]
            if mode.lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        connection.row_factory = sqlite3.Row
        return eventsourcing_sqlite.SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)


class SQLiteFactory(eventsourcing_sqlite.SQLiteFactory):
    """eventsourcing's SQLite infrastructure, its datastore's pool a :class:`StatementCachingPool`
    with the same database and lock time-out (no connection is open yet when it is replaced)."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = StatementCachingPool(db_name=pool.db_name, lock_timeout=pool.lock_timeout)
