"""Ports for media: where bytes live, and how an uploaded image becomes safe derivatives.

The application owns these interfaces; ``media_store/`` implements them (local files, S3,
Pillow). Nothing here touches a file, a bucket or an image library.
"""

from __future__ import annotations

import abc
import builtins
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import Explained


class MediaError(Explained):
    """Base class for media failures that a user can be told about in one sentence."""


class MediaStoreUnavailable(MediaError):
    """The storage could not be reached or refused the operation."""


class MediaNotFound(MediaError):
    """No object is stored under the requested key."""


class ImageRejected(MediaError):
    """An upload is not an image the archive accepts; the message says why and what is."""


@dataclass(frozen=True)
class StoredObject:
    """A stored object's key, and when it was last written (timezone-aware, as the store
    keeps it: a file's modification time, an S3 object's ``LastModified``)."""

    key: str
    modified: datetime


class MediaStore(abc.ABC):
    """Stores opaque bytes under keys such as ``items/<item-id>/display.webp``.

    Keys are grouped per item (``items/<item-id>/...``) so that all files of one item can be
    listed and removed together. ``delete`` removes every stored version of a key.
    """

    @abc.abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there, atomically."""

    @abc.abstractmethod
    def get(self, key: str) -> bytes:
        """Return the bytes under ``key``; raise ``MediaNotFound`` if there are none."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key`` and every older version of it; deleting a missing key is not an error."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Tell whether an object is stored under ``key``."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Return the keys that start with ``prefix``, sorted."""

    @abc.abstractmethod
    def stored_objects(self, prefix: str = "") -> builtins.list[StoredObject]:
        """Like :meth:`list`, with when each object was last written."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object (and every version of it) whose key starts with ``prefix``."""
        for key in self.list(prefix):
            self.delete(key)

    def abandoned_writes(self, *, thorough: bool = False, written_before: datetime | None = None) -> builtins.list[str]:
        """Partial objects that writes killed midway left behind, by name; never a write still
        in progress. A quick look checks where the store writes them; a ``thorough`` one every
        folder. With ``written_before``, only those last written before that moment. A store
        whose writes are all or nothing (S3, in memory) has none."""
        return []

    def remove_abandoned_write(self, name: str) -> bool:
        """Remove one of :meth:`abandoned_writes` unless a writer holds it after all; True if removed."""
        return False


@dataclass(frozen=True)
class Derivative:
    """One served rendition of an image: no metadata of any kind, never larger than its source."""

    name: str  # "thumb", "display" or "large"
    format: str  # "webp" or "jpeg"
    width: int
    height: int
    data: bytes = field(repr=False)

    @property
    def content_type(self) -> str:
        return f"image/{self.format}"

    @property
    def filename(self) -> str:
        return f"{self.name}.{'jpg' if self.format == 'jpeg' else self.format}"


@dataclass(frozen=True)
class ProcessedImage:
    """The result of ingesting one upload: facts about the original, and its derivatives."""

    sha256: str  # of the original bytes as uploaded
    byte_size: int
    format: str  # detected from content, e.g. "JPEG"
    width: int  # after EXIF orientation
    height: int
    derivatives: tuple[Derivative, ...]


class ImagePipeline(abc.ABC):
    """Turns uploaded bytes into metadata-free derivatives, or refuses them."""

    @abc.abstractmethod
    def ingest(self, data: bytes) -> ProcessedImage:
        """Validate ``data`` by content and produce derivatives; raise ``ImageRejected`` if unusable."""
