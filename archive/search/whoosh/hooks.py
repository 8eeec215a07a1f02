"""Every private Whoosh internal the adapter relies on, and nothing else.

``whoosh-reloaded`` is no longer maintained upstream, and these are not its public API: a
version bump may rename or drop any of them. Each one is used only through a function here,
and :data:`HOOKS` lists them all, so that ``tests/unit/search/test_whoosh_hooks.py`` fails with
the name of the missing hook rather than a search failing somewhere in a visitor's request.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

#: (owner, attribute) of each private or undocumented internal used below.
HOOKS: tuple[tuple[type, str], ...] = (
    (W3LeafMatcher, "_read_ids"),  # decode one block of document numbers ...
    (W3LeafMatcher, "_read_weights"),  # ... and of term frequencies
    (W3LeafMatcher, "_ids"),  # the decoded block (set by _read_ids)
    (W3LeafMatcher, "_weights"),  # (set by _read_weights)
    (W3LeafMatcher, "_next_block"),
    (FilterMatcher, "child"),  # the matcher under the filter that hides deleted documents
    (FileIndex, "_read_toc"),  # the current table of contents without opening a reader
    (TOC, "read"),  # a table of contents, to open segment readers one by one
    (SegmentWriter, "newsegment"),  # the segment a writer began (its files, if cancelled)
    (SegmentWriter, "segments"),  # the segments a writer started from
    (SegmentReader, "deleted_docs_set"),
    (Searcher, "subsearchers"),  # (sub-searcher, offset) of each segment
)

#: Attributes set in ``__init__`` (not on the class): checked on an instance by the test.
INSTANCE_ATTRIBUTES = frozenset(
    {
        (W3LeafMatcher, "_ids"),
        (W3LeafMatcher, "_weights"),
        (FilterMatcher, "child"),
        (SegmentWriter, "newsegment"),
        (SegmentWriter, "segments"),
        (SegmentReader, "deleted_docs_set"),
        (Searcher, "subsearchers"),
    }
)


def storage(path: str, *, readonly: bool) -> FileStorage:
    """The folder's storage with memory maps off: whoosh-reloaded 2.7.5 wraps each part of a
    memory-mapped segment in a ``BytesIO``, which copies it, so every new searcher copied the
    whole index into memory again."""
    return FileStorage(path, supports_mmap=False, readonly=readonly)


def current_toc(ix: Any) -> Any:
    """The index's current table of contents (``FileIndex._read_toc``)."""
    return ix._read_toc()


def read_toc(storage: Any, indexname: str) -> Any:
    """The latest table of contents of ``indexname`` in ``storage`` (``TOC.read``)."""
    return TOC.read(storage, indexname)


def segment_reader(storage: Any, schema: Any, segment: Any, generation: int | None = None) -> SegmentReader:
    return SegmentReader(storage, schema, segment, generation=generation)


def multi_searcher(readers: list[SegmentReader], schema: Any, generation: int, ix: Any, weighting: Any) -> Searcher:
    """A searcher over these open readers that leaves them open when it is closed."""
    from whoosh.reading import EmptyReader

    ixreader = MultiReader(readers, generation=generation) if readers else EmptyReader(schema)
    return Searcher(ixreader, weighting=weighting, closereader=False, fromindex=ix)


def sub_searchers(searcher: Searcher) -> list[tuple[Searcher, int]]:
    """Each segment's sub-searcher and the number of its first document in the index."""
    return list(searcher.subsearchers or [(searcher, 0)])


def writer_segments(writer: Any) -> list[Any]:
    """The segments a writer started from (``SegmentWriter.segments``)."""
    return list(writer.segments)


def new_segment_id(writer: Any) -> str:
    """The id of the segment a writer began (``SegmentWriter.newsegment``)."""
    return str(writer.newsegment.segment_id())


def deleted_docs(reader: SegmentReader) -> Iterable[int]:
    """Numbers of the deleted documents of one segment."""
    return reader.deleted_docs_set


def unfiltered(matcher: Any) -> Any:
    """The matcher without the filter hiding deleted documents, reset to its first posting
    (constructing the filter has already moved its child past the first ones)."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
        matcher.reset()
    return matcher


def read_all_postings(matcher: Any, ids: array[int], frequencies: array[float]) -> None:
    """Append every posting of ``matcher`` to ``ids`` and ``frequencies``: a block at a time
    through whoosh-reloaded 2.7.5's block reader, not a Python call per posting."""
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            frequencies.extend(matcher._weights)
            matcher._next_block()
        return
    while matcher.is_active():
        ids.append(matcher.id())
        frequencies.append(matcher.weight())
        matcher.next()
