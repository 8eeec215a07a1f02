"""Consent as a value, and the rules of its life cycle on an item.

An item starts without consent (nothing may be shown), consent is recorded, may be updated
any number of times, and may be withdrawn; withdrawal is terminal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime
from collections.abc import Iterable

from domain.errors import InvalidValue


class Scope(str, enum.Enum):
    """What the contributor allows."""

    EXHIBIT = "exhibit"  # shown in curated exhibition views
    PUBLISH_ONLINE = "publish_online"  # visible to anyone on the public website and API


class Attribution(str, enum.Enum):
    """How the contributor is credited."""

    NAMED = "named"
    PSEUDONYM = "pseudonym"
    ANONYMOUS = "anonymous"


def parse_scopes(values: Iterable[str | Scope]) -> frozenset[Scope]:
    """Scopes from their codes; an unknown code is an ``InvalidValue``."""
    scopes = set()
    for value in values:
        try:
            scopes.add(Scope(value))
        except ValueError:
            known = ", ".join(s.value for s in Scope)
            raise InvalidValue("Unknown consent scope %(value)r: use %(known)s.", value=value, known=known) from None
    return frozenset(scopes)


def parse_attribution(value: str | Attribution) -> Attribution:
    """Attribution from its code; an unknown code is an ``InvalidValue``."""
    try:
        return Attribution(value)
    except ValueError:
        known = ", ".join(a.value for a in Attribution)
        raise InvalidValue("Unknown attribution %(value)r: use %(known)s.", value=value, known=known) from None


@dataclass(frozen=True)
class Consent:
    """A contributor's consent for one item, as signed on a version of the consent text."""

    scopes: frozenset[Scope]
    attribution: Attribution
    text_version: str
    recorded_by: str
    recorded_at: datetime
    expires_on: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", parse_scopes(self.scopes))
        if not isinstance(self.attribution, Attribution):
            object.__setattr__(self, "attribution", parse_attribution(self.attribution))
        if not (self.text_version or "").strip():
            raise InvalidValue("Consent must name the version of the consent text signed.")
        if self.expires_on is not None and (
            not isinstance(self.expires_on, date) or isinstance(self.expires_on, datetime)
        ):
            raise InvalidValue("A consent expiry must be a date.")
        if self.expires_on is not None and self.expires_on < self.recorded_at.date():
            raise InvalidValue("A consent expiry cannot be before the day consent is recorded.")

    def is_expired(self, on: date) -> bool:
        """Expired from the day after ``expires_on``: the expiry day itself is still allowed."""
        return self.expires_on is not None and on > self.expires_on

    def allows(self, scope: Scope, on: date) -> bool:
        """Does this consent allow ``scope`` on the day ``on``?"""
        return scope in self.scopes and not self.is_expired(on)

    def narrowed_to(self, **changes: object) -> Consent:
        return replace(self, **changes)  # type: ignore[arg-type]


class ConsentStatus(str, enum.Enum):
    """Where an item stands, for people and for the consent gate."""

    NOT_RECORDED = "not_recorded"
    GIVEN = "given"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @classmethod
    def of(cls, *, withdrawn: bool, recorded: bool, expires_on: date | None, on: date) -> ConsentStatus:
        """The status on the day ``on`` of an item with these facts (the one rule, for the
        aggregate and for read models alike): expired from the day after ``expires_on``."""
        if withdrawn:
            return cls.WITHDRAWN
        if not recorded:
            return cls.NOT_RECORDED
        if expires_on is not None and on > expires_on:
            return cls.EXPIRED
        return cls.GIVEN


#: From the widest to the narrowest credit.
ATTRIBUTION_BREADTH = {Attribution.NAMED: 2, Attribution.PSEUDONYM: 1, Attribution.ANONYMOUS: 0}


@dataclass(frozen=True)
class ConsentChange:
    """What a contributor asks for: how they are credited, what is allowed, until when."""

    attribution: Attribution
    scopes: frozenset[Scope]
    expires_on: date | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", parse_scopes(self.scopes))
        object.__setattr__(self, "attribution", parse_attribution(self.attribution))


@dataclass(frozen=True)
class SplitChange:
    """A contributor's change split in two.

    ``narrowing`` (fields of :class:`Consent` to replace) shows less than today and takes
    effect at once; ``widening`` (the same fields, as codes) would show more and waits for a
    curator to confirm it with the contributor, so that someone who got hold of a consent
    code cannot make a survivor's name or testimony more visible.
    """

    narrowing: dict[str, object]
    widening: dict[str, object]

    @property
    def is_empty(self) -> bool:
        return not self.narrowing and not self.widening


def split_change(current: Consent, wanted: ConsentChange) -> SplitChange:
    """Split ``wanted`` into what narrows ``current`` and what widens it."""
    narrowing: dict[str, object] = {}
    widening: dict[str, object] = {}
    if wanted.attribution is not current.attribution:
        if ATTRIBUTION_BREADTH[wanted.attribution] < ATTRIBUTION_BREADTH[current.attribution]:
            narrowing["attribution"] = wanted.attribution
        else:
            widening["attribution"] = wanted.attribution.value
    kept = current.scopes & wanted.scopes
    if kept != current.scopes:
        narrowing["scopes"] = kept
    if wanted.scopes - current.scopes:
        widening["scopes"] = sorted(s.value for s in wanted.scopes)
    if wanted.expires_on != current.expires_on:
        earlier = wanted.expires_on is not None and (
            current.expires_on is None or wanted.expires_on < current.expires_on
        )
        if earlier:
            narrowing["expires_on"] = wanted.expires_on
        else:
            widening["expires_on"] = wanted.expires_on.isoformat() if wanted.expires_on else None
    return SplitChange(narrowing, widening)


def widening_past(choice: Consent, consent: Consent) -> dict[str, object]:
    """What ``consent`` shows beyond ``choice`` (a wider credit, added scopes, a later or no
    expiry), as codes like a contributor's request; empty when it shows nothing more."""
    return split_change(choice, ConsentChange(consent.attribution, consent.scopes, consent.expires_on)).widening
