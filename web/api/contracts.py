"""The marshmallow schemas of declared endpoints: what a body may hold, what an answer holds.

Each class is one component of the OpenAPI document (named without ``Schema``). Bodies are
closed (``Closed``): an unknown field is refused by name, and documented as
``additionalProperties: false``.
"""

from __future__ import annotations

from marshmallow import Schema

from domain.text import MAX_CONTACT, MAX_NAME
from web.api.fields import Closed, Id, NonEmptyText, Text, at_most


class NewContributorSchema(Closed):
    """A person who gives testimony or makes art. Stored encrypted under their own key."""

    name = NonEmptyText(MAX_NAME, required=True, metadata={"description": "Never shown unless consent says 'named'."})
    pseudonym = Text(nullable=True, validate=at_most(MAX_NAME))
    contact = Text(nullable=True, validate=at_most(MAX_CONTACT))


class CreatedSchema(Schema):
    """The id of what was created."""

    id = Id(required=True)
