"""Who performed a command: a curator, a contributor, or the system itself."""

from __future__ import annotations

from uuid import UUID

from domain.errors import InvalidValue

CURATOR = "curator"
CONTRIBUTOR = "contributor"
SYSTEM = "system"


def curator(username: str) -> str:
    """Actor string for a curator, e.g. ``curator:aigerim``."""
    username = (username or "").strip()
    if not username or ":" in username:
        raise InvalidValue("A curator needs a user name without ':'.")
    return f"{CURATOR}:{username}"


def contributor(contributor_id: UUID) -> str:
    """Actor string for a contributor acting with their consent code."""
    return f"{CONTRIBUTOR}:{contributor_id}"


def system(job: str) -> str:
    """Actor string for an automatic job, e.g. ``system:demo``."""
    return f"{SYSTEM}:{job}"


def check(actor: str) -> str:
    """Return ``actor`` if it names a curator, a contributor or the system."""
    kind, _, ident = (actor or "").partition(":")
    if kind not in (CURATOR, CONTRIBUTOR, SYSTEM) or not ident.strip():
        raise InvalidValue("Every change must say who made it; %(actor)r is not an actor.", actor=actor)
    return actor


def describe(actor: str) -> str:
    """A human phrase for an actor: 'curator aigerim', 'the contributor', 'the system'."""
    kind, _, ident = actor.partition(":")
    if kind == CURATOR:
        return f"curator {ident}"
    if kind == CONTRIBUTOR:
        return "the contributor"
    return f"the system ({ident})"
