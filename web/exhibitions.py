"""Public exhibition pages; every item shown has passed the consent gate."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from archive.services.application import ExhibitionArchive
from archive.read.public import (
    exhibition_timeline,
    published_exhibition,
    published_exhibition_as_of,
    published_exhibitions,
    published_summary,
)

from web.i18n import language
from web.media import derivative_urls
from web.page_cache import cached_page
from web.site_urls import links_to
from web.exhibition_cards import ExhibitionCard, exhibition_cards
from web.work_cards import CardLabels, cards_html, work_cards

bp = Blueprint("exhibitions", __name__)

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")




def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


def _by_period(today: date) -> dict[str, list[ExhibitionCard]]:
    """Published exhibitions split into current, upcoming (not yet open) and past ones, as
    cards in the visitor's language."""
    shown = published_exhibitions(archive(), today)
    upcoming = [e for e in shown if e.opens_on is not None and e.opens_on > today]
    current = [e for e in shown if e.is_current(today)]
    placed = {e.id for e in current + upcoming}
    past = [e for e in shown if e.id not in placed]
    lang = language()
    link = links_to("exhibitions.show", "slug", lang=lang)
    return {name: exhibition_cards(period, lang, link) for name, period in
            (("current", current), ("upcoming", upcoming), ("past", past))}


@bp.get("/")
@cached_page()
def index() -> str:
    """Published exhibitions, current ones first."""
    return render_template("exhibitions/index.html", **_by_period(archive().today()))


@bp.get("/exhibitions/<slug>")
@cached_page()
def show(slug: str) -> str:
    """One published exhibition with the works its contributors allow online, in order, each
    as a card (title, credit, first image, wall text, content note) linking to its own page,
    where a testimony's text follows its content note."""
    exhibition = published_exhibition(archive(), slug, archive().today(), cards=True)
    lang = language()
    link = links_to("items.show", "item_id", exhibition=exhibition.slug, lang=lang)
    cards = work_cards(exhibition.works, lang, link, derivative_urls())
    labels = CardLabels(_("Content note:"), _("Read the testimony"), _("Anonymous"), _("Testimony"), _("Untitled"))
    return render_template("exhibitions/show.html", exhibition=exhibition, cards=cards_html(cards, labels))


@bp.get("/exhibitions")
@cached_page()
def listing() -> str:
    """Every published exhibition, current and past, with dates and venue."""
    return render_template("exhibitions/list.html", **_by_period(archive().today()))


@bp.get("/exhibitions/<slug>/history")
@cached_page()
def history(slug: str) -> str:
    """The history of a published exhibition: when it was created, changed, published."""
    timeline = exhibition_timeline(archive(), slug, archive().today())
    return render_template("exhibitions/history.html", timeline=timeline, exhibition=timeline.exhibition)


def parse_day(text: str) -> date | None:
    """A calendar day from ``YYYY-MM-DD``, or None if the text is not such a date."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@bp.get("/exhibitions/<slug>/as-of")
@cached_page()
def as_of(slug: str) -> str:
    """A published exhibition as it stood on ``?date=YYYY-MM-DD``, showing only what consent allows now.

    Without a date it shows the form; a malformed date shows a message, not an error.
    """
    today = archive().today()
    asked = request.args.get("date", "")[:40]
    day = parse_day(asked) if asked.strip() else None
    if day is not None:
        view = published_exhibition_as_of(archive(), slug, day, today)
        exhibition = view.now
    else:
        view = None
        exhibition = published_summary(archive(), slug, today)
    return render_template(
        "exhibitions/as_of.html",
        exhibition=exhibition,
        asked=asked,
        malformed=bool(asked.strip()) and day is None,
        day=day,
        view=view,
        today=today,
    )
