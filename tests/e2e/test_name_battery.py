"""A battery of the ways people write one Kazakh woman's name: none survives her narrowed credit.

A contributor registered as "Айгерим Садыкова" (the Russian form of her passport) with the
pseudonym "Qaraqus" gives a testimony and an artwork, first credited by name, in an exhibition.
Every text field of both (titles, testimony text, description, alt text, caption, wall texts)
holds, in each row's language, each spelling of the battery beside a made-up marker word. She
then becomes anonymous. Each spelling must be gone from the item pages, the exhibition page,
the API, search hits and their snippets (found through the markers), and a search for the
spelling itself must find nothing of hers. Ordinary words that look close to her names stay.

The spellings are those a curator in Almaty meets: Kazakh Cyrillic with і қ ң, Kazakh case
endings, Russian declension, the Kazakh Latin alphabets of 2017 (apostrophes), 2018 (acute
accents, ı) and 2021 (ğ ş ı), passport and English transliterations, and the traps of copied
text: soft hyphens, zero-width spaces, a decomposed й, a stress mark, Latin letters inside a
Cyrillic word, full-width letters, names run together in a hashtag.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from archive.config import Settings
from archive.search.follower import SearchFollower
from media_store import make_sample_photo
from web import create_app
from web.bootstrap import open_archive, open_search_index

CURATOR = "curator:dana"
ONLINE = ["exhibit", "publish_online"]
SLUG = "tynysh-bolme"
NAME, PSEUDONYM = "Айгерим Садыкова", "Qaraqus"

#: (spelling, language of the text it is written in, what it tries)
BATTERY = [
    # Kazakh, Cyrillic: the letters і қ, then the endings a name takes in Kazakh.
    ("Айгерім Садықова", "kk", "Kazakh letters і and қ"),
    ("АЙГЕРІМ САДЫҚОВА", "kk", "capitals"),
    ("Айгерімнің", "kk", "genitive -нің"),
    ("Айгерімге", "kk", "dative -ге"),
    ("Айгеріммен", "kk", "instrumental -мен"),
    ("Айгерімді", "kk", "accusative -ді"),
    ("Айгерімде", "kk", "locative -де"),
    ("Айгерімнен", "kk", "ablative -нен"),
    ("Айгерімжан", "kk", "endearment -жан"),
    ("Садықованың", "kk", "surname, genitive -ның"),
    ("Садықоваға", "kk", "surname, dative -ға"),
    ("Садықовамен", "kk", "surname, instrumental -мен"),
    ("Садықовадан", "kk", "surname, ablative -дан"),
    ("Садықовалардың", "kk", "plural and genitive: the Sadykovs'"),
    ("Қарақұс", "kk", "the pseudonym in Kazakh Cyrillic"),
    ("Қарақұстың", "kk", "the pseudonym, genitive -тың"),
    ("Aigerım Sadyqova", "kk", "Kazakh Latin 2021: ı for і, q for қ"),
    ("Aıgerim Sadyqova", "kk", "Kazakh Latin 2018: ı for й"),
    ("Ai'gerim Sadyqova", "kk", "Kazakh Latin 2017: i' for й"),
    ("Aigerimniñ", "kk", "Kazakh Latin 2021 genitive with ñ"),
    # Russian: the registered form, declension, other spellings, copied-text traps.
    ("Айгерим Садыкова", "ru", "as registered"),
    ("Садыковой", "ru", "genitive -ой"),
    ("Садыкову", "ru", "accusative -у"),
    ("Садыковою", "ru", "instrumental -ою"),
    ("Садыковых", "ru", "plural genitive: the Sadykovs"),
    ("Садыков", "ru", "the masculine form: her father's name"),
    ("Садикова", "ru", "и for ы"),
    ("Сады\u00adкова", "ru", "a soft hyphen inside"),
    ("Айге\u200bрим", "ru", "a zero-width space inside"),
    ("Айгери\u0306м", "ru", "й as и and a combining breve"),
    ("Садыко\u0301ва", "ru", "a stress mark"),
    ("Cадыкова", "ru", "a Latin C in a Cyrillic word"),
    ("Айгерим\u2060Садыкова", "ru", "a word joiner between the names"),
    ("#АйгеримСадыкова", "ru", "a hashtag"),
    ("Карақус", "ru", "the pseudonym half transliterated"),
    # English: transliterations, possessives, typography.
    ("Aigerim Sadykova", "en", "passport transliteration"),
    ("Aygerim Sadykova", "en", "y for й"),
    ("Ajgerim Sadikova", "en", "j for й, i for ы"),
    ("AIGERIM SADYKOVA", "en", "capitals"),
    ("Sadykova's", "en", "possessive 's"),
    ("Aigerim\u2019s", "en", "possessive with a typographic apostrophe"),
    ("Sadyqova", "en", "q for к"),
    ("Sadykovа", "en", "a Cyrillic а at the end"),
    ("Ａｉｇｅｒｉｍ", "en", "full-width letters"),
    ("Sadykovs", "en", "the family"),
    ("Qaraqus", "en", "the pseudonym as registered"),
    ("Karakus", "en", "the pseudonym with k for q"),
    ("Qaraqus's", "en", "the pseudonym, possessive"),
]

#: Ordinary words that look close to her names and must stay, by language.
ORDINARY = {
    "en": ["sad", "sadness", "garden", "Almaty", "Karakum", "Sadovaya", "Kazakh", "cargo"],
    "ru": ["сад", "сады", "садик", "садовник", "Садовая", "кара", "карась", "Алматы", "гериатрия"],
    "kk": ["айгөлек", "қара", "құс", "садақа", "қарақат", "айға", "Алматыда", "гүл", "Садық"],
}

INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def marker(n: int) -> str:
    """A made-up word, one per spelling, that search finds and snippets show around it."""
    return f"zelqor{chr(97 + n // 26)}{chr(97 + n % 26)}"


def visible(text: str) -> str:
    """Text as a reader sees it: compatibility forms unified, invisible characters and
    combining marks gone, case folded."""
    text = unicodedata.normalize("NFKD", INVISIBLE.sub("", text))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def needles(spelling: str) -> list[str]:
    """The words of a spelling (three letters or more) as a reader would see them."""
    return [word for word in re.findall(r"[^\W\d_]+", visible(spelling)) if len(word) >= 3]


def leaked(text: str) -> list[str]:
    """The battery spellings any of whose words can be read in ``text``."""
    seen = visible(text)
    return [spelling for spelling, _, _ in BATTERY if any(word in seen for word in needles(spelling))]


def body(response: Any) -> str:
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return html.unescape(response.get_data(as_text=True))


def texts(what: str) -> dict[str, str]:
    """Per language, a text holding every spelling of that language beside its marker."""
    out = {}
    for lang in ("en", "ru", "kk"):
        rows = [f"{marker(n)} {spelling} {what}." for n, (spelling, language, _) in enumerate(BATTERY) if language == lang]
        out[lang] = " ".join(rows + ORDINARY[lang])
    return out


@dataclass
class World:
    client: Any
    testimony: UUID
    artwork: UUID


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One archive, index and website for the whole battery: the credit is narrowed once."""
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("battery")) / "var")
    archive = open_archive(settings)
    writer = open_search_index(settings, writable=True)
    reader = open_search_index(settings, writable=False)
    try:
        follower = SearchFollower(archive, writer)
        person = archive.contributors.register_contributor(name=NAME, pseudonym=PSEUDONYM, actor=CURATOR)
        testimony = archive.cataloguing.record_testimony(
            contributor_id=person, actor=CURATOR, language="ru", content_note={"en": "Mentions violence."},
            text=texts("said"), title=texts("testimony"),
        )
        artwork = archive.cataloguing.record_artwork(
            contributor_id=person, actor=CURATOR, title=texts("quilt"), description=texts("felt"), year=2024,
        )
        archive.item_images.upload_image(artwork, make_sample_photo(7, size=(800, 600)), actor=CURATOR,
                             alt_text=texts("alt"), caption=texts("caption"))
        exhibition = archive.curation.create_exhibition(slug=SLUG, actor=CURATOR, titles={"en": "Silent Room", "kk": "Тыныш бөлме"})
        for item in (testimony, artwork):
            archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
            archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text=texts("wall"))
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)
        follower.catch_up()
        client = create_app({"TESTING": True, "ARCHIVE": archive, "SEARCH": reader, "SECRET_KEY": "battery"}).test_client()

        # Positive controls while she is credited by name: the spellings are there to be found.
        named_page = body(client.get(f"/items/{testimony}?continue=1&lang=kk"))
        assert "Айгерімнің" in named_page and "Садықоваға" in named_page
        assert str(testimony) in body(client.get("/api/v1/search?q=Садыкова"))

        for item in (testimony, artwork):
            archive.consent.update_consent(item, actor=CURATOR, attribution="anonymous")
        follower.catch_up()
        yield World(client, testimony, artwork)
    finally:
        reader.close()
        writer.close()
        archive.close()


def pages(world: World) -> dict[str, str]:
    paths = [
        *(f"/items/{world.testimony}?continue=1&lang={lang}" for lang in ("en", "ru", "kk")),
        *(f"/items/{world.artwork}?lang={lang}" for lang in ("en", "ru", "kk")),
        *(f"/exhibitions/{SLUG}?lang={lang}" for lang in ("en", "ru", "kk")),
        f"/api/v1/items/{world.testimony}", f"/api/v1/items/{world.artwork}", f"/api/v1/exhibitions/{SLUG}",
    ]
    shown = {}
    for path in paths:
        response = world.client.get(path)
        assert response.status_code == 200, path
        shown[path] = body(response)
    return shown


def test_the_battery_has_forty_spellings_in_three_languages():
    assert len(BATTERY) >= 40 and len({spelling for spelling, _, _ in BATTERY}) == len(BATTERY)
    assert {lang for _, lang, _ in BATTERY} == {"en", "ru", "kk"}


def test_no_spelling_is_on_an_item_page_the_exhibition_page_or_the_api(world):
    shown = pages(world)
    found = {path: leaked(text) for path, text in shown.items()}
    assert {path: spellings for path, spellings in found.items() if spellings} == {}
    assert all("[…]" in text for text in shown.values()), "the names were there, and were removed"


@pytest.mark.parametrize("n", range(len(BATTERY)), ids=[row[2] for row in BATTERY])
def test_search_finds_her_text_by_its_marker_but_no_spelling_in_hits_or_snippets(world, n):
    spelling, lang, _ = BATTERY[n]
    page = world.client.get(f"/search?q={marker(n)}&lang={lang}")
    api = world.client.get(f"/api/v1/search?q={marker(n)}")

    ours = {str(world.testimony), str(world.artwork)}
    assert ours <= {hit["id"] for hit in api.get_json()["hits"]}, "the marker finds both items"
    assert any(hit["snippets"] for hit in api.get_json()["hits"]), "with snippets around the marker"
    assert leaked(body(api)) == []
    answered = re.sub(r'\s(?:value|href|action)="[^"]*"', "", body(page))  # not the query echoed back
    assert page.status_code == 200 and leaked(answered) == []


@pytest.mark.parametrize("n", range(len(BATTERY)), ids=[row[2] for row in BATTERY])
def test_a_search_for_a_spelling_finds_nothing_of_hers(world, n):
    spelling, lang, _ = BATTERY[n]
    ours = {str(world.testimony), str(world.artwork)}
    for query in {spelling, *needles(spelling)}:
        hits = world.client.get("/api/v1/search", query_string={"q": query}).get_json()["hits"]
        page = body(world.client.get("/search", query_string={"q": query, "lang": lang}))
        assert not ours & {hit["id"] for hit in hits}, query
        assert not any(f"/items/{item}" in page for item in ours), query


def test_ordinary_words_that_look_like_her_names_stay(world):
    for lang, words in ORDINARY.items():
        testimony = body(world.client.get(f"/items/{world.testimony}?continue=1&lang={lang}"))
        api = body(world.client.get(f"/api/v1/items/{world.artwork}"))
        for word in words:
            assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", testimony), (lang, word)
            assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", api), (lang, word)
