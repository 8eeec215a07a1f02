"""Recording throughput with per-subject encryption, and exhibition load times.

Run with ``make bench``. Prints figures; never asserts on time.

1. Throughput of ``archive.cataloguing.record_testimony`` (a data key created and wrapped,
   content encrypted, the event saved) as a ratio to a plain eventsourcing application that
   saves the same events, unencrypted, to the same kind of storage (SQLite files in a temp
   folder, through the archive's persistence module: ``web.bootstrap.persistence_env``), in
   the same run. Goal: at least 0.5.
2. Time to load an exhibition with 1,000 events, with and without snapshots.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from archive.services.application import ExhibitionArchive
from archive.config import Settings
from domain.items import testimony_details as make_testimony_details
from web.bootstrap import open_archive, persistence_env

RECORDS = 1000
ROUNDS = 5
CURATOR = "curator:bench"


class PlainTestimony(Aggregate):
    """The same event shape as ``Testimony.Recorded``, with the content in plain text."""

    class Recorded(Aggregate.Created):
        actor: str
        contributor_id: UUID
        details: dict[str, Any]


class PlainArchive(Application):
    name = "plain_archive"

    def record_testimony(self, *, contributor_id: UUID, actor: str, **details: Any) -> UUID:
        item = PlainTestimony._create(
            PlainTestimony.Recorded,
            id=uuid4(),
            actor=actor,
            contributor_id=contributor_id,
            details=make_testimony_details(**details),
        )
        self.save(item)
        return item.id


def _details(n: int) -> dict[str, Any]:
    return {
        "text": {"ru": f"Свидетельство номер {n}. " + "Долгие годы молчания в нашей квартире. " * 20},
        "language": "ru",
        "content_note": {"en": "Mentions domestic violence."},
    }


def _throughput(record: Any, contributor_id: UUID) -> float:
    started = time.perf_counter()
    for n in range(RECORDS):
        record(contributor_id=contributor_id, actor=CURATOR, **_details(n))
    return RECORDS / (time.perf_counter() - started)


def test_recording_throughput_ratio(tmp_path: Path) -> None:
    archived, plain = [], []
    for round_ in range(ROUNDS):
        archive = open_archive(Settings(data_dir=tmp_path / f"archive-{round_}"))
        contributor = archive.contributors.register_contributor(name="Bench Person", actor=CURATOR)
        archived.append(_throughput(archive.cataloguing.record_testimony, contributor))
        archive.close()

        plain_dir = tmp_path / f"plain-{round_}"
        plain_dir.mkdir()
        baseline = PlainArchive(env=persistence_env(Settings(data_dir=plain_dir)))  # the archive's own SQLite
        plain.append(_throughput(baseline.record_testimony, uuid4()))
        baseline.close()

    a, p = statistics.median(archived), statistics.median(plain)
    ratios = [x / y for x, y in zip(archived, plain)]
    print(
        "\n--- recording throughput (SQLite, same run, median of "
        f"{ROUNDS} rounds of {RECORDS} testimonies) ---\n"
        f"archive with encryption : {a:8.0f} records/s\n"
        f"plain eventsourcing app : {p:8.0f} records/s\n"
        f"ratio archive / plain   : {statistics.median(ratios):8.2f}   (median of per-round ratios; goal >= 0.5)\n"
        f"per-round ratios        : {', '.join(f'{r:.2f}' for r in ratios)}"
    )


class UnsnapshottedArchive(ExhibitionArchive):
    """The same application reading the same storage, but never using snapshots."""

    snapshotting_intervals = {}


def test_exhibition_load_time_with_and_without_snapshots(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    exhibition_id = archive.curation.create_exhibition(slug="thousand", actor=CURATOR, titles={"en": "Thousand"})
    for n in range(999):
        archive.curation.revise_exhibition(exhibition_id, actor=CURATOR, venue={"en": f"Room {n}"})
    assert archive.get_exhibition(exhibition_id).version == 1000
    env = {k: v for k, v in archive.env.items() if k != "IS_SNAPSHOTTING_ENABLED"}
    plain = UnsnapshottedArchive(archive.keys, env, sessions=archive.sessions)  # not closed: shares the sessions
    assert plain.snapshots is None

    def timed(load: Any) -> float:
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            exhibition = load(exhibition_id)
            samples.append(time.perf_counter() - started)
            assert exhibition.version == 1000
        return statistics.median(samples) * 1000

    with_snapshots = timed(archive.get_exhibition)
    without = timed(plain.get_exhibition)
    print(
        "\n--- loading an exhibition with 1,000 events (SQLite, median of 20) ---\n"
        f"with snapshots (every 50)  : {with_snapshots:7.2f} ms\n"
        f"without snapshots          : {without:7.2f} ms\n"
        f"speed-up                   : {without / with_snapshots:7.1f}x"
    )
    archive.close()
