"""The search port implemented with Whoosh (``whoosh-reloaded``): the index's folder and files.

The index lives in one folder that it owns: Whoosh's segment and TOC files, ``position.json``
(the notification id applied so far) and ``write.lock`` (held by the one writable instance).
Every stored field is filled only with text the consent gate allowed, and withdrawn text
leaves the files when ``purge_deleted`` rewrites the segments that still hold deleted
documents.

Queries are parsed by Whoosh and translated into the engine's tree
(:mod:`archive.search.whoosh.parse`), then evaluated by the engine
(:mod:`archive.search.engine.evaluation`) over the segments of the current commit, each seen
through :class:`archive.search.whoosh.source.WhooshSegment`. Queries run in parallel, each on
the commit's :class:`~archive.search.whoosh.snapshots.Snapshot` it started on; open segment
readers are kept from one commit to the next while their deletions stay the same, and closed
once no query and no current commit uses them.
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import NO_MERGE

from archive.storage.durable import fsync_dir, write_synced
from archive.errors import ArchiveError
from archive.search import (
    FACETS,
    MAX_PAGE_SIZE,
    FacetCount,
    Notice,
    SearchDocument,
    SearchHit,
    SearchIndex,
    SearchQuery,
    SearchResults,
)
from archive.search.engine import query as q
from archive.search.engine.evaluation import IndexView, evaluate
from archive.search.engine.snippets import WORD, Snippets
from archive.search.whoosh import hooks, postings_file, source
from archive.search.whoosh.parse import Parser, clean_query_text, nfc, to_tree
from archive.search.whoosh.rewrite import copy_live_documents
from archive.search.whoosh.snapshots import ReaderKey, SharedReader, Snapshot
from archive.search.whoosh.source import (
    NO_DATE,
    PostingsCache,
    SegmentData,
    WhooshSegment,
)

__all__ = ["IndexLocked", "IndexReadOnly", "WhooshSearchIndex"]

LANGUAGES = ("en", "ru", "kk")
_INDEX_NAME = "MAIN"
_POSITION_FILE = "position.json"
_LOCK_FILE = "write.lock"
_NO_DATE = NO_DATE

BULK_PROCS = 2  # processes of the multi-process writer used by rebuilds
BULK_MIN_DOCS_PER_PROC = 250  # below this, forking costs more than it saves
BULK_LIMIT_MB = 128
ANALYSED_WORDS = 200_000  # words of hits' text analysed for snippets, kept until the next commit
#: A rebuild's segments hold at most this many documents: a purge rewrites the whole segment
#: of a withdrawn document, so this bounds its cost (see ``bulk_add``).
REBUILD_SEGMENT_DOCS = 500
SMALL_SEGMENT_DOCS = 200  # below a rebuild's segments, which are never merged
MERGE_FACTOR = 4

_TOKEN_PATTERN = r"[^\W_]+"  # runs of letters and digits in any script (incl. ә ғ қ ң ө ұ ү һ і)
#: How Snowball's Russian stemmer reads each Cyrillic letter: it romanises a word that has any
#: letter beyond Latin-1 so, cuts only its end (suffixes), and writes the rest back in Cyrillic
#: ("шчука" becomes "щук", Latin "I" in "Iрина" becomes "и"); so a Russian term, romanised,
#: is a prefix of its word, romanised (``reading_of``).
_ROMANISED = str.maketrans(
    {
        **dict(zip("абвгдеёзиклмнопрстуфыь", "abvgdeeziklmnoprstufy'")),
        **{"ж": "zh", "й": "i`", "х": "kh", "ц": "t^s", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ъ": "''", "э": "e`", "ю": "i^u", "я": "i^a"},
    }
)
#: Letters the analysers may turn into one another at the start of a word, read alike for
#: snippets: each Cyrillic letter is read as the first Latin letter of its romanisation above
#: (Latin "i" and "и" alike, "ш" and "щ", "ь" and "ъ").
_READ_ALIKE = str.maketrans({letter: roman[0] for letter, roman in _ROMANISED.items()})
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


class IndexLocked(ArchiveError, RuntimeError):
    """Another process (or instance) already holds the index folder open for writing."""


class IndexReadOnly(RuntimeError):
    """A read-only ``WhooshSearchIndex`` was asked to change the index."""


# --- schema -------------------------------------------------------------------------------


def _stopwords() -> frozenset[str]:
    # One stop list for every field: a word dropped by one language's analyzer but kept by
    # another would otherwise be required (AND) only in the fields that kept it.
    # English: Whoosh's short default list (StemmingAnalyzer's); Russian: LanguageAnalyzer's.
    words: frozenset[str] = STOP_WORDS | frozenset(stopwords_for_language("ru")) | _KAZAKH_STOPWORDS
    return words


def _analyzer(stem_language: str | None) -> Analyzer:
    """Letters-and-digits tokens, lower-cased, shared stop list; stemmed when a language is given.

    ``_analyzer("ru")`` is ``LanguageAnalyzer("ru")`` (Snowball) with the shared stop list;
    Kazakh has no stemmer (prefix queries stand in for it at search time).
    """
    chain = RegexTokenizer(_TOKEN_PATTERN) | LowercaseFilter() | StopFilter(stoplist=_stopwords())
    if stem_language is not None:
        chain = chain | StemFilter(lang=stem_language)
    return chain


def _forget_stemmed_words(schema: Schema) -> None:
    """Empty the word caches of ``schema``'s stemmers. Whoosh's ``StemFilter`` keeps up to
    50,000 words it stemmed, for the life of the schema: this index's schema parses every
    visitor's query and analyses the words of hits' texts for snippets, so without this a
    withdrawn text's words, and what visitors searched for, would stay in a worker's memory
    across commits. Emptied when a commit becomes current, as the snapshot's own analyses
    (``Snapshot.analysed``) are dropped with it. Snapshots read their schema from the commit's
    table of contents, so their caches go with them; a writer of the process that created the
    index shares this schema, and what it stemmed goes at its commit's refresh."""
    for name in schema.names():
        analyzer = getattr(schema[name], "analyzer", None)
        for item in getattr(analyzer, "items", ()):
            if isinstance(item, StemFilter):
                item.clear()


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


_nfc = nfc


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


def _rewrite_segment(
    writer: Any,
    segments: list[Any],
    *,
    segment_id: str,
    folder: Path,
    hasher: postings_file.KeyHasher,
    rewritten: dict[str, tuple[postings_file.PostingsFile, list[int]]],
) -> list[Any]:
    """Merge policy for ``purge_deleted``: rewrite one segment (its live documents only) as
    the commit's new segment, so that a purge never folds segments together and grows them.
    Its postings are copied list by list (:mod:`archive.search.whoosh.rewrite`), not through
    Whoosh's per-posting merge. Puts in ``rewritten``, under the new segment's id, the old
    segment's postings file (opened before the commit deletes it) with the new numbering,
    for the new file to be derived after the commit (:meth:`_write_missing_postings_files`;
    a file written now would be folded into the segment's compound file)."""
    for segment in segments:
        if segment.segment_id() == segment_id and segment.doc_count() > 0:
            old = postings_file.PostingsFile.open(postings_file.file_path(folder, segment_id), hasher, segment.doc_count_all())
            reader = hooks.segment_reader(writer.storage, writer.schema, segment)
            try:
                renumbered = copy_live_documents(writer, reader)
            finally:
                reader.close()
            if old is not None:
                rewritten[hooks.new_segment_id(writer)] = (old, renumbered)
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
    write_synced(tmp, [json.dumps({"position": position}).encode("ascii")])
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


def _search_fields(searcher: Searcher) -> tuple[str, ...]:
    """The fields a query searches that this index has (one built before a field was added
    lacks it until it is rebuilt)."""
    return tuple(name for name in _SEARCH_FIELDS if name in searcher.schema)


def _facet_list(counts: dict[str, int]) -> list[FacetCount]:
    return [FacetCount(value, count) for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


# --- the index ----------------------------------------------------------------------------


class WhooshSearchIndex(SearchIndex):
    """A Whoosh index in ``path``: one writable instance per folder, any number of readers.

    ``writable=True`` creates the folder and index if needed and takes an exclusive
    ``flock`` on ``write.lock`` for the instance's lifetime (``IndexLocked`` if taken).
    ``writable=False`` never writes (the index is opened read-only; a missing index searches
    as empty until a writer creates it). Readers refresh their searcher before each call,
    so they see new commits without reopening. Instances are thread-safe: writes take turns
    (``_mutex``), queries run in parallel, each holding ``_views`` only to pick up the
    current snapshot and to leave it (see :mod:`archive.search.whoosh.snapshots`).
    """

    def __init__(self, path: Path, *, writable: bool) -> None:
        self._path = Path(path)
        self._writable = writable
        self._mutex = threading.RLock()  # one write at a time
        self._views = threading.Lock()  # the current snapshot and the queries' counts
        self._lock_fd: int | None = None
        self._closed = False
        self._ix: Any = None
        self._snapshot: Snapshot | None = None  # the latest commit seen
        self._retiring: set[Snapshot] = set()  # replaced, but queries still read them
        self._schema = build_schema()
        self._segments: dict[str, SegmentData] = {}
        self._postings = PostingsCache(source.POSTINGS_CACHE_SIZE)
        self._dirty_order = itertools.count()
        self._dirty_since: dict[str, int] = {}  # segments holding deleted documents: since when
        self._hasher: postings_file.KeyHasher | None = None  # the folder's postings files' key, once read
        self._postings_written: set[str] = set()  # segments whose postings file this process has seen whole
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
                self._hasher = postings_file.write_key(self._path)
                self._write_missing_postings_files()  # an index from before them gets them now
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
        with self._mutex, self._views:
            self._closed = True
            try:
                snapshots = [s for s in (self._snapshot, *self._retiring) if s is not None]
                self._snapshot, self._retiring = None, set()
                readers = {id(r.reader): r.reader for s in snapshots for r in s.readers.values()}
                for snapshot in snapshots:
                    snapshot.release()
                _close_all(readers.values())
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

    @contextmanager
    def _reading(self) -> Iterator[Snapshot | None]:
        """The latest commit's snapshot (``None``: no index yet), counted as in use until
        the block ends. Never held across anything but this: queries run in parallel."""
        with self._views:
            snapshot = self._refresh()
            if snapshot is not None:
                snapshot.queries += 1
        try:
            yield snapshot
        finally:
            if snapshot is not None:
                with self._views:
                    snapshot.queries -= 1
                    if not snapshot.queries and not snapshot.current:
                        self._retire(snapshot)

    def _refresh(self) -> Snapshot | None:
        """The snapshot of the latest commit, opened only when the generation changed (under
        ``_views``).

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
                current = self._snapshot
                if current is not None and current.generation == self._ix.latest_generation():
                    return current
                self._replace(self._open_snapshot())
                return self._snapshot
            except FileNotFoundError:
                # A writer removed an old generation between listing and opening: try again.
                if attempt == 2:
                    raise
        return None

    def _open_snapshot(self) -> Snapshot:
        """A snapshot of the latest commit that shares the open readers of the segments it
        has in common with the current one (same segment, same deletions: its files and what
        the reader read from them are unchanged), so that a commit costs opening its new
        segments rather than every segment again (about 1.5 ms each)."""
        toc = hooks.read_toc(self._ix.storage, _INDEX_NAME)
        previous = self._snapshot.readers if self._snapshot is not None else {}
        readers: dict[ReaderKey, SharedReader] = {}
        opened: list[SegmentReader] = []
        try:
            for segment in toc.segments:
                key = (segment.segment_id(), segment.deleted_count())
                shared = previous.get(key)
                if shared is None:
                    reader = hooks.segment_reader(self._ix.storage, toc.schema, segment, generation=toc.generation)
                    opened.append(reader)
                    shared = SharedReader(reader)
                readers[key] = shared
        except BaseException:
            _close_all(opened)
            raise
        searcher = hooks.multi_searcher(
            [shared.reader for shared in readers.values()], toc.schema, toc.generation, self._ix, scoring.BM25F()
        )
        return Snapshot(toc.generation, searcher, readers)

    def _replace(self, snapshot: Snapshot) -> None:
        """Make ``snapshot`` current (under ``_views``); the one it replaces is released now
        if no query reads it, else when its last query ends. The stemmers' word caches are
        emptied (:func:`_forget_stemmed_words`)."""
        replaced, self._snapshot = self._snapshot, snapshot
        _forget_stemmed_words(self._schema)
        if replaced is None:
            return
        replaced.current = False
        if replaced.queries:
            self._retiring.add(replaced)
        else:
            self._retire(replaced)

    def _retire(self, snapshot: Snapshot) -> None:
        """Release a replaced snapshot no query reads (under ``_views``): close the readers
        no other snapshot lists, and drop what was read from segments no snapshot lists."""
        self._retiring.discard(snapshot)
        _close_all(snapshot.release())
        self._forget_dead_segments()

    def _searcher_now(self) -> None:
        """Open the latest commit now, so that this process lets go of replaced segments
        (those no query reads) at once rather than at the next query."""
        with self._views:
            self._refresh()

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
                fresh = []
                with self._lookups_for(writer) as searcher:
                    for doc_id in sorted(deleted):
                        changed |= writer.delete_by_term("doc_id", doc_id, searcher=searcher) > 0
                    for doc in latest.values():
                        indexed = _stored_version(searcher, doc.doc_id)
                        if indexed is not None and indexed > doc.version:
                            continue
                        # update_document, with the lookup of the old version through ``searcher``
                        writer.delete_by_term("doc_id", doc.doc_id, searcher=searcher)
                        fresh.append(doc)
                for doc in fresh:  # analysing text needs no reader: queries go on meanwhile
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
                self._write_missing_postings_files()
                _fsync_new_files(self._path, before)
                self._note_dirty(hooks.current_toc(self._ix).segments)
            _write_position(self._path, position)

    @contextmanager
    def _lookups_for(self, writer: Any) -> Iterator[Searcher]:
        """A searcher over the commit ``writer`` started from: the current snapshot's (which
        reuses open segment readers, whose locks are held meanwhile) when it reads that
        commit, else the writer's (which opens every segment). Document numbers are the same
        in both: same segments, same order."""
        with self._reading() as snapshot:
            if snapshot is not None and snapshot.generation == writer.generation - 1:
                with snapshot.exclusive() as searcher:
                    yield searcher
                return
        yield writer.searcher()

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
                self._write_missing_postings_files()
                self._searcher_now()
                _fsync_new_files(self._path, before)
                self._remove_leftovers()
            return merged

    def purge_deleted(self, limit: int | None = None) -> int:
        """Rewrite only the segments that hold deleted documents (at most ``limit`` of them),
        the one that has held them longest first, each into a segment of its own (one commit
        each), then remove their old files; return how many were rewritten."""
        rewritten_count = 0
        while limit is None or rewritten_count < limit:
            with self._mutex:  # released between segments, so that commits go on meanwhile
                self._require_writable()
                before = set(os.listdir(self._path))
                writer = self._ix.writer()
                try:
                    dirty = self._note_dirty(hooks.writer_segments(writer))
                    if not dirty:
                        self._cancel(writer)
                        break
                    assert self._hasher is not None  # writable instances read or made the key when opened
                    rewritten: dict[str, tuple[postings_file.PostingsFile, list[int]]] = {}
                    writer.commit(mergetype=functools.partial(
                        _rewrite_segment, segment_id=dirty[0], folder=self._path, hasher=self._hasher, rewritten=rewritten,
                    ))
                    del self._dirty_since[dirty[0]]
                except BaseException:
                    self._cancel(writer)
                    raise
                rewritten_count += 1
                self._write_missing_postings_files(rewritten)
                _fsync_new_files(self._path, before)
                # Let this process drop its handles on the replaced segment.
                self._searcher_now()
        with self._mutex:
            self._remove_leftovers()
        return rewritten_count

    def _write_missing_postings_files(
        self, rewritten: Mapping[str, tuple[postings_file.PostingsFile, list[int]]] | None = None
    ) -> None:
        """Write the postings file (:mod:`.postings_file`) of each current segment that has
        none, from the segment's own files: every path that makes a segment (commits, bulk
        commits, merges, purge rewrites) calls this after its commit, under ``_mutex``, before
        flushing the commit's new files (which these are among). Whoosh's ``clean_files``
        deletes a postings file with its segment. A segment a purge rewrote (``rewritten``:
        new id -> the old segment's file and the new numbering) gets its file derived from
        the old one's, with no read of the new segment."""
        assert self._hasher is not None  # writable instances read or made the key when opened
        toc = hooks.current_toc(self._ix)
        for segment in toc.segments:
            segment_id = segment.segment_id()
            if segment_id in self._postings_written:  # (ids are never reused): no file is read
                continue
            if postings_file.has_file(self._path, segment_id, self._hasher):
                self._postings_written.add(segment_id)
                continue
            if not hooks.is_segment_file(_INDEX_NAME, postings_file.file_path(self._path, segment_id).name, segment_id):
                # The postings of a withdrawn text's words must leave the disk with its segment.
                raise RuntimeError("whoosh would not delete a postings file with its segment")
            derived = (rewritten or {}).get(segment_id)
            if derived is not None and postings_file.write_renumbered(self._path, segment_id, *derived) is not None:
                self._postings_written.add(segment_id)
                continue
            reader = hooks.segment_reader(self._ix.storage, toc.schema, segment)
            try:
                postings_file.write_file(
                    self._path, segment_id, self._hasher, source.every_key_postings(reader),
                    source.scored_lengths(reader), reader.doc_count_all(),
                )
            finally:
                reader.close()
            # Written, or not (two keys hashed alike): either way not read again for it.
            self._postings_written.add(segment_id)

    def _note_dirty(self, segments: Iterable[Any]) -> list[str]:
        """Remember when each of ``segments`` was first seen holding deleted documents; return
        the ids of those that do, the longest waiting first. A purge rewrites them in this
        order, so that under a burst of withdrawals none waits behind segments dirtied later
        (in the table of contents' order, the last segments waited for every other one)."""
        dirty = [segment.segment_id() for segment in segments if segment.has_deletions()]
        for segment_id in dirty:
            self._dirty_since.setdefault(segment_id, next(self._dirty_order))
        for segment_id in set(self._dirty_since) - set(dirty):
            del self._dirty_since[segment_id]
        return sorted(dirty, key=self._dirty_since.__getitem__)

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
        with self._reading() as snapshot:
            return snapshot is not None and set(snapshot.searcher.schema.names()) != set(self._schema.names())

    def versions(self, doc_ids: list[str]) -> dict[str, int]:
        """The indexed version of each of these documents that exists."""
        with self._reading() as snapshot:
            if snapshot is None:
                return {}
            found = {}
            with snapshot.exclusive() as searcher:
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
        with self._reading() as snapshot:
            if snapshot is None:
                return []
            with snapshot.exclusive() as searcher:
                return sorted(searcher.stored_fields(n)["doc_id"] for n in searcher.docs_for_query(q))

    def doc_ids_expired(self, on: date) -> list[str]:
        """Ids of documents whose consent expiry day is before ``on`` (looked up per segment
        and day: after a commit, only the new segments are searched)."""
        with self._reading() as snapshot:
            if snapshot is None or on.toordinal() <= 1:
                return []
            view = self._view_of(snapshot)
            expired = view.expired(on)
            expired = expired[view.live()[expired]]
            return sorted(self._stored(view, docnum)["doc_id"] for docnum in expired.tolist())

    def bulk_add(self, documents: list[SearchDocument]) -> None:
        """Add documents to a fresh index being rebuilt, with Whoosh's multi-process writer.

        No version checks and no deletions (the index is new); each call writes its own
        segments (``multisegment``) of at most ``REBUILD_SEGMENT_DOCS`` documents, one commit
        per ``procs`` segments, which keeps later purges small.
        """
        procs = min(BULK_PROCS, os.cpu_count() or 1)
        if REBUILD_SEGMENT_DOCS < BULK_MIN_DOCS_PER_PROC or len(documents) < BULK_MIN_DOCS_PER_PROC * procs:
            procs = 1  # too few documents to be worth forking: one segment per commit
        step = REBUILD_SEGMENT_DOCS * procs
        for start in range(0, len(documents), step):
            self._bulk_commit(documents[start : start + step], procs)

    def _bulk_commit(self, documents: list[SearchDocument], procs: int) -> None:
        with self._mutex:
            self._require_writable()
            if not documents:
                return
            before = set(os.listdir(self._path))
            if procs > 1:
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
            self._write_missing_postings_files()
            _fsync_new_files(self._path, before)

    def has_deleted(self) -> bool:
        """Whether any segment still holds deleted documents."""
        with self._reading() as snapshot:  # deletions are in memory: no file is read
            return snapshot is not None and snapshot.searcher.reader().has_deletions()

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked, faceted, paginated results with safe snippets; malformed queries never raise."""
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), MAX_PAGE_SIZE)
        text, notices = clean_query_text(query.text)
        with self._reading() as snapshot:
            if snapshot is None:
                return SearchResults([], 0, page, page_size, {f: [] for f in FACETS}, tuple(notices))
            tree: q.Node | None = None
            if not WORD.search(text):
                if text:
                    notices.append(Notice.NO_WORDS)
            else:
                tree, simplified = to_tree(self._parse(text, notices, _search_fields(snapshot.searcher)))
                if simplified:
                    notices.append(Notice.SIMPLIFIED)
            if isinstance(tree, q.Nothing):
                notices.append(Notice.COMMON_WORDS_ONLY)
                return SearchResults([], 0, page, page_size, {f: [] for f in FACETS}, tuple(notices))
            by_date = tree is None or query.sort == "date"
            view = self._view_of(snapshot)
            found = evaluate(
                view,
                tree,
                count=page * page_size,
                by_date=by_date,
                filters={
                    "kind": query.kinds,
                    "exhibition": query.exhibitions,
                    "year": tuple(str(y) for y in query.years),
                    "language": query.languages,
                },
                excluded=[(field, i) for i in query.exclude_ids for field in ("doc_id", "contributor_id")],
                visible_on=query.visible_on,
            )
            offset = (page - 1) * page_size
            snippets = Snippets(found.terms, _SNIPPET_FIELDS, functools.partial(self._analyse, snapshot.analysed), reading_of)
            hits = [
                _hit(self._stored(view, docnum), 0.0 if by_date else score, snippets, view.held_by(docnum, found.terms))
                for score, docnum in found.ranked[offset : offset + page_size]
            ]
            return SearchResults(
                hits=hits,
                total=found.total,
                page=page,
                page_size=page_size,
                facets={name: _facet_list(counts) for name, counts in found.facets.items()},
                notices=tuple(notices),
            )

    def _parse(self, text: str, notices: list[str], fields: tuple[str, ...] = _SEARCH_FIELDS) -> wq.Query:
        """Whoosh's parse of ``text`` over ``fields`` (plain words if its syntax cannot be trusted)."""
        return Parser(self._schema, fields, _FIELD_BOOSTS, _KAZAKH_FIELDS).whoosh_query(text, notices)

    def _analyse(self, analysed: dict[tuple[str, str], tuple[str, ...]], fieldname: str, word: str) -> tuple[str, ...]:
        """The index terms one word becomes in a field (lower-cased, stemmed, or none if a
        stop word), remembered in ``analysed`` (a snapshot's, within ``ANALYSED_WORDS``)."""
        key = (fieldname, word)
        found = analysed.get(key)
        if found is None:
            if len(analysed) >= ANALYSED_WORDS:
                analysed.clear()
            found = analysed[key] = tuple(token.text for token in self._schema[fieldname].analyzer(word))
        return found

    @staticmethod
    def _stored(view: IndexView, docnum: int) -> dict[str, Any]:
        segment, number = view.locate(docnum)
        fields: dict[str, Any] = segment.stored(number)  # type: ignore[attr-defined]
        return fields

    def _view_of(self, snapshot: Snapshot) -> IndexView:
        """The whole-index view of the snapshot's segments, built once per snapshot (commit)."""
        with snapshot.view_lock:
            if snapshot.view is None:
                segments = []
                hashed: dict[tuple[str, str], int] = {}
                for subsearcher, _offset in hooks.sub_searchers(snapshot.searcher):
                    reader = subsearcher.reader()
                    if isinstance(reader, SegmentReader):  # not an empty index
                        data = self._segment_data(reader)
                        lock = snapshot.lock_of(reader)
                        segments.append(WhooshSegment(data, reader, subsearcher, self._postings, lock, hashed))
                self._open_postings_files(segments)
                view = IndexView(segments, FACETS)
                fields = _search_fields(snapshot.searcher)
                view.prepare(fields, [name for name in fields if name in _KAZAKH_FIELDS])
                snapshot.view = view
            return snapshot.view

    def _open_postings_files(self, segments: list[WhooshSegment]) -> None:
        """Open the postings file of each segment that has none open yet (a memory map each; a
        segment whose file is not written yet is tried again at the next commit)."""
        if self._hasher is None:
            self._hasher = postings_file.read_key(self._path)
            if self._hasher is None:
                return
        for segment in segments:
            if segment.data.postings_file is None and not segment.data.postings_file_damaged:
                path = postings_file.file_path(self._path, segment.segment_id)
                segment.data.postings_file = postings_file.PostingsFile.open(path, self._hasher, segment.doc_count)

    def _segment_data(self, reader: SegmentReader) -> SegmentData:
        segment_id = reader.segment().segment_id()
        return self._segments.setdefault(segment_id, SegmentData(segment_id, reader.doc_count_all()))

    def _forget_dead_segments(self) -> None:
        """Drop what was read from segments no snapshot lists any longer: those a merge or
        purge replaced, once no query reads them (their text too). Under ``_views``."""
        live: set[str] = set()
        for snapshot in (self._snapshot, *self._retiring):
            if snapshot is not None:
                live |= snapshot.segment_ids()
        for segment_id in [s for s in list(self._segments) if s not in live]:  # (queries add to it)
            self._segments.pop(segment_id, None)
        self._postings.keep_only(live)


def read_alike(letter: str) -> str:
    """The class of a lower-case first letter that the analysers may turn it into (see
    ``_READ_ALIKE``)."""
    return letter.translate(_READ_ALIKE)


def _romanised(lowered: str) -> str:
    return lowered.translate(_ROMANISED)


def _first_letter_read_alike(lowered: str) -> str:
    return lowered[:1].translate(_READ_ALIKE)


def _as_it_is(lowered: str) -> str:
    return lowered


def reading_of(fieldname: str) -> Callable[[str], str]:
    """How snippets may read a lower-cased word of ``fieldname`` (``Snippets``' ``reading``):
    every term the field's analyser makes of a word, read so, begins the word's reading.
    Russian fields: romanised as their stemmer does (``_ROMANISED``); unstemmed fields (Kazakh,
    names): as they are; English: only the class of the first letter, since the English
    stemmer may change letters before a word's end ("dying" becomes "die")."""
    language = fieldname.rpartition("_")[2]
    if language == "ru":
        return _romanised
    if language == "en":
        return _first_letter_read_alike
    return _as_it_is


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


def _hit(stored: dict[str, Any], score: float, snippets: Snippets, held: dict[str, set[str]]) -> SearchHit:
    return SearchHit(
        doc_id=stored["doc_id"],
        kind=stored["kind"],
        score=float(score),  # 0.0 in date order: the key is no score
        version=int(stored["version"]),
        snippets=snippets.for_hit(stored, held),
    )
