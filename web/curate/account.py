"""The curator's own account: API tokens (issue, list, revoke) and "log out everywhere"."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from domain import clock
from domain.errors import N_
from web.curate import bp
from web.curate.auth import archive
from web.curate.forms import TokenForm
from web.i18n import attempt as _attempt

#: A token's statuses, marked for translation (the page translates them where shown).
STATUSES = (N_("live"), N_("revoked"), N_("expired"), N_("curator deactivated"))


def _account_page(new_token: str | None = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    tokens = archive().access.api_tokens(current_user.username)
    return render_template(
        "curate/account.html", tokens=tokens, now=clock.now(), new_token=new_token, error=error,
        values=request.form if error else {},
    ), status


@bp.get("/account")
@login_required
def account() -> Any:
    """Your API tokens, and ending your sessions on every device."""
    return _account_page()


@bp.post("/account/tokens")
@login_required
def issue_token() -> Any:
    """Issue a token for yourself: shown once on this page (never in a redirect or a cookie)."""
    form = TokenForm()
    token, error = (None, form.refusal())
    if error is None:
        token, error = _attempt(lambda: archive().access.issue_api_token(
            current_user.username, actor=current_user.actor, label=form.label.data, expires_on=form.expires_on.data
        ))
    if error:
        return _account_page(error=error, status=422)
    return _account_page(new_token=token)


@bp.post("/account/tokens/<token_id>/revoke")
@login_required
def revoke_token(token_id: str) -> Any:
    """Revoke one of your own tokens; any other id is not found."""
    _, error = _attempt(lambda: archive().access.revoke_api_token(token_id, actor=current_user.actor, owner=current_user.username))
    if error:
        abort(404)
    flash(gettext("The token is revoked: it no longer works."), "info")
    return redirect(url_for("curate.account"), 303)
