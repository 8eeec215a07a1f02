"""Public pages of single artworks and testimonies, through the consent gate.

Anything a visitor may not see (unknown or malformed id, no consent, not online, expired,
withdrawn) is the same 404, so the pages say nothing about hidden items.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, abort, current_app, render_template, request, url_for

from archive.services.application import ExhibitionArchive
from archive.read.public import exhibitions_showing, next_work, visible_item
from archive.gate.visibility import VisibleExhibitionSummary, VisibleImage, VisibleItem
from domain.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES

from web.i18n import language

from web.page_cache import cached_page  # noqa: E402

bp = Blueprint("items", __name__)


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


def _visible_or_404(item_id: UUID) -> VisibleItem:
    item = visible_item(archive(), item_id, archive().today())
    if item is None:
        abort(404)
    return item


def _context(item: VisibleItem, exhibitions: list[VisibleExhibitionSummary]) -> VisibleExhibitionSummary | None:
    """The exhibition the visitor came from (``?exhibition=<slug>``), else the first showing the item."""
    asked = request.args.get("exhibition")
    for exhibition in exhibitions:
        if exhibition.slug == asked:
            return exhibition
    return exhibitions[0] if exhibitions else None


def _skip(item: VisibleItem, context: VisibleExhibitionSummary | None) -> tuple[str, str]:
    """Where 'skip' leads: the next work of the exhibition, the exhibition, or the list.

    Returns the URL and what it is (``next``, ``exhibition`` or ``exhibitions``).
    """
    lang = language()
    if context is None:
        return url_for("exhibitions.listing", lang=lang), "exhibitions"
    following = next_work(archive(), context.id, item.id, archive().today())
    if following is not None:
        return url_for("items.show", item_id=following, exhibition=context.slug, lang=lang), "next"
    return url_for("exhibitions.show", slug=context.slug, lang=lang), "exhibition"


@bp.get("/items/<uuid:item_id>")
@cached_page()
def show(item_id: UUID) -> str:
    """An artwork or a testimony that its contributor allows online.

    A testimony's text is only sent after the visitor has passed its content note
    (``?continue=1``), so it works the same without JavaScript.
    """
    item = _visible_or_404(item_id)
    exhibitions = exhibitions_showing(archive(), item.id, archive().today())
    context = _context(item, exhibitions)
    skip_url, skip_to = _skip(item, context)
    lang = language()
    args: dict[str, Any] = {"item_id": item.id, "lang": lang}
    if context is not None:
        args["exhibition"] = context.slug
    continued = item.kind == "testimony" and request.args.get("continue") == "1"
    texts = item.details.get("text") or {}
    return render_template(
        f"items/{'testimony' if item.kind == 'testimony' else 'artwork'}.html",
        item=item,
        exhibitions=exhibitions,
        context=context,
        skip_url=skip_url,
        skip_to=skip_to,
        continued=continued,
        continue_url=url_for("items.show", **args, **{"continue": "1"}) + "#testimony-text",
        other_languages=[
            (code, LANGUAGE_NAMES[code], url_for("items.show", **{**args, "lang": code}, **{"continue": "1"}))
            for code in SUPPORTED_LANGUAGES
            if code in texts and code != lang
        ],
        language_name=LANGUAGE_NAMES.get(item.details.get("language", ""), ""),
        image_url=lambda image: url_for(
            "items.image", item_id=item.id, image_id=image.image_id, **({"exhibition": context.slug} if context else {}), lang=lang
        ),
    )


@bp.get("/items/<uuid:item_id>/images/<uuid:image_id>")
@cached_page()
def image(item_id: UUID, image_id: UUID) -> str:
    """A larger view of one image of a visible item, with its alt text and caption."""
    item = _visible_or_404(item_id)
    found: VisibleImage | None = item.image(str(image_id))
    if found is None or not found.renditions("jpeg"):
        abort(404)
    lang = language()
    args: dict[str, Any] = {"item_id": item.id, "lang": lang}
    if request.args.get("exhibition"):
        args["exhibition"] = request.args["exhibition"][:80]
    if item.kind == "testimony":
        args["continue"] = "1"
    number = [i.image_id for i in item.images].index(found.image_id) + 1
    return render_template(
        "items/image.html",
        item=item,
        image=found,
        number=number,
        back_url=url_for("items.show", **args) + f"#image-{found.image_id}",
    )
