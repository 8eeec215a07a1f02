"""Deciding what a test does when an external service cannot be provided.

On a developer machine a missing service (PostgreSQL binaries, Chromium) skips
the tests that need it.  On CI, where ``ARCHIVE_REQUIRE_SERVICES=1`` is set, a
missing service is a failure, so coverage cannot silently disappear.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_SERVICES_ENV = "ARCHIVE_REQUIRE_SERVICES"


def services_required() -> bool:
    """Return True when ``ARCHIVE_REQUIRE_SERVICES=1`` demands every service."""
    return os.environ.get(REQUIRE_SERVICES_ENV, "").strip() == "1"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the current test because of *reason*, or fail it if services are required.

    Usable from tests and fixtures alike; it never returns.
    """
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_SERVICES_ENV}=1)", pytrace=False)
    pytest.skip(reason)
