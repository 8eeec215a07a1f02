"""Consent as a value, and the rules of its life cycle on an item.

An item starts without consent (nothing may be shown), consent is recorded, may be updated
any number of times, and may be withdrawn; withdrawal is terminal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime
from collections.abc import Iterable, Mapping
from typing import cast

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


@dataclass(frozen=True)
class ConsentRequest:
    """What a contributor asked to widen, and when; it waits for a curator to confirm it with
    them (see :func:`split_change`).

    ``attribution`` and ``scopes`` are None when the request leaves them as they are; the
    expiry is asked for only when ``asks_expiry`` (a later ``expires_on``, or None for no end
    date). Events store the request in its plain form, :meth:`codes` (``SplitChange.widening``'s
    form); snapshots and read rows add ``requested_at`` (:meth:`stored`).
    """

    requested_at: datetime
    attribution: Attribution | None = None
    scopes: frozenset[Scope] | None = None
    asks_expiry: bool = False
    expires_on: date | None = None

    def __post_init__(self) -> None:
        if self.attribution is not None:
            object.__setattr__(self, "attribution", parse_attribution(self.attribution))
        if self.scopes is not None:
            object.__setattr__(self, "scopes", parse_scopes(self.scopes))
        if self.expires_on is not None and not self.asks_expiry:
            raise InvalidValue("A consent request cannot name an expiry it does not ask for.")
        if self.attribution is None and self.scopes is None and not self.asks_expiry:
            raise InvalidValue("A consent request must ask for something.")

    @classmethod
    def from_codes(cls, codes: Mapping[str, object], requested_at: datetime) -> ConsentRequest:
        """The request whose plain form (:meth:`codes`) is ``codes``, asked at ``requested_at``;
        ``InvalidValue`` for a field a request cannot ask for."""
        unknown = sorted(set(codes) - {"attribution", "scopes", "expires_on"})
        if unknown:
            raise InvalidValue("A consent request cannot ask for %(field)r.", field=unknown[0])
        expiry = codes.get("expires_on")
        if expiry is not None and not isinstance(expiry, (str, date)):
            raise InvalidValue("A consent expiry must be a date.")
        scopes = codes.get("scopes")
        return cls(
            requested_at=requested_at,
            attribution=cast("Attribution | None", codes.get("attribution")),
            scopes=parse_scopes(cast("Iterable[str]", scopes)) if scopes is not None else None,
            asks_expiry="expires_on" in codes,
            expires_on=date.fromisoformat(expiry) if isinstance(expiry, str) else expiry,
        )

    @classmethod
    def from_stored(cls, stored: Mapping[str, object]) -> ConsentRequest:
        """The request a snapshot or a read row stored with :meth:`stored`."""
        codes = {name: value for name, value in stored.items() if name != "requested_at"}
        return cls.from_codes(codes, datetime.fromisoformat(str(stored["requested_at"])))

    def codes(self) -> dict[str, object]:
        """What it asks for, as codes, in the order and form events store it (and
        ``SplitChange.widening`` and receipts give it)."""
        codes: dict[str, object] = {}
        if self.attribution is not None:
            codes["attribution"] = self.attribution.value
        if self.scopes is not None:
            codes["scopes"] = sorted(scope.value for scope in self.scopes)
        if self.asks_expiry:
            codes["expires_on"] = self.expires_on.isoformat() if self.expires_on else None
        return codes

    def stored(self) -> dict[str, object]:
        """:meth:`codes` and ``requested_at``: the form snapshots, read rows and the API keep."""
        return {**self.codes(), "requested_at": self.requested_at.isoformat()}
