"""What an item records of one stored image: facts about the upload and its renditions.

Ingest produces them (``archive.media_ports``' ``ProcessedImage``, then the application stores
the files); the item keeps them inside the image's ``Personal`` value, sealed under the item's
key, as plain JSON (:meth:`ImageFacts.plain`), the form events have always held. Images
recorded without files (a test's, or an older release's) have empty facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OriginalFacts:
    """The upload as received: its SHA-256 (checked by fixity), size, detected format and
    dimensions after EXIF orientation. The original itself is never served."""

    sha256: str
    byte_size: int
    format: str  # as detected from content, e.g. "JPEG"
    width: int
    height: int


@dataclass(frozen=True)
class RenditionFacts:
    """One stored rendition: its name ("thumb", "display", "large"), format ("webp",
    "jpeg"), dimensions and size in bytes."""

    name: str
    format: str
    width: int
    height: int
    byte_size: int


@dataclass(frozen=True)
class ImageFacts:
    """An image's stored files, as the item records them; ``original`` is None for an image
    recorded without files."""

    original: OriginalFacts | None = None
    renditions: tuple[RenditionFacts, ...] = ()

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any] | None) -> ImageFacts:
        """The facts an image's ``media`` field holds (:meth:`plain`; empty: none)."""
        plain = plain or {}
        original = plain.get("original")
        return cls(
            original=OriginalFacts(**original) if original else None,
            renditions=tuple(RenditionFacts(**rendition) for rendition in plain.get("derivatives", ())),
        )

    def plain(self) -> dict[str, Any]:
        """The JSON form an image's ``media`` field keeps, key for key as ingest wrote it."""
        if self.original is None and not self.renditions:
            return {}
        plain: dict[str, Any] = {}
        if self.original is not None:
            o = self.original
            plain["original"] = {
                "sha256": o.sha256, "byte_size": o.byte_size, "format": o.format, "width": o.width, "height": o.height,
            }
        plain["derivatives"] = [
            {"name": r.name, "format": r.format, "width": r.width, "height": r.height, "byte_size": r.byte_size}
            for r in self.renditions
        ]
        return plain

    def has(self, name: str, fmt: str) -> bool:
        """Whether a rendition ``name`` in ``fmt`` was stored."""
        return any(r.name == name and r.format == fmt for r in self.renditions)
