"""Oracle test: the adapter's own query evaluation agrees with Whoosh's collector.

A few hundred generated documents spread over several segments (with deleted and replaced
documents) are searched through ``WhooshSearchIndex.search`` and, on the same folder, with
Whoosh's ``searcher.search`` on the identical parsed query; totals, facet counts, matched
documents, BM25F scores and date order must agree.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring, sorting

from archive.search import FACETS, MAX_PAGE_SIZE, SearchDocument, SearchHit, SearchQuery, SearchResults
from archive.search.whoosh import WhooshSearchIndex

VOCABULARY = {
    "en": "river rivers letter letters paper wall walls silence voice voices house window light garden winter".split(),
    "ru": "молчание молчания тишина тишины дом дома письмо письма река реки свет окно сад зима".split(),
    "kk": "бөлме бөлмеде бөлмесі көрме көрмесі үй үйде жарық хат хаттар өзен өзенде жалғыз қыс бақ".split(),
}
CONTRIBUTORS = ("Aigerim K.", "Ivan Petrov", "Sara Lind", None, None)
EXHIBITIONS = ("north", "south", "voices", "paper")
KINDS = ("artwork", "testimony", "exhibition")
VISIBLE_ON = date(2025, 6, 1)


def _words(rng: random.Random, lang: str, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY[lang]) for _ in range(rng.randint(low, high)))


def _generated(count: int, seed: int = 20240601) -> list[SearchDocument]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        language = rng.choice(("en", "ru", "kk", None))
        first = language or rng.choice(("en", "ru", "kk"))
        langs = sorted({first, rng.choice(("en", "ru", "kk"))} if rng.random() < 0.4 else {first})
        docs.append(
            SearchDocument(
                doc_id=f"doc-{i:03}",
                kind=rng.choice(KINDS),
                version=1,
                titles={lang: _words(rng, lang, 1, 3) for lang in langs},
                texts={lang: _words(rng, lang, 0, 14) for lang in langs if rng.random() < 0.85},
                medium={lang: _words(rng, lang, 1, 2) for lang in langs if rng.random() < 0.3},
                contributor=rng.choice(CONTRIBUTORS),
                contributor_id=f"c{rng.randint(1, 6)}",
                exhibitions=tuple(e for e in EXHIBITIONS if rng.random() < 0.35),
                year=rng.choice((2000, 2001, 2002, 2003, None)),
                language=language,
                # few distinct dates, so that date order has many ties
                sort_date=rng.choice((None, date(2001, 1, 1), date(2005, 5, 5), date(2010, 1, 1), date(2019, 9, 9))),
                expires_on=rng.choice((None,) * 8 + (date(2024, 1, 1), date(2030, 1, 1))),
            )
        )
    return docs


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WhooshSearchIndex, Any]]:
    """The adapter and a plain Whoosh searcher (BM25F) on one index of several segments."""
    folder = tmp_path_factory.mktemp("evaluation") / "index"
    ix = WhooshSearchIndex(folder, writable=True)
    docs = _generated(320)
    ix.bulk_add(docs[:90])  # a fresh index: rebuild-style segments first
    ix.bulk_add(docs[90:170])
    ix.apply(docs[170:230], [], position=1)
    replaced = [replace(d, version=2, titles={**d.titles, "en": "river letters"}) for d in docs[0:200:9]]
    ix.apply(docs[230:280] + replaced, [], position=2)  # updates delete the old versions
    ix.apply(docs[280:], [d.doc_id for d in docs[5:300:13]], position=3)
    ix.apply([], [d.doc_id for d in docs[281:320:7]], position=4)
    whoosh_ix = whoosh_index.open_dir(str(folder), indexname="MAIN")
    searcher = whoosh_ix.searcher(weighting=scoring.BM25F())
    assert len(searcher.subsearchers) >= 5 and searcher.reader().has_deletions()
    yield ix, searcher
    searcher.close()
    whoosh_ix.close()
    ix.close()


# --- the reference: Whoosh's own collector --------------------------------------------------


def _any_of(queries: list[wq.Query]) -> wq.Query | None:
    return wq.Or(queries) if queries else None


def _reference_filter(query: SearchQuery) -> wq.Query | None:
    groups = [
        _any_of([wq.Term("kind", k) for k in query.kinds]),
        _any_of([wq.Term("exhibition", e) for e in query.exhibitions]),
        _any_of([wq.NumericRange("year", y, y) for y in query.years]),
        _any_of([wq.Term("language", lang) for lang in query.languages]),
    ]
    present = [g for g in groups if g is not None]
    return wq.And(present) if present else None


def _reference_mask(query: SearchQuery) -> wq.Query | None:
    masks = [wq.Term(field, i) for i in query.exclude_ids for field in ("doc_id", "contributor_id")]
    if query.visible_on is not None:
        masks.append(wq.NumericRange("expires", 1, query.visible_on.toordinal() - 1))
    return _any_of(masks)


def _has_phrase(q: wq.Query) -> bool:
    return isinstance(q, wq.Phrase) or any(_has_phrase(child) for child in q.children())


def _prefixes_boosted_everywhere(q: wq.Query, reader: Any) -> wq.Query:
    """Whoosh drops a prefix's field boost in a segment where the prefix expands to one term
    only (``MultiTerm.matcher`` then builds an unboosted ``Term``), so the same Kazakh word
    would weigh 3x in a title in one segment and 1x in the next. The adapter keeps the boost
    everywhere; the reference expands prefixes into boosted terms itself to do the same."""
    if isinstance(q, wq.Prefix):
        words = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.expand_prefix(q.fieldname, q.text)]
        return wq.Or([wq.Term(q.fieldname, w, boost=q.boost) for w in words]) if words else wq.NullQuery
    return q.apply(lambda child: _prefixes_boosted_everywhere(child, reader))


def _reference(ix: WhooshSearchIndex, searcher: Any, query: SearchQuery) -> tuple[wq.Query | None, Any]:
    parsed = ix._parse(query.text, []) if query.text else None
    by_date = parsed is None or query.sort == "date"
    results = searcher.search(
        _prefixes_boosted_everywhere(parsed, searcher.reader()) if parsed is not None else wq.Every(),
        limit=None,
        filter=_reference_filter(query),
        mask=_reference_mask(query),
        sortedby=sorting.FieldFacet("sort_date", reverse=True) if by_date else None,
    )
    return parsed, results


def _reference_facets(results: Any) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for hit in results:
        stored = hit.fields()
        for name in ("kind", "language", "year"):
            if name in stored:
                counts[name][str(stored[name])] += 1
        for slug in filter(None, stored.get("exhibition", "").split(",")):
            counts["exhibition"][slug] += 1
    return {name: dict(found) for name, found in counts.items()}


def _all_hits(ix: WhooshSearchIndex, query: SearchQuery) -> tuple[SearchResults, dict[str, dict[str, int]], list[SearchHit]]:
    """Every hit of the adapter, page after page, with the first page and its facets."""
    first = ix.search(replace(query, page=1, page_size=MAX_PAGE_SIZE))
    hits = list(first.hits)
    for page in range(2, math.ceil(first.total / MAX_PAGE_SIZE) + 1):
        hits += ix.search(replace(query, page=page, page_size=MAX_PAGE_SIZE)).hits
    facets = {name: {f.value: f.count for f in found} for name, found in first.facets.items()}
    return first, facets, hits


QUERIES = {
    "one English word": SearchQuery(text="river"),
    "one stemmed English word": SearchQuery(text="voices"),
    "one Russian word": SearchQuery(text="молчание"),
    "two words": SearchQuery(text="river letters"),
    "two Russian words": SearchQuery(text="дом реки"),
    "OR across languages": SearchQuery(text="window OR тишина OR хат"),
    "NOT": SearchQuery(text="river NOT paper"),
    "leading NOT": SearchQuery(text="NOT garden"),
    "grouped": SearchQuery(text="letters AND (paper OR свет)"),
    "quoted phrase": SearchQuery(text='"river letters"'),
    "Kazakh prefix": SearchQuery(text="бөлме"),
    "Kazakh prefix and word": SearchQuery(text="көрме жарық"),
    "Kazakh word of one form": SearchQuery(text="жалғыз"),
    "contributor name": SearchQuery(text="aigerim"),
    "kind filter": SearchQuery(text="river OR письмо", kinds=("testimony",)),
    "two kinds and a year": SearchQuery(text="light OR свет", kinds=("artwork", "exhibition"), years=(2001,)),
    "years filter": SearchQuery(text="paper", years=(2000, 2003)),
    "language filter": SearchQuery(text="тишина OR silence OR окно", languages=("ru", "kk")),
    "exhibition filter": SearchQuery(text="letters", exhibitions=("voices",)),
    "every filter": SearchQuery(
        text="river OR река", kinds=("artwork",), years=(2000, 2002), languages=("en",), exhibitions=("north", "south")
    ),
    "exclude ids and contributors": SearchQuery(text="river OR дом", exclude_ids=("doc-010", "doc-011", "c3")),
    "visible on": SearchQuery(text="house OR окно", visible_on=VISIBLE_ON),
    "sorted by date": SearchQuery(text="letters OR письма", sort="date"),
    "no words, filtered, by date": SearchQuery(text="", exhibitions=("paper",)),
}


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_totals_facets_and_matches_agree_with_whooshs_collector(indexed, query: SearchQuery):
    ix, searcher = indexed
    _, reference = _reference(ix, searcher, query)
    first, facets, hits = _all_hits(ix, query)

    assert first.notices == ()  # run as parsed, not simplified to its words
    assert first.total == len(reference) == len(hits) > 0
    assert facets == _reference_facets(reference)
    assert {h.doc_id for h in hits} == {h["doc_id"] for h in reference}
    if query.exclude_ids or query.visible_on:  # the mask leaves something out
        assert len(reference) < len(_reference(ix, searcher, replace(query, exclude_ids=(), visible_on=None))[1])


# A phrase is scored as the sum of its words, not by Whoosh's span scorer: matches only.
RANKED = {name: q for name, q in QUERIES.items() if q.text and q.sort != "date" and '"' not in q.text}


@pytest.mark.parametrize("query", list(RANKED.values()), ids=list(RANKED))
def test_relevance_scores_agree_with_bm25f_and_rank_best_first(indexed, query: SearchQuery):
    ix, searcher = indexed
    parsed, reference = _reference(ix, searcher, query)
    _, _, hits = _all_hits(ix, query)

    assert parsed is not None and not _has_phrase(parsed)
    position = {h["doc_id"]: h.docnum for h in reference}
    assert hits == sorted(hits, key=lambda h: (-h.score, position[h.doc_id]))  # ties: index order
    expected = {h["doc_id"]: h.score for h in reference}
    # doc id -> (Whoosh's score, the adapter's score)
    wrong = {h.doc_id: (expected[h.doc_id], h.score) for h in hits if not math.isclose(h.score, expected[h.doc_id], rel_tol=1e-6)}
    assert wrong == {}


def test_a_later_page_continues_the_ranking(indexed):
    ix, searcher = indexed
    query = SearchQuery(text="river OR дом", page=2, page_size=10)
    _, reference = _reference(ix, searcher, query)
    page = ix.search(query)

    expected = sorted((h.score for h in reference), reverse=True)[10:20]
    assert len(page.hits) == 10 and page.total == len(reference)
    assert [h.score for h in page.hits] == pytest.approx(expected, rel=1e-6)


def test_small_pages_of_tied_scores_show_each_match_once(indexed):
    ix, searcher = indexed
    query = replace(QUERIES["contributor name"], page_size=10)  # one name: many equal scores
    _, reference = _reference(ix, searcher, query)
    position = {h["doc_id"]: h.docnum for h in reference}
    pages = [ix.search(replace(query, page=n)).hits for n in range(1, math.ceil(len(reference) / 10) + 1)]
    hits = [h for page in pages for h in page]

    assert sorted(h.doc_id for h in hits) == sorted(position)
    assert hits == sorted(hits, key=lambda h: (-h.score, position[h.doc_id]))


@pytest.mark.parametrize("query", [QUERIES["sorted by date"], QUERIES["no words, filtered, by date"]], ids=["words", "no words"])
def test_date_order_agrees_with_whooshs_sorted_collector(indexed, query: SearchQuery):
    ix, searcher = indexed
    _, reference = _reference(ix, searcher, query)
    _, _, hits = _all_hits(ix, query)

    assert [h.doc_id for h in hits] == [h["doc_id"] for h in reference]
    assert {h.score for h in hits} == {0.0}
