"""The base aggregate: every event records who acted and takes its time from the domain clock."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain import clock
from domain.actor import Actor


class ArchiveAggregate(Aggregate):
    """An aggregate whose events all carry an ``actor`` (see :mod:`domain.actor`)."""

    class Event(Aggregate.Event):
        actor: str  # the actor's stored form, ``kind:id`` (logs written before ``Actor`` read alike)

        @property
        def by(self) -> Actor:
            """Who acted, as a value."""
            return Actor.from_string(self.actor)

        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

    class Created(Event, Aggregate.Created):
        pass
