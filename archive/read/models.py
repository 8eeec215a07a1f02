"""Read models: the rows curator pages read instead of replaying aggregates.

They are written in the same transaction as the events that change them (the recorder
adapters in ``archive.read.models_sqlite`` and ``read.models_postgres``, and the tests' fake
in ``tests.fakes.read_models``, write :class:`RowChanges` passed along with the stored events), so a row never lags the log:
the consent state it carries is the item's current consent state.

Personal fields (an item's title, a contributor's name and pseudonym) are stored sealed by the
application's own transcoder, exactly as in events: shredding a subject's key blanks its rows
as it blanks its events, with no purge step. Consent state is stored in clear, as in events.

An exhibition's *visitor texts* (its titles, organiser, venue, city and statement without the
names any of its works withholds, as ``archive.gate.visibility.exhibition_texts`` computes them) are
kept beside its row while it is published, recomputed in the transaction of every event that
can change them: its own, and any of an item it hangs or once hung (a table of every
(exhibition, item) ever placed keeps those) or of that item's contributor. They hold
no personal data once the names are removed, but a named contributor's name stays in them (she
consents to it) until she erases her details: so they are sealed, like the titles of the
exhibition's row, under the key of the newest version of its own texts (``Exhibition.texts_key``,
see ``archive.services.exhibition_erasure``), and shredding that key blanks old copies of the rows too.

Each item also has a *card*: its content as the visitor projection reads it (details, images,
redacted spans: ``archive.gate.visibility.item_content``), sealed under the item's key like its
events, with the item's version. The exhibition page projects its works from the card, the
item row's consent columns and the contributor row's sealed names, instead of replaying two
aggregates per work; a card whose version is not the item row's is not used. Its *heading*
is the small part of the card a search hit shows (title, content note, redacted spans:
``visibility.item_heading_content``), stored apart in the same way, so that checking a page of
hits does not open ten whole texts.

This module holds the row types, what one save changes (:func:`changes_for`), and the query
port (:class:`ReadModelStore`) every adapter implements.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from archive.gate.visibility import item_content, item_heading_content
from domain.consent import ConsentRequest, ConsentStatus, Scope
from domain.contributors import Contributor
from domain.exhibitions import Exhibition
from domain.indexes import ContributorItems
from domain.items import Item
from domain.personal import Personal

#: How many rows a curator listing shows per page.
PAGE_SIZE = 50
#: The metadata key recording that the read models were built from the log, and the value
#: saying with which tables: a store built before the exhibitions' visitor texts, or before
#: the items' headings, is rebuilt.
BUILT = "built"
BUILT_VERSION = "7"
#: The metadata key recording the last notification id whose rows were written: events saved
#: without their rows (by a release from before the read models) leave it behind the log.
POSITION = "position"
#: The key, in an exhibition's stored visitor texts, of the last day they stay exact
#: (``visibility.texts_valid_through``; None: until the next event).
VALID_THROUGH = "valid_through"
#: The key, in an exhibition's stored visitor texts, of the day they were computed for, the
#: first day they are exact (a consent that ran out the day before may have shown a name then).
VALID_FROM = "valid_from"
#: The key, in an exhibition's stored visitor texts, of the texts themselves, sealed.
SEALED = "sealed"
#: The key, in a work's card in an exhibition, of its credit, sealed apart under the
#: contributor's key (``ReadModels._seal_credit``, opened by ``Listings._open_credit``).
SEALED_CREDIT = "credit_sealed"

Seal = Callable[[Any], bytes]
Open = Callable[[bytes], Any]


def card_context(exhibition_id: UUID) -> bytes:
    """What a work's card in an exhibition is bound to besides its item (``crypto.encrypt``'s
    associated data): a card cannot be moved to another exhibition's rows."""
    return b"exhibition-card:" + exhibition_id.bytes


# -- rows as stored ----------------------------------------------------------------------------
# Item, contributor and card rows are named tuples, not frozen dataclasses: pages read them by
# the fifty (an exhibition page, a listing), and a frozen dataclass's __init__ cost about three
# times a tuple's.


class ItemRow(NamedTuple):
    """One item's summary as stored: the title sealed, the consent state in clear."""

    item_id: UUID
    kind: str
    contributor_id: UUID
    recorded_at: datetime
    updated_at: datetime
    title: bytes  # a sealed Personal: {language: text}
    has_consent: bool
    scopes: tuple[str, ...]
    attribution: str | None
    expires_on: date | None
    withdrawn: bool
    request: str | None  # the contributor's pending request to widen consent, as JSON
    version: int


class ConsentRow(NamedTuple):
    """What a page of cards gates an item on, from its row: who it is and its consent state in
    clear (an :class:`ItemRow` without its sealed title, last change and pending request)."""

    item_id: UUID
    kind: str
    contributor_id: UUID
    recorded_at: datetime
    has_consent: bool
    scopes: tuple[str, ...]
    attribution: str | None
    expires_on: date | None
    withdrawn: bool
    version: int

    @classmethod
    def of(cls, row: ItemRow) -> ConsentRow:
        """The consent part of a whole item row."""
        return cls(row.item_id, row.kind, row.contributor_id, row.recorded_at, row.has_consent, row.scopes,
                   row.attribution, row.expires_on, row.withdrawn, row.version)


class ContributorRow(NamedTuple):
    """One contributor as stored: her names (current and former) sealed together."""

    contributor_id: UUID
    registered_at: datetime
    names: bytes  # a sealed Personal: {"name", "pseudonym", "former_names", "former_pseudonyms"}
    erased: bool
    version: int
    item_count: int = 0


@dataclass(frozen=True)
class ExhibitionRow:
    """One exhibition as stored (exhibition details are not personal data)."""

    exhibition_id: UUID
    slug: str
    titles: str  # JSON {language: text}
    published: bool
    opens_on: date | None
    closes_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int
    work_count: int


class CardRow(NamedTuple):
    """One item's card as stored: its content for visitors, sealed, at the item's version."""

    item_id: UUID
    version: int
    card: bytes  # a sealed Personal: visibility.item_content(item) (a heading's: item_heading_content)


@dataclass
class RowChanges:
    """What one save changes in the read models, written with its events."""

    items: list[ItemRow] = field(default_factory=list)
    cards: list[CardRow] = field(default_factory=list)
    #: the items' headings (``visibility.item_heading_content``), as cards are stored
    headings: list[CardRow] = field(default_factory=list)
    contributors: list[ContributorRow] = field(default_factory=list)
    #: contributor id -> how many items are listed for them now
    item_counts: dict[UUID, int] = field(default_factory=dict)
    exhibitions: list[ExhibitionRow] = field(default_factory=list)
    #: exhibition id -> its works' item ids, in order (replacing the previous contents)
    contents: dict[UUID, list[UUID]] = field(default_factory=dict)
    #: exhibition id -> every work it ever hung (rows are only added: taking a work down keeps it)
    hung: dict[UUID, list[UUID]] = field(default_factory=dict)
    #: exhibition id -> its visitor texts as JSON while it is published, None when it is not
    exhibition_texts: dict[UUID, str | None] = field(default_factory=dict)
    #: exhibition id -> the version of the exhibition and of each work and contributor its
    #: texts were computed from: the recorder checks them in the transaction (:class:`StaleTexts`)
    texts_basis: dict[UUID, dict[UUID, int]] = field(default_factory=dict)
    #: exhibition id -> its works' cards as they hang in it (``visibility.card_content``, each
    #: sealed under its item's key), computed with its texts and replacing the previous ones
    exhibition_cards: dict[UUID, list[CardRow]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.items or self.cards or self.contributors or self.item_counts or self.exhibitions or self.contents
            or self.hung or self.exhibition_texts
        )

    def extend(self, other: RowChanges) -> None:
        self.items.extend(other.items)
        self.cards.extend(other.cards)
        self.headings.extend(other.headings)
        self.contributors.extend(other.contributors)
        self.item_counts.update(other.item_counts)
        self.exhibitions.extend(other.exhibitions)
        self.contents.update(other.contents)
        self.hung.update(other.hung)
        self.exhibition_texts.update(other.exhibition_texts)
        self.texts_basis.update(other.texts_basis)
        self.exhibition_cards.update(other.exhibition_cards)


class StaleTexts(Exception):
    """An exhibition's visitor texts were computed from a version of it, or of a work or a
    contributor, that another save replaced meanwhile: nothing of this save is written, and
    the application computes the texts again (``ReadModels._record``)."""


def stale_basis(basis: Mapping[UUID, int], stored: Mapping[UUID, int | None]) -> bool:
    """Whether any version in ``basis`` differs from the version the read models hold now."""
    return any(stored.get(aggregate_id) != version for aggregate_id, version in basis.items())


def changes_for(aggregates: Iterable[Any], seal: Seal) -> RowChanges:
    """The rows the given aggregates (as they stand, their new events applied) put in place."""
    changes = RowChanges()
    for aggregate in aggregates:
        if isinstance(aggregate, Item):
            changes.items.append(item_row(aggregate, seal))
            changes.cards.append(card_row(aggregate, seal))
            changes.headings.append(heading_row(aggregate, seal))
        elif isinstance(aggregate, Contributor):
            changes.contributors.append(contributor_row(aggregate, seal))
        elif isinstance(aggregate, ContributorItems):
            changes.item_counts[aggregate.contributor_id] = len(aggregate.item_ids)
        elif isinstance(aggregate, Exhibition):
            changes.exhibitions.append(exhibition_row(aggregate, seal))
            changes.contents[aggregate.id] = list(aggregate.item_ids)
            changes.hung[aggregate.id] = aggregate.works_ever_hung
    return changes


def item_row(item: Item, seal: Seal) -> ItemRow:
    if item.is_redacted:
        title = Personal.redacted_for(item.id)
    else:
        title = Personal.of(item.id, dict(item.detail("title", {}) or {}))
    consent = item.consent
    return ItemRow(
        item_id=item.id,
        kind=item.kind,
        contributor_id=item.contributor_id,
        recorded_at=item.created_on,
        updated_at=item.modified_on,
        title=seal(title),
        has_consent=consent is not None,
        scopes=tuple(sorted(scope.value for scope in consent.scopes)) if consent else (),
        attribution=consent.attribution.value if consent else None,
        expires_on=consent.expires_on if consent else None,
        withdrawn=item.is_withdrawn,
        request=seal(item.consent_request.stored()).decode() if item.consent_request else None,
        version=item.version,
    )


def card_row(item: Item, seal: Seal) -> CardRow:
    content = Personal.redacted_for(item.id) if item.is_redacted else Personal.of(item.id, item_content(item))
    return CardRow(item_id=item.id, version=item.version, card=seal(content))


def heading_row(item: Item, seal: Seal) -> CardRow:
    """The item's heading (``visibility.item_heading_content``), sealed under its key like its card."""
    content = Personal.redacted_for(item.id) if item.is_redacted else Personal.of(item.id, item_heading_content(item))
    return CardRow(item_id=item.id, version=item.version, card=seal(content))


def contributor_row(contributor: Contributor, seal: Seal) -> ContributorRow:
    if contributor.profile.redacted:
        names = Personal.redacted_for(contributor.id)
    else:
        names = Personal.of(contributor.id, {
            "name": contributor.name, "pseudonym": contributor.pseudonym,
            "former_names": list(contributor.former_names), "former_pseudonyms": list(contributor.former_pseudonyms),
        })
    return ContributorRow(
        contributor_id=contributor.id,
        registered_at=contributor.created_on,
        names=seal(names),
        erased=contributor.is_erased,
        version=contributor.version,
    )


def sealed_texts_json(exhibition: Exhibition, value: Any, seal: Seal) -> str:
    """``value`` (texts of the exhibition) as a row stores it: sealed under the exhibition's
    newest texts key (``Exhibition.texts_key``), so that shredding the key at an erasure blanks
    every copy, dead rows included; in clear for an exhibition from before texts keys."""
    key = exhibition.texts_key
    if key is None:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return seal(Personal.of(key, value)).decode()


def opened_texts_json(stored: str, open_: Open) -> Any:
    """Texts a row stored with :func:`sealed_texts_json`; None once their key is shredded."""
    value = open_(stored.encode())
    if isinstance(value, Personal):
        return value.reveal(None)
    return value


def exhibition_row(exhibition: Exhibition, seal: Seal) -> ExhibitionRow:
    return ExhibitionRow(
        exhibition_id=exhibition.id,
        slug=exhibition.slug,
        titles=sealed_texts_json(exhibition, exhibition.titles, seal),
        published=exhibition.is_published,
        opens_on=exhibition.field("opens_on"),
        closes_on=exhibition.field("closes_on"),
        created_at=exhibition.created_on,
        updated_at=exhibition.modified_on,
        version=exhibition.version,
        work_count=len(exhibition.placements),
    )


# -- what pages read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilter:
    """Which items a listing shows: all by default; ``hidden_on`` keeps those visitors cannot
    see online on that day (the consent overview); ``unless_in`` leaves out an exhibition's works."""

    contributor_id: UUID | None = None
    kind: str | None = None
    status: ConsentStatus | None = None
    on: date | None = None  # the day ``status`` is judged on
    hidden_on: date | None = None
    requests_only: bool = False
    unless_in: UUID | None = None
    live_only: bool = False  # leave out withdrawn items


class ItemSummary(NamedTuple):
    """An item as curator listings show it: its title opened, its consent state at hand.

    A named tuple rather than a frozen dataclass: a listing makes fifty, and a frozen
    dataclass's ``__init__`` (fourteen ``object.__setattr__`` calls) cost 4 us each, a
    seventh of a contributor page's row."""

    id: UUID
    kind: str
    contributor_id: UUID
    recorded_at: datetime
    updated_at: datetime
    title: dict[str, str]
    is_redacted: bool
    scopes: frozenset[Scope]
    attribution: str | None
    expires_on: date | None
    has_consent: bool
    is_withdrawn: bool
    consent_request: ConsentRequest | None
    version: int

    def status(self, on: date) -> ConsentStatus:
        """The consent status on the day ``on`` (as ``Item.status``)."""
        return ConsentStatus.of(withdrawn=self.is_withdrawn, recorded=self.has_consent, expires_on=self.expires_on, on=on)

    def hidden_reason(self, on: date) -> str | None:
        """Why visitors cannot see the item online on ``on`` (a status code), or None."""
        status = self.status(on)
        if status is ConsentStatus.GIVEN:
            return None if Scope.PUBLISH_ONLINE in self.scopes else "not_online"
        return str(status.value)


@dataclass(frozen=True)
class ContributorSummary:
    """A contributor as curator listings show them."""

    id: UUID
    name: str | None
    pseudonym: str | None
    is_erased: bool
    item_count: int
    version: int
    former_names: tuple[str, ...] = ()
    former_pseudonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExhibitionSummary:
    """An exhibition as the dashboard lists it."""

    id: UUID
    slug: str
    titles: dict[str, str]
    is_published: bool
    opens_on: date | None
    closes_on: date | None
    updated_at: datetime
    version: int
    work_count: int


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, and how many rows the whole listing has."""

    rows: Sequence[Any]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@lru_cache(maxsize=64)
def _scope_set(names: tuple[str, ...]) -> frozenset[Scope]:
    """A row's scopes as consent scopes, made once for each distinct set (rows share a few)."""
    return frozenset(Scope(name) for name in names)


def open_item(row: ItemRow, open_: Open) -> ItemSummary:
    title = open_(row.title)
    return ItemSummary(  # in ItemSummary's order (mypy checks each by type)
        row.item_id,
        row.kind,
        row.contributor_id,
        row.recorded_at,
        row.updated_at,
        dict(title.value or {}) if not title.redacted else {},
        title.redacted,
        _scope_set(row.scopes),
        row.attribution,
        row.expires_on,
        row.has_consent,
        row.withdrawn,
        ConsentRequest.from_stored(open_(row.request.encode())) if row.request else None,
        row.version,
    )


def open_contributor(row: ContributorRow, open_: Open) -> ContributorSummary:
    names = open_(row.names)
    values = names.value if not names.redacted and names.value else {}
    return ContributorSummary(
        id=row.contributor_id,
        name=values.get("name"),
        pseudonym=values.get("pseudonym"),
        is_erased=row.erased,
        item_count=row.item_count,
        version=row.version,
        former_names=tuple(values.get("former_names") or ()),
        former_pseudonyms=tuple(values.get("former_pseudonyms") or ()),
    )


def open_exhibition(row: ExhibitionRow, open_: Open) -> ExhibitionSummary:
    return ExhibitionSummary(
        id=row.exhibition_id,
        slug=row.slug,
        titles=opened_texts_json(row.titles, open_) or {},
        is_published=row.published,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        updated_at=row.updated_at,
        version=row.version,
        work_count=row.work_count,
    )


class ReadModelStore(Protocol):
    """The query side of the read models, implemented by each backend's event recorder.

    Rows come back as stored (personal fields sealed); the application opens them.
    """

    def read_models_built(self) -> bool:
        """Whether the read models were built (by live writes since the first event, or a rebuild)."""

    def read_models_position(self) -> int | None:
        """The last notification id the rows follow (None before any): behind the log when
        something saved events without their rows."""

    def mark_read_models_built(self) -> None:
        """Mark the read models built with this release's tables (a new, empty archive has
        nothing to rebuild)."""

    def rebuild_read_models(self, changes: RowChanges, position: int | None) -> bool:
        """Replace every row with ``changes`` in one transaction and mark the models built,
        unless the log moved past ``position`` meanwhile (then nothing changes: False)."""

    def item_rows(self, where: ItemFilter, *, offset: int, limit: int, newest_first: bool = False,
                  by_update: bool = False, matching: int | None = None) -> list[ItemRow]:
        """Items matching ``where``, in the order they were recorded (or newest first).
        ``matching``, when the caller has just counted it, is how many items match: a hint
        that lets the store choose how to find the page, never a change to which rows it is."""

    def count_items(self, where: ItemFilter) -> int:
        """How many items match ``where``."""

    def item_rows_by_id(self, item_ids: Sequence[UUID]) -> list[ItemRow]:
        """These items' rows (in no particular order; unknown ids are left out)."""

    def shown_cards(
        self, exhibition_id: UUID, on: date, scopes: Sequence[Scope]
    ) -> list[tuple[ConsentRow, CardRow | None]]:
        """The exhibition's works whose item rows let visitors see them on ``on`` under
        ``scopes`` (the rule of ``gate.rules.may_show``), in order, each as the consent part
        of its row with its card as it hangs there (``RowChanges.exhibition_cards``; None if
        it has none), in one query."""

    def item_card_rows(
        self, item_ids: Sequence[UUID], *, headings: bool = False
    ) -> list[tuple[ItemRow, CardRow | None, ContributorRow | None]]:
        """These items' rows (in no particular order; unknown ids are left out), each with its
        card, or only its heading (``headings``), and its contributor's row (None where there
        is none), in one query."""

    def contributor_rows(self, *, offset: int, limit: int) -> list[ContributorRow]:
        """Contributors in the order they were registered."""

    def count_contributors(self) -> int:
        """How many contributors are registered."""

    def exhibition_rows(self) -> list[ExhibitionRow]:
        """Every exhibition, in the order they were created."""

    def exhibitions_showing(self, item_id: UUID) -> list[UUID]:
        """The exhibitions an item hangs in, in the order they were created."""

    def exhibition_contents(self, exhibition_id: UUID) -> list[UUID]:
        """An exhibition's works, in order."""

    def published_rows(self, exhibition_ids: Sequence[UUID] | None = None) -> list[tuple[ExhibitionRow, str | None]]:
        """The published exhibitions (all, or those of ``exhibition_ids``), in the order they
        were created, each with its visitor texts as JSON (None if none are stored)."""

    def published_by_slug(self, slug: str) -> list[tuple[ExhibitionRow, str | None]]:
        """The published exhibition whose slug is ``slug`` now, as :meth:`published_rows`
        (none if no published exhibition has it)."""

    def shown_works(self, exhibition_ids: Sequence[UUID], on: date, scopes: Sequence[Scope]) -> dict[UUID, list[UUID]]:
        """For each exhibition, its works whose current consent allows every one of ``scopes``
        on the day ``on`` (not withdrawn, recorded, not expired), in order."""

    def exhibitions_hanging(self, item_ids: Sequence[UUID], contributor_ids: Sequence[UUID]) -> list[UUID]:
        """The exhibitions that hang, or once hung, any of these items or any item of these
        contributors (their texts lose the names such a work withholds)."""

    def works_ever_hung(self, exhibition_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        """For each exhibition, every work it ever hung (hanging now or taken down), in no
        particular order."""

    def works_ever_hung_but(self, exhibition_id: UUID, item_ids: Iterable[UUID]) -> list[UUID]:
        """The works the exhibition ever hung (hanging now or taken down) other than these, in
        no particular order."""

    def contributors_of(self, item_ids: Sequence[UUID]) -> list[UUID]:
        """The contributors of these items that the rows know, each once, in no particular order."""

    def unerased(self, contributor_ids: Sequence[UUID]) -> list[UUID]:
        """Those of these contributors whose rows record no erasure (one without a row is not
        among them), in no particular order."""

    def published_showing(
        self, item_id: UUID, on: date, scopes: Sequence[Scope]
    ) -> list[tuple[ExhibitionRow, str | None]]:
        """The published exhibitions hanging the item, as :meth:`published_rows`; none unless the
        item's current consent allows every one of ``scopes`` on the day ``on``."""

    def next_shown_work(self, exhibition_id: UUID, item_id: UUID, on: date, scopes: Sequence[Scope]) -> UUID | None:
        """The first work after the item's first place in the exhibition whose current consent
        allows every one of ``scopes`` on ``on``; None after the last, or if it does not hang there."""

    def recorded_among(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these ids have events in the store: a question of the events table, asked
        of many ids at once (opening an archive after a bulk import settles tens of thousands
        of key reservations), a few queries in all instead of one for each."""

    def write_read_models(self, changes: RowChanges) -> None:
        """Write rows that no event changes (exhibitions' visitor texts past their last exact
        day) in a transaction of their own, checked as with events (:class:`StaleTexts`)."""


# -- shared by the SQL adapters ------------------------------------------------------------------


def online_through(find: str) -> str:
    """SQL for the last day an item can be seen online as its row stands: '' (before every day)
    when it never can (withdrawn, no consent, or no consent to publish online), its consent's
    expiry day, or '9999-12-31' when that never runs out. Visitors cannot see it online on a day
    exactly when this is before that day (ISO days compare as text), so the value holds a day
    bound, never a flag that would go stale at midnight. It is a function of the row alone: the
    SQL adapters index it (the consent overview counts from that index) and every writer, of any
    release, keeps it exact. ``find`` is the dialect's ``instr``/``strpos``; the query must spell
    the expression exactly as the index does."""
    return (
        f"(CASE WHEN withdrawn = 1 OR has_consent = 0 OR {find}(',' || scopes || ',', "
        f"',{Scope.PUBLISH_ONLINE.value},') = 0 THEN '' ELSE COALESCE(expires_on, '9999-12-31') END)"
    )


def hidden_clause(day: date, param: str, through: str) -> tuple[str, list[Any]]:
    """SQL (and its parameters) for "visitors cannot see it online on ``day``", given the
    dialect's :func:`online_through` expression ``through``."""
    return f"{through} < {param}", [day.isoformat()]


_SCOPE_NAME = re.compile(r"[a-z_]+")


def shown_clause(scopes: Sequence[Scope], day: date, param: str) -> tuple[str, list[Any]]:
    """SQL (and its parameters) for "current consent allows every one of ``scopes`` on ``day``",
    the rule of ``gate.rules.may_show`` (an item whose content is shredded is withdrawn)."""
    clause, params = status_clause(ConsentStatus.GIVEN, day, param)
    for scope in scopes:
        # A literal, not a parameter: SQLite prepares a statement again at every run when a
        # LIKE pattern is bound (the LIKE optimisation depends on it), 70 us a query. With
        # psycopg's "%s" placeholders a literal "%" is written "%%".
        assert _SCOPE_NAME.fullmatch(scope.value), scope
        wildcard = "%%" if param == "%s" else "%"
        clause += f" AND (',' || scopes || ',') LIKE '{wildcard},{scope.value},{wildcard}'"
    return f"({clause})", params


def status_clause(status: ConsentStatus, day: date, param: str) -> tuple[str, list[Any]]:
    """SQL (and its parameters) for "the consent status on ``day`` is ``status``"."""
    if status is ConsentStatus.WITHDRAWN:
        return "withdrawn = 1", []
    if status is ConsentStatus.NOT_RECORDED:
        return "(withdrawn = 0 AND has_consent = 0)", []
    if status is ConsentStatus.EXPIRED:
        return f"(withdrawn = 0 AND has_consent = 1 AND expires_on IS NOT NULL AND expires_on < {param})", [
            day.isoformat()
        ]
    return f"(withdrawn = 0 AND has_consent = 1 AND (expires_on IS NULL OR expires_on >= {param}))", [
        day.isoformat()
    ]


def item_where(where: ItemFilter, param: str, works_table: str, through: str) -> tuple[str, list[Any]]:
    """The WHERE clause (possibly empty) and parameters of an item filter (``through``: the
    dialect's :func:`online_through` expression)."""
    clauses: list[str] = []
    params: list[Any] = []
    if where.contributor_id is not None:
        clauses.append(f"contributor_id = {param}")
        params.append(where.contributor_id.hex)
    if where.kind is not None:
        clauses.append(f"kind = {param}")
        params.append(where.kind)
    if where.status is not None:
        assert where.on is not None, "a status filter needs the day it is judged on"
        clause, more = status_clause(where.status, where.on, param)
        clauses.append(clause)
        params.extend(more)
    if where.hidden_on is not None:
        clause, more = hidden_clause(where.hidden_on, param, through)
        clauses.append(clause)
        params.extend(more)
    if where.requests_only:
        clauses.append("request IS NOT NULL")
    if where.live_only:
        clauses.append("withdrawn = 0")
    if where.unless_in is not None:
        clauses.append(f"item_id NOT IN (SELECT item_id FROM {works_table} WHERE exhibition_id = {param})")
        params.append(where.unless_in.hex)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
