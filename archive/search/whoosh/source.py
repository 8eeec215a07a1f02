"""Whoosh segments as the engine's :class:`~archive.search.engine.source.SegmentSource`.

What the engine needs from a segment is read from its reader once and kept while the segment
is live (:class:`SegmentData`): field lengths, sorted lexicons, facet values, dates, expired
documents per day. A segment never changes once written (a delete only marks documents;
deletions are taken from each commit's reader). Decoded postings are kept in a
:class:`PostingsCache` owned by the index instance, least recently used dropped first; what
was read from a segment a merge or purge replaced is dropped with it.
"""

from __future__ import annotations

import logging
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.searching import Searcher

from archive.search.engine.evaluation import joined
from archive.search.engine.source import NO_POSTINGS, Postings
from archive.search.whoosh import hooks
from archive.search.whoosh.postings_file import CorruptPostingsFile, KeyPostings, PostingsFile

log = logging.getLogger(__name__)

HASHED_KEYS = 50_000  # (field, term) hashes a commit's view keeps for its segments' postings files
POSTINGS_CACHE_SIZE = 4_000_000  # decoded postings kept per index instance (8 bytes each: about 32 MB)
NO_DATE = 0  # sort_date of documents without a date (real ones are ordinals >= 1): last
_DICT_ENTRY_COST = 12  # a dict entry with a bytes value takes about 12 times an array posting


def _term_matcher(reader: SegmentReader, fieldname: str, text: Any) -> Any | None:
    """A matcher over every posting of one term in one segment, deleted documents too (they
    are removed per query, with the current reader's deletions), from its first posting;
    ``None`` if the segment lacks the term."""
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return None
    return hooks.unfiltered(matcher)


def read_postings(reader: SegmentReader, fieldname: str, text: Any) -> Postings:
    """Every posting of one term in one segment as document numbers and term frequencies."""
    matcher = _term_matcher(reader, fieldname, text)
    if matcher is None:
        return NO_POSTINGS
    ids, frequencies = array("I"), array("f")
    hooks.read_all_postings(matcher, ids, frequencies)
    return np.asarray(ids), np.asarray(frequencies)  # through the buffer protocol: no copy


def every_key_postings(reader: SegmentReader) -> Iterator[KeyPostings]:
    """Every (field, term) of one segment with its postings (deleted documents' too), read in
    one walk over each field's terms: what the segment's postings file holds."""
    schema = reader.schema
    for fieldname in sorted(name for name in reader.indexed_field_names() if name in schema):
        format_ = schema[fieldname].format
        for btext, terminfo in hooks.term_infos(reader, fieldname):
            ids, frequencies = array("I"), array("f")
            hooks.read_all_postings(hooks.term_postings(reader, terminfo, format_), ids, frequencies)
            yield fieldname, btext, np.asarray(ids), np.asarray(frequencies)


def read_lengths(reader: SegmentReader, fieldname: str) -> NDArray[np.float64]:
    """Each document's length in one field of one segment (0 where it has none)."""
    count = reader.doc_count_all()
    return np.fromiter((reader.doc_field_length(n, fieldname, 0) or 0 for n in range(count)), dtype=np.float64, count=count)


def scored_lengths(reader: SegmentReader) -> dict[str, NDArray[np.float64]]:
    """:func:`read_lengths` of every scored field of the segment's schema: what its postings
    file holds beside the postings."""
    schema = reader.schema
    return {name: read_lengths(reader, name) for name in schema.names() if schema[name].scorable}


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


def _size(entry: Postings | dict[int, bytes]) -> int:
    """The budget one cache entry takes, in array postings (plus one for the entry itself)."""
    return (len(entry) * _DICT_ENTRY_COST if isinstance(entry, dict) else len(entry[0])) + 1


class PostingsCache:
    """Decoded postings by segment, field and term, least recently used dropped first once
    entries worth more than ``budget`` array postings are held. Segments never change, so an
    entry never goes stale; entries of segments a merge or purge replaced are dropped
    (``keep_only``) together, by segment."""

    def __init__(self, budget: int):
        self._budget = budget
        self._held = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str, str, str], Any] = OrderedDict()
        self._by_segment: dict[str, set[tuple[str, str, str, str]]] = {}
        self._absent: set[tuple[str, str, str, str]] = set()  # keys of terms a segment lacks

    def get(self, reader: SegmentReader, segment_id: str, fieldname: str, text: str, lock: threading.Lock) -> Postings:
        """Document numbers and term frequencies of one term in one segment (read, if not
        held, with the reader's ``lock``)."""
        found: Postings = self._cached((segment_id, "postings", fieldname, text), lock, lambda: read_postings(reader, fieldname, text))
        return found

    def get_from(self, postings_file: PostingsFile, segment_id: str, fieldname: str, text: str, value: int) -> Postings:
        """Like :meth:`get`, read from the segment's postings file (the key's hash ``value``):
        no lock, as the file is only read."""
        found: Postings = self._cached((segment_id, "postings", fieldname, text), nullcontext(), lambda: postings_file.postings(value))
        return found

    def values(
        self, reader: SegmentReader, segment_id: str, fieldname: str, text: str, lock: threading.Lock
    ) -> dict[int, bytes]:
        """Each document's encoded posting value (its positions) for one term, for phrases."""
        found: dict[int, bytes] = self._cached((segment_id, "values", fieldname, text), lock, lambda: _read_values(reader, fieldname, text))
        return found

    def keep_only(self, segment_ids: set[str]) -> None:
        """Drop the entries of segments not in ``segment_ids``, and every entry of a term a
        segment does not hold: those are keyed by words visitors searched for, which are
        kept in memory no longer than until the next commit."""
        with self._lock:
            for segment_id in [s for s in self._by_segment if s not in segment_ids]:
                for key in self._by_segment.pop(segment_id):
                    self._held -= _size(self._entries.pop(key))
                    self._absent.discard(key)
            for key in self._absent:
                if key in self._entries:
                    self._held -= _size(self._entries.pop(key))
                    self._by_segment[key[0]].discard(key)
            self._absent.clear()

    def _cached(self, key: tuple[str, str, str, str], reader_lock: Any, read: Callable[[], Any]) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        with reader_lock:
            entry = read()
        with self._lock:
            if key in self._entries:
                return self._entries[key]
            self._entries[key] = entry
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


class SegmentData:
    """What was read once from one segment besides postings (see the module's docstring)."""

    def __init__(self, segment_id: str, doc_count: int):
        self.segment_id = segment_id
        self.doc_count = doc_count
        self._lengths: dict[str, NDArray[np.float64]] = {}
        self._totals: dict[str, int] = {}
        self._empty: dict[str, bool] = {}
        self._lexicons: dict[str, list[str]] = {}
        self._facets: dict[str, tuple[list[str], NDArray[np.intp], NDArray[np.intp]]] = {}
        self._dates: NDArray[np.int64] | None = None
        self._expired: tuple[date, NDArray[np.intp]] | None = None
        #: The segment's postings file (``None``: not opened yet, or none written: read through Whoosh).
        self.postings_file: PostingsFile | None = None
        #: Whether its postings file was found damaged: the segment is read through Whoosh for good.
        self.postings_file_damaged = False

    def lengths(self, reader: SegmentReader, fieldname: str) -> NDArray[np.float64]:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            written = self.postings_file.lengths(fieldname) if self.postings_file is not None else None
            lengths = self._lengths[fieldname] = written if written is not None else read_lengths(reader, fieldname)
        return lengths

    def total_length(self, reader: SegmentReader, fieldname: str) -> int:
        if fieldname not in self._totals:
            self._totals[fieldname] = int(reader.field_length(fieldname) or 0)
        return self._totals[fieldname]

    def has_no_terms(self, reader: SegmentReader, fieldname: str) -> bool:
        """Whether the segment surely holds no term of a field: a scored field (its lengths
        are counted) in which no document has a word. Unscored fields (ids, keywords) are
        never skipped: their length is always 0."""
        empty = self._empty.get(fieldname)
        if empty is None:
            scored = fieldname in reader.schema and reader.schema[fieldname].scorable
            empty = self._empty[fieldname] = bool(scored) and not self.total_length(reader, fieldname)
        return empty

    def lexicon(self, reader: SegmentReader, fieldname: str) -> list[str]:
        terms = self._lexicons.get(fieldname)
        if terms is None:
            terms = self._lexicons[fieldname] = [t.decode("utf-8") for t in reader.lexicon(fieldname)] if fieldname in reader.schema else []
        return terms

    def facet(self, reader: SegmentReader, name: str) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
        known = self._facets.get(name)
        if known is None:
            fieldobj = reader.schema[name]
            values: list[str] = []
            docs: list[NDArray[np.uint32]] = []
            for term in fieldobj.sortable_terms(reader, name):
                value = fieldobj.from_bytes(term)
                docs.append(read_postings(reader, name, value)[0])
                values.append(str(value))
            codes = [np.full(len(held), code, dtype=np.intp) for code, held in enumerate(docs)]
            known = self._facets[name] = (values, joined(docs, np.intp), joined(codes, np.intp))
        return known

    def expired(self, searcher: Searcher, on: date) -> NDArray[np.intp]:
        """Documents whose consent expired before ``on`` (usually none: the follower sweeps
        them), looked up once per segment and day rather than in every query or commit."""
        if self._expired is None or self._expired[0] != on:
            expired_before = wq.NumericRange("expires", 1, on.toordinal() - 1)
            found = list(expired_before.matcher(searcher).all_ids()) if on.toordinal() > 1 else []
            self._expired = (on, np.array(found, dtype=np.intp))
        return self._expired[1]

    def dates(self, reader: SegmentReader) -> NDArray[np.int64]:
        if self._dates is None:
            if reader.has_column("sort_date"):
                column = reader.column_reader("sort_date")
                self._dates = np.fromiter((int(column[n]) for n in range(self.doc_count)), dtype=np.int64, count=self.doc_count)
            else:
                self._dates = np.full(self.doc_count, NO_DATE, dtype=np.int64)
        return self._dates


class WhooshSegment:
    """One live segment of a commit as a ``SegmentSource``: its data, its reader (which
    carries the commit's deletions), its sub-searcher, and the lock every read of the
    reader's files holds (they are shared file handles: see :mod:`.snapshots`)."""

    def __init__(
        self,
        data: SegmentData,
        reader: SegmentReader,
        searcher: Searcher,
        postings: PostingsCache,
        lock: threading.Lock,
        hashed: dict[tuple[str, str], int] | None = None,
    ):
        self.data = data
        self.reader = reader
        self.searcher = searcher
        self._postings = postings
        self._lock = lock
        # (field, term) -> its hash, shared by a commit's segments (one key for all) and dropped
        # with the commit's view, as what visitors searched for must be.
        self._hashed: dict[tuple[str, str], int] = {} if hashed is None else hashed

    @property
    def segment_id(self) -> str:
        return self.data.segment_id

    @property
    def doc_count(self) -> int:
        return self.data.doc_count

    def postings(self, field: str, term: str) -> Postings:
        with self._lock:
            if self.data.has_no_terms(self.reader, field):  # e.g. a language no document here uses
                return NO_POSTINGS
        postings_file = self.data.postings_file
        if postings_file is not None and (value := self._hash(postings_file, field, term)) is not None:
            try:
                return self._postings.get_from(postings_file, self.data.segment_id, field, term, value)
            except CorruptPostingsFile as damage:
                self._distrust(postings_file, damage)
        return self._postings.get(self.reader, self.data.segment_id, field, term, self._lock)

    def _distrust(self, postings_file: PostingsFile, damage: CorruptPostingsFile) -> None:
        """Read this segment through Whoosh from now on: its postings file is damaged (what
        was cached from it before stays: each list was checked when read)."""
        if self.data.postings_file is postings_file:
            self.data.postings_file, self.data.postings_file_damaged = None, True
            log.warning(
                "the postings file of search segment %s is damaged (%s): it is read through Whoosh; "
                "delete the file and open the index for writing (or reindex) to write it again",
                self.data.segment_id,
                damage,
            )

    def _hash(self, postings_file: PostingsFile, field: str, term: str) -> int | None:
        """The hash of (field, term) for the postings files, or ``None`` (read through Whoosh)
        for a field the schema lacks."""
        value = self._hashed.get((field, term))
        if value is None:
            schema = self.reader.schema
            if field not in schema:
                return None
            if len(self._hashed) >= HASHED_KEYS:
                self._hashed.clear()
            value = self._hashed[(field, term)] = postings_file.hasher.hash(field, schema[field].to_bytes(term))
        return value

    def positions(self, field: str, term: str, doc: int) -> Sequence[int]:
        value = self._postings.values(self.reader, self.data.segment_id, field, term, self._lock).get(doc)
        if value is None:
            return ()
        return list(self.reader.schema[field].format.decode_positions(value))

    def stored(self, doc: int) -> dict[str, Any]:
        """The stored fields of document ``doc``."""
        with self._lock:
            return dict(self.reader.stored_fields(doc))

    def lengths(self, field: str) -> NDArray[np.float64]:
        with self._lock:
            return self.data.lengths(self.reader, field)

    def total_length(self, field: str) -> int:
        with self._lock:
            return self.data.total_length(self.reader, field)

    def lexicon(self, field: str) -> Sequence[str]:
        with self._lock:
            return self.data.lexicon(self.reader, field)

    def facet(self, name: str) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
        with self._lock:
            return self.data.facet(self.reader, name)

    def dates(self) -> NDArray[np.int64]:
        with self._lock:
            return self.data.dates(self.reader)

    def expired(self, on: date) -> NDArray[np.intp]:
        with self._lock:
            return self.data.expired(self.searcher, on)

    def deleted(self) -> NDArray[np.intp]:
        # Deletions are held in memory by the reader: no file is read.
        if not self.reader.has_deletions():
            return np.zeros(0, dtype=np.intp)
        return np.fromiter(hooks.deleted_docs(self.reader), dtype=np.intp)
