"""Who performed a command: a curator, a contributor, or the system itself.

An actor is a small value (``Actor``: kind and id). Events store its string form,
``"curator:aigerim"``, as they always have, so logs written before the value existed still
read: ``Actor.from_string`` parses it, in this module only, and ``str(actor)`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.errors import N_, InvalidValue

CURATOR = "curator"
CONTRIBUTOR = "contributor"
SYSTEM = "system"

#: How each kind of actor is named in a history line; interfaces translate these templates.
PHRASES = {
    CURATOR: N_("curator %(id)s"),
    CONTRIBUTOR: N_("the contributor"),
    SYSTEM: N_("the system (%(id)s)"),
}


@dataclass(frozen=True)
class Actor:
    """Who acted: ``kind`` (curator, contributor or system) and ``id`` (a curator's user name,
    a contributor's id, or the name of an automatic job)."""

    kind: str
    id: str

    def __post_init__(self) -> None:
        if self.kind not in PHRASES or not self.id.strip():
            raise InvalidValue("Every change must say who made it; %(actor)r is not an actor.", actor=f"{self.kind}:{self.id}")

    @classmethod
    def from_string(cls, text: str) -> Actor:
        """The actor an event stored as ``kind:id``; ``InvalidValue`` if it names none."""
        kind, _, ident = (text or "").partition(":")
        if kind not in PHRASES or not ident.strip():
            raise InvalidValue("Every change must say who made it; %(actor)r is not an actor.", actor=text)
        return cls(kind, ident)

    @classmethod
    def of(cls, actor: Actor | str) -> Actor:
        """``actor`` itself, or the actor its string form names (scripts and tests written
        before the value existed pass ``"curator:dana"``)."""
        return actor if isinstance(actor, Actor) else cls.from_string(actor)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def is_contributor(self) -> bool:
        return self.kind == CONTRIBUTOR

    @property
    def is_curator(self) -> bool:
        return self.kind == CURATOR

    def describe(self) -> str:
        """A human phrase in English: 'curator aigerim', 'the contributor', 'the system (demo)'."""
        template = PHRASES[self.kind]
        return template % {"id": self.id} if "%(id)s" in template else template


def curator(username: str) -> Actor:
    """A curator, by user name, e.g. ``curator:aigerim``."""
    username = (username or "").strip()
    if not username or ":" in username:
        raise InvalidValue("A curator needs a user name without ':'.")
    return Actor(CURATOR, username)


def contributor(contributor_id: UUID) -> Actor:
    """A contributor acting with their consent code."""
    return Actor(CONTRIBUTOR, str(contributor_id))


def system(job: str) -> Actor:
    """An automatic job, e.g. ``system:demo``."""
    return Actor(SYSTEM, job)


def check(actor: Actor | str) -> str:
    """The form events store ``actor`` in (``kind:id``); ``InvalidValue`` if it names no actor."""
    return str(Actor.of(actor))


def describe(actor: Actor | str) -> str:
    """A human phrase for an actor: 'curator aigerim', 'the contributor', 'the system (demo)'."""
    return Actor.of(actor).describe()
