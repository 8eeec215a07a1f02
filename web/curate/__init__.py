"""The curators' workspace under /curate (login required)."""

from __future__ import annotations

from flask import Blueprint

from web import history_words

bp = Blueprint("curate", __name__, url_prefix="/curate")
bp.context_processor(history_words.template_helpers)  # history lines in the curator's language

from web.curate import account, auth, views  # noqa: E402,F401  (registers routes on bp)
