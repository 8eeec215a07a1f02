"""Snippets (``archive.search.engine.snippets``): which words are marked, and what is read."""

from __future__ import annotations

from archive.search.engine.snippets import Snippets

FIELD = "text_en"


def _analysing(words: list[str]):
    """A toy analyser (lower-cased, "y" ending read as "i") that notes each word it is given."""

    def analyse(field: str, word: str) -> tuple[str, ...]:
        words.append(word)
        lowered = word.lower()
        return (lowered[:-1] + "i" if lowered.endswith("y") else lowered,)

    return analyse


def test_a_text_holding_none_of_the_searched_terms_is_not_read_word_by_word():
    analysed: list[str] = []
    snippets = Snippets({FIELD: {"happi"}}, [FIELD], _analysing(analysed))
    long_text = " ".join(f"word{n}" for n in range(5_000))

    assert snippets.for_hit({FIELD: long_text}, held={}) == {}
    assert analysed == []


def test_a_word_whose_term_does_not_start_it_is_found_by_scanning_when_the_text_holds_it():
    snippets = Snippets({FIELD: {"happi", "lantern"}}, [FIELD], _analysing([]))
    text = " ".join(["quiet"] * 100) + " They were happy there."

    found = snippets.for_hit({FIELD: text}, held={FIELD: {"happi"}})

    assert found[FIELD].endswith("They were <mark>happy</mark> there.")


def test_a_russian_word_with_yo_is_jumped_to_not_scanned_for():
    analysed: list[str] = []
    stems = {"зелёный": "зелен", "зеленый": "зелен"}  # Snowball reads "ё" as "е"
    analyse = lambda field, word: (stems.get(word.lower(), word.lower()),)  # noqa: E731
    snippets = Snippets({"text_ru": {"зелен"}}, ["text_ru"], lambda f, w: analysed.append(w) or analyse(f, w))
    text = " ".join(f"слово{n}" for n in range(2_000)) + " Там был зелёный дом."

    found = snippets.for_hit({"text_ru": text}, held={"text_ru": {"зелен"}})

    assert found["text_ru"].endswith("Там был <mark>зелёный</mark> дом.")
    assert len(analysed) < 100  # the words of the fragment, not the 2,000 before it


def test_a_term_that_keeps_its_yo_in_an_unstemmed_field_is_jumped_to_as_well():
    analysed: list[str] = []
    snippets = Snippets({"text_kk": {"ёлка"}}, ["text_kk"], lambda f, w: analysed.append(w) or (w.lower(),))
    text = " ".join(f"сөз{n}" for n in range(2_000)) + " Бір ёлка тұр."

    found = snippets.for_hit({"text_kk": text}, held={"text_kk": {"ёлка"}})

    assert found["text_kk"].endswith("Бір <mark>ёлка</mark> тұр.")
    assert len(analysed) < 100


def test_the_second_match_is_found_after_letters_that_lower_case_to_two():
    # "İ" (Kazakh and Turkish Latin) lower-cases to "i" and a combining dot: the text's
    # positions must not drift from its lower-cased copy's, or later matches are missed.
    snippets = Snippets({"text_kk": {"marat"}}, ["text_kk"], lambda f, w: (w.lower(),))
    text = "Marat walked home. " + " ".join(["İlyas İİİ"] * 30) + " Later Marat came back."

    found = snippets.for_hit({"text_kk": text}, held={"text_kk": {"marat"}})

    assert found["text_kk"].startswith("<mark>Marat</mark> walked home.")
    assert found["text_kk"].endswith("Later <mark>Marat</mark> came back.")


def test_a_word_beginning_with_a_dotted_capital_i_is_jumped_to_at_each_match():
    snippets = Snippets({"text_kk": {"i\u0307lyas"}}, ["text_kk"], lambda f, w: (w.lower(),))  # "İlyas" lower-cased
    text = "İlyas walked home. " + " ".join(["tynysh İİİ"] * 40) + " Later İlyas came back."

    found = snippets.for_hit({"text_kk": text}, held={"text_kk": {"i\u0307lyas"}})

    assert found["text_kk"].startswith("<mark>İlyas</mark> walked home.")
    assert found["text_kk"].endswith("Later <mark>İlyas</mark> came back.")


def test_a_word_whose_reading_cannot_begin_with_a_terms_is_not_analysed():
    analysed: list[str] = []
    stems = {"сонные": "сон", "сказки": "сказк", "снились": "снил", "сёстрам": "сестр"}
    analyse = lambda field, word: analysed.append(word) or (stems.get(word.lower(), word.lower()),)  # noqa: E731
    whole_word = lambda field: lambda lowered: lowered  # noqa: E731 - a term begins its word
    snippets = Snippets({"text_ru": {"сон"}}, ["text_ru"], analyse, whole_word)

    found = snippets.for_hit({"text_ru": "Сонные сказки снились сёстрам."}, held={"text_ru": {"сон"}})

    assert found["text_ru"] == "<mark>Сонные</mark> сказки снились сёстрам."
    assert set(analysed) == {"Сонные"}  # not the other words, though they too begin with "с"


def test_by_default_only_a_words_first_letter_screens_it():
    analysed: list[str] = []
    snippets = Snippets({FIELD: {"happi"}}, [FIELD], _analysing(analysed))

    found = snippets.for_hit({FIELD: "Hope was happy, lantern high."}, held={FIELD: {"happi"}})

    assert found[FIELD] == "Hope was <mark>happy</mark>, lantern high."
    assert sorted(set(analysed)) == ["Hope", "happy", "high"]
