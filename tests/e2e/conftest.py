"""Shared set-up for tests of the website."""

from __future__ import annotations

import pytest

from web.extensions import limiter


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in process memory; each test starts with none."""
    yield
    try:
        limiter.reset()
    except Exception:  # noqa: BLE001 - not initialised yet: nothing to reset
        pass
