"""A small in-process cache of rendered public pages, invalidated by any new event.

A public page depends only on the event log (consent, content, arrangement), the calendar
day (consent expiry), the visitor's language and the host name it was asked for (one of
``ARCHIVE_TRUSTED_HOSTS``: a page for one name is never served for another); the search page
also on the index position.
So a page is reused only while the log's last notification id, the day, the language and the
index position are all unchanged: any change anywhere (a withdrawal, a narrowed consent) makes
every cached page stale at once, and stale pages are dropped as soon as one is noticed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request

from web.i18n import language

MAX_PAGES = 256


class PageCache:
    """Rendered pages by (host, path with query, language, day, log position, index position)."""

    def __init__(self, max_pages: int = MAX_PAGES):
        self._pages: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_pages
        self._position: Any = None

    def get_or_render(self, key: tuple[Any, ...], position: Any, render: Callable[[], str]) -> str:
        with self._lock:
            if position != self._position:
                self._pages.clear()  # something happened: nothing cached may be shown again
                self._position = position
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = render()
        with self._lock:
            if position == self._position:
                self._pages[key] = page
                while len(self._pages) > self._max:
                    self._pages.popitem(last=False)
        return page


def cached_page(with_index: bool = False) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Cache a public view's HTML (a view that aborts is never cached)."""

    def decorate(view: Callable[..., str]) -> Callable[..., str]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> str:
            if current_app.config.get("PAGE_CACHE") is False:
                return view(*args, **kwargs)
            cache: PageCache = current_app.extensions.setdefault("page_cache", PageCache())
            archive = current_app.extensions["archive"]
            position: tuple[Any, ...] = (archive.recorder.max_notification_id(), archive.today())
            if with_index:
                position += (current_app.extensions["search"].position(),)
            key = (request.endpoint, request.host, request.full_path, language())
            return cache.get_or_render(key, position, lambda: view(*args, **kwargs))

        return wrapper

    return decorate
