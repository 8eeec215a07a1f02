"""Connections to the archive's PostgreSQL database, as every table adapter opens them.

The key table, the session table and the rate counters each keep a small pool of autocommit
connections; each first creates its table over one direct connection, so that an unreachable
server fails at once with PostgreSQL's own message instead of a pool time-out.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg_pool import ConnectionPool

CONNECT_TIMEOUT = 10
POOL_TIMEOUT = 30.0


def connect(conninfo: str) -> psycopg.Connection:
    """One autocommit connection (for schema changes, and checks before a pool is opened)."""
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)


def create_tables(conninfo: str, statements: Iterable[str]) -> None:
    """Run ``CREATE ... IF NOT EXISTS`` statements over one direct connection."""
    with connect(conninfo) as conn:
        for statement in statements:
            conn.execute(statement)


def small_pool(conninfo: str, size: int) -> ConnectionPool:
    """A pool of at most ``size`` autocommit connections, one opened at once."""
    return ConnectionPool(
        conninfo,
        min_size=1,
        max_size=size,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
        timeout=POOL_TIMEOUT,
        open=True,
    )
