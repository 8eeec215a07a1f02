"""The in-memory key table the tests use is as safe across threads as the real ones."""

from __future__ import annotations

import threading
import time
from uuid import uuid4

from tests.fakes import InMemoryKeyStore

HAMMER_SECONDS = 1.0


def test_pending_work_can_be_listed_while_another_thread_notes_and_forgets_it():
    """A withdrawal's background media deletion forgets its note while a request lists what
    is pending; the listing must neither fail nor see a half-made change."""
    keys = InMemoryKeyStore()
    standing = [uuid4() for _ in range(2_000)]  # a long table, so that a listing takes a while
    keys.shred(*standing, media_of=standing)
    # Made beforehand: making an id reads the system's randomness, which lets the other thread
    # run only there, never between noting and forgetting.
    churn = [uuid4() for _ in range(1_000)]
    failures: list[BaseException] = []
    stop = threading.Event()

    def note_and_forget() -> None:
        try:
            while not stop.is_set():
                for subject in churn:
                    keys.shred(subject, media_of=[subject])
                    keys.media_deleted(subject)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    writer = threading.Thread(target=note_and_forget)
    writer.start()
    listings = 0
    try:
        deadline = time.monotonic() + HAMMER_SECONDS
        while time.monotonic() < deadline:
            pending = keys.pending_media_deletions()
            assert set(standing) <= set(pending) and len(pending) - len(standing) <= 1
            assert keys.abandoned_reservations(older_than=0) == []
            listings += 1
    finally:
        stop.set()
        writer.join()
    assert failures == [] and listings > 0
    assert set(keys.pending_media_deletions()) == set(standing)
