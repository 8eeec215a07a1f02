"""Settling the keys reserved ahead: after a bulk import, tens of thousands of reservations can
come due at once, and every process settles them when it opens the archive."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from archive.services.application import ExhibitionArchive


class _Counted(UUID):
    """A subject id that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _Counted.compared += 1
        return super().__eq__(other)

    __hash__ = UUID.__hash__


def test_settling_many_abandoned_reservations_compares_each_subject_a_few_times(
    archive: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch
):
    """Sorting 2,000 due reservations into used and unused takes about one comparison each, not
    one per pair: 50,300 of them (a bench archive opened half an hour after its import) kept a
    worker from starting for minutes when the used ones were kept in a list."""
    subjects = [_Counted(int=uuid4().int) for _ in range(2_000)]
    used = set(subjects[::2])
    settled: list[UUID] = []
    shredded: list[UUID] = []
    monkeypatch.setattr(archive.keys, "abandoned_reservations", lambda older_than=None: list(subjects))
    monkeypatch.setattr(archive.keys, "reservations_used", lambda *ids: settled.extend(ids))
    monkeypatch.setattr(archive.keys, "shred", lambda *ids, media_of=(): shredded.extend(ids) or True)
    monkeypatch.setattr(archive, "recorded_among", lambda subjects: {s for s in subjects if s in used})
    _Counted.compared = 0

    assert archive.consent.shred_abandoned_reservations() == 1_000

    assert set(settled) == used and len(settled) == 1_000
    assert shredded == subjects[1::2]
    assert _Counted.compared < 10 * len(subjects), _Counted.compared
