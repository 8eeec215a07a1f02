"""Rewriting a segment without its deleted documents: what a purge does, posting list by list.

Whoosh's own path (``SegmentWriter.add_reader``) sends every posting of the segment through
a Python generator, a sort pool and a per-posting writer call, looking up the document's field
length for each: about 200,000 postings for a segment of 500 testimonies. Here each term's
postings are read a block at a time (:func:`hooks.read_block_postings`), the deleted
documents' postings are dropped and the others renumbered, and the result goes straight to
the new segment's terms and postings files, in the order Whoosh's own path writes them. Per
document (stored fields, lengths, sortable columns) Whoosh's own copy is used.

The new segment holds exactly what ``add_reader`` would have written (same terms, postings,
weights, positions, lengths and stored fields), so results and scores do not change;
``tests/integration/search/test_whoosh_search_index.py`` compares them.
"""

from __future__ import annotations

from array import array
from typing import Any

from archive.search.whoosh import hooks

__all__ = ["copy_live_documents"]


def copy_live_documents(writer: Any, reader: Any) -> list[int]:
    """Write the live documents of ``reader`` (one segment) as ``writer``'s new segment, which
    must be empty: their stored fields, lengths and columns, then every posting of theirs; a
    term only deleted documents held is not written at all. Return each old document's new
    number (in the same order), or -1 for a deleted one.

    One segment only: its terms go to the new terms file in order, which a second segment's
    would break (merging several is Whoosh's ``add_reader``)."""
    if hooks.next_docnum(writer) != 0:
        raise ValueError("copy_live_documents writes a new segment from one segment only")
    schema = writer.schema
    fieldnames = {name for name in reader.indexed_field_names() if name in schema}
    docmap = hooks.write_per_doc(writer, set(schema.names()) | fieldnames, reader)
    total = reader.doc_count_all()
    if docmap is None:  # no deletions: the same numbers
        renumbered = list(range(total))
    else:
        renumbered = [docmap.get(docnum, -1) for docnum in range(total)]
    fieldwriter = hooks.field_writer(writer)
    for fieldname in sorted(fieldnames):  # the order of Whoosh's pool: field, then term
        _copy_field(fieldwriter, schema[fieldname], fieldname, reader, renumbered)
    hooks.mark_added(writer)
    return renumbered


def _copy_field(fieldwriter: Any, field: Any, fieldname: str, reader: Any, renumbered: list[int]) -> None:
    lengths = [reader.doc_field_length(docnum, fieldname) or 0 for docnum in range(len(renumbered))]
    started = False
    ids: array[int] = array("I")
    weights: array[float] = array("f")
    values: list[Any] = []
    for btext, terminfo in hooks.term_infos(reader, fieldname):  # in order, no lookup each
        del ids[:], weights[:], values[:]
        hooks.read_block_postings(hooks.term_postings(reader, terminfo, field.format), ids, weights, values)
        live = [i for i, docnum in enumerate(ids) if renumbered[docnum] >= 0]
        if not live:
            continue  # a word only deleted documents held leaves the terms file too
        if not started:
            fieldwriter.start_field(fieldname, field)
            started = True
        fieldwriter.start_term(btext)
        add = fieldwriter.add
        for i in live:
            docnum = ids[i]
            add(renumbered[docnum], weights[i], values[i] or b"", lengths[docnum])
        fieldwriter.finish_term()
    if started:
        fieldwriter.finish_field()
