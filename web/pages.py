"""Static public pages (about consent and withdrawal), and the site's icon."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, send_from_directory

bp = Blueprint("pages", __name__)

#: The icon is the same for every visitor and changes only with a release: a week in caches.
ICON_MAX_AGE_SECONDS = 7 * 24 * 3600


@bp.get("/about")
def about() -> str:
    """How consent works, how contributors change or withdraw it, and how visitors stay safe."""
    return render_template("pages/about.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for on their own: a plain mark served from here (no third party
    hears of a visit), public and cached, without a session or cookie."""
    static_folder = current_app.static_folder
    assert static_folder is not None
    return send_from_directory(static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=ICON_MAX_AGE_SECONDS)
