"""The search port implemented with Whoosh (``whoosh-reloaded``).

This is the only module that imports ``whoosh``. The index lives in one folder that it owns:
Whoosh's segment and TOC files, ``position.json`` (the notification id applied so far) and
``write.lock`` (held by the one writable instance). Every stored field is filled only with text
the consent gate allowed, and withdrawn text leaves the files when ``purge_deleted`` rewrites
the segments that still hold deleted documents.

Queries are parsed by Whoosh but evaluated here (:class:`_Evaluation`) over the whole index
at once (:class:`_IndexView`, one per commit), from data read once from each segment and
kept in memory while the segment is live: decoded postings, field lengths, facet values,
dates. A segment never changes after it is written, so this data never goes stale (and its
open reader is kept from one commit to the next while its deletions stay the same);
deletions are taken from the current commit, and what was read from a segment is dropped
once a merge or purge replaced it.
"""

from __future__ import annotations

import bisect
import fcntl
import functools
import html
import itertools
import json
import os
import re
import shutil
import threading
import unicodedata
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import qparser, scoring
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, Analyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.writing import NO_MERGE

from archive.durable import fsync_dir
from archive.errors import ArchiveError
from archive.search.whoosh import hooks
from archive.search.engine.scoring import K1, Match, best, bm25_norms, both, boosted, either, facet_counts, maybe, term_match, without
from archive.search import (
    FACETS,
    MAX_PAGE_SIZE,
    FacetCount,
    SearchDocument,
    SearchHit,
    SearchIndex,
    SearchQuery,
    SearchResults,
)

__all__ = ["IndexLocked", "IndexReadOnly", "WhooshSearchIndex"]

LANGUAGES = ("en", "ru", "kk")
_INDEX_NAME = "MAIN"
_POSITION_FILE = "position.json"
_LOCK_FILE = "write.lock"
_NO_DATE = 0  # sort_date of documents without a date (real ones are ordinals >= 1): last

MAX_QUERY_CHARS = 500
BULK_PROCS = 2  # processes of the multi-process writer used by rebuilds
BULK_MIN_DOCS_PER_PROC = 250  # below this, forking costs more than it saves
BULK_LIMIT_MB = 128
_MIN_PREFIX_CHARS = 3  # shorter Kazakh query words match exactly (a 1-2 letter prefix is noise)
SMALL_SEGMENT_DOCS = 200  # below a rebuild's segments (~1,000 docs), which are never merged
MERGE_FACTOR = 4

_TOKEN_PATTERN = r"[^\W_]+"  # runs of letters and digits in any script (incl. ә ғ қ ң ө ұ ү һ і)
_KAZAKH_STOPWORDS = frozenset(
    {"және", "мен", "бен", "пен", "да", "де", "та", "те", "бұл", "осы", "ол", "үшін"}
)
_TEXT_PARTS = ("title", "text", "meta")  # meta_<lang> holds the medium and the series
_TEXT_FIELDS = tuple(f"{part}_{lang}" for lang in LANGUAGES for part in _TEXT_PARTS)
#: note_<lang>: an item's content note, searchable ("violence" finds the testimonies whose
#: note says so) but not stored: a hit shows the note from current state, never a snippet of it.
_NOTE_FIELDS = tuple(f"note_{lang}" for lang in LANGUAGES)
_KAZAKH_FIELDS = frozenset({*(f"{part}_kk" for part in _TEXT_PARTS), "note_kk"})
_SEARCH_FIELDS = (*_TEXT_FIELDS, *_NOTE_FIELDS, "contributor")
_FIELD_BOOSTS = {
    **{f"title_{lang}": 3.0 for lang in LANGUAGES},
    **{f"meta_{lang}": 1.5 for lang in LANGUAGES},
    "contributor": 2.0,
}
_SNIPPET_FIELDS = _TEXT_FIELDS
_WORD = re.compile(_TOKEN_PATTERN)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_FIELD_SYNTAX = re.compile(r"(?:^|[\s(])[^\W\d]\w*:")


class IndexLocked(ArchiveError, RuntimeError):
    """Another process (or instance) already holds the index folder open for writing."""


class IndexReadOnly(RuntimeError):
    """A read-only ``WhooshSearchIndex`` was asked to change the index."""


# --- schema -------------------------------------------------------------------------------


def _stopwords() -> frozenset[str]:
    # One stop list for every field: a word dropped by one language's analyzer but kept by
    # another would otherwise be required (AND) only in the fields that kept it.
    # English: Whoosh's short default list (StemmingAnalyzer's); Russian: LanguageAnalyzer's.
    return STOP_WORDS | frozenset(stopwords_for_language("ru")) | _KAZAKH_STOPWORDS


def _analyzer(stem_language: str | None) -> Analyzer:
    """Letters-and-digits tokens, lower-cased, shared stop list; stemmed when a language is given.

    ``_analyzer("ru")`` is ``LanguageAnalyzer("ru")`` (Snowball) with the shared stop list;
    Kazakh has no stemmer (prefix queries stand in for it at search time).
    """
    chain = RegexTokenizer(_TOKEN_PATTERN) | LowercaseFilter() | StopFilter(stoplist=_stopwords())
    if stem_language is not None:
        chain = chain | StemFilter(lang=stem_language)
    return chain


def build_schema() -> Schema:
    """The index schema: facets and filters as IDs/numbers, stored per-language text fields."""
    analyzers = {"en": _analyzer("en"), "ru": _analyzer("ru"), "kk": _analyzer(None)}
    fields: dict[str, Any] = {
        "doc_id": ID(unique=True, stored=True),
        "kind": ID(stored=True),
        "version": NUMERIC(int, bits=64, stored=True, sortable=True),
        "contributor_id": ID(),
        "exhibition": KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        "year": NUMERIC(int, bits=32, stored=True),
        "language": ID(stored=True),
        "sort_date": NUMERIC(int, bits=32, signed=False, sortable=True, default=_NO_DATE),
        "expires": NUMERIC(int, bits=32, default=_NO_DATE),  # signed: Whoosh ranges over unsigned fields also match larger values,
        "contributor": TEXT(analyzer=_analyzer(None)),
    }
    for lang in LANGUAGES:
        for part in _TEXT_PARTS:
            fields[f"{part}_{lang}"] = TEXT(analyzer=analyzers[lang], stored=True)
        fields[f"note_{lang}"] = TEXT(analyzer=analyzers[lang])
    return Schema(**fields)


_SCHEMA = build_schema()  # for analysing snippet words as the index does


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _document_fields(doc: SearchDocument) -> dict[str, Any]:
    fields: dict[str, Any] = {"doc_id": doc.doc_id, "kind": doc.kind, "version": doc.version}
    if doc.contributor_id:
        fields["contributor_id"] = doc.contributor_id
    if doc.exhibitions:
        fields["exhibition"] = ",".join(doc.exhibitions)
    if doc.year is not None:
        fields["year"] = doc.year
    if doc.language:
        fields["language"] = doc.language
    if doc.sort_date is not None:
        fields["sort_date"] = doc.sort_date.toordinal()
    if doc.expires_on is not None:
        fields["expires"] = doc.expires_on.toordinal()
    if doc.contributor:
        fields["contributor"] = _nfc(doc.contributor)
    for lang in LANGUAGES:
        meta = "\n".join(t for t in (doc.medium.get(lang), doc.series.get(lang)) if t)
        for part, text in (("title", doc.titles.get(lang)), ("text", doc.texts.get(lang)), ("meta", meta)):
            if text:
                fields[f"{part}_{lang}"] = _nfc(text)
        if note := doc.content_notes.get(lang):
            fields[f"note_{lang}"] = _nfc(note)
    return fields


def _fields_in(schema: Schema, doc: SearchDocument) -> dict[str, Any]:
    """The document's fields that ``schema`` has: an index built before a field was added
    keeps following the log without it until it is rebuilt (see ``needs_rebuild``)."""
    return {name: value for name, value in _document_fields(doc).items() if name in schema}


# --- merging ------------------------------------------------------------------------------


def _copy_live_docs(writer: Any, segments: Iterable[Any]) -> None:
    """Copy the live documents of ``segments`` into the writer's new segment (drops deleted)."""
    for segment in segments:
        if segment.doc_count() == 0:
            continue
        reader = hooks.segment_reader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Merge policy: fold a few small segments together, never everything into one.

    Whoosh's default policy (and ``optimize``) can fold the whole index into one segment; a
    purge must then rewrite every document to drop one. Here only segments under
    ``SMALL_SEGMENT_DOCS`` documents take part, ``MERGE_FACTOR`` or more of one size class
    at a time (see :func:`_small_segments_to_merge`). Segments that have
    grown large are left alone (only ``purge_deleted`` rewrites them, and only when they hold
    deleted documents), so one commit or purge rewrites at most a few thousand documents
    beyond the batch itself. Deleted documents in merged segments are dropped on the way.
    """
    chosen = _small_segments_to_merge(segments)
    if not chosen:
        return segments
    _copy_live_docs(writer, chosen)
    merged = {s.segment_id() for s in chosen}
    return [s for s in segments if s.segment_id() not in merged]


def _tier(documents: int) -> int:
    """A segment's size class: 0 for up to MERGE_FACTOR documents, 1 for up to MERGE_FACTOR², ..."""
    tier = 0
    while documents > MERGE_FACTOR ** (tier + 1):
        tier += 1
    return tier


def _small_segments_to_merge(segments: list[Any]) -> list[Any]:
    """The small segments ``merge_small_segments`` would fold together (empty: none).

    Tiered, as log-structured merges are: only ``MERGE_FACTOR`` or more segments of the same
    size class merge, the smallest class first, so one compaction rewrites a few segments of
    similar size, not the largest small segment every time one more document came in.
    """
    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        if segment.doc_count_all() < SMALL_SEGMENT_DOCS:
            tiers.setdefault(_tier(segment.doc_count_all()), []).append(segment)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FACTOR:
            chosen = sorted(tiers[tier], key=lambda s: s.doc_count())[: MERGE_FACTOR * 2]
            return chosen
    return []


def _rewrite_segment(writer: Any, segments: list[Any], *, segment_id: str) -> list[Any]:
    """Merge policy for ``purge_deleted``: rewrite one segment (its live documents only) as
    the commit's new segment, so that a purge never folds segments together and grows them."""
    _copy_live_docs(writer, [s for s in segments if s.segment_id() == segment_id])
    return [s for s in segments if s.segment_id() != segment_id]


# --- files --------------------------------------------------------------------------------


def _storage(path: Path, *, readonly: bool) -> Any:
    """The index folder's storage, with memory maps turned off (see :func:`hooks.storage`:
    0.4-1 s and about 800 MB per new searcher at 50,000 documents, against 30 ms)."""
    return hooks.storage(str(path), readonly=readonly)


def _fsync_new_files(folder: Path, before: set[str]) -> None:
    """Flush to disk the files a commit wrote (those not in ``before``), then the folder.
    Files that were there before were flushed by the commit that wrote them, and Whoosh never
    rewrites a file under the same name."""
    _fsync_files(folder, set(os.listdir(folder)) - before)


def _fsync_files(folder: Path, names: Iterable[str]) -> None:
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fsync_dir(folder)


def _write_position(folder: Path, position: int) -> None:
    """Atomically replace ``position.json``: tmp file, fsync, rename, fsync the folder."""
    tmp = folder / f".{_POSITION_FILE}.{os.getpid()}.tmp"
    data = json.dumps({"position": position}).encode("ascii")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, folder / _POSITION_FILE)
    fsync_dir(folder)


def _read_position(folder: Path) -> int:
    try:
        raw = (folder / _POSITION_FILE).read_bytes()
    except FileNotFoundError:
        return 0
    position = json.loads(raw)["position"]
    if not isinstance(position, int) or position < 0:
        raise ValueError(f"{folder / _POSITION_FILE} holds no valid position")
    return position


# --- queries ------------------------------------------------------------------------------


def _clean_query_text(text: str) -> tuple[str, list[str]]:
    """Drop control and invisible characters, normalize, and truncate overlong queries."""
    notices: list[str] = []
    chars = []
    for char in _nfc(text):
        category = unicodedata.category(char)
        if category == "Cc" or char.isspace():
            chars.append(" ")
        elif category not in ("Cf", "Cs", "Co", "Cn"):
            chars.append(char)
    cleaned = " ".join("".join(chars).split())
    if len(cleaned) > MAX_QUERY_CHARS:
        cut = cleaned[:MAX_QUERY_CHARS]
        if cleaned[MAX_QUERY_CHARS].isalnum() and " " in cut:
            cut = cut.rsplit(" ", 1)[0]  # do not search for half a word
        cleaned = cut
        notices.append(f"Your query was shortened to its first {MAX_QUERY_CHARS} characters.")
    return cleaned, notices


def _syntax_problem(text: str) -> str | None:
    """Why the query syntax cannot be trusted as written, or ``None``."""
    if text.count('"') % 2:
        return "unbalanced quotes"
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        return "unbalanced brackets"
    if _FIELD_SYNTAX.search(text):
        return "searching in named fields (name:) is not supported"
    words = [w for w in re.split(r"[\s()]+", text) if w]
    flags = [w in _OPERATORS for w in words]
    if flags and (flags[0] and words[0] != "NOT" or flags[-1]):
        return "AND, OR and NOT need words on both sides"
    if any(a and b and w2 != "NOT" for a, b, w2 in zip(flags, flags[1:], words[1:])):
        return "AND, OR and NOT need words on both sides"
    return None


def _prefix_kazakh_terms(q: wq.Query) -> wq.Query:
    """Kazakh has no stemmer: a plain query word matches Kazakh words that start with it."""
    if (
        type(q) is wq.Term
        and q.fieldname in _KAZAKH_FIELDS
        and isinstance(q.text, str)
        and len(q.text) >= _MIN_PREFIX_CHARS
    ):
        return wq.Prefix(q.fieldname, q.text, boost=q.boost, constantscore=False)
    return q


def _any_of(queries: list[wq.Query]) -> wq.Query | None:
    return wq.Or(queries) if queries else None


def _expired_before(on: date) -> wq.Query:
    return wq.NumericRange("expires", 1, on.toordinal() - 1)


def _exclusion(query: SearchQuery) -> wq.Query | None:
    return _any_of([wq.Term(field, i) for i in query.exclude_ids for field in ("doc_id", "contributor_id")])


def _search_fields(searcher: Searcher) -> tuple[str, ...]:
    """The fields a query searches that this index has (one built before a field was added
    lacks it until it is rebuilt)."""
    return tuple(name for name in _SEARCH_FIELDS if name in searcher.schema)


def _facet_list(counts: dict[str, int]) -> list[FacetCount]:
    return [FacetCount(value, count) for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


# --- query evaluation -----------------------------------------------------------------------

POSTINGS_CACHE_SIZE = 4_000_000  # decoded postings kept per index instance (8 bytes each: about 32 MB)
Postings = tuple[NDArray[np.uint32], NDArray[np.float32]]  # document numbers, term frequencies
_NO_POSTINGS: Postings = (np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32))


def _joined(parts: list[NDArray[Any]], dtype: Any) -> NDArray[Any]:
    """The arrays end to end, as ``dtype`` (an empty array when there are none: an empty index)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def _term_matcher(reader: SegmentReader, fieldname: str, text: Any) -> Any | None:
    """A matcher over every posting of one term in one segment, deleted documents too (they
    are removed per query, with the current reader's deletions), from its first posting;
    ``None`` if the segment lacks the term. The filter that hides deleted documents is left
    out: constructing it has already moved its child past the first ones."""
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return None
    return hooks.unfiltered(matcher)


def _read_postings(reader: SegmentReader, fieldname: str, text: Any) -> Postings:
    """Every posting of one term in one segment as document numbers and term frequencies."""
    matcher = _term_matcher(reader, fieldname, text)
    if matcher is None:
        return _NO_POSTINGS
    ids, frequencies = array("I"), array("f")
    hooks.read_all_postings(matcher, ids, frequencies)
    return np.asarray(ids), np.asarray(frequencies)  # through the buffer protocol: no copy


def _read_values(reader: SegmentReader, fieldname: str, text: str) -> dict[int, bytes]:
    """Each document's encoded posting value (its positions) for one term in one segment."""
    matcher = _term_matcher(reader, fieldname, text)
    found: dict[int, bytes] = {}
    if matcher is None:
        return found
    while matcher.is_active():
        found[matcher.id()] = matcher.value()
        matcher.next()
    return found


_DICT_ENTRY_COST = 12  # a dict entry with a bytes value takes about 12 times an array posting


def _size(entry: Postings | dict[int, bytes]) -> int:
    """The budget one cache entry takes, in array postings (plus one for the entry itself)."""
    return (len(entry) * _DICT_ENTRY_COST if isinstance(entry, dict) else len(entry[0])) + 1


class _PostingsCache:
    """Decoded postings by segment, field and term, least recently used dropped first once
    entries worth more than ``budget`` array postings are held. Segments never change, so an
    entry never goes stale; entries of segments a merge or purge replaced are dropped
    (``keep_only``) together, by segment."""

    def __init__(self, budget: int):
        self._budget = budget
        self._held = 0
        self._entries: OrderedDict[tuple[str, str, str, str], Any] = OrderedDict()
        self._by_segment: dict[str, set[tuple[str, str, str, str]]] = {}
        self._absent: set[tuple[str, str, str, str]] = set()  # keys of terms a segment lacks

    def get(self, reader: SegmentReader, segment_id: str, fieldname: str, text: str) -> Postings:
        """Document numbers and term frequencies of one term in one segment."""
        return self._cached((segment_id, "postings", fieldname, text), lambda: _read_postings(reader, fieldname, text))

    def values(self, reader: SegmentReader, segment_id: str, fieldname: str, text: str) -> dict[int, bytes]:
        """Each document's encoded posting value (its positions) for one term, for phrases."""
        return self._cached((segment_id, "values", fieldname, text), lambda: _read_values(reader, fieldname, text))

    def keep_only(self, segment_ids: set[str]) -> None:
        """Drop the entries of segments not in ``segment_ids``, and every entry of a term a
        segment does not hold: those are keyed by words visitors searched for, which are
        kept in memory no longer than until the next commit."""
        for segment_id in [s for s in self._by_segment if s not in segment_ids]:
            for key in self._by_segment.pop(segment_id):
                self._held -= _size(self._entries.pop(key))
                self._absent.discard(key)
        for key in self._absent:
            if key in self._entries:
                self._held -= _size(self._entries.pop(key))
                self._by_segment[key[0]].discard(key)
        self._absent.clear()

    def _cached(self, key: tuple[str, str, str, str], read: Callable[[], Any]) -> Any:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        entry = self._entries[key] = read()
        self._by_segment.setdefault(key[0], set()).add(key)
        if not len(entry[0] if isinstance(entry, tuple) else entry):
            self._absent.add(key)
        self._held += _size(entry)
        while self._held > self._budget and len(self._entries) > 1:
            dropped_key, dropped = self._entries.popitem(last=False)
            self._by_segment[dropped_key[0]].discard(dropped_key)
            self._absent.discard(dropped_key)
            self._held -= _size(dropped)
        return entry


@dataclass(frozen=True)
class _Facet:
    """One facet of one segment as pairs: document ``docs[i]`` holds ``values[codes[i]]``."""

    values: list[str]
    docs: NDArray[np.intp]
    codes: NDArray[np.intp]

    def holding(self, wanted: Iterable[str]) -> NDArray[np.intp]:
        """The documents holding any of the ``wanted`` values."""
        wanted = set(wanted)
        codes = [code for code, value in enumerate(self.values) if value in wanted]
        return self.docs[np.isin(self.codes, codes)]


class _SegmentData:
    """What query evaluation needs from one segment besides postings, read from its reader
    once: field lengths (and their BM25 norms), sorted lexicons for prefixes, the documents of each
    facet value, the dates, expired documents per day. A segment never changes once written
    (a delete only marks documents; deletions are taken from each commit's view)."""

    def __init__(self, segment_id: str, doc_count: int):
        self.segment_id = segment_id
        self.doc_count = doc_count
        self._lengths: dict[str, NDArray[np.float64]] = {}
        self._norms: dict[str, tuple[float, NDArray[np.float64]]] = {}
        self._lexicons: dict[str, list[str]] = {}
        self._facets: dict[str, _Facet] | None = None
        self._dates: NDArray[np.int64] | None = None
        self._expired: tuple[date, NDArray[np.intp]] | None = None

    def norms(self, reader: SegmentReader, fieldname: str, average: float) -> NDArray[np.float64]:
        """BM25 length norms of ``fieldname`` for the index's current average length. The
        lengths are read once; a commit that moves the average only recomputes from them."""
        known = self._norms.get(fieldname)
        if known is None or known[0] != average:
            lengths = self._lengths.get(fieldname)
            if lengths is None:
                lengths = self._lengths[fieldname] = np.fromiter(
                    (reader.doc_field_length(n, fieldname, 0) or 0 for n in range(self.doc_count)),
                    dtype=np.float64,
                    count=self.doc_count,
                )
            known = self._norms[fieldname] = (average, bm25_norms(lengths, average))
        return known[1]

    def expand(self, reader: SegmentReader, fieldname: str, prefix: str) -> list[str]:
        """The terms of ``fieldname`` in this segment that start with ``prefix``."""
        terms = self._lexicons.get(fieldname)
        if terms is None:
            terms = self._lexicons[fieldname] = [t.decode("utf-8") for t in reader.lexicon(fieldname)]
        found = []
        for term in itertools.islice(terms, bisect.bisect_left(terms, prefix), None):
            if not term.startswith(prefix):
                break
            found.append(term)
        return found

    def facets(self, reader: SegmentReader, schema: Schema) -> dict[str, _Facet]:
        if self._facets is None:
            facets: dict[str, _Facet] = {}
            for name in FACETS:
                fieldobj = schema[name]
                values: list[str] = []
                docs: list[NDArray[np.uint32]] = []
                for term in fieldobj.sortable_terms(reader, name):
                    value = fieldobj.from_bytes(term)
                    docs.append(_read_postings(reader, name, value)[0])
                    values.append(str(value))
                codes = [np.full(len(held), code, dtype=np.intp) for code, held in enumerate(docs)]
                facets[name] = _Facet(values, _joined(docs, np.intp), _joined(codes, np.intp))
            self._facets = facets
        return self._facets

    def expired(self, searcher: Searcher, on: date) -> NDArray[np.intp]:
        """Documents whose consent expired before ``on`` (usually none: the follower sweeps
        them), looked up once per segment and day rather than in every query or commit."""
        if self._expired is None or self._expired[0] != on:
            found = list(_expired_before(on).matcher(searcher).all_ids()) if on.toordinal() > 1 else []
            self._expired = (on, np.array(found, dtype=np.intp))
        return self._expired[1]

    def dates(self, reader: SegmentReader) -> NDArray[np.int64]:
        if self._dates is None:
            if reader.has_column("sort_date"):
                column = reader.column_reader("sort_date")
                self._dates = np.fromiter((int(column[n]) for n in range(self.doc_count)), dtype=np.int64, count=self.doc_count)
            else:
                self._dates = np.full(self.doc_count, _NO_DATE, dtype=np.int64)
        return self._dates


@dataclass(frozen=True)
class _LiveSegment:
    data: _SegmentData
    reader: SegmentReader
    searcher: Searcher  # the segment's sub-searcher (its parent gives whole-index statistics)
    offset: int  # its first document's index-wide number


VIEW_CACHE_SIZE = 2_000_000  # index-wide postings kept per commit (about 24 MB)
VIEW_EXPANSIONS = 2_000  # prefix expansions kept per commit
VIEW_ABSENT = 10_000  # words no segment holds, remembered per commit
#: A prefix (``вой*``, or a Kazakh word) matches at most this many words per field, the
#: first in alphabetical order: ``a*`` must not cost a pass over most of the index.
MAX_PREFIX_TERMS = 200


class _IndexView:
    """The live segments of one searcher (one commit) as one run of documents, numbered as
    Whoosh's searcher numbers them (a segment's offset plus its own number), so that a query
    is evaluated with a few array operations over the whole index rather than segment by
    segment. Built from the per-segment data on the first query (or expiry check) after a
    commit; index-wide postings of the words searched during this commit are kept, within
    ``VIEW_CACHE_SIZE``.
    """

    def __init__(self, searcher: Searcher, segments: list[_LiveSegment], postings: _PostingsCache, schema: Schema):
        self.searcher = searcher
        self.segments = segments
        self.size = sum(segment.data.doc_count for segment in segments)
        self.offsets = np.array([segment.offset for segment in segments], dtype=np.intp)
        self._postings = postings
        self._schema = schema
        self._terms: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._absent: OrderedDict[tuple[str, str], None] = OrderedDict()  # words no segment holds
        self._held = 0
        self._expansions: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._norms: dict[str, NDArray[np.float64]] = {}
        self._facets: dict[str, _Facet] | None = None
        self._dates: NDArray[np.int64] | None = None
        self._live: NDArray[np.bool_] | None = None
        self._expired: tuple[date, NDArray[np.intp]] | None = None

    def postings(self, fieldname: str, text: str) -> Postings | None:
        """Index-wide document numbers and frequencies of one term (``None``: no document has it)."""
        key = (fieldname, text)
        if key in self._terms:
            self._terms.move_to_end(key)
            return self._terms[key]
        if key in self._absent:
            return None
        ids, frequencies = [], []
        for segment in self.segments:
            found, tf = self._postings.get(segment.reader, segment.data.segment_id, fieldname, text)
            if len(found):
                ids.append(found.astype(np.intp) + segment.offset)
                frequencies.append(tf)
        if not ids:
            self._absent[key] = None  # a word visitors typed: kept until the next commit, bounded
            if len(self._absent) > VIEW_ABSENT:
                self._absent.popitem(last=False)
            return None
        entry = self._terms[key] = (np.concatenate(ids), np.concatenate(frequencies))
        self._held += len(entry[0])
        while self._held > VIEW_CACHE_SIZE and len(self._terms) > 1:
            _, dropped = self._terms.popitem(last=False)
            self._held -= len(dropped[0])
        return entry

    def expand(self, fieldname: str, prefix: str) -> list[str]:
        """The terms of ``fieldname`` in any live segment that start with ``prefix``."""
        key = (fieldname, prefix)
        if key in self._expansions:
            self._expansions.move_to_end(key)
            return self._expansions[key]
        found: set[str] = set()
        for segment in self.segments:
            found.update(segment.data.expand(segment.reader, fieldname, prefix))
        expanded = self._expansions[key] = sorted(found)
        if len(self._expansions) > VIEW_EXPANSIONS:
            self._expansions.popitem(last=False)
        return expanded

    def norms(self, fieldname: str) -> NDArray[np.float64]:
        """BM25 length norms of every document for ``fieldname`` (the average is this commit's)."""
        if fieldname not in self._norms:
            average = self.searcher.avg_field_length(fieldname) or 1.0
            parts = [segment.data.norms(segment.reader, fieldname, average) for segment in self.segments]
            self._norms[fieldname] = _joined(parts, np.float64)
        return self._norms[fieldname]

    def facets(self) -> dict[str, _Facet]:
        """Each facet over the whole index, value codes shared by all segments."""
        if self._facets is None:
            facets: dict[str, _Facet] = {}
            for name in FACETS:
                codes: dict[str, int] = {}
                docs, held = [], []
                for segment in self.segments:
                    facet = segment.data.facets(segment.reader, self._schema)[name]
                    mapping = np.array([codes.setdefault(value, len(codes)) for value in facet.values], dtype=np.intp)
                    docs.append(facet.docs + segment.offset)
                    held.append(mapping[facet.codes])
                facets[name] = _Facet(list(codes), _joined(docs, np.intp), _joined(held, np.intp))
            self._facets = facets
        return self._facets

    def dates(self) -> NDArray[np.int64]:
        if self._dates is None:
            parts = [segment.data.dates(segment.reader) for segment in self.segments]
            self._dates = _joined(parts, np.int64)
        return self._dates

    def live(self) -> NDArray[np.bool_]:
        """Which documents are not deleted (as of this commit)."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for segment in self.segments:
                if segment.reader.has_deletions():
                    deleted = np.fromiter(hooks.deleted_docs(segment.reader), dtype=np.intp)
                    live[deleted + segment.offset] = False
            self._live = live
        return self._live

    def expired(self, on: date) -> NDArray[np.intp]:
        """Documents whose consent expired before ``on``."""
        if self._expired is None or self._expired[0] != on:
            parts = [segment.data.expired(segment.searcher, on) + segment.offset for segment in self.segments]
            self._expired = (on, _joined(parts, np.intp))
        return self._expired[1]

    def segment_of(self, docs: NDArray[np.intp]) -> NDArray[np.intp]:
        """For index-wide document numbers, the index in ``segments`` of the segment holding each."""
        return np.searchsorted(self.offsets, docs, side="right") - 1


@dataclass(frozen=True)
class _Found:
    ranked: list[tuple[float, int]]  # (score or date, index-wide document number), best first
    total: int
    facets: dict[str, dict[str, int]]
    terms: dict[str, set[str]]  # field -> the searched terms present (for snippets)


class _Evaluation:
    """One parsed query evaluated over the whole index (:class:`_IndexView`) into a
    :class:`Match` (or ``None``: no document matches).

    Terms, prefixes, AND, OR, AND NOT and ANDMAYBE are evaluated here over cached postings
    with vectorised operations (:mod:`archive.search.engine.scoring`), scored with BM25 on the
    whole index's statistics, as Whoosh's ``BM25F`` does; phrases from the positions of the
    documents holding all their words. Anything else runs through Whoosh's own matcher,
    segment by segment. Whoosh's collector is not used: it makes several Python calls per
    matching document for scoring, grouping and counting, which at 50,000 long documents
    cost hundreds of milliseconds for a frequent word.
    """

    def __init__(self, view: _IndexView, postings: _PostingsCache):
        self._view = view
        self._postings = postings
        self._weights: dict[tuple[str, str, float], float] = {}
        self.terms: dict[str, set[str]] = {}

    def match(self, q: wq.Query) -> Match | None:
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.Prefix):
            expanded = self._view.expand(q.fieldname, q.text)[:MAX_PREFIX_TERMS]
            return either(self._term(q.fieldname, text, q.boost) for text in expanded)
        if isinstance(q, wq.And):
            return boosted(both([self.match(sub) for sub in q.subqueries]), q.boost)
        if isinstance(q, wq.Or) and not q.minmatch and not q.scale:
            return boosted(either([self.match(sub) for sub in q.subqueries]), q.boost)
        if isinstance(q, wq.AndNot):
            return boosted(without(self.match(q.a), self.match(q.b)), q.boost)
        if isinstance(q, wq.AndMaybe):
            return boosted(maybe(self.match(q.a), self.match(q.b)), q.boost)
        if q is wq.NullQuery:
            return None
        if isinstance(q, wq.Phrase) and q.slop == 1 and q.words and all(isinstance(w, str) for w in q.words):
            return self._phrase(q)
        return self._by_whoosh(q)

    def _phrase(self, q: wq.Phrase) -> Match | None:
        """Documents with the words at consecutive positions, scored as the words' sum."""
        candidates = both([self._term(q.fieldname, word, q.boost) for word in q.words])
        if candidates is None:
            return None
        decode = self._view.searcher.schema[q.fieldname].format.decode_positions
        docs = np.flatnonzero(candidates.hits & self._view.live())  # deleted ones need no positions
        in_segment = self._view.segment_of(docs)
        hits = np.zeros(self._view.size, dtype=bool)
        for index in np.unique(in_segment).tolist():
            segment = self._view.segments[index]
            values = [self._postings.values(segment.reader, segment.data.segment_id, q.fieldname, w) for w in q.words]
            for doc in docs[in_segment == index].tolist():
                hits[doc] = _in_sequence(values, doc - segment.offset, decode)
        if not hits.any():
            return None
        return Match(hits, np.where(hits, candidates.scores, 0.0))

    def _term(self, fieldname: str, text: Any, boost: float) -> Match | None:
        if not isinstance(text, str):
            return self._by_whoosh(wq.Term(fieldname, text, boost=boost))
        postings = self._view.postings(fieldname, text)
        if postings is None:
            return None
        self.terms.setdefault(fieldname, set()).add(text)
        return term_match(*postings, self._view.norms(fieldname), self._weight(fieldname, text, boost))

    def _weight(self, fieldname: str, text: str, boost: float) -> float:
        key = (fieldname, text, boost)
        if key not in self._weights:
            self._weights[key] = boost * self._view.searcher.idf(fieldname, text) * (K1 + 1)
        return self._weights[key]

    def _by_whoosh(self, q: wq.Query) -> Match | None:
        hits = np.zeros(self._view.size, dtype=bool)
        scores = np.zeros(self._view.size)
        for segment in self._view.segments:
            matcher = q.matcher(segment.searcher)
            while matcher.is_active():
                hits[segment.offset + matcher.id()] = True
                scores[segment.offset + matcher.id()] = matcher.score()
                matcher.next()
        for fieldname, text in q.iter_all_terms():
            if isinstance(text, str):
                self.terms.setdefault(fieldname, set()).add(text)
        return Match(hits, scores) if hits.any() else None


# --- the index ----------------------------------------------------------------------------


class WhooshSearchIndex(SearchIndex):
    """A Whoosh index in ``path``: one writable instance per folder, any number of readers.

    ``writable=True`` creates the folder and index if needed and takes an exclusive
    ``flock`` on ``write.lock`` for the instance's lifetime (``IndexLocked`` if taken).
    ``writable=False`` never writes (the index is opened read-only; a missing index searches
    as empty until a writer creates it). Readers refresh their searcher before each call,
    so they see new commits without reopening. Instances are thread-safe.
    """

    def __init__(self, path: Path, *, writable: bool) -> None:
        self._path = Path(path)
        self._writable = writable
        self._mutex = threading.RLock()
        self._lock_fd: int | None = None
        self._closed = False
        self._ix: Any = None
        self._searcher: Searcher | None = None
        self._generation = -1  # the commit self._searcher reads
        self._readers: dict[tuple[str, int], SegmentReader] = {}  # by segment and deletions
        self._schema = build_schema()
        self._segments: dict[str, _SegmentData] = {}
        self._postings = _PostingsCache(POSTINGS_CACHE_SIZE)
        self._view: _IndexView | None = None
        if writable:
            self._path.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._lock_fd = self._take_write_lock()
            try:
                storage = _storage(self._path, readonly=False)
                if storage.index_exists(_INDEX_NAME):
                    self._ix = storage.open_index(_INDEX_NAME)
                else:
                    self._ix = storage.create_index(self._schema, indexname=_INDEX_NAME)
                self._remove_leftovers()
                # Commits flush only the files they write: make sure whatever an earlier
                # process wrote (perhaps killed before its flush) is on disk too.
                _fsync_files(self._path, os.listdir(self._path))
            except BaseException:
                self.close()
                raise

    # -- locking and lifecycle --

    def _take_write_lock(self) -> int:
        fd = os.open(self._path / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            message = f"the search index in {self._path} is already open for writing"
            raise IndexLocked(message) from None
        return fd

    def close(self) -> None:
        """Release the searcher and, for a writable instance, the write lock."""
        with self._mutex:
            self._closed = True
            try:
                self._drop_searcher()
                _close_all(self._readers.values())
                self._readers = {}
                if self._ix is not None:
                    self._ix.close()
                    self._ix = None
            finally:
                if self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    def _require_writable(self) -> None:
        if not self._writable:
            raise IndexReadOnly("this search index was opened read-only")
        if self._closed:
            raise RuntimeError("this search index is closed")

    def _current_searcher(self) -> Searcher | None:
        """A searcher over the latest commit, reopened only when the generation changed.

        Not ``Searcher.refresh()``: in whoosh-reloaded 2.7.5 it re-adds the old reader's
        segments to the new reader (the change from whoosh-community/whoosh#520), so merged
        or purged segments and their deleted documents would come back.
        """
        if self._closed:
            raise RuntimeError("this search index is closed")
        for attempt in range(3):
            try:
                if self._ix is None:
                    storage = _storage(self._path, readonly=True)
                    if not storage.index_exists(_INDEX_NAME):
                        return None
                    self._ix = storage.open_index(_INDEX_NAME)
                searcher = self._searcher
                if searcher is not None and self._generation == self._ix.latest_generation():
                    return searcher
                self._drop_searcher()
                self._searcher = self._open_searcher()
                self._forget_dead_segments(self._searcher)
                return self._searcher
            except FileNotFoundError:
                # A writer removed an old generation between listing and opening: try again.
                self._drop_searcher()
                if attempt == 2:
                    raise
        return None

    def _open_searcher(self) -> Searcher:
        """A searcher over the latest commit that keeps the open readers of the segments it
        shares with the previous one (same segment, same deletions: its files and what the
        reader read from them are unchanged), so that a commit costs opening its new segments
        rather than every segment again (about 1.5 ms each). The other readers (of segments
        gone from the commit, or whose deletions changed) are closed."""
        toc = hooks.read_toc(self._ix.storage, _INDEX_NAME)
        # Words of document text analysed for snippets are forgotten at each commit too, so
        # that a withdrawn text's words leave this process's memory with its segment's data.
        _analysed.cache_clear()
        previous, self._readers = self._readers, {}
        readers = []
        try:
            for segment in toc.segments:
                key = (segment.segment_id(), segment.deleted_count())
                reader = previous.pop(key, None)
                if reader is None:
                    reader = hooks.segment_reader(self._ix.storage, toc.schema, segment, generation=toc.generation)
                self._readers[key] = reader
                readers.append(reader)
        finally:
            _close_all(previous.values())
        self._generation = toc.generation
        # The readers are this instance's (self._readers): closing a searcher leaves them open.
        return hooks.multi_searcher(readers, toc.schema, toc.generation, self._ix, scoring.BM25F())

    def _drop_searcher(self) -> None:
        self._view = None
        self._generation = -1
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    # -- writing --

    def apply(self, upserts: list[SearchDocument], deletes: list[str], position: int) -> None:
        """One commit of upserts (an indexed newer version wins) and deletes, then the position.

        Within one call, the highest version of a document wins, and an id that is both
        upserted and deleted ends deleted (withdrawal wins). The commit is fsynced before
        ``position.json`` is replaced, so a crash at any point leaves a position at or behind
        the index; re-applying from it converges to the same documents.
        """
        with self._mutex:
            self._require_writable()
            deleted = set(deletes)
            latest: dict[str, SearchDocument] = {}
            for doc in upserts:
                if doc.doc_id in deleted:
                    continue
                known = latest.get(doc.doc_id)
                if known is None or doc.version >= known.version:
                    latest[doc.doc_id] = doc
            before = set(os.listdir(self._path))
            writer = self._ix.writer()
            try:
                changed = False
                searcher = self._searcher_for(writer)
                for doc_id in sorted(deleted):
                    changed |= writer.delete_by_term("doc_id", doc_id, searcher=searcher) > 0
                for doc in latest.values():
                    indexed = _stored_version(searcher, doc.doc_id)
                    if indexed is not None and indexed > doc.version:
                        continue
                    # update_document, with the lookup of the old version through ``searcher``
                    writer.delete_by_term("doc_id", doc.doc_id, searcher=searcher)
                    writer.add_document(**_fields_in(writer.schema, doc))
                    changed = True
                if changed:
                    # No merging here: a commit must make new documents searchable at once;
                    # small segments are merged later, when the follower is idle (compact).
                    writer.commit(mergetype=NO_MERGE)
                else:
                    self._cancel(writer)
            except BaseException:
                self._cancel(writer)
                raise
            if changed:
                _fsync_new_files(self._path, before)
            _write_position(self._path, position)

    def _searcher_for(self, writer: Any) -> Searcher:
        """A searcher over the commit ``writer`` started from: this instance's own (which
        reuses open segment readers) when it reads that commit, else the writer's (which
        opens every segment). Document numbers are the same in both: same segments, same order."""
        searcher = self._current_searcher()
        if searcher is not None and self._generation == writer.generation - 1:
            return searcher
        return writer.searcher()

    def compact(self) -> int:
        """Merge small segments together (never large ones); return how many were merged."""
        with self._mutex:
            self._require_writable()
            # Most checks find nothing to merge: they open no writer, so they write nothing.
            if not _small_segments_to_merge(hooks.current_toc(self._ix).segments):
                return 0
            before = set(os.listdir(self._path))
            writer = self._ix.writer()
            merged = len(_small_segments_to_merge(hooks.writer_segments(writer)))
            try:
                if merged:
                    writer.commit(mergetype=merge_small_segments)
                else:
                    self._cancel(writer)  # nothing to merge after all: no commit
            except BaseException:
                self._cancel(writer)
                raise
            if merged:
                self._current_searcher()
                _fsync_new_files(self._path, before)
                self._remove_leftovers()
            return merged

    def purge_deleted(self, limit: int | None = None) -> int:
        """Rewrite only the segments that hold deleted documents (at most ``limit`` of them),
        each into a segment of its own (one commit each), then remove their old files; return
        how many were rewritten."""
        rewritten = 0
        while limit is None or rewritten < limit:
            with self._mutex:  # released between segments, so that searches go on meanwhile
                self._require_writable()
                before = set(os.listdir(self._path))
                writer = self._ix.writer()
                try:
                    dirty = [seg.segment_id() for seg in hooks.writer_segments(writer) if seg.has_deletions()]
                    if not dirty:
                        self._cancel(writer)
                        break
                    writer.commit(mergetype=functools.partial(_rewrite_segment, segment_id=dirty[0]))
                except BaseException:
                    self._cancel(writer)
                    raise
                rewritten += 1
                _fsync_new_files(self._path, before)
                # Let this process's searcher drop its handles on the replaced segment.
                self._current_searcher()
        with self._mutex:
            self._remove_leftovers()
        return rewritten

    def _cancel(self, writer: Any) -> None:
        """Cancel a writer (if still open) and remove the files of the segment it had begun.

        Whoosh creates a new segment's files (``.trm``, ``.pst``, ``_stored.col``) when a writer
        opens and leaves them on ``cancel``: three orphans per cancelled writer, which an idle
        follower's compaction checks made every 10 s (about 26,000 files a day). A segment
        the table of contents already lists (an interrupt after the commit wrote it) is kept.
        """
        if not writer.is_closed:
            writer.cancel()
        segment_id = hooks.new_segment_id(writer)
        if segment_id in {s.segment_id() for s in hooks.current_toc(self._ix).segments}:
            return
        unused = f"{segment_id}."
        for entry in os.scandir(self._path):
            if entry.name.startswith(unused) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)

    def _remove_leftovers(self) -> None:
        """Delete Whoosh files the current generation no longer uses.

        Whoosh deletes replaced segments after each commit but ignores errors, and a killed
        writer leaves its temporary posting pools (which hold indexed words) behind.
        """
        toc = hooks.current_toc(self._ix)
        keep = {f"_{_INDEX_NAME}_{toc.generation}.toc", f"{_INDEX_NAME}_WRITELOCK"}
        live = {s.segment_id() for s in toc.segments}
        segment_file = re.compile(rf"({_INDEX_NAME}_[0-9a-z]+)[.]")
        whoosh_names = (f"_{_INDEX_NAME}_", f"{_INDEX_NAME}_", f"{_INDEX_NAME}.", f".{_POSITION_FILE}.")
        for entry in os.scandir(self._path):
            name = entry.name
            if name in keep or not name.startswith(whoosh_names):
                continue
            match = segment_file.match(name)
            if match and match.group(1) in live:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                Path(entry.path).unlink(missing_ok=True)

    # -- reading --

    def position(self) -> int:
        """The notification id recorded after the last applied commit (0 for a new index)."""
        return _read_position(self._path)

    def needs_rebuild(self) -> bool:
        """Whether the index was created with other fields than :func:`build_schema` gives
        today (Whoosh keeps an index's schema in its TOC): it answers, but a rebuild is due."""
        with self._mutex:
            searcher = self._current_searcher()
            return searcher is not None and set(searcher.schema.names()) != set(self._schema.names())

    def versions(self, doc_ids: list[str]) -> dict[str, int]:
        """The indexed version of each of these documents that exists."""
        with self._mutex:
            searcher = self._current_searcher()
            if searcher is None:
                return {}
            found = {}
            for doc_id in doc_ids:
                version = _stored_version(searcher, doc_id)
                if version is not None:
                    found[doc_id] = version
            return found

    def doc_ids_for_contributor(self, contributor_id: str) -> list[str]:
        """Ids of the documents whose item belongs to this contributor."""
        return self._doc_ids(wq.Term("contributor_id", contributor_id))

    def doc_ids_in_exhibition(self, slug: str) -> list[str]:
        """Ids of the documents that hang in the exhibition with this slug."""
        return self._doc_ids(wq.Term("exhibition", slug))

    def _doc_ids(self, q: wq.Query) -> list[str]:
        with self._mutex:
            searcher = self._current_searcher()
            if searcher is None:
                return []
            return sorted(searcher.stored_fields(n)["doc_id"] for n in searcher.docs_for_query(q))

    def doc_ids_expired(self, on: date) -> list[str]:
        """Ids of documents whose consent expiry day is before ``on`` (looked up per segment
        and day: after a commit, only the new segments are searched)."""
        with self._mutex:
            searcher = self._current_searcher()
            if searcher is None or on.toordinal() <= 1:
                return []
            view = self._view_of(searcher)
            expired = view.expired(on)
            expired = expired[view.live()[expired]]
            return sorted(searcher.stored_fields(docnum)["doc_id"] for docnum in expired.tolist())

    def bulk_add(self, documents: list[SearchDocument]) -> None:
        """Add documents to a fresh index being rebuilt, with Whoosh's multi-process writer.

        No version checks and no deletions (the index is new); each call writes its own
        segments (``multisegment``), which keeps later purges small.
        """
        with self._mutex:
            self._require_writable()
            if not documents:
                return
            before = set(os.listdir(self._path))
            procs = min(BULK_PROCS, os.cpu_count() or 1)
            if procs > 1 and len(documents) >= BULK_MIN_DOCS_PER_PROC * procs:
                writer = self._ix.writer(procs=procs, multisegment=True, limitmb=BULK_LIMIT_MB)
            else:
                writer = self._ix.writer(limitmb=BULK_LIMIT_MB)
            try:
                for doc in documents:
                    writer.add_document(**_fields_in(writer.schema, doc))
                # Never fold earlier batches together: large segments make every later purge
                # (which rewrites the segment holding a withdrawn document) slow.
                writer.commit(mergetype=NO_MERGE)
            except BaseException:
                if not writer.is_closed:
                    writer.cancel()
                raise
            _fsync_new_files(self._path, before)
            self._drop_searcher()

    def has_deleted(self) -> bool:
        """Whether any segment still holds deleted documents."""
        with self._mutex:
            searcher = self._current_searcher()
            return searcher is not None and searcher.reader().has_deletions()

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked, faceted, paginated results with safe snippets; malformed queries never raise."""
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), MAX_PAGE_SIZE)
        text, notices = _clean_query_text(query.text)
        with self._mutex:
            searcher = self._current_searcher()
            if searcher is None:
                return SearchResults([], 0, page, page_size, {f: [] for f in FACETS}, _notice(notices))
            if not _WORD.search(text):
                if text:
                    notices.append("Your query had no words to search for, so everything is listed.")
                user_query = None
            else:
                user_query = self._parse(text, notices, _search_fields(searcher))
            if user_query is wq.NullQuery:
                notices.append("Your query only had very common or very short words; try more specific ones.")
                return SearchResults([], 0, page, page_size, {f: [] for f in FACETS}, _notice(notices))
            by_date = user_query is None or query.sort == "date"
            try:
                found = self._evaluate(searcher, user_query, query, page * page_size, by_date=by_date)
            except Exception:  # an odd parse that fails to run: retry as plain words
                if user_query is None:
                    raise
                notices.append("Your query was simplified to its words.")
                plain = self._plain_query(text, _search_fields(searcher))
                if plain is wq.NullQuery:
                    return SearchResults([], 0, page, page_size, {f: [] for f in FACETS}, _notice(notices))
                found = self._evaluate(searcher, plain, query, page * page_size, by_date=by_date)
            offset = (page - 1) * page_size
            snippets = _Snippets(found.terms)
            hits = [
                _hit(searcher.stored_fields(docnum), 0.0 if by_date else score, snippets)
                for score, docnum in found.ranked[offset : offset + page_size]
            ]
            return SearchResults(
                hits=hits,
                total=found.total,
                page=page,
                page_size=page_size,
                facets={name: _facet_list(counts) for name, counts in found.facets.items()},
                notice=_notice(notices),
            )

    def _parser(self, fields: tuple[str, ...], *, syntax: bool) -> qparser.QueryParser:
        parser = qparser.MultifieldParser(
            list(fields),
            self._schema,
            fieldboosts=_FIELD_BOOSTS,
            plugins=None if syntax else [],
        )
        if syntax:
            for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin):
                parser.remove_plugin_class(plugin)
        return parser

    def _plain_query(self, text: str, fields: tuple[str, ...] = _SEARCH_FIELDS) -> wq.Query:
        """The words of ``text`` (without ``name:`` prefixes), all required, no syntax."""
        words = " ".join(_WORD.findall(_FIELD_SYNTAX.sub(" ", text)))
        return self._parser(fields, syntax=False).parse(words).accept(_prefix_kazakh_terms)

    def _parse(self, text: str, notices: list[str], fields: tuple[str, ...] = _SEARCH_FIELDS) -> wq.Query:
        problem = _syntax_problem(text)
        if problem is None:
            try:
                return self._parser(fields, syntax=True).parse(text).accept(_prefix_kazakh_terms)
            except Exception:
                problem = "it could not be read as written"
        notices.append(f"Your query was simplified to its words: {problem}.")
        return self._plain_query(text, fields)

    def _evaluate(
        self, searcher: Searcher, user_query: wq.Query | None, query: SearchQuery, count: int, *, by_date: bool
    ) -> _Found:
        """Match, rank, count and facet over the whole index (see :class:`_Evaluation`)."""
        view = self._view_of(searcher)
        evaluation = _Evaluation(view, self._postings)
        if user_query is None:
            found: Match | None = Match(np.ones(view.size, dtype=bool), np.zeros(view.size))
        else:
            found = evaluation.match(user_query)
        empty = _Found([], 0, {name: {} for name in FACETS}, evaluation.terms)
        if found is None:
            return empty
        matched = found.hits & view.live()
        if query.visible_on is not None:
            matched[view.expired(query.visible_on)] = False
        mask = _exclusion(query)
        if mask is not None:
            matched[np.fromiter(searcher.docs_for_query(mask), dtype=np.intp)] = False
        wanted = {
            "kind": query.kinds,
            "exhibition": query.exhibitions,
            "year": tuple(str(y) for y in query.years),
            "language": query.languages,
        }
        facets = view.facets()
        for name, values in wanted.items():
            if values:
                allowed = np.zeros(view.size, dtype=bool)
                allowed[facets[name].holding(values)] = True
                matched &= allowed
        total = int(np.count_nonzero(matched))
        if not total:
            return empty
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for name in FACETS:
            facet_counts(matched, facets[name].docs, facets[name].codes, facets[name].values, counts[name])
        keys = view.dates() if by_date or user_query is None else found.scores
        ranked, docs = best(matched, keys, count)
        return _Found(list(zip(ranked, docs)), total, counts, evaluation.terms)

    def _view_of(self, searcher: Searcher) -> _IndexView:
        """The whole-index view of ``searcher``'s segments, built once per searcher (commit)."""
        if self._view is None or self._view.searcher is not searcher:
            segments = []
            for subsearcher, offset in hooks.sub_searchers(searcher):
                reader = subsearcher.reader()
                if isinstance(reader, SegmentReader):  # not an empty index
                    segments.append(_LiveSegment(self._segment_data(reader), reader, subsearcher, offset))
            self._view = _IndexView(searcher, segments, self._postings, self._schema)
        return self._view

    def _segment_data(self, reader: SegmentReader) -> _SegmentData:
        segment_id = reader.segment().segment_id()
        data = self._segments.get(segment_id)
        if data is None:
            data = self._segments[segment_id] = _SegmentData(segment_id, reader.doc_count_all())
        return data

    def _forget_dead_segments(self, searcher: Searcher) -> None:
        """Drop what was read from segments a merge or purge has replaced (their text too)."""
        live = {
            sub.reader().segment().segment_id()
            for sub, _ in hooks.sub_searchers(searcher)
            if isinstance(sub.reader(), SegmentReader)
        }
        for segment_id in [s for s in self._segments if s not in live]:
            del self._segments[segment_id]
        self._postings.keep_only(live)


def _in_sequence(values: list[dict[int, bytes]], doc: int, decode: Callable[[bytes], Iterable[int]]) -> bool:
    """Whether document ``doc`` holds the words at consecutive positions, given each word's
    encoded positions by document (``values``, in the phrase's order)."""
    starts: set[int] | None = None
    for offset, by_doc in enumerate(values):
        value = by_doc.get(doc)
        here = {position - offset for position in decode(value)} if value is not None else set()
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True


def _close_all(readers: Iterable[SegmentReader]) -> None:
    """Close every reader, even if closing one fails (the first error is raised after)."""
    failure: BaseException | None = None
    for reader in list(readers):
        try:
            reader.close()
        except Exception as error:  # noqa: BLE001 - the others must still be closed
            failure = failure or error
    if failure is not None:
        raise failure


def _stored_version(searcher: Searcher, doc_id: str) -> int | None:
    docnum = searcher.document_number(doc_id=doc_id)
    if docnum is None:
        return None
    return int(searcher.stored_fields(docnum)["version"])


class _Snippets:
    """Highlighted fragments for the hits of one page, cheaply.

    Instead of running Whoosh's highlighter (which re-analyses the text and ranks every
    fragment, most of a query's time), jump to where a searched term occurs (its stemmed form
    is usually the start of the word; if none is found that way, scan for the first match),
    then mark the words of a short window whose analysed form is a searched term, with each
    distinct word analysed once per process (:func:`_analysed`).
    """

    def __init__(self, terms: dict[str, set[str]]):
        self._terms = {fieldname: frozenset(t for t in found if t) for fieldname, found in terms.items()}

    def terms(self, fieldname: str) -> frozenset[str]:
        return self._terms.get(fieldname, frozenset())

    def for_hit(self, stored: dict[str, Any]) -> dict[str, str]:
        snippets: dict[str, str] = {}
        for fieldname in _SNIPPET_FIELDS:
            text = stored.get(fieldname)
            terms = self.terms(fieldname) if text else frozenset()
            if not terms:
                continue
            snippet = _marked_fragments(text, fieldname, terms)
            if snippet:
                snippets[fieldname] = snippet
        return snippets


SNIPPET_SURROUND = 60  # characters shown before a match
SNIPPET_CHARS = 240  # characters of one fragment
SNIPPET_FRAGMENTS = 2
_FRAGMENT_GAP = " … "


@functools.lru_cache(maxsize=200_000)
def _analysed(fieldname: str, word: str) -> tuple[str, ...]:
    """The index terms one word becomes in a field (lower-cased, stemmed, or none if a stop word)."""
    return tuple(token.text for token in _SCHEMA[fieldname].analyzer(word))


def _marked_fragments(text: str, fieldname: str, terms: frozenset[str]) -> str:
    """Up to two fragments of ``text`` around matched words, HTML-escaped, matches in ``<mark>``."""
    lowered = text.lower()
    fragments: list[str] = []
    end = 0
    while len(fragments) < SNIPPET_FRAGMENTS:
        match = _next_match(text, lowered, end, fieldname, terms)
        if match is None and not fragments:
            match = _first_match_by_scanning(text, fieldname, terms)
        if match is None:
            break
        begin = 0 if match.start() <= SNIPPET_SURROUND else text.find(" ", match.start() - SNIPPET_SURROUND, match.start()) + 1
        begin = max(begin, end)
        end = min(len(text), begin + SNIPPET_CHARS)
        if end < len(text) and (space := text.rfind(" ", match.end(), end)) > 0:
            end = space
        fragments.append(_mark(text[begin:end], fieldname, terms))
    return _FRAGMENT_GAP.join(fragments)


def _next_match(text: str, lowered: str, position: int, fieldname: str, terms: frozenset[str]) -> re.Match[str] | None:
    """The next word from ``position`` on whose analysed form is a searched term, found by
    jumping to where a term occurs in the text (a stem is mostly the start of its word)
    rather than analysing every word on the way."""
    while True:
        found = [p for p in (lowered.find(term, position) for term in terms) if p >= 0]
        if not found:
            return None
        at = min(found)
        word_start = at
        while word_start > 0 and _WORD.match(text, word_start - 1, word_start):
            word_start -= 1
        match = _WORD.match(text, word_start)
        if match is not None and match.start() >= position and terms.intersection(_analysed(fieldname, match.group())):
            return match
        position = at + 1


def _first_match_by_scanning(text: str, fieldname: str, terms: frozenset[str]) -> re.Match[str] | None:
    """The first matching word, analysing every word (for stems that are not the start of
    their word, such as English "happi" for "happy")."""
    for match in _WORD.finditer(text):
        if terms.intersection(_analysed(fieldname, match.group())):
            return match
    return None


def _mark(fragment: str, fieldname: str, terms: frozenset[str]) -> str:
    out, last = [], 0
    for match in _WORD.finditer(fragment):
        if terms.intersection(_analysed(fieldname, match.group())):
            out += [html.escape(fragment[last : match.start()]), "<mark>", html.escape(match.group()), "</mark>"]
            last = match.end()
    out.append(html.escape(fragment[last:]))
    return "".join(out)


def _hit(stored: dict[str, Any], score: float, snippets: _Snippets) -> SearchHit:
    return SearchHit(
        doc_id=stored["doc_id"],
        kind=stored["kind"],
        score=float(score),  # 0.0 in date order: the key is no score
        version=int(stored["version"]),
        snippets=snippets.for_hit(stored),
    )


def _notice(notices: list[str]) -> str | None:
    return " ".join(notices) or None
