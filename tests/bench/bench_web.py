"""Web throughput under load: gunicorn with 2 workers on the embedded SQLite default.

Run with ``make bench``. 32 concurrent connections (wrk, from Debian's packages, installed
by the bench set-up) against: a trivial route (``/healthz``, the baseline in the same run),
an exhibition page with 50 works, and the search page. Prints requests/s, the ratio to the
trivial route (goal >= 0.3) and p99 latency (goal < 150 ms). Never asserts on time.

What this measures: the page cache on (the app's default) and one URL per page, warmed
before wrk starts, with no writes, so nearly every request is a page-cache hit: it shows the
cost of serving a cached page, not of rendering one. Rendering under load, with the cache off
and item pages rotating over thousands of URLs (and the cache on while a writer records one
event a second), is measured by ``tests/bench/bench_read_side.py``; query cost by
``tests/bench/bench_search.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from archive.config import Settings
from archive.search.follower import SearchFollower
from web.bootstrap import open_archive, open_search_index
from media_store import make_sample_photo

CURATOR = "curator:bench"
WORKS = 50
CONNECTIONS = 32
DURATION = "10s"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(data_dir: Path) -> None:
    archive = open_archive(Settings(data_dir=data_dir))
    photo = make_sample_photo(9, size=(900, 600))
    contributor = archive.contributors.register_contributor(name="Bench Artist", pseudonym="Bench", actor=CURATOR)
    exhibition = archive.curation.create_exhibition(slug="fifty", actor=CURATOR, titles={"en": "Fifty works", "ru": "Пятьдесят работ"})
    for n in range(WORKS):
        item = archive.cataloguing.record_artwork(
            contributor_id=contributor, actor=CURATOR, title={"en": f"Work number {n}", "ru": f"Работа {n}"},
            year=2024, description={"en": f"A description of the silence in work {n}. " * 5},
        )
        if n % 5 == 0:
            archive.item_images.upload_image(item, photo, actor=CURATOR, alt_text={"en": f"Photo of work {n}"})
        archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit", "publish_online"],
                               attribution="pseudonym", text_version="v1")
        archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text={"en": f"Wall text {n}"})
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    index = open_search_index(Settings(data_dir=data_dir), writable=True)
    SearchFollower(archive, index).catch_up()
    index.close()
    archive.close()


def _wrk(url: str) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_raw = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(p99_raw.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_raw.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses for {url}")
    return rps, p99


def test_pages_under_32_concurrent_clients(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (make bench installs it from Debian's packages)")
    data_dir = tmp_path / "var"
    _prepare(data_dir)
    port = _free_port()
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECURE_COOKIES": "0"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:tests.bench.gunicorn_bench_conf", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "web:create_app()"],
        env=env, cwd=Path(__file__).resolve().parents[2],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path in ("/exhibitions/fifty", "/search?q=silence"):
            urllib.request.urlopen(base + path, timeout=10).read()  # warm both workers' caches
        trivial = _wrk(f"{base}/healthz")
        exhibition = _wrk(f"{base}/exhibitions/fifty")
        search = _wrk(f"{base}/search?q=silence")
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"\n--- web under load: gunicorn -w 2, SQLite, {CONNECTIONS} connections, {DURATION} each (wrk) ---\n"
        "page cache on, one URL each, no writes: page-cache hits (rendering under load, cache off, rotating\n"
        "URLs: tests/bench/bench_read_side.py)\n"
        f"trivial /healthz          : {trivial[0]:8.0f} req/s  p99 {trivial[1]:7.1f} ms\n"
        f"exhibition, {WORKS} works, hit: {exhibition[0]:8.0f} req/s  p99 {exhibition[1]:7.1f} ms  "
        f"ratio {exhibition[0] / trivial[0]:.2f} (goal >= 0.3; p99 goal < 150 ms)\n"
        f"search page, cache hit    : {search[0]:8.0f} req/s  p99 {search[1]:7.1f} ms  "
        f"ratio {search[0] / trivial[0]:.2f} (goal >= 0.3; p99 goal < 150 ms)"
    )
