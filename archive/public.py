"""Read models for visitors, built only from what the consent gate lets through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from archive.application import ExhibitionArchive
from archive.consent_gate import Surface, credit, may_show, name_filter, works_name_filter
from archive.name_filter import NameFilter
from archive.errors import NotFound
from domain.contributors import Contributor
from domain.exhibitions import Exhibition
from domain.items import Item


@dataclass(frozen=True)
class PublicImage:
    """An image of a visible item: alt text, caption, and the renditions that exist."""

    image_id: str
    alt_text: dict[str, str]
    caption: dict[str, str]
    derivatives: list[dict[str, Any]] = field(default_factory=list)

    def renditions(self, fmt: str) -> list[dict[str, Any]]:
        """The derivatives in one format, smallest first (for ``srcset``)."""
        return sorted((d for d in self.derivatives if d["format"] == fmt), key=lambda d: d["width"])


@dataclass(frozen=True)
class PublicItem:
    """What a visitor may see of one item: content, credit (or None for anonymous), images."""

    id: UUID
    kind: str
    details: dict[str, Any]
    credit: str | None
    images: list[PublicImage] = field(default_factory=list)
    wall_text: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> dict[str, str]:
        return self.details.get("title") or {}


@dataclass(frozen=True)
class PublicExhibition:
    """A published exhibition with only the items its visitors may see, in order."""

    id: UUID
    slug: str
    titles: dict[str, str]
    organiser: dict[str, str]
    venue: dict[str, str]
    city: dict[str, str]
    statement: dict[str, str]
    opens_on: date | None
    closes_on: date | None
    items: list[PublicItem]

    def is_current(self, on: date) -> bool:
        started = self.opens_on is None or self.opens_on <= on
        ended = self.closes_on is not None and self.closes_on < on
        return started and not ended


def public_item(
    archive: ExhibitionArchive,
    item: Item,
    surface: Surface,
    on: date,
    wall_text: dict[str, str] | None = None,
) -> PublicItem | None:
    """The visitor's view of ``item`` (with its ``wall_text`` in an exhibition), or None if its
    consent does not allow ``surface``. Names its attribution withholds are removed from all
    of its text."""
    if not may_show(item, surface, on):
        return None
    return _item_view(item, archive.get_contributor(item.contributor_id), wall_text)


def _item_view(item: Item, contributor: Contributor, wall_text: dict[str, str] | None) -> PublicItem:
    """The view of an item its consent lets through (checked by the caller), with its names
    withheld as its attribution says."""
    names = name_filter(item, contributor)
    images = [
        PublicImage(
            image_id,
            names.value(dict(image.value.get("alt_text", {}))),
            names.value(dict(image.value.get("caption", {}))),
            list(image.value.get("media", {}).get("derivatives", [])),
        )
        for image_id, image in item.images.items()
        if not image.redacted
    ]
    return PublicItem(
        id=item.id,
        kind=item.kind,
        details=names.value(dict(item.details.value)),
        credit=credit(item, contributor),
        images=images,
        wall_text=names.value(dict(wall_text or {})),
    )


def public_exhibition(archive: ExhibitionArchive, exhibition: Exhibition, on: date) -> PublicExhibition | None:
    """The visitor's view of an exhibition, or None if it is not published."""
    if not exhibition.is_published:
        return None
    return _visible_view(archive, exhibition, on)


def published_exhibitions(archive: ExhibitionArchive, on: date | None = None) -> list[PublicExhibition]:
    """Every published exhibition, most recent opening first."""
    on = on or archive.today()
    views = [public_exhibition(archive, e, on) for e in archive.exhibitions()]
    shown = [v for v in views if v is not None]
    return sorted(shown, key=lambda v: v.opens_on or date.min, reverse=True)


def published_exhibition(archive: ExhibitionArchive, slug: str, on: date | None = None) -> PublicExhibition:
    """A published exhibition by slug; NotFound if it does not exist or is not published."""
    view = public_exhibition(archive, archive.exhibition_by_slug(slug), on or archive.today())
    if view is None:
        raise NotFound(f"No published exhibition with the slug {slug!r}.")
    return view


# -- single items ----------------------------------------------------------------------------


def visible_item(archive: ExhibitionArchive, item_id: UUID, on: date | None = None) -> PublicItem | None:
    """An item as a visitor may see it on its own page (``Surface.ONLINE``), or None.

    None covers every reason alike (unknown id, no consent, not online, expired, withdrawn),
    so that a visitor learns nothing about items they may not see.
    """
    try:
        item = archive.get_item(item_id)
    except NotFound:
        return None
    return public_item(archive, item, Surface.ONLINE, on or archive.today())


def exhibitions_showing(
    archive: ExhibitionArchive, item_id: UUID, on: date | None = None
) -> list[PublicExhibition]:
    """The published exhibitions in which visitors may see the item (``Surface.ONLINE_EXHIBITION``)."""
    return [e for e in published_exhibitions(archive, on) if any(i.id == item_id for i in e.items)]


# -- an exhibition's history -------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of a published exhibition's history, fit for visitors.

    ``what`` is the plain phrase code of ``archive.history`` (e.g. ``"work added"``); only the
    exhibition's own events carry anything more: its titles (``titles``) when they were set, and
    the names of the fields that changed (``changed``). Nothing about any work is included.
    """

    at: datetime
    day: date
    what: str
    titles: dict[str, str] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExhibitionTimeline:
    """A published exhibition (as visitors see it now) and its history, oldest first."""

    exhibition: PublicExhibition
    created_on: date
    entries: list[TimelineEntry]


def _published_now(archive: ExhibitionArchive, slug: str, on: date) -> tuple[Exhibition, PublicExhibition]:
    exhibition = archive.exhibition_by_slug(slug)
    view = public_exhibition(archive, exhibition, on)
    if view is None:
        raise NotFound(f"No published exhibition with the slug {slug!r}.")
    return exhibition, view


def exhibition_timeline(archive: ExhibitionArchive, slug: str, on: date | None = None) -> ExhibitionTimeline:
    """The history of a published exhibition for visitors; NotFound if it is not published now.

    Entries come from ``archive.history``: for changes to works only the date and the kind of
    change, never which work or its wall text; for the exhibition's own changes its titles.
    """
    on = on or archive.today()
    exhibition, view = _published_now(archive, slug, on)
    own: dict[int, tuple[dict[str, str], tuple[str, ...]]] = {}
    for event in archive.events.get(exhibition.id):
        if isinstance(event, Exhibition.Created):
            own[event.originator_version] = (dict(event.details.get("titles") or {}), ())
        elif isinstance(event, Exhibition.Revised):
            own[event.originator_version] = (
                dict(event.changes.get("titles") or {}),
                tuple(sorted(event.changes)),
            )
    names = exhibition_names(archive, exhibition)
    own = {version: (names.value(titles), changed) for version, (titles, changed) in own.items()}
    zone = archive.zone
    entries = []
    for entry in archive.history(exhibition.id):
        titles, changed = own.get(entry.version, ({}, ()))
        entries.append(
            TimelineEntry(
                at=entry.timestamp,
                day=entry.timestamp.astimezone(zone).date(),
                what=entry.what,
                titles=titles,
                changed=changed,
            )
        )
    created_on = entries[0].day if entries else on
    return ExhibitionTimeline(view, created_on, entries)


@dataclass(frozen=True)
class ExhibitionAsOf:
    """A published exhibition as it stood on ``day``.

    ``then`` is None when the exhibition did not exist yet on that day. Its items are the
    arrangement of that day, but only those that *current* consent lets visitors see.
    """

    day: date
    now: PublicExhibition
    then: PublicExhibition | None
    published_then: bool


def published_exhibition_as_of(
    archive: ExhibitionArchive, slug: str, day: date, on: date | None = None
) -> ExhibitionAsOf:
    """A published exhibition as it stood at the end of ``day``; NotFound if it is not published now."""
    on = on or archive.today()
    exhibition, view = _published_now(archive, slug, on)
    try:
        past = archive.exhibition_as_of(exhibition.id, min(day, on))
    except NotFound:
        return ExhibitionAsOf(day, view, None, False)
    names = exhibition_names(archive, exhibition, past)
    return ExhibitionAsOf(day, view, _visible_view(archive, past, on, names), past.is_published)


def exhibition_names(archive: ExhibitionArchive, *exhibitions: Exhibition) -> NameFilter:
    """What to remove from the exhibitions' own texts (titles, statement, organiser...): the
    names the works hung in any of them withhold (see ``consent_gate.works_name_filter``)."""
    return works_name_filter(_works(archive, (i for exhibition in exhibitions for i in exhibition.item_ids)).values())


def _works(archive: ExhibitionArchive, item_ids: Iterable[UUID]) -> dict[UUID, tuple[Item, Contributor]]:
    """Each item (once) with its contributor; ids the archive does not know are left out."""
    works = {}
    for item_id in dict.fromkeys(item_ids):
        try:
            item = archive.get_item(item_id)
            works[item_id] = (item, archive.get_contributor(item.contributor_id))
        except NotFound:
            continue
    return works


def _visible_view(
    archive: ExhibitionArchive, exhibition: Exhibition, on: date, names: NameFilter | None = None
) -> PublicExhibition:
    """An exhibition's fields and the placements whose items current consent shows, in order;
    the fields lose the names its works withhold (``names``, by default from its own works)."""
    works = _works(archive, exhibition.item_ids)  # read once, for the names and for the views
    names = works_name_filter(works.values()) if names is None else names
    items = []
    for placement in exhibition.placements:
        if placement.item_id not in works:
            continue
        item, contributor = works[placement.item_id]
        if may_show(item, Surface.ONLINE_EXHIBITION, on):
            items.append(_item_view(item, contributor, placement.wall_text.reveal({}) or {}))
    return PublicExhibition(
        id=exhibition.id,
        slug=exhibition.slug,
        titles=names.value(exhibition.field("titles")),
        organiser=names.value(exhibition.field("organiser")),
        venue=names.value(exhibition.field("venue")),
        city=names.value(exhibition.field("city")),
        statement=names.value(exhibition.field("statement")),
        opens_on=exhibition.field("opens_on"),
        closes_on=exhibition.field("closes_on"),
        items=items,
    )
