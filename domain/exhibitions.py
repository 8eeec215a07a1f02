"""Exhibitions: arranged works and testimonies with wall texts, whose history is kept.

The event history *is* the exhibition's history: replaying events up to a moment shows
the exhibition as it stood then. Wall texts speak about one item, so each is a ``Personal``
value owned by that item: when the item's key is shredded, its wall text goes with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID

from domain import actor as actors
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


def _check_dates(details: Mapping[str, Any]) -> None:
    opens, closes = details.get("opens_on"), details.get("closes_on")
    if opens is not None and closes is not None and opens > closes:
        raise InvalidValue("The opening date cannot be after the closing date.")


class ShowableItem(Protocol):
    """What an exhibition needs to know about an item it hangs."""

    id: UUID
    kind: str

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

    class Revised(ArchiveAggregate.Event):
        changes: dict[str, Any]

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.details = {**exhibition.details, **self.changes}

    class WorkAdded(ArchiveAggregate.Event):
        placement: Placement
        position: int

        def apply(self, exhibition: Exhibition) -> None:
            exhibition.placements.insert(self.position, self.placement)

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

    @classmethod
    def create(cls, *, slug: str, details: dict[str, Any], actor: str) -> Exhibition:
        """Create an unpublished exhibition; it needs a title in at least one language."""
        details = exhibition_details(**details)
        if "titles" not in details:
            raise InvalidValue("%(field)s is required in at least one language.", field=FIELD_LABELS["titles"])
        _check_dates(details)
        return cls._create(
            cls.Created, actor=actors.check(actor), slug=check_slug(slug), details=details
        )

    # -- queries --------------------------------------------------------------------------

    def field(self, name: str) -> Any:
        return self.details.get(name, {} if name in MULTILINGUAL_FIELDS else None)

    @property
    def titles(self) -> dict[str, str]:
        return cast("dict[str, str]", self.field("titles"))

    @property
    def item_ids(self) -> list[UUID]:
        return [p.item_id for p in self.placements]

    def placement(self, item_id: UUID) -> Placement:
        for placement in self.placements:
            if placement.item_id == item_id:
                return placement
        raise ExhibitionError("That item is not in this exhibition.")

    # -- commands -------------------------------------------------------------------------

    def revise(self, changes: dict[str, Any], actor: str) -> None:
        """Change some descriptive fields; only fields that really change are recorded."""
        changes = exhibition_details(**changes)
        changes = {k: v for k, v in changes.items() if self.field(k) != v}
        if not changes:
            raise ExhibitionError("Nothing to change: the values are the same as before.")
        _check_dates({**self.details, **changes})
        self.trigger_event(self.Revised, actor=actors.check(actor), changes=changes)

    def add_work(
        self,
        item: ShowableItem,
        wall_text: Mapping[str, str] | None,
        actor: str,
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

    def remove_work(self, item_id: UUID, actor: str) -> None:
        self.placement(item_id)
        self.trigger_event(self.WorkRemoved, actor=actors.check(actor), item_id=item_id)

    def reorder(self, item_ids: list[UUID], actor: str) -> None:
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
        self, item_id: UUID, wall_text: Mapping[str, str] | None, actor: str
    ) -> None:
        self.placement(item_id)
        text = multilingual(wall_text, field=N_("Wall text"), max_length=MAX_TEXT)
        self.trigger_event(
            self.WallTextRevised,
            actor=actors.check(actor),
            item_id=item_id,
            wall_text=Personal.of(item_id, text),
        )

    def publish(self, actor: str) -> None:
        if self.is_published:
            raise ExhibitionError("The exhibition is already published.")
        self.trigger_event(self.Published, actor=actors.check(actor))

    def unpublish(self, actor: str) -> None:
        if not self.is_published:
            raise ExhibitionError("The exhibition is not published.")
        self.trigger_event(self.Unpublished, actor=actors.check(actor))
