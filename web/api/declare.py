"""One declaration per endpoint: flask-smorest reads the request, writes the document.

An endpoint is declared once, on ``bp`` (a flask-smorest ``Blueprint``): its route, its body's
marshmallow schema (``@bp.arguments``), its answers (``@bp.response``/``@bp.alt_response``)
and its tags. From that one declaration the body is checked, the answer is serialised and the
OpenAPI document is written (``web.api.openapi``).

Two things are the project's own, not flask-smorest's defaults:

- ``StrictParser`` reads JSON through ``web.api.bodies`` (415/413/400 as always) and turns
  marshmallow's errors into the 422 ``validation-failed`` problem, each field with a JSON
  pointer and the words it always had (an unknown field is named with the allowed ones);
- ``ArchiveApi`` registers no app-wide error handler (the app's pages stay HTML; the API's
  problems are the blueprint's handlers in ``web.api.problems``) and documents every error
  answer as ``application/problem+json``.
"""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
from flask import Flask
from marshmallow import Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser

from web.api.bodies import json_body, multipart_body, summary
from web.api.problems import Problem

OPENAPI_VERSION = "3.1.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def field_errors(messages: Any, node: Any, pointer: str = "") -> list[dict[str, str]]:
    """marshmallow's nested error messages as a list of ``{pointer, detail}``, in body order.

    ``node`` is the schema or field the messages are about, to name the allowed fields when
    one is unknown.
    """
    if isinstance(messages, list):
        return [{"pointer": "#" + pointer, "detail": str(message)} for message in messages]
    errors = field_errors(messages.get("_schema", []), None, pointer)
    schema = node.schema if isinstance(node, fields.Nested) else node
    for key, value in messages.items():
        if key == "_schema":
            continue
        child = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if isinstance(schema, Schema):
            if key not in schema.fields:
                errors.append({"pointer": "#" + child, "detail": _unknown(schema, str(key))})
                continue
            errors.extend(field_errors(value, schema.fields[key], child))
        elif isinstance(node, fields.List):
            errors.extend(field_errors(value, node.inner, child))
        else:
            errors.extend(field_errors(value, None, child))
    return errors


def _unknown(schema: Schema, name: str) -> str:
    template = getattr(schema, "UNKNOWN", "Unknown field {name!r}. Allowed fields: {allowed}.")
    return str(template.format(name=name, allowed=", ".join(schema.fields) or "none"))


def validation_problem(error: ValidationError, schema: Schema, pointer: str = "") -> Problem:
    """The 422 problem for a body (or a part of one, at ``pointer``) that its schema refuses."""
    errors = field_errors(error.messages, schema, pointer)
    return Problem("validation-failed", summary(errors), errors=errors)


def parameter_problem(messages: dict[str, Any]) -> Problem:
    """The 422 problem for malformed query parameters: one error per bad value, naming it."""
    errors = []
    for name, problems in messages.items():
        per_value = problems.values() if isinstance(problems, dict) else [problems]
        errors.extend({"parameter": name, "detail": str(words[0])} for words in per_value)
    return Problem("validation-failed", f"{errors[0]['parameter']}: {errors[0]['detail']}", errors=errors)


class StrictParser(FlaskParser):  # type: ignore[misc]
    """webargs' Flask parser, reading bodies strictly and answering with problem details.

    Besides webargs' locations it reads ``multipart``: the parts of a multipart/form-data body
    by name (``web.api.bodies.multipart_body``), for schemas of ``JsonPart`` and ``FileParts``.
    """

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_json(self, req: Any, schema: Schema) -> Any:
        return json_body()

    def load_multipart(self, req: Any, schema: Schema) -> Any:
        return multipart_body()

    def load_querystring(self, req: Any, schema: Schema) -> Any:
        """Each parameter's values: a list for a list field, else its one value (a list if
        it was given more than once, which the field refuses)."""
        values: dict[str, Any] = {}
        for name in req.args:
            given = req.args.getlist(name)
            many = isinstance(schema.fields.get(name), fields.List)
            values[name] = given if many or len(given) > 1 else given[0]
        return values

    def handle_error(self, error: ValidationError, req: Any, schema: Schema, **kwargs: Any) -> Any:
        messages = error.messages
        if isinstance(messages, dict) and set(messages) == {"query"}:
            raise parameter_problem(messages["query"])
        if isinstance(messages, dict) and set(messages) & {"json", "multipart"}:  # webargs keys them by location
            [messages] = messages.values()
        raise validation_problem(ValidationError(messages), schema)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = StrictParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


class ArchiveApi(flask_smorest.Api):  # type: ignore[misc]
    """flask-smorest's ``Api`` for one blueprint, without app-wide handlers or its error schema."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask, *, title: str, version: str) -> None:
        # The document is served by the blueprint itself (``/api/v1/openapi.json``), not by
        # flask-smorest's own documentation blueprint.
        app.config.setdefault("OPENAPI_URL_PREFIX", None)
        super().__init__(app, spec_kwargs={"title": title, "version": version, "openapi_version": OPENAPI_VERSION})

    def _register_error_handlers(self) -> None:
        """None for the app: the API blueprint answers its own errors as problems."""

    def _register_responses(self) -> None:
        """Every error answer named by status (e.g. the 422 of ``@bp.arguments``) is a problem."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            self.spec.components.response(status.name, response, lazy=True)
