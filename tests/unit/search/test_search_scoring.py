"""``archive.search_scoring``: BM25 term scores and the set algebra that combines them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.search_scoring import B, K1, best_scored, bm25_norms, both, boosted, either, facet_counts, term_scores, top, without

scores_st = st.dictionaries(st.integers(0, 40), st.floats(0.0, 100.0, allow_nan=False), max_size=25)
parts_st = st.lists(scores_st, min_size=1, max_size=5)


def _textbook_bm25(tf: float, length: float, average: float, idf: float, boost: float = 1.0) -> float:
    return boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))


def _bm25(tf: float, length: float, average: float, idf: float, boost: float = 1.0) -> float:
    """One document's score through the module: norms, then the term's weight."""
    return term_scores([0], [tf], bm25_norms([length], average), boost * idf * (K1 + 1))[0]


# --- BM25 ---------------------------------------------------------------------------------


def test_bm25_parameters_are_whooshs_defaults():
    assert (K1, B) == (1.2, 0.75)


def test_bm25_agrees_with_the_textbook_formula_on_hand_computed_numbers():
    # average length 5: K1 * (0.25 + 0.75 * length / 5) is 2.1, 1.2, 0.3 for lengths 10, 5, 0;
    # weight = boost 2 * idf 1.5 * (K1 + 1) = 6.6
    norms = bm25_norms([10, 5, 0, 7], average=5)
    assert norms == pytest.approx([2.1, 1.2, 0.3, 1.56])
    scores = term_scores([0, 1, 2], [3.0, 1.0, 2.0], norms, weight=2 * 1.5 * (K1 + 1))

    # 6.6 * 3 / (3 + 2.1), 6.6 * 1 / (1 + 1.2), 6.6 * 2 / (2 + 0.3); document 3 lacks the term
    assert scores == pytest.approx({0: 19.8 / 5.1, 1: 3.0, 2: 13.2 / 2.3})


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


# --- OR, AND, NOT, boosts -----------------------------------------------------------------


def test_either_adds_the_scores_of_the_parts_and_keeps_every_document():
    assert either([{1: 1.0, 2: 2.0}, {2: 0.5, 3: 4.0}, {}]) == {1: 1.0, 2: 2.5, 3: 4.0}


def test_both_keeps_only_the_documents_of_every_part_with_their_scores_summed():
    assert both([{1: 1.0, 2: 2.0, 3: 3.0}, {2: 0.5, 3: 0.25, 4: 9.0}, {3: 1.0, 2: 1.0}]) == {2: 3.5, 3: 4.25}


def test_no_parts_match_nothing():
    assert either([]) == {} and both([]) == {}


@given(parts_st)
def test_either_matches_the_union_and_sums_each_documents_scores(parts):
    originals = [dict(part) for part in parts]
    combined = either(parts)  # consumes its parts (the largest becomes the result)

    assert combined.keys() == set().union(*originals)
    for doc, score in combined.items():
        assert math.isclose(score, sum(part[doc] for part in originals if doc in part), rel_tol=1e-9, abs_tol=1e-12)


@given(parts_st)
def test_both_matches_the_intersection_and_sums_each_documents_scores(parts):
    copies = [dict(part) for part in parts]
    combined = both(parts)

    assert combined.keys() == set(parts[0]).intersection(*parts[1:])
    for doc, score in combined.items():
        assert math.isclose(score, sum(part[doc] for part in parts), rel_tol=1e-9, abs_tol=1e-12)
    assert parts == copies


def test_without_drops_the_excluded_documents_and_keeps_the_others_scores():
    assert without({1: 1.0, 2: 2.0, 3: 3.0}, {2, 7}) == {1: 1.0, 3: 3.0}
    assert without({1: 1.0}, set()) == {1: 1.0}


@given(scores_st, st.sets(st.integers(0, 40)))
def test_without_is_the_difference_of_the_documents(scores, excluded):
    assert without(scores, excluded) == {d: s for d, s in scores.items() if d not in excluded}


def test_boosted_multiplies_every_score():
    assert boosted({1: 1.0, 2: 2.5}, 3.0) == {1: 3.0, 2: 7.5}
    assert boosted({1: 1.5}, 1.0) == {1: 1.5}


# --- facets and ranking -------------------------------------------------------------------


def test_facet_counts_add_to_the_existing_counts_and_skip_values_no_match_holds():
    into = {"north": 2, "east": 1}
    values = {"north": {1, 2, 3}, "south": {9}, "paper": {2}}

    facet_counts({2, 3, 4}, values, into, every=10)

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

    facet_counts(matched, values, into, every)

    expected = {value: len(matched & docs) for value, docs in values.items() if matched & docs}
    assert into == expected


def test_top_returns_the_best_first_and_breaks_ties_by_the_earlier_position():
    candidates = [(1.0, -5), (2.0, -7), (1.0, -2), (2.0, -3), (0.5, -1)]

    assert top(candidates, 3) == [(2.0, -3), (2.0, -7), (1.0, -2)]
    assert top(candidates, 10) == [(2.0, -3), (2.0, -7), (1.0, -2), (1.0, -5), (0.5, -1)]


@given(st.lists(st.tuples(st.integers(0, 5).map(float), st.integers(0, 100)), unique_by=lambda c: c[1]), st.integers(0, 20))
def test_top_ranks_by_key_then_position(candidates, count):
    ranked = top([(key, -position) for key, position in candidates], count)

    assert [(key, -p) for key, p in ranked] == sorted(candidates, key=lambda c: (-c[0], c[1]))[:count]


def test_best_scored_keeps_the_earlier_document_of_a_tie_at_the_cut():
    # 8 and 0 share a slot of a small set, which then lists 8 first
    assert best_scored({8: 1.0, 0: 1.0, 3: 2.0}, {8, 0, 3}, 2) == [3, 0]


@given(scores_st, st.integers(0, 30))
def test_best_scored_picks_the_highest_scores_with_ties_in_document_order(scores, count):
    assert best_scored(scores, set(scores), count) == sorted(scores, key=lambda d: (-scores[d], d))[:count]
