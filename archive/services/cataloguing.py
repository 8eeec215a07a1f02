"""Cataloguing: recording contributors' artworks and testimonies, and revising them.

A service of the application (``archive.cataloguing``), not a part of it: it reads and saves
through the application's public methods (:class:`CatalogueRecords`). Each item gets its own
data key when it is recorded, and is listed on its contributor's item list
(``ContributorItems``, what a consent code reaches) in the same transaction. Nothing is shown
before consent is recorded (``archive.consent``).
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from archive.errors import ConcurrentChange, NotFound
from domain.actor import Actor
from domain.contributors import Contributor
from domain.errors import InvalidValue
from domain.indexes import ContributorItems
from domain.items import Artwork, Item, Testimony, artwork_details, testimony_details

A = TypeVar("A", bound=Aggregate)

#: How many contributors' item lists a process keeps from its last recordings.
REMEMBERED_LISTS = 256


def check_may_act(item: Item, actor: Actor) -> None:
    """A contributor acting on their own (self-service) reaches only their own items: any
    other is ``NotFound``, as an unknown id is. Curators and the system reach every item."""
    who = Actor.of(actor)
    if who.is_contributor and who.id != str(item.contributor_id):
        raise NotFound("No such item.")


class CatalogueRecords(Protocol):
    """What cataloguing needs of the application: public reads and writes, nothing private.

    :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def get_item(self, item_id: UUID) -> Item: ...

    def get_contributor(self, contributor_id: UUID) -> Contributor: ...

    def check_based_on(self, aggregate: Aggregate, based_on: int | None) -> None: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...

    def new_subject(self) -> AbstractContextManager[UUID]: ...


class Cataloguing:
    """Use cases for curators recording and describing items."""

    def __init__(self, records: CatalogueRecords):
        self.records = records
        # Item lists this process appended to last: recording an item then needs no read. If
        # her list changed meanwhile (a recording elsewhere, or her erasure, which closes it),
        # the save conflicts and is retried once with her record and list read (_record_item).
        self._listings: OrderedDict[UUID, ContributorItems] = OrderedDict()

    def record_artwork(self, *, contributor_id: UUID, actor: Actor, **details: Any) -> UUID:
        """Record an artwork by a registered contributor. Nothing is shown before consent."""
        return self._record_item(Artwork, contributor_id, artwork_details(**details), actor)

    def record_testimony(self, *, contributor_id: UUID, actor: Actor, **details: Any) -> UUID:
        """Record a testimony (text per language, original language, content note)."""
        return self._record_item(Testimony, contributor_id, testimony_details(**details), actor)

    def revise_item(self, item_id: UUID, *, actor: Actor, based_on: int | None = None, **details: Any) -> None:
        """Replace an item's descriptive fields (``based_on``: see ``ExhibitionArchive.check_based_on``)."""
        item = self.records.get_item(item_id)
        self.records.check_based_on(item, based_on)
        build = artwork_details if isinstance(item, Artwork) else testimony_details
        item.revise(build(**details), actor)
        self.records.save_changes(item)

    def redact_span(self, item_id: UUID, span: str, *, actor: Actor, version: int | None = None) -> None:
        """Leave a word or phrase out of everything visitors see of an item, and out of its
        search entry, for good (a curator's answer to the review list of name-like words).

        ``version`` is the item version the curator's page showed: if the item changed since,
        nothing is recorded (:class:`ConcurrentChange`).
        """
        item = self.records.get_item(item_id)
        check_may_act(item, actor)
        if version is not None and version != item.version:
            raise ConcurrentChange(
                "This item changed after the page was loaded; nothing was redacted. Reload and try again."
            )
        item.redact_span(span, actor)
        self.records.save_changes(item)

    # -- for recording an item with its images (archive.item_images) -------------------------

    def check_may_receive_items(self, contributor_id: UUID) -> None:
        """NotFound for an unknown contributor; InvalidValue for one who erased themselves.

        Read from the store, not remembered: she may have withdrawn everything, in any
        process, since. (A recording that saves the item list this process saved last does
        not need it: see :meth:`_record_item`.)
        """
        if self.records.get_contributor(contributor_id).is_erased:
            raise InvalidValue(
                "This contributor's details were erased at their request; nothing new can be "
                "recorded for them. Register them again if they return."
            )

    def listed(
        self, contributor_id: UUID, item_id: UUID, actor: Actor, *, listing: ContributorItems | None = None
    ) -> ContributorItems:
        """The contributor's item list with ``item_id`` added (saved with the item): ``listing``
        if given (the list this process saved last), else the list read from the store."""
        if listing is None:
            listing = self.records.find(ContributorItems, ContributorItems.id_for(contributor_id))
        if listing is None:
            listing = ContributorItems.create(contributor_id=contributor_id, actor=actor)
        listing.list_item(item_id, actor)
        return listing

    def remember_listing(self, listing: ContributorItems) -> None:
        """Keep a saved item list for the next recording (at most ``REMEMBERED_LISTS``)."""
        self._listings[listing.contributor_id] = listing
        while len(self._listings) > REMEMBERED_LISTS:
            self._listings.popitem(last=False)

    def _record_item(
        self, cls: type[Item], contributor_id: UUID, details: dict[str, Any], actor: Actor
    ) -> UUID:
        """Save the item with her item list. With the list this process saved last for her,
        neither her record nor the list is read: her erasure, in any process, closes the list
        in the same save, so saving it again then conflicts, and the retry reads both."""
        remembered = self._listings.pop(contributor_id, None)
        if remembered is None:
            self.check_may_receive_items(contributor_id)
        with self.records.new_subject() as item_id:
            for attempt in (1, 2):
                item = cls.record(
                    item_id=item_id, contributor_id=contributor_id, details=details, actor=actor
                )
                listing = self.listed(contributor_id, item_id, actor, listing=remembered)
                try:
                    self.records.save_changes(item, listing)
                except ConcurrentChange:
                    if attempt == 2:
                        raise
                    # Someone else changed her list (another recording, or her erasure):
                    # read her record and the list again, and try once more.
                    remembered = None
                    self.check_may_receive_items(contributor_id)
                    continue
                self.remember_listing(listing)
                break
        return item_id
