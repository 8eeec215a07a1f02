"""A segment's postings file (``archive.search.whoosh.postings_file``) on its own: what it
answers, and when it is not written or not believed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from archive.search.whoosh import postings_file
from archive.search.whoosh.postings_file import KeyHasher, PostingsFile

SEGMENT = "MAIN_abc123"
DOCS = 10  # documents in the segment


LENGTHS = {"text_en": np.array([3.0, 0.0, 7.0, 12.0] + [1.0] * 6), "title_ru": np.arange(10, dtype=np.float64)}


def _write(folder: Path, hasher: KeyHasher):
    return postings_file.write_file(folder, SEGMENT, hasher, _keys(), LENGTHS, 10)


def _keys():
    return [
        ("text_en", b"river", np.array([0, 3, 9], dtype=np.uint32), np.array([1, 2, 1], dtype=np.float32)),
        ("text_en", b"stone", np.array([3], dtype=np.uint32), np.array([4], dtype=np.float32)),
        ("title_ru", "камни".encode(), np.array([1, 2], dtype=np.uint32), np.array([1, 1], dtype=np.float32)),
    ]


def test_each_key_answers_its_own_postings_and_an_absent_key_none(tmp_path: Path):
    hasher = postings_file.write_key(tmp_path)
    assert _write(tmp_path, hasher) is not None

    opened = PostingsFile.open(postings_file.file_path(tmp_path, SEGMENT), hasher, DOCS)

    assert opened is not None and len(opened) == 3
    for field, btext, ids, frequencies in _keys():
        found = opened.postings(hasher.hash(field, btext))
        assert found[0].tolist() == ids.tolist() and found[1].tolist() == frequencies.tolist()
    assert len(opened.postings(hasher.hash("text_en", b"absent"))[0]) == 0
    assert len(opened.postings(hasher.hash("text_ru", b"river"))[0]) == 0  # the field is part of the key


def test_each_scored_fields_lengths_come_back_as_written(tmp_path: Path):
    hasher = postings_file.write_key(tmp_path)
    _write(tmp_path, hasher)

    opened = PostingsFile.open(postings_file.file_path(tmp_path, SEGMENT), hasher, DOCS)

    assert opened is not None
    for field, lengths in LENGTHS.items():
        assert opened.lengths(field).tolist() == lengths.tolist()
    assert opened.lengths("text_kk") is None  # not written: read through Whoosh


def test_no_file_is_written_when_two_keys_hash_alike(tmp_path: Path):
    class Colliding(KeyHasher):
        def hash(self, field: str, btext: bytes) -> int:
            return 7

    assert _write(tmp_path, Colliding(b"k" * 32)) is None
    assert not postings_file.file_path(tmp_path, SEGMENT).exists()


def test_a_short_or_foreign_file_is_not_believed(tmp_path: Path):
    hasher = postings_file.write_key(tmp_path)
    path = _write(tmp_path, hasher)
    assert path is not None

    assert PostingsFile.open(path, KeyHasher(b"x" * 32), DOCS) is None  # written with another key
    assert PostingsFile.open(path, hasher, DOCS + 1) is None  # another segment's (its header says 10)
    assert not postings_file.has_file(tmp_path, SEGMENT, KeyHasher(b"x" * 32))
    path.write_bytes(path.read_bytes()[:-4])  # cut short (a crash mid-write, not renamed so)
    assert PostingsFile.open(path, hasher, DOCS) is None
    assert not postings_file.has_file(tmp_path, SEGMENT, hasher)


def test_the_folder_key_is_made_once_and_kept(tmp_path: Path):
    first = postings_file.write_key(tmp_path)
    again = postings_file.write_key(tmp_path)

    assert first.fingerprint == again.fingerprint
    assert (tmp_path / postings_file.KEY_FILE).stat().st_mode & 0o077 == 0


def test_a_list_that_cannot_be_the_segments_is_reported_damaged(tmp_path: Path):
    hasher = postings_file.write_key(tmp_path)
    path = postings_file.write_file(tmp_path, SEGMENT, hasher, _keys(), {}, 9)  # a header saying 9 documents
    assert path is not None

    opened = PostingsFile.open(path, hasher, 9)  # "river" holds document 9: beyond 9 documents

    assert opened is not None
    with pytest.raises(postings_file.CorruptPostingsFile):
        opened.postings(hasher.hash("text_en", b"river"))
    assert opened.postings(hasher.hash("text_en", b"stone"))[0].tolist() == [3]


def test_a_rewritten_segments_file_drops_the_deleted_documents_and_the_keys_only_they_held(tmp_path: Path):
    hasher = postings_file.write_key(tmp_path)
    _write(tmp_path, hasher)
    old = PostingsFile.open(postings_file.file_path(tmp_path, SEGMENT), hasher, DOCS)
    assert old is not None
    deleted = {3, 5}  # document 3 held the only "stone"
    renumbered, live = [], 0
    for docnum in range(DOCS):
        renumbered.append(-1 if docnum in deleted else live)
        live += docnum not in deleted

    assert postings_file.write_renumbered(tmp_path, "MAIN_new", old, renumbered) is not None

    new = PostingsFile.open(postings_file.file_path(tmp_path, "MAIN_new"), hasher, DOCS - 2)
    assert new is not None and len(new) == 2
    river = new.postings(hasher.hash("text_en", b"river"))
    assert river[0].tolist() == [0, 7] and river[1].tolist() == [1, 1]
    assert new.postings(hasher.hash("title_ru", "камни".encode()))[0].tolist() == [1, 2]
    assert len(new.postings(hasher.hash("text_en", b"stone"))[0]) == 0
    keep = [n for n in range(DOCS) if n not in deleted]
    assert new.lengths("text_en").tolist() == LENGTHS["text_en"][keep].tolist()


@pytest.mark.parametrize("renumbered", [[0, 1, 2], [1, 0, *range(2, DOCS)], [0, -1, 2, *range(3, DOCS)]])
def test_no_file_is_derived_from_a_numbering_that_is_not_a_rewrite_of_the_segment(tmp_path: Path, renumbered):
    hasher = postings_file.write_key(tmp_path)
    _write(tmp_path, hasher)
    old = PostingsFile.open(postings_file.file_path(tmp_path, SEGMENT), hasher, DOCS)
    assert old is not None

    assert postings_file.write_renumbered(tmp_path, "MAIN_new", old, renumbered) is None
    assert not postings_file.file_path(tmp_path, "MAIN_new").exists()
