"""The consent gate: the one place that decides what a visitor may see of an item, now.

Every public surface (pages, search results, media, API, feeds, exports) asks here, from
the item's *current* consent, so that a stale page, cache or index can never show more.

The rules read an item and its contributor through small protocols (:class:`Gated`,
:class:`Named`): an ``Item`` and a ``Contributor`` satisfy them, and so do the plain values
the visitor projection builds from the read models (``archive.gate.visibility.ItemValues``), so
both paths are judged by these same functions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from archive.gate.name_filter import EVERY_TEXT, NO_NAMES, NameFilter, without_words_of
from domain.consent import Attribution, Scope


class Terms(Protocol):
    """What the gate reads of a consent (``domain.consent.Consent`` or :class:`ConsentTerms`)."""

    @property
    def scopes(self) -> frozenset[Scope]: ...

    @property
    def attribution(self) -> Attribution: ...

    @property
    def expires_on(self) -> date | None: ...


class Gated(Protocol):
    """What the gate reads of an item: its current consent, whether it was withdrawn, whether
    its content was shredded, and the spans curators redacted."""

    @property
    def consent(self) -> Terms | None: ...

    @property
    def is_withdrawn(self) -> bool: ...

    @property
    def is_redacted(self) -> bool: ...

    @property
    def redacted_spans(self) -> Sequence[str]: ...


class Named(Protocol):
    """What the gate reads of a contributor: the names an attribution shows or withholds, and
    the names and pseudonyms her record held before, which it always withholds."""

    @property
    def name(self) -> str | None: ...

    @property
    def pseudonym(self) -> str | None: ...

    @property
    def former_names(self) -> Sequence[str]: ...

    @property
    def former_pseudonyms(self) -> Sequence[str]: ...

    @property
    def is_erased(self) -> bool: ...


@dataclass(frozen=True)
class ConsentTerms:
    """A consent's terms as plain values (from a read model's consent columns)."""

    scopes: frozenset[Scope]
    attribution: Attribution
    expires_on: date | None = None


def _expired(consent: Terms, on: date) -> bool:
    """Expired from the day after ``expires_on`` (as ``Consent.is_expired``)."""
    return consent.expires_on is not None and on > consent.expires_on


def _allows(item: Gated, scope: Scope, on: date) -> bool:
    """Does the item's current consent allow ``scope`` on ``on`` (as ``Item.allows``)?"""
    consent = item.consent
    return (
        not item.is_withdrawn
        and not item.is_redacted
        and consent is not None
        and scope in consent.scopes
        and not _expired(consent, on)
    )


class Surface(str, enum.Enum):
    """Where something would be shown."""

    ONLINE = "online"  # any public page, search result, media file or API response
    ONLINE_EXHIBITION = "online_exhibition"  # an item shown inside a published exhibition


REQUIRED_SCOPES = {
    Surface.ONLINE: (Scope.PUBLISH_ONLINE,),
    Surface.ONLINE_EXHIBITION: (Scope.PUBLISH_ONLINE, Scope.EXHIBIT),
}


def may_show(item: Gated, surface: Surface, on: date) -> bool:
    """True only if the item's current consent allows every scope the surface needs on ``on``."""
    return all(_allows(item, scope, on) for scope in REQUIRED_SCOPES[surface])


def credit(item: Gated, contributor: Named | None) -> str | None:
    """The name to show beside a visible item, as its consent's attribution allows.

    None means 'anonymous' (also when the contributor's own data was shredded).
    """
    return _credited(item, contributor)


def _credited(item: Gated, contributor: Named | None) -> str | None:
    if item.consent is None or contributor is None:
        return None
    if item.consent.attribution is Attribution.NAMED:
        return contributor.name
    if item.consent.attribution is Attribution.PSEUDONYM:
        return contributor.pseudonym
    return None


def withheld_names(item: Gated, contributor: Named | None, on: date | None = None) -> list[str | None]:
    """The names the item's attribution withholds: the contributor's name unless credited by
    name, and the pseudonym too when anonymous; both while no consent is recorded (the
    contributor chose no credit yet) or, given the day ``on``, once her consent expired.
    Her former names and pseudonyms are always withheld, but for the words of them the item
    credits her by now (a first name she kept): see docs/architecture.md, "Former names"."""
    if contributor is None:
        return []
    former = [*contributor.former_names, *contributor.former_pseudonyms]
    if item.consent is None or (on is not None and _expired(item.consent, on)):
        return [contributor.name, contributor.pseudonym, *former]
    attribution = item.consent.attribution
    withheld: list[str | None] = []
    if attribution is not Attribution.NAMED:
        withheld.append(contributor.name)
    if attribution is Attribution.ANONYMOUS:
        withheld.append(contributor.pseudonym)
    shown = _credited(item, contributor)  # (not ``credit``: the gate's mutants replace only outer calls)
    withheld.extend(without_words_of(name, shown) for name in former)
    return withheld


def names_lost(contributor: Named | None) -> bool:
    """Whether her names can no longer be read (her key is gone) while no erasure of hers is
    recorded, so no filter can withhold them. Our code shreds a contributor's key only after
    saving her erasure; this state follows a restore that put back events older than the key
    table (the erasure's events, and the texts it rewrote, lost) or a key table older than the
    events. Her works are then not shown, and texts about several works that hung one of
    hers are withheld whole (:func:`works_name_filter`)."""
    return contributor is not None and contributor.name is None and not contributor.is_erased


def name_filter(item: Gated, contributor: Named | None) -> NameFilter:
    """A filter removing from anything shown of the item the names its attribution withholds
    (:func:`withheld_names`) and the spans curators redacted."""
    withheld = withheld_names(item, contributor)
    spans = item.redacted_spans
    if not any(withheld) and not spans:
        return NO_NAMES
    return NameFilter(withheld, spans)


def works_name_filter(works: Iterable[tuple[Gated, Named | None]], on: date) -> NameFilter:
    """A filter for texts written about several works at once (an exhibition's title and
    statement): the names any of them withholds on the day ``on``, the names of contributors
    who withdrew one, and the spans curators redacted in any of them. If the names of any of
    their contributors are lost (:func:`names_lost`), every text is withheld whole."""
    withheld: list[str | None] = []
    spans: list[str] = []
    for item, contributor in works:
        if names_lost(contributor):
            return EVERY_TEXT
        if item.is_withdrawn and contributor is not None:
            withheld.extend((contributor.name, contributor.pseudonym, *contributor.former_names))
            withheld.extend(contributor.former_pseudonyms)
        else:
            withheld.extend(withheld_names(item, contributor, on))
        spans.extend(item.redacted_spans)
    if not any(withheld) and not spans:
        return NO_NAMES
    return NameFilter(withheld, spans)
