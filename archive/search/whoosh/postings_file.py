"""A segment's postings as plain arrays, written beside it: ``<segment id>.postings``.

Reading a term's postings through Whoosh costs a probe of the segment's terms file, then a
matcher, a pickled block header and a zlib block for each list: about 30 us for a term the
segment lacks and 100-200 us for one it holds, in every segment, for every term a query
has not met before. At 50,000 documents an index has about a hundred segments (small, so
that a purge rewrites little), so a query's first run paid that a hundred times per term.

This file holds the same postings, written once when its segment is (by the index adapter,
after each commit), read by queries with a binary search and two slices:

* a header: magic, the key's fingerprint, the numbers of keys, postings, length fields and
  documents;
* the sorted keyed 64-bit hashes of every (field, term) key of the segment;
* where each key's postings start (one more entry: the end);
* every posting's document number (``uint32``), then every posting's frequency (``float32``),
  key after key, in document order (deleted documents' too, as in the segment's own files);
* the sorted keyed hashes of the scored fields, then each one's document lengths (``float32``,
  one per document, as Whoosh decodes them): BM25's norms, which Whoosh answers one Python
  call per document and field (about 2 s for the first query of a process at 50,000).

Positions (for phrases) are still read from Whoosh. The file is memory-mapped, so web workers
share its pages and a segment costs nothing until a query reads it.

Exactness: if two keys of a segment hash alike, no file is written for it (every key is then
read through Whoosh). A key the segment lacks reads as absent unless its hash is one of the
segment's (one chance in about 2**64 / keys, with a random key no visitor can aim at). The
hashes are keyed (BLAKE2b with the index folder's random ``postings.key``), so the file alone
does not confirm a guessed word; the segment's own terms file beside it holds the words
themselves. Whoosh's ``clean_files`` deletes the file with its segment (the adapter checks
the name before writing): a purge takes it off the disk with the withdrawn text's segment.
A missing, short or foreign file (an index from before, a crash between a commit and its
files, another key) reads as none. A file damaged inside is caught where a key's list is read
(:class:`CorruptPostingsFile`: a list that is empty, runs past the end, or holds a document
number beyond the segment); the segment is then read through Whoosh.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from archive.search.engine.source import NO_POSTINGS, Postings
from archive.storage.durable import write_synced

__all__ = ["KEY_FILE", "SUFFIX", "CorruptPostingsFile", "KeyHasher", "PostingsFile", "file_path", "has_file", "read_key", "write_file", "write_key", "write_renumbered"]

SUFFIX = ".postings"
KEY_FILE = "postings.key"
_MAGIC = b"PSTARR02"
_HEADER = 48  # magic, the key's fingerprint; numbers of keys, postings, length fields, documents
_KEY_BYTES = 32

#: One key's postings, as written: (field, term as Whoosh stores it, document numbers, frequencies).
KeyPostings = tuple[str, bytes, "NDArray[np.uint32]", "NDArray[np.float32]"]


class CorruptPostingsFile(ValueError):
    """A postings file whose header is right but whose lists cannot be the segment's."""


class KeyHasher:
    """The keyed hash of (field, term) keys shared by every postings file of one index folder."""

    def __init__(self, key: bytes):
        self._key = key
        self.fingerprint = hashlib.blake2b(b"postings fingerprint", digest_size=8, key=key).digest()

    def hash(self, field: str, btext: bytes) -> int:
        """The key's hash (``btext``: the term as Whoosh stores it, e.g. UTF-8)."""
        digest = hashlib.blake2b(field.encode("utf-8") + b"\xff" + btext, digest_size=8, key=self._key).digest()
        return int.from_bytes(digest, "little")


class PostingsFile:
    """One segment's postings file, memory-mapped, answering a key's postings by its hash."""

    def __init__(self, data: NDArray[np.uint8], counts: tuple[int, int, int, int], hasher: KeyHasher):
        keys, postings, fields, documents = counts
        self._doc_count = documents
        at = _HEADER
        self._hashes = data[at : at + 8 * keys].view("<u8")
        at += 8 * keys
        self._starts = data[at : at + 8 * (keys + 1)].view("<u8")
        at += 8 * (keys + 1)
        self._docs = data[at : at + 4 * postings].view("<u4")
        at += 4 * postings
        self._frequencies = data[at : at + 4 * postings].view("<f4")
        at += 4 * postings
        self._field_hashes = data[at : at + 8 * fields].view("<u8")
        at += 8 * fields
        self._lengths = data[at : at + 4 * fields * documents].view("<f4").reshape(fields, documents)
        self.hasher = hasher

    def __len__(self) -> int:
        return len(self._hashes)

    def postings(self, value: int) -> Postings:
        """Document numbers and frequencies of the key whose hash is ``value`` (copies, in
        document order; none if the segment lacks it). ``CorruptPostingsFile`` if the list
        read cannot be one of the segment's."""
        hashes = self._hashes
        at = int(np.searchsorted(hashes, np.uint64(value)))
        if at == len(hashes) or int(hashes[at]) != value:
            return NO_POSTINGS
        start, end = int(self._starts[at]), int(self._starts[at + 1])
        if not start < end <= len(self._docs):
            raise CorruptPostingsFile(f"the list of key {at} runs from {start} to {end} of {len(self._docs)}")
        docs = np.array(self._docs[start:end], dtype=np.uint32)
        if int(docs.max()) >= self._doc_count:  # (order is not checked: it costs twice as much)
            raise CorruptPostingsFile(f"the list of key {at} holds document numbers beyond {self._doc_count}")
        return docs, np.array(self._frequencies[start:end], dtype=np.float32)

    def lengths(self, field: str) -> NDArray[np.float64] | None:
        """Each document's length in ``field`` (a scored field), or ``None`` if not written."""
        value = self.hasher.hash(field, b"")
        at = int(np.searchsorted(self._field_hashes, np.uint64(value)))
        if at == len(self._field_hashes) or int(self._field_hashes[at]) != value:
            return None
        return np.array(self._lengths[at], dtype=np.float64)

    @classmethod
    def open(cls, path: Path, hasher: KeyHasher, doc_count: int) -> PostingsFile | None:
        """The file at ``path`` of a segment of ``doc_count`` documents (deleted ones too), or
        ``None`` (read through Whoosh) if it is missing, cut short, or was written with another
        key."""
        try:
            size = path.stat().st_size
            if size < _HEADER:
                return None
            data = np.memmap(path, dtype=np.uint8, mode="r")
        except (FileNotFoundError, ValueError, OSError):
            return None
        counts = _whole_file_counts(bytes(data[:_HEADER]), size, hasher)
        if counts is None:
            return None
        if counts[3] != doc_count:  # another segment's file, or a damaged header
            return None
        return cls(data, counts, hasher)


def _whole_file_counts(header: bytes, size: int, hasher: KeyHasher) -> tuple[int, int, int, int] | None:
    """Numbers of keys, postings, length fields and documents from a file's header, or ``None``
    if it is not a postings file written with ``hasher``'s key, or its ``size`` is not theirs."""
    if len(header) != _HEADER or header[:8] != _MAGIC or header[8:16] != hasher.fingerprint:
        return None
    keys, postings, fields, documents = (int.from_bytes(header[at : at + 8], "little") for at in (16, 24, 32, 40))
    return (keys, postings, fields, documents) if size == _size(keys, postings, fields, documents) else None


def _size(keys: int, postings: int, fields: int, documents: int) -> int:
    return _HEADER + 8 * keys + 8 * (keys + 1) + 8 * postings + 8 * fields + 4 * fields * documents


def file_path(folder: Path, segment_id: str) -> Path:
    """Where the postings file of segment ``segment_id`` lives (matched by Whoosh's segment pattern)."""
    return folder / f"{segment_id}{SUFFIX}"


def has_file(folder: Path, segment_id: str, hasher: KeyHasher) -> bool:
    """Whether the segment has a whole postings file written with this key (read: its header)."""
    path = file_path(folder, segment_id)
    try:
        with open(path, "rb") as file:
            header = file.read(_HEADER)
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    return _whole_file_counts(header, size, hasher) is not None


def write_file(
    folder: Path,
    segment_id: str,
    hasher: KeyHasher,
    keys: Iterable[KeyPostings],
    lengths: Mapping[str, NDArray[np.float64]],
    documents: int,
) -> Path | None:
    """Write the postings file of a segment's ``keys`` and of its scored fields' ``lengths``
    (field -> one length for each of its ``documents``) atomically: a temporary file (its name
    also a segment file's, so that a crash leaves nothing Whoosh would not clean), flushed,
    then renamed; ``None`` (no file: read through Whoosh) if two keys hash alike. The caller
    flushes the folder."""
    hashes: list[int] = []
    docs: list[NDArray[np.uint32]] = []
    frequencies: list[NDArray[np.float32]] = []
    for field, btext, ids, weights in keys:
        hashes.append(hasher.hash(field, btext))
        docs.append(np.asarray(ids, dtype="<u4"))
        frequencies.append(np.asarray(weights, dtype="<f4"))
    order = np.argsort(np.array(hashes, dtype=np.uint64), kind="stable")
    sorted_hashes = np.array(hashes, dtype="<u8")[order]
    if len(sorted_hashes) > 1 and bool(np.any(sorted_hashes[1:] == sorted_hashes[:-1])):
        return None
    per_key = np.array([len(docs[i]) for i in order], dtype="<u8")
    starts = np.zeros(len(order) + 1, dtype="<u8")
    np.cumsum(per_key, out=starts[1:])
    all_docs = np.concatenate([docs[i] for i in order]) if len(order) else np.zeros(0, dtype="<u4")
    all_frequencies = np.concatenate([frequencies[i] for i in order]) if len(order) else np.zeros(0, dtype="<f4")
    by_field = sorted((hasher.hash(field, b""), field) for field in lengths)
    if len({value for value, _ in by_field}) != len(by_field):
        return None
    field_hashes = np.array([value for value, _ in by_field], dtype="<u8")
    field_lengths = np.zeros((len(by_field), documents), dtype="<f4")
    for row, (_, field) in enumerate(by_field):
        field_lengths[row] = lengths[field]
    return _write(folder, segment_id, hasher, sorted_hashes, starts, all_docs, all_frequencies, field_hashes, field_lengths)


def write_renumbered(folder: Path, segment_id: str, old: PostingsFile, renumbered: Sequence[int]) -> Path | None:
    """Write the postings file of segment ``segment_id``, rewritten from the segment of ``old``
    without its deleted documents (what a purge does): ``renumbered`` gives each of the old
    segment's documents its new number, in the same order, or -1 if it was deleted. Its
    postings and lengths are dropped, and so is a key left with no posting, as the rewrite
    drops them from the segment's own files. Array work only: no Whoosh read, where reading
    the new segment back cost about half a second for 500 testimonies. ``None`` (no file:
    the caller reads the segment through Whoosh) if ``old`` does not hold together or
    ``renumbered`` is not such a numbering."""
    numbers = np.asarray(renumbered, dtype=np.int64)
    live = numbers >= 0
    documents = int(live.sum())
    starts = old._starts.astype(np.int64)
    if len(numbers) != old._doc_count or not np.array_equal(numbers[live], np.arange(documents)):
        return None
    if int(starts[0]) != 0 or int(starts[-1]) != len(old._docs) or bool(np.any(np.diff(starts) <= 0)):
        return None  # a damaged file: the caller reads the new segment instead
    if len(old._docs) and int(old._docs.max()) >= old._doc_count:
        return None
    mapped = numbers[old._docs]
    kept = mapped >= 0
    running = np.zeros(len(kept) + 1, dtype=np.int64)
    np.cumsum(kept, out=running[1:])
    per_key = running[starts[1:]] - running[starts[:-1]]
    has_postings = per_key > 0
    new_starts = np.zeros(int(has_postings.sum()) + 1, dtype="<u8")
    np.cumsum(per_key[has_postings], out=new_starts[1:])
    return _write(
        folder, segment_id, old.hasher, np.asarray(old._hashes[has_postings], dtype="<u8"), new_starts,
        mapped[kept], old._frequencies[kept], np.asarray(old._field_hashes, dtype="<u8"), old._lengths[:, live],
    )


def _write(
    folder: Path,
    segment_id: str,
    hasher: KeyHasher,
    hashes: NDArray[np.uint64],
    starts: NDArray[np.uint64],
    docs: NDArray[np.integer],
    frequencies: NDArray[np.floating],
    field_hashes: NDArray[np.uint64],
    field_lengths: NDArray[np.floating],
) -> Path:
    """Write the arrays of a postings file atomically: a temporary file (its name also a
    segment file's, so that a crash leaves nothing Whoosh would not clean), flushed, then
    renamed. The caller flushes the folder."""
    counts = (len(hashes), len(docs), len(field_hashes), field_lengths.shape[1])  # (fields, documents)
    header = _MAGIC + hasher.fingerprint + b"".join(count.to_bytes(8, "little") for count in counts)
    path = file_path(folder, segment_id)
    tmp = path.with_name(f"{path.name}.tmp")
    write_synced(tmp, [header, hashes.tobytes(), starts.tobytes(), docs.astype("<u4").tobytes(),
                       frequencies.astype("<f4").tobytes(), field_hashes.tobytes(), field_lengths.astype("<f4").tobytes()])
    os.replace(tmp, path)
    return path


def read_key(folder: Path) -> KeyHasher | None:
    """The folder's hasher, or ``None`` if it has no key yet."""
    try:
        key = (folder / KEY_FILE).read_bytes()
    except FileNotFoundError:
        return None
    return KeyHasher(key) if len(key) == _KEY_BYTES else None


def write_key(folder: Path) -> KeyHasher:
    """The folder's hasher, creating its random key if it has none (a key of the wrong size is
    replaced: files written with it no longer match, and are written again)."""
    found = read_key(folder)
    if found is not None:
        return found
    tmp = folder / f"{KEY_FILE}.tmp"
    key = secrets.token_bytes(_KEY_BYTES)
    write_synced(tmp, [key])
    os.replace(tmp, folder / KEY_FILE)
    return KeyHasher(key)
