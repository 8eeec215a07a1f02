"""The search engine (``archive.search.engine``) against a brute-force BM25 reference.

Documents live in an in-memory ``SegmentSource`` (several segments, some documents deleted);
generated queries (terms, prefixes, wildcards, phrases, AND, OR, AND NOT) are evaluated by the
engine and by a direct reading of the formula over the token lists. Matches, scores, totals,
facet counts and the order of pages (ties in document order) must agree.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.engine import evaluation
from archive.search.engine import query as q
from archive.search.engine.evaluation import IndexView, evaluate
from archive.search.engine.scoring import K1, B

FIELD = "body"
VOCABULARY = ("ab", "abc", "abd", "abde", "b", "bc", "c")


@dataclass
class MemorySegment:
    """A ``SegmentSource`` over token lists: ``docs[n]`` is document n's tokens in ``body``."""

    docs: list[list[str]]
    kinds: list[str]
    deleted_docs: set[int] = field(default_factory=set)
    segment_id: str = "s"

    @property
    def doc_count(self) -> int:
        return len(self.docs)

    def postings(self, field_name: str, term: str):
        ids = [n for n, tokens in enumerate(self.docs) if term in tokens]
        return np.array(ids, dtype=np.uint32), np.array([self.docs[n].count(term) for n in ids], dtype=np.float32)

    def positions(self, field_name: str, term: str, doc: int) -> Sequence[int]:
        return [i for i, token in enumerate(self.docs[doc]) if token == term]

    def lengths(self, field_name: str):
        return np.array([len(tokens) for tokens in self.docs], dtype=np.float64)

    def total_length(self, field_name: str) -> int:
        return sum(len(tokens) for tokens in self.docs)

    def lexicon(self, field_name: str) -> Sequence[str]:
        return sorted({token for tokens in self.docs for token in tokens})

    def facet(self, name: str):
        values = sorted(set(self.kinds))
        docs = np.arange(len(self.kinds), dtype=np.intp)
        codes = np.array([values.index(kind) for kind in self.kinds], dtype=np.intp)
        return values, docs, codes

    def dates(self):
        return np.arange(len(self.docs), dtype=np.int64) % 3

    def expired(self, on: date):
        return np.zeros(0, dtype=np.intp)

    def deleted(self):
        return np.array(sorted(self.deleted_docs), dtype=np.intp)


# --- the reference -------------------------------------------------------------------------


class Reference:
    """BM25 read straight off the formula, over every document's token list."""

    def __init__(self, segments: list[MemorySegment]):
        self.docs = [tokens for segment in segments for tokens in segment.docs]
        self.live = [n not in segment.deleted_docs for segment in segments for n in range(segment.doc_count)]
        self.size = len(self.docs)
        self.average = (sum(map(len, self.docs)) / self.size if self.size else 0.0) or 1.0
        self.terms = sorted({token for tokens in self.docs for token in tokens})

    def term(self, text: str, boost: float) -> dict[int, float]:
        frequency = sum(text in tokens for tokens in self.docs)
        idf = math.log(self.size / (frequency + 1)) + 1
        found = {}
        for n, tokens in enumerate(self.docs):
            tf = tokens.count(text)
            if tf:
                found[n] = boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(tokens) / self.average))
        return found

    def match(self, node: q.Node) -> dict[int, float]:
        if isinstance(node, q.Term):
            return self.term(node.text, node.boost)
        if isinstance(node, q.Prefix | q.Wildcard):
            prefix = node.text if isinstance(node, q.Prefix) else node.pattern.split("*")[0].split("?")[0]
            wanted = [t for t in self.terms if t.startswith(prefix)]
            if isinstance(node, q.Wildcard):
                wanted = [t for t in wanted if fnmatch.fnmatchcase(t, node.pattern)]
            return _sum([self.term(t, node.boost) for t in wanted[: evaluation.MAX_PREFIX_TERMS]])
        if isinstance(node, q.Phrase):
            scores = _all([self.term(w, node.boost) for w in node.words])
            k = len(node.words)
            return {
                n: s
                for n, s in scores.items()
                if any(self.docs[n][i : i + k] == list(node.words) for i in range(len(self.docs[n])))
            }
        if isinstance(node, q.And):
            return _all([self.match(part) for part in node.parts])
        if isinstance(node, q.Or):
            return _sum([self.match(part) for part in node.parts])
        if isinstance(node, q.AndNot):
            excluded = self.match(node.excluded)
            return {n: s for n, s in self.match(node.match).items() if n not in excluded}
        raise AssertionError(node)


def _sum(parts: list[dict[int, float]]) -> dict[int, float]:
    total: dict[int, float] = {}
    for part in parts:
        for n, s in part.items():
            total[n] = total.get(n, 0.0) + s
    return total


def _all(parts: list[dict[int, float]]) -> dict[int, float]:
    if not parts or any(not part for part in parts):
        return {}
    common = set.intersection(*(set(part) for part in parts))
    return {n: sum(part[n] for part in parts) for n in common}


# --- generated indexes and queries ---------------------------------------------------------

words = st.sampled_from(VOCABULARY)
segments = st.lists(
    st.lists(st.tuples(st.lists(words, max_size=7), st.sampled_from(("artwork", "testimony"))), min_size=1, max_size=6),
    min_size=1,
    max_size=3,
).flatmap(
    lambda raw: st.tuples(st.just(raw), st.lists(st.booleans(), min_size=sum(map(len, raw)), max_size=sum(map(len, raw))))
)
leaves = st.one_of(
    st.builds(q.Term, st.just(FIELD), words, st.sampled_from((1.0, 3.0))),
    st.builds(q.Prefix, st.just(FIELD), st.sampled_from(("a", "ab", "abd", "b", "x"))),
    st.builds(q.Wildcard, st.just(FIELD), st.sampled_from(("a?", "ab?", "a*e", "*c", "?"))),
    st.builds(q.Phrase, st.just(FIELD), st.lists(words, min_size=1, max_size=3).map(tuple)),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(q.And, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(q.Or, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(q.AndNot, children, children),
    ),
    max_leaves=5,
)


def _index(raw: list[list[tuple[list[str], str]]], deleted: list[bool]) -> list[MemorySegment]:
    built, flags = [], iter(deleted)
    for number, docs in enumerate(raw):
        gone = {n for n in range(len(docs)) if next(flags)}
        built.append(MemorySegment([d[0] for d in docs], [d[1] for d in docs], gone, f"s{number}"))
    return built


@settings(max_examples=300, deadline=None)
@given(segments, trees)
def test_matches_scores_totals_and_facets_agree_with_the_brute_force_reference(index, tree):
    sources = _index(*index)
    reference = Reference(sources)
    expected = {n: s for n, s in reference.match(tree).items() if reference.live[n]}

    found = evaluate(IndexView(sources, ("kind",)), tree, count=reference.size, by_date=False)

    assert found.total == len(expected)
    assert {doc for _, doc in found.ranked} == set(expected)
    for score, doc in found.ranked:
        assert math.isclose(score, expected[doc], rel_tol=1e-9, abs_tol=1e-12)
    kinds: dict[str, int] = {}
    for n in expected:
        kind = [k for s in sources for k in s.kinds][n]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert found.facets["kind"] == kinds


@settings(max_examples=200, deadline=None)
@given(segments, trees, st.integers(min_value=1, max_value=4))
def test_pages_continue_the_ranking_each_match_once_ties_in_document_order(index, tree, page_size):
    sources = _index(*index)
    view = IndexView(sources, ("kind",))
    everything = evaluate(view, tree, count=view.size, by_date=False).ranked
    assert everything == sorted(everything, key=lambda pair: (-pair[0], pair[1]))

    paged = []
    for page in range(1, len(everything) // page_size + 2):
        ranked = evaluate(view, tree, count=page * page_size, by_date=False).ranked
        paged += ranked[(page - 1) * page_size : page * page_size]

    assert paged == everything


def test_a_prefix_is_cut_to_its_first_max_prefix_terms_words(monkeypatch):
    segment = MemorySegment([["lanai"], ["lance"], ["lancet"], ["land"]], ["artwork"] * 4)
    monkeypatch.setattr(evaluation, "MAX_PREFIX_TERMS", 2)

    found = evaluate(IndexView([segment], ("kind",)), q.Prefix(FIELD, "lan"), count=10, by_date=False)

    assert sorted(doc for _, doc in found.ranked) == [0, 1]  # "lanai" and "lance", alphabetically first


def test_a_phrase_needs_its_words_next_to_each_other_in_order():
    segment = MemorySegment([["quiet", "river"], ["river", "quiet"], ["quiet", "old", "river"]], ["artwork"] * 3)

    found = evaluate(IndexView([segment], ("kind",)), q.Phrase(FIELD, ("quiet", "river")), count=10, by_date=False)

    assert [doc for _, doc in found.ranked] == [0]


def test_deleted_documents_never_match_but_still_count_in_the_statistics():
    live = MemorySegment([["river"], ["stone"]], ["artwork"] * 2)
    with_deleted = MemorySegment([["river"], ["stone"]], ["artwork"] * 2, {0})
    ref = Reference([with_deleted])

    found = evaluate(IndexView([with_deleted], ("kind",)), q.Term(FIELD, "stone"), count=10, by_date=False)
    unchanged = evaluate(IndexView([live], ("kind",)), q.Term(FIELD, "river"), count=10, by_date=False)

    assert found.ranked == [(pytest.approx(ref.term("stone", 1.0)[1]), 1)]
    assert evaluate(IndexView([with_deleted], ("kind",)), q.Term(FIELD, "river"), count=10, by_date=False).total == 0
    assert unchanged.total == 1


def test_a_node_the_engine_does_not_know_is_an_error_not_a_quiet_simplification():
    with pytest.raises(TypeError):
        evaluate(IndexView([MemorySegment([["a"]], ["artwork"])], ("kind",)), "a", count=1, by_date=False)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(segments, trees)
def test_the_searched_terms_a_document_holds_are_read_off_the_postings(index, tree):
    sources = _index(*index)
    view = IndexView(sources, ("kind",))
    searched = evaluate(view, tree, count=view.size, by_date=False).terms
    tokens = [set(tokens) for source in sources for tokens in source.docs]

    for doc in range(view.size):
        held = {t for t in searched.get(FIELD, ()) if t in tokens[doc]}
        assert view.held_by(doc, searched) == ({FIELD: held} if held else {})
