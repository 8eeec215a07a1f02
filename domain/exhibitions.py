"""Exhibitions: arranged works and testimonies with wall texts, whose history is kept.

The event history *is* the exhibition's history: replaying events up to a moment shows
the exhibition as it stood then. Wall texts speak about one item, so each is a ``Personal``
value owned by that item: when the item's key is shredded, its wall text goes with it.

The exhibition's own texts (titles, organiser, venue, city, statement) are written by curators
and may name a contributor. Each event that writes them seals them under a key of their own,
one per version (``texts_key``), so that a version which named someone who later erased their
details can be shredded by itself: :meth:`Exhibition.withhold_names` records the texts again
without the name and lists the versions and keys to forget. Events from before these keys hold
the texts in clear; they are withheld from every view but stay in the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID

from domain.actor import SYSTEM

from domain import actor as actors
from domain.actor import Actor
from domain.base import ArchiveAggregate
from domain.errors import N_, ExhibitionError, InvalidValue, ItemWithdrawn
from domain.languages import multilingual
from domain.text import MAX_SHORT_TEXT, MAX_TEXT
from domain.personal import Personal

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80
MULTILINGUAL_FIELDS = ("titles", "organiser", "venue", "city", "statement")
DATE_FIELDS = ("opens_on", "closes_on")
DATE_LABELS = {"opens_on": N_("Opening date"), "closes_on": N_("Closing date")}
FIELD_LABELS = {
    "titles": N_("Title"),
    "organiser": N_("Organiser"),
    "venue": N_("Venue"),
    "city": N_("City"),
    "statement": N_("Curatorial statement"),
}


def check_slug(slug: str) -> str:
    """A slug is lower-case letters and digits joined by single hyphens, e.g. ``silent-room``."""
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise InvalidValue(
            "%(slug)r is not a valid slug: use lower-case letters, digits and single hyphens "
            "(at most %(max)d characters), e.g. 'silent-room'.",
            slug=slug,
            max=MAX_SLUG_LENGTH,
        )
    return slug


def exhibition_details(**fields: Any) -> dict[str, Any]:
    """Validate any subset of an exhibition's descriptive fields."""
    unknown = set(fields) - set(MULTILINGUAL_FIELDS) - set(DATE_FIELDS)
    if unknown:
        raise InvalidValue("Unknown exhibition field(s): %(fields)s.", fields=", ".join(sorted(unknown)))
    cleaned: dict[str, Any] = {}
    for name in MULTILINGUAL_FIELDS:
        if name in fields:
            cleaned[name] = multilingual(
                fields[name], field=FIELD_LABELS[name], required=name == "titles",
                max_length=MAX_TEXT if name == "statement" else MAX_SHORT_TEXT,
            )
    for name in DATE_FIELDS:
        if name in fields:
            value = fields[name]
            if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
                raise InvalidValue("%(field)s must be a date.", field=DATE_LABELS[name])
            cleaned[name] = value
    return cleaned


def sealed_texts(details: Mapping[str, Any], texts_key: UUID | None) -> dict[str, Any]:
    """``details`` with each of its own texts sealed under ``texts_key`` (None: left in clear,
    as events before the texts keys were written)."""
    if texts_key is None:
        return dict(details)
    return {k: Personal.of(texts_key, v) if k in MULTILINGUAL_FIELDS else v for k, v in details.items()}


def revealed(value: Any) -> Any:
    """A field's value as written: a sealed text opened (``{}`` once its key is shredded)."""
    if isinstance(value, Personal):
        return value.reveal({}) or {}
    return value


def _check_dates(details: Mapping[str, Any]) -> None:
    opens, closes = details.get("opens_on"), details.get("closes_on")
    if opens is not None and closes is not None and opens > closes:
        raise InvalidValue("The opening date cannot be after the closing date.")


class ShowableItem(Protocol):
    """What an exhibition needs to know about an item it hangs."""

    @property
    def id(self) -> UUID: ...

    @property
    def kind(self) -> str: ...

    @property
    def is_withdrawn(self) -> bool: ...


@dataclass(frozen=True)
class Placement:
    """An item's place in an exhibition, with the wall text that goes beside it."""

    item_id: UUID
    kind: str
    wall_text: Personal  # owned by the item: {language: text}


class Exhibition(ArchiveAggregate):
    """An exhibition: descriptive fields, an ordered list of placements, published state."""

    class Created(ArchiveAggregate.Created):
        slug: str
        details: dict[str, Any]

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.slug = self.slug
            exhibition.details = dict(self.details)
            exhibition.placements = []
            exhibition.is_published = False
            exhibition.published_at = None
            exhibition.text_versions = {k: self.originator_version for k in self.details if k in MULTILINGUAL_FIELDS}
            exhibition.withheld_versions = []
            exhibition.hung_ever = ()

    class Revised(ArchiveAggregate.Event):
        changes: dict[str, Any]

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.details = {**exhibition.details, **self.changes}
            exhibition.text_versions = {
                **exhibition.text_versions,
                **{k: self.originator_version for k in self.changes if k in MULTILINGUAL_FIELDS},
            }

    class WorkAdded(ArchiveAggregate.Event):
        placement: Placement
        position: int

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.placements.insert(self.position, self.placement)
            exhibition.text_versions = {**exhibition.text_versions, self.placement.item_id.hex: self.originator_version}
            if exhibition.hung_ever is not None:  # None: from a snapshot older than the list
                exhibition.hung_ever = tuple(dict.fromkeys([*exhibition.hung_ever, self.placement.item_id]))

    class WorkRemoved(ArchiveAggregate.Event):
        item_id: UUID

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.placements = [
                p for p in exhibition.placements if p.item_id != self.item_id
            ]

    class WorksReordered(ArchiveAggregate.Event):
        item_ids: list[UUID]

        def apply(self, exhibition: Exhibition) -> None:
            by_id = {p.item_id: p for p in exhibition.placements}
            exhibition.placements = [by_id[item_id] for item_id in self.item_ids]

    class WallTextRevised(ArchiveAggregate.Event):
        item_id: UUID
        wall_text: Personal

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.placements = [
                Placement(p.item_id, p.kind, self.wall_text) if p.item_id == self.item_id else p
                for p in exhibition.placements
            ]
            exhibition.text_versions = {**exhibition.text_versions, self.item_id.hex: self.originator_version}

    class NamesWithheld(ArchiveAggregate.Event):
        """Texts that named someone who erased their details, recorded again without the name.

        ``changes`` holds every one of the exhibition's own texts as it now reads (sealed under a
        new texts key), ``wall_texts`` the wall texts that named them (by item id, hex), and
        ``versions`` the earlier versions whose texts named them: no view shows their texts
        again. ``shredded`` lists the texts keys of those versions, shredded after this event is
        saved (and by every process that finds them still there). Ids and numbers only.
        """

        changes: dict[str, Any]
        wall_texts: dict[str, Personal]
        versions: list[int]
        shredded: list[UUID]
        reason: str

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.details = {**exhibition.details, **self.changes}
            exhibition.placements = [
                Placement(p.item_id, p.kind, self.wall_texts[p.item_id.hex]) if p.item_id.hex in self.wall_texts else p
                for p in exhibition.placements
            ]
            written = [*(k for k in self.changes if k in MULTILINGUAL_FIELDS), *self.wall_texts]
            exhibition.text_versions = {**exhibition.text_versions, **{k: self.originator_version for k in written}}
            exhibition.withheld_versions = sorted({*exhibition.withheld_versions, *self.versions})

    class Published(ArchiveAggregate.Event):
        def apply(self, exhibition: Exhibition) -> None:
            exhibition.is_published = True
            exhibition.published_at = self.timestamp

    class Unpublished(ArchiveAggregate.Event):
        def apply(self, exhibition: Exhibition) -> None:
            exhibition.is_published = False

    # State set by the events above, for the type checker only (annotations that run would
    # become fields of the created event).
    if TYPE_CHECKING:
        slug: str
        details: dict[str, Any]
        placements: list[Placement]
        is_published: bool
        published_at: datetime | None

    # State added after the first events were stored, not dataclass fields: class defaults
    # for older snapshots (and replaced, never changed in place).
    #: field name (or a work's id, hex, for its wall text) -> the version that last wrote it
    if TYPE_CHECKING:  # declared for the type checker only: dataclass fields would be required
        text_versions: Mapping[str, int]
        withheld_versions: Sequence[int]
        hung_ever: Sequence[UUID] | None
    text_versions = MappingProxyType({})
    #: every work ever placed here, in the order first placed (taking one down keeps it); None
    #: when restored from a snapshot taken before this list existed, whose works taken down
    #: earlier are unknown to it: the application recalls them from the events
    #: (:meth:`recall_works_hung`)
    hung_ever = None
    #: versions whose texts named someone who erased their details: never shown again
    withheld_versions = ()

    @classmethod
    def create(
        cls, *, slug: str, details: dict[str, Any], actor: Actor, texts_key: UUID | None = None
    ) -> Exhibition:
        """Create an unpublished exhibition; it needs a title in at least one language. Its own
        texts are sealed under ``texts_key`` (see the module's docstring)."""
        details = exhibition_details(**details)
        if "titles" not in details:
            raise InvalidValue("%(field)s is required in at least one language.", field=FIELD_LABELS["titles"])
        _check_dates(details)
        return cls._create(
            cls.Created, actor=actors.check(actor), slug=check_slug(slug), details=sealed_texts(details, texts_key)
        )

    # -- queries --------------------------------------------------------------------------

    def field(self, name: str) -> Any:
        """A descriptive field's value; an own text whose key was shredded reads ``{}``."""
        return revealed(self.details.get(name, {} if name in MULTILINGUAL_FIELDS else None))

    @property
    def texts_key(self) -> UUID | None:
        """The key the newest version of the own texts is sealed under (None: in clear)."""
        sealed = [
            (self.text_versions.get(k, 0), v.subject_id)
            for k, v in self.details.items() if k in MULTILINGUAL_FIELDS and isinstance(v, Personal)
        ]
        return max(sealed, key=lambda pair: pair[0])[1] if sealed else None

    def forget_withheld(self, versions: Iterable[int]) -> None:
        """Blank the texts the given versions wrote. Only for a past state being shown (an
        exhibition replayed up to a day), whose later events withheld those versions."""
        versions = set(versions)
        for name in MULTILINGUAL_FIELDS:
            if self.text_versions.get(name) in versions:
                self.details = {**self.details, name: {}}
        self.placements = [
            Placement(p.item_id, p.kind, Personal.redacted_for(p.item_id))
            if self.text_versions.get(p.item_id.hex) in versions else p
            for p in self.placements
        ]

    @property
    def titles(self) -> dict[str, str]:
        return cast("dict[str, str]", self.field("titles"))

    @property
    def item_ids(self) -> list[UUID]:
        return [p.item_id for p in self.placements]

    @property
    def works_ever_hung(self) -> list[UUID]:
        """Every work ever placed in the exhibition: those hanging now, in order, then those
        taken down. Its own texts may name any of their contributors (written while the work
        hung), so they lose the names any of these works withholds now."""
        return list(dict.fromkeys([*self.item_ids, *(self.hung_ever or ())]))

    @property
    def knows_works_ever_hung(self) -> bool:
        """False when restored from a snapshot older than the list of works ever hung."""
        return self.hung_ever is not None

    def recall_works_hung(self, events: Iterable[object]) -> None:
        """Complete the list of works ever hung from the exhibition's own events (up to its
        version), for an exhibition restored from a snapshot older than that list. Derived
        state only: nothing is recorded."""
        added = [e.placement.item_id for e in events if isinstance(e, Exhibition.WorkAdded)]
        self.hung_ever = tuple(dict.fromkeys(added))

    def placement(self, item_id: UUID) -> Placement:
        for placement in self.placements:
            if placement.item_id == item_id:
                return placement
        raise ExhibitionError("That item is not in this exhibition.")

    # -- commands -------------------------------------------------------------------------

    def revise(self, changes: dict[str, Any], actor: Actor, texts_key: UUID | None = None) -> None:
        """Change some descriptive fields; only fields that really change are recorded. Own
        texts are sealed under ``texts_key`` (see the module's docstring)."""
        changes = exhibition_details(**changes)
        changes = {k: v for k, v in changes.items() if self.field(k) != v}
        if not changes:
            raise ExhibitionError("Nothing to change: the values are the same as before.")
        _check_dates({**{k: self.field(k) for k in DATE_FIELDS}, **changes})
        self.trigger_event(self.Revised, actor=actors.check(actor), changes=sealed_texts(changes, texts_key))

    def withhold_names(
        self,
        *,
        texts: Mapping[str, Mapping[str, str]],
        wall_texts: Mapping[UUID, Mapping[str, str]],
        versions: Iterable[int],
        shredded: Iterable[UUID],
        texts_key: UUID,
        reason: str,
        actor: Actor,
    ) -> None:
        """Record the own ``texts`` (every one, as they now read) and ``wall_texts`` again
        without a name, withholding the earlier ``versions`` that held it and listing the keys
        to shred (:class:`NamesWithheld`). Only the system does this, for an erasure."""
        if actors.Actor.of(actor).kind != SYSTEM:
            raise ExhibitionError("Only the archive itself withholds names from an exhibition's history.")
        for item_id in wall_texts:
            self.placement(item_id)
        self.trigger_event(
            self.NamesWithheld,
            actor=actors.check(actor),
            changes={k: Personal.of(texts_key, dict(v)) for k, v in texts.items() if k in MULTILINGUAL_FIELDS},
            wall_texts={i.hex: Personal.of(i, dict(v)) for i, v in wall_texts.items()},
            versions=sorted(set(versions)),
            shredded=sorted(set(shredded), key=str),
            reason=reason,
        )

    def add_work(
        self,
        item: ShowableItem,
        wall_text: Mapping[str, str] | None,
        actor: Actor,
        position: int | None = None,
    ) -> None:
        """Hang an item at ``position`` (default: at the end) with its wall text."""
        if item.is_withdrawn:
            raise ItemWithdrawn("A withdrawn item cannot be added to an exhibition.")
        if item.id in self.item_ids:
            raise ExhibitionError("This item is already in the exhibition.")
        if position is None:
            position = len(self.placements)
        if not 0 <= position <= len(self.placements):
            raise InvalidValue("Position must be between 0 and %(last)d.", last=len(self.placements))
        text = multilingual(wall_text, field=N_("Wall text"), max_length=MAX_TEXT)
        self.trigger_event(
            self.WorkAdded,
            actor=actors.check(actor),
            placement=Placement(item.id, item.kind, Personal.of(item.id, text)),
            position=position,
        )

    def remove_work(self, item_id: UUID, actor: Actor) -> None:
        self.placement(item_id)
        self.trigger_event(self.WorkRemoved, actor=actors.check(actor), item_id=item_id)

    def reorder(self, item_ids: list[UUID], actor: Actor) -> None:
        """Put the works in the given order, which must list each of them exactly once."""
        try:
            item_ids = [i if isinstance(i, UUID) else UUID(str(i)) for i in item_ids]
        except ValueError:
            raise InvalidValue("A new order must list the works by their ids.") from None
        if sorted(map(str, item_ids)) != sorted(map(str, self.item_ids)) or len(
            set(item_ids)
        ) != len(item_ids):
            raise InvalidValue("A new order must list every work of the exhibition exactly once.")
        if list(item_ids) == self.item_ids:
            raise ExhibitionError("The works are already in that order.")
        self.trigger_event(self.WorksReordered, actor=actors.check(actor), item_ids=list(item_ids))

    def revise_wall_text(
        self, item_id: UUID, wall_text: Mapping[str, str] | None, actor: Actor
    ) -> None:
        self.placement(item_id)
        text = multilingual(wall_text, field=N_("Wall text"), max_length=MAX_TEXT)
        self.trigger_event(
            self.WallTextRevised,
            actor=actors.check(actor),
            item_id=item_id,
            wall_text=Personal.of(item_id, text),
        )

    def publish(self, actor: Actor) -> None:
        if self.is_published:
            raise ExhibitionError("The exhibition is already published.")
        self.trigger_event(self.Published, actor=actors.check(actor))

    def unpublish(self, actor: Actor) -> None:
        if not self.is_published:
            raise ExhibitionError("The exhibition is not published.")
        self.trigger_event(self.Unpublished, actor=actors.check(actor))
