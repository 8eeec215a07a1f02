"""The search port on Whoosh (``whoosh-reloaded``): the only package that imports ``whoosh``.

Every use of a private Whoosh internal is in :mod:`archive.search.whoosh.hooks`, so that a
version bump breaks in one place (and ``tests/unit/search/test_whoosh_hooks.py`` says where).
"""

from archive.search.whoosh.index import (
    IndexLocked,
    IndexReadOnly,
    WhooshSearchIndex,
    build_schema,
)
from archive.search import MAX_QUERY_CHARS

__all__ = ["MAX_QUERY_CHARS", "IndexLocked", "IndexReadOnly", "WhooshSearchIndex", "build_schema"]
