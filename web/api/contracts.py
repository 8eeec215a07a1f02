"""The marshmallow schemas of declared endpoints: what a body may hold, what an answer holds.

Each class is one component of the OpenAPI document (named without ``Schema``). Bodies are
closed (``Closed``): an unknown field is refused by name, and documented as
``additionalProperties: false``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from domain.languages import SUPPORTED_LANGUAGES
from domain.text import MAX_CONTACT, MAX_NAME, MAX_SHORT_TEXT, MAX_TEXT
from web.api.fields import Choice, Closed, Day, Id, NonEmptyText, Slug, Text, Texts, at_most, texts_schema

#: Text per language, one schema (and document component) for each length and need.
ShortTexts = texts_schema("ShortTexts", MAX_SHORT_TEXT)
RequiredShortTexts = texts_schema("RequiredShortTexts", MAX_SHORT_TEXT, required=True)
LongTexts = texts_schema("LongTexts", MAX_TEXT)
RequiredLongTexts = texts_schema("RequiredLongTexts", MAX_TEXT, required=True)

#: What the document says of a schema beyond its fields: the rules of its ``validates_schema``.
DOCUMENT_EXTRAS: dict[type[Schema], dict[str, Any]] = {
    RequiredShortTexts: {"minProperties": 1},
    RequiredLongTexts: {"minProperties": 1},
}


class NewContributorSchema(Closed):
    """A person who gives testimony or makes art. Stored encrypted under their own key."""

    name = NonEmptyText(MAX_NAME, required=True, metadata={"description": "Never shown unless consent says 'named'."})
    pseudonym = Text(nullable=True, validate=at_most(MAX_NAME))
    contact = Text(nullable=True, validate=at_most(MAX_CONTACT))


class CreatedSchema(Schema):
    """The id of what was created."""

    id = Id(required=True)


class NewTestimonySchema(Closed):
    """A testimony, hidden until consent is recorded."""

    contributor_id = Id(required=True)
    text = Texts(
        RequiredLongTexts, required=True,
        metadata={"description": "The testimony, per language; must include its original language."},
    )
    language = Choice(SUPPORTED_LANGUAGES, required=True, metadata={"description": "The original language."})
    content_note = Texts(RequiredShortTexts, required=True, metadata={"description": "Shown before the text."})
    title = Texts(ShortTexts)


class NewExhibitionSchema(Closed):
    """An unpublished exhibition with a unique slug."""

    slug = Slug(required=True)
    titles = Texts(RequiredShortTexts, required=True)
    organiser = Texts(ShortTexts)
    venue = Texts(ShortTexts)
    city = Texts(ShortTexts)
    statement = Texts(LongTexts, metadata={"description": "The curatorial statement."})
    opens_on = Day(nullable=True)
    closes_on = Day(nullable=True)
