"""Names a consent withholds are removed from everything visitors see of the item."""

from __future__ import annotations

from datetime import date

import pytest

from archive.consent_gate import Surface, name_filter
from archive.name_filter import OMITTED, NameFilter
from archive.public import public_item
from archive.search_documents import ExhibitionMap, item_document
from tests.conftest import CURATOR


@pytest.mark.parametrize(
    "text",
    [
        "Aigerim Sadykova in her studio",
        "aigerim's hands",
        "Портрет Айгерим Садыковой",  # Russian genitive, other script
        "Айгеримнің суреті",  # Kazakh possessive
        "Sadykova's work",
        "SADYKOVA",
    ],
)
def test_every_form_of_a_withheld_name_is_removed(text):
    filtered = NameFilter(["Aigerim Sadykova"]).text(text)

    assert OMITTED in filtered
    assert not any(part in filtered.lower() for part in ("aigerim", "sadykov", "айгерим", "садыков"))


@pytest.mark.parametrize("text", ["A quiet room in Almaty", "sad kova", "Айгүл", "Aigul and Sadyk"])
def test_other_words_are_left_alone(text):
    assert NameFilter(["Aigerim Sadykova"]).text(text) == text


def test_nested_values_are_filtered_and_an_empty_filter_changes_nothing():
    value = {"title": {"en": "Aigerim at home"}, "year": 2024, "tags": ["Aigerim", "felt"]}

    assert NameFilter(["Aigerim"]).value(value) == {"title": {"en": f"{OMITTED} at home"}, "year": 2024, "tags": [OMITTED, "felt"]}
    assert NameFilter([]).value(value) is value and not NameFilter([None, ""])


@pytest.fixture
def named_artwork(archive):
    person = archive.register_contributor(name="Aigerim Sadykova", pseudonym="Qaraqus", actor=CURATOR)
    item = archive.record_artwork(
        contributor_id=person, actor=CURATOR, title={"en": "Aigerim's door"},
        description={"ru": "Работа Айгерим Садыковой, подписанная Qaraqus"},
    )
    archive.record_consent(item, actor=CURATOR, scopes=["publish_online", "exhibit"], attribution="named", text_version="v1")
    return person, item


@pytest.mark.parametrize(
    ("attribution", "shown", "hidden"),
    [
        ("named", ["Aigerim", "Айгерим", "Qaraqus"], []),
        ("pseudonym", ["Qaraqus"], ["Aigerim", "Айгерим", "Садыков"]),
        ("anonymous", [], ["Aigerim", "Айгерим", "Садыков", "Qaraqus"]),
    ],
)
def test_pages_and_the_index_show_only_the_names_the_attribution_allows(archive, named_artwork, attribution, shown, hidden):
    person, item = named_artwork
    if attribution != "named":
        archive.update_consent(item, actor=CURATOR, attribution=attribution)
    found = archive.get_item(item)
    view = public_item(archive, found, Surface.ONLINE, date.today())
    document = item_document(archive, found, ExhibitionMap())
    page_text = repr(view.details) + repr(view.credit)
    index_text = repr(document.titles) + repr(document.texts) + repr(document.contributor)

    for name in shown:
        assert name in page_text and name in index_text
    for name in hidden:
        assert name not in page_text and name not in index_text


def test_the_filter_follows_the_current_contributor_record(archive, named_artwork):
    person, item = named_artwork
    archive.update_consent(item, actor=CURATOR, attribution="anonymous")

    assert name_filter(archive.get_item(item), archive.get_contributor(person))
    assert not name_filter(archive.get_item(item), None)
