"""Reads for anyone. Every answer passes the consent gate, now, on each request.

Anything a visitor may not see (hidden, withdrawn, expired, unpublished) answers exactly
like something that never existed: the one public 404 problem.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from archive.errors import NotFound as ArchiveNotFound
from archive.public import published_exhibition, published_exhibitions, visible_item
from archive.search import SearchQuery
from archive.search_queries import search as visitor_search
from web.api import archive, bp, openapi, search_index
from web.api.problems import Problem, not_found
from web.api.representations import (
    exhibition_json,
    exhibition_summary_json,
    item_json,
    json_response,
    results_json,
)
from web.api.schemas import SEARCH_PARAMETERS
from web.api.fields import parse_uuid
from web.api.validation import check

PAGE_SIZE = 10


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi.document())


@bp.get("/exhibitions")
def list_exhibitions() -> Response:
    """Published exhibitions, the most recent opening first."""
    shown = published_exhibitions(archive(), archive().today())
    return json_response({"exhibitions": [exhibition_summary_json(view) for view in shown]})


@bp.get("/exhibitions/<slug>")
def get_exhibition(slug: str) -> Response:
    """A published exhibition with the works consent allows in it, in order, with wall texts."""
    try:
        view = published_exhibition(archive(), slug, archive().today())
    except ArchiveNotFound:
        raise not_found() from None
    return json_response(exhibition_json(view))


@bp.get("/items/<item_id>")
def get_item(item_id: str) -> Response:
    """An artwork or testimony whose current consent allows it online; credit per attribution."""
    parsed = parse_uuid(item_id)
    if parsed is None:
        raise not_found()
    view = visible_item(archive(), parsed, archive().today())
    if view is None:
        raise not_found()
    return json_response(item_json(view))


@bp.get("/search")
def search() -> Response:
    """Search everything public: ranked, faceted, paged; every hit passes the gate again."""
    query = search_query(request.args)
    found = visitor_search(archive(), search_index(), query)
    return json_response(results_json(found))


def search_query(args: Any) -> SearchQuery:
    """A ``SearchQuery`` from URL arguments; a malformed value is a 422 problem naming it."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, schema, repeatable, _ in SEARCH_PARAMETERS:
        raw = args.getlist(name)
        if not repeatable and len(raw) > 1:
            errors.append({"parameter": name, "detail": "Give this parameter at most once."})
            continue
        parsed = []
        for text in raw:
            value: Any = text
            if schema.get("type") == "integer":
                if not (text.isascii() and text.isdigit() and len(text) <= 6):
                    errors.append({"parameter": name, "detail": f"{text[:40]!r} is not a whole number."})
                    continue
                value = int(text)
            problems = check(value, schema)
            if problems:
                errors.append({"parameter": name, "detail": problems[0]["detail"]})
                continue
            parsed.append(value)
        values[name] = parsed
    if errors:
        raise Problem("validation-failed", f"{errors[0]['parameter']}: {errors[0]['detail']}", errors=errors)

    def one(name: str, default: Any) -> Any:
        return values[name][0] if values.get(name) else default

    return SearchQuery(
        text=one("q", ""),
        kinds=tuple(values.get("kind", ())),
        exhibitions=tuple(values.get("exhibition", ())),
        years=tuple(values.get("year", ())),
        languages=tuple(values.get("language", ())),
        page=one("page", 1),
        page_size=PAGE_SIZE,
        sort=one("sort", "relevance"),
    )
