"""Attacks on the exhibition page's stored cards (``read_exhibition_cards``): after each change,
the page read through the read models shows exactly what the aggregates would
(``visible_exhibition(..., cards=True)`` over every work the exhibition ever hung), on every
backend, and never a name or a span that is to be withheld."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from archive.read import public
from archive.services.application import ExhibitionArchive
from archive.errors import ConcurrentChange, NotFound
from archive.gate.visibility import VisibleExhibition, visible_exhibition
from domain import clock
from domain.contributors import Contributor
from domain.errors import ItemWithdrawn
from media_store import PillowImagePipeline, make_sample_photo
from tests.conftest import CURATOR, INSTANTS, Storage
from tests.fakes import InMemoryMediaStore, in_memory_archive
from tests.integration.test_item_cards import NAME, OTHER, PSEUDONYM, SPAN, TODAY, _show
from tests.integration.test_read_models import storage_postgres, storage_sqlite  # noqa: F401 - fixtures

ALMATY = "Asia/Almaty"
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _open(request: pytest.FixtureRequest, zone: str = "UTC") -> ExhibitionArchive:
    if request.param == "memory":
        return in_memory_archive(media=InMemoryMediaStore(), images=PillowImagePipeline(), zone=ZoneInfo(zone))
    storage: Storage = request.getfixturevalue("storage_" + request.param)
    return open_with_zone(storage, zone)


def open_with_zone(storage: Storage, zone: str) -> ExhibitionArchive:
    storage.settings = dataclasses.replace(storage.settings, timezone=zone)
    return storage.open()


@pytest.fixture(params=BACKENDS)
def opened(request: pytest.FixtureRequest) -> Iterator[ExhibitionArchive]:
    """An archive on each backend, its clock at noon on :data:`TODAY`."""
    app = _open(request)
    with clock.fixed_at(NOON):
        yield app
    app.close()


@pytest.fixture(params=BACKENDS)
def in_almaty(request: pytest.FixtureRequest) -> Iterator[ExhibitionArchive]:
    """An archive on each backend whose days are Almaty's (UTC+5); the test sets the clock."""
    app = _open(request, ALMATY)
    yield app
    app.close()


def _aggregates(app: ExhibitionArchive, on: date = TODAY, slug: str = "letters") -> VisibleExhibition:
    exhibition = app.get_exhibition(app.exhibition_id_for_slug(slug))
    view = visible_exhibition(exhibition, public.Works(app).of(exhibition.works_ever_hung), on, cards=True)
    assert view is not None
    return view


def _assert_page_is_the_aggregates(app: ExhibitionArchive, on: date = TODAY, slug: str = "letters") -> VisibleExhibition:
    """The stored page (when the read models give one) and the page a visitor gets both equal
    the aggregates' projection."""
    expected = _aggregates(app, on, slug)
    stored = public.stored_exhibition(app, app.exhibition_id_for_slug(slug), on)
    assert stored is None or stored == expected
    assert public.published_exhibition(app, slug, on, cards=True) == expected
    return expected


def _assert_stored(app: ExhibitionArchive, on: date = TODAY, slug: str = "letters") -> None:
    """The read models give the page themselves (the check above is not vacuous)."""
    assert public.stored_exhibition(app, app.exhibition_id_for_slug(slug), on) is not None


# -- texts that change after the card was written ------------------------------------------------


def test_a_span_redacted_after_the_card_was_written_leaves_every_card(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.cataloguing.redact_span(ids["named"], "Named", actor=CURATOR)
    opened.cataloguing.redact_span(ids["art"], "felt", actor=CURATOR)

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert "Named" not in repr(page) and "felt" not in repr(page)


def test_a_span_redacted_in_a_wall_text_word_is_as_the_aggregates_give_it(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.cataloguing.redact_span(ids["art"], "Made", actor=CURATOR)

    _assert_page_is_the_aggregates(opened)


def test_an_image_added_after_a_redaction_loses_the_span_and_her_name(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.item_images.upload_image(ids["art"], make_sample_photo(5, size=(200, 200)), actor=CURATOR,
                        alt_text={"en": f"{SPAN} and {NAME}"}, caption={"en": f"{NAME}'s {SPAN}"})

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert SPAN not in repr(page) and NAME not in repr(page)


def test_a_removed_image_leaves_the_card(opened: ExhibitionArchive):
    ids = _show(opened)
    item = opened.get_item(ids["art"])
    [image_id] = list(item.images)
    item.remove_image(image_id, CURATOR)
    opened.save_changes(item)

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert page.works[0].images == ()


# -- names ---------------------------------------------------------------------------------------


def test_her_old_name_stays_off_the_cards_after_she_changes_it(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Saule Bekova", pseudonym=PSEUDONYM)

    page = _assert_page_is_the_aggregates(opened)
    assert "Saule Bekova" not in repr(page)


def test_another_contributors_new_name_in_a_wall_text_is_withheld_as_the_aggregates_do(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.curation.revise_wall_text(ids["show"], ids["named"], actor=CURATOR, wall_text={"en": "Thanks to Dana Amirova"})
    opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Dana Amirova", pseudonym=PSEUDONYM)

    page = _assert_page_is_the_aggregates(opened)
    assert "Dana Amirova" not in repr(page)


def test_erasing_a_contributor_named_in_another_works_wall_text_takes_her_name_off(opened: ExhibitionArchive):
    """Her testimony credits her by name, so the wall text of Quenby's quilt names her until
    she erases herself; after that no card names her."""
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, attribution="named", contributor_asked=True)
    assert OTHER in repr(_assert_page_is_the_aggregates(opened))
    opened.self_service.withdraw_everything(ids["other"])

    page = _assert_page_is_the_aggregates(opened)
    assert OTHER not in repr(page)
    assert [w.id for w in page.works] == [ids["art"]]


def test_erasure_then_rebuild_gives_no_name_back(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, attribution="named", contributor_asked=True)
    opened.self_service.withdraw_everything(ids["other"])
    opened.rebuild_read_models()

    page = _assert_page_is_the_aggregates(opened)
    assert OTHER not in repr(page)


# -- keys shredded by another process (no event here) --------------------------------------------
# Our code shreds a key only after saving the events that call for it (withdrawal, erasure; a
# new subject's key only while no event of it is saved). A key gone with no event here is
# reached by a restore: events older than the key table (see the restore test below, the real
# state these stand for) or a key table older than the events. Shredding her key alone, her
# works' keys live, is stricter than either (both lose her works' keys with hers): kept, since
# the rule must hold there too.


def test_a_works_key_shredded_elsewhere_shows_what_the_aggregates_show(opened: ExhibitionArchive):
    """Its withdrawal finished in another process: the key is gone, no event here."""
    ids = _show(opened)
    opened.keys.shred(ids["art"])

    page = _assert_page_is_the_aggregates(opened)
    assert ids["art"] not in [w.id for w in page.works]
    assert NAME not in repr(page) and PSEUDONYM not in repr(page)
    opened.rebuild_read_models()
    _assert_page_is_the_aggregates(opened)


def test_a_registration_failing_after_its_save_keeps_her_key(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    """The one path of our own code that shredded a key with no event: a failure (a worker
    stopped by its timeout, say) after the save of a new subject, but before the block ends.
    The key stays: her names stay readable, so the gate can withhold them."""
    saving = opened._save

    def saved_then_stopped(*aggregates: object) -> None:
        saving(*aggregates)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(opened, "_save", saved_then_stopped)
    with pytest.raises(KeyboardInterrupt):
        opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    monkeypatch.undo()

    [person] = [c for c in opened.listings.all_contributor_summaries()]
    assert opened.keys.get(person.id) is not None
    assert opened.get_contributor(person.id).name == NAME and person.name == NAME


def test_her_key_shredded_elsewhere_keeps_her_name_off_the_stored_page(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.keys.shred(ids["person"])

    page = public.published_exhibition(opened, "letters", TODAY, cards=True)
    _assert_stored(opened)
    assert NAME not in repr(page) and page.works[0].credit is None


def test_her_key_shredded_elsewhere_the_aggregates_say_what_the_cards_say(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.keys.shred(ids["person"])

    _assert_page_is_the_aggregates(opened)


def test_her_key_shredded_elsewhere_after_her_work_was_taken_down_still_takes_her_names_off(
    opened: ExhibitionArchive,
):
    """Her work no longer hangs, so the page's cards do not name her as a contributor; the
    exhibition's other texts still lose her names, as the aggregates' projection does."""
    ids = _show(opened)
    opened.curation.remove_from_exhibition(ids["show"], ids["art"], actor=CURATOR)
    opened.keys.shred(ids["person"])

    expected = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert [w.id for w in expected.works] == [ids["words"], ids["named"]]
    assert NAME not in repr(expected) and PSEUDONYM not in repr(expected)


def test_her_keys_shredded_elsewhere_never_put_her_name_on_the_page(opened: ExhibitionArchive):
    ids = _show(opened)
    assert NAME not in repr(public.published_exhibition(opened, "letters", TODAY, cards=True))
    opened.keys.shred(ids["art"], ids["person"])

    page = public.published_exhibition(opened, "letters", TODAY, cards=True)
    assert NAME not in repr(page)


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _erased_then_restored(storage: Storage, app: ExhibitionArchive, person: UUID) -> ExhibitionArchive:
    """Her erasure saved, then the event store put back as it was before it (the key table
    stays current): the archive opened again on the restored events."""
    events = storage.settings.data_dir / "events.sqlite3"
    backup = events.with_name("backup.sqlite3")
    _copy_sqlite(events, backup)
    app.self_service.withdraw_everything(person)
    app.close()
    _copy_sqlite(backup, events)
    return storage.open()


def test_events_restored_from_before_her_erasure_never_put_her_name_on_the_page(storage_sqlite: Storage):  # noqa: F811
    """The state the probes above stand for, as our code reaches it: the event store (and the
    read models in it) restored from a backup taken before her erasure, the key table current
    (README: "a key table older than the events is not refused", nor newer). Her erasure's
    events, and its rewrite of the texts that named her, are gone; her keys are shredded."""
    app = storage_sqlite.open()
    with clock.fixed_at(NOON):
        ids = _show(app)
        app = _erased_then_restored(storage_sqlite, app, ids["person"])
        try:
            assert app.keys.get(ids["person"]) is None and not app.get_contributor(ids["person"]).is_erased
            page = _assert_page_is_the_aggregates(app)
            assert NAME not in repr(page) and PSEUDONYM not in repr(page)
            assert [w.id for w in page.works] == [ids["words"], ids["named"]]
            app.rebuild_read_models()
            _assert_stored(app)
            assert NAME not in repr(_assert_page_is_the_aggregates(app))
        finally:
            app.close()


def test_events_restored_from_before_her_erasure_never_put_her_name_in_a_listing(storage_sqlite: Storage):  # noqa: F811
    """The same restore, her pseudonym in the exhibition's statement (her credit allowed it
    before her erasure): the listings read stored visitor texts computed before the erasure,
    but the erasure shredded the texts key they were sealed under (texts are keyed per
    version), so they are computed again through the gate, which withholds them whole."""
    app = storage_sqlite.open()
    with clock.fixed_at(NOON):
        ids = _show(app)
        app.curation.revise_exhibition(ids["show"], actor=CURATOR, statement={"en": f"With a quilt by {PSEUDONYM}."})
        assert PSEUDONYM in repr(public.published_exhibitions(app, TODAY)), "shown while her credit allows it"
        app = _erased_then_restored(storage_sqlite, app, ids["person"])
        try:
            [(_, texts)] = app.read_models.published_rows()
            assert texts is not None and app.listings.open_visitor_texts(texts) is None, "its texts key went with her erasure"
            listed = public.published_exhibitions(app, TODAY)
            assert [e.slug for e in listed] == ["letters"]
            assert PSEUDONYM not in repr(listed) and NAME not in repr(listed)
            assert PSEUDONYM not in repr(public.exhibitions_showing(app, ids["named"], TODAY))
            assert PSEUDONYM not in repr(public.published_exhibition(app, "letters", TODAY, cards=True))
        finally:
            app.close()


# -- the archive's calendar day --------------------------------------------------------------------


def test_consent_running_out_at_midnight_in_almaty_takes_the_card_off(in_almaty: ExhibitionArchive):
    before, day = INSTANTS["23:30 in Almaty"]
    after, next_day = INSTANTS["00:30 in Almaty"]
    with clock.fixed_at(before):
        ids = _show(in_almaty)
        in_almaty.consent.update_consent(ids["words"], actor=CURATOR, expires_on=day)
        assert in_almaty.today() == day
        page = _assert_page_is_the_aggregates(in_almaty, day)
        assert ids["words"] in [w.id for w in page.works]
    with clock.fixed_at(after):
        assert in_almaty.today() == next_day
        page = _assert_page_is_the_aggregates(in_almaty, in_almaty.today())
        assert [w.id for w in page.works] == [ids["art"], ids["named"]]


def test_cards_written_after_midnight_in_almaty_hold_for_that_day(in_almaty: ExhibitionArchive):
    """Written at 00:30 in Almaty (still the day before in UTC), with a consent that ran out
    yesterday in Almaty: the card is off, whichever day the page is asked for."""
    before, day = INSTANTS["23:30 in Almaty"]
    after, next_day = INSTANTS["00:30 in Almaty"]
    with clock.fixed_at(before):
        ids = _show(in_almaty)
        in_almaty.consent.update_consent(ids["words"], actor=CURATOR, expires_on=day)
    with clock.fixed_at(after):
        in_almaty.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed"})  # rewrites the cards
        for on in (day, next_day):
            _assert_page_is_the_aggregates(in_almaty, on)


def test_a_wall_text_losing_a_name_when_consent_runs_out_is_current_the_next_day(opened: ExhibitionArchive):
    """Her testimony credits her by name until it runs out: the quilt's wall text names her
    today and withholds her name the next day, with no event."""
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, attribution="named", contributor_asked=True, expires_on=TODAY)
    _assert_page_is_the_aggregates(opened, TODAY)
    page = _assert_page_is_the_aggregates(opened, date(2026, 3, 2))
    assert ids["words"] not in [w.id for w in page.works]


def test_a_name_withheld_for_an_anonymous_work_stays_withheld_once_its_consent_runs_out(opened: ExhibitionArchive):
    """Her anonymous testimony runs out today: tomorrow it is off the page, and the quilt's wall
    text still withholds her name (a work no longer shown withholds names too)."""
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, expires_on=TODAY)

    for on in (TODAY, date(2026, 3, 2)):
        page = _assert_page_is_the_aggregates(opened, on)
        assert dict(page.works[0].wall_text) == {"en": "Made with […]"}


def test_cards_written_tomorrow_serve_a_page_asked_for_today_as_the_aggregates_do(opened: ExhibitionArchive):
    """A process whose day is still today reads cards another wrote tomorrow: they hold from
    the day they were computed for (``VALID_FROM``), so today's page comes from the aggregates,
    which still show the name a consent running out today allows."""
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, attribution="named", contributor_asked=True, expires_on=TODAY)
    with clock.fixed_at(datetime(2026, 3, 2, 12, tzinfo=timezone.utc)):
        opened.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed work"})  # rewrites the cards
        _assert_stored(opened, date(2026, 3, 2))
        assert public.stored_exhibition(opened, ids["show"], TODAY) is None
        for on in (TODAY, date(2026, 3, 2)):
            _assert_page_is_the_aggregates(opened, on)


# -- publishing ----------------------------------------------------------------------------------


def test_unpublishing_takes_the_page_down_and_republishing_shows_the_current_cards(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.curation.unpublish_exhibition(ids["show"], actor=CURATOR)
    assert public.stored_exhibition(opened, ids["show"], TODAY) is None
    with pytest.raises(NotFound):
        public.published_exhibition(opened, "letters", TODAY, cards=True)
    opened.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed work"})
    opened.curation.revise_wall_text(ids["show"], ids["art"], actor=CURATOR, wall_text={"en": f"With {NAME}"})
    opened.consent.withdraw(ids["words"], actor=CURATOR)
    opened.curation.publish_exhibition(ids["show"], actor=CURATOR)

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert NAME not in repr(page)
    assert ids["words"] not in [w.id for w in page.works]


def test_a_work_hung_in_two_exhibitions_has_each_ones_card(opened: ExhibitionArchive):
    ids = _show(opened)
    second = opened.curation.create_exhibition(slug="second", actor=CURATOR, titles={"en": "Second"})
    opened.curation.add_to_exhibition(second, ids["art"], actor=CURATOR, wall_text={"en": f"{NAME} and {OTHER}"})
    opened.curation.publish_exhibition(second, actor=CURATOR)
    opened.cataloguing.redact_span(ids["art"], "felt", actor=CURATOR)

    for slug in ("letters", "second"):
        page = _assert_page_is_the_aggregates(opened, slug=slug)
        _assert_stored(opened, slug=slug)
        assert NAME not in repr(page) and "felt" not in repr(page)
    opened.consent.withdraw(ids["art"], actor=CURATOR)
    for slug in ("letters", "second"):
        assert ids["art"] not in [w.id for w in _assert_page_is_the_aggregates(opened, slug=slug).works]


def test_a_curator_with_a_stale_tab_changes_nothing_on_the_page(opened: ExhibitionArchive):
    ids = _show(opened)
    seen = opened.get_exhibition(ids["show"]).version
    opened.curation.revise_wall_text(ids["show"], ids["art"], actor=CURATOR, wall_text={"en": "Fresh words"})
    before = _assert_page_is_the_aggregates(opened)

    with pytest.raises(ConcurrentChange):
        opened.curation.revise_wall_text(ids["show"], ids["art"], actor=CURATOR, wall_text={"en": f"Stale {NAME}"}, based_on=seen)

    assert _assert_page_is_the_aggregates(opened) == before


def test_reordered_and_rehung_works_are_shown_in_the_aggregates_order(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.curation.reorder_exhibition(ids["show"], [ids["named"], ids["art"], ids["words"]], actor=CURATOR)
    opened.curation.remove_from_exhibition(ids["show"], ids["art"], actor=CURATOR)
    opened.curation.add_to_exhibition(ids["show"], ids["art"], actor=CURATOR, wall_text={"en": f"Again, {NAME}"})

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert [w.id for w in page.works] == [ids["named"], ids["words"], ids["art"]]
    assert NAME not in repr(page)


def test_a_stale_tab_hanging_a_withdrawn_work_never_shows_it(opened: ExhibitionArchive):
    ids = _show(opened)
    lone = opened.cataloguing.record_artwork(contributor_id=ids["person"], actor=CURATOR, title={"en": "Late quilt"})
    opened.consent.record_consent(lone, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="pseudonym", text_version="v1")
    seen = opened.get_exhibition(ids["show"]).version
    opened.consent.withdraw(lone, actor=CURATOR)  # meanwhile, in her own tab
    with pytest.raises(ItemWithdrawn):  # the tab knew nothing of it
        opened.curation.add_to_exhibition(ids["show"], lone, actor=CURATOR, based_on=seen)

    page = _assert_page_is_the_aggregates(opened)
    assert lone not in [w.id for w in page.works]


# -- an attacker with a copy of the database files -----------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_database_files_hold_no_name_of_a_card_in_plain(request: pytest.FixtureRequest, backend: str):
    storage: Storage = request.getfixturevalue("storage_" + backend)
    app = storage.open()
    try:
        with clock.fixed_at(NOON):
            ids = _show(app)
            app.consent.update_consent(ids["words"], actor=CURATOR, attribution="named", contributor_asked=True)
            assert public.stored_exhibition(app, ids["show"], TODAY) is not None
    finally:
        app.close()
    for path in storage.database_files():
        data = path.read_bytes()
        for secret in (NAME, OTHER, PSEUDONYM, SPAN, "Made with", "Told to"):
            assert secret.encode() not in data, (path.name, secret)


# -- more processes and rebuilds -----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("change", ["withdrawn", "redacted", "renamed"])
def test_a_change_saved_by_another_process_is_on_this_ones_page(request: pytest.FixtureRequest, backend: str, change: str):
    storage: Storage = request.getfixturevalue("storage_" + backend)
    here, there = storage.open(), storage.open()
    try:
        with clock.fixed_at(NOON):
            ids = _show(here)
            _assert_stored(here)
            if change == "withdrawn":
                there.consent.withdraw(ids["art"], actor=CURATOR)
            elif change == "redacted":
                there.cataloguing.redact_span(ids["named"], "Named", actor=CURATOR)
            else:
                there.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Saule Bekova", pseudonym="Wren")
            page = _assert_page_is_the_aggregates(here)
            assert page == _assert_page_is_the_aggregates(there)
            assert "Saule Bekova" not in repr(page)
            if change == "redacted":
                assert "Named" not in repr(page)
            if change == "withdrawn":
                assert ids["art"] not in [w.id for w in page.works]
    finally:
        here.close()
        there.close()


@pytest.mark.parametrize("whose", ["person", "other"])
def test_read_models_rebuilt_after_a_key_was_shredded_name_no_one(opened: ExhibitionArchive, whose: str):
    """A rebuild computes the cards again from aggregates whose names may be noise: the cards
    it writes must not hold a name the cards before it withheld."""
    ids = _show(opened)
    named = {"person": NAME, "other": f"Made with {OTHER}"}[whose]
    opened.keys.shred(ids[whose])
    assert named not in repr(public.stored_exhibition(opened, ids["show"], TODAY))
    opened.rebuild_read_models()

    page = public.stored_exhibition(opened, ids["show"], TODAY)
    assert page is not None and named not in repr(page)


def test_her_former_name_stays_off_the_page_after_she_changes_it(opened: ExhibitionArchive):
    ids = _show(opened)
    assert NAME not in repr(public.published_exhibition(opened, "letters", TODAY, cards=True))
    opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Saule Bekova", pseudonym=PSEUDONYM)

    page = public.published_exhibition(opened, "letters", TODAY, cards=True)
    assert NAME not in repr(page)
    assert _assert_page_is_the_aggregates(opened) == page
    _assert_stored(opened)


def test_her_former_names_stay_withheld_after_a_rebuild_and_a_second_change(opened: ExhibitionArchive):
    """Every name she had counts, not only the last one: after two changes and a rebuild of
    the read models, neither former name is on the page."""
    ids = _show(opened)
    opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Saule Bekova", pseudonym=PSEUDONYM)
    opened.curation.revise_wall_text(ids["show"], ids["art"], actor=CURATOR, wall_text={"en": "Sewn with Saule Bekova"})
    opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Dana Amirova", pseudonym=PSEUDONYM)
    opened.rebuild_read_models()

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert NAME not in repr(page) and "Saule" not in repr(page) and "Bekova" not in repr(page)


def test_a_contributor_snapshotted_by_the_release_before_still_withholds_her_former_name(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """The release before kept no list of former profiles, so its snapshots hold none: a
    contributor restored from one recalls them from her events, and a rebuild of the read
    models withholds her former name."""
    with monkeypatch.context() as release_before:  # appliers that leave no list behind
        for event in (Contributor.Registered, Contributor.ProfileRevised):
            def forgetting(self, contributor, apply=event.apply):  # noqa: ANN001, ANN202
                apply(self, contributor)
                contributor.__dict__.pop("former_profiles", None)
            release_before.setattr(event, "apply", forgetting)
        ids = _show(opened)
        opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Saule Bekova", pseudonym=PSEUDONYM)
        opened.take_snapshot(ids["person"])
    opened.rebuild_read_models()

    assert opened.get_contributor(ids["person"]).former_names == (NAME,)
    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert NAME not in repr(page)


def test_a_pseudonym_she_replaced_is_withheld_and_a_first_name_she_kept_is_not(opened: ExhibitionArchive):
    """Credited by name, she changes her surname and her pseudonym: her work's wall text keeps
    the first name she still bears, and loses her former surname and her former pseudonym."""
    ids = _show(opened)
    opened.consent.update_consent(ids["art"], actor=CURATOR, attribution="named", contributor_asked=True)
    opened.curation.revise_wall_text(ids["show"], ids["art"], actor=CURATOR, wall_text={"en": f"{NAME}, called {PSEUDONYM}"})
    opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name="Quenby Bekova", pseudonym="Wren")

    page = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert dict(page.works[0].wall_text) == {"en": "Quenby […], called […]"}
    assert page.works[0].credit == "Quenby Bekova"


@pytest.mark.parametrize("change", ["narrowed", "withdrawn"])
def test_her_key_shredded_elsewhere_while_her_hidden_work_still_hangs_takes_her_names_off(
    opened: ExhibitionArchive, change: str
):
    """Her work still hangs but is not shown (taken out of the online scope, or withdrawn), so
    the page's cards do not name her as a contributor and it is not a taken-down work either;
    the exhibition's other texts still lose her names, as the aggregates' projection does."""
    ids = _show(opened)
    if change == "narrowed":
        opened.consent.update_consent(ids["art"], actor=CURATOR, scopes=["exhibit"])
    else:
        opened.consent.withdraw(ids["art"], actor=CURATOR)
    opened.keys.shred(ids["person"])

    expected = _assert_page_is_the_aggregates(opened)
    _assert_stored(opened)
    assert [w.id for w in expected.works] == [ids["words"], ids["named"]]
    assert NAME not in repr(expected) and PSEUDONYM not in repr(expected)
