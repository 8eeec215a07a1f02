"""Names a consent withholds are removed from everything visitors see of the item."""

from __future__ import annotations


import pytest

from archive.gate.rules import Surface, name_filter
from archive.gate.name_filter import OMITTED, NameFilter
from archive.read.public import public_item
from archive.search.documents import ExhibitionMap, item_document
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
    person = archive.contributors.register_contributor(name="Aigerim Sadykova", pseudonym="Qaraqus", actor=CURATOR)
    item = archive.cataloguing.record_artwork(
        contributor_id=person, actor=CURATOR, title={"en": "Aigerim's door"},
        description={"ru": "Работа Айгерим Садыковой, подписанная Qaraqus"},
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=["publish_online", "exhibit"], attribution="named", text_version="v1")
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
        archive.consent.update_consent(item, actor=CURATOR, attribution=attribution)
    found = archive.get_item(item)
    view = public_item(archive, found, Surface.ONLINE, archive.today())
    document = item_document(archive, found, ExhibitionMap())
    page_text = repr(view.details) + repr(view.credit)
    index_text = repr(document.titles) + repr(document.texts) + repr(document.contributor)

    for name in shown:
        assert name in page_text and name in index_text
    for name in hidden:
        assert name not in page_text and name not in index_text


def test_the_filter_follows_the_current_contributor_record(archive, named_artwork):
    person, item = named_artwork
    archive.consent.update_consent(item, actor=CURATOR, attribution="anonymous")

    assert name_filter(archive.get_item(item), archive.get_contributor(person))
    assert not name_filter(archive.get_item(item), None)


# -- folding: the spellings people use meet -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Айгерим Садыкова", "Айгерім Садықова"),  # Kazakh letters for their Russian neighbours
        ("Айгерім Садықова", "Aigerim Sadykova"),  # and either in Latin
        ("Айгерим Садыкова", "Aıgerim Sadyqova"),  # Kazakh Latin of 2018 and 2021
        ("Айгерим Садыкова", "Ajgerim Sadikova"),  # й as j, ы as i
        ("Жанар Хасенова", "Janar Hasenova"),  # ж as j, х as h
        ("Zhanar Khassenova", "Жанар Хасенова"),  # zh, kh, a doubled letter
        ("Фёдор", "Федор"),  # ё as е
        ("Ерлан Цой", "Yerlan Tsoy"),  # initial ye, ts for ц
        ("Шыңғыс", "Şyngys"),  # ş of Kazakh Latin, ң as ng
        ("Дарья", "Daria"),  # the soft sign
        ("Садыкова", "Sadykowa"),  # w for в, as German and Polish texts write it
    ],
)
def test_spellings_in_other_scripts_and_alphabets_fold_alike(name, text):
    assert NameFilter([name]).text(text) == OMITTED


@pytest.mark.parametrize(
    ("text", "filtered"),
    [
        ("«Сады\u00adковой» — так", f"«{OMITTED}» — так"),  # a soft hyphen inside the name
        ("Айге\u200bрим пришла", f"{OMITTED} пришла"),  # a zero-width space
        ("Айгери\u0306м и мы", f"{OMITTED} и мы"),  # й written as и and a combining breve
        ("Садыкова\u0301, 2024", f"{OMITTED}, 2024"),  # a stress mark after the name
        ("Cадыкова пишет", f"{OMITTED} пишет"),  # a Latin C inside a Cyrillic word
        ("by Sadykovа", f"by {OMITTED}"),  # a Cyrillic а inside a Latin word
        ("by Sаdуkоvа", f"by {OMITTED}"),  # Cyrillic а у о inside a Latin word
        ("#АйгеримСадыкова", f"#{OMITTED}"),  # the names run together
        ("Sadykova\u2019s quilt", f"{OMITTED} quilt"),  # the possessive goes with the name
    ],
)
def test_a_match_replaces_exactly_its_span_of_the_original_text(text, filtered):
    assert NameFilter(["Aigerim Sadykova"]).text(text) == filtered


@pytest.mark.parametrize(
    "text",
    ["Айгерімнің", "Айгерімге", "Айгеріммен", "Садықоваға", "Садықовадан", "Садыковой", "Садыкову",
     "Садыковым", "Садыковтың", "Aigerim's", "Айгерімжан"],
)
def test_inflected_forms_are_removed(text):
    assert NameFilter(["Айгерим Садыкова"]).text(text) == OMITTED


def test_short_name_parts_blank_no_ordinary_word():
    text = "Знаешь ли, ан нет: Ли пришла."

    assert NameFilter(["Ли Ан"]).text(text) == text
    assert NameFilter(["Анна Ли"]).text("Анны нет, знаешь ли") == f"{OMITTED} нет, знаешь ли"


def test_a_redacted_phrase_is_removed_word_for_word_and_its_words_alone_stay():
    names = NameFilter(spans=["Kok Tobe street"])

    assert names.text("She lived on Kok-Tobe Street then.") == f"She lived on {OMITTED} then."
    assert names.text("Street lights on Kok") == "Street lights on Kok"


@pytest.mark.parametrize(
    ("text", "filtered"),
    [
        ("письмо от Сады-\nковой пришло", f"письмо от {OMITTED} пришло"),  # hyphenated at a line end
        ("Айге-\r\n  рим сказала", f"{OMITTED} сказала"),  # a Windows line end and an indent
        ("by Sady\u00ad\nkova", f"by {OMITTED}"),  # a soft hyphen where the line broke
        ("Садыкова-\nНурланова", f"{OMITTED}-\nНурланова"),  # a double surname still loses only hers
    ],
)
def test_a_name_split_across_a_line_break_is_removed(text, filtered):
    assert NameFilter(["Айгерим Садыкова"]).text(text) == filtered


def test_words_split_across_a_line_break_stay_when_they_are_not_a_name():
    text = "сады-\nки и гар-\nден"

    assert NameFilter(["Айгерим Садыкова"]).text(text) == text


def test_a_text_no_withheld_name_can_be_in_is_not_folded_span_by_span(monkeypatch):
    names = NameFilter(["Aigerim Sadykova"], spans=["Kok Tobe street"])

    def spans_kept(text):
        raise AssertionError(f"folded with spans: {text!r}")

    monkeypatch.setattr("archive.gate.name_filter.fold", spans_kept)

    text = "The winter we left the village, and the silence after. Зима, когда мы уехали из деревни."
    assert names.text(text) == text
    assert names.value({"en": text, "tags": [text]}) == {"en": text, "tags": [text]}


@pytest.mark.parametrize(
    "text",
    [
        "Aigerim's hands", "Sadykova\u2019s quilt", "#АйгеримСадыкова", "by Sаdуkоvа", "Cадыкова пишет",
        "Айгери\u0306м и мы", "Айге\u200bрим", "Zhanar Khassenova", "Yerlan Tsoy", "Şyngys", "Дарья",
        "s'ch c'e dzhi kh gh ck q ts ng x y w yeye Anna ll", "письмо от Сады-\nковой", "",
    ],
)
def test_the_quick_fold_of_a_text_is_its_fold(text):
    from archive.gate.name_filter import fold, folded_text

    assert folded_text(text) == fold(text).text
