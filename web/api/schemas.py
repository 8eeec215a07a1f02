"""JSON Schemas of the API's bodies, shared by request validation and the OpenAPI document.

Every schema here is plain JSON Schema 2020-12 (the dialect of OpenAPI 3.1). References
are written ``{"$ref": "#/components/schemas/<Name>"}`` and resolve against ``COMPONENTS``.
Request bodies allow no unknown fields (``additionalProperties: false``); so do responses,
so that the document and the code cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

from domain.consent import Attribution, Scope
from domain.exhibitions import MAX_SLUG_LENGTH, SLUG_PATTERN
from domain.languages import SUPPORTED_LANGUAGES
from domain.text import MAX_TEXT
from web.api.bodies import JSON_BODY_LIMIT  # noqa: F401  (documented beside the schemas)

Schema = dict[str, Any]

MAX_QUERY_TEXT = 1_000
MAX_PAGE = 1_000


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def texts(max_length: int, *, required: bool = False, description: str = "") -> Schema:
    """Text per language: an object keyed by ``en``, ``ru`` or ``kk``."""
    schema: Schema = {
        "type": "object",
        "properties": {code: {"type": "string", "maxLength": max_length} for code in SUPPORTED_LANGUAGES},
        "additionalProperties": False,
    }
    if required:
        schema["minProperties"] = 1
    if description:
        schema["description"] = description
    return schema


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), **extra: Any) -> Schema:
    """A closed object: only these properties, ``required`` ones must be present."""
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


UUID_STRING: Schema = {"type": "string", "format": "uuid", "maxLength": 36}
DATE_STRING: Schema = {"type": "string", "format": "date", "description": "A calendar date, YYYY-MM-DD."}
DATE_OR_NULL: Schema = {"type": ["string", "null"], "format": "date", "description": "A calendar date, YYYY-MM-DD, or null."}
SLUG: Schema = {
    "type": "string",
    "pattern": SLUG_PATTERN.pattern,
    "maxLength": MAX_SLUG_LENGTH,
    "description": "Lower-case letters and digits joined by single hyphens, e.g. silent-room.",
}

# -- requests --------------------------------------------------------------------------------

REQUESTS: dict[str, Schema] = {}

# -- responses -------------------------------------------------------------------------------

TEXTS = texts(MAX_TEXT)
SNIPPETS: Schema = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "Field name to an HTML fragment: text escaped, matches in <mark>.",
}

RESPONSES: dict[str, Schema] = {
    "FieldError": obj(
        {
            "detail": {"type": "string"},
            "pointer": {"type": "string", "description": "JSON Pointer (as a URI fragment) to the field in the body."},
            "parameter": {"type": "string", "description": "The query parameter."},
        },
        ("detail",),
    ),
    "Problem": obj(
        {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": ref("FieldError")},
            "artwork_id": {**UUID_STRING, "description": "Only when an artwork was recorded but an image could not be stored."},
            "image_ids": {"type": "array", "items": UUID_STRING},
            "changes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "changed-meanwhile: what happened since the version in If-Match (who, what, when).",
            },
            "contributors_choice": {
                **ref("ContributorsChoice"),
                "description": "widening-needs-confirmation: the consent as the contributor last left it.",
            },
            "widening": {
                "type": "object",
                "description": "widening-needs-confirmation: what the change would show beyond that, as codes.",
            },
        },
        ("type", "title", "status", "detail"),
        description="RFC 9457 problem details.",
    ),
    "Created": obj({"id": UUID_STRING}, ("id",)),
    "ConsentReceipt": obj(
        {
            "item_id": UUID_STRING,
            "contributor_id": UUID_STRING,
            "recorded_at": {"type": "string", "format": "date-time"},
            "consent_code": {
                "type": ["string", "null"],
                "description": "Set only when a new code was issued: shown this once, never stored, never shown again.",
            },
            "notice": {"type": "string"},
        },
        ("item_id", "contributor_id", "recorded_at", "consent_code", "notice"),
    ),
    "ContributorsChoice": obj(
        {
            "scopes": {"type": "array", "items": {"type": "string", "enum": [s.value for s in Scope]}},
            "attribution": {"type": "string", "enum": [a.value for a in Attribution]},
            "expires_on": DATE_OR_NULL,
            "chosen_at": {"type": "string", "format": "date-time"},
        },
        ("scopes", "attribution", "expires_on", "chosen_at"),
        description="The consent as the contributor last left it: their own change, or one confirmed with them.",
    ),
    "ItemConsent": obj(
        {
            "item_id": UUID_STRING,
            "version": {"type": "integer", "minimum": 1, "description": "The item's version (also in the ETag)."},
            "status": {"type": "string", "enum": ["not_recorded", "given", "expired", "withdrawn"]},
            "consent": {
                "oneOf": [
                    {"type": "null"},
                    obj(
                        {
                            "scopes": {"type": "array", "items": {"type": "string", "enum": [s.value for s in Scope]}},
                            "attribution": {"type": "string", "enum": [a.value for a in Attribution]},
                            "text_version": {"type": "string"},
                            "expires_on": DATE_OR_NULL,
                            "recorded_by": {"type": "string", "description": "Who recorded it: curator:<name>, contributor:<id>, ..."},
                            "recorded_at": {"type": "string", "format": "date-time"},
                        },
                        ("scopes", "attribution", "text_version", "expires_on", "recorded_by", "recorded_at"),
                    ),
                ]
            },
            "contributors_choice": {"oneOf": [{"type": "null"}, ref("ContributorsChoice")]},
            "contributor_request": {
                "type": ["object", "null"],
                "description": "What the contributor asked to show more (codes), and requested_at; confirm it with them first.",
            },
        },
        ("item_id", "version", "status", "consent", "contributors_choice", "contributor_request"),
        description="An item's consent as curators see it.",
    ),
    "Placement": obj(
        {"item_id": UUID_STRING, "kind": {"type": "string", "enum": ["artwork", "testimony"]}, "wall_text": TEXTS},
        ("item_id", "kind", "wall_text"),
    ),
    "CuratorExhibition": obj(
        {
            "id": UUID_STRING,
            "slug": {"type": "string"},
            "published": {"type": "boolean"},
            "titles": TEXTS,
            "organiser": TEXTS,
            "venue": TEXTS,
            "city": TEXTS,
            "statement": TEXTS,
            "opens_on": DATE_OR_NULL,
            "closes_on": DATE_OR_NULL,
            "works": {"type": "array", "items": ref("Placement")},
        },
        ("id", "slug", "published", "titles", "organiser", "venue", "city", "statement", "opens_on", "closes_on", "works"),
        description="The curators' view: every placement, whatever consent allows visitors to see.",
    ),
}

COMPONENTS: dict[str, Schema] = {**REQUESTS, **RESPONSES}
