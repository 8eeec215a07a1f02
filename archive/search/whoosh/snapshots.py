"""Commits as queries see them, so that queries run in parallel and no lock spans a query.

Whoosh reads a segment through one file handle per file (seek, then read), so two threads
reading one segment reader at once would read each other's bytes. Each open reader is
therefore a :class:`SharedReader` with its own lock, held only while that reader's files are
read (one posting list, one stored document). A :class:`Snapshot` is one commit: its
searcher, its engine view and the readers it lists, kept open across commits while their
segment and deletions stay the same. Queries count themselves in and out of the snapshot
they started on; a snapshot a newer commit replaced is released when its last query ends,
and a reader is closed when no snapshot lists it any longer. No new query sees a replaced
snapshot, and what its queries read is dropped when they end.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from archive.search.engine.evaluation import IndexView

_order = itertools.count()

ReaderKey = tuple[str, int]  # segment id, deleted documents


class SharedReader:
    """One open segment reader, the lock its file reads hold, and how many snapshots list it."""

    def __init__(self, reader: SegmentReader):
        self.reader = reader
        self.lock = threading.Lock()
        self.holders = 0
        self.order = next(_order)  # locks taken together are taken in this order (no deadlock)


class Snapshot:
    """One commit as queries see it (see the module's docstring). ``queries`` is changed
    only by the index, under its own lock; ``view`` and ``analysed`` are filled by the
    queries (the view under ``view_lock``, so that it is built once)."""

    def __init__(self, generation: int, searcher: Searcher, readers: dict[ReaderKey, SharedReader]):
        self.generation = generation
        self.searcher = searcher
        self.readers = readers
        for shared in readers.values():
            shared.holders += 1
        self.queries = 0
        self.current = True
        self.view: IndexView | None = None
        self.view_lock = threading.Lock()
        #: Words of hits' text analysed for snippets: dropped with the snapshot, so that a
        #: withdrawn text's words leave memory once no query reads the commit that held it.
        self.analysed: dict[tuple[str, str], tuple[str, ...]] = {}

    def segment_ids(self) -> set[str]:
        return {segment_id for segment_id, _deleted in self.readers}

    def lock_of(self, reader: Any) -> threading.Lock:
        """The lock of one of this snapshot's readers."""
        for shared in self.readers.values():
            if shared.reader is reader:
                return shared.lock
        raise KeyError("not a reader of this snapshot")

    @contextmanager
    def exclusive(self) -> Iterator[Searcher]:
        """The searcher, with every reader's lock held: for Whoosh's own lookups (a writer's
        deletions by term, stored versions), which read any segment. Short, and rare."""
        with ExitStack() as stack:
            for shared in sorted(self.readers.values(), key=lambda s: s.order):
                stack.enter_context(shared.lock)
            yield self.searcher

    def release(self) -> list[SegmentReader]:
        """Stop listing the readers; return those no snapshot lists any longer (to close)."""
        self.searcher.close()  # leaves the readers open (they are the snapshots')
        self.view = None
        self.analysed = {}
        unused = []
        for shared in self.readers.values():
            shared.holders -= 1
            if shared.holders == 0:
                unused.append(shared.reader)
        return unused
