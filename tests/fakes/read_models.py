"""The read models in memory, beside the in-memory event store the unit tests use: a fake of
the SQLite and PostgreSQL recorders (``archive.read.models_sqlite``, ``read.models_postgres``).

Rows are written under the store's lock in the same step as the events, after the events'
uniqueness is checked: an event that fails to save leaves no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from archive.read.models import (
    CardRow,
    ConsentRow,
    ContributorRow,
    ExhibitionRow,
    ItemFilter,
    ItemRow,
    RowChanges,
    StaleTexts,
    stale_basis,
)
from domain.consent import ConsentStatus, Scope


class InMemoryReadModelRecorder(POPOApplicationRecorder):
    """The in-memory application recorder, keeping read-model rows with the events."""

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[UUID, ItemRow] = {}
        self._cards: dict[UUID, CardRow] = {}
        self._headings: dict[UUID, CardRow] = {}
        self._contributors: dict[UUID, ContributorRow] = {}
        self._exhibitions: dict[UUID, ExhibitionRow] = {}
        self._works: dict[UUID, list[UUID]] = {}
        self._hung: dict[UUID, list[UUID]] = {}  # every work each exhibition ever hung
        self._texts: dict[UUID, str] = {}
        self._hung_cards: dict[UUID, dict[UUID, CardRow]] = {}  # each exhibition's works' cards
        self._built = False

    def _insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self._database_lock:
            changes: RowChanges | None = kwargs.get("read_models")
            staged = self._stage(changes) if changes else []  # may fail: nothing is stored yet
            returning = super()._insert_events(stored_events, **kwargs)
            for table, key, row in staged:  # cannot fail
                _put(table, key, row)
            return returning

    def _stage(self, changes: RowChanges) -> list[tuple[dict[UUID, Any], UUID, Any]]:
        """Every (table, key, row) assignment ``changes`` makes, without making any."""
        staged: list[tuple[dict[UUID, Any], UUID, Any]] = []
        staged += [(self._items, item.item_id, item) for item in changes.items]
        staged += [(self._cards, card.item_id, card) for card in changes.cards]
        staged += [(self._headings, heading.item_id, heading) for heading in changes.headings]
        people = dict(self._contributors)
        for person in changes.contributors:
            known = people.get(person.contributor_id)
            people[person.contributor_id] = person._replace(item_count=known.item_count if known else 0)
        for contributor_id, count in changes.item_counts.items():
            if contributor_id in people:
                people[contributor_id] = people[contributor_id]._replace(item_count=count)
        touched = dict.fromkeys([*(p.contributor_id for p in changes.contributors), *changes.item_counts])
        staged += [(self._contributors, c, people[c]) for c in touched if c in people]
        staged += [(self._exhibitions, e.exhibition_id, e) for e in changes.exhibitions]
        staged += [(self._works, e, list(item_ids)) for e, item_ids in changes.contents.items()]
        staged += [
            (self._hung, e, list(dict.fromkeys([*self._hung.get(e, []), *item_ids])))
            for e, item_ids in changes.hung.items()
        ]
        saved = {
            **{row.item_id: row.version for row in changes.items},
            **{row.contributor_id: row.version for row in changes.contributors},
            **{row.exhibition_id: row.version for row in changes.exhibitions},
        }
        for exhibition_id, texts in changes.exhibition_texts.items():
            basis = changes.texts_basis.get(exhibition_id)
            if texts is not None and basis and stale_basis(basis, {i: self._version(i, saved) for i in basis}):
                raise StaleTexts(exhibition_id)
        staged += [(self._texts, e, texts) for e, texts in changes.exhibition_texts.items()]
        staged += [
            (self._hung_cards, e, {c.item_id: c for c in changes.exhibition_cards.get(e, [])} if texts is not None else None)
            for e, texts in changes.exhibition_texts.items()
        ]
        return staged

    def _version(self, aggregate_id: UUID, saved: dict[UUID, int]) -> int | None:
        if aggregate_id in saved:
            return saved[aggregate_id]
        for table in (self._items, self._contributors, self._exhibitions):
            if aggregate_id in table:
                return table[aggregate_id].version
        return None

    def recorded_among(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        with self._database_lock:
            return {i for i in originator_ids if self._stored_events_index.get(str(i))}

    def write_read_models(self, changes: RowChanges) -> None:
        with self._database_lock:
            for table, key, row in self._stage(changes):
                _put(table, key, row)

    def read_models_built(self) -> bool:
        return self._built

    def mark_read_models_built(self) -> None:
        self._built = True

    def read_models_position(self) -> int | None:
        return self.max_notification_id()  # rows and events share one process

    def rebuild_read_models(self, changes: RowChanges, position: int | None) -> bool:
        with self._database_lock:
            if self.max_notification_id() != position:
                return False
            self._items.clear()
            self._cards.clear()
            self._headings.clear()
            self._contributors.clear()
            self._exhibitions.clear()
            self._works.clear()
            self._hung.clear()
            self._texts.clear()
            self._hung_cards.clear()
            for table, key, row in self._stage(changes):
                _put(table, key, row)
            self._built = True
        return True

    def _matching(self, where: ItemFilter) -> list[ItemRow]:
        hung = set(self._works.get(where.unless_in, [])) if where.unless_in else set()
        return [row for row in self._items.values() if _matches(row, where) and row.item_id not in hung]

    def item_rows(self, where: ItemFilter, *, offset: int, limit: int, newest_first: bool = False,
                  by_update: bool = False, matching: int | None = None) -> list[ItemRow]:
        with self._database_lock:
            rows = self._matching(where)
        if by_update:
            order = {row.item_id: n for n, row in enumerate(rows)}
            rows.sort(key=lambda row: (row.updated_at, order[row.item_id]))
        if newest_first:
            rows.reverse()
        return rows[offset:offset + limit]

    def count_items(self, where: ItemFilter) -> int:
        with self._database_lock:
            return len(self._matching(where))

    def item_rows_by_id(self, item_ids: Sequence[UUID]) -> list[ItemRow]:
        with self._database_lock:
            return [self._items[i] for i in item_ids if i in self._items]

    def shown_cards(self, exhibition_id: UUID, on: date, scopes: Sequence[Scope]) -> list[tuple[ConsentRow, CardRow | None]]:
        with self._database_lock:
            cards = self._hung_cards.get(exhibition_id, {})
            rows = [self._items[i] for i in self._works.get(exhibition_id, []) if i in self._items]
            return [(ConsentRow.of(row), cards.get(row.item_id)) for row in rows if _shown(row, on, scopes)]

    def item_card_rows(
        self, item_ids: Sequence[UUID], *, headings: bool = False
    ) -> list[tuple[ItemRow, CardRow | None, ContributorRow | None]]:
        cards = self._headings if headings else self._cards
        with self._database_lock:
            rows = [self._items[i] for i in dict.fromkeys(item_ids) if i in self._items]
            return [(row, cards.get(row.item_id), self._contributors.get(row.contributor_id)) for row in rows]

    def contributor_rows(self, *, offset: int, limit: int) -> list[ContributorRow]:
        with self._database_lock:
            return list(self._contributors.values())[offset:offset + limit]

    def count_contributors(self) -> int:
        return len(self._contributors)

    def exhibition_rows(self) -> list[ExhibitionRow]:
        with self._database_lock:
            return list(self._exhibitions.values())

    def exhibitions_showing(self, item_id: UUID) -> list[UUID]:
        with self._database_lock:
            return [e for e in self._exhibitions if item_id in self._works.get(e, [])]

    def exhibition_contents(self, exhibition_id: UUID) -> list[UUID]:
        with self._database_lock:
            return list(self._works.get(exhibition_id, []))

    def published_rows(self, exhibition_ids: Sequence[UUID] | None = None) -> list[tuple[ExhibitionRow, str | None]]:
        with self._database_lock:
            wanted = set(self._exhibitions if exhibition_ids is None else exhibition_ids)
            return [(row, self._texts.get(e)) for e, row in self._exhibitions.items() if row.published and e in wanted]

    def published_by_slug(self, slug: str) -> list[tuple[ExhibitionRow, str | None]]:
        with self._database_lock:
            return [(row, self._texts.get(e)) for e, row in self._exhibitions.items() if row.published and row.slug == slug]

    def shown_works(self, exhibition_ids: Sequence[UUID], on: date, scopes: Sequence[Scope]) -> dict[UUID, list[UUID]]:
        with self._database_lock:
            return {
                e: [i for i in self._works.get(e, []) if i in self._items and _shown(self._items[i], on, scopes)]
                for e in exhibition_ids
            }

    def exhibitions_hanging(self, item_ids: Sequence[UUID], contributor_ids: Sequence[UUID]) -> list[UUID]:
        with self._database_lock:
            people = set(contributor_ids)
            wanted = set(item_ids) | {i for i, row in self._items.items() if row.contributor_id in people}
            return [e for e, works in self._hung.items() if wanted.intersection(works)]

    def works_ever_hung(self, exhibition_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        with self._database_lock:
            return {e: list(self._hung.get(e, [])) for e in exhibition_ids}

    def works_ever_hung_but(self, exhibition_id: UUID, item_ids: Iterable[UUID]) -> list[UUID]:
        known = set(item_ids)
        with self._database_lock:
            return [i for i in self._hung.get(exhibition_id, []) if i not in known]

    def contributors_of(self, item_ids: Sequence[UUID]) -> list[UUID]:
        with self._database_lock:
            return list({self._items[i].contributor_id for i in item_ids if i in self._items})

    def unerased(self, contributor_ids: Sequence[UUID]) -> list[UUID]:
        with self._database_lock:
            return [c for c in contributor_ids if c in self._contributors and not self._contributors[c].erased]

    def published_showing(
        self, item_id: UUID, on: date, scopes: Sequence[Scope]
    ) -> list[tuple[ExhibitionRow, str | None]]:
        with self._database_lock:
            row = self._items.get(item_id)
            if row is None or not _shown(row, on, scopes):
                return []
            return [(e, self._texts.get(e.exhibition_id)) for e in self._exhibitions.values()
                    if e.published and item_id in self._works.get(e.exhibition_id, [])]

    def next_shown_work(self, exhibition_id: UUID, item_id: UUID, on: date, scopes: Sequence[Scope]) -> UUID | None:
        with self._database_lock:
            works = self._works.get(exhibition_id, [])
            after = works[works.index(item_id) + 1:] if item_id in works else []
            return next((i for i in after if i in self._items and _shown(self._items[i], on, scopes)), None)


def _put(table: dict[UUID, Any], key: UUID, row: Any) -> None:
    """Store ``row`` under ``key``; None removes it (an exhibition's texts when unpublished)."""
    if row is None:
        table.pop(key, None)
    else:
        table[key] = row


def _shown(row: ItemRow, on: date, scopes: Sequence[Scope]) -> bool:
    return _status(row, on) is ConsentStatus.GIVEN and all(scope.value in row.scopes for scope in scopes)


def _status(row: ItemRow, on: date) -> ConsentStatus:
    return ConsentStatus.of(withdrawn=row.withdrawn, recorded=row.has_consent, expires_on=row.expires_on, on=on)


def _matches(row: ItemRow, where: ItemFilter) -> bool:
    if where.contributor_id is not None and row.contributor_id != where.contributor_id:
        return False
    if where.kind is not None and row.kind != where.kind:
        return False
    if where.status is not None:
        assert where.on is not None, "a status filter needs the day it is judged on"
        if _status(row, where.on) is not where.status:
            return False
    if where.hidden_on is not None:
        status = _status(row, where.hidden_on)
        if status is ConsentStatus.GIVEN and Scope.PUBLISH_ONLINE.value in row.scopes:
            return False
    if where.requests_only and row.request is None:
        return False
    if where.live_only and row.withdrawn:
        return False
    return True
