"""The page cache while a writer records one event a second on items no page shows.

The archive of ``bench_visible_pages`` (2,000 items, 16 published exhibitions of 50 works,
SQLite). A writer, with its own archive on the same files (another process, as far as the
cache can tell), revises an item that hangs nowhere once a second; meanwhile one client with
the Flask test client asks for the 16 exhibition pages in turn, cache on, for ``--seconds``.
Reports the hit rate (renders counted with Flask's ``template_rendered``), the median and p99
time, and requests per second. Never asserts on time.

    .venv/bin/python tests/bench/bench_page_cache.py --data-dir /tmp/visible-bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

SECONDS = 20.0
CURATOR = "curator:bench"


def measure(data_dir: Path, seconds: float = SECONDS) -> dict[str, float]:
    from flask import template_rendered

    from web.bootstrap import open_archive
    from archive.config import Settings
    from tests.bench.bench_visible_pages import EXHIBITIONS
    from tests.bench.figures import percentile
    from web import create_app

    reader = open_archive(Settings(data_dir=data_dir))
    writer = open_archive(Settings(data_dir=data_dir))
    hung = set((data_dir / "bench-visible-ready").read_text(encoding="utf-8").split(","))
    unhung = [item for item in writer.item_ids() if str(item) not in hung]
    app = create_app({"TESTING": True, "ARCHIVE": reader, "SECRET_KEY": "bench", "ARCHIVE_DATA_DIR": str(data_dir)})
    client = app.test_client()
    renders = [0]

    def count(sender, template, context, **extra) -> None:
        if template.name == "exhibitions/show.html":
            renders[0] += 1

    template_rendered.connect(count, app)
    for e in range(EXHIBITIONS):  # warm: every page cached once
        assert client.get(f"/exhibitions/show-{e}").status_code == 200
    renders[0] = 0
    stop = threading.Event()
    written = [0]

    def write() -> None:
        while not stop.wait(1.0):
            item = unhung[written[0] % len(unhung)]
            writer.cataloguing.revise_item(item, actor=CURATOR, title={"en": f"Revised {written[0]}"})
            written[0] += 1

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    samples = []
    ends = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < ends:
        started = time.perf_counter()
        response = client.get(f"/exhibitions/show-{n % EXHIBITIONS}")
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
        n += 1
    stop.set()
    thread.join()
    reader.close()
    writer.close()
    return {
        "requests": len(samples),
        "events written": written[0],
        "hit rate": 1 - renders[0] / len(samples),
        "median ms": statistics.median(samples) * 1000,
        "p99 ms": percentile(samples, 99) * 1000,
        "requests/s": len(samples) / seconds,
    }


def report(figures: dict[str, float]) -> str:
    return "\n".join(f"  {name:16s} {value:10.3f}" for name, value in figures.items())


def test_exhibition_pages_cached_while_a_writer_records_elsewhere(tmp_path: Path) -> None:
    from tests.bench.bench_visible_pages import prepare
    from tests.bench.figures import load

    prepare(tmp_path / "var")
    print(f"\nexhibition pages, cache on, one event a second on other items ({load()}):")
    print(report(measure(tmp_path / "var", 10.0)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the archive's folder (built if empty)")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.bench.bench_visible_pages import prepare

    prepare(options.data_dir)
    print(report(measure(options.data_dir, options.seconds)))
