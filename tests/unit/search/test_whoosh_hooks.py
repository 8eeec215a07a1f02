"""Each private Whoosh internal the adapter relies on (``archive.search.whoosh.hooks``) still
exists, with the parameters we pass: a bump of the unmaintained ``whoosh-reloaded`` that
renames one fails here, naming it, rather than in a visitor's search."""

from __future__ import annotations

import inspect
from array import array

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermsReader
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from archive.search.whoosh import hooks

CLASS_HOOKS = [(owner, name) for owner, name in hooks.HOOKS if (owner, name) not in hooks.INSTANCE_ATTRIBUTES]


@pytest.mark.parametrize(("owner", "name"), CLASS_HOOKS, ids=[f"{o.__name__}.{n}" for o, n in CLASS_HOOKS])
def test_each_private_whoosh_method_the_adapter_calls_still_exists(owner: type, name: str):
    assert hasattr(owner, name), f"whoosh changed: {owner.__module__}.{owner.__name__}.{name} is gone (see archive/search/whoosh/hooks.py)"


@pytest.mark.parametrize(
    ("function", "parameters"),
    [
        (SegmentReader.__init__, ("storage", "schema", "segment", "generation")),
        (Searcher.__init__, ("reader", "weighting", "closereader", "fromindex")),
        (FileStorage.__init__, ("path", "supports_mmap", "readonly")),
    ],
    ids=["SegmentReader", "Searcher", "FileStorage"],
)
def test_whoosh_constructors_still_take_the_parameters_the_adapter_passes(function, parameters):
    known = inspect.signature(function).parameters
    missing = [name for name in parameters if name not in known]
    assert not missing, f"whoosh changed: {function.__qualname__} no longer takes {missing}"


@pytest.fixture
def ix():
    index = RamStorage().create_index(Schema(doc_id=ID(unique=True, stored=True), text=TEXT()), indexname="MAIN")
    with index.writer() as writer:
        for n in range(3):
            writer.add_document(doc_id=str(n), text="quiet river stones")
    with index.writer() as writer:
        writer.delete_by_term("doc_id", "1")
    return index


def test_the_attributes_set_on_whoosh_instances_are_still_there(ix):
    writer = ix.writer()
    toc = hooks.read_toc(ix.storage, "MAIN")
    reader = hooks.segment_reader(ix.storage, toc.schema, toc.segments[0], generation=toc.generation)
    searcher = hooks.multi_searcher([reader], toc.schema, toc.generation, ix, None)
    filtered = reader.postings("text", "river")  # a segment with deletions: wrapped in a filter
    leaf = hooks.unfiltered(reader.postings("text", "river"))
    leaf._read_ids()
    leaf._read_weights()
    leaf._read_values()
    instances = {SegmentWriter: writer, SegmentReader: reader, Searcher: searcher, FilterMatcher: filtered, W3LeafMatcher: leaf}
    instances[W3TermsReader] = getattr(reader, "_terms", None)  # (SegmentReader._terms is checked too)
    try:
        for owner, name in sorted(hooks.INSTANCE_ATTRIBUTES, key=str):
            assert hasattr(instances[owner], name), f"whoosh changed: a {owner.__name__} has no {name} (see archive/search/whoosh/hooks.py)"
        assert hooks.new_segment_id(writer), "SegmentWriter.newsegment is gone"
        assert [s.segment_id() for s in hooks.writer_segments(writer)] == [s.segment_id() for s in hooks.current_toc(ix).segments]
        assert [offset for _, offset in hooks.sub_searchers(searcher)] == [0]
        assert set(hooks.deleted_docs(reader)) == {1}
        assert hooks.next_docnum(writer) == 0 and hooks.field_writer(writer) is writer.fieldwriter
    finally:
        writer.cancel()
        searcher.close()
        reader.close()


def test_block_decoding_of_postings_still_reads_every_posting_deleted_ones_too(ix):
    toc = hooks.read_toc(ix.storage, "MAIN")
    reader = hooks.segment_reader(ix.storage, toc.schema, toc.segments[0])
    try:
        matcher = hooks.unfiltered(reader.postings("text", "river"))
        assert type(matcher).__name__ == "W3LeafMatcher", "whoosh changed its posting format: the block reader is not used"
        ids, frequencies = array("I"), array("f")
        hooks.read_all_postings(matcher, ids, frequencies)
        assert list(ids) == [0, 1, 2] and list(frequencies) == [1.0, 1.0, 1.0]
    finally:
        reader.close()


def test_a_segment_is_still_copied_term_by_term_from_its_blocks(ix):
    toc = hooks.read_toc(ix.storage, "MAIN")
    reader = hooks.segment_reader(ix.storage, toc.schema, toc.segments[0])
    writer = ix.writer()
    try:
        terms = dict(hooks.term_infos(reader, "text"))
        assert sorted(terms) == [b"quiet", b"river", b"stones"]
        matcher = hooks.term_postings(reader, terms[b"river"], toc.schema["text"].format)
        ids, weights, values = array("I"), array("f"), []
        hooks.read_block_postings(matcher, ids, weights, values)
        assert list(ids) == [0, 1, 2] and list(weights) == [1.0, 1.0, 1.0]
        assert all(isinstance(value, bytes) and value for value in values), "positions are no longer bytes"
        assert hooks.write_per_doc(writer, {"doc_id", "text"}, reader) == {0: 0, 2: 1}  # old -> new numbers
        hooks.mark_added(writer)
        assert writer._added
    finally:
        writer.cancel()
        reader.close()
