"""A withdrawal finishes whatever crashes: a process that dies between saving the withdrawal
and shredding the key leaves work that every other process (and the next one) completes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from archive.shredding import keystore
from archive.media_ports import files as media_files
from archive.search import follower as search_follower
from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from archive.config import Settings
from archive.media_ports.ports import MediaStore, MediaStoreUnavailable
from archive.search.follower import SearchFollower
from web.bootstrap import open_archive, open_search_index
from media_store import PillowImagePipeline, make_sample_photo
from tests.conftest import CURATOR, Storage
from tests.fakes import InMemoryKeyStore, InMemoryMediaStore, in_memory_archive
from tests.support.stalled_media import StalledMediaStore

ONLINE = ["exhibit", "publish_online"]
TITLE = "Quiltwork-Distinct-Title"
#: A withdrawal answers within this many seconds whatever the media storage does (a gunicorn
#: worker is killed after 30).
ANSWER_SECONDS = 3.0
NAME = "Aigerim Crashtest"


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing after it runs."""


def _consented_testimony(archive: ExhibitionArchive) -> tuple[UUID, UUID]:
    contributor = archive.contributors.register_contributor(name=NAME, actor=CURATOR)
    item = archive.cataloguing.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"en": "Words"}, language="en",
        content_note={"en": "Note"},
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    return contributor, item


def _withdraw_and_die(archive: ExhibitionArchive, contributor: UUID, item: UUID) -> None:
    """Withdraw, the process being killed after the withdrawal is saved, before the shred."""

    def killed(*subjects, **kwargs):
        raise ProcessDied()

    archive.keys.shred = killed  # type: ignore[method-assign]
    try:
        with pytest.raises(ProcessDied):
            archive.self_service.withdraw_as_contributor(contributor, item)
    finally:
        del archive.keys.shred
    assert archive.get_item(item).is_withdrawn and archive.keys.exists(item), "saved, not yet shredded"


def _eventually(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_withdrawal_interrupted_before_the_shred_is_finished_by_the_next_process_that_opens_the_archive(
    storage: Storage, monkeypatch
):
    dying = storage.open()
    contributor, item = _consented_testimony(dying)
    _withdraw_and_die(dying, contributor, item)
    dying.close()

    reopened = storage.open()  # a web worker, the follower, any command
    try:
        assert not reopened.keys.exists(item)
        assert reopened.get_item(item).is_redacted
        assert reopened.keys.exists(contributor), "nothing else is shredded"
    finally:
        reopened.close()


def test_a_web_worker_starting_finishes_an_interrupted_withdrawal(tmp_path: Path, monkeypatch):
    from web import create_app

    env = {"ARCHIVE_DATA_DIR": str(tmp_path / "var"), "ARCHIVE_INDEX_DIR": str(tmp_path / "index")}
    dying = create_app({"TESTING": True, **env}).extensions["archive"]
    contributor, item = _consented_testimony(dying)
    _withdraw_and_die(dying, contributor, item)

    worker = create_app({"TESTING": True, **env})  # gunicorn starting (or restarting) a worker
    try:
        assert not worker.extensions["archive"].keys.exists(item)
        assert not dying.keys.exists(item)
    finally:
        worker.extensions["archive"].close()
        worker.extensions["search"].close()
        dying.close()


def test_the_start_up_check_reads_only_the_events_since_the_last_complete_check(tmp_path: Path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    try:
        contributor, first = _consented_testimony(archive)
        archive.self_service.withdraw_as_contributor(contributor, first)
        assert archive.consent.finish_interrupted_withdrawals() == 0
        checked_to = archive.recorder.max_notification_id()
        second = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "T"})
        _withdraw_and_die(archive, contributor, second)

        starts: list[int] = []
        select = archive.recorder.select_notifications

        def noting_start(start, *args, **kwargs):
            starts.append(start)
            return select(start, *args, **kwargs)

        monkeypatch.setattr(archive.recorder, "select_notifications", noting_start)
        assert archive.consent.finish_interrupted_withdrawals() == 1
        assert starts and min(starts) == checked_to + 1
        assert not archive.keys.exists(second)
        assert archive.consent.finish_interrupted_withdrawals() == 0
    finally:
        archive.close()


# -- media deletion that the storage does not finish -------------------------------------------


def _in_memory(media: MediaStore) -> ExhibitionArchive:
    return in_memory_archive(
        media=media, images=PillowImagePipeline(),
    )


def _artwork_with_an_image(archive: ExhibitionArchive, contributor: UUID | None = None) -> tuple[UUID, UUID]:
    contributor = contributor or archive.contributors.register_contributor(name=NAME, actor=CURATOR)
    item, _ = archive.item_images.record_artwork_with_images(
        contributor_id=contributor, actor=CURATOR, title={"en": TITLE},
        images=[NewImage(make_sample_photo(5, size=(320, 240)), {"en": "A quilt"})],
    )
    archive.consent.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    return contributor, item


def _stored(archive: ExhibitionArchive, item: UUID) -> list[str]:
    return archive.media.list(media_files.item_prefix(item))  # type: ignore[union-attr]


def test_a_curators_withdrawal_interrupted_before_the_shred_is_finished_by_repeating_it(monkeypatch):
    media = InMemoryMediaStore()
    archive = _in_memory(media)
    _, item = _artwork_with_an_image(archive)

    def killed(*subjects, **kwargs):
        raise ProcessDied()

    monkeypatch.setattr(archive.keys, "shred", killed)
    with pytest.raises(ProcessDied):
        archive.consent.withdraw(item, actor=CURATOR)
    monkeypatch.undo()
    assert archive.get_item(item).is_withdrawn and archive.keys.exists(item) and _stored(archive, item)

    first = archive.get_item(item).withdrawn_at
    assert archive.consent.withdraw(item, actor=CURATOR) == first  # the curator submits again

    assert not archive.keys.exists(item)
    assert _stored(archive, item) == []
    assert [e.what for e in archive.history(item)].count("consent withdrawn") == 1, "one withdrawal, not two"
    archive.close()


def test_a_withdrawal_answers_within_the_bound_while_the_media_storage_stalls(caplog):
    media = StalledMediaStore()
    archive = _in_memory(media)
    contributor, item = _artwork_with_an_image(archive)
    assert _stored(archive, item)
    media.stall()

    started = time.monotonic()
    receipt = archive.self_service.withdraw_as_contributor(contributor, item)
    answered = time.monotonic() - started

    assert answered < ANSWER_SECONDS
    assert receipt is not None and receipt.action == "withdrawn"
    assert not archive.keys.exists(item), "the key is shredded before the answer"
    assert archive.keys.pending_media_deletions() == [item]
    assert archive.consent.media_removal_pending([item])
    assert str(item) in caplog.text, "the stall is logged"

    media.recover()  # the deletion carries on in the background once the storage answers
    assert _eventually(lambda: not archive.consent.media_removal_pending([item]))
    assert _stored(archive, item) == []
    archive.close()


def test_media_the_storage_fails_to_delete_stay_pending_and_every_failed_retry_is_logged(caplog):
    media = InMemoryMediaStore()
    archive = _in_memory(media)
    contributor, item = _artwork_with_an_image(archive)
    media.unavailable = True
    caplog.set_level(logging.WARNING, logger="archive.services.consent")

    def failures() -> int:
        return len([r for r in caplog.records if r.levelno == logging.WARNING and str(item) in r.getMessage()])

    receipt = archive.self_service.withdraw_as_contributor(contributor, item)
    assert receipt is not None and not archive.keys.exists(item)
    assert failures() == 1, "the failure is logged"
    assert archive.keys.pending_media_deletions() == [item]
    assert archive.consent.delete_pending_media() == 1
    assert archive.consent.delete_pending_media() == 1
    assert failures() == 3, "one line per failed attempt: the withdrawal's and two retries"
    assert TITLE not in caplog.text and NAME not in caplog.text, "ids only, no content, no names"

    media.unavailable = False
    assert archive.consent.delete_pending_media() == 0
    assert _stored(archive, item) == []
    assert archive.keys.pending_media_deletions() == []
    assert not archive.consent.media_removal_pending([item])
    archive.close()


def test_the_follower_keeps_finishing_interrupted_withdrawals_and_pending_media_deletions(
    tmp_path: Path, monkeypatch, caplog
):
    monkeypatch.setattr(search_follower, "PENDING_WORK_SECONDS", 0.05, raising=False)
    settings = Settings(data_dir=tmp_path / "var")
    writer, follower_archive = open_archive(settings), open_archive(settings)
    index = open_search_index(settings, writable=True)
    contributor, testimony = _consented_testimony(writer)
    _, artwork = _artwork_with_an_image(writer, contributor)

    def unreachable(prefix):
        raise MediaStoreUnavailable("The media storage cannot be reached.")

    attempts: list[str] = []
    delete_prefix = follower_archive.media.delete_prefix

    def fails_twice(prefix):
        if prefix == media_files.item_prefix(artwork):
            attempts.append(prefix)
            if len(attempts) <= 2:
                unreachable(prefix)
        delete_prefix(prefix)

    monkeypatch.setattr(writer.media, "delete_prefix", unreachable)
    monkeypatch.setattr(follower_archive.media, "delete_prefix", fails_twice)
    stop = threading.Event()
    following = threading.Thread(target=SearchFollower(follower_archive, index).run_forever, args=(stop,))
    following.start()
    try:
        writer.self_service.withdraw_as_contributor(contributor, artwork)  # its storage fails: left pending
        _withdraw_and_die(writer, contributor, testimony)  # dies before the shred, no restart

        assert _eventually(lambda: not writer.keys.exists(testimony)), "the follower shreds it"
        assert _eventually(lambda: not writer.keys.pending_media_deletions()), "and retries the media"
        assert _stored(writer, artwork) == []
        assert len(attempts) == 3
        failures = [r for r in caplog.records if r.levelno == logging.WARNING and str(artwork) in r.getMessage()]
        assert len(failures) == 3
    finally:
        stop.set()
        following.join(10)
        index.close()
        follower_archive.close()
        writer.close()


def test_media_of_a_recording_that_failed_and_could_not_remove_them_are_deleted_later(monkeypatch):
    media = InMemoryMediaStore()
    archive = _in_memory(media)
    contributor = archive.contributors.register_contributor(name=NAME, actor=CURATOR)

    def refused(*aggregates):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "_save", refused)
    monkeypatch.setattr(archive.item_images, "_remove_quietly", lambda keys: None)  # the storage failed too
    with pytest.raises(OSError):
        _artwork_with_an_image(archive, contributor)
    [item] = {media_files.parse_key(key).item_id for key in media.objects}
    assert not archive.keys.exists(item)
    assert archive.keys.pending_media_deletions() == [item]

    assert archive.consent.delete_pending_media() == 0  # what the follower keeps doing
    assert media.objects == {}
    archive.close()


# -- keys reserved ahead -------------------------------------------------------------------------


def test_keys_reserved_by_a_process_that_died_are_shredded_once_abandoned(storage: Storage, monkeypatch):
    dying = storage.open()
    try:
        contributor, item = _consented_testimony(dying)  # keys are reserved in a batch
        reserved = set(dying.keys.subject_ids()) - {contributor, item}
        assert reserved, "keys made ahead for subjects never recorded"
        # The process dies here: its batch is never shredded by close().

        monkeypatch.setattr(keystore, "ABANDONED_AFTER_SECONDS", 0.0, raising=False)  # half an hour later
        reopened = storage.open()
        try:
            assert set(reopened.keys.subject_ids()) == {contributor, item}, "none live without a subject"
            assert reopened.get_item(item).detail("text") == {"en": "Words"}, "used keys are kept"
            assert reopened.get_contributor(contributor).name == NAME
        finally:
            reopened.close()
    finally:
        dying.close()


def test_which_of_many_subjects_have_events_is_asked_in_a_few_queries_on_every_backend(storage: Storage):
    """Opening an archive after a bulk import settles tens of thousands of due reservations: which
    of them were used is asked of the event store in batches (SQLite: 500 ids a query), not once
    a subject (3.4 s for 50,300 on SQLite; a round trip each on PostgreSQL)."""
    archive = storage.open()
    try:
        contributor, item = _consented_testimony(archive)
        never = [uuid4() for _ in range(1_203)]
        asked = [*never[:499], item, *never[499:], contributor]  # last of the first batch, last of all
        assert archive.recorded_among(asked) == {contributor, item}
        assert archive.recorded_among([*never[:500], item]) == {item}  # a last batch of one
        assert archive.recorded_among(never) == set()
        assert archive.recorded_among([]) == set()
    finally:
        archive.close()


def test_a_recording_that_crashed_after_storing_sealed_media_leaves_no_live_key_and_no_media(
    tmp_path: Path, monkeypatch
):
    settings = Settings(data_dir=tmp_path / "var")
    dying = open_archive(settings)
    try:
        contributor = dying.contributors.register_contributor(name=NAME, actor=CURATOR)
        saved: list[UUID] = []

        def killed_before_the_save(*aggregates):
            saved.extend(aggregate.id for aggregate in aggregates)
            raise ProcessDied()

        monkeypatch.setattr(dying, "_save", killed_before_the_save)
        monkeypatch.setattr(dying.keys, "shred", lambda *subjects, **kwargs: None)  # nor any clean-up
        monkeypatch.setattr(dying.item_images, "_remove_quietly", lambda keys: None)
        with pytest.raises(ProcessDied):
            _artwork_with_an_image(dying, contributor)
        item = saved[0]
        assert _stored(dying, item) and dying.keys.exists(item), "sealed media and a live key, no event"

        monkeypatch.setattr(keystore, "ABANDONED_AFTER_SECONDS", 0.0, raising=False)
        reopened = open_archive(settings)
        try:
            assert not reopened.keys.exists(item)
            assert set(reopened.keys.subject_ids()) == {contributor}
            reopened.consent.delete_pending_media()  # what the follower keeps doing
            assert _stored(reopened, item) == []
        finally:
            reopened.close()
    finally:
        monkeypatch.undo()
        dying.close()


def test_a_process_takes_a_reserved_key_within_its_time_or_makes_new_ones(monkeypatch):
    keys = InMemoryKeyStore()
    first = keys.reserve()
    second = keys.reserve()
    assert len(keys.subject_ids()) == keystore.RESERVE_BATCH, "the second came from the same batch"

    monkeypatch.setattr(keystore, "RESERVED_FOR_SECONDS", 0.0, raising=False)
    third = keys.reserve()
    assert len({first, second, third}) == 3
    assert len(keys.subject_ids()) == 2 * keystore.RESERVE_BATCH, "too old to take: a new batch"
    keys.close()


# -- uploads killed midway -----------------------------------------------------------------------

#: A web worker killed in the middle of an upload: after the original's sealed bytes are
#: written to a temporary file, before it is renamed into place and before any event.
KILLED_UPLOAD = """
import os, signal, stat, sys
from pathlib import Path
from archive.services.item_images import NewImage
from archive.config import Settings
from web.bootstrap import open_archive
from media_store import make_sample_photo

archive = open_archive(Settings(data_dir=Path(sys.argv[1])))
contributor = archive.contributors.register_contributor(name="Killed Upload", actor="curator:test")

def killed_at_fsync(fd):
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.kill(os.getpid(), signal.SIGKILL)

os.fsync = killed_at_fsync
archive.item_images.record_artwork_with_images(
    contributor_id=contributor, actor="curator:test", title={"en": "T"},
    images=[NewImage(make_sample_photo(1, size=(320, 240)), {"en": "alt"})],
)
"""


def test_opening_the_archive_removes_the_partial_file_of_an_upload_killed_midway(tmp_path: Path):
    data_dir = tmp_path / "var"
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    child = subprocess.run([sys.executable, "-c", KILLED_UPLOAD, str(data_dir)], env=env, capture_output=True, timeout=120)
    assert child.returncode == -9, child.stderr[-2000:]
    media_root = data_dir / "media"
    assert [p for p in media_root.rglob(".tmp-*") if p.is_file()], "the killed upload left a partial original"

    archive = open_archive(Settings(data_dir=data_dir))  # the worker gunicorn starts instead
    try:
        assert [p for p in media_root.rglob(".tmp-*") if p.is_file()] == []
        assert archive.media.list() == []  # type: ignore[union-attr]
    finally:
        archive.close()
