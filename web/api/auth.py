"""Curator bearer tokens: ``Authorization: Bearer <token>``, checked on every write."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from domain import actor as actors
from domain.actor import Actor
from web.api import archive
from web.api.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])

REALM = 'Bearer realm="archive-api"'


def _unauthorized(detail: str, error: str | None = None) -> Problem:
    challenge = REALM if error is None else f'{REALM}, error="{error}"'
    return Problem("unauthorized", detail, headers={"WWW-Authenticate": challenge})


def authenticate() -> Actor:
    """The acting curator (an ``Actor``) for the request's token; else a 401 problem."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise _unauthorized("This operation needs a curator's API token: send 'Authorization: Bearer <token>'.")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Send the token as 'Authorization: Bearer <token>'.", "invalid_request")
    curator = archive().access.curator_for_token(token)
    if curator is None:
        raise _unauthorized(
            "The token is not valid: it may be mistyped or revoked, or its curator deactivated.", "invalid_token"
        )
    return actors.curator(curator.username)


def curator_required(view: F) -> F:
    """Let the view run only for a live curator token; the actor is in ``g.api_actor``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.api_actor = authenticate()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def actor() -> Actor:
    return g.api_actor
