"""Logging curators in and out: Argon2id passwords, rate-limited attempts, fresh sessions."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from archive.application import ExhibitionArchive
from archive.errors import NotFound
from domain import actor as actors
from domain.curators import Curator
from web.curate import bp
from web.extensions import limiter, login_manager

LOGIN_LIMIT = "10 per minute;50 per hour"


class CuratorUser(UserMixin):
    """A logged-in curator, as Flask-Login sees them."""

    def __init__(self, curator: Curator):
        self.username = curator.username
        self.display_name = curator.display_name
        # A password change ends every other session: the id carries a hash fingerprint.
        self.session_id = f"{curator.username}:{curator.password_hash[-16:]}"

    def get_id(self) -> str:
        return self.session_id

    @property
    def actor(self) -> str:
        return actors.curator(self.username)


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


@login_manager.user_loader
def load_user(session_id: str) -> CuratorUser | None:
    username, _, fingerprint = (session_id or "").partition(":")
    try:
        curator = archive().get_curator(username)
    except NotFound:
        return None
    if not curator.active or curator.password_hash[-16:] != fingerprint:
        return None
    return CuratorUser(curator)


login_manager.login_view = "curate.login"
login_manager.login_message = lazy_gettext("Please log in to use the curators' workspace.")


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("User name"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=1024)])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login() -> Any:
    """Log in. Attempts are rate-limited per client; failures give one generic message."""
    if current_user.is_authenticated:
        return redirect(url_for("curate.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        curator = archive().authenticate(form.username.data.strip().lower(), form.password.data)
        if curator is not None:
            session.clear()  # a fresh session: no fixation
            login_user(CuratorUser(curator))
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("curate.dashboard"))
        flash(_("The user name or password is not right."), "error")
    return render_template("curate/login.html", form=form), (401 if form.is_submitted() else 200)


@bp.post("/logout")
@login_required
def logout() -> Any:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("curate.login"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths under /curate, never another host, written in plain printable ASCII
    (a newline or other control character would break the ``Location`` header)."""
    if not target or not (target.isascii() and target.isprintable()) or " " in target or "\\" in target:
        return None
    if target.startswith("/curate") and not target.startswith("//"):
        return target
    return None
