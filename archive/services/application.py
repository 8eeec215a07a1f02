"""The archive's use cases, as one eventsourcing application.

Every command names who acted. Content is encrypted per subject on its way to the event
store (see ``archive.shredding.transcodings``); withdrawing consent saves the withdrawal and then
shreds the item's data key, after which its content reads back redacted everywhere.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Notification
from eventsourcing.system import NotificationLogReader
from eventsourcing.utils import Environment, get_topic

from archive.media_ports import files as media_files
from archive.services.access import CuratorAccess
from archive.services.contributors import ContributorRegistry, new_consent_code
from archive.services.cataloguing import Cataloguing, check_may_act
from archive.services.curation import Curation
from archive.services.item_images import ItemImages
from archive.services.media_upkeep import MediaUpkeep
from archive.errors import ChangedMeanwhile, ConcurrentChange, NotFound
from archive.history import HistoryEntry, changes_since, history_entries
from archive.shredding.key_seal import SEAL_ID, KeyTableSeal
from archive.read.models import ItemFilter
from archive.read.listings import Listings
from archive.read.side import ReadModels, with_read_model_recorder
from archive.shredding.keystore import KeyStore
from archive.credentials.sessions import SessionStore
from archive.services.self_service import ContributorSelfService
from archive.media_ports.ports import ImagePipeline, MediaError, MediaStore
from archive.shredding.transcodings import ConsentAsDict, DateAsISO, PersonalAsCiphertext, PlacementAsDict
from archive.shredding.transcodings import ConsentRequestAsDict
from domain import actor as actors
from domain.actor import Actor
from domain import clock
from domain.consent import Consent, parse_attribution, parse_scopes
from domain.contributors import Contributor
from domain.curators import ApiToken
from domain.errors import ConsentError, InvalidValue, ItemWithdrawn
from domain.exhibitions import Exhibition
from domain.indexes import Catalogue, ContributorItems, SlugIndex
from domain.items import (
    Artwork,
    Item,
    Testimony,
)

A = TypeVar("A", bound=Aggregate)
#: The beginning of an id as printed (history lines show its first 8 digits).
_ID_PREFIX = re.compile(r"[0-9a-f][0-9a-f-]*")

log = logging.getLogger(__name__)

#: The key table's record of how far through the event log every withdrawal's keys are shredded.
WITHDRAWALS_CHECKED = "withdrawals_checked"


@dataclass(frozen=True)
class ConsentReceipt:
    """What a curator hands the contributor after recording consent.

    ``code`` is present only when a new consent code was issued: it is shown exactly once
    and never stored. Otherwise the contributor's existing code covers this item too.
    """

    item_id: UUID
    contributor_id: UUID
    recorded_at: datetime
    code: str | None


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class ExhibitionArchive(ReadModels):
    """Records contributors, items, consent and exhibitions, and forgets on withdrawal."""

    name = "exhibition_archive"
    #: How many notifications one read of the log returns (NotificationLogReader pages by it).
    log_section_size = 500
    snapshotting_intervals = {
        Exhibition: 50,
        Catalogue: 100,
        Contributor: 50,
        Artwork: 50,
        Testimony: 50,
        ContributorItems: 100,
        ApiToken: 50,  # a token used daily records one event a day
    }
    #: How long a withdrawal waits for the media storage to delete the item's files before it
    #: answers anyway (the key is shredded by then; the follower finishes the deletion).
    media_deletion_wait_seconds = 2.0

    def __init__(
        self,
        keys: KeyStore,
        env: Mapping[str, str] | None = None,
        *,
        media: MediaStore | None = None,
        images: ImagePipeline | None = None,
        zone: tzinfo = timezone.utc,
        sessions: SessionStore,
    ):
        """``keys`` is the key table; ``env`` the eventsourcing persistence settings;
        ``media`` and ``images`` the media storage and image pipeline (needed for images);
        ``zone`` the time zone whose calendar days count (consent expiry, "as it stood on");
        ``sessions`` the session table every process shares."""
        self.keys = keys
        self.sessions = sessions
        self.zone = zone
        self.media = media
        self.images = images
        self._sealed = False  # the key table seal is known to be in the event store
        super().__init__(env=dict(env or {}))
        #: What contributors do with their consent code (receipts, requests, withdrawals).
        self.self_service = ContributorSelfService(self)
        #: Curators' accounts, API tokens and browser sessions (curators' and the portal's).
        self.access = CuratorAccess(self, sessions, self.self_service.code_is_live)
        #: What the read models answer: listings, visitors' cards, which exhibitions hang what.
        self.listings = Listings(self.read_models, self.mapper.transcoder.decode, keys)
        #: Contributors' records as curators keep them, and their consent codes.
        self.contributors = ContributorRegistry(self, self.access.end_portal_sessions)
        #: Exhibitions as curators arrange them: works hung, wall texts, publishing.
        self.curation = Curation(self)
        #: Artworks and testimonies as curators record and describe them.
        self.cataloguing = Cataloguing(self)
        #: Items' images: uploads, an artwork recorded with its images, renditions served.
        self.item_images = ItemImages(self, self.cataloguing)
        #: The media storage kept in step with the events: orphans, partial writes, fixity.
        self.media_upkeep = MediaUpkeep(self)

    # -- wiring --------------------------------------------------------------------------

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        # Configuration enters once, at the composition root: unlike the base class, do not
        # merge os.environ here.
        merged = dict(type(self).env)
        if type(self).snapshotting_intervals:
            merged["IS_SNAPSHOTTING_ENABLED"] = "y"
        merged.update(env or {})
        return Environment(name, with_read_model_recorder(merged))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(PersonalAsCiphertext(self.keys))
        transcoder.register(DateAsISO())
        transcoder.register(ConsentAsDict())
        transcoder.register(ConsentRequestAsDict())
        transcoder.register(PlacementAsDict())

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save, writing the key table seal first if the event store has none yet (see
        ``archive.shredding.key_seal``): no event is ever stored without it."""
        if objs and not self._sealed:
            self.seal_key_table()
        return super().save(*objs, **kwargs)

    def key_table_seal(self) -> KeyTableSeal | None:
        """The event store's record of the key table its events are sealed under, if any."""
        return self._find(KeyTableSeal, SEAL_ID)

    def seal_key_table(self) -> None:
        """Record in the event store that its events are sealed under this key table, unless
        it is recorded already (by this process or another)."""
        if not self.recorder.select_events(SEAL_ID, limit=1):
            try:
                super().save(KeyTableSeal.seal(self.keys.fingerprint()))
            except IntegrityError:
                pass  # another process sealed it first
        self._sealed = True

    def close(self) -> None:
        super().close()
        self.sessions.close()
        self.keys.close()

    def today(self) -> date:
        """Today in the archive's time zone: the day consent expiry and "as of" are judged on."""
        return clock.today(self.zone)

    # -- images --------------------------------------------------------------------------

    # -- consent ---------------------------------------------------------------------------

    def record_consent(
        self,
        item_id: UUID,
        *,
        actor: Actor,
        scopes: Iterable[str],
        attribution: str,
        text_version: str,
        expires_on: date | None = None,
        based_on: int | None = None,
    ) -> ConsentReceipt:
        """Record the contributor's consent for an item.

        Issues the contributor's consent code if they have none yet; the receipt carries it
        (shown once). The item, contributor and code index are saved atomically. ``based_on``
        is the version of the item the curator saw (see :meth:`check_based_on`).
        """
        item = self.get_item(item_id)
        self.check_based_on(item, based_on)
        contributor = self.get_contributor(item.contributor_id)
        consent = self._consent(contributor, actor, scopes, attribution, text_version, expires_on)
        item.record_consent(consent, actor)
        code = None
        changed: list[Aggregate] = [item]
        if not contributor.has_consent_code:
            code, more = new_consent_code(self, contributor, actor)
            changed.extend(more)
        self._save(*changed)
        return ConsentReceipt(item.id, contributor.id, consent.recorded_at, code)

    def update_consent(
        self,
        item_id: UUID,
        *,
        actor: Actor,
        scopes: Iterable[str] | None = None,
        attribution: str | None = None,
        text_version: str | None = None,
        expires_on: date | None | str = "unchanged",
        based_on: int | None = None,
        contributor_asked: bool = False,
    ) -> Consent:
        """Change the scopes, attribution or expiry of an item's consent.

        ``based_on`` is the version of the item the change was made on (see
        :meth:`check_based_on`). Showing more than the contributor's own latest choice is
        refused (``WideningNeedsConfirmation``) unless ``contributor_asked``: the curator
        confirmed it with the contributor, which the event records.
        """
        item = self.get_item(item_id)
        check_may_act(item, actor)
        self.check_based_on(item, based_on)
        if item.is_withdrawn:
            raise ItemWithdrawn("Consent was withdrawn for this item; it cannot be changed.")
        if item.consent is None:
            raise ConsentError("No consent is recorded for this item yet; record it first.")
        current = item.consent
        contributor = self.get_contributor(item.contributor_id)
        consent = self._consent(
            contributor,
            actor,
            current.scopes if scopes is None else scopes,
            current.attribution if attribution is None else attribution,
            current.text_version if text_version is None else text_version,
            current.expires_on if expires_on == "unchanged" else expires_on,  # type: ignore[arg-type]
        )
        item.update_consent(consent, actor, contributor_asked=contributor_asked)
        self._save(item)
        return consent

    def decline_consent_request(self, item_id: UUID, *, actor: Actor, based_on: int | None = None) -> None:
        """Close a contributor's pending request to widen consent, leaving consent as it is."""
        item = self.get_item(item_id)
        check_may_act(item, actor)
        self.check_based_on(item, based_on)
        item.decline_consent_request(actor)
        self._save(item)

    def withdraw(self, item_id: UUID, *, actor: Actor) -> datetime:
        """Withdraw consent for an item, for good, and shred its data key.

        Repeating a withdrawal is harmless: it returns the time of the first one. The key is
        shredded after the withdrawal is saved; if that fails, the next call (or
        :meth:`finish_interrupted_withdrawals`) completes it.
        """
        item = self.get_item(item_id)
        check_may_act(item, actor)
        if not item.is_withdrawn:
            item.withdraw(actor)
            self._save(item)
        self.make_unrecoverable([item.id], None)
        assert item.withdrawn_at is not None
        return item.withdrawn_at

    def make_unrecoverable(
        self, item_ids: list[UUID], contributor_id: UUID | None, texts_keys: Iterable[UUID] = ()
    ) -> None:
        """Shred the keys (everything sealed becomes noise), noting the items' media for
        deletion in the same transaction; then delete the media, waiting a short while at most.
        ``texts_keys`` are the keys of exhibition texts that named an erased contributor.

        Only after the withdrawal or erasure that calls for it is saved."""
        subjects = [*item_ids, *([contributor_id] if contributor_id else []), *texts_keys]
        if subjects:
            self.keys.shred(*subjects, media_of=item_ids)
        self._delete_media_within(item_ids, self.media_deletion_wait_seconds)

    def delete_pending_media(self) -> int:
        """Delete the media objects (every version) of withdrawn items whose deletion is
        pending; return how many items still have some.

        Their keys are shredded already, so what is left cannot be decrypted: this removes the
        ciphertext. Each failure is logged (the item's id and the storage's one-line reason,
        nothing else) and left pending; the follower calls this until nothing is.
        """
        return self._delete_media_of(self.keys.pending_media_deletions())

    def media_removal_pending(self, item_ids: Iterable[UUID]) -> bool:
        """Whether stored copies of any of these (withdrawn) items are still being deleted."""
        return not set(item_ids).isdisjoint(self.keys.pending_media_deletions())

    def _delete_media_within(self, item_ids: list[UUID], seconds: float) -> bool:
        """Delete the items' media, waiting at most ``seconds`` (True if all done by then).

        A stalled storage must not hold up the answer to the person withdrawing: what is not
        done in time carries on in the background and stays pending for the follower.
        """
        if not item_ids:
            return True
        finished = threading.Event()

        def delete() -> None:
            try:
                self._delete_media_of(item_ids)
            finally:
                finished.set()

        threading.Thread(target=delete, name="withdrawn-media-deletion", daemon=True).start()
        if finished.wait(seconds):
            return True
        log.warning(
            "Media deletion of withdrawn item(s) %s still running after %.1f s; the follower will retry it.",
            ", ".join(map(str, item_ids)), seconds,
        )
        return False

    def _delete_media_of(self, item_ids: list[UUID]) -> int:
        """Delete each item's media objects and clear its pending note; return how many failed."""
        failed = 0
        for item_id in item_ids:
            if self.media is not None:
                try:
                    self.media.delete_prefix(media_files.item_prefix(item_id))
                except MediaError as error:
                    log.warning("Media of withdrawn item %s not deleted yet (will retry): %s", item_id, error)
                    failed += 1
                    continue
            self.keys.media_deleted(item_id)
        return failed

    def finish_interrupted_withdrawals(self) -> int:
        """Shred the keys of withdrawn items and erased contributors whose shredding was
        interrupted (the process died after saving the event); return how many.

        Every process runs this when it opens the archive, and the follower keeps running it.
        It reads only the events after the position up to which the last complete run found
        every key shredded (kept in the key table), so it costs little when nothing happened.
        Also completes physical purges left pending in the key table. The items' media are
        noted for deletion (see :meth:`delete_pending_media`), not deleted here.
        """
        checked = self.keys.progress(WITHDRAWALS_CHECKED)
        end = self.recorder.max_notification_id() or 0
        topics = [get_topic(cls.ConsentWithdrawn) for cls in (Artwork, Testimony)]
        topics.append(get_topic(Contributor.PersonalDataErased))
        subjects = {  # subject id: whether it is an item (a contributor has no media)
            _as_uuid(n.originator_id): n.topic != topics[-1]
            for n in self.notifications(topics, start=checked + 1, stop=end)
        }
        subjects.update(dict.fromkeys(self._texts_keys_to_shred(checked + 1, end), False))
        pending = [subject for subject in subjects if self.keys.exists(subject)]
        if pending:
            # The media are only noted: a stalled storage must not hold up a process's start.
            self.keys.shred(*pending, media_of=[subject for subject in pending if subjects[subject]])
        else:
            self.keys.complete_pending_purges()
        if end > checked:
            self.keys.advance(WITHDRAWALS_CHECKED, end)
        return len(pending)

    # -- exhibition texts keys (see archive.services.exhibition_erasure) -----------------------------

    def new_texts_key(self) -> UUID:
        """A new key for one version of an exhibition's own texts. Made directly, not
        reserved: it never has events of its own, which reservations are settled by."""
        key = uuid4()
        self.keys.create(key)
        return key

    def _texts_keys_to_shred(self, start: int, stop: int) -> list[UUID]:
        """The texts keys that ``NamesWithheld`` events between the positions list."""
        return [
            key
            for n in self.notifications([get_topic(Exhibition.NamesWithheld)], start=start, stop=stop)
            for key in cast(Exhibition.NamesWithheld, self.mapper.to_domain_event(n)).shredded
        ]

    def shred_abandoned_reservations(self) -> int:
        """Shred the keys a process reserved and never used before it died; return how many.

        A process takes a reserved key within minutes or never (see ``KeyStore.reserve``), so
        a reservation older than ``ABANDONED_AFTER_SECONDS`` whose subject has no event was
        left by a process that died, perhaps after storing media sealed with it: the key is
        shredded and the subject's media noted for deletion. Every process runs this when it
        opens the archive, and the follower keeps running it; it reads only the reservations
        not yet settled, so it costs little.
        """
        abandoned = self.keys.abandoned_reservations()
        if not abandoned:
            return 0
        used = [subject for subject in abandoned if self.recorder.select_events(subject, limit=1)]
        unused = [subject for subject in abandoned if subject not in used]
        if used:
            self.keys.reservations_used(*used)
        if unused:
            self.keys.shred(*unused, media_of=unused)
        return len(unused)

    def notifications(self, topics: list[str], start: int = 1, stop: int | None = None) -> Iterator[Notification]:
        """The log's notifications of events with these topics, from position ``start`` up to
        ``stop`` (inclusive; the end of the log if None), read a section at a time."""
        if stop is not None and start > stop:
            return
        for batch in NotificationLogReader(self.notification_log, section_size=self.log_section_size).select(
            start=start, stop=stop, topics=topics
        ):
            yield from batch

    def _consent(
        self,
        contributor: Contributor,
        actor: Actor,
        scopes: Iterable[Any],
        attribution: Any,
        text_version: str,
        expires_on: date | None,
    ) -> Consent:
        if contributor.is_erased:
            raise InvalidValue(
                "This contributor's details were erased at their request; register them again if they return."
            )
        parsed = parse_attribution(attribution)
        if parsed.value == "pseudonym" and not contributor.pseudonym:
            raise InvalidValue(
                "Attribution by pseudonym needs a pseudonym on the contributor's record."
            )
        return Consent(
            scopes=parse_scopes(scopes),
            attribution=parsed,
            text_version=(text_version or "").strip(),
            recorded_by=actors.check(actor),
            recorded_at=clock.now(),
            expires_on=expires_on,
        )

    # -- queries ---------------------------------------------------------------------------

    def get_item(self, item_id: UUID) -> Item:
        return self._get(Item, item_id, "item")

    def get_contributor(self, contributor_id: UUID) -> Contributor:
        return self._get(Contributor, contributor_id, "contributor")

    def get_exhibition(self, exhibition_id: UUID) -> Exhibition:
        return self._get(Exhibition, exhibition_id, "exhibition")

    def exhibition_id_for_slug(self, slug: str) -> UUID:
        index = self._find(SlugIndex, SlugIndex.id_for(slug)) if isinstance(slug, str) else None
        if index is None:
            raise NotFound("No exhibition with the slug %(slug)r.", slug=slug)
        return index.exhibition_id

    def exhibition_by_slug(self, slug: str) -> Exhibition:
        return self.get_exhibition(self.exhibition_id_for_slug(slug))

    def exhibitions(self) -> list[Exhibition]:
        """Every exhibition, published or not, in the order they were created."""
        return [self.get_exhibition(exhibition_id) for exhibition_id in self.exhibition_ids()]

    def exhibition_ids(self) -> list[UUID]:
        """Every exhibition's id, in the order they were created (without loading any)."""
        catalogue = self._find(Catalogue, Catalogue.ID)
        return list(catalogue.exhibition_ids) if catalogue is not None else []

    def contributor_item_ids(self, contributor_id: UUID) -> list[UUID]:
        """The items recorded for a contributor, oldest first (what their consent code reaches)."""
        listing = self._find(ContributorItems, ContributorItems.id_for(contributor_id))
        return list(listing.item_ids) if listing is not None else []

    def exhibition_as_of(self, exhibition_id: UUID, day: date) -> Exhibition:
        """The exhibition as it stood at the end of ``day`` in the archive's time zone."""
        cutoff = clock.end_of_day(day, self.zone)
        exhibition: Exhibition | None = None
        events = cast(list[Exhibition.Event], list(self.events.get(exhibition_id)))
        for event in events:
            if event.timestamp >= cutoff:
                break
            exhibition = event.mutate(exhibition)
        if exhibition is None:
            self.get_exhibition(exhibition_id)  # raises NotFound for an unknown id
            raise NotFound("The exhibition did not exist yet on %(day)s.", day=day.isoformat())
        # Texts that named someone who later erased their details are withheld (see
        # archive.services.exhibition_erasure), also from the days they were shown.
        exhibition.forget_withheld(v for e in events if isinstance(e, Exhibition.NamesWithheld) for v in e.versions)
        return exhibition

    def history(self, aggregate_id: UUID) -> list[HistoryEntry]:
        """What happened to an item, contributor or exhibition: when, who, what; no withdrawn content."""
        events = list(self.events.get(aggregate_id))
        if not events:
            raise NotFound("Nothing is recorded under %(id)s.", id=str(aggregate_id))
        return history_entries(events)

    def item_ids(self) -> list[UUID]:
        """Every artwork and testimony, in the order they were recorded (from the read model)."""
        store = self.read_models
        return [row.item_id for row in store.item_rows(ItemFilter(), offset=0, limit=store.count_items(ItemFilter()))]

    def changed_since(self, position: int, limit: int) -> set[UUID] | None:
        """Ids of the aggregates changed after notification ``position``, or None if more
        than ``limit`` events happened since (a projection that far behind is rebuilding)."""
        batch = self.recorder.select_notifications(position + 1, limit + 1)
        if len(batch) > limit:
            return None
        return {_as_uuid(n.originator_id) for n in batch}

    def contributor_ids(self) -> list[UUID]:
        """Every contributor, in the order they were registered (from the read model)."""
        store = self.read_models
        return [row.contributor_id for row in store.contributor_rows(offset=0, limit=store.count_contributors())]

    def resolve(self, id_or_slug: str) -> UUID:
        """The id of an item, contributor or exhibition: from its text form, in full or any
        beginning of it that only one of them has (history lines show 8 digits), or from an
        exhibition's slug (a slug wins over an id beginning with the same letters)."""
        text = id_or_slug.strip()
        try:
            return UUID(text)
        except ValueError:
            pass
        index = self._find(SlugIndex, SlugIndex.id_for(text))
        if index is not None:
            return index.exhibition_id
        prefix = text.lower()
        if not _ID_PREFIX.fullmatch(prefix):
            raise NotFound("No exhibition with the slug %(slug)r.", slug=id_or_slug)
        matches = [
            known for known in (*self.item_ids(), *self.contributor_ids(), *self.exhibition_ids())
            if str(known).startswith(prefix) or known.hex.startswith(prefix)
        ]
        if not matches:
            raise NotFound("No item, contributor or exhibition has an id starting %(prefix)r.", prefix=text)
        if len(matches) > 1:
            raise InvalidValue(
                "%(count)d items, contributors or exhibitions have an id starting %(prefix)r: give more of it.",
                count=len(matches), prefix=text,
            )
        return matches[0]

    # -- helpers ---------------------------------------------------------------------------

    def check_based_on(self, aggregate: Aggregate, based_on: int | None) -> None:
        """Refuse a write made on another version than the stored one, saying what changed.

        ``based_on`` is the version (``aggregate.version``) the curator's page or API read
        showed; ``ChangedMeanwhile`` lists what happened since (who, what, when; no withdrawn
        content) and nothing is saved. None skips the check: only for callers that read and
        write in one step (the demo, scripts), never for a page or an API request.
        """
        if based_on is None or based_on == aggregate.version:
            return
        if isinstance(based_on, int) and not isinstance(based_on, bool) and 0 < based_on < aggregate.version:
            raise ChangedMeanwhile(changes_since(self.events.get(aggregate.id, gt=based_on)))
        raise ChangedMeanwhile()

    # -- for collaborators (self-service, access): typed reads and atomic saves --------------

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate of type ``cls`` with this id, or None if there is none of that type."""
        return self._find(cls, aggregate_id)

    def save_changes(self, *aggregates: Aggregate) -> None:
        """Save aggregates changed together, in one transaction; ``ConcurrentChange`` (and
        nothing saved) if someone else saved one of them first."""
        self._save(*aggregates)

    def originator_ids(self, *event_types: type[Any]) -> Iterator[UUID]:
        """The ids of the aggregates that recorded an event of one of ``event_types``, in log
        order (an id once per such event)."""
        for notification in self.notifications([get_topic(event_type) for event_type in event_types]):
            yield _as_uuid(notification.originator_id)

    def _get(self, cls: type[A], aggregate_id: UUID, label: str) -> A:
        aggregate = self._find(cls, aggregate_id)
        if aggregate is None:
            raise NotFound("No %(kind)s with the id %(id)s.", kind=label, id=str(aggregate_id))
        return aggregate

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            aggregate = self.load(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def load(self, aggregate_id: UUID) -> Any:
        """The aggregate from the repository (AggregateNotFoundError if there is none), with
        what a snapshot older than this release could not hold recalled from its events: an
        exhibition's works taken down before that snapshot, whose names its texts withhold; a
        contributor's former names, which the gate withholds too."""
        aggregate: Any = self.repository.get(aggregate_id)
        if isinstance(aggregate, Exhibition) and not aggregate.knows_works_ever_hung:
            aggregate.recall_works_hung(self.events.get(aggregate_id, lte=aggregate.version))
        if isinstance(aggregate, Contributor) and not aggregate.knows_former_profiles:
            aggregate.recall_former_profiles(self.events.get(aggregate_id, lte=aggregate.version))
        return aggregate

    def _save(self, *aggregates: Aggregate) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise ConcurrentChange(
                "Someone else changed this record at the same time; their change was kept. "
                "Reload and try again."
            ) from None

    @contextmanager
    def new_subject(self) -> Iterator[UUID]:
        """A new subject id with its own data key; the key is shredded if the block fails before
        any event of the subject is saved, and any media it stored are noted for deletion (in
        case removing them failed too). Once an event is saved the key stays (the reservation
        is settled as used): shredding it then would blank a contributor's names with no event
        saying so, and the gate could no longer withhold them."""
        subject_id = self.keys.reserve()
        try:
            yield subject_id
        except BaseException:
            if self.recorder.select_events(subject_id, limit=1):
                self.keys.reservations_used(subject_id)
            else:
                self.keys.shred(subject_id, media_of=[subject_id])
            raise
