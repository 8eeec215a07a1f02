"""Search documents built from the visitor projection (``archive.gate.visibility``) of current state.

An item gets a document only while its consent allows it online; its contributor's name
only with ``named`` attribution (the pseudonym with ``pseudonym``); the exhibitions it hangs
in only where consent also allows it to be exhibited and the exhibition is published. The
projection decides all of this: a document holds what a visitor may see, and besides only
the index's bookkeeping (ids, version, the contributor's id for erasure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from archive.services.application import ExhibitionArchive
from archive.read.public import Works
from archive.search import SearchDocument
from archive.gate.visibility import VisibleExhibitionSummary, exhibition_summary, visible
from domain.exhibitions import Exhibition
from domain.items import Artwork, Item, Testimony


@dataclass
class ExhibitionMap:
    """Which published exhibitions each item hangs in (slugs), computed once per batch."""

    slugs_by_item: dict[UUID, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, exhibitions: Iterable[Exhibition]) -> ExhibitionMap:
        mapping: dict[UUID, list[str]] = {}
        for exhibition in exhibitions:
            if exhibition.is_published:
                for item_id in exhibition.item_ids:
                    mapping.setdefault(item_id, []).append(exhibition.slug)
        return cls(mapping)


def _merge(*texts: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for mapping in texts:
        for language, text in (mapping or {}).items():
            merged[language] = f"{merged[language]}\n{text}" if language in merged else text
    return merged


def item_document(
    archive: ExhibitionArchive, item: Item, exhibitions: ExhibitionMap, on: date | None = None
) -> SearchDocument | None:
    """The document for an item, or None when its consent does not allow it online now."""
    view = visible(item, Works(archive).contributor(item), on or archive.today())
    if view is None:
        return None
    details = view.details
    slugs = exhibitions.slugs_by_item.get(view.id, []) if view.exhibitable else []
    image_texts = _merge(*(image.alt_text for image in view.images), *(image.caption for image in view.images))
    if view.kind == "artwork":
        year = details.get("year")
        texts = _merge(details.get("description") or {}, image_texts)
        language = None
        sort_date = date(year, 1, 1) if year else view.recorded_on
    else:
        year = view.recorded_on.year if view.recorded_on else None
        texts = _merge(details.get("text") or {}, image_texts)
        language = details.get("language")
        sort_date = view.recorded_on
    return SearchDocument(
        doc_id=str(view.id),
        kind=view.kind,
        version=view.version,
        titles=dict(view.title),
        texts=texts,
        content_notes=dict(view.content_note),
        contributor=view.credit,
        contributor_id=str(item.contributor_id),  # bookkeeping: erasing a contributor's documents
        exhibitions=tuple(slugs),
        year=year,
        medium=dict(details.get("medium") or {}),
        series=dict(details.get("series") or {}),
        language=language,
        sort_date=sort_date,
        expires_on=view.expires_on,
    )


def exhibition_document(view: VisibleExhibitionSummary | None, version: int) -> SearchDocument | None:
    """The document for a published exhibition (its summary, texts without the names its
    works withhold), or None (not published: delete it)."""
    if view is None:
        return None
    return SearchDocument(
        doc_id=str(view.id),
        kind="exhibition",
        version=version,
        titles=dict(view.titles),
        texts=_merge(view.statement, view.venue, view.city),
        exhibitions=(view.slug,),
        year=view.opens_on.year if view.opens_on else None,
        sort_date=view.opens_on,
    )


def document_for(
    archive: ExhibitionArchive, aggregate_id: UUID, exhibitions: ExhibitionMap, on: date | None = None
) -> SearchDocument | None:
    """The document for any indexed aggregate id (item or exhibition), or None to delete it."""
    try:
        aggregate = archive.load(aggregate_id)
    except AggregateNotFoundError:  # an id the index knows but the store does not: delete it
        return None
    if isinstance(aggregate, (Artwork, Testimony)):
        return item_document(archive, aggregate, exhibitions, on)
    if isinstance(aggregate, Exhibition):
        on = on or archive.today()
        view = exhibition_summary(aggregate, Works(archive).of(aggregate.works_ever_hung), on) if aggregate.is_published else None
        return exhibition_document(view, aggregate.version)
    return None
