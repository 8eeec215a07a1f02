"""Request bodies read strictly: media type, size, UTF-8, JSON syntax, nesting depth; multipart parts.

Duplicate keys, ``NaN``, ``Infinity`` and lone surrogates are malformed (400); a body over
``JSON_BODY_LIMIT`` is 413, one that is not JSON 415. What the JSON must contain is each
endpoint's own declaration (``web.api.declare``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from werkzeug.datastructures import FileStorage

from web.api.problems import Problem

#: The largest JSON body the API reads (testimonies can be long, in three languages).
JSON_BODY_LIMIT = 1024 * 1024
#: Deeper than any schema goes (the deepest is 3), far below Python's recursion limit.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_body() -> Any:
    """The request's JSON body as Python values; else a 400/413/415 problem."""
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise Problem("unsupported-media-type", "Send the body as JSON, with 'Content-Type: application/json'.")
    length = request.content_length
    if length is not None and length > JSON_BODY_LIMIT:
        raise _too_large()
    data = request.stream.read(JSON_BODY_LIMIT + 1)
    if len(data) > JSON_BODY_LIMIT:
        raise _too_large()
    return parse_json(data, where="the request body")


def multipart_body() -> dict[str, list[str | FileStorage]]:
    """The parts of a multipart/form-data body by name, in order: plain fields as text, then
    file parts; else a 415/400 problem (a body over the route's limit is a 413)."""
    if request.mimetype != "multipart/form-data":
        raise Problem("unsupported-media-type", "Send the artwork as multipart/form-data (see the OpenAPI document).")
    if not request.mimetype_params.get("boundary"):
        raise Problem("malformed-request", "The multipart Content-Type has no boundary parameter.")
    parser = request.make_form_data_parser()
    parser.silent = False  # werkzeug would otherwise hand over an empty form
    try:
        _, form, files = parser.parse(request.stream, request.mimetype, request.content_length, request.mimetype_params)
    except ValueError:
        raise Problem(
            "malformed-request", "The multipart body cannot be read: it is cut off, or its boundary does not match."
        ) from None
    parts: dict[str, list[str | FileStorage]] = {name: list(form.getlist(name)) for name in form}
    for name in files:
        parts.setdefault(name, []).extend(files.getlist(name))
    return parts


def parse_json(data: bytes | str, *, where: str) -> Any:
    """JSON text as Python values; duplicate keys, NaN, Infinity and lone surrogates are malformed."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem("malformed-request", f"{where.capitalize()} is not UTF-8 text.") from None
    else:
        text = data
    if not text.strip():
        raise Problem("malformed-request", f"{where.capitalize()} is empty; send a JSON object.")
    if _nested_deeper_than(text, MAX_JSON_DEPTH):
        raise Problem(
            "malformed-request", f"{where.capitalize()} is nested more than {MAX_JSON_DEPTH} levels deep."
        )
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise Problem(
            "malformed-request",
            f"{where.capitalize()} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).",
        ) from None
    except ValueError as error:
        raise Problem("malformed-request", f"{where.capitalize()} is not valid JSON: {error}") from None
    if not _encodable(value):
        raise Problem("malformed-request", f"{where.capitalize()} contains an invalid \\u escape (a lone surrogate).")
    return value


def _nested_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in JSON text nest deeper than ``limit``, counted before
    parsing (brackets inside strings do not count), so that no parser or checker recurses
    deeper than that. At most 0.08 s for a hostile 1 MB body, a third of parsing it."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the field {key!r} appears twice.")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number.")


def _encodable(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    return True


def _too_large() -> Problem:
    return Problem("payload-too-large", f"The JSON body is larger than {JSON_BODY_LIMIT // 1024} KiB.")


def summary(errors: list[dict[str, str]]) -> str:
    """The problem's ``detail`` for field errors: the first, and how many more."""
    first = errors[0]
    where = first.get("pointer", "#").lstrip("#/").replace("/", ".") or "the body"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{where}: {first['detail']}{more}"
