"""Ranking and counting over plain postings, for the search adapter's query evaluation.

Engine-agnostic: the Whoosh adapter reads postings (document numbers and term frequencies),
field lengths, facet values and dates from its index and hands them here as NumPy arrays.
A query's result is a :class:`Match`: which documents match and their scores, both as
arrays with one entry per document of the index. AND, OR, AND NOT, totals, facet counts and
the top of the ranking are then a few vectorised operations, however many documents match,
instead of a Python step per matching document.

Scores follow BM25 (the same formula and defaults as Whoosh's ``BM25F``)::

    score = boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average_length))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "K1",
    "B",
    "Match",
    "best",
    "bm25_norms",
    "boosted",
    "both",
    "either",
    "facet_counts",
    "maybe",
    "term_match",
    "without",
]

K1 = 1.2
B = 0.75


class Match(NamedTuple):
    """The documents a query matches (``hits``) and their ``scores`` (0 where ``hits`` is
    false), both indexed by document number."""

    hits: NDArray[np.bool_]
    scores: NDArray[np.float64]


def bm25_norms(lengths: NDArray[np.float64], average: float) -> NDArray[np.float64]:
    """Per document, the length part of BM25's denominator: ``K1 * (1 - B + B * length / average)``
    (an average of 0 counts as 1)."""
    return K1 * (1 - B) + (K1 * B / (average or 1.0)) * lengths


def term_match(ids: NDArray[np.integer], frequencies: NDArray[np.floating], norms: NDArray[np.float64], weight: float) -> Match:
    """The documents holding one term and its BM25 score in each; ``weight`` is
    ``boost * idf * (K1 + 1)``; ``norms`` (from :func:`bm25_norms`) covers every document."""
    hits = np.zeros(len(norms), dtype=bool)
    hits[ids] = True
    scores = np.zeros(len(norms))
    tf = frequencies.astype(np.float64)
    scores[ids] = weight * tf / (tf + norms[ids])
    return Match(hits, scores)


def either(parts: Iterable[Match | None]) -> Match | None:
    """OR: documents matching any part; the scores of the parts a document matches add up.

    ``parts`` may be a generator: they are added up one at a time, so that however many
    there are (a prefix's expansions), only the running total and one part are in memory.
    """
    total: Match | None = None
    owned = False  # whether total's arrays are ours to add into (not a caller's part)
    for part in parts:
        if part is None:
            continue
        if total is None:
            total = part
            continue
        if not owned:
            total, owned = Match(total.hits.copy(), total.scores.copy()), True
        total.hits[...] |= part.hits
        total.scores[...] += part.scores
    return total


def both(parts: Sequence[Match | None]) -> Match | None:
    """AND: documents matching every part; their scores add up."""
    if not parts or any(part is None for part in parts):
        return None
    hits, scores = parts[0].hits.copy(), parts[0].scores.copy()  # type: ignore[union-attr]
    for part in parts[1:]:
        hits &= part.hits  # type: ignore[union-attr]
        scores += part.scores  # type: ignore[union-attr]
    if not hits.any():
        return None
    scores[~hits] = 0.0
    return Match(hits, scores)


def without(match: Match | None, excluded: Match | None) -> Match | None:
    """AND NOT: the documents of ``match`` that ``excluded`` does not match."""
    if match is None or excluded is None:
        return match
    hits = match.hits & ~excluded.hits
    if not hits.any():
        return None
    return Match(hits, np.where(hits, match.scores, 0.0))


def maybe(required: Match | None, optional: Match | None) -> Match | None:
    """AND MAYBE: the documents of ``required``; ``optional`` adds its score where it matches too."""
    if required is None or optional is None:
        return required
    return Match(required.hits, required.scores + np.where(required.hits, optional.scores, 0.0))


def boosted(match: Match | None, boost: float) -> Match | None:
    if match is None or boost == 1.0:
        return match
    return Match(match.hits, match.scores * boost)


def facet_counts(
    matched: NDArray[np.bool_], docs: NDArray[np.integer], codes: NDArray[np.integer], values: Sequence[str], into: dict[str, int]
) -> None:
    """Add to ``into`` how many ``matched`` documents hold each facet value. The facet is
    given as pairs: document ``docs[i]`` holds value ``values[codes[i]]`` (a document may hold
    several values, or none)."""
    if not len(docs):
        return
    counts = np.bincount(codes[matched[docs]], minlength=len(values))
    for code in np.flatnonzero(counts).tolist():
        into[values[code]] = into.get(values[code], 0) + int(counts[code])


def best(matched: NDArray[np.bool_], keys: NDArray[np.number], count: int) -> tuple[list[float], list[int]]:
    """The ``count`` matched documents with the highest ``keys`` (scores or dates), best first,
    equal keys in document order; returned as their keys and document numbers."""
    if count <= 0:
        return [], []
    docs = np.flatnonzero(matched)
    ranked = keys[docs]
    if len(docs) > count:
        cut = np.partition(ranked, len(docs) - count)[len(docs) - count]
        near = ranked >= cut  # the best ``count``, and whatever ties with the last of them
        docs, ranked = docs[near], ranked[near]
    order = np.lexsort((docs, -ranked))[:count]
    return ranked[order].tolist(), docs[order].tolist()
