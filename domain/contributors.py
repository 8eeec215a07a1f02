"""Contributors: the people who give testimony or make art.

Their name, pseudonym and contact are personal data, held as a ``Personal`` value owned by
the contributor, so that shredding the contributor's key removes them everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import actor as actors
from domain.actor import Actor
from domain.base import ArchiveAggregate
from domain.errors import N_, InvalidValue
from domain.personal import Personal
from domain.text import MAX_CONTACT, MAX_NAME, plain_text

#: What a receipt records (the codes are stored; the phrases are shown).
RECEIPT_ACTIONS = {
    "withdrawn": N_("Consent withdrawn"),
    "withdrawn_everything": N_("Consent withdrawn for everything, and your details erased"),
    "consent_changed": N_("Consent changed"),
    "request_cancelled": N_("Your request to the curators was cancelled"),
}
_REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")


def contributor_profile(
    *, name: str, pseudonym: str | None = None, contact: str | None = None
) -> dict[str, Any]:
    """Validated personal data of a contributor: a name is required."""
    name = plain_text(name or "", field=N_("Name"), max_length=MAX_NAME)
    if not name:
        raise InvalidValue("A contributor needs a name (it is never shown unless they agree).")
    return {
        "name": name,
        "pseudonym": plain_text(pseudonym or "", field=N_("Pseudonym"), max_length=MAX_NAME) or None,
        "contact": plain_text(contact or "", field=N_("Contact"), max_length=MAX_CONTACT) or None,
    }


@dataclass(frozen=True)
class Receipt:
    """What a contributor did through the consent portal: no content, only codes and dates.

    ``done`` holds the consent fields that changed at once (narrowing); ``requested`` those
    the contributor asked to widen, which a curator confirms first.
    """

    reference: str
    action: str
    item_ids: tuple[UUID, ...]
    at: datetime
    done: dict[str, Any] = field(default_factory=dict)
    requested: dict[str, Any] = field(default_factory=dict)


class Contributor(ArchiveAggregate):
    """A person who gives testimony or makes art, and holds a consent code."""

    class Registered(ArchiveAggregate.Created):
        profile: Personal

        def apply(self, contributor: Contributor) -> None:
            contributor.profile = self.profile
            contributor.former_profiles = []
            contributor.consent_code_hash = None
            contributor.receipt_log = []
            contributor.erased_at = None

    class ProfileRevised(ArchiveAggregate.Event):
        profile: Personal

        def apply(self, contributor: Contributor) -> None:
            contributor.former_profiles = [*(contributor.former_profiles or ()), contributor.profile]
            contributor.profile = self.profile

    class ConsentCodeIssued(ArchiveAggregate.Event):
        code_hash: str

        def apply(self, contributor: Contributor) -> None:
            contributor.consent_code_hash = self.code_hash

    class ReceiptIssued(ArchiveAggregate.Event):
        reference: str
        action: str
        item_ids: list[UUID]
        done: dict[str, Any]
        requested: dict[str, Any]

        def apply(self, contributor: Contributor) -> None:
            # Kept as plain values so that snapshots need no transcoding of their own.
            contributor.receipt_log = [
                *contributor.receipt_log,
                {
                    "reference": self.reference,
                    "action": self.action,
                    "item_ids": [str(i) for i in self.item_ids],
                    "at": self.timestamp,
                    "done": dict(self.done),
                    "requested": dict(self.requested),
                },
            ]

    class PersonalDataErased(ArchiveAggregate.Event):
        """The contributor's name, pseudonym and contact are to be shredded with their key."""

        def apply(self, contributor: Contributor) -> None:
            contributor.erased_at = self.timestamp

    # State (see domain.items on why these are not annotations): profile, former_profiles
    # (every profile she had before, oldest first, each sealed under her key like the events
    # that wrote it; None when restored from a snapshot older than the list, see
    # :meth:`recall_former_profiles`), consent_code_hash, receipt_log (oldest first),
    # erased_at. The type checker reads them from this block, which never runs.
    if TYPE_CHECKING:
        profile: Personal
        former_profiles: list[Personal] | None
        consent_code_hash: str | None
        receipt_log: Sequence[dict[str, Any]]
        erased_at: datetime | None
    receipt_log = ()
    erased_at = None
    former_profiles = None

    @classmethod
    def register(
        cls, *, contributor_id: UUID, profile: dict[str, Any], actor: Actor
    ) -> Contributor:
        return cls._create(
            cls.Registered,
            id=contributor_id,
            actor=actors.check(actor),
            profile=Personal.of(contributor_id, profile),
        )

    def revise_profile(self, profile: dict[str, Any], actor: Actor) -> None:
        self._check_not_erased()
        self.trigger_event(
            self.ProfileRevised, actor=actors.check(actor), profile=Personal.of(self.id, profile)
        )

    def issue_consent_code(self, code_hash: str, actor: Actor) -> None:
        """Store the hash of a new consent code; the previous code stops working.

        Refused once the contributor erased themselves: the code they hold still opens their
        receipts, and a new one would retire it.
        """
        if self.is_erased:
            raise InvalidValue(
                "This contributor's details were erased at their request; a new consent code "
                "would stop their own code from opening their receipts."
            )
        if not isinstance(code_hash, str) or not re.fullmatch(r"[0-9a-f]{64}", code_hash):
            raise InvalidValue("A consent code is stored as a SHA-256 hex digest.")
        self.trigger_event(self.ConsentCodeIssued, actor=actors.check(actor), code_hash=code_hash)

    def issue_receipt(
        self,
        *,
        reference: str,
        action: str,
        item_ids: list[UUID],
        actor: Actor,
        done: dict[str, Any] | None = None,
        requested: dict[str, Any] | None = None,
    ) -> Receipt:
        """Keep a receipt of something the contributor did; return it."""
        if action not in RECEIPT_ACTIONS:
            raise InvalidValue("Unknown receipt action %(action)r.", action=action)
        if not _REFERENCE.fullmatch(reference or "") or self.receipt(reference) is not None:
            raise InvalidValue("A receipt needs a new reference number like R-7K3M-Q9XD.")
        self.trigger_event(
            self.ReceiptIssued,
            actor=actors.check(actor),
            reference=reference,
            action=action,
            item_ids=list(item_ids),
            done=dict(done or {}),
            requested=dict(requested or {}),
        )
        return self.receipts[-1]

    @property
    def receipts(self) -> list[Receipt]:
        """Every receipt, oldest first."""
        return [
            Receipt(
                r["reference"],
                r["action"],
                tuple(UUID(i) for i in r["item_ids"]),
                r["at"],
                dict(r["done"]),
                dict(r["requested"]),
            )
            for r in self.receipt_log
        ]

    def receipt(self, reference: str) -> Receipt | None:
        """The receipt with this reference number, or None."""
        return next((r for r in self.receipts if r.reference == reference), None)

    def withdrawal_receipt(self, item_ids: set[UUID]) -> Receipt | None:
        """The latest receipt of a withdrawal that covered any of these items, or None."""
        found = [r for r in self.receipts if r.action.startswith("withdrawn") and item_ids & set(r.item_ids)]
        return found[-1] if found else None

    def erase_personal_data(self, actor: Actor) -> None:
        """Mark the name, pseudonym and contact for shredding (the caller shreds the key)."""
        if self.erased_at is None:
            self.trigger_event(self.PersonalDataErased, actor=actors.check(actor))

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def _check_not_erased(self) -> None:
        if self.is_erased:
            raise InvalidValue(
                "This contributor's details were erased at their request; register them again if they return."
            )

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

    @property
    def former_names(self) -> tuple[str, ...]:
        """Every legal name (spelling included) her record held before the current one,
        oldest first, each once; empty once her key is shredded (they are sealed under it)."""
        return self._former("name")

    @property
    def former_pseudonyms(self) -> tuple[str, ...]:
        """Every pseudonym her record held before the current one (as :attr:`former_names`)."""
        return self._former("pseudonym")

    def _former(self, name: str) -> tuple[str, ...]:
        current = self.field(name)
        values = ((p.reveal(None) or {}).get(name) for p in self.former_profiles or ())
        return tuple(dict.fromkeys(v for v in values if v and v != current))

    @property
    def knows_former_profiles(self) -> bool:
        """False when restored from a snapshot older than the list of former profiles."""
        return self.former_profiles is not None

    def recall_former_profiles(self, events: Iterable[object]) -> None:
        """Complete the list of former profiles from the contributor's own events (up to her
        version), for a contributor restored from a snapshot older than that list. Derived
        state only: nothing is recorded."""
        profiles = [e.profile for e in events if isinstance(e, (Contributor.Registered, Contributor.ProfileRevised))]
        self.former_profiles = profiles[:-1]
