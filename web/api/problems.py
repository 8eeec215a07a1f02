"""Errors as RFC 9457 problem details (``application/problem+json``), never a traceback.

``Problem`` is raised by views; the blueprint's error handlers turn it, the archive's and the
domain's errors, and HTTP errors into problem responses. Unknown paths under ``/api/v1``
reach a catch-all route, so they answer with a problem too.

Every public "not there" (hidden, withdrawn, expired, unpublished, unknown) is the same
404 problem, byte for byte, so that a visitor cannot tell them apart.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, request
from werkzeug.exceptions import HTTPException, default_exceptions

from archive.errors import ArchiveError, ChangedMeanwhile, ConcurrentChange, KeyShredded
from archive.errors import NotFound as ArchiveNotFound
from archive.media_ports.ports import ImageRejected, MediaError, MediaStoreUnavailable
from domain.errors import DomainError, InvalidValue, ItemWithdrawn, WideningNeedsConfirmation

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://archive.invalid/problems/"

#: Every problem type the API answers with: slug -> (status, title, when it happens).
PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "malformed-request": (400, "Malformed request", "The body is not valid JSON or multipart, or cannot be read."),
    "unauthorized": (401, "Authentication required", "No valid curator token: send 'Authorization: Bearer <token>'."),
    "not-found": (404, "Not found", "Nothing public (or nothing at all) is at this address."),
    "method-not-allowed": (405, "Method not allowed", "The path exists, but not with this method; see Allow."),
    "item-withdrawn": (409, "Item withdrawn", "The item's consent was withdrawn; it can no longer be changed."),
    "concurrent-change": (409, "Concurrent change", "Someone else changed the same record at the same time; retry."),
    "changed-meanwhile": (
        409, "Changed meanwhile",
        "If-Match names an older version: 'changes' says what happened since. Read the record again first.",
    ),
    "widening-needs-confirmation": (
        409, "Contributor's confirmation needed",
        "The consent would show more than the contributor's own latest choice ('contributors_choice'); "
        "ask them, then send the change again with contributor_asked: true.",
    ),
    "precondition-failed": (412, "Precondition failed", "If-Match does not name a version of this record."),
    "payload-too-large": (413, "Request too large", "The body is larger than the API accepts."),
    "unsupported-media-type": (415, "Unsupported media type", "The body is not in the media type the operation takes."),
    "validation-failed": (422, "Invalid request", "Fields are missing, unknown or malformed; see 'errors'."),
    "invalid-value": (422, "Invalid value", "A value breaks a rule of the archive (e.g. an unknown language)."),
    "rule-violated": (422, "Not possible now", "The change does not fit the record's current state."),
    "image-rejected": (422, "Image rejected", "An upload is not an image the archive accepts."),
    "precondition-required": (
        428, "Precondition required", "The write needs If-Match with the ETag the record had when it was read.",
    ),
    "internal-error": (500, "Internal error", "Something failed on the server; it was logged."),
    "media-unavailable": (503, "Media storage unavailable", "The media storage cannot be reached; retry later."),
}

#: The one answer for anything a visitor may not see, or that does not exist.
NOT_FOUND_DETAIL = "There is nothing public at this address."


def type_uri(slug: str) -> str:
    return PROBLEM_BASE + slug


class Problem(Exception):
    """An error to answer with as problem details; ``kind`` is a key of ``PROBLEM_TYPES``."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(detail)
        self.status, self.title, _ = PROBLEM_TYPES[kind]
        self.type = type_uri(kind)
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    @classmethod
    def blank(cls, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Problem:
        """A problem with no type of its own (``about:blank``): the HTTP status says it all."""
        problem = cls("internal-error", detail, headers=headers)
        problem.status, problem.title, problem.type = status, title, "about:blank"
        return problem

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body

    def response(self) -> Response:
        response = Response(
            json.dumps(self.body(), ensure_ascii=False), status=self.status, mimetype=PROBLEM_MEDIA_TYPE
        )
        response.headers.update(self.headers)
        return response


def not_found() -> Problem:
    """The public 404: the same for hidden, withdrawn, expired, unpublished and unknown."""
    return Problem("not-found", NOT_FOUND_DETAIL)


# -- handlers ---------------------------------------------------------------------------------


def _problem(error: Problem) -> Response:
    return error.response()


def _archive_not_found(error: ArchiveNotFound) -> Response:
    # Curators are told what was not found; visitors never learn more than "nothing public".
    if g.get("api_actor"):
        return Problem("not-found", str(error)).response()
    return not_found().response()


def _domain_error(error: DomainError) -> Response:
    if isinstance(error, WideningNeedsConfirmation):
        return _widening(error).response()
    if isinstance(error, ItemWithdrawn):
        kind = "item-withdrawn"
    elif isinstance(error, InvalidValue):
        kind = "invalid-value"
    else:
        kind = "rule-violated"
    return Problem(kind, str(error)).response()


def _widening(error: WideningNeedsConfirmation) -> Problem:
    """The refusal, with the contributor's own latest choice and what the change would add."""
    choice: Any = error.choice
    chosen_at: Any = error.chosen_at
    return Problem(
        "widening-needs-confirmation",
        str(error),
        extra={
            "contributors_choice": {
                "scopes": sorted(s.value for s in choice.scopes),
                "attribution": choice.attribution.value,
                "expires_on": choice.expires_on.isoformat() if choice.expires_on else None,
                "chosen_at": chosen_at.isoformat(),
            },
            "widening": dict(error.widening),
        },
    )


def _archive_error(error: ArchiveError) -> Response:
    if isinstance(error, ChangedMeanwhile):
        return Problem("changed-meanwhile", str(error), extra={"changes": list(error.changes)}).response()
    if isinstance(error, ConcurrentChange):
        return Problem("concurrent-change", str(error)).response()
    if isinstance(error, KeyShredded):
        return Problem("item-withdrawn", "This item's consent was withdrawn; nothing can be added to it.").response()
    return _unexpected(error)


def _media_error(error: MediaError) -> Response:
    if isinstance(error, ImageRejected):
        return Problem("image-rejected", str(error)).response()
    if isinstance(error, MediaStoreUnavailable):
        return Problem(
            "media-unavailable", "The media storage cannot be reached; nothing was recorded. Try again later.",
            headers={"Retry-After": "60"},
        ).response()
    return _unexpected(error)


_HTTP_KINDS = {400: "malformed-request", 405: "method-not-allowed", 413: "payload-too-large", 415: "unsupported-media-type"}
_HTTP_DETAILS = {
    400: "The request could not be read.",
    405: "This path does not take this method.",
    413: "The request is larger than the API accepts.",
    415: "The body is not in a media type this operation takes.",
}


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code == 404:
        return _archive_not_found(ArchiveNotFound("No such resource."))
    if code >= 500:
        return _unexpected(error)
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after", "www-authenticate")}
    if code in _HTTP_KINDS:
        return Problem(_HTTP_KINDS[code], _HTTP_DETAILS[code], headers=headers).response()
    return Problem.blank(code, error.name, error.description or error.name, headers).response()


def _unexpected(error: BaseException) -> Response:
    current_app.logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=error)
    return Problem("internal-error", "Something went wrong on the server. It was logged; nothing was shown.").response()


def register_error_handlers(bp: Any) -> None:
    """Blueprint-level handlers, so API errors are problems whatever the app does for pages."""
    bp.register_error_handler(Problem, _problem)
    bp.register_error_handler(ArchiveNotFound, _archive_not_found)
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(ArchiveError, _archive_error)
    bp.register_error_handler(MediaError, _media_error)
    for code in default_exceptions:  # by code, so an app-level handler for a code cannot win
        bp.register_error_handler(code, _http_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)
