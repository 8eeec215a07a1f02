"""Rate limits shared by every process and host, keyed by the real client.

Flask-Limiter does the bookkeeping; its counters live in the archive's database
(``archive.credentials.rate_counters``) through :class:`SharedCounterStorage`, a ``limits`` storage
registered under the ``archive://`` scheme. The client is ``request.remote_addr`` after
``ProxyFix`` has taken the trusted proxy hops (``ARCHIVE_PROXY_HOPS``) into account; IPv6
clients are counted per /64 network, which one household or phone usually holds.

Limits are counted *before* the view runs (Flask-Limiter's ``hit``), so a parallel burst
cannot overrun them. A view whose attempt turned out well may give it back with
:func:`give_back_attempt`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from datetime import timedelta

from flask import current_app, request
from flask_babel import format_timedelta
from flask_limiter import Limiter
from limits.storage import Storage

from archive.credentials.rate_counters import RateCounters


def private_key(kind: str, value: str) -> str:
    """A counter key for ``value`` (an address, a tried code) that does not show it.

    Flask-Limiter writes keys into its log messages; a keyed hash keeps client addresses and
    tried consent codes out of them (and the counters hash keys again before storing them).
    """
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return f"{kind}:" + hmac.new(secret, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """The real client (after the trusted proxy hops), as a private key: IPv4 address or IPv6 /64."""
    address = request.remote_addr or "-"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return private_key("client", address)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        address = str(ipaddress.IPv6Network((parsed, 64), strict=False))
    elif isinstance(parsed, ipaddress.IPv6Address):
        address = str(parsed.ipv4_mapped)
    return private_key("client", address)


def counters() -> RateCounters:
    counters: RateCounters = current_app.extensions["rate_counters"]
    return counters


class SharedCounterStorage(Storage):
    """A ``limits`` storage on the current app's shared counters (``archive://``).

    It holds no state of its own, so one module-level limiter serves every app in a process.
    Only the fixed-window strategy is supported.
    """

    STORAGE_SCHEME = ["archive"]

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return Exception

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return counters().add(key, expiry, amount)

    def get(self, key: str) -> int:
        return counters().count(key)

    def get_expiry(self, key: str) -> float:
        closes_at = counters().window_closes_at(key)
        return closes_at if closes_at is not None else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        return counters().clear_all()

    def clear(self, key: str) -> None:
        counters().clear(key)


limiter = Limiter(key_func=client_key, storage_uri="archive://", strategy="fixed-window", default_limits=[])


def give_back_attempt() -> None:
    """Uncount this request from every limit it was counted under (an attempt that succeeded)."""
    for counted in limiter.current_limits:
        counted.limiter.hit(counted.limit, *counted.request_args, cost=-1)


def seconds_to_wait() -> int:
    """How long a client refused by a limit must wait (at least one second)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.window.reset_time - time.time()))


def describe_wait(seconds: int) -> str:
    """How long to wait, in the visitor's language, rounded up to whole minutes ("10 minutes")."""
    return format_timedelta(timedelta(minutes=math.ceil(seconds / 60)), add_direction=False)
