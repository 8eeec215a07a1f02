"""The read models in PostgreSQL, written by the recorder in the transaction that inserts the
events, after locking the events table as that insert does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from archive.read.models import RowChanges
from archive.read.models_sql import ReadModelSQL, SQLReadModels, StaleRebuild


class PostgresReadModelRecorder(SQLReadModels, PostgresApplicationRecorder):
    """The application recorder, writing read-model rows with the events they come from."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        assert not datastore.enable_db_functions, "the database function would bypass _insert_events"
        self.read_model_sql = ReadModelSQL(
            param="%s", blob="BYTEA", seq="seq", seq_definition="seq BIGSERIAL, ", greatest="GREATEST", find="strpos", prefix=""
        )
        self.sql_create_statements.extend(SQL(s) for s in self.read_model_sql.create_statements)  # type: ignore[misc]
        self.recorded_among_statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
        ).format(schema=Identifier(datastore.schema), table=Identifier(self.events_table_name))

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Called in the transaction before the events are inserted, outside the base class's
        # catch-and-reraise (an error here rolls the transaction back). The events table is
        # locked first, as the events' insert does: writers of rows queue like writers of
        # events, so two of them never deadlock on a row.
        super()._insert_events(curs, stored_events, **kwargs)
        changes: RowChanges | None = kwargs.get("read_models")
        if changes:
            self._lock_table(curs)

            def fetch(sql: str, params: Sequence[Any]) -> list[Any]:
                curs.execute(sql, params)  # type: ignore[arg-type]
                return list(curs.fetchall())

            self.read_model_sql.write(lambda sql, params: curs.execute(sql, params), changes, fetch)  # type: ignore[arg-type]

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Still in the events' transaction, once their notification ids are known.
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if notification_ids:
            self.read_model_sql.advance(lambda sql, params: curs.execute(sql, params), max(notification_ids))  # type: ignore[arg-type]
        return notification_ids

    def rebuild_read_models(self, changes: RowChanges, position: int | None) -> bool:
        try:
            with self.datastore.transaction(commit=True) as curs:
                self._lock_table(curs)  # no event is written until this transaction ends

                def fetch_max() -> int | None:
                    curs.execute(self.max_notification_id_statement)
                    row = curs.fetchone()
                    return row["max"] if row else None

                self.read_model_sql.rebuild(lambda sql, params: curs.execute(sql, params), fetch_max, changes, position)  # type: ignore[arg-type]
        except StaleRebuild:
            return False
        return True

    def write_read_models(self, changes: RowChanges) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)

            def fetch(sql: str, params: Sequence[Any]) -> list[Any]:
                curs.execute(sql, params)  # type: ignore[arg-type]
                return list(curs.fetchall())

            self.read_model_sql.write(lambda sql, params: curs.execute(sql, params), changes, fetch)  # type: ignore[arg-type]

    def mark_read_models_built(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self.read_model_sql.mark_built(lambda sql, params: curs.execute(sql, params))  # type: ignore[arg-type]

    def recorded_among(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """One query: the ids go as one array parameter (``originator_id`` is a ``uuid``)."""
        if not originator_ids:
            return set()
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.recorded_among_statement, [list(originator_ids)])
            return {row["originator_id"] for row in curs.fetchall()}

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, params)  # type: ignore[arg-type]
            return list(curs.fetchall())
