"""Reads for anyone. Every answer passes the consent gate, now, on each request.

Anything a visitor may not see (hidden, withdrawn, expired, unpublished) answers exactly
like something that never existed: the one public 404 problem.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from archive.errors import NotFound as ArchiveNotFound
from archive.read.public import published_exhibition, published_exhibitions, visible_item
from archive.search import SearchQuery
from archive.search.queries import VisitorResults
from archive.search.queries import search as visitor_search
from archive.gate.visibility import VisibleExhibition, VisibleItem
from web.api import archive, bp, openapi, search_index
from web.api.answers import ExhibitionListSchema, ExhibitionSchema, ItemSchema, SearchResultsSchema
from web.api.contracts import SearchQuerySchema
from web.api.fields import parse_uuid
from web.api.openapi import ITEM_PARAMETER, NOT_FOUND, SLUG_PARAMETER, problem_response
from web.api.problems import not_found
from web.api.representations import json_response

PAGE_SIZE = 10


@bp.get("/openapi.json")
@bp.doc(
    operationId="getOpenApi", tags=["meta"],
    responses={"200": {"description": "The OpenAPI 3.1 document.", "content": {"application/json": {"schema": {"type": "object"}}}}},
)
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi.document())


@bp.get("/exhibitions")
@bp.doc(operationId="listExhibitions", tags=["public"])
@bp.response(200, ExhibitionListSchema, description="Published exhibitions.")
def list_exhibitions() -> dict[str, Any]:
    """Published exhibitions, the most recent opening first."""
    return {"exhibitions": published_exhibitions(archive(), archive().today())}


@bp.get("/exhibitions/<slug>")
@bp.doc(operationId="getExhibition", tags=["public"], parameters=[SLUG_PARAMETER], responses={"404": NOT_FOUND})
@bp.response(200, ExhibitionSchema, description="The exhibition.")
def get_exhibition(slug: str) -> VisibleExhibition:
    """A published exhibition with the works consent allows, in order, with wall texts."""
    try:
        return published_exhibition(archive(), slug, archive().today())
    except ArchiveNotFound:
        raise not_found() from None


@bp.get("/items/<item_id>")
@bp.doc(operationId="getItem", tags=["public"], parameters=[ITEM_PARAMETER], responses={"404": NOT_FOUND})
@bp.response(200, ItemSchema, description="The item.")
def get_item(item_id: str) -> VisibleItem:
    """An artwork or testimony whose current consent allows it online.

    Its credit is as its attribution allows.
    """
    parsed = parse_uuid(item_id)
    if parsed is None:
        raise not_found()
    view = visible_item(archive(), parsed, archive().today())
    if view is None:
        raise not_found()
    return view


@bp.get("/search")
@bp.doc(operationId="search", tags=["public"], responses={"422": problem_response("A malformed query parameter.")})
@bp.response(200, SearchResultsSchema, description="A page of results with facet counts.")
@bp.arguments(SearchQuerySchema, location="query")
def search(args: dict[str, Any]) -> VisitorResults:
    """Search everything public; every hit passes the consent gate again.

    Ranked, faceted and paged.
    """
    query = SearchQuery(
        text=args["q"],
        kinds=tuple(args["kind"]),
        exhibitions=tuple(args["exhibition"]),
        years=tuple(args["year"]),
        languages=tuple(args["language"]),
        page=args["page"],
        page_size=PAGE_SIZE,
        sort=args["sort"],
    )
    return visitor_search(archive(), search_index(), query)
