"""Multilingual text: validation and cleaning, and picking the text to show."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.languages import SUPPORTED_LANGUAGES, check_language, multilingual, pick
from tests.support.strategies import typed_text


def test_text_is_trimmed():
    assert multilingual({"en": "  Quilt \n"}, field="Title") == {"en": "Quilt"}


def test_empty_entries_are_dropped():
    assert multilingual({"en": "Quilt", "ru": "", "kk": "   "}, field="Title") == {"en": "Quilt"}


def test_entries_are_ordered_by_the_supported_languages():
    result = multilingual({"kk": "Көрпе", "en": "Quilt", "ru": "Одеяло"}, field="Title")
    assert list(result) == ["en", "ru", "kk"]


def test_none_is_no_text():
    assert multilingual(None, field="Medium") == {}


def test_any_mapping_is_accepted_and_a_plain_dict_returned():
    result = multilingual(MappingProxyType({"ru": "Текст"}), field="Medium")
    assert type(result) is dict and result == {"ru": "Текст"}


@pytest.mark.parametrize("texts", ["Quilt", ["en", "Quilt"], [("en", "Quilt")], 42, {"en"}])
def test_text_not_given_per_language_is_refused(texts):
    with pytest.raises(InvalidValue, match="per language"):
        multilingual(texts, field="Title")


@pytest.mark.parametrize("text", [42, None, ["Quilt"], b"Quilt", {"en": "x"}])
def test_a_non_text_value_is_refused(text):
    with pytest.raises(InvalidValue, match="must be text"):
        multilingual({"en": text}, field="Title")


@pytest.mark.parametrize("code", ["fr", "EN", "", "en-GB", None, 1])
def test_an_unknown_language_code_is_refused_naming_the_supported_ones(code):
    with pytest.raises(InvalidValue, match="use one of en, ru, kk"):
        multilingual({code: "Text"}, field="Title")


def test_an_unknown_language_is_refused_even_when_its_text_is_empty():
    with pytest.raises(InvalidValue):
        multilingual({"fr": ""}, field="Title")


def test_required_text_needs_at_least_one_language():
    with pytest.raises(InvalidValue, match="Title is required"):
        multilingual({"en": " ", "ru": ""}, field="Title", required=True)
    with pytest.raises(InvalidValue, match="Title is required"):
        multilingual(None, field="Title", required=True)
    assert multilingual({"kk": "Көрпе"}, field="Title", required=True) == {"kk": "Көрпе"}


def test_check_language_returns_a_supported_code():
    for code in SUPPORTED_LANGUAGES:
        assert check_language(code) == code


@given(st.dictionaries(st.sampled_from(SUPPORTED_LANGUAGES), typed_text(max_size=10)))
def test_cleaning_is_idempotent_and_keeps_only_trimmed_non_empty_text(texts):
    cleaned = multilingual(texts, field="Title")
    assert multilingual(cleaned, field="Title") == cleaned
    assert all(text == text.strip() and text for text in cleaned.values())
    assert set(cleaned) == {code for code, text in texts.items() if text.strip()}


def test_pick_gives_the_text_in_the_language_asked_for():
    assert pick({"en": "Quilt", "kk": "Көрпе"}, "kk") == "Көрпе"


def test_pick_falls_back_in_the_order_of_the_supported_languages():
    assert pick({"kk": "Көрпе", "ru": "Одеяло", "en": "Quilt"}, "fr") == "Quilt"
    assert pick({"kk": "Көрпе", "ru": "Одеяло"}, "en") == "Одеяло"
    assert pick({"kk": "Көрпе"}, "ru") == "Көрпе"


@pytest.mark.parametrize("texts", [None, {}, {"fr": "Texte"}])
def test_pick_gives_empty_text_when_there_is_none(texts):
    assert pick(texts, "en") == ""
