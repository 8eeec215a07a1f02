"""Exhibition listings read the read models: each exhibition's visitor texts (its own texts
without the names its works withhold) change in the same step as the event that changes them,
on every backend; the rebuild gives the same texts; and a listing reads no work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timezone
from uuid import UUID

import pytest

from archive.read import public
from archive.services.application import ExhibitionArchive
from archive.gate.rules import Surface, may_show
from domain import clock
from domain.consent import Scope
from domain.contributors import Contributor
from domain.items import Item
from tests.conftest import CURATOR, Storage
from tests.fakes import in_memory_archive
from tests.integration.test_read_models import storage_postgres, storage_sqlite  # noqa: F401 - fixtures

NAME = "Quenby Zhakupova"
PSEUDONYM = "Quill"
NEW_NAME = "Rowena Satpayeva"
SPAN = "Zephyrine"
TODAY = date(2026, 3, 1)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opened(request: pytest.FixtureRequest) -> Iterator[ExhibitionArchive]:
    """An archive on each backend, its clock on :data:`TODAY`."""
    if request.param == "memory":
        app = in_memory_archive()
    else:
        storage: Storage = request.getfixturevalue("storage_" + request.param)
        app = storage.open()
    with clock.fixed_at(datetime(2026, 3, 1, 12, tzinfo=timezone.utc)):
        yield app
    app.close()


def _show(app: ExhibitionArchive, attribution: str = "named") -> dict[str, UUID]:
    """A published exhibition whose own texts name its one work's contributor."""
    person = app.contributors.register_contributor(name=NAME, pseudonym=PSEUDONYM, actor=CURATOR)
    art = app.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": f"Quilt by {SPAN}"})
    app.consent.record_consent(art, actor=CURATOR, scopes=["exhibit", "publish_online"], attribution=attribution,
                       text_version="v1")
    show = app.curation.create_exhibition(
        slug="letters", actor=CURATOR, titles={"en": f"Letters from {NAME}", "ru": f"Письма {NEW_NAME}"},
        statement={"en": f"{PSEUDONYM} sewed it with {SPAN}."},
    )
    app.curation.add_to_exhibition(show, art, actor=CURATOR)
    app.curation.publish_exhibition(show, actor=CURATOR)
    return {"person": person, "art": art, "show": show}


def _listed(app: ExhibitionArchive, art: UUID) -> list[str]:
    """Every text of the exhibition on every listing surface, joined per surface."""
    [listed] = public.published_exhibitions(app, TODAY)
    header = public.published_summary(app, "letters", TODAY)
    showing = public.exhibitions_showing(app, art, TODAY)
    surfaces = [listed, header, *showing]
    return [
        " ".join(text for name in ("titles", "statement") for text in getattr(view, name).values())
        for view in surfaces
    ]


CHANGES: dict[str, tuple[str, Callable[[ExhibitionArchive, dict[str, UUID]], None], tuple[str, ...]]] = {
    "narrowed attribution": (
        "named",
        lambda app, ids: app.consent.update_consent(ids["art"], actor=CURATOR, attribution="pseudonym"),
        (NAME,),
    ),
    "withdrawal": ("named", lambda app, ids: app.consent.withdraw(ids["art"], actor=CURATOR), (NAME, PSEUDONYM)),
    "redaction": ("named", lambda app, ids: app.cataloguing.redact_span(ids["art"], SPAN, actor=CURATOR), (SPAN,)),
    "contributor rename": (
        "pseudonym",
        lambda app, ids: app.contributors.revise_contributor(ids["person"], actor=CURATOR, name=NEW_NAME, pseudonym=PSEUDONYM),
        (NEW_NAME,),
    ),
    "erasure": ("named", lambda app, ids: app.self_service.withdraw_everything(ids["person"]), (NAME, PSEUDONYM)),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_a_work_changes_the_listing_texts_in_the_same_step(opened: ExhibitionArchive, change: str):
    attribution, act, removed = CHANGES[change]
    ids = _show(opened, attribution)
    before = _listed(opened, ids["art"])
    assert all(name in text for text in before for name in removed), "shown before the change"
    act(opened, ids)
    [listed] = public.published_exhibitions(opened, TODAY)
    texts = " ".join(t for name in ("titles", "statement") for t in getattr(listed, name).values())
    assert not [name for name in removed if name in texts]
    assert not [name for text in _listed(opened, ids["art"])[:2] for name in removed if name in text]
    if change != "erasure":  # the erased contributor's name cannot be read again: see docs/architecture.md
        opened.rebuild_read_models()
        assert public.published_exhibitions(opened, TODAY) == [listed], "the rebuild gives the same texts"


def test_a_listing_reads_no_work(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    ids = _show(opened)
    loaded: list[type] = []
    get = opened.repository.get

    def counting(aggregate_id: UUID, *args: object, **kwargs: object) -> object:
        aggregate = get(aggregate_id, *args, **kwargs)
        loaded.append(type(aggregate))
        return aggregate

    monkeypatch.setattr(opened.repository, "get", counting)
    [listed] = public.published_exhibitions(opened, TODAY)
    [showing] = public.exhibitions_showing(opened, ids["art"], TODAY)
    header = public.published_summary(opened, "letters", TODAY)
    assert header.work_ids == (ids["art"],)
    assert listed == showing == replace(header, work_ids=()), "the same texts, and no work"
    assert not [kind for kind in loaded if issubclass(kind, (Item, Contributor))]


def test_a_listing_reads_no_work_row_and_still_withholds_a_withdrawn_works_names(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """Home, /exhibitions and the API's list show exhibitions' own texts only, so their cost
    does not grow with the works hung in them (1,000 rows at 20 exhibitions of 50 works); the
    stored texts alone keep a withdrawn work's names out."""
    ids = _show(opened)
    opened.consent.withdraw(ids["art"], actor=CURATOR)
    asked: list[object] = []
    monkeypatch.setattr(opened.read_models, "shown_works", lambda *args: asked.append(args) or {})
    [listed] = public.published_exhibitions(opened, TODAY)
    assert asked == [], "no work row is read"
    texts = " ".join(t for name in ("titles", "statement") for t in getattr(listed, name).values())
    assert NAME not in texts and PSEUDONYM not in texts and NEW_NAME in texts
    assert listed.work_ids == ()


def _hang_in_states(
    opened: ExhibitionArchive, person: UUID, show: UUID, states: dict[str, tuple[list[str], date | None] | None]
) -> dict[str, UUID]:
    """One artwork per consent state (scopes and expiry, or None for no consent) hung in
    ``show`` in order, the one labelled "withdrawn" withdrawn; then ``show`` published."""
    made = {}
    for label, consent in states.items():
        art = opened.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": label})
        if consent is not None:
            opened.consent.record_consent(art, actor=CURATOR, scopes=consent[0], attribution="named", text_version="v1",
                                  expires_on=consent[1])
        opened.curation.add_to_exhibition(show, art, actor=CURATOR)
        made[label] = art
    opened.consent.withdraw(made["withdrawn"], actor=CURATOR)
    opened.curation.publish_exhibition(show, actor=CURATOR)
    return made


def test_the_listing_shows_what_the_gate_shows_for_every_consent_state(opened: ExhibitionArchive):
    """The SQL (or in-memory) selection of visible works agrees with ``gate.rules.may_show``."""
    person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    show = opened.curation.create_exhibition(slug="states", actor=CURATOR, titles={"en": "States"})
    states = {
        "no consent": None,
        "both scopes": (["exhibit", "publish_online"], None),
        "exhibit only": (["exhibit"], None),
        "online only": (["publish_online"], None),
        "expires today": (["exhibit", "publish_online"], TODAY),
        "expires tomorrow": (["exhibit", "publish_online"], date(2026, 3, 2)),
        "withdrawn": (["exhibit", "publish_online"], None),
    }
    made = _hang_in_states(opened, person, show, states)
    scopes = (Scope.PUBLISH_ONLINE, Scope.EXHIBIT)
    for day in (date(2026, 2, 28), TODAY, date(2026, 3, 2), date(2026, 3, 3)):
        gate = [i for i in made.values() if may_show(opened.get_item(i), Surface.ONLINE_EXHIBITION, day)]
        assert opened.read_models.shown_works([show], day, scopes)[show] == gate, day
        assert list(public.stored_summaries(opened, day)[0].work_ids) == gate, day
    assert [label for label, i in made.items() if i in public.stored_summaries(opened, date(2026, 3, 2))[0].work_ids] \
        == ["both scopes", "expires tomorrow"]


def test_shown_in_and_the_next_work_follow_the_gate_for_every_consent_state(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """An item page's "Shown in" and its "skip" link read one query each, no other work's row,
    and agree with ``gate.rules.may_show`` on every day: a work whose consent is missing,
    narrowed, expired (from the day after its end date) or withdrawn is neither "shown in" an
    exhibition nor the next work."""
    person = opened.contributors.register_contributor(name=NAME, actor=CURATOR)
    show = opened.curation.create_exhibition(slug="states", actor=CURATOR, titles={"en": "States"})
    consents = {
        "first": (["exhibit", "publish_online"], None),
        "no consent": None,
        "exhibit only": (["exhibit"], None),
        "online only": (["publish_online"], None),
        "expires today": (["exhibit", "publish_online"], TODAY),
        "withdrawn": (["exhibit", "publish_online"], None),
        "last": (["exhibit", "publish_online"], None),
    }
    made = _hang_in_states(opened, person, show, consents)
    monkeypatch.setattr(opened.read_models, "shown_works", None)  # no exhibition's whole list
    for day in (TODAY, date(2026, 3, 2)):
        gate = [i for i in made.values() if may_show(opened.get_item(i), Surface.ONLINE_EXHIBITION, day)]
        for label, art in made.items():
            showing = public.exhibitions_showing(opened, art, day)
            assert [e.slug for e in showing] == (["states"] if art in gate else []), (label, day)
            order = list(made.values())
            later = [i for i in gate if order.index(i) > order.index(art)]
            assert public.next_work(opened, show, art, day) == (later[0] if later else None), (label, day)
    assert [e.work_ids for e in public.exhibitions_showing(opened, made["first"], TODAY)] == [()]
    assert public.next_work(opened, show, made["first"], TODAY) == made["expires today"]
    assert public.next_work(opened, show, made["first"], date(2026, 3, 2)) == made["last"]
    assert public.exhibitions_showing(opened, made["expires today"], date(2026, 3, 2)) == []


def test_an_unpublished_exhibition_keeps_no_visitor_texts(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.curation.unpublish_exhibition(ids["show"], actor=CURATOR)
    assert opened.read_models.published_rows() == []
    assert public.exhibitions_showing(opened, ids["art"], TODAY) == []
    opened.curation.publish_exhibition(ids["show"], actor=CURATOR)
    [(row, texts)] = opened.read_models.published_rows()
    assert texts is not None and NAME not in texts, "the stored texts are sealed"
    assert NAME in opened.listings.open_visitor_texts(texts)["titles"]["en"]


def test_a_published_exhibition_is_found_by_its_slug_and_only_while_published(opened: ExhibitionArchive):
    ids = _show(opened)
    [(row, texts)] = opened.read_models.published_by_slug("letters")
    assert row.exhibition_id == ids["show"] and texts is not None
    assert opened.read_models.published_rows([ids["show"]]) == [(row, texts)]
    assert opened.read_models.published_by_slug("letter") == []
    assert opened.read_models.published_by_slug("LETTERS") == []
    opened.curation.unpublish_exhibition(ids["show"], actor=CURATOR)
    assert opened.read_models.published_by_slug("letters") == []


def test_texts_computed_from_a_work_replaced_meanwhile_are_computed_again(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """A save whose texts were computed from a version of a work that another save replaced
    before it committed (here: a narrowing) writes nothing as computed: the texts are computed
    again, so they never keep a name the work withholds now."""
    ids = _show(opened)
    stale = opened.get_item(ids["art"])
    opened.consent.update_consent(ids["art"], actor=CURATOR, attribution="anonymous")
    real = opened._get_or_none
    handed = []

    def first_stale(aggregate_id: UUID) -> object:
        if aggregate_id == ids["art"] and not handed:
            handed.append(aggregate_id)
            return stale
        return real(aggregate_id)

    monkeypatch.setattr(opened, "_get_or_none", first_stale)
    opened.curation.revise_exhibition(ids["show"], actor=CURATOR, statement={"en": f"{NAME} and {PSEUDONYM}, again."})
    assert handed, "the stale version was used once"
    [listed] = public.published_exhibitions(opened, TODAY)
    texts = " ".join(t for name in ("titles", "statement") for t in getattr(listed, name).values())
    assert NAME not in texts and PSEUDONYM not in texts and "again" in texts


def test_texts_are_computed_again_once_a_works_consent_has_run_out(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """Stored texts say the last day they stay exact (a work's consent expiring may withhold
    more from the day after): past it, the listing asks the gate again instead of the row."""
    ids = _show(opened)
    opened.consent.update_consent(ids["art"], actor=CURATOR, expires_on=date(2026, 3, 10))
    [(_, texts)] = opened.read_models.published_rows()
    assert texts is not None and '"valid_through": "2026-03-10"' in texts
    calls: list[date] = []
    real = public.exhibition_summary

    def gate(exhibition, works, on, names_from=None):  # type: ignore[no-untyped-def]
        calls.append(on)
        return real(exhibition, works, on, names_from)

    monkeypatch.setattr(public, "exhibition_summary", gate)
    on_the_day = public.published_exhibitions(opened, date(2026, 3, 10))
    assert calls == [], "the stored texts hold through the expiry day"
    after = public.published_exhibitions(opened, date(2026, 3, 11))
    assert calls == [date(2026, 3, 11)], "the day after, the gate computes them"
    assert on_the_day and after
    assert public.stored_summaries(opened, date(2026, 3, 10))[0].work_ids == (ids["art"],)
    assert public.stored_summaries(opened, date(2026, 3, 11))[0].work_ids == ()


def test_a_listing_past_the_last_exact_day_stores_the_texts_again(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.consent.update_consent(ids["art"], actor=CURATOR, expires_on=date(2026, 3, 10))
    with clock.fixed_at(datetime(2026, 3, 11, 12, tzinfo=timezone.utc)):
        assert len(public.published_exhibitions(opened)) == 1
        [(_, texts)] = opened.read_models.published_rows()
        assert public.stored_summaries(opened, opened.today())[0].work_ids == ()
    assert texts is not None and '"valid_through": null' in texts, "stored again for the day it was read"
