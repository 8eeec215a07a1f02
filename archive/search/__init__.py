"""The search port: a full-text index that is a projection of the event log.

The application owns this interface; ``archive.search.whoosh`` implements it with Whoosh, on
the pure-NumPy ``archive.search.engine``. Beside them, ``documents`` builds a document from the
visitor projection, ``queries`` is the visitor's search use case, ``follower`` keeps an index
in step with the log, and ``folders`` switches index versions atomically.
Documents hold only what current consent allows online; queries are checked against the
consent gate again at query time, so a lagging index never shows more than it may.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date

KINDS = ("artwork", "testimony", "exhibition")
FACETS = ("kind", "exhibition", "year", "language")
SORTS = ("relevance", "date")
MAX_PAGE_SIZE = 50


class Notice:
    """Codes of what a search tells the visitor about their query; the web layer words them
    (in the visitor's language). ``SHORTENED`` means cut to ``MAX_QUERY_CHARS`` characters."""

    SHORTENED = "shortened"
    NO_WORDS = "no-words"
    COMMON_WORDS_ONLY = "common-words-only"
    SIMPLIFIED = "simplified"  # a construct the engine does not evaluate became plain words
    UNBALANCED_QUOTES = "unbalanced-quotes"
    UNBALANCED_BRACKETS = "unbalanced-brackets"
    NAMED_FIELDS = "named-fields"
    DANGLING_OPERATOR = "dangling-operator"
    UNREADABLE = "unreadable"


MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class SearchDocument:
    """One searchable thing: an item (artwork, testimony) or an exhibition.

    ``version`` is the aggregate version the document was built from: an index never lets
    an older version overwrite a newer one. Texts are per language (``en``, ``ru``, ``kk``).
    """

    doc_id: str  # the aggregate id
    kind: str
    version: int
    titles: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    content_notes: dict[str, str] = field(default_factory=dict)  # searchable, never a snippet
    contributor: str | None = None  # the name as attribution allows (pseudonym, or none)
    contributor_id: str | None = None  # to find an item's documents when its contributor changes
    exhibitions: tuple[str, ...] = ()  # slugs of the published exhibitions it hangs in
    year: int | None = None
    medium: dict[str, str] = field(default_factory=dict)
    series: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # a testimony's original language
    sort_date: date | None = None  # for "sort by date": an artwork's year, a record's date
    expires_on: date | None = None  # the consent's expiry: the document must go after this day


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor asked for. Filters narrow by facet values; pages start at 1."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    exhibitions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    page: int = 1
    page_size: int = 10
    sort: str = "relevance"
    #: Leave out documents with these ids, or of items by these contributors (the ones whose
    #: changes the index has not applied yet), from hits, totals and facet counts alike.
    exclude_ids: tuple[str, ...] = ()
    #: Leave out documents whose consent expired before this day (before the sweep removes them).
    visible_on: date | None = None


@dataclass(frozen=True)
class SearchHit:
    """One result: the document's id and kind, and HTML-escaped snippets with ``<mark>``."""

    doc_id: str
    kind: str
    score: float
    version: int
    snippets: dict[str, str] = field(default_factory=dict)  # field name -> safe HTML


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the total number of matches, facet counts, and notices (:class:`Notice` codes)."""

    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()


class SearchIndex(abc.ABC):
    """A persistent full-text index with a tracking position in the event log."""

    @abc.abstractmethod
    def apply(self, upserts: list[SearchDocument], deletes: list[str], position: int) -> None:
        """In one commit: add or replace documents (never with an older version), delete
        documents by id; then record ``position`` (after the commit is durable)."""

    def bulk_add(self, documents: list[SearchDocument]) -> None:
        """Add documents to a fresh index being rebuilt (no version checks; may use several
        processes). The default is :meth:`apply` without a position change."""
        self.apply(documents, [], self.position())

    @abc.abstractmethod
    def position(self) -> int:
        """The notification id up to which the index has applied the log (0 when new)."""

    @abc.abstractmethod
    def versions(self, doc_ids: list[str]) -> dict[str, int]:
        """The indexed version of each of these documents that exists."""

    @abc.abstractmethod
    def doc_ids_for_contributor(self, contributor_id: str) -> list[str]:
        """Ids of the documents whose item belongs to this contributor."""

    @abc.abstractmethod
    def doc_ids_in_exhibition(self, slug: str) -> list[str]:
        """Ids of the documents that hang in the exhibition with this slug."""

    @abc.abstractmethod
    def doc_ids_expired(self, on: date) -> list[str]:
        """Ids of documents whose consent expired before ``on`` (they must be removed)."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked, faceted, paginated results; malformed queries never raise."""

    @abc.abstractmethod
    def purge_deleted(self, limit: int | None = None) -> int:
        """Rewrite only the segments that still hold deleted documents (at most ``limit``),
        so their text leaves the index files; return how many segments were rewritten."""

    def compact(self) -> int:
        """Merge small segments left by many small commits (done when idle); return how many."""
        return 0

    @abc.abstractmethod
    def has_deleted(self) -> bool:
        """Whether any segment still holds deleted documents."""

    def needs_rebuild(self) -> bool:
        """Whether the index was built with other fields than today's (an upgrade added one):
        it keeps answering, but only a rebuild indexes every document with every field."""
        return False

    def close(self) -> None:
        """Release files and locks."""
