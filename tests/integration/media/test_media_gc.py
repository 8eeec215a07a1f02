"""``archive media gc`` beside uploads: it never deletes what an upload in progress still needs.

An upload stores its files a moment before its event is saved. Each test runs on the local
folder and on an S3 bucket (moto over HTTP), through the real command. Object times come from
the store (file times, ``LastModified``), so a test moves the archive's clock forward instead
of waiting: relative to now, never a fixed hour of the day.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive.services.application import ExhibitionArchive
from archive.config import Settings
from domain import clock
from web.bootstrap import open_archive
from web.cli import cli
from media_store import S3MediaStore, make_sample_photo
from tests.conftest import CURATOR

REGION = "eu-central-1"
ALT = {"en": "Envelopes on a table"}
PHOTO = make_sample_photo(11, size=(900, 600), title="Racing upload")
PERSON = "Aigerim Racing-Upload"
STRAY = "items/00000000-0000-0000-0000-00000000abcd/00000000-0000-0000-0000-00000000ef01/original"


class _Crash(BaseException):
    """The process dies here: nothing after this line of the upload runs."""


@pytest.fixture(params=["local", "s3"])
def environ(request: pytest.FixtureRequest, tmp_path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    environ = {"ARCHIVE_DATA_DIR": str(tmp_path / "var")}
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        for name, value in {
            "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE",
            "AWS_SECRET_ACCESS_KEY": "fake-secret",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            monkeypatch.setenv(name, value)
        bucket = f"gc-{uuid.uuid4().hex[:12]}"
        S3MediaStore(bucket, region=REGION, endpoint_url=endpoint).ensure_bucket(versioning=True)
        environ.update(ARCHIVE_S3_BUCKET=bucket, ARCHIVE_S3_ENDPOINT_URL=endpoint, ARCHIVE_S3_REGION=REGION)
    return environ


@pytest.fixture
def archive(environ: dict[str, str]) -> Iterator[ExhibitionArchive]:
    """The archive of the process that uploads (the command opens its own)."""
    opened = open_archive(Settings.from_environ(environ))
    yield opened
    opened.close()


def _gc(environ: dict[str, str], *args: str, hours_later: float = 0, **extra_env: str) -> Result:
    with clock.fixed_at(datetime.now(timezone.utc) + timedelta(hours=hours_later)):
        result = CliRunner().invoke(cli, ["media", "gc", *args], obj={"environ": {**environ, **extra_env}})
    assert result.exit_code == 0, result.output
    return result


def _artwork(archive: ExhibitionArchive) -> uuid.UUID:
    contributor = archive.contributors.register_contributor(name=PERSON, actor=CURATOR)
    return archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Letters"})


def _upload_in_thread(archive: ExhibitionArchive, item: uuid.UUID, monkeypatch) -> tuple[threading.Thread, threading.Event, dict[str, Any]]:
    """Start an upload that pauses once its files are stored, before its event is saved;
    it goes on when the returned event is set."""
    stored, resume, outcome = threading.Event(), threading.Event(), {}
    save = archive.save

    def save_when_resumed(*aggregates: Any, **kwargs: Any) -> Any:
        stored.set()
        assert resume.wait(60), "the test never resumed the upload"
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(archive, "save", save_when_resumed)

    def upload() -> None:
        try:
            outcome["image"] = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            outcome["error"] = error

    thread = threading.Thread(target=upload, name="racing-upload")
    thread.start()
    assert stored.wait(60), "the upload never stored its files"
    return thread, resume, outcome


def test_gc_racing_an_upload_keeps_its_files_and_the_upload_completes(environ, archive, monkeypatch):
    item = _artwork(archive)
    thread, resume, outcome = _upload_in_thread(archive, item, monkeypatch)
    try:
        files = archive.media.list(f"items/{item}/")
        assert len(files) == 7  # the sealed original and six derivatives, no event yet

        at_once = _gc(environ, "--delete")  # the default grace period
        later = _gc(environ, "--delete", hours_later=3, ARCHIVE_MEDIA_GC_GRACE_HOURS="1")  # only the note
    finally:
        resume.set()
        thread.join(60)

    assert "error" not in outcome, outcome
    assert archive.media.list(f"items/{item}/") == files
    for key in files:
        assert f"{key} (kept: too young)" in at_once.output
        assert f"{key} (kept: upload in progress)" in later.output
    assert "Kept 7 object(s) no event refers to yet" in later.output
    assert "Deleted" not in at_once.output + later.output
    assert PERSON not in at_once.output + later.output
    image = archive.item_images.image_for_curator(item, outcome["image"], "display", "webp")
    assert image.data[:4] == b"RIFF"
    after = _gc(environ, "--delete", hours_later=48)
    assert "No orphaned media objects." in after.output and "kept" not in after.output
    assert archive.media.list(f"items/{item}/") == files


def test_an_orphan_older_than_the_grace_period_is_still_deleted(environ, archive):
    archive.media.put(STRAY, b"left by an upload whose event was never saved", "application/octet-stream")

    young = _gc(environ, "--delete")
    assert f"{STRAY} (kept: too young)" in young.output
    assert "Kept 1 object(s) no event refers to yet: written less than 24 h ago" in young.output
    assert archive.media.exists(STRAY)

    listed = _gc(environ, hours_later=25)
    assert "1 orphaned object(s); run with --delete" in listed.output and "kept" not in listed.output
    assert archive.media.exists(STRAY)
    deleted = _gc(environ, "--delete", hours_later=25)
    assert f"{STRAY}\nDeleted 1 orphaned object(s)" in deleted.output
    assert not archive.media.exists(STRAY)


def test_the_files_of_a_crashed_upload_are_collected_once_its_note_has_expired(environ, archive):
    item = _artwork(archive)

    def crash(*aggregates: Any, **kwargs: Any) -> None:
        raise _Crash()

    # The process dies after storing the files: it neither removes them nor clears its note.
    with pytest.MonkeyPatch.context() as dying:
        dying.setattr(archive, "save", crash)
        dying.setattr(archive.item_images, "_remove_quietly", lambda keys: None)
        dying.setattr(archive.keys, "uploads_finished", lambda *image_ids: None, raising=False)
        with pytest.raises(_Crash):
            archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    files = archive.media.list(f"items/{item}/")
    assert len(files) == 7

    hour_later = _gc(environ, "--delete", hours_later=1.5, ARCHIVE_MEDIA_GC_GRACE_HOURS="1")
    assert f"{files[0]} (kept: upload in progress)" in hour_later.output
    assert archive.media.list(f"items/{item}/") == files

    day_later = _gc(environ, "--delete", hours_later=25, ARCHIVE_MEDIA_GC_GRACE_HOURS="1")
    assert "Deleted 7 orphaned object(s)" in day_later.output
    assert archive.media.list(f"items/{item}/") == []
    assert archive.keys.uploads_in_progress(datetime.min.replace(tzinfo=timezone.utc)) == set()
    assert archive.get_item(item).images == {}
