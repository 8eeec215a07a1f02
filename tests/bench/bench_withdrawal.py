"""Withdrawal at archive scale: from the contributor's request to every surface being clean.

Run with ``make bench`` or, for this file alone (a small development run first)::

    BENCH_WITHDRAWAL_INDEX_ITEMS=5000 BENCH_WITHDRAWAL_SAMPLES=10 .venv/bin/python -m pytest \\
        tests/bench/bench_withdrawal.py -s -o python_files="bench_*.py" -p no:cacheprovider -q

Prints figures and ratios; never asserts on time (it does assert that the portal works and
that every surface is clean in the end). The issue asks: with 50,000 items in the index, the
time from the withdrawal request to every surface being clean, p50 and p95 (goal p95 < 1 s),
and the time until the index files are purged (goal from the search issue: within 60 s).

Setup. ``BENCH_WITHDRAWAL_SAMPLES`` real items (default 40) are recorded in an embedded
archive (SQLite), each by its own contributor (so each withdrawal is a fresh item and a fresh
portal session), each with a made-up distinctive word in its title and text, consent to
exhibit and publish online; every other one is an artwork with two small images (ingest costs
about 1 s per 24 MP, so 640x480), every third hangs in a published exhibition. Recording
50,000 items through the event store would take most of an hour, so the index is padded to
``BENCH_WITHDRAWAL_INDEX_ITEMS`` documents (default 50,000) with synthetic testimonies from
``search_corpus.py`` under random ids the event store does not know (the visitor search drops
such hits, which is fine: the probes are the distinctive words). Half of the real items are
placed as a rebuild (``archive reindex``) places them: their documents, built by
``document_for``, go into the ``bulk_add`` batches of 2,000 with the padding, so each sits in a
rebuild-sized segment. The other half are recorded afterwards and indexed by the follower,
so they sit in the follower's small segments. Purging a rebuild segment costs more.

Run. A ``SearchFollower`` thread on the writable live index with its own archive instance
(as ``archive serve`` starts it), and the Flask app (``web.create_app``) with its own archive
instance reading the same index through a read-only ``LiveIndex``, driven by Flask's test
client in this process (so the follower competes with the requests for the GIL, as under
``archive serve``). For each item: enter its contributor's code in the portal, check that every
surface shows it, then

- t0: just before ``POST /consent/items/<id>/withdraw`` (confirm=yes, CSRF token);
- response: the 303 to the receipt has come back;
- clean: an anonymous visitor sees it nowhere: the item page, ``/api/v1/items/<id>``,
  ``/search?q=<word>`` and ``/api/v1/search?q=<word>`` have no hit and no facet counts, its
  media URLs (artworks) answer 404, and the exhibition page and ``/api/v1/exhibitions/<slug>``
  (if it hung there) lack it. Polled (every 5 ms) with a cap of 10 s. The checks are page
  requests themselves, one after another, so the figure includes them (at 50,000 documents a
  search request alone takes a few hundred ms); the time the last check was sent gives a lower
  bound, each withdrawal starts its checks at the next surface in turn, and each surface's
  time when looked at first, straight after the response, is printed too;
- index: the follower has applied the delete (the index itself no longer matches the word);
- files: the word's bytes have left every file under the index folder. The first
  ``BENCH_WITHDRAWAL_PURGE_SAMPLES`` withdrawals (default 10) are waited for (scans every
  0.2 s; Whoosh never rewrites a segment file, so unchanged files are not read again); the
  rest follow one another at once, so their purges queue up in the background, and are noted
  by scans between and after withdrawals (upper bounds). At the end every word is checked gone
  from every index file (a full scan), and the data folder (events, keys, media) is checked too.

Baselines in the same run, so that figures compare across machines: ``GET /consent/items``
(the portal's own page, same session) and ``GET /api/v1/search?q=<word>`` (one hit) before each
withdrawal. Optional: ``BENCH_WITHDRAWAL_PURGE_SAMPLES`` (see above).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from archive.config import Settings
from archive.search import SearchDocument, SearchQuery
from archive.search.documents import ExhibitionMap, document_for
from archive.search.folders import IndexFolders, LiveIndex
from web.bootstrap import open_archive, open_search_index
from archive.search.follower import (
    COMPACT_SECONDS,
    POLL_SECONDS,
    PURGE_AFTER_SECONDS,
    SearchFollower,
)
from archive.search.whoosh import WhooshSearchIndex
from media_store import make_sample_photo
from tests.bench.figures import goal as _goal, load as _load, ms as _ms, percentile as _percentile
from tests.bench.search_corpus import Corpus
from web import create_app

ITEMS = int(os.environ.get("BENCH_WITHDRAWAL_INDEX_ITEMS", "50000"))
SAMPLES = int(os.environ.get("BENCH_WITHDRAWAL_SAMPLES", "40"))
PURGE_SAMPLES = min(SAMPLES, int(os.environ.get("BENCH_WITHDRAWAL_PURGE_SAMPLES", "10")))
CURATOR = "curator:bench"
ONLINE = ["exhibit", "publish_online"]
ATTRIBUTIONS = ("named", "pseudonym", "anonymous")
SLUGS = {"rebuild": "bench-withdrawal", "follower": "bench-withdrawal-later"}
BULK_BATCH = 2_000  # as rebuild (REBUILD_BATCH) and bench_search
IMAGE_SIZE = (640, 480)
IMAGES_PER_ARTWORK = 2
MEDIA_PROBES = (("display", "jpeg"), ("thumb", "webp"), ("large", "jpeg"))
POLL = 0.005
CLEAN_TIMEOUT = 10.0
INDEX_TIMEOUT = 30.0  # waiting for the index to apply a delete, when the next withdrawal waits anyway
INDEX_WAIT = 2.0  # the same for back-to-back withdrawals (the rest is noted between withdrawals)
SCAN_POLL = 0.2
PURGE_TIMEOUT = 120.0  # one waited-for purge
FINAL_TIMEOUT = 1800.0  # all background purges after the last withdrawal
BASELINE_GETS = 3
GOAL_CLEAN_P95 = 1.0
GOAL_PURGE = 60.0


# --- helpers ------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:7.2f} s"


def _stats(samples: list[float], show: Callable[[float], str] = _ms) -> str:
    if not samples:
        return "(none)"
    return (
        f"p50 {show(statistics.median(samples))}   p95 {show(_percentile(samples, 95))}   "
        f"max {show(max(samples))}   (n={len(samples)})"
    )


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _files(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                yield path, path.read_bytes()
        except FileNotFoundError:  # replaced by a commit or a purge while we looked
            continue


def _segments(folder: Path) -> str:
    """The live index's segments: how many, and their documents (min / median / max).

    The one place this benchmark imports ``whoosh`` (read-only, to explain the purge times).
    """
    from whoosh import index

    ix = index.open_dir(str(folder), indexname="MAIN", readonly=True)
    try:
        sizes = sorted(s.doc_count_all() for s in ix._segments())
    finally:
        ix.close()
    if not sizes:
        return "no segments"
    return f"{len(sizes)} segments of {sizes[0]} / {statistics.median(sizes):.0f} / {sizes[-1]} documents"


def _holding(folder: Path, needles: list[bytes]) -> dict[bytes, int]:
    """How many files under ``folder`` hold each needle (one read of every file)."""
    counts = dict.fromkeys(needles, 0)
    for _path, data in _files(folder):
        for needle in needles:
            if needle in data:
                counts[needle] += 1
    return counts


def _letters(n: int, width: int = 3) -> str:
    return "".join(chr(ord("a") + (n // 26**k) % 26) for k in range(width))


def _word(n: int) -> str:
    """A made-up word no corpus text holds; unchanged by the English and Russian stemmers."""
    return f"wdrqz{_letters(n)}vlk"


def _with_word(text: str, word: str) -> str:
    words = text.split(" ")
    words[len(words) // 2] = word
    return " ".join(words)


def _random_id(rng: random.Random) -> str:
    return str(UUID(int=rng.getrandbits(128), version=4))


# --- the archive, the index and the app ---------------------------------------------------


@dataclass
class Sample:
    number: int
    word: str
    kind: str  # artwork or testimony
    placement: str  # "rebuild" (in a bulk_add segment) or "follower" (a follower segment)
    in_exhibition: bool
    slug: str
    item_id: UUID
    contributor_id: UUID
    code: str
    media_urls: list[str] = field(default_factory=list)


@dataclass
class Bench:
    settings: Settings
    curator: ExhibitionArchive  # records, as the curators' workspace would
    web_archive: ExhibitionArchive
    follower_archive: ExhibitionArchive
    reader: LiveIndex  # the web app's
    probe: LiveIndex  # the benchmark's own read-only view, to see when the index caught up
    writer: LiveIndex  # the follower's
    timed: TimedIndex  # the follower's, as the follower sees it
    app: Flask
    samples: list[Sample]
    facts: dict[str, Any]
    stop: threading.Event
    thread: threading.Thread


def _record_sample(archive: ExhibitionArchive, corpus: Corpus, number: int, placement: str) -> Sample:
    word = _word(number)
    contributor_id = archive.contributors.register_contributor(
        name=f"Bench Withdrawer {number}", pseudonym=f"Witness W{number}", actor=CURATOR
    )
    if number % 2 == 0:
        kind = "artwork"
        images = [
            NewImage(
                data=make_sample_photo(number * 10 + k, size=IMAGE_SIZE),
                alt_text={"en": f"A felt study {k + 1} ({word})"},
            )
            for k in range(IMAGES_PER_ARTWORK)
        ]
        item_id, _image_ids = archive.item_images.record_artwork_with_images(
            contributor_id=contributor_id,
            actor=CURATOR,
            images=images,
            title={"en": f"Threshold {word}"},
            year=2020 + number % 5,
            description={"en": f"Felt and wool. The word {word} is stitched into the hem."},
        )
    else:
        kind = "testimony"
        item = corpus.item(ITEMS + number)  # not one of the padding texts
        item_id = archive.cataloguing.record_testimony(
            contributor_id=contributor_id,
            actor=CURATOR,
            title={item.language: f"{item.title} {word}"},
            text={item.language: _with_word(item.text, word)},
            language=item.language,
            content_note={"en": "Mentions war, displacement and loss."},
        )
    receipt = archive.consent.record_consent(
        item_id, actor=CURATOR, scopes=ONLINE, attribution=ATTRIBUTIONS[number % 3], text_version="v1"
    )
    assert receipt.code, "a first consent issues the contributor's code"
    media_urls = []
    for image_id in archive.get_item(item_id).images:
        media_urls += [f"/media/{item_id}/{image_id}/{name}.{fmt}" for name, fmt in MEDIA_PROBES]
    return Sample(
        number, word, kind, placement, number % 3 == 0, SLUGS[placement], item_id, contributor_id, receipt.code, media_urls
    )


def _exhibition(archive: ExhibitionArchive, placement: str, samples: Any) -> UUID:
    """A published exhibition with those of ``samples`` that should hang in one."""
    exhibition_id = archive.curation.create_exhibition(
        slug=SLUGS[placement], actor=CURATOR, titles={"en": f"Withdrawal bench ({placement})"}, opens_on=date(2024, 1, 1)
    )
    for sample in samples:
        if sample.in_exhibition:
            archive.curation.add_to_exhibition(exhibition_id, sample.item_id, actor=CURATOR, wall_text={"en": "Step in."})
    archive.curation.publish_exhibition(exhibition_id, actor=CURATOR)
    return exhibition_id


def _padding(corpus: Corpus, number: int, rng: random.Random) -> SearchDocument:
    """A synthetic testimony document under an id the event store does not know."""
    item = corpus.item(number)
    return SearchDocument(
        doc_id=_random_id(rng),
        kind="testimony",
        version=3,
        titles={item.language: item.title},
        texts={item.language: item.text},
        contributor=f"Witness {number % 300}" if number % 3 else None,
        contributor_id=_random_id(rng),
        year=2015 + number % 10,
        language=item.language,
        sort_date=date(2015 + number % 10, 1 + number % 12, 1 + number % 28),
    )


def _build_padded_index(
    archive: ExhibitionArchive, folders: IndexFolders, corpus: Corpus, real: list[SearchDocument], padding: int, facts: dict[str, Any]
) -> None:
    """A rebuild-shaped index: ``padding`` synthetic documents with ``real`` spread over its
    batches, in a new version folder published at the end (as ``rebuild`` does)."""
    position = archive.recorder.max_notification_id() or 0
    folder = folders.new_version()
    index = WhooshSearchIndex(folder, writable=True)
    rng = random.Random(f"padding:{ITEMS}")
    total = padding + len(real)
    batches = max(1, -(-total // BULK_BATCH))
    placed: dict[int, list[SearchDocument]] = {}
    for j, doc in enumerate(real):
        placed.setdefault((j * batches) // max(1, len(real)) if len(real) else 0, []).append(doc)
    generating = adding = 0.0
    made = 0
    started = time.perf_counter()
    try:
        for b in range(batches):
            t = time.perf_counter()
            batch = [_padding(corpus, made + k, rng) for k in range(min(BULK_BATCH, padding - made))]
            made += len(batch)
            for doc in placed.get(b, []):
                batch.insert(rng.randrange(len(batch) + 1), doc)
            generating += time.perf_counter() - t
            t = time.perf_counter()
            index.bulk_add(batch)
            adding += time.perf_counter() - t
            if (b + 1) % max(1, batches // 5) == 0:
                print(f"  indexed {made + sum(len(placed.get(i, [])) for i in range(b + 1)):,} of {total:,} "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
        index.apply([], [], position)
    finally:
        index.close()
    folders.publish(folder)
    facts.update(padding=made, generating_s=generating, bulk_add_s=adding, index_s=time.perf_counter() - started)


class TimedIndex:
    """The follower's index, with the time and result of every change it makes noted."""

    def __init__(self, index: LiveIndex):
        self._index = index
        self.log: list[tuple[str, float, float, Any]] = []  # (what, start, seconds, result)
        self._lock = threading.Lock()

    def _timed(self, what: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        with self._lock:
            self.log.append((what, started, time.perf_counter() - started, result))
        return result

    def apply(self, upserts: list[SearchDocument], deletes: list[str], position: int) -> None:
        self._timed(f"apply +{len(upserts)} -{len(deletes)}", lambda: self._index.apply(upserts, deletes, position))

    def purge_deleted(self, limit: int | None = None) -> int:
        return self._timed("purge", lambda: self._index.purge_deleted(limit))

    def compact(self) -> int:
        return self._timed("compact", self._index.compact)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)

    def between(self, start: float, end: float) -> list[tuple[str, float, float, Any]]:
        with self._lock:
            return [entry for entry in self.log if start <= entry[1] <= end]


def _wait(condition: Callable[[], bool], timeout: float, poll: float = 0.05) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():
            return time.perf_counter() - started
        time.sleep(poll)
    return None


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    root = tmp_path_factory.mktemp("bench_withdrawal")
    settings = Settings(data_dir=root / "var", secure_cookies=False)
    facts: dict[str, Any] = {}
    setup_started = time.perf_counter()
    curator = open_archive(settings)
    corpus = Corpus()
    plan = ["rebuild" if n % 4 < 2 else "follower" for n in range(SAMPLES)]

    # 1. The real items a rebuild would find, and a published exhibition with some of them.
    started = time.perf_counter()
    samples: dict[int, Sample] = {}
    for n in range(SAMPLES):
        if plan[n] == "rebuild":
            samples[n] = _record_sample(curator, corpus, n, "rebuild")
    exhibition_id = _exhibition(curator, "rebuild", samples.values())
    recording = time.perf_counter() - started

    # 2. The index: padding plus those items' documents, rebuild-shaped, then published.
    folders = IndexFolders(settings.search_dir)
    exhibitions = ExhibitionMap.of(curator.exhibitions())
    real = [document_for(curator, s.item_id, exhibitions) for s in samples.values()]
    real.append(document_for(curator, exhibition_id, exhibitions))
    assert all(doc is not None for doc in real)
    follower_items = plan.count("follower")
    padding = max(0, ITEMS - len(real) - follower_items)
    _build_padded_index(curator, folders, corpus, [d for d in real if d is not None], padding, facts)

    # 3. The follower (own archive, writable live index) as `archive serve` starts it.
    follower_archive = open_archive(settings)
    writer = open_search_index(settings, writable=True)
    writer.position()  # takes the writer's lock, as start_follower does
    stop = threading.Event()
    timed = TimedIndex(writer)
    thread = threading.Thread(
        target=SearchFollower(follower_archive, timed).run_forever,  # type: ignore[arg-type]
        args=(stop,),
        name="search-follower",
        daemon=True,
    )
    thread.start()
    probe = open_search_index(settings, writable=False)

    # 4. The rest of the items, recorded now and indexed by the follower, and a second
    #    exhibition for them (a change to the first would re-index its items into follower
    #    segments and so move them out of their rebuild segments).
    started = time.perf_counter()
    later = [_record_sample(curator, corpus, n, "follower") for n in range(SAMPLES) if plan[n] == "follower"]
    samples.update((s.number, s) for s in later)
    _exhibition(curator, "follower", later)
    recording += time.perf_counter() - started
    ordered = [samples[n] for n in range(SAMPLES)]
    wanted = [str(s.item_id) for s in ordered]
    started = time.perf_counter()
    caught_up = _wait(lambda: len(probe.versions(wanted)) == len(wanted), 120)
    assert caught_up is not None, "the follower did not index the items within 120 s"
    # Let the follower settle: the second exhibition's changes replaced documents, whose old
    # copies are purged PURGE_AFTER_SECONDS later; wait for that and for a compaction.
    settle = _wait(lambda: not probe.has_deleted(), 180, poll=0.2)
    time.sleep(COMPACT_SECONDS / 2)
    facts["settle_s"] = time.perf_counter() - started
    facts["settled"] = settle is not None
    facts["recording_s"] = recording
    facts["setup_s"] = time.perf_counter() - setup_started
    facts["index_docs"] = probe.search(SearchQuery(text="")).total
    facts["index_bytes"] = _tree_bytes(settings.search_dir)
    facts["index_files"] = sum(1 for p in settings.search_dir.rglob("*") if p.is_file())
    facts["segments"] = _segments(folders.current())
    started = time.perf_counter()
    facts["before"] = _holding(settings.search_dir, [s.word.encode() for s in ordered])
    facts["scan_s"] = time.perf_counter() - started
    facts["load"] = _load()

    web_archive = open_archive(settings)
    reader = open_search_index(settings, writable=False)
    app = create_app({
        "ARCHIVE": web_archive,
        "SEARCH": reader,
        "SECRET_KEY": "bench-withdrawal",
        "ARCHIVE_DATA_DIR": str(settings.data_dir),
        "ARCHIVE_SECURE_COOKIES": "0",
    })
    state = Bench(settings, curator, web_archive, follower_archive, reader, probe, writer, timed, app, ordered, facts, stop, thread)
    try:
        yield state
    finally:
        stop.set()
        thread.join(FINAL_TIMEOUT)  # let a long purge finish
        for closeable in (reader, probe, writer, web_archive, follower_archive, curator):
            closeable.close()
        shutil.rmtree(root, ignore_errors=True)


# --- the portal and the surfaces --------------------------------------------------------------


def _csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _portal(app: Flask, sample: Sample) -> FlaskClient:
    client = app.test_client()
    response = client.post("/consent", data={"csrf_token": _csrf(client, "/consent"), "code": sample.code})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def _surfaces(visitor: FlaskClient, sample: Sample) -> dict[str, Callable[[], bool]]:
    """For each surface, a check that is True while an anonymous visitor sees the item there."""
    item = str(sample.item_id)
    link = f"/items/{item}"

    def status(path: str) -> Callable[[], bool]:
        def shown() -> bool:
            code = visitor.get(path).status_code
            assert code in (200, 404), f"{path}: {code}"
            return code == 200
        return shown

    def mentions(path: str, needle: str) -> Callable[[], bool]:
        def shown() -> bool:
            response = visitor.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            return needle in response.get_data(as_text=True)
        return shown

    def search_page() -> bool:
        response = visitor.get(f"/search?q={sample.word}")
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        return link in html or 'class="facet-count"' in html  # a count would tell that something matches

    def api_search() -> bool:
        response = visitor.get(f"/api/v1/search?q={sample.word}")
        assert response.status_code == 200, response.status_code
        data = response.get_json()
        return any(hit["id"] == item for hit in data["hits"]) or data["total"] > 0 or any(data["facets"].values())

    def media() -> bool:
        codes = [visitor.get(url).status_code for url in sample.media_urls]
        assert set(codes) <= {200, 404}, codes
        return any(code == 200 for code in codes)

    checks: dict[str, Callable[[], bool]] = {
        "item page": status(link),
        "API item": status(f"/api/v1/items/{item}"),
        "search page": search_page,
        "API search": api_search,
    }
    if sample.media_urls:
        checks["media"] = media
    if sample.in_exhibition:
        checks["exhibition"] = mentions(f"/exhibitions/{sample.slug}", link)
        checks["API exhibition"] = mentions(f"/api/v1/exhibitions/{sample.slug}", item)
    return checks


@dataclass
class Measured:
    sample: Sample
    t0: float  # perf_counter just before the POST
    baseline: list[float]  # GET /consent/items, seconds
    response: float
    clean: float | None  # answered: the check that found the last surface clean returned (None: > 10 s)
    clean_issued: float | None  # issued: that check was sent (a lower bound on the same moment)
    by_surface: dict[str, float | None]
    first_look: int  # surfaces already clean at the first look after the response
    check_rounds: list[float]  # seconds per full round of checks
    index_gone: float | None = None  # the index no longer matches the word
    files_gone: float | None = None  # no index file holds the word's bytes
    files_before: int = 0
    waited: bool = False  # the next withdrawal waited for this one's purge
    first: str = ""  # the surface looked at first after the response
    search_baseline: list[float] = field(default_factory=list)  # GET /api/v1/search?q=<word> (one hit), seconds


def _withdraw_and_watch(bench: Bench, sample: Sample) -> Measured:
    app = bench.app
    portal = _portal(app, sample)
    visitor = app.test_client()
    checks = _surfaces(visitor, sample)
    for name, shown in checks.items():
        assert shown(), f"{name} does not show item {sample.number} before its withdrawal"
    assert bench.probe.search(SearchQuery(text=sample.word)).total == 1
    baseline = []
    for _ in range(BASELINE_GETS):
        t = time.perf_counter()
        response = portal.get("/consent/items")
        baseline.append(time.perf_counter() - t)
        assert response.status_code == 200 and str(sample.item_id) in response.get_data(as_text=True)
    search_baseline = []
    for _ in range(BASELINE_GETS):
        t = time.perf_counter()
        response = visitor.get(f"/api/v1/search?q={sample.word}")  # never cached (the HTML page may be)
        search_baseline.append(time.perf_counter() - t)
        assert response.status_code == 200
    path = f"/consent/items/{sample.item_id}/withdraw"
    token = _csrf(portal, path)

    t0 = time.perf_counter()
    response = portal.post(path, data={"csrf_token": token, "confirm": "yes"})
    t_response = time.perf_counter() - t0
    assert response.status_code == 303 and "/consent/receipts/" in response.headers["Location"], (
        response.status_code, response.headers.get("Location"))

    # Each withdrawal starts its checks at another surface, so that every surface is also
    # looked at first, straight after the response, in some of them.
    names = list(checks)
    turn = sample.number % len(names)
    pending = {name: checks[name] for name in names[turn:] + names[:turn]}
    first = next(iter(pending))
    by_surface: dict[str, float | None] = dict.fromkeys(checks)
    rounds: list[float] = []
    clean = clean_issued = None
    issued = 0.0
    first_look = 0
    while True:
        r = time.perf_counter()
        for name, shown in list(pending.items()):
            sent = time.perf_counter()
            if not shown():
                by_surface[name] = time.perf_counter() - t0
                issued = max(issued, sent - t0)
                first_look += not rounds
                del pending[name]
        rounds.append(time.perf_counter() - r)
        if not pending:
            clean, clean_issued = time.perf_counter() - t0, issued
            break
        if time.perf_counter() - t0 > CLEAN_TIMEOUT:
            break
        time.sleep(POLL)
    assert portal.get(response.headers["Location"]).status_code == 200  # the receipt
    return Measured(
        sample, t0, baseline, t_response, clean, clean_issued, by_surface, first_look, rounds,
        files_before=bench.facts["before"][sample.word.encode()], first=first, search_baseline=search_baseline,
    )


def _look_at_index(bench: Bench, measured: Measured) -> bool:
    """Note when the index stopped matching the word; True once it has."""
    if measured.index_gone is None:
        now = time.perf_counter() - measured.t0
        if bench.probe.search(SearchQuery(text=measured.sample.word)).total == 0:
            measured.index_gone = now
    return measured.index_gone is not None


def _look_at_files(scanner: Scanner, results: list[Measured]) -> None:
    """Note which withdrawn words have left every index file since the last look."""
    pending = [m for m in results if m.files_gone is None and not m.waited]
    if pending:
        counts = scanner.holding([m.sample.word.encode() for m in pending])
        for m in pending:
            if not counts[m.sample.word.encode()]:
                m.files_gone = time.perf_counter() - m.t0


class Scanner:
    """Byte scans of every file under the index folder, for words.

    Whoosh never changes a segment file once written (deletions are recorded in a new TOC
    file), so a file with the same inode, size and times as before is not read again; the
    final check reads everything (``fresh=True``).
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self._seen: dict[tuple[str, int, int, int, int], dict[bytes, bool]] = {}

    def holding(self, needles: list[bytes], fresh: bool = False) -> dict[bytes, int]:
        counts = dict.fromkeys(needles, 0)
        for path in self.folder.rglob("*"):
            try:
                st = path.stat()
                if not path.is_file():
                    continue
                key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                known = {} if fresh else self._seen.setdefault(key, {})
                missing = [n for n in needles if n not in known]
                if missing:
                    data = path.read_bytes()
                    known.update((n, n in data) for n in missing)
            except FileNotFoundError:  # replaced by a commit or a purge while we looked
                continue
            for needle in needles:
                counts[needle] += known[needle]
        return counts


def _data_folder_leftovers(bench: Bench, results: list[Measured]) -> list[str]:
    """Anything of the withdrawn items left in the data folder outside the index: a word in
    the bytes of the event store, key store or media files, or a media file under an item's id."""
    data_dir = bench.settings.data_dir
    search_dir = bench.settings.search_dir.resolve()
    found = []
    words = [m.sample.word.encode() for m in results]
    for path, data in _files(data_dir):
        if search_dir in path.resolve().parents:
            continue
        found += [f"{w.decode()} in {path.name}" for w in words if w in data]
    media = data_dir / "media"
    if media.exists():
        ids = {str(m.sample.item_id) for m in results}
        found += [f"media file {p.relative_to(media)}" for p in media.rglob("*") if p.is_file() and any(i in str(p) for i in ids)]
    return found


# --- the benchmark --------------------------------------------------------------------------


def test_withdrawal_to_every_surface_clean(bench: Bench) -> None:
    scanner = Scanner(bench.settings.search_dir)
    results: list[Measured] = []
    run_started = time.perf_counter()
    for number, sample in enumerate(bench.samples):
        # Between withdrawals (never inside a timed window): note what the index has done since.
        for earlier in results:
            _look_at_index(bench, earlier)
        _look_at_files(scanner, results)
        measured = _withdraw_and_watch(bench, sample)
        results.append(measured)
        if number < PURGE_SAMPLES:
            measured.waited = True
            _wait(lambda: _look_at_index(bench, measured), INDEX_TIMEOUT, poll=POLL)
            needle = sample.word.encode()
            _wait(lambda: not scanner.holding([needle])[needle], PURGE_TIMEOUT, poll=SCAN_POLL)
            if not scanner.holding([needle])[needle]:
                measured.files_gone = time.perf_counter() - measured.t0  # an upper bound by one scan
        else:
            _wait(lambda: _look_at_index(bench, measured), INDEX_WAIT, poll=POLL)
    run_s = time.perf_counter() - run_started

    # The later withdrawals' purges ran in the background: note when each word left the files.
    started = time.perf_counter()
    while time.perf_counter() - started < FINAL_TIMEOUT:
        for m in results:
            _look_at_index(bench, m)
        _look_at_files(scanner, results)
        if all(m.files_gone is not None and m.index_gone is not None for m in results):
            break
        time.sleep(1.0)
    final_wait = time.perf_counter() - started
    words = [m.sample.word.encode() for m in results]
    left = {w: c for w, c in scanner.holding(words, fresh=True).items() if c}
    data_left = _data_folder_leftovers(bench, results)
    _report(bench, results, run_s, left, final_wait, data_left)
    assert all(m.clean is not None for m in results), "some surface still showed a withdrawn item after 10 s"
    assert not left, f"withdrawn words still in index files after {final_wait:.0f} s: {sorted(left)}"
    assert not data_left, f"withdrawn material left in the data folder: {data_left}"


def _report(
    bench: Bench, results: list[Measured], run_s: float, left: dict[bytes, int], final_wait: float, data_left: list[str]
) -> None:
    facts = bench.facts
    responses = [m.response for m in results]
    cleans = [m.clean for m in results if m.clean is not None]
    issued = [m.clean_issued for m in results if m.clean_issued is not None]
    first_looks = sum(m.first_look for m in results)
    all_surfaces = sum(len(m.by_surface) for m in results)
    timeouts = sum(1 for m in results if m.clean is None)
    baseline = [t for m in results for t in m.baseline]
    search_baseline = [t for m in results for t in m.search_baseline]
    p95_clean = _percentile(cleans, 95) if cleans else float("inf")
    waited = [m for m in results if m.waited]
    later = [m for m in results if not m.waited]
    before = facts["before"]
    absent_before = [m.sample.number for m in results if not m.files_before]
    rebuild_real = sum(1 for s in bench.samples if s.placement == "rebuild") + 1

    def gone(ms: list[Measured], attr: str) -> str:
        times = [getattr(m, attr) for m in ms if getattr(m, attr) is not None]
        missing = len(ms) - len(times)
        return _stats(times, _s) + (f"   never: {missing}" if missing else "")

    lines = [
        f"\n--- withdrawal: request to every surface clean ({facts['index_docs']:,} documents in the index, "
        f"{len(results)} withdrawals, {_load()}) ---",
        f"machine          : nproc {os.cpu_count()}; before the run: {facts['load']}",
        f"setup            : {facts['setup_s']:.1f} s in all: {facts['recording_s']:.1f} s recording {SAMPLES} items "
        f"(artworks with {IMAGES_PER_ARTWORK} images {IMAGE_SIZE[0]}x{IMAGE_SIZE[1]}); index of "
        f"{facts['padding']:,} padding + {rebuild_real} real documents {facts['index_s']:.1f} s (texts generated "
        f"{facts['generating_s']:.1f} s, bulk_add {facts['bulk_add_s']:.1f} s = "
        f"{(facts['padding'] + rebuild_real) / max(facts['bulk_add_s'], 1e-9):.0f} docs/s); follower catch-up and "
        f"settling {facts['settle_s']:.1f} s" + ("" if facts["settled"] else " (deleted documents still awaited a purge)"),
        f"index            : {facts['index_bytes'] / 2**20:.0f} MiB in {facts['index_files']} files, {facts['segments']}; "
        f"one byte scan of all of it {facts['scan_s']:.2f} s; each word in {min(before.values())}-"
        f"{max(before.values())} file(s) before",
        f"withdrawal POST  : {_stats(responses)}",
        f"  artworks       : {_stats([m.response for m in results if m.sample.kind == 'artwork'])}  "
        f"({IMAGES_PER_ARTWORK} images: an original and 6 derivatives each, deleted in the request)",
        f"  testimonies    : {_stats([m.response for m in results if m.sample.kind == 'testimony'])}",
        f"baseline GET /consent/items (same session): {_stats(baseline)}",
        f"ratio POST p50 / GET p50  : {statistics.median(responses) / statistics.median(baseline):6.2f}",
        f"baseline GET /api/v1/search?q=<word> (one hit, before the withdrawal): {_stats(search_baseline)}",
        f"request to clean : {_stats(cleans)}   timeouts (> {CLEAN_TIMEOUT:.0f} s): {timeouts}",
    ]
    if cleans:
        lines += [
            f"  goal p95 < {GOAL_CLEAN_P95:.0f} s: {_goal(p95_clean < GOAL_CLEAN_P95 and not timeouts)}   "
            f"ratio clean p50 / GET p50: {statistics.median(cleans) / statistics.median(baseline):6.2f}",
            f"  ratio clean p50 / GET /api/v1/search p50: {statistics.median(cleans) / statistics.median(search_baseline):6.2f}",
            f"  lower bound (the check that found the last surface clean was sent at): {_stats(issued)}",
            f"  surfaces already clean at the first look after the response: {first_looks} of {all_surfaces}",
            f"  one round of all checks  : {_stats([r for m in results for r in m.check_rounds])} "
            "(the checks are page requests themselves: 'clean' includes them)",
            "  first seen clean, per surface (one after another, each withdrawal starting at the next one):",
        ]
    for name in dict.fromkeys(name for m in results for name in m.by_surface):
        times = [t for m in results if (t := m.by_surface.get(name)) is not None]
        lines.append(f"    {name:15s}: {_stats(times)}")
    firsts = [m.by_surface[m.first] for m in results if m.by_surface.get(m.first) is not None]
    lines.append(
        f"  the surface looked at first (in turn), straight after the response: clean when answered {_stats(firsts)}"
    )
    for name in dict.fromkeys(m.first for m in results):
        times = [t for m in results if m.first == name and (t := m.by_surface.get(name)) is not None]
        lines.append(f"    {name:15s} first: {_stats(times)}")
    lines += [
        f"index applied the delete (the index no longer matches the word; the follower polls every {POLL_SECONDS} s):",
        f"  waited-for withdrawals   : {gone(waited, 'index_gone')}",
        f"  back-to-back withdrawals : {gone(later, 'index_gone')}   (noted between withdrawals: an upper bound)",
        f"index files purged (every file's bytes scanned until the word is gone; PURGE_AFTER_SECONDS = "
        f"{PURGE_AFTER_SECONDS:.0f} s after the delete commit the follower rewrites the segments holding deleted documents):",
        f"  waited-for ({len(waited)}, one at a time): {gone(waited, 'files_gone')}",
    ]
    for placement in ("rebuild", "follower"):
        lines.append(f"    in a {placement:8s} segment: {gone([m for m in waited if m.sample.placement == placement], 'files_gone')}")
    lines.append(
        f"  back-to-back ({len(later)}): {gone(later, 'files_gone')}   (noted by scans between withdrawals and every second after them: upper bounds)"
    )
    all_gone = [m.files_gone for m in results if m.files_gone is not None]
    met = len(all_gone) == len(results) and max(all_gone) < GOAL_PURGE
    lines.append(f"  goal < {GOAL_PURGE:.0f} s for every withdrawal: {_goal(met)}")
    lines.append("  each waited-for one (from the request: the follower's changes, seconds after the request + duration):")
    for m in waited:
        end = m.t0 + (m.files_gone if m.files_gone is not None else PURGE_TIMEOUT)
        work = ", ".join(
            f"{what}{'' if result is None else f'={result}'} @{start - m.t0:.1f}+{seconds:.1f}"
            for what, start, seconds, result in bench.timed.between(m.t0, end)
        )
        shown = "not within the timeout" if m.files_gone is None else f"{m.files_gone:6.2f} s"
        lines.append(
            f"    #{m.sample.number:<3d} {m.sample.kind:9s} {m.sample.placement:8s} in {m.files_before} file(s): {shown}   [{work}]"
        )
    lines.append(f"  index after the run: {_segments(bench.settings.search_dir / 'current')} (before: {facts['segments']})")
    during = bench.timed.between(results[0].t0, time.perf_counter())
    for kind in ("apply", "purge", "compact"):
        entries = [e for e in during if e[0].startswith(kind) and e[3] != 0]
        lines.append(f"  follower {kind:7s} (changed something) during the run: {_stats([e[2] for e in entries], _s)}")
    lines += [
        f"after the last withdrawal: waited {final_wait:.1f} s for the background purges; "
        + ("every word gone from every index file (full scan)" if not left else
           f"words still in index files: {sorted(w.decode() for w in left)}"),
        f"data folder (events, keys, media) : {'no word and no media file of a withdrawn item' if not data_left else data_left}",
        f"run: {run_s:.1f} s for {len(results)} withdrawals (portal login with its fixed 0.25 s code check, checks "
        f"before, baseline, withdrawal, polling, waiting for the first {PURGE_SAMPLES} purges)",
    ]
    if absent_before:
        lines.append(f"NOTE: the words of items {absent_before} were in no index file before (the scan measures nothing for them)")
    slow = sorted(results, key=lambda m: -(m.clean or CLEAN_TIMEOUT))[:3]
    lines.append(
        "slowest to clean: " + "; ".join(
            f"#{m.sample.number} {m.sample.kind}/{m.sample.placement}{'/exhibition' if m.sample.in_exhibition else ''} "
            f"{(m.clean or 0) * 1000:.0f} ms (POST {m.response * 1000:.0f} ms)" for m in slow
        )
    )
    print("\n".join(lines))
