"""Media in a dict: a fake of ``archive.media_ports.ports.MediaStore`` for tests."""

from __future__ import annotations

import builtins
from datetime import datetime

from archive.media_ports.ports import MediaNotFound, MediaStore, MediaStoreUnavailable, StoredObject
from domain import clock


class InMemoryMediaStore(MediaStore):
    """A media store in a dict, for unit tests; ``unavailable`` simulates an outage."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.written: dict[str, datetime] = {}  # when each object was put, by the domain clock
        self.unavailable = False

    def _check(self) -> None:
        if self.unavailable:
            raise MediaStoreUnavailable("The media storage cannot be reached.")

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._check()
        self.objects[key] = bytes(data)
        self.written[key] = clock.now()

    def get(self, key: str) -> bytes:
        self._check()
        try:
            return self.objects[key]
        except KeyError:
            raise MediaNotFound(f"No media stored under {key!r}.") from None

    def delete(self, key: str) -> None:
        self._check()
        self.objects.pop(key, None)
        self.written.pop(key, None)

    def exists(self, key: str) -> bool:
        self._check()
        return key in self.objects

    def list(self, prefix: str = "") -> list[str]:
        self._check()
        return sorted(key for key in self.objects if key.startswith(prefix))

    def stored_objects(self, prefix: str = "") -> builtins.list[StoredObject]:
        return [StoredObject(key, self.written[key]) for key in self.list(prefix)]
