"""The consent overview counts the items visitors cannot see online from an index of the day
each item stops being visible: exact on the day, in the archive's zone, on every backend."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import psycopg
import pytest

from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.read.models import ItemFilter
from domain import clock
from domain.consent import ConsentStatus
from web.bootstrap import EVENTS_FILE
from tests.conftest import CURATOR, Storage

ONLINE = ["exhibit", "publish_online"]
INDEX = "read_items_online_through"
#: 23:30 on 1 March in Almaty, then 00:30 on 2 March there (still 1 March in UTC).
BEFORE_MIDNIGHT = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 3, 1, 19, 30, tzinfo=UTC)


@pytest.fixture
def almaty(storage: Storage) -> Storage:
    """The backend under test, with Almaty's calendar days."""
    return replace(storage, settings=replace(storage.settings, timezone="Asia/Almaty"))


def _items(app: ExhibitionArchive) -> dict[str, object]:
    """One item in each consent state; ``last_day``'s consent runs out after 1 March."""
    person = app.contributors.register_contributor(name="Counted Person", actor=CURATOR)
    ids = {}
    for name in ("last_day", "open_ended", "exhibit_only", "unrecorded", "withdrawn"):
        ids[name] = app.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": name})
    app.consent.record_consent(ids["last_day"], actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1",
                       expires_on=date(2026, 3, 1))
    app.consent.record_consent(ids["open_ended"], actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    app.consent.record_consent(ids["exhibit_only"], actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
    app.consent.record_consent(ids["withdrawn"], actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    app.consent.withdraw(ids["withdrawn"], actor=CURATOR)
    return ids


def _hidden(app: ExhibitionArchive, **more: object) -> tuple[int, list[object]]:
    page = app.listings.item_summaries(ItemFilter(hidden_on=app.today(), **more))  # type: ignore[arg-type]
    return page.total, [summary.id for summary in page.rows]


def test_the_hidden_count_turns_at_midnight_in_the_archives_zone(almaty: Storage):
    with clock.fixed_at(BEFORE_MIDNIGHT):
        app = almaty.open()
    try:
        with clock.fixed_at(BEFORE_MIDNIGHT):
            ids = _items(app)
            assert app.today() == date(2026, 3, 1)
            assert _hidden(app) == (3, [ids["exhibit_only"], ids["unrecorded"], ids["withdrawn"]])
            assert _hidden(app, status=ConsentStatus.EXPIRED, on=app.today()) == (0, [])
        with clock.fixed_at(AFTER_MIDNIGHT):
            assert app.today() == date(2026, 3, 2)
            assert _hidden(app) == (4, [ids["last_day"], ids["exhibit_only"], ids["unrecorded"], ids["withdrawn"]])
            assert _hidden(app, status=ConsentStatus.EXPIRED, on=app.today()) == (1, [ids["last_day"]])
            assert _hidden(app, status=ConsentStatus.WITHDRAWN, on=app.today()) == (1, [ids["withdrawn"]])
            assert _hidden(app, kind="testimony") == (0, [])
            for summary in app.listings.item_summaries().rows:
                hidden = summary.id in _hidden(app)[1]
                assert hidden == (app.get_item(summary.id).status(app.today()) is not ConsentStatus.GIVEN
                                  or summary.id == ids["exhibit_only"])
    finally:
        app.close()


def _drop_index(storage: Storage) -> None:
    """Drop the index, as in a store written by a release from before it."""
    if storage.server is None:
        with sqlite3.connect(storage.settings.data_dir / EVENTS_FILE) as db:
            db.execute(f"DROP INDEX {INDEX}")
        return
    with psycopg.connect(storage.settings.postgres.url) as db:
        db.execute(f"DROP INDEX {INDEX}")


def _has_index(storage: Storage) -> bool:
    if storage.server is None:
        with sqlite3.connect(storage.settings.data_dir / EVENTS_FILE) as db:
            return bool(db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (INDEX,)).fetchall())
    with psycopg.connect(storage.settings.postgres.url) as db:
        return bool(db.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (INDEX,)).fetchall())


def test_a_store_from_before_the_index_gets_it_on_open(storage: Storage):
    with clock.fixed_at(AFTER_MIDNIGHT):
        app = storage.open()
        try:
            _items(app)
            counted = _hidden(app)
        finally:
            app.close()
        _drop_index(storage)
        reopened = storage.open()
        try:
            assert _has_index(storage)
            assert _hidden(reopened) == counted and counted[0] == 3
        finally:
            reopened.close()


def test_the_consent_overview_reads_its_counts_and_requests_from_indexes(tmp_path):
    """Counting and paging hidden items, and listing the few pending requests, never walk every
    item row: the matching ids come from an index alone (then only the page's rows are read)."""
    storage = Storage("sqlite", Settings(data_dir=tmp_path / "var"))
    app = storage.open()
    try:
        with clock.fixed_at(AFTER_MIDNIGHT):
            _items(app)
        sql = app.read_models.read_model_sql  # type: ignore[attr-defined]
        day = app.today()
        hidden = "COVERING INDEX read_items_online_through"
        queries = [
            (sql.count_items_query(ItemFilter(hidden_on=day)), hidden),
            (sql.count_items_query(ItemFilter(hidden_on=day, kind="artwork", status=ConsentStatus.EXPIRED, on=day)), hidden),
            (sql.items_query(ItemFilter(hidden_on=day), 10_000, 50, False, False), hidden),
            (sql.items_query(ItemFilter(hidden_on=day, status=ConsentStatus.EXPIRED, on=day), 0, 50, False, False), hidden),
            (sql.items_query(ItemFilter(requests_only=True), 0, 50, False, False), "INDEX read_items_with_request"),
        ]
        with sqlite3.connect(storage.settings.data_dir / EVENTS_FILE) as db:
            for (query, params), index in queries:
                plan = " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {query}", params))
                assert not re.search(r"SCAN read_items(?! USING)", plan) and index in plan, (query, plan)
    finally:
        app.close()


def _mixed_items(app: ExhibitionArchive) -> None:
    """24 items: shown ones, then a hidden run, with hidden ones scattered before it."""
    person = app.contributors.register_contributor(name="Paged Person", actor=CURATOR)
    for n in range(24):
        if n % 3:
            item = app.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": f"item {n}"})
        else:
            item = app.cataloguing.record_testimony(
                contributor_id=person, actor=CURATOR, title={"en": f"item {n}"}, text={"en": "Told."},
                language="en", content_note={"en": "A note."},
            )
        if n < 16 and n % 5:
            app.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")


def test_each_page_of_hidden_items_is_the_same_however_the_store_finds_it(storage: Storage):
    """``matching`` only lets the store walk rows in order instead of sorting an index: right,
    stale or wildly wrong, it never changes a page, in either order, on any page size."""
    with clock.fixed_at(AFTER_MIDNIGHT):
        app = storage.open()
        try:
            _mixed_items(app)
            store, day = app.read_models, app.today()
            for where in (ItemFilter(hidden_on=day), ItemFilter(hidden_on=day, kind="artwork")):
                total = store.count_items(where)
                assert total >= 6
                for newest_first in (False, True):
                    for limit in (1, 2, 3, 5):
                        for offset in range(total + 2):
                            exact = store.item_rows(where, offset=offset, limit=limit, newest_first=newest_first)
                            for matching in (1, total, 4 * total, 40 * total):
                                assert store.item_rows(
                                    where, offset=offset, limit=limit, newest_first=newest_first, matching=matching
                                ) == exact, (where, newest_first, limit, offset, matching)
        finally:
            app.close()


def test_the_first_page_of_many_hidden_items_walks_a_few_rows_instead_of_sorting(tmp_path, monkeypatch):
    """When hidden items are common, their first page lies within the first rows in order: the
    store reads those, not the whole index (sorted) nor every row. Where they are rare it sorts."""
    storage = Storage("sqlite", Settings(data_dir=tmp_path / "var"))
    with clock.fixed_at(AFTER_MIDNIGHT):
        app = storage.open()
        try:
            _mixed_items(app)
            store, day = app.read_models, app.today()
            read = store._read
            queries: list[str] = []
            monkeypatch.setattr(store, "_read", lambda sql, params: queries.append(sql) or read(sql, params))
            page = app.listings.item_summaries(ItemFilter(hidden_on=day), size=1)  # 12 of 24 hidden
            assert [summary.title["en"] for summary in page.rows] == ["item 0"]
            walked = [sql for sql in queries if "FROM read_items NOT INDEXED" in sql]
            assert walked and not [sql for sql in queries if "+rowid" in sql], queries
            queries.clear()
            assert [summary.title["en"] for summary in app.listings.item_summaries(
                ItemFilter(hidden_on=day), page=3, size=1).rows] == ["item 10"]
            assert [sql for sql in queries if "+rowid" in sql], "a deep page is sorted from the index"
            queries.clear()  # past the 3 rows it may walk (12 // 4), page 4 is not even tried
            assert [summary.title["en"] for summary in app.listings.item_summaries(
                ItemFilter(hidden_on=day), page=4, size=1).rows] == ["item 15"]
            assert not [sql for sql in queries if "NOT INDEXED" in sql], queries
        finally:
            app.close()


def test_the_walk_reads_item_rows_by_their_own_rowid_and_stops_at_the_page(tmp_path):
    """The walk reads read_items itself in rowid order, never a subquery's "rowid": a subquery
    has none (stock SQLite since 3.36 refuses the query, "no such column: rowid", and builds
    allowing it give NULL, so nothing orders the page). Nor does it sort what it walked: it
    stops at the page's last row."""
    storage = Storage("sqlite", Settings(data_dir=tmp_path / "var"))
    app = storage.open()
    try:
        with clock.fixed_at(AFTER_MIDNIGHT):
            _items(app)
            day = app.today()
        sql = app.read_models.read_model_sql  # type: ignore[attr-defined]
        person = app.contributors.register_contributor(name="Filtered Person", actor=CURATOR)
        wheres = (
            ItemFilter(hidden_on=day), ItemFilter(hidden_on=day, kind="artwork", status=ConsentStatus.EXPIRED, on=day),
            ItemFilter(hidden_on=day, contributor_id=person, live_only=True), ItemFilter(requests_only=True),
            ItemFilter(hidden_on=day, unless_in=uuid4()),
        )
        with sqlite3.connect(storage.settings.data_dir / EVENTS_FILE) as db:
            for where in wheres:
                for newest_first in (False, True):
                    walk = sql.walk_items_query(where, 0, 5, newest_first, 1000)
                    assert walk is not None
                    query, params = walk
                    plan = " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {query}", params))
                    assert "SEARCH read_items USING INTEGER PRIMARY KEY" in plan, (query, plan)
                    assert not re.search("CO-ROUTINE|SUBQUERY-|TEMP B-TREE", plan, re.IGNORECASE), (query, plan)
    finally:
        app.close()


def test_a_listing_by_update_is_never_walked_in_recording_order(storage: Storage):
    """Items listed by when they last changed are in another order than the one a walk keeps:
    the hint is ignored there."""
    moments = [datetime(2026, 3, 1, 19, 30 + n, tzinfo=UTC) for n in range(8)]
    with clock.fixed_at(moments[0]):
        app = storage.open()
    try:
        with clock.fixed_at(moments[0]):
            person = app.contributors.register_contributor(name="Changed Person", actor=CURATOR)
            ids = [app.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": f"item {n}"})
                   for n in range(6)]
        for moment, item in zip(moments[1:], reversed(ids)):
            with clock.fixed_at(moment):
                app.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="named", text_version="v1")
        with clock.fixed_at(moments[-1]):
            store, where = app.read_models, ItemFilter(hidden_on=app.today())
            total = store.count_items(where)
            assert total == 6
            for newest_first in (False, True):
                exact = store.item_rows(where, offset=0, limit=3, newest_first=newest_first, by_update=True)
                assert [row.item_id for row in exact] == (ids[:3] if newest_first else ids[::-1][:3])
                assert store.item_rows(
                    where, offset=0, limit=3, newest_first=newest_first, by_update=True, matching=40 * total
                ) == exact
    finally:
        app.close()
