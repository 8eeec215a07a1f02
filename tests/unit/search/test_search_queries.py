"""The visitor search use case with a stub index: what the per-hit consent gate decides alone."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from archive.search import queries as search_queries
from archive.search import FACETS, FacetCount, SearchHit, SearchIndex, SearchQuery, SearchResults
from archive.search.queries import search
from domain import clock
from tests.conftest import CURATOR


class IndexMissingAChange(SearchIndex):
    """A caught-up index that still answers with a document consent no longer allows, at the
    item's latest version (as an index whose own expiry filter failed would)."""

    def __init__(self, archive, hits: list[SearchHit], position: int | None = None):
        self._archive = archive
        self._hits = hits
        self._position = position

    def position(self) -> int:
        if self._position is not None:
            return self._position
        return self._archive.recorder.max_notification_id() or 0

    def search(self, query: SearchQuery) -> SearchResults:
        start = (query.page - 1) * query.page_size
        facets = {name: [] for name in FACETS} | {"kind": [FacetCount("testimony", len(self._hits))]}
        return SearchResults(self._hits[start : start + query.page_size], len(self._hits), query.page, query.page_size, facets)

    def apply(self, upserts, deletes, position): raise NotImplementedError  # noqa: E704
    def versions(self, doc_ids): return {}  # noqa: E704
    def doc_ids_for_contributor(self, contributor_id): return []  # noqa: E704
    def doc_ids_in_exhibition(self, slug): return []  # noqa: E704
    def doc_ids_expired(self, on): return []  # noqa: E704
    def purge_deleted(self, limit=None): return 0  # noqa: E704
    def has_deleted(self): return False  # noqa: E704


def test_a_hit_whose_consent_has_expired_is_neither_shown_nor_counted_even_at_its_latest_version(archive):
    person = archive.contributors.register_contributor(name="Expiring Person", actor=CURATOR)
    with clock.fixed_at(datetime(2030, 1, 1, tzinfo=timezone.utc)):
        item = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"en": "words"}, language="en",
                                        content_note={"en": "Note"})
        archive.consent.record_consent(item, actor=CURATOR, text_version="v1", scopes=["publish_online"],
                               attribution="anonymous", expires_on=date(2030, 1, 10))
    hit = SearchHit(str(item), "testimony", 1.0, archive.get_item(item).version, {"text_en": "<mark>words</mark>"})
    index = IndexMissingAChange(archive, [hit])

    assert [h.id for h in search(archive, index, SearchQuery(text="words"), on=date(2030, 1, 9)).hits] == [item]
    results = search(archive, index, SearchQuery(text="words"), on=date(2030, 1, 11))
    assert results.hits == () and results.total == 0 and results.total_exact
    assert all(counts == () for counts in results.facets.values())


@pytest.mark.parametrize("index_state", ["far behind", "in step"])
def test_an_exhibition_filter_neither_shows_nor_counts_an_item_whose_consent_does_not_allow_exhibiting(
    archive, monkeypatch, index_state
):
    """The index (far behind or in step, and wrong) says both items hang in the published
    exhibition, at their current versions; one's consent allows it online but not in exhibitions."""
    person = archive.contributors.register_contributor(name="Hanging Person", actor=CURATOR)
    items = {}
    for key, scopes in (("exhibited", ["exhibit", "publish_online"]), ("online_only", ["publish_online"])):
        items[key] = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"en": "words"},
                                              language="en", content_note={"en": "Note"})
        archive.consent.record_consent(items[key], actor=CURATOR, text_version="v1", scopes=scopes, attribution="anonymous")
    room = archive.curation.create_exhibition(slug="room", actor=CURATOR, titles={"en": "Room"})
    for item in items.values():
        archive.curation.add_to_exhibition(room, item, actor=CURATOR, wall_text={"en": "Wall"})
    archive.curation.publish_exhibition(room, actor=CURATOR)
    hits = [SearchHit(str(i), "testimony", 1.0, archive.get_item(i).version, {}) for i in items.values()]
    if index_state == "far behind":
        monkeypatch.setattr(search_queries, "MAX_LAG", 1)  # only the gate's own checks remain
        index = IndexMissingAChange(archive, hits, position=0)
    else:
        index = IndexMissingAChange(archive, hits)

    everywhere = search(archive, index, SearchQuery(text="words"))
    assert {h.id for h in everywhere.hits} == set(items.values())  # both may be shown online
    in_room = search(archive, index, SearchQuery(text="words", exhibitions=("room",)))
    assert [h.id for h in in_room.hits] == [items["exhibited"]] and in_room.total == 1


def test_the_gate_reads_a_page_of_hits_from_their_cards_and_still_refuses_what_consent_does_not_allow(
    archive, monkeypatch
):
    """One query for the page's items and contributors (their cards and rows), no replay of an
    aggregate; a hit whose consent was narrowed since it was indexed is still left out, and a
    named credit still shows the name the contributor's row holds."""
    person = archive.contributors.register_contributor(name="Carded Person", actor=CURATOR)
    items = []
    for attribution in ("named", "anonymous", "named"):
        item = archive.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, text={"en": "words"}, language="en",
                                        content_note={"en": "Note"})
        archive.consent.record_consent(item, actor=CURATOR, text_version="v1", scopes=["publish_online"],
                               attribution=attribution)
        items.append(item)
    archive.consent.update_consent(items[2], actor=CURATOR, scopes=["exhibit"])  # no longer online
    hits = [SearchHit(str(i), "testimony", 1.0, archive.get_item(i).version, {}) for i in items]
    index = IndexMissingAChange(archive, hits)

    def refuse(*_):
        raise AssertionError("the search gate replayed an aggregate")

    monkeypatch.setattr(archive, "get_item", refuse)
    monkeypatch.setattr(archive, "get_contributor", refuse)
    shown = search(archive, index, SearchQuery(text="words"), on=archive.today())

    assert [h.id for h in shown.hits] == items[:2]
    assert [h.credit for h in shown.hits] == ["Carded Person", None]


def test_a_page_of_exhibition_hits_reads_the_exhibitions_once_and_shows_only_the_published(archive, monkeypatch):
    """The exhibitions among a page's hits are read in one query, as its items are; one
    unpublished since it was indexed is neither shown nor counted as shown."""
    shows = []
    for slug in ("first", "second", "hidden"):
        show = archive.curation.create_exhibition(slug=slug, actor=CURATOR, titles={"en": slug.title()})
        archive.curation.publish_exhibition(show, actor=CURATOR)
        shows.append(show)
    archive.curation.unpublish_exhibition(shows[2], actor=CURATOR)
    hits = [SearchHit(str(show), "exhibition", 1.0, archive.get_exhibition(show).version) for show in shows]
    reads = []
    real = archive.read_models.published_rows

    def published_rows(exhibition_ids=None):
        reads.append(exhibition_ids)
        return real(exhibition_ids)

    monkeypatch.setattr(archive.read_models, "published_rows", published_rows)

    results = search(archive, IndexMissingAChange(archive, hits), SearchQuery(text="first"))

    assert [(hit.id, hit.slug) for hit in results.hits] == [(shows[0], "first"), (shows[1], "second")]
    assert len(reads) == 1 and set(reads[0]) == set(shows)
