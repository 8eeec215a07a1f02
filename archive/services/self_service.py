"""The contributor's own use cases: what a consent code lets its holder see and do.

A collaborator of the application (``archive.services.self_service``), not a part of it: it reads
and saves through the application's public methods (:class:`SelfServiceRecords`) and nothing
else. Every command acts as the contributor (``contributor:<id>``), reaches only that contributor's items, and leaves a
receipt on the contributor's record: a reference number, the action and its date, never
any content, so the receipts outlive every withdrawal.

Narrowing takes effect at once. Widening (a wider credit, showing online again, a later or
no expiry) is recorded as a request a curator confirms with the contributor: whoever holds a
code can hide or withdraw, but cannot make a survivor more visible on their own.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore

from archive.credentials import consent_codes
from archive.errors import ConcurrentChange, NotFound
from archive.services.exhibition_erasure import names_on_record, withhold_names
from archive.gate.name_filter import NameFilter
from domain import actor as actors
from domain.consent import Attribution, ConsentChange, SplitChange, split_change
from domain.contributors import Contributor, Receipt
from domain.errors import ConsentError, InvalidValue, ItemWithdrawn
from domain.exhibitions import Exhibition
from domain.indexes import ConsentCodeIndex, ContributorItems
from domain.items import Item

A = TypeVar("A", bound=Aggregate)

#: Looked up instead when the code is malformed, so that every attempt does the same work.
_DECOY_HASH = consent_codes.code_hash("0000-0000-0000-0000")

#: How many times a contributor's withdrawal is tried when someone else saves first.
WITHDRAWAL_ATTEMPTS = 3


@dataclass(frozen=True)
class CodeHolder:
    """Who a consent code belongs to, and which code it was (to notice when it is replaced)."""

    contributor_id: UUID
    code_id: UUID


def as_codes(fields: dict[str, Any]) -> dict[str, Any]:
    """Consent fields as plain codes for a receipt: attribution, sorted scopes, ISO dates."""
    codes: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "scopes":
            codes[name] = sorted(getattr(s, "value", s) for s in value)
        elif name == "expires_on":
            codes[name] = value.isoformat() if hasattr(value, "isoformat") else value
        else:
            codes[name] = getattr(value, "value", value)
    return codes


class SelfServiceRecords(Protocol):
    """What self-service needs of the application: public reads and writes, nothing private.

    :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    @property
    def events(self) -> EventStore[Any]:
        """The event store (an exhibition's and a contributor's whole history, for erasures)."""
        ...

    def today(self) -> date: ...

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def get_item(self, item_id: UUID) -> Item: ...

    def get_contributor(self, contributor_id: UUID) -> Contributor: ...

    def contributor_item_ids(self, contributor_id: UUID) -> list[UUID]: ...

    def exhibitions(self) -> list[Exhibition]: ...

    def new_texts_key(self) -> UUID: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...


class Shredding(Protocol):
    """What a withdrawal does after it is saved: ``archive.consent``'s ``make_unrecoverable``
    (shred the keys, then delete the media), the same for a curator's withdrawal."""

    def make_unrecoverable(
        self, item_ids: list[UUID], contributor_id: UUID | None, texts_keys: Iterable[UUID] = ()
    ) -> None: ...


class ContributorSelfService:
    """Use cases for contributors holding a consent code, on the application's records."""

    def __init__(self, records: SelfServiceRecords, shredding: Shredding):
        """``records`` the application; ``shredding`` makes a saved withdrawal unrecoverable
        (``archive.consent``)."""
        self.records = records
        self.shredding = shredding

    def holder_of_code(self, code: str) -> CodeHolder | None:
        """The contributor a live code belongs to, or None for any wrong, old or malformed code.

        Every attempt hashes, looks up one index record and compares digests in constant time,
        whether or not the code is well formed or exists.
        """
        well_formed = consent_codes.looks_like_code(code)
        digest = consent_codes.code_hash(code) if well_formed else _DECOY_HASH
        index = self.records.find(ConsentCodeIndex, ConsentCodeIndex.id_for(digest))
        contributor = self.records.find(Contributor, index.contributor_id) if index is not None else None
        stored = (contributor.consent_code_hash if contributor is not None else None) or _DECOY_HASH
        matches = hmac.compare_digest(stored.encode(), digest.encode())
        if not (well_formed and matches and index is not None and not index.retired):
            return None
        return CodeHolder(index.contributor_id, index.id)

    def code_is_live(self, holder: CodeHolder) -> bool:
        """Whether the code a portal session was opened with still works (not replaced)."""
        index = self.records.find(ConsentCodeIndex, holder.code_id)
        return index is not None and not index.retired and index.contributor_id == holder.contributor_id

    def items_of_contributor(self, contributor_id: UUID) -> list[Item]:
        """Every item recorded for the contributor, oldest first, whatever its consent."""
        return [self.records.get_item(item_id) for item_id in self.records.contributor_item_ids(contributor_id)]

    def contributor_receipt(self, contributor_id: UUID, reference: str) -> Receipt:
        receipt = self.records.get_contributor(contributor_id).receipt(reference)
        if receipt is None:
            raise NotFound("No receipt with this reference number.")
        return receipt

    def change_consent_as_contributor(
        self, contributor_id: UUID, item_id: UUID, change: ConsentChange
    ) -> Receipt | None:
        """Apply what narrows consent at once, record what widens it as a request; a receipt.

        None when the change asks for nothing new (a repeated submit changes nothing).
        """
        actor = actors.contributor(contributor_id)
        item = self.contributor_item(contributor_id, item_id)
        contributor = self.records.get_contributor(contributor_id)
        split = self._checked_split(item, contributor, change)
        current = item.consent
        assert current is not None
        # The latest wish replaces any earlier request (also when it no longer asks for more).
        pending = item.consent_request.codes() if item.consent_request is not None else {}
        if not split.narrowing and split.widening == pending:
            return None
        if split.narrowing:
            # The consent stays the one signed on its day (so an expiry already past stays
            # valid); the event records that the contributor narrowed it, and when.
            narrowed: dict[str, Any] = dict(split.narrowing)  # Consent's fields, by name
            item.update_consent(replace(current, **narrowed, recorded_by=str(actor)), actor)
        if split.widening != pending:
            if split.widening:
                item.request_consent_change(split.widening, actor)
            else:
                item.decline_consent_request(actor)
        receipt = contributor.issue_receipt(
            reference=self._new_reference(contributor),
            action="consent_changed" if split.narrowing or split.widening else "request_cancelled",
            item_ids=[item.id],
            done=as_codes(split.narrowing),
            requested=split.widening,
            actor=actor,
        )
        self.records.save_changes(item, contributor)
        return receipt

    def preview_consent_change(
        self, contributor_id: UUID, item_id: UUID, change: ConsentChange
    ) -> SplitChange:
        """What ``change`` would do (checked as the change itself is), without doing it."""
        item = self.contributor_item(contributor_id, item_id)
        return self._checked_split(item, self.records.get_contributor(contributor_id), change)

    def withdraw_as_contributor(
        self, contributor_id: UUID, item_id: UUID
    ) -> Receipt | None:
        """Withdraw one item for good; a receipt. A repeated withdrawal returns the first
        receipt (or None when a curator withdrew it on the contributor's behalf)."""
        return self._withdraw_for_contributor(
            contributor_id, lambda: ([self.contributor_item(contributor_id, item_id)], None), erase=False
        )

    def withdraw_everything(self, contributor_id: UUID) -> Receipt | None:
        """Withdraw every item of the contributor and erase their name, pseudonym and contact.

        Her item list is closed in the same save: an item a curator records meanwhile makes
        the save conflict (and is withdrawn with the rest when it is tried again), and no item
        is listed for her after it."""
        return self._withdraw_for_contributor(contributor_id, lambda: self._everything_listed(contributor_id), erase=True)

    # -- helpers ---------------------------------------------------------------------------

    def _everything_listed(self, contributor_id: UUID) -> tuple[list[Item], ContributorItems]:
        """Every item on the contributor's list, and the list they were read from."""
        listing = self._item_list(contributor_id)
        return [self.records.get_item(item_id) for item_id in listing.item_ids], listing

    def _item_list(self, contributor_id: UUID) -> ContributorItems:
        listing = self.records.find(ContributorItems, ContributorItems.id_for(contributor_id))
        if listing is None:  # none was made for her: make it, so that a recording conflicts
            listing = ContributorItems.create(contributor_id=contributor_id, actor=actors.contributor(contributor_id))
        return listing

    def _withdraw_for_contributor(
        self,
        contributor_id: UUID,
        read_items: Callable[[], tuple[list[Item], ContributorItems | None]],
        *,
        erase: bool,
    ) -> Receipt | None:
        """Withdraw the items ``read_items`` returns (with, for an erasure, the item list they
        came from, to close). If someone else saved first (the same withdrawal from a second
        tab or a double click, a new item, or any other change), read again and retry: a
        repeat then finds the first one's receipt instead of an error. An erasure that lost
        a race first closes her item list on its own, so that recordings (cheap, and perhaps
        a curator's bulk import) cannot keep saving first (:meth:`_close_item_list`)."""
        for attempt in range(1, WITHDRAWAL_ATTEMPTS + 1):
            try:
                items, listing = read_items()
                return self._withdraw_once(contributor_id, items, erase=erase, listing=listing)
            except ConcurrentChange:
                if attempt == WITHDRAWAL_ATTEMPTS:
                    raise
                if erase:
                    self._close_item_list(contributor_id)
        raise AssertionError("unreachable")

    def _close_item_list(self, contributor_id: UUID) -> None:
        """Close her item list in a save of its own (a small read and write, which a recording
        rarely beats; if one does, the erasure's next try reads its item). Nothing is listed
        for her after it; the erasure that follows withdraws what is listed."""
        listing = self._item_list(contributor_id)
        if listing.closed:
            return
        listing.close(actors.contributor(contributor_id))
        try:
            self.records.save_changes(listing)
        except ConcurrentChange:
            pass

    def _withdraw_once(
        self, contributor_id: UUID, items: list[Item], *, erase: bool, listing: ContributorItems | None = None
    ) -> Receipt | None:
        actor = actors.contributor(contributor_id)
        contributor = self.records.get_contributor(contributor_id)
        pending = [item for item in items if not item.is_withdrawn]
        action = "withdrawn_everything" if erase else "withdrawn"
        if not pending and (not erase or contributor.is_erased):
            # (Texts keys an interrupted erasure left are found by finish_interrupted_withdrawals.)
            # A repeat (double submit, Back): finish what an interrupted first attempt left.
            self.shredding.make_unrecoverable([item.id for item in items], contributor.id if erase else None)
            everything = [r for r in contributor.receipts if r.action == action] if erase else []
            return everything[-1] if everything else contributor.withdrawal_receipt({item.id for item in items})
        for item in pending:
            item.withdraw(actor)
        receipt = contributor.issue_receipt(
            reference=self._new_reference(contributor),
            action=action,
            item_ids=[item.id for item in pending],
            actor=actor,
        )
        exhibitions, texts_keys = self._withhold_names_of(contributor) if erase else ([], [])
        closed: list[ContributorItems] = []
        if erase:
            contributor.erase_personal_data(actor)
            if listing is not None and not listing.closed:
                listing.close(actor)
                closed.append(listing)
        self.records.save_changes(*pending, contributor, *exhibitions, *closed)
        self.shredding.make_unrecoverable([item.id for item in pending], contributor.id if erase else None, texts_keys)
        return receipt

    def _withhold_names_of(self, contributor: Contributor) -> tuple[list[Exhibition], list[UUID]]:
        """The exhibitions whose texts (any version) name the contributor, each with a new
        version of its texts without the name (see ``archive.services.exhibition_erasure``), to be
        saved with the erasure while the name can still be read; and the texts keys to shred
        after that save. Every name her record ever held is taken out, not only the current
        one (``names_on_record``)."""
        names = NameFilter([contributor.name, contributor.pseudonym, *names_on_record(self.records.events.get(contributor.id))])
        changed, keys = [], []
        for exhibition in self.records.exhibitions():
            shred = withhold_names(exhibition, self.records.events.get(exhibition.id), names, self.records.new_texts_key)
            if shred is not None:
                changed.append(exhibition)
                keys.extend(shred)
        return changed, keys

    def _checked_split(
        self, item: Item, contributor: Contributor, change: ConsentChange
    ) -> SplitChange:
        if item.is_withdrawn:
            raise ItemWithdrawn("Consent was withdrawn for this item; it cannot be changed.")
        if item.consent is None:
            raise ConsentError("No consent is recorded for this item yet; record it first.")
        if change.expires_on not in (None, item.consent.expires_on) and change.expires_on < self.records.today():
            raise InvalidValue("An expiry date cannot be in the past.")
        if change.attribution is Attribution.PSEUDONYM and not contributor.pseudonym:
            raise InvalidValue("There is no pseudonym on your record; choose anonymous, or ask a curator.")
        return split_change(item.consent, change)

    def contributor_item(self, contributor_id: UUID, item_id: UUID) -> Item:
        """The item if it belongs to the contributor; the same NotFound as an unknown id if not."""
        try:
            item = self.records.get_item(item_id)
        except NotFound:
            item = None
        if item is None or item.contributor_id != contributor_id:
            raise NotFound("No such item.")
        return item

    @staticmethod
    def _new_reference(contributor: Contributor) -> str:
        while True:
            reference = consent_codes.new_reference()
            if contributor.receipt(reference) is None:
                return reference
