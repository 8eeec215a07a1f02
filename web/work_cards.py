"""The exhibition page's cards in the visitor's language.

Each visible work's texts are picked once here, in Python, so that the template only prints
strings: a page holds up to fifty cards, and every call or lookup in a Jinja template costs
microseconds (the cards were half the page's rendering).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from archive.gate.visibility import VisibleImage, VisibleItem
from domain.languages import pick
from web.i18n import text_language


@dataclass(frozen=True)
class Shown:
    """A text in the visitor's language, and the language it is really in (None: no text)."""

    text: str
    lang: str | None

    def __bool__(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class WorkCard:
    """One visible work as the exhibition page prints it (see ``visibility.visible_card``)."""

    id: UUID
    kind: str
    link: str
    title: Shown
    credit: str | None
    year: Any
    medium: Shown
    dimensions: str
    image: VisibleImage | None
    wall_text: Shown
    content_note: Shown


def work_cards(works: Sequence[VisibleItem], lang: str, link: Callable[[UUID], str]) -> list[WorkCard]:
    """The cards of ``works`` in ``lang`` (with the fallback of ``domain.languages.pick``),
    each linking to ``link(item_id)``."""

    def shown(texts: Mapping[str, str] | None) -> Shown:
        return Shown(pick(texts, lang), text_language(texts, lang) if texts else None)

    return [
        WorkCard(
            id=work.id,
            kind=work.kind,
            link=link(work.id),
            title=shown(work.title),
            credit=work.credit,
            year=work.details.get("year"),
            medium=shown(work.details.get("medium")),
            dimensions=str(work.details.get("dimensions") or ""),
            image=work.images[0] if work.images else None,
            wall_text=shown(work.wall_text),
            content_note=shown(work.content_note),
        )
        for work in works
    ]
