"""Any other path under /api/v1: a 404 problem, or a 405 problem when only the method is wrong.

The app's own 404 and 405 pages are HTML; this catch-all route keeps the API's answers
problem details. Its endpoints are left out of the OpenAPI document.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from web.api import bp
from web.api.problems import Problem, not_found

CATCH_ALL_ENDPOINTS = frozenset({"api.unknown"})
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Also caught, so that they get a problem too rather than the app's HTML 405 page.
_OTHER_METHODS = ("OPTIONS", "TRACE", "CONNECT", "QUERY")


def _allowed_methods() -> list[str]:
    """The methods that a real API route takes at this path."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in _METHODS:
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint not in CATCH_ALL_ENDPOINTS:
            allowed.append(method)
    return allowed


def allow_header(allowed: list[str]) -> str:
    return ", ".join([*allowed, *(["HEAD"] if "GET" in allowed else []), "OPTIONS"])


@bp.after_request
def _honest_allow(response: Response) -> Response:
    """Flask's automatic OPTIONS answer would list the catch-all's methods too; list only real ones."""
    if request.method == "OPTIONS" and request.endpoint not in CATCH_ALL_ENDPOINTS:
        response.headers["Allow"] = allow_header(_allowed_methods())
    return response


def unknown(rest: str) -> Response:
    """No such operation: 405 (with ``Allow``) if the path exists with other methods, else 404."""
    allowed = _allowed_methods() if request.method != "OPTIONS" else []
    if allowed:
        raise Problem(
            "method-not-allowed",
            f"{request.method} is not allowed here; use {', '.join(allowed)}.",
            headers={"Allow": allow_header(allowed)},
        )
    raise not_found()


# Added as a plain Flask rule, not a declaration: no operation of the document.
_CATCH_ALL = {"methods": [*_METHODS, *_OTHER_METHODS], "provide_automatic_options": False}
Blueprint.add_url_rule(bp, "/", "unknown", unknown, defaults={"rest": ""}, **_CATCH_ALL)
Blueprint.add_url_rule(bp, "/<path:rest>", "unknown", unknown, **_CATCH_ALL)
