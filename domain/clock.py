"""The domain's clock: timezone-aware UTC 'now', which demos and tests may fix.

Events take their timestamp from here, so that the demo can record an exhibition's history
as it happened in 2024, and tests can move time past a consent expiry. Calendar days (consent
expiry, "as it stood on") are days in the archive's own time zone, which callers pass in: there
is no process-wide zone to forget to set (a test that asked for "today" before the application
set one used to get the UTC day, and failed every evening in Almaty).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone, tzinfo

_fixed: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("fixed_now", default=None)


def now() -> datetime:
    """The current time in UTC, or the time fixed by :func:`fixed_at`."""
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(tz=timezone.utc)


def today(zone: tzinfo) -> date:
    """The current calendar day in ``zone`` (the archive's zone: ``ExhibitionArchive.today``)."""
    return now().astimezone(zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The first instant after ``day`` in ``zone``: what happened before it happened "on or before".

    The last day a date can name (9999-12-31) never ends: its end is the latest instant there is.
    """
    if day == date.max:
        return datetime.max.replace(tzinfo=timezone.utc)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


@contextlib.contextmanager
def fixed_at(moment: datetime) -> Iterator[None]:
    """Within the block, :func:`now` returns ``moment`` (which must be timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("fixed_at needs a timezone-aware datetime")
    token = _fixed.set(moment.astimezone(timezone.utc))
    try:
        yield
    finally:
        _fixed.reset(token)
