"""Writes for curators, each with a bearer token; every change names the acting curator.

Bodies are checked against the documented schemas first (unknown fields refused), then by
the domain's own rules; the archive's errors become problem details in ``problems``. Reads and
writes of consent and exhibitions carry an ``ETag``; writes of them need ``If-Match`` (see
``versions``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from uuid import UUID


from archive.services.item_images import NewImage
from archive.errors import NotFound as ArchiveNotFound
from archive.media_ports.ports import ImageRejected, MediaStoreUnavailable
from domain.errors import InvalidValue
from domain.exhibitions import Exhibition
from domain.items import artwork_details, image_details
from web.api import archive, bp
from web.api.auth import actor, curator_required
from web.api.contracts import (
    ArtworkCreatedSchema,
    ArtworkUploadSchema,
    ConsentChangesSchema,
    CreatedSchema,
    ExhibitionChangesSchema,
    NewConsentSchema,
    NewContributorSchema,
    NewExhibitionSchema,
    NewTestimonySchema,
    NewWorkSchema,
    WallTextSchema,
    WorkOrderSchema,
)
from web.api.openapi import (
    ARTWORK_UPLOAD_ENCODING,
    CURATORS,
    IF_MATCH,
    ITEM_PARAMETER,
    NOT_FOUND,
    SLUG_PARAMETER,
    UNAUTHORIZED,
    UPLOAD_ERRORS,
    VERSIONED_NO_BODY_WRITE_ERRORS,
    VERSIONED_WRITE_ERRORS,
    WRITE_ERRORS,
    answer_headers,
)
from web.api.problems import Problem
from web.api.answers import exhibition_url, item_url
from web.api.curator_answers import ConsentNow, ConsentReceiptSchema, CuratorExhibitionSchema, ItemConsentSchema
from web.api.fields import parse_uuid
from web.api.versions import etag, if_match
from web.body_limits import accepts_uploads



def _contributor(value: str | UUID, pointer: str) -> UUID:
    """The id of a registered contributor, or a 422 problem pointing at the field."""
    contributor_id = value if isinstance(value, UUID) else UUID(value)
    try:
        archive().get_contributor(contributor_id)
    except ArchiveNotFound:
        raise Problem(
            "validation-failed",
            "No contributor is registered with this id.",
            errors=[{"pointer": pointer, "detail": "No contributor is registered with this id."}],
        ) from None
    return contributor_id


def _exhibition(slug: str) -> Exhibition:
    return archive().exhibition_by_slug(slug)


def _exhibition_answer(slug: str, status: int = 200) -> tuple[Exhibition, int, dict[str, str]]:
    """The curators' view of the exhibition, its status, and its ETag."""
    exhibition = _exhibition(slug)
    return exhibition, status, {"ETag": etag(exhibition)}


def _path_item_id(text: str) -> UUID:
    parsed = parse_uuid(text)
    if parsed is None:
        raise Problem("not-found", f"{text[:60]!r} is not an item id.")
    return parsed


def _consent_answer(item_id: UUID, status: int = 200) -> tuple[ConsentNow, int, dict[str, str]]:
    """The item's consent as curators see it, its status, and its ETag."""
    item = archive().get_item(item_id)
    return ConsentNow(item, archive().today()), status, {"ETag": etag(item)}


# Versioned writes find their record (404) and read If-Match (428/412) in a decorator outside
# ``@bp.arguments``, so that both come before the body is read (415/413/400/422).


def _item_version(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the path's item as a UUID, and the version If-Match names."""

    @functools.wraps(view)
    def wrapper(*args: Any, item_id: str, **kwargs: Any) -> Any:
        parsed = _path_item_id(item_id)
        archive().get_item(parsed)  # an unknown item is a 404 before anything else
        return view(*args, item_id=parsed, version=if_match(parsed), **kwargs)

    return wrapper


def _exhibition_version(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the path's exhibition's id, and the version If-Match names."""

    @functools.wraps(view)
    def wrapper(*args: Any, slug: str, **kwargs: Any) -> Any:
        exhibition_id = archive().exhibition_id_for_slug(slug)
        return view(*args, slug=slug, exhibition_id=exhibition_id, version=if_match(exhibition_id), **kwargs)

    return wrapper


def _placed_work_version(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the exhibition's id, the placed item's id and the version If-Match names."""

    @functools.wraps(view)
    def wrapper(*args: Any, slug: str, item_id: str, **kwargs: Any) -> Any:
        exhibition = _exhibition(slug)
        version = if_match(exhibition.id)
        parsed = parse_uuid(item_id)
        if parsed is None or (parsed not in exhibition.item_ids and version == exhibition.version):
            raise Problem("not-found", "That item is not in this exhibition.")
        return view(*args, slug=slug, exhibition_id=exhibition.id, item_id=parsed, version=version, **kwargs)

    return wrapper


# -- contributors, items, consent ------------------------------------------------------------


@bp.post("/contributors")
@bp.doc(operationId="registerContributor", tags=["curators"], security=CURATORS, responses=WRITE_ERRORS)
@bp.response(201, CreatedSchema, description="Registered.")
@curator_required
@bp.arguments(NewContributorSchema)
def register_contributor(body: dict[str, Any]) -> dict[str, Any]:
    """Register a contributor (personal data encrypted under their own key)."""
    contributor_id = archive().contributors.register_contributor(
        name=body["name"], pseudonym=body.get("pseudonym"), contact=body.get("contact"), actor=actor()
    )
    return {"id": contributor_id}


@bp.get("/items/<item_id>/consent")
@bp.doc(
    operationId="getConsent", tags=["curators"], security=CURATORS, parameters=[ITEM_PARAMETER],
    responses={"401": UNAUTHORIZED, "404": NOT_FOUND},
)
@bp.response(200, ItemConsentSchema, description="The item's consent.", headers=answer_headers(etag=True))
@curator_required
def get_consent(item_id: str) -> tuple[ConsentNow, int, dict[str, str]]:
    """An item's consent as curators see it, with the contributor's own latest choice and request.

    Its ETag is the If-Match of consent writes.
    """
    return _consent_answer(_path_item_id(item_id))


@bp.post("/items/<item_id>/consent")
@bp.doc(
    operationId="recordConsent", tags=["curators"], security=CURATORS, parameters=[ITEM_PARAMETER, IF_MATCH],
    responses={"404": NOT_FOUND, **VERSIONED_WRITE_ERRORS},
)
@bp.response(201, ConsentReceiptSchema, description="Recorded.", headers=answer_headers(etag=True))
@curator_required
@_item_version
@bp.arguments(NewConsentSchema)
def record_consent(body: dict[str, Any], item_id: UUID, version: int) -> tuple[dict[str, Any], dict[str, str]]:
    """Record an item's consent; the receipt shows a newly issued consent code once."""
    receipt = archive().consent.record_consent(
        item_id,
        actor=actor(),
        scopes=body["scopes"],
        attribution=body["attribution"],
        text_version=body["text_version"],
        expires_on=body.get("expires_on"),
        based_on=version,
    )
    notice = (
        "Hand this consent code to the contributor now: it is shown only this once and cannot be recovered."
        if receipt.code
        else "The contributor's existing consent code covers this item too."
    )
    answer = {
        "item_id": receipt.item_id,
        "contributor_id": receipt.contributor_id,
        "recorded_at": receipt.recorded_at,
        "consent_code": receipt.code,
        "notice": notice,
    }
    return answer, {"ETag": etag(archive().get_item(item_id))}


@bp.put("/items/<item_id>/consent")
@bp.doc(
    operationId="changeConsent", tags=["curators"], security=CURATORS, parameters=[ITEM_PARAMETER, IF_MATCH],
    responses={"404": NOT_FOUND, **VERSIONED_WRITE_ERRORS},
)
@bp.response(200, ItemConsentSchema, description="Changed.", headers=answer_headers(etag=True))
@curator_required
@_item_version
@bp.arguments(ConsentChangesSchema)
def change_consent(body: dict[str, Any], item_id: UUID, version: int) -> tuple[ConsentNow, int, dict[str, str]]:
    """Replace an item's consent; never past the contributor's own choice without their confirmation.

    Showing more than the contributor's own latest choice needs ``contributor_asked: true``,
    sent only after the contributor confirmed it.
    """
    archive().consent.update_consent(
        item_id,
        actor=actor(),
        scopes=body["scopes"],
        attribution=body["attribution"],
        text_version=body["text_version"],
        expires_on=body.get("expires_on"),
        based_on=version,
        contributor_asked=body.get("contributor_asked", False),
    )
    return _consent_answer(item_id)


@bp.post("/testimonies")
@bp.doc(operationId="recordTestimony", tags=["curators"], security=CURATORS, responses=WRITE_ERRORS)
@bp.response(201, CreatedSchema, description="Recorded.", headers=answer_headers(location=True, etag=True))
@curator_required
@bp.arguments(NewTestimonySchema)
def record_testimony(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Record a testimony; nothing is shown before consent."""
    contributor_id = _contributor(body["contributor_id"], "#/contributor_id")
    item_id = archive().cataloguing.record_testimony(
        contributor_id=contributor_id,
        actor=actor(),
        text=body["text"],
        language=body["language"],
        content_note=body["content_note"],
        title=body.get("title"),
    )
    return {"id": item_id}, {"Location": item_url(item_id), "ETag": etag(archive().get_item(item_id))}


@bp.post("/artworks")
@accepts_uploads
@bp.doc(
    operationId="recordArtwork", tags=["curators"], security=CURATORS, responses=UPLOAD_ERRORS,
    requestBody={"content": {"multipart/form-data": {"encoding": ARTWORK_UPLOAD_ENCODING}}},
)
@bp.response(201, ArtworkCreatedSchema, description="Recorded.", headers=answer_headers(location=True, etag=True))
@curator_required
@bp.arguments(ArtworkUploadSchema, location="multipart")
def record_artwork(upload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Record an artwork with its images and their alt texts (multipart).

    A ``metadata`` JSON part, and ``image`` file parts each paired, in order, with an
    ``alt_text`` JSON part. Everything is checked before anything is recorded.
    """
    metadata, images, alt_texts = upload["metadata"], upload["image"], upload["alt_text"]
    # The domain's own rules, before anything is recorded.
    fields = {k: v for k, v in metadata.items() if k != "contributor_id"}
    artwork_details(**fields)
    for n, alt_text in enumerate(alt_texts):
        try:
            image_details(alt_text=alt_text)
        except InvalidValue as error:
            raise Problem("validation-failed", str(error), errors=[{"pointer": f"#/alt_text/{n}", "detail": str(error)}]) from None
    contributor_id = _contributor(metadata["contributor_id"], "#/metadata/contributor_id")
    datas = [image.read() for image in images]
    app = archive()
    if app.images is None or app.media is None:
        raise Problem("media-unavailable", "This archive has no media storage; images cannot be stored.")
    try:
        item_id, image_ids = app.item_images.record_artwork_with_images(
            contributor_id=contributor_id,
            actor=actor(),
            images=[NewImage(data, alt_text) for data, alt_text in zip(datas, alt_texts)],
            **fields,
        )
    except ImageRejected as error:
        errors = _image_errors(datas)
        raise Problem("image-rejected", str(error), errors=errors or None) from None
    except MediaStoreUnavailable:
        raise Problem(
            "media-unavailable",
            "The media storage cannot be reached; nothing was recorded. Try again later.",
            headers={"Retry-After": "60"},
        ) from None
    created = {"id": item_id, "image_ids": image_ids}
    return created, {"Location": item_url(item_id), "ETag": etag(app.get_item(item_id))}


def _image_errors(datas: list[bytes]) -> list[dict[str, str]]:
    """Which of the uploads are refused, and why (to point at each one in the problem)."""
    pipeline = archive().images
    errors = []
    for n, data in enumerate(datas):
        try:
            pipeline.ingest(data)  # type: ignore[union-attr]
        except ImageRejected as error:
            errors.append({"pointer": f"#/image/{n}", "detail": str(error)})
    return errors


# -- exhibitions ------------------------------------------------------------------------------


@bp.post("/exhibitions")
@bp.doc(operationId="createExhibition", tags=["curators"], security=CURATORS, responses=WRITE_ERRORS)
@bp.response(201, CuratorExhibitionSchema, description="Created.", headers=answer_headers(location=True, etag=True))
@curator_required
@bp.arguments(NewExhibitionSchema)
def create_exhibition(body: dict[str, Any]) -> tuple[Exhibition, int, dict[str, str]]:
    """Create an unpublished exhibition."""
    details = {k: v for k, v in body.items() if k != "slug"}
    archive().curation.create_exhibition(slug=body["slug"], actor=actor(), **details)
    exhibition, status, headers = _exhibition_answer(body["slug"], 201)
    return exhibition, status, {"Location": exhibition_url(body["slug"]), **headers}


@bp.get("/exhibitions/<slug>/curation")
@bp.doc(
    operationId="getCuratedExhibition", tags=["curators"], security=CURATORS, parameters=[SLUG_PARAMETER],
    responses={"401": UNAUTHORIZED, "404": NOT_FOUND},
)
@bp.response(200, CuratorExhibitionSchema, description="The exhibition.", headers=answer_headers(etag=True))
@curator_required
def get_curated_exhibition(slug: str) -> tuple[Exhibition, int, dict[str, str]]:
    """The curators' view of an exhibition, published or not, with its ETag."""
    return _exhibition_answer(slug)


def _exhibition_write(operation_id: str, status: int, description: str, *, work: bool = False, body: bool = True) -> Any:
    """The declaration shared by versioned exhibition writes: If-Match, their refusals, the answer."""
    refusals = VERSIONED_WRITE_ERRORS if body else VERSIONED_NO_BODY_WRITE_ERRORS
    parameters = [SLUG_PARAMETER, ITEM_PARAMETER, IF_MATCH] if work else [SLUG_PARAMETER, IF_MATCH]

    def declare(view: Any) -> Any:
        view = bp.response(status, CuratorExhibitionSchema, description=description, headers=answer_headers(etag=True))(view)
        return bp.doc(
            operationId=operation_id, tags=["curators"], security=CURATORS, parameters=parameters,
            responses={"404": NOT_FOUND, **refusals},
        )(view)

    return declare


@bp.patch("/exhibitions/<slug>")
@_exhibition_write("reviseExhibition", 200, "Changed.")
@curator_required
@_exhibition_version
@bp.arguments(ExhibitionChangesSchema)
def revise_exhibition(body: dict[str, Any], slug: str, exhibition_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Change an exhibition's descriptive fields or dates."""
    archive().curation.revise_exhibition(exhibition_id, actor=actor(), based_on=version, **body)
    return _exhibition_answer(slug)


@bp.post("/exhibitions/<slug>/works")
@_exhibition_write("addWork", 201, "Added.")
@curator_required
@_exhibition_version
@bp.arguments(NewWorkSchema)
def add_work(body: dict[str, Any], slug: str, exhibition_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Hang an item in an exhibition with its wall text, at a position (default: the end)."""
    item_id = body["item_id"]
    try:
        archive().get_item(item_id)
    except ArchiveNotFound:
        detail = "No artwork or testimony has this id."
        raise Problem("validation-failed", detail, errors=[{"pointer": "#/item_id", "detail": detail}]) from None
    archive().curation.add_to_exhibition(
        exhibition_id, item_id, actor=actor(), wall_text=body.get("wall_text"), position=body.get("position"),
        based_on=version,
    )
    return _exhibition_answer(slug, 201)


@bp.patch("/exhibitions/<slug>/works/<item_id>")
@_exhibition_write("reviseWallText", 200, "Changed.", work=True)
@curator_required
@_placed_work_version
@bp.arguments(WallTextSchema)
def revise_wall_text(body: dict[str, Any], slug: str, exhibition_id: UUID, item_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Replace the wall text beside a work ({} removes it)."""
    archive().curation.revise_wall_text(exhibition_id, item_id, actor=actor(), wall_text=body["wall_text"], based_on=version)
    return _exhibition_answer(slug)


@bp.delete("/exhibitions/<slug>/works/<item_id>")
@_exhibition_write("removeWork", 200, "Removed.", work=True, body=False)
@curator_required
@_placed_work_version
def remove_work(slug: str, exhibition_id: UUID, item_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Take a work out of an exhibition (the item itself stays in the archive)."""
    archive().curation.remove_from_exhibition(exhibition_id, item_id, actor=actor(), based_on=version)
    return _exhibition_answer(slug)


@bp.put("/exhibitions/<slug>/order")
@_exhibition_write("reorderWorks", 200, "Reordered.")
@curator_required
@_exhibition_version
@bp.arguments(WorkOrderSchema)
def reorder_works(body: dict[str, Any], slug: str, exhibition_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Put the works in a new order, listing each of them exactly once."""
    archive().curation.reorder_exhibition(exhibition_id, body["item_ids"], actor=actor(), based_on=version)
    return _exhibition_answer(slug)


@bp.post("/exhibitions/<slug>/publish")
@_exhibition_write("publishExhibition", 200, "Published.", body=False)
@curator_required
@_exhibition_version
def publish_exhibition(slug: str, exhibition_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Publish an exhibition: visitors see it, with the works their contributors allow."""
    archive().curation.publish_exhibition(exhibition_id, actor=actor(), based_on=version)
    return _exhibition_answer(slug)


@bp.post("/exhibitions/<slug>/unpublish")
@_exhibition_write("unpublishExhibition", 200, "Unpublished.", body=False)
@curator_required
@_exhibition_version
def unpublish_exhibition(slug: str, exhibition_id: UUID, version: int) -> tuple[Exhibition, int, dict[str, str]]:
    """Take an exhibition offline; visitors get the same 404 as for one that never existed."""
    archive().curation.unpublish_exhibition(exhibition_id, actor=actor(), based_on=version)
    return _exhibition_answer(slug)
