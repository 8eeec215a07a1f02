"""Reads for visitors: the aggregates a page needs, read once each, through the visitor
projection (``archive.gate.visibility``), which alone decides what of them a visitor may see.

Every aggregate read here is noted as a dependency of the page being built
(``archive.read.page_dependencies``), so that a page cache forgets the page when it changes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from archive.services.application import ExhibitionArchive
from archive.gate.rules import REQUIRED_SCOPES, Surface, works_name_filter
from archive.gate.name_filter import EVERY_TEXT
from archive.errors import NotFound
from archive.read.page_dependencies import LISTING, depends_on, is_recording
from archive.read.models import VALID_FROM, VALID_THROUGH, ExhibitionRow
from archive.gate.visibility import (
    EXHIBITION_TEXTS,
    Texts,
    VisibleExhibition,
    VisibleExhibitionSummary,
    VisibleItem,
    Work,
    exhibition_as_it_was,
    exhibition_summary,
    frozen,
    no_texts,
    stored_card,
    stored_summary,
    visible,
    visible_exhibition,
)
from domain.contributors import Contributor
from domain.exhibitions import Exhibition, revealed
from domain.items import Item

#: A published exhibition's row with its stored visitor texts (JSON; None if none are stored).
PublishedRow = tuple[ExhibitionRow, str | None]


class Works:
    """Items and their contributors read for one request, each at most once (a contributor
    with works in several exhibitions is read once). Unknown ids are left out."""

    def __init__(self, archive: ExhibitionArchive):
        self.archive = archive
        self._items: dict[UUID, Work | None] = {}
        self._contributors: dict[UUID, Contributor | None] = {}

    def contributor(self, item: Item) -> Contributor | None:
        """The item's contributor, or None if the archive does not know them."""
        cid = item.contributor_id
        depends_on(cid)
        if cid not in self._contributors:
            try:
                self._contributors[cid] = self.archive.get_contributor(cid)
            except NotFound:
                self._contributors[cid] = None
        return self._contributors[cid]

    def work(self, item_id: UUID) -> Work | None:
        """The item with its contributor, or None if the archive does not know it."""
        depends_on(item_id)
        if item_id not in self._items:
            try:
                item = self.archive.get_item(item_id)
            except NotFound:
                self._items[item_id] = None
            else:
                self._items[item_id] = (item, self.contributor(item))
        return self._items[item_id]

    def of(self, item_ids: Iterable[UUID]) -> dict[UUID, Work]:
        """Each of ``item_ids`` that the archive knows (once) with its contributor."""
        found = {}
        for item_id in dict.fromkeys(item_ids):
            work = self.work(item_id)
            if work is not None:
                found[item_id] = work
        return found


def public_item(
    archive: ExhibitionArchive, item: Item, surface: Surface, on: date, wall_text: dict[str, str] | None = None
) -> VisibleItem | None:
    """The visitor's view of ``item`` on ``surface`` (see ``archive.gate.visibility.visible``)."""
    return visible(item, Works(archive).contributor(item), on, surface, wall_text)


def carded_works(archive: ExhibitionArchive, item_ids: Sequence[UUID], *, headings: bool = False) -> dict[UUID, Work]:
    """Each of ``item_ids`` that the archive knows with its contributor, as plain values read
    from the read models (``Listings.item_cards``: one query for the item rows, cards and
    contributor rows); an item without a current card is read from its aggregates instead.

    With ``headings`` only the items' headings are read, not their whole cards: the values are
    then fit for ``visibility.visible_heading`` alone (a search hit), which reads nothing else."""
    wanted = list(dict.fromkeys(item_ids))
    depends_on(*wanted)
    cards = archive.listings.item_cards(wanted, headings=headings)
    depends_on(*(values.contributor_id for values, _ in cards.values()))
    rest = Works(archive).of([i for i in wanted if i not in cards])
    found: dict[UUID, Work] = {}
    for item_id in wanted:
        if item_id in cards:
            found[item_id] = cards[item_id]
        elif item_id in rest:
            found[item_id] = rest[item_id]
    return found


def public_exhibition(
    archive: ExhibitionArchive, exhibition: Exhibition, on: date, *, cards: bool = False
) -> VisibleExhibition | None:
    """The visitor's view of an exhibition with its works (whole, or as ``cards``: see
    ``visibility.visible_card``), or None if it is not published;
    its own texts are the stored visitor texts (see :func:`stored_summaries`), its works, and
    those taken down (whose withheld names its wall texts lose too), are read from their cards
    (:func:`carded_works`)."""
    depends_on(exhibition.id)
    works = carded_works(archive, exhibition.works_ever_hung) if exhibition.is_published else {}
    view = visible_exhibition(exhibition, works, on, cards=cards) if exhibition.is_published else None
    stored = stored_summaries(archive, on, [exhibition.id]) if view is not None else []
    if view is None or not stored:
        return view
    texts = {name: getattr(stored[0], name) for name in EXHIBITION_TEXTS}
    return replace(view, **texts)


def stored_summaries(
    archive: ExhibitionArchive,
    on: date,
    exhibition_ids: Sequence[UUID] | None = None,
    *,
    with_work_ids: bool = True,
) -> list[VisibleExhibitionSummary]:
    """The published exhibitions (all, or those of ``exhibition_ids``) as summaries, in the
    order they were created, from the read models alone: their stored visitor texts and the
    works whose consent state (in the item rows) lets visitors see them in an exhibition on
    ``on``. No item or contributor is read: a listing costs what it lists.

    Without ``with_work_ids`` no work row is read either, and every summary's ``work_ids`` is
    empty: for pages that show only the exhibitions' own texts (listings), whose cost would
    otherwise grow with every work hung in every published exhibition.

    An exhibition whose texts are missing (a store written before them), or were computed
    before a work's consent ran out (past their ``valid_through`` day), is summarised from its
    works through the gate instead, so nothing is ever shown with names it withholds now."""
    depends_on(*(exhibition_ids if exhibition_ids is not None else (LISTING,)))
    return _summaries(archive, on, lambda: archive.read_models.published_rows(exhibition_ids), with_work_ids)


def _summaries(
    archive: ExhibitionArchive, on: date, read: Callable[[], list[PublishedRow]], with_work_ids: bool
) -> list[VisibleExhibitionSummary]:
    """Summaries of the published exhibitions that ``read`` gives (see :func:`stored_summaries`)."""
    store = archive.read_models
    rows = read()
    values = [_decoded(texts) for _, texts in rows]
    if not all(_exact(value, on) for value in values) and on == archive.today():
        for (row, _), value in zip(rows, values):  # a work's consent ran out since: store them again, once
            if not _exact(value, on):
                archive.refresh_exhibition_texts(row.exhibition_id)
        rows = read()
        values = [_decoded(texts) for _, texts in rows]
    shown = (
        store.shown_works([row.exhibition_id for row, _ in rows], on, REQUIRED_SCOPES[Surface.ONLINE_EXHIBITION])
        if with_work_ids
        else {}
    )
    if is_recording():  # a cached page changes with any event of these exhibitions' works
        _depend_on_works(archive, [row.exhibition_id for row, _ in rows])
    summaries = []
    for (row, _), value in zip(rows, values):
        stored = archive.listings.open_visitor_texts(value) if value is not None and _exact(value, on) else None
        if stored is None:
            exhibition = archive.get_exhibition(row.exhibition_id)
            summary = exhibition_summary(exhibition, carded_works(archive, exhibition.works_ever_hung), on)
        else:
            summary = stored_summary(
                row.exhibition_id, row.slug, stored, row.opens_on, row.closes_on, shown.get(row.exhibition_id, ())
            )
        if summary is not None:
            summaries.append(summary if with_work_ids else replace(summary, work_ids=()))
    return summaries


def _depend_on_works(archive: ExhibitionArchive, exhibition_ids: Sequence[UUID]) -> None:
    """Record that the page depends on these exhibitions, every work they hang (shown or not:
    new consent would show it) or once hung, and those works' contributors (their names shape
    the texts: a taken-down work's narrowed credit must drop the page too)."""
    depends_on(*exhibition_ids)
    for works in archive.listings.hung_works(exhibition_ids).values():
        for item_id, contributor_id in works:
            depends_on(item_id)
            if contributor_id is not None:
                depends_on(contributor_id)


def _decoded(texts: str | None) -> dict[str, Any] | None:
    """Stored visitor texts decoded from their JSON once (None: none stored)."""
    return json.loads(texts) if texts is not None else None


def _exact(value: Mapping[str, Any] | None, on: date) -> bool:
    """Whether stored visitor texts (:func:`_decoded`), and the cards written with them, hold
    on the day ``on``: present, not before the day they were computed for (a process whose day
    is still the one before reads what another wrote after midnight) and not past their last
    exact day."""
    if value is None:
        return False
    since, until = value.get(VALID_FROM), value.get(VALID_THROUGH)
    return (since is None or date.fromisoformat(since) <= on) and (until is None or on <= date.fromisoformat(until))


def published_exhibitions(archive: ExhibitionArchive, on: date | None = None) -> list[VisibleExhibitionSummary]:
    """Every published exhibition as a summary of its own fields, most recent opening first;
    read from the read models (:func:`stored_summaries`). Listings show no work, so no work is
    read and ``work_ids`` is empty: :func:`exhibitions_showing` and the exhibition page say
    which works visitors may see."""
    shown = stored_summaries(archive, on or archive.today(), with_work_ids=False)
    return sorted(shown, key=lambda v: v.opens_on or date.min, reverse=True)


def published_exhibition(
    archive: ExhibitionArchive, slug: str, on: date | None = None, *, cards: bool = False
) -> VisibleExhibition:
    """A published exhibition by slug, its works whole or as ``cards``; NotFound if it does not
    exist or is not published. Its cards are read from the read models when they hold them
    exactly (:func:`stored_exhibition`), else projected from the aggregates."""
    on = on or archive.today()
    view = _stored(archive, archive.read_models.published_by_slug(slug), on) if cards else None
    if view is None:
        exhibition_id = archive.exhibition_id_for_slug(slug)
        view = public_exhibition(archive, archive.get_exhibition(exhibition_id), on, cards=cards)
    if view is None:
        raise NotFound(f"No published exhibition with the slug {slug!r}.")
    return view


def stored_exhibition(archive: ExhibitionArchive, exhibition_id: UUID, on: date) -> VisibleExhibition | None:
    """A published exhibition with its works as cards, from the read models alone: its stored
    visitor texts, and the works its item rows let visitors see on ``on``, in order, each from
    its card as it hangs there (``Listings.hung_cards``), gated again by
    ``visibility.stored_card``. None when the read models cannot give it exactly (not
    published, texts missing or not exact on ``on``, a card missing or behind its item's row):
    the caller projects it from the aggregates, which says the same."""
    depends_on(exhibition_id)
    return _stored(archive, archive.read_models.published_rows([exhibition_id]), on)


def _stored(archive: ExhibitionArchive, rows: list[PublishedRow], on: date) -> VisibleExhibition | None:
    """:func:`stored_exhibition` of the one published exhibition in ``rows`` (None for none)."""
    value = _decoded(rows[0][1]) if len(rows) == 1 else None
    if value is None or not _exact(value, on):
        return None
    row = rows[0][0]
    exhibition_id = row.exhibition_id
    depends_on(exhibition_id)
    stored = archive.listings.open_visitor_texts(value)
    if stored is None:
        return None
    if is_recording():  # a cached page changes with any event of its works and their contributors
        _depend_on_works(archive, [exhibition_id])
    hung = archive.listings.hung_cards(exhibition_id, on, REQUIRED_SCOPES[Surface.ONLINE_EXHIBITION])
    lost = _names_lost(archive, exhibition_id, {values.id: values.contributor_id for values, _ in hung})
    works = []
    for values, content in hung:
        if values.contributor_id in lost:  # as the projection does (``gate.rules.names_lost``)
            continue
        view = stored_card(values, content, on) if content is not None else None
        if view is None:  # no current card, or the rows and the gate disagree: the aggregates decide
            return None
        works.append(view)
    if lost:  # every text about several works is withheld whole, as ``works_name_filter`` does
        stored = {name: EVERY_TEXT.value(dict(stored.get(name) or {})) for name in EXHIBITION_TEXTS}
        works = [replace(w, wall_text=frozen(EVERY_TEXT.value(dict(w.wall_text)))) for w in works]
    summary = stored_summary(exhibition_id, row.slug, stored, row.opens_on, row.closes_on, (w.id for w in works))
    fields = {name: getattr(summary, name) for name in VisibleExhibitionSummary.__dataclass_fields__}
    return VisibleExhibition(**fields, works=tuple(works))


def _names_lost(archive: ExhibitionArchive, exhibition_id: UUID, shown: Mapping[UUID, UUID]) -> set[UUID]:
    """The contributors of the works the exhibition ever hung whose names can no longer be
    withheld (``gate.rules.names_lost``: her names unreadable, no erasure recorded). ``shown``
    maps the works the page read to their contributors; those of the other works it ever hung
    are read (usually none: one query of its list of works). Her key decides next, as it opens
    her names (a contributor's name is required, so it is unreadable exactly when her key is
    gone), and only the contributors whose keys are gone are asked whether an erasure is
    recorded."""
    others = archive.read_models.works_ever_hung_but(exhibition_id, shown)
    people = set(shown.values()).union(archive.read_models.contributors_of(others))
    keyless = [person for person in people if archive.keys.get(person) is None]
    return set(archive.read_models.unerased(keyless))


# -- single items ----------------------------------------------------------------------------


def visible_item(archive: ExhibitionArchive, item_id: UUID, on: date | None = None) -> VisibleItem | None:
    """An item as a visitor may see it on its own page (``Surface.ONLINE``), or None.

    None covers every reason alike (unknown id, no consent, not online, expired, withdrawn),
    so that a visitor learns nothing about items they may not see.
    """
    work = carded_works(archive, [item_id]).get(item_id)  # records the page's dependencies
    if work is None:
        return None
    return visible(*work, on or archive.today(), Surface.ONLINE)


def exhibitions_showing(
    archive: ExhibitionArchive, item_id: UUID, on: date | None = None
) -> list[VisibleExhibitionSummary]:
    """The published exhibitions in which visitors may see the item (``Surface.ONLINE_EXHIBITION``),
    most recent opening first, as summaries of their own texts (``work_ids`` empty:
    :func:`next_work` says which work follows the item), read from the read models in one
    query that checks the item's consent state; no other work is read."""
    depends_on(LISTING)  # an exhibition hanging it later, or published later, changes the page
    on = on or archive.today()
    scopes = REQUIRED_SCOPES[Surface.ONLINE_EXHIBITION]
    shown = _summaries(archive, on, lambda: archive.read_models.published_showing(item_id, on, scopes), False)
    return sorted(shown, key=lambda v: v.opens_on or date.min, reverse=True)


def next_work(archive: ExhibitionArchive, exhibition_id: UUID, item_id: UUID, on: date | None = None) -> UUID | None:
    """The id of the work visitors may see after the item in the exhibition
    (``Surface.ONLINE_EXHIBITION``: the same rule as the exhibition's page), or None after the
    last; one query on the read models."""
    if is_recording():  # any of its works' consent decides which one follows
        _depend_on_works(archive, [exhibition_id])
    scopes = REQUIRED_SCOPES[Surface.ONLINE_EXHIBITION]
    return archive.read_models.next_shown_work(exhibition_id, item_id, on or archive.today(), scopes)


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
    titles: Texts = field(default_factory=no_texts)
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExhibitionTimeline:
    """A published exhibition (as visitors see it now) and its history, oldest first."""

    exhibition: VisibleExhibitionSummary
    created_on: date
    entries: tuple[TimelineEntry, ...]


def published_summary(archive: ExhibitionArchive, slug: str, on: date | None = None) -> VisibleExhibitionSummary:
    """A published exhibition's summary by slug (its fields, not its works); NotFound if it
    does not exist or is not published."""
    return _published_now(archive, slug, on or archive.today())


def _published_now(archive: ExhibitionArchive, slug: str, on: date) -> VisibleExhibitionSummary:
    shown = stored_summaries(archive, on, [archive.exhibition_id_for_slug(slug)])
    if not shown:
        raise NotFound(f"No published exhibition with the slug {slug!r}.")
    return shown[0]


def exhibition_timeline(archive: ExhibitionArchive, slug: str, on: date | None = None) -> ExhibitionTimeline:
    """The history of a published exhibition for visitors; NotFound if it is not published now.

    Entries come from ``archive.history``: for changes to works only the date and the kind of
    change, never which work or its wall text; for the exhibition's own changes its titles,
    without the names withheld now by any work it ever showed.
    """
    on = on or archive.today()
    works = Works(archive)
    view = _published_now(archive, slug, on)
    exhibition = archive.get_exhibition(view.id)
    own: dict[int, tuple[dict[str, str], tuple[str, ...]]] = {}
    events = list(archive.events.get(exhibition.id))
    # Texts that named someone who erased their details are never shown (archive.services.exhibition_erasure).
    withheld = {v for e in events if isinstance(e, Exhibition.NamesWithheld) for v in e.versions}
    for event in events:
        titles: dict[str, str] | None = {} if event.originator_version in withheld else None
        if isinstance(event, Exhibition.Created):
            own[event.originator_version] = (
                titles if titles is not None else dict(revealed(event.details.get("titles")) or {}), ()
            )
        elif isinstance(event, (Exhibition.Revised, Exhibition.NamesWithheld)):
            own[event.originator_version] = (
                titles if titles is not None else dict(revealed(event.changes.get("titles")) or {}),
                tuple(sorted(event.changes)),
            )
    # Every work ever hung: a past title may name its contributor.
    names = works_name_filter(works.of(exhibition.works_ever_hung).values(), on)
    zone = archive.zone
    entries = []
    for entry in archive.history(exhibition.id):
        titles, changed = own.get(entry.version, ({}, ()))
        entries.append(
            TimelineEntry(
                at=entry.timestamp,
                day=entry.timestamp.astimezone(zone).date(),
                what=entry.what,
                titles=frozen(names.value(titles)),
                changed=changed,
            )
        )
    created_on = entries[0].day if entries else on
    return ExhibitionTimeline(view, created_on, tuple(entries))


@dataclass(frozen=True)
class ExhibitionAsOf:
    """A published exhibition as it stood on ``day``.

    ``then`` is None when the exhibition did not exist yet on that day. Its works are the
    arrangement of that day, but only those that *current* consent lets visitors see; its
    texts lose the names withheld by the works of that day and of now.
    """

    day: date
    now: VisibleExhibitionSummary
    then: VisibleExhibition | None
    published_then: bool


def published_exhibition_as_of(
    archive: ExhibitionArchive, slug: str, day: date, on: date | None = None
) -> ExhibitionAsOf:
    """A published exhibition as it stood at the end of ``day``; NotFound if it is not published now."""
    on = on or archive.today()
    works = Works(archive)
    view = _published_now(archive, slug, on)
    exhibition = archive.get_exhibition(view.id)
    try:
        past = archive.exhibition_as_of(exhibition.id, min(day, on))
    except NotFound:
        return ExhibitionAsOf(day, view, None, False)
    both = works.of([*exhibition.works_ever_hung, *past.item_ids])
    then = exhibition_as_it_was(past, works.of(past.item_ids), on, names_from=both.values())
    return ExhibitionAsOf(day, view, then, past.is_published)

