"""The key table port: one data key per subject, wrapped by the master key.

``KeyStore`` holds the logic every backend shares (wrapping, a short-lived cache of
unwrapped keys, master-key checks, rotation); backends implement a handful of row
operations. Shredding must make the key bytes physically unrecoverable from the backend's
files, which is each backend's own business (see ``keystore_sqlite`` and
``keystore_postgres``).
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Iterable
from uuid import UUID, uuid4

from archive.crypto import MasterKey, new_data_key
from archive.errors import WrongMasterKey

#: How long an unwrapped key may stay in one process's memory. A withdrawal in another
#: process removes the key from the table at once; this bounds how long a process that did
#: not perform it can still decrypt (it never shows the item: the gate reads the event).
CACHE_SECONDS = 5.0

#: How many subject keys :meth:`KeyStore.reserve` makes in one write.
RESERVE_BATCH = 16

WrappedRow = tuple[UUID, bytes, str]

#: A key that belongs to no subject, created with the table, so that a wrong master key is
#: detected even before the first contributor is registered.
CANARY_ID = UUID(int=0)  # subject id, wrapped key, master key id


class KeyStore(abc.ABC):
    """Creates, returns and shreds per-subject data keys."""

    def __init__(self, master_key: MasterKey, cache_seconds: float = CACHE_SECONDS):
        self._master = master_key
        self._cache: dict[UUID, tuple[bytes, float]] = {}
        self._cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._reserved: list[UUID] = []

    # -- backend row operations ----------------------------------------------------------

    @abc.abstractmethod
    def _insert(self, rows: list[WrappedRow]) -> None:
        """Insert rows in one transaction; an existing row for a subject is an error."""

    @abc.abstractmethod
    def _select(self, subject_id: UUID) -> tuple[bytes, str] | None:
        """The wrapped key and its master key id, or None."""

    @abc.abstractmethod
    def _delete_physically(self, subject_ids: list[UUID]) -> None:
        """Delete rows so that their bytes are gone from the backend's files."""

    @abc.abstractmethod
    def _rows(self) -> list[WrappedRow]:
        """Every row."""

    @abc.abstractmethod
    def _replace_rows(self, rows: Iterable[WrappedRow]) -> None:
        """Overwrite the wrapped keys of existing rows in one transaction, physically."""

    def _release(self) -> None:
        """Release connections."""

    # -- public interface ----------------------------------------------------------------

    def close(self) -> None:
        """Shred keys reserved but never used, and release connections."""
        with self._lock:
            unused, self._reserved = self._reserved, []
        if unused:
            self._delete_physically(unused)
        self._release()

    def create(self, subject_id: UUID) -> bytes:
        """Make and store a new data key for ``subject_id`` and return it."""
        return self._create_many([subject_id])[subject_id]

    def reserve(self) -> UUID:
        """A new subject id whose data key already exists.

        Keys are made in batches of ``RESERVE_BATCH`` so that recording many items costs
        one durable write to the key table per batch, not one per item. Reserved keys that
        are never used hold no content; :meth:`close` shreds them.
        """
        with self._lock:
            if self._reserved:
                return self._reserved.pop()
        batch = [uuid4() for _ in range(RESERVE_BATCH)]
        self._create_many(batch)
        with self._lock:
            self._reserved.extend(batch[1:])
        return batch[0]

    def _create_many(self, subject_ids: list[UUID]) -> dict[UUID, bytes]:
        keys = {subject_id: new_data_key() for subject_id in subject_ids}
        self._insert(
            [(s, self._master.wrap(s, k), self._master.key_id) for s, k in keys.items()]
        )
        expires = time.monotonic() + self._cache_seconds
        with self._lock:
            for subject_id, data_key in keys.items():
                self._cache[subject_id] = (data_key, expires)
        return keys

    def get(self, subject_id: UUID) -> bytes | None:
        """The subject's data key, or None once it has been shredded (or never existed)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(subject_id)
            if cached is not None and cached[1] > now:
                return cached[0]
        row = self._select(subject_id)
        if row is None:
            with self._lock:
                self._cache.pop(subject_id, None)
            return None
        wrapped, key_id = row
        if key_id != self._master.key_id:
            raise WrongMasterKey(
                "The data keys were wrapped by a different master key than ARCHIVE_MASTER_KEY."
            )
        data_key = self._master.unwrap(subject_id, wrapped)
        with self._lock:
            self._cache[subject_id] = (data_key, now + self._cache_seconds)
        return data_key

    def exists(self, subject_id: UUID) -> bool:
        return self._select(subject_id) is not None

    def shred(self, *subject_ids: UUID) -> None:
        """Delete the subjects' keys so that their bytes are physically gone."""
        with self._lock:
            for subject_id in subject_ids:
                self._cache.pop(subject_id, None)
        self._delete_physically(list(subject_ids))

    def subject_ids(self) -> list[UUID]:
        return [row[0] for row in self._rows() if row[0] != CANARY_ID]

    def verify_master_key(self) -> None:
        """Fail loudly if the stored keys were wrapped by another master key.

        Without this check a wrong ``ARCHIVE_MASTER_KEY`` would make every item look
        redacted, which is indistinguishable from a withdrawal.
        """
        rows = self._rows()
        if not rows:
            self.create(CANARY_ID)
            return
        foreign = [row for row in rows if row[2] != self._master.key_id]
        if foreign:
            raise WrongMasterKey(
                f"{len(foreign)} of {len(rows)} data keys were wrapped by a different master "
                "key than the configured ARCHIVE_MASTER_KEY."
            )
        if rows:
            subject_id, wrapped, _ = rows[0]
            self._master.unwrap(subject_id, wrapped)

    def rotate_master_key(self, new_master: MasterKey) -> int:
        """Re-wrap every live data key under ``new_master``; return how many were re-wrapped.

        Copies of wrapped keys left behind in backups or a write-ahead log stay wrapped under
        the old master key; once that key is destroyed, those copies are useless.
        """
        self.verify_master_key()
        rows = self._rows()
        rewrapped = [
            (subject_id, new_master.wrap(subject_id, self._master.unwrap(subject_id, wrapped)), new_master.key_id)
            for subject_id, wrapped, _ in rows
        ]
        self._replace_rows(rewrapped)
        self._master = new_master
        with self._lock:
            self._cache.clear()
        return len([row for row in rewrapped if row[0] != CANARY_ID])


class InMemoryKeyStore(KeyStore):
    """A key table in a dict, for unit tests."""

    def __init__(self, master_key: MasterKey | None = None, cache_seconds: float = 0.0):
        super().__init__(master_key or MasterKey.generate(), cache_seconds)
        self._table: dict[UUID, tuple[bytes, str]] = {}

    def _insert(self, rows: list[WrappedRow]) -> None:
        if any(subject_id in self._table for subject_id, _, _ in rows):
            raise ValueError("A data key already exists for one of these subjects.")
        for subject_id, wrapped, master_key_id in rows:
            self._table[subject_id] = (wrapped, master_key_id)

    def _select(self, subject_id: UUID) -> tuple[bytes, str] | None:
        return self._table.get(subject_id)

    def _delete_physically(self, subject_ids: list[UUID]) -> None:
        for subject_id in subject_ids:
            self._table.pop(subject_id, None)

    def _rows(self) -> list[WrappedRow]:
        return [(s, w, k) for s, (w, k) in self._table.items()]

    def _replace_rows(self, rows: Iterable[WrappedRow]) -> None:
        for subject_id, wrapped, key_id in rows:
            self._table[subject_id] = (wrapped, key_id)
