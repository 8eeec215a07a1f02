"""The marshmallow schemas of answers: what a read returns, field by field, and nothing more.

Public answers are dumped from the visitor projection's values (``archive.gate.visibility`` and
``archive.search.queries``: what the consent gate let through), never from an aggregate.
Fields are picked one by one (never a whole details mapping) so that a field added to an item
later is not published by accident. Each schema is a component of the OpenAPI document, named
without ``Schema``; answers, like bodies, allow no field the document does not name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from uuid import UUID

from flask import url_for
from marshmallow import Schema, fields, post_dump

from archive.search import FACETS, KINDS
from archive.gate.visibility import Rendition, VisibleImage
from domain.languages import SUPPORTED_LANGUAGES
from domain.text import MAX_TEXT
from web.api.fields import Id
from web.search_notices import notice_text

_URL = {"type": "string", "format": "uri-reference"}
DATE_OR_NULL = {"description": "A calendar date, YYYY-MM-DD, or null."}
TEXTS = {
    "type": "object",
    "properties": {code: {"type": "string", "maxLength": MAX_TEXT} for code in SUPPORTED_LANGUAGES},
    "additionalProperties": False,
}
_SNIPPETS = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "Field name to an HTML fragment: text escaped, matches in <mark>.",
}


def item_url(item_id: UUID | str) -> str:
    return url_for("api.get_item", item_id=str(item_id))


def exhibition_url(slug: str) -> str:
    return url_for("api.get_exhibition", slug=slug)


def shown_strings(value: Any) -> dict[str, str]:
    """Of a mapping, the keys whose values are text; ``{}`` for anything else."""
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, Mapping) else {}


class ShownTexts(fields.Field):
    """Text per language as shown: only the languages that hold text; ``{}`` when there is none."""

    def __init__(self, *, description: str = "", document: dict[str, Any] = TEXTS, **kwargs: Any) -> None:
        metadata = {**document, **({"description": description} if description else {})}
        super().__init__(required=True, dump_default=dict, metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> dict[str, str]:
        return shown_strings(value)


def _snippets() -> ShownTexts:
    """HTML snippets by field name."""
    return ShownTexts(document=_SNIPPETS)


class Computed(fields.Function):
    """A value computed from the whole value being dumped, documented by ``schema``."""

    def __init__(self, compute: Callable[[Any], Any], schema: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(compute, required=True, metadata=schema, **kwargs)


class Itself(fields.Nested):
    """The value being dumped, dumped again by another schema (a work is its item)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class Within(fields.Nested):
    """Nested values, each dumped with the value that holds it (an image's URLs need its item)."""

    def __init__(self, schema: Any, pair: Callable[[Any, Any], Any], **kwargs: Any) -> None:
        self.pair = pair
        super().__init__(schema, many=True, required=True, **kwargs)

    def _serialize(self, nested_obj: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize([self.pair(obj, value) for value in nested_obj or ()], attr, obj, **kwargs)


# -- items ------------------------------------------------------------------------------------


class _ImageOf(NamedTuple):
    item_id: UUID
    image: VisibleImage


class _RenditionOf(NamedTuple):
    item_id: UUID
    image_id: str
    rendition: Rendition


class RenditionSchema(Schema):
    """One stored size and format of an image, served under ``url``."""

    name = fields.String(required=True, attribute="rendition.name", metadata={"enum": ["thumb", "display", "large"]})
    format = fields.String(required=True, attribute="rendition.format", metadata={"enum": ["webp", "jpeg"]})
    width = fields.Integer(required=True, attribute="rendition.width")
    height = fields.Integer(required=True, attribute="rendition.height")
    url = Computed(
        lambda of: url_for(
            "media.derivative", item_id=of.item_id, image_id=UUID(str(of.image_id)),
            name=of.rendition.name, fmt=of.rendition.format,
        ),
        _URL,
    )


def _renditions(of: _ImageOf, rendition: Rendition) -> _RenditionOf:
    return _RenditionOf(of.item_id, of.image.image_id, rendition)


class ImageSchema(Schema):
    """An image of a visible item, with its alt text and caption."""

    id = Id(required=True, attribute="image.image_id")
    alt_text = ShownTexts(attribute="image.alt_text")
    caption = ShownTexts(attribute="image.caption")
    renditions = Within(RenditionSchema, _renditions, attribute="image.derivatives")

    @post_dump(pass_original=True)
    def smallest_first(self, data: dict[str, Any], original: _ImageOf, **kwargs: Any) -> dict[str, Any]:
        data["renditions"].sort(key=lambda r: (r["format"], r["width"]))
        return data


def _images() -> Within:
    return Within(ImageSchema, lambda item, image: _ImageOf(item.id, image), attribute="images")


def _credit() -> fields.String:
    return fields.String(
        required=True, allow_none=True,
        metadata={"description": "As the consent's attribution allows; null means anonymous."},
    )


class ArtworkSchema(Schema):
    """An artwork as a visitor may see it."""

    id = Id(required=True)
    kind = fields.String(required=True, metadata={"enum": ["artwork"]})
    url = Computed(lambda item: item_url(item.id), _URL)
    title = ShownTexts(attribute="details.title")
    credit = _credit()
    year = Computed(
        lambda item: year if isinstance(year := item.details.get("year"), int) else None,
        {"type": ["integer", "null"]},
    )
    medium = ShownTexts(attribute="details.medium")
    dimensions = Computed(lambda item: item.details.get("dimensions") or "", {"type": "string"})
    description = ShownTexts(attribute="details.description")
    series = ShownTexts(attribute="details.series")
    content_note = ShownTexts(attribute="details.content_note")
    images = _images()


class TestimonySchema(Schema):
    """A testimony as a visitor may see it: its content note comes before its text."""

    id = Id(required=True)
    kind = fields.String(required=True, metadata={"enum": ["testimony"]})
    url = Computed(lambda item: item_url(item.id), _URL)
    title = ShownTexts(attribute="details.title")
    credit = _credit()
    language = fields.String(
        required=True, attribute="details.language", dump_default=None, metadata={"enum": list(SUPPORTED_LANGUAGES)}
    )
    content_note = ShownTexts(attribute="details.content_note", description="Show it before the text.")
    text = ShownTexts(attribute="details.text")
    images = _images()


_BY_KIND: dict[str, type[Schema]] = {"artwork": ArtworkSchema, "testimony": TestimonySchema}


class ItemSchema(Schema):
    """An artwork or a testimony, dumped by the schema of its kind (documented as ``oneOf``)."""

    class Meta:
        unknown = "include"  # no fields of its own: the document says oneOf its kinds

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        if many:
            return [self.dump(one) for one in obj]
        return _BY_KIND[obj.kind]().dump(obj)


# -- exhibitions ------------------------------------------------------------------------------


class ExhibitionSummarySchema(Schema):
    """A published exhibition's own fields, as listed."""

    id = Id(required=True)
    slug = fields.String(required=True)
    url = Computed(lambda view: exhibition_url(view.slug), _URL)
    titles = ShownTexts()
    organiser = ShownTexts()
    venue = ShownTexts()
    city = ShownTexts()
    opens_on = fields.Date(required=True, allow_none=True, metadata=DATE_OR_NULL)
    closes_on = fields.Date(required=True, allow_none=True, metadata=DATE_OR_NULL)


class ExhibitionListSchema(Schema):
    """Published exhibitions, the most recent opening first."""

    exhibitions = fields.List(fields.Nested(ExhibitionSummarySchema), required=True)


class WorkSchema(Schema):
    """A work in an exhibition: its wall text, and the item as a visitor may see it."""

    wall_text = ShownTexts()
    item = Itself(ItemSchema, required=True)


class ExhibitionSchema(Schema):
    """A published exhibition with the works consent allows in it, in order, with wall texts."""

    id = Id(required=True)
    slug = fields.String(required=True)
    url = Computed(lambda view: exhibition_url(view.slug), _URL)
    titles = ShownTexts()
    organiser = ShownTexts()
    venue = ShownTexts()
    city = ShownTexts()
    statement = ShownTexts()
    opens_on = fields.Date(required=True, allow_none=True, metadata=DATE_OR_NULL)
    closes_on = fields.Date(required=True, allow_none=True, metadata=DATE_OR_NULL)
    works = fields.List(
        fields.Nested(WorkSchema), required=True, metadata={"description": "In order; only what consent allows."}
    )


# -- search -----------------------------------------------------------------------------------


def _hit_url(hit: Any) -> str:
    return exhibition_url(hit.slug) if hit.kind == "exhibition" and hit.slug else item_url(hit.id)


class SearchHitSchema(Schema):
    """One result a visitor may see; a text behind a content note comes only behind it."""

    id = Id(required=True)
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    url = Computed(_hit_url, _URL)
    title = ShownTexts(attribute="titles")
    credit = fields.String(required=True, allow_none=True)
    slug = fields.String(required=True, allow_none=True, metadata={"description": "For exhibitions."})
    snippets = _snippets()
    content_note = ShownTexts(
        description=(
            "On every testimony, and on an artwork that has a content note (never on an "
            "exhibition): show it before anything in behind_content_note."
        )
    )
    behind_content_note = Computed(
        lambda hit: {"snippets": shown_strings(hit.snippets_behind_note)},
        {
            "type": "object",
            "properties": {"snippets": _SNIPPETS},
            "required": ["snippets"],
            "additionalProperties": False,
            "description": (
                "With content_note: what matched in the item's text. Show it only after the "
                "content note, once the reader has chosen to see it (as the item's page does); "
                "the top-level snippets of such a hit hold its title alone."
            ),
        },
    )

    @post_dump(pass_original=True)
    def only_behind_a_note(self, data: dict[str, Any], hit: Any, **kwargs: Any) -> dict[str, Any]:
        if not hit.text_behind_note:
            del data["content_note"], data["behind_content_note"]
        return data


#: What the document says of a hit beyond its fields: which kinds carry a content note.
SEARCH_HIT_RULES = {
    "required": ["id", "kind", "url", "title", "credit", "slug", "snippets"],
    "dependentRequired": {"content_note": ["behind_content_note"], "behind_content_note": ["content_note"]},
    "allOf": [
        {"if": {"properties": {"kind": {"const": "testimony"}}}, "then": {"required": ["content_note", "behind_content_note"]}},
        {
            "if": {"properties": {"kind": {"const": "exhibition"}}},
            "then": {"not": {"anyOf": [{"required": ["content_note"]}, {"required": ["behind_content_note"]}]}},
        },
    ],
}


class FacetCountSchema(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"minimum": 0})


#: Counts per facet, for the facets this page has.
FacetsSchema: type[Schema] = type(
    "FacetsSchema", (Schema,), {name: fields.List(fields.Nested(FacetCountSchema)) for name in FACETS}
)


class SearchResultsSchema(Schema):
    """A page of results with facet counts."""

    total = fields.Integer(required=True, metadata={"minimum": 0})
    total_exact = fields.Boolean(
        required=True,
        metadata={
            "description": (
                "False while the search index is far behind the archive (a rebuild, a stopped "
                "follower): total is then only how many matches have been checked and may be shown "
                "(there may be more), facets are empty, and pages goes past this page only if a later "
                "page has something to show."
            )
        },
    )
    page = fields.Integer(required=True, metadata={"minimum": 1})
    pages = fields.Integer(required=True, metadata={"minimum": 1})
    page_size = fields.Integer(required=True, metadata={"minimum": 1})
    notice = Computed(lambda found: notice_text(found.notices), {"type": ["string", "null"]})
    hits = fields.List(fields.Nested(SearchHitSchema), required=True)
    facets = fields.Nested(FacetsSchema, required=True)


# -- errors -----------------------------------------------------------------------------------
# Problems are written by ``web.api.problems``; these schemas only document them.


class FieldErrorSchema(Schema):
    """What is wrong with one field of the body, or one query parameter."""

    detail = fields.String(required=True)
    pointer = fields.String(metadata={"description": "JSON Pointer (as a URI fragment) to the field in the body."})
    parameter = fields.String(metadata={"description": "The query parameter."})


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"format": "uri-reference"})
    title = fields.String(required=True)
    status = fields.Integer(required=True, metadata={"minimum": 400, "maximum": 599})
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema))
    changes = fields.List(
        fields.String(),
        metadata={"description": "changed-meanwhile: what happened since the version in If-Match (who, what, when)."},
    )
    contributors_choice = fields.Dict(
        metadata={
            "allOf": [{"$ref": "#/components/schemas/ContributorsChoice"}],
            "description": "widening-needs-confirmation: the consent as the contributor last left it.",
        }
    )
    widening = fields.Dict(
        metadata={"description": "widening-needs-confirmation: what the change would show beyond that, as codes."}
    )


#: What the document says of answers beyond their fields (see ``web.api.contracts``).
DOCUMENT_EXTRAS: dict[type[Schema], dict[str, Any]] = {
    ArtworkSchema: {},
    TestimonySchema: {},
    ItemSchema: {"oneOf": [{"$ref": "#/components/schemas/Artwork"}, {"$ref": "#/components/schemas/Testimony"}]},
    SearchHitSchema: SEARCH_HIT_RULES,
    ProblemSchema: {"description": "RFC 9457 problem details."},
}
