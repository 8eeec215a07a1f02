"""The promise snippets rely on to skip analysing words (``Snippets``' ``reading``): every
term the index's analysers make of a word, read as ``reading_of`` its field says, begins the
word's own reading. If a stemmer broke it, a matching word would go unmarked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from archive.search.engine.snippets import WORD
from archive.search.whoosh.index import build_schema, read_alike, reading_of

LETTERS = (
    "abcdefghijklmnopqrstuvwxyzIİ"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЁИШЩЪЬЮЯ"
    "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
    "0123456789"
)
#: Runs of letters that a stemmer could mistake for one letter: romanised, "шч" reads as "щ",
#: "ьь" as "ъ", Latin "sh" as "ш", "kh" as "х", "ts" beside "ц".
PAIRS = ["шч", "ьь", "sh", "ch", "kh", "zh", "ts", "тс", "i`", "ий", "ия", "ая", "нн", "ость"]
SCHEMA = build_schema()
TEXT_FIELDS = sorted(name for name in SCHEMA.names() if isinstance(SCHEMA[name], TEXT))
words = st.lists(st.sampled_from([*LETTERS, *PAIRS]), min_size=1, max_size=16).map("".join)


def _holds_for(field: str, text: str) -> None:
    analyzer = SCHEMA[field].analyzer
    read = reading_of(field)
    for word in WORD.findall(text):
        for token in analyzer(word):
            if token.text:  # an empty stem is never searched for
                assert read(word.lower()).startswith(read(token.text)), (field, word, token.text)


@pytest.mark.parametrize("field", TEXT_FIELDS)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=LETTERS + " '-", min_size=1, max_size=40))
def test_every_term_read_as_its_field_reads_begins_its_words_reading(field: str, text: str):
    _holds_for(field, text)


@pytest.mark.parametrize("field", TEXT_FIELDS)
@settings(max_examples=300, deadline=None)
@given(word=words)
def test_runs_a_stemmer_could_read_as_one_letter_keep_the_promise(field: str, word: str):
    _holds_for(field, word)


@pytest.mark.parametrize(
    ("word", "term"),
    [("Iрина", "ирин"), ("шчука", "щук"), ("ёлки", "елк"), ("подъезды", "подъезд"), ("детский", "детск")],
)
def test_the_russian_stemmers_letter_changes_keep_the_romanised_prefix(word: str, term: str):
    assert [t.text for t in SCHEMA["text_ru"].analyzer(word)] == [term]
    read = reading_of("text_ru")
    assert read(word.lower()).startswith(read(term))
    assert read_alike(word[0].lower()) == read_alike(term[0])


def test_a_russian_field_reads_more_than_the_first_letter():
    """The point of the romanised reading: "сказка" cannot become "сон", though both begin
    with "с", so it is not analysed for a search of "сон"."""
    read = reading_of("text_ru")
    assert not read("сказка").startswith(read("сон"))
    assert read("сонный").startswith(read("сон"))


def test_an_english_field_reads_only_the_first_letters_class():
    read = reading_of("text_en")
    assert read("dying") == read("die") == "d"
