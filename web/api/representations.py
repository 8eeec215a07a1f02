"""Read models as JSON: what the consent gate let through, field by field, nothing more.

Fields are picked one by one (never a whole details dict) so that a field added to an item
later is not published by accident.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from flask import Response, url_for

from archive.visibility import VisibleExhibition, VisibleExhibitionSummary, VisibleImage, VisibleItem
from archive.search_queries import VisitorHit, VisitorResults
from web.search_notices import notice_text
from domain.exhibitions import Exhibition
from domain.items import Item


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON in the order written (content note before text), UTF-8, no HTML escaping needed."""
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _texts(value: Any) -> dict[str, str]:
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, Mapping) else {}


def item_url(item_id: UUID | str) -> str:
    return url_for("api.get_item", item_id=str(item_id))


def exhibition_url(slug: str) -> str:
    return url_for("api.get_exhibition", slug=slug)


def image_json(item_id: UUID, image: VisibleImage) -> dict[str, Any]:
    renditions = sorted(image.derivatives, key=lambda d: (d.format, d.width))
    return {
        "id": str(image.image_id),
        "alt_text": _texts(image.alt_text),
        "caption": _texts(image.caption),
        "renditions": [
            {
                "name": d.name,
                "format": d.format,
                "width": d.width,
                "height": d.height,
                "url": url_for(
                    "media.derivative", item_id=item_id, image_id=UUID(str(image.image_id)), name=d.name, fmt=d.format
                ),
            }
            for d in renditions
        ],
    }


def item_json(view: VisibleItem) -> dict[str, Any]:
    """An artwork or a testimony as a visitor may see it; a testimony's content note comes first."""
    details = view.details
    data: dict[str, Any] = {
        "id": str(view.id),
        "kind": view.kind,
        "url": item_url(view.id),
        "title": _texts(details.get("title")),
        "credit": view.credit,
    }
    if view.kind == "artwork":
        year = details.get("year")
        data.update(
            year=year if isinstance(year, int) else None,
            medium=_texts(details.get("medium")),
            dimensions=details.get("dimensions") or "",
            description=_texts(details.get("description")),
            series=_texts(details.get("series")),
            content_note=_texts(details.get("content_note")),
        )
    else:
        data.update(
            language=details.get("language"),
            content_note=_texts(details.get("content_note")),
            text=_texts(details.get("text")),
        )
    data["images"] = [image_json(view.id, image) for image in view.images]
    return data


def _exhibition_fields(view: VisibleExhibitionSummary) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "slug": view.slug,
        "url": exhibition_url(view.slug),
        "titles": _texts(view.titles),
        "organiser": _texts(view.organiser),
        "venue": _texts(view.venue),
        "city": _texts(view.city),
    }


def exhibition_summary_json(view: VisibleExhibitionSummary) -> dict[str, Any]:
    return {**_exhibition_fields(view), "opens_on": _date(view.opens_on), "closes_on": _date(view.closes_on)}


def exhibition_json(view: VisibleExhibition) -> dict[str, Any]:
    """A published exhibition with the works the gate lets through, in order, with wall texts."""
    return {
        **_exhibition_fields(view),
        "statement": _texts(view.statement),
        "opens_on": _date(view.opens_on),
        "closes_on": _date(view.closes_on),
        "works": [{"wall_text": _texts(item.wall_text), "item": item_json(item)} for item in view.works],
    }


def hit_json(hit: VisitorHit) -> dict[str, Any]:
    url = exhibition_url(hit.slug) if hit.kind == "exhibition" and hit.slug else item_url(hit.id)
    body: dict[str, Any] = {
        "id": str(hit.id),
        "kind": hit.kind,
        "url": url,
        "title": _texts(hit.titles),
        "credit": hit.credit,
        "slug": hit.slug,
        "snippets": _snippets(hit.snippets),
    }
    if hit.text_behind_note:  # its text only behind its content note, as on its page
        body["content_note"] = _texts(hit.content_note)
        body["behind_content_note"] = {"snippets": _snippets(hit.snippets_behind_note)}
    return body


def _snippets(snippets: Mapping[str, str]) -> dict[str, str]:
    return {name: html for name, html in snippets.items() if isinstance(html, str)}


def results_json(found: VisitorResults) -> dict[str, Any]:
    return {
        "total": found.total,
        "total_exact": found.total_exact,
        "page": found.page,
        "pages": found.pages,
        "page_size": found.page_size,
        "notice": notice_text(found.notices),
        "hits": [hit_json(hit) for hit in found.hits],
        "facets": {
            name: [{"value": str(f.value), "count": int(f.count)} for f in counts]
            for name, counts in found.facets.items()
        },
    }


def curator_exhibition_json(exhibition: Exhibition) -> dict[str, Any]:
    """The curators' view of an exhibition, published or not, with every placement."""
    return {
        "id": str(exhibition.id),
        "slug": exhibition.slug,
        "published": bool(exhibition.is_published),
        "titles": _texts(exhibition.field("titles")),
        "organiser": _texts(exhibition.field("organiser")),
        "venue": _texts(exhibition.field("venue")),
        "city": _texts(exhibition.field("city")),
        "statement": _texts(exhibition.field("statement")),
        "opens_on": _date(exhibition.field("opens_on")),
        "closes_on": _date(exhibition.field("closes_on")),
        "works": [
            {"item_id": str(p.item_id), "kind": p.kind, "wall_text": _texts(p.wall_text.reveal({}))}
            for p in exhibition.placements
        ],
    }


def item_consent_json(item: Item, today: date) -> dict[str, Any]:
    """An item's consent as curators see it: current consent, the contributor's own latest
    choice, and their pending request (never any content of the item)."""
    consent = item.consent
    choice = item.contributors_choice
    return {
        "item_id": str(item.id),
        "version": item.version,
        "status": item.status(today).value,
        "consent": None if consent is None else {
            "scopes": sorted(s.value for s in consent.scopes),
            "attribution": consent.attribution.value,
            "text_version": consent.text_version,
            "expires_on": _date(consent.expires_on),
            "recorded_by": consent.recorded_by,
            "recorded_at": consent.recorded_at.isoformat(),
        },
        "contributors_choice": None if choice is None else {
            "scopes": sorted(s.value for s in choice.scopes),
            "attribution": choice.attribution.value,
            "expires_on": _date(choice.expires_on),
            "chosen_at": item.contributors_choice_at.isoformat(),
        },
        "contributor_request": dict(item.consent_request) if item.consent_request else None,
    }
