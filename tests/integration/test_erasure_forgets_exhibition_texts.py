"""A name a curator wrote into an exhibition's own texts or a wall text is gone once its
contributor erases their details: from every database file (events, snapshots, key table, read
models), on every backend, and from what visitors read, also after the read models are rebuilt.

The contributor consented to be named, so while she did, the curators' texts named her freely.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from archive.read import public
from archive.services.application import ExhibitionArchive
from archive.gate.name_filter import OMITTED
from domain import clock
from domain.exhibitions import Exhibition
from domain.indexes import Catalogue, SlugIndex
from tests.conftest import CURATOR, Storage, files_containing

GIVEN, FAMILY, PSEUDONYM = "Ysoldavirnetta", "Qorvathenko", "Vexmaraquill"
NAME = f"{GIVEN} {FAMILY}"
TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY_BEFORE = date(2026, 2, 28)


def _exhibition_naming_her(app: ExhibitionArchive) -> dict[str, UUID]:
    """A published exhibition whose texts name her in several versions, fields and languages,
    beside her own work and a bystander's (whose wall text names her too)."""
    her = app.contributors.register_contributor(name=NAME, pseudonym=PSEUDONYM, actor=CURATOR)
    other = app.contributors.register_contributor(name="Dana Open", actor=CURATOR)
    quilt = app.cataloguing.record_artwork(contributor_id=her, actor=CURATOR, title={"en": "Quilt"})
    lamp = app.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Lamp"})
    for work in (quilt, lamp):
        app.consent.record_consent(work, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution="named",
                           text_version="v1")
    show = app.curation.create_exhibition(
        slug="letters", actor=CURATOR, titles={"en": f"Letters from {GIVEN}", "ru": "Письма"},
        statement={"en": f"{PSEUDONYM} sewed these quilts."}, organiser={"en": "Open Studio"},
    )
    app.curation.revise_exhibition(show, actor=CURATOR, statement={"en": f"Sewn by {FAMILY} in 2024."},
                          venue={"en": f"{FAMILY} House"})
    app.curation.revise_exhibition(show, actor=CURATOR, city={"en": "Almaty"})
    app.curation.add_to_exhibition(show, quilt, actor=CURATOR, wall_text={"en": "A quilt."})
    app.curation.add_to_exhibition(show, lamp, actor=CURATOR, wall_text={"en": f"Lit for {NAME}."})
    app.curation.publish_exhibition(show, actor=CURATOR)
    return {"her": her, "other": other, "quilt": quilt, "lamp": lamp, "show": show}


def _needles() -> list[bytes]:
    return [form.encode() for word in (GIVEN, FAMILY, PSEUDONYM) for form in (word, word.lower())]


def _visitor_texts(app: ExhibitionArchive) -> str:
    [listed] = public.published_exhibitions(app, TODAY)
    page = public.published_exhibition(app, "letters", TODAY)
    texts = [t for view in (listed, page) for name in ("titles", "organiser", "venue", "city", "statement")
             for t in getattr(view, name).values()]
    texts += [t for work in page.works for t in work.wall_text.values()]
    return " ".join(texts)


def test_erasure_leaves_no_name_from_exhibition_texts_in_any_database_file(storage: Storage):
    app = storage.open()
    with clock.fixed_at(NOON):
        ids = _exhibition_naming_her(app)
        assert GIVEN in _visitor_texts(app), "she is named while she consents to it"
        app.self_service.withdraw_everything(ids["her"])
    app.close()

    files = storage.database_files()
    assert files
    assert [(needle, files_containing(files, needle)) for needle in _needles() if files_containing(files, needle)] \
        == []


def test_after_erasure_visitors_never_read_her_name_again_even_after_a_rebuild(storage: Storage):
    app = storage.open()
    try:
        with clock.fixed_at(datetime(2026, 2, 28, 12, tzinfo=UTC)):
            ids = _exhibition_naming_her(app)
        with clock.fixed_at(NOON):
            app.self_service.withdraw_everything(ids["her"])
            after = _visitor_texts(app)
            assert not [w for w in (GIVEN, FAMILY, PSEUDONYM) if w in after]
            assert f"Lit for {OMITTED}." in after, "the bystander's wall text keeps its other words"
            assert "Open Studio" in after and "Almaty" in after, "texts that never named her are kept"
            # Another event of the exhibition recomputes its stored visitor texts; so does a rebuild.
            app.curation.revise_exhibition(ids["show"], actor=CURATOR, organiser={"en": "Open Studio Almaty"})
            app.refresh_exhibition_texts(ids["show"])
            assert not [w for w in (GIVEN, FAMILY, PSEUDONYM) if w in _visitor_texts(app)]
            app.rebuild_read_models()
            assert not [w for w in (GIVEN, FAMILY, PSEUDONYM) if w in _visitor_texts(app)]
    finally:
        app.close()
    reopened = storage.open()
    try:
        with clock.fixed_at(NOON):
            assert not [w for w in (GIVEN, FAMILY, PSEUDONYM) if w in _visitor_texts(reopened)]
            # The exhibition's history shows who withheld which texts, never the texts.
            entries = reopened.history(ids["show"])
            assert not [e for e in entries for w in (GIVEN, FAMILY, PSEUDONYM) if w in str(e.summary)]
            assert "names withheld" in [e.what for e in entries]
            timeline = public.exhibition_timeline(reopened, "letters", TODAY)
            assert not [e for e in timeline.entries for t in e.titles.values() for w in (GIVEN, FAMILY) if w in t]
            # As it stood before the erasure: the versions that named her are withheld.
            past = public.published_exhibition_as_of(reopened, "letters", DAY_BEFORE, TODAY).then
            shown = " ".join(t for name in ("titles", "venue", "statement") for t in getattr(past, name).values())
            shown += " ".join(t for work in past.works for t in work.wall_text.values())
            assert not [w for w in (GIVEN, FAMILY, PSEUDONYM) if w in shown]
    finally:
        reopened.close()


class ProcessDied(Exception):
    pass


def test_an_erasure_interrupted_before_the_shred_forgets_the_texts_when_the_archive_is_next_opened(
    storage: Storage,
):
    dying = storage.open()
    with clock.fixed_at(NOON):
        ids = _exhibition_naming_her(dying)

        def killed(*subjects: object, **kwargs: object) -> None:
            raise ProcessDied()

        dying.keys.shred = killed  # type: ignore[method-assign]
        try:
            try:
                dying.self_service.withdraw_everything(ids["her"])
            except ProcessDied:
                pass
            else:
                raise AssertionError("the shred was reached")
        finally:
            del dying.keys.shred
    [withheld] = [e for e in dying.events.get(ids["show"]) if isinstance(e, Exhibition.NamesWithheld)]
    new_key = dying.get_exhibition(ids["show"]).texts_key
    assert len(withheld.shredded) == 2, "the first two versions named her (the third only set the city)"
    assert all(dying.keys.exists(key) for key in withheld.shredded), "saved, not yet shredded"
    dying.close()

    reopened = storage.open()  # a web worker, the follower, any command
    try:
        assert not [key for key in withheld.shredded if reopened.keys.exists(key)]
        assert new_key is not None and reopened.keys.exists(new_key), "the new version stays readable"
        assert reopened.get_exhibition(ids["show"]).field("venue") == {"en": f"{OMITTED} House"}
    finally:
        reopened.close()
    files = storage.database_files()
    assert [needle for needle in _needles() if files_containing(files, needle)] == []


def test_an_exhibition_from_before_texts_keys_stops_showing_the_name_but_its_log_keeps_it(storage: Storage):
    """What cannot be done: events written before texts keys hold the texts in clear, and the
    log is append-only. What is done: every view withholds those versions, and the current
    texts (and the read models) no longer hold the name. See docs/architecture.md."""
    app = storage.open()
    try:
        with clock.fixed_at(datetime(2026, 2, 28, 12, tzinfo=UTC)):
            ids = _exhibition_naming_her(app)
            # An exhibition as an older release wrote it: its texts in clear in its events.
            old = Exhibition.create(slug="old-letters", details={"titles": {"en": f"Old letters of {GIVEN}"}},
                                    actor=CURATOR)
            old.add_work(app.get_item(ids["lamp"]), {"en": "A lamp."}, CURATOR)
            old.publish(CURATOR)
            index = SlugIndex.create(slug="old-letters", exhibition_id=old.id, actor=CURATOR)
            catalogue = app.repository.get(Catalogue.ID)
            catalogue.list_exhibition(old.id, CURATOR)
            app.save(old, index, catalogue)
        with clock.fixed_at(NOON):
            app.self_service.withdraw_everything(ids["her"])
            shown = public.published_exhibition(app, "old-letters", TODAY)
            assert shown.titles == {"en": f"Old letters of {OMITTED}"}
            past = public.published_exhibition_as_of(app, "old-letters", DAY_BEFORE, TODAY).then
            assert past is not None and GIVEN not in " ".join(past.titles.values())
            assert not [e for e in app.history(old.id) if GIVEN in str(e.summary)]
    finally:
        app.close()
    files = storage.database_files()
    assert files_containing(files, GIVEN.encode()), "the old event still holds it: documented, not hidden"
