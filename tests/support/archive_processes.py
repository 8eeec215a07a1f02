"""Archives opened in other, real processes at the same moment, for the key table's race tests.

Each worker runs in a process started with the ``spawn`` method (sharing nothing with the test
but what it is passed), waits at a barrier so that the processes really act at once, and
returns plain values. A worker that finishes its part early can hand the test a note and keep
its archive open until the test has checked the stores (``Sync``), so that checks run while
every process still holds the tables open.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archive.config import Settings
from web.bootstrap import open_archive

CURATOR = "curator:race-test"
#: How long the processes are given to finish, altogether.
TIMEOUT_SECONDS = 120.0
SPAWN = multiprocessing.get_context("spawn")


@dataclass
class Sync:
    """What the processes of one run share: the start barrier, a note from the worker that
    finished its part (``done``), and ``checked``, set once the test has looked."""

    barrier: Any
    notes: Any
    done: Any
    checked: Any


def run_at_once(
    settings: Settings, *calls: tuple[Any, ...], while_open: Callable[[Any], None] | None = None
) -> list[Any]:
    """Run each ``(worker, *args)`` as ``worker(settings, sync, *args)`` in a process of its own,
    all released together; their results in order.

    With ``while_open``, it is called with the note of the worker that set ``done``, while
    every process still has its archive open. An error in any process is raised here as an
    AssertionError carrying that process's traceback.
    """
    sync = Sync(SPAWN.Barrier(len(calls)), SPAWN.Queue(), SPAWN.Event(), SPAWN.Event())
    if while_open is None:
        sync.checked.set()
    results = SPAWN.Queue()
    processes = [
        SPAWN.Process(target=_report, args=(n, results, worker, settings, sync, *args), daemon=True)
        for n, (worker, *args) in enumerate(calls)
    ]
    for process in processes:
        process.start()
    collected: dict[int, Any] = {}
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        if while_open is not None:
            while not sync.done.wait(0.1):
                _collect(results, collected, deadline, block=False)
            try:
                while_open(sync.notes.get(timeout=10))
            finally:
                sync.checked.set()
        while len(collected) < len(processes):
            _collect(results, collected, deadline, block=True)
    finally:
        sync.checked.set()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return [collected[n] for n in range(len(processes))]


def _collect(results: Any, collected: dict[int, Any], deadline: float, *, block: bool) -> None:
    if time.monotonic() > deadline:
        raise AssertionError(f"the processes did not finish within {TIMEOUT_SECONDS:.0f} s")
    try:
        n, ok, value = results.get(timeout=max(0.1, deadline - time.monotonic())) if block else results.get_nowait()
    except queue.Empty:
        return
    if not ok:
        raise AssertionError(f"process {n} failed:\n{value}")
    collected[n] = value


def _report(n: int, results: Any, worker: Any, *args: Any) -> None:
    try:
        results.put((n, True, worker(*args)))
    except BaseException:  # noqa: BLE001 - reported to the test, which fails with it
        results.put((n, False, traceback.format_exc()))


def open_and_record(settings: Settings, sync: Sync, name: str) -> dict[str, Any]:
    """Open the (perhaps not yet created) archive at the barrier, register a contributor, and
    return the master key id this process uses and the contributor's id."""
    sync.barrier.wait()
    archive = open_archive(settings)
    try:
        contributor = archive.contributors.register_contributor(name=name, actor=CURATOR)
        return {"master_key_id": archive.keys._master.key_id, "contributor": str(contributor)}
    finally:
        archive.close()


def record_and_shred(settings: Settings, sync: Sync, rounds: int) -> None:
    """Record an item and withdraw every other one, ``rounds`` times, while others read; then,
    still open, note the ids kept, and the ids and wrapped keys (hex) of those shredded."""
    archive = open_archive(settings)
    try:
        contributor = archive.contributors.register_contributor(name="Writer Process", actor=CURATOR)
        sync.barrier.wait()
        kept, shredded, wrapped = [], [], []
        for n in range(rounds):
            item = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": f"Work {n}"})
            if n % 2:
                [row] = [row for row in archive.keys._rows() if row[0] == item]
                archive.consent.withdraw(item, actor=CURATOR)
                shredded.append(str(item))
                wrapped.append(row[1].hex())
            else:
                kept.append(str(item))
        sync.notes.put({"kept": kept, "shredded": shredded, "wrapped": wrapped})
        sync.done.set()
        sync.checked.wait(TIMEOUT_SECONDS)
    finally:
        archive.close()


def read_keys_meanwhile(settings: Settings, sync: Sync) -> dict[str, int]:
    """Read every key in the table, again and again, until the test has checked the stores;
    how many keys were read, and in how many passes."""
    archive = open_archive(settings)
    try:
        sync.barrier.wait()
        read = passes = 0
        while not sync.checked.is_set():
            for subject_id, _, _ in archive.keys._rows():
                if archive.keys.get(subject_id) is not None:
                    read += 1
            passes += 1
        return {"read": read, "passes": passes}
    finally:
        archive.close()
