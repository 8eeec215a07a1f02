"""Versions on the wire: an ``ETag`` on what curators read, ``If-Match`` on what they change.

The tag is strong and names the record and its version, ``"<id>.<version>"``. A write that
changes consent or an exhibition must send the tag it last read in ``If-Match``: without one
(or with ``*``) it answers 428; with another record's tag 412; with an older version of this
record 409 (``changed-meanwhile``, from the application), saying what changed since.
"""

from __future__ import annotations

import re
from typing import Protocol
from uuid import UUID

from flask import Response, request
from werkzeug.http import parse_etags

from web.api.problems import Problem

_TAG = re.compile(r"\A([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9][0-9]{0,8})\Z")


class Versioned(Protocol):
    """An aggregate: its id and its current version."""

    @property
    def id(self) -> UUID: ...

    @property
    def version(self) -> int: ...


def etag(record: Versioned) -> str:
    """The record's strong entity tag, quoted as in the ``ETag`` header."""
    return f'"{record.id}.{record.version}"'


def tagged(response: Response, record: Versioned) -> Response:
    """``response`` with the record's current ``ETag``."""
    response.headers["ETag"] = etag(record)
    return response


def if_match(record_id: UUID) -> int:
    """The version of ``record_id`` that the request's ``If-Match`` names; else a 428/412 problem."""
    header = request.headers.get("If-Match", "").strip()
    tags = parse_etags(header) if header else None
    named = tags.as_set(include_weak=True) if tags is not None else set()
    if tags is None or tags.star_tag or len(named) != 1 or not tags.as_set() or not all(named):
        raise Problem(
            "precondition-required",
            "Send If-Match with the one ETag this record had when you read it (If-Match: * is not "
            "accepted): a change must say which version it was made on.",
        )
    match = _TAG.fullmatch(str(next(iter(named))))
    if match is None or match.group(1) != str(record_id):
        raise Problem("precondition-failed", "If-Match does not name a version of this record; read it again.")
    return int(match.group(2))
