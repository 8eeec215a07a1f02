"""Keeping the media storage in step with the events: orphans, partial writes, fixity.

A service of the application (``archive.media_upkeep``), not a part of it: it reads through
the application's public methods (:class:`UpkeepRecords`) and the media storage the
application was opened with. It serves the operator's commands (``archive media gc``,
``archive media check``) and the quick passes at start-up and in the follower; what is kept
for now, and why, is ``archive.media_ports.gc``'s policy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, Protocol, TypeVar
from uuid import UUID

from cryptography.exceptions import InvalidTag
from eventsourcing.domain import Aggregate

from archive.errors import ArchiveError
from archive.media_ports import files as media_files
from archive.media_ports import gc as media_gc
from archive.media_ports.gc import Kept, MediaSweep
from archive.media_ports.ports import ImagePipeline, MediaNotFound, MediaStore
from archive.shredding.keystore import KeyStore
from domain import clock
from domain.items import Artwork, Item, Testimony

A = TypeVar("A", bound=Aggregate)


class MediaRecords(Protocol):
    """What any use of items' media needs of the application: its key table, its media ports
    and its reads of items. :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    @property
    def keys(self) -> KeyStore: ...

    @property
    def media(self) -> MediaStore | None: ...

    @property
    def images(self) -> ImagePipeline | None: ...

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def get_item(self, item_id: UUID) -> Item: ...


class UpkeepRecords(MediaRecords, Protocol):
    """What media upkeep needs besides: the ids of the aggregates that recorded some events."""

    def originator_ids(self, *event_types: type[Any]) -> Iterator[UUID]: ...


class MediaUpkeep:
    """Use cases for the operator: what the storage holds that no event needs, and what it lacks."""

    def __init__(self, records: UpkeepRecords):
        self.records = records

    def orphaned_media(self, grace: timedelta = media_gc.DEFAULT_GRACE) -> MediaSweep:
        """Stored objects that no live image of a live item refers to (for ``archive media gc``):
        the orphans, and those kept for now because they were written less than ``grace`` ago
        or their upload is in progress (see ``archive.media_ports.gc``)."""
        media = self._media()
        now = clock.now()
        stored = media.stored_objects("")  # first the objects, then the notes, then the events
        uploading = self.records.keys.uploads_in_progress(now - media_gc.UPLOAD_ABANDONED_AFTER)
        live: dict[tuple[UUID, UUID], bool] = {}
        sweep = MediaSweep()
        for found in stored:
            ref = media_files.parse_key(found.key)
            if ref is not None:
                pair = (ref.item_id, ref.image_id)
                if pair not in live:
                    live[pair] = self._image_is_live(ref.item_id, ref.image_id)
                if live[pair]:
                    continue
            why = media_gc.why_kept(found, now=now, grace=grace, uploading=uploading)
            if why is None:
                sweep.orphans.append(found.key)
            else:
                sweep.kept.append(Kept(found.key, why))
        return sweep

    def delete_orphaned_media(self, keys: Iterable[str]) -> int:
        """Delete the given orphans (from :meth:`orphaned_media`, which checked their age)
        after checking again that no upload of theirs is in progress and that each is still an
        orphan; then forget the notes of uploads abandoned long ago."""
        media = self._media()
        started_after = clock.now() - media_gc.UPLOAD_ABANDONED_AFTER
        uploading = self.records.keys.uploads_in_progress(started_after)  # read after the listing
        deleted = 0
        for key in keys:
            ref = media_files.parse_key(key)
            if ref is not None and (ref.image_id in uploading or self._image_is_live(ref.item_id, ref.image_id)):
                continue
            media.delete(key)
            deleted += 1
        self.records.keys.uploads_finished(*self.records.keys.abandoned_uploads(started_after))
        return deleted

    def abandoned_media_writes(self, grace: timedelta = media_gc.DEFAULT_GRACE) -> MediaSweep:
        """Partial files that media writes killed midway left anywhere in the storage: those
        last written more than ``grace`` ago as orphans, younger ones as kept."""
        if self.records.media is None:
            return MediaSweep()
        every = self.records.media.abandoned_writes(thorough=True)
        old = set(self.records.media.abandoned_writes(thorough=True, written_before=clock.now() - grace))
        return MediaSweep(
            orphans=[name for name in every if name in old],
            kept=[Kept(name, media_gc.TOO_YOUNG) for name in every if name not in old],
        )

    def remove_abandoned_media_writes(self, *, thorough: bool = False, grace: timedelta | None = None) -> int:
        """Remove the partial files that media writes killed midway left; return how many.

        A partial original is sealed with its item's key and stays decryptable while the key
        lives (AES-GCM is a counter mode underneath). Never touches a write in progress (its
        writer holds a lock on it), nor, with ``grace``, a file written less than that long
        ago. Every process does a quick pass when it opens the archive and the follower keeps
        doing one (``.tmp/`` only, where every write is locked); ``archive media gc --delete``
        does a ``thorough`` one with the grace period, for partial files that writers of older
        versions left in the items' folders without a lock.
        """
        if self.records.media is None:
            return 0
        before = clock.now() - grace if grace is not None else None
        names = self.records.media.abandoned_writes(thorough=thorough, written_before=before)
        return sum(1 for name in names if self.records.media.remove_abandoned_write(name))

    def _image_is_live(self, item_id: UUID, image_id: UUID) -> bool:
        item = self.records.find(Item, item_id)
        return (
            item is not None
            and not item.is_withdrawn
            and not item.is_redacted
            and str(image_id) in item.images
        )

    def images_to_check(self) -> list[tuple[UUID, UUID]]:
        """Every (item, image) pair whose files should be in storage."""
        item_ids = dict.fromkeys(self.records.originator_ids(Artwork.ImageAdded, Testimony.ImageAdded))
        pairs: list[tuple[UUID, UUID]] = []
        for item_id in item_ids:
            item = self.records.get_item(item_id)
            if item.is_withdrawn or item.is_redacted:
                continue
            pairs.extend((item_id, UUID(image_id)) for image_id in item.images)
        return pairs

    def check_image_fixity(self, item_id: UUID, image_id: UUID) -> list[str]:
        """Problems with one image's stored files: missing, changed or unreadable. Empty if fine."""
        media = self._media()
        item = self.records.get_item(item_id)
        facts = item.image_facts(str(image_id))
        data_key = self.records.keys.get(item_id)
        if data_key is None:
            return [f"{media_files.image_prefix(item_id, image_id)}: the item's key is missing"]
        problems = []
        key = media_files.original_key(item_id, image_id)
        try:
            original = media_files.unseal(data_key, item_id, key, media.get(key))
        except MediaNotFound:
            problems.append(f"{key}: missing")
        except InvalidTag:
            problems.append(f"{key}: changed (cannot be decrypted)")
        else:
            expected = facts.original.sha256 if facts.original else None
            if hashlib.sha256(original).hexdigest() != expected:
                problems.append(f"{key}: changed (SHA-256 differs from the recorded one)")
        for rendition in facts.renditions:
            key = media_files.derivative_key(item_id, image_id, rendition.name, rendition.format)
            if not media.exists(key):
                problems.append(f"{key}: missing")
        return problems

    def _media(self) -> MediaStore:
        if self.records.media is None or self.records.images is None:
            raise ArchiveError("This archive was opened without media storage.")
        return self.records.media
