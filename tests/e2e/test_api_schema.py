"""The OpenAPI document: valid OpenAPI 3.1, the same operations as the app's routes, and true
to the app's answers (checked with schemathesis against the WSGI app).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import uuid4

import jsonschema
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from archive.config import Settings
from archive.search.follower import SearchFollower
from web.bootstrap import open_search_index
from media_store import PillowImagePipeline, make_sample_photo
from tests.conftest import CURATOR
from web import create_app
from web.api.unknown import CATCH_ALL_ENDPOINTS
from tests.fakes import InMemoryMediaStore, in_memory_archive

ONLINE = ["exhibit", "publish_online"]
READ_CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def build_app(folder: Path) -> tuple[Flask, dict[str, Any]]:
    """An app on in-memory storage with a published exhibition, a visible artwork with an image,
    a testimony, an artwork with a content note, and a curator's token."""
    archive = in_memory_archive(
        media=InMemoryMediaStore(),
        images=PillowImagePipeline(),
    )
    index = open_search_index(Settings(data_dir=folder), writable=True)
    person = archive.contributors.register_contributor(name="Aruzhan", pseudonym="A.", actor=CURATOR)
    artwork = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Window", "ru": "Окно"}, year=2024)
    archive.item_images.upload_image(artwork, make_sample_photo(1, size=(320, 240)), actor=CURATOR, alt_text={"en": "A window"})
    archive.consent.record_consent(artwork, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    testimony = archive.cataloguing.record_testimony(
        contributor_id=person, actor=CURATOR, text={"ru": "Тишина"}, language="ru", content_note={"en": "Note"}
    )
    archive.consent.record_consent(testimony, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
    quilt = archive.cataloguing.record_artwork(
        contributor_id=person, actor=CURATOR, title={"en": "Quilt"}, description={"en": "Embroidered after the beatings"},
        content_note={"en": "Depicts violence"},
    )
    archive.consent.record_consent(quilt, actor=CURATOR, scopes=ONLINE, attribution="anonymous", text_version="v1")
    exhibition = archive.curation.create_exhibition(slug="silent-room", actor=CURATOR, titles={"en": "Silent Room"})
    for item in (artwork, testimony):
        archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text={"en": "Wall"})
    archive.curation.publish_exhibition(exhibition, actor=CURATOR)
    SearchFollower(archive, index).catch_up()
    archive.access.create_curator(username="aigerim", password="a long enough password", actor=CURATOR)
    token = archive.access.issue_api_token("aigerim", actor=CURATOR)
    archive.access.curator_for_token(token)  # today's first use is an event: tests count events after it
    app = create_app({"TESTING": True, "ARCHIVE": archive, "SEARCH": index, "SECRET_KEY": "test"})
    return app, {"artwork": artwork, "testimony": testimony, "token": token, "close": (index.close, archive.close)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    app, facts = build_app(tmp_path_factory.mktemp("api-schema"))
    yield app, facts
    for close in facts["close"]:
        close()


@pytest.fixture(scope="module")
def api_schema(world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world[0])


@pytest.fixture(scope="module")
def write_world(tmp_path_factory: pytest.TempPathFactory):
    """A separate archive for fuzzing writes, so that they cannot disturb the reads."""
    app, facts = build_app(tmp_path_factory.mktemp("api-schema-writes"))
    yield app, facts
    for close in facts["close"]:
        close()


@pytest.fixture(scope="module")
def write_schema(write_world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", write_world[0])


@pytest.fixture
def token(write_world) -> str:
    return write_world[1]["token"]


def test_the_document_is_valid_openapi_3_1(world):
    document = world[0].test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    try:
        from openapi_spec_validator import OpenAPIV31SpecValidator, validate
    except ImportError:  # pragma: no cover - schemathesis' loader validates as well
        schemathesis.openapi.from_dict(document).validate()
    else:
        validate(document, cls=OpenAPIV31SpecValidator)


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def test_the_document_lists_exactly_the_routes_under_api_v1(world):
    app = world[0]
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in CATCH_ALL_ENDPOINTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == _documented(document)


def test_request_bodies_refuse_unknown_fields_and_writes_need_a_token(world):
    document = world[0].test_client().get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for_curators = method != "get" or operation["tags"] == ["curators"]
            assert (operation.get("security") == [{"bearerAuth": []}]) is for_curators, (method, path)
            if for_curators:
                assert "401" in operation["responses"]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = content["schema"]
                body = schemas[body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
                assert body["additionalProperties"] is False, (method, path)
            for status, response in operation["responses"].items():
                if status >= "400":
                    assert list(response["content"]) == ["application/problem+json"]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearerAuth"]["description"]
    }


VERSIONED_WRITES = {
    ("/api/v1/items/{item_id}/consent", "post"), ("/api/v1/items/{item_id}/consent", "put"),
    ("/api/v1/exhibitions/{slug}", "patch"), ("/api/v1/exhibitions/{slug}/works", "post"),
    ("/api/v1/exhibitions/{slug}/works/{item_id}", "patch"), ("/api/v1/exhibitions/{slug}/works/{item_id}", "delete"),
    ("/api/v1/exhibitions/{slug}/order", "put"), ("/api/v1/exhibitions/{slug}/publish", "post"),
    ("/api/v1/exhibitions/{slug}/unpublish", "post"),
}


def test_consent_and_exhibition_writes_document_if_match_and_their_refusals(world):
    document = world[0].test_client().get("/api/v1/openapi.json").get_json()
    for path, method in VERSIONED_WRITES:
        operation = document["paths"][path][method]
        if_match = [p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "If-Match"]
        assert if_match and if_match[0]["required"] is True, (method, path)
        assert {"409", "412", "428"} <= set(operation["responses"]), (method, path)
        ok = next(status for status in operation["responses"] if status.startswith("2"))
        assert "ETag" in operation["responses"][ok]["headers"], (method, path)
    for path in ("/api/v1/items/{item_id}/consent", "/api/v1/exhibitions/{slug}/curation"):
        assert "ETag" in document["paths"][path]["get"]["responses"]["200"]["headers"]
    described = document["info"]["description"]
    for kind in ("changed-meanwhile", "widening-needs-confirmation", "precondition-failed", "precondition-required"):
        assert f"problems/{kind}`" in described


def test_real_answers_conform_to_the_document(world, api_schema):
    """Explicit cases that reach the 200 answers (random ids rarely do)."""
    _, facts = world
    cases = [
        api_schema["/api/v1/exhibitions"]["GET"].Case(),
        api_schema["/api/v1/exhibitions/{slug}"]["GET"].Case(path_parameters={"slug": "silent-room"}),
        api_schema["/api/v1/exhibitions/{slug}"]["GET"].Case(path_parameters={"slug": "no-such-room"}),
        api_schema["/api/v1/items/{item_id}"]["GET"].Case(path_parameters={"item_id": str(facts["artwork"])}),
        api_schema["/api/v1/items/{item_id}"]["GET"].Case(path_parameters={"item_id": str(facts["testimony"])}),
        api_schema["/api/v1/search"]["GET"].Case(query={"q": "window"}),
        api_schema["/api/v1/search"]["GET"].Case(query={"q": "тишина"}),  # a testimony's text behind its note
        api_schema["/api/v1/search"]["GET"].Case(query={"q": "embroidered"}),  # an artwork's, behind its note
        api_schema["/api/v1/search"]["GET"].Case(query={"kind": ["exhibition", "testimony"], "sort": "date"}),
        api_schema["/api/v1/search"]["GET"].Case(query={"page": "0"}),
        api_schema["/api/v1/openapi.json"]["GET"].Case(),
    ]
    statuses = []
    for case in cases:
        response = case.call_and_validate(checks=READ_CHECKS)
        statuses.append(response.status_code)
    assert statuses == [200, 200, 404, 200, 200, 200, 200, 200, 200, 422, 200]
    artwork = cases[3].call().json()
    assert artwork["images"][0]["renditions"] and artwork["images"][0]["alt_text"] == {"en": "A window"}
    [window] = cases[5].call().json()["hits"]
    assert window["id"] == str(facts["artwork"]) and "content_note" not in window  # no note: as before
    [testimony] = cases[6].call().json()["hits"]
    assert testimony["behind_content_note"]["snippets"] and testimony["content_note"] == {"en": "Note"}
    [quilt] = cases[7].call().json()["hits"]
    assert quilt["behind_content_note"]["snippets"] and quilt["content_note"] == {"en": "Depicts violence"}


def test_a_search_hit_carries_a_content_note_with_what_is_behind_it_or_neither(world):
    """Every testimony hit has both; an artwork hit both or neither; an exhibition hit neither."""
    document = world[0].test_client().get("/api/v1/openapi.json").get_json()
    validator = jsonschema.Draft202012Validator(document["components"]["schemas"]["SearchHit"])
    base = {"id": str(uuid4()), "url": "/x", "title": {}, "credit": None, "slug": None, "snippets": {}}
    note = {"content_note": {"en": "Note"}, "behind_content_note": {"snippets": {}}}
    valid = [{"kind": "testimony", **note}, {"kind": "artwork", **note}, {"kind": "artwork"}, {"kind": "exhibition"}]
    invalid = [
        {"kind": "testimony"},
        {"kind": "exhibition", **note},
        {"kind": "artwork", "content_note": {"en": "Note"}},
        {"kind": "artwork", "behind_content_note": {"snippets": {}}},
    ]
    assert [validator.is_valid({**base, **hit}) for hit in valid + invalid] == [True] * 4 + [False] * 4


def test_curator_reads_and_version_refusals_conform_to_the_document(write_world, write_schema):
    _, facts = write_world
    api_schema = write_schema
    auth = {"Authorization": f"Bearer {facts['token']}"}
    consent = api_schema["/api/v1/items/{item_id}/consent"]["GET"].Case(
        path_parameters={"item_id": str(facts["artwork"])}, headers=auth
    )
    curation = api_schema["/api/v1/exhibitions/{slug}/curation"]["GET"].Case(
        path_parameters={"slug": "silent-room"}, headers=auth
    )
    for case in (consent, curation):
        assert case.call_and_validate(checks=READ_CHECKS).status_code == 200
    tag = consent.call().headers["etag"][0]
    refusals = [
        api_schema["/api/v1/items/{item_id}/consent"]["PUT"].Case(
            path_parameters={"item_id": str(facts["artwork"])}, headers={**auth, "If-Match": tag},
            body={"scopes": ["exhibit"], "attribution": "anonymous", "text_version": "v1"},
        ),
        api_schema["/api/v1/exhibitions/{slug}/publish"]["POST"].Case(
            path_parameters={"slug": "silent-room"}, headers={**auth, "If-Match": tag},
        ),
        api_schema["/api/v1/exhibitions/{slug}/publish"]["POST"].Case(
            path_parameters={"slug": "silent-room"}, headers={**auth, "If-Match": "*"},
        ),
    ]
    statuses = [case.call_and_validate(checks=READ_CHECKS).status_code for case in refusals[1:]]
    assert statuses == [412, 428]
    assert refusals[0].call().status_code == 200  # narrowing needs no confirmation
    stale = refusals[0].call_and_validate(checks=READ_CHECKS)  # the same tag again: now an old version
    assert stale.status_code == 409 and stale.json()["changes"]


reads = schemathesis.pytest.from_fixture("api_schema").include(method="GET")


@reads.parametrize()
@FUZZ
def test_public_reads_never_fail_and_match_the_document(case):
    case.call_and_validate(checks=READ_CHECKS)


writes = schemathesis.pytest.from_fixture("write_schema").exclude(method="GET")


@writes.parametrize()
@settings(FUZZ, max_examples=10)
def test_curator_writes_never_fail_on_the_server(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])


def test_every_operation_documents_its_error_answers(world):
    """Declared once, documented whole: a path parameter can be not found, a body can be
    malformed, too large, of the wrong type or invalid, and query parameters invalid."""
    document = world[0].test_client().get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            if "{" in path:
                assert "404" in statuses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "422" in statuses, (method, path)
            assert any(status.startswith("2") for status in statuses), (method, path)
