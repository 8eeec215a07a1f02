"""Artworks and testimonies: validation of their content, images, withdrawal and Personal data."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import reduce
from uuid import uuid4

import pytest

from domain.consent import Attribution, Consent, ConsentStatus, Scope
from domain.errors import InvalidValue, ItemWithdrawn
from domain import items
from domain.images import ImageFacts, OriginalFacts, RenditionFacts
from domain.items import MAX_IMAGES, Artwork, artwork_details, image_details
from domain.personal import Personal

CURATOR = "curator:aigerim"


def consent() -> Consent:
    return Consent(
        scopes={Scope.EXHIBIT},
        attribution=Attribution.NAMED,
        text_version="v1",
        recorded_by=CURATOR,
        recorded_at=datetime(2024, 3, 1, 10, tzinfo=timezone.utc),
    )


def an_artwork(**details) -> Artwork:
    details.setdefault("title", {"en": "Quilt", "ru": "Одеяло"})
    return Artwork.record(
        item_id=uuid4(), contributor_id=uuid4(), details=artwork_details(**details), actor=CURATOR
    )


def a_testimony() -> items.Testimony:
    return items.Testimony.record(
        item_id=uuid4(),
        contributor_id=uuid4(),
        details=items.testimony_details(
            text={"kk": "Мен есімде...", "en": "I remember..."},
            language="kk",
            content_note={"en": "Violence"},
        ),
        actor=f"contributor:{uuid4()}",
    )


def a_withdrawn_artwork() -> Artwork:
    item = an_artwork()
    item.add_image(uuid4(), image_details(alt_text={"en": "A quilt"}), CURATOR)
    item.record_consent(consent(), CURATOR)
    item.withdraw(CURATOR)
    return item


# -- alt text and images --------------------------------------------------------------------


@pytest.mark.parametrize("alt_text", [{}, None, {"en": ""}, {"en": "   ", "ru": "\n"}])
def test_an_image_needs_alt_text(alt_text):
    with pytest.raises(InvalidValue, match="Alt text"):
        image_details(alt_text=alt_text)


@pytest.mark.parametrize("image", [{}, {"alt_text": {}}, {"caption": {"en": "x"}}])
def test_an_item_refuses_an_image_without_alt_text(image):
    item = an_artwork()
    with pytest.raises(InvalidValue, match="alt text"):
        item.add_image(uuid4(), image, CURATOR)
    assert item.images == {} and item.version == 1


def test_a_revised_image_still_needs_alt_text():
    item = an_artwork()
    image_id = uuid4()
    item.add_image(image_id, image_details(alt_text={"en": "A quilt"}), CURATOR)
    with pytest.raises(InvalidValue, match="alt text"):
        item.revise_image(image_id, {"alt_text": {}}, CURATOR)
    assert item.version == 2


def test_an_image_with_only_blank_alt_text_is_refused_by_the_item():
    item = an_artwork()
    with pytest.raises(InvalidValue):
        item.add_image(uuid4(), {"alt_text": {"en": "   "}}, CURATOR)


def test_the_same_image_cannot_be_attached_twice():
    item = an_artwork()
    image_id = uuid4()
    item.add_image(image_id, image_details(alt_text={"en": "A quilt"}), CURATOR)
    with pytest.raises(InvalidValue, match="already"):
        item.add_image(image_id, image_details(alt_text={"en": "Again"}), CURATOR)
    assert len(item.images) == 1


def test_an_item_has_at_most_the_maximum_number_of_images():
    item = an_artwork()
    for _ in range(MAX_IMAGES):
        item.add_image(uuid4(), image_details(alt_text={"en": "x"}), CURATOR)
    with pytest.raises(InvalidValue, match=str(MAX_IMAGES)):
        item.add_image(uuid4(), image_details(alt_text={"en": "x"}), CURATOR)
    assert len(item.images) == MAX_IMAGES


def test_revising_or_removing_an_absent_image_is_refused():
    item = an_artwork()
    with pytest.raises(InvalidValue, match="No such image"):
        item.revise_image(uuid4(), image_details(alt_text={"en": "x"}), CURATOR)
    with pytest.raises(InvalidValue, match="No such image"):
        item.remove_image(uuid4(), CURATOR)
    assert item.version == 1


def test_an_image_can_be_revised_and_removed():
    item = an_artwork()
    image_id = uuid4()
    item.add_image(image_id, image_details(alt_text={"en": "old"}), CURATOR)
    item.revise_image(image_id, image_details(alt_text={"en": "new"}), CURATOR)
    assert item.images[str(image_id)].value["alt_text"] == {"en": "new"}
    item.remove_image(image_id, CURATOR)
    assert item.images == {}


# -- languages in every multilingual field --------------------------------------------------


@pytest.mark.parametrize("field", ["title", "medium", "description", "series", "content_note"])
def test_an_artwork_refuses_an_unknown_language_in_any_multilingual_field(field):
    fields = {"title": {"en": "Quilt"}, field: {"fr": "Courtepointe"}}
    with pytest.raises(InvalidValue, match="en, ru, kk") as error:
        artwork_details(**fields)
    assert "'fr'" in str(error.value)


@pytest.mark.parametrize("field", ["text", "title", "content_note"])
def test_a_testimony_refuses_an_unknown_language_in_any_multilingual_field(field):
    fields = {"text": {"en": "I remember"}, "language": "en", "content_note": {"en": "Violence"}}
    fields[field] = {**(fields.get(field) or {}), "de": "Text"}
    with pytest.raises(InvalidValue, match="en, ru, kk"):
        items.testimony_details(**fields)


@pytest.mark.parametrize("field", ["alt_text", "caption"])
def test_an_image_refuses_an_unknown_language(field):
    fields = {"alt_text": {"en": "A quilt"}}
    fields[field] = {"uz": "Rasm"}
    with pytest.raises(InvalidValue, match="en, ru, kk"):
        image_details(**fields)


def test_a_testimony_refuses_an_unknown_original_language():
    with pytest.raises(InvalidValue, match="en, ru, kk"):
        items.testimony_details(text={"en": "I remember"}, language="fr", content_note={"en": "x"})


# -- required fields ------------------------------------------------------------------------


@pytest.mark.parametrize("title", [{}, None, {"en": "  "}])
def test_an_artwork_needs_a_title(title):
    with pytest.raises(InvalidValue, match="Title"):
        artwork_details(title=title)


def test_a_testimonys_text_must_include_its_original_language():
    with pytest.raises(InvalidValue, match="original language"):
        items.testimony_details(text={"en": "I remember"}, language="ru", content_note={"en": "x"})


def test_a_testimony_needs_its_text():
    with pytest.raises(InvalidValue, match="Testimony text"):
        items.testimony_details(text={"en": " "}, language="en", content_note={"en": "x"})


@pytest.mark.parametrize("note", [{}, None, {"kk": "   "}])
def test_a_testimony_needs_a_content_note(note):
    with pytest.raises(InvalidValue, match="Content note"):
        items.testimony_details(text={"en": "I remember"}, language="en", content_note=note)


def test_an_artworks_content_note_is_optional():
    assert artwork_details(title={"en": "Quilt"})["content_note"] == {}


@pytest.mark.parametrize("year", [999, 2201, -5, 0, True, "2020", 2020.0])
def test_an_artwork_year_must_be_a_four_digit_year(year):
    with pytest.raises(InvalidValue, match="year"):
        artwork_details(title={"en": "Quilt"}, year=year)


@pytest.mark.parametrize("year", [None, 1000, 1998, 2200])
def test_an_artwork_year_within_range_or_absent_is_accepted(year):
    assert artwork_details(title={"en": "Quilt"}, year=year)["year"] == year


def test_artwork_fields_are_trimmed():
    details = artwork_details(title={"en": "  Quilt "}, dimensions="  2 x 3 m ")
    assert details["title"] == {"en": "Quilt"}
    assert details["dimensions"] == "2 x 3 m"


# -- withdrawal is terminal -----------------------------------------------------------------


def test_a_withdrawn_item_cannot_be_revised():
    item = a_withdrawn_artwork()
    version = item.version
    with pytest.raises(ItemWithdrawn):
        item.revise(artwork_details(title={"en": "New"}), CURATOR)
    assert item.version == version
    assert item.title == {"en": "Quilt", "ru": "Одеяло"}


def test_a_withdrawn_item_cannot_get_images():
    item = a_withdrawn_artwork()
    version, images = item.version, dict(item.images)
    with pytest.raises(ItemWithdrawn):
        item.add_image(uuid4(), image_details(alt_text={"en": "x"}), CURATOR)
    assert item.version == version and item.images == images


def test_a_withdrawn_items_images_cannot_be_revised_or_removed():
    item = a_withdrawn_artwork()
    (image_key,) = item.images
    image_id = item.pending_events[1].image_id
    assert str(image_id) == image_key
    with pytest.raises(ItemWithdrawn):
        item.revise_image(image_id, image_details(alt_text={"en": "x"}), CURATOR)
    with pytest.raises(ItemWithdrawn):
        item.remove_image(image_id, CURATOR)


def test_a_withdrawn_item_cannot_be_re_consented():
    item = a_withdrawn_artwork()
    version = item.version
    with pytest.raises(ItemWithdrawn):
        item.record_consent(consent(), CURATOR)
    with pytest.raises(ItemWithdrawn):
        item.update_consent(consent(), CURATOR)
    with pytest.raises(ItemWithdrawn):
        item.withdraw(CURATOR)
    assert item.version == version
    assert item.consent is None
    assert item.status(datetime(2024, 3, 2).date()) == ConsentStatus.WITHDRAWN
    assert not any(item.allows(scope, datetime(2024, 3, 2).date()) for scope in Scope)


def test_withdrawal_records_who_withdrew_and_when():
    item = an_artwork()
    item.withdraw(f"contributor:{item.contributor_id}")
    assert item.withdrawn_by == f"contributor:{item.contributor_id}"
    assert item.withdrawn_at == item.pending_events[-1].timestamp


# -- Personal wrapping ----------------------------------------------------------------------


def test_an_artworks_content_is_personal_data_owned_by_the_item():
    item = an_artwork(year=1998)
    assert isinstance(item.details, Personal)
    assert item.details.subject_id == item.id
    assert item.details.subject_id != item.contributor_id
    assert item.detail("year") == 1998
    assert item.pending_events[0].details == item.details


def test_a_testimonys_content_is_personal_data_owned_by_the_item():
    item = a_testimony()
    assert item.details.subject_id == item.id
    assert item.detail("language") == "kk"
    assert item.detail("text") == {"en": "I remember...", "kk": "Мен есімде..."}


def test_revised_content_is_still_owned_by_the_item():
    item = an_artwork()
    item.revise(artwork_details(title={"kk": "Көрпе"}), CURATOR)
    assert item.details.subject_id == item.id
    assert item.pending_events[-1].details.subject_id == item.id
    assert item.title == {"kk": "Көрпе"}


def test_an_images_data_is_owned_by_the_item():
    item = an_artwork()
    image_id = uuid4()
    item.add_image(image_id, image_details(alt_text={"en": "A quilt"}), CURATOR)
    item.revise_image(image_id, image_details(alt_text={"en": "The quilt"}), CURATOR)
    image = item.images[str(image_id)]
    assert isinstance(image, Personal) and image.subject_id == item.id
    assert all(
        event.image.subject_id == item.id
        for event in item.pending_events
        if hasattr(event, "image")
    )


def test_detail_returns_the_default_when_the_content_is_redacted():
    item = an_artwork(year=1998)
    item.details = Personal.redacted_for(item.id)

    assert item.is_redacted
    assert item.detail("year") is None
    assert item.detail("year", "—") == "—"
    assert item.title == {}


def test_a_redacted_item_allows_nothing_even_with_consent():
    item = an_artwork()
    item.record_consent(consent(), CURATOR)
    item.details = Personal.redacted_for(item.id)
    assert not item.allows(Scope.EXHIBIT, datetime(2024, 3, 2).date())


def test_detail_returns_the_default_for_an_absent_field():
    item = an_artwork()
    assert item.detail("no-such-field", 42) == 42


def test_personal_reveal_gives_the_placeholder_only_when_redacted():
    subject = uuid4()
    assert Personal.of(subject, {"a": 1}).reveal("x") == {"a": 1}
    assert Personal.redacted_for(subject).reveal("x") == "x"
    assert Personal.redacted_for(subject).subject_id == subject


def test_replaying_an_items_events_rebuilds_the_same_item():
    item = a_withdrawn_artwork()
    copy = reduce(lambda aggregate, event: event.mutate(aggregate), item.pending_events, None)
    assert type(copy) is Artwork
    for name in ("id", "version", "details", "images", "consent", "withdrawn_at", "withdrawn_by"):
        assert getattr(copy, name) == getattr(item, name)


# -- redacted spans ------------------------------------------------------------------------


def test_a_redacted_span_is_personal_data_of_the_item():
    item = an_artwork()
    item.redact_span("  Маратовна \n", CURATOR)

    [event] = [e for e in item.collect_events() if isinstance(e, items.Item.SpanRedacted)]
    assert event.span == Personal.of(item.id, "Маратовна")
    assert item.redacted_spans == ["Маратовна"]


@pytest.mark.parametrize("span", ["", "   ", "…", None, "x" * (items.MAX_REDACTED_SPAN + 1)])
def test_a_redaction_needs_a_word_of_reasonable_length(span):
    item = an_artwork()
    with pytest.raises(InvalidValue):
        item.redact_span(span, CURATOR)
    assert item.version == 1 and item.redacted_spans == []


def test_redacting_a_span_twice_records_it_once_and_a_withdrawn_item_refuses():
    item = an_artwork()
    item.redact_span("Маратовна", CURATOR)
    item.redact_span("Маратовна", CURATOR)
    assert item.version == 2

    withdrawn = a_withdrawn_artwork()
    with pytest.raises(ItemWithdrawn):
        withdrawn.redact_span("Маратовна", CURATOR)


# -- image facts ---------------------------------------------------------------------------------

FACTS = ImageFacts(
    OriginalFacts("ab" * 32, 123_456, "JPEG", 900, 600),
    (RenditionFacts("thumb", "webp", 300, 200, 4_000), RenditionFacts("large", "jpeg", 900, 600, 90_000)),
)


def test_an_images_facts_are_kept_in_plain_form_and_read_back_as_values():
    image_id = uuid4()
    item = Artwork.record(item_id=uuid4(), contributor_id=uuid4(), details=artwork_details(title={"en": "T"}), actor=CURATOR)
    item.add_image(image_id, image_details(alt_text={"en": "A quilt"}, media=FACTS), CURATOR)

    assert item.images[str(image_id)].value["media"]["original"]["sha256"] == "ab" * 32
    assert item.image_facts(str(image_id)) == FACTS
    assert item.image_facts(str(image_id)).has("thumb", "webp")
    assert not item.image_facts(str(image_id)).has("thumb", "jpeg")


def test_an_image_recorded_without_files_has_empty_facts():
    image_id = uuid4()
    item = Artwork.record(item_id=uuid4(), contributor_id=uuid4(), details=artwork_details(title={"en": "T"}), actor=CURATOR)
    item.add_image(image_id, image_details(alt_text={"en": "A quilt"}), CURATOR)

    assert item.images[str(image_id)].value["media"] == {}
    assert item.image_facts(str(image_id)) == ImageFacts()
