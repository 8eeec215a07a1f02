"""The session table port: who is signed in on a browser, ended everywhere at once.

A browser holds only an opaque random session id. Every process and host reads the same table
(see ``sessions_sqlite`` and ``sessions_postgres``), so a session ended by one of them (log
out, leave, the quick exit, a new consent code, a password change, deactivation) is refused by
all of them, whatever copy of the cookie is replayed.

A row holds as little as it can:

- the SHA-256 of the session id, never the id: a copy of the table opens no session;
- the session's kind (``curator`` or ``portal``);
- a tag: a keyed hash of the subject (a curator's user name, a contributor's id), so that all
  of a subject's sessions can be ended at once, while the table alone does not say whose they are;
- the subject itself, sealed under a key derived from the session id, so only a request that
  carries the cookie can read it;
- created, last seen, the absolute expiry and the idle limit, in seconds since the epoch.

The idle limit is enforced here, not in the cookie: a session idle for longer is deleted, and
no replayed copy can revive it. "Last seen" is written at most every ``TOUCH_SECONDS``.
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from archive.shredding.crypto import NONCE_BYTES

#: How often "last seen" is written, at most: the idle limit is exact to within this.
TOUCH_SECONDS = 10.0
#: Session kinds.
CURATOR = "curator"
PORTAL = "portal"


@dataclass(frozen=True)
class SessionRow:
    """One stored session (see the module docstring for what each field holds)."""

    kind: str
    tag: bytes
    sealed_subject: bytes
    created_at: float
    last_seen: float
    expires_at: float
    idle_seconds: float


def _id_hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).digest()


def _subject_key(session_id: str) -> bytes:
    return hmac.new(session_id.encode("utf-8", "replace"), b"session subject", hashlib.sha256).digest()


def _well_formed(session_id: object) -> bool:
    return isinstance(session_id, str) and 32 <= len(session_id) <= 64 and session_id.isascii()


class SessionStore(abc.ABC):
    """Opens, resumes and ends server-side sessions; backends implement a few row operations."""

    def __init__(self, tag_key: bytes):
        """``tag_key`` keys the hash that tags each session with its subject (keep it secret)."""
        self._tag_key = tag_key

    # -- backend row operations ----------------------------------------------------------

    @abc.abstractmethod
    def _insert(self, id_hash: bytes, row: SessionRow) -> None:
        """Store a new row."""

    @abc.abstractmethod
    def _select(self, id_hash: bytes) -> SessionRow | None:
        """The row with this id hash, or None."""

    @abc.abstractmethod
    def _touch(self, id_hash: bytes, last_seen: float) -> None:
        """Set "last seen" of the row, if it still exists."""

    @abc.abstractmethod
    def _delete(self, id_hash: bytes) -> None:
        """Delete the row, if it exists."""

    @abc.abstractmethod
    def _delete_tagged(self, kind: str, tag: bytes) -> int:
        """Delete every row of this kind and tag; return how many."""

    @abc.abstractmethod
    def _delete_expired(self, now: float) -> int:
        """Delete every row past its expiry or idle limit; return how many."""

    def _release(self) -> None:
        """Release connections."""

    # -- public interface ----------------------------------------------------------------

    def open(self, kind: str, subject: str, sealed: str, *, now: float, lifetime: float, idle: float) -> str:
        """Start a session and return its new opaque id (for the browser's cookie only).

        ``subject`` identifies whose session it is (ended together by :meth:`end_all`);
        ``sealed`` is what :meth:`resume` returns, readable only with the id.
        """
        self._delete_expired(now)
        session_id = secrets.token_urlsafe(32)
        id_hash = _id_hash(session_id)
        nonce = os.urandom(NONCE_BYTES)
        blob = nonce + AESGCM(_subject_key(session_id)).encrypt(nonce, sealed.encode("utf-8"), id_hash)
        row = SessionRow(kind, self._tag(kind, subject), blob, now, now, now + lifetime, idle)
        self._insert(id_hash, row)
        return session_id

    def resume(self, session_id: str, kind: str, *, now: float) -> str | None:
        """What the session of this kind was opened with, while it is live; None otherwise.

        An expired or idle session is deleted. A live one counts as seen now.
        """
        if not _well_formed(session_id):
            return None
        id_hash = _id_hash(session_id)
        row = self._select(id_hash)
        if row is None or row.kind != kind:
            return None
        if now >= row.expires_at or now - row.last_seen > row.idle_seconds:
            self._delete(id_hash)
            return None
        try:
            blob = row.sealed_subject
            sealed = AESGCM(_subject_key(session_id)).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], id_hash)
        except InvalidTag:
            return None
        if now - row.last_seen >= TOUCH_SECONDS:
            self._touch(id_hash, now)
        return sealed.decode("utf-8")

    def end(self, session_id: str) -> None:
        """End one session (nothing happens for an unknown or malformed id)."""
        if _well_formed(session_id):
            self._delete(_id_hash(session_id))

    def end_all(self, kind: str, subject: str) -> int:
        """End every session of this kind and subject, on every browser; return how many."""
        return self._delete_tagged(kind, self._tag(kind, subject))

    def end_expired(self, now: float) -> int:
        """Delete sessions past their expiry or idle limit (also done whenever one opens)."""
        return self._delete_expired(now)

    def close(self) -> None:
        self._release()

    def _tag(self, kind: str, subject: str) -> bytes:
        return hmac.new(self._tag_key, f"{kind}\0{subject}".encode(), hashlib.sha256).digest()
