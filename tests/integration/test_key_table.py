"""The key table's hard cases: purges blocked by old readers, rotation crashes, races."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID, uuid4

import click
import psycopg
import pytest
from click.testing import CliRunner

from archive.shredding import keystore_postgres
from archive.shredding import keystore_sqlite
from archive.config import Settings
from archive.shredding.crypto import MasterKey
from archive.errors import ConfigurationError
from archive.shredding.keystore import CANARY_ID
from archive.shredding.keystore_sqlite import SQLiteKeyStore
from domain import clock
from web import bootstrap
from web.bootstrap import open_archive, rotate_embedded_master_key
from web.commands import ArchiveGroup
from tests.conftest import CURATOR, Storage, files_containing
from tests.support.archive_processes import open_and_record, read_keys_meanwhile, record_and_shred, run_at_once

OPENING_ROUNDS = 5
SHRED_ROUNDS = 40


def _record(archive, name="Reader Blocked"):
    contributor = archive.contributors.register_contributor(name=name, actor=CURATOR)
    return archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "T"})


def test_a_purge_blocked_by_an_old_sqlite_reader_completes_later(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(keystore_sqlite, "CHECKPOINT_ATTEMPTS", 3)
    archive = open_archive(Settings(data_dir=tmp_path / "var"))
    item = _record(archive)
    [(_, wrapped, _)] = [row for row in archive.keys._rows() if row[0] == item]
    reader = sqlite3.connect(tmp_path / "var" / "keys.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM data_keys").fetchone()  # holds a snapshot of the WAL

    assert archive.keys.shred(item) is False  # deleted, but the purge is pending
    assert not archive.keys.exists(item)
    reader.execute("COMMIT")
    reader.close()
    assert archive.keys.complete_pending_purges() is True
    archive.close()
    files = sorted((tmp_path / "var").glob("keys.sqlite3*"))
    assert files_containing(files, wrapped) == []


@pytest.mark.postgres
def test_a_postgres_purge_waits_for_older_transactions(postgres_server, tmp_path: Path, monkeypatch):
    dbname = postgres_server.create_database("purge_wait")
    settings = Settings(
        data_dir=tmp_path, database_url=postgres_server.dsn(dbname), master_key=MasterKey.generate().to_text()
    )
    storage = Storage("postgres", settings, postgres_server, dbname)
    archive = open_archive(settings)
    item = _record(archive)
    [(_, wrapped, _)] = [row for row in archive.keys._rows() if row[0] == item]

    # An old snapshot that can still see the key row keeps VACUUM FULL from dropping it.
    old = psycopg.connect(postgres_server.dsn(dbname))
    old.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    old.execute(f"SELECT count(*) FROM {keystore_postgres.TABLE}").fetchone()
    monkeypatch.setattr(keystore_postgres, "PURGE_WAIT_SECONDS", 0.3)
    assert archive.keys.shred(item) is False
    assert files_containing(storage.database_files(), wrapped), "still pending while the reader lives"

    # A reader that ends while the purge waits: the purge completes in the same call.
    monkeypatch.setattr(keystore_postgres, "PURGE_WAIT_SECONDS", 10.0)
    threading.Timer(0.5, old.rollback).start()
    started = time.monotonic()
    assert archive.keys.complete_pending_purges() is True
    assert time.monotonic() - started >= 0.4
    old.close()
    archive.close()
    assert files_containing(storage.database_files(), wrapped) == []


def test_rotation_interrupted_after_the_rewrap_is_finished_on_next_open(tmp_path: Path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    contributor = archive.contributors.register_contributor(name="Crash Test", actor=CURATOR)
    archive.close()
    old_text = (tmp_path / "var" / "master.key").read_text()

    def crash(_data_dir):
        raise OSError("No space left on device")

    monkeypatch.setattr(bootstrap, "_promote_next_key", crash)
    with pytest.raises(OSError):
        rotate_embedded_master_key(settings)
    monkeypatch.undo()
    assert (tmp_path / "var" / "master.key.next").exists()

    reopened = open_archive(settings)
    try:
        assert reopened.get_contributor(contributor).name == "Crash Test"
    finally:
        reopened.close()
    assert not (tmp_path / "var" / "master.key.next").exists()
    assert (tmp_path / "var" / "master.key").read_text() != old_text


def test_rotation_interrupted_before_the_rewrap_is_undone_on_next_open(tmp_path: Path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "var")
    archive = open_archive(settings)
    contributor = archive.contributors.register_contributor(name="Early Crash", actor=CURATOR)
    archive.close()
    old_text = (tmp_path / "var" / "master.key").read_text()

    def crash(self, rewrap):
        raise OSError("disk I/O error")

    monkeypatch.setattr(SQLiteKeyStore, "_rewrap_all", crash)
    with pytest.raises(OSError):
        rotate_embedded_master_key(settings)
    monkeypatch.undo()

    reopened = open_archive(settings)
    try:
        assert reopened.get_contributor(contributor).name == "Early Crash"
    finally:
        reopened.close()
    assert not (tmp_path / "var" / "master.key.next").exists()
    assert (tmp_path / "var" / "master.key").read_text() == old_text


def _fresh(storage: Storage, round_: int) -> Settings:
    """Settings for a new, empty archive of the same kind as ``storage``."""
    if storage.server is None:
        return replace(storage.settings, data_dir=storage.settings.data_dir.with_name(f"var-{round_}"))
    dbname = storage.server.create_database(f"{storage.dbname}_{round_}")
    return replace(storage.settings, database_url=storage.server.dsn(dbname))


@pytest.mark.slow
def test_two_processes_opening_an_empty_archive_at_once_both_succeed(storage: Storage):
    # Real processes, released together, several times: creating the master key file and the
    # tables must not race (a lost master key file would make every key unreadable later).
    for round_ in range(OPENING_ROUNDS):
        settings = _fresh(storage, round_)
        first, second = run_at_once(settings, (open_and_record, "First Opener"), (open_and_record, "Second Opener"))

        reopened = open_archive(settings)
        try:
            assert first["master_key_id"] == second["master_key_id"] == reopened.keys._master.key_id
            assert reopened.get_contributor(UUID(first["contributor"])).name == "First Opener"
            assert reopened.get_contributor(UUID(second["contributor"])).name == "Second Opener"
        finally:
            reopened.close()


@pytest.mark.slow
def test_a_process_shredding_while_another_reads_leaves_no_shredded_key_behind(storage: Storage):
    settings = storage.settings
    storage.open().close()  # created before the race: this test is about writing while reading
    checked = []

    def while_both_are_open(written: dict) -> None:
        # A third archive (this process) sees what the writer did while the reader still reads.
        archive = open_archive(settings)
        try:
            assert all(archive.keys.get(UUID(i)) is not None for i in written["kept"])
            assert not any(archive.keys.exists(UUID(i)) for i in written["shredded"])
            assert archive.keys.complete_pending_purges() is True
        finally:
            archive.close()
        files = storage.database_files() if storage.server else sorted(settings.data_dir.glob("keys.sqlite3*"))
        left = [w for w in written["wrapped"] if files_containing(files, bytes.fromhex(w))]
        assert left == [], f"{len(left)} of {len(written['wrapped'])} shredded keys still in the files"
        checked.append(written)

    _, reader = run_at_once(
        settings, (record_and_shred, SHRED_ROUNDS), (read_keys_meanwhile,), while_open=while_both_are_open
    )

    assert checked and len(checked[0]["shredded"]) == SHRED_ROUNDS // 2
    assert reader["passes"] > 1 and reader["read"] > 0


def test_a_shred_in_another_process_empties_this_processs_cache_within_the_bound(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "var")
    writer, reader = open_archive(settings), open_archive(settings)
    try:
        item = _record(writer)
        reader.keys._cache_seconds = 0.2
        assert reader.keys.get(item) is not None
        writer.consent.withdraw(item, actor=CURATOR)
        time.sleep(1.3)  # past the cache bound and the once-a-second sweep
        reader.keys.get(CANARY_ID)  # any access sweeps expired entries
        assert item not in reader.keys._cache
        assert reader.keys.get(item) is None
    finally:
        writer.close()
        reader.close()


def test_archive_files_are_private_and_a_readable_master_key_is_refused(tmp_path: Path):
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    archive = open_archive(Settings(data_dir=data_dir))
    _record(archive)
    for path in data_dir.rglob("*"):
        mode = path.stat().st_mode & 0o077
        assert mode == 0, f"{path.name} is accessible to others"
    archive.close()
    (data_dir / "master.key").chmod(0o644)
    with pytest.raises(ConfigurationError, match="readable by other users"):
        open_archive(Settings(data_dir=data_dir))


def test_an_error_without_a_message_is_still_one_clear_line():
    @click.group(cls=ArchiveGroup)
    def group() -> None:
        pass

    @group.command()
    def boom() -> None:
        raise psycopg.OperationalError()

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 1
    assert result.output.strip() == "archive: cannot use the PostgreSQL database: OperationalError"


def test_upload_notes_are_kept_by_every_process_and_tell_running_uploads_from_abandoned_ones(storage):
    started = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    crashed, running = uuid4(), uuid4()
    archive = storage.open()
    with clock.fixed_at(started):
        archive.keys.uploads_started(crashed)
    with clock.fixed_at(started + timedelta(hours=30)):
        archive.keys.uploads_started(running, crashed)  # a note already there keeps its time
    archive.close()

    other = storage.open()
    try:
        cutoff = started + timedelta(hours=6)
        assert other.keys.uploads_in_progress(cutoff) == {running}
        assert other.keys.abandoned_uploads(cutoff) == [crashed]
        other.keys.uploads_finished(crashed, running)
        assert other.keys.uploads_in_progress(started) == set()
        assert other.keys.abandoned_uploads(cutoff + timedelta(days=1)) == []
    finally:
        other.close()
