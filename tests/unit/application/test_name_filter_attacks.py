"""Attacks on the name filter (issue 14 review): names of short parts, and the quick pre-check
that skips texts no name can be in, which must never skip one the full matcher would change."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.gate.name_filter import OMITTED, NameFilter, fold, folded_text


@pytest.mark.parametrize(
    ("name", "text", "filtered"),
    [
        ("Светлана Ли", "Работы Светланы Ли.", f"Работы {OMITTED}."),
        ("Светлана Ли", "Svetlana Li sewed.", f"{OMITTED} sewed."),
        ("Ан Ли", "Ан Ли шила это.", f"{OMITTED} шила это."),
        ("Ли Ен Хи", "by Li Yen Hi", f"by {OMITTED}"),
    ],
)
def test_a_name_with_short_parts_is_removed_whole_where_it_is_written_whole(name, text, filtered):
    """Koryo-saram and Chinese names (Ли, Ан, Ён) have parts of two letters, which are never
    matched alone (they are ordinary words too): a surname left beside an omission, or a
    pseudonym of short parts, still names her."""
    assert NameFilter([name]).text(text) == filtered


def test_the_short_parts_of_a_name_alone_stay_ordinary_words():
    text = "Знаешь ли ты, Ан? An old quilt."

    assert NameFilter(["Ан Ли"]).text(text) == text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Алёна Королёва", "Quilts by Alyona Korolyova"),
        ("Alyona Korolyova", "Работы Алёны Королёвой"),
        ("Alyona Korolyova", "Работы Алены Королевой"),
        ("Семён", "Semyon's letters"),
        ("Artyom", "Артёмға хат"),
    ],
)
def test_a_yo_in_one_script_meets_its_yo_in_the_other(name, text):
    """ё is written yo in Latin (Alyona, Semyon, Korolyova) and е in most Russian print."""
    filtered = NameFilter([name]).text(text)

    assert OMITTED in filtered
    assert not [w for w in ("lyon", "lyov", "лён", "лен", "лев", "лёв", "myon", "tyom", "тём") if w in filtered.lower()]


# The folding rules' raw material: Kazakh letters, Cyrillic/Latin look-alikes, soft hyphens and
# zero-width characters, combining marks, compatibility forms, apostrophes, line breaks.
_PIECES = [
    *"aAbcdeEghijklmnoOpqrstuvwxyYzZ 'ʼ`’-\n\r",
    *"\u00ad\u200b\u200c\u200d\u2060\ufeff\u0301\u0306\u0308\u2028",
    *"АаВСсЕеНКкМОоРрТХхУуіІәғқңөұүһёЁьъйЙшщчцжзэюяЮЯ",
    *"ﬁßİıǆǅǈŉʻⓐＡ𝐀ⅸſɪᴀꙇᵃªµ",
]
_NAMES = [
    "Aigerim Sadykova", "Айгерім Садықова", "Жанар Хасенова", "Yerlan Tsoy", "Анна Ли", "Şyngys Qoja",
    "Julia Kim", "Gʻulom", "Ирина Иванова", "Straße",
]
_WORDS = [w for name in _NAMES for w in name.split()] + ["нің", "ға", "ой", "'s", "жан", "лар", "-\n"]
_TEXTS = st.lists(st.one_of(st.sampled_from(_PIECES), st.sampled_from(_WORDS), st.characters()), max_size=30).map(
    "".join
)
_NAME_LISTS = st.lists(
    st.one_of(st.sampled_from(_NAMES), st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join)),
    min_size=1, max_size=3,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(names=_NAME_LISTS, spans=st.lists(st.sampled_from(_NAMES), max_size=2), text=_TEXTS)
def test_the_quick_check_never_skips_a_text_the_full_matcher_would_change(names, spans, text):
    quick = NameFilter(names, spans)
    full = NameFilter(names, spans)
    full._may_match = lambda text: True  # type: ignore[method-assign]

    assert folded_text(text) == fold(text).text
    assert quick.matches(text) == full.matches(text)
