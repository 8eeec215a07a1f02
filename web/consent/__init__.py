"""The consent portal under /consent: contributors act on their consent with their code.

No account and no JavaScript needed; every page is ``noindex``, sends no referrer, is never
cached, and has a quick exit that also ends the portal session.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consent", __name__, url_prefix="/consent")

from web.consent import views  # noqa: E402,F401  (registers routes on bp)
