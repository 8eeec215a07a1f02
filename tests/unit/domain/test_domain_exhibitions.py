"""Exhibitions: dates, slugs, the ordered works with their wall texts, publishing, replay."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import partial, reduce
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, ExhibitionError, InvalidValue, ItemWithdrawn
from domain.exhibitions import MAX_SLUG_LENGTH, Exhibition, Placement, check_slug
from domain.items import Artwork, artwork_details
from domain.personal import Personal
from tests.support.strategies import typed_text

CURATOR = "curator:aigerim"


def an_artwork() -> Artwork:
    return Artwork.record(
        item_id=uuid4(),
        contributor_id=uuid4(),
        details=artwork_details(title={"en": "Quilt"}),
        actor=CURATOR,
    )


def an_exhibition(**details) -> Exhibition:
    details.setdefault("titles", {"en": "Silent room"})
    return Exhibition.create(slug="silent-room", details=details, actor=CURATOR)


def replay(exhibition: Exhibition) -> Exhibition:
    return reduce(lambda aggregate, event: event.mutate(aggregate), exhibition.pending_events, None)


# -- creating and revising ------------------------------------------------------------------


def test_an_exhibition_needs_a_title():
    with pytest.raises(InvalidValue, match="Title is required"):
        Exhibition.create(slug="x", details={"venue": {"en": "Hall"}}, actor=CURATOR)
    with pytest.raises(InvalidValue, match="Title is required"):
        Exhibition.create(slug="x", details={"titles": {"en": " "}}, actor=CURATOR)


def test_an_exhibition_starts_unpublished_with_no_works():
    exhibition = an_exhibition(city={"ru": " Алматы "})
    assert not exhibition.is_published and exhibition.published_at is None
    assert exhibition.item_ids == []
    assert exhibition.field("city") == {"ru": "Алматы"}
    assert exhibition.field("statement") == {}
    assert exhibition.field("opens_on") is None


def test_an_exhibition_cannot_open_after_it_closes():
    with pytest.raises(InvalidValue, match="opening date"):
        an_exhibition(opens_on=date(2024, 5, 2), closes_on=date(2024, 5, 1))


def test_an_exhibition_may_open_and_close_on_the_same_day():
    exhibition = an_exhibition(opens_on=date(2024, 5, 1), closes_on=date(2024, 5, 1))
    assert exhibition.field("opens_on") == exhibition.field("closes_on")


def test_revising_only_the_opening_date_past_the_closing_date_is_refused():
    exhibition = an_exhibition(opens_on=date(2024, 5, 1), closes_on=date(2024, 6, 1))
    with pytest.raises(InvalidValue, match="opening date"):
        exhibition.revise({"opens_on": date(2024, 6, 2)}, CURATOR)
    assert exhibition.version == 1
    assert exhibition.field("opens_on") == date(2024, 5, 1)


def test_revising_only_the_closing_date_before_the_opening_date_is_refused():
    exhibition = an_exhibition(opens_on=date(2024, 5, 1), closes_on=date(2024, 6, 1))
    with pytest.raises(InvalidValue, match="opening date"):
        exhibition.revise({"closes_on": date(2024, 4, 30)}, CURATOR)
    assert exhibition.version == 1


def test_revising_both_dates_together_is_checked_together():
    exhibition = an_exhibition(opens_on=date(2024, 5, 1), closes_on=date(2024, 6, 1))
    exhibition.revise({"opens_on": date(2024, 7, 1), "closes_on": date(2024, 8, 1)}, CURATOR)
    assert exhibition.field("opens_on") == date(2024, 7, 1)
    with pytest.raises(InvalidValue):
        exhibition.revise({"opens_on": date(2024, 9, 2), "closes_on": date(2024, 9, 1)}, CURATOR)


@pytest.mark.parametrize("value", [datetime(2024, 5, 1, tzinfo=timezone.utc), "2024-05-01", 1])
def test_exhibition_dates_must_be_dates(value):
    with pytest.raises(InvalidValue, match="must be a date"):
        an_exhibition(opens_on=value)


def test_unknown_exhibition_fields_are_refused():
    with pytest.raises(InvalidValue, match="Unknown exhibition field"):
        an_exhibition(curator={"en": "x"})


def test_an_unknown_language_in_an_exhibition_field_is_refused():
    with pytest.raises(InvalidValue, match="en, ru, kk"):
        an_exhibition(venue={"fr": "Salle"})


def test_revising_with_no_real_change_is_refused():
    exhibition = an_exhibition(venue={"en": "Hall"}, opens_on=date(2024, 5, 1))
    with pytest.raises(ExhibitionError, match="Nothing to change"):
        exhibition.revise({"venue": {"en": " Hall "}, "opens_on": date(2024, 5, 1)}, CURATOR)
    with pytest.raises(ExhibitionError, match="Nothing to change"):
        exhibition.revise({"closes_on": None}, CURATOR)
    assert exhibition.version == 1


def test_a_revision_records_only_the_fields_that_change():
    exhibition = an_exhibition(venue={"en": "Hall"})
    exhibition.revise({"venue": {"en": "Hall"}, "city": {"kk": "Алматы"}}, CURATOR)
    assert exhibition.pending_events[-1].changes == {"city": {"kk": "Алматы"}}
    assert exhibition.field("venue") == {"en": "Hall"}


def test_titles_cannot_be_revised_away():
    exhibition = an_exhibition()
    with pytest.raises(InvalidValue, match="Title is required"):
        exhibition.revise({"titles": {}}, CURATOR)


def test_setting_an_absent_text_field_to_empty_text_is_not_a_change():
    exhibition = an_exhibition()
    assert exhibition.field("statement") == {}
    with pytest.raises(ExhibitionError, match="Nothing to change"):
        exhibition.revise({"statement": {"en": "   "}}, CURATOR)


# -- slugs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["silent-room", "a", "room-2024", "1", "a" * MAX_SLUG_LENGTH])
def test_a_slug_of_lower_case_letters_digits_and_single_hyphens_is_accepted(slug):
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "Silent-room",
        "silent room",
        "silent--room",
        "-silent",
        "silent-",
        "silent_room",
        "комната",
        "a" * (MAX_SLUG_LENGTH + 1),
        None,
        42,
    ],
)
def test_a_malformed_slug_is_refused(slug):
    with pytest.raises(InvalidValue, match="slug"):
        check_slug(slug)
    with pytest.raises(InvalidValue):
        Exhibition.create(slug=slug, details={"titles": {"en": "x"}}, actor=CURATOR)


def test_a_slug_with_a_trailing_newline_is_refused():
    with pytest.raises(InvalidValue):
        check_slug("silent-room\n")


# -- works and their order ------------------------------------------------------------------


def test_a_withdrawn_item_cannot_be_added():
    item = an_artwork()
    item.withdraw(CURATOR)
    exhibition = an_exhibition()
    with pytest.raises(ItemWithdrawn):
        exhibition.add_work(item, {"en": "Text"}, CURATOR)
    assert exhibition.item_ids == [] and exhibition.version == 1


def test_an_item_cannot_be_added_twice():
    item = an_artwork()
    exhibition = an_exhibition()
    exhibition.add_work(item, {"en": "Text"}, CURATOR)
    with pytest.raises(ExhibitionError, match="already"):
        exhibition.add_work(item, {"en": "Again"}, CURATOR)
    assert exhibition.item_ids == [item.id] and exhibition.version == 2


def test_works_are_added_at_the_end_or_at_a_given_position():
    a, b, c, d = (an_artwork() for _ in range(4))
    exhibition = an_exhibition()
    exhibition.add_work(a, None, CURATOR)
    exhibition.add_work(b, None, CURATOR)
    exhibition.add_work(c, None, CURATOR, position=0)
    exhibition.add_work(d, None, CURATOR, position=2)
    assert exhibition.item_ids == [c.id, a.id, d.id, b.id]


@pytest.mark.parametrize("position", [-1, 2, 10])
def test_a_work_cannot_be_added_outside_the_list(position):
    exhibition = an_exhibition()
    exhibition.add_work(an_artwork(), None, CURATOR)
    with pytest.raises(InvalidValue, match="Position"):
        exhibition.add_work(an_artwork(), None, CURATOR, position=position)
    assert len(exhibition.item_ids) == 1


def test_works_can_be_reordered():
    a, b, c = (an_artwork() for _ in range(3))
    exhibition = an_exhibition()
    for item in (a, b, c):
        exhibition.add_work(item, {"en": f"About {item.id}"}, CURATOR)
    exhibition.reorder([c.id, a.id, b.id], CURATOR)
    assert exhibition.item_ids == [c.id, a.id, b.id]
    assert exhibition.placement(a.id).wall_text.value == {"en": f"About {a.id}"}


@pytest.mark.parametrize(
    "order",
    [
        lambda a, b, c: [a, b],  # one missing
        lambda a, b, c: [a, b, c, a],  # a duplicate
        lambda a, b, c: [a, a, b],  # a duplicate in place of one
        lambda a, b, c: [a, b, c, uuid4()],  # a stranger
        lambda a, b, c: [a, b, uuid4()],  # a stranger in place of one
        lambda a, b, c: [],
    ],
)
def test_a_new_order_must_list_every_work_exactly_once(order):
    items = [an_artwork() for _ in range(3)]
    exhibition = an_exhibition()
    for item in items:
        exhibition.add_work(item, None, CURATOR)
    before = exhibition.item_ids
    with pytest.raises(InvalidValue, match="exactly once"):
        exhibition.reorder(order(*before), CURATOR)
    assert exhibition.item_ids == before and exhibition.version == 4


def test_reordering_into_the_same_order_is_refused():
    exhibition = an_exhibition()
    for _ in range(2):
        exhibition.add_work(an_artwork(), None, CURATOR)
    with pytest.raises(ExhibitionError, match="already in that order"):
        exhibition.reorder(exhibition.item_ids, CURATOR)


def test_a_new_order_given_as_text_ids_is_refused_or_understood():
    a, b = an_artwork(), an_artwork()
    exhibition = an_exhibition()
    exhibition.add_work(a, None, CURATOR)
    exhibition.add_work(b, None, CURATOR)
    try:
        exhibition.reorder([str(b.id), str(a.id)], CURATOR)
    except InvalidValue:
        assert exhibition.item_ids == [a.id, b.id]
    else:
        assert exhibition.item_ids == [b.id, a.id]


def test_a_work_can_be_removed_and_added_again():
    item = an_artwork()
    exhibition = an_exhibition()
    exhibition.add_work(item, {"en": "Text"}, CURATOR)
    exhibition.remove_work(item.id, CURATOR)
    assert exhibition.item_ids == []
    exhibition.add_work(item, {"en": "Text"}, CURATOR)
    assert exhibition.item_ids == [item.id]


def test_removing_an_absent_work_is_refused():
    exhibition = an_exhibition()
    exhibition.add_work(an_artwork(), None, CURATOR)
    with pytest.raises(ExhibitionError, match="not in this exhibition"):
        exhibition.remove_work(uuid4(), CURATOR)
    assert exhibition.version == 2


# -- wall texts -----------------------------------------------------------------------------


def test_a_wall_text_is_personal_data_owned_by_the_item_not_the_exhibition():
    item = an_artwork()
    exhibition = an_exhibition()
    exhibition.add_work(item, {"en": " About the quilt "}, CURATOR)
    placement = exhibition.placement(item.id)
    expected = Personal.of(item.id, {"en": "About the quilt"})
    assert placement == Placement(item.id, "artwork", expected)
    assert placement.wall_text.subject_id == item.id != exhibition.id


def test_a_revised_wall_text_is_still_owned_by_the_item():
    item, other = an_artwork(), an_artwork()
    exhibition = an_exhibition()
    exhibition.add_work(item, {"en": "Old"}, CURATOR)
    exhibition.add_work(other, {"en": "Other"}, CURATOR)
    exhibition.revise_wall_text(item.id, {"ru": "Новый"}, CURATOR)
    assert exhibition.placement(item.id).wall_text == Personal.of(item.id, {"ru": "Новый"})
    assert exhibition.placement(other.id).wall_text == Personal.of(other.id, {"en": "Other"})
    assert exhibition.pending_events[-1].wall_text.subject_id == item.id


def test_revising_the_wall_text_of_an_absent_work_is_refused():
    item = an_artwork()
    exhibition = an_exhibition()
    exhibition.add_work(item, {"en": "Text"}, CURATOR)
    exhibition.remove_work(item.id, CURATOR)
    with pytest.raises(ExhibitionError, match="not in this exhibition"):
        exhibition.revise_wall_text(item.id, {"en": "New"}, CURATOR)
    assert exhibition.version == 3


def test_a_wall_text_in_an_unknown_language_is_refused():
    item = an_artwork()
    exhibition = an_exhibition()
    with pytest.raises(InvalidValue, match="en, ru, kk"):
        exhibition.add_work(item, {"fr": "Texte"}, CURATOR)
    exhibition.add_work(item, {"en": "Text"}, CURATOR)
    with pytest.raises(InvalidValue, match="en, ru, kk"):
        exhibition.revise_wall_text(item.id, {"fr": "Texte"}, CURATOR)
    assert exhibition.placement(item.id).wall_text.value == {"en": "Text"}


# -- publishing -----------------------------------------------------------------------------


def test_an_exhibition_is_published_and_unpublished():
    exhibition = an_exhibition()
    exhibition.publish(CURATOR)
    assert exhibition.is_published
    assert exhibition.published_at == exhibition.pending_events[-1].timestamp
    exhibition.unpublish(CURATOR)
    assert not exhibition.is_published


def test_a_published_exhibition_cannot_be_published_again():
    exhibition = an_exhibition()
    exhibition.publish(CURATOR)
    with pytest.raises(ExhibitionError, match="already published"):
        exhibition.publish(CURATOR)
    assert exhibition.version == 2


def test_an_unpublished_exhibition_cannot_be_unpublished():
    exhibition = an_exhibition()
    with pytest.raises(ExhibitionError, match="not published"):
        exhibition.unpublish(CURATOR)
    assert exhibition.version == 1


# -- replay ---------------------------------------------------------------------------------


def test_replaying_an_exhibitions_events_rebuilds_its_state():
    a, b = an_artwork(), an_artwork()
    exhibition = an_exhibition(opens_on=date(2024, 5, 1))
    exhibition.add_work(a, {"en": "A"}, CURATOR)
    exhibition.add_work(b, {"en": "B"}, CURATOR, position=0)
    exhibition.revise({"venue": {"en": "Hall"}}, CURATOR)
    exhibition.publish(CURATOR)
    copy = replay(exhibition)
    for name in ("id", "version", "slug", "details", "placements", "is_published", "published_at"):
        assert getattr(copy, name) == getattr(exhibition, name)


POOL_SIZE = 5
wall_texts = st.none() | st.dictionaries(
    st.sampled_from(["en", "ru", "kk"]), typed_text(max_size=8), max_size=3
)
commands = st.one_of(
    st.tuples(
        st.just("add"),
        st.integers(0, POOL_SIZE - 1),
        wall_texts,
        st.none() | st.integers(-1, POOL_SIZE + 1),
    ),
    st.tuples(st.just("remove"), st.integers(0, POOL_SIZE - 1)),
    st.tuples(st.just("reorder"), st.permutations(range(POOL_SIZE)), st.integers(0, 2)),
    st.tuples(st.just("wall_text"), st.integers(0, POOL_SIZE - 1), wall_texts),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(commands, max_size=25))
def test_replaying_any_sequence_of_changes_to_the_works_rebuilds_an_equal_exhibition(steps):
    pool = [an_artwork() for _ in range(POOL_SIZE)]
    exhibition = an_exhibition()
    # A model of the expected order and wall texts, independent of the aggregate.
    order: list = []
    texts: dict = {}

    def cleaned(text):
        return {k: v.strip() for k, v in (text or {}).items() if v.strip()}

    for step in steps:
        version = exhibition.version
        if step[0] == "add":
            _, index, text, position = step
            item = pool[index]
            at = len(order) if position is None else position
            allowed = item.id not in order and 0 <= at <= len(order)
            command = partial(exhibition.add_work, item, text, CURATOR, position=position)
        elif step[0] == "remove":
            item_id = pool[step[1]].id
            allowed = item_id in order
            command = partial(exhibition.remove_work, item_id, CURATOR)
        elif step[0] == "reorder":
            _, permutation, drop = step
            new_order = [order[i] for i in permutation if i < len(order)]
            new_order = new_order[: len(new_order) - drop] if drop else new_order
            allowed = len(new_order) == len(order) and new_order != order
            command = partial(exhibition.reorder, new_order, CURATOR)
        else:
            _, index, text = step
            item_id = pool[index].id
            allowed = item_id in order
            command = partial(exhibition.revise_wall_text, item_id, text, CURATOR)

        if not allowed:
            with pytest.raises(DomainError):
                command()
            assert exhibition.version == version
        else:
            command()
            assert exhibition.version == version + 1
            if step[0] == "add":
                order.insert(at, item.id)
                texts[item.id] = cleaned(text)
            elif step[0] == "remove":
                order.remove(item_id)
                del texts[item_id]
            elif step[0] == "reorder":
                order = new_order
            else:
                texts[item_id] = cleaned(text)
        assert exhibition.item_ids == order

    copy = replay(exhibition)
    assert copy.version == exhibition.version == len(exhibition.pending_events)
    assert copy.item_ids == exhibition.item_ids == order
    assert copy.placements == exhibition.placements
    for item_id in order:
        wall_text = exhibition.placement(item_id).wall_text
        assert copy.placement(item_id).wall_text == wall_text
        assert wall_text.subject_id == item_id
        expected = texts[item_id]
        assert wall_text.value == {k: expected[k] for k in ("en", "ru", "kk") if k in expected}


# -- texts keys and withheld names (see archive.services.exhibition_erasure) ----------------------------


def test_each_version_of_the_own_texts_is_sealed_under_the_key_it_was_written_with():
    first, second = uuid4(), uuid4()
    exhibition = Exhibition.create(slug="keys", details={"titles": {"en": "One"}, "opens_on": date(2024, 4, 1)},
                                   actor=CURATOR, texts_key=first)
    exhibition.revise({"statement": {"en": "Two"}, "closes_on": date(2024, 5, 1)}, CURATOR, texts_key=second)
    created, revised = exhibition.collect_events()
    assert created.details["titles"] == Personal.of(first, {"en": "One"})
    assert created.details["opens_on"] == date(2024, 4, 1), "dates are not texts: in clear"
    assert revised.changes["statement"] == Personal.of(second, {"en": "Two"})
    assert revised.changes["closes_on"] == date(2024, 5, 1)
    assert exhibition.field("titles") == {"en": "One"} and exhibition.texts_key == second


def test_a_text_whose_key_was_shredded_reads_empty():
    key = uuid4()
    exhibition = Exhibition.create(slug="gone", details={"titles": {"en": "One"}}, actor=CURATOR, texts_key=key)
    exhibition.details = {**exhibition.details, "titles": Personal.redacted_for(key)}
    assert exhibition.field("titles") == {}


def test_only_the_archive_itself_withholds_names():
    exhibition = Exhibition.create(slug="withheld", details={"titles": {"en": "One"}}, actor=CURATOR, texts_key=uuid4())
    with pytest.raises(ExhibitionError):
        exhibition.withhold_names(texts={"titles": {"en": "[…]"}}, wall_texts={}, versions=[1], shredded=[],
                                  texts_key=uuid4(), reason="erasure", actor=CURATOR)


def test_withholding_names_records_the_texts_again_and_hides_the_versions_from_a_past_state():
    lamp = an_artwork()
    old_key, new_key = uuid4(), uuid4()
    exhibition = Exhibition.create(slug="withheld", details={"titles": {"en": "For Zarina"}}, actor=CURATOR,
                                   texts_key=old_key)
    exhibition.add_work(lamp, {"en": "Lit for Zarina."}, CURATOR)
    exhibition.withhold_names(
        texts={"titles": {"en": "For […]"}}, wall_texts={lamp.id: {"en": "Lit for […]."}}, versions=[1, 2],
        shredded=[old_key], texts_key=new_key, reason="erasure", actor="system:erasure",
    )
    assert exhibition.field("titles") == {"en": "For […]"} and exhibition.texts_key == new_key
    assert exhibition.placement(lamp.id).wall_text == Personal.of(lamp.id, {"en": "Lit for […]."})
    assert exhibition.withheld_versions == [1, 2]
    events = exhibition.collect_events()
    assert events[-1].shredded == [old_key] and events[-1].reason == "erasure"

    past = reduce(lambda state, event: event.mutate(state), events[:2], None)
    assert past.field("titles") == {"en": "For Zarina"}, "as it stood before the erasure"
    past.forget_withheld(events[-1].versions)
    assert past.field("titles") == {} and past.placement(lamp.id).wall_text.redacted
