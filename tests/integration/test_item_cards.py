"""The exhibition page projects its works from the read models (item row, sealed card,
contributor row) through the same projection as the aggregates, on every backend: what it
shows is the same, consent is judged at read time from the item row, and a card that is not
at its item row's version is never used."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

import pytest

from archive.read import public
from archive.services.application import ExhibitionArchive
from archive.read.models import RowChanges
from archive.gate.name_filter import OMITTED
from archive.gate.visibility import VisibleExhibition, visible_exhibition
from domain import clock
from media_store import PillowImagePipeline, make_sample_photo
from tests.conftest import CURATOR, Storage
from tests.fakes import InMemoryMediaStore, in_memory_archive
from tests.integration.test_read_models import storage_postgres, storage_sqlite  # noqa: F401 - fixtures

TODAY = date(2026, 3, 1)
NAME, PSEUDONYM, OTHER = "Quenby Zhakupova", "Quill", "Aigerim Nurlanovna"
SPAN = "Zephyrine"
BOTH = ["exhibit", "publish_online"]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opened(request: pytest.FixtureRequest) -> Iterator[ExhibitionArchive]:
    """An archive on each backend, its clock on :data:`TODAY`."""
    if request.param == "memory":
        app = in_memory_archive(media=InMemoryMediaStore(), images=PillowImagePipeline())
    else:
        storage: Storage = request.getfixturevalue("storage_" + request.param)
        app = storage.open()
    with clock.fixed_at(datetime(2026, 3, 1, 12, tzinfo=timezone.utc)):
        yield app
    app.close()


def _show(app: ExhibitionArchive) -> dict[str, UUID]:
    """A published exhibition of three works by two contributors, credited in three ways, whose
    texts (details, image texts, wall texts) name the contributors and a redacted span."""
    person = app.contributors.register_contributor(name=NAME, pseudonym=PSEUDONYM, actor=CURATOR)
    other = app.contributors.register_contributor(name=OTHER, actor=CURATOR)
    art = app.cataloguing.record_artwork(
        contributor_id=person, actor=CURATOR, title={"en": f"Quilt by {NAME}"}, year=2024,
        medium={"en": "felt"}, description={"en": f"{PSEUDONYM} sewed it with {SPAN}."},
    )
    app.item_images.upload_image(art, make_sample_photo(3, size=(320, 200)), actor=CURATOR,
                     alt_text={"en": f"{NAME} holding a quilt"}, caption={"en": f"By {PSEUDONYM}"})
    app.cataloguing.redact_span(art, SPAN, actor=CURATOR)
    app.consent.record_consent(art, actor=CURATOR, scopes=BOTH, attribution="pseudonym", text_version="v1")
    words = app.cataloguing.record_testimony(
        contributor_id=other, actor=CURATOR, text={"en": f"I, {OTHER}, remember."}, language="en",
        content_note={"en": "Mentions fear."}, title={"en": "Remembering"},
    )
    app.consent.record_consent(words, actor=CURATOR, scopes=BOTH, attribution="anonymous", text_version="v1")
    named = app.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Named work"})
    app.consent.record_consent(named, actor=CURATOR, scopes=BOTH, attribution="named", text_version="v1")
    show = app.curation.create_exhibition(slug="letters", actor=CURATOR, titles={"en": "Letters"})
    for item, wall in ((art, f"Made with {OTHER}"), (words, f"Told to {NAME}"), (named, "")):
        app.curation.add_to_exhibition(show, item, actor=CURATOR, wall_text={"en": wall} if wall else None)
    app.curation.publish_exhibition(show, actor=CURATOR)
    return {"person": person, "other": other, "art": art, "words": words, "named": named, "show": show}


def _page(app: ExhibitionArchive, on: date = TODAY) -> VisibleExhibition:
    return public.published_exhibition(app, "letters", on)


def _from_aggregates(app: ExhibitionArchive, on: date = TODAY) -> VisibleExhibition:
    exhibition = app.get_exhibition(app.exhibition_id_for_slug("letters"))
    view = visible_exhibition(exhibition, public.Works(app).of(exhibition.item_ids), on)
    assert view is not None
    return view


def _no_aggregates(app: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the exhibition page read an item or a contributor aggregate")

    monkeypatch.setattr(app, "get_item", refuse)
    monkeypatch.setattr(app, "get_contributor", refuse)


def test_the_page_shows_from_cards_exactly_what_the_aggregates_would_show(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    ids = _show(opened)
    expected = _from_aggregates(opened)
    _no_aggregates(opened, monkeypatch)

    page = _page(opened)

    assert page.works == expected.works
    assert [w.id for w in page.works] == [ids["art"], ids["words"], ids["named"]]
    art, words, named = page.works
    assert art.credit == PSEUDONYM and words.credit is None and named.credit == OTHER
    shown = repr(page.works)
    assert NAME not in shown and SPAN not in shown and f"I, {OTHER}" not in shown
    assert art.images[0].rendition("thumb", "jpeg") is not None


@pytest.mark.parametrize("change", ["narrowed", "withdrawn", "names shredded"])
def test_a_change_after_the_card_was_written_shows_nothing_more(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch, change: str
):
    ids = _show(opened)
    if change == "narrowed":
        opened.consent.update_consent(ids["art"], actor=CURATOR, scopes=["publish_online"])
    elif change == "withdrawn":
        opened.consent.withdraw(ids["art"], actor=CURATOR)
    else:  # the contributor's key is shredded: her sealed names in the rows become noise
        opened.consent.update_consent(ids["words"], actor=CURATOR, attribution="named")
        opened.keys.shred(ids["other"])
    expected = _from_aggregates(opened)
    _no_aggregates(opened, monkeypatch)

    page = _page(opened)

    assert page.works == expected.works
    if change == "names shredded":  # her works are not shown: her names can be withheld no more
        assert [(w.id, w.credit) for w in page.works] == [(ids["art"], PSEUDONYM)]
        assert OTHER not in repr(page)
    else:
        assert [w.id for w in page.works] == [ids["words"], ids["named"]]


def test_consent_that_runs_out_hides_the_work_the_next_day_with_no_event(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, expires_on=TODAY)

    assert ids["words"] in [w.id for w in _page(opened, TODAY).works]
    assert [w.id for w in _page(opened, date(2026, 3, 2)).works] == [ids["art"], ids["named"]]


def test_a_card_behind_its_item_row_is_not_used(opened: ExhibitionArchive):
    """A card that lags its item row (written by a lagging or failed writer) may hold content the
    item no longer has: the page reads that work from its aggregate instead."""
    ids = _show(opened)
    [(_, old, _)] = opened.read_models.item_card_rows([ids["named"]])
    assert old is not None
    opened.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed work"})
    opened.read_models.write_read_models(RowChanges(cards=[old]))  # the card lags its row now
    assert [card for _, card, _ in opened.read_models.item_card_rows([ids["named"]])] == [old]

    assert ids["named"] not in opened.listings.item_cards([ids["art"], ids["named"]])
    assert dict(_page(opened).works[2].title) == {"en": "Renamed work"}
    assert _page(opened).works == _from_aggregates(opened).works


def test_rebuilt_cards_give_the_same_page(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    _show(opened)
    before = _page(opened)
    opened.rebuild_read_models()
    _no_aggregates(opened, monkeypatch)

    assert _page(opened) == before


# -- an item's own page reads its card too -------------------------------------------------------


def test_an_item_page_shows_from_its_card_exactly_what_its_aggregates_would_show(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    from archive.gate.visibility import visible
    from archive.gate.rules import Surface

    ids = _show(opened)
    expected = {key: visible(opened.get_item(ids[key]), opened.get_contributor(opened.get_item(ids[key]).contributor_id),
                             TODAY, Surface.ONLINE) for key in ("art", "words", "named")}
    _no_aggregates(opened, monkeypatch)

    shown = {key: public.visible_item(opened, ids[key], TODAY) for key in expected}

    assert shown == expected and all(view is not None for view in shown.values())
    assert NAME not in repr(shown) and SPAN not in repr(shown)


@pytest.mark.parametrize("change", ["narrowed", "withdrawn", "expired", "unknown"])
def test_an_item_page_from_its_card_shows_nothing_consent_does_not_allow(opened: ExhibitionArchive, change: str):
    ids = _show(opened)
    on, item_id = TODAY, ids["art"]
    if change == "narrowed":
        opened.consent.update_consent(item_id, actor=CURATOR, scopes=["exhibit"])
    elif change == "withdrawn":
        opened.consent.withdraw(item_id, actor=CURATOR)
    elif change == "expired":
        opened.consent.update_consent(item_id, actor=CURATOR, expires_on=TODAY)
        on = date(2026, 3, 2)
    else:
        from uuid import uuid4

        item_id = uuid4()

    assert public.visible_item(opened, item_id, on) is None


def test_an_item_page_whose_card_lags_its_row_is_read_from_the_aggregate(opened: ExhibitionArchive):
    ids = _show(opened)
    [(_, old, _)] = opened.read_models.item_card_rows([ids["named"]])
    assert old is not None
    opened.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed work"})
    opened.read_models.write_read_models(RowChanges(cards=[old]))

    view = public.visible_item(opened, ids["named"], TODAY)
    assert view is not None and dict(view.title) == {"en": "Renamed work"}


# -- the exhibition page's cards, as they hang (read_exhibition_cards) ---------------------------


def _cards_from_aggregates(app: ExhibitionArchive, on: date = TODAY) -> VisibleExhibition:
    exhibition = app.get_exhibition(app.exhibition_id_for_slug("letters"))
    view = visible_exhibition(exhibition, public.Works(app).of(exhibition.works_ever_hung), on, cards=True)
    assert view is not None
    return view


def _stored_cards(app: ExhibitionArchive, on: date = TODAY) -> VisibleExhibition | None:
    return public.stored_exhibition(app, app.exhibition_id_for_slug("letters"), on)


def _no_exhibition_aggregates(app: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_aggregates(app, monkeypatch)

    def refuse(*_: Any) -> Any:
        raise AssertionError("the exhibition page read an exhibition aggregate")

    monkeypatch.setattr(app, "get_exhibition", refuse)
    monkeypatch.setattr(app, "exhibition_by_slug", refuse)


def test_the_page_of_cards_is_read_from_the_read_models_as_the_aggregates_give_it(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    ids = _show(opened)
    expected = _cards_from_aggregates(opened)
    _no_exhibition_aggregates(opened, monkeypatch)

    page = public.published_exhibition(opened, "letters", TODAY, cards=True)

    assert page == expected
    art, words, named = page.works
    assert [w.id for w in page.works] == [ids["art"], ids["words"], ids["named"]]
    assert dict(art.wall_text) == {"en": "Made with […]"}  # her testimony is anonymous
    assert dict(words.wall_text) == {"en": "Told to […]"}  # Quenby is credited by pseudonym only
    assert "text" not in words.details and "description" not in art.details
    assert len(art.images) == 1 and dict(art.images[0].alt_text) == {"en": "[…] holding a quilt"}
    shown = repr(page)
    assert NAME not in shown and SPAN not in shown and "remember" not in shown


@pytest.mark.parametrize(
    "change", ["narrowed", "withdrawn", "names shredded", "credit widened", "renamed", "wall text", "taken down"]
)
def test_every_change_rewrites_the_cards_with_its_events(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch, change: str
):
    """Cards are written in the transaction of the events that change them (an item, its
    contributor, another work whose names the wall texts lose, the exhibition): the page never
    needs the aggregates to show exactly what they would."""
    ids = _show(opened)
    if change == "narrowed":
        opened.consent.update_consent(ids["art"], actor=CURATOR, scopes=["publish_online"])
    elif change == "withdrawn":
        opened.consent.withdraw(ids["art"], actor=CURATOR)
    elif change == "names shredded":
        opened.consent.update_consent(ids["words"], actor=CURATOR, attribution="named")
        opened.keys.shred(ids["other"])
    elif change == "credit widened":  # Quenby, asked, is named now: the testimony's wall text names her
        opened.consent.update_consent(ids["art"], actor=CURATOR, attribution="named", contributor_asked=True)
    elif change == "renamed":
        opened.contributors.revise_contributor(ids["person"], actor=CURATOR, name=NAME, pseudonym="Wren")
    elif change == "wall text":
        opened.curation.revise_wall_text(ids["show"], ids["named"], actor=CURATOR, wall_text={"en": "New words"})
    else:
        opened.curation.remove_from_exhibition(ids["show"], ids["words"], actor=CURATOR)
    expected = _cards_from_aggregates(opened)
    _no_exhibition_aggregates(opened, monkeypatch)

    assert _stored_cards(opened) == expected
    assert public.published_exhibition(opened, "letters", TODAY, cards=True) == expected
    if change == "credit widened":
        assert dict(expected.works[1].wall_text) == {"en": f"Told to {NAME}"}


def test_consent_that_runs_out_takes_the_card_off_the_next_day_with_no_event(opened: ExhibitionArchive):
    ids = _show(opened)
    opened.consent.update_consent(ids["words"], actor=CURATOR, expires_on=TODAY)
    page = public.published_exhibition(opened, "letters", date(2026, 3, 2), cards=True)

    assert [w.id for w in page.works] == [ids["art"], ids["named"]]
    assert page == _cards_from_aggregates(opened, date(2026, 3, 2))


def test_a_hung_card_behind_its_item_row_is_not_used(opened: ExhibitionArchive):
    """A card that lags its item row may hold what the item no longer says: the page is then
    projected from the aggregates, never from that card."""
    ids = _show(opened)
    show = ids["show"]
    stale = [card for _, card in opened.read_models.shown_cards(show, TODAY, [])]
    [(texts_row, texts)] = opened.read_models.published_rows([show])
    opened.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed work"})
    opened.read_models.write_read_models(
        RowChanges(exhibition_texts={show: texts}, exhibition_cards={show: [c for c in stale if c is not None]})
    )

    assert _stored_cards(opened) is None
    page = public.published_exhibition(opened, "letters", TODAY, cards=True)
    assert dict(page.works[2].title) == {"en": "Renamed work"}
    assert page == _cards_from_aggregates(opened)


def test_a_card_copied_into_another_exhibition_is_never_opened(opened: ExhibitionArchive):
    """Each card is sealed for its item in its exhibition (associated data): a card moved to
    another exhibition's rows, where its wall text would be false, does not open."""
    ids = _show(opened)
    other = opened.curation.create_exhibition(slug="second", actor=CURATOR, titles={"en": "Second"})
    opened.curation.add_to_exhibition(other, ids["named"], actor=CURATOR, wall_text={"en": "Second wall"})
    opened.curation.publish_exhibition(other, actor=CURATOR)
    [(_, texts)] = opened.read_models.published_rows([other])
    [card] = [c for row, c in opened.read_models.shown_cards(ids["show"], TODAY, []) if row.item_id == ids["named"]]
    assert card is not None
    opened.read_models.write_read_models(RowChanges(exhibition_texts={other: texts}, exhibition_cards={other: [card]}))

    assert public.stored_exhibition(opened, other, TODAY) is None
    page = public.published_exhibition(opened, "second", TODAY, cards=True)
    assert dict(page.works[0].wall_text) == {"en": "Second wall"}


def test_rebuilt_read_models_give_the_same_cards(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    _show(opened)
    before = _stored_cards(opened)
    opened.rebuild_read_models()
    _no_exhibition_aggregates(opened, monkeypatch)

    assert before is not None and _stored_cards(opened) == before


# -- a search hit's heading (read_item_headings) -------------------------------------------------


def _headings_from_aggregates(app: ExhibitionArchive, ids: list[UUID]) -> dict[UUID, Any]:
    from archive.gate.visibility import visible_heading

    return {i: visible_heading(*public.Works(app).of([i])[i], TODAY) for i in ids}


def _headings(app: ExhibitionArchive, ids: list[UUID]) -> dict[UUID, Any]:
    from archive.gate.visibility import visible_heading

    return {i: visible_heading(*work, TODAY) for i, work in public.carded_works(app, ids, headings=True).items()}


def test_a_hit_shows_from_its_heading_exactly_what_its_aggregates_would_show(
    opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """A search hit's title, content note and credit come from the item's heading row: the same
    heading the aggregates give, names and redacted spans withheld, after every kind of change."""
    ids = _show(opened)
    works = [ids["art"], ids["words"], ids["named"]]
    opened.cataloguing.revise_item(
        ids["words"], actor=CURATOR, text={"en": f"I, {OTHER}, remember."}, language="en",
        content_note={"en": f"Mentions {OTHER}."}, title={"en": "Remembering"},
    )
    opened.cataloguing.redact_span(ids["named"], "work", actor=CURATOR)
    opened.consent.update_consent(ids["art"], actor=CURATOR, attribution="anonymous")
    expected = _headings_from_aggregates(opened, works)
    _no_aggregates(opened, monkeypatch)

    shown = _headings(opened, works)

    assert shown == expected and all(view is not None for view in shown.values())
    assert dict(shown[ids["words"]].content_note) == {"en": f"Mentions {OMITTED}."}
    assert NAME not in repr(shown) and SPAN not in repr(shown)
    assert OTHER not in repr(shown[ids["words"]]), "the testimony is anonymous: her name is withheld from its note"


def test_a_heading_holds_no_text_of_its_item(opened: ExhibitionArchive):
    """A page of hits opens only what the hits show: no testimony's text, no description, no
    image texts, however long they are."""
    ids = _show(opened)

    values = {i: work[0] for i, work in public.carded_works(opened, [ids["art"], ids["words"]], headings=True).items()}

    assert set(values[ids["words"]].details) == {"title", "content_note"}
    assert set(values[ids["art"]].details) <= {"title", "content_note"} and values[ids["art"]].images == ()
    assert values[ids["art"]].redacted_spans == (SPAN,)


def test_the_search_use_case_reads_headings_not_whole_cards(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    """Checking a page of search hits against consent reads each hit's heading row, never its
    whole card (a testimony's whole text, opened and decoded for a title)."""
    from archive.search import SearchHit, SearchQuery
    from archive.search.queries import search
    from tests.unit.search.test_search_queries import IndexMissingAChange

    ids = _show(opened)
    hits = [
        SearchHit(str(ids[key]), opened.get_item(ids[key]).kind, 1.0, opened.get_item(ids[key]).version)
        for key in ("art", "words", "named")
    ]
    index = IndexMissingAChange(opened, hits)  # in step with the log: its hits are the ones above
    reads = []
    real = opened.read_models.item_card_rows

    def item_card_rows(item_ids: Any, *, headings: bool = False) -> Any:
        reads.append(headings)
        return real(item_ids, headings=True) if headings else real(item_ids)

    monkeypatch.setattr(opened.read_models, "item_card_rows", item_card_rows)
    _no_aggregates(opened, monkeypatch)

    results = search(opened, index, SearchQuery(text="quilt"), on=TODAY)

    assert [hit.id for hit in results.hits] == [ids["art"], ids["words"], ids["named"]]
    assert reads == [True]


def test_a_heading_behind_its_item_row_is_not_used(opened: ExhibitionArchive):
    ids = _show(opened)
    [(_, old, _)] = opened.read_models.item_card_rows([ids["named"]], headings=True)
    assert old is not None
    opened.cataloguing.revise_item(ids["named"], actor=CURATOR, title={"en": "Renamed work"})
    opened.read_models.write_read_models(RowChanges(headings=[old]))  # the heading lags its row now

    assert ids["named"] not in opened.listings.item_cards([ids["named"]], headings=True)
    assert dict(_headings(opened, [ids["named"]])[ids["named"]].title) == {"en": "Renamed work"}


def test_rebuilt_read_models_give_the_same_headings(opened: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch):
    ids = _show(opened)
    works = [ids["art"], ids["words"], ids["named"]]
    before = _headings(opened, works)
    opened.rebuild_read_models()
    _no_aggregates(opened, monkeypatch)

    assert _headings(opened, works) == before
