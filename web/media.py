"""The media route: image derivatives, each request checked against current consent."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

from flask import Blueprint, Response, current_app, url_for

from archive.services.application import ExhibitionArchive

bp = Blueprint("media", __name__)

#: No cache may keep an image: consent can change at any moment, and a visitor's device may be
#: shared. (This is stricter than the 5-minute bound a shared cache would need.)
CACHE_CONTROL = "private, no-store"
#: A rendition's name or format that needs no quoting in a URL path.
PLAIN_PART = re.compile(r"[a-z0-9_-]+")
_ITEM, _IMAGE = UUID(int=1), UUID(int=2)


def derivative_urls() -> Callable[[UUID | str, str, str, str], str]:
    """``url(item_id, image_id, name, fmt)``: the URL ``url_for`` gives a rendition, with the
    route built once for a page of many images (``url_for`` costs tens of µs a call, about a
    tenth of an exhibition page). A part that would need quoting goes through ``url_for``."""
    suffix = f"{_ITEM}/{_IMAGE}/name.fmt"
    pattern = url_for("media.derivative", item_id=_ITEM, image_id=_IMAGE, name="name", fmt="fmt")
    prefix = pattern[: -len(suffix)] if pattern.endswith(suffix) else None

    def url(item_id: UUID | str, image_id: str, name: str, fmt: str) -> str:
        if prefix is None or not (PLAIN_PART.fullmatch(name) and PLAIN_PART.fullmatch(fmt)):
            return url_for("media.derivative", item_id=item_id, image_id=image_id, name=name, fmt=fmt)
        return f"{prefix}{item_id}/{image_id}/{name}.{fmt}"

    return url


@bp.get("/media/<uuid:item_id>/<uuid:image_id>/<name>.<fmt>")
def derivative(item_id: UUID, image_id: UUID, name: str, fmt: str) -> Response:
    """A thumbnail, display or large rendition (WebP or JPEG) of a visible item's image."""
    archive: ExhibitionArchive = current_app.extensions["archive"]
    image = archive.item_images.image_for_visitor(item_id, image_id, name, fmt)
    response = Response(image.data, mimetype=image.content_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
