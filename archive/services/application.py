"""The archive's unit of work: one eventsourcing application, and the services it holds.

``ExhibitionArchive`` owns what every use case shares: the event store and its transcodings
(content is encrypted per subject on its way there, see ``archive.shredding.transcodings``),
the key table, saving (with the read models written in the same transaction, see
``archive.read.side``), loading and resolving aggregates, their history, the check that a
write was made on the stored version, and reads of the log. The use cases live in services
named for their jobs, each built here with the application typed as a small protocol of
these public methods: ``contributors``, ``cataloguing``, ``item_images``, ``consent``,
``curation``, ``media_upkeep``, ``self_service`` and ``access`` (callers write
``archive.consent.withdraw(...)``), and ``listings`` for the read models' queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timezone, tzinfo
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Notification
from eventsourcing.system import NotificationLogReader
from eventsourcing.utils import Environment, get_topic

from archive.services.access import CuratorAccess
from archive.services.contributors import ContributorRegistry
from archive.services.cataloguing import Cataloguing
from archive.services.consent import ConsentAndWithdrawal
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
from archive.media_ports.ports import ImagePipeline, MediaStore
from archive.shredding.transcodings import ConsentAsDict, DateAsISO, PersonalAsCiphertext, PlacementAsDict
from archive.shredding.transcodings import ConsentRequestAsDict
from domain import clock
from domain.contributors import Contributor
from domain.curators import ApiToken
from domain.errors import InvalidValue
from domain.exhibitions import Exhibition
from domain.indexes import Catalogue, ContributorItems, SlugIndex
from domain.items import Artwork, Item, Testimony

A = TypeVar("A", bound=Aggregate)
#: The beginning of an id as printed (history lines show its first 8 digits).
_ID_PREFIX = re.compile(r"[0-9a-f][0-9a-f-]*")


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class ExhibitionArchive(ReadModels):
    """The unit of work of every use case; its services record contributors, items, consent
    and exhibitions, and forget on withdrawal."""

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
        #: Consent recorded, changed and withdrawn; what a withdrawal forgets made unrecoverable.
        self.consent = ConsentAndWithdrawal(self)
        #: What contributors do with their consent code (receipts, requests, withdrawals).
        self.self_service = ContributorSelfService(self, self.consent)
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

    # -- keys for new subjects and texts ---------------------------------------------------

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
            if self.has_events(subject_id):
                self.keys.reservations_used(subject_id)
            else:
                self.keys.shred(subject_id, media_of=[subject_id])
            raise

    def new_texts_key(self) -> UUID:
        """A new key for one version of an exhibition's own texts. Made directly, not
        reserved: it never has events of its own, which reservations are settled by."""
        key = uuid4()
        self.keys.create(key)
        return key

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

    # -- for the services: versions, typed reads, atomic saves, the log ---------------------

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

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate of type ``cls`` with this id, or None if there is none of that type."""
        return self._find(cls, aggregate_id)

    def save_changes(self, *aggregates: Aggregate) -> None:
        """Save aggregates changed together, in one transaction; ``ConcurrentChange`` (and
        nothing saved) if someone else saved one of them first."""
        self._save(*aggregates)

    def originator_ids(self, *event_types: type[Any], start: int = 1, stop: int | None = None) -> Iterator[UUID]:
        """The ids of the aggregates that recorded an event of one of ``event_types``, in log
        order (an id once per such event), between log positions ``start`` and ``stop``
        (inclusive; the end of the log if None)."""
        for notification in self._notifications(event_types, start, stop):
            yield _as_uuid(notification.originator_id)

    def recorded_events(
        self, *event_types: type[Any], start: int = 1, stop: int | None = None
    ) -> Iterator[DomainEventProtocol[UUID]]:
        """The events of ``event_types`` recorded between log positions ``start`` and ``stop``
        (as :meth:`originator_ids`), decoded, in log order."""
        for notification in self._notifications(event_types, start, stop):
            yield self.mapper.to_domain_event(notification)

    def has_events(self, aggregate_id: UUID) -> bool:
        """Whether any event of this id (an aggregate, a subject reserved a key) is stored."""
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def recorded_among(self, subject_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these ids (aggregates, subjects that reserved a key) have events stored,
        asked of all at once."""
        return self.read_models.recorded_among(subject_ids)

    def last_position(self) -> int:
        """The log position of the latest event (0 for an empty log)."""
        return self.recorder.max_notification_id() or 0

    def _notifications(
        self, event_types: Iterable[type[Any]], start: int = 1, stop: int | None = None
    ) -> Iterator[Notification]:
        """The log's notifications of these event types, a section at a time."""
        if stop is not None and start > stop:
            return
        topics = [get_topic(event_type) for event_type in event_types]
        for batch in NotificationLogReader(self.notification_log, section_size=self.log_section_size).select(
            start=start, stop=stop, topics=topics
        ):
            yield from batch

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
