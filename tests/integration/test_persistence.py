"""The same behaviours on every backend: durable round trips, conflicts, snapshots, keys."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from archive.shredding.crypto import MasterKey
from archive.errors import ConcurrentChange, WrongMasterKey
from domain.exhibitions import Exhibition
from media_store import make_sample_photo
from web.bootstrap import open_archive
from tests.conftest import CURATOR, Storage


def test_recorded_content_survives_a_restart(storage: Storage):
    archive = storage.open()
    contributor = archive.contributors.register_contributor(name="Saule K.", pseudonym="Aq", actor=CURATOR)
    artwork = archive.cataloguing.record_artwork(
        contributor_id=contributor, actor=CURATOR, title={"ru": "Тишина", "en": "Silence"}, year=2024
    )
    archive.item_images.upload_image(artwork, make_sample_photo(1, size=(320, 240)), actor=CURATOR, alt_text={"en": "A felt doormat"})
    archive.close()

    reopened = storage.open()
    try:
        item = reopened.get_item(artwork)
        assert item.title == {"en": "Silence", "ru": "Тишина"}
        assert item.detail("year") == 2024
        [image] = item.images.values()
        assert image.value["alt_text"] == {"en": "A felt doormat"}
        assert reopened.get_contributor(contributor).pseudonym == "Aq"
    finally:
        reopened.close()


def test_two_writers_saving_the_same_version_conflict_and_nothing_is_lost(storage: Storage):
    first, second = storage.open(), storage.open()
    try:
        exhibition_id = first.curation.create_exhibition(slug="race", actor=CURATOR, titles={"en": "Race"})
        mine = first.get_exhibition(exhibition_id)
        theirs = second.get_exhibition(exhibition_id)
        mine.revise({"venue": {"en": "Hall A"}}, CURATOR)
        theirs.revise({"venue": {"en": "Hall B"}}, CURATOR)
        first._save(mine)
        with pytest.raises(ConcurrentChange, match="Someone else changed this record"):
            second._save(theirs)
        assert second.get_exhibition(exhibition_id).field("venue") == {"en": "Hall A"}
        assert len(second.history(exhibition_id)) == 2
    finally:
        first.close()
        second.close()


def test_two_processes_recording_for_one_contributor_never_lose_an_item_from_their_list(storage: Storage):
    first, second = storage.open(), storage.open()
    try:
        person = first.contributors.register_contributor(name="Aigerim", actor=CURATOR)
        details = {"text": {"ru": "Текст"}, "language": "ru", "content_note": {"en": "Note"}}
        a = first.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details)
        b = second.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details)
        c = first.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details)  # its list is stale
        d = second.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details)

        assert first.contributor_item_ids(person) == second.contributor_item_ids(person) == [a, b, c, d]
    finally:
        first.close()
        second.close()


def test_a_recording_whose_freshly_read_item_list_changed_meanwhile_is_saved_on_a_second_try(storage: Storage):
    first, second = storage.open(), storage.open()
    try:
        person = first.contributors.register_contributor(name="Aigerim", actor=CURATOR)
        details = {"text": {"ru": "Текст"}, "language": "ru", "content_note": {"en": "Note"}}
        a = second.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details)  # first keeps no list
        save, meanwhile = first.save_changes, []

        def recorded_meanwhile(*aggregates):
            if not meanwhile:  # after first read her list, before it saves
                meanwhile.append(second.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details))
            return save(*aggregates)

        first.save_changes = recorded_meanwhile  # type: ignore[method-assign]
        c = first.cataloguing.record_testimony(contributor_id=person, actor=CURATOR, **details)

        assert first.contributor_item_ids(person) == [a, *meanwhile, c]
    finally:
        first.close()
        second.close()


def test_concurrent_use_cases_either_succeed_or_report_a_conflict(storage: Storage):
    archive = storage.open()
    try:
        exhibition_id = archive.curation.create_exhibition(slug="busy", actor=CURATOR, titles={"en": "Busy"})
        outcomes: list[str] = []

        def revise(n: int) -> None:
            try:
                archive.curation.revise_exhibition(exhibition_id, actor=CURATOR, venue={"en": f"Room {n}"})
                outcomes.append("ok")
            except ConcurrentChange:
                outcomes.append("conflict")

        threads = [threading.Thread(target=revise, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(outcomes) == 8 and "ok" in outcomes
        assert len(archive.history(exhibition_id)) == 1 + outcomes.count("ok")
    finally:
        archive.close()


def test_long_lived_aggregates_are_snapshotted_and_load_the_same(storage: Storage):
    archive = storage.open()
    try:
        exhibition_id = archive.curation.create_exhibition(slug="long", actor=CURATOR, titles={"en": "Long"})
        for n in range(120):
            archive.curation.revise_exhibition(exhibition_id, actor=CURATOR, venue={"en": f"Room {n}"})
        assert archive.snapshots is not None
        snapshots = list(archive.snapshots.get(exhibition_id))
        assert [s.originator_version for s in snapshots] == [50, 100]
        loaded = archive.get_exhibition(exhibition_id)
        replayed = archive.repository.get(exhibition_id, version=121)
        assert loaded.version == replayed.version == 121
        assert loaded.field("venue") == replayed.field("venue") == {"en": "Room 119"}
        assert isinstance(loaded, Exhibition)
    finally:
        archive.close()


def test_rotating_the_master_key_keeps_content_readable_under_the_new_key_only(storage: Storage):
    archive = storage.open()
    contributor = archive.contributors.register_contributor(name="Rotated Person", actor=CURATOR)
    old_settings = storage.settings
    new_key = MasterKey.generate()
    assert archive.keys.rotate_master_key(new_key) == len(archive.keys.subject_ids()) >= 1
    archive.close()

    if old_settings.master_key is None:  # embedded default: the key file is the master key
        (old_settings.data_dir / "master.key").write_text(new_key.to_text())
        new_settings = old_settings
    else:
        new_settings = replace(old_settings, master_key=new_key.to_text())
    reopened = open_archive(new_settings)
    try:
        assert reopened.get_contributor(contributor).name == "Rotated Person"
    finally:
        reopened.close()

    stale = replace(new_settings, master_key=MasterKey.generate().to_text())
    with pytest.raises(WrongMasterKey):
        open_archive(stale)


def test_an_interrupted_withdrawal_is_completed_on_the_next_start(storage: Storage):
    archive = storage.open()
    contributor = archive.contributors.register_contributor(name="Interrupted", actor=CURATOR)
    item_id = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Half done"})
    item = archive.get_item(item_id)
    item.withdraw(CURATOR)
    archive._save(item)  # the process dies here, before the key is shredded
    assert archive.keys.exists(item_id)
    archive.close()

    reopened = storage.open()  # opening the archive completes it
    try:
        assert not reopened.keys.exists(item_id)
        assert reopened.get_item(item_id).is_redacted
        assert reopened.consent.finish_interrupted_withdrawals() == 0
    finally:
        reopened.close()
