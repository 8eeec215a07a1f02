"""The consent gate: the one place that decides what a visitor may see of an item, now.

Every public surface (pages, search results, media, API, feeds, exports) asks here, from
the item's *current* consent, so that a stale page, cache or index can never show more.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from archive.name_filter import NO_NAMES, NameFilter
from domain.consent import Attribution, Scope
from domain.contributors import Contributor
from domain.items import Item


class Surface(str, enum.Enum):
    """Where something would be shown."""

    ONLINE = "online"  # any public page, search result, media file or API response
    ONLINE_EXHIBITION = "online_exhibition"  # an item shown inside a published exhibition


REQUIRED_SCOPES = {
    Surface.ONLINE: (Scope.PUBLISH_ONLINE,),
    Surface.ONLINE_EXHIBITION: (Scope.PUBLISH_ONLINE, Scope.EXHIBIT),
}


def may_show(item: Item, surface: Surface, on: date) -> bool:
    """True only if the item's current consent allows every scope the surface needs on ``on``."""
    return all(item.allows(scope, on) for scope in REQUIRED_SCOPES[surface])


def credit(item: Item, contributor: Contributor | None) -> str | None:
    """The name to show beside a visible item, as its consent's attribution allows.

    None means 'anonymous' (also when the contributor's own data was shredded).
    """
    if item.consent is None or contributor is None:
        return None
    if item.consent.attribution is Attribution.NAMED:
        return contributor.name
    if item.consent.attribution is Attribution.PSEUDONYM:
        return contributor.pseudonym
    return None


def withheld_names(item: Item, contributor: Contributor | None, on: date | None = None) -> list[str | None]:
    """The names the item's attribution withholds: the contributor's name unless credited by
    name, and the pseudonym too when anonymous; both while no consent is recorded (the
    contributor chose no credit yet) or, given the day ``on``, once her consent expired."""
    if contributor is None:
        return []
    if item.consent is None or (on is not None and item.consent.is_expired(on)):
        return [contributor.name, contributor.pseudonym]
    attribution = item.consent.attribution
    withheld = []
    if attribution is not Attribution.NAMED:
        withheld.append(contributor.name)
    if attribution is Attribution.ANONYMOUS:
        withheld.append(contributor.pseudonym)
    return withheld


def name_filter(item: Item, contributor: Contributor | None) -> NameFilter:
    """A filter removing from anything shown of the item the names its attribution withholds
    (:func:`withheld_names`) and the spans curators redacted."""
    withheld = withheld_names(item, contributor)
    spans = item.redacted_spans
    if not any(withheld) and not spans:
        return NO_NAMES
    return NameFilter(withheld, spans)


def works_name_filter(works: Iterable[tuple[Item, Contributor | None]], on: date) -> NameFilter:
    """A filter for texts written about several works at once (an exhibition's title and
    statement): the names any of them withholds on the day ``on``, the names of contributors
    who withdrew one, and the spans curators redacted in any of them."""
    withheld: list[str | None] = []
    spans: list[str] = []
    for item, contributor in works:
        if item.is_withdrawn and contributor is not None:
            withheld.extend((contributor.name, contributor.pseudonym))
        else:
            withheld.extend(withheld_names(item, contributor, on))
        spans.extend(item.redacted_spans)
    if not any(withheld) and not spans:
        return NO_NAMES
    return NameFilter(withheld, spans)
