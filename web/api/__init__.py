"""The JSON API under /api/v1: public reads through the consent gate, curator writes.

- ``problems``: RFC 9457 problem details and the blueprint's error handlers;
- ``auth``: curator bearer tokens;
- ``declare``: the flask-smorest blueprint on which each endpoint is declared once;
- ``bodies`` and ``fields``: strict JSON and multipart reading, the marshmallow fields of the declarations;
- ``contracts``: the marshmallow schemas of bodies and query parameters;
- ``answers``: the marshmallow schemas of answers, dumped from the visitor projection's values;
- ``curator_answers``: the marshmallow schemas of what curators read (consent, curation);
- ``representations``: JSON written as given (the OpenAPI document);
- ``public``: reads for anyone, every one through the consent gate;
- ``curator``: writes, each with a curator's token;
- ``unknown``: problem answers for any other path under /api/v1;
- ``openapi``: the OpenAPI 3.1 document of all of the above.
"""

from __future__ import annotations

from flask import Flask, Response, current_app

from archive.services.application import ExhibitionArchive
from archive.search import SearchIndex
from web.api.declare import ArchiveApi, Blueprint
from web.api.problems import register_error_handlers

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Answers change with consent, and a visitor's device may be shared: no cache may keep them.
CACHE_CONTROL = "private, no-store"


def archive() -> ExhibitionArchive:
    return current_app.extensions["archive"]


def search_index() -> SearchIndex:
    return current_app.extensions["search"]


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


register_error_handlers(bp)


def init_app(app: Flask) -> None:
    """Register the API's blueprint, and its declarations in its OpenAPI document."""
    from web.api import answers, contracts
    from web.api.openapi import API_VERSION, TITLE

    # Answers are JSON in the order the schemas declare (a content note before the text), UTF-8.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    api = ArchiveApi(app, title=TITLE, version=API_VERSION)
    for schema, extra in {**contracts.DOCUMENT_EXTRAS, **answers.DOCUMENT_EXTRAS}.items():
        name = schema.__name__.removesuffix("Schema")
        api.spec.components.schema(name, schema=schema)
        api.spec.components.schemas[name].update(extra)  # what the fields cannot say wins
    api.register_blueprint(bp)
    app.extensions["archive-api"] = api

from web.api import curator, public, unknown  # noqa: E402,F401  (registers routes on bp)
