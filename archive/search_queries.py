"""The search use case for visitors: ranked, faceted results re-checked against consent.

The index only ever holds what consent allowed when it was last updated; this check makes
sure a lagging index cannot show more than current consent allows. Titles and credits are
taken from current state, never from the index; snippets only from the fields of text the
visitor may see. A testimony's text comes after its content note, as on its own page: its hit
carries the note, and the snippets of its text are marked as behind the note.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from archive.application import ExhibitionArchive
from archive.consent_gate import Surface, credit, may_show, name_filter
from archive.errors import NotFound
from archive.search import FacetCount, SearchIndex, SearchQuery, SearchResults
from domain import clock
from domain.contributors import Contributor
from domain.items import Item

#: Snippets from these index fields are never shown: names are credited from current state.
HIDDEN_SNIPPET_FIELDS = frozenset({"contributor"})
#: Of a testimony, only snippets of its title come before its content note (the title comes
#: before the note on its own page too); every other snippet is behind the note.
BEFORE_NOTE_PREFIXES = ("title_",)


@dataclass(frozen=True)
class VisitorHit:
    """One result a visitor may see."""

    id: UUID
    kind: str
    titles: dict[str, str]
    credit: str | None
    slug: str | None  # for exhibitions
    snippets: dict[str, str] = field(default_factory=dict)  # safe HTML with <mark>
    #: A testimony's content note (per language), to be shown before anything of its text.
    content_note: dict[str, str] = field(default_factory=dict)
    #: Snippets of a testimony's text: shown only once the visitor has chosen to open them,
    #: after reading the content note (as on the testimony's page).
    snippets_behind_note: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitorResults:
    hits: list[VisitorHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]]
    notice: str | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


#: Beyond this many events not yet applied, the index is rebuilding: facets are left out.
MAX_LAG = 2_000


def search(
    archive: ExhibitionArchive, index: SearchIndex, query: SearchQuery, on: date | None = None
) -> VisitorResults:
    """Search everything public; every hit passes the consent gate again, now.

    Whatever changed since the index's position (a withdrawal a moment ago, a narrowed
    credit) and whatever expired before today is left out of hits, total and facet counts
    until the index has applied it, so that not even a count gives away what current consent
    hides.
    """
    on = on or clock.today()
    lagging = archive.changed_since(index.position(), MAX_LAG)
    query = replace(query, visible_on=on)
    if lagging:
        query = replace(query, exclude_ids=tuple(sorted({*query.exclude_ids, *map(str, lagging)})))
    results: SearchResults = index.search(query)
    hits = []
    dropped = 0
    contributors: dict[UUID, Contributor] = {}  # a contributor with several hits is read once
    for hit in results.hits:
        visible = _visible_hit(archive, hit.doc_id, hit.kind, hit.version, on, contributors)
        if visible is None:
            dropped += 1
            continue
        snippets = {k: v for k, v in hit.snippets.items() if k not in HIDDEN_SNIPPET_FIELDS}
        if visible.kind == "testimony":
            before = {k: v for k, v in snippets.items() if k.startswith(BEFORE_NOTE_PREFIXES)}
            behind = {k: v for k, v in snippets.items() if k not in before}
            visible = replace(visible, snippets=before, snippets_behind_note=behind)
        else:
            visible = replace(visible, snippets=snippets)
        hits.append(visible)
    return VisitorResults(
        hits=hits,
        total=max(0, results.total - dropped),
        page=results.page,
        page_size=results.page_size,
        facets=results.facets if lagging is not None else {name: [] for name in results.facets},
        notice=results.notice,
    )


def _visible_hit(
    archive: ExhibitionArchive, doc_id: str, kind: str, version: int, on: date, contributors: dict[UUID, Contributor]
) -> VisitorHit | None:
    try:
        aggregate_id = UUID(doc_id)
        if kind == "exhibition":
            exhibition = archive.get_exhibition(aggregate_id)
            if not exhibition.is_published:
                return None
            return VisitorHit(exhibition.id, kind, dict(exhibition.titles), None, exhibition.slug)
        item: Item = archive.get_item(aggregate_id)
    except (NotFound, ValueError):
        return None
    if not may_show(item, Surface.ONLINE, on):
        return None
    if version < item.version:
        # Indexed before the item's latest change (a narrower credit, an edited caption): its
        # matching and snippets may rest on text no longer shown. The follower re-indexes it
        # within a second; until then it is left out.
        return None
    contributor = contributors.get(item.contributor_id)
    if contributor is None:
        contributor = contributors[item.contributor_id] = archive.get_contributor(item.contributor_id)
    names = name_filter(item, contributor)
    titles = names.value(dict(item.detail("title", {})))
    note = names.value(dict(item.detail("content_note", None) or {})) if item.kind == "testimony" else {}
    return VisitorHit(item.id, item.kind, titles, credit(item, contributor), None, content_note=note)
