"""Attacks on the search query parser (issue 15 review): a visitor's query never raises."""

from __future__ import annotations

import pytest

from archive.search import Notice
from archive.search.whoosh import index as whoosh_index
from archive.search.whoosh.index import WhooshSearchIndex
from archive.search.whoosh.parse import Parser


# syntax_problem let NOT follow NOT, and Whoosh's NotGroup.query raised IndexError on "NOT NOT 0"
# (found by test_random_queries_never_raise in a full run): a 500 for any visitor.
@pytest.mark.parametrize("text", ["NOT NOT 0", "quilt NOT NOT silence"])
def test_a_doubled_not_is_read_as_words_or_syntax_and_never_raises(tmp_path, text):
    index = WhooshSearchIndex(tmp_path / "index", writable=True)
    try:
        parser = Parser(index._schema, whoosh_index._SEARCH_FIELDS, whoosh_index._FIELD_BOOSTS,
                        whoosh_index._KAZAKH_FIELDS)
        notices: list[str] = []
        parser.whoosh_query(text, notices)
        assert notices == [Notice.DANGLING_OPERATOR]
    finally:
        index.close()
