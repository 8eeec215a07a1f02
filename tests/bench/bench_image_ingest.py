"""Benchmark: ``PillowImagePipeline.ingest`` on a 24-megapixel JPEG, against bare Pillow.

Run with ``pytest tests/bench/bench_image_ingest.py -s``. Never part of the normal suite and
never asserts on time; it prints one block of numbers. Goals: ingest/baseline ratio ≤ 1.5 and
peak memory of one ingest < 400 MB (measured as ru_maxrss in a fresh subprocess).

The baseline is the best plain use of Pillow doing the same work: the same draft decode (libjpeg
scales by 1/2 while decoding, never below the largest derivative), the same cascade (large from
the decoded image, display from large, thumb from display, Lanczos) and the same six encodings
at the same sizes (checked). It leaves out only what ingest does beyond the pixels: checks,
orientation, colour conversion, metadata stripping. Each is timed twice: its first run in a
fresh interpreter (codecs not yet loaded; the median of ``FIRST_RUNS`` interpreters) and warm
(the median of ``RUNS`` in this process). The two take turns, run by run, so that other work on
the machine slows both alike.
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

from media_store import PillowImagePipeline
from media_store.images import JPEG_OPTIONS, SIZES, WEBP_OPTIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_SIZE = (6000, 4000)
RUNS = 5
FIRST_RUNS = 3


def textured_jpeg(size: tuple[int, int] = SOURCE_SIZE) -> bytes:
    """A photo-like 24 MP JPEG: gradients, shapes and per-channel grain (not trivially compressible)."""
    width, height = size
    channels = []
    for band, (angle, sigma) in enumerate(((20, 40), (-35, 32), (80, 48))):
        gradient = Image.linear_gradient("L").rotate(angle).resize(size, Image.Resampling.BILINEAR)
        grain = Image.effect_noise(size, sigma)
        channels.append(Image.blend(gradient, grain, 0.45 + 0.05 * band))
    image = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 977) % width, (i * 613) % height
        r = 150 + (i * 131) % 600
        draw.ellipse((x - r, y - r, x + r, y + r), outline=((i * 50) % 256, 90, 200 - i * 4), width=12)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, long_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def bare_pillow_baseline(data: bytes) -> list[tuple[int, int, bytes]]:
    """Draft-decode, resize large → display → thumb (each from the previous), encode six.

    Returns (width, height, bytes) of each encoding, WebP then JPEG, largest size first.
    """
    with Image.open(io.BytesIO(data)) as image:
        full_size = image.size
        image.draft("RGB", _fit(full_size, SIZES[0][1]))
        image.load()
        current: Image.Image = image
        outputs = []
        for index, (_name, long_side) in enumerate(SIZES):
            size = _fit(full_size, long_side)
            if current.size != size:
                current = current.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0 if index == 0 else None)
            for fmt, options in (("WEBP", WEBP_OPTIONS), ("JPEG", JPEG_OPTIONS)):
                buffer = io.BytesIO()
                current.save(buffer, format=fmt, **options)
                outputs.append((*current.size, buffer.getvalue()))
        return outputs


def _whole_upload(pipeline: PillowImagePipeline):
    """``archive.item_images.upload_image`` on in-memory storage: everything but storage latency."""
    from tests.fakes import InMemoryMediaStore, in_memory_archive

    archive = in_memory_archive(
        media=InMemoryMediaStore(), images=pipeline,
    )
    contributor = archive.contributors.register_contributor(name="Bench", actor="curator:bench")
    item = archive.cataloguing.record_artwork(contributor_id=contributor, actor="curator:bench", title={"en": "Bench"})
    return lambda data: archive.item_images.upload_image(item, data, actor="curator:bench", alt_text={"en": "bench"})


def _taking_turns(first, second, runs: int = RUNS) -> tuple[list[float], list[float]]:
    """Seconds of ``runs`` calls of each, alternating which goes first."""
    timings: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        for which in (0, 1) if run % 2 == 0 else (1, 0):
            started = time.perf_counter()
            (first, second)[which]()
            timings[which].append(time.perf_counter() - started)
    return timings


def _median_seconds(function, data: bytes) -> tuple[float, list[float]]:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function(data)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), timings


_PEAK_SCRIPT = """
import resource, sys, time
sys.path.insert(0, {bench_dir!r})
from PIL import Image
from media_store import PillowImagePipeline
from bench_image_ingest import bare_pillow_baseline

def vm_hwm_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    except OSError:
        return 0

after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
after_import_hwm = vm_hwm_kb()
data = open({path!r}, "rb").read()
started = time.perf_counter()
if {which!r} == "ingest":
    PillowImagePipeline().ingest(data)
else:
    bare_pillow_baseline(data)
elapsed = time.perf_counter() - started
print(after_import, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, after_import_hwm, vm_hwm_kb(), elapsed)
"""


def first_run(path: Path, which: str) -> tuple[float, float, float, float]:
    """Peak RSS (MB) and time (s) of one run in a fresh interpreter: its first run.

    Returns (ru_maxrss peak minus ru_maxrss after imports, absolute ru_maxrss, the same delta
    from /proc VmHWM as a cross-check, seconds of the run). Linux carries a process's ru_maxrss across ``exec``
    from the address space it replaces, so a child spawned straight from this (large) pytest
    process would report pytest's peak. Going through ``sh``, which *forks* the interpreter
    from its own tiny address space, gives the child a clean ru_maxrss.
    """
    script = _PEAK_SCRIPT.format(path=str(path), which=which, bench_dir=str(Path(__file__).parent))
    result = subprocess.run(
        ["/bin/sh", "-c", '"$0" -c "$1"; exit $?', sys.executable, script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    *memory, elapsed = result.stdout.split()
    after_import_kb, peak_kb, after_import_hwm_kb, peak_hwm_kb = (int(v) for v in memory)
    return (peak_kb - after_import_kb) / 1024, peak_kb / 1024, (peak_hwm_kb - after_import_hwm_kb) / 1024, float(elapsed)


def test_bench_ingest_of_a_24_megapixel_jpeg(tmp_path: Path) -> None:
    data = textured_jpeg()
    source = tmp_path / "source.jpg"
    source.write_bytes(data)
    pipeline = PillowImagePipeline()

    fresh = [(first_run(source, "ingest"), first_run(source, "baseline")) for _ in range(FIRST_RUNS)]
    ingest_delta, ingest_peak, ingest_hwm, _ = max(runs[0] for runs in fresh)
    baseline_delta, baseline_peak, baseline_hwm, _ = max(runs[1] for runs in fresh)
    ingest_first = statistics.median(runs[0][3] for runs in fresh)
    baseline_first = statistics.median(runs[1][3] for runs in fresh)
    processed = pipeline.ingest(data)  # warm-up (imports, codec initialisation)
    same = [(d.width, d.height) for d in processed.derivatives]
    made = [(width, height) for width, height, _ in bare_pillow_baseline(data)]
    assert sorted(made) == sorted(same), f"the baseline must make the same sizes as ingest: {made} {same}"
    ingest_runs, baseline_runs = _taking_turns(lambda: pipeline.ingest(data), lambda: bare_pillow_baseline(data))
    ingest_median, baseline_median = statistics.median(ingest_runs), statistics.median(baseline_runs)
    upload = _whole_upload(pipeline)
    upload_median, upload_runs = _median_seconds(upload, data)

    ratio = ingest_median / baseline_median
    sizes = ", ".join(
        f"{d.name}.{d.format} {d.width}x{d.height} {len(d.data) / 1024:.0f} KB"
        for d in processed.derivatives
    )
    print(
        "\n===== bench_image_ingest =====\n"
        f"source                : {SOURCE_SIZE[0]}x{SOURCE_SIZE[1]} JPEG, {len(data) / 1e6:.1f} MB\n"
        "baseline              : bare Pillow, same draft decode, cascade, encodings and sizes\n"
        f"first run, fresh process (median of {FIRST_RUNS}): ingest {ingest_first:.3f} s, baseline {baseline_first:.3f} s, "
        f"ratio {ingest_first / baseline_first:.2f}  (goal <= 1.5)\n"
        f"ingest   (warm, median of {RUNS}): {ingest_median:.3f} s  runs {[round(t, 3) for t in ingest_runs]}\n"
        f"baseline (warm, median of {RUNS}): {baseline_median:.3f} s  runs {[round(t, 3) for t in baseline_runs]}\n"
        f"ingest/baseline ratio, warm: {ratio:.2f}  (goal <= 1.5)\n"
        f"whole upload (median of {RUNS}): {upload_median:.3f} s  runs {[round(t, 3) for t in upload_runs]}\n"
        f"  (pipeline + sealing original and derivatives + saving the event; in-memory storage)\n"
        f"upload/baseline ratio : {upload_median / baseline_median:.2f}  (goal <= 1.5)\n"
        f"peak memory, ingest   : {ingest_delta:.0f} MB over post-import RSS "
        f"(absolute {ingest_peak:.0f} MB; VmHWM delta {ingest_hwm:.0f} MB)  (goal < 400 MB)\n"
        f"peak memory, baseline : {baseline_delta:.0f} MB over post-import RSS "
        f"(absolute {baseline_peak:.0f} MB; VmHWM delta {baseline_hwm:.0f} MB)\n"
        f"derivatives           : {sizes}\n"
        "=============================="
    )
