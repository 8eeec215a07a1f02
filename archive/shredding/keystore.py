"""The key table port: one data key per subject, wrapped by the master key.

``KeyStore`` holds the logic every backend shares (wrapping, a short-lived cache of
unwrapped keys, master-key checks, rotation); backends implement a handful of row
operations. Shredding must make the key bytes physically unrecoverable from the backend's
files, which is each backend's own business (see ``keystore_sqlite`` and
``keystore_postgres``): a delete records a *pending purge* in the same transaction, and the
purge is retried until the bytes are really gone.

The key table also keeps the little bookkeeping that makes a withdrawal finish whatever
crashes: which shredded subjects still have media objects to delete (noted in the same
transaction as the delete), which keys were made ahead and are not yet known to be used, and
how far through the event log every withdrawal is known to be shredded. Only ids, times and
positions: nothing secret.
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from archive.shredding.crypto import DataCipher, MasterKey, new_data_key
from archive.errors import WrongMasterKey
from domain import clock

log = logging.getLogger(__name__)

#: How long an unwrapped key may stay in one process's cache. A withdrawal in another
#: process removes the key from the table at once; this bounds how long a process that did
#: not perform it keeps the key in its cache (it never shows the item: the gate reads the
#: withdrawal event). Python cannot promise to wipe freed memory, so this is a cache bound,
#: not a guarantee about the process's memory.
CACHE_SECONDS = 5.0

#: How many subject keys :meth:`KeyStore.reserve` makes in one write.
RESERVE_BATCH = 16
#: A process uses a key it reserved within this many seconds of making it, or never.
RESERVED_FOR_SECONDS = 600.0
#: A reservation this old that is not known to be used was left by a process that died.
ABANDONED_AFTER_SECONDS = 1800.0

WrappedRow = tuple[UUID, bytes, str]  # subject id, wrapped key, master key id
Rewrap = Callable[[list[WrappedRow]], list[WrappedRow]]

#: Kinds of pending work noted in the key table, per subject.
MEDIA = "media"  # a shredded item whose media objects are still to be deleted
RESERVED = "reserved"  # a key made ahead for a subject that may never be recorded
UPLOAD = "upload"  # an image whose files an upload is storing; its event is not saved yet

#: A key that belongs to no subject, created with the table, so that a wrong master key is
#: detected even before the first contributor is registered.
CANARY_ID = UUID(int=0)


class KeyStore(abc.ABC):
    """Creates, returns and shreds per-subject data keys."""

    def __init__(self, master_key: MasterKey, cache_seconds: float = CACHE_SECONDS):
        self._master = master_key
        self._cache: dict[UUID, tuple[bytes, float, DataCipher]] = {}  # key, expiry, its cipher
        self._cache_seconds = cache_seconds
        self._next_sweep = 0.0
        self._shred_generation = 0
        self._lock = threading.Lock()
        self._reserved: list[tuple[UUID, float]] = []  # (subject id, when made: monotonic)

    # -- backend row operations ----------------------------------------------------------

    @abc.abstractmethod
    def _insert(
        self, rows: list[WrappedRow], ignore_existing: bool = False, reserved_at: datetime | None = None
    ) -> None:
        """Insert rows in one transaction; an existing row is an error unless ignored. With
        ``reserved_at``, note every subject as ``RESERVED`` work at that time, in the same
        transaction."""

    @abc.abstractmethod
    def _select(self, subject_id: UUID) -> tuple[bytes, str] | None:
        """The wrapped key and its master key id, or None."""

    @abc.abstractmethod
    def _rows(self) -> list[WrappedRow]:
        """Every row."""

    @abc.abstractmethod
    def _delete(self, subject_ids: list[UUID], media_of: list[UUID]) -> None:
        """Delete rows, record a pending purge, forget their ``RESERVED`` notes and note
        ``media_of`` as ``MEDIA`` work (at the current time), in one transaction."""

    @abc.abstractmethod
    def _purge(self) -> bool:
        """Remove the bytes of deleted rows from the backend's files; True once nothing is pending."""

    @abc.abstractmethod
    def _rewrap_all(self, rewrap: Rewrap) -> None:
        """Replace every row by ``rewrap(rows)`` in one transaction that excludes other writers."""

    @abc.abstractmethod
    def _noted(self, kind: str, before: datetime | None = None) -> list[UUID]:
        """The subjects noted as ``kind`` work (only those noted before ``before``), oldest first."""

    @abc.abstractmethod
    def _note(self, kind: str, subject_ids: list[UUID], since: datetime) -> None:
        """Note the subjects as ``kind`` work since ``since`` (a subject noted already keeps
        its earlier time)."""

    @abc.abstractmethod
    def _forget(self, kind: str, subject_ids: list[UUID]) -> None:
        """Remove the subjects' ``kind`` notes (missing ones are fine)."""

    @abc.abstractmethod
    def _position(self, name: str) -> int:
        """The position recorded under ``name``, or 0."""

    @abc.abstractmethod
    def _advance(self, name: str, position: int) -> None:
        """Record ``position`` under ``name`` unless a later one is recorded already."""

    def _release(self) -> None:
        """Release connections."""

    # -- public interface ----------------------------------------------------------------

    def close(self) -> None:
        """Shred keys reserved but never used, and release connections."""
        with self._lock:
            unused = [subject_id for subject_id, _ in self._reserved]
            self._reserved = []
            self._cache.clear()
        if unused:
            self._delete(unused, [])
            self._purge()
        self._release()

    def create(self, subject_id: UUID) -> bytes:
        """Make and store a new data key for ``subject_id`` and return it."""
        return self._create_many([subject_id])[subject_id]

    def reserve(self) -> UUID:
        """A new subject id whose data key already exists.

        Keys are made in batches of ``RESERVE_BATCH`` so that recording many items costs
        one durable write to the key table per batch, not one per item. Every reserved key is
        noted in the key table in the same write; a process takes a reserved key within
        ``RESERVED_FOR_SECONDS`` of making it or not at all. Reserved keys that are never used
        hold no content: :meth:`close` shreds them, and if the process dies first,
        :meth:`abandoned_reservations` lists them for shredding.
        """
        now = time.monotonic()
        with self._lock:
            while self._reserved:
                subject_id, made = self._reserved.pop()
                if now - made < RESERVED_FOR_SECONDS:
                    return subject_id
                self._reserved.clear()  # older still; left to the shredding of abandoned reservations
        batch = [uuid4() for _ in range(RESERVE_BATCH)]
        self._create_many(batch, reserved=True)
        with self._lock:
            self._reserved.extend((subject_id, now) for subject_id in batch[1:])
        return batch[0]

    def abandoned_reservations(self, older_than: float | None = None) -> list[UUID]:
        """Subjects whose keys were reserved more than ``older_than`` seconds ago (default
        ``ABANDONED_AFTER_SECONDS``) and are not known to be used: a live process no longer
        takes them, so each was either used (its subject recorded) or left by a process that
        died. The caller tells which and calls :meth:`reservations_used` or :meth:`shred`."""
        seconds = ABANDONED_AFTER_SECONDS if older_than is None else older_than
        return self._noted(RESERVED, before=datetime.now(timezone.utc) - timedelta(seconds=seconds))

    def reservations_used(self, *subject_ids: UUID) -> None:
        """These reserved keys belong to recorded subjects: no longer reservations."""
        self._forget(RESERVED, list(subject_ids))

    def get(self, subject_id: UUID) -> bytes | None:
        """The subject's data key, or None once it has been shredded (or never existed)."""
        entry = self._entry(subject_id)
        return entry[0] if entry is not None else None

    def cipher(self, subject_id: UUID) -> DataCipher | None:
        """The subject's data key ready to encrypt and decrypt with (cached with the key, and
        forgotten with it), or None once it has been shredded (or never existed)."""
        entry = self._entry(subject_id)
        return entry[2] if entry is not None else None

    def _entry(self, subject_id: UUID) -> tuple[bytes, float, DataCipher] | None:
        now = time.monotonic()
        with self._lock:
            self._sweep(now)
            cached = self._cache.get(subject_id)
            if cached is not None and cached[1] > now:
                return cached
            generation = self._shred_generation
        row = self._select(subject_id)
        if row is None:
            return None
        wrapped, key_id = row
        if key_id != self._master.key_id:
            raise WrongMasterKey(
                "The data keys were wrapped by a different master key than ARCHIVE_MASTER_KEY."
            )
        data_key = self._master.unwrap(subject_id, wrapped)
        entry = (data_key, now + self._cache_seconds, DataCipher(data_key))
        with self._lock:
            if generation == self._shred_generation:  # no shred ran meanwhile
                self._cache[subject_id] = entry
        return entry

    def exists(self, subject_id: UUID) -> bool:
        return self._select(subject_id) is not None

    def shred(self, *subject_ids: UUID, media_of: Iterable[UUID] = ()) -> bool:
        """Delete the subjects' keys; True once their bytes are physically gone.

        The delete itself always takes effect before this returns. If the physical purge
        cannot finish now (another process holds an old snapshot open), it stays pending and
        is completed by the next shred or :meth:`complete_pending_purges`. ``media_of`` names
        the subjects whose media objects are still to be deleted: they are noted in the same
        transaction as the delete and listed by :meth:`pending_media_deletions` until
        :meth:`media_deleted`.
        """
        with self._lock:
            self._shred_generation += 1
            for subject_id in subject_ids:
                self._cache.pop(subject_id, None)
        self._delete(list(subject_ids), list(media_of))
        done = self._purge()
        if not done:
            log.warning("Key purge pending: deleted keys may linger in the key table's files.")
        return done

    def pending_media_deletions(self) -> list[UUID]:
        """Shredded subjects whose media objects are still to be deleted, oldest first."""
        return self._noted(MEDIA)

    def media_deleted(self, *subject_ids: UUID) -> None:
        """Every media object of these subjects is deleted: nothing is pending for them."""
        self._forget(MEDIA, list(subject_ids))

    def uploads_started(self, *image_ids: UUID) -> None:
        """Note that an upload is about to store these images' files (by the domain clock).

        Noted before the first file is written and cleared by :meth:`uploads_finished` once
        the upload's event is saved (or its files removed), so that ``archive media gc`` never
        takes the files of an upload in progress for orphans.
        """
        if image_ids:
            self._note(UPLOAD, list(image_ids), clock.now())

    def uploads_finished(self, *image_ids: UUID) -> None:
        """These images' uploads are over (saved, failed, or abandoned long ago)."""
        if image_ids:
            self._forget(UPLOAD, list(image_ids))

    def uploads_in_progress(self, started_after: datetime) -> set[UUID]:
        """Images whose upload was noted as started at or after ``started_after`` and is not
        finished. (One started earlier and never finished is in :meth:`abandoned_uploads`.)"""
        return set(self._noted(UPLOAD)) - set(self._noted(UPLOAD, before=started_after))

    def abandoned_uploads(self, started_before: datetime) -> list[UUID]:
        """Images whose upload was noted as started before ``started_before`` and never
        finished: the process that ran it died, or a caller forgot to finish it."""
        return self._noted(UPLOAD, before=started_before)

    def complete_pending_purges(self) -> bool:
        """Finish any purge left pending by an earlier shred; True when nothing is pending."""
        return self._purge()

    def progress(self, name: str) -> int:
        """How far through the event log the check called ``name`` has got (0: not started).

        Kept beside the keys, so that every process sharing the key table shares it.
        """
        return self._position(name)

    def advance(self, name: str, position: int) -> None:
        """Record that the check called ``name`` is complete up to ``position`` (never moves back)."""
        self._advance(name, position)

    def subject_ids(self) -> list[UUID]:
        return [row[0] for row in self._rows() if row[0] != CANARY_ID]

    def verify_master_key(self) -> None:
        """Fail loudly if the stored keys were wrapped by another master key.

        Without this check a wrong ``ARCHIVE_MASTER_KEY`` would make every item look
        redacted, which is indistinguishable from a withdrawal.
        """
        rows = self._rows()
        if not rows:
            canary = new_data_key()
            self._insert(
                [(CANARY_ID, self._master.wrap(CANARY_ID, canary), self._master.key_id)],
                ignore_existing=True,
            )
            rows = self._rows()
        foreign = [row for row in rows if row[2] != self._master.key_id]
        if foreign:
            raise WrongMasterKey(
                f"{len(foreign)} of {len(rows)} data keys were wrapped by a different master "
                "key than the configured ARCHIVE_MASTER_KEY."
            )
        subject_id, wrapped, _ = rows[0]
        self._master.unwrap(subject_id, wrapped)

    def is_empty(self) -> bool:
        """True if the table holds no row at all, not even the canary made with it: a table
        just created where one should have been (see ``archive.shredding.key_seal``)."""
        return self._select(CANARY_ID) is None and not self._rows()

    def holds_recorded_keys(self) -> bool:
        """Whether some data key belongs to a recorded subject: one that is neither the canary
        nor a reservation not yet settled (see :meth:`reserve`). With an event store that holds
        no events, such a table means the events are missing (see ``archive.shredding.key_seal``)."""
        reserved = set(self._noted(RESERVED))
        return any(subject != CANARY_ID and subject not in reserved for subject, _, _ in self._rows())

    def fingerprint(self) -> str:
        """A name for this key table that is not secret and survives master-key rotation.

        Derived from the canary's data key, which is made with the table and re-wrapped, not
        replaced, by a rotation: another archive's table, or a table made anew, has another
        fingerprint. A table from before the canary gains one here.
        """
        row = self._select(CANARY_ID)
        if row is None:
            canary = new_data_key()
            self._insert(
                [(CANARY_ID, self._master.wrap(CANARY_ID, canary), self._master.key_id)],
                ignore_existing=True,
            )
            row = self._select(CANARY_ID)
            assert row is not None
        wrapped, key_id = row
        if key_id != self._master.key_id:
            raise WrongMasterKey("The key table's canary was wrapped by a different master key.")
        data_key = self._master.unwrap(CANARY_ID, wrapped)
        return hmac.new(data_key, b"testimony-archive key table fingerprint", hashlib.sha256).hexdigest()[:32]

    def stored_master_key_ids(self) -> set[str]:
        """The ids of the master keys the stored rows are wrapped under."""
        return {row[2] for row in self._rows()}

    def rotate_master_key(self, new_master: MasterKey) -> int:
        """Re-wrap every live data key under ``new_master``; return how many subjects' keys.

        One transaction that excludes other writers, so no key created meanwhile stays under
        the old master key. Copies of wrapped keys left in backups or a write-ahead log stay
        wrapped under the old master key; once that key is destroyed, they are useless.
        """
        self.verify_master_key()
        old = self._master
        count = 0

        def rewrap(rows: list[WrappedRow]) -> list[WrappedRow]:
            nonlocal count
            if any(key_id != old.key_id for _, _, key_id in rows):
                raise WrongMasterKey("Some data keys are not wrapped under the current master key.")
            count = sum(1 for subject_id, _, _ in rows if subject_id != CANARY_ID)
            return [
                (s, new_master.wrap(s, old.unwrap(s, w)), new_master.key_id) for s, w, _ in rows
            ]

        self._rewrap_all(rewrap)
        with self._lock:
            self._master = new_master
            self._cache.clear()
        return count

    # -- helpers ---------------------------------------------------------------------------

    def _create_many(self, subject_ids: list[UUID], reserved: bool = False) -> dict[UUID, bytes]:
        keys = {subject_id: new_data_key() for subject_id in subject_ids}
        self._insert(
            [(s, self._master.wrap(s, k), self._master.key_id) for s, k in keys.items()],
            reserved_at=datetime.now(timezone.utc) if reserved else None,
        )
        expires = time.monotonic() + self._cache_seconds
        with self._lock:
            for subject_id, data_key in keys.items():
                self._cache[subject_id] = (data_key, expires, DataCipher(data_key))
        return keys

    def _sweep(self, now: float) -> None:
        """Drop expired cache entries (at most once a second); call with the lock held."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + 1.0
        for subject_id in [s for s, (_, expires, _) in self._cache.items() if expires <= now]:
            del self._cache[subject_id]
