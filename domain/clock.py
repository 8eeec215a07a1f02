"""The domain's clock: timezone-aware UTC 'now', which demos and tests may fix.

Events take their timestamp from here, so that the demo can record an exhibition's history
as it happened in 2024, and tests can move time past a consent expiry. Calendar days (consent
expiry, "as it stood on") are days in the archive's local time zone, set once at start-up.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date, datetime, timezone, tzinfo

_fixed: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("fixed_now", default=None)
_local_zone: tzinfo = timezone.utc


def set_local_timezone(zone: tzinfo) -> None:
    """Set the time zone whose calendar days the archive uses (the composition root does)."""
    global _local_zone
    _local_zone = zone


def local_timezone() -> tzinfo:
    return _local_zone


def now() -> datetime:
    """The current time in UTC, or the time fixed by :func:`fixed_at`."""
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(tz=timezone.utc)


def today() -> date:
    """The current date in the archive's local time zone."""
    return now().astimezone(_local_zone).date()


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
