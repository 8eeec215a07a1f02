"""The portal session: who entered a code on this browser, for how long.

The signed session cookie holds only two ids (the contributor's and the code's, never the
code), lives until the browser closes, and ends after 15 idle minutes, at the quick exit, or
as soon as a curator issues a new code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext

from web.i18n import language

from archive.application import ExhibitionArchive
from archive.self_service import CodeHolder

KEY = "consent_portal"
IDLE_SECONDS = 15 * 60


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


def open_portal(holder: CodeHolder) -> None:
    """Start a portal session for the holder of a code (replacing any earlier one)."""
    session.permanent = False
    session[KEY] = {"contributor": str(holder.contributor_id), "code": str(holder.code_id), "seen": int(time.time())}


def close_portal() -> None:
    session.pop(KEY, None)


def current_holder() -> CodeHolder | None:
    """The holder of this browser's portal session while it is live; ends it otherwise."""
    data = session.get(KEY)
    if not isinstance(data, dict):
        return None
    try:
        holder = CodeHolder(UUID(data["contributor"]), UUID(data["code"]))
        seen = int(data["seen"])
    except (KeyError, TypeError, ValueError):
        close_portal()
        return None
    if time.time() - seen > IDLE_SECONDS or not archive().code_is_live(holder):
        close_portal()
        return None
    session[KEY] = {**data, "seen": int(time.time())}
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
