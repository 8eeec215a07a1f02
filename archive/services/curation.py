"""Curating exhibitions: creating and revising them, hanging works, wall texts, publishing.

A service of the application (``archive.curation``), not a part of it: it reads and saves
through the application's public methods (:class:`CurationRecords`). Every verb but creation
takes the version the curator's change was made on (``based_on``, see
``ExhibitionArchive.check_based_on``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.exhibitions import MULTILINGUAL_FIELDS, Exhibition, check_slug
from domain.indexes import Catalogue, SlugIndex
from domain.items import Item

A = TypeVar("A", bound=Aggregate)


class CurationRecords(Protocol):
    """What curation needs of the application: public reads and writes, nothing private.

    :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def get_item(self, item_id: UUID) -> Item: ...

    def get_exhibition(self, exhibition_id: UUID) -> Exhibition: ...

    def check_based_on(self, aggregate: Aggregate, based_on: int | None) -> None: ...

    def new_texts_key(self) -> UUID: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...


class Curation:
    """Use cases for curators arranging exhibitions."""

    def __init__(self, records: CurationRecords):
        self.records = records

    def create_exhibition(self, *, slug: str, actor: Actor, **details: Any) -> UUID:
        """Create an unpublished exhibition with a unique slug."""
        check_slug(slug)
        if self.records.find(SlugIndex, SlugIndex.id_for(slug)) is not None:
            raise InvalidValue("The slug %(slug)r is already used by another exhibition.", slug=slug)
        exhibition = Exhibition.create(slug=slug, details=details, actor=actor, texts_key=self.records.new_texts_key())
        index = SlugIndex.create(slug=slug, exhibition_id=exhibition.id, actor=actor)
        catalogue = self.records.find(Catalogue, Catalogue.ID) or Catalogue.create(actor)
        catalogue.list_exhibition(exhibition.id, actor)
        self.records.save_changes(exhibition, index, catalogue)
        return exhibition.id

    def revise_exhibition(
        self, exhibition_id: UUID, *, actor: Actor, based_on: int | None = None, **changes: Any
    ) -> None:
        """Change an exhibition's titles, organiser, venue, city, statement or dates.

        Like every exhibition verb, it takes the version the change was made on (``based_on``,
        see ``ExhibitionArchive.check_based_on``).
        """
        exhibition = self._exhibition(exhibition_id, based_on)
        new_key = self.records.new_texts_key() if set(changes) & set(MULTILINGUAL_FIELDS) else None
        exhibition.revise(changes, actor, texts_key=new_key)
        self.records.save_changes(exhibition)

    def add_to_exhibition(
        self,
        exhibition_id: UUID,
        item_id: UUID,
        *,
        actor: Actor,
        wall_text: Mapping[str, str] | None = None,
        position: int | None = None,
        based_on: int | None = None,
    ) -> None:
        """Hang an item in an exhibition with its wall text; withdrawn items are refused."""
        exhibition = self._exhibition(exhibition_id, based_on)
        exhibition.add_work(self.records.get_item(item_id), wall_text, actor, position)
        self.records.save_changes(exhibition)

    def remove_from_exhibition(
        self, exhibition_id: UUID, item_id: UUID, *, actor: Actor, based_on: int | None = None
    ) -> None:
        exhibition = self._exhibition(exhibition_id, based_on)
        exhibition.remove_work(item_id, actor)
        self.records.save_changes(exhibition)

    def reorder_exhibition(
        self, exhibition_id: UUID, item_ids: list[UUID], *, actor: Actor, based_on: int | None = None
    ) -> None:
        exhibition = self._exhibition(exhibition_id, based_on)
        exhibition.reorder(item_ids, actor)
        self.records.save_changes(exhibition)

    def revise_wall_text(
        self,
        exhibition_id: UUID,
        item_id: UUID,
        *,
        actor: Actor,
        wall_text: Mapping[str, str] | None,
        based_on: int | None = None,
    ) -> None:
        exhibition = self._exhibition(exhibition_id, based_on)
        exhibition.revise_wall_text(item_id, wall_text, actor)
        self.records.save_changes(exhibition)

    def publish_exhibition(self, exhibition_id: UUID, *, actor: Actor, based_on: int | None = None) -> None:
        exhibition = self._exhibition(exhibition_id, based_on)
        exhibition.publish(actor)
        self.records.save_changes(exhibition)

    def unpublish_exhibition(self, exhibition_id: UUID, *, actor: Actor, based_on: int | None = None) -> None:
        exhibition = self._exhibition(exhibition_id, based_on)
        exhibition.unpublish(actor)
        self.records.save_changes(exhibition)

    def _exhibition(self, exhibition_id: UUID, based_on: int | None) -> Exhibition:
        """The exhibition, if the change was made on its stored version (``ChangedMeanwhile`` if not)."""
        exhibition = self.records.get_exhibition(exhibition_id)
        self.records.check_based_on(exhibition, based_on)
        return exhibition
