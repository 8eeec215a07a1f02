"""The exhibition page's cards are written in Python (``web.work_cards.cards_html``): every text
a contributor, curator or translator wrote is escaped there, in text and in attributes."""

from __future__ import annotations

import re

from web.work_cards import CardLabels, CardPicture, Shown, WorkCard, cards_html

HOSTILE = "\"'><script>alert(1)</script>&amp;"
LABELS = CardLabels(*(f"{name} {HOSTILE}" for name in ("note", "read", "anonymous", "testimony", "untitled")))


def _card(**changes: object) -> WorkCard:
    shown = Shown(HOSTILE, HOSTILE)
    card = WorkCard(
        id=HOSTILE,
        kind="artwork",
        link=f"/items/x?exhibition={HOSTILE}",
        title=shown,
        credit=HOSTILE,
        year=HOSTILE,
        medium=shown,
        dimensions=HOSTILE,
        picture=CardPicture(HOSTILE, HOSTILE, HOSTILE, 900, 600, shown, shown),
        wall_text=shown,
        content_note=shown,
    )
    return card._replace(**changes)


def _texts_and_attributes(html: str) -> list[str]:
    """Every attribute value and every run of text between tags."""
    return re.findall(r'="([^"]*)"', html) + re.findall(r">([^<]*)<", html)


def test_every_text_of_a_card_is_escaped_in_text_and_in_attributes() -> None:
    html = str(cards_html([_card(), _card(kind="testimony", credit=None, title=Shown("", None))], LABELS))

    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;") >= 20
    for value in _texts_and_attributes(html):
        assert '"' not in value and "'" not in value and "<" not in value and ">" not in value


def test_the_labels_are_escaped_and_stand_in_for_missing_texts() -> None:
    untitled = _card(kind="testimony", title=Shown("", None), credit=None, picture=None, medium=Shown("", None))

    html = str(cards_html([untitled], LABELS))

    assert "testimony &quot;&#x27;&gt;&lt;script&gt;" in html  # the untitled testimony's title
    assert "anonymous &quot;" in html  # no credit
    assert "read &quot;" in html and "note &quot;" in html
    assert 'class="medium"' not in html and "<figure" not in html


def test_no_lang_attribute_is_written_for_a_text_without_a_language() -> None:
    plain = _card(title=Shown("Untitled study", None), picture=_card().picture._replace(alt=Shown("", None)))  # type: ignore[union-attr]

    html = str(cards_html([plain], LABELS))

    assert '<a href="/items/x?exhibition=' in html and ">Untitled study</a>" in html
    assert 'lang="None"' not in html and 'alt="" loading=' in html


def test_no_card_writes_nothing() -> None:
    assert str(cards_html([], LABELS)) == ""
