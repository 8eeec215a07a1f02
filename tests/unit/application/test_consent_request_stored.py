"""A contributor's pending request is a value (``ConsentRequest``) wherever it is read, while
the log, snapshots and read rows keep the plain form they always stored."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from archive.read.models import ItemFilter
from domain.consent import Attribution, ConsentChange, ConsentRequest, Scope
from domain.items import Item
from tests.conftest import CURATOR

ASKED_AT = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def _item_under_consent(archive) -> tuple[Any, Any]:
    contributor = archive.contributors.register_contributor(name="Zhanar Testova", actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"kk": "Менің әңгімем"}, language="kk",
        content_note={"en": "Note"},
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=["exhibit"], attribution="anonymous", text_version="v1")
    return contributor, item


def test_a_request_event_in_the_form_always_stored_loads_as_a_value(archive):
    contributor, item = _item_under_consent(archive)
    version = archive.get_item(item).version
    # Written out as the log has always held it: the request's codes, its time the event's.
    state = (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-05-01T10:00:00+00:00"},'
        b'"actor":"contributor:' + str(contributor).encode() + b'",'
        b'"request":{"attribution":"named","scopes":["exhibit","publish_online"],"expires_on":null}}'
    )
    archive.recorder.insert_events([StoredEvent(
        originator_id=item, originator_version=version + 1,
        topic="domain.items:Testimony.ConsentChangeRequested", state=state,
    )])

    assert archive.get_item(item).consent_request == ConsentRequest(
        requested_at=ASKED_AT, attribution=Attribution.NAMED,
        scopes=frozenset({Scope.EXHIBIT, Scope.PUBLISH_ONLINE}), asks_expiry=True, expires_on=None,
    )
    assert str(archive.history(item)[-1].summary) == (
        "attribution: named; scopes: exhibit, publish online; no end date (a curator confirms it with them first)"
    )


def test_a_new_request_event_still_stores_its_codes(archive):
    contributor, item = _item_under_consent(archive)
    archive.self_service.change_consent_as_contributor(
        contributor, item, ConsentChange("named", ["exhibit", "publish_online"], None)
    )

    stored = archive.recorder.select_events(item)[-1]
    assert stored.topic == "domain.items:Testimony.ConsentChangeRequested"
    assert stored.state.endswith(b'"request":{"attribution":"named","scopes":["exhibit","publish_online"]}}')


def test_an_item_snapshotted_before_the_value_still_loads_its_request(archive, monkeypatch: pytest.MonkeyPatch):
    contributor, item = _item_under_consent(archive)
    archive.self_service.change_consent_as_contributor(contributor, item, ConsentChange("named", ["exhibit"], None))
    with monkeypatch.context() as release_before:  # its items held the request as a dict

        def as_a_dict(self, item):  # noqa: ANN001, ANN202
            item.consent_request = {**self.request, "requested_at": self.timestamp.isoformat()}
            item._chosen_by_contributor(item.consent, self.timestamp)

        release_before.setattr(Item.ConsentChangeRequested, "apply", as_a_dict)
        release_before.setattr(Item, "class_version", 1)
        archive.take_snapshot(item)  # replays the events with the applier of the release before
    assert [s.originator_version for s in archive.snapshots.get(item)] == [archive.get_item(item).version]

    request = archive.get_item(item).consent_request
    assert isinstance(request, ConsentRequest)
    assert request.attribution is Attribution.NAMED and request.scopes is None and not request.asks_expiry


def test_a_snapshot_and_a_read_row_keep_the_request_as_it_was_asked(archive):
    contributor, item = _item_under_consent(archive)
    archive.self_service.change_consent_as_contributor(
        contributor, item, ConsentChange("named", ["exhibit", "publish_online"], None)
    )
    asked = archive.get_item(item).consent_request
    archive.take_snapshot(item)

    assert archive.get_item(item).consent_request == asked
    assert [row.consent_request for row in archive.listings.item_summaries(ItemFilter(requests_only=True)).rows] == [asked]
