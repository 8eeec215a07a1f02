"""The Silent Room demo reads as it was written: its contributors' names are names, and the
name filter removes no ordinary word of its texts, whatever credit each contributor chose."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

import pytest

from archive.services.application import ExhibitionArchive
from archive.services.demo import SLUG, load_demo
from archive.gate.name_filter import OMITTED
from archive.read.public import published_exhibition, visible_item
from domain import clock
from tests.fakes import InMemoryMediaStore, in_memory_archive

#: A day the demo exhibition is open (dates are passed, never read from the wall clock).
OPEN_DAY = date(2024, 4, 20)
#: A given name and a surname, as people write them in the demo's languages.
A_NAME = re.compile(r"[A-ZА-ЯӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+ [A-ZА-ЯӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+")


def _demo(*, credit: str | None) -> ExhibitionArchive:
    """The demo with small sample photos; with ``credit``, every consent given with that credit
    and online (so that every item is seen with the most names withheld)."""
    from media_store import PillowImagePipeline, make_sample_photo

    archive = in_memory_archive(
        media=InMemoryMediaStore(), images=PillowImagePipeline(),
    )
    if credit is not None:
        record_consent = archive.consent.record_consent

        def with_credit(item_id: Any, **consent: Any) -> Any:
            return record_consent(
                item_id, **{**consent, "attribution": credit, "scopes": ["exhibit", "publish_online"]}
            )

        archive.consent.record_consent = with_credit  # type: ignore[method-assign]
    load_demo(archive, lambda seed, title: make_sample_photo(seed, size=(320, 240), title=title))
    return archive


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    return []


def _visible_texts(archive: ExhibitionArchive) -> dict[str, list[str]]:
    """Every text a visitor sees of each demo item, on its own page and in the exhibition."""
    seen: dict[str, list[str]] = {}
    with clock.fixed_at(datetime(2024, 4, 20, 12, tzinfo=timezone.utc)):
        views = [visible_item(archive, item_id, OPEN_DAY) for item_id in archive.item_ids()]
        views += published_exhibition(archive, SLUG, OPEN_DAY).works
    for view in views:
        if view is None:
            continue
        texts = _texts(view.details) + _texts(view.wall_text)
        for image in view.images:
            texts += _texts(image.alt_text) + _texts(image.caption)
        seen.setdefault(str(view.id), []).extend(texts)
    return seen


def test_the_demo_contributors_have_names_that_read_as_names(archive):
    load_demo(archive)
    names = [archive.get_contributor(c).name for c in archive.contributor_ids()]

    assert len(names) == 5
    assert [n for n in names if not A_NAME.fullmatch(n or "")] == []


@pytest.mark.parametrize("credit", [None, "anonymous"], ids=["as-recorded", "all-anonymous"])
def test_no_ordinary_word_of_the_demo_is_removed_as_a_name(credit):
    archive = _demo(credit=credit)
    names = {
        word.lower()
        for c in archive.contributor_ids()
        for field in (archive.get_contributor(c).name, archive.get_contributor(c).pseudonym)
        for word in re.findall(r"\w+", field or "")
        if len(word) >= 2
    }
    seen = _visible_texts(archive)

    # Every item online is seen (all but the withdrawn one, and the room-only one unless its
    # consent was widened here), with its images' texts ...
    assert len(seen) == (4 if credit is None else 5) and sum(len(t) for t in seen.values()) > 60
    # ... no demo text names anyone, so nothing may be removed from any of it.
    assert {w.lower() for texts in seen.values() for t in texts for w in re.findall(r"\w+", t)} & names == set()
    removed = {item: [t for t in texts if OMITTED in t] for item, texts in seen.items()}
    assert {item: texts for item, texts in removed.items() if texts} == {}
