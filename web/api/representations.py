"""Curator views as JSON, and JSON answers written in the order given.

Public answers are declared schemas (``web.api.answers``); what is left here goes when the
curator reads are declared too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Response

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
