"""A withdrawal finishes whatever crashes: a process that dies between saving the withdrawal
and shredding the key leaves work that every other process (and the next one) completes."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from archive.application import ExhibitionArchive
from archive.config import Settings
from tests.conftest import CURATOR, Storage

ONLINE = ["exhibit", "publish_online"]


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing after it runs."""


def _consented_testimony(archive: ExhibitionArchive) -> tuple[UUID, UUID]:
    contributor = archive.register_contributor(name="Aigerim Crashtest", actor=CURATOR)
    item = archive.record_testimony(
        contributor_id=contributor, actor=CURATOR, text={"en": "Words"}, language="en",
        content_note={"en": "Note"},
    )
    archive.record_consent(item, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
    return contributor, item


def _dies_before_the_shred(archive: ExhibitionArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(*subjects, **kwargs):
        raise ProcessDied()

    monkeypatch.setattr(archive.keys, "shred", killed)


def _withdraw_and_die(archive: ExhibitionArchive, contributor: UUID, item: UUID, monkeypatch) -> None:
    _dies_before_the_shred(archive, monkeypatch)
    with pytest.raises(ProcessDied):
        archive.withdraw_as_contributor(contributor, item)
    monkeypatch.undo()
    assert archive.get_item(item).is_withdrawn and archive.keys.exists(item), "saved, not yet shredded"


def test_a_withdrawal_interrupted_before_the_shred_is_finished_by_the_next_process_that_opens_the_archive(
    storage: Storage, monkeypatch
):
    dying = storage.open()
    contributor, item = _consented_testimony(dying)
    _withdraw_and_die(dying, contributor, item, monkeypatch)
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
    _withdraw_and_die(dying, contributor, item, monkeypatch)

    worker = create_app({"TESTING": True, **env})  # gunicorn starting (or restarting) a worker
    try:
        assert not worker.extensions["archive"].keys.exists(item)
        assert not dying.keys.exists(item)
    finally:
        worker.extensions["archive"].close()
        worker.extensions["search"].close()
        dying.close()


def test_the_start_up_check_reads_only_the_events_since_the_last_complete_check(tmp_path: Path, monkeypatch):
    from archive.bootstrap import open_archive

    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    try:
        contributor, first = _consented_testimony(archive)
        archive.withdraw_as_contributor(contributor, first)
        assert archive.finish_interrupted_withdrawals() == 0
        checked_to = archive.recorder.max_notification_id()
        second = archive.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "T"})
        _withdraw_and_die(archive, contributor, second, monkeypatch)

        starts: list[int] = []
        select = archive.recorder.select_notifications

        def noting_start(start, *args, **kwargs):
            starts.append(start)
            return select(start, *args, **kwargs)

        monkeypatch.setattr(archive.recorder, "select_notifications", noting_start)
        assert archive.finish_interrupted_withdrawals() == 1
        assert starts and min(starts) == checked_to + 1
        assert not archive.keys.exists(second)
        assert archive.finish_interrupted_withdrawals() == 0
    finally:
        archive.close()
