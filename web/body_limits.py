"""How large a request body may be: the upload limit on upload routes, 1 MB everywhere else.

Flask reads a form (for its CSRF check) before any view runs, so the limit is set per route
by a ``before_request`` hook registered ahead of CSRFProtect's: a body over the limit is a 413
before a byte of it is parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request

F = TypeVar("F", bound=Callable[..., Any])

#: Any body but an upload: a testimony in three languages fits (the API's JSON limit is the same).
BODY_LIMIT = 1024 * 1024
#: One non-file field of a multipart form (werkzeug's default, 500 kB, is below a long testimony).
FORM_FIELD_LIMIT = BODY_LIMIT


def accepts_uploads(view: F) -> F:
    """Mark a view (outermost decorator under the route) as taking image uploads."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def limit_request_bodies(app: Flask, upload_limit: int) -> None:
    """Apply ``BODY_LIMIT`` to every route and ``upload_limit`` to views marked ``accepts_uploads``.

    Call before ``csrf.init_app`` so that this hook runs before the form is read."""
    app.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT  # (Flask's default is None: no limit at all)
    app.config["MAX_FORM_MEMORY_SIZE"] = FORM_FIELD_LIMIT

    @app.before_request
    def allow_uploads() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "accepts_uploads", False):
            request.max_content_length = upload_limit
