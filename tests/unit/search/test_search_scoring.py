"""``archive.search.engine.scoring``: BM25 term scores and the vectorised algebra that combines them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from archive.search.engine.scoring import B, K1, Match, best, bm25_norms, both, boosted, either, facet_counts, maybe, term_match, without

SIZE = 41  # documents in the segment the generated matches belong to
scores_st = st.dictionaries(st.integers(0, SIZE - 1), st.floats(0.0, 100.0, allow_nan=False), max_size=25)
parts_st = st.lists(scores_st, min_size=1, max_size=5)


def _match(scores: dict[int, float]) -> Match | None:
    """A segment's match from ``{document: score}`` (``None`` when nothing matches, as the adapter passes it)."""
    if not scores:
        return None
    hits = np.zeros(SIZE, dtype=bool)
    values = np.zeros(SIZE)
    for doc, score in scores.items():
        hits[doc], values[doc] = True, score
    return Match(hits, values)


def _scores(match: Match | None) -> dict[int, float]:
    if match is None:
        return {}
    unmatched = match.scores[~match.hits]
    assert not unmatched.any(), "documents that do not match must score 0"
    return {doc: float(match.scores[doc]) for doc in np.flatnonzero(match.hits).tolist()}


def _textbook_bm25(tf: float, length: float, average: float, idf: float, boost: float = 1.0) -> float:
    return boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))


def _bm25(tf: float, length: float, average: float, idf: float, boost: float = 1.0) -> float:
    """One document's score through the module: norms, then the term's weight."""
    norms = bm25_norms(np.array([length]), average)
    return float(term_match(np.array([0]), np.array([tf]), norms, boost * idf * (K1 + 1)).scores[0])


# --- BM25 ---------------------------------------------------------------------------------


def test_bm25_parameters_are_whooshs_defaults():
    assert (K1, B) == (1.2, 0.75)


def test_bm25_agrees_with_the_textbook_formula_on_hand_computed_numbers():
    # average length 5: K1 * (0.25 + 0.75 * length / 5) is 2.1, 1.2, 0.3 for lengths 10, 5, 0;
    # weight = boost 2 * idf 1.5 * (K1 + 1) = 6.6
    norms = bm25_norms(np.array([10.0, 5.0, 0.0, 7.0]), average=5)
    assert norms.tolist() == pytest.approx([2.1, 1.2, 0.3, 1.56])
    found = term_match(np.array([0, 1, 2], dtype=np.uint32), np.array([3.0, 1.0, 2.0], dtype=np.float32), norms, weight=2 * 1.5 * (K1 + 1))

    # 6.6 * 3 / (3 + 2.1), 6.6 * 1 / (1 + 1.2), 6.6 * 2 / (2 + 0.3); document 3 lacks the term
    assert found.hits.tolist() == [True, True, True, False]
    assert found.scores.tolist() == pytest.approx([19.8 / 5.1, 3.0, 13.2 / 2.3, 0.0])


@given(
    tf=st.floats(1.0, 50.0),
    length=st.floats(1.0, 500.0),
    average=st.floats(0.5, 300.0),
    idf=st.floats(0.1, 10.0),
    boost=st.floats(0.5, 4.0),
)
def test_bm25_agrees_with_the_textbook_formula(tf, length, average, idf, boost):
    assert _bm25(tf, length, average, idf, boost) == pytest.approx(_textbook_bm25(tf, length, average, idf, boost), rel=1e-12)


@given(tf=st.floats(1.0, 50.0), shorter=st.floats(0.0, 200.0), extra=st.floats(0.5, 200.0), average=st.floats(1.0, 100.0))
def test_a_longer_document_scores_lower_for_the_same_term_frequency(tf, shorter, extra, average):
    assert _bm25(tf, shorter + extra, average, idf=1.0) < _bm25(tf, shorter, average, idf=1.0)


@given(tf=st.floats(1.0, 50.0), length=st.floats(0.0, 100.0))
def test_a_higher_term_frequency_scores_higher_but_never_beyond_the_weight(tf, length):
    weight = 2.2
    assert _bm25(tf, length, 20.0, idf=1.0) < _bm25(tf + 1, length, 20.0, idf=1.0) < weight


def test_an_average_length_of_zero_counts_as_one():
    assert _bm25(2.0, 3.0, 0.0, idf=1.0) == _bm25(2.0, 3.0, 1.0, idf=1.0)


# --- OR, AND, NOT, ANDMAYBE, boosts ---------------------------------------------------------


def test_either_adds_the_scores_of_the_parts_and_keeps_every_document():
    found = either([_match({1: 1.0, 2: 2.0}), _match({2: 0.5, 3: 4.0}), None])
    assert _scores(found) == {1: 1.0, 2: 2.5, 3: 4.0}


def test_both_keeps_only_the_documents_of_every_part_with_their_scores_summed():
    found = both([_match({1: 1.0, 2: 2.0, 3: 3.0}), _match({2: 0.5, 3: 0.25, 4: 9.0}), _match({3: 1.0, 2: 1.0})])
    assert _scores(found) == {2: 3.5, 3: 4.25}


def test_no_parts_match_nothing_and_a_part_matching_nothing_empties_an_and():
    assert either([]) is None and both([]) is None
    assert both([_match({1: 1.0}), None]) is None


@given(parts_st)
def test_either_matches_the_union_and_sums_each_documents_scores(parts):
    matches = [_match(part) for part in parts]
    kept = [None if m is None else (m.hits.copy(), m.scores.copy()) for m in matches]

    combined = _scores(either(iter(matches)))  # a generator, as for a prefix's expansions

    assert combined.keys() == set().union(*parts)
    for doc, score in combined.items():
        assert math.isclose(score, sum(part[doc] for part in parts if doc in part), rel_tol=1e-9, abs_tol=1e-12)
    for match, (hits, scores) in ((m, k) for m, k in zip(matches, kept) if m is not None):
        assert (match.hits == hits).all() and (match.scores == scores).all(), "a part was changed"


@given(parts_st)
def test_both_matches_the_intersection_and_sums_each_documents_scores(parts):
    combined = _scores(both([_match(part) for part in parts]))

    assert combined.keys() == set(parts[0]).intersection(*parts[1:])
    for doc, score in combined.items():
        assert math.isclose(score, sum(part[doc] for part in parts), rel_tol=1e-9, abs_tol=1e-12)


def test_without_drops_the_excluded_documents_and_keeps_the_others_scores():
    assert _scores(without(_match({1: 1.0, 2: 2.0, 3: 3.0}), _match({2: 5.0, 7: 1.0}))) == {1: 1.0, 3: 3.0}
    assert _scores(without(_match({1: 1.0}), None)) == {1: 1.0}
    assert without(_match({1: 1.0}), _match({1: 2.0})) is None


@given(scores_st, scores_st)
def test_without_is_the_difference_of_the_documents(scores, excluded):
    assert _scores(without(_match(scores), _match(excluded))) == {d: s for d, s in scores.items() if d not in excluded}


@given(scores_st, scores_st)
def test_maybe_keeps_the_required_documents_and_adds_the_optional_scores(required, optional):
    found = _scores(maybe(_match(required), _match(optional)))

    assert found.keys() == required.keys()
    for doc, score in found.items():
        assert math.isclose(score, required[doc] + optional.get(doc, 0.0), rel_tol=1e-12)


def test_boosted_multiplies_every_score():
    assert _scores(boosted(_match({1: 1.0, 2: 2.5}), 3.0)) == {1: 3.0, 2: 7.5}
    assert _scores(boosted(_match({1: 1.5}), 1.0)) == {1: 1.5}
    assert boosted(None, 2.0) is None


# --- facets and ranking -------------------------------------------------------------------


def _facet(values: dict[str, set[int]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    names = sorted(values)
    docs = [doc for name in names for doc in sorted(values[name])]
    codes = [code for code, name in enumerate(names) for _ in values[name]]
    return np.array(docs, dtype=np.intp), np.array(codes, dtype=np.intp), names


def _mask(docs: set[int], size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[list(docs)] = True
    return mask


def test_facet_counts_add_to_the_existing_counts_and_skip_values_no_match_holds():
    into = {"north": 2, "east": 1}
    docs, codes, names = _facet({"north": {1, 2, 3}, "south": {9}, "paper": {2}})

    facet_counts(_mask({2, 3, 4}, 10), docs, codes, names, into)

    assert into == {"north": 4, "east": 1, "paper": 1}


@given(
    st.integers(1, 30).flatmap(
        lambda every: st.tuples(
            st.just(every),
            st.sets(st.integers(0, every - 1)),
            st.dictionaries(st.sampled_from("abcde"), st.sets(st.integers(0, every - 1)) | st.just(set(range(every)))),
        )
    )
)
def test_facet_counts_count_the_matched_documents_holding_each_value(case):
    every, matched, values = case
    into: dict[str, int] = {}
    docs, codes, names = _facet(values)

    facet_counts(_mask(matched, every), docs, codes, names, into)

    expected = {value: len(matched & held) for value, held in values.items() if matched & held}
    assert into == expected


def test_best_keeps_the_earlier_document_of_a_tie_at_the_cut():
    scores = np.zeros(10)
    scores[[8, 0, 3]] = [1.0, 1.0, 2.0]

    assert best(_mask({8, 0, 3}, 10), scores, 2) == ([2.0, 1.0], [3, 0])


@given(scores_st, st.integers(0, 30))
def test_best_picks_the_highest_keys_with_ties_in_document_order(scores, count):
    assume(scores)
    found = _match(scores)
    expected = sorted(scores, key=lambda d: (-scores[d], d))[:count]
    keys, docs = best(found.hits, found.scores, count)

    assert docs == expected and keys == [scores[d] for d in expected]


def test_best_ranks_dates_too():
    dates = np.array([738000, 739000, 0, 739000], dtype=np.int64)

    assert best(np.array([True, True, True, True]), dates, 3) == ([739000, 739000, 738000], [1, 3, 0])
