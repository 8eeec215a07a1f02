"""Public exhibition pages; every item shown has passed the consent gate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from archive.application import ExhibitionArchive
from archive.errors import NotFound
from archive.public import published_exhibition, published_exhibitions
from domain import clock
from domain.languages import SUPPORTED_LANGUAGES, pick

bp = Blueprint("exhibitions", __name__)


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


def language() -> str:
    """The visitor's language: ``?lang=``, else the browser's preference, else English."""
    asked = request.args.get("lang")
    if asked in SUPPORTED_LANGUAGES:
        return asked
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "en"


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    lang = language()
    return {"lang": lang, "t": lambda texts: pick(texts, lang), "text_lang": lambda texts: _text_lang(texts, lang)}


def _text_lang(texts: dict[str, str] | None, lang: str) -> str:
    """The language the text shown for ``lang`` is really in (for the ``lang`` attribute)."""
    if not texts or lang in texts:
        return lang
    return next((code for code in SUPPORTED_LANGUAGES if code in texts), lang)


@bp.get("/")
def index() -> str:
    """Published exhibitions, current ones first."""
    today = clock.today()
    shown = published_exhibitions(archive(), today)
    current = [e for e in shown if e.is_current(today)]
    past = [e for e in shown if not e.is_current(today)]
    return render_template("exhibitions/index.html", current=current, past=past)


@bp.get("/exhibitions/<slug>")
def show(slug: str) -> str:
    """One published exhibition with the works its contributors allow online, in order."""
    try:
        exhibition = published_exhibition(archive(), slug, clock.today())
    except NotFound:
        abort(404)
    return render_template("exhibitions/show.html", exhibition=exhibition)
