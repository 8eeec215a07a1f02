"""Marshmallow fields as strict as the API has always been, with messages a curator understands.

JSON has one spelling for each value: a whole number is never ``true`` or ``"3"``, a boolean
never ``1`` or ``"yes"``, a date is ``YYYY-MM-DD`` and nothing else, an id is a UUID in its
canonical text form. Each field documents itself in the OpenAPI document through apispec.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import FileStorage

from domain.exhibitions import MAX_SLUG_LENGTH, SLUG_PATTERN
from domain.languages import SUPPORTED_LANGUAGES
from web.api.bodies import parse_json
from web.api.problems import Problem

_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_UUID = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")

REQUIRED = "This field is required."
TEXT = "Must be text."
TEXT_OR_NULL = "Must be text or null."
AN_OBJECT = "Must be an object."
A_LIST = "Must be a list."


def _messages(kind: str, nullable: bool) -> dict[str, str]:
    """Type messages: a null where none is allowed gets the same words as a wrong type."""
    words = f"Must be {kind} or null." if nullable else f"Must be {kind}."
    return {"required": REQUIRED, "null": words, "invalid": words, "type": words}


def at_most(length: int) -> validate.Length:
    return validate.Length(max=length, error="Must be at most {max} characters.")


def one_of(choices: Any) -> validate.OneOf:
    return validate.OneOf(list(choices), error="{input!r} is not allowed: use one of {choices}.")


def parse_date(text: Any) -> date | None:
    """A date written exactly ``YYYY-MM-DD``, or None."""
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_uuid(text: Any) -> UUID | None:
    """An id in its canonical text form, or None."""
    if not isinstance(text, str) or not _UUID.match(text):
        return None
    return UUID(text)


class Text(fields.String):
    """Text; ``nullable=True`` also takes null."""

    def __init__(self, *, nullable: bool = False, **kwargs: Any) -> None:
        messages = {**_messages("text", nullable), **kwargs.pop("error_messages", {})}
        super().__init__(allow_none=nullable, error_messages=messages, **kwargs)


class NonEmptyText(Text):
    """Text of at least one character and at most ``max_length``."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(validate=[validate.Length(min=1, error="Must not be empty."), at_most(max_length)], **kwargs)


class Choice(Text):
    """One of a fixed set of words, documented as an ``enum``."""

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        super().__init__(validate=one_of(choices), **kwargs)


class Slug(Text):
    """An exhibition's slug: lower-case letters and digits joined by single hyphens."""

    DESCRIPTION = "Lower-case letters and digits joined by single hyphens, e.g. silent-room."
    PATTERN = SLUG_PATTERN.pattern
    MAX_LENGTH = MAX_SLUG_LENGTH

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": self.PATTERN, "maxLength": self.MAX_LENGTH, "description": self.DESCRIPTION}
        super().__init__(validate=self._slug, metadata=metadata, **kwargs)

    def _slug(self, value: str) -> None:
        """One message: too long, else not in the slug's form."""
        if len(value) > MAX_SLUG_LENGTH:
            raise ValidationError(f"Must be at most {MAX_SLUG_LENGTH} characters.")
        if not SLUG_PATTERN.search(value):
            raise ValidationError(self.DESCRIPTION)


class WholeNumber(fields.Integer):
    """A JSON integer: never a boolean, a fraction or a string of digits."""

    def __init__(self, *, nullable: bool = False, **kwargs: Any) -> None:
        super().__init__(strict=True, allow_none=nullable, error_messages=_messages("a whole number", nullable), **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)  # type: ignore[no-any-return]


class Digits(fields.Integer):
    """A whole number written in digits (a URL's query), at most six of them."""

    def __init__(self, **kwargs: Any) -> None:
        messages = {**_messages("a whole number", False), **kwargs.pop("error_messages", {})}
        super().__init__(strict=True, error_messages=messages, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not (value.isascii() and value.isdigit() and len(value) <= 6):
            raise ValidationError(f"{value[:40]!r} is not a whole number.")
        return int(value)


class TrueOrFalse(fields.Boolean):
    """A JSON ``true`` or ``false``, nothing that merely looks like one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=_messages("true or false", False), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Day(fields.Date):
    """A calendar date written ``YYYY-MM-DD`` and nothing else; ``nullable=True`` also takes null."""

    def __init__(self, *, nullable: bool = False, **kwargs: Any) -> None:
        description = "A calendar date, YYYY-MM-DD, or null." if nullable else "A calendar date, YYYY-MM-DD."
        kwargs.setdefault("metadata", {"description": description})
        super().__init__(allow_none=nullable, error_messages=_messages("text", nullable), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        parsed = parse_date(value)
        if parsed is None:
            raise ValidationError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-05-01.")
        return parsed


class Id(fields.UUID):
    """An id: a UUID in its canonical text form (at most 36 characters)."""

    def __init__(self, **kwargs: Any) -> None:
        # The length is checked on the text, before it becomes a UUID; documented here.
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"maxLength": 36, **kwargs["metadata"]}
        super().__init__(error_messages=_messages("text", False), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> UUID:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if len(value) > 36:
            raise ValidationError("Must be at most 36 characters.")
        parsed = parse_uuid(value)
        if parsed is None:
            raise ValidationError(f"{value!r} is not an id (a UUID such as 123e4567-e89b-12d3-a456-426614174000).")
        return parsed


class List(fields.List):
    """A JSON array of ``inner`` values."""

    def __init__(self, inner: fields.Field, **kwargs: Any) -> None:
        super().__init__(inner, error_messages=_messages("a list", False), **kwargs)


def at_most_items(count: int, error: str = "Must list at most {max} values.") -> validate.Length:
    return validate.Length(max=count, error=error)


def no_repeats(values: list[Any]) -> None:
    if len(set(map(str, values))) != len(values):
        raise ValidationError("Must not list the same value twice.")


def few_and_distinct(count: int) -> Any:
    """At most ``count`` values, none twice: one message, the first that applies."""

    def check(values: list[Any]) -> None:
        at_most_items(count)(values)
        no_repeats(values)

    return check


def at_least(minimum: int) -> validate.Range:
    return validate.Range(min=minimum, error="Must be at least {min}.")


def no_more_than(maximum: int) -> validate.Range:
    return validate.Range(max=maximum, error="Must be at most {max}.")


class Closed(Schema):
    """A JSON object with only the declared fields: an unknown one is refused by name."""

    class Meta:
        unknown = "raise"

    #: What an unknown key is told: ``name`` is the key, ``allowed`` the declared fields.
    UNKNOWN = "Unknown field {name!r}. Allowed fields: {allowed}."

    error_messages = {"type": AN_OBJECT, "unknown": "Unknown field."}


class _Texts(Closed):
    UNKNOWN = "Unknown language {name!r}: use {allowed}."


def texts_schema(name: str, max_length: int, *, required: bool = False) -> type[Closed]:
    """A schema of text per language: an object keyed by ``en``, ``ru`` or ``kk``."""
    attributes: dict[str, Any] = {code: Text(validate=at_most(max_length)) for code in SUPPORTED_LANGUAGES}
    if required:

        def at_least_one(self: Schema, data: dict[str, Any], **kwargs: Any) -> None:
            if not data:
                raise ValidationError(f"Give the text in at least one language ({', '.join(SUPPORTED_LANGUAGES)}).")

        attributes["at_least_one"] = validates_schema(at_least_one)
    return type(name, (_Texts,), attributes)


class Texts(fields.Nested):
    """Text per language, in a field (``{}`` clears an optional one)."""

    def __init__(self, schema: type[Closed], **kwargs: Any) -> None:
        super().__init__(schema, error_messages=_messages("an object", kwargs.get("allow_none", False)), **kwargs)


# -- multipart parts ----------------------------------------------------------------------------
# A multipart body is read (``web.api.bodies.multipart_body``) into the parts sent under each
# name, in order: a plain field as text, a file part as a ``FileStorage``.


def _same_way(parts: list[Any], name: str) -> None:
    """A JSON part's copies all as plain fields or all as files; else the body is malformed."""
    if len({isinstance(part, FileStorage) for part in parts}) > 1:
        raise Problem("malformed-request", f"Send every {name!r} part the same way (all with or all without a filename).")


class JsonPart(fields.Nested):
    """A part holding JSON text (a plain field or a file), read by ``schema``.

    Under its own name it takes exactly one part; inside ``JsonParts`` one of several.
    Text that is not JSON is a 400 problem naming the part, as a JSON body would be.
    """

    def __init__(self, schema: Any, **kwargs: Any) -> None:
        messages = {**_messages("an object", False), **kwargs.pop("error_messages", {})}
        super().__init__(schema, error_messages=messages, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, part: str | None = None, **kwargs: Any) -> Any:
        if isinstance(value, list):  # every part sent under this name
            _same_way(value, self.name)
            if len(value) != 1:
                raise ValidationError(f"Send exactly one {self.name} part.")
            value = value[0]
        text = value.read() if isinstance(value, FileStorage) else value
        return super()._deserialize(parse_json(text, where=f"the part {part or self.name!r}"), attr, data, **kwargs)


class JsonParts(fields.List):
    """Parts under one name, each holding JSON text read by the inner ``JsonPart``."""

    def __init__(self, inner: JsonPart, **kwargs: Any) -> None:
        super().__init__(inner, error_messages=_messages("a list", False), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        _same_way(value, self.name)
        result: list[Any] = []
        errors: dict[int, Any] = {}
        for index, part in enumerate(value):
            try:
                result.append(self.inner.deserialize(part, part=f"{self.name}/{index}", **kwargs))
            except ValidationError as error:
                errors[index] = error.messages
        if errors:
            raise ValidationError(errors, valid_data=result)
        return result


class FileParts(fields.List):
    """File parts under one name (each sent with a filename), as ``FileStorage``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Upload(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[FileStorage]:
        if not all(isinstance(part, FileStorage) for part in value):
            raise ValidationError(f"Send each {self.name} as a file part (with a filename), not as a text field.")
        return list(value)
