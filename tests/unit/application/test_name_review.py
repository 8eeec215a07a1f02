"""When an item's credit narrows, curators see the words left that may still name someone."""

from __future__ import annotations

import pytest

from archive.gate.name_filter import NameFilter
from archive.services.name_review import name_candidates, review_list
from tests.conftest import CURATOR

ONLINE = ["exhibit", "publish_online"]
TEXT = {
    "ru": "Когда Айгерим Маратовна вернулась в Алматы, соседка Гульмира позвонила Qaraqus. В марте всё кончилось.",
    "kk": "Айгерімнің апасы Бибігүл наурызда Алматыға келді.",
    "en": "Aigerim's aunt, Bibigul, came in March.",
}


@pytest.fixture
def testimony(archive):
    person = archive.contributors.register_contributor(name="Айгерим Садыкова", pseudonym="Qaraqus", actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=person, actor=CURATOR, language="ru", content_note={"en": "Mentions violence."}, text=TEXT,
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    return item


def words(candidates):
    return {candidate.word for candidate in candidates}


def test_name_like_words_are_listed_once_the_name_is_withheld(archive, testimony):
    assert review_list(archive, archive.get_item(testimony)) == []

    archive.consent.update_consent(testimony, actor=CURATOR, attribution="anonymous")
    listed = review_list(archive, archive.get_item(testimony))

    assert words(listed) == {"Маратовна", "Гульмира", "Бибігүл", "Bibigul"}
    assert listed[0].word == "Маратовна" and listed[0].beside_removed, "a word beside a removed name comes first"
    assert "[…] Маратовна" in listed[0].context


def test_the_credited_pseudonym_is_not_listed_and_a_redacted_word_leaves_the_list(archive, testimony):
    archive.consent.update_consent(testimony, actor=CURATOR, attribution="pseudonym")
    assert "Qaraqus" not in words(review_list(archive, archive.get_item(testimony)))

    archive.cataloguing.redact_span(testimony, "Гульмира", actor=CURATOR)
    assert "Гульмира" not in words(review_list(archive, archive.get_item(testimony)))


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("Мы жили в Алматы. Потом Астана.", set()),  # sentence starts and cities
        ("Then Dana said it.", {"Dana"}),
        ("Айгерим айгеша пришла", {"айгеша"}),  # a lower-case nickname beside a removed name
        ("Айгерим и мама", set()),  # a common word beside a removed name
    ],
)
def test_common_words_are_never_listed(text, listed):
    assert words(name_candidates([text], NameFilter(["Айгерим"]))) == listed
