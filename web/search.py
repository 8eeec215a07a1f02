"""The public search page: everything public, ranked, faceted; every hit passes the gate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from archive.search import FACETS, KINDS, MAX_PAGE_SIZE, SORTS, SearchQuery
from archive.search.queries import VisitorResults, search
from domain.languages import SUPPORTED_LANGUAGES
from web.page_cache import cached_page
from web.search_notices import notice_text
from web.url_args import link_args

bp = Blueprint("search", __name__)

PAGE_SIZE = 10
MAX_PAGE = 1000


def _ints(values: list[str]) -> tuple[int, ...]:
    return tuple(int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 4)


def query_from_args(args: Any) -> SearchQuery:
    """A ``SearchQuery`` from URL arguments; unknown or malformed values are ignored."""
    page = args.get("page", "1")
    number = int(page) if page.isascii() and page.isdigit() and len(page) <= 6 else 1  # not "²", not 5,000 digits
    return SearchQuery(
        text=args.get("q", "")[:10_000],
        kinds=tuple(k for k in args.getlist("kind") if k in KINDS),
        exhibitions=tuple(e for e in args.getlist("exhibition") if 0 < len(e) <= 80),
        years=_ints(args.getlist("year")),
        languages=tuple(l for l in args.getlist("language") if l in SUPPORTED_LANGUAGES),
        page=min(max(number, 1), MAX_PAGE),
        page_size=min(PAGE_SIZE, MAX_PAGE_SIZE),
        sort=args.get("sort") if args.get("sort") in SORTS else "relevance",
    )


def _url_with(**changes: Any) -> str:
    """The current search URL with some arguments replaced (None removes them)."""
    args = link_args(request.args)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return url_for("search.results", **args)


def _toggle(facet: str, value: str) -> str:
    current = request.args.getlist(facet)
    chosen = [v for v in current if v != value] if value in current else [*current, value]
    return _url_with(**{facet: chosen or None, "page": None})


@bp.get("/search")
@cached_page(with_index=True)
def results() -> str:
    """Search results for ``q`` with facets (kind, exhibition, year, language) and pages."""
    query = query_from_args(request.args)
    found: VisitorResults | None = None
    if query.text.strip() or query.kinds or query.exhibitions or query.years or query.languages:
        found = search(current_app.extensions["archive"], current_app.extensions["search"], query)
    return render_template(
        "search/results.html",
        query=query,
        found=found,
        notice=notice_text(found.notices) if found is not None else None,
        facet_names=FACETS,
        toggle=_toggle,
        url_with=_url_with,
        chosen=lambda facet: request.args.getlist(facet),
    )
