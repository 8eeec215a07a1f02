"""The cards of the exhibition listings (home and /exhibitions) in the visitor's language.

As ``web.work_cards`` does for an exhibition's works: each published exhibition's texts are
picked once here, in Python, and the template only prints strings. A listing holds every
published exhibition, and a Jinja macro call with its eight text lookups cost about as much as
reading the exhibition's stored texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from archive.gate.visibility import VisibleExhibitionSummary
from domain.languages import pick
from web.i18n import text_language
from web.work_cards import Shown


class ExhibitionCard(NamedTuple):
    """One published exhibition as a listing prints it: a link to its page, its title, venue
    and city in the visitor's language, and its first and last days (ISO dates; '' for none)."""

    link: str
    title: Shown
    venue: Shown
    city: Shown
    opens_on: str
    closes_on: str


def exhibition_cards(
    exhibitions: Sequence[VisibleExhibitionSummary], lang: str, link: Callable[[str], str]
) -> list[ExhibitionCard]:
    """The cards of ``exhibitions`` in ``lang``, each linking to ``link(slug)``."""

    def shown(texts: Mapping[str, str]) -> Shown:
        # As the template's t() and text_lang() printed them: the lang attribute even when empty.
        return Shown(pick(texts, lang), text_language(texts, lang))

    return [
        ExhibitionCard(
            link=link(e.slug),
            title=shown(e.titles),
            venue=shown(e.venue),
            city=shown(e.city),
            opens_on=e.opens_on.isoformat() if e.opens_on else "",
            closes_on=e.closes_on.isoformat() if e.closes_on else "",
        )
        for e in exhibitions
    ]
