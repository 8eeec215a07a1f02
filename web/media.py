"""The media route: image derivatives, each request checked against current consent."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, Response, current_app

from archive.application import ExhibitionArchive

bp = Blueprint("media", __name__)

#: No cache may keep an image: consent can change at any moment, and a visitor's device may be
#: shared. (This is stricter than the 5-minute bound a shared cache would need.)
CACHE_CONTROL = "private, no-store"


@bp.get("/media/<uuid:item_id>/<uuid:image_id>/<name>.<fmt>")
def derivative(item_id: UUID, image_id: UUID, name: str, fmt: str) -> Response:
    """A thumbnail, display or large rendition (WebP or JPEG) of a visible item's image."""
    archive: ExhibitionArchive = current_app.extensions["archive"]
    image = archive.image_for_visitor(item_id, image_id, name, fmt)
    response = Response(image.data, mimetype=image.content_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
