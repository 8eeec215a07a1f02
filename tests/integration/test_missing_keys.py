"""An archive with events is never opened without the key table and master key they are sealed
under: a missing one is refused (never made anew), and says what to restore."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from archive.shredding import keystore_postgres
from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.errors import ConfigurationError
from archive.shredding.key_seal import SEAL_ID
from tests.conftest import CURATOR, Storage
from web import create_app
from web.bootstrap import open_archive
from web.cli import cli  # the console script's group, with `serve`


def _record(archive: ExhibitionArchive) -> tuple:
    contributor = archive.contributors.register_contributor(name="Dana Sealed", actor=CURATOR)
    item = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Kept"})
    return contributor, item


def _archive_with_events(storage: Storage) -> tuple:
    archive = storage.open()
    try:
        return _record(archive)
    finally:
        archive.close()


def _remove_key_table(storage: Storage, aside: Path) -> str:
    """Take the key table away as a lost file or a dropped table would; return how it is named."""
    if storage.server is None:
        keys = storage.settings.data_dir / "keys.sqlite3"
        for path in storage.settings.data_dir.glob("keys.sqlite3*"):
            shutil.move(path, aside / path.name)
        return str(keys.resolve())
    with psycopg.connect(storage.server.dsn(storage.dbname), autocommit=True) as conn:
        conn.execute(f"DROP TABLE {keystore_postgres.TABLE}")
    return keystore_postgres.TABLE


def test_a_missing_key_table_is_refused_and_named_not_taken_for_a_fresh_install(storage: Storage, tmp_path: Path):
    _archive_with_events(storage)
    named = _remove_key_table(storage, tmp_path)

    with pytest.raises(ConfigurationError) as refused:
        storage.open()
    message = str(refused.value)
    assert named in message and "missing or empty" in message and "Restore the key table" in message
    assert "\n" not in message
    with pytest.raises(ConfigurationError, match="missing or empty"):
        storage.open()  # still refused: the first refusal left nothing that looks like a key table


def test_a_key_table_put_back_from_its_backup_opens_again(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    contributor, item = _archive_with_events(Storage("sqlite", settings))
    aside = tmp_path / "aside"
    aside.mkdir()
    _remove_key_table(Storage("sqlite", settings), aside)
    with pytest.raises(ConfigurationError):
        open_archive(settings)

    for path in aside.iterdir():
        shutil.move(path, settings.data_dir / path.name)
    archive = open_archive(settings)
    try:
        assert archive.get_contributor(contributor).name == "Dana Sealed"
        assert archive.get_item(item).title == {"en": "Kept"}
    finally:
        archive.close()


def test_an_empty_key_table_file_is_refused(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    _archive_with_events(Storage("sqlite", settings))
    for path in settings.data_dir.glob("keys.sqlite3*"):
        path.unlink()
    (settings.data_dir / "keys.sqlite3").write_bytes(b"")

    with pytest.raises(ConfigurationError, match="keys.sqlite3\\) is missing or empty"):
        open_archive(settings)


def test_a_deleted_master_key_is_refused_and_never_made_anew(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    _archive_with_events(Storage("sqlite", settings))
    key_file = settings.data_dir / "master.key"
    key_file.unlink()

    with pytest.raises(ConfigurationError) as refused:
        open_archive(settings)
    assert str(key_file.resolve()) in str(refused.value)
    assert "Restore master.key" in str(refused.value)
    assert not key_file.exists()
    assert not list(settings.data_dir.glob("master.key*"))  # no temporary key file either

    key_file.write_text("")  # an empty file is no key either
    with pytest.raises(ConfigurationError, match="master.key is empty"):
        open_archive(settings)


def test_a_key_table_and_master_key_from_another_archive_are_refused(tmp_path: Path):
    ours = Settings(data_dir=tmp_path / "ours")
    theirs = Settings(data_dir=tmp_path / "theirs")
    _archive_with_events(Storage("sqlite", ours))
    _archive_with_events(Storage("sqlite", theirs))
    for name in ("keys.sqlite3", "master.key"):  # a consistent pair, but not ours
        shutil.copy2(theirs.data_dir / name, ours.data_dir / name)

    with pytest.raises(ConfigurationError, match="not the one this archive's events were sealed under"):
        open_archive(ours)


def test_a_fresh_archive_starts_and_seals_its_key_table_with_its_first_event(storage: Storage):
    archive = storage.open()
    try:
        assert archive.recorder.max_notification_id() in (None, 0)  # opening alone writes nothing
        assert archive.key_table_seal() is None
        _record(archive)
        [first] = archive.recorder.select_notifications(1, 1)
        assert first.originator_id == SEAL_ID  # before any other event
        assert archive.key_table_seal().fingerprint == archive.keys.fingerprint()
    finally:
        archive.close()
    storage.open().close()


def test_an_archive_from_before_the_seal_still_opens_and_gains_it(storage: Storage, monkeypatch):
    with monkeypatch.context() as before_the_seal:
        before_the_seal.setattr(ExhibitionArchive, "seal_key_table", lambda self: setattr(self, "_sealed", True))
        contributor, _ = _archive_with_events(storage)
        archive = storage.open()
        assert archive.key_table_seal() is None and archive.recorder.max_notification_id()
        archive.close()

    archive = storage.open()
    try:
        assert archive.key_table_seal().fingerprint == archive.keys.fingerprint()
        assert archive.get_contributor(contributor).name == "Dana Sealed"
    finally:
        archive.close()


def test_the_command_line_and_the_web_app_refuse_to_start_without_the_key_table(tmp_path: Path):
    data_dir = tmp_path / "var"
    _archive_with_events(Storage("sqlite", Settings(data_dir=data_dir)))
    (tmp_path / "aside").mkdir()
    _remove_key_table(Storage("sqlite", Settings(data_dir=data_dir)), tmp_path / "aside")

    for command in (["list-tokens"], ["follow", "--once"]):
        result = CliRunner().invoke(cli, command, obj={"environ": {"ARCHIVE_DATA_DIR": str(data_dir)}})
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert result.output.startswith(f"archive: The key table ({data_dir.resolve() / 'keys.sqlite3'}) is missing")
    with pytest.raises(ConfigurationError, match="missing or empty"):
        create_app({"ARCHIVE_DATA_DIR": str(data_dir), "SECRET_KEY": "test"})
    assert not (data_dir / "keys.sqlite3").exists()


def test_commands_other_than_init_make_no_data_folder_where_they_run(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["list-tokens"], ["history", "x"], ["follow", "--once"], ["rotate-master-key"], ["serve"]):
        result = CliRunner().invoke(cli, command, obj={"environ": {}})
        assert result.exit_code == 1, (command, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, (command, result.output)
        assert f"No archive data folder at {tmp_path.resolve() / 'var'}" in lines[0]
        assert "ARCHIVE_DATA_DIR is not set" in lines[0] and "archive init" in lines[0]
        assert list(tmp_path.iterdir()) == [], command

    elsewhere = tmp_path / "elsewhere"
    result = CliRunner().invoke(cli, ["list-tokens"], obj={"environ": {"ARCHIVE_DATA_DIR": str(elsewhere)}})
    assert result.exit_code == 1 and f"No archive data folder at {elsewhere} (ARCHIVE_DATA_DIR)" in result.output
    assert not elsewhere.exists()

    result = CliRunner().invoke(cli, ["init"], obj={"environ": {}})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "master.key").exists()
    result = CliRunner().invoke(cli, ["list-tokens"], obj={"environ": {}})
    assert result.exit_code == 0 and result.output == "No API tokens.\n"


def test_a_key_table_restored_without_its_events_is_refused_not_opened_empty(tmp_path: Path, monkeypatch):
    from archive.shredding import keystore

    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    try:
        _record(archive)
        monkeypatch.setattr(keystore, "ABANDONED_AFTER_SECONDS", -1.0)
        archive.consent.shred_abandoned_reservations()  # as every process does half an hour later
    finally:
        archive.close()
    monkeypatch.undo()
    for path in settings.data_dir.glob("events.sqlite3*"):
        path.unlink()  # the key table and master key came back, the events did not

    with pytest.raises(ConfigurationError) as refused:
        open_archive(settings)
    message = str(refused.value)
    assert "events.sqlite3) holds no events" in message and "Restore the event store" in message
    assert "\n" not in message
    assert not (settings.data_dir / "events.sqlite3").exists()  # no empty event store made


def test_a_garbled_master_key_file_is_named_not_blamed_on_the_environment(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    _archive_with_events(Storage("sqlite", settings))
    key_file = settings.data_dir / "master.key"
    for garbage in (b"not a key at all\n", b"\xff\xfe\x00garbage", b"QUJD\n"):
        key_file.write_bytes(garbage)
        with pytest.raises(ConfigurationError) as refused:
            open_archive(settings)
        message = str(refused.value)
        assert str(key_file.resolve()) in message and "ARCHIVE_MASTER_KEY is not set" in message
        assert "\n" not in message


def test_commands_make_no_archive_in_an_existing_empty_folder(tmp_path: Path):
    mount_point = tmp_path / "archive-volume"  # the volume is not mounted: an empty folder
    mount_point.mkdir()
    environ = {"ARCHIVE_DATA_DIR": str(mount_point)}
    for command in (["list-tokens"], ["exhibition", "x"], ["follow", "--once"], ["serve"]):
        result = CliRunner().invoke(cli, command, obj={"environ": environ})
        assert result.exit_code == 1, (command, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and str(mount_point.resolve()) in lines[0], (command, result.output)
        assert "archive init" in lines[0]
        assert list(mount_point.iterdir()) == [], command

    assert CliRunner().invoke(cli, ["init"], obj={"environ": environ}).exit_code == 0
    assert CliRunner().invoke(cli, ["list-tokens"], obj={"environ": environ}).output == "No API tokens.\n"


def test_a_seal_stored_before_the_archive_package_moved_still_opens(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    contributor, _ = _archive_with_events(Storage("sqlite", settings))
    with sqlite3.connect(settings.data_dir / "events.sqlite3") as events:
        # The seal as written before issue 15 moved its module into archive/shredding/.
        moved = events.execute(
            "UPDATE stored_events SET topic = replace(topic, :new, :old),"
            " state = CAST(replace(CAST(state AS TEXT), :new, :old) AS BLOB) WHERE topic LIKE :new || '%'",
            {"new": "archive.shredding.key_seal:", "old": "archive.key_seal:"},  # rooms3: old name
        ).rowcount
    assert moved == 1

    archive = open_archive(settings)
    try:
        seal = archive.key_table_seal()
        assert seal is not None and seal.fingerprint == archive.keys.fingerprint()
        assert archive.get_contributor(contributor).name == "Dana Sealed"
    finally:
        archive.close()
