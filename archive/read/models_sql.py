"""The read-model tables and statements shared by the SQLite and PostgreSQL recorders.

The two dialects differ only in their placeholder, their binary type and how a row's
insertion order is kept (SQLite's ``rowid``, a PostgreSQL ``bigserial``); everything else
(ids as hex text, days and times as ISO text, flags as 0/1) is the same SQL on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from archive.read.models import (
    BUILT,
    BUILT_VERSION,
    POSITION,
    CardRow,
    ConsentRow,
    ContributorRow,
    ExhibitionRow,
    ItemFilter,
    ItemRow,
    RowChanges,
    StaleTexts,
    as_date,
    as_datetime,
    item_where,
    online_through,
    shown_clause,
    stale_basis,
)
from domain.consent import Scope

ITEMS = "read_items"
CONTRIBUTORS = "read_contributors"
EXHIBITIONS = "read_exhibitions"
WORKS = "read_exhibition_works"
TEXTS = "read_exhibition_texts"
META = "read_model_meta"
CARDS = "read_item_cards"
HUNG = "read_exhibition_hung"
HUNG_CARDS = "read_exhibition_cards"
HEADINGS = "read_item_headings"
TABLES = (ITEMS, CONTRIBUTORS, EXHIBITIONS, WORKS, TEXTS, META, CARDS, HUNG, HUNG_CARDS, HEADINGS)

_ITEM_COLUMNS = (
    "item_id", "kind", "contributor_id", "recorded_at", "updated_at", "title", "has_consent",
    "scopes", "attribution", "expires_on", "withdrawn", "request", "version",
)
_CONTRIBUTOR_COLUMNS = ("contributor_id", "registered_at", "names", "erased", "version", "item_count")
_EXHIBITION_COLUMNS = (
    "exhibition_id", "slug", "titles", "published", "opens_on", "closes_on", "created_at",
    "updated_at", "version", "work_count",
)

#: Walking item rows in order costs about this many times what sorting a filter's index costs
#: an entry: SQLite at 50,000 items, 0.37 us a walked row against 0.08 us a sorted entry.
WALK_SHARE = 4

Execute = Callable[[str, Sequence[Any]], Any]
#: Runs a query in the writing transaction and returns its rows.
Fetch = Callable[[str, Sequence[Any]], Sequence[Any]]


class StaleRebuild(Exception):
    """The log moved on while a rebuild was being computed: the transaction is rolled back."""


class ReadModelSQL:
    """Statements for one dialect, and the conversion of rows to and from them."""

    def __init__(self, *, param: str, blob: str, seq: str, seq_definition: str, greatest: str, find: str,
                 prefix: str = ""):
        self.param = param
        self.seq = seq
        #: When a filter keeps few rows of many through its own index, the listing orders by
        #: this: SQLite's planner would otherwise walk every row in rowid order to satisfy the
        #: ORDER BY (a unary + keeps it from choosing the rowid); PostgreSQL plans by statistics.
        self.sorted_seq = "+rowid" if seq == "rowid" else seq
        #: The last day each item can be seen online (see ``read_models.online_through``).
        self.online_through = online_through(find)
        self.items, self.contributors = prefix + ITEMS, prefix + CONTRIBUTORS
        self.exhibitions, self.works, self.meta = prefix + EXHIBITIONS, prefix + WORKS, prefix + META
        self.texts = prefix + TEXTS
        self.cards = prefix + CARDS
        self.headings = prefix + HEADINGS
        self.hung = prefix + HUNG
        self.hung_cards = prefix + HUNG_CARDS
        self.create_statements = [
            f"CREATE TABLE IF NOT EXISTS {self.items} ({seq_definition}"
            "item_id TEXT PRIMARY KEY, kind TEXT NOT NULL, contributor_id TEXT NOT NULL, "
            f"recorded_at TEXT NOT NULL, updated_at TEXT NOT NULL, title {blob} NOT NULL, "
            "has_consent INTEGER NOT NULL, scopes TEXT NOT NULL, attribution TEXT, expires_on TEXT, "
            "withdrawn INTEGER NOT NULL, request TEXT, version INTEGER NOT NULL)",
            # SQLite's indexes end with the rowid already (and cannot name it).
            f"CREATE INDEX IF NOT EXISTS {self.items}_by_contributor ON {self.items} "
            f"(contributor_id{'' if seq == 'rowid' else ', ' + seq})",
            f"CREATE INDEX IF NOT EXISTS {self.items}_by_update ON {self.items} (updated_at)",
            # The consent overview lists the few items with a pending request on every visit.
            f"CREATE INDEX IF NOT EXISTS {self.items}_with_request ON {self.items} (item_id) WHERE request IS NOT NULL",
            # The consent overview counts and pages the items hidden on a day (filtered by kind
            # and status) from this index alone: it holds every column its expression and those
            # filters read, so SQLite reads no item row but the page's.
            (f"CREATE INDEX IF NOT EXISTS {self.items}_online_through ON {self.items} "
             f"({self.online_through}, kind, withdrawn, has_consent, expires_on, scopes)"),
            f"CREATE TABLE IF NOT EXISTS {self.contributors} ({seq_definition}"
            f"contributor_id TEXT PRIMARY KEY, registered_at TEXT NOT NULL, names {blob} NOT NULL, "
            "erased INTEGER NOT NULL, version INTEGER NOT NULL, item_count INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.exhibitions} ({seq_definition}"
            "exhibition_id TEXT PRIMARY KEY, slug TEXT NOT NULL, titles TEXT NOT NULL, "
            "published INTEGER NOT NULL, opens_on TEXT, closes_on TEXT, created_at TEXT NOT NULL, "
            "updated_at TEXT NOT NULL, version INTEGER NOT NULL, work_count INTEGER NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {self.exhibitions}_by_slug ON {self.exhibitions} (slug)",
            f"CREATE TABLE IF NOT EXISTS {self.works} (exhibition_id TEXT NOT NULL, "
            "position INTEGER NOT NULL, item_id TEXT NOT NULL, PRIMARY KEY (exhibition_id, position))",
            f"CREATE INDEX IF NOT EXISTS {self.works}_by_item ON {self.works} (item_id)",
            f"CREATE TABLE IF NOT EXISTS {self.texts} (exhibition_id TEXT PRIMARY KEY, texts TEXT NOT NULL)",
            # Every (exhibition, item) ever placed: a work taken down still withholds names.
            f"CREATE TABLE IF NOT EXISTS {self.hung} (exhibition_id TEXT NOT NULL, item_id TEXT NOT NULL, "
            "PRIMARY KEY (exhibition_id, item_id))",
            f"CREATE INDEX IF NOT EXISTS {self.hung}_by_item ON {self.hung} (item_id)",
            f"CREATE TABLE IF NOT EXISTS {self.meta} (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.cards} (item_id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
            f"card {blob} NOT NULL)",
            # Each item's heading: what a search hit shows of its card (see ``models.heading_row``).
            f"CREATE TABLE IF NOT EXISTS {self.headings} (item_id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
            f"card {blob} NOT NULL)",
            # Each work's card as it hangs in a published exhibition (its wall text with it),
            # written with the exhibition's visitor texts.
            f"CREATE TABLE IF NOT EXISTS {self.hung_cards} (exhibition_id TEXT NOT NULL, item_id TEXT NOT NULL, "
            f"version INTEGER NOT NULL, card {blob} NOT NULL, PRIMARY KEY (exhibition_id, item_id))",
        ]
        self._upsert_item = self._upsert(self.items, _ITEM_COLUMNS, "item_id")
        self._upsert_contributor = self._upsert(
            self.contributors, _CONTRIBUTOR_COLUMNS, "contributor_id", keep=("item_count",)
        )
        self._upsert_exhibition = self._upsert(self.exhibitions, _EXHIBITION_COLUMNS, "exhibition_id")
        # Concurrent writers may commit out of notification order: the position only grows.
        self._advance = (
            f"INSERT INTO {self.meta} (name, value) VALUES ({param}, {param}) ON CONFLICT (name) DO UPDATE SET "
            f"value = CAST({greatest}(CAST({self.meta}.value AS BIGINT), CAST(excluded.value AS BIGINT)) AS TEXT)"
        )
        self._upsert_texts = self._upsert(self.texts, ("exhibition_id", "texts"), "exhibition_id")
        self._upsert_card = self._upsert(self.cards, ("item_id", "version", "card"), "item_id")
        self._upsert_heading = self._upsert(self.headings, ("item_id", "version", "card"), "item_id")

    def _upsert(self, table: str, columns: Sequence[str], key: str, keep: Sequence[str] = ()) -> str:
        values = ", ".join([self.param] * len(columns))
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key and c not in keep)
        return (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )

    # -- writing ---------------------------------------------------------------------------

    def write(self, execute: Execute, changes: RowChanges, fetch: Fetch | None = None) -> None:
        """Write what one save changes, with the cursor that inserts its events; ``fetch``
        reads in that transaction to check the exhibitions' texts are computed from the
        versions it holds (else :class:`StaleTexts`, and the caller rolls back)."""
        p = self.param
        for item in changes.items:
            execute(self._upsert_item, self._item_params(item))
        for card in changes.cards:
            execute(self._upsert_card, (card.item_id.hex, card.version, card.card))
        for heading in changes.headings:
            execute(self._upsert_heading, (heading.item_id.hex, heading.version, heading.card))
        for person in changes.contributors:
            execute(self._upsert_contributor, self._contributor_params(person))
        for contributor_id, count in changes.item_counts.items():
            execute(f"UPDATE {self.contributors} SET item_count = {p} WHERE contributor_id = {p}",
                    (count, contributor_id.hex))
        for exhibition in changes.exhibitions:
            execute(self._upsert_exhibition, self._exhibition_params(exhibition))
        for exhibition_id, item_ids in changes.contents.items():
            execute(f"DELETE FROM {self.works} WHERE exhibition_id = {p}", (exhibition_id.hex,))
            for position, item_id in enumerate(item_ids):
                execute(f"INSERT INTO {self.works} (exhibition_id, position, item_id) VALUES ({p}, {p}, {p})",
                        (exhibition_id.hex, position, item_id.hex))
        for exhibition_id, item_ids in changes.hung.items():
            for item_id in item_ids:
                execute(f"INSERT INTO {self.hung} (exhibition_id, item_id) VALUES ({p}, {p}) "
                        "ON CONFLICT (exhibition_id, item_id) DO NOTHING", (exhibition_id.hex, item_id.hex))
        for exhibition_id, texts in changes.exhibition_texts.items():
            basis = changes.texts_basis.get(exhibition_id)
            if texts is not None and basis and fetch and stale_basis(basis, self._versions(fetch, list(basis))):
                raise StaleTexts(exhibition_id)
            if texts is None:
                execute(f"DELETE FROM {self.texts} WHERE exhibition_id = {p}", (exhibition_id.hex,))
            else:
                execute(self._upsert_texts, (exhibition_id.hex, texts))
            execute(f"DELETE FROM {self.hung_cards} WHERE exhibition_id = {p}", (exhibition_id.hex,))
            for card in changes.exhibition_cards.get(exhibition_id, []) if texts is not None else []:
                execute(f"INSERT INTO {self.hung_cards} (exhibition_id, item_id, version, card) "
                        f"VALUES ({p}, {p}, {p}, {p})", (exhibition_id.hex, card.item_id.hex, card.version, card.card))

    def _versions(self, fetch: Fetch, ids: Sequence[UUID]) -> dict[UUID, int]:
        """The versions the read models hold of these items, contributors and exhibitions."""
        marks = ", ".join([self.param] * len(ids))
        hexes = [i.hex for i in ids]
        rows = fetch(
            f"SELECT item_id AS id, version FROM {self.items} WHERE item_id IN ({marks}) UNION ALL "
            f"SELECT contributor_id AS id, version FROM {self.contributors} WHERE contributor_id IN ({marks}) "
            f"UNION ALL SELECT exhibition_id AS id, version FROM {self.exhibitions} WHERE exhibition_id IN ({marks})",
            [*hexes, *hexes, *hexes],
        )
        return {UUID(r["id"]): r["version"] for r in rows}

    def rebuild(self, execute: Execute, fetch_max: Callable[[], int | None], changes: RowChanges,
                position: int | None) -> None:
        """Delete every row, check the log is still at ``position`` (else :class:`StaleRebuild`),
        write ``changes`` and mark the models built. The caller holds one transaction."""
        for table in (
            self.works, self.hung, self.texts, self.hung_cards, self.exhibitions, self.cards, self.headings, self.items,
            self.contributors, self.meta,
        ):
            execute(f"DELETE FROM {table}", ())
        if fetch_max() != position:
            raise StaleRebuild()
        self.write(execute, changes)
        self.mark_built(execute)
        if position is not None:
            self.advance(execute, position)

    def mark_built(self, execute: Execute) -> None:
        execute(self._upsert(self.meta, ("name", "value"), "name"), (BUILT, BUILT_VERSION))

    def advance(self, execute: Execute, position: int) -> None:
        """Record that the rows follow the log up to notification ``position``."""
        execute(self._advance, (POSITION, str(position)))

    @staticmethod
    def _item_params(row: ItemRow) -> tuple[Any, ...]:
        return (
            row.item_id.hex, row.kind, row.contributor_id.hex, row.recorded_at.isoformat(),
            row.updated_at.isoformat(), row.title, int(row.has_consent), ",".join(row.scopes),
            row.attribution, row.expires_on.isoformat() if row.expires_on else None, int(row.withdrawn),
            row.request, row.version,
        )

    @staticmethod
    def _contributor_params(row: ContributorRow) -> tuple[Any, ...]:
        return (row.contributor_id.hex, row.registered_at.isoformat(), row.names, int(row.erased),
                row.version, row.item_count)

    @staticmethod
    def _exhibition_params(row: ExhibitionRow) -> tuple[Any, ...]:
        return (
            row.exhibition_id.hex, row.slug, row.titles, int(row.published),
            row.opens_on.isoformat() if row.opens_on else None,
            row.closes_on.isoformat() if row.closes_on else None,
            row.created_at.isoformat(), row.updated_at.isoformat(), row.version, row.work_count,
        )

    # -- reading ---------------------------------------------------------------------------

    def built_query(self) -> tuple[str, tuple[Any, ...]]:
        return f"SELECT value FROM {self.meta} WHERE name = {self.param} AND value = {self.param}", (
            BUILT, BUILT_VERSION
        )

    def position_query(self) -> tuple[str, tuple[Any, ...]]:
        return f"SELECT value FROM {self.meta} WHERE name = {self.param}", (POSITION,)

    def items_query(self, where: ItemFilter, offset: int, limit: int, newest_first: bool,
                    by_update: bool) -> tuple[str, list[Any]]:
        clause, params = item_where(where, self.param, self.works, self.online_through)
        direction = "DESC" if newest_first else "ASC"
        p, seq = self.param, self.seq

        def order(by: str) -> str:
            return f"updated_at {direction}, {by} {direction}" if by_update else f"{by} {direction}"

        if where.hidden_on is None and not where.requests_only:
            return f"SELECT * FROM {self.items}{clause} ORDER BY {order(seq)} LIMIT {p} OFFSET {p}", [*params, limit, offset]
        # A selective filter with its own index: the page's ids come sorted from that index
        # alone (deep pages skip ids, not whole rows), then only the page's rows are read.
        ids = f"SELECT {seq} FROM {self.items}{clause} ORDER BY {order(self.sorted_seq)} LIMIT {p} OFFSET {p}"
        return f"SELECT * FROM {self.items} WHERE {seq} IN ({ids}) ORDER BY {order(seq)}", [*params, limit, offset]

    def walk_items_query(self, where: ItemFilter, offset: int, limit: int, newest_first: bool,
                         matching: int) -> tuple[str, list[Any]] | None:
        """The page of :meth:`items_query` (not by update) read by walking the first rows in
        order, at most ``matching // WALK_SHARE`` of them, where ``matching`` rows match in
        all; None where that walk cannot hold the page, or where the planner chooses by
        statistics (PostgreSQL). Walking costs about ``WALK_SHARE`` times as much a row as
        sorting the filter's index costs an entry, so when a page lies within that many rows
        its walk costs at most the sort, and often far less: the first page of 15,175 hidden
        items among 50,000 walks about 170 rows. Its answer is the page only if it has
        ``limit`` rows; a shorter one may have stopped early, and the caller sorts instead."""
        budget = matching // WALK_SHARE
        if self.sorted_seq == self.seq or (where.hidden_on is None and not where.requests_only) or offset + limit > budget:
            return None
        clause, params = item_where(where, self.param, self.works, self.online_through)
        p, seq, items = self.param, self.seq, self.items
        # The window is the rows within ``budget`` rowids of the first (or last): a prefix of the
        # order whatever the gaps, and never more than ``budget`` rows. It is read from the table
        # by rowid (NOT INDEXED: no filter's index), so the walk stops at the page's last row.
        # Not a subquery ordered by its rowid: a subquery has none (SQLite since 3.36 refuses it,
        # "no such column: rowid", unless built to allow it, and then it is NULL).
        if newest_first:
            window, direction = f"{seq} > (SELECT MAX({seq}) FROM {items}) - {p}", "DESC"
        else:
            window, direction = f"{seq} < (SELECT MIN({seq}) FROM {items}) + {p}", "ASC"
        kept = clause.removeprefix(" WHERE ")
        return (f"SELECT * FROM {items} NOT INDEXED WHERE {window} AND ({kept}) "
                f"ORDER BY {seq} {direction} LIMIT {p} OFFSET {p}", [budget, *params, limit, offset])

    def count_items_query(self, where: ItemFilter) -> tuple[str, list[Any]]:
        clause, params = item_where(where, self.param, self.works, self.online_through)
        return f"SELECT COUNT(*) AS n FROM {self.items}{clause}", params

    def by_ids_query(self, table: str, key: str, ids: Sequence[UUID]) -> tuple[str, list[Any]]:
        marks = ", ".join([self.param] * len(ids))
        return f"SELECT * FROM {table} WHERE {key} IN ({marks})", [i.hex for i in ids]

    def contributors_query(self, offset: int, limit: int) -> tuple[str, list[Any]]:
        return (f"SELECT * FROM {self.contributors} ORDER BY {self.seq} LIMIT {self.param} OFFSET {self.param}",
                [limit, offset])

    def count_contributors_query(self) -> tuple[str, list[Any]]:
        return f"SELECT COUNT(*) AS n FROM {self.contributors}", []

    def exhibitions_query(self) -> tuple[str, list[Any]]:
        return f"SELECT * FROM {self.exhibitions} ORDER BY {self.seq}", []

    def showing_query(self, item_id: UUID) -> tuple[str, list[Any]]:
        return (
            f"SELECT w.exhibition_id AS exhibition_id FROM {self.works} w JOIN {self.exhibitions} e "
            f"ON e.exhibition_id = w.exhibition_id WHERE w.item_id = {self.param} ORDER BY e.{self.seq}",
            [item_id.hex],
        )

    def contents_query(self, exhibition_id: UUID) -> tuple[str, list[Any]]:
        return (f"SELECT item_id FROM {self.works} WHERE exhibition_id = {self.param} ORDER BY position",
                [exhibition_id.hex])

    def published_query(self, exhibition_ids: Sequence[UUID] | None) -> tuple[str, list[Any]]:
        sql = (f"SELECT e.*, t.texts AS visitor_texts FROM {self.exhibitions} e LEFT JOIN {self.texts} t "
               "ON t.exhibition_id = e.exhibition_id WHERE e.published = 1")
        params: list[Any] = []
        if exhibition_ids is not None:
            sql += f" AND e.exhibition_id IN ({', '.join([self.param] * len(exhibition_ids))})"
            params = [i.hex for i in exhibition_ids]
        return sql + f" ORDER BY e.{self.seq}", params

    def published_by_slug_query(self, slug: str) -> tuple[str, list[Any]]:
        return (f"SELECT e.*, t.texts AS visitor_texts FROM {self.exhibitions} e LEFT JOIN {self.texts} t "
                f"ON t.exhibition_id = e.exhibition_id WHERE e.published = 1 AND e.slug = {self.param}", [slug])

    def shown_works_query(self, exhibition_ids: Sequence[UUID], day: date,
                          scopes: Sequence[Scope]) -> tuple[str, list[Any]]:
        clause, params = shown_clause(scopes, day, self.param)
        marks = ", ".join([self.param] * len(exhibition_ids))
        return (
            f"SELECT w.exhibition_id AS exhibition_id, w.item_id AS item_id FROM {self.works} w "
            f"JOIN {self.items} i ON i.item_id = w.item_id WHERE w.exhibition_id IN ({marks}) AND {clause} "
            "ORDER BY w.exhibition_id, w.position",
            [*(i.hex for i in exhibition_ids), *params],
        )

    def shown_cards_query(self, exhibition_id: UUID, day: date, scopes: Sequence[Scope]) -> tuple[str, list[Any]]:
        clause, params = shown_clause(scopes, day, self.param)
        return (
            f"SELECT {self._consent_columns}, c.version AS card_version, c.card AS card FROM {self.works} w "
            f"JOIN {self.items} i ON i.item_id = w.item_id LEFT JOIN {self.hung_cards} c "
            "ON c.exhibition_id = w.exhibition_id AND c.item_id = w.item_id "
            f"WHERE w.exhibition_id = {self.param} AND {clause} ORDER BY w.position",
            [exhibition_id.hex, *params],
        )

    def item_cards_query(self, item_ids: Sequence[UUID], *, headings: bool = False) -> tuple[str, list[Any]]:
        marks = ", ".join([self.param] * len(item_ids))
        return (
            f"SELECT i.*, c.version AS card_version, c.card AS card, {self._person_columns} FROM {self.items} i "
            f"LEFT JOIN {self.headings if headings else self.cards} c ON c.item_id = i.item_id "
            f"LEFT JOIN {self.contributors} p ON p.contributor_id = i.contributor_id WHERE i.item_id IN ({marks})",
            [i.hex for i in item_ids],
        )

    #: The contributor's columns beside an item's (``p``), prefixed: see :meth:`joined_rows`.
    _person_columns = (
        "p.contributor_id AS p_contributor_id, p.registered_at AS p_registered_at, p.names AS p_names, "
        "p.erased AS p_erased, p.version AS p_version, p.item_count AS p_item_count"
    )

    #: The item's columns a page of cards gates on (:class:`ConsentRow`), in its order.
    _consent_columns = ", ".join(f"i.{name}" for name in ConsentRow._fields)

    @staticmethod
    def shown_card(r: Any) -> tuple[ConsentRow, CardRow | None]:
        """An item's consent row with its card, from one row of :meth:`shown_cards_query`
        (None where the join found none)."""
        item_id = UUID(r["item_id"])
        row = ConsentRow(
            item_id=item_id, kind=r["kind"], contributor_id=UUID(r["contributor_id"]),
            recorded_at=as_datetime(r["recorded_at"]), has_consent=bool(r["has_consent"]),
            scopes=tuple(s for s in r["scopes"].split(",") if s), attribution=r["attribution"],
            expires_on=as_date(r["expires_on"]), withdrawn=bool(r["withdrawn"]), version=r["version"],
        )
        card = r["card"]
        return row, CardRow(item_id, r["card_version"], bytes(card)) if card is not None else None

    def card_joined(self, r: Any) -> tuple[ItemRow, CardRow | None]:
        """An item's row with its card, from one row of :meth:`item_cards_query` (None where
        the join found none)."""
        item = self.item_row(r)
        return item, CardRow(item.item_id, r["card_version"], bytes(r["card"])) if r["card"] is not None else None

    def joined_rows(self, r: Any) -> tuple[ItemRow, CardRow | None, ContributorRow | None]:
        """An item's row with its card and its contributor's row, from one row of
        :meth:`item_cards_query` (None where the join found none)."""
        item, found = self.card_joined(r)
        person = None
        if r["p_contributor_id"] is not None:
            person = ContributorRow(
                contributor_id=item.contributor_id, registered_at=as_datetime(r["p_registered_at"]),
                names=bytes(r["p_names"]), erased=bool(r["p_erased"]), version=r["p_version"],
                item_count=r["p_item_count"],
            )
        return item, found, person

    def hanging_query(self, item_ids: Sequence[UUID], contributor_ids: Sequence[UUID]) -> tuple[str, list[Any]]:
        # From every (exhibition, item) ever placed: a work taken down still shapes the texts.
        ors, params = [], []
        if item_ids:
            ors.append(f"w.item_id IN ({', '.join([self.param] * len(item_ids))})")
            params += [i.hex for i in item_ids]
        if contributor_ids:
            ors.append(f"w.item_id IN (SELECT item_id FROM {self.items} WHERE contributor_id IN "
                       f"({', '.join([self.param] * len(contributor_ids))}))")
            params += [c.hex for c in contributor_ids]
        return f"SELECT DISTINCT w.exhibition_id AS exhibition_id FROM {self.hung} w WHERE {' OR '.join(ors)}", params

    def ever_hung_query(self, exhibition_ids: Sequence[UUID]) -> tuple[str, list[Any]]:
        marks = ", ".join([self.param] * len(exhibition_ids))
        return (f"SELECT exhibition_id, item_id FROM {self.hung} WHERE exhibition_id IN ({marks})",
                [i.hex for i in exhibition_ids])

    def hung_items_query(self, exhibition_id: UUID) -> tuple[str, list[Any]]:
        return f"SELECT item_id FROM {self.hung} WHERE exhibition_id = {self.param}", [exhibition_id.hex]

    def contributors_of_query(self, item_ids: Sequence[UUID]) -> tuple[str, list[Any]]:
        marks = ", ".join([self.param] * len(item_ids))
        return (f"SELECT DISTINCT contributor_id FROM {self.items} WHERE item_id IN ({marks})",
                [i.hex for i in item_ids])

    def unerased_query(self, contributor_ids: Sequence[UUID]) -> tuple[str, list[Any]]:
        marks = ", ".join([self.param] * len(contributor_ids))
        return (f"SELECT contributor_id FROM {self.contributors} WHERE contributor_id IN ({marks}) AND erased = 0",
                [c.hex for c in contributor_ids])

    def published_showing_query(self, item_id: UUID, day: date, scopes: Sequence[Scope]) -> tuple[str, list[Any]]:
        # From the item's few places (an item hangs at most once in an exhibition), so an item
        # hung nowhere costs one index probe.
        clause, params = shown_clause(scopes, day, self.param)
        sql = (
            f"SELECT e.*, t.texts AS visitor_texts FROM {self.works} w JOIN {self.items} i ON i.item_id = w.item_id "
            f"JOIN {self.exhibitions} e ON e.exhibition_id = w.exhibition_id LEFT JOIN {self.texts} t "
            f"ON t.exhibition_id = e.exhibition_id WHERE w.item_id = {self.param} AND e.published = 1 AND {clause} "
            f"ORDER BY e.{self.seq}"
        )
        return sql, [item_id.hex, *params]

    def next_shown_query(self, exhibition_id: UUID, item_id: UUID, day: date,
                         scopes: Sequence[Scope]) -> tuple[str, list[Any]]:
        clause, params = shown_clause(scopes, day, self.param)
        p = self.param
        sql = (
            f"SELECT w.item_id AS item_id FROM {self.works} w JOIN {self.items} i ON i.item_id = w.item_id "
            f"WHERE w.exhibition_id = {p} AND w.position > (SELECT MIN(position) FROM {self.works} "
            f"WHERE exhibition_id = {p} AND item_id = {p}) AND {clause} ORDER BY w.position LIMIT 1"
        )
        return sql, [exhibition_id.hex, exhibition_id.hex, item_id.hex, *params]

    @staticmethod
    def item_row(r: Any) -> ItemRow:
        return ItemRow(
            item_id=UUID(r["item_id"]), kind=r["kind"], contributor_id=UUID(r["contributor_id"]),
            recorded_at=as_datetime(r["recorded_at"]), updated_at=as_datetime(r["updated_at"]),
            title=bytes(r["title"]), has_consent=bool(r["has_consent"]),
            scopes=tuple(s for s in r["scopes"].split(",") if s), attribution=r["attribution"],
            expires_on=as_date(r["expires_on"]), withdrawn=bool(r["withdrawn"]), request=r["request"],
            version=r["version"],
        )

    @staticmethod
    def contributor_row(r: Any) -> ContributorRow:
        return ContributorRow(
            contributor_id=UUID(r["contributor_id"]), registered_at=as_datetime(r["registered_at"]),
            names=bytes(r["names"]), erased=bool(r["erased"]), version=r["version"], item_count=r["item_count"],
        )

    @staticmethod
    def exhibition_row(r: Any) -> ExhibitionRow:
        return ExhibitionRow(
            exhibition_id=UUID(r["exhibition_id"]), slug=r["slug"], titles=r["titles"],
            published=bool(r["published"]), opens_on=as_date(r["opens_on"]), closes_on=as_date(r["closes_on"]),
            created_at=as_datetime(r["created_at"]), updated_at=as_datetime(r["updated_at"]),
            version=r["version"], work_count=r["work_count"],
        )


class SQLReadModels:
    """The query port over :class:`ReadModelSQL`, given how a backend runs a read query.

    Mixed into the SQLite and PostgreSQL recorders, which provide ``read_model_sql`` and
    ``_read(sql, params) -> rows``.
    """

    read_model_sql: ReadModelSQL

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        raise NotImplementedError

    def read_models_built(self) -> bool:
        return bool(self._read(*self.read_model_sql.built_query()))

    def read_models_position(self) -> int | None:
        rows = self._read(*self.read_model_sql.position_query())
        return int(rows[0]["value"]) if rows else None

    def item_rows(self, where: ItemFilter, *, offset: int, limit: int, newest_first: bool = False,
                  by_update: bool = False, matching: int | None = None) -> list[ItemRow]:
        walk = None
        if matching is not None and not by_update:
            walk = self.read_model_sql.walk_items_query(where, offset, limit, newest_first, matching)
        if walk is not None:
            rows = self._read(*walk)
            if len(rows) == limit:
                return [self.read_model_sql.item_row(r) for r in rows]
        sql, params = self.read_model_sql.items_query(where, offset, limit, newest_first, by_update)
        return [self.read_model_sql.item_row(r) for r in self._read(sql, params)]

    def count_items(self, where: ItemFilter) -> int:
        return int(self._read(*self.read_model_sql.count_items_query(where))[0]["n"])

    def item_rows_by_id(self, item_ids: Sequence[UUID]) -> list[ItemRow]:
        if not item_ids:
            return []
        sql, params = self.read_model_sql.by_ids_query(self.read_model_sql.items, "item_id", item_ids)
        return [self.read_model_sql.item_row(r) for r in self._read(sql, params)]

    def shown_cards(self, exhibition_id: UUID, on: date, scopes: Sequence[Scope]) -> list[tuple[ConsentRow, CardRow | None]]:
        rows = self._read(*self.read_model_sql.shown_cards_query(exhibition_id, on, scopes))
        return [self.read_model_sql.shown_card(r) for r in rows]

    def item_card_rows(
        self, item_ids: Sequence[UUID], *, headings: bool = False
    ) -> list[tuple[ItemRow, CardRow | None, ContributorRow | None]]:
        if not item_ids:
            return []
        query = self.read_model_sql.item_cards_query(item_ids, headings=headings)
        return [self.read_model_sql.joined_rows(r) for r in self._read(*query)]

    def contributor_rows(self, *, offset: int, limit: int) -> list[ContributorRow]:
        sql, params = self.read_model_sql.contributors_query(offset, limit)
        return [self.read_model_sql.contributor_row(r) for r in self._read(sql, params)]

    def count_contributors(self) -> int:
        return int(self._read(*self.read_model_sql.count_contributors_query())[0]["n"])

    def exhibition_rows(self) -> list[ExhibitionRow]:
        return [self.read_model_sql.exhibition_row(r) for r in self._read(*self.read_model_sql.exhibitions_query())]

    def exhibitions_showing(self, item_id: UUID) -> list[UUID]:
        return [UUID(r["exhibition_id"]) for r in self._read(*self.read_model_sql.showing_query(item_id))]

    def exhibition_contents(self, exhibition_id: UUID) -> list[UUID]:
        return [UUID(r["item_id"]) for r in self._read(*self.read_model_sql.contents_query(exhibition_id))]

    def published_rows(self, exhibition_ids: Sequence[UUID] | None = None) -> list[tuple[ExhibitionRow, str | None]]:
        if exhibition_ids is not None and not exhibition_ids:
            return []
        rows = self._read(*self.read_model_sql.published_query(exhibition_ids))
        return [(self.read_model_sql.exhibition_row(r), r["visitor_texts"]) for r in rows]

    def published_by_slug(self, slug: str) -> list[tuple[ExhibitionRow, str | None]]:
        rows = self._read(*self.read_model_sql.published_by_slug_query(slug))
        return [(self.read_model_sql.exhibition_row(r), r["visitor_texts"]) for r in rows]

    def shown_works(self, exhibition_ids: Sequence[UUID], on: date, scopes: Sequence[Scope]) -> dict[UUID, list[UUID]]:
        shown: dict[UUID, list[UUID]] = {exhibition_id: [] for exhibition_id in exhibition_ids}
        if exhibition_ids:
            for r in self._read(*self.read_model_sql.shown_works_query(exhibition_ids, on, scopes)):
                shown[UUID(r["exhibition_id"])].append(UUID(r["item_id"]))
        return shown

    def exhibitions_hanging(self, item_ids: Sequence[UUID], contributor_ids: Sequence[UUID]) -> list[UUID]:
        if not item_ids and not contributor_ids:
            return []
        sql, params = self.read_model_sql.hanging_query(item_ids, contributor_ids)
        return [UUID(r["exhibition_id"]) for r in self._read(sql, params)]

    def works_ever_hung(self, exhibition_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        hung: dict[UUID, list[UUID]] = {exhibition_id: [] for exhibition_id in exhibition_ids}
        if exhibition_ids:
            for r in self._read(*self.read_model_sql.ever_hung_query(exhibition_ids)):
                hung[UUID(r["exhibition_id"])].append(UUID(r["item_id"]))
        return hung

    def works_ever_hung_but(self, exhibition_id: UUID, item_ids: Iterable[UUID]) -> list[UUID]:
        known = {i.hex for i in item_ids}  # compared as stored: no id of the many known is parsed
        rows = self._read(*self.read_model_sql.hung_items_query(exhibition_id))
        return [UUID(r["item_id"]) for r in rows if r["item_id"] not in known]

    def contributors_of(self, item_ids: Sequence[UUID]) -> list[UUID]:
        if not item_ids:
            return []
        return [UUID(r["contributor_id"]) for r in self._read(*self.read_model_sql.contributors_of_query(item_ids))]

    def unerased(self, contributor_ids: Sequence[UUID]) -> list[UUID]:
        if not contributor_ids:
            return []
        return [UUID(r["contributor_id"]) for r in self._read(*self.read_model_sql.unerased_query(contributor_ids))]

    def published_showing(
        self, item_id: UUID, on: date, scopes: Sequence[Scope]
    ) -> list[tuple[ExhibitionRow, str | None]]:
        rows = self._read(*self.read_model_sql.published_showing_query(item_id, on, scopes))
        return [(self.read_model_sql.exhibition_row(r), r["visitor_texts"]) for r in rows]

    def next_shown_work(self, exhibition_id: UUID, item_id: UUID, on: date, scopes: Sequence[Scope]) -> UUID | None:
        rows = self._read(*self.read_model_sql.next_shown_query(exhibition_id, item_id, on, scopes))
        return UUID(rows[0]["item_id"]) if rows else None
