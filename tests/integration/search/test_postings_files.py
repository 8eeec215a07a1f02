"""Each segment's postings file (``archive.search.whoosh.postings_file``): the same postings
as the segment's own files, written by every path that makes a segment, gone with its
segment, and not needed to answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from archive.search import SearchDocument, SearchQuery
from archive.search.whoosh import WhooshSearchIndex, hooks, postings_file, source


def _doc(doc_id: str, **fields) -> SearchDocument:
    fields.setdefault("kind", "artwork")
    return SearchDocument(doc_id=doc_id, version=1, **fields)


def _mixed(n: int, prefix: str = "d") -> list[SearchDocument]:
    return [
        _doc(
            f"{prefix}{i}",
            titles={"en": f"River stones {i}", "ru": f"Речные камни {i}"},
            texts={"en": f"quiet water number{i % 7}", "ru": "тихая вода", "kk": f"тыныш су{i % 3}"},
            content_notes={"en": "grief"},
            contributor=f"Person {i % 5}",
            contributor_id=f"c{i % 5}",
            exhibitions=("thyme-room",),
            year=2000 + i % 4,
            language="en",
        )
        for i in range(n)
    ]


def _segment_ids(folder: Path) -> set[str]:
    storage = hooks.storage(str(folder), readonly=True)
    return {segment.segment_id() for segment in hooks.read_toc(storage, "MAIN").segments}


def _files(folder: Path) -> set[str]:
    return {path.name.removesuffix(postings_file.SUFFIX) for path in folder.glob(f"*{postings_file.SUFFIX}")}


def _every_segment_has_its_file(folder: Path) -> bool:
    hasher = postings_file.read_key(folder)
    live = _segment_ids(folder)
    return hasher is not None and _files(folder) == live and all(postings_file.has_file(folder, s, hasher) for s in live)


def _search_all(index: WhooshSearchIndex) -> list[tuple[str, int, list[tuple[str, float]], dict]]:
    texts = ["river", "камни", "тыныш", "су1", "quiet water", '"river stones"', "number3", "person", "grief",
             "riv*", "absentword", ""]
    results = []
    for text in texts:
        found = index.search(SearchQuery(text=text, page_size=50))
        facets = {name: [(c.value, c.count) for c in counts] for name, counts in found.facets.items()}
        results.append((text, found.total, [(hit.doc_id, round(hit.score, 9)) for hit in found.hits], facets))
    return results


def test_every_key_and_norm_of_a_real_segment_reads_the_same_from_its_file(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.apply(_mixed(60), [], position=1)
    ix.apply(_mixed(3, prefix="e"), ["d1"], position=2)  # a segment with a deleted document
    hasher = postings_file.read_key(folder)
    assert hasher is not None
    storage = hooks.storage(str(folder), readonly=True)
    toc = hooks.read_toc(storage, "MAIN")
    checked = 0
    for segment in toc.segments:
        opened = postings_file.PostingsFile.open(postings_file.file_path(folder, segment.segment_id()), hasher, segment.doc_count_all())
        assert opened is not None
        reader = hooks.segment_reader(storage, toc.schema, segment)
        try:
            keys = list(reader.all_terms())
            assert len(opened) == len(keys)
            for field, btext in keys:
                text = toc.schema[field].from_bytes(btext)
                ids, frequencies = source.read_postings(reader, field, text)
                in_file = opened.postings(hasher.hash(field, toc.schema[field].to_bytes(text)))
                assert np.array_equal(in_file[0], ids) and np.array_equal(in_file[1], frequencies), (field, text)
                checked += 1
            for field in (name for name in toc.schema.names() if toc.schema[name].scorable):
                assert np.array_equal(opened.lengths(field), source.read_lengths(reader, field)), field
        finally:
            reader.close()
    assert checked > 100
    ix.close()


def test_each_path_that_makes_a_segment_writes_its_file(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.bulk_add(_mixed(40, prefix="b"))
    assert _every_segment_has_its_file(folder)
    for n in range(4):  # four small segments of one size class: compact merges them
        ix.apply([_doc(f"a{n}", texts={"en": f"small {n}"})], [], position=n + 1)
        assert _every_segment_has_its_file(folder)
    before = _segment_ids(folder)
    assert ix.compact() >= 4
    assert _segment_ids(folder) != before and _every_segment_has_its_file(folder)
    ix.close()


def test_a_purge_takes_the_withdrawn_documents_segment_file_off_the_disk(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.apply(_mixed(20, prefix="b"), [], position=1)
    first = _segment_ids(folder)
    ix.apply([*_mixed(5, prefix="e"), _doc("secret", texts={"en": "zqxwvbrelic"})], [], position=2)
    (holding,) = _segment_ids(folder) - first
    ix.apply([], ["secret"], position=3)

    assert ix.purge_deleted() == 1

    assert holding not in _segment_ids(folder) and not postings_file.file_path(folder, holding).exists()
    assert _every_segment_has_its_file(folder)  # the rewritten segment's too
    assert ix.search(SearchQuery(text="zqxwvbrelic")).total == 0
    assert ix.search(SearchQuery(text="quiet", page_size=50)).total == 25
    ix.close()


def test_a_purged_segments_file_derived_from_the_old_one_is_the_file_of_the_new_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The rewrite's file is derived from the old segment's (no read of the new segment) and
    holds, byte for byte, what reading the new segment would write: deleted documents' postings
    and lengths gone, the others renumbered, a word only they held gone with its key."""
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.apply([*_mixed(12, prefix="b"), _doc("secret", texts={"en": "zqxwvbrelic"}), *_mixed(12, prefix="c")], [], position=1)
    ix.apply([], ["secret", "b0", "c7", "c11"], position=2)
    hasher = postings_file.read_key(folder)
    assert hasher is not None
    read_back = []
    monkeypatch.setattr(postings_file, "write_file", lambda *args, **kwargs: read_back.append(args))

    assert ix.purge_deleted() == 1

    assert read_back == [], "derived from the old file, not read from the new segment"
    monkeypatch.undo()
    storage = hooks.storage(str(folder), readonly=True)
    toc = hooks.read_toc(storage, "MAIN")
    (segment,) = toc.segments
    derived = postings_file.file_path(folder, segment.segment_id()).read_bytes()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    reader = hooks.segment_reader(storage, toc.schema, segment)
    try:
        assert reader.doc_count_all() == 21
        postings_file.write_file(elsewhere, segment.segment_id(), hasher, source.every_key_postings(reader),
                                 source.scored_lengths(reader), reader.doc_count_all())
    finally:
        reader.close()
    assert derived == postings_file.file_path(elsewhere, segment.segment_id()).read_bytes()
    assert ix.search(SearchQuery(text="zqxwvbrelic")).total == 0
    assert ix.search(SearchQuery(text="quiet", page_size=50)).total == 21
    ix.close()


def test_an_index_from_before_these_files_gets_them_when_opened_for_writing(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.apply(_mixed(30), [], position=1)
    expected = _search_all(ix)
    ix.close()
    for path in [*folder.glob(f"*{postings_file.SUFFIX}"), folder / postings_file.KEY_FILE]:
        path.unlink()

    reader = WhooshSearchIndex(folder, writable=False)  # no key, no files: read through Whoosh
    assert _search_all(reader) == expected
    ix = WhooshSearchIndex(folder, writable=True)
    assert _every_segment_has_its_file(folder)
    assert _search_all(ix) == expected
    reader.close()
    ix.close()


def test_missing_or_foreign_files_give_the_same_results(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.apply(_mixed(30), [], position=1)
    ix.apply(_mixed(5, prefix="e"), ["d2"], position=2)
    first_reader = WhooshSearchIndex(folder, writable=False)
    with_files = _search_all(first_reader)
    first_reader.close()
    ix.close()
    first, *_ = sorted(_segment_ids(folder))
    postings_file.file_path(folder, first).unlink()  # a crash between a commit and its file
    (folder / postings_file.KEY_FILE).write_bytes(b"k" * 32)  # every other file is now foreign
    reader = WhooshSearchIndex(folder, writable=False)
    assert _search_all(reader) == with_files
    reader.close()


def test_a_query_reads_no_postings_through_whoosh_when_every_segment_has_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    for n in range(5):
        ix.apply(_mixed(30, prefix=f"s{n}-"), [], position=n + 1)
    ix.apply([_doc("rare", texts={"en": "a zqxwvbrelic night"})], [], position=6)
    lookups: list[str] = []
    real = source._term_matcher
    monkeypatch.setattr(source, "_term_matcher", lambda reader, field, text: lookups.append(field) or real(reader, field, text))
    reader = WhooshSearchIndex(folder, writable=False)
    reader.search(SearchQuery(text="night"))  # facets are read once a segment, from Whoosh
    lookups.clear()

    assert [hit.doc_id for hit in reader.search(SearchQuery(text="zqxwvbrelic")).hits] == ["rare"]
    assert reader.search(SearchQuery(text="river stones")).total == 150
    assert lookups == []
    reader.close()
    ix.close()


def _corrupt_lists(path: Path, how: str) -> None:
    """Overwrite, in place, part of a postings file's body (its header and size stay right)."""
    data = bytearray(path.read_bytes())
    keys, total = int.from_bytes(data[16:24], "little"), int.from_bytes(data[24:32], "little")
    starts_at = 48 + 8 * keys  # after the header (magic, key fingerprint, four counts) and the hashes
    docs_at = starts_at + 8 * (keys + 1)
    if how == "document numbers beyond the segment":
        data[docs_at : docs_at + 4 * total] = np.full(total, 10**6, dtype="<u4").tobytes()
    elif how == "lists cut to nothing":
        data[starts_at + 8 : starts_at + 8 * keys] = np.zeros(keys - 1, dtype="<u8").tobytes()
    elif how == "lists running past the end":
        data[starts_at + 8 : starts_at + 8 * keys] = np.full(keys - 1, total + 99, dtype="<u8").tobytes()
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how",
    ["document numbers beyond the segment", "lists cut to nothing", "lists running past the end"],
)
def test_a_file_corrupted_inside_is_not_believed(tmp_path: Path, how: str):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.apply(_mixed(30), [], position=1)
    ix.apply(_mixed(5, prefix="e"), ["d2"], position=2)
    ix.close()
    first_reader = WhooshSearchIndex(folder, writable=False)
    expected = _search_all(first_reader)
    first_reader.close()
    for path in folder.glob(f"*{postings_file.SUFFIX}"):
        _corrupt_lists(path, how)

    reader = WhooshSearchIndex(folder, writable=False)  # read through Whoosh, not raising

    assert _search_all(reader) == expected
    reader.close()


def test_a_commit_looks_only_at_the_new_segments_postings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    for n in range(4):
        ix.apply(_mixed(5, prefix=f"s{n}-"), [], position=n + 1)
    looked: list[str] = []
    real = postings_file.has_file
    monkeypatch.setattr(postings_file, "has_file", lambda f, segment_id, h: looked.append(segment_id) or real(f, segment_id, h))
    before = _segment_ids(folder)

    ix.apply([_doc("new", texts={"en": "lantern"})], [], position=9)

    assert looked == sorted(_segment_ids(folder) - before)  # one header read: the new segment's
    assert _every_segment_has_its_file(folder)
    ix.close()
