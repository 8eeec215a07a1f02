"""What the engine reads from an index: one :class:`SegmentSource` per segment.

A segment never changes once written, except that documents in it may be deleted (the
index's current deletions are given separately). Document numbers are the segment's own,
from 0 to ``doc_count - 1``, deleted documents included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Postings = tuple[NDArray[np.uint32], NDArray[np.float32]]  # document numbers, term frequencies
NO_POSTINGS: Postings = (np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32))


class SegmentSource(Protocol):
    """One segment's postings, lengths, lexicons, facets and dates, as plain arrays."""

    @property
    def segment_id(self) -> str: ...

    @property
    def doc_count(self) -> int:
        """Documents in the segment, deleted ones included."""
        ...

    def postings(self, field: str, term: str) -> Postings:
        """Every posting of ``term`` in ``field``, deleted documents included, in document order."""
        ...

    def positions(self, field: str, term: str, doc: int) -> Sequence[int]:
        """The positions of ``term`` in ``field`` of document ``doc`` (empty if absent)."""
        ...

    def lengths(self, field: str) -> NDArray[np.float64]:
        """Each document's number of terms in ``field``."""
        ...

    def total_length(self, field: str) -> int:
        """The number of terms in ``field`` over all documents (exact: ``lengths`` may be
        rounded by the index's encoding)."""
        ...

    def lexicon(self, field: str) -> Sequence[str]:
        """The terms of ``field``, sorted."""
        ...

    def facet(self, name: str) -> tuple[list[str], NDArray[np.intp], NDArray[np.intp]]:
        """A facet as pairs: document ``docs[i]`` holds ``values[codes[i]]``."""
        ...

    def dates(self) -> NDArray[np.int64]:
        """Each document's sort key for "by date" (larger is newer; 0 for none)."""
        ...

    def expired(self, on: date) -> NDArray[np.intp]:
        """Documents whose consent expired before ``on``."""
        ...

    def deleted(self) -> NDArray[np.intp]:
        """Documents deleted as of the commit this source was opened at."""
        ...
