"""The exhibition page's cards in the visitor's language.

Each visible work's texts are picked once here, in Python (:func:`work_cards`), and the cards
are written as HTML here too (:func:`cards_html`): a page holds up to fifty cards, and in a
Jinja loop each card's thirty lookups and fourteen escapes (each escape making a ``Markup``)
cost about 20 us, a sixth of the whole page's time. Its values are named tuples: a page makes
about four hundred, and a frozen dataclass costs several times a tuple to make.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any, NamedTuple
from uuid import UUID

from markupsafe import Markup

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


#: What a card shows for a text it does not have.
NO_TEXT = Shown("", None)


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
        return Shown(pick(texts, lang), text_language(texts, lang)) if texts else NO_TEXT

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


class CardLabels(NamedTuple):
    """The words every card may print, translated once per page (plain text: escaped here)."""

    content_note: str  # before a card's content note
    read: str  # the link to a testimony's own page
    anonymous: str  # the credit of a work whose contributor is not named
    testimony: str  # the title of an untitled testimony
    untitled: str  # the title of any other untitled work


_SIZES = "(min-width: 52rem) 48rem, 100vw"


def cards_html(cards: Sequence[WorkCard], labels: CardLabels) -> Markup:
    """The exhibition page's list of ``cards``, every text of theirs escaped (``html.escape``:
    quotes too, as every value may land in an attribute), the ``labels`` too."""
    labels = CardLabels._make(map(escape, labels))
    return Markup("".join([_card_html(card, labels) for card in cards]))


def _lang(shown: Shown) -> str:
    return f' lang="{escape(shown.lang)}"' if shown.lang else ""


def _card_html(card: WorkCard, labels: CardLabels) -> str:
    link = escape(card.link)
    title = escape(card.title.text) if card.title.text else (labels.testimony if card.kind == "testimony" else labels.untitled)
    year = f", {escape(str(card.year))}" if card.year else ""
    html = [
        f'<li class="work work-{escape(card.kind)}" id="item-{escape(card.id)}">'
        f'<h3><a href="{link}"{_lang(card.title)}>{title}</a></h3>'
        f'<p class="credit">{escape(card.credit) if card.credit else labels.anonymous}{year}</p>'
    ]
    if card.medium:
        dimensions = f" · {escape(card.dimensions)}" if card.dimensions else ""
        html.append(f'<p class="medium"{_lang(card.medium)}>{escape(card.medium.text)}{dimensions}</p>')
    if picture := card.picture:
        caption = picture.caption
        html.append(
            '<figure class="work-image"><picture>'
            f'<source type="image/webp" sizes="{_SIZES}" srcset="{escape(picture.webp_srcset)}">'
            f'<img src="{escape(picture.src)}" sizes="{_SIZES}" srcset="{escape(picture.jpeg_srcset)}"'
            f' alt="{escape(picture.alt.text)}"{_lang(picture.alt)} loading="lazy" decoding="async"'
            f' width="{int(picture.width)}" height="{int(picture.height)}"></picture>'
            + (f"<figcaption{_lang(caption)}>{escape(caption.text)}</figcaption>" if caption else "")
            + "</figure>"
        )
    if card.wall_text:
        html.append(f'<p class="wall-text"{_lang(card.wall_text)}>{escape(card.wall_text.text)}</p>')
    if card.content_note:
        html.append(
            f'<p class="card-note"><span class="content-note-label">{labels.content_note}</span>'
            f' <span{_lang(card.content_note)}>{escape(card.content_note.text)}</span></p>'
        )
    if card.kind == "testimony":
        html.append(f'<p><a class="reveal" href="{link}">{labels.read}</a></p>')
    html.append("</li>\n")
    return "".join(html)
