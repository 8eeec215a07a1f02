"""Items' images: uploading them, recording an artwork with its images, serving renditions.

A service of the application (``archive.item_images``), not a part of it: it reads and saves
through the application's public methods (:class:`ImageRecords`), and reads the media
storage and the image pipeline the application was opened with. An image's files are sealed
with its item's data key and stored *before* the event that records them is saved; files of a
failed upload are removed again, and an upload is noted in the key table meanwhile so that
``archive media gc`` keeps its files (see ``archive.media_ports.gc``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from archive.errors import ArchiveError, KeyShredded, NotFound
from archive.gate.visibility import visible
from archive.media_ports import files as media_files
from archive.media_ports.ports import ImagePipeline, MediaError, MediaNotFound, MediaStore, ProcessedImage
from archive.services.cataloguing import Cataloguing
from archive.services.media_upkeep import MediaRecords
from domain.actor import Actor
from domain.contributors import Contributor
from domain.errors import ItemWithdrawn
from domain.images import ImageFacts, OriginalFacts, RenditionFacts
from domain.items import Artwork, Item, artwork_details, image_details

A = TypeVar("A", bound=Aggregate)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewImage:
    """An uploaded image and what to say about it (alt text is required)."""

    data: bytes
    alt_text: Mapping[str, str]
    caption: Mapping[str, str] | None = None


@dataclass(frozen=True)
class MediaFile:
    """Bytes to send to a visitor, with their content type."""

    data: bytes
    content_type: str


class ImageRecords(MediaRecords, Protocol):
    """What images need besides: the day, writes, and a new subject's key for a new item."""

    def today(self) -> date: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...

    def new_subject(self) -> AbstractContextManager[UUID]: ...


class ItemImages:
    """Use cases for items' images: adding them, and reading them back for whoever may see them."""

    def __init__(self, records: ImageRecords, cataloguing: Cataloguing):
        """``records`` the application; ``cataloguing`` lists an artwork recorded with its
        images on its contributor's item list, as any new item is."""
        self.records = records
        self.cataloguing = cataloguing

    def upload_image(
        self,
        item_id: UUID,
        data: bytes,
        *,
        actor: Actor,
        alt_text: Mapping[str, str],
        caption: Mapping[str, str] | None = None,
    ) -> UUID:
        """Store an uploaded image for an item and attach it, with its required alt text.

        The upload is checked and turned into metadata-free derivatives; the original and the
        derivatives are stored sealed with the item's key *before* the event is saved, and
        removed again if anything after that fails. Bad images raise ``ImageRejected`` and an
        unreachable storage ``MediaStoreUnavailable``; in both cases nothing is recorded.
        """
        media, images = self._media()
        item = self.records.get_item(item_id)
        if item.is_withdrawn:
            raise ItemWithdrawn("This item's consent was withdrawn; it can no longer be changed.")
        image_details(alt_text=alt_text, caption=caption)  # refuse bad text before heavy work
        processed = images.ingest(data)
        data_key = self.records.keys.get(item_id)
        if data_key is None:
            raise KeyShredded("This item's key was shredded; nothing can be added to it.")
        image_id = uuid4()
        written: list[str] = []
        with self._uploading([image_id]):
            try:
                facts = self._store_image_files(item_id, image_id, data_key, data, processed, written)
                item.add_image(
                    image_id, image_details(alt_text=alt_text, caption=caption, media=facts), actor
                )
                self.records.save_changes(item)
            except BaseException:
                self._remove_quietly(written)
                raise
        return image_id

    def record_artwork_with_images(
        self,
        *,
        contributor_id: UUID,
        actor: Actor,
        images: list[NewImage],
        **details: Any,
    ) -> tuple[UUID, list[UUID]]:
        """Record an artwork and its images as one change: all of it, or nothing.

        Every image is checked and processed before anything is stored; the files are stored
        before the events are saved, and removed again if anything fails.
        """
        media, pipeline = self._media()
        validated = artwork_details(**details)
        described = [image_details(alt_text=i.alt_text, caption=i.caption) for i in images]
        processed = [pipeline.ingest(i.data) for i in images]
        self.cataloguing.check_may_receive_items(contributor_id)
        written: list[str] = []
        image_ids = [uuid4() for _ in images]
        with self.records.new_subject() as item_id, self._uploading(image_ids):
            try:
                item = Artwork.record(item_id=item_id, contributor_id=contributor_id, details=validated, actor=actor)
                data_key = self.records.keys.get(item_id)
                assert data_key is not None
                for image_id, image, about, result in zip(image_ids, images, described, processed):
                    facts = self._store_image_files(item_id, image_id, data_key, image.data, result, written)
                    item.add_image(image_id, {**about, "media": facts.plain()}, actor)
                listing = self.cataloguing.listed(contributor_id, item_id, actor)
                self.records.save_changes(item, listing)
                self.cataloguing.remember_listing(listing)
            except BaseException:
                self._remove_quietly(written)
                raise
        return item_id, image_ids

    @contextmanager
    def _uploading(self, image_ids: list[UUID]) -> Iterator[None]:
        """Note the images' upload in the key table before the block stores their files, and
        clear the note after it (once the event is saved, or the files removed), so that
        ``archive media gc`` keeps the files meanwhile. A note that cannot be cleared only
        delays the collection of orphans: it expires (see ``archive.media_ports.gc``)."""
        self.records.keys.uploads_started(*image_ids)
        try:
            yield
        finally:
            try:
                self.records.keys.uploads_finished(*image_ids)
            except Exception as error:  # noqa: BLE001 - the upload's outcome stands either way
                log.warning("An upload's note in the key table was not cleared (it expires): %s", error)

    def _store_image_files(
        self,
        item_id: UUID,
        image_id: UUID,
        data_key: bytes,
        data: bytes,
        processed: ProcessedImage,
        written: list[str],
    ) -> ImageFacts:
        """Store the sealed original and derivatives; note each key in ``written``; return the facts."""
        media, _ = self._media()
        key = media_files.original_key(item_id, image_id)
        media.put(key, media_files.seal(data_key, item_id, key, data), media_files.SEALED_CONTENT_TYPE)
        written.append(key)
        derivatives = []
        for derivative in processed.derivatives:
            key = media_files.derivative_key(item_id, image_id, derivative.name, derivative.format)
            media.put(key, media_files.seal(data_key, item_id, key, derivative.data), media_files.SEALED_CONTENT_TYPE)
            written.append(key)
            derivatives.append(
                RenditionFacts(derivative.name, derivative.format, derivative.width, derivative.height, len(derivative.data))
            )
        original = OriginalFacts(processed.sha256, processed.byte_size, processed.format, processed.width, processed.height)
        return ImageFacts(original, tuple(derivatives))

    def _remove_quietly(self, keys: list[str]) -> None:
        for key in keys:
            try:
                self.records.media.delete(key)  # type: ignore[union-attr]
            except MediaError:
                pass  # left for 'archive media gc'; sealed, so unreadable without the key

    def image_for_visitor(
        self, item_id: UUID, image_id: UUID, name: str, fmt: str, on: date | None = None
    ) -> MediaFile:
        """A derivative's bytes, only while the item's current consent allows it online.

        Anything else (unknown ids, an original, a format never made, consent not given,
        expired or withdrawn) is ``NotFound``, so a visitor learns nothing about hidden items.
        """
        media, _ = self._media()
        not_found = NotFound("No such image.")
        if name not in media_files.DERIVATIVE_NAMES or fmt not in media_files.DERIVATIVE_FORMATS:
            raise not_found
        item = self.records.find(Item, item_id)
        # The visitor projection decides which images of the item a visitor may see.
        view = visible(item, self.records.find(Contributor, item.contributor_id), on or self.records.today()) if item else None
        image = view.image(str(image_id)) if view is not None else None
        if image is None or image.rendition(name, fmt) is None:
            raise not_found
        return self._read_derivative(item_id, image_id, name, fmt)

    def image_for_curator(self, item_id: UUID, image_id: UUID, name: str, fmt: str) -> MediaFile:
        """A derivative for the curators' workspace: any item still holding its key (no consent
        check: curators prepare items before consent is recorded), never an original."""
        if name not in media_files.DERIVATIVE_NAMES or fmt not in media_files.DERIVATIVE_FORMATS:
            raise NotFound("No such image.")
        item = self.records.find(Item, item_id)
        if item is None or item.is_withdrawn or str(image_id) not in item.images:
            raise NotFound("No such image.")
        return self._read_derivative(item_id, image_id, name, fmt)

    def _read_derivative(self, item_id: UUID, image_id: UUID, name: str, fmt: str) -> MediaFile:
        """Read and unseal one stored derivative; NotFound if its key or file is gone."""
        media, _ = self._media()
        data_key = self.records.keys.get(item_id)
        if data_key is None:
            raise NotFound("No such image.")
        key = media_files.derivative_key(item_id, image_id, name, fmt)
        try:
            blob = media.get(key)
        except MediaNotFound:
            raise NotFound("No such image.") from None
        return MediaFile(media_files.unseal(data_key, item_id, key, blob), f"image/{fmt}")

    def _media(self) -> tuple[MediaStore, ImagePipeline]:
        if self.records.media is None or self.records.images is None:
            raise ArchiveError("This archive was opened without media storage.")
        return self.records.media, self.records.images

