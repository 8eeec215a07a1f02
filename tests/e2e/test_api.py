"""The JSON API under /api/v1: consent-gated reads, curator writes with tokens, problem details.

In-memory events, keys and media, the real Pillow pipeline and a real Whoosh index kept up
by the search follower.
"""

from __future__ import annotations

import io
import json
from typing import Any
from uuid import UUID, uuid4

import pytest

from archive.search import queries as search_queries
from archive.errors import ConcurrentChange
from media_store import make_sample_photo
from tests.conftest import CURATOR
from tests.e2e.helpers import ONLINE, ApiWorld

PROBLEM = "application/problem+json"


HIDDEN = ["expired", "roomonly", "unconsented", "withdrawn"]


def problem(response: Any, status: int, kind: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if kind is not None:
        assert body["type"] == f"https://archive.invalid/problems/{kind}"
    assert "Traceback" not in response.get_data(as_text=True)
    return body


# -- public reads ----------------------------------------------------------------------------


def test_the_list_holds_published_exhibitions_only(world, site):
    response = world.client.get("/api/v1/exhibitions")
    assert response.status_code == 200 and response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    [shown] = response.get_json()["exhibitions"]
    assert shown["slug"] == "open-show" and shown["titles"] == {"en": "Open Show"} and shown["opens_on"] == "2024-01-01"
    assert "Hiddenshowword" not in response.get_data(as_text=True)


def test_an_exhibition_shows_only_what_consent_allows_in_order_with_wall_texts(world, site):
    world.archive.curation.reorder_exhibition(
        world.archive.exhibition_id_for_slug("open-show"),
        [site[k] for k in reversed(list(site))],
        actor=CURATOR,
    )
    response = world.client.get("/api/v1/exhibitions/open-show")
    body = response.get_json()
    shown = [work["item"]["id"] for work in body["works"]]
    assert shown == [str(site[k]) for k in ("testimony", "anonymous", "pseudonymous", "shown")]
    assert [w["wall_text"] for w in body["works"]][-1] == {"en": "wall-shown"}
    text = response.get_data(as_text=True)
    for absent in [*HIDDEN, "onlineonly"]:  # online but not allowed in exhibitions
        assert f"{absent}word" not in text and f"wall-{absent}" not in text and str(site[absent]) not in text


def test_an_item_is_credited_as_its_attribution_allows(world, site):
    def credit(key: str) -> Any:
        return world.client.get(f"/api/v1/items/{site[key]}").get_json()["credit"]

    assert credit("shown") == "Named Person"
    assert credit("pseudonymous") == "Pseudo"
    assert credit("anonymous") is None
    world.archive.consent.update_consent(site["shown"], actor=CURATOR, attribution="anonymous")
    assert credit("shown") is None
    assert "Named Person" not in world.client.get("/api/v1/exhibitions/open-show").get_data(as_text=True)


def test_an_item_allowed_online_but_not_in_exhibitions_is_readable_on_its_own(world, site):
    body = world.client.get(f"/api/v1/items/{site['onlineonly']}").get_json()
    assert body["kind"] == "artwork" and body["title"] == {"en": "onlineonlyword title"} and body["year"] == 2024


def test_a_testimony_carries_its_content_note_next_to_its_text(world, site):
    response = world.client.get(f"/api/v1/items/{site['testimony']}")
    body = response.get_json()
    assert body["kind"] == "testimony" and body["language"] == "ru" and body["credit"] is None
    assert body["content_note"] == {"en": "Mentions violence."}
    assert body["text"] == {"ru": "testimonyword свидетельство"}
    text = response.get_data(as_text=True)
    assert text.index('"content_note"') < text.index('"text"')


@pytest.mark.parametrize("key", HIDDEN)
def test_a_hidden_item_answers_exactly_like_an_unknown_id(world, site, key):
    unknown = world.client.get(f"/api/v1/items/{uuid4()}")
    hidden = world.client.get(f"/api/v1/items/{site[key]}")
    garbage = world.client.get("/api/v1/items/not-an-id")
    body = problem(unknown, 404, "not-found")
    for response in (hidden, garbage):
        assert response.status_code == 404
        assert response.get_data() == unknown.get_data()
        assert response.headers["Content-Type"] == unknown.headers["Content-Type"]
        assert response.headers["Cache-Control"] == "private, no-store"
    assert str(site[key]) not in json.dumps(body)


def test_unpublished_and_unknown_exhibitions_answer_the_same_404(world, site):
    unknown = world.client.get("/api/v1/exhibitions/never-was")
    problem(unknown, 404, "not-found")
    assert world.client.get("/api/v1/exhibitions/hidden-show").get_data() == unknown.get_data()
    world.archive.curation.unpublish_exhibition(world.archive.exhibition_id_for_slug("open-show"), actor=CURATOR)
    assert world.client.get("/api/v1/exhibitions/open-show").get_data() == unknown.get_data()
    assert world.client.get("/api/v1/exhibitions").get_json() == {"exhibitions": []}


def test_narrowing_consent_hides_the_item_at_once_everywhere(world, site):
    world.archive.consent.update_consent(site["shown"], actor=CURATOR, scopes=["exhibit"])
    assert world.client.get(f"/api/v1/items/{site['shown']}").status_code == 404
    assert "shownword" not in world.client.get("/api/v1/exhibitions/open-show").get_data(as_text=True)
    assert world.client.get("/api/v1/search?q=shownword").get_json()["hits"] == []


def test_search_finds_public_items_with_html_snippets(world, site):
    response = world.client.get("/api/v1/search?q=shownword")
    body = response.get_json()
    assert response.headers["Cache-Control"] == "private, no-store"
    [hit] = body["hits"]
    assert hit["id"] == str(site["shown"]) and hit["kind"] == "artwork" and hit["credit"] == "Named Person"
    assert hit["url"] == f"/api/v1/items/{site['shown']}"
    assert any("<mark>" in snippet for snippet in hit["snippets"].values())
    assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
    assert set(body["facets"]) == {"kind", "exhibition", "year", "language"}


def test_a_testimony_hit_carries_its_content_note_and_its_text_only_behind_it(world, site):
    [hit] = world.client.get("/api/v1/search?q=свидетельство").get_json()["hits"]
    assert hit["id"] == str(site["testimony"]) and hit["content_note"] == {"en": "Mentions violence."}
    assert hit["snippets"] == {}  # nothing of the text before the note
    assert hit["behind_content_note"]["snippets"] == {"text_ru": "testimonyword <mark>свидетельство</mark>"}
    [artwork] = world.client.get("/api/v1/search?q=shownword").get_json()["hits"]
    assert set(artwork) == {"id", "kind", "url", "title", "credit", "slug", "snippets"}  # unchanged


def test_an_artwork_hit_with_a_content_note_carries_it_and_its_texts_only_behind_it(world):
    archive = world.archive
    person = archive.contributors.register_contributor(name="Named Person", actor=CURATOR)
    quilt = archive.cataloguing.record_artwork(
        contributor_id=person, actor=CURATOR, title={"en": "Quiltword"}, medium={"en": "quiltword thread"},
        description={"en": "Quiltword embroidered after the beatings"}, content_note={"en": "Depicts violence."},
    )
    archive.consent.record_consent(quilt, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    world.follower.catch_up()
    [hit] = world.client.get("/api/v1/search?q=quiltword").get_json()["hits"]
    assert hit["id"] == str(quilt) and hit["content_note"] == {"en": "Depicts violence."}
    assert hit["snippets"] == {"title_en": "<mark>Quiltword</mark>"}  # the title comes before the note
    behind = hit["behind_content_note"]["snippets"]
    assert behind and "beatings" in str(behind) and "beatings" not in str({**hit, "behind_content_note": None})


def test_a_search_for_words_of_a_content_note_finds_the_testimony(world, site):
    [hit] = world.client.get("/api/v1/search?q=violence").get_json()["hits"]
    assert hit["id"] == str(site["testimony"]) and hit["behind_content_note"] == {"snippets": {}}


@pytest.mark.parametrize("key", HIDDEN)
def test_search_never_shows_a_hidden_item_even_from_a_lagging_index(world, site, key):
    for _ in range(2):
        text = world.client.get(f"/api/v1/search?q={key}word").get_data(as_text=True)
        body = json.loads(text)
        assert body["hits"] == [] and body["total"] == 0
        assert all(counts == [] for counts in body["facets"].values())
        assert str(site[key]) not in text
        everything = world.client.get("/api/v1/search?kind=artwork").get_data(as_text=True)
        assert str(site[key]) not in everything
        world.follower.catch_up()


def test_a_search_far_behind_the_log_counts_only_checked_hits_and_gives_no_facets(world, site, monkeypatch):
    monkeypatch.setattr(search_queries, "MAX_LAG", 0)  # the withdrawal since is more than it looks through
    text = world.client.get("/api/v1/search?q=title").get_data(as_text=True)
    body = json.loads(text)
    shown = {site[k] for k in ("shown", "pseudonymous", "anonymous", "onlineonly", "testimony")}
    assert {hit["id"] for hit in body["hits"]} == {str(i) for i in shown}
    assert body["total"] == 5 and body["total_exact"] is True  # every match was checked
    assert all(counts == [] for counts in body["facets"].values())
    assert str(site["withdrawn"]) not in text and "withdrawnword" not in text


def test_an_unpublished_exhibition_leaves_search_facets_and_filters_at_once(world, site):
    assert "open-show" in {f["value"] for f in world.client.get("/api/v1/search?q=title").get_json()["facets"]["exhibition"]}
    world.archive.curation.unpublish_exhibition(world.archive.exhibition_id_for_slug("open-show"), actor=CURATOR)
    body = world.client.get("/api/v1/search?q=title").get_json()
    assert body["total"] == 5 and body["facets"]["exhibition"] == []  # the works are still public on their own
    filtered = world.client.get("/api/v1/search?exhibition=open-show").get_data(as_text=True)
    assert json.loads(filtered)["hits"] == [] and json.loads(filtered)["total"] == 0
    world.follower.catch_up()
    assert world.client.get("/api/v1/search?exhibition=open-show").get_data(as_text=True) == filtered


def test_search_filters_pages_sorts_and_finds_exhibitions(world, site):
    # The index lags a withdrawal of one of its works: until it catches up, the exhibition's
    # entry (indexed through the names its works withheld then) is left out.
    assert world.client.get("/api/v1/search?kind=exhibition").get_json()["hits"] == []
    world.follower.catch_up()
    body = world.client.get("/api/v1/search?kind=exhibition").get_json()
    assert [(h["kind"], h["slug"], h["url"]) for h in body["hits"]] == [
        ("exhibition", "open-show", "/api/v1/exhibitions/open-show")
    ]
    testimonies = world.client.get("/api/v1/search?language=ru&kind=testimony&sort=date&page=1").get_json()
    assert [h["id"] for h in testimonies["hits"]] == [str(site["testimony"])]
    assert world.client.get("/api/v1/search?q=title&page=50").get_json()["hits"] == []


@pytest.mark.parametrize(
    "args, parameter",
    [("page=abc", "page"), ("page=0", "page"), ("kind=bogus", "kind"), ("year=20x4", "year"),
     ("language=xx", "language"), ("sort=random", "sort"), ("q=" + "x" * 1001, "q"), ("q=a&q=b", "q"),
     ("exhibition=Not%20A%20Slug", "exhibition")],
)
def test_a_malformed_search_parameter_is_a_422_naming_it(world, args, parameter):
    body = problem(world.client.get(f"/api/v1/search?{args}"), 422, "validation-failed")
    assert body["errors"][0]["parameter"] == parameter


@pytest.mark.parametrize("q", ['"unbalanced', "AND", "%00%07", "title:", "*", "<script>"])
def test_odd_search_text_never_breaks_the_search(world, site, q):
    response = world.client.get(f"/api/v1/search?q={q}")
    assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)


# -- errors ----------------------------------------------------------------------------------


def test_unknown_paths_and_methods_are_problems(world):
    for path in ("/api/v1/nothing-here", "/api/v1/", "/api/v1/items/x/y/z", "/api/v1/exhibitions/"):
        assert world.client.get(path).get_data() == world.client.get(f"/api/v1/items/{uuid4()}").get_data()
        problem(world.client.get(path), 404, "not-found")
    response = world.client.delete("/api/v1/exhibitions")
    problem(response, 405, "method-not-allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    problem(world.client.put(f"/api/v1/items/{uuid4()}"), 405, "method-not-allowed")
    problem(world.client.open("/api/v1/exhibitions", method="TRACE"), 405, "method-not-allowed")
    problem(world.client.open("/api/v1/nothing", method="OPTIONS"), 404, "not-found")
    options = world.client.open("/api/v1/exhibitions", method="OPTIONS")
    assert options.status_code == 200 and options.headers["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_an_unexpected_failure_is_a_500_problem_without_details(world, monkeypatch):
    def explode(**_: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(world.archive.contributors, "register_contributor", explode)
    response = world.client.post("/api/v1/contributors", json={"name": "X"}, headers=world.auth)
    body = problem(response, 500, "internal-error")
    assert "secret internal detail" not in json.dumps(body)


def test_a_concurrent_change_is_a_409_problem(world, monkeypatch):
    def clash(**_: Any) -> None:
        raise ConcurrentChange("Someone else changed this record at the same time.")

    monkeypatch.setattr(world.archive.contributors, "register_contributor", clash)
    problem(world.client.post("/api/v1/contributors", json={"name": "X"}, headers=world.auth), 409, "concurrent-change")


# -- authentication --------------------------------------------------------------------------


def write_routes(site: dict[str, Any]) -> list[tuple[str, str]]:
    item = site["shown"]
    return [
        ("POST", "/api/v1/contributors"),
        ("POST", f"/api/v1/items/{item}/consent"),
        ("POST", "/api/v1/testimonies"),
        ("POST", "/api/v1/artworks"),
        ("POST", "/api/v1/exhibitions"),
        ("PATCH", "/api/v1/exhibitions/open-show"),
        ("POST", "/api/v1/exhibitions/open-show/works"),
        ("PATCH", f"/api/v1/exhibitions/open-show/works/{item}"),
        ("DELETE", f"/api/v1/exhibitions/open-show/works/{item}"),
        ("PUT", "/api/v1/exhibitions/open-show/order"),
        ("POST", "/api/v1/exhibitions/open-show/publish"),
        ("POST", "/api/v1/exhibitions/open-show/unpublish"),
    ]


@pytest.mark.parametrize(
    "header, error",
    [(None, None), ("Bearer arch_not-a-real-token", "invalid_token"), ("Bearer ", "invalid_request"),
     ("Basic YWlnZXJpbTpwYXNzd29yZA==", "invalid_request"), ("Bearer " + "x" * 5000, "invalid_token")],
)
def test_every_write_needs_a_valid_token(world, site, header, error):
    before = world.events()
    for method, path in write_routes(site):
        headers = {"Authorization": header} if header is not None else {}
        response = world.client.open(path, method=method, json={"name": "X"}, headers=headers)
        body = problem(response, 401, "unauthorized")
        challenge = response.headers["WWW-Authenticate"]
        assert challenge.startswith("Bearer")
        assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)
        assert "Bearer" in body["detail"] or "token" in body["detail"]
    assert world.events() == before


def test_a_revoked_token_is_refused(world, site):
    assert world.client.post("/api/v1/contributors", json={"name": "X"}, headers=world.auth).status_code == 201
    world.archive.access.revoke_api_token(world.token, actor=CURATOR)
    before = world.events()
    for method, path in write_routes(site):
        response = world.client.open(path, method=method, json={"name": "Y"}, headers=world.auth)
        problem(response, 401, "unauthorized")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert world.events() == before


# -- curator writes --------------------------------------------------------------------------


def current_etag(world: ApiWorld, path: str) -> str | None:
    """The ETag of the record a consent or exhibition write at ``path`` changes, read just now."""
    parts = path.split("/")  # ['', 'api', 'v1', 'items' | 'exhibitions', id or slug, ...]
    if parts[3] == "items" and parts[5:] == ["consent"]:
        read = f"/api/v1/items/{parts[4]}/consent"
    elif parts[3] == "exhibitions" and len(parts) > 4:
        read = f"/api/v1/exhibitions/{parts[4]}/curation"
    else:
        return None
    return world.client.get(read, headers=world.auth).headers.get("ETag")


def post(world: ApiWorld, path: str, body: Any, method: str = "POST") -> Any:
    """A curator's write; consent and exhibition writes send If-Match with the ETag read just before."""
    headers = dict(world.auth)
    tag = current_etag(world, path)
    if tag:
        headers["If-Match"] = tag
    return world.client.open(path, method=method, json=body, headers=headers)


def test_a_curator_records_a_testimony_with_consent_and_publishes_it(world):
    contributor = post(world, "/api/v1/contributors", {"name": "Aliya", "pseudonym": "A.", "contact": None})
    assert contributor.status_code == 201
    contributor_id = contributor.get_json()["id"]
    created = post(world, "/api/v1/testimonies", {
        "contributor_id": contributor_id, "text": {"ru": "Тихая комната", "en": "Silent room"}, "language": "ru",
        "content_note": {"en": "Mentions abuse."}, "title": {"en": "Roomtitle"},
    })
    assert created.status_code == 201
    item_id = created.get_json()["id"]
    assert created.headers["Location"] == f"/api/v1/items/{item_id}"
    assert world.client.get(f"/api/v1/items/{item_id}").status_code == 404  # no consent yet

    receipt = post(world, f"/api/v1/items/{item_id}/consent", {
        "scopes": ONLINE, "attribution": "pseudonym", "text_version": "2024-05", "expires_on": "2099-12-31"})
    assert receipt.status_code == 201
    assert receipt.get_json()["consent_code"] and receipt.get_json()["item_id"] == item_id
    assert world.client.get(f"/api/v1/items/{item_id}").get_json()["credit"] == "A."

    exhibition = post(world, "/api/v1/exhibitions", {
        "slug": "silent-room", "titles": {"en": "Silent Room", "ru": "Тихая комната"}, "city": {"en": "Almaty"},
        "opens_on": "2024-05-01", "closes_on": "2024-06-01"})
    assert exhibition.status_code == 201 and exhibition.headers["Location"] == "/api/v1/exhibitions/silent-room"
    assert exhibition.get_json()["published"] is False
    assert world.client.get("/api/v1/exhibitions/silent-room").status_code == 404

    added = post(world, "/api/v1/exhibitions/silent-room/works", {"item_id": item_id, "wall_text": {"en": "Wall"}})
    assert added.status_code == 201 and added.get_json()["works"][0]["item_id"] == item_id
    revised = post(world, "/api/v1/exhibitions/silent-room", {"venue": {"en": "Gallery"}, "closes_on": None}, "PATCH")
    assert revised.status_code == 200 and revised.get_json()["closes_on"] is None
    wall = post(world, f"/api/v1/exhibitions/silent-room/works/{item_id}", {"wall_text": {"en": "New wall"}}, "PATCH")
    assert wall.get_json()["works"][0]["wall_text"] == {"en": "New wall"}
    assert post(world, "/api/v1/exhibitions/silent-room/publish", None).get_json()["published"] is True

    public = world.client.get("/api/v1/exhibitions/silent-room").get_json()
    assert public["venue"] == {"en": "Gallery"} and public["works"][0]["wall_text"] == {"en": "New wall"}
    assert public["works"][0]["item"]["content_note"] == {"en": "Mentions abuse."}
    world.follower.catch_up()
    assert [h["id"] for h in world.client.get("/api/v1/search?q=Roomtitle").get_json()["hits"]] == [item_id]

    assert post(world, "/api/v1/exhibitions/silent-room/unpublish", None).get_json()["published"] is False
    assert world.client.get("/api/v1/exhibitions/silent-room").status_code == 404


def test_works_are_reordered_and_removed(world, site):
    everything = [str(site[k]) for k in site]
    reordered = post(world, "/api/v1/exhibitions/open-show/order", {"item_ids": everything[::-1]}, "PUT")
    assert [w["item_id"] for w in reordered.get_json()["works"]] == everything[::-1]
    problem(post(world, "/api/v1/exhibitions/open-show/order", {"item_ids": everything[:2]}, "PUT"), 422, "invalid-value")
    removed = post(world, f"/api/v1/exhibitions/open-show/works/{site['shown']}", None, "DELETE")
    assert removed.status_code == 200 and str(site["shown"]) not in [w["item_id"] for w in removed.get_json()["works"]]
    problem(post(world, f"/api/v1/exhibitions/open-show/works/{site['shown']}", None, "DELETE"), 404, "not-found")
    assert "shownword" not in world.client.get("/api/v1/exhibitions/open-show").get_data(as_text=True)


def test_rule_and_state_errors_are_problems(world, site):
    problem(post(world, "/api/v1/exhibitions/open-show/publish", None), 422, "rule-violated")
    problem(post(world, "/api/v1/exhibitions", {"slug": "open-show", "titles": {"en": "Again"}}), 422, "invalid-value")
    problem(post(world, "/api/v1/exhibitions/nope/publish", None), 404, "not-found")
    problem(post(world, f"/api/v1/items/{site['withdrawn']}/consent",
                 {"scopes": ONLINE, "attribution": "named", "text_version": "v2"}), 409, "item-withdrawn")
    problem(post(world, f"/api/v1/items/{uuid4()}/consent",
                 {"scopes": ONLINE, "attribution": "named", "text_version": "v2"}), 404, "not-found")
    body = problem(post(world, "/api/v1/exhibitions/open-show/works", {"item_id": str(uuid4())}), 422, "validation-failed")
    assert body["errors"] == [{"pointer": "#/item_id", "detail": "No artwork or testimony has this id."}]
    body = problem(post(world, "/api/v1/testimonies", {
        "contributor_id": str(uuid4()), "text": {"en": "t"}, "language": "en", "content_note": {"en": "n"}}), 422)
    assert body["errors"][0]["pointer"] == "#/contributor_id"
    body = problem(post(world, "/api/v1/testimonies", {
        "contributor_id": str(uuid4()), "text": {"en": "t"}, "language": "ru", "content_note": {}}), 422)
    assert body["errors"] == [{"pointer": "#/content_note", "detail": "Give the text in at least one language (en, ru, kk)."}]


@pytest.mark.parametrize(
    "payload, pointer, words",
    [({"name": "X", "nickname": "Y"}, "#/nickname", "Unknown field 'nickname'. Allowed fields: name, pseudonym, contact."),
     ({}, "#/name", "required"),
     ({"name": 5}, "#/name", "Must be text"),
     ({"name": ""}, "#/name", "Must not be empty")],
)
def test_invalid_contributor_fields_are_named(world, payload, pointer, words):
    body = problem(post(world, "/api/v1/contributors", payload), 422, "validation-failed")
    assert any(e["pointer"] == pointer and words in e["detail"] for e in body["errors"])


@pytest.mark.parametrize("value", ["2030-1-1", "20300101", "2030-02-30", "2030-01-01T00:00:00", "tomorrow", 20300101])
def test_dates_are_parsed_strictly(world, value):
    person = world.archive.contributors.register_contributor(name="P", actor=CURATOR)
    item = world.archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "T"})
    consent = {"scopes": ONLINE, "attribution": "named", "text_version": "v1", "expires_on": value}
    body = problem(post(world, f"/api/v1/items/{item}/consent", consent), 422, "validation-failed")
    assert body["errors"] == [{"pointer": "#/expires_on", "detail": body["errors"][0]["detail"]}]
    assert "YYYY-MM-DD" in body["errors"][0]["detail"] or "text" in body["errors"][0]["detail"]
    problem(post(world, "/api/v1/exhibitions", {"slug": "s", "titles": {"en": "S"}, "opens_on": value}), 422, "validation-failed")


def test_malformed_json_is_a_400_problem(world):
    for text in ('{"name": ', "not json", '{"name": "a", "name": "b"}', '{"name": NaN}', '"\\ud800"', ""):
        response = world.client.post("/api/v1/contributors", data=text, content_type="application/json", headers=world.auth)
        problem(response, 400, "malformed-request")
    problem(world.client.post("/api/v1/contributors", data=b"\xff\xfe", content_type="application/json", headers=world.auth), 400)
    problem(post(world, "/api/v1/contributors", ["a list"]), 422, "validation-failed")


def test_bodies_must_be_json_and_not_too_large(world):
    form = world.client.post("/api/v1/contributors", data={"name": "X"}, headers=world.auth)
    problem(form, 415, "unsupported-media-type")
    before = world.events()
    huge = json.dumps({"name": "x" * (1024 * 1024 + 1)})
    response = world.client.post("/api/v1/contributors", data=huge, content_type="application/json", headers=world.auth)
    problem(response, 413, "payload-too-large")
    assert world.events() == before


# -- artworks: multipart ---------------------------------------------------------------------


def upload(world: ApiWorld, metadata: Any, images: list[bytes], alt_texts: list[Any]) -> Any:
    data: dict[str, Any] = {
        "metadata": metadata if isinstance(metadata, str) else json.dumps(metadata),
        "image": [(io.BytesIO(image), f"photo-{n}.jpg", "image/jpeg") for n, image in enumerate(images)],
        "alt_text": [a if isinstance(a, str) else json.dumps(a) for a in alt_texts],
    }
    return world.client.post("/api/v1/artworks", data=data, headers=world.auth, content_type="multipart/form-data")


@pytest.fixture
def contributor_id(world: ApiWorld) -> str:
    return post(world, "/api/v1/contributors", {"name": "Artist Person"}).get_json()["id"]


def test_an_artwork_upload_is_served_through_media_once_consent_allows(world, contributor_id):
    photo = make_sample_photo(1, size=(800, 600))
    metadata = {"contributor_id": contributor_id, "title": {"en": "Red Shapes"}, "year": 2024,
                "medium": {"en": "Photograph"}, "dimensions": "80 × 60 cm", "series": {"en": "Rooms"}}
    response = upload(world, metadata, [photo], [{"en": "Red shapes on a grey wall", "ru": "Красные фигуры"}])
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    item_id, [image_id] = created["id"], created["image_ids"]
    assert response.headers["Location"] == f"/api/v1/items/{item_id}"
    hidden_url = f"/media/{item_id}/{image_id}/display.webp"
    assert world.client.get(hidden_url).status_code == 404
    assert world.client.get(f"/api/v1/items/{item_id}").status_code == 404

    receipt = post(world, f"/api/v1/items/{item_id}/consent", {"scopes": ONLINE, "attribution": "named", "text_version": "v1"})
    assert receipt.status_code == 201
    item = world.client.get(f"/api/v1/items/{item_id}").get_json()
    assert item["title"] == {"en": "Red Shapes"} and item["credit"] == "Artist Person" and item["dimensions"] == "80 × 60 cm"
    [image] = item["images"]
    assert image["id"] == image_id and image["alt_text"] == {"en": "Red shapes on a grey wall", "ru": "Красные фигуры"}
    urls = {(r["name"], r["format"]): r["url"] for r in image["renditions"]}
    assert urls[("display", "webp")] == hidden_url
    assert all(url.startswith(f"/media/{item_id}/{image_id}/") for url in urls.values())
    served = world.client.get(hidden_url)
    assert served.status_code == 200 and served.content_type == "image/webp" and served.data[:4] == b"RIFF"

    world.archive.consent.withdraw(UUID(item_id), actor=CURATOR)
    assert world.client.get(hidden_url).status_code == 404
    assert world.client.get(f"/api/v1/items/{item_id}").status_code == 404


def test_several_images_pair_with_their_alt_texts_in_order(world, contributor_id):
    photos = [make_sample_photo(n, size=(400, 300)) for n in (1, 2)]
    response = upload(world, {"contributor_id": contributor_id, "title": {"en": "Pair"}}, photos,
                      [{"en": "First"}, {"en": "Second"}])
    created = response.get_json()
    post(world, f"/api/v1/items/{created['id']}/consent", {"scopes": ONLINE, "attribution": "anonymous", "text_version": "v1"})
    images = world.client.get(f"/api/v1/items/{created['id']}").get_json()["images"]
    assert [(i["id"], i["alt_text"]["en"]) for i in images] == list(zip(created["image_ids"], ["First", "Second"]))


@pytest.mark.parametrize(
    "alt_texts, pointer",
    [([], "#/alt_text/0"), ([{}], "#/alt_text/0"), ([{"en": "   "}], "#/alt_text/0"),
     ([{"xx": "text"}], "#/alt_text/0/xx"), ([{"en": "one"}, {"en": "two"}], "#/alt_text/1")],
)
def test_an_image_without_alt_text_is_refused_and_nothing_is_recorded(world, contributor_id, alt_texts, pointer):
    before = world.events()
    response = upload(world, {"contributor_id": contributor_id, "title": {"en": "No alt"}},
                      [make_sample_photo(1, size=(400, 300))], alt_texts)
    body = problem(response, 422, "validation-failed")
    assert any(e["pointer"] == pointer for e in body["errors"])
    assert world.events() == before and world.media.objects == {}


@pytest.mark.parametrize(
    "metadata, images, status, kind",
    [("{not json", [b"x"], 400, "malformed-request"),
     ({"title": {"en": "No contributor"}}, [b"x"], 422, "validation-failed"),
     ({"contributor_id": "CID", "title": {"en": "T"}, "year": "2024"}, [b"x"], 422, "validation-failed"),
     ({"contributor_id": "CID", "title": {"en": "T"}, "extra": 1}, [b"x"], 422, "validation-failed"),
     ({"contributor_id": "CID", "title": {"en": " "}}, [b"x"], 422, "invalid-value"),
     ({"contributor_id": str(uuid4()), "title": {"en": "T"}}, [b"x"], 422, "validation-failed"),
     ({"contributor_id": "CID", "title": {"en": "T"}}, [b"not an image"], 422, "image-rejected"),
     ({"contributor_id": "CID", "title": {"en": "T"}}, [], 422, "validation-failed")],
)
def test_a_bad_artwork_upload_records_nothing(world, contributor_id, metadata, images, status, kind):
    if isinstance(metadata, dict) and metadata.get("contributor_id") == "CID":
        metadata["contributor_id"] = contributor_id
    before = world.events()
    response = upload(world, metadata, images, [{"en": "alt"}] * len(images))
    problem(response, status, kind)
    assert world.events() == before and world.media.objects == {}


@pytest.mark.parametrize(
    "body, content_type",
    [(b'--XYZ\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"a": 1}', "multipart/form-data; boundary=XYZ"),
     (b'--ABC\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{}\r\n--ABC--\r\n', "multipart/form-data; boundary=XYZ"),
     (b"\x00\x01\x02" * 100, "multipart/form-data; boundary=XYZ"),
     (b"anything", "multipart/form-data")],
)
def test_a_malformed_multipart_body_is_a_400_problem(world, body, content_type):
    response = world.client.post("/api/v1/artworks", data=body, headers={**world.auth, "Content-Type": content_type})
    problem(response, 400, "malformed-request")


def test_an_artwork_must_be_multipart_with_known_parts(world, contributor_id):
    problem(post(world, "/api/v1/artworks", {"contributor_id": contributor_id}), 415, "unsupported-media-type")
    response = world.client.post(
        "/api/v1/artworks", headers=world.auth, content_type="multipart/form-data",
        data={"metadata": json.dumps({"contributor_id": contributor_id, "title": {"en": "T"}}), "alt_text": '{"en": "a"}',
              "image": (io.BytesIO(make_sample_photo(1, size=(300, 200))), "a.jpg"), "thumbnail": "x"},
    )
    assert problem(response, 422, "validation-failed")["errors"][0]["pointer"] == "#/thumbnail"


def test_unreachable_media_storage_is_a_503_problem(world, contributor_id):
    before = set(world.media.objects)
    world.media.unavailable = True
    response = upload(world, {"contributor_id": contributor_id, "title": {"en": "T"}},
                      [make_sample_photo(1, size=(300, 200))], [{"en": "alt"}])
    body = problem(response, 503, "media-unavailable")
    assert response.headers["Retry-After"] == "60" and "nothing was recorded" in body["detail"]
    world.media.unavailable = False
    assert world.archive.item_ids() == [] or all(
        world.archive.get_item(i).title != {"en": "T"} for i in world.archive.item_ids()
    )
    assert world.media.objects == {} or not any("items/" in k for k in world.media.objects if k not in before)


# -- consent codes ---------------------------------------------------------------------------


def test_a_consent_code_is_shown_once_in_the_receipt_and_never_in_any_read(world, site, contributor_id):
    first = post(world, "/api/v1/testimonies", {"contributor_id": contributor_id, "text": {"en": "Codeword one"},
                                                "language": "en", "content_note": {"en": "Note"}}).get_json()["id"]
    second = post(world, "/api/v1/testimonies", {"contributor_id": contributor_id, "text": {"en": "Codeword two"},
                                                 "language": "en", "content_note": {"en": "Note"}}).get_json()["id"]
    consent = {"scopes": ONLINE, "attribution": "named", "text_version": "v1"}
    receipt = post(world, f"/api/v1/items/{first}/consent", consent)
    code = receipt.get_json()["consent_code"]
    assert code and receipt.get_data(as_text=True).count(code) == 1
    assert world.archive.self_service.holder_of_code(code).contributor_id == UUID(contributor_id)
    again = post(world, f"/api/v1/items/{second}/consent", consent)
    assert again.get_json()["consent_code"] is None and code not in again.get_data(as_text=True)

    exhibition_id = world.archive.exhibition_id_for_slug("open-show")
    for item in (first, second):
        world.archive.curation.add_to_exhibition(exhibition_id, UUID(item), actor=CURATOR)
    world.follower.catch_up()
    reads = ["/api/v1/exhibitions", "/api/v1/exhibitions/open-show", f"/api/v1/items/{first}",
             f"/api/v1/items/{second}", "/api/v1/search?q=Codeword", f"/api/v1/search?q={code}",
             "/api/v1/search", "/api/v1/openapi.json"]
    for path in reads:
        response = world.client.get(path)
        assert response.status_code == 200, path
        assert code not in response.get_data(as_text=True)
        assert code.replace("-", "") not in response.get_data(as_text=True)
