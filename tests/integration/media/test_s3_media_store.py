"""``S3MediaStore`` against the shared contract, on moto in-process and on moto over real HTTP.

Buckets are versioned unless a test says otherwise: deleting must leave no version and no
delete marker behind, or a withdrawn testimony could be restored by anyone with bucket access.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from media_store_contract import MediaStoreContract
from moto import mock_aws

from archive.media_ports.ports import MediaNotFound, MediaStoreUnavailable
from media_store import S3MediaStore

FAKE_SECRET = "fake-secret-key-that-must-never-appear-in-messages"
REGION = "eu-central-1"


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)




def _bucket_name() -> str:
    return f"media-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["moto-in-process", "moto-over-http"])
def versioned_store(request: pytest.FixtureRequest, fake_aws_credentials) -> Iterator[S3MediaStore]:
    """An empty versioned bucket, on either flavour of moto."""
    if request.param == "moto-in-process":
        with mock_aws():
            store = S3MediaStore(_bucket_name(), region=REGION)
            store.ensure_bucket(versioning=True)
            yield store
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
        store = S3MediaStore(_bucket_name(), region=REGION, endpoint_url=endpoint)
        store.ensure_bucket(versioning=True)
        yield store


@pytest.fixture
def raw_client(versioned_store: S3MediaStore):
    return versioned_store._client  # the same client, to inspect versions behind the port


class TestS3MediaStoreContract(MediaStoreContract):
    @pytest.fixture
    def store(self, versioned_store: S3MediaStore) -> S3MediaStore:
        return versioned_store


class TestUnversionedS3MediaStoreContract(MediaStoreContract):
    @pytest.fixture
    def store(self, fake_aws_credentials) -> Iterator[S3MediaStore]:
        with mock_aws():
            store = S3MediaStore(_bucket_name(), region=REGION)
            store.ensure_bucket()
            yield store


def _versions(client, bucket: str, prefix: str) -> tuple[list, list]:
    listing = client.list_object_versions(Bucket=bucket, Prefix=prefix)
    return listing.get("Versions", []), listing.get("DeleteMarkers", [])


def test_delete_prefix_leaves_no_version_and_no_delete_marker(versioned_store, raw_client):
    store, bucket = versioned_store, versioned_store.bucket
    prefix = "items/withdrawn/"
    store.put(f"{prefix}display.webp", b"version 1", "image/webp")
    store.put(f"{prefix}display.webp", b"version 2", "image/webp")
    store.put(f"{prefix}thumb.jpg", b"thumb", "image/jpeg")
    raw_client.delete_object(Bucket=bucket, Key=f"{prefix}thumb.jpg")  # leaves a delete marker
    store.put("items/withdrawn-not/display.webp", b"other item", "image/webp")
    versions, markers = _versions(raw_client, bucket, prefix)
    assert len(versions) == 3 and len(markers) == 1  # precondition: history exists

    store.delete_prefix(prefix)

    versions, markers = _versions(raw_client, bucket, prefix)
    assert versions == [] and markers == []
    assert store.get("items/withdrawn-not/display.webp") == b"other item"


def test_delete_removes_every_version_of_exactly_that_key(versioned_store, raw_client):
    store, bucket = versioned_store, versioned_store.bucket
    for body in (b"1", b"2", b"3"):
        store.put("items/a/large.jpg", body, "image/jpeg")
    store.put("items/a/large.jpg.bak", b"neighbour", "image/jpeg")
    raw_client.delete_object(Bucket=bucket, Key="items/a/large.jpg")
    raw_client.put_object(Bucket=bucket, Key="items/a/large.jpg", Body=b"4")

    store.delete("items/a/large.jpg")

    versions, markers = _versions(raw_client, bucket, "items/a/large.jpg")
    assert [v["Key"] for v in versions] == ["items/a/large.jpg.bak"] and markers == []
    with pytest.raises(MediaNotFound):
        store.get("items/a/large.jpg")


def test_put_records_the_content_type(versioned_store, raw_client):
    versioned_store.put("items/a/thumb.webp", b"x", "image/webp")
    head = raw_client.head_object(Bucket=versioned_store.bucket, Key="items/a/thumb.webp")
    assert head["ContentType"] == "image/webp"


def test_delete_prefix_sends_bounded_batches_until_nothing_is_left(versioned_store, raw_client, monkeypatch):
    import media_store.s3 as s3_module

    assert s3_module._DELETE_BATCH == 1000  # S3's limit per DeleteObjects request
    monkeypatch.setattr(s3_module, "_DELETE_BATCH", 4)  # so that a few versions need many batches
    batch_sizes: list[int] = []
    real_delete_objects = raw_client.delete_objects

    def spying_delete_objects(**kwargs):
        batch_sizes.append(len(kwargs["Delete"]["Objects"]))
        return real_delete_objects(**kwargs)

    monkeypatch.setattr(raw_client, "delete_objects", spying_delete_objects)
    for i in range(11):
        versioned_store.put(f"items/big/{i % 3}.jpg", b"v%d" % i, "image/jpeg")

    versioned_store.delete_prefix("items/big/")

    assert _versions(raw_client, versioned_store.bucket, "items/big/") == ([], [])
    assert sum(batch_sizes) == 11 and max(batch_sizes) <= 4 and len(batch_sizes) >= 3


def test_ensure_bucket_creates_once_and_turns_versioning_on_only_when_asked(fake_aws_credentials):
    with mock_aws():
        plain = S3MediaStore("plain-bucket", region=REGION)
        plain.ensure_bucket()
        plain.ensure_bucket()
        assert "Status" not in plain._client.get_bucket_versioning(Bucket="plain-bucket")

        versioned = S3MediaStore("versioned-bucket", region=REGION)
        versioned.ensure_bucket(versioning=True)
        status = versioned._client.get_bucket_versioning(Bucket="versioned-bucket")["Status"]
        assert status == "Enabled"


def test_a_missing_bucket_makes_the_store_unavailable(fake_aws_credentials):
    with mock_aws():
        store = S3MediaStore("no-such-bucket-here", region=REGION)
        with pytest.raises(MediaStoreUnavailable, match="NoSuchBucket") as failure:
            store.put("items/a/thumb.jpg", b"x", "image/jpeg")
    _assert_one_clean_line(str(failure.value))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _assert_one_clean_line(message: str) -> None:
    assert message and "\n" not in message
    assert "Traceback" not in message
    assert FAKE_SECRET not in message and "AKIAFAKE" not in message


def test_unreachable_storage_fails_fast_with_a_clear_message():
    store = S3MediaStore(
        "media", region=REGION, endpoint_url=f"http://127.0.0.1:{_closed_port()}", connect_timeout=1
    )
    started = time.monotonic()
    with pytest.raises(MediaStoreUnavailable) as failure:
        store.put("items/a/thumb.jpg", b"x", "image/jpeg")
    assert time.monotonic() - started < 5
    _assert_one_clean_line(str(failure.value))
    assert "Could not connect" in str(failure.value)

    store = S3MediaStore(
        "media", endpoint_url=f"http://127.0.0.1:{_closed_port()}", connect_timeout=1, max_attempts=1
    )
    for attempt in (
        lambda: store.get("items/a/thumb.jpg"),
        lambda: store.exists("items/a/thumb.jpg"),
        lambda: store.list("items/"),
        lambda: store.delete("items/a/thumb.jpg"),
        lambda: store.delete_prefix("items/a/"),
        lambda: store.ensure_bucket(),
    ):
        with pytest.raises(MediaStoreUnavailable):
            attempt()


def test_storage_that_accepts_but_never_answers_times_out_as_unavailable():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing ever replies
    port = silent.getsockname()[1]
    store = S3MediaStore(
        "media",
        region=REGION,
        endpoint_url=f"http://127.0.0.1:{port}",
        connect_timeout=1,
        read_timeout=0.5,
        max_attempts=1,
    )
    try:
        started = time.monotonic()
        with pytest.raises(MediaStoreUnavailable) as failure:
            store.get("items/a/thumb.jpg")
        assert time.monotonic() - started < 5
        _assert_one_clean_line(str(failure.value))
        assert "timeout" in str(failure.value).lower()
    finally:
        silent.close()


def test_missing_credentials_make_the_store_unavailable(monkeypatch, moto_endpoint):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = S3MediaStore("media", region=REGION, endpoint_url=moto_endpoint)
    with pytest.raises(MediaStoreUnavailable, match="no AWS credentials") as failure:
        store.put("items/a/thumb.jpg", b"x", "image/jpeg")
    _assert_one_clean_line(str(failure.value))


def test_concurrent_puts_to_one_key_leave_one_whole_value(versioned_store):
    bodies = [bytes([i]) * 50_000 for i in range(6)]
    threads = [
        threading.Thread(target=versioned_store.put, args=("items/a/large.jpg", body, "image/jpeg"))
        for body in bodies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert versioned_store.get("items/a/large.jpg") in bodies
    versioned_store.delete("items/a/large.jpg")
    assert not versioned_store.exists("items/a/large.jpg")
