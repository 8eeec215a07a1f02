"""Issue 14's read-side figures: public pages under load, and curator pages as the archive grows.

Run with ``make bench`` (or only this file: ``.venv/bin/python -m pytest
tests/bench/bench_read_side.py -s -o python_files="bench_*.py" -p no:cacheprovider``).
Prints figures and whether each goal is met; never asserts on time.

The scenario: ``BENCH_READ_SIDE_ITEMS`` items (default 50,000) by 500 contributors, 20
published exhibitions of 50 works (see ``read_side_archive``; the archive is built once and
cached under ``var/bench/``: the first run at 50,000 items takes a long time).

1. Public pages, gunicorn with 2 workers and the deployment's hooks (``gunicorn_bench_conf``)
   on the embedded SQLite files, wrk with 32 connections
   for ``BENCH_WRK_SECONDS`` (10) each, every figure as a ratio to ``/healthz`` of the same app
   in the same run, measured just before and just after the page (their mean, so that a change
   in what else runs on this shared machine moves both alike): item pages rotating over about 3,000 URLs the way a crawler visits them,
   an exhibition page of 50 works, home, ``/exhibitions`` and ``/api/v1/exhibitions``, all with
   the page cache off (``PAGE_CACHE=False``); then the exhibition page with the page cache on
   while a writer, another connection to the same data folder, records one consent a second.
   Every wrk run has a fresh server (stopped within 2 s after it), so requests left queued by one
   run never eat the next one's time. A page that answers slower than the run is long shows
   "no answer"; wrk counts requests slower than 30 s (gunicorn's worker timeout) as timeouts.
2. Curator pages with the Flask test client, logged in as a curator, at 5,000 items
   (``BENCH_READ_SIDE_SMALL``) and at ``BENCH_READ_SIDE_ITEMS``: p95 of each page and the growth exponent
   ``log(t_big / t_5k) / log(big / 5k)`` (1 is linear; the goal is below 0.2). Both archives
   are open at once and their requests for a page alternate, so that a burst of other work on
   this shared machine lands on both scales' samples alike instead of on one scale's p95 (timed
   one scale after the other, the same contributor page measured exponents from 0.01 to 0.31 in
   three runs of one code). Once the apps are built, the garbage collector is set up as in a gunicorn worker after boot
   (``web.gunicorn_conf.post_worker_init``: what the app holds frozen, a higher young
   threshold), and put back after, so that a page's p95 is the page, not the pytest process's
   collections of a heap no worker has.
"""

from __future__ import annotations

import gc
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from archive.config import Settings
from web.bootstrap import open_archive
from web.gunicorn_conf import post_worker_init
from tests.bench.figures import load, percentile
from tests.bench.read_side_archive import CURATOR, CURATOR_NAME, CURATOR_PASSWORD, BuiltArchive, built_archive, working_copy

ITEMS = int(os.environ.get("BENCH_READ_SIDE_ITEMS") or 50_000)
SMALL = int(os.environ.get("BENCH_READ_SIDE_SMALL") or 5_000)
CONNECTIONS = 32
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS") or 10)
CURATOR_SAMPLES = 200  # per page and scale, fewer if a page is slow: see _time_in_turns
CURATOR_BUDGET_SECONDS = 15.0
ROOT = Path(__file__).resolve().parents[2]

ROTATE_LUA = """
local paths = {}
local counter = 0
local threads = 0

setup = function(thread)
  thread:set("offset", threads * 997)
  threads = threads + 1
end

init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = offset or 0
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


@dataclass(frozen=True)
class Load:
    """What wrk measured for one URL (or one rotation of URLs)."""

    rps: float
    p99_ms: float
    requests: int
    errors: str  # non-2xx/3xx answers and socket errors, or ""


@dataclass(frozen=True)
class Row:
    what: str
    load: Load
    baseline: Load
    ratio_goal: float
    p99_goal_ms: float | None = None

    @property
    def ratio(self) -> float:
        return self.load.rps / self.baseline.rps

    @property
    def met(self) -> bool:
        return self.ratio >= self.ratio_goal and (self.p99_goal_ms is None or self.load.p99_ms < self.p99_goal_ms)

    def line(self) -> str:
        goal = f">= {self.ratio_goal:g}" + (f", p99 < {self.p99_goal_ms:g} ms" if self.p99_goal_ms else "")
        return (
            f"{self.what:<44} {self.load.rps:9.1f} {self.baseline.rps:9.1f} {self.ratio:7.3f} "
            f"{f'{self.load.p99_ms:10.1f}' if self.load.requests else 'no answer':>10}  "
            f"{goal:<22} {'MET' if self.met else 'NOT MET'}"
            + (f"  ({self.load.errors})" if self.load.errors else "")
        )


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuiltArchive, Path]:
    built = built_archive(ITEMS)
    return built, working_copy(built, tmp_path_factory.mktemp("read-side-big"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(url: str, script: Path | None = None, *script_args: Path) -> Load:
    options = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WRK_SECONDS}s", "--timeout", "30s", "--latency", *options, url,
         *(["--", *map(str, script_args)] if script_args else [])],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", out)
    errors = [f"{m.group(1)} non-2xx" for m in [re.search(r"Non-2xx or 3xx responses: (\d+)", out)] if m]
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors.append("socket errors: " + socket_errors.group(1))
    return Load(rps, _seconds(*p99.groups()) if p99 else float("nan"), requests, "; ".join(errors))


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]


@contextmanager
def _gunicorn(data_dir: Path, app: str) -> Iterator[Server]:
    port = _free_port()
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECURE_COOKIES": "0"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "python:tests.bench.gunicorn_bench_conf", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--graceful-timeout", "2", "--log-level", "warning", app], env=env, cwd=ROOT,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{server.base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()  # within --graceful-timeout; requests still queued are dropped
        process.wait(30)


def _warm(server: Server, *paths: str) -> None:
    """Each path twice (gunicorn's two workers), so imports, templates and snapshots are warm."""
    for path in paths:
        for _ in range(2):
            try:
                urllib.request.urlopen(server.base + path, timeout=120).read()
            except OSError as error:  # e.g. a worker killed by gunicorn's 30 s timeout: measured anyway
                print(f"  warning: warming {path} failed: {error}")


class Writer(threading.Thread):
    """Records one consent a second through its own connection to the same data folder."""

    def __init__(self, data_dir: Path, item_ids: list[str]):
        super().__init__(daemon=True)
        self.data_dir, self.item_ids = data_dir, item_ids
        self.stop = threading.Event()
        self.written = 0
        self.failed: list[str] = []

    def run(self) -> None:
        archive = open_archive(Settings(data_dir=self.data_dir))
        try:
            for item_id in self.item_ids:
                started = time.monotonic()
                try:
                    archive.consent.record_consent(UUID(item_id), actor=CURATOR, scopes=["exhibit", "publish_online"],
                                           attribution="pseudonym", text_version="v1")
                    self.written += 1
                except Exception as error:  # noqa: BLE001 -- reported with the figures
                    self.failed.append(repr(error))
                if self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started))):
                    break
        finally:
            archive.close()


def _between(*runs: Load) -> Load:
    """The mean of runs of ``/healthz``: a page's baseline from the runs just before and after it."""
    return Load(
        rps=sum(run.rps for run in runs) / len(runs),
        p99_ms=max(run.p99_ms for run in runs),
        requests=sum(run.requests for run in runs),
        errors="; ".join(run.errors for run in runs if run.errors),
    )


def _machine() -> str:
    return f"{os.cpu_count()} CPUs shared with other work, {load()}"


def test_public_pages_under_32_concurrent_clients(big: tuple[BuiltArchive, Path], tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (make bench installs it from Debian's packages)")
    built, data_dir = big
    rotation = tmp_path / "item-paths.txt"
    rotation.write_text("".join(f"/items/{item_id}\n" for item_id in built.public_item_ids))
    script = tmp_path / "rotate.lua"
    script.write_text(ROTATE_LUA)
    exhibition = f"/exhibitions/{built.exhibition_slugs[0]}"
    rows: list[Row] = []

    cache_off, cache_on = 'web:create_app({"PAGE_CACHE": False})', "web:create_app()"

    def measure(app: str, path: str, *rotating: Path) -> Load:
        # A fresh server for every run: requests still queued from the run before (32 of them,
        # seconds each on a slow page) would otherwise be served first and eat this run's time.
        with _gunicorn(data_dir, app) as server:
            _warm(server, *(rotation.read_text().split()[:2] if rotating else [path]))
            return _wrk(server.base + path, *rotating)

    # Each page between two runs of /healthz, its baseline their mean: the machine is shared, and
    # a baseline measured minutes before a page (as it was) moved its ratio with whatever else ran.
    pages = [
        (f"item pages, rotating over {len(built.public_item_ids)}, cache off", "/", (script, rotation), 0.15, 100),
        ("exhibition page, 50 works, cache off", exhibition, (), 0.1, 150),
        *((f"{path}, cache off", path, (), 0.15, None) for path in ("/", "/exhibitions", "/api/v1/exhibitions")),
    ]
    before = measure(cache_off, "/healthz")
    baselines = [before]
    for what, path, rotating, ratio_goal, p99_goal in pages:
        load = measure(cache_off, path, *rotating)
        after = measure(cache_off, "/healthz")
        baselines.append(after)
        rows.append(Row(what, load, _between(before, after), ratio_goal, p99_goal))
        before = after
    healthz = _between(*baselines)
    rows.insert(0, Row(f"/healthz (cache off, mean of {len(baselines)}, worst p99)", healthz, healthz, 1.0))

    healthz_before = measure(cache_on, "/healthz")
    writer = Writer(data_dir, built.writer_item_ids)
    with _gunicorn(data_dir, cache_on) as server:
        _warm(server, exhibition)
        writer.start()
        try:
            cached = _wrk(server.base + exhibition)
        finally:
            writer.stop.set()
            writer.join(30)
    healthz = _between(healthz_before, measure(cache_on, "/healthz"))
    rows.append(Row("/healthz (cache on, mean of 2, worst p99)", healthz, healthz, 1.0))
    rows.append(Row("exhibition page, cache on, 1 write/s", cached, healthz, 0.3))

    print(
        f"\n--- read side, public pages: {built.items} items, 20 published exhibitions of 50 works, 500 contributors; "
        f"gunicorn -w 2, SQLite, wrk {CONNECTIONS} connections, {WRK_SECONDS} s each ---\n"
        f"{_machine()}; archive built in {built.build_seconds} s (cached in {built.folder.parent})\n"
        f"writer during the cache-on row: {writer.written} consents recorded"
        + (f", {len(writer.failed)} failed: {writer.failed[:3]}" if writer.failed else "") + "\n"
        f"{'what':<44} {'req/s':>9} {'healthz':>9} {'ratio':>7} {'p99 ms':>10}  {'goal':<22} met\n"
        + "\n".join(row.line() for row in rows)
    )


# -- curator pages -------------------------------------------------------------------------


CURATOR_PAGES = (
    ("dashboard", "/curate/"),
    ("contributors list", "/curate/contributors"),
    ("contributor page (1 of 500)", "/curate/contributors/{contributor}"),
    ("consent overview", "/curate/consent"),
    ("exhibition editor", "/curate/exhibitions/{exhibition}"),
    ("new artwork form", "/curate/artworks/new"),
    ("new testimony form", "/curate/testimonies/new"),
)


def _logged_in_client(data_dir: Path):  # noqa: ANN202 -- a Flask test client
    from web import create_app

    app = create_app({"ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECURE_COOKIES": "0"})
    client = app.test_client()
    form = client.get("/curate/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/curate/login", data={"csrf_token": token, "username": CURATOR_NAME, "password": CURATOR_PASSWORD})
    assert answer.status_code == 302, "the bench curator could not log in"
    return app, client


def _time_in_turns(pages: dict[int, tuple[Any, str]]) -> dict[int, tuple[list[float], int]]:
    """Seconds per request of each scale's page (``{size: (client, path)}``) after one warm-up
    each, the scales taking turns request by request (their order swapped every round), so that
    whatever else the machine does falls on every scale alike: up to CURATOR_SAMPLES each, at
    least 3, within the budget (CURATOR_BUDGET_SECONDS for each scale); only the warm-ups if
    one took longer than its whole budget. Also the worst status each scale answered."""
    statuses, warm_ups = {}, {}
    for size, (client, path) in pages.items():
        before = time.perf_counter()
        statuses[size] = client.get(path).status_code
        warm_ups[size] = time.perf_counter() - before
    if max(warm_ups.values()) > CURATOR_BUDGET_SECONDS:
        return {size: ([warm_ups[size]], statuses[size]) for size in pages}  # too slow: n=1
    samples: dict[int, list[float]] = {size: [] for size in pages}
    order = list(pages)
    started = time.perf_counter()
    taken = 0
    budget = CURATOR_BUDGET_SECONDS * len(pages)
    while taken < CURATOR_SAMPLES and (taken < 3 or time.perf_counter() - started < budget):
        for size in order:
            client, path = pages[size]
            before = time.perf_counter()
            response = client.get(path)
            response.get_data()
            samples[size].append(time.perf_counter() - before)
            statuses[size] = max(statuses[size], response.status_code)
        order.reverse()
        taken += 1
    return {size: (samples[size], statuses[size]) for size in pages}


@contextmanager
def _collector_as_in_a_worker() -> Iterator[None]:
    """The garbage collector as a gunicorn worker sets it up once booted, then as it was."""
    threshold = gc.get_threshold()
    post_worker_init(None)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _curator_figures(scales: dict[int, tuple[BuiltArchive, Path]]) -> dict[int, dict[str, tuple[float, int, int]]]:
    """p95 seconds, sample count and worst status of each curator page, at each scale
    (``{size: (built archive, its working copy)}``), the scales timed in turns."""
    apps = {size: _logged_in_client(data_dir) for size, (_, data_dir) in scales.items()}
    try:
        figures: dict[int, dict[str, tuple[float, int, int]]] = {size: {} for size in scales}
        with _collector_as_in_a_worker():
            for name, pattern in CURATOR_PAGES:
                pages = {
                    size: (apps[size][1], pattern.format(contributor=built.busiest_contributor_id, exhibition=built.exhibition_slugs[0]))
                    for size, (built, _) in scales.items()
                }
                for size, (samples, status) in _time_in_turns(pages).items():
                    figures[size][name] = (percentile(samples, 95), len(samples), status)
        return figures
    finally:
        for app, _ in apps.values():
            app.extensions["archive"].close()


def test_curator_pages_as_the_archive_grows(big: tuple[BuiltArchive, Path], tmp_path: Path) -> None:
    archives = {ITEMS: big}
    if ITEMS != SMALL:
        small = built_archive(SMALL)
        archives[SMALL] = (small, working_copy(small, tmp_path))
    scales = _curator_figures(archives)
    sizes = sorted(scales)
    header = "".join(f"{f'p95 @ {size:,}':>16}" for size in sizes)
    lines = []
    for name, _ in CURATOR_PAGES:
        cells = "".join(f"{scales[size][name][0] * 1000:13.1f} ms" for size in sizes)
        p95_big = scales[sizes[-1]][name][0]
        if len(sizes) > 1:
            exponent = math.log(p95_big / scales[sizes[0]][name][0]) / math.log(sizes[-1] / sizes[0])
            met = p95_big < 0.1 and exponent < 0.2
            growth = f"{exponent:9.2f}"
        else:
            met, growth = p95_big < 0.1, f"{'-':>9}"
        counts = "/".join(str(scales[size][name][1]) for size in sizes)
        statuses = {scales[size][name][2] for size in sizes} - {200}
        lines.append(
            f"{name:<38}{cells}{growth}   {'MET' if met else 'NOT MET':<8} n={counts}"
            + (f"  (HTTP {sorted(statuses)})" if statuses else "")
        )
    print(
        f"\n--- read side, curator pages: Flask test client, logged in; p95 over up to {CURATOR_SAMPLES} requests "
        f"(at least 3, {CURATOR_BUDGET_SECONDS:g} s budget) after one warm-up, or the warm-up alone (n=1) if it took longer; "
        "the scales take turns request by request ---\n"
        f"{_machine()}\n"
        f"{'page':<38}{header}{'exponent':>9}   goal: p95 < 100 ms at the largest scale, exponent < 0.2\n"
        + "\n".join(lines)
    )
