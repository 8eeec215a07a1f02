"""Links every page repeats (the site's header, an exhibition's tabs), built once per app.

``url_for`` costs 6-20 µs a call, and a public page makes about fifteen for links that are the
same for every visitor: the style sheet, the header's pages in the visitor's language, an
exhibition's tabs. :func:`site_url` builds each once per app and script root. Links that carry
what a visitor typed or chose beyond the language (a search's words, a page's own arguments) are
never kept: they go through ``url_for`` every time, so no one's query stays in a worker's memory.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request, url_for

#: At most this many links are kept per app (an exhibition's tabs: four per exhibition and language).
MAX_KEPT = 4096
#: Stands in for the value that varies in :func:`links_to`: a valid id and slug, never in a route.
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def site_url(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` for a link that is the same for every visitor."""
    kept: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = current_app.extensions.setdefault("site_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = kept.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = url
    return url


def links_to(endpoint: str, key: str, **values: str) -> Callable[[str], str]:
    """``link(value)``: ``url_for(endpoint, **{key: value}, **values)`` for a page of many links
    that differ in one value, the route built once (a page of fifty cards made fifty calls).
    Only for values that need no quoting in a path: ids and slugs (``check_slug``)."""
    pattern = url_for(endpoint, **{key: PLACEHOLDER}, **values)
    return lambda value: pattern.replace(PLACEHOLDER, value)
