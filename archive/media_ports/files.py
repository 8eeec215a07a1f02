"""Where an item's media objects live, and how their bytes are sealed with the item's key.

Every object of an item (its encrypted original and its derivatives) sits under
``items/<item-id>/<image-id>/``, so one item's files are found and removed together. Every
object is encrypted with the item's data key, the object's own key bound in as associated
data: shredding the item's key makes every copy unreadable wherever it lingers (other object
versions, backups, caches of the bucket).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from archive.shredding import crypto

ITEMS_PREFIX = "items/"
ORIGINAL = "original"
SEALED_CONTENT_TYPE = "application/octet-stream"
DERIVATIVE_NAMES = ("thumb", "display", "large")
DERIVATIVE_FORMATS = ("webp", "jpeg")


def item_prefix(item_id: UUID) -> str:
    return f"{ITEMS_PREFIX}{item_id}/"


def image_prefix(item_id: UUID, image_id: UUID) -> str:
    return f"{item_prefix(item_id)}{image_id}/"


def original_key(item_id: UUID, image_id: UUID) -> str:
    return image_prefix(item_id, image_id) + ORIGINAL


def derivative_key(item_id: UUID, image_id: UUID, name: str, fmt: str) -> str:
    return image_prefix(item_id, image_id) + f"{name}.{fmt}"


@dataclass(frozen=True)
class ObjectRef:
    """What a stored object's key says about it."""

    item_id: UUID
    image_id: UUID
    name: str


def parse_key(key: str) -> ObjectRef | None:
    """The item, image and file name a key belongs to, or None for a key of no known shape."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] + "/" != ITEMS_PREFIX:
        return None
    try:
        return ObjectRef(UUID(parts[1]), UUID(parts[2]), parts[3])
    except ValueError:
        return None


def seal(data_key: bytes, item_id: UUID, key: str, data: bytes) -> bytes:
    return crypto.encrypt(data_key, item_id, data, key.encode())


def unseal(data_key: bytes, item_id: UUID, key: str, blob: bytes) -> bytes:
    return crypto.decrypt(data_key, item_id, blob, key.encode())
