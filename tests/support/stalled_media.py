"""A media store that stalls like an S3 bucket that accepts connections but never answers."""

from __future__ import annotations

import threading

from tests.fakes import InMemoryMediaStore

#: A stalled call gives up after this long anyway, so that a test never hangs for good.
GIVE_UP_SECONDS = 8.0


class StalledMediaStore(InMemoryMediaStore):
    """An in-memory store whose deletions and listings hang while ``stalled`` is set,
    until :meth:`recover` (or ``GIVE_UP_SECONDS``)."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = False
        self._recovered = threading.Event()

    def stall(self) -> None:
        self.stalled = True
        self._recovered.clear()

    def recover(self) -> None:
        self.stalled = False
        self._recovered.set()

    def _hang(self) -> None:
        if self.stalled:
            self._recovered.wait(GIVE_UP_SECONDS)

    def delete(self, key: str) -> None:
        self._hang()
        super().delete(key)

    def list(self, prefix: str = "") -> list[str]:
        self._hang()
        return super().list(prefix)
