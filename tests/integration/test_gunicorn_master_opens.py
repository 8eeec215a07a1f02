"""gunicorn's master opens the archive once before it forks workers (web.gunicorn_conf), so a
release's read-model rebuild runs once, where no worker timeout can kill it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.config import Settings
from archive.read.models import BUILT, BUILT_VERSION
from web.bootstrap import open_archive
from tests.conftest import CURATOR
from web import gunicorn_conf


def _built_version(data_dir: Path) -> str | None:
    with sqlite3.connect(data_dir / "events.sqlite3") as db:
        row = db.execute("SELECT value FROM read_model_meta WHERE name = ?", (BUILT,)).fetchone()
    return row[0] if row else None


def test_the_master_rebuilds_read_models_a_new_release_needs_before_any_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    data_dir = tmp_path / "var"
    archive = open_archive(Settings.from_environ({"ARCHIVE_DATA_DIR": str(data_dir)}))
    try:
        person = archive.contributors.register_contributor(name="Aru Upgrade", actor=CURATOR)
        archive.cataloguing.record_artwork(contributor_id=person, actor=CURATOR, title={"en": "Kept"})
    finally:
        archive.close()
    with sqlite3.connect(data_dir / "events.sqlite3") as db:  # as the release before left it
        db.execute("UPDATE read_model_meta SET value = '1' WHERE name = ?", (BUILT,))
    assert _built_version(data_dir) == "1"

    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(data_dir))
    gunicorn_conf.on_starting(None)

    assert _built_version(data_dir) == BUILT_VERSION


def test_a_refused_archive_stops_the_master_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data_dir = tmp_path / "var"
    archive = open_archive(Settings.from_environ({"ARCHIVE_DATA_DIR": str(data_dir)}))
    try:
        archive.contributors.register_contributor(name="Aru Keys", actor=CURATOR)
    finally:
        archive.close()
    (data_dir / "master.key").unlink()  # the events are sealed under it: never regenerated

    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(data_dir))
    with pytest.raises(SystemExit) as stopped:
        gunicorn_conf.on_starting(None)
    message = str(stopped.value)
    assert message.startswith("archive: ") and "\n" not in message and "master" in message.lower()
