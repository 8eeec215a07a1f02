"""The marshmallow schemas of declared endpoints: what a body may hold, what an answer holds.

Each class is one component of the OpenAPI document (named without ``Schema``). Bodies are
closed (``Closed``): an unknown field is refused by name, and documented as
``additionalProperties: false``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, validates_schema

from archive.search import KINDS, SORTS
from domain.consent import Attribution, Scope
from domain.languages import SUPPORTED_LANGUAGES
from domain.text import MAX_CONTACT, MAX_NAME, MAX_SHORT_TEXT, MAX_TEXT
from web.api.fields import (
    Choice,
    Closed,
    Day,
    Digits,
    FileParts,
    Id,
    JsonPart,
    JsonParts,
    List,
    NonEmptyText,
    Slug,
    Text,
    Texts,
    TrueOrFalse,
    WholeNumber,
    at_least,
    at_most,
    at_most_items,
    few_and_distinct,
    no_more_than,
    texts_schema,
)

#: At most this many works in one exhibition's order, and the last position a work can take.
MAX_ORDER = 10_000
#: At most this many images in one artwork upload.
MAX_IMAGES_PER_UPLOAD = 20
#: The longest search text, and the last page a search goes to.
MAX_QUERY_TEXT = 1_000
MAX_PAGE = 1_000

#: Text per language, one schema (and document component) for each length and need.
ShortTexts = texts_schema("ShortTexts", MAX_SHORT_TEXT)
RequiredShortTexts = texts_schema("RequiredShortTexts", MAX_SHORT_TEXT, required=True)
LongTexts = texts_schema("LongTexts", MAX_TEXT)
RequiredLongTexts = texts_schema("RequiredLongTexts", MAX_TEXT, required=True)

AltText = texts_schema("AltText", MAX_SHORT_TEXT, required=True)

#: What the document says of a schema beyond its fields: the rules of its ``validates_schema``.
DOCUMENT_EXTRAS: dict[type[Schema], dict[str, Any]] = {
    RequiredShortTexts: {"minProperties": 1},
    RequiredLongTexts: {"minProperties": 1},
    AltText: {"minProperties": 1, "description": "Alt text of one image, per language."},
}


def _document(**extra: Any) -> Any:
    """Add to ``DOCUMENT_EXTRAS`` what the document says of a schema beyond its fields."""

    def register(schema: type[Schema]) -> type[Schema]:
        DOCUMENT_EXTRAS[schema] = extra
        return schema

    return register


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


def _scopes(**kwargs: Any) -> List:
    return List(
        Choice([s.value for s in Scope]), validate=few_and_distinct(len(Scope)), required=True,
        metadata={"uniqueItems": True, "maxItems": len(Scope), **kwargs},
    )


def _attribution() -> Choice:
    return Choice([a.value for a in Attribution], required=True)


class NewConsentSchema(Closed):
    """An item's first consent."""

    scopes = _scopes(description="'exhibit' (curated exhibition views) and/or 'publish_online' (anyone online).")
    attribution = _attribution()
    text_version = NonEmptyText(100, required=True, metadata={"description": "Version of the consent text signed."})
    expires_on = Day(nullable=True)


@_document(description="The item's whole consent as it should be now; a missing expires_on means no expiry.")
class ConsentChangesSchema(Closed):
    """An item's consent as it should be now."""

    scopes = _scopes()
    attribution = _attribution()
    text_version = NonEmptyText(100, required=True)
    expires_on = Day(nullable=True)
    contributor_asked = TrueOrFalse(
        metadata={
            "description": (
                "Send true only after asking the contributor and hearing them confirm it: needed to show "
                "more than their own latest choice, and recorded with the change."
            )
        }
    )


@_document(
    minProperties=1,
    description="Only the fields to change. Send {} for a text field to clear it, null to clear a date.",
)
class ExhibitionChangesSchema(Closed):
    """What changes in an exhibition's own texts and dates."""

    titles = Texts(RequiredShortTexts)
    organiser = Texts(ShortTexts)
    venue = Texts(ShortTexts)
    city = Texts(ShortTexts)
    statement = Texts(LongTexts, metadata={"description": "The curatorial statement."})
    opens_on = Day(nullable=True)
    closes_on = Day(nullable=True)

    @validates_schema
    def at_least_one_field(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field.")


class NewWorkSchema(Closed):
    """An item to hang, with its wall text, at a position."""

    item_id = Id(required=True)
    wall_text = Texts(LongTexts)
    position = WholeNumber(
        validate=[at_least(0), no_more_than(MAX_ORDER)], metadata={"description": "0 is first; default: at the end."}
    )


class WallTextSchema(Closed):
    """The wall text beside a work ({} removes it)."""

    wall_text = Texts(LongTexts, required=True)


class WorkOrderSchema(Closed):
    """Every work of an exhibition in its new order."""

    item_ids = List(
        Id(), validate=at_most_items(MAX_ORDER), required=True,
        metadata={"description": "Every work of the exhibition, once each, in the new order."},
    )


class ArtworkMetadataSchema(Closed):
    """An artwork's facts: the ``metadata`` part of an upload."""

    contributor_id = Id(required=True)
    title = Texts(RequiredShortTexts, required=True)
    year = WholeNumber(nullable=True, validate=[at_least(1000), no_more_than(2200)])
    medium = Texts(ShortTexts)
    dimensions = Text(nullable=True, validate=at_most(MAX_NAME))
    description = Texts(LongTexts)
    series = Texts(ShortTexts)
    content_note = Texts(ShortTexts)


@_document(
    required=["metadata", "image", "alt_text"],
    description=(
        "One `metadata` JSON part, one or more `image` file parts, and one `alt_text` JSON part "
        "per image, in the same order."
    ),
)
class ArtworkUploadSchema(Closed):
    """An artwork upload: its metadata, its images, and each image's alt text, in order."""

    UNKNOWN = "Unknown part. Allowed parts: {allowed}."

    metadata = JsonPart(
        ArtworkMetadataSchema, required=True, error_messages={"required": "The metadata part is required."}
    )
    image = FileParts(
        required=True,
        validate=at_most_items(MAX_IMAGES_PER_UPLOAD, "Send at most {max} images at once."),
        error_messages={"required": "Send at least one image part."},
        metadata={
            "minItems": 1, "maxItems": MAX_IMAGES_PER_UPLOAD,
            "description": "Image files (JPEG, PNG, WebP, TIFF or GIF), each with a filename.",
        },
    )
    alt_text = JsonParts(
        JsonPart(AltText), load_default=list,
        metadata={
            "minItems": 1, "maxItems": MAX_IMAGES_PER_UPLOAD,
            "description": "The n-th alt_text part is the alt text of the n-th image part.",
        },
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def every_image_has_its_alt_text(self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any) -> None:
        images, alt_texts = len(original.get("image", ())), len(original.get("alt_text", ()))
        errors = {n: [f"Image {n + 1} has no alt text: every image needs one."] for n in range(alt_texts, images)}
        errors.update({n: [f"Alt text {n + 1} has no image to go with."] for n in range(images, alt_texts)})
        if errors:
            raise ValidationError({"alt_text": errors})


class ArtworkCreatedSchema(Schema):
    """The recorded artwork's id and its images' ids, in the order they were sent."""

    id = Id(required=True)
    image_ids = List(Id(), required=True)


#: A parameter that takes one value, given twice (its value is then a list).
ONCE = {"invalid": "Give this parameter at most once.", "type": "Give this parameter at most once."}


class SearchQuerySchema(Schema):
    """A search's query parameters: unknown ones are ignored, malformed ones named."""

    q = Text(
        validate=at_most(MAX_QUERY_TEXT), error_messages=ONCE, load_default="",
        metadata={"description": "Words to search for; empty lists everything public."},
    )
    kind = List(Choice(KINDS), load_default=list, metadata={"description": "Only these kinds."})
    exhibition = List(
        Slug(), load_default=list, metadata={"description": "Only what hangs in these published exhibitions (slugs)."}
    )
    year = List(
        Digits(validate=[at_least(1000), no_more_than(9999)]), load_default=list,
        metadata={"description": "Only artworks of these years."},
    )
    language = List(
        Choice(SUPPORTED_LANGUAGES), load_default=list,
        metadata={"description": "Only testimonies in these original languages."},
    )
    page = Digits(
        validate=[at_least(1), no_more_than(MAX_PAGE)], error_messages=ONCE, load_default=1,
        metadata={"description": "Page number, from 1."},
    )
    sort = Choice(SORTS, error_messages=ONCE, load_default="relevance", metadata={"description": "Order of the hits."})
