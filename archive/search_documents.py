"""Search documents built from current aggregate state, through the consent gate.

An item gets a document only while its consent allows it online; its contributor's name
only with ``named`` attribution (the pseudonym with ``pseudonym``); the exhibitions it hangs
in only where consent also allows it to be exhibited and the exhibition is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from archive.application import ExhibitionArchive
from archive.consent_gate import Surface, credit, may_show, name_filter
from archive.errors import NotFound
from archive.name_filter import NO_NAMES, NameFilter
from archive.public import exhibition_names
from archive.search import SearchDocument
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


def _merge(*texts: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for mapping in texts:
        for language, text in (mapping or {}).items():
            merged[language] = f"{merged[language]}\n{text}" if language in merged else text
    return merged


def item_document(
    archive: ExhibitionArchive, item: Item, exhibitions: ExhibitionMap, on: date | None = None
) -> SearchDocument | None:
    """The document for an item, or None when its consent does not allow it online now."""
    on = on or archive.today()
    if not may_show(item, Surface.ONLINE, on):
        return None
    try:
        contributor = archive.get_contributor(item.contributor_id)
    except NotFound:
        contributor = None
    slugs = exhibitions.slugs_by_item.get(item.id, []) if may_show(item, Surface.ONLINE_EXHIBITION, on) else []
    names = name_filter(item, contributor)  # names the attribution withholds never enter the index
    details = names.value(item.details.value)
    images = [names.value(image.value) for image in item.images.values() if not image.redacted]
    image_texts = _merge(*(image.get("alt_text", {}) for image in images), *(image.get("caption", {}) for image in images))
    if isinstance(item, Artwork):
        year = details.get("year")
        texts = _merge(details.get("description", {}), image_texts)
        language = None
        sort_date = date(year, 1, 1) if year else item.created_on.date()
    else:
        year = item.created_on.year
        texts = _merge(details.get("text", {}), image_texts)
        language = details.get("language")
        sort_date = item.created_on.date()
    return SearchDocument(
        doc_id=str(item.id),
        kind=item.kind,
        version=item.version,
        titles=dict(details.get("title", {})),
        texts=texts,
        content_notes=dict(details.get("content_note") or {}),
        contributor=credit(item, contributor),
        contributor_id=str(item.contributor_id),
        exhibitions=tuple(slugs),
        year=year,
        medium=dict(details.get("medium", {})),
        series=dict(details.get("series", {})),
        language=language,
        sort_date=sort_date,
        expires_on=item.consent.expires_on if item.consent else None,
    )


def exhibition_document(exhibition: Exhibition, names: NameFilter = NO_NAMES) -> SearchDocument | None:
    """The document for an exhibition, or None while it is not published; its texts lose
    ``names`` (those its works withhold, see ``archive.public.exhibition_names``)."""
    if not exhibition.is_published:
        return None
    opens_on = exhibition.field("opens_on")
    return SearchDocument(
        doc_id=str(exhibition.id),
        kind="exhibition",
        version=exhibition.version,
        titles=names.value(dict(exhibition.field("titles"))),
        texts=names.value(_merge(exhibition.field("statement"), exhibition.field("venue"), exhibition.field("city"))),
        exhibitions=(exhibition.slug,),
        year=opens_on.year if opens_on else None,
        sort_date=opens_on,
    )


def document_for(
    archive: ExhibitionArchive, aggregate_id: UUID, exhibitions: ExhibitionMap, on: date | None = None
) -> SearchDocument | None:
    """The document for any indexed aggregate id (item or exhibition), or None to delete it."""
    try:
        aggregate = archive.repository.get(aggregate_id)
    except AggregateNotFoundError:  # an id the index knows but the store does not: delete it
        return None
    if isinstance(aggregate, (Artwork, Testimony)):
        return item_document(archive, aggregate, exhibitions, on)
    if isinstance(aggregate, Exhibition):
        return exhibition_document(aggregate, exhibition_names(archive, aggregate) if aggregate.is_published else NO_NAMES)
    return None
