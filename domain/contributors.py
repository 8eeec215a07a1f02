"""Contributors: the people who give testimony or make art.

Their name, pseudonym and contact are personal data, held as a ``Personal`` value owned by
the contributor, so that shredding the contributor's key removes them everywhere.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from domain import actor as actors
from domain.base import ArchiveAggregate
from domain.errors import InvalidValue
from domain.personal import Personal


def contributor_profile(
    *, name: str, pseudonym: str | None = None, contact: str | None = None
) -> dict[str, Any]:
    """Validated personal data of a contributor: a name is required."""
    name = (name or "").strip()
    if not name:
        raise InvalidValue("A contributor needs a name (it is never shown unless they agree).")
    return {
        "name": name,
        "pseudonym": (pseudonym or "").strip() or None,
        "contact": (contact or "").strip() or None,
    }


class Contributor(ArchiveAggregate):
    """A person who gives testimony or makes art, and holds a consent code."""

    class Registered(ArchiveAggregate.Created):
        profile: Personal

        def apply(self, contributor: Contributor) -> None:
            contributor.profile = self.profile
            contributor.consent_code_hash = None

    class ProfileRevised(ArchiveAggregate.Event):
        profile: Personal

        def apply(self, contributor: Contributor) -> None:
            contributor.profile = self.profile

    class ConsentCodeIssued(ArchiveAggregate.Event):
        code_hash: str

        def apply(self, contributor: Contributor) -> None:
            contributor.consent_code_hash = self.code_hash

    @classmethod
    def register(
        cls, *, contributor_id: UUID, profile: dict[str, Any], actor: str
    ) -> Contributor:
        return cls._create(
            cls.Registered,
            id=contributor_id,
            actor=actors.check(actor),
            profile=Personal.of(contributor_id, profile),
        )

    def revise_profile(self, profile: dict[str, Any], actor: str) -> None:
        self.trigger_event(
            self.ProfileRevised, actor=actors.check(actor), profile=Personal.of(self.id, profile)
        )

    def issue_consent_code(self, code_hash: str, actor: str) -> None:
        """Store the hash of a new consent code; the previous code stops working."""
        if not isinstance(code_hash, str) or not re.fullmatch(r"[0-9a-f]{64}", code_hash):
            raise InvalidValue("A consent code is stored as a SHA-256 hex digest.")
        self.trigger_event(self.ConsentCodeIssued, actor=actors.check(actor), code_hash=code_hash)

    @property
    def has_consent_code(self) -> bool:
        return self.consent_code_hash is not None

    def field(self, name: str) -> str | None:
        """A profile field, or None when absent or redacted."""
        profile = self.profile.reveal(None)
        return profile.get(name) if profile else None

    @property
    def name(self) -> str | None:
        return self.field("name")

    @property
    def pseudonym(self) -> str | None:
        return self.field("pseudonym")
