"""Typed text: the same limits for every interface; nothing only invisible, no direction controls."""

from __future__ import annotations

import pytest

from domain import items
from domain.contributors import contributor_profile
from domain.errors import InvalidValue
from domain.exhibitions import exhibition_details
from domain.items import artwork_details
from domain.languages import multilingual
from domain.text import MAX_CONTACT, MAX_NAME, MAX_SHORT_TEXT, MAX_TEXT, plain_text

INVISIBLE = ["\u200b", "\u200b\u200d\ufeff", "\u00ad", "\u3164", "\u2800 \u2800", "\u0301", "\x1b", "\u2060\u200c"]
DIRECTION = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_text_of_only_invisible_characters_is_refused(text):
    with pytest.raises(InvalidValue, match="Title contains only invisible characters"):
        plain_text(text, field="Title", max_length=100)


@pytest.mark.parametrize("control", DIRECTION)
def test_direction_controls_are_refused_wherever_they_are(control):
    with pytest.raises(InvalidValue, match="change the direction of text"):
        plain_text(f"Aigerim {control}vomreT", field="Name", max_length=100)


def test_ordinary_text_with_joiners_and_marks_is_kept_trimmed():
    for text in ("Тыныш бөлме", "👩\u200d🎨 artist", "שלום\u200f, Almaty", "e\u0301te", "Көрпе"):
        assert plain_text(f"  {text}\n", field="Title", max_length=100) == text
    assert plain_text("   ", field="Title", max_length=100) == ""


def test_every_field_has_the_apis_length_limit():
    over = {"short": "x" * (MAX_SHORT_TEXT + 1), "long": "x" * (MAX_TEXT + 1), "name": "x" * (MAX_NAME + 1)}
    refusals = [
        lambda: artwork_details(title={"en": over["short"]}),
        lambda: artwork_details(title={"en": "T"}, description={"en": over["long"]}),
        lambda: artwork_details(title={"en": "T"}, dimensions=over["name"]),
        lambda: items.testimony_details(text={"ru": over["long"]}, language="ru", content_note={"en": "N"}),
        lambda: exhibition_details(titles={"en": over["short"]}),
        lambda: exhibition_details(statement={"en": over["long"]}),
        lambda: contributor_profile(name=over["name"]),
        lambda: contributor_profile(name="N", contact="x" * (MAX_CONTACT + 1)),
    ]
    for refuse in refusals:
        with pytest.raises(InvalidValue, match="can be at most"):
            refuse()
    assert artwork_details(title={"en": "x" * MAX_SHORT_TEXT}, description={"en": "x" * MAX_TEXT})
    assert multilingual({"en": "x" * MAX_SHORT_TEXT}, field="Title")["en"]


def test_every_explicit_direction_control_unicode_knows_is_refused_at_the_start_middle_and_end():
    """The controls are taken from Unicode's own bidi classes, not from the module's list, and
    put at each end and the middle of a text of the longest length: a character class that
    missed one (a range written wrong, a control added to Unicode) lets it through."""
    import sys
    import unicodedata

    explicit = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
    controls = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.bidirectional(chr(c)) in explicit]
    assert len(controls) == 9
    half = "ж" * ((MAX_TEXT - 1) // 2)
    for control in controls:
        for text in (control + half + half, half + control + half, half + half + control):
            with pytest.raises(InvalidValue, match="change the direction of text"):
                plain_text(text, field="Text", max_length=MAX_TEXT)
    assert plain_text(half + "\u200e\u200f" + half[:-2], field="Text", max_length=MAX_TEXT)
