"""The session table in a dict: a fake of ``archive.credentials.sessions.SessionStore`` for tests."""

from __future__ import annotations

import os
import threading
from dataclasses import replace

from archive.credentials.sessions import SessionRow, SessionStore


class InMemorySessionStore(SessionStore):
    """A session table in a dict, for tests and single-process use."""

    def __init__(self, tag_key: bytes | None = None):
        super().__init__(tag_key or os.urandom(32))
        self._rows: dict[bytes, SessionRow] = {}
        self._lock = threading.Lock()

    def _insert(self, id_hash: bytes, row: SessionRow) -> None:
        with self._lock:
            self._rows[id_hash] = row

    def _select(self, id_hash: bytes) -> SessionRow | None:
        with self._lock:
            return self._rows.get(id_hash)

    def _touch(self, id_hash: bytes, last_seen: float) -> None:
        with self._lock:
            if id_hash in self._rows:
                self._rows[id_hash] = replace(self._rows[id_hash], last_seen=last_seen)

    def _delete(self, id_hash: bytes) -> None:
        with self._lock:
            self._rows.pop(id_hash, None)

    def _delete_tagged(self, kind: str, tag: bytes) -> int:
        with self._lock:
            doomed = [h for h, row in self._rows.items() if row.kind == kind and row.tag == tag]
            for id_hash in doomed:
                del self._rows[id_hash]
            return len(doomed)

    def _delete_expired(self, now: float) -> int:
        with self._lock:
            doomed = [
                h for h, row in self._rows.items()
                if now >= row.expires_at or now - row.last_seen > row.idle_seconds
            ]
            for id_hash in doomed:
                del self._rows[id_hash]
            return len(doomed)
