"""The event store's own record that its events are sealed under a key table (the canary).

Without it, an event store whose key table or master key went missing looks like a fresh
install: every item reads back as withdrawn, and snapshots taken then would lock the
redaction in. The seal is an aggregate of its own, written before the archive's first other
event, so "the event store has events" always comes with "and a key table holds their keys".
It carries the key table's fingerprint (see ``KeyStore.fingerprint``), so a key table made
anew, or one that belongs to another archive, is refused too. Nothing in it is secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid5

from eventsourcing.utils import register_topic

from domain import actor as actors
from domain.base import ArchiveAggregate
from domain.indexes import _NAMESPACE

#: The seal's aggregate id: the same in every archive.
SEAL_ID = uuid5(_NAMESPACE, "key table seal")


class KeyTableSeal(ArchiveAggregate):
    """Which key table the archive's events are sealed under."""

    if TYPE_CHECKING:  # state, for the type checker only (see domain.indexes.SlugIndex)
        fingerprint: str

    class Sealed(ArchiveAggregate.Created):
        fingerprint: str

        def apply(self, seal: KeyTableSeal) -> None:
            seal.fingerprint = self.fingerprint

    @classmethod
    def seal(cls, fingerprint: str) -> KeyTableSeal:
        return cls._create(cls.Sealed, id=SEAL_ID, actor=actors.check(actors.system("key-table")), fingerprint=fingerprint)


# Archives sealed before issue 15 moved this module into archive/shredding/ hold the seal's
# events under its first home's topics: they resolve to this class.
register_topic("archive.key_seal:KeyTableSeal", KeyTableSeal)  # rooms3: old name
