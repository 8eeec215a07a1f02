"""The read models in the embedded SQLite event store (``events.sqlite3``), written by the
recorder in the transaction that inserts the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from archive.read.models import RowChanges
from archive.read.models_sql import ReadModelSQL, SQLReadModels, StaleRebuild


#: Ids asked at once by :meth:`SQLiteReadModelRecorder.recorded_among` (one bound parameter
#: each: SQLite allows 32,766 since 3.32, 999 before).
RECORDED_BATCH = 500


class SQLiteReadModelRecorder(SQLReadModels, SQLiteApplicationRecorder):
    """The application recorder, writing read-model rows with the events they come from."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.read_model_sql = ReadModelSQL(param="?", blob="BLOB", seq="rowid", seq_definition="", greatest="MAX", find="instr")
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.read_model_sql.create_statements]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        changes: RowChanges | None = kwargs.get("read_models")
        if changes:

            def fetch(sql: str, params: Sequence[Any]) -> list[Any]:
                c.execute(sql, params)
                return list(c.fetchall())

            self.read_model_sql.write(c.execute, changes, fetch)
        if returning:
            self.read_model_sql.advance(c.execute, max(returning))
        return returning

    def rebuild_read_models(self, changes: RowChanges, position: int | None) -> bool:
        try:
            with self.datastore.transaction(commit=True) as c:

                def fetch_max() -> int | None:
                    c.execute(self.select_max_notification_id_statement)
                    latest: int | None = c.fetchone()[0]
                    return latest

                self.read_model_sql.rebuild(c.execute, fetch_max, changes, position)
        except StaleRebuild:
            return False
        return True

    def write_read_models(self, changes: RowChanges) -> None:
        with self.datastore.transaction(commit=True) as c:

            def fetch(sql: str, params: Sequence[Any]) -> list[Any]:
                c.execute(sql, params)
                return list(c.fetchall())

            self.read_model_sql.write(c.execute, changes, fetch)

    def mark_read_models_built(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            self.read_model_sql.mark_built(c.execute)

    def recorded_among(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        for start in range(0, len(originator_ids), RECORDED_BATCH):
            batch = originator_ids[start : start + RECORDED_BATCH]
            marks = ", ".join(["?"] * len(batch))
            sql = f"SELECT DISTINCT originator_id FROM {self.events_table_name} WHERE originator_id IN ({marks})"
            found.update(UUID(row["originator_id"]) for row in self._read(sql, [i.hex for i in batch]))
        return found

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return list(c.fetchall())
