"""Logging curators in and out: Argon2id passwords, rate-limited attempts, server-side sessions.

Flask-Login keeps only an opaque session id in the cookie; the session is a row of the
archive's session table, so logging out (here, or everywhere) refuses every copy of the cookie.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l  # "_l" is a keyword of the catalog's extraction (Makefile)
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from archive.services.application import ExhibitionArchive
from domain import actor as actors
from domain.actor import Actor
from domain.curators import Curator
from web.curate import bp
from web.curate.forms import LoginForm
from web.extensions import limiter, login_manager

LOGIN_LIMIT = "10 per minute;50 per hour"


class CuratorUser(UserMixin):
    """A logged-in curator, as Flask-Login sees them."""

    def __init__(self, curator: Curator, session_id: str):
        self.username = curator.username
        self.display_name = curator.display_name
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    @property
    def actor(self) -> Actor:
        return actors.curator(self.username)


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


@login_manager.user_loader
def load_user(session_id: str) -> CuratorUser | None:
    curator = archive().access.curator_for_session(session_id)
    return CuratorUser(curator, session_id) if curator is not None else None


login_manager.login_view = "curate.login"
login_manager.login_message = _l("Please log in to use the curators' workspace.")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login() -> Any:
    """Log in. Attempts are rate-limited per client; failures give one generic message."""
    if current_user.is_authenticated:
        return redirect(url_for("curate.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        curator = archive().access.authenticate(form.username.data.strip().lower(), form.password.data)
        if curator is not None:
            session.clear()  # a fresh session: no fixation
            login_user(CuratorUser(curator, archive().access.open_curator_session(curator)))
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("curate.dashboard"))
        flash(_("The user name or password is not right."), "error")
    return render_template("curate/login.html", form=form), (401 if form.is_submitted() else 200)


@bp.post("/logout")
@login_required
def logout() -> Any:
    """End this session, wherever its cookie may have been copied."""
    archive().access.end_session(current_user.session_id)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("curate.login"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere() -> Any:
    """End every session of this curator, on every browser and device (a lost phone, a shared laptop)."""
    archive().access.end_curator_sessions(current_user.username)
    logout_user()
    session.clear()
    flash(_("You are logged out everywhere."), "info")
    return redirect(url_for("curate.login"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths under /curate, never another host, written in plain printable ASCII
    (a newline or other control character would break the ``Location`` header)."""
    if not target or not (target.isascii() and target.isprintable()) or " " in target or "\\" in target:
        return None
    if target.startswith("/curate") and not target.startswith("//"):
        return target
    return None
