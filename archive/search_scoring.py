"""Ranking and counting over plain postings, for the search adapter's query evaluation.

Engine-agnostic: the Whoosh adapter reads postings (document numbers and term frequencies),
field lengths and facet values from its segments and hands them here as plain sequences,
dicts and sets, so that ranking, totals and facet counts cost set and dict operations done
in C rather than a Python call per matching document.

Scores follow BM25 (the same formula and defaults as Whoosh's ``BM25F``)::

    score = boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average_length))
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = ["B", "K1", "Scores", "best_scored", "both", "bm25_norms", "boosted", "either", "facet_counts", "term_scores", "top", "without"]

K1 = 1.2
B = 0.75

#: Document number (within one segment) -> score.
Scores = dict[int, float]


def bm25_norms(lengths: Iterable[float], average: float) -> list[float]:
    """Per document, the length part of BM25's denominator: ``K1 * (1 - B + B * length / average)``
    (an average of 0 counts as 1)."""
    base = K1 * (1 - B)
    per_length = K1 * B / (average or 1.0)
    return [base + per_length * length for length in lengths]


def term_scores(ids: Iterable[int], frequencies: Iterable[float], norms: Sequence[float], weight: float) -> Scores:
    """The BM25 score of one term in each document holding it; ``weight`` is ``boost * idf * (K1 + 1)``."""
    return {doc: weight * tf / (tf + norms[doc]) for doc, tf in zip(ids, frequencies)}


def either(parts: Sequence[Scores]) -> Scores:
    """OR: documents matching any part; the scores of the parts a document matches add up.

    The largest part is updated in place and returned: parts are the caller's temporaries.
    """
    parts = [part for part in parts if part]
    if not parts:
        return {}
    largest = max(parts, key=len)
    for part in parts:
        if part is largest:
            continue
        get = largest.get
        for doc, score in part.items():
            largest[doc] = get(doc, 0.0) + score
    return largest


def both(parts: Sequence[Scores]) -> Scores:
    """AND: documents matching every part; their scores add up."""
    if not parts:
        return {}
    ordered = sorted(parts, key=len)
    keys = list(set(ordered[0]).intersection(*ordered[1:]))
    totals: Iterable[float] = map(ordered[0].__getitem__, keys)
    for part in ordered[1:]:  # C-level maps: no Python call per document
        totals = map(operator.add, totals, map(part.__getitem__, keys))
    return dict(zip(keys, totals))


def without(scores: Scores, excluded: Collection[int]) -> Scores:
    """The documents of ``scores`` that are not in ``excluded``."""
    if not excluded:
        return scores
    return {doc: score for doc, score in scores.items() if doc not in excluded}


def boosted(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {doc: score * boost for doc, score in scores.items()}


def facet_counts(matched: set[int], values: Mapping[str, set[int]], into: dict[str, int], every: int) -> None:
    """Add to ``into`` how many ``matched`` documents hold each facet value (a document may
    hold several values, or none). ``matched`` is drawn from documents ``0 .. every - 1``: a
    value that all of them hold counts every match without an intersection."""
    for value, docs in values.items():
        count = len(matched) if len(docs) == every else len(matched & docs)  # & walks the smaller set
        if count:
            into[value] = into.get(value, 0) + count


def top(candidates: Iterable[tuple[float, int]], count: int) -> list[tuple[float, int]]:
    """The ``count`` best ``(key, -position)`` pairs, best first (a higher key wins; equal
    keys keep the earlier position first)."""
    return heapq.nlargest(count, candidates)


def best_scored(scores: Scores, docs: Iterable[int], count: int) -> list[int]:
    """The ``count`` documents of ``docs`` with the highest scores, best first; equal scores
    in document order. Two C-level sorts (``heapq.nlargest`` loops in Python): by document,
    then stably by score, so that a tie at the cut keeps the earlier documents."""
    ranked = sorted(docs, key=scores.__getitem__, reverse=True)
    if len(ranked) > count and scores[ranked[count - 1]] == scores[ranked[count]]:
        ranked = sorted(sorted(docs), key=scores.__getitem__, reverse=True)  # a tie at the cut
    return sorted(ranked[:count], key=lambda doc: (-scores[doc], doc))
