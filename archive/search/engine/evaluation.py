"""A query tree evaluated over the whole index at once, with a few array operations.

:class:`IndexView` lays the segments of one commit end to end (a document's index-wide number
is its segment's offset plus its own number) and keeps, within bounds, the index-wide postings
of the words searched during that commit. :func:`evaluate` matches a tree
(:mod:`archive.search.engine.query`), drops deleted, expired, excluded and filtered-out
documents, counts the total and the facets and ranks the best. Scores are BM25 on the whole
index's statistics (Whoosh's ``BM25F`` formula and idf, see :mod:`.scoring`).

A view is shared by the threads searching the same commit: its caches are guarded by a lock
held only while one entry is looked up or stored, never across a query.
"""

from __future__ import annotations

import bisect
import fnmatch
import itertools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from archive.search.engine import query as q
from archive.search.engine.scoring import (
    K1,
    Match,
    best,
    bm25_norms,
    boosted,
    both,
    either,
    facet_counts,
    maybe,
    term_match,
    without,
)
from archive.search.engine.source import Postings, SegmentSource

VIEW_CACHE_SIZE = 2_000_000  # index-wide postings kept per commit (about 24 MB)
VIEW_EXPANSIONS = 2_000  # prefix and wildcard expansions kept per commit
VIEW_ABSENT = 10_000  # words no segment holds, remembered per commit
#: A prefix (``вой*``, or a Kazakh word) or wildcard matches at most this many words per
#: field, the first in alphabetical order: ``a*`` must not cost a pass over most of the index.
MAX_PREFIX_TERMS = 200


def joined(parts: Sequence[NDArray[Any]], dtype: Any) -> NDArray[Any]:
    """The arrays end to end, as ``dtype`` (an empty array when there are none: an empty index)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


@dataclass(frozen=True)
class Facet:
    """One facet over the whole index as pairs: document ``docs[i]`` holds ``values[codes[i]]``."""

    values: list[str]
    docs: NDArray[np.intp]
    codes: NDArray[np.intp]

    def holding(self, wanted: Sequence[str]) -> NDArray[np.intp]:
        """The documents holding any of the ``wanted`` values."""
        chosen = set(wanted)
        codes = [code for code, value in enumerate(self.values) if value in chosen]
        return self.docs[np.isin(self.codes, codes)]


class IndexView:
    """The segments of one commit as one run of documents (see the module's docstring)."""

    def __init__(self, segments: Sequence[SegmentSource], facet_names: Sequence[str]):
        self.segments = list(segments)
        self.offsets = np.array(np.cumsum([0] + [s.doc_count for s in self.segments[:-1]]), dtype=np.intp)
        self.size = sum(s.doc_count for s in self.segments)
        self.facet_names = tuple(facet_names)
        self._lock = threading.Lock()
        self._terms: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._absent: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._held = 0
        self._expansions: OrderedDict[tuple[str, str, str], list[str]] = OrderedDict()
        self._norms: dict[str, NDArray[np.float64]] = {}
        self._facets: dict[str, Facet] | None = None
        self._dates: NDArray[np.int64] | None = None
        self._live: NDArray[np.bool_] | None = None
        self._expired: tuple[date, NDArray[np.intp]] | None = None

    def postings(self, field: str, text: str) -> Postings | None:
        """Index-wide document numbers and frequencies of one term (``None``: no document has it)."""
        key = (field, text)
        with self._lock:
            if key in self._terms:
                self._terms.move_to_end(key)
                return self._terms[key]
            if key in self._absent:
                return None
        ids, frequencies = [], []
        for segment, offset in zip(self.segments, self.offsets.tolist()):
            found, tf = segment.postings(field, text)
            if len(found):
                ids.append(found.astype(np.intp) + offset)
                frequencies.append(tf)
        with self._lock:
            if not ids:
                self._absent[key] = None  # a word visitors typed: kept until the next commit, bounded
                while len(self._absent) > VIEW_ABSENT:
                    self._absent.popitem(last=False)
                return None
            entry = self._terms[key] = (np.concatenate(ids), np.concatenate(frequencies))
            self._held += len(entry[0])
            while self._held > VIEW_CACHE_SIZE and len(self._terms) > 1:
                _, dropped = self._terms.popitem(last=False)
                self._held -= len(dropped[0])
            return entry

    def expand(self, field: str, prefix: str, pattern: str | None = None) -> list[str]:
        """The terms of ``field`` in any segment that start with ``prefix`` (and match the
        wildcard ``pattern``, if given), sorted, at most ``MAX_PREFIX_TERMS``."""
        key = (field, prefix, pattern or "")
        with self._lock:
            if key in self._expansions:
                self._expansions.move_to_end(key)
                return self._expansions[key][:MAX_PREFIX_TERMS]
        matches = re.compile(fnmatch.translate(pattern)).match if pattern is not None else None
        found: set[str] = set()
        for segment in self.segments:
            terms = segment.lexicon(field)
            for term in itertools.islice(terms, bisect.bisect_left(terms, prefix), None):
                if not term.startswith(prefix):
                    break
                if matches is None or matches(term):
                    found.add(term)
        expanded = sorted(found)
        with self._lock:
            self._expansions[key] = expanded
            while len(self._expansions) > VIEW_EXPANSIONS:
                self._expansions.popitem(last=False)
        return expanded[:MAX_PREFIX_TERMS]

    def idf(self, field: str, text: str) -> float:
        """Whoosh's idf: ``log(documents / (document frequency + 1)) + 1``, deleted documents
        counted (as the index's statistics count them until a purge)."""
        postings = self.postings(field, text)
        frequency = 0 if postings is None else len(postings[0])
        return math.log(self.size / (frequency + 1)) + 1

    def norms(self, field: str) -> NDArray[np.float64]:
        """BM25 length norms of every document for ``field`` (the average is this commit's)."""
        known = self._norms.get(field)
        if known is None:
            total = sum(segment.total_length(field) for segment in self.segments)
            average = (total / self.size if self.size else 0.0) or 1.0
            lengths = joined([segment.lengths(field) for segment in self.segments], np.float64)
            known = self._norms[field] = bm25_norms(lengths, average)
        return known

    def prepare(self, scored: Iterable[str], prefixed: Iterable[str]) -> None:
        """Read now, once for this commit, what the first query to search a field would
        otherwise read: the length norms of the ``scored`` fields and each segment's lexicon
        of the ``prefixed`` ones (whose every query word is expanded as a prefix), so that a
        query's first run costs what a repeat costs. A field no document uses is skipped."""
        for field in scored:
            if any(segment.total_length(field) for segment in self.segments):
                self.norms(field)
        for field in prefixed:
            for segment in self.segments:
                segment.lexicon(field)

    def facets(self) -> dict[str, Facet]:
        """Each facet over the whole index, value codes shared by all segments."""
        facets = self._facets
        if facets is None:
            facets = {}
            for name in self.facet_names:
                codes: dict[str, int] = {}
                docs, held = [], []
                for segment, offset in zip(self.segments, self.offsets.tolist()):
                    values, segment_docs, segment_codes = segment.facet(name)
                    mapping = np.array([codes.setdefault(value, len(codes)) for value in values], dtype=np.intp)
                    docs.append(segment_docs + offset)
                    held.append(mapping[segment_codes] if len(segment_codes) else segment_codes)
                facets[name] = Facet(list(codes), joined(docs, np.intp), joined(held, np.intp))
            self._facets = facets
        return facets

    def dates(self) -> NDArray[np.int64]:
        dates = self._dates
        if dates is None:
            dates = self._dates = joined([segment.dates() for segment in self.segments], np.int64)
        return dates

    def live(self) -> NDArray[np.bool_]:
        """Which documents are not deleted (as of this commit)."""
        live = self._live
        if live is None:
            live = np.ones(self.size, dtype=bool)
            for segment, offset in zip(self.segments, self.offsets.tolist()):
                live[segment.deleted() + offset] = False
            self._live = live
        return live

    def expired(self, on: date) -> NDArray[np.intp]:
        """Documents whose consent expired before ``on``."""
        known = self._expired
        if known is None or known[0] != on:
            parts = [segment.expired(on) + offset for segment, offset in zip(self.segments, self.offsets.tolist())]
            known = self._expired = (on, joined(parts, np.intp))
        return known[1]

    def holding(self, pairs: Sequence[tuple[str, str]]) -> NDArray[np.intp]:
        """Documents holding any of these (field, term) pairs."""
        found = [postings[0] for field, text in pairs if (postings := self.postings(field, text)) is not None]
        return joined(found, np.intp)

    def held_by(self, doc: int, terms: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
        """Of ``terms`` (field -> index terms), those index-wide document ``doc`` holds, by
        field (fields where it holds none are left out): looked up in the postings, which
        are in document order."""
        held: dict[str, set[str]] = {}
        for field, texts in terms.items():
            for text in texts:
                postings = self.postings(field, text)
                if postings is None:
                    continue
                docs = postings[0]
                at = int(np.searchsorted(docs, doc))
                if at < len(docs) and docs[at] == doc:
                    held.setdefault(field, set()).add(text)
        return held

    def locate(self, doc: int) -> tuple[SegmentSource, int]:
        """The segment holding index-wide document ``doc`` and the document's number in it."""
        index = int(np.searchsorted(self.offsets, doc, side="right")) - 1
        return self.segments[index], doc - int(self.offsets[index])


@dataclass(frozen=True)
class Found:
    """Ranked documents (key, index-wide number; best first), total, facet counts, and the
    searched terms present in the index by field (for snippets)."""

    ranked: list[tuple[float, int]]
    total: int
    facets: dict[str, dict[str, int]]
    terms: dict[str, set[str]]


class Evaluation:
    """One query tree matched over an :class:`IndexView` into a :class:`Match` (or ``None``)."""

    def __init__(self, view: IndexView):
        self._view = view
        self.terms: dict[str, set[str]] = {}

    def match(self, node: q.Node) -> Match | None:
        if isinstance(node, q.Term):
            return self._term(node.field, node.text, node.boost)
        if isinstance(node, q.Prefix):
            return either(self._term(node.field, text, node.boost) for text in self._view.expand(node.field, node.text))
        if isinstance(node, q.Wildcard):
            prefix = re.split(r"[*?\[]", node.pattern, maxsplit=1)[0]
            expanded = self._view.expand(node.field, prefix, node.pattern)
            return either(self._term(node.field, text, node.boost) for text in expanded)
        if isinstance(node, q.Phrase):
            return self._phrase(node)
        if isinstance(node, q.And):
            return boosted(both([self.match(part) for part in node.parts]), node.boost)
        if isinstance(node, q.Or):
            return boosted(either([self.match(part) for part in node.parts]), node.boost)
        if isinstance(node, q.AndNot):
            return boosted(without(self.match(node.match), self.match(node.excluded)), node.boost)
        if isinstance(node, q.AndMaybe):
            return boosted(maybe(self.match(node.required), self.match(node.optional)), node.boost)
        if isinstance(node, q.Not):
            excluded = self.match(node.excluded)
            hits = np.ones(self._view.size, dtype=bool) if excluded is None else ~excluded.hits
            return Match(hits, np.where(hits, node.boost, 0.0)) if hits.any() else None
        if isinstance(node, q.Nothing):
            return None
        raise TypeError(f"not a query node: {node!r}")  # a bug in an adapter's translation

    def _phrase(self, node: q.Phrase) -> Match | None:
        """Documents with the words at consecutive positions, scored as the words' sum."""
        if not node.words:
            return None
        candidates = both([self._term(node.field, word, node.boost) for word in node.words])
        if candidates is None or len(node.words) == 1:
            return candidates
        hits = np.zeros(self._view.size, dtype=bool)
        for doc in np.flatnonzero(candidates.hits & self._view.live()).tolist():  # deleted ones need no positions
            segment, number = self._view.locate(doc)
            hits[doc] = _in_sequence([segment.positions(node.field, word, number) for word in node.words])
        if not hits.any():
            return None
        return Match(hits, np.where(hits, candidates.scores, 0.0))

    def _term(self, field: str, text: str, boost: float) -> Match | None:
        postings = self._view.postings(field, text)
        if postings is None:
            return None
        self.terms.setdefault(field, set()).add(text)
        weight = boost * self._view.idf(field, text) * (K1 + 1)
        return term_match(*postings, self._view.norms(field), weight)


def _in_sequence(positions: list[Sequence[int]]) -> bool:
    """Whether the words' positions (in the phrase's order) hold a run of consecutive ones."""
    starts: set[int] | None = None
    for offset, found in enumerate(positions):
        here = {position - offset for position in found}
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True


def evaluate(
    view: IndexView,
    tree: q.Node | None,
    *,
    count: int,
    by_date: bool,
    filters: Mapping[str, Sequence[str]] = {},
    excluded: Sequence[tuple[str, str]] = (),
    visible_on: date | None = None,
) -> Found:
    """Match ``tree`` (``None``: every document), leave out deleted documents, those holding
    an ``excluded`` (field, term), those expired before ``visible_on`` and those without a
    wanted value of each facet in ``filters``; count the total and each facet; rank the best
    ``count`` by score, or by date when ``by_date`` (or without a tree)."""
    evaluation = Evaluation(view)
    found = Match(np.ones(view.size, dtype=bool), np.zeros(view.size)) if tree is None else evaluation.match(tree)
    empty = Found([], 0, {name: {} for name in view.facet_names}, evaluation.terms)
    if found is None:
        return empty
    matched = found.hits & view.live()
    if visible_on is not None:
        matched[view.expired(visible_on)] = False
    if excluded:
        matched[view.holding(excluded)] = False
    facets = view.facets()
    for name, values in filters.items():
        if values:
            allowed = np.zeros(view.size, dtype=bool)
            allowed[facets[name].holding(values)] = True
            matched &= allowed
    total = int(np.count_nonzero(matched))
    if not total:
        return empty
    counts: dict[str, dict[str, int]] = {name: {} for name in view.facet_names}
    for name in view.facet_names:
        facet_counts(matched, facets[name].docs, facets[name].codes, facets[name].values, counts[name])
    keys = view.dates() if by_date or tree is None else found.scores
    ranked, docs = best(matched, keys, count)
    return Found(list(zip(ranked, docs)), total, counts, evaluation.terms)
