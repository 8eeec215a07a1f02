"""The search use case for visitors: ranked, faceted results re-checked against consent.

The index only ever holds what consent allowed when it was last updated; this check makes
sure a lagging index cannot show more than current consent allows. Titles and credits are
taken from current state, never from the index; snippets only from the fields of text the
visitor may see. An item's text comes after its content note, as on its own page: the hit of a
testimony, and of an artwork with a content note, carries the note, and the snippets of its
text are marked as behind the note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from uuid import UUID

from archive.services.application import ExhibitionArchive
from archive.errors import NotFound
from archive.read.page_dependencies import EVERYTHING, depends_on
from archive.read.public import Works, carded_works, stored_summaries
from archive.search import FACETS, MAX_PAGE_SIZE, FacetCount, SearchHit, SearchIndex, SearchQuery, SearchResults
from archive.gate.visibility import Texts, VisibleExhibitionSummary, Work, frozen, no_texts, visible_heading
from domain.exhibitions import Exhibition

#: Snippets from these index fields are never shown: names are credited from current state.
HIDDEN_SNIPPET_FIELDS = frozenset({"contributor"})
#: Of an item with a content note, only snippets of its title come before the note (the title
#: comes before the note on its own page too); every other snippet is behind the note.
BEFORE_NOTE_PREFIXES = ("title_",)


@dataclass(frozen=True)
class VisitorHit:
    """One result a visitor may see."""

    id: UUID
    kind: str
    titles: Texts
    credit: str | None
    slug: str | None  # for exhibitions
    snippets: Texts = field(default_factory=no_texts)  # safe HTML with <mark>
    #: An item's content note (per language), to be shown before anything of its text.
    content_note: Texts = field(default_factory=no_texts)
    #: Snippets of the text of an item with a content note: shown only once the visitor has
    #: chosen to open them, after reading the note (as on the item's page).
    snippets_behind_note: Texts = field(default_factory=no_texts)

    @property
    def text_behind_note(self) -> bool:
        """Whether this hit's text comes only after its content note: every testimony's (its
        note is required) and that of any other item with a note; never an exhibition's."""
        return self.kind == "testimony" or bool(self.content_note)


@dataclass(frozen=True)
class VisitorResults:
    """A page of visible hits with the total and facet counts of what the gate lets through.

    ``total_exact`` is False while the index lags too far behind the log for its counts to be
    trusted: ``total`` is then how many matches have passed the gate so far (there may be
    more), and the facets are empty.
    """

    hits: tuple[VisitorHit, ...]
    total: int
    page: int
    page_size: int
    facets: Mapping[str, tuple[FacetCount, ...]]
    notices: tuple[str, ...]  # archive.search.Notice codes
    total_exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


#: Beyond this many events not yet applied (a follower down, a rebuild), the index's counts
#: cannot be trusted: hits are checked one by one and nothing is counted that was not checked.
MAX_LAG = 2_000
#: While lagging that far, at most this many matches are checked for one page.
MAX_CHECKED_WHILE_LAGGING = 500


def search(
    archive: ExhibitionArchive, index: SearchIndex, query: SearchQuery, on: date | None = None
) -> VisitorResults:
    """Search everything public; every hit passes the consent gate again, now.

    Whatever changed since the index's position (a withdrawal a moment ago, a narrowed
    credit, an exhibition unpublished or rehung) and whatever expired before today is left
    out of hits, total and facet counts until the index has applied it, so that not even a
    count gives away what current consent hides. When the index lags too far behind to know
    what changed, only checked hits are counted (see ``VisitorResults.total_exact``).
    """
    depends_on(EVERYTHING)  # hits and counts change with any event a visitor could see
    on = on or archive.today()
    query = replace(query, visible_on=on, page=max(1, query.page), page_size=min(max(1, query.page_size), MAX_PAGE_SIZE))
    gate = _Gate(archive, on)
    lagging = archive.changed_since(index.position(), MAX_LAG)
    if lagging is not None:
        results = _search_within_window(archive, index, query, lagging, gate)
        if results is not None:
            return results
        # A hit failed the gate: something changed after ``changed_since`` looked (a moment
        # ago). The index's counts may include it, so they are not used.
    return _search_checking_each(archive, index, query, gate)


def _search_within_window(
    archive: ExhibitionArchive, index: SearchIndex, query: SearchQuery, lagging: set[UUID], gate: _Gate
) -> VisitorResults | None:
    """The index's own hits, total and facets, with what changed since its position left out;
    None if a hit still fails the gate (then nothing the index counted can be trusted)."""
    hidden_slugs: set[str] = set()
    excluded = {*query.exclude_ids, *map(str, lagging), *map(str, _exhibitions_renamed_by(archive, lagging))}
    if lagging:
        for exhibition_id in archive.exhibition_ids():
            if exhibition_id not in lagging:
                continue
            # Changed since the index's position: its items still carry its slug as it was.
            exhibition = archive.get_exhibition(exhibition_id)
            if not exhibition.is_published:
                hidden_slugs.add(exhibition.slug)
            else:  # works taken off the wall must not count under it
                hung_ids = {str(item_id) for item_id in exhibition.item_ids}
                excluded.update(d for d in index.doc_ids_in_exhibition(exhibition.slug) if d not in hung_ids)
    exhibitions = tuple(slug for slug in query.exhibitions if slug not in hidden_slugs)
    if query.exhibitions and not exhibitions:
        return _nothing(query)
    results: SearchResults = index.search(replace(query, exhibitions=exhibitions, exclude_ids=tuple(sorted(excluded))))
    hanging = _hanging_in(archive, exhibitions) if exhibitions else None
    hits = []
    gate.prefetch(results.hits)
    for hit in results.hits:
        visible = gate.hit(hit, hanging=hanging, slugs=exhibitions)
        if visible is None:
            return None
        hits.append(visible)
    facets = {
        name: tuple(count for count in counts if name != "exhibition" or count.value not in hidden_slugs)
        for name, counts in results.facets.items()
    }
    return VisitorResults(
        tuple(hits), results.total, results.page, results.page_size, MappingProxyType(facets), results.notices
    )


def _exhibitions_renamed_by(archive: ExhibitionArchive, lagging: set[UUID]) -> set[UUID]:
    """The published exhibitions hanging an item changed since the index's position, or an item
    of a contributor changed since: their texts were indexed through the names their works
    withheld then (a credit narrowed, a contributor renamed or erased since may withhold more),
    so their index entries are left out until the follower re-indexes them."""
    if not lagging:
        return set()
    published = [row.exhibition_id for row in archive.read_models.exhibition_rows() if row.published]
    return {
        exhibition_id
        for exhibition_id, works in archive.listings.hung_works(published).items()
        if any(item_id in lagging or contributor_id in lagging for item_id, contributor_id in works)
    }


def _search_checking_each(
    archive: ExhibitionArchive, index: SearchIndex, query: SearchQuery, gate: _Gate
) -> VisitorResults:
    """Matches in the index's order, each through the gate, until this page and one more hit
    are found (so that a next page is offered only if it has something to show), the index
    has no more, or ``MAX_CHECKED_WHILE_LAGGING`` were checked. Only checked hits are counted;
    no facets. Exhibition filters are checked against current exhibitions."""
    hanging: set[UUID] | None = None
    if query.exhibitions:
        published = _published(archive, query.exhibitions)
        if not published:
            return _nothing(query)
        query = replace(query, exhibitions=tuple(e.slug for e in published))
        hanging = _hanging_in(archive, query.exhibitions)
    wanted = query.page * query.page_size + 1
    chunk = replace(query, page=1, page_size=min(MAX_PAGE_SIZE, wanted))
    visible: dict[UUID, VisitorHit] = {}
    checked, exhausted = 0, False
    notices: tuple[str, ...] = ()
    while len(visible) < wanted and checked < MAX_CHECKED_WHILE_LAGGING:
        results = index.search(chunk)
        notices = notices if chunk.page > 1 else results.notices
        gate.prefetch(results.hits)
        for hit in results.hits:
            checked += 1
            shown = gate.hit(hit, hanging=hanging, slugs=query.exhibitions)
            if shown is not None:
                visible.setdefault(shown.id, shown)
        if chunk.page * chunk.page_size >= results.total:
            exhausted = True
            break
        chunk = replace(chunk, page=chunk.page + 1)
    ranked = list(visible.values())
    offset = (query.page - 1) * query.page_size
    return VisitorResults(
        hits=tuple(ranked[offset : offset + query.page_size]),
        total=len(ranked),
        page=query.page,
        page_size=query.page_size,
        facets=NO_FACETS,
        notices=notices,
        total_exact=exhausted,
    )


def _published(archive: ExhibitionArchive, slugs: tuple[str, ...]) -> list[Exhibition]:
    """The exhibitions of ``slugs`` that exist and are published now."""
    return [e for e in map(_exhibition_for_slug(archive), slugs) if e is not None and e.is_published]


def _hanging_in(archive: ExhibitionArchive, slugs: tuple[str, ...]) -> set[UUID]:
    """The items hanging now in the published exhibitions of ``slugs``: a hit filtered by an
    exhibition is checked against this and against its consent to be exhibited, not only
    against what the index recorded."""
    return {item_id for exhibition in _published(archive, slugs) for item_id in exhibition.item_ids}


def _exhibition_for_slug(archive: ExhibitionArchive) -> Callable[[str], Exhibition | None]:
    def find(slug: str) -> Exhibition | None:
        try:
            return archive.exhibition_by_slug(slug)
        except NotFound:
            return None

    return find


NO_FACETS: Mapping[str, tuple[FacetCount, ...]] = MappingProxyType({name: () for name in FACETS})


def _nothing(query: SearchQuery) -> VisitorResults:
    return VisitorResults((), 0, query.page, query.page_size, NO_FACETS, ())


class _Gate:
    """Search hits checked through the visitor projection, now; an item, exhibition or
    contributor met by several hits is read once."""

    def __init__(self, archive: ExhibitionArchive, on: date):
        self.archive = archive
        self.on = on
        self._works = Works(archive)
        self._cards: dict[UUID, Work] = {}
        #: exhibition id -> its summary, or None when it is not published (read for a page at once)
        self._exhibitions: dict[UUID, VisibleExhibitionSummary | None] = {}

    def prefetch(self, hits: Sequence[SearchHit]) -> None:
        """Read the items among ``hits`` from their headings in the read models, in one query
        (``public.carded_works``: consent from the item rows, as current as the events; a
        heading behind its row is read from the aggregates), instead of replaying each hit's
        item and contributor from the event store. A heading holds only what a hit shows
        (title, content note, the spans to withhold), so no hit's whole text is opened. The
        exhibitions among ``hits`` are read in one query too (``public.stored_summaries``)."""
        wanted, exhibitions = [], []
        for hit in hits:
            try:
                aggregate_id = UUID(hit.doc_id)
            except ValueError:
                continue
            if hit.kind == "exhibition":
                exhibitions.append(aggregate_id)
            else:
                wanted.append(aggregate_id)
        wanted = [item_id for item_id in wanted if item_id not in self._cards]
        if wanted:
            self._cards.update(carded_works(self.archive, wanted, headings=True))
        exhibitions = [e for e in dict.fromkeys(exhibitions) if e not in self._exhibitions]
        if exhibitions:
            shown = {summary.id: summary for summary in stored_summaries(self.archive, self.on, exhibitions)}
            self._exhibitions.update({e: shown.get(e) for e in exhibitions})

    def hit(self, hit: SearchHit, *, hanging: set[UUID] | None = None, slugs: tuple[str, ...] = ()) -> VisitorHit | None:
        """What the visitor may see of ``hit``, or None. With ``hanging`` (the items of the
        exhibitions a visitor filtered by, ``slugs``), an item must hang there now."""
        visible_hit = self._visible(hit.doc_id, hit.kind, hit.version, hanging, slugs)
        if visible_hit is None:
            return None
        snippets = {k: v for k, v in hit.snippets.items() if k not in HIDDEN_SNIPPET_FIELDS}
        if not visible_hit.text_behind_note:
            return replace(visible_hit, snippets=frozen(snippets))
        before = {k: v for k, v in snippets.items() if k.startswith(BEFORE_NOTE_PREFIXES)}
        behind = {k: v for k, v in snippets.items() if k not in before}
        return replace(visible_hit, snippets=frozen(before), snippets_behind_note=frozen(behind))

    def _visible(
        self, doc_id: str, kind: str, version: int, hanging: set[UUID] | None, slugs: tuple[str, ...]
    ) -> VisitorHit | None:
        try:
            aggregate_id = UUID(doc_id)
            if kind == "exhibition":
                if aggregate_id not in self._exhibitions:
                    self.prefetch([SearchHit(doc_id, kind, 0.0, version)])
                summary = self._exhibitions[aggregate_id]
                if summary is None or (hanging is not None and summary.slug not in slugs):
                    return None
                return VisitorHit(summary.id, kind, summary.titles, None, summary.slug)
            work = self._cards.get(aggregate_id) or self._works.work(aggregate_id)
        except (NotFound, ValueError):
            return None
        if work is None:
            return None
        view = visible_heading(work[0], work[1], self.on)
        if view is None:
            return None
        if hanging is not None and (view.id not in hanging or not view.exhibitable):
            return None
        if version < view.version:
            # Indexed before the item's latest change (a narrower credit, an edited caption): its
            # matching and snippets may rest on text no longer shown. The follower re-indexes it
            # within a second; until then it is left out.
            return None
        return VisitorHit(view.id, view.kind, view.title, view.credit, None, content_note=view.content_note)
