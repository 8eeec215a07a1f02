"""Queries run in parallel, and a segment a commit replaced is let go after its last query."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.search import SearchDocument, SearchQuery, SearchResults
from archive.search.whoosh import WhooshSearchIndex, hooks
from archive.search.whoosh import index as whoosh_index

WAIT = 10.0  # seconds a held query waits at most (the test fails well before)


def _doc(doc_id: str, text: str) -> SearchDocument:
    return SearchDocument(doc_id=doc_id, version=1, kind="testimony", texts={"en": text})


class HeldQuery:
    """A search in a thread of its own, held after its evaluation until ``let_go``."""

    def __init__(self, index: WhooshSearchIndex, text: str, monkeypatch: pytest.MonkeyPatch):
        self.evaluated = threading.Event()
        self._go = threading.Event()
        self.results: SearchResults | None = None
        evaluate = whoosh_index.evaluate

        def held_evaluate(*args, **kwargs):
            found = evaluate(*args, **kwargs)
            if threading.current_thread() is self._thread:
                self.evaluated.set()
                self._go.wait(WAIT)
            return found

        monkeypatch.setattr(whoosh_index, "evaluate", held_evaluate)
        self._thread = threading.Thread(target=self._run, args=(index, text), daemon=True)
        self._thread.start()
        assert self.evaluated.wait(WAIT)

    def _run(self, index: WhooshSearchIndex, text: str) -> None:
        self.results = index.search(SearchQuery(text=text))

    def let_go(self) -> SearchResults:
        self._go.set()
        self._thread.join(WAIT)
        assert self.results is not None
        return self.results


def _within(seconds: float, call) -> bool:
    """Whether ``call`` returns within ``seconds`` (run in a thread, so a block is seen)."""
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def _deleted_files_held_open(folder: Path) -> list[str]:
    """Files of ``folder`` this process still holds open though they were deleted."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)) and target.endswith("(deleted)"):
            held.append(target)
    return held


@pytest.fixture
def index(tmp_path: Path) -> Iterator[WhooshSearchIndex]:
    ix = WhooshSearchIndex(tmp_path / "ix", writable=True)
    yield ix
    ix.close()


def test_a_query_completes_while_another_is_still_running(index, monkeypatch):
    index.apply([_doc("a", "a quiet lantern"), _doc("b", "a loud lantern")], [], position=1)
    held = HeldQuery(index, "quiet", monkeypatch)

    found: list[list[str]] = []
    assert _within(5.0, lambda: found.append([hit.doc_id for hit in index.search(SearchQuery(text="loud")).hits]))
    assert found == [["b"]]

    assert [hit.doc_id for hit in held.let_go().hits] == ["a"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see open files")
def test_a_purged_segment_is_closed_only_after_its_last_query_and_nothing_of_it_stays(tmp_path, monkeypatch):
    opened: list[hooks.SegmentReader] = []

    class RecordedReader(hooks.SegmentReader):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(hooks, "SegmentReader", RecordedReader)
    folder = tmp_path / "ix"
    index = WhooshSearchIndex(folder, writable=True)
    index.apply([_doc("secret", "a zqxwvbrelic night"), _doc("other", "another night")], [], position=1)
    index.apply([_doc("later", "a later night")], [], position=2)
    held = HeldQuery(index, "zqxwvbrelic night", monkeypatch)  # has read the secret's segment
    old_readers = [reader for reader in opened if not reader.is_closed]
    assert len(old_readers) == 2

    def withdraw() -> None:
        index.apply([], ["secret"], position=3)
        index.purge_deleted()

    assert _within(5.0, withdraw)  # the writer does not wait for the query either
    assert [hit.doc_id for hit in index.search(SearchQuery(text="zqxwvbrelic")).hits] == []  # a new query
    purged = [r for r in old_readers if r.segment().segment_id() not in _live_segments(index)]
    assert len(purged) == 1 and not purged[0].is_closed  # the held query still reads it
    assert _deleted_files_held_open(folder)

    assert held.let_go().total == 1  # it answered from the commit it started on

    assert purged[0].is_closed
    assert not _deleted_files_held_open(folder)
    live = _live_segments(index)
    assert set(index._segments) <= live
    assert {key[0] for key in index._postings._entries} <= live
    index.close()
    assert all(reader.is_closed for reader in opened)


def _live_segments(index: WhooshSearchIndex) -> set[str]:
    return {segment.segment_id() for segment in hooks.current_toc(index._ix).segments}
