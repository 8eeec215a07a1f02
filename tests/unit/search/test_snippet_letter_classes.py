"""The promise snippets rely on to skip analysing words (``Snippets``' ``initial``): every
term the index's analysers make of a word begins with a letter that ``read_alike`` reads as
the word's own first letter. If a stemmer broke it, a matching word would go unmarked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from archive.search.engine.snippets import WORD
from archive.search.whoosh.index import build_schema, read_alike

LETTERS = (
    "abcdefghijklmnopqrstuvwxyzIİ"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЁИШЩЪЬЮЯ"
    "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
    "0123456789"
)
SCHEMA = build_schema()
TEXT_FIELDS = sorted(name for name in SCHEMA.names() if isinstance(SCHEMA[name], TEXT))


@pytest.mark.parametrize("field", TEXT_FIELDS)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=LETTERS + " '-", min_size=1, max_size=40))
def test_every_term_begins_with_a_letter_read_alike_with_its_words_first_letter(field: str, text: str):
    analyzer = SCHEMA[field].analyzer
    for word in WORD.findall(text):
        first = read_alike(word[:1].lower()[:1])
        for token in analyzer(word):
            if token.text:  # an empty stem is never searched for
                assert read_alike(token.text[0]) == first, (field, word, token.text)


@pytest.mark.parametrize(
    ("word", "term"),
    [("Iрина", "ирин"), ("шчука", "щук"), ("ёлки", "елк")],
)
def test_the_russian_stemmers_letter_changes_are_read_alike(word: str, term: str):
    assert [t.text for t in SCHEMA["text_ru"].analyzer(word)] == [term]
    assert read_alike(word[0].lower()) == read_alike(term[0])
