"""The search engine: query evaluation, BM25 scoring and snippets in pure NumPy.

It never imports ``whoosh``: an index adapter (:mod:`archive.search.whoosh`) hands it each
segment's postings, field lengths, facet values and dates through
:class:`archive.search.engine.source.SegmentSource`, and a query as the engine's own tree
(:mod:`archive.search.engine.query`).
"""
