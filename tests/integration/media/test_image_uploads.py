"""Uploading images to items: sealed storage, order of writes, consent-gated access."""

from __future__ import annotations

import io
import socket
import time
import uuid
from datetime import date, datetime, timezone

import pytest
from PIL import Image

from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from archive.errors import ConcurrentChange, NotFound
from archive.media_ports.ports import ImageRejected, MediaStoreUnavailable
from domain import clock
from domain.errors import ItemWithdrawn
from domain.images import ImageFacts
from media_store import PillowImagePipeline, S3MediaStore, make_sample_photo
from tests.conftest import CURATOR
from tests.fakes import InMemoryMediaStore, in_memory_archive

ONLINE = ["exhibit", "publish_online"]
ALT = {"en": "Envelopes on a table", "ru": "Конверты на столе"}


def _archive(media) -> ExhibitionArchive:
    return in_memory_archive(
        media=media,
        images=PillowImagePipeline(max_upload_bytes=5 * 1024 * 1024),
    )


def _artwork(archive: ExhibitionArchive, **consent):
    contributor = archive.contributors.register_contributor(name="Photo Person", actor=CURATOR)
    item = archive.cataloguing.record_artwork(contributor_id=contributor, actor=CURATOR, title={"en": "Letters"})
    if consent:
        archive.consent.record_consent(item, actor=CURATOR, text_version="v1", **consent)
    return item


@pytest.fixture
def media() -> InMemoryMediaStore:
    return InMemoryMediaStore()


@pytest.fixture
def archive(media) -> ExhibitionArchive:
    return _archive(media)


PHOTO = make_sample_photo(7, size=(900, 600), title="Upload test")


def test_an_upload_stores_sealed_files_and_records_their_facts(archive, media):
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    image_id = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    keys = media.list(f"items/{item}/{image_id}/")
    assert len(keys) == 7 and f"items/{item}/{image_id}/original" in keys
    for key in keys:
        stored = media.objects[key]
        assert b"Exif" not in stored and b"GPS" not in stored and b"JFIF" not in stored and b"WEBP" not in stored
        assert PHOTO not in stored
    facts = archive.get_item(item).image_facts(str(image_id))
    assert facts.original is not None and facts.original.byte_size == len(PHOTO)
    assert (facts.original.width, facts.original.height) == (900, 600)
    assert {(r.name, r.format) for r in facts.renditions} == {
        (n, f) for n in ("thumb", "display", "large") for f in ("webp", "jpeg")
    }


def test_an_uploads_facts_are_recorded_in_the_plain_form_events_always_held(archive):
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    image_id = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)

    stored = archive.get_item(item).images[str(image_id)].value["media"]
    assert list(stored) == ["original", "derivatives"]
    assert list(stored["original"]) == ["sha256", "byte_size", "format", "width", "height"]
    assert [list(d) for d in stored["derivatives"]] == [["name", "format", "width", "height", "byte_size"]] * 6
    assert ImageFacts.from_plain(stored).plain() == stored


def test_a_visitor_gets_a_clean_derivative_while_consent_allows(archive):
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    image_id = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    served = archive.item_images.image_for_visitor(item, image_id, "thumb", "jpeg")
    assert served.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) == 400 and not image.getexif()
    assert b"GPS" not in served.data and b"Exif" not in served.data


@pytest.mark.parametrize(
    "consent",
    [
        {},
        {"scopes": ["exhibit"], "attribution": "named"},
        {"scopes": ONLINE, "attribution": "named", "expires_on": date(2024, 6, 1)},
    ],
    ids=["no consent", "not online", "expired"],
)
def test_a_visitor_gets_nothing_when_consent_does_not_allow(archive, consent):
    with clock.fixed_at(datetime(2024, 1, 1, tzinfo=timezone.utc)):
        item = _artwork(archive, **consent)
        image_id = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    with pytest.raises(NotFound):
        archive.item_images.image_for_visitor(item, image_id, "thumb", "jpeg")


def test_originals_unknown_renditions_and_ids_are_never_served(archive):
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    image_id = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    for name, fmt in (("original", "jpeg"), ("thumb", "png"), ("../original", "jpeg")):
        with pytest.raises(NotFound):
            archive.item_images.image_for_visitor(item, image_id, name, fmt)
    with pytest.raises(NotFound):
        archive.item_images.image_for_visitor(item, uuid.uuid4(), "thumb", "jpeg")
    with pytest.raises(NotFound):
        archive.item_images.image_for_visitor(uuid.uuid4(), image_id, "thumb", "jpeg")


def test_withdrawal_removes_the_items_media_and_access(archive, media):
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    image_id = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    archive.consent.withdraw(item, actor=CURATOR)
    assert media.list(f"items/{item}/") == []
    with pytest.raises(NotFound):
        archive.item_images.image_for_visitor(item, image_id, "thumb", "jpeg")
    with pytest.raises(ItemWithdrawn):
        archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Accepted formats are JPEG, PNG, WebP, TIFF and GIF"),
        (b"just some text, not a picture", "Accepted formats are JPEG, PNG, WebP, TIFF and GIF"),
        (PHOTO[: len(PHOTO) // 2], "damaged or incomplete"),
        (PHOTO + b"\0" * (5 * 1024 * 1024), "5 MB"),
    ],
    ids=["empty", "text", "truncated", "too large"],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored_or_recorded(archive, media, data, message):
    item = _artwork(archive)
    version = archive.get_item(item).version
    with pytest.raises(ImageRejected, match=message):
        archive.item_images.upload_image(item, data, actor=CURATOR, alt_text=ALT)
    assert media.objects == {}
    assert archive.get_item(item).version == version


def test_an_upload_without_alt_text_is_refused_before_any_work(archive, media):
    item = _artwork(archive)
    with pytest.raises(Exception, match="Alt text is required"):
        archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text={"en": "  "})
    assert media.objects == {}


def test_storage_down_fails_clearly_with_no_event_and_no_orphan(archive, media):
    item = _artwork(archive)
    version = archive.get_item(item).version
    media.unavailable = True
    with pytest.raises(MediaStoreUnavailable):
        archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    media.unavailable = False
    assert media.objects == {}
    assert archive.get_item(item).version == version


def test_stored_files_are_removed_when_the_event_cannot_be_saved(archive, media, monkeypatch):
    item = _artwork(archive)

    def conflict(*aggregates):
        raise ConcurrentChange("Someone else changed this record at the same time.")

    monkeypatch.setattr(archive, "_save", conflict)
    with pytest.raises(ConcurrentChange):
        archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    assert media.objects == {}



EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("outcome", ["saved", "failed"])
def test_every_upload_is_noted_as_in_progress_until_its_event_is_saved_or_it_failed(archive, monkeypatch, outcome):
    contributor = archive.contributors.register_contributor(name="Photo Person", actor=CURATOR)
    item = _artwork(archive)
    noted_while_saving = []
    save = archive.save

    def save_and_look(*aggregates, **kwargs):
        noted_while_saving.append(archive.keys.uploads_in_progress(EARLIEST))
        if outcome == "failed":
            raise ConcurrentChange("Someone else changed this record at the same time.")
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(archive, "save", save_and_look)
    try:
        image = archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
        _, images = archive.item_images.record_artwork_with_images(
            contributor_id=contributor, actor=CURATOR, title={"en": "Two"},
            images=[NewImage(PHOTO, ALT), NewImage(PHOTO, ALT)],
        )
        assert noted_while_saving == [{image}, set(images)]
    except ConcurrentChange:
        assert outcome == "failed" and len(noted_while_saving) == 1 and len(noted_while_saving[0]) == 1
    assert archive.keys.uploads_in_progress(EARLIEST) == set()
    assert archive.keys.abandoned_uploads(datetime.max.replace(tzinfo=timezone.utc)) == []




@pytest.fixture
def aws_credentials(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_on_a_versioned_bucket_over_http_withdrawal_leaves_no_version(moto_endpoint, aws_credentials):
    store = S3MediaStore(f"archive-{uuid.uuid4().hex[:10]}", region="eu-central-1", endpoint_url=moto_endpoint)
    store.ensure_bucket(versioning=True)
    archive = _archive(store)
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    client = store._client
    listed = client.list_object_versions(Bucket=store.bucket, Prefix=f"items/{item}/")
    assert len(listed.get("Versions", [])) == 14
    archive.consent.withdraw(item, actor=CURATOR)
    listed = client.list_object_versions(Bucket=store.bucket, Prefix=f"items/{item}/")
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []


def test_a_withdrawal_answers_at_once_while_the_bucket_stalls_and_its_versions_go_when_it_answers(
    moto_endpoint, aws_credentials
):
    bucket = f"archive-{uuid.uuid4().hex[:10]}"
    store = S3MediaStore(bucket, region="eu-central-1", endpoint_url=moto_endpoint)
    store.ensure_bucket(versioning=True)
    archive = _archive(store)
    item = _artwork(archive, scopes=ONLINE, attribution="named")
    archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    with socket.socket() as silent:  # accepts connections, never answers: a stalled bucket
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        archive.media = S3MediaStore(
            bucket, region="eu-central-1", endpoint_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
            connect_timeout=1, read_timeout=6, max_attempts=1,
        )
        started = time.monotonic()
        archive.consent.withdraw(item, actor=CURATOR)
        assert time.monotonic() - started < 4, "the answer does not wait for the bucket"
        assert not archive.keys.exists(item)
        assert archive.consent.media_removal_pending([item])

    archive.media = store  # the bucket answers again: the follower's retry deletes every version
    assert archive.consent.delete_pending_media() == 0
    listed = store._client.list_object_versions(Bucket=bucket, Prefix=f"items/{item}/")
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []
    assert not archive.consent.media_removal_pending([item])


def test_an_s3_store_built_by_default_gives_up_on_a_request_well_before_a_worker_time_out(aws_credentials):
    config = S3MediaStore("media", region="eu-central-1")._client.meta.config
    attempts = config.retries["total_max_attempts"]
    assert attempts * (config.connect_timeout + config.read_timeout) < 30  # gunicorn's default


def test_an_unreachable_bucket_fails_the_upload_with_no_event(aws_credentials):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    store = S3MediaStore("nowhere", region="eu-central-1", endpoint_url=f"http://127.0.0.1:{closed_port}")
    archive = _archive(store)
    item = _artwork(archive)
    version = archive.get_item(item).version
    with pytest.raises(MediaStoreUnavailable):
        archive.item_images.upload_image(item, PHOTO, actor=CURATOR, alt_text=ALT)
    assert archive.get_item(item).version == version
