"""Answers that are the same for every visitor: the site's CSS and script, and its icon.

They hold nothing about anyone, so caches may keep and share them; for that they must never
carry a cookie. Flask re-sends a signed-in curator's session cookie with every answer (the
session is permanent, and refreshed on each request), so an icon kept by a shared cache would
hand that cookie to the next visitor. Here the session is never saved on these answers.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.sessions import SecureCookieSessionInterface

#: Endpoints of the answers the same for everyone: they keep the caching they set themselves.
PUBLIC_ASSETS = frozenset({"static", "pages.favicon"})


def is_public_asset() -> bool:
    """Whether the current request is for one of the :data:`PUBLIC_ASSETS`."""
    return request.endpoint in PUBLIC_ASSETS


class SessionSkippingPublicAssets(SecureCookieSessionInterface):
    """Flask's signed-cookie session, which sets no cookie (nor ``Vary: Cookie``) on public assets."""

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        if is_public_asset():
            return
        super().save_session(app, session, response)
