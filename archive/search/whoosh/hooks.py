"""Every private Whoosh internal the adapter relies on, and nothing else.

``whoosh-reloaded`` is no longer maintained upstream, and these are not its public API: a
version bump may rename or drop any of them. Each one is used only through a function here,
and :data:`HOOKS` lists them all, so that ``tests/unit/search/test_whoosh_hooks.py`` fails with
the name of the missing hook rather than a search failing somewhere in a visitor's request.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermsReader
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
    (W3LeafMatcher, "_read_values"),  # ... and of values (positions)
    (W3LeafMatcher, "_values"),  # (set by _read_values)
    (FilterMatcher, "child"),  # the matcher under the filter that hides deleted documents
    (FileIndex, "_read_toc"),  # the current table of contents without opening a reader
    (TOC, "read"),  # a table of contents, to open segment readers one by one
    (TOC, "_segment_pattern"),  # names clean_files deletes with a segment (its postings file's too)
    (SegmentWriter, "newsegment"),  # the segment a writer began (its files, if cancelled)
    (SegmentWriter, "segments"),  # the segments a writer started from
    (SegmentWriter, "docnum"),  # the number the writer's next document gets
    (SegmentWriter, "write_per_doc"),  # copy a reader's stored fields, lengths and columns
    (SegmentWriter, "fieldwriter"),  # the new segment's terms and postings writer
    (SegmentWriter, "_added"),  # whether the new segment is written at commit
    (SegmentReader, "deleted_docs_set"),
    (SegmentReader, "_terms"),  # the segment's terms reader ...
    (W3TermsReader, "_postfile"),  # ... and its postings file
    (Searcher, "subsearchers"),  # (sub-searcher, offset) of each segment
)

#: Attributes set in ``__init__`` (not on the class): checked on an instance by the test.
INSTANCE_ATTRIBUTES = frozenset(
    {
        (W3LeafMatcher, "_ids"),
        (W3LeafMatcher, "_weights"),
        (W3LeafMatcher, "_values"),
        (FilterMatcher, "child"),
        (SegmentWriter, "newsegment"),
        (SegmentWriter, "segments"),
        (SegmentWriter, "docnum"),
        (SegmentWriter, "fieldwriter"),
        (SegmentWriter, "_added"),
        (SegmentReader, "deleted_docs_set"),
        (SegmentReader, "_terms"),
        (W3TermsReader, "_postfile"),
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


def is_segment_file(indexname: str, filename: str, segment_id: str) -> bool:
    """Whether Whoosh's ``clean_files`` takes ``filename`` for a file of segment ``segment_id``
    (``TOC._segment_pattern``), and so deletes it when the segment leaves the index."""
    match = TOC._segment_pattern(indexname).match(filename)
    return match is not None and match.group(1) == segment_id


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
    deleted: Iterable[int] = reader.deleted_docs_set
    return deleted


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


def term_infos(reader: SegmentReader, fieldname: str) -> Iterator[tuple[bytes, Any]]:
    """Each term of the field (as bytes, in order) with its term info, read in one walk over
    the segment's terms file (``SegmentReader._terms``)."""
    for (name, btext), terminfo in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield btext, terminfo


def term_postings(reader: SegmentReader, terminfo: Any, format_: Any) -> Any:
    """A matcher over every posting of the term ``terminfo`` describes (deleted documents'
    too), opened from the term info a walk over the terms already read, not looked up again."""
    return reader.codec().postings_reader(reader._terms._postfile, terminfo, format_)


def read_block_postings(matcher: Any, ids: array[int], weights: array[float], values: list[Any]) -> None:
    """Like :func:`read_all_postings`, with each posting's value (its encoded positions) too."""
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            values.extend(matcher._values)
            matcher._next_block()
        return
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()


def next_docnum(writer: Any) -> int:
    """The number the writer's next document gets in its new segment (``SegmentWriter.docnum``)."""
    return int(writer.docnum)


def write_per_doc(writer: Any, fieldnames: set[str], reader: Any) -> dict[int, int] | None:
    """Copy the live documents' stored fields, lengths and columns from ``reader`` into the
    writer's new segment; return old -> new numbers (``None``: no deletions, same order)."""
    docmap: dict[int, int] | None = writer.write_per_doc(fieldnames, reader)
    return docmap


def field_writer(writer: Any) -> Any:
    """The writer's terms and postings writer (``SegmentWriter.fieldwriter``)."""
    return writer.fieldwriter


def mark_added(writer: Any) -> None:
    """Tell the writer its new segment has content, so that ``commit`` writes it
    (``SegmentWriter._added``, which ``add_reader`` sets)."""
    writer._added = True
