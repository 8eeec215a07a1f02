"""The curators' workspace under /curate (login required)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("curate", __name__, url_prefix="/curate")

from web.curate import account, auth, views  # noqa: E402,F401  (registers routes on bp)
