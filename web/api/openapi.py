"""The OpenAPI 3.1 document of the JSON API: the declarations' document, with its introduction.

Every endpoint is declared on the blueprint (``web.api.declare``) and written by flask-smorest;
this module holds what declarations share (error answers, parameters, headers) and adds the
introduction. ``tests/e2e/test_api_schema.py`` checks that the document lists exactly the
routes registered under /api/v1, validates it, and fuzzes the app against it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from web.api.bodies import JSON_BODY_LIMIT
from web.api.contracts import MAX_IMAGES_PER_UPLOAD
from web.api.fields import Slug
from web.api.problems import PROBLEM_TYPES, type_uri

TITLE = "Testimony and art exhibition archive API"
API_VERSION = "1.0.0"
PREFIX = "/api/v1"
IMAGE_TYPES = "image/jpeg, image/png, image/webp, image/tiff, image/gif"

_PROBLEM_TABLE = "\n".join(
    f"| `{type_uri(slug)}` | {status} | {title} | {when} |" for slug, (status, title, when) in PROBLEM_TYPES.items()
)

DESCRIPTION = f"""\
A consent-first archive of art and testimony exhibitions.

**Consent first.** Every public read passes the consent gate on every request: an item is
shown only while its contributor's current consent allows it online (and, inside an
exhibition, also in exhibitions). Hidden, withdrawn, expired, unpublished and unknown things
all answer the *same* 404 problem, so a visitor cannot tell them apart. Answers carry
`Cache-Control: private, no-store`.

**Curators** write with an API token (`archive create-token`): `Authorization: Bearer <token>`.
A missing, malformed, revoked or unknown token answers 401 with `WWW-Authenticate: Bearer`.

**Bodies** are JSON (`Content-Type: application/json`, at most {JSON_BODY_LIMIT // 1024} KiB); unknown
fields are refused by name. Dates are written `YYYY-MM-DD` and nothing else. Texts are given per
language: an object keyed by `en`, `ru` or `kk`.

**Artwork uploads** are `multipart/form-data`: exactly one `metadata` part (JSON, see
`ArtworkMetadata`), then one to {MAX_IMAGES_PER_UPLOAD} `image` file parts, and as many `alt_text` parts
(JSON, text per language): the n-th `alt_text` part is the alt text of the n-th `image` part.
Every image needs alt text. Everything is checked before anything is recorded.

**Versions.** Curator reads of consent and exhibitions answer with a strong `ETag` naming the
record and its version. Every write of consent or of an exhibition must send it back in
`If-Match`: without it (or with `If-Match: *`) the answer is 428; with another record's tag, 412;
with an older version of the record, 409 `changed-meanwhile`, whose `changes` say who did what
since. Nothing is applied blindly: read again, then decide. Successful writes answer with the
new `ETag`.

**Consent never widens behind the contributor's back.** A consent change that would show more
than the contributor's own latest choice (a wider credit, more scopes, a later or no expiry)
answers 409 `widening-needs-confirmation` with their choice and its time. Ask the contributor;
only if they confirm, send the change again with `"contributor_asked": true` (it is recorded).

**Errors** are RFC 9457 problem details (`application/problem+json`) with `type`, `title`,
`status`, `detail`, and `errors` (each with `detail` and a JSON `pointer` or a query `parameter`)
when fields are at fault. Other HTTP errors use `about:blank`.

| type | status | title | when |
|---|---|---|---|
{_PROBLEM_TABLE}
"""


def problem_response(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
    """A documented error answer: a problem, with ``headers``."""
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def answer_headers(*, location: bool = False, etag: bool = False) -> dict[str, Any]:
    """The documented headers of a successful answer: ``Location`` of what was created, ``ETag``."""
    headers: dict[str, Any] = {}
    if location:
        headers["Location"] = {"description": "Where the new resource is read.", "schema": {"type": "string"}}
    if etag:
        headers["ETag"] = {
            "description": 'The record\'s version, "<id>.<version>": send it as If-Match with the next change.',
            "schema": {"type": "string"},
        }
    return headers


NOT_FOUND = problem_response("Not found, or not public (the same answer either way).")
UNAUTHORIZED = problem_response(
    "No valid curator token.",
    **{"WWW-Authenticate": {"description": "Bearer challenge.", "schema": {"type": "string"}}},
)
WRITE_ERRORS = {
    "400": problem_response("Malformed JSON."),
    "401": UNAUTHORIZED,
    "409": problem_response("Concurrent change, or the item's consent was withdrawn."),
    "413": problem_response("Body too large."),
    "415": problem_response("Not JSON."),
    "422": problem_response("Invalid fields, or a rule of the archive refuses the change."),
}
#: The answers of the multipart upload: WRITE_ERRORS, for parts, and the media storage's.
UPLOAD_ERRORS = {
    **WRITE_ERRORS,
    "400": problem_response("Malformed JSON in a part."),
    "415": problem_response("Not multipart/form-data."),
    "422": problem_response("Invalid metadata, a missing alt text, or an image the archive refuses."),
    "503": problem_response("The media storage cannot be reached."),
}
NO_BODY_WRITE_ERRORS = {
    "401": UNAUTHORIZED,
    "409": problem_response("Concurrent change."),
    "422": problem_response("A rule of the archive refuses the change."),
}

#: The answers a versioned write (If-Match required) adds to WRITE_ERRORS.
VERSIONED_WRITE_ERRORS = {
    **WRITE_ERRORS,
    "409": problem_response(
        "changed-meanwhile (If-Match names an older version; see 'changes'), concurrent-change, "
        "item-withdrawn, or widening-needs-confirmation."
    ),
    "412": problem_response("If-Match names another record's ETag."),
    "428": problem_response("No usable If-Match: send the ETag the record had when you read it."),
}
VERSIONED_NO_BODY_WRITE_ERRORS = {
    **NO_BODY_WRITE_ERRORS,
    "409": problem_response("changed-meanwhile (If-Match names an older version; see 'changes'), or a concurrent change."),
    "412": problem_response("If-Match names another record's ETag."),
    "428": problem_response("No usable If-Match: send the ETag the record had when you read it."),
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": 'The ETag the record had when you read it, e.g. "3f2b…-….7" (one strong tag; * is refused).',
    "schema": {"type": "string", "maxLength": 200},
}

SLUG_PARAMETER = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The exhibition's slug.",
    "schema": {"type": "string", "pattern": Slug.PATTERN, "maxLength": Slug.MAX_LENGTH, "description": Slug.DESCRIPTION},
    "examples": {"silent-room": {"value": "silent-room"}},
}
ITEM_PARAMETER = {
    "name": "item_id",
    "in": "path",
    "required": True,
    "description": "The id of an artwork or testimony.",
    "schema": {"type": "string", "format": "uuid", "maxLength": 36},
}


#: How each part of an artwork upload is encoded.
ARTWORK_UPLOAD_ENCODING = {
    "metadata": {"contentType": "application/json"},
    "image": {"contentType": IMAGE_TYPES},
    "alt_text": {"contentType": "application/json"},
}

#: The security of an operation for curators.
CURATORS = [{"bearerAuth": []}]

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "A curator's API token, from 'archive create-token'.",
    }
}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, as a fresh dict: the declarations', with each path's
    parameters written on its operations, the introduction and the security scheme."""
    api = current_app.extensions["archive-api"]
    declared = api.spec.to_dict()
    paths: dict[str, dict[str, Any]] = {}
    for path, item in declared.get("paths", {}).items():
        shared = item.get("parameters", [])  # the path's parameters, written on each operation
        for method, operation in item.items():
            if method != "parameters":
                own = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
                inherited = [p for p in shared if (p["in"], p["name"]) not in own]
                if inherited:
                    operation = {**operation, "parameters": inherited + operation.get("parameters", [])}
                paths.setdefault(path, {})[method] = operation
    components = declared.get("components", {})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": API_VERSION,
            "description": DESCRIPTION,
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "public", "description": "Reads for anyone, through the consent gate."},
            {"name": "curators", "description": "Writes with a curator's bearer token."},
            {"name": "meta", "description": "About the API."},
        ],
        "paths": paths,
        "components": {
            "schemas": components.get("schemas", {}),
            **({"responses": components["responses"]} if components.get("responses") else {}),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
