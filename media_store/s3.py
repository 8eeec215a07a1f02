"""A ``MediaStore`` on an S3 bucket (AWS or any S3-compatible server), through boto3.

Credentials come from boto3's usual chain (environment, shared config, instance role);
nothing here reads them. The bucket may be versioned: ``delete`` and ``delete_prefix`` remove
every version and every delete marker, so a withdrawn item leaves nothing recoverable behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from archive.media_ports.ports import MediaNotFound, MediaStore, MediaStoreUnavailable, StoredObject
from media_store.keys import validate_deletable_prefix, validate_key, validate_prefix

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchVersion"})
_NO_BUCKET_CODES = frozenset({"404", "NoSuchBucket", "NotFound"})
_DELETE_BATCH = 1000  # the most keys one DeleteObjects request accepts
_PURGE_ROUNDS = 5  # re-list after deleting, in case a version was added meanwhile


class S3MediaStore(MediaStore):
    """Objects in ``bucket``; any network or S3 failure becomes ``MediaStoreUnavailable``.

    ``client`` lets a caller pass a ready boto3 S3 client (tests, custom sessions); otherwise
    one is built with short timeouts and few attempts (``max_attempts`` counts the first try)
    so that an unreachable or stalled storage fails fast instead of hanging a request: by
    default one call gives up within 2 x (3 + 10) = 26 s, before a gunicorn worker's 30 s
    time-out.
    """

    def __init__(
        self,
        bucket: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
        connect_timeout: float = 3,
        max_attempts: int = 2,
        read_timeout: float = 10,
    ) -> None:
        self._bucket = bucket
        if client is None:
            config = Config(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"total_max_attempts": max(1, max_attempts), "mode": "standard"},
            )
            client = _new_session().client(
                "s3", region_name=region, endpoint_url=endpoint_url, config=config
            )
        self._client = client

    @property
    def bucket(self) -> str:
        """The bucket name."""
        return self._bucket

    def ensure_bucket(self, *, versioning: bool = False) -> None:
        """Create the bucket if it does not exist; turn versioning on only if ``versioning``."""
        with self._translated("check bucket"):
            try:
                self._client.head_bucket(Bucket=self._bucket)
            except ClientError as exc:
                if _code(exc) not in _NO_BUCKET_CODES:
                    raise
                self._create_bucket()
            if versioning:
                self._client.put_bucket_versioning(
                    Bucket=self._bucket, VersioningConfiguration={"Status": "Enabled"}
                )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload ``data`` under ``key`` (a single PUT, so readers see old or new, never half)."""
        validate_key(key)
        with self._translated("write", key):
            self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=content_type
            )

    def get(self, key: str) -> bytes:
        """Download the current version of ``key``; raise ``MediaNotFound`` if there is none."""
        validate_key(key)
        with self._translated("read", key):
            try:
                response = self._client.get_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if _code(exc) in _NOT_FOUND_CODES:
                    raise MediaNotFound(f"No media stored under {key!r}.") from None
                raise
            with response["Body"] as body:
                return body.read()

    def delete(self, key: str) -> None:
        """Remove every version and delete marker of exactly ``key``; missing keys are fine."""
        validate_key(key)
        self._purge(key, exact=True)

    def exists(self, key: str) -> bool:
        """Tell whether ``key`` has a current version (a delete marker on top counts as absent)."""
        validate_key(key)
        with self._translated("check", key):
            try:
                self._client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if _code(exc) in _NOT_FOUND_CODES:
                    return False
                raise
        return True

    def list(self, prefix: str = "") -> list[str]:
        """Return the keys with a current version that start with ``prefix``, sorted."""
        return [stored.key for stored in self.stored_objects(prefix)]

    def stored_objects(self, prefix: str = "") -> list[StoredObject]:
        """The keys with a current version that start with ``prefix``, sorted, each with its
        ``LastModified`` (when the S3 server began storing that version)."""
        validate_prefix(prefix)
        found: list[StoredObject] = []
        with self._translated("list", prefix):
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                found.extend(StoredObject(obj["Key"], obj["LastModified"]) for obj in page.get("Contents", ()))
        return sorted(found, key=lambda stored: stored.key)

    def delete_prefix(self, prefix: str) -> None:
        """Remove every version and delete marker of every key starting with ``prefix``."""
        validate_deletable_prefix(prefix)
        self._purge(prefix, exact=False)

    # -- helpers ---------------------------------------------------------------------------

    def _create_bucket(self) -> None:
        region = self._client.meta.region_name
        kwargs: dict[str, Any] = {"Bucket": self._bucket}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._client.create_bucket(**kwargs)
        except ClientError as exc:
            if _code(exc) != "BucketAlreadyOwnedByYou":
                raise

    def _purge(self, prefix: str, *, exact: bool) -> None:
        """Delete all versions/markers under ``prefix`` (only ``Key == prefix`` if ``exact``).

        Deletes stream page by page in batches of up to 1000, then lists again to confirm that
        nothing is left (a concurrent upload may have added a version meanwhile).
        """
        with self._translated("delete", prefix):
            for _ in range(_PURGE_ROUNDS):
                deleted = 0
                for batch in _batches(self._versions(prefix, exact=exact), _DELETE_BATCH):
                    self._delete_batch(batch)
                    deleted += len(batch)
                if deleted == 0:
                    return
            if any(True for _ in self._versions(prefix, exact=exact)):
                raise MediaStoreUnavailable(
                    "S3 bucket %(bucket)r: versions under %(prefix)r keep reappearing; "
                    "deletion is incomplete.",
                    bucket=self._bucket,
                    prefix=prefix,
                )

    def _versions(self, prefix: str, *, exact: bool) -> Iterator[dict[str, str]]:
        paginator = self._client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            for entry in (*page.get("Versions", ()), *page.get("DeleteMarkers", ())):
                if exact and entry["Key"] != prefix:
                    continue
                yield {"Key": entry["Key"], "VersionId": entry.get("VersionId") or "null"}

    def _delete_batch(self, batch: list[dict[str, str]]) -> None:
        response = self._client.delete_objects(
            Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True}
        )
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise MediaStoreUnavailable(
                f"S3 bucket {self._bucket!r} refused to delete {len(errors)} object version(s), "
                f"e.g. {first.get('Key')!r}: {first.get('Code', 'unknown error')}."
            )

    def _translated(self, action: str, key: str = "") -> _Translate:
        return _Translate(self._bucket, action, key)


class _Translate:
    """Context manager turning boto3/botocore failures into one-line ``MediaStoreUnavailable``."""

    def __init__(self, bucket: str, action: str, key: str) -> None:
        self._where = f"S3 bucket {bucket!r} ({action}{f' {key!r}' if key else ''})"

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, (MediaStoreUnavailable, MediaNotFound)):
            return False
        if isinstance(exc, ClientError):
            raise MediaStoreUnavailable(
                f"Media storage refused the request: {self._where}: {_code(exc) or 'error'}."
            ) from exc
        if isinstance(exc, NoCredentialsError):
            raise MediaStoreUnavailable(
                f"Media storage is unavailable: {self._where}: no AWS credentials were found."
            ) from exc
        if isinstance(exc, BotoCoreError):
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise MediaStoreUnavailable(
                f"Media storage is unavailable: {self._where}: {reason}"
            ) from exc
        return False


@lru_cache(maxsize=1)
def _shared_loader() -> botocore.loaders.Loader:
    """botocore's parsed service models, shared: read-only data that is slow to load."""
    return botocore.loaders.create_loader()


def _new_session() -> boto3.session.Session:
    """A private session (own credential resolution, no global state) with a shared model cache."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _shared_loader())
    return boto3.session.Session(botocore_session=core)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _batches(items: Iterable[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    batch: list[dict[str, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
