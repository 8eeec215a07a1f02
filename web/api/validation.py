"""Strict reading of request bodies: size, media type, JSON syntax, then the documented schema.

The checker understands the subset of JSON Schema that ``web.api.schemas`` uses and says,
per field, what is wrong in words a curator understands. Dates are ``YYYY-MM-DD`` and
nothing else; unknown fields are refused by name.
"""

from __future__ import annotations

import json
import re
from typing import Any

from domain.languages import SUPPORTED_LANGUAGES
from web.api.bodies import parse_json, summary
from web.api.fields import parse_date, parse_uuid
from web.api.problems import Problem
from web.api.schemas import COMPONENTS, Schema

_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_LANGUAGE_KEYS = set(SUPPORTED_LANGUAGES)


def check_json_text(data: bytes | str, schema_name: str, *, part: str = "") -> Any:
    """Parse JSON text (400 if malformed) and check it against a named schema (422 if not valid).

    ``part`` names the multipart part the text came from (``alt_text/0``), for messages and pointers.
    """
    value = parse_json(data, where=f"the part {part!r}" if part else "the request body")
    errors = check(value, COMPONENTS[schema_name], f"/{part}" if part else "")
    if errors:
        raise Problem("validation-failed", summary(errors), errors=errors)
    return value


# -- the checker ----------------------------------------------------------------------------


def check(value: Any, schema: Schema, pointer: str = "") -> list[dict[str, str]]:
    """Field errors of ``value`` against ``schema``, each with a JSON Pointer (``#/a/b``)."""
    errors: list[dict[str, str]] = []
    _check(value, schema, pointer, errors)
    return errors


def _error(errors: list[dict[str, str]], pointer: str, detail: str) -> None:
    errors.append({"pointer": "#" + pointer, "detail": detail})


def _child(pointer: str, key: str | int) -> str:
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


def _resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    return value is None


def _check(value: Any, schema: Schema, pointer: str, errors: list[dict[str, str]]) -> None:
    schema = _resolve(schema)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, name) for name in names):
            _error(errors, pointer, "Must be " + " or ".join(_TYPE_NAMES[n] for n in names) + ".")
            return
    if "const" in schema and value != schema["const"]:
        _error(errors, pointer, f"Must be {schema['const']!r}.")
        return
    if "enum" in schema and value not in schema["enum"]:
        _error(errors, pointer, f"{value!r} is not allowed: use one of {', '.join(map(str, schema['enum']))}.")
        return
    if isinstance(value, str):
        _check_string(value, schema, pointer, errors)
    elif isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            _error(errors, pointer, f"Must be at least {schema['minimum']}.")
        if "maximum" in schema and value > schema["maximum"]:
            _error(errors, pointer, f"Must be at most {schema['maximum']}.")
    elif isinstance(value, list):
        _check_array(value, schema, pointer, errors)
    elif isinstance(value, dict):
        _check_object(value, schema, pointer, errors)


def _check_string(value: str, schema: Schema, pointer: str, errors: list[dict[str, str]]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        _error(errors, pointer, "Must not be empty." if schema["minLength"] == 1 else f"Must be at least {schema['minLength']} characters.")
    elif "maxLength" in schema and len(value) > schema["maxLength"]:
        _error(errors, pointer, f"Must be at most {schema['maxLength']} characters.")
    elif "pattern" in schema and not re.search(schema["pattern"], value):
        _error(errors, pointer, schema.get("description") or "Is not in the expected form.")
    elif schema.get("format") == "date" and parse_date(value) is None:
        _error(errors, pointer, f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-05-01.")
    elif schema.get("format") == "uuid" and parse_uuid(value) is None:
        _error(errors, pointer, f"{value!r} is not an id (a UUID such as 123e4567-e89b-12d3-a456-426614174000).")


def _check_array(value: list[Any], schema: Schema, pointer: str, errors: list[dict[str, str]]) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        _error(errors, pointer, f"Must list at least {schema['minItems']} value(s).")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        _error(errors, pointer, f"Must list at most {schema['maxItems']} values.")
        return
    if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
        _error(errors, pointer, "Must not list the same value twice.")
    if "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], _child(pointer, index), errors)


def _check_object(value: dict[str, Any], schema: Schema, pointer: str, errors: list[dict[str, str]]) -> None:
    properties: dict[str, Schema] = schema.get("properties", {})
    languages = bool(properties) and set(properties) == _LANGUAGE_KEYS
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        if languages:
            _error(errors, pointer, f"Give the text in at least one language ({', '.join(SUPPORTED_LANGUAGES)}).")
        else:
            _error(errors, pointer, "Send at least one field.")
    for name in schema.get("required", []):
        if name not in value:
            _error(errors, _child(pointer, name), "This field is required.")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], _child(pointer, name), errors)
        elif extra is False:
            if languages:
                _error(errors, _child(pointer, name), f"Unknown language {name!r}: use {', '.join(SUPPORTED_LANGUAGES)}.")
            else:
                allowed = ", ".join(properties) or "none"
                _error(errors, _child(pointer, name), f"Unknown field {name!r}. Allowed fields: {allowed}.")
        elif isinstance(extra, dict):
            _check(item, extra, _child(pointer, name), errors)
