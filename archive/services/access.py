"""Who may act, and how that is cut off: curators, their API tokens, and browser sessions.

A collaborator of the application (``archive.services.access``), not a part of it: it reads and saves
through the application's public methods (:class:`AccessRecords`) and keeps sessions in the
session table it is given. Sessions live in the session table
(:mod:`archive.credentials.sessions`), shared by every process and host: ending one (log out, leave, the
quick exit) or all of a subject's (a new consent code, a password change, deactivation, "log
out everywhere") takes effect at once everywhere. Resuming a session also re-checks what it
depends on (the consent code still live; the curator active, with the same password), so a
session survives nothing that should end it even if the table was not told.

API tokens are known by an id derived from their hash (shown in listings, enough to revoke),
may expire at the end of a calendar day in the archive's zone, and record the last day they
were used: at most one write per token per day.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from archive.errors import ConcurrentChange, NotFound
from archive.credentials.passwords import hash_password, needs_rehash, verify_password
from archive.services.self_service import CodeHolder
from archive.credentials.sessions import CURATOR, PORTAL, SessionStore
from domain import actor as actors
from domain.actor import Actor
from domain import clock
from domain.curators import USERNAME_PATTERN, ApiToken, Curator, check_username
from domain.errors import InvalidValue

A = TypeVar("A", bound=Aggregate)

#: A curator's session ends 8 hours after login, or after 2 hours without a request.
CURATOR_SESSION_SECONDS = 8 * 3600
CURATOR_IDLE_SECONDS = 2 * 3600
#: A portal session ends after 15 minutes without a request, and an hour after the code was entered.
PORTAL_SESSION_SECONDS = 60 * 60
PORTAL_IDLE_SECONDS = 15 * 60
#: How many leading hex digits of a token's id listings show (any unique prefix this long revokes).
SHORT_ID_DIGITS = 8


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def token_id(token: str) -> UUID:
    """The id of a token, from the token itself."""
    return ApiToken.id_for(token_hash(token))


def _fingerprint(curator: Curator) -> str:
    # A password change gives a new fingerprint: sessions opened before it are refused.
    return hashlib.sha256(curator.password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listings show it (never the token itself)."""

    id: UUID
    username: str
    label: str
    issued_at: datetime
    expires_at: datetime | None
    last_used: date | None
    revoked: bool
    curator_active: bool

    @property
    def short_id(self) -> str:
        return self.id.hex[:SHORT_ID_DIGITS]

    def status(self, at: datetime) -> str:
        """``live``, ``revoked``, ``expired`` or ``curator deactivated``."""
        if self.revoked:
            return "revoked"
        if self.expires_at is not None and at >= self.expires_at:
            return "expired"
        return "live" if self.curator_active else "curator deactivated"


class AccessRecords(Protocol):
    """What access needs of the application: public reads and writes, nothing private.

    :class:`archive.services.application.ExhibitionArchive` provides them.
    """

    @property
    def zone(self) -> tzinfo:
        """The archive's time zone (a token expires at the end of a day in it)."""
        ...

    def today(self) -> date: ...

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def save_changes(self, *aggregates: Aggregate) -> None: ...

    def originator_ids(self, event_type: type[Any]) -> Iterator[UUID]: ...


class CuratorAccess:
    """Use cases for curators' accounts, API tokens and browser sessions."""

    def __init__(
        self, records: AccessRecords, sessions: SessionStore, code_is_live: Callable[[CodeHolder], bool]
    ):
        """``records`` the application; ``sessions`` the session table every process shares;
        ``code_is_live`` whether a portal session's consent code still works."""
        self.records = records
        self.sessions = sessions
        self.code_is_live = code_is_live

    # -- curators --------------------------------------------------------------------------

    def create_curator(
        self, *, username: str, password: str, actor: Actor, display_name: str = ""
    ) -> UUID:
        """Create a curator who can log in to the workspace; the password is stored hashed."""
        check_username(username)
        if self.records.find(Curator, Curator.id_for(username)) is not None:
            raise InvalidValue("A curator named %(name)r already exists.", name=username)
        curator = Curator.create(
            username=username, display_name=display_name, password_hash=hash_password(password), actor=actor
        )
        self.records.save_changes(curator)
        return curator.id

    def authenticate(self, username: str, password: str) -> Curator | None:
        """The active curator with these credentials, or None (same time either way)."""
        curator = None
        if isinstance(username, str) and USERNAME_PATTERN.fullmatch(username or ""):
            curator = self.records.find(Curator, Curator.id_for(username))
        ok = verify_password(curator.password_hash if curator else None, password or "")
        if not ok or curator is None or not curator.active:
            return None
        if needs_rehash(curator.password_hash):
            curator.change_password(hash_password(password), actors.system("rehash"))
            self.records.save_changes(curator)
        return curator

    def get_curator(self, username: str) -> Curator:
        found = self.records.find(Curator, Curator.id_for(username)) if USERNAME_PATTERN.fullmatch(username or "") else None
        if found is None:
            raise NotFound("No curator named %(name)r.", name=username)
        return found

    def change_password(self, username: str, password: str, *, actor: Actor) -> None:
        """Set a new password and end every session of the curator, on every browser."""
        curator = self.get_curator(username)
        curator.change_password(hash_password(password), actor)
        self.records.save_changes(curator)
        self.sessions.end_all(CURATOR, username)

    def deactivate_curator(self, username: str, *, actor: Actor) -> bool:
        """Stop a curator from logging in or using any token; end their sessions. False if already so."""
        curator = self.get_curator(username)
        was_active = bool(curator.active)
        curator.deactivate(actor)
        if was_active:
            self.records.save_changes(curator)
        self.sessions.end_all(CURATOR, username)
        return was_active

    # -- API tokens ------------------------------------------------------------------------

    def issue_api_token(
        self, username: str, *, actor: Actor, label: str = "", expires_on: date | None = None
    ) -> str:
        """A new bearer token for a curator, returned once; only its SHA-256 is stored.

        With ``expires_on`` it stops working at the end of that day in the archive's zone.
        """
        curator = self.get_curator(username)
        if not curator.active:
            raise InvalidValue("The curator %(name)r is deactivated.", name=username)
        if expires_on is not None and expires_on < self.records.today():
            raise InvalidValue("A token cannot expire before today.")
        expires_at = clock.end_of_day(expires_on, self.records.zone) if expires_on is not None else None
        token = "arch_" + secrets.token_urlsafe(32)
        self.records.save_changes(ApiToken.issue(
            token_hash=token_hash(token), username=username, label=label, actor=actor, expires_at=expires_at
        ))
        return token

    def curator_for_token(self, token: str) -> Curator | None:
        """The active curator a live, unexpired token belongs to, or None. Notes the day of use."""
        if not isinstance(token, str) or not token.startswith("arch_") or len(token) > 100:
            return None
        record = self.records.find(ApiToken, token_id(token))
        if record is None or not record.is_live(clock.now()):
            return None
        curator = self.records.find(Curator, Curator.id_for(record.username))
        if curator is None or not curator.active:
            return None
        if record.mark_used(self.records.today(), actors.curator(record.username)):
            try:
                self.records.save_changes(record)
            except ConcurrentChange:
                pass  # another process noted today's use first
        return curator

    def api_tokens(self, username: str | None = None) -> list[TokenInfo]:
        """Every token (or a curator's), oldest first, as listings show them."""
        infos = []
        for issued in self.records.originator_ids(ApiToken.Issued):
            record = self.records.find(ApiToken, issued)
            if record is None or (username is not None and record.username != username):
                continue
            curator = self.records.find(Curator, Curator.id_for(record.username))
            infos.append(TokenInfo(
                id=record.id, username=record.username, label=record.label, issued_at=record.created_on,
                expires_at=record.expires_at, last_used=record.last_used, revoked=record.revoked,
                curator_active=bool(curator is not None and curator.active),
            ))
        return infos

    def revoke_api_token(self, token_or_id: str, *, actor: Actor, owner: str | None = None) -> UUID:
        """Revoke a token named by its id (in full, or the short id listings show), or by the token.

        With ``owner``, only that curator's tokens can be named. Returns the token's id.
        """
        record = self._token_named(token_or_id.strip(), owner)
        record.revoke(actor)
        self.records.save_changes(record)
        return record.id

    def _token_named(self, name: str, owner: str | None) -> ApiToken:
        record: ApiToken | None = None
        if name.startswith("arch_"):
            record = self.records.find(ApiToken, token_id(name))
        else:
            digits = name.lower().replace("-", "")
            if len(digits) < SHORT_ID_DIGITS or not all(c in "0123456789abcdef" for c in digits):
                raise NotFound("No token with the id %(id)r: give the id that 'list-tokens' shows.", id=name)
            matches = [t for t in self.api_tokens(owner) if t.id.hex.startswith(digits)]
            if len(matches) > 1:
                raise InvalidValue("More than one token has an id starting %(id)r: give more of it.", id=name)
            record = self.records.find(ApiToken, matches[0].id) if matches else None
        if record is None or (owner is not None and record.username != owner):
            raise NotFound("No token with the id %(id)r: give the id that 'list-tokens' shows.", id=name)
        return record

    # -- browser sessions ------------------------------------------------------------------

    def open_curator_session(self, curator: Curator) -> str:
        """Start a workspace session for a curator who just logged in; returns its opaque id."""
        sealed = json.dumps({"username": curator.username, "fingerprint": _fingerprint(curator)})
        return self.sessions.open(
            CURATOR, curator.username, sealed,
            now=clock.now().timestamp(), lifetime=CURATOR_SESSION_SECONDS, idle=CURATOR_IDLE_SECONDS,
        )

    def curator_for_session(self, session_id: str) -> Curator | None:
        """The curator of a live session, still active and with the same password; else None."""
        sealed = self.sessions.resume(session_id, CURATOR, now=clock.now().timestamp())
        if sealed is None:
            return None
        data = json.loads(sealed)
        curator = self.records.find(Curator, Curator.id_for(data["username"]))
        if curator is None or not curator.active or _fingerprint(curator) != data["fingerprint"]:
            self.sessions.end(session_id)
            return None
        return curator

    def end_curator_sessions(self, username: str) -> int:
        """Log a curator out everywhere: end every one of their sessions; return how many."""
        return self.sessions.end_all(CURATOR, username)

    def open_portal_session(self, holder: CodeHolder) -> str:
        """Start a consent-portal session for the holder of a code; returns its opaque id."""
        sealed = json.dumps({"contributor": str(holder.contributor_id), "code": str(holder.code_id)})
        return self.sessions.open(
            PORTAL, str(holder.contributor_id), sealed,
            now=clock.now().timestamp(), lifetime=PORTAL_SESSION_SECONDS, idle=PORTAL_IDLE_SECONDS,
        )

    def holder_for_session(self, session_id: str) -> CodeHolder | None:
        """The code holder of a live portal session whose code still works; else None."""
        sealed = self.sessions.resume(session_id, PORTAL, now=clock.now().timestamp())
        if sealed is None:
            return None
        data = json.loads(sealed)
        holder = CodeHolder(UUID(data["contributor"]), UUID(data["code"]))
        if not self.code_is_live(holder):
            self.sessions.end(session_id)
            return None
        return holder

    def end_portal_sessions(self, contributor_id: UUID) -> int:
        """End every portal session of a contributor (done whenever a new code is issued)."""
        return self.sessions.end_all(PORTAL, str(contributor_id))

    def end_session(self, session_id: str) -> None:
        """End one session of either kind (log out, leave, the quick exit)."""
        self.sessions.end(session_id)
