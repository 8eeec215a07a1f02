"""API writes of consent and exhibitions name the version they were based on (If-Match).

Reads give a strong ETag; a write without If-Match is 428, with another record's tag 412, with
an older version of the record 409 saying what changed since. Consent never widens past the
contributor's own latest choice without ``contributor_asked``.
"""

from __future__ import annotations

import json

from domain.consent import ConsentChange
from tests.e2e.helpers import ONLINE
from tests.e2e.test_api import post, problem

NARROW = ConsentChange("anonymous", ["exhibit"], None)


def _consent(world, item):
    response = world.client.get(f"/api/v1/items/{item}/consent", headers=world.auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _write(world, method, path, body, tag):
    headers = {**world.auth, **({"If-Match": tag} if tag is not None else {})}
    return world.client.open(path, method=method, json=body, headers=headers)


def _contributor(world, item):
    return world.archive.get_item(item).contributor_id


def test_a_stale_consent_write_cannot_undo_the_contributors_narrowing(world, site):
    item = site["shown"]
    read = _consent(world, item)  # the curator's client reads the consent (named, online)
    world.archive.self_service.change_consent_as_contributor(_contributor(world, item), item, NARROW)
    narrowed = world.archive.get_item(item).consent

    response = _write(world, "PUT", f"/api/v1/items/{item}/consent", {
        "scopes": ONLINE, "attribution": "named", "text_version": "v1", "expires_on": "2099-01-01",
    }, read.headers["ETag"])

    body = problem(response, 409, "changed-meanwhile")
    assert any("narrowed by the contributor" in change and "attribution anonymous" in change for change in body["changes"])
    assert "shownword" not in json.dumps(body)  # never the item's content
    assert world.archive.get_item(item).consent == narrowed
    assert world.client.get(f"/api/v1/items/{item}").status_code == 404


def test_consent_and_exhibition_writes_without_a_usable_if_match_change_nothing(world, site):
    item, before = site["shown"], world.events()
    writes = [
        ("POST", f"/api/v1/items/{site['unconsented']}/consent", {"scopes": ONLINE, "attribution": "named", "text_version": "v1"}),
        ("PUT", f"/api/v1/items/{item}/consent", {"scopes": ["exhibit"], "attribution": "anonymous", "text_version": "v1"}),
        ("PATCH", "/api/v1/exhibitions/open-show", {"venue": {"en": "Hall"}}),
        ("POST", "/api/v1/exhibitions/open-show/works", {"item_id": str(site["unconsented"])}),
        ("PATCH", f"/api/v1/exhibitions/open-show/works/{item}", {"wall_text": {"en": "W"}}),
        ("DELETE", f"/api/v1/exhibitions/open-show/works/{item}", None),
        ("PUT", "/api/v1/exhibitions/open-show/order", {"item_ids": [str(i) for i in site.values()][::-1]}),
        ("POST", "/api/v1/exhibitions/open-show/unpublish", None),
    ]
    for method, path, body in writes:
        for tag in (None, "*", 'W/"weak"', '"a", "b"', '""'):
            problem(_write(world, method, path, body, tag), 428, "precondition-required")
        other = _consent(world, site["anonymous"]).headers["ETag"]
        problem(_write(world, method, path, body, other), 412, "precondition-failed")
    assert world.events() == before


def test_a_widening_needs_contributor_asked_and_shows_the_contributors_choice(world, site):
    item = site["shown"]
    world.archive.self_service.change_consent_as_contributor(_contributor(world, item), item, NARROW)
    read = _consent(world, item)
    assert read.get_json()["contributors_choice"]["attribution"] == "anonymous"
    wider = {"scopes": ["exhibit"], "attribution": "named", "text_version": "v1"}

    refused = problem(_write(world, "PUT", f"/api/v1/items/{item}/consent", wider, read.headers["ETag"]),
                      409, "widening-needs-confirmation")
    assert refused["contributors_choice"]["attribution"] == "anonymous"
    assert refused["contributors_choice"]["chosen_at"] == read.get_json()["contributors_choice"]["chosen_at"]
    assert refused["widening"] == {"attribution": "named"}
    assert world.archive.get_item(item).consent.attribution.value == "anonymous"

    confirmed = _write(world, "PUT", f"/api/v1/items/{item}/consent", {**wider, "contributor_asked": True},
                       read.headers["ETag"])
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    assert confirmed.get_json()["consent"]["attribution"] == "named"
    assert confirmed.headers["ETag"] != read.headers["ETag"]
    assert str(world.archive.history(item)[-1].summary).startswith("confirmed with the contributor by curator aigerim")


def test_exhibition_writes_answer_with_the_new_etag_and_refuse_the_old_one(world, site):
    read = world.client.get("/api/v1/exhibitions/hidden-show/curation", headers=world.auth)
    assert read.status_code == 200 and read.get_json()["published"] is False
    first = _write(world, "PATCH", "/api/v1/exhibitions/hidden-show", {"venue": {"en": "Hall"}}, read.headers["ETag"])
    assert first.status_code == 200 and first.headers["ETag"] != read.headers["ETag"]

    stale = _write(world, "PATCH", "/api/v1/exhibitions/hidden-show", {"titles": {"en": "Renamed"}}, read.headers["ETag"])
    body = problem(stale, 409, "changed-meanwhile")
    assert body["changes"] == [body["changes"][0]] and "curator aigerim: exhibition revised (changed venue)" in body["changes"][0]
    assert world.archive.exhibition_by_slug("hidden-show").titles == {"en": "Hiddenshowword"}

    published = _write(world, "POST", "/api/v1/exhibitions/hidden-show/publish", None, first.headers["ETag"])
    assert published.status_code == 200 and published.get_json()["published"] is True


def test_new_items_answer_with_the_etag_their_consent_is_recorded_with(world):
    person = post(world, "/api/v1/contributors", {"name": "Aliya"}).get_json()["id"]
    created = post(world, "/api/v1/testimonies", {"contributor_id": person, "text": {"en": "t"}, "language": "en",
                                                  "content_note": {"en": "n"}})
    item = created.get_json()["id"]
    recorded = _write(world, "POST", f"/api/v1/items/{item}/consent",
                      {"scopes": ONLINE, "attribution": "anonymous", "text_version": "v1", "expires_on": None},
                      created.headers["ETag"])
    assert recorded.status_code == 201, recorded.get_data(as_text=True)
    assert recorded.headers["ETag"] == _consent(world, item).headers["ETag"]
    assert world.archive.get_item(item).consent.expires_on is None
