"""The ``archive`` command line, on the embedded SQLite default."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.config import Settings
from web.bootstrap import open_archive
from web.cli import cli


def _invoke(environ: dict[str, str], *args: str, **extra_env: str):
    return CliRunner().invoke(cli, list(args), obj={"environ": {**environ, **extra_env}})


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo load (images take seconds to process), copied for each test that needs it."""
    folder = tmp_path_factory.mktemp("demo") / "var"
    result = _invoke({"ARCHIVE_DATA_DIR": str(folder)}, "demo")
    assert result.exit_code == 0, result.output
    assert re.search(r"consent portal at /consent with a demo contributor's code: [0-9A-Z]{4}(-[0-9A-Z]{4}){3}", result.output)
    return folder


@pytest.fixture
def run(tmp_path: Path, demo_folder: Path):
    environ = {"ARCHIVE_DATA_DIR": str(tmp_path / "var")}

    def invoke(*args: str, **extra_env: str):
        if args == ("demo",) and not (tmp_path / "var").exists():
            shutil.copytree(demo_folder, tmp_path / "var")
        return _invoke(environ, *args, **extra_env)

    return invoke


def test_init_creates_the_data_folder_with_a_private_master_key(run, tmp_path: Path):
    result = run("init")
    assert result.exit_code == 0, result.output
    key_file = tmp_path / "var" / "master.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700


def test_demo_is_idempotent(tmp_path: Path):
    environ = {"ARCHIVE_DATA_DIR": str(tmp_path / "var")}
    assert "Loaded the demo" in _invoke(environ, "demo").output
    run = lambda *args: _invoke(environ, *args)  # noqa: E731
    second = run("demo")
    assert second.exit_code == 0 and "already loaded" in second.output
    history = run("history", "silent-room").output.splitlines()
    assert len(history) == 12


def test_history_prints_the_exhibition_timeline(run):
    run("demo")
    result = run("history", "silent-room")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("2024-02-12 10:00 UTC  v1   exhibition created")
    assert lines[0].endswith("texts in en") and "Silent Room" not in lines[0]  # never content
    assert any("published" in line and line.startswith("2024-04-01") for line in lines)
    assert "works reordered" in result.output


def test_exhibition_as_of_the_last_day_a_date_can_name_shows_it_as_it_stands(run):
    run("demo")
    result = run("exhibition", "silent-room", "--as-of", "9999-12-31")
    assert result.exit_code == 0, result.output
    assert "Works (" in result.output and "as it stood on 9999-12-31" in result.output


def test_exhibition_as_of_a_date_between_two_revisions_shows_the_earlier_state(run):
    run("demo")
    earlier = run("exhibition", "silent-room", "--as-of", "2024-03-01")
    later = run("exhibition", "silent-room", "--as-of", "2024-03-20")
    now = run("exhibition", "silent-room", "--lang", "ru")
    assert earlier.exit_code == later.exit_code == now.exit_code == 0
    assert "(Demo draft.)" in earlier.output and "Works (0)" in earlier.output
    assert "(Demo draft.)" not in later.output and "Works (6)" in later.output
    assert "Status: not published" in later.output
    assert "2024-04-26" in later.output and "2024-05-10" in now.output
    assert "Тихая комната" in now.output and "Status: published" in now.output
    # The first work before the reorder of 2024-03-25 was Threshold; after it, Unsent Letters.
    assert re.search(r"1\. \[artwork\] Threshold", later.output)
    assert re.search(r"1\. \[artwork\] Неотправленные письма", now.output)


def test_a_withdrawn_demo_testimony_shows_no_content_in_history_or_listing(run):
    run("demo")
    listing = run("exhibition", "silent-room").output
    assert "Second thoughts" not in listing and "(withdrawn)" in listing
    item_id = next(
        line.split()[-1] for line in run("history", "silent-room").output.splitlines() if "position 6" in line
    )
    assert item_id  # the short id is printed; the full id comes from the app in other tests


def test_history_takes_the_short_ids_that_history_lines_print(run):
    run("demo")
    lines = run("history", "silent-room").output.splitlines()
    short = re.search(r"work added .* artwork ([0-9a-f]{8}) at position 1", "\n".join(lines)).group(1)
    result = run("history", short)
    assert result.exit_code == 0, result.output
    assert "artwork recorded" in result.output.splitlines()[0]
    unknown = "ffffffff" if not short.startswith("f") else "00000000"
    missing = run("history", unknown)
    assert missing.exit_code == 1
    assert missing.stderr == f"archive: No item, contributor or exhibition has an id starting '{unknown}'.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("history", "no-such-slug"), "No exhibition with the slug 'no-such-slug'"),
        (("history", "00000000-0000-0000-0000-000000000000"), "Nothing is recorded"),
        (("exhibition", "silent-room", "--as-of", "2024-13-45"), "is not a date in the form YYYY-MM-DD"),
        (("exhibition", "silent-room", "--as-of", "2020-01-01"), "did not exist yet on 2020-01-01"),
        (("exhibition", "nope"), "No exhibition with the slug 'nope'"),
        (("exhibition",), "Missing argument"),
        (("frobnicate",), "No such command"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_clear_line(run, args, message):
    run("demo")
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--bogus",), "No such option '--bogus'"),
        (("frobnicate",), "No such command 'frobnicate'"),
        (("media", "frobnicate"), "No such command 'frobnicate'"),
        (("exhibition",), "Missing argument 'SLUG'"),
        (("exhibition", "silent-room", "--as-of", "2024-13-45"), "'2024-13-45' is not a date in the form YYYY-MM-DD"),
        (("exhibition", "silent-room", "--lang", "fr"), "Invalid value for '--lang'"),
        (("history", "a", "b"), "unexpected extra argument"),
    ],
)
def test_usage_errors_are_one_line_on_standard_error_with_exit_code_2(tmp_path: Path, args, message):
    result = CliRunner().invoke(cli, list(args), obj={"environ": {"ARCHIVE_DATA_DIR": str(tmp_path / "var")}}, prog_name="archive")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("archive: ") and message in lines[0]
    assert "--help'" in lines[0]  # where to read more, on the same line
    assert not (tmp_path / "var").exists()


def test_a_malformed_master_key_is_one_clear_line(run):
    result = run("init", ARCHIVE_MASTER_KEY="not base64!!")
    assert result.exit_code == 1
    assert result.output.strip().startswith("archive: ARCHIVE_MASTER_KEY")
    assert len(result.output.strip().splitlines()) == 1


def test_postgres_without_a_master_key_is_refused(run):
    result = run("init", ARCHIVE_DATABASE_URL="postgresql://u:p@127.0.0.1:1/archive")
    assert result.exit_code == 1
    assert "ARCHIVE_MASTER_KEY is required with PostgreSQL" in result.output


def test_an_unreachable_database_is_one_clear_line(run):
    key = run("new-master-key").output.strip()
    result = run("init", ARCHIVE_DATABASE_URL="postgresql://u:p@127.0.0.1:1/archive", ARCHIVE_MASTER_KEY=key)
    assert result.exit_code == 1
    assert "cannot use the PostgreSQL database" in result.output
    assert "Traceback" not in result.output


def test_rotate_master_key_replaces_the_key_file_and_keeps_content(run, tmp_path: Path):
    run("demo")
    key_file = tmp_path / "var" / "master.key"
    before = key_file.read_text()
    result = run("rotate-master-key")
    assert result.exit_code == 0, result.output
    assert re.search(r"Re-wrapped \d+ data key", result.output)
    assert key_file.read_text() != before
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "Неотправленные письма" in run("exhibition", "silent-room", "--lang", "ru").output


def test_rotate_with_an_environment_key_needs_the_new_key(run):
    key = run("new-master-key").output.strip()
    run("init", ARCHIVE_MASTER_KEY=key)
    result = run("rotate-master-key", ARCHIVE_MASTER_KEY=key)
    assert result.exit_code == 1 and "ARCHIVE_NEW_MASTER_KEY" in result.output
    new_key = run("new-master-key").output.strip()
    assert run("rotate-master-key", ARCHIVE_MASTER_KEY=key, ARCHIVE_NEW_MASTER_KEY=new_key).exit_code == 0
    assert run("init", ARCHIVE_MASTER_KEY=new_key).exit_code == 0
    assert run("init", ARCHIVE_MASTER_KEY=key).exit_code == 1


def test_fixity_passes_on_the_demo_and_reports_a_changed_or_missing_file(run, tmp_path: Path):
    run("demo")
    ok = run("fixity")
    assert ok.exit_code == 0 and "4 image(s) checked" in ok.output
    originals = sorted((tmp_path / "var" / "media").rglob("original"))
    damaged = bytearray(originals[0].read_bytes())
    damaged[100] ^= 0xFF
    originals[0].write_bytes(bytes(damaged))
    next((tmp_path / "var" / "media").rglob("thumb.webp")).unlink()
    bad = run("fixity")
    assert bad.exit_code == 1
    assert "changed (cannot be decrypted)" in bad.output
    assert "thumb.webp: missing" in bad.output
    assert "fixity: 2 problem(s) in 4 image(s)." in bad.output


#: A modification time long past (2020-01-01 UTC): older than any grace period.
LONG_AGO = 1_577_836_800


def test_media_gc_lists_orphans_and_deletes_them_only_when_asked(run, tmp_path: Path):
    run("demo")
    media = tmp_path / "var" / "media" / "items"
    stray = media / "00000000-0000-0000-0000-00000000abcd" / "00000000-0000-0000-0000-00000000ef01" / "original"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left behind by an upload whose event was never saved")
    os.utime(stray, (LONG_AGO, LONG_AGO))
    listed = run("media", "gc")
    assert listed.exit_code == 0
    assert "items/00000000-0000-0000-0000-00000000abcd/00000000-0000-0000-0000-00000000ef01/original" in listed.output
    assert "1 orphaned object(s); run with --delete" in listed.output
    assert stray.exists()
    deleted = run("media", "gc", "--delete")
    assert "Deleted 1 orphaned object(s)" in deleted.output
    assert not stray.exists()
    assert "No orphaned media objects." in run("media", "gc").output
    assert run("fixity").exit_code == 0


def test_media_gc_removes_partial_writes_of_interrupted_uploads_once_old_enough(run, tmp_path: Path):
    run("demo")
    folder = tmp_path / "var" / "media" / "items" / "00000000-0000-0000-0000-00000000abcd" / "00000000-0000-0000-0000-00000000ef01"
    folder.mkdir(parents=True)
    (folder / ".tmp-k2j4h1").write_bytes(b"the first half of a sealed original")
    os.utime(folder / ".tmp-k2j4h1", (LONG_AGO, LONG_AGO))
    (folder / ".tmp-young1").write_bytes(b"an upload of an older version, still writing")
    listed = run("media", "gc")
    assert listed.exit_code == 0, listed.output
    assert ".tmp-k2j4h1 (partial write)" in listed.output
    assert "1 partial write(s) left by interrupted uploads; run with --delete" in listed.output
    assert ".tmp-young1 (kept: too young)" in listed.output
    assert "Kept 1 partial write(s): written less than 24 h ago" in listed.output
    assert (folder / ".tmp-k2j4h1").exists()
    removed = run("media", "gc", "--delete")
    assert "Removed 1 partial write(s)" in removed.output
    assert not (folder / ".tmp-k2j4h1").exists()
    assert (folder / ".tmp-young1").exists()
    assert "(partial write)" not in run("media", "gc").output


def test_media_gc_refuses_a_grace_period_that_is_not_a_whole_number_of_hours(run):
    result = run("media", "gc", "--delete", ARCHIVE_MEDIA_GC_GRACE_HOURS="0")
    assert result.exit_code == 1
    assert "ARCHIVE_MEDIA_GC_GRACE_HOURS must be greater than zero." in result.output
    assert "whole number" in run("media", "gc", ARCHIVE_MEDIA_GC_GRACE_HOURS="1.5").output


def test_an_unknown_time_zone_is_one_clear_line(run):
    result = run("init", ARCHIVE_TIMEZONE="Mars/Olympus")
    assert result.exit_code == 1
    assert "ARCHIVE_TIMEZONE 'Mars/Olympus' is not a known time zone" in result.output


def test_follow_once_and_reindex_build_the_search_index(run, tmp_path: Path):
    run("demo")
    followed = run("follow", "--once")
    assert followed.exit_code == 0, followed.output
    assert re.search(r"Applied \d+ event\(s\); the index is at position \d+", followed.output)
    rebuilt = run("reindex")
    assert rebuilt.exit_code == 0, rebuilt.output
    # The four demo items consented online, and the published exhibition.
    assert "Rebuilt the search index: 5 document(s)" in rebuilt.output
    assert re.search(r"Rebuilt the read models: \d+ item\(s\)", rebuilt.output)
    assert (tmp_path / "var" / "search" / "current").is_symlink()


def test_media_gc_with_the_bucket_unreachable_is_one_clear_line(run):
    run("demo")
    result = run("media", "gc", ARCHIVE_S3_BUCKET="archive-media", ARCHIVE_S3_ENDPOINT_URL="http://127.0.0.1:1")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archive: "), result.output
    assert "unexpected" not in result.output


def test_serve_on_a_busy_port_says_so_in_one_line_and_never_claims_to_serve(tmp_path: Path):
    from tests.support.web_server import ROOT, serve_command

    environ = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    environ["ARCHIVE_DATA_DIR"] = str(tmp_path / "var")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        command = [*serve_command(port)]
        command.remove("--no-follow")  # nor does a follower start
        result = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Serving" not in result.stdout
    assert result.stderr == (
        f"archive: cannot serve on 127.0.0.1:{port}: the port is in use by another program; "
        "stop it, or choose another port with --port.\n"
    )
    assert not (tmp_path / "var").exists()


def test_rebuild_read_models_replays_the_log_into_the_same_rows(run, tmp_path: Path):
    run("demo")
    archive = open_archive(Settings(data_dir=tmp_path / "var"))
    try:
        before = [(s.id, s.title, s.version) for s in archive.listings.item_summaries().rows]
    finally:
        archive.close()
    result = run("rebuild-read-models")
    assert result.exit_code == 0, result.output
    assert f"Rebuilt the read models: {len(before)} item(s)" in result.output
    archive = open_archive(Settings(data_dir=tmp_path / "var"))
    try:
        assert [(s.id, s.title, s.version) for s in archive.listings.item_summaries().rows] == before
        assert before, "the demo has items"
    finally:
        archive.close()
