"""A small in-process cache of rendered public pages that forgets only what an event changed.

A public page depends on the state of the aggregates it was built from (consent, content,
arrangement), the calendar day (consent expiry), the visitor's language and the host name it
was asked for (one of ``ARCHIVE_TRUSTED_HOSTS``: a page for one name is never served for
another); the search page also on the index position. Day, language, host, path and the
index position are part of the key. The aggregates are recorded while the page is built
(``archive.read.page_dependencies``: the exhibition, its works and their contributors; an item,
its contributor and the exhibitions; every published exhibition and ``LISTING`` for the
listings; everything for search) and kept with the page as its tags.

Before anything is served from the cache, the process reads the notifications recorded since
the last position it saw (``archive.read.log_changes``: ids and topics, never content) and drops
every page tagged with an id they touch; an event of a kind it does not know, a gap or more
than ``MAX_EVENTS`` at once drops every page. So a withdrawal or a narrowed consent, saved
before its response returns, has removed each page it affects from every process before any
of them serves that page again, while an event elsewhere (another item, a token used) leaves
the pages it does not touch in place.

A page built while an event it depends on was being noticed by another request is not kept:
the cache remembers what recent catch-ups touched, and a page whose build began before one
that touched it is served once and dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import current_app, request

from archive.read.log_changes import MAX_EVENTS, Changes, changes_after
from archive.read.page_dependencies import EVERYTHING, recording
from web.i18n import language

MAX_PAGES = 256
#: How many recent catch-ups are remembered for pages still being built (a page whose build
#: began before the oldest one remembered is not kept).
RECENT = 64


@dataclass(frozen=True)
class Page:
    html: str
    tags: frozenset[Hashable]


class PageCache:
    """Rendered pages by (view, host, path with query, language, day[, index position]),
    each with the tags it depends on; ``changes`` reads what the log touched after a position."""

    def __init__(self, changes: Callable[[int], Changes], latest: Callable[[], int],
                 max_pages: int = MAX_PAGES):
        self._changes = changes
        self._latest = latest
        self._pages: OrderedDict[tuple[Any, ...], Page] = OrderedDict()
        self._tagged: dict[Hashable, set[tuple[Any, ...]]] = {}
        self._lock = threading.Lock()
        self._max = max_pages
        self._position: int | None = None
        self._recent: deque[Changes] = deque(maxlen=RECENT)
        self._remembered_from = 0  # catch-ups up to this position are forgotten

    def __len__(self) -> int:
        return len(self._pages)

    def get_or_render(self, key: tuple[Any, ...], render: Callable[[], str]) -> str:
        """The cached page for ``key`` if nothing it depends on changed since; else
        ``render()`` (inside a dependency recording), kept unless it changed meanwhile."""
        with self._lock:
            self._catch_up()
            started = self._position
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page.html
        with recording() as tags:
            html = render()
        with self._lock:
            self._keep(key, Page(html, frozenset(tags or {EVERYTHING})), started)
        return html

    def _catch_up(self) -> None:
        if self._position is None:
            self._position = self._remembered_from = self._latest()
            return
        changes = self._changes(self._position)
        if changes.position == self._position:
            return
        self._position = changes.position
        if len(self._recent) == self._recent.maxlen:
            self._remembered_from = self._recent[0].position
        self._recent.append(changes)
        if changes.touched is None:
            self._pages.clear()
            self._tagged.clear()
        elif changes.touched:
            for tag in (*changes.touched, EVERYTHING):
                for key in self._tagged.pop(tag, ()):
                    self._drop(key)

    def _keep(self, key: tuple[Any, ...], page: Page, started: int | None) -> None:
        if started is None or started < self._remembered_from:
            return
        for changes in self._recent:
            if changes.position > started and (changes.touched is None or _touches(changes.touched, page.tags)):
                return  # built while a change it depends on was noticed: may be stale
        self._drop(key)
        self._pages[key] = page
        for tag in page.tags:
            self._tagged.setdefault(tag, set()).add(key)
        while len(self._pages) > self._max:
            self._drop(next(iter(self._pages)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            for tag in page.tags:
                keys = self._tagged.get(tag)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._tagged[tag]


def _touches(touched: frozenset[Hashable], tags: frozenset[Hashable]) -> bool:
    return bool(touched) and (EVERYTHING in tags or not touched.isdisjoint(tags))


def page_cache() -> PageCache:
    """This app's page cache, made on first use from its archive's log."""
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is None:
        recorder = current_app.extensions["archive"].recorder
        cache = current_app.extensions.setdefault("page_cache", PageCache(
            lambda position: changes_after(recorder, position, MAX_EVENTS),
            lambda: recorder.max_notification_id() or 0,
        ))
    return cache


def cached_page(with_index: bool = False) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Cache a public view's HTML (a view that aborts is never cached)."""

    def decorate(view: Callable[..., str]) -> Callable[..., str]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> str:
            if current_app.config.get("PAGE_CACHE") is False:
                return view(*args, **kwargs)
            archive = current_app.extensions["archive"]
            key: tuple[Any, ...] = (request.endpoint, request.host, request.full_path, language(), archive.today())
            if with_index:
                key += (current_app.extensions["search"].position(),)
            return page_cache().get_or_render(key, lambda: view(*args, **kwargs))

        return wrapper

    return decorate
