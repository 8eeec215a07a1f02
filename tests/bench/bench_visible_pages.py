"""Cost of the visitor pages built through the visitor projection, without the page cache.

An archive of 2,000 items by 100 contributors (credited by name, by pseudonym or anonymously,
so that the name filter has names to remove), 16 published exhibitions of 50 works each, on
the embedded SQLite default. With the Flask test client (one process, no server), the median
time of: an item page (a different item hanging in an exhibition each time), /exhibitions, the
home page, /api/v1/exhibitions, and one exhibition page of 50 works. Never asserts on time.

``make bench`` runs it as a test (building the archive in a temporary folder). To compare two
trees on the same archive, build it once and point both at it:

    .venv/bin/python tests/bench/bench_visible_pages.py --data-dir /tmp/visible-bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ITEMS = 2_000
CONTRIBUTORS = 100
EXHIBITIONS = 16
WORKS = 50
ROUNDS = 15
CURATOR = "curator:bench"
ATTRIBUTIONS = ("named", "pseudonym", "anonymous")


def prepare(data_dir: Path) -> None:
    """Build the archive in ``data_dir`` (once: a folder that holds one already is kept)."""
    from web.bootstrap import open_archive
    from archive.config import Settings

    marker = data_dir / "bench-visible-ready"
    if marker.exists():
        return
    archive = open_archive(Settings(data_dir=data_dir))
    people = [
        archive.contributors.register_contributor(name=f"Aigerim Benchova{n}", pseudonym=f"Quietbird{n}", actor=CURATOR)
        for n in range(CONTRIBUTORS)
    ]
    items = []
    for n in range(ITEMS):
        item = archive.cataloguing.record_artwork(
            contributor_id=people[n % CONTRIBUTORS], actor=CURATOR,
            title={"en": f"Work number {n}", "ru": f"Работа {n}"}, year=2024,
            description={"en": f"A description of the silence in work {n}, as Aigerim saw it. " * 4},
        )
        archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit", "publish_online"],
                               attribution=ATTRIBUTIONS[n % 3], text_version="v1")
        items.append(item)
    for e in range(EXHIBITIONS):
        exhibition = archive.curation.create_exhibition(
            slug=f"show-{e}", actor=CURATOR, titles={"en": f"Show {e}", "ru": f"Выставка {e}"},
            statement={"en": "Works about silence."}, venue={"en": "Hall"}, city={"en": "Almaty"},
        )
        for item in items[e * WORKS : (e + 1) * WORKS]:
            archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text={"en": "Wall text."})
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    archive.close()
    marker.write_text(",".join(map(str, items[: EXHIBITIONS * WORKS])), encoding="utf-8")


def measure(data_dir: Path, rounds: int = ROUNDS) -> dict[str, float]:
    """Median seconds per page, cache off."""
    from web.bootstrap import open_archive
    from archive.config import Settings
    from web import create_app

    hung = (data_dir / "bench-visible-ready").read_text(encoding="utf-8").split(",")
    archive = open_archive(Settings(data_dir=data_dir))
    app = create_app({"TESTING": True, "ARCHIVE": archive, "SECRET_KEY": "bench", "PAGE_CACHE": False,
                      "ARCHIVE_DATA_DIR": str(data_dir)})
    client = app.test_client()
    pages = {
        "item page": lambda n: f"/items/{hung[(n * 53) % len(hung)]}",
        "/exhibitions": lambda n: "/exhibitions",
        "home": lambda n: "/",
        "/api/v1/exhibitions": lambda n: "/api/v1/exhibitions",
        "exhibition page (50 works)": lambda n: f"/exhibitions/show-{n % EXHIBITIONS}",
    }
    medians = {}
    for name, url in pages.items():
        assert client.get(url(0)).status_code == 200  # warm up, and a check that it is shown
        samples = []
        for n in range(rounds):
            started = time.perf_counter()
            response = client.get(url(n + 1))
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url(n + 1), response.status_code)
        medians[name] = statistics.median(samples)
    archive.close()
    return medians


def report(medians: dict[str, float]) -> str:
    return "\n".join(f"  {name:28s} median {seconds * 1000:8.1f} ms" for name, seconds in medians.items())


def test_visitor_pages_without_the_page_cache(tmp_path: Path) -> None:
    from tests.bench.figures import load

    prepare(tmp_path / "var")
    print(f"\nvisitor pages, {ITEMS} items, {EXHIBITIONS} exhibitions of {WORKS} works, cache off ({load()}):")
    print(report(measure(tmp_path / "var")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the archive's folder (built if empty)")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    started = time.perf_counter()
    prepare(options.data_dir)
    print(f"archive ready ({time.perf_counter() - started:.0f} s)")
    print(report(measure(options.data_dir, options.rounds)))
