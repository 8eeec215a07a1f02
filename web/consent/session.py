"""The portal session: who entered a code on this browser, for how long.

The browser's cookie holds only an opaque random session id; the session itself lives in the
archive's session table (``archive.credentials.sessions``), shared by every process and host. It ends
after 15 idle minutes or an hour in all (judged by the server, so replaying a copy of the
cookie cannot extend it), when the holder leaves or takes the quick exit, and as soon as a
curator issues a new code: on every copy of the cookie at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext

from web.i18n import language

from archive.services.application import ExhibitionArchive
from archive.services.self_service import CodeHolder

KEY = "consent_portal"


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


def open_portal(holder: CodeHolder) -> None:
    """Start a portal session for the holder of a code (ending any earlier one on this browser)."""
    close_portal()
    session.permanent = False
    session[KEY] = archive().access.open_portal_session(holder)


def close_portal() -> None:
    """End this browser's portal session, everywhere its cookie may have been copied."""
    session_id = session.pop(KEY, None)
    if isinstance(session_id, str):
        archive().access.end_session(session_id)


def current_holder() -> CodeHolder | None:
    """The holder of this browser's portal session while it is live; forgets it otherwise."""
    session_id = session.get(KEY)
    if session_id is None:
        return None
    holder = archive().access.holder_for_session(session_id) if isinstance(session_id, str) else None
    if holder is None:
        session.pop(KEY, None)
    return holder


def portal_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``view`` with the session's holder as first argument, or send them to enter a code."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        holder = current_holder()
        if holder is None:
            flash(gettext("Please enter your consent code (sessions end after 15 minutes without activity)."), "info")
            return redirect(url_for("consent.enter_code", **lang_args()))
        return view(holder, *args, **kwargs)

    return wrapped


def lang_args() -> dict[str, str]:
    """The visitor's language as URL arguments, to carry it through redirects."""
    return {"lang": language()}
