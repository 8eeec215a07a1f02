"""Events written without their rows (by the previous release, during a rollback of a
deployment) do not leave the curators' listings stale for good: the next open notices."""

from __future__ import annotations

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from archive.read.models import ItemFilter
from archive.read.models_postgres import PostgresReadModelRecorder
from archive.read.models_sqlite import SQLiteReadModelRecorder
from tests.conftest import CURATOR, Storage

ONLINE = ["exhibit", "publish_online"]
#: How the release before the read models saved events: with the plain recorders' methods.
RELEASE_BEFORE_READ_MODELS = {
    SQLiteReadModelRecorder: SQLiteApplicationRecorder,
    PostgresReadModelRecorder: PostgresApplicationRecorder,
}


def test_events_written_by_the_previous_release_are_in_the_listings_after_the_next_open(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
):
    archive = storage.open()
    try:
        person = archive.contributors.register_contributor(name="Aru Rollback", actor=CURATOR)
        kept = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Kept"})
        gone = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Gone"})
        for item in (kept, gone):
            archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    finally:
        archive.close()

    # The deployment is rolled back for a while: that release writes events and no rows.
    with monkeypatch.context() as previous_release:
        for recorder, plain in RELEASE_BEFORE_READ_MODELS.items():
            for name in ("_insert_events", "_fetch_ids_after_insert_events"):
                if hasattr(plain, name):
                    previous_release.setattr(recorder, name, getattr(plain, name))
        archive = storage.open()
        try:
            archive.consent.withdraw(gone, actor=CURATOR)
            archive.consent.update_consent(kept, actor=CURATOR, scopes=["exhibit"])
            new = archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "New"})
        finally:
            archive.close()

    reopened = storage.open()  # rolled forward again
    try:
        today = reopened.today()
        rows = {summary.id: summary for summary in reopened.listings.item_summaries().rows}
        assert set(rows) == {kept, gone, new}
        assert rows[gone].is_withdrawn
        assert rows[kept].hidden_reason(today) == "not_online"
        picker, _ = reopened.listings.find_items("", ItemFilter(live_only=True))
        assert gone not in {summary.id for summary in picker}
    finally:
        reopened.close()
