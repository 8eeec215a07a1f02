"""The base aggregate: every event records who acted and takes its time from the domain clock."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain import clock


class ArchiveAggregate(Aggregate):
    """An aggregate whose events all carry an ``actor`` (see :mod:`domain.actor`)."""

    class Event(Aggregate.Event):
        actor: str

        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

    class Created(Event, Aggregate.Created):
        pass
