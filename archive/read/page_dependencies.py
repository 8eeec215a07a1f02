"""What a visitor's page was built from, recorded while it is built, so that a cache can
forget exactly the pages an event touches (see ``archive.read.log_changes`` and ``web.page_cache``).

A page's dependencies are tags: the ids of the items, contributors and exhibitions whose
state its content came from (read or only looked at: an item the gate hid is a dependency
too, since new consent would show it), plus two names:

- :data:`LISTING`: which exhibitions exist and which are published. A page that went through
  every exhibition (the listings, an item page's "shown in") depends on it; any exhibition
  event touches it, since a new or newly published exhibition changes such pages.
- :data:`EVERYTHING`: the page may change with any event a visitor could see (search results
  and counts). A page that recorded nothing is taken to depend on everything too.

The reads in ``archive.read.public`` (and the search use case) call :func:`depends_on`; whoever
caches a page builds it inside :func:`recording`. Outside a recording the calls do nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: The tag of the set of exhibitions and their published state.
LISTING = "listing"
#: The tag of a page that any event a visitor could see may change.
EVERYTHING = "everything"

_recording: ContextVar[set[Hashable] | None] = ContextVar("page_dependencies", default=None)


@contextmanager
def recording() -> Iterator[set[Hashable]]:
    """Record the dependencies of what is built inside the block into the set it yields."""
    tags: set[Hashable] = set()
    token = _recording.set(tags)
    try:
        yield tags
    finally:
        _recording.reset(token)


def depends_on(*tags: Hashable) -> None:
    """Note that the page being built depends on ``tags`` (aggregate ids or the names above)."""
    tags_so_far = _recording.get()
    if tags_so_far is not None:
        tags_so_far.update(tags)


def is_recording() -> bool:
    """Whether a page's dependencies are being recorded (to skip reads done only for them)."""
    return _recording.get() is not None
