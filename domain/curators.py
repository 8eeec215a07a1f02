"""Curators, who log in to the workspace, and the API tokens they issue.

A curator's password is held only as a slow hash; a token only as its SHA-256. Both
aggregates have ids derived from their key (the user name, the token hash), so that two
curators with the same name, or a reused token, conflict on save.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from domain import actor as actors
from domain.actor import Actor
from domain.base import ArchiveAggregate
from domain.errors import InvalidValue
from domain.indexes import _NAMESPACE

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


def check_username(username: str) -> str:
    """2 to 40 characters: lower-case letters, digits, '.', '_' and '-', starting alphanumeric."""
    if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
        raise InvalidValue(
            "A user name has 2 to 40 characters: lower-case letters, digits, '.', '_' or '-'."
        )
    return username


class Curator(ArchiveAggregate):
    """A person who records and arranges the archive."""

    # State set by the events below, for the type checker only (annotations that run would
    # become fields of the created event).
    if TYPE_CHECKING:
        username: str
        display_name: str
        password_hash: str
        active: bool

    class Created(ArchiveAggregate.Created):
        username: str
        display_name: str
        password_hash: str

        def apply(self, curator: Curator) -> None:
            curator.username = self.username
            curator.display_name = self.display_name
            curator.password_hash = self.password_hash
            curator.active = True

    class PasswordChanged(ArchiveAggregate.Event):
        password_hash: str

        def apply(self, curator: Curator) -> None:
            curator.password_hash = self.password_hash

    class Deactivated(ArchiveAggregate.Event):
        def apply(self, curator: Curator) -> None:
            curator.active = False

    @staticmethod
    def id_for(username: str) -> UUID:
        return uuid5(_NAMESPACE, f"curator:{username}")

    @classmethod
    def create(cls, *, username: str, display_name: str, password_hash: str, actor: Actor) -> Curator:
        check_username(username)
        return cls._create(
            cls.Created,
            id=cls.id_for(username),
            actor=actors.check(actor),
            username=username,
            display_name=(display_name or username).strip()[:80],
            password_hash=password_hash,
        )

    def change_password(self, password_hash: str, actor: Actor) -> None:
        self.trigger_event(self.PasswordChanged, actor=actors.check(actor), password_hash=password_hash)

    def deactivate(self, actor: Actor) -> None:
        if self.active:
            self.trigger_event(self.Deactivated, actor=actors.check(actor))


class ApiToken(ArchiveAggregate):
    """A bearer token for the JSON API, issued to a curator; stored as its hash only.

    Its id (derived from the hash) names it in listings and revocation, so the plaintext,
    shown once, is never needed again. It may expire, and it records the last day it was used.
    """

    # State set by the events below, for the type checker only (see Curator).
    if TYPE_CHECKING:
        username: str
        label: str
        expires_at: datetime | None
        revoked: bool
        last_used: date | None

    class Issued(ArchiveAggregate.Created):
        username: str
        label: str
        expires_at: datetime | None = None  # absent in tokens issued before expiry existed

        def apply(self, token: ApiToken) -> None:
            token.username = self.username
            token.label = self.label
            token.expires_at = self.expires_at
            token.revoked = False
            token.last_used = None

    class Used(ArchiveAggregate.Event):
        day: date

        def apply(self, token: ApiToken) -> None:
            token.last_used = self.day

    class Revoked(ArchiveAggregate.Event):
        def apply(self, token: ApiToken) -> None:
            token.revoked = True

    @staticmethod
    def id_for(token_hash: str) -> UUID:
        return uuid5(_NAMESPACE, f"api-token:{token_hash}")

    @classmethod
    def issue(
        cls, *, token_hash: str, username: str, label: str, actor: Actor, expires_at: datetime | None = None
    ) -> ApiToken:
        if expires_at is not None and expires_at.tzinfo is None:
            raise ValueError("a token's expiry must be timezone-aware")
        return cls._create(
            cls.Issued,
            id=cls.id_for(token_hash),
            actor=actors.check(actor),
            username=check_username(username),
            label=(label or "").strip()[:80],
            expires_at=expires_at,
        )

    def is_live(self, at: datetime) -> bool:
        """Not revoked, and not expired at ``at``."""
        return not self.revoked and (self.expires_at is None or at < self.expires_at)

    def mark_used(self, day: date, actor: Actor) -> bool:
        """Record the day of use, at most once a day; True if that was a change."""
        if self.last_used is not None and self.last_used >= day:
            return False
        self.trigger_event(self.Used, actor=actors.check(actor), day=day)
        return True

    def revoke(self, actor: Actor) -> None:
        if not self.revoked:
            self.trigger_event(self.Revoked, actor=actors.check(actor))
