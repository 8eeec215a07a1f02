"""Read models are kept in the events' own transaction, on every backend, and obey shredding."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timezone

import psycopg
import pytest

from archive.services.application import ExhibitionArchive
from archive.errors import ConcurrentChange
from archive.read.models import ItemFilter
from archive.read.models_sql import TABLES
from domain import clock
from domain.consent import ConsentStatus
from web.bootstrap import EVENTS_FILE
from tests.conftest import CURATOR, Storage, files_containing
from tests.fakes import in_memory_archive

TITLE = "Ultramarine-pangolin quilt"
NAME = "Quenby Zhakupova"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opened(request: pytest.FixtureRequest) -> Iterator[ExhibitionArchive]:
    """An archive on each backend: in memory (as the unit tests use), SQLite and PostgreSQL."""
    if request.param == "memory":
        app = in_memory_archive()
    else:
        storage: Storage = request.getfixturevalue("storage_" + request.param)
        app = storage.open()
    yield app
    app.close()


@pytest.fixture
def storage_sqlite(tmp_path) -> Storage:
    from archive.config import Settings

    return Storage("sqlite", Settings(data_dir=tmp_path / "var"))


@pytest.fixture
def storage_postgres(request: pytest.FixtureRequest, tmp_path) -> Storage:
    from uuid import uuid4

    from archive.config import Settings
    from archive.shredding.crypto import MasterKey

    server = request.getfixturevalue("postgres_server")
    dbname = server.create_database(f"archive_{uuid4().hex[:12]}")
    settings = Settings(data_dir=tmp_path / "var", database_url=server.dsn(dbname), master_key=MasterKey.generate().to_text())
    return Storage("postgres", settings, server, dbname)


def _world(app: ExhibitionArchive) -> dict[str, object]:
    """A small archive touching every kind of row; returns some of its ids."""
    person = app.contributors.register_contributor(name=NAME, pseudonym="Q.", actor=CURATOR)
    other = app.contributors.register_contributor(name="Other Person", actor=CURATOR)
    art = app.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": TITLE, "ru": "Одеяло"})
    told = app.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"ru": "Текст"}, language="ru",
                                content_note={"en": "Note"}, title={"en": "Told"})
    gone = app.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Soon gone"})
    app.consent.record_consent(art, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named",
                       text_version="v1", expires_on=date(2031, 1, 1))
    app.consent.record_consent(told, actor=CURATOR, scopes=["exhibit"], attribution="anonymous", text_version="v1")
    app.consent.record_consent(gone, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named", text_version="v1")
    show = app.curation.create_exhibition(slug="rows", actor=CURATOR, titles={"en": "Rows"})
    app.curation.add_to_exhibition(show, art, actor=CURATOR)
    app.curation.add_to_exhibition(show, gone, actor=CURATOR)
    app.curation.add_to_exhibition(show, told, actor=CURATOR, position=0)
    app.curation.publish_exhibition(show, actor=CURATOR)
    app.consent.withdraw(gone, actor=CURATOR)
    app.curation.remove_from_exhibition(show, gone, actor=CURATOR)
    return {"person": person, "other": other, "art": art, "told": told, "gone": gone, "show": show}


def _everything(app: ExhibitionArchive) -> dict[str, object]:
    """Every read-model row, opened, in its listing order."""
    items = app.listings.item_summaries(size=1000).rows
    return {
        "items": items,
        "contributors": app.listings.contributor_summaries(size=1000).rows,
        "exhibitions": app.listings.exhibition_summaries(),
        "contents": {e.id: app.read_models.exhibition_contents(e.id) for e in app.listings.exhibition_summaries()},
        "showing": {i.id: app.read_models.exhibitions_showing(i.id) for i in items},
    }


def test_rows_are_written_with_the_events_and_answer_the_listings(opened: ExhibitionArchive):
    ids = _world(opened)
    today = opened.today()
    items = {s.id: s for s in opened.listings.item_summaries().rows}
    assert list(items) == [ids["art"], ids["told"], ids["gone"]], "in the order they were recorded"
    art = items[ids["art"]]
    assert art.title == {"en": TITLE, "ru": "Одеяло"} and art.kind == "artwork" and art.contributor_id == ids["person"]
    assert art.status(today) is ConsentStatus.GIVEN and art.expires_on == date(2031, 1, 1)
    assert art.version == opened.get_item(ids["art"]).version
    assert items[ids["gone"]].is_withdrawn and items[ids["gone"]].title == {} and items[ids["gone"]].is_redacted
    [person, other] = opened.listings.contributor_summaries().rows
    assert (person.name, person.pseudonym, person.item_count, person.is_erased) == (NAME, "Q.", 2, False)
    assert other.item_count == 1
    [show] = opened.listings.exhibition_summaries()
    assert (show.slug, show.titles, show.is_published, show.work_count) == ("rows", {"en": "Rows"}, True, 2)
    assert opened.read_models.exhibition_contents(show.id) == [ids["told"], ids["art"]]
    assert opened.read_models.exhibitions_showing(ids["art"]) == [ids["show"]]
    assert opened.read_models.exhibitions_showing(ids["gone"]) == []
    hidden = opened.listings.item_summaries(ItemFilter(hidden_on=today)).rows
    assert [s.id for s in hidden] == [ids["told"], ids["gone"]], "not online, and withdrawn"
    mine = opened.listings.item_summaries(ItemFilter(contributor_id=ids["person"], kind="testimony")).rows
    assert [s.id for s in mine] == [ids["told"]]
    assert opened.item_ids() == [ids["art"], ids["told"], ids["gone"]]
    assert opened.contributor_ids() == [ids["person"], ids["other"]]


def test_an_event_that_fails_to_save_leaves_no_row(opened: ExhibitionArchive):
    person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    art = opened.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "First"})
    mine, theirs = opened.get_item(art), opened.get_item(art)
    mine.revise({"title": {"en": "Mine"}}, CURATOR)
    opened._save(mine)
    theirs.revise({"title": {"en": "Theirs"}}, CURATOR)
    with pytest.raises(ConcurrentChange):
        opened._save(theirs)
    [row] = opened.listings.item_summaries().rows
    assert row.title == {"en": "Mine"} and row.version == 2


def test_a_row_that_fails_to_write_leaves_no_event(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    before = opened.recorder.max_notification_id()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    store = opened.recorder
    if hasattr(store, "read_model_sql"):
        monkeypatch.setattr(store.read_model_sql, "write", broken)
    else:
        monkeypatch.setattr(store, "_stage", broken)
    with pytest.raises(Exception, match="the disk is full"):
        opened.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Never"})
    monkeypatch.undo()
    assert opened.recorder.max_notification_id() == before
    assert opened.listings.item_summaries().rows == []


def test_saving_a_new_item_or_person_asks_no_exhibition_whether_it_hangs_them(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """No exhibition can hang what the store does not hold yet, so a first save skips that
    query; a later save of the same item or person still asks."""
    asked: list[tuple[list[object], list[object]]] = []
    real = opened.read_models.exhibitions_hanging

    def spy(items, people):
        asked.append((list(items), list(people)))
        return real(items, people)

    monkeypatch.setattr(opened.recorder, "exhibitions_hanging", spy)
    person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    art = opened.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": TITLE})
    assert asked == []
    opened.cataloguing.revise_item(art, actor=CURATOR, title={"en": "Revised"})
    opened.contributors.revise_contributor(person, actor=CURATOR, name="Quenby Z.")
    assert asked == [([art], []), ([], [person])]


def test_a_rebuild_gives_the_same_rows_as_live_writes(opened: ExhibitionArchive):
    _world(opened)
    live = _everything(opened)
    opened.rebuild_read_models()
    assert _everything(opened) == live


def test_shredding_a_key_blanks_the_read_models_as_it_blanks_the_events(opened: ExhibitionArchive):
    person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    art = opened.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": TITLE})
    assert opened.listings.item_summaries().rows[0].title == {"en": TITLE}
    opened.consent.withdraw(art, actor=CURATOR)
    [row] = opened.listings.item_summaries().rows
    assert row.title == {} and row.is_redacted and row.is_withdrawn
    opened.self_service.withdraw_everything(person)
    [someone] = opened.listings.contributor_summaries().rows
    assert someone.name is None and someone.pseudonym is None and someone.is_erased


def _raw_rows(storage: Storage) -> list[bytes]:
    """Every read-model row, as the database holds it (bytes of every column)."""
    rows: list[bytes] = []
    if storage.server is None:
        with sqlite3.connect(storage.settings.data_dir / EVENTS_FILE) as db:
            for table in TABLES:
                rows += [repr(r).encode() + b"".join(c for c in r if isinstance(c, bytes)) for r in db.execute(f"SELECT * FROM {table}")]
        return rows
    with psycopg.connect(storage.settings.postgres.url) as db:
        for table in TABLES:
            rows += [repr(r).encode() + b"".join(bytes(c) for c in r if isinstance(c, (bytes, memoryview)))
                     for r in db.execute(f"SELECT * FROM {table}")]
    return rows


def test_personal_fields_are_sealed_in_the_tables_and_gone_after_shredding(storage: Storage):
    archive = storage.open()
    try:
        person = archive.contributors.register_contributor(name=NAME, actor=CURATOR)
        art = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": TITLE})
        raw = _raw_rows(storage)
        assert any(art.hex.encode() in row for row in raw), "the scan sees the item's row"
        assert not [row for row in raw if TITLE.encode() in row or NAME.encode() in row], "sealed at rest"
        assert archive.listings.item_summaries().rows[0].title == {"en": TITLE}
        archive.self_service.withdraw_everything(person)
        assert archive.listings.item_summaries().rows[0].title == {}
        assert archive.listings.contributor_summaries().rows[0].name is None
    finally:
        archive.close()
    for needle in (TITLE.encode(), NAME.encode()):
        assert files_containing(storage.database_files(), needle) == []


def test_an_archive_from_before_the_read_models_gets_them_on_first_open(storage: Storage):
    archive = storage.open()
    try:
        ids = _world(archive)
        live = _everything(archive)
    finally:
        archive.close()
    _forget_read_models(storage)
    reopened = storage.open()
    try:
        assert reopened.read_models.read_models_built()
        assert _everything(reopened) == live
        assert reopened.item_ids()[0] == ids["art"]
    finally:
        reopened.close()


def _forget_read_models(storage: Storage) -> None:
    """Empty the read-model tables, as in an archive written before they existed."""
    if storage.server is None:
        with sqlite3.connect(storage.settings.data_dir / EVENTS_FILE) as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")
        return
    with psycopg.connect(storage.settings.postgres.url) as db:
        for table in TABLES:
            db.execute(f"DELETE FROM {table}")


def test_a_new_archive_is_marked_built_without_a_rebuild(storage: Storage):
    archive = storage.open()
    try:
        assert archive.read_models.read_models_built()
        assert archive.ensure_read_models() is False
    finally:
        archive.close()


def test_consent_state_in_a_row_changes_in_the_same_step_as_the_event(opened: ExhibitionArchive):
    """No lag: the moment a narrowing is saved, every listing's consent state shows it."""
    with clock.fixed_at(datetime(2026, 3, 1, 12, tzinfo=timezone.utc)):
        person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
        art = opened.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": TITLE})
        opened.consent.record_consent(art, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named",
                              text_version="v1")
        assert opened.listings.item_summaries(ItemFilter(hidden_on=date(2026, 3, 1))).rows == []
        opened.consent.update_consent(art, actor=f"contributor:{person}", scopes=["exhibit"])
        [hidden] = opened.listings.item_summaries(ItemFilter(hidden_on=date(2026, 3, 1))).rows
        assert hidden.id == art and hidden.hidden_reason(date(2026, 3, 1)) == "not_online"
