"""Static public pages (about consent and withdrawal)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/about")
def about() -> str:
    """How consent works, how contributors change or withdraw it, and how visitors stay safe."""
    return render_template("pages/about.html")
