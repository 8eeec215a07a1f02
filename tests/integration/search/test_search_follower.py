"""The search follower and the visitor search use case, on SQLite and a real Whoosh index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from archive.config import Settings
from archive.search import SearchQuery
from archive.search.folders import IndexFolders
from archive.search.follower import SearchFollower, rebuild, rebuild_if_outdated
from archive.search import queries as search_queries
from archive.search.queries import search
from domain import clock
from web.bootstrap import open_archive, open_search_index, search_index_opener
from tests.conftest import CURATOR

ONLINE = ["exhibit", "publish_online"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture
def archive(settings):
    app = open_archive(settings)
    yield app
    app.close()


@pytest.fixture
def index(settings):
    live = open_search_index(settings, writable=True)
    yield live
    live.close()


@pytest.fixture
def follower(archive, index) -> SearchFollower:
    return SearchFollower(archive, index)


def _testimony(archive, text, language="ru", name="Айгерим Тестова", **consent):
    contributor = archive.contributors.register_contributor(name=name, pseudonym="Aq Qus", actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={language: text}, language=language,
        content_note={"en": "Mentions violence."}, title={"en": "A testimony"},
    )
    if consent:
        archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **consent)
    return item


def _ids(archive, index, text, **filters):
    return {hit.id for hit in search(archive, index, SearchQuery(text=text, **filters)).hits}


def test_only_items_consented_online_are_indexed(archive, index, follower):
    shown = _testimony(archive, "молчания в квартире", scopes=ONLINE, attribution="anonymous")
    room_only = _testimony(archive, "молчания в зале", scopes=["exhibit"], attribution="anonymous")
    unconsented = _testimony(archive, "молчания без согласия")
    with clock.fixed_at(datetime(2024, 1, 1, tzinfo=timezone.utc)):
        expired = _testimony(archive, "молчания истекло", scopes=ONLINE, attribution="anonymous",
                             expires_on=date(2024, 2, 1))
    follower.catch_up()
    assert _ids(archive, index, "молчание") == {shown}
    assert index.versions([str(room_only), str(unconsented)]) == {}
    assert expired not in _ids(archive, index, "истекло")


def test_languages_stem_and_prefix_through_the_use_case(archive, index, follower):
    ru = _testimony(archive, "Я помню тишину молчания", scopes=ONLINE, attribution="anonymous")
    en = _testimony(archive, "She wrote letters nobody read", language="en", scopes=ONLINE, attribution="anonymous")
    kk = _testimony(archive, "Мен бөлмеде үндемедім", language="kk", scopes=ONLINE, attribution="anonymous")
    follower.catch_up()
    assert _ids(archive, index, "молчание") == {ru}
    assert _ids(archive, index, "letter") == {en}
    assert _ids(archive, index, "бөлме") == {kk}


def test_a_content_note_finds_its_testimony(archive, index, follower):
    noted = _testimony(archive, "Я помню тишину", scopes=ONLINE, attribution="anonymous")  # "Mentions violence."
    follower.catch_up()
    assert _ids(archive, index, "violence") == {noted}


def test_a_follower_rebuilds_an_index_built_before_content_notes_were_indexed(archive, settings, monkeypatch):
    import archive.search.whoosh.index as adapter

    current = adapter.build_schema
    noted = _testimony(archive, "Я помню тишину", scopes=ONLINE, attribution="anonymous")
    with monkeypatch.context() as patched:  # an index from before content notes were indexed
        patched.setattr(adapter, "build_schema", lambda: _without_notes(current()))
        old = open_search_index(settings, writable=True)
        SearchFollower(archive, old).catch_up()
        old.close()
    index = open_search_index(settings, writable=True)
    try:
        assert index.needs_rebuild() and _ids(archive, index, "тишину") == {noted}
        assert _ids(archive, index, "violence") == set()
        folders = IndexFolders(settings.search_dir)
        assert rebuild_if_outdated(archive, index, folders, search_index_opener(writable=True)) == 1
        assert not index.needs_rebuild() and _ids(archive, index, "violence") == {noted}
        assert rebuild_if_outdated(archive, index, folders, search_index_opener(writable=True)) is None
    finally:
        index.close()


def _without_notes(schema):
    for name in [name for name in schema.names() if name.startswith("note_")]:
        schema.remove(name)
    return schema


def test_a_named_contributor_is_findable_until_made_anonymous(archive, index, follower):
    item = _testimony(archive, "текст", name="Zhanargul Unusualname", scopes=ONLINE, attribution="named")
    follower.catch_up()
    results = search(archive, index, SearchQuery(text="Unusualname"))
    assert [hit.id for hit in results.hits] == [item]
    assert results.hits[0].credit == "Zhanargul Unusualname"
    archive.consent.update_consent(item, actor=CURATOR, attribution="anonymous")
    # Before the follower runs, the gate still hides the name (credit from current state).
    lagging = search(archive, index, SearchQuery(text="Unusualname"))
    assert all(hit.credit is None for hit in lagging.hits)
    assert all("Unusualname" not in "".join(hit.snippets.values()) for hit in lagging.hits)
    follower.catch_up()
    assert _ids(archive, index, "Unusualname") == set()


def test_her_former_name_finds_nothing_after_she_changes_it(archive, index, follower):
    """Credited by pseudonym, she changes her legal name: her testimony, which names her by
    the former one, is found by its words, and neither a hit nor a snippet carries that name."""
    item = _testimony(archive, "Меня зовут Zhanargul Unusualname", name="Zhanargul Unusualname",
                      scopes=ONLINE, attribution="pseudonym")
    follower.catch_up()
    contributor = archive.get_item(item).contributor_id
    archive.contributors.revise_contributor(contributor, actor=CURATOR, name="Saule Bekova", pseudonym="Aq Qus")
    follower.catch_up()

    assert _ids(archive, index, "Unusualname") == set()
    results = search(archive, index, SearchQuery(text="зовут"))
    assert [hit.id for hit in results.hits] == [item]
    assert "Unusualname" not in _everything_shown(results) and "Zhanargul" not in _everything_shown(results)
    assert results.hits[0].credit == "Aq Qus"


def test_a_lagging_index_never_shows_a_withdrawn_item(archive, index, follower):
    item = _testimony(archive, "уникальнословобезповторов", scopes=ONLINE, attribution="anonymous")
    follower.catch_up()
    assert _ids(archive, index, "уникальнословобезповторов") == {item}
    archive.consent.withdraw(item, actor=CURATOR)
    assert _ids(archive, index, "уникальнословобезповторов") == set()  # the gate, before the follower
    follower.catch_up()
    assert index.versions([str(item)]) == {}


def _lag_past_the_window(archive, index, monkeypatch) -> None:
    """Events the stopped follower has not applied, more than the use case can look through."""
    monkeypatch.setattr(search_queries, "MAX_LAG", 3)
    for n in range(4):
        archive.contributors.register_contributor(name=f"Someone Else {n}", actor=CURATOR)
    assert archive.changed_since(index.position(), search_queries.MAX_LAG) is None


def _everything_shown(results) -> str:
    return repr([(hit.id, hit.titles, hit.snippets, hit.snippets_behind_note) for hit in results.hits])


def test_an_index_lagging_past_the_window_never_shows_or_counts_a_withdrawn_item(archive, index, follower, monkeypatch):
    kept = {_testimony(archive, f"кворум собрался {n}", scopes=ONLINE, attribution="anonymous") for n in range(2)}
    withdrawn = _testimony(archive, "кворум и словоотзыва", scopes=ONLINE, attribution="anonymous")
    follower.catch_up()
    archive.consent.withdraw(withdrawn, actor=CURATOR)
    _lag_past_the_window(archive, index, monkeypatch)
    assert index.versions([str(withdrawn)])  # the index still holds it

    results = search(archive, index, SearchQuery(text="кворум"))
    assert {hit.id for hit in results.hits} == kept
    assert results.total == 2 and results.total_exact  # every match was checked: an exact count
    assert all(counts == () for counts in results.facets.values())
    alone = search(archive, index, SearchQuery(text="словоотзыва"))
    assert alone.hits == () and alone.total == 0 and "словоотзыва" not in _everything_shown(results)


def test_an_index_lagging_past_the_window_counts_only_what_passed_the_gate_on_any_page(archive, index, follower, monkeypatch):
    # Withdrawn ones rank last (the word once in a longer text): beyond the first page.
    kept = {_testimony(archive, f"вереск вереск {n}", scopes=ONLINE, attribution="anonymous") for n in range(8)}
    gone = [_testimony(archive, f"вереск и долгий другой текст {n}", scopes=ONLINE, attribution="anonymous") for n in range(4)]
    follower.catch_up()
    for item in gone:
        archive.consent.withdraw(item, actor=CURATOR)
    _lag_past_the_window(archive, index, monkeypatch)

    first = search(archive, index, SearchQuery(text="вереск", page_size=5))
    second = search(archive, index, SearchQuery(text="вереск", page=2, page_size=5))
    assert (first.total, first.total_exact, first.pages) == (6, False, 2)  # at least this page and one more
    assert (second.total, second.total_exact, second.pages) == (8, True, 2)  # every match checked
    assert len(first.hits) == 5 and {hit.id for hit in first.hits + second.hits} == kept
    assert search(archive, index, SearchQuery(text="вереск", page=3, page_size=5)).hits == ()


def test_an_index_lagging_past_the_window_counts_at_least_one_more_page_and_says_it_is_not_exact(
    archive, index, follower, monkeypatch
):
    for n in range(12):
        _testimony(archive, f"ковыль {n}", scopes=ONLINE, attribution="anonymous")
    follower.catch_up()
    _lag_past_the_window(archive, index, monkeypatch)
    results = search(archive, index, SearchQuery(text="ковыль", page_size=5))
    assert len(results.hits) == 5 and not results.total_exact
    assert results.total == 6 and results.pages == 2  # what was checked: this page and one more


def test_an_index_lagging_past_the_window_leaves_out_an_item_indexed_before_its_credit_narrowed(
    archive, index, follower, monkeypatch
):
    item = _testimony(archive, "Меня зовут Zhanargul Unusualname", name="Zhanargul Unusualname",
                      scopes=ONLINE, attribution="named")
    follower.catch_up()
    archive.consent.update_consent(item, actor=CURATOR, attribution="anonymous")
    _lag_past_the_window(archive, index, monkeypatch)
    assert index.versions([str(item)])[str(item)] < archive.get_item(item).version

    for text in ("Unusualname", "зовут"):  # its old text still holds the name that is now withheld
        results = search(archive, index, SearchQuery(text=text))
        assert results.hits == () and results.total == 0
    follower.catch_up()
    [hit] = search(archive, index, SearchQuery(text="зовут")).hits
    assert hit.id == item and "Unusualname" not in _everything_shown(search(archive, index, SearchQuery(text="зовут")))


def _hung(archive, slug, *items):
    exhibition = archive.curation.create_exhibition(slug=slug, actor=CURATOR, titles={"en": slug})
    for item in items:
        archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR)
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    return exhibition


def _exhibition_counts(results) -> dict[str, int]:
    return {count.value: count.count for count in results.facets["exhibition"]}


@pytest.mark.parametrize("lag", ["within the window", "past the window"])
def test_an_unpublished_exhibition_leaves_facets_and_filters_before_the_index_catches_up(
    archive, index, follower, monkeypatch, lag
):
    items = [_testimony(archive, f"полынь {n}", scopes=ONLINE, attribution="anonymous") for n in range(2)]
    quiet = _hung(archive, "quiet-room", *items)
    _hung(archive, "open-room", items[0])
    follower.catch_up()
    assert _exhibition_counts(search(archive, index, SearchQuery(text="полынь"))) == {"quiet-room": 2, "open-room": 1}

    archive.curation.unpublish_exhibition(quiet, actor=CURATOR)
    if lag == "past the window":
        _lag_past_the_window(archive, index, monkeypatch)
    else:
        assert archive.changed_since(index.position(), search_queries.MAX_LAG) == {quiet}
    results = search(archive, index, SearchQuery(text="полынь"))
    assert {hit.id for hit in results.hits} == set(items) and results.total == 2  # still public on their own
    assert "quiet-room" not in _exhibition_counts(results)
    assert "quiet-room" not in repr(results)
    for exhibitions in (("quiet-room",), ("quiet-room", "never-was")):
        filtered = search(archive, index, SearchQuery(text="полынь", exhibitions=exhibitions))
        assert filtered.hits == () and filtered.total == 0 and "quiet-room" not in repr(filtered)
    both = search(archive, index, SearchQuery(text="полынь", exhibitions=("quiet-room", "open-room")))
    assert [hit.id for hit in both.hits] == [items[0]] and both.total == 1
    assert "quiet-room" not in _exhibition_counts(both)


@pytest.mark.parametrize("lag", ["within the window", "past the window"])
def test_a_work_taken_off_the_wall_leaves_its_exhibitions_filter_before_the_index_catches_up(
    archive, index, follower, monkeypatch, lag
):
    items = [_testimony(archive, f"чабрец {n}", scopes=ONLINE, attribution="anonymous") for n in range(2)]
    room = _hung(archive, "thyme-room", *items)
    follower.catch_up()
    archive.curation.remove_from_exhibition(room, items[1], actor=CURATOR)
    if lag == "past the window":
        _lag_past_the_window(archive, index, monkeypatch)
    filtered = search(archive, index, SearchQuery(text="чабрец", exhibitions=("thyme-room",)))
    assert [hit.id for hit in filtered.hits] == [items[0]] and filtered.total == 1
    assert _exhibition_counts(filtered) in ({"thyme-room": 1}, {})  # no facets at all past the window


def test_withdrawn_text_leaves_the_index_files_within_the_bound(archive, settings, index):
    item = _testimony(archive, "Тут слово кворлгрифтэн и больше ничего", scopes=ONLINE, attribution="anonymous")
    for n in range(30):
        _testimony(archive, f"обычный текст номер {n}", scopes=ONLINE, attribution="anonymous")
    follower = SearchFollower(archive, index)
    stop = threading.Event()
    thread = threading.Thread(target=follower.run_forever, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not _ids(archive, index, "кворлгрифтэн") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _ids(archive, index, "кворлгрифтэн") == {item}
        withdrawn_at = time.monotonic()
        archive.consent.withdraw(item, actor=f"contributor:{archive.get_item(item).contributor_id}")
        needle = "кворлгрифтэн".encode()
        while True:
            files = [p for p in settings.search_dir.rglob("*") if p.is_file()]
            if not any(needle in p.read_bytes() for p in files):
                break
            assert time.monotonic() - withdrawn_at < 60, "withdrawn text still in the index files"
            time.sleep(0.2)
        elapsed = time.monotonic() - withdrawn_at
        assert elapsed < 60
        print(f"purged from index files {elapsed:.1f} s after withdrawal")
    finally:
        stop.set()
        thread.join(10)


def test_readers_see_new_commits_without_a_restart(archive, settings, index, follower):
    follower.catch_up()
    reader = open_search_index(settings, writable=False)
    try:
        assert _ids(archive, reader, "свежий") == set()
        item = _testimony(archive, "свежий текст", scopes=ONLINE, attribution="anonymous")
        follower.catch_up()
        assert _ids(archive, reader, "свежий") == {item}
    finally:
        reader.close()


def test_a_rebuild_switches_atomically_and_keeps_answering(archive, settings, index, follower):
    items = {_testimony(archive, f"перестройка индекса {n}", scopes=ONLINE, attribution="anonymous") for n in range(20)}
    follower.catch_up()
    reader = open_search_index(settings, writable=False)
    answers: list[int] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answers.append(len(_ids(archive, reader, "перестройка", **{})))

    thread = threading.Thread(target=keep_asking, daemon=True)
    thread.start()
    old = IndexFolders(settings.search_dir).current_name()
    count = rebuild(archive, IndexFolders(settings.search_dir), search_index_opener(writable=True))
    time.sleep(0.2)
    stop.set()
    thread.join(10)
    reader.close()
    assert count == 20
    assert IndexFolders(settings.search_dir).current_name() != old
    assert answers and all(a == 10 for a in answers)  # a full first page, all the time
    assert _ids(archive, index, "перестройка", page_size=50) == items  # the follower moved over too
    late = _testimony(archive, "перестройка поздняя", scopes=ONLINE, attribution="anonymous")
    follower.catch_up()
    assert late in _ids(archive, index, "поздняя")


@pytest.mark.parametrize(
    "text, found",
    [
        ('"текст', 1), ("текст AND", 1), ("(текст", 1), ("title:текст", 1), ("текст\x00\x07", 1),  # its word
        ("*", 1), ("(((", 1),  # no words at all: everything is listed
        ('"unbalanced', 0), ("AND", 0), ("OR NOT", 0), ("x" * 10_000, 0), ("a\x00b\x07c", 0), ("title:", 0),
    ],
)
def test_malformed_queries_still_find_their_words_through_the_use_case(archive, index, follower, text, found):
    item = _testimony(archive, "текст", scopes=ONLINE, attribution="anonymous")
    follower.catch_up()
    results = search(archive, index, SearchQuery(text=text))
    assert [hit.id for hit in results.hits] == [item] * found and results.total == found and results.total_exact


CHILD = """
import sys
from archive.config import Settings
from archive.search.follower import SearchFollower
from web.bootstrap import open_archive, open_search_index
settings = Settings(data_dir=__import__("pathlib").Path(sys.argv[1]))
archive = open_archive(settings)
index = open_search_index(settings, writable=True)
follower = SearchFollower(archive, index, batch_size=int(sys.argv[2]))
print("ready", flush=True)
follower.catch_up()
print("done", flush=True)
"""


def test_a_follower_killed_mid_batch_resumes_without_losing_or_duplicating(archive, settings, index):
    expected = set()
    for n in range(400):
        item = _testimony(archive, f"запись номер {n} для проверки", scopes=ONLINE, attribution="anonymous")
        expected.add(str(item))
        if n % 7 == 0:
            archive.consent.withdraw(item, actor=CURATOR)
            expected.discard(str(item))
    index.close()
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    kills = 0
    for delay in (1.2, 1.6, 2.0):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(settings.data_dir), "25"],
            stdout=subprocess.PIPE, env=env, text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        child.wait(30)
    assert kills >= 1, "the follower finished before it could be killed"
    finisher = subprocess.run(
        [sys.executable, "-c", CHILD, str(settings.data_dir), "25"], env=env, capture_output=True, text=True, timeout=300
    )
    assert finisher.returncode == 0, finisher.stderr[-2000:]
    reopened = open_search_index(settings, writable=False)
    try:
        found = {str(hit.id) for hit in search(archive, reopened, SearchQuery(text="проверки", page_size=50)).hits}
        total = search(archive, reopened, SearchQuery(text="проверки")).total
        indexed = reopened.versions(sorted(expected | {str(i) for i in range(0)}))
        assert total == len(expected)
        assert set(indexed) == expected
        assert found <= expected
        assert reopened.position() == archive.recorder.max_notification_id()
    finally:
        reopened.close()


def test_documents_of_expired_consent_are_removed_without_any_event(archive, index, follower):
    with clock.fixed_at(datetime(2030, 1, 1, tzinfo=timezone.utc)):
        item = _testimony(archive, "истекающее согласие", scopes=ONLINE, attribution="anonymous",
                          expires_on=date(2030, 1, 10))
        follower.catch_up()
        assert index.versions([str(item)])
        assert follower.remove_expired() == 0
    with clock.fixed_at(datetime(2030, 1, 11, 1, tzinfo=timezone.utc)):
        assert follower.remove_expired() == 1
        assert index.versions([str(item)]) == {}


def test_bulk_loading_with_several_processes_gives_a_searchable_index(tmp_path: Path):
    from archive.search import SearchDocument
    from archive.search.whoosh import WhooshSearchIndex

    index = WhooshSearchIndex(tmp_path / "bulk", writable=True)
    try:
        docs = [
            SearchDocument(doc_id=f"doc-{n}", kind="testimony", version=1, texts={"ru": f"молчания номер {n}"})
            for n in range(1200)
        ]
        index.bulk_add(docs)
        index.apply([], [], 42)
        assert index.search(SearchQuery(text="молчание")).total == 1200
        assert index.position() == 42
        assert index.versions(["doc-0", "doc-1199"]) == {"doc-0": 1, "doc-1199": 1}
    finally:
        index.close()


def test_small_commits_stay_separate_until_an_idle_compaction_merges_them(tmp_path: Path):
    from archive.search import SearchDocument
    from archive.search.whoosh import WhooshSearchIndex

    index = WhooshSearchIndex(tmp_path / "small", writable=True)
    try:
        for n in range(12):
            index.apply([SearchDocument(doc_id=f"d{n}", kind="testimony", version=1, texts={"en": f"word {n}"})], [], n + 1)
        segments = lambda: len([p for p in (tmp_path / "small").glob("*.seg")])  # noqa: E731
        assert segments() == 12  # a commit never waits for a merge
        assert index.compact() > 0
        assert segments() < 12
        assert index.search(SearchQuery(text="word")).total == 12
        assert index.position() == 12
    finally:
        index.close()


def test_compaction_waits_for_a_pause_in_changes_but_not_forever(archive, index):
    from archive.search.follower import COMPACT_ANYWAY_SECONDS, COMPACT_SECONDS, QUIET_SECONDS

    follower = SearchFollower(archive, index)
    t = 1000.0
    follower._last_compaction, follower._last_applied = t - COMPACT_SECONDS, t  # a change applied at t

    assert not follower.compaction_due(t + QUIET_SECONDS / 2)  # a burst: the next change comes first
    assert follower.compaction_due(t + QUIET_SECONDS)

    follower._last_compaction = t = t + QUIET_SECONDS
    assert not follower.compaction_due(t + 1.0)  # not again so soon

    follower._last_applied = t + COMPACT_ANYWAY_SECONDS - 1.0  # changes that never pause
    assert not follower.compaction_due(t + COMPACT_ANYWAY_SECONDS - 0.5)
    assert follower.compaction_due(t + COMPACT_ANYWAY_SECONDS)


def test_a_follower_applying_changes_does_not_compact_until_they_pause(archive, index, monkeypatch):
    from types import SimpleNamespace

    from archive.search import follower as search_follower

    compactions: list[int] = []
    monkeypatch.setattr(type(index._current()), "compact", lambda self: compactions.append(1) or 0)
    now = [1000.0]  # the follower's monotonic clock, moved by the test: no race with the machine's load
    monkeypatch.setattr(search_follower, "time", SimpleNamespace(monotonic=lambda: now[0]))
    follower = SearchFollower(archive, index)
    contributor = archive.contributors.register_contributor(name="Burst Person", actor=CURATOR)
    now[0] += search_follower.COMPACT_SECONDS
    follower.step()
    before = len(compactions)  # the first idle check may compact: nothing applied yet
    for n in range(10):  # a burst: a change every half of the quiet time, well past the compaction interval
        archive.cataloguing.record_testimony(
            contributor_id=contributor, actor=CURATOR, title={"en": f"t{n}"}, text={"en": "x"}, language="en",
            content_note={"en": "Mentions violence."},
        )
        now[0] += search_follower.QUIET_SECONDS / 2
        assert follower.step() > 0
        now[0] += search_follower.QUIET_SECONDS / 4
        assert follower.step() == 0  # idle in between, but not quiet for long enough
    assert len(compactions) == before
    now[0] += search_follower.QUIET_SECONDS
    follower.step()
    assert len(compactions) == before + 1  # the pause came


def test_a_purge_rewrites_one_segment_at_a_time_so_new_changes_are_applied_in_between(archive, index):
    from archive.search import SearchDocument

    for n in range(3):  # three segments, each then holding a deleted document
        index.apply([SearchDocument(doc_id=f"d{n}{k}", kind="testimony", version=1, texts={"en": "w"}) for k in range(2)], [], 0)
    index.apply([], ["d00", "d10", "d20"], 0)
    follower = SearchFollower(archive, index)
    follower._purge_due = time.monotonic()

    rewritten = []
    while follower._purge_due is not None:
        rewritten.append(follower.purge_if_due())
        assert follower._purge_due is None or follower._purge_due <= time.monotonic()  # the rest at once

    assert rewritten == [1, 1, 1]
    assert not index.has_deleted()
    assert follower.purge_if_due(force=True) == 0


def test_a_new_follower_purges_deleted_documents_an_earlier_run_left_in_the_files(archive, index):
    from archive.search import SearchDocument

    index.apply([SearchDocument(doc_id=f"d{k}", kind="testimony", version=1, texts={"en": "w"}) for k in range(2)], [], 0)
    index.apply([], ["d0"], 0)  # and the process stopped before its purge
    assert index.has_deleted()

    assert SearchFollower(archive, index).purge_if_due() == 1  # at its first pass, no new change needed
    assert not index.has_deleted()


def test_a_rebuild_keeps_a_contributors_items_together_so_withdrawing_them_all_purges_few_segments(
    archive, settings, index, monkeypatch
):
    monkeypatch.setattr("archive.search.follower.REBUILD_BATCH", 6)  # six small segments
    people = [archive.contributors.register_contributor(name=f"Person {n}", actor=CURATOR) for n in range(3)]
    items: dict = {person: [] for person in people}
    for n in range(12):  # recorded in turns: A, B, C, A, B, C, ...
        for person in people:
            item = archive.cataloguing.record_testimony(
                contributor_id=person, actor=CURATOR, text={"en": f"ordinary text {n}"}, language="en",
                content_note={"en": "Mentions violence."},
            )
            archive.consent.record_consent(item, actor=CURATOR, text_version="v1", scopes=ONLINE, attribution="anonymous")
            items[person].append(item)
    rebuild(archive, IndexFolders(settings.search_dir), search_index_opener(writable=True))
    follower = SearchFollower(archive, index)
    follower.catch_up()
    assert len(_ids(archive, index, "ordinary", page_size=50)) == 36

    first = people[0]
    for item in items[first]:
        archive.consent.withdraw(item, actor=f"contributor:{first}")
    follower.catch_up()

    assert _ids(archive, index, "ordinary", page_size=50) == {i for p in people[1:] for i in items[p]}
    assert index.purge_deleted() <= 2  # in turns over 6 segments, it would be all 6
    assert not index.has_deleted()


def test_an_idle_hour_leaves_the_index_folder_as_it_was(archive, settings, index, monkeypatch):
    from types import SimpleNamespace

    from archive.search import follower as search_follower
    from archive.search.follower import COMPACT_SECONDS

    for n in range(3):
        _testimony(archive, f"тихий текст {n}", name=f"Idle Person {n}", scopes=ONLINE, attribution="anonymous")
    now = [1000.0]
    monkeypatch.setattr(search_follower, "time", SimpleNamespace(monotonic=lambda: now[0]))
    with clock.fixed_at(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)):
        follower = SearchFollower(archive, index)
        assert follower.catch_up() > 0
        for _ in range(3):  # settle: the first compaction and expiry checks
            now[0] += COMPACT_SECONDS
            follower.step()
        before = sorted(p.relative_to(settings.search_dir) for p in settings.search_dir.rglob("*"))

        checks = int(3600 / COMPACT_SECONDS)  # an hour of compaction checks, none with work to do
        for _ in range(checks):
            now[0] += COMPACT_SECONDS
            assert follower.step() == 0

        after = sorted(p.relative_to(settings.search_dir) for p in settings.search_dir.rglob("*"))
    assert after == before
    assert _ids(archive, index, "тихий") and len(_ids(archive, index, "тихий")) == 3


def test_a_commit_or_compaction_with_nothing_to_write_leaves_no_file_behind(tmp_path: Path):
    from archive.search import SearchDocument
    from archive.search.whoosh import WhooshSearchIndex

    folder = tmp_path / "index"
    index = WhooshSearchIndex(folder, writable=True)
    try:
        index.apply([SearchDocument(doc_id="d", kind="testimony", version=2, texts={"en": "word"})], [], 1)
        before = sorted(os.listdir(folder))
        index.apply([], [], 2)  # events that change no document: only the position moves
        assert sorted(os.listdir(folder)) == before
        index.apply([SearchDocument(doc_id="d", kind="testimony", version=1, texts={"en": "old"})], [], 3)  # older
        assert sorted(os.listdir(folder)) == before
        index.apply([], ["never-indexed"], 4)
        assert sorted(os.listdir(folder)) == before
        assert index.compact() == 0
        assert sorted(os.listdir(folder)) == before
        assert index.position() == 4
    finally:
        index.close()
