"""``WhooshSearchIndex``: languages, facets, versions, locking, safe snippets, odd queries, purge."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import MAX_PAGE_SIZE, Notice, SearchDocument, SearchQuery
from archive.search.whoosh import IndexLocked, IndexReadOnly, WhooshSearchIndex


def _doc(doc_id: str, version: int = 1, **fields) -> SearchDocument:
    fields.setdefault("kind", "artwork")
    return SearchDocument(doc_id=doc_id, version=version, **fields)


def _ids(index: WhooshSearchIndex, text: str = "", **query) -> list[str]:
    return [hit.doc_id for hit in index.search(SearchQuery(text=text, **query)).hits]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[WhooshSearchIndex]:
    ix = WhooshSearchIndex(tmp_path / "index", writable=True)
    yield ix
    ix.close()


CORPUS = [
    _doc(
        "ru-1",
        kind="testimony",
        titles={"ru": "Тишина"},
        texts={"ru": "После долгого молчания она начала говорить."},
        language="ru",
        year=2019,
        exhibitions=("voices",),
        sort_date=date(2019, 5, 1),
    ),
    _doc(
        "en-1",
        titles={"en": "Unsent"},
        texts={"en": "A wall of letters <script>alert(1)</script> never sent."},
        medium={"en": "ink on paper"},
        year=2021,
        exhibitions=("voices", "paper"),
        sort_date=date(2021, 3, 2),
        contributor="Aigerim K.",
    ),
    _doc(
        "kk-1",
        kind="testimony",
        titles={"kk": "Үй"},
        texts={"kk": "Ол бөлмеде жалғыз отырды, көрмесі кейін ашылды."},
        language="kk",
        year=2021,
        exhibitions=("paper",),
        sort_date=date(2022, 1, 9),
    ),
    _doc("undated", titles={"en": "Letter without a date"}, year=2020),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshSearchIndex]:
    ix = WhooshSearchIndex(tmp_path_factory.mktemp("corpus") / "index", writable=True)
    ix.apply(CORPUS, [], position=4)
    yield ix
    ix.close()


# --- languages ----------------------------------------------------------------------------


def test_russian_query_finds_another_case_of_the_same_word(corpus: WhooshSearchIndex):
    assert _ids(corpus, "молчание") == ["ru-1"]


def test_english_query_finds_the_plural(corpus: WhooshSearchIndex):
    assert set(_ids(corpus, "letter")) == {"en-1", "undated"}


def test_kazakh_query_word_matches_longer_inflected_words_by_prefix(corpus: WhooshSearchIndex):
    assert _ids(corpus, "бөлме") == ["kk-1"]
    assert _ids(corpus, "Көрме") == ["kk-1"]


def test_kazakh_phrases_still_need_the_exact_words(corpus: WhooshSearchIndex):
    assert _ids(corpus, '"бөлмеде жалғыз"') == ["kk-1"]
    assert _ids(corpus, '"бөлме жалғыз"') == []


def test_one_query_searches_every_language_at_once(corpus: WhooshSearchIndex):
    assert set(_ids(corpus, "молчание OR letters OR бөлме")) == {"ru-1", "en-1", "kk-1", "undated"}


def test_medium_and_contributor_name_are_searchable(corpus: WhooshSearchIndex):
    assert _ids(corpus, "ink paper") == ["en-1"]
    assert _ids(corpus, "aigerim") == ["en-1"]


def test_common_words_of_one_language_do_not_block_matches_in_another(corpus: WhooshSearchIndex):
    assert set(_ids(corpus, "the letters")) == {"en-1", "undated"}


def test_a_content_note_is_searchable_in_every_language_but_never_a_snippet(index: WhooshSearchIndex):
    index.apply(
        [
            _doc("noted", kind="testimony", texts={"ru": "Текст без этого слова."},
                 content_notes={"en": "Mentions violence.", "ru": "Упоминается насилие.", "kk": "Зорлық-зомбылық туралы."}),
            _doc("plain", kind="testimony", texts={"en": "A quiet room."}),
        ],
        [],
        position=1,
    )
    for word in ("violence", "насилии", "зорлық"):  # stemmed, another case, a Kazakh prefix
        results = index.search(SearchQuery(text=word))
        assert [hit.doc_id for hit in results.hits] == ["noted"], word
        assert results.hits[0].snippets == {}  # the hit shows the note itself, from current state


# --- facets, filters, sorting, pages ------------------------------------------------------


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshSearchIndex]:
    ix = WhooshSearchIndex(tmp_path_factory.mktemp("many") / "index", writable=True)
    docs = [
        _doc(
            f"d{i:02}",
            kind="artwork" if i < 15 else "testimony",
            texts={"en": f"river piece {i}"},
            exhibitions=("north",) if i % 2 else ("north", "south"),
            year=2000 + i % 3,
            language="en" if i % 5 == 0 else None,
            sort_date=date(2000 + i, 1, 1) if i != 7 else None,
        )
        for i in range(25)
    ]
    ix.apply(docs, [], position=1)
    yield ix
    ix.close()


def test_facets_count_the_whole_match_set_not_just_the_page(many: WhooshSearchIndex):
    results = many.search(SearchQuery(text="river", page=2, page_size=10))
    assert results.total == 25
    assert len(results.hits) == 10
    assert [(f.value, f.count) for f in results.facets["kind"]] == [("artwork", 15), ("testimony", 10)]
    assert [(f.value, f.count) for f in results.facets["exhibition"]] == [("north", 25), ("south", 13)]
    assert [(f.value, f.count) for f in results.facets["year"]] == [("2000", 9), ("2001", 8), ("2002", 8)]
    assert [(f.value, f.count) for f in results.facets["language"]] == [("en", 5)]


def test_filters_narrow_results_and_facets(many: WhooshSearchIndex):
    results = many.search(
        SearchQuery(text="river", kinds=("testimony",), exhibitions=("south",), years=(2000, 2001))
    )
    expected = sorted(f"d{i:02}" for i in range(15, 25) if i % 2 == 0 and i % 3 in (0, 1))
    assert sorted(h.doc_id for h in results.hits) == expected
    assert results.total == len(expected)
    assert [(f.value, f.count) for f in results.facets["kind"]] == [("testimony", len(expected))]
    assert sorted(_ids(many, languages=("en",), page_size=50)) == ["d00", "d05", "d10", "d15", "d20"]


def test_sort_by_date_puts_newest_first_and_undated_last(many: WhooshSearchIndex):
    ids = _ids(many, "river", sort="date", page_size=50)
    assert ids == [f"d{i:02}" for i in range(24, -1, -1) if i != 7] + ["d07"]


def test_empty_query_with_filters_lists_matches_newest_first(many: WhooshSearchIndex):
    results = many.search(SearchQuery(kinds=("testimony",)))
    assert results.total == 10
    assert [h.doc_id for h in results.hits] == [f"d{i:02}" for i in range(24, 14, -1)]


def test_a_page_past_the_end_has_no_hits_but_the_right_total(many: WhooshSearchIndex):
    results = many.search(SearchQuery(text="river", page=4, page_size=10))
    assert results.hits == [] and results.total == 25 and results.page == 4
    assert len(many.search(SearchQuery(text="river", page=3, page_size=10)).hits) == 5
    assert many.search(SearchQuery(text="river", page=10**9)).hits == []


def test_page_size_is_capped(many: WhooshSearchIndex):
    results = many.search(SearchQuery(text="river", page_size=10_000))
    assert results.page_size == MAX_PAGE_SIZE and len(results.hits) == 25


# --- writing: versions, deletes, position -------------------------------------------------


def test_an_older_version_never_overwrites_a_newer_one(index: WhooshSearchIndex):
    index.apply([_doc("a", 3, texts={"en": "newer words"})], [], position=1)
    index.apply([_doc("a", 2, texts={"en": "older words"})], [], position=2)
    assert _ids(index, "newer") == ["a"] and _ids(index, "older") == []
    assert index.versions(["a", "missing"]) == {"a": 3}
    index.apply([_doc("a", 3, texts={"en": "same version, new attribution"})], [], position=3)
    assert _ids(index, "attribution") == ["a"]


def test_within_one_batch_the_highest_version_wins_and_a_delete_wins(index: WhooshSearchIndex):
    index.apply(
        [_doc("a", 2, texts={"en": "second"}), _doc("a", 1, texts={"en": "first"}), _doc("b")],
        ["b"],
        position=1,
    )
    assert index.versions(["a", "b"]) == {"a": 2}


def test_delete_removes_the_document(index: WhooshSearchIndex):
    index.apply([_doc("a", texts={"en": "harbour"}), _doc("b", texts={"en": "harbour"})], [], 1)
    index.apply([], ["a", "never-indexed"], position=2)
    assert _ids(index, "harbour") == ["b"]
    assert index.versions(["a", "b"]) == {"b": 1}


def test_position_starts_at_zero_and_survives_reopening(tmp_path: Path):
    ix = WhooshSearchIndex(tmp_path / "ix", writable=True)
    assert ix.position() == 0
    ix.apply([_doc("a")], [], position=7)
    ix.apply([], [], position=9)  # nothing to change still records progress
    ix.close()
    reopened = WhooshSearchIndex(tmp_path / "ix", writable=True)
    assert reopened.position() == 9 and reopened.versions(["a"]) == {"a": 1}
    reopened.close()
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "ix").iterdir())


def test_reapplying_events_from_the_recorded_position_gives_the_same_index(tmp_path: Path):
    batches = [
        ([_doc("a", 1, texts={"en": "sea"}), _doc("b", 1, texts={"en": "sea"})], [], 1),
        ([_doc("a", 2, texts={"en": "sea storm"})], ["b"], 2),
        ([_doc("c", 1, texts={"en": "sea"}, contributor_id="p1")], [], 3),
    ]

    def snapshot(ix: WhooshSearchIndex) -> tuple:
        hits = ix.search(SearchQuery(text="sea")).hits
        return [(h.doc_id, h.version) for h in hits], ix.versions(["a", "b", "c"]), ix.position()

    ix = WhooshSearchIndex(tmp_path / "ix", writable=True)
    for batch in batches:
        ix.apply(*batch)
    before = snapshot(ix)
    for batch in batches:  # as if the position had not been recorded after any of them
        ix.apply(*batch)
    assert snapshot(ix) == before
    assert ix.doc_ids_for_contributor("p1") == ["c"]
    ix.close()


def test_term_lookups_find_documents_by_contributor_and_exhibition(corpus: WhooshSearchIndex):
    assert corpus.doc_ids_in_exhibition("paper") == ["en-1", "kk-1"]
    assert corpus.doc_ids_in_exhibition("nowhere") == []
    assert corpus.doc_ids_for_contributor("nobody") == []


def test_an_index_built_before_content_notes_keeps_following_and_asks_for_a_rebuild(tmp_path: Path, monkeypatch):
    import archive.search.whoosh.index as adapter

    current = adapter.build_schema
    with monkeypatch.context() as patched:  # the schema as it was before notes were indexed
        patched.setattr(adapter, "build_schema", lambda: _without_notes(current()))
        old = WhooshSearchIndex(tmp_path / "old", writable=True)
        old.apply([_doc("a", texts={"en": "first words"})], [], position=1)
        assert not old.needs_rebuild()
        old.close()
    reopened = WhooshSearchIndex(tmp_path / "old", writable=True)
    try:
        assert reopened.needs_rebuild()
        reopened.apply([_doc("b", kind="testimony", texts={"en": "later words"}, content_notes={"en": "violence"})], [], 2)
        assert sorted(_ids(reopened, "words")) == ["a", "b"] and _ids(reopened, "violence") == []
    finally:
        reopened.close()
    fresh = WhooshSearchIndex(tmp_path / "new", writable=True)
    try:
        assert not fresh.needs_rebuild()
    finally:
        fresh.close()


def _without_notes(schema):
    for name in [name for name in schema.names() if name.startswith("note_")]:
        schema.remove(name)
    return schema


# --- one writer, many readers -------------------------------------------------------------


def test_a_second_writable_instance_is_refused_until_the_first_closes(tmp_path: Path):
    first = WhooshSearchIndex(tmp_path / "ix", writable=True)
    with pytest.raises(IndexLocked):
        WhooshSearchIndex(tmp_path / "ix", writable=True)
    first.close()
    WhooshSearchIndex(tmp_path / "ix", writable=True).close()


def test_a_reader_sees_the_writers_new_commits_without_reopening(tmp_path: Path):
    reader = WhooshSearchIndex(tmp_path / "ix", writable=False)
    assert reader.search(SearchQuery(text="lantern")).total == 0  # no index yet
    writer = WhooshSearchIndex(tmp_path / "ix", writable=True)
    writer.apply([_doc("a", texts={"en": "lantern"})], [], position=1)
    assert _ids(reader, "lantern") == ["a"]
    writer.apply([_doc("b", texts={"en": "lantern"})], ["a"], position=2)
    assert _ids(reader, "lantern") == ["b"]
    assert reader.position() == 2
    with pytest.raises(IndexReadOnly):
        reader.apply([], [], position=3)
    with pytest.raises(IndexReadOnly):
        reader.purge_deleted()
    reader.close()
    writer.close()


def test_after_a_commit_a_reader_opens_only_the_segments_that_changed(tmp_path: Path, monkeypatch):
    from archive.search.whoosh import hooks

    opened: list[str] = []

    class CountingReader(hooks.SegmentReader):
        def __init__(self, storage, schema, segment, **kwargs):
            opened.append(segment.segment_id())
            super().__init__(storage, schema, segment, **kwargs)

    monkeypatch.setattr(hooks, "SegmentReader", CountingReader)
    writer = WhooshSearchIndex(tmp_path / "ix", writable=True)
    reader = WhooshSearchIndex(tmp_path / "ix", writable=False)
    try:
        for n in range(5):  # five commits, five segments
            writer.apply([_doc(f"d{n}", texts={"en": f"lantern number{n}"})], [], position=n + 1)
        assert len(_ids(reader, "lantern")) == 5

        writer.apply([_doc("d5", texts={"en": "lantern"})], [], position=6)
        opened.clear()  # (the writer opens readers too)
        assert len(_ids(reader, "lantern")) == 6
        assert len(opened) == 1  # the new segment; the other five readers were kept

        writer.apply([], ["d2"], position=7)  # a deletion changes one old segment
        opened.clear()
        assert sorted(_ids(reader, "lantern")) == ["d0", "d1", "d3", "d4", "d5"]
        assert _ids(reader, "number2") == []
        assert len(opened) == 1  # that segment, reopened with its deletion
    finally:
        reader.close()
        writer.close()


def test_a_prefix_matches_at_most_max_prefix_terms_words_so_a_short_one_stays_cheap(index, monkeypatch):
    index.apply([_doc(w, texts={"en": w}) for w in ("lanai", "lance", "lancet", "land")], [], 1)
    assert sorted(_ids(index, "lan*")) == ["lanai", "lance", "lancet", "land"]

    monkeypatch.setattr("archive.search.engine.evaluation.MAX_PREFIX_TERMS", 2)

    assert sorted(_ids(index, "lan*")) == ["lanai", "lance"]  # the first two words, alphabetically


def test_words_the_index_lacks_are_remembered_in_bounded_numbers_and_only_until_the_next_commit(index, monkeypatch):
    monkeypatch.setattr("archive.search.engine.evaluation.VIEW_ABSENT", 3)
    index.apply([_doc("a", texts={"en": "lantern"})], [], 1)
    for n in range(5):
        assert _ids(index, f"qwzabsent{n}") == []
    assert _ids(index, "lantern") == ["a"]

    assert len(index._snapshot.view._absent) == 3  # the oldest were dropped
    assert not any(text.startswith("qwzabsent0") for _, text in index._snapshot.view._absent)
    assert ("text_en", "lantern") not in index._snapshot.view._absent

    index.apply([_doc("b", texts={"en": "lantern"})], [], 2)
    assert sorted(_ids(index, "lantern")) == ["a", "b"]
    assert not any(text.startswith("qwzabsent") for _, text in index._snapshot.view._absent)  # a new commit, a new view


def test_words_analysed_for_snippets_are_forgotten_once_a_withdrawal_is_committed(index):
    index.apply([_doc("w", texts={"en": "the zorvantic lantern glowed"})], [], 1)
    assert index.search(SearchQuery(text="lantern")).hits[0].snippets  # analyses the text's words
    assert index._snapshot.analysed

    index.apply([], ["w"], 2)
    index.search(SearchQuery())  # the first search after the commit (no words: no snippets)

    assert not index._snapshot.analysed



def test_no_posting_is_looked_up_in_a_field_no_document_of_the_segment_uses(index, monkeypatch):
    from archive.search.whoosh import source

    index.apply([_doc("en", texts={"en": "a lantern by the river"}), _doc("gone", texts={"en": "lantern"})], [], 1)
    read: list[str] = []
    cache = source.PostingsCache
    from_whoosh, from_file = cache.get, cache.get_from  # every read, from Whoosh or the postings file
    monkeypatch.setattr(cache, "get", lambda self, r, s, field, *a: read.append(field) or from_whoosh(self, r, s, field, *a))
    monkeypatch.setattr(cache, "get_from", lambda self, p, s, field, *a: read.append(field) or from_file(self, p, s, field, *a))

    assert index.search(SearchQuery(text="молчание OR lantern", exclude_ids=("gone",))).total == 1

    assert read and not [f for f in read if f.endswith(("_ru", "_kk")) or f.startswith(("meta_", "title_"))]
    assert "doc_id" in read  # unscored fields (ids) are always looked up: their length is 0

# --- snippets and malformed queries -------------------------------------------------------


def test_snippets_are_html_escaped_and_mark_the_matches(corpus: WhooshSearchIndex):
    (hit,) = corpus.search(SearchQuery(text="unsent letters")).hits
    assert "<mark>Unsent</mark>" == hit.snippets["title_en"]
    snippet = hit.snippets["text_en"]
    assert "<mark>letters</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet
    assert hit.score > 0


def test_snippets_show_two_far_apart_matches_and_stems_that_do_not_start_their_word(index: WhooshSearchIndex):
    filler = " ".join(["quiet"] * 120)
    index.apply(
        [_doc("far", texts={"en": f"A lantern at the start. {filler} Another lantern at the end."}),
         _doc("stem", texts={"en": f"{filler} They were happy there."})],
        [], position=1,
    )
    (far,) = index.search(SearchQuery(text="lanterns")).hits
    fragments = far.snippets["text_en"].split(" … ")
    assert len(fragments) == 2 and all("<mark>lantern</mark>" in f for f in fragments)
    assert fragments[1].endswith("Another <mark>lantern</mark> at the end.")

    (stem,) = index.search(SearchQuery(text="happiness")).hits  # both become "happi"
    assert "<mark>happy</mark>" in stem.snippets["text_en"]



def test_a_russian_word_form_the_query_stem_does_not_start_is_still_marked(index: WhooshSearchIndex):
    filler = " ".join(["тихо"] * 120)
    index.apply(
        [_doc("ru", titles={"ru": "Зелёный сад"}, texts={"ru": f"{filler} Там был зелёный дом."}),
         _doc("title-only", titles={"ru": "Зеленый свет"}, texts={"ru": f"{filler} Там был дом."})],
        [], position=1,
    )
    hits = {hit.doc_id: hit for hit in index.search(SearchQuery(text="зеленый")).hits}  # stem "зелен"

    assert hits["ru"].snippets["title_ru"] == "<mark>Зелёный</mark> сад"
    assert hits["ru"].snippets["text_ru"].endswith("Там был <mark>зелёный</mark> дом.")
    assert hits["title-only"].snippets == {"title_ru": "<mark>Зеленый</mark> свет"}


def test_a_word_the_russian_stemmer_changes_the_first_letter_of_is_still_marked(index: WhooshSearchIndex):
    # "Iрина" typed with a Latin "I" (as Kazakh keyboards make easy): the stemmer reads it as
    # "ирин", so the text matches "Ирина", and the snippet must mark the word it matched.
    filler = " ".join(["тихо"] * 120)
    index.apply([_doc("ru", texts={"ru": f"{filler} Пришла Iрина с сестрой."})], [], position=1)

    hit = index.search(SearchQuery(text="Ирина")).hits[0]

    assert hit.snippets["text_ru"].endswith("Пришла <mark>Iрина</mark> с сестрой.")

MALFORMED = [
    '"unbalanced quote',
    'two "quotes" and "one',
    "AND",
    "OR",
    "NOT",
    "letters AND",
    "OR letters",
    "letters AND OR paper",
    "*",
    "?",
    "title:letters",
    "unknownfield:letters",
    "letters:",
    "(letters",
    "letters))",
    "{a TO b]",
    "letters^^2~~",
    "\x00letters\x00",
    "let\x07ters\x1b[31m",
    "letters " * 2_000,
    "ж" * 10_000,
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_queries_return_results_or_a_notice(corpus: WhooshSearchIndex, text: str):
    results = corpus.search(SearchQuery(text=text))
    assert results.hits or results.notices or results.total == 0
    assert results.total >= len(results.hits)


def test_malformed_queries_still_find_their_words(corpus: WhooshSearchIndex):
    assert "en-1" in _ids(corpus, '"letters')
    assert "en-1" in _ids(corpus, "title:letters")
    assert "en-1" in _ids(corpus, "\x00letters\x00")
    long = corpus.search(SearchQuery(text="letters " * 2_000))
    assert long.notices == (Notice.SHORTENED,) and long.total == 2


@given(
    st.lists(
        st.one_of(
            st.text(st.characters(max_codepoint=0x4FF), max_size=12),
            st.sampled_from(
                ['"', "(", ")", "*", "?", "AND", "OR", "NOT", "title:", ":", "^2", "~", "\x00", "бөлме"]
            ),
        ),
        max_size=25,
    ).map(" ".join)
)
@settings(max_examples=100, deadline=None)
def test_random_queries_never_raise(corpus: WhooshSearchIndex, text: str):
    results = corpus.search(SearchQuery(text=text))
    assert results.total >= len(results.hits)


# --- purge --------------------------------------------------------------------------------


SECRETS = ["zqxwvbrelic", "zqxwvbrel", "щжъюбрелик", "щжъюбрел"]  # the words and their stems


def _files_with(folder: Path, words: list[str]) -> set[str]:
    found = set()
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found |= {f"{path.name}:{w}" for w in words if w.encode("utf-8") in data}
    return found


def _segment_hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.suffix == ".seg"
    }


def test_purge_removes_withdrawn_text_from_the_files_and_rewrites_only_its_segment(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    for batch in range(6):
        docs = [
            _doc(f"b{batch}-{i}", texts={"en": f"small work {i} of batch {batch}"}, year=2000 + i % 9)
            for i in range(500)
        ]
        ix.apply(docs, [], position=batch + 1)
    assert len(_segment_hashes(folder)) == 6  # segments above SMALL_SEGMENT_DOCS are never merged
    bystanders = [_doc(f"s{i}", texts={"en": "bystander"}) for i in range(10)]
    secret = _doc("secret", kind="testimony", texts={"en": "a zqxwvbrelic night", "ru": "щжъюбрелик ночь"})
    ix.apply([secret, *bystanders], [], position=7)
    before = _segment_hashes(folder)
    assert _files_with(folder, SECRETS)  # the scan does see the words while they are indexed

    ix.apply([], ["secret"], position=8)
    assert _ids(ix, "zqxwvbrelic") == [] and ix.has_deleted()
    assert _files_with(folder, SECRETS)  # a delete alone leaves the text in the segment
    assert ix.purge_deleted() == 1

    assert _files_with(folder, SECRETS) == set()
    assert not ix.has_deleted() and ix.purge_deleted() == 0
    after = _segment_hashes(folder)
    unchanged = {name for name, digest in before.items() if after.get(name) == digest}
    assert len(unchanged) == len(before) - 1  # every segment but the secret's is untouched
    assert ix.search(SearchQuery(text="bystander")).total == 10
    assert ix.search(SearchQuery(text="small work")).total == 3_000
    ix.close()


def _terms_in_memory(index: WhooshSearchIndex) -> set[str]:
    """Every term the index instance holds decoded in memory (its query caches, looked at
    from the inside: there is no public surface for this, on purpose)."""
    held = {key[3] for key in index._postings._entries}
    for segment in index._segments.values():
        for terms in segment._lexicons.values():
            held.update(terms)
    return held


def test_after_a_purge_a_reader_keeps_nothing_it_read_from_the_replaced_segment(tmp_path: Path):
    folder = tmp_path / "ix"
    writer = WhooshSearchIndex(folder, writable=True)
    reader = WhooshSearchIndex(folder, writable=False)
    writer.apply([_doc(f"w{i}", texts={"en": f"ordinary work {i}"}) for i in range(300)], [], position=1)
    secret = _doc("secret", kind="testimony", texts={"en": "a zqxwvbrelic night", "kk": "щжъюбрелик түн"})
    writer.apply([secret, _doc("other", texts={"en": "another night"})], [], position=2)
    assert _ids(reader, "zqxwvbrelic") == ["secret"] and _ids(reader, "щжъюб") == ["secret"]  # a Kazakh prefix
    assert {"zqxwvbrelic", "щжъюбрелик"} <= _terms_in_memory(reader)  # the check sees what is cached

    writer.apply([], ["secret"], position=3)
    assert writer.purge_deleted() == 1
    assert _ids(reader, "night") == ["other"]  # the reader's next query opens the new generation

    assert not {"zqxwvbrel", "zqxwvbrelic", "щжъюбрелик"} & _terms_in_memory(reader)
    writer.close()
    reader.close()


def test_decoded_postings_held_in_memory_stay_within_the_budget(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("archive.search.whoosh.source.POSTINGS_CACHE_SIZE", 500)
    ix = WhooshSearchIndex(tmp_path / "ix", writable=True)
    ix.apply([_doc(f"d{i}", texts={"en": f"common word{i % 7} other{i % 11}"}) for i in range(400)], [], position=1)
    totals = [ix.search(SearchQuery(text=f"word{n}")).total for n in range(7)]
    totals += [ix.search(SearchQuery(text=f"other{n}")).total for n in range(11)]
    assert ix.search(SearchQuery(text="common")).total == 400

    assert ix._postings._held <= 500 + 400 + 1  # the entry just read may exceed it alone
    assert totals == [58, 57, 57, 57, 57, 57, 57] + [37] * 4 + [36] * 7  # evicted terms are read again
    assert [ix.search(SearchQuery(text=f"word{n}")).total for n in range(7)] == totals[:7]
    ix.close()


def _segment_sizes(index: WhooshSearchIndex) -> list[int]:
    writer = index._ix.writer()
    try:
        return sorted(seg.doc_count_all() for seg in writer.segments)
    finally:
        writer.cancel()


def test_a_purge_rewrites_each_dirty_segment_on_its_own_and_never_grows_one(tmp_path: Path):
    ix = WhooshSearchIndex(tmp_path / "ix", writable=True)
    for batch in range(4):
        ix.apply([_doc(f"b{batch}-{i}", texts={"en": f"work {i}"}) for i in range(400)], [], position=batch + 1)
    before = _segment_sizes(ix)
    assert len(before) == 4

    ix.apply([], ["b0-1", "b1-1", "b2-1"], position=5)  # one deletion in each of three segments
    assert ix.purge_deleted() == 3

    assert _segment_sizes(ix) == [399, 399, 399, 400]  # not folded into one segment of 1,197
    assert not ix.has_deleted() and ix.search(SearchQuery(text="work")).total == 1_597
    ix.close()


def test_a_purge_rewrites_the_segment_that_has_waited_longest_first(tmp_path: Path):
    folder = tmp_path / "ix"
    ix = WhooshSearchIndex(folder, writable=True)
    for batch in range(3):
        words = {"en": f"work of batch {batch}", "ru": f"zqxwvfirst{batch}"}
        ix.apply([_doc(f"b{batch}-{i}", texts=words if i == 0 else {"en": "work"}) for i in range(300)], [], batch + 1)
    ix.apply([], ["b2-0"], position=4)  # the last segment in the index's order is dirtied first
    ix.apply([], ["b0-0"], position=5)

    assert ix.purge_deleted(limit=1) == 1

    assert {found.split(":")[1] for found in _files_with(folder, ["zqxwvfirst2", "zqxwvfirst0"])} == {"zqxwvfirst0"}
    assert ix.purge_deleted() == 1 and not _files_with(folder, ["zqxwvfirst0"])
    ix.close()


def test_a_rebuild_writes_segments_small_enough_for_a_quick_purge(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("archive.search.whoosh.index.REBUILD_SEGMENT_DOCS", 40, raising=False)
    ix = WhooshSearchIndex(tmp_path / "ix", writable=True)

    ix.bulk_add([_doc(f"d{i}", texts={"en": "work"}) for i in range(100)])

    assert sorted(_segment_sizes(ix)) == [20, 40, 40]
    assert ix.search(SearchQuery(text="work")).total == 100
    ix.close()


def _varied_doc(n: int, secret: str | None = None) -> SearchDocument:
    """A document with every kind of field a purge copies: stored texts in three languages,
    phrases, numbers, dates, facets, a content note and a contributor."""
    words = ["river", "letters", "silence", "winter", "mother", "train", "garden", "voices"]
    text = " ".join(words[(n * k) % len(words)] for k in range(1, 2 + n % 7)) + f" word{n % 13}"
    return _doc(
        f"doc-{n:04d}-end",  # no id is part of another: the scan looks for withdrawn ids too
        version=1 + n % 3,
        kind="testimony" if n % 2 else "artwork",
        titles={"en": f"Work {n} {words[n % 8]}", "ru": "Письма" if n % 3 else "Молчание"},
        texts={"en": f"{text} {secret}" if secret else text, "kk": f"үнсіздік хаттар {n % 5}", "ru": "долгого молчания"},
        medium={"en": "ink on paper"} if n % 4 else {},
        content_notes={"en": "violence"} if n % 5 == 0 else {},
        contributor=f"Witness {n % 6}" if n % 3 else None,
        contributor_id=f"c{n % 6}",
        exhibitions=("voices", "paper")[: 1 + n % 2],
        year=2010 + n % 9,
        language=("en", "ru", "kk")[n % 3],
        sort_date=date(2015 + n % 8, 1 + n % 12, 1 + n % 27),
    )


def _everything_found(ix: WhooshSearchIndex) -> list[tuple[str, list[tuple[str, float, dict[str, str]]], int, dict]]:
    found = []
    for text in ["river", "letters silence", '"mother train"', "молчание", "үнсіз*", "witness", "violence", "word7", "", "paper"]:
        for sort in ("relevance", "date"):
            results = ix.search(SearchQuery(text=text, sort=sort, page_size=MAX_PAGE_SIZE))
            hits = [(hit.doc_id, round(hit.score, 9), dict(hit.snippets)) for hit in results.hits]
            found.append((f"{text}/{sort}", hits, results.total, results.facets))
    return found


def test_a_purge_of_several_segments_leaves_no_withdrawn_word_and_the_same_results(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("archive.search.whoosh.index.REBUILD_SEGMENT_DOCS", 60)
    secrets = {n: f"zqxwvsecret{chr(ord('a') + i)}" for i, n in enumerate([3, 59, 61, 62, 130, 179, 200])}
    docs = [_varied_doc(n, secrets.get(n)) for n in range(220)]
    folder, twin = tmp_path / "ix", tmp_path / "twin"
    ix = WhooshSearchIndex(folder, writable=True)
    ix.bulk_add(docs)
    assert len(_segment_hashes(folder)) == 4  # 60, 60, 60, 40 documents: secrets in every one
    withdrawn = [f"doc-{n:04d}-end" for n in secrets]
    ix.apply([], withdrawn, position=1)
    # The same documents without the withdrawn ones, never deleted: what the results must be.
    reference = WhooshSearchIndex(twin, writable=True)
    reference.bulk_add([d for d in docs if d.doc_id not in withdrawn])
    expected = _everything_found(reference)
    reference.close()
    assert _files_with(folder, list(secrets.values()))

    assert ix.purge_deleted() == 4

    assert _files_with(folder, [*secrets.values(), *withdrawn]) == set()
    assert not ix.has_deleted()
    assert _everything_found(ix) == expected
    ix.close()
    reopened = WhooshSearchIndex(folder, writable=False)
    assert _everything_found(reopened) == expected
    reopened.close()


def test_opening_for_writing_removes_a_killed_writers_leftovers(tmp_path: Path):
    folder = tmp_path / "ix"
    WhooshSearchIndex(folder, writable=True).close()
    (folder / "MAIN.tmp").mkdir()
    (folder / "MAIN.tmp" / "pool.run").write_bytes("zqxwvbrelic".encode())
    (folder / "_MAIN_1.toc.1700000000.5").write_bytes(b"zqxwvbrelic")
    (folder / ".position.json.123.tmp").write_bytes(b"{}")
    ix = WhooshSearchIndex(folder, writable=True)
    assert _files_with(folder, SECRETS) == set()
    assert not {"MAIN.tmp", "_MAIN_1.toc.1700000000.5", ".position.json.123.tmp"} & set(os.listdir(folder))
    assert ix.search(SearchQuery()).total == 0
    ix.close()


def test_only_documents_whose_consent_ended_before_the_day_count_as_expired(index):
    index.apply([
        _doc("ended", expires_on=date(2020, 1, 1), titles={"en": "quilt"}),
        _doc("today", expires_on=date(2024, 6, 1), titles={"en": "quilt"}),
        _doc("far", expires_on=date(2099, 12, 31), titles={"en": "quilt"}),  # a larger number than the day
        _doc("open", titles={"en": "quilt"}),
    ], [], 1)

    assert index.doc_ids_expired(date(2024, 6, 1)) == ["ended"]
    assert sorted(_ids(index, "quilt", visible_on=date(2024, 6, 1))) == ["far", "open", "today"]

    # later commits: a new segment is looked up too, and a removed document no longer counts
    index.apply([_doc("ended-later", expires_on=date(2021, 5, 5), titles={"en": "quilt"})], ["ended"], 2)
    assert index.doc_ids_expired(date(2024, 6, 1)) == ["ended-later"]
    assert index.doc_ids_expired(date(2021, 5, 5)) == []


def test_excluded_ids_leave_hits_totals_and_facets_alike(index):
    index.apply([
        _doc("a", titles={"en": "quilt"}, contributor_id="c1"),
        _doc("b", titles={"en": "quilt"}, contributor_id="c2"),
        _doc("c", titles={"en": "quilt"}, contributor_id="c3"),
    ], [], 1)

    results = index.search(SearchQuery("quilt", exclude_ids=("a", "c2")))
    assert [h.doc_id for h in results.hits] == ["c"] and results.total == 1
    assert sum(f.count for f in results.facets["kind"]) == 1


def test_a_commit_interrupted_after_its_table_of_contents_keeps_its_segment_files(tmp_path: Path, monkeypatch):
    """An interrupt (Ctrl-C, a failing temp-folder cleanup) after Whoosh wrote the new TOC
    but before the writer closed: the segment is committed, and cleaning up after the failed
    writer must not delete the files the index now reads."""
    from whoosh.writing import SegmentWriter

    index = WhooshSearchIndex(tmp_path / "index", writable=True)
    index.apply([_doc("a", titles={"en": "Alpha"})], [], position=1)
    commit_toc = SegmentWriter._commit_toc

    def interrupted(self, segments):
        commit_toc(self, segments)
        raise KeyboardInterrupt

    monkeypatch.setattr(SegmentWriter, "_commit_toc", interrupted)
    with pytest.raises(KeyboardInterrupt):
        index.apply([_doc("b", titles={"en": "Beta"})], [], position=2)
    monkeypatch.undo()
    index.close()
    reopened = WhooshSearchIndex(tmp_path / "index", writable=False)
    try:
        assert sorted(_ids(reopened)) == ["a", "b"]  # the committed segment is whole
    finally:
        reopened.close()


def test_a_words_first_search_reads_no_field_lengths_once_the_commit_is_open(index, monkeypatch):
    from archive.search.whoosh import source

    index.apply([_doc("a", titles={"kk": "Үй"}, texts={"en": "a lantern by the river"})], [], 1)
    assert index.search(SearchQuery()).total == 1  # the commit's first query: no words
    read: list[str] = []
    lengths, lexicon = source.SegmentData.lengths, source.SegmentData.lexicon

    def reading_lengths(data, reader, field):
        if field not in data._lengths:
            read.append(field)
        return lengths(data, reader, field)

    def reading_lexicon(data, reader, field):
        if field not in data._lexicons:
            read.append(field)
        return lexicon(data, reader, field)

    monkeypatch.setattr(source.SegmentData, "lengths", reading_lengths)
    monkeypatch.setattr(source.SegmentData, "lexicon", reading_lexicon)

    assert _ids(index, "lantern") == ["a"]

    assert read == []  # norms and Kazakh lexicons were read when the commit opened, not by this query


def _stemmed_words(index: WhooshSearchIndex) -> set[str]:
    """Every word the stemmers of the index's own schema (query parsing, snippets) hold."""
    from whoosh.analysis import StemFilter

    held: set[str] = set()
    for name in index._schema.names():
        for item in getattr(getattr(index._schema[name], "analyzer", None), "items", ()):
            if isinstance(item, StemFilter):
                for cell in item._stem.__closure__ or ():
                    if isinstance(cell.cell_contents, dict):
                        held |= {key[0] for key in cell.cell_contents}
    return held


def test_a_withdrawn_texts_words_leave_the_stemmers_memory_at_the_next_commit(index):
    index.apply([_doc("secret", texts={"ru": "тайная комната Карины, комнатка"}, titles={"en": "Letters home"}),
                 _doc("other", texts={"en": "a lantern by the river"})], [], 1)
    assert _ids(index, "комната") == ["secret"]  # parsed, and its text analysed for the snippet
    assert "комнатка" in _stemmed_words(index)  # (a word that begins as the searched word's stem)

    index.apply([], ["secret"], 2)  # withdrawn: deleted in the next commit
    assert _ids(index, "lantern") == ["other"]  # a query opens that commit

    assert not {"тайная", "комната", "карины", "комнатка"} & _stemmed_words(index)


def test_a_phrase_is_found_in_every_segment_and_block_and_only_in_order(index: WhooshSearchIndex):
    """The adapter reads each candidate's positions from the right segment: in several
    segments, past Whoosh's posting blocks, after deletions, and again from what it kept."""
    docs, expected = [], set()
    for n in range(900):
        if n % 7 == 0:
            text, phrase = "the lantern river was bright", True
        elif n % 7 == 3:
            text, phrase = "a river by the lantern", False  # both words, not in order
        elif n % 5 == 0:
            text, phrase = "a lantern glowing by the bright river", False  # both words, apart
        else:
            text, phrase = "quiet evening lantern" if n % 2 else "quiet river evening", False
        docs.append(_doc(f"d{n}", texts={"en": text}))
        if phrase:
            expected.add(f"d{n}")
    for start in range(0, 900, 300):  # three commits: three segments
        index.apply(docs[start : start + 300], [], start + 300)
    index.apply([], ["d0", "d301", "d602"], 901)
    expected -= {"d0", "d301", "d602"}

    def phrase_hits() -> set[str]:
        results = index.search(SearchQuery(text='"lantern river"', page_size=MAX_PAGE_SIZE))
        found = {hit.doc_id for hit in results.hits}
        for page in range(2, -(-results.total // MAX_PAGE_SIZE) + 1):
            found |= {hit.doc_id for hit in index.search(SearchQuery(text='"lantern river"', page=page, page_size=MAX_PAGE_SIZE)).hits}
        assert results.total == len(found)
        return found

    assert phrase_hits() == expected  # positions read for the first time
    assert phrase_hits() == expected  # and again from what was kept
    assert len(expected) == 126
