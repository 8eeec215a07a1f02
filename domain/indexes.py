"""Small aggregates whose id is derived from a key, to find things without scanning events.

The same pattern as eventsourcing's examples: an index aggregate's id is a name-based UUID,
so creating a second one with the same key conflicts on save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from domain import actor as actors
from domain.actor import Actor
from domain.base import ArchiveAggregate
from domain.errors import InvalidValue

_NAMESPACE = uuid5(NAMESPACE_URL, "https://archive.invalid/testimony-archive")


class SlugIndex(ArchiveAggregate):
    """Maps an exhibition's slug to its id."""

    # State set by the events below, for the type checker only (annotations that run would
    # become fields of the created event).
    if TYPE_CHECKING:
        slug: str
        exhibition_id: UUID

    class Created(ArchiveAggregate.Created):
        slug: str
        exhibition_id: UUID

        def apply(self, index: SlugIndex) -> None:
            index.slug = self.slug
            index.exhibition_id = self.exhibition_id

    @staticmethod
    def id_for(slug: str) -> UUID:
        return uuid5(_NAMESPACE, f"exhibition-slug:{slug}")

    @classmethod
    def create(cls, *, slug: str, exhibition_id: UUID, actor: Actor) -> SlugIndex:
        return cls._create(
            cls.Created,
            id=cls.id_for(slug),
            actor=actors.check(actor),
            slug=slug,
            exhibition_id=exhibition_id,
        )


class ConsentCodeIndex(ArchiveAggregate):
    """Maps the hash of a consent code to its contributor, until the code is retired."""

    if TYPE_CHECKING:  # state, for the type checker only (see SlugIndex)
        contributor_id: UUID
        retired: bool

    class Created(ArchiveAggregate.Created):
        contributor_id: UUID

        def apply(self, index: ConsentCodeIndex) -> None:
            index.contributor_id = self.contributor_id
            index.retired = False

    class Retired(ArchiveAggregate.Event):
        def apply(self, index: ConsentCodeIndex) -> None:
            index.retired = True

    @staticmethod
    def id_for(code_hash: str) -> UUID:
        return uuid5(_NAMESPACE, f"consent-code:{code_hash}")

    @classmethod
    def create(cls, *, code_hash: str, contributor_id: UUID, actor: Actor) -> ConsentCodeIndex:
        return cls._create(
            cls.Created,
            id=cls.id_for(code_hash),
            actor=actors.check(actor),
            contributor_id=contributor_id,
        )

    def retire(self, actor: Actor) -> None:
        if not self.retired:
            self.trigger_event(self.Retired, actor=actors.check(actor))


class Catalogue(ArchiveAggregate):
    """The list of all exhibitions, in the order they were created."""

    if TYPE_CHECKING:  # state, for the type checker only (see SlugIndex)
        exhibition_ids: list[UUID]

    class Created(ArchiveAggregate.Created):
        def apply(self, catalogue: Catalogue) -> None:
            catalogue.exhibition_ids = []

    class ExhibitionListed(ArchiveAggregate.Event):
        exhibition_id: UUID

        def apply(self, catalogue: Catalogue) -> None:
            catalogue.exhibition_ids.append(self.exhibition_id)

    ID = uuid5(_NAMESPACE, "catalogue:exhibitions")

    @classmethod
    def create(cls, actor: Actor) -> Catalogue:
        return cls._create(cls.Created, id=cls.ID, actor=actors.check(actor))

    def list_exhibition(self, exhibition_id: UUID, actor: Actor) -> None:
        if exhibition_id in self.exhibition_ids:
            raise InvalidValue("This exhibition is already in the catalogue.")
        self.trigger_event(
            self.ExhibitionListed, actor=actors.check(actor), exhibition_id=exhibition_id
        )


class ContributorItems(ArchiveAggregate):
    """The items recorded for one contributor, in order: what their consent code reaches.

    Closed when the contributor withdraws everything, in the same save: an item recorded
    meanwhile then conflicts with the withdrawal, and none is listed after it.
    """

    if TYPE_CHECKING:  # state, for the type checker only (see SlugIndex)
        contributor_id: UUID
        item_ids: list[UUID]

    #: Whether the contributor withdrew everything (lists snapshotted before this was known
    #: were never closed).
    closed = False

    # The listed ids as a set, for a check in constant time (a contributor may have thousands
    # of items). A slot, not state: snapshots copy ``vars()``, so it is rebuilt after loading.
    __slots__ = ("_listed",)

    class Created(ArchiveAggregate.Created):
        contributor_id: UUID

        def apply(self, index: ContributorItems) -> None:
            index.contributor_id = self.contributor_id
            index.item_ids = []

    class ItemListed(ArchiveAggregate.Event):
        item_id: UUID

        def apply(self, index: ContributorItems) -> None:
            index.item_ids.append(self.item_id)
            listed: set[UUID] | None = getattr(index, "_listed", None)
            if listed is not None:
                listed.add(self.item_id)

    class Closed(ArchiveAggregate.Event):
        def apply(self, index: ContributorItems) -> None:
            index.closed = True

    @staticmethod
    def id_for(contributor_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, f"contributor-items:{contributor_id}")

    @classmethod
    def create(cls, *, contributor_id: UUID, actor: Actor) -> ContributorItems:
        return cls._create(
            cls.Created,
            id=cls.id_for(contributor_id),
            actor=actors.check(actor),
            contributor_id=contributor_id,
        )

    def list_item(self, item_id: UUID, actor: Actor) -> None:
        if self.closed:
            raise InvalidValue(
                "This contributor's details were erased at their request; nothing new can be "
                "recorded for them. Register them again if they return."
            )
        if self._is_listed(item_id):
            raise InvalidValue("This item is already listed for the contributor.")
        self.trigger_event(self.ItemListed, actor=actors.check(actor), item_id=item_id)

    def _is_listed(self, item_id: UUID) -> bool:
        listed: set[UUID] | None = getattr(self, "_listed", None)
        if listed is None or len(listed) != len(self.item_ids):
            listed = self._listed = set(self.item_ids)
        return item_id in listed

    def close(self, actor: Actor) -> None:
        """List nothing more: the contributor withdrew everything (saved with that withdrawal)."""
        if not self.closed:
            self.trigger_event(self.Closed, actor=actors.check(actor))
