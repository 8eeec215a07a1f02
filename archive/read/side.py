"""The application's side of the read models: rows computed from the aggregates being saved,
passed to the recorder with their events, and rebuilt from the log when they lag it.

The base class of :class:`archive.services.application.ExhibitionArchive` (an eventsourcing
``Application`` whose ``save`` and ``_record`` it extends, as eventsourcing's searchable-content
example does), typed on its own: it declares what it needs of the application. Every save goes through
:meth:`ReadModels.save`, which computes the rows from the aggregates as they stand (their new
events applied), never from a second read, and hands them to the recorder as the ``read_models``
keyword of ``insert_events``: the recorder writes them in the transaction that inserts the
events (see :mod:`archive.read.models`). The queries on those rows are a collaborator of their
own, :class:`archive.read.listings.Listings`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import ApplicationRecorder, Recording
from eventsourcing.popo import POPOFactory
from eventsourcing.system import NotificationLogReader
from eventsourcing.utils import get_topic, resolve_topic

from archive.gate.rules import credit, names_lost
from archive.errors import KeyShredded
from archive.shredding.keystore import KeyStore
from archive.gate.visibility import (
    card_content,
    exhibition_texts,
    exhibition_texts_filter,
    texts_valid_through,
)
from archive.read.models import (
    CardRow,
    ReadModelStore,
    SEALED,
    SEALED_CREDIT,
    VALID_FROM,
    VALID_THROUGH,
    RowChanges,
    StaleTexts,
    card_context,
    changes_for,
    sealed_texts_json,
)
from domain.contributors import Contributor
from domain.exhibitions import Exhibition
from domain.indexes import ContributorItems
from domain.items import Artwork, Item, Testimony
from domain.personal import Personal

#: The recorder that keeps the read models, for each eventsourcing persistence module the
#: composition root chooses (tests on the in-memory store name their fake's topic themselves).
RECORDER_TOPICS = {
    "eventsourcing.sqlite": "archive.read.models_sqlite:SQLiteReadModelRecorder",
    "archive.storage.sqlite_events": "archive.read.models_sqlite:SQLiteReadModelRecorder",
    "eventsourcing.postgres": "archive.read.models_postgres:PostgresReadModelRecorder",
}
RECORDER_TOPIC = "APPLICATION_RECORDER_TOPIC"
#: How many times a rebuild is retried when events arrive while it reads the log.
REBUILD_ATTEMPTS = 5
#: How many times a save computes exhibitions' visitor texts again when another save
#: replaced what they were computed from (see ``ReadModels._record``).
TEXTS_ATTEMPTS = 5


def with_read_model_recorder(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the recorder that keeps the read models chosen for its persistence module."""
    topic = RECORDER_TOPICS.get(env.get("PERSISTENCE_MODULE", "eventsourcing.popo"))
    if topic:
        env.setdefault(RECORDER_TOPIC, topic)
    return env


class ReadModels(Application[UUID]):
    """An application whose read models are kept with its events: their rows computed at each
    save and written in its transaction, and rebuilt from the log when they lag it.

    The base of :class:`archive.services.application.ExhibitionArchive`, which gives what is
    declared here: the key table, its calendar day, and how it loads an aggregate.
    """

    #: The key table: the cards of an exhibition's works are sealed under their items' keys.
    keys: KeyStore

    def today(self) -> date:
        """The day visitor texts are computed for (the archive's zone)."""
        raise NotImplementedError

    def load(self, aggregate_id: UUID) -> Any:
        """An aggregate as the application reads it; AggregateNotFoundError if there is none."""
        raise NotImplementedError

    def construct_recorder(self) -> ApplicationRecorder:
        # eventsourcing's in-memory factory ignores APPLICATION_RECORDER_TOPIC: resolve it here.
        if isinstance(self.factory, POPOFactory):
            topic = self.factory.env.get(RECORDER_TOPIC)
            if topic:
                return cast(ApplicationRecorder, resolve_topic(topic)())
        return super().construct_recorder()

    @property
    def read_models(self) -> ReadModelStore:
        """The recorder's query side (the recorder must be one of :data:`RECORDER_TOPICS`)."""
        return cast(ReadModelStore, self.recorder)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """Save, with the rows the saved aggregates give (unless ``read_models`` says them)."""
        changed = [obj for obj in objs if obj is not None and getattr(obj, "pending_events", None)]
        if "read_models" not in kwargs:
            changes = changes_for(changed, self._seal)
            self._touch_texts(changes, changed)
            kwargs["read_models"] = changes
        return super().save(*objs, **kwargs)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record the events with their rows; if another save replaced meanwhile something the
        exhibitions' visitor texts were computed from (:class:`StaleTexts`: nothing was
        written), compute those texts again from the store and the aggregates being saved."""
        for attempt in range(1, TEXTS_ATTEMPTS + 1):
            try:
                return super()._record(processing_event)
            except StaleTexts:
                changes = processing_event.saved_kwargs.get("read_models")
                if attempt == TEXTS_ATTEMPTS or not isinstance(changes, RowChanges):
                    raise
                changes.exhibition_texts.clear()
                changes.texts_basis.clear()
                changes.exhibition_cards.clear()
                self._touch_texts(changes, list(processing_event.aggregates.values()))
        raise AssertionError("unreachable")

    def _touch_texts(self, changes: RowChanges, changed: Sequence[Any]) -> None:
        """Put in ``changes`` the visitor texts of every exhibition ``changed`` may change
        (:meth:`_texts_touched_by`), with what each was computed from."""
        for exhibition_id, (texts, basis, cards) in self._texts_touched_by(changed).items():
            changes.exhibition_texts[exhibition_id] = texts
            changes.texts_basis[exhibition_id] = basis
            changes.exhibition_cards[exhibition_id] = cards

    def _texts_touched_by(
        self, changed: Sequence[Any]
    ) -> dict[UUID, tuple[str | None, dict[UUID, int], list[CardRow]]]:
        """The visitor texts (as stored) of every exhibition these aggregates may change: the
        exhibitions among them, and those hanging any item among them or any item of a
        contributor among them. Each is computed from its works as they stand with these
        changes applied (the others read from the store)."""
        at_hand = {aggregate.id: aggregate for aggregate in changed}
        exhibitions = [a.id for a in changed if isinstance(a, Exhibition)]
        items = [a.id for a in changed if isinstance(a, Item) and not _first_saved_now(a)]
        people = [a.id for a in changed if isinstance(a, Contributor) and not _first_saved_now(a)]
        if items or people:
            exhibitions += self.read_models.exhibitions_hanging(items, people)
        texts: dict[UUID, tuple[str | None, dict[UUID, int], list[CardRow]]] = {}
        for exhibition_id in dict.fromkeys(exhibitions):
            exhibition = at_hand.get(exhibition_id) or self._get_or_none(exhibition_id)
            if isinstance(exhibition, Exhibition):
                texts[exhibition_id] = self._visitor_texts(exhibition, at_hand)
        return texts

    def _visitor_texts(
        self, exhibition: Exhibition, at_hand: dict[UUID, Any]
    ) -> tuple[str | None, dict[UUID, int], list[CardRow]]:
        """The exhibition's visitor texts as stored (``visibility.exhibition_texts`` as JSON),
        or None while it is not published (publishing it computes them); the versions of
        the exhibition, works and contributors they were computed from; and the cards of the
        works it hangs (:meth:`_hung_cards`)."""
        if not exhibition.is_published:
            return None, {}, []
        works: dict[UUID, tuple[Item, Contributor | None]] = {}
        basis = {exhibition.id: exhibition.version}
        for item_id in exhibition.works_ever_hung:  # those taken down withhold names too
            item = at_hand.get(item_id) or self._get_or_none(item_id)
            if isinstance(item, Item):
                person = at_hand.get(item.contributor_id) or self._get_or_none(item.contributor_id)
                works[item_id] = (item, person if isinstance(person, Contributor) else None)
                basis[item_id] = item.version
                if isinstance(person, Contributor):
                    basis[person.id] = person.version
        on = self.today()
        until = texts_valid_through(exhibition, works, on)
        texts = sealed_texts_json(exhibition, exhibition_texts(exhibition, works, on), self._seal)
        stored = {SEALED: texts, VALID_FROM: on.isoformat(), VALID_THROUGH: until.isoformat() if until else None}
        return json.dumps(stored, ensure_ascii=False, sort_keys=True), basis, self._hung_cards(exhibition, works, on)

    def _hung_cards(
        self, exhibition: Exhibition, works: dict[UUID, tuple[Item, Contributor | None]], on: date
    ) -> list[CardRow]:
        """The card (``visibility.card_content``) of each work the exhibition hangs, whatever
        its consent (the page gates each from its item row), sealed under the item's key, with
        its wall text losing the names the exhibition's texts lose on ``on``: they hold as long
        as those texts do (from ``VALID_FROM`` through ``VALID_THROUGH``). A work whose content is shredded has none.
        The credit its attribution gives (``gate.rules.credit``) goes in sealed apart, under
        the contributor's key (:meth:`_seal_credit`), so that shredding it blanks the credit."""
        names = exhibition_texts_filter(exhibition, works, on)
        cards = []
        for placement in exhibition.placements:
            if placement.item_id not in works:
                continue
            item, person = works[placement.item_id]
            if item.is_redacted or names_lost(person):  # no card holds a name no filter can withhold
                continue
            wall_text = names.value(dict(placement.wall_text.reveal({}) or {}))
            cipher = self.keys.cipher(item.id)
            if cipher is None:  # shredded by another process meanwhile: the page reads the aggregates
                continue
            content = card_content(item, person, wall_text)
            content[SEALED_CREDIT] = self._seal_credit(exhibition.id, item, credit(item, person))
            plain = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
            card = cipher.encrypt(item.id, plain.encode(), card_context(exhibition.id))
            cards.append(CardRow(item_id=item.id, version=item.version, card=card))
        return cards

    def _seal_credit(self, exhibition_id: UUID, item: Item, name: str | None) -> str | None:
        """A card's credit sealed under the contributor's key, bound to the work and the
        exhibition (base64); None for no credit, or when her key is gone."""
        cipher = self.keys.cipher(item.contributor_id) if name else None
        if cipher is None or name is None:
            return None
        blob = cipher.encrypt(item.contributor_id, name.encode(), card_context(exhibition_id) + item.id.bytes)
        return base64.b64encode(blob).decode("ascii")

    def refresh_exhibition_texts(self, exhibition_id: UUID) -> None:
        """Compute an exhibition's visitor texts again for today and store them (when a work's
        consent ran out since they were computed: no event changes them then). If a save
        changed what they come from meanwhile, that save's texts stand."""
        exhibition = self._get_or_none(exhibition_id)
        if not isinstance(exhibition, Exhibition):
            return
        texts, basis, cards = self._visitor_texts(exhibition, {})
        try:
            self.read_models.write_read_models(
                RowChanges(
                    exhibition_texts={exhibition_id: texts},
                    texts_basis={exhibition_id: basis},
                    exhibition_cards={exhibition_id: cards},
                )
            )
        except StaleTexts:
            pass

    def _get_or_none(self, aggregate_id: UUID) -> Any:
        try:
            return self.load(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _seal(self, value: Any) -> bytes:
        """``value`` as the event store writes it (``Personal`` values sealed); a personal value
        whose key is gone (shredded meanwhile by another process) is written blank: if its save
        goes ahead, the event store refuses it as a concurrent change."""
        try:
            return self.mapper.transcoder.encode(value)
        except KeyShredded:
            if not isinstance(value, Personal):
                raise
            return self.mapper.transcoder.encode(Personal.redacted_for(value.subject_id))

    # -- building ------------------------------------------------------------------------------

    def ensure_read_models(self) -> bool:
        """Build the read models from the log if they never were (an archive from before them),
        or if events were saved without their rows (by such a release, during a rollback);
        True if a rebuild ran. A new, empty archive is marked built at once."""
        store = self.read_models
        end = self.recorder.max_notification_id()
        if store.read_models_built() and store.read_models_position() == end:
            return False
        if end is None:
            store.mark_read_models_built()
            return False
        self.rebuild_read_models()
        return True

    def rebuild_read_models(self) -> RowChanges:
        """Replace every read-model row by replaying each aggregate once, in one transaction.

        If events are saved meanwhile the result is thrown away and the replay starts again
        (they would be missing from it); after a few attempts it gives up with RuntimeError.
        """
        for _ in range(REBUILD_ATTEMPTS):
            position = self.recorder.max_notification_id()
            changes = RowChanges()
            for aggregate_id in self._created_ids(position):
                try:
                    aggregate = self.load(aggregate_id)
                except AggregateNotFoundError:  # pragma: no cover - listed ids always exist
                    continue
                changes.extend(changes_for([aggregate], self._seal))
                if isinstance(aggregate, Exhibition):
                    texts, _, cards = self._visitor_texts(aggregate, {})
                    changes.exhibition_texts[aggregate.id] = texts
                    changes.exhibition_cards[aggregate.id] = cards
            if self.read_models.rebuild_read_models(changes, position):
                return changes
        raise RuntimeError("The archive kept changing while its read models were rebuilt; try again.")

    def _created_ids(self, stop: int | None) -> list[UUID]:
        """The ids of every item, contributor, item list and exhibition, in the order created."""
        if stop is None:
            return []
        topics = [
            get_topic(Artwork.Recorded), get_topic(Testimony.Recorded), get_topic(Contributor.Registered),
            get_topic(ContributorItems.Created), get_topic(Exhibition.Created),
        ]
        reader = NotificationLogReader(self.notification_log, section_size=self.log_section_size)
        ids: dict[UUID, None] = {}
        for batch in reader.select(start=1, stop=stop, topics=topics):
            for notification in batch:
                originator = notification.originator_id
                ids[originator if isinstance(originator, UUID) else UUID(str(originator))] = None
        return list(ids)


def _first_saved_now(aggregate: Any) -> bool:
    """Whether the aggregate's first event is among those being saved: no exhibition can hang
    an item (or an item of a contributor) that the store does not hold yet, unless it is
    saved alongside, and then it is among the changed aggregates itself."""
    pending: Sequence[Any] = getattr(aggregate, "pending_events", ())
    return bool(pending) and pending[0].originator_version == 1
