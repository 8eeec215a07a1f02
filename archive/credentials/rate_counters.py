"""Attempt counters shared by every process and host: the rate-limit port.

Counters are *fixed windows*: the first attempt under a key opens a window of
``window_seconds``; every attempt until it closes adds to the same count, and the next one
after it opens a new window. Adding and reading the new count is one atomic statement in the
backend, so each of many parallel attempts (in any process, on any host) sees its own count:
an attempt is counted *before* it is evaluated, and a burst cannot overrun a limit.

Keys are never stored as given. The table holds an HMAC of each key under the deployment's
secret, so a client address or a tried consent code cannot be read back from it, and rows
whose window has closed are deleted (at most once a minute per process, while counting).
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import threading
import time
from collections.abc import Callable

#: How often one process deletes the rows of closed windows, at most.
SWEEP_SECONDS = 60.0


class RateCounters(abc.ABC):
    """Fixed-window counters under keyed-hash keys; backends implement a few row operations."""

    def __init__(self, secret: str | bytes, clock: Callable[[], float] = time.time):
        self._secret = secret.encode() if isinstance(secret, str) else secret
        if not self._secret:
            raise ValueError("Rate counters need a secret to hash their keys with.")
        self._clock = clock
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()

    # -- backend row operations ----------------------------------------------------------

    @abc.abstractmethod
    def _add(self, digest: bytes, amount: int, now: float, closes_at: float) -> int:
        """Atomically add ``amount`` (never below zero) to the open window's count and return it;
        if the row's window closed at or before ``now``, start a new one closing at ``closes_at``."""

    @abc.abstractmethod
    def _get(self, digest: bytes) -> tuple[int, float] | None:
        """The row's count and the time its window closes, or None."""

    @abc.abstractmethod
    def _delete(self, digest: bytes) -> None:
        """Delete one row."""

    @abc.abstractmethod
    def _delete_closed(self, now: float) -> int:
        """Delete every row whose window closed at or before ``now``; return how many."""

    @abc.abstractmethod
    def _delete_all(self) -> int:
        """Delete every row; return how many."""

    def close(self) -> None:
        """Release connections."""

    # -- public interface ----------------------------------------------------------------

    def add(self, key: str, window_seconds: float, amount: int = 1) -> int:
        """Count ``amount`` attempts under ``key`` (a negative amount gives attempts back) and
        return the count in the key's open window, this attempt included."""
        now = self._clock()
        count = self._add(self._digest(key), amount, now, now + window_seconds)
        self._sweep(now)
        return count

    def count(self, key: str) -> int:
        """The count in the key's open window (0 if none is open)."""
        row = self._get(self._digest(key))
        return row[0] if row is not None and row[1] > self._clock() else 0

    def window_closes_at(self, key: str) -> float | None:
        """When the key's open window closes (seconds since the epoch), or None if none is open."""
        row = self._get(self._digest(key))
        return row[1] if row is not None and row[1] > self._clock() else None

    def clear(self, key: str) -> None:
        """Forget the key's count."""
        self._delete(self._digest(key))

    def clear_all(self) -> int:
        """Forget every count; return how many keys had one."""
        return self._delete_all()

    # -- helpers ---------------------------------------------------------------------------

    def _digest(self, key: str) -> bytes:
        return hmac.new(self._secret, key.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def _sweep(self, now: float) -> None:
        with self._sweep_lock:
            if now < self._next_sweep:
                return
            self._next_sweep = now + SWEEP_SECONDS
        self._delete_closed(now)
