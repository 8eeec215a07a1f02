"""The exhibition page's cards in the visitor's language.

Each visible work's texts are picked once here, in Python, so that the template only prints
strings: a page holds up to fifty cards, and every call or lookup in a Jinja template costs
microseconds (the cards were half the page's rendering). Its values are named tuples: a page
makes about four hundred, and a frozen dataclass costs several times a tuple to make.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from archive.gate.visibility import VisibleItem
from domain.languages import pick
from web.i18n import text_language

#: ``url(item_id, image_id, name, fmt)`` of a rendition (``web.media.derivative_urls``).
MediaUrl = Callable[[UUID | str, str, str, str], str]


class Shown(NamedTuple):
    """A text in the visitor's language, and the language it is really in (None: no text)."""

    text: str
    lang: str | None

    def __bool__(self) -> bool:
        return bool(self.text)


class CardPicture(NamedTuple):
    """A card's first image as the page prints it: its JPEG ``src``, both ``srcset`` lists
    (smallest first), the size of its display rendition, and its alt text and caption."""

    src: str
    webp_srcset: str
    jpeg_srcset: str
    width: int
    height: int
    alt: Shown
    caption: Shown


class WorkCard(NamedTuple):
    """One visible work as the exhibition page prints it (see ``visibility.visible_card``)."""

    id: str  # as printed: a page makes each work's id a string once
    kind: str
    link: str
    title: Shown
    credit: str | None
    year: Any
    medium: Shown
    dimensions: str
    picture: CardPicture | None
    wall_text: Shown
    content_note: Shown


def work_cards(
    works: Sequence[VisibleItem], lang: str, link: Callable[[str], str], media_url: MediaUrl
) -> list[WorkCard]:
    """The cards of ``works`` in ``lang`` (with the fallback of ``domain.languages.pick``),
    each linking to ``link(item_id)`` (the id as a string), its picture's renditions at
    ``media_url``."""

    def shown(texts: Mapping[str, str] | None) -> Shown:
        return Shown(pick(texts, lang), text_language(texts, lang) if texts else None)

    def picture(work: VisibleItem, item_id: str) -> CardPicture | None:
        """The first image, when it has JPEG renditions (a browser's fallback needs one)."""
        image = work.images[0] if work.images else None
        jpeg = image.renditions("jpeg") if image else ()
        if image is None or not jpeg:
            return None

        def srcset(renditions: Sequence[Any]) -> str:
            return ", ".join(f"{media_url(item_id, image.image_id, d.name, d.format)} {d.width}w" for d in renditions)

        shown_size = jpeg[1] if len(jpeg) > 1 else jpeg[0]
        return CardPicture(
            src=media_url(item_id, image.image_id, "display", "jpeg"),
            webp_srcset=srcset(image.renditions("webp")),
            jpeg_srcset=srcset(jpeg),
            width=shown_size.width,
            height=shown_size.height,
            alt=Shown(pick(image.alt_text, lang), text_language(image.alt_text, lang)),
            caption=shown(image.caption),
        )

    return [
        WorkCard(
            id=item_id,
            kind=work.kind,
            link=link(item_id),
            title=shown(work.title),
            credit=work.credit,
            year=work.details.get("year"),
            medium=shown(work.details.get("medium")),
            dimensions=str(work.details.get("dimensions") or ""),
            picture=picture(work, item_id),
            wall_text=shown(work.wall_text),
            content_note=shown(work.content_note),
        )
        for work, item_id in ((work, str(work.id)) for work in works)
    ]
