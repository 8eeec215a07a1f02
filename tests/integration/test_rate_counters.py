"""Rate counters shared by processes: atomic counts, windows that close, keys kept hashed."""

from __future__ import annotations

import multiprocessing

import pytest

from archive.config import Settings
from archive.credentials.rate_counters import RateCounters
from web.bootstrap import RATE_COUNTERS_FILE, open_rate_counters
from tests.conftest import Storage

SECRET = "rate-counter-test-secret"
PROCESSES, ATTEMPTS = 4, 50


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _counters(storage: Storage, clock: Clock | None = None) -> RateCounters:
    counters = open_rate_counters(storage.settings, SECRET)
    if clock is not None:
        counters._clock = clock
    return counters


def _count_in_another_process(settings: Settings, key: str, attempts: int, results) -> None:
    counters = open_rate_counters(settings, SECRET)
    try:
        results.extend([counters.add(key, 600) for _ in range(attempts)])
    finally:
        counters.close()


def test_parallel_attempts_from_several_processes_each_see_their_own_count(storage: Storage):
    _counters(storage).close()  # the table exists before the processes race to count
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.list()
        workers = [
            context.Process(target=_count_in_another_process, args=(storage.settings, "burst", ATTEMPTS, results))
            for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        counts = sorted(results)
    assert all(worker.exitcode == 0 for worker in workers)
    assert counts == list(range(1, PROCESSES * ATTEMPTS + 1)), "every attempt counted once, none lost"


def test_a_window_counts_until_it_closes_then_a_new_one_starts(storage: Storage):
    clock = Clock()
    counters = _counters(storage, clock)
    try:
        assert [counters.add("client", 600) for _ in range(3)] == [1, 2, 3]
        assert counters.count("client") == 3 and counters.window_closes_at("client") == clock.now + 600
        assert counters.count("another client") == 0 and counters.window_closes_at("another client") is None
        clock.now += 599
        assert counters.add("client", 600) == 4
        clock.now += 1
        assert counters.count("client") == 0
        assert counters.add("client", 600) == 1, "a closed window is not added to"
        assert counters.window_closes_at("client") == clock.now + 600
    finally:
        counters.close()


def test_an_attempt_given_back_lowers_the_count_but_never_below_zero(storage: Storage):
    counters = _counters(storage, Clock())
    try:
        counters.add("client", 600)
        counters.add("client", 600)
        assert counters.add("client", 600, amount=-1) == 1
        assert counters.add("client", 600, amount=-5) == 0
        assert counters.add("client", 600) == 1
        counters.clear("client")
        assert counters.count("client") == 0
    finally:
        counters.close()


def test_closed_windows_are_deleted_while_counting(storage: Storage):
    clock = Clock()
    counters = _counters(storage, clock)
    try:
        for n in range(5):
            counters.add(f"client {n}", 60)
        clock.now += 3600  # more than a window and the sweep interval
        counters.add("a later client", 60)
        assert counters.clear_all() == 1, "only the open window is left"
    finally:
        counters.close()


def test_the_sqlite_file_holds_no_key_as_given(tmp_path):
    settings = Settings(data_dir=tmp_path / "var")
    counters = open_rate_counters(settings, SECRET)
    address, code_hash = "203.0.113.77", "9f86d081884c7d659a2feaa0c55ad015"
    try:
        for _ in range(3):
            counters.add(f"LIMITER/{address}/consent.enter_code/10/10/minute", 600)
            counters.add(f"LIMITER/consent-code:{code_hash}/consent.enter_code/5/1/hour", 3600)
    finally:
        counters.close()
    stored = b"".join(path.read_bytes() for path in (tmp_path / "var").glob(RATE_COUNTERS_FILE + "*"))
    assert stored, "the counters are in the data folder"
    for secret in (address, code_hash, "consent", "LIMITER"):
        assert secret.encode() not in stored
    assert (tmp_path / "var" / RATE_COUNTERS_FILE).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("secret", ["", b""])
def test_counters_refuse_to_run_without_a_secret(tmp_path, secret):
    with pytest.raises(ValueError):
        open_rate_counters(Settings(data_dir=tmp_path / "var"), secret)
