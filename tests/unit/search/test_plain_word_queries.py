"""Plain words are turned into Whoosh's query without its parser (``Parser.whoosh_query``):
the query must be the one the parser makes (``Parser.parsed_query``), for every text."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive.search.whoosh import index as whoosh_index
from archive.search.whoosh import parse
from archive.search.whoosh.parse import Parser, to_tree

PARSER = Parser(
    whoosh_index.build_schema(),
    whoosh_index._SEARCH_FIELDS,
    whoosh_index._FIELD_BOOSTS,
    whoosh_index._KAZAKH_FIELDS,
)
#: Stop words of each language, operators in both cases, short words (under the Kazakh prefix
#: length), digits, a dotted capital I, and words Whoosh's parser reads as syntax.
WORDS = [
    "the", "and", "The", "и", "в", "және", "мен", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "or", "not",
    "ab", "ә", "12", "2024", "İlyas", "Iрина", "silence", "молчание", "дом", "ауыл", "әже", "шчука", "TO",
    "x²", "letters", "ёлки", "quilt*", "que?", '"a', "b:c", "(x", "x)", "x^2", "x~", "'quoted'", "-minus", "+plus",
    "ab_cd", "ǅemal", "ﬁre",
]
texts = st.lists(st.sampled_from(WORDS) | st.text(alphabet="abcжзәİI1 ", min_size=1, max_size=6), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(text=texts)
@example("the")
@example("дом дом")
@example("silence AND war")
def test_a_query_built_without_the_parser_is_the_parsers(text: str):
    built_notices: list[str] = []
    parsed_notices: list[str] = []

    built = PARSER.whoosh_query(text, built_notices)
    parsed = PARSER.parsed_query(text, parsed_notices)

    assert built == parsed
    assert to_tree(built) == to_tree(parsed)
    assert built_notices == parsed_notices


def test_plain_words_skip_the_parser_and_syntax_does_not(monkeypatch):
    made: list[object] = []
    real = parse.qparser.MultifieldParser
    monkeypatch.setattr(parse.qparser, "MultifieldParser", lambda *a, **k: made.append(a) or real(*a, **k))

    PARSER.whoosh_query("silence war", [])
    PARSER.whoosh_query("молчание 2024 әже", [])
    assert made == []

    for text in ("silence AND war", '"silence war"', "sil*", "title:war", "war^2", "war  peace", "don't"):
        made.clear()
        PARSER.whoosh_query(text, [])
        assert made, text
