"""The marshmallow schemas of what curators read: an item's consent, an exhibition as curated.

They are dumped from the records a curator may see whole (the item for its consent, never its
content; the exhibition with every placement), and each is a component of the OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from marshmallow import Schema, fields

from domain.consent import Attribution, Scope
from domain.items import Item
from web.api.answers import DATE_OR_NULL, TEXTS, Computed, ShownTexts, shown_strings
from web.api.fields import Id

_SCOPES = {"type": "array", "items": {"type": "string", "enum": [s.value for s in Scope]}}
_ATTRIBUTION = {"type": "string", "enum": [a.value for a in Attribution]}


class ConsentNow(NamedTuple):
    """An item and the archive's day, on which its consent's status is read."""

    item: Item
    today: date


class _WhenPresent(fields.Nested):
    """A value dumped by another schema; null when ``present`` says it has nothing to show."""

    def __init__(self, schema: Any, present: Any, **kwargs: Any) -> None:
        self.present = present
        super().__init__(schema, allow_none=True, required=True, **kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        value = super().get_value(obj, attr, accessor=accessor)
        return value if self.present(value) else None


class ContributorsChoiceSchema(Schema):
    """The consent as the contributor last left it: their own change, or one confirmed with them."""

    scopes = Computed(lambda item: sorted(s.value for s in item.contributors_choice.scopes), _SCOPES)
    attribution = Computed(lambda item: item.contributors_choice.attribution.value, _ATTRIBUTION)
    expires_on = fields.Date(
        required=True, allow_none=True, attribute="contributors_choice.expires_on", metadata=DATE_OR_NULL
    )
    chosen_at = fields.DateTime(required=True, attribute="contributors_choice_at")


class ConsentTermsSchema(Schema):
    """An item's current consent."""

    scopes = Computed(lambda consent: sorted(s.value for s in consent.scopes), _SCOPES)
    attribution = Computed(lambda consent: consent.attribution.value, _ATTRIBUTION)
    text_version = fields.String(required=True)
    expires_on = fields.Date(required=True, allow_none=True, metadata=DATE_OR_NULL)
    recorded_by = fields.String(
        required=True, metadata={"description": "Who recorded it: curator:<name>, contributor:<id>, ..."}
    )
    recorded_at = fields.DateTime(required=True)


class ItemConsentSchema(Schema):
    """An item's consent as curators see it: current consent, the contributor's own latest
    choice, and their pending request (never any content of the item)."""

    item_id = Id(required=True, attribute="item.id")
    version = fields.Integer(
        required=True, attribute="item.version",
        metadata={"minimum": 1, "description": "The item's version (also in the ETag)."},
    )
    status = Computed(
        lambda now: now.item.status(now.today).value,
        {"type": "string", "enum": ["not_recorded", "given", "expired", "withdrawn"]},
    )
    consent = fields.Nested(ConsentTermsSchema, required=True, allow_none=True, attribute="item.consent")
    contributors_choice = _WhenPresent(
        ContributorsChoiceSchema, lambda item: item.contributors_choice is not None, attribute="item"
    )
    contributor_request = Computed(
        lambda now: now.item.consent_request.stored() if now.item.consent_request else None,
        {
            "type": ["object", "null"],
            "description": "What the contributor asked to show more (codes), and requested_at; confirm it with them first.",
        },
    )


class ConsentReceiptSchema(Schema):
    """A recorded consent; a newly issued consent code is shown here once."""

    item_id = Id(required=True)
    contributor_id = Id(required=True)
    recorded_at = fields.DateTime(required=True)
    consent_code = fields.String(
        required=True, allow_none=True,
        metadata={"description": "Set only when a new code was issued: shown this once, never stored, never shown again."},
    )
    notice = fields.String(required=True)


class PlacementSchema(Schema):
    """A work as curators placed it, whatever consent allows visitors to see."""

    item_id = Id(required=True)
    kind = fields.String(required=True, metadata={"enum": ["artwork", "testimony"]})
    wall_text = Computed(lambda placement: shown_strings(placement.wall_text.reveal({})), TEXTS)


class _OwnTexts(ShownTexts):
    """One of an exhibition's own texts, as it reads now."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj.field(attr)


class _OwnDate(fields.Date):
    """One of an exhibition's own dates."""

    def __init__(self) -> None:
        super().__init__(required=True, allow_none=True, metadata=DATE_OR_NULL)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj.field(attr)


class CuratorExhibitionSchema(Schema):
    """The curators' view: every placement, whatever consent allows visitors to see."""

    id = Id(required=True)
    slug = fields.String(required=True)
    published = Computed(lambda exhibition: bool(exhibition.is_published), {"type": "boolean"})
    titles = _OwnTexts()
    organiser = _OwnTexts()
    venue = _OwnTexts()
    city = _OwnTexts()
    statement = _OwnTexts()
    opens_on = _OwnDate()
    closes_on = _OwnDate()
    works = fields.List(fields.Nested(PlacementSchema), required=True, attribute="placements")

