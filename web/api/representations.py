"""JSON written as given, for the one answer no schema describes: the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON in the order written (content note before text), UTF-8, no HTML escaping needed."""
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response
