"""Benchmark: ``PillowImagePipeline.ingest`` on a 24-megapixel JPEG, against bare Pillow.

Run with ``pytest tests/bench/bench_image_ingest.py -s``. Never part of the normal suite and
never asserts on time; it prints one block of numbers. Goals: ingest/baseline ratio ≤ 1.5 and
peak memory of one ingest < 400 MB (measured as ru_maxrss in a fresh subprocess).
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
RUNS = 3


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


def bare_pillow_baseline(data: bytes) -> list[bytes]:
    """Decode at full size, resize to the same three sizes from the full image, encode six."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        outputs = []
        for _name, long_side in SIZES:
            resized = image.resize(_fit(image.size, long_side), Image.Resampling.LANCZOS)
            for fmt, options in (("WEBP", WEBP_OPTIONS), ("JPEG", JPEG_OPTIONS)):
                buffer = io.BytesIO()
                resized.save(buffer, format=fmt, **options)
                outputs.append(buffer.getvalue())
        return outputs


def _whole_upload(pipeline: PillowImagePipeline):
    """``ExhibitionArchive.upload_image`` on in-memory storage: everything but storage latency."""
    from tests.fakes import InMemoryMediaStore, in_memory_archive

    archive = in_memory_archive(
        media=InMemoryMediaStore(), images=pipeline,
    )
    contributor = archive.register_contributor(name="Bench", actor="curator:bench")
    item = archive.record_artwork(contributor_id=contributor, actor="curator:bench", title={"en": "Bench"})
    return lambda data: archive.upload_image(item, data, actor="curator:bench", alt_text={"en": "bench"})


def _median_seconds(function, data: bytes) -> tuple[float, list[float]]:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function(data)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), timings


_PEAK_SCRIPT = """
import resource, sys
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
if {which!r} == "ingest":
    PillowImagePipeline().ingest(data)
else:
    bare_pillow_baseline(data)
print(after_import, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, after_import_hwm, vm_hwm_kb())
"""


def peak_memory_mb(path: Path, which: str) -> tuple[float, float, float]:
    """Peak RSS of one run in a fresh interpreter, in MB.

    Returns (ru_maxrss peak minus ru_maxrss after imports, absolute ru_maxrss, the same delta
    from /proc VmHWM as a cross-check). Linux carries a process's ru_maxrss across ``exec``
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
    after_import_kb, peak_kb, after_import_hwm_kb, peak_hwm_kb = (int(v) for v in result.stdout.split())
    return (peak_kb - after_import_kb) / 1024, peak_kb / 1024, (peak_hwm_kb - after_import_hwm_kb) / 1024


def test_bench_ingest_of_a_24_megapixel_jpeg(tmp_path: Path) -> None:
    data = textured_jpeg()
    source = tmp_path / "source.jpg"
    source.write_bytes(data)
    pipeline = PillowImagePipeline()

    processed = pipeline.ingest(data)  # warm-up (imports, codec initialisation)
    bare_pillow_baseline(data)
    ingest_median, ingest_runs = _median_seconds(pipeline.ingest, data)
    upload = _whole_upload(pipeline)
    upload_median, upload_runs = _median_seconds(upload, data)
    baseline_median, baseline_runs = _median_seconds(bare_pillow_baseline, data)
    ingest_delta, ingest_peak, ingest_hwm = peak_memory_mb(source, "ingest")
    baseline_delta, baseline_peak, baseline_hwm = peak_memory_mb(source, "baseline")

    ratio = ingest_median / baseline_median
    sizes = ", ".join(
        f"{d.name}.{d.format} {d.width}x{d.height} {len(d.data) / 1024:.0f} KB"
        for d in processed.derivatives
    )
    print(
        "\n===== bench_image_ingest =====\n"
        f"source                : {SOURCE_SIZE[0]}x{SOURCE_SIZE[1]} JPEG, {len(data) / 1e6:.1f} MB\n"
        f"ingest   (median of {RUNS}): {ingest_median:.3f} s  runs {[round(t, 3) for t in ingest_runs]}\n"
        f"baseline (median of {RUNS}): {baseline_median:.3f} s  runs {[round(t, 3) for t in baseline_runs]}\n"
        f"ingest/baseline ratio : {ratio:.2f}  (goal <= 1.5)\n"
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
