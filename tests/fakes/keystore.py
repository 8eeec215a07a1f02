"""The key table in dicts: a fake of ``archive.shredding.keystore.KeyStore`` for tests."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from uuid import UUID

from archive.shredding.crypto import MasterKey
from archive.shredding.keystore import MEDIA, RESERVED, KeyStore, Rewrap, WrappedRow


class InMemoryKeyStore(KeyStore):
    """A key table in dicts, for unit tests.

    Each operation holds ``_tables`` for its whole length, as a real store's transaction
    would: a withdrawal's background media deletion may forget notes while a request lists
    them.
    """

    def __init__(self, master_key: MasterKey | None = None, cache_seconds: float = 0.0):
        super().__init__(master_key or MasterKey.generate(), cache_seconds)
        self._tables = threading.Lock()  # apart from the base's cache lock: never held with it
        self._table: dict[UUID, tuple[bytes, str]] = {}
        self._positions: dict[str, int] = {}
        self._notes: dict[tuple[str, UUID], datetime] = {}

    def _insert(
        self, rows: list[WrappedRow], ignore_existing: bool = False, reserved_at: datetime | None = None
    ) -> None:
        with self._tables:
            if not ignore_existing and any(subject_id in self._table for subject_id, _, _ in rows):
                raise ValueError("A data key already exists for one of these subjects.")
            for subject_id, wrapped, master_key_id in rows:
                self._table.setdefault(subject_id, (wrapped, master_key_id))
                if reserved_at is not None:
                    self._notes[(RESERVED, subject_id)] = reserved_at

    def _select(self, subject_id: UUID) -> tuple[bytes, str] | None:
        with self._tables:
            return self._table.get(subject_id)

    def _rows(self) -> list[WrappedRow]:
        with self._tables:
            return [(s, w, k) for s, (w, k) in self._table.items()]

    def _delete(self, subject_ids: list[UUID], media_of: list[UUID]) -> None:
        with self._tables:
            for subject_id in subject_ids:
                self._table.pop(subject_id, None)
                self._notes.pop((RESERVED, subject_id), None)
            for subject_id in media_of:
                self._notes.setdefault((MEDIA, subject_id), datetime.now(timezone.utc))

    def _noted(self, kind: str, before: datetime | None = None) -> list[UUID]:
        with self._tables:
            noted = sorted(
                (at, subject_id)
                for (k, subject_id), at in self._notes.items()
                if k == kind and (before is None or at < before)
            )
        return [subject_id for _, subject_id in noted]

    def _note(self, kind: str, subject_ids: list[UUID], since: datetime) -> None:
        with self._tables:
            for subject_id in subject_ids:
                self._notes.setdefault((kind, subject_id), since)

    def _forget(self, kind: str, subject_ids: list[UUID]) -> None:
        with self._tables:
            for subject_id in subject_ids:
                self._notes.pop((kind, subject_id), None)

    def _purge(self) -> bool:
        return True

    def _rewrap_all(self, rewrap: Rewrap) -> None:
        with self._tables:  # excludes other writers, as the real stores' transactions do
            rows = [(s, w, k) for s, (w, k) in self._table.items()]
            for subject_id, wrapped, key_id in rewrap(rows):
                self._table[subject_id] = (wrapped, key_id)

    def _position(self, name: str) -> int:
        with self._tables:
            return self._positions.get(name, 0)

    def _advance(self, name: str, position: int) -> None:
        with self._tables:
            self._positions[name] = max(position, self._positions.get(name, 0))
