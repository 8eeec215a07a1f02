"""The read-side benchmark's archive: built once through the use cases, then reused.

The scenario of issue 14: ``items`` items (50,000 by default) by 500 contributors, and 20
published exhibitions of 50 works each. Building it takes minutes, so each archive is kept in
``var/bench/`` (or ``$BENCH_CACHE_DIR``) in a folder named by the scale, the scenario's version
(:data:`SCENARIO`, raised whenever this builder changes what it records) and a digest of the code
that decides what a write stores (``domain/`` and ``archive/``): a change there builds a new
archive instead of measuring pages over rows an older code wrote. A build
goes to a temporary folder that is renamed only when it is complete, so an interrupted build is
never reused.

Everything is written through ``ExhibitionArchive``'s use cases, one item at a time (there is
no use case that records several items in one transaction); no row is ever written by hand.
The bench only ever measures a copy (:func:`working_copy`), so the cached archive stays as built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from archive.config import Settings
from web.bootstrap import open_archive
from media_store import make_sample_photo

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTORS = 500
EXHIBITIONS = 20
WORKS = 50
IMAGE_EVERY = 10  # one work in ten carries a photo (the image pipeline is slow; items need none)
WITHDRAW_EVERY = 199  # about one item in 200 is withdrawn (never one hanging in an exhibition)
CURATOR_NAME = "bench"
CURATOR_PASSWORD = "a long enough bench passphrase"
CURATOR = f"curator:{CURATOR_NAME}"
#: The code whose changes make a cached archive stale: what a write stores.
SCHEMA_SOURCES = ("domain", "archive")
#: Raise when the builder below records something different (a cached archive is then stale).
SCENARIO = 1


@dataclass(frozen=True)
class BuiltArchive:
    """A cached archive and what the benchmark needs to know about it."""

    folder: Path
    items: int
    public_item_ids: list[str]  # items a visitor may open (consent includes publish_online)
    exhibition_slugs: list[str]
    busiest_contributor_id: str
    writer_item_ids: list[str]  # items with no consent yet: the writer records consent for them
    build_seconds: float


def schema_digest() -> str:
    """A digest of the sources that decide what the archive stores."""
    digest = hashlib.sha256()
    for path in sorted(p for name in SCHEMA_SOURCES for p in (ROOT / name).rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("BENCH_CACHE_DIR") or ROOT / "var" / "bench")


def built_archive(items: int) -> BuiltArchive:
    """The archive of ``items`` items, built now unless a complete one is cached."""
    folder = cache_root() / f"read-side-{items}-s{SCENARIO}-{schema_digest()}"
    manifest = folder / "manifest.json"
    if not manifest.exists():
        building = folder.with_name(f".building-{folder.name}-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        started = time.perf_counter()
        facts = _build(building / "var", items)
        facts["build_seconds"] = round(time.perf_counter() - started, 1)
        (building / "manifest.json").write_text(json.dumps(facts))
        building.rename(folder)
    facts = json.loads(manifest.read_text())
    return BuiltArchive(folder=folder / "var", items=items, **facts)


def working_copy(built: BuiltArchive, into: Path) -> Path:
    """A copy of the built archive's data folder to measure (and write to) freely."""
    target = into / "var"
    shutil.copytree(built.folder, target)
    return target


def _progress(message: str) -> None:
    print(f"  [read-side build] {message}", file=sys.stderr, flush=True)


def _build(data_dir: Path, items: int) -> dict[str, Any]:
    archive = open_archive(Settings(data_dir=data_dir))
    try:
        archive.access.create_curator(username=CURATOR_NAME, password=CURATOR_PASSWORD, actor="system:bench", display_name="Bench")
        contributors = [
            archive.contributors.register_contributor(name=f"Contributor Number{n}", pseudonym=f"Voice {n}", actor=CURATOR)
            for n in range(CONTRIBUTORS)
        ]
        public: list[UUID] = []
        unconsented: list[UUID] = []
        started = time.perf_counter()
        for n in range(items):
            item_id = _record_item(archive, contributors[n % CONTRIBUTORS], n)
            consent = _consent_for(n)
            if consent is None:
                unconsented.append(item_id)
            else:
                archive.consent.record_consent(item_id, actor=CURATOR, text_version="v1", **consent)
                if n % WITHDRAW_EVERY == WITHDRAW_EVERY - 1:
                    archive.consent.withdraw(item_id, actor=CURATOR)
                elif "publish_online" in consent["scopes"]:
                    public.append(item_id)
            if (n + 1) % 5000 == 0:
                _progress(f"{n + 1} items, {time.perf_counter() - started:.0f} s")
        works = _hang_exhibitions(archive, public)
        # Visitors crawl the works and the public items outside exhibitions alike.
        step = max(1, len(public) // 2000)
        rotation = sorted({*public[::step], *works}, key=str)
        return {
            "public_item_ids": [str(i) for i in rotation],
            "exhibition_slugs": [f"exhibition-{e}" for e in range(EXHIBITIONS)],
            "busiest_contributor_id": str(contributors[0]),
            "writer_item_ids": [str(i) for i in unconsented[:2000]],
        }
    finally:
        archive.close()


def _record_item(archive: Any, contributor_id: UUID, n: int) -> UUID:
    if n % 3 == 0:
        return archive.cataloguing.record_testimony(
            contributor_id=contributor_id, actor=CURATOR, language="ru" if n % 2 else "en",
            title={"en": f"Testimony {n}", "ru": f"Свидетельство {n}"},
            text={"en": f"Testimony {n}. The winter we left the village, and the silence after. " * 12,
                  "ru": f"Свидетельство {n}. Зима, когда мы уехали из деревни, и молчание потом. " * 12},
            content_note={"en": "Mentions violence at home.", "ru": "Упоминается домашнее насилие."},
        )
    return archive.cataloguing.record_artwork(
        contributor_id=contributor_id, actor=CURATOR, year=1990 + n % 35,
        title={"en": f"Work number {n}", "ru": f"Работа номер {n}"},
        medium={"en": "Oil on canvas"}, dimensions="60 x 80 cm",
        description={"en": f"A description of the silence in work {n}. " * 5},
    )


def _consent_for(n: int) -> dict[str, Any] | None:
    """Seven items in ten online and in exhibitions, one exhibitions only, two not yet consented."""
    kind = n % 10
    if kind < 7:
        attribution = ("pseudonym", "named", "anonymous")[kind % 3]
        return {"scopes": ["exhibit", "publish_online"], "attribution": attribution}
    if kind == 7:
        return {"scopes": ["exhibit"], "attribution": "pseudonym"}
    return None


def _hang_exhibitions(archive: Any, public: list[UUID]) -> list[UUID]:
    """20 published exhibitions of 50 distinct works spread over the whole archive."""
    step = max(1, len(public) // (EXHIBITIONS * WORKS))
    works = public[::step][: EXHIBITIONS * WORKS]
    photo = make_sample_photo(9, size=(900, 600))
    for e in range(EXHIBITIONS):
        exhibition = archive.curation.create_exhibition(
            slug=f"exhibition-{e}", actor=CURATOR, titles={"en": f"Exhibition {e}", "ru": f"Выставка {e}"}
        )
        for w, item_id in enumerate(works[e * WORKS : (e + 1) * WORKS]):
            if w % IMAGE_EVERY == 0:
                archive.item_images.upload_image(item_id, photo, actor=CURATOR, alt_text={"en": f"Photo of work {w}"})
            archive.curation.add_to_exhibition(exhibition, item_id, actor=CURATOR, wall_text={"en": f"Wall text {w}"})
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)
        _progress(f"exhibition {e + 1} of {EXHIBITIONS} published")
    return works


if __name__ == "__main__":
    # Build (or find) the archive of the given scale ahead of a bench run.
    built = built_archive(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
    print(f"{built.folder} ({built.items} items, built in {built.build_seconds} s)")
