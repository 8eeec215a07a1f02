"""Which stored media objects ``archive media gc`` may delete, and which it keeps for now.

An upload stores its files a moment before its event is saved: until then its files look
like orphans. Two things protect them. The upload notes its images in the key table before
writing the first file and clears the note once the event is saved (``KeyStore.uploads_started``);
a noted upload is taken to be running for ``UPLOAD_ABANDONED_AFTER``, however slow it is. And
an object written less than the grace period ago (``ARCHIVE_MEDIA_GC_GRACE_HOURS``) is never
deleted, which also protects uploads that left no note: processes of versions from before the
notes, or a process that died before noting. An orphan older than both is collected.

The order of the checks is what makes this safe without a lock: the objects are listed first,
the notes read next, the events last. A listed object was written after its upload was noted,
so if the note is gone when it is read, the upload had saved its event (or given up) by then,
and the event is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from archive.media_ports import files as media_files
from archive.media_ports.ports import StoredObject

DEFAULT_GRACE = timedelta(hours=24)
#: An upload noted as started this long ago and never finished is taken to have crashed.
UPLOAD_ABANDONED_AFTER = timedelta(hours=24)

TOO_YOUNG = "too young"
UPLOAD_IN_PROGRESS = "upload in progress"


@dataclass(frozen=True)
class Kept:
    """An object that no event refers to, kept for now, and why (``TOO_YOUNG`` or
    ``UPLOAD_IN_PROGRESS``). Object keys are ids only: no name of anyone is in them."""

    key: str
    why: str


@dataclass
class MediaSweep:
    """What a look through the media storage found: orphans that may be deleted, and
    objects no event refers to yet that are kept for now."""

    orphans: list[str] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)


def why_kept(
    stored: StoredObject, *, now: datetime, grace: timedelta, uploading: set[UUID]
) -> str | None:
    """Why an object no event refers to must stay for now, or None if it may be deleted.

    A time in the future (a store's clock ahead of this machine's) counts as young.
    """
    if now - stored.modified < grace:
        return TOO_YOUNG
    ref = media_files.parse_key(stored.key)
    if ref is not None and ref.image_id in uploading:
        return UPLOAD_IN_PROGRESS
    return None
