"""What the events recorded after a position in the log touch, as page dependency tags (see
``archive.read.page_dependencies``), read from the notifications' originator ids and topics only:
nothing is decrypted.

- An item's or a contributor's event touches its id; an exhibition's touches its id and
  ``LISTING``; the exhibition catalogue and slug index touch ``LISTING``.
- Events no visitor's page shows touch nothing: API tokens, curator accounts, the key table
  seal, consent codes, a contributor's item list (only curator pages read it).
- Anything else (an aggregate type not named here, a gap in the notification ids, more than
  ``limit`` events at once) is reported as ``everything``: correctness first.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import resolve_topic

from archive.shredding.key_seal import KeyTableSeal
from archive.read.page_dependencies import LISTING
from domain.contributors import Contributor
from domain.curators import ApiToken, Curator
from domain.exhibitions import Exhibition
from domain.indexes import Catalogue, ConsentCodeIndex, ContributorItems, SlugIndex
from domain.items import Item

#: More events than this at once are not looked at one by one: everything is forgotten.
MAX_EVENTS = 1000

#: Aggregates whose events no visitor's page can show.
SILENT = (ApiToken, Curator, KeyTableSeal, ConsentCodeIndex, ContributorItems)
#: Aggregates whose events change pages by their own id.
BY_ID = (Item, Contributor)
#: Aggregates whose events change which exhibitions there are.
LISTINGS = (Catalogue, SlugIndex)


@dataclass(frozen=True)
class Changes:
    """The events after one position up to ``position``: the tags they touch, or None for
    everything (then every cached page must go)."""

    position: int
    touched: frozenset[Hashable] | None

    @property
    def everything(self) -> bool:
        return self.touched is None


def changes_after(recorder: ApplicationRecorder, position: int, limit: int = MAX_EVENTS) -> Changes:
    """What the events after notification ``position`` touch (at most ``limit`` events)."""
    batch = recorder.select_notifications(position + 1, limit + 1)
    if not batch:
        return Changes(position, frozenset())
    last = batch[-1].id
    if len(batch) > limit:
        return Changes(max(last, recorder.max_notification_id() or last), None)
    if [n.id for n in batch] != list(range(position + 1, last + 1)):
        return Changes(last, None)  # a gap: an event may be missing
    touched: set[Hashable] = set()
    for notification in batch:
        originator = notification.originator_id  # eventsourcing types it UUID | str
        tags = _tags(originator if isinstance(originator, UUID) else UUID(originator), notification.topic)
        if tags is None:
            return Changes(last, None)
        touched.update(tags)
    return Changes(last, frozenset(touched))


_owners: dict[str, type | None] = {}


def _owner(topic: str) -> type | None:
    """The aggregate class whose event ``topic`` names (``module:Aggregate.Event``), or None."""
    if topic not in _owners:
        module, _, qualname = topic.partition(":")
        try:
            owner = resolve_topic(f"{module}:{qualname.rpartition('.')[0]}")
        except Exception:  # noqa: BLE001 - a topic this code does not know
            owner = None
        _owners[topic] = owner if isinstance(owner, type) else None
    return _owners[topic]


def _tags(originator_id: UUID, topic: str) -> tuple[Hashable, ...] | None:
    owner = _owner(topic)
    if owner is None:
        return None
    if issubclass(owner, SILENT):
        return ()
    if issubclass(owner, BY_ID):
        return (_as_uuid(originator_id),)
    if issubclass(owner, Exhibition):
        return (_as_uuid(originator_id), LISTING)
    if issubclass(owner, LISTINGS):
        return (LISTING,)
    return None


def _as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
