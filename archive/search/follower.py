"""The search follower: a pull loop over the event log that keeps the index up to date.

It reads notifications after the index's tracking position (``select_notifications`` works
the same on SQLite and PostgreSQL, which lacks nothing but SQLite lacks subscriptions),
works out which documents they affect, rebuilds those documents from *current* state
through the consent gate, and applies them in one commit followed by the new position.
Killed at any point, it resumes from the last recorded position; re-applying is idempotent.
Withdrawn text is purged from the index files by rewriting only the affected segments.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from archive.services.application import ExhibitionArchive, _as_uuid
from archive.search import SearchDocument, SearchIndex
from archive.search.documents import ExhibitionMap, document_for
from archive.search.folders import IndexFolders
from domain.contributors import Contributor
from domain.exhibitions import Exhibition
from domain.items import Artwork, Testimony

log = logging.getLogger(__name__)

BATCH_SIZE = 500
REBUILD_BATCH = 2000
POLL_SECONDS = 0.2
#: Withdrawn text leaves the index files at most this long after its delete is committed.
PURGE_AFTER_SECONDS = 5.0
#: How often the follower looks for documents whose consent has expired.
EXPIRY_CHECK_SECONDS = 60.0
#: At most this often, when there is nothing new to apply, small segments are merged.
COMPACT_SECONDS = 10.0
#: A compaction holds up the follower (about a second at 50,000 documents), so it waits until
#: nothing new has come for this long: during a burst of changes, each is applied at once.
QUIET_SECONDS = 3.0
#: ... but under changes that never pause, it runs at least this often anyway.
COMPACT_ANYWAY_SECONDS = 60.0
#: How often the follower retries what withdrawals left pending (the key of a withdrawal
#: whose process died, media objects the storage did not delete in time).
PENDING_WORK_SECONDS = 10.0

_ITEM_TOPICS = tuple(get_topic(cls) + "." for cls in (Artwork, Testimony))
_EXHIBITION_TOPIC = get_topic(Exhibition) + "."
_CONTRIBUTOR_TOPIC = get_topic(Contributor) + "."
#: Item events that may withhold a name, which the texts of its exhibitions then lose too.
_WITHHOLDING_EVENTS = tuple(
    f"{get_topic(cls)}.{event}" for cls in (Artwork, Testimony) for event in ("ConsentUpdated", "ConsentWithdrawn", "SpanRedacted")
)

IndexOpener = Callable[[Path], SearchIndex]


def _exhibitions(archive: ExhibitionArchive) -> ExhibitionMap:
    return ExhibitionMap.of(archive.exhibitions())


class SearchFollower:
    """Applies the event log to a search index, batch by batch."""

    def __init__(self, archive: ExhibitionArchive, index: SearchIndex, batch_size: int = BATCH_SIZE):
        self.archive = archive
        self.index = index
        self.batch_size = batch_size
        # Deleted documents an earlier run left in the files (stopped or killed before its
        # purge) are purged at the first pass.
        self._purge_due: float | None = 0.0
        self._next_expiry_check = 0.0
        # A follower that just started waits before its first compaction too.
        self._last_compaction = self._last_applied = time.monotonic()

    def run_batch(self) -> int:
        """Apply the next batch of notifications; return how many there were (0: caught up)."""
        position = self.index.position()
        notifications = self.archive.recorder.select_notifications(position + 1, self.batch_size)
        if not notifications:
            return 0
        affected: dict[UUID, None] = {}
        for notification in notifications:
            for aggregate_id in self._affected_by(notification):
                affected[aggregate_id] = None
        upserts, deletes = self.documents(affected)
        self.index.apply(upserts, deletes, notifications[-1].id)
        self._last_applied = time.monotonic()
        if deletes or upserts:
            # A replaced document leaves its old text in a segment too (e.g. a name made anonymous).
            self._purge_soon()
        return len(notifications)

    def catch_up(self) -> int:
        """Apply everything up to the end of the log; return the number of notifications."""
        total = 0
        while count := self.run_batch():
            total += count
        return total

    def remove_expired(self) -> int:
        """Remove documents whose consent expired (no event marks an expiry), and re-index the
        exhibitions that hang or once hung them (their texts now withhold those contributors' names); return
        how many documents were removed."""
        expired = self.index.doc_ids_expired(self.archive.today())
        if not expired:
            return 0
        items = [UUID(doc_id) for doc_id in expired]
        showing = dict.fromkeys(self.archive.listings.exhibitions_ever_hanging(items))
        upserts, deletes = self.documents([*items, *showing])
        self.index.apply(upserts, deletes, self.index.position())
        self._purge_soon()
        return len(deletes)

    def _purge_soon(self) -> None:
        if self._purge_due is None:
            self._purge_due = time.monotonic() + PURGE_AFTER_SECONDS

    def purge_if_due(self, force: bool = False) -> int:
        """Rewrite segments still holding deleted documents, once their grace time has passed.

        One segment per call (all of them when ``force``d): a large one takes seconds to
        rewrite, and the follower applies whatever came meanwhile before the next.
        """
        if not force and (self._purge_due is None or time.monotonic() < self._purge_due):
            return 0
        rewritten = self.index.purge_deleted(None if force else 1) if self.index.has_deleted() else 0
        self._purge_due = time.monotonic() if self.index.has_deleted() else None  # the rest: right after
        return rewritten

    def compaction_due(self, now: float) -> bool:
        """Whether to merge small segments now, the log being caught up: at most every
        ``COMPACT_SECONDS``, once nothing new has been applied for ``QUIET_SECONDS`` (or
        ``COMPACT_ANYWAY_SECONDS`` passed since the last compaction)."""
        since_compaction = now - self._last_compaction
        if since_compaction < COMPACT_SECONDS:
            return False
        return now - self._last_applied >= QUIET_SECONDS or since_compaction >= COMPACT_ANYWAY_SECONDS

    def documents(self, aggregate_ids: Iterable[UUID]) -> tuple[list[SearchDocument], list[str]]:
        """Current documents for these aggregates, and the ids whose documents must go."""
        exhibitions = _exhibitions(self.archive)
        upserts, deletes = [], []
        for aggregate_id in aggregate_ids:
            document = document_for(self.archive, aggregate_id, exhibitions)
            if document is None:
                deletes.append(str(aggregate_id))
            else:
                upserts.append(document)
        return upserts, deletes

    def _affected_by(self, notification: Any) -> Iterator[UUID]:
        topic: str = notification.topic
        originator = _as_uuid(notification.originator_id)
        if topic.startswith(_ITEM_TOPICS):
            yield originator
            if topic in _WITHHOLDING_EVENTS:
                yield from self.archive.listings.exhibitions_ever_hanging([originator])
        elif topic.startswith(_EXHIBITION_TOPIC):
            yield originator
            exhibition = self.archive.get_exhibition(originator)
            yield from exhibition.item_ids
            for doc_id in self.index.doc_ids_in_exhibition(exhibition.slug):
                yield UUID(doc_id)  # includes items removed from it
        elif topic.startswith(_CONTRIBUTOR_TOPIC):
            for doc_id in self.index.doc_ids_for_contributor(str(originator)):
                yield UUID(doc_id)

    def run_forever(self, stop: threading.Event, poll_seconds: float = POLL_SECONDS) -> None:
        """Follow the log until ``stop`` is set; errors are logged and retried with back-off.

        Beside it, a thread keeps finishing what withdrawals left pending (see
        :func:`retry_pending_work`), so that a stalled media storage never holds up the index.
        """
        done = threading.Event()
        helper = threading.Thread(
            target=retry_pending_work, args=(self.archive, done), name="pending-withdrawal-work", daemon=True
        )
        helper.start()
        try:
            self._follow(stop, poll_seconds)
        finally:
            done.set()
            helper.join(5.0)

    def step(self) -> int:
        """One pass of the loop: apply the next batch; with none, merge small segments when
        due; every ``EXPIRY_CHECK_SECONDS`` remove documents whose consent expired; purge
        when due. Returns the number of notifications applied (0: idle)."""
        applied = self.run_batch()
        if not applied and self.compaction_due(time.monotonic()):
            self.index.compact()  # idle: merge small segments, off the critical path
            self._last_compaction = time.monotonic()
        if time.monotonic() >= self._next_expiry_check:
            self.remove_expired()
            self._next_expiry_check = time.monotonic() + EXPIRY_CHECK_SECONDS
        self.purge_if_due()
        return applied

    def _follow(self, stop: threading.Event, poll_seconds: float) -> None:
        backoff = poll_seconds
        while not stop.is_set():
            try:
                applied = self.step()
                backoff = poll_seconds
            except Exception:  # noqa: BLE001 - a follower must survive a bad moment and retry
                log.exception("Search follower failed; retrying in %.1f s", backoff)
                applied = 0
                backoff = min(backoff * 2, 30.0)
            if not applied:
                stop.wait(backoff)


def retry_pending_work(archive: ExhibitionArchive, stop: threading.Event) -> None:
    """Until ``stop`` is set, every ``PENDING_WORK_SECONDS``: shred the keys of withdrawals
    whose process died before shredding them and the keys that a process which died had
    reserved; remove partial files of media writes killed midway; and delete the media
    objects of withdrawn items that are still stored (each failure is logged by the archive
    and retried next time)."""
    while True:
        try:
            archive.consent.finish_interrupted_withdrawals()
            archive.consent.shred_abandoned_reservations()
            archive.media_upkeep.remove_abandoned_media_writes()
            archive.consent.delete_pending_media()
        except Exception:  # noqa: BLE001 - a follower must survive a bad moment and retry
            log.exception("Finishing pending withdrawal work failed; retrying in %.0f s", PENDING_WORK_SECONDS)
        if stop.wait(PENDING_WORK_SECONDS):
            return


def all_documents(archive: ExhibitionArchive) -> tuple[list[UUID], int]:
    """Every item and exhibition id in the log, and the log position they were read up to.

    Items come grouped by contributor (each contributor's in the order recorded), then
    whatever no contributor lists (exhibitions) in log order. A rebuild writes them in this
    order, so one contributor's documents share few segments: when they withdraw everything,
    the purge rewrites those few instead of one segment per item.
    """
    position = archive.recorder.max_notification_id() or 0
    topics = [get_topic(cls.Recorded) for cls in (Artwork, Testimony)] + [get_topic(Exhibition.Created)]
    in_log = _originators(archive, topics, position)
    wanted = set(in_log)
    ordered: list[UUID] = []
    for contributor_id in dict.fromkeys(_originators(archive, [get_topic(Contributor.Registered)], position)):
        for item_id in archive.contributor_item_ids(contributor_id):
            if item_id in wanted:
                wanted.discard(item_id)
                ordered.append(item_id)
    ordered += [aggregate_id for aggregate_id in in_log if aggregate_id in wanted]
    return ordered, position


def _originators(archive: ExhibitionArchive, topics: list[str], position: int) -> list[UUID]:
    ids: list[UUID] = []
    start = 1
    while True:
        batch = archive.recorder.select_notifications(start, 1000, stop=position, topics=topics)
        if not batch:
            break
        ids.extend(_as_uuid(n.originator_id) for n in batch)
        start = batch[-1].id + 1
    return ids


def rebuild(
    archive: ExhibitionArchive,
    folders: IndexFolders,
    open_index: IndexOpener,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Build a fresh index of everything into a new folder and switch to it atomically.

    The live index keeps answering meanwhile. The new index records the log position it was
    built from, so a follower switching to it re-applies whatever came after (idempotently).
    Returns the number of documents indexed.
    """
    ids, position = all_documents(archive)
    folder = folders.new_version()
    index = open_index(folder)
    count = 0
    try:
        exhibitions = _exhibitions(archive)
        batch: list[SearchDocument] = []
        for done, aggregate_id in enumerate(ids, start=1):
            document = document_for(archive, aggregate_id, exhibitions)
            if document is not None:
                batch.append(document)
            if len(batch) >= REBUILD_BATCH or done == len(ids):
                index.bulk_add(batch)
                count += len(batch)
                batch = []
            if progress:
                progress(done, len(ids))
        index.apply([], [], position)
    finally:
        index.close()
    folders.publish(folder)
    return count


def rebuild_if_outdated(
    archive: ExhibitionArchive, index: SearchIndex, folders: IndexFolders, open_index: IndexOpener
) -> int | None:
    """Rebuild (see :func:`rebuild`) when the live index was built with other fields than
    today's, e.g. before content notes were indexed: return the number of documents indexed,
    or None when it was current. A follower calls this when it starts; the outdated index
    keeps answering (and following, without the new fields) until the switch."""
    if not index.needs_rebuild():
        return None
    log.warning("The search index was built with other fields; rebuilding it")
    return rebuild(archive, folders, open_index)
