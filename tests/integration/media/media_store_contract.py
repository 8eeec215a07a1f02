"""The behaviour every ``MediaStore`` adapter must have, written once.

A test module subclasses ``MediaStoreContract`` (whose name does not start with ``Test``, so it
is not collected on its own) and provides a ``store`` fixture yielding an empty store.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive.media_ports.ports import MediaNotFound, MediaStore
from media_store import InvalidMediaKey

BAD_KEYS = [
    "../outside.jpg",
    "items/../../etc/passwd",
    "/etc/passwd",
    "items//double.jpg",
    "items/./here.jpg",
    "items/.hidden",
    "items/trailing/",
    "items/with space.jpg",
    "items/ünïcode.jpg",
    "items\\windows.jpg",
    "items/semi;colon",
    "",
]


class MediaStoreContract:
    """Shared behaviours; subclasses supply ``store``."""

    @pytest.fixture
    def store(self) -> MediaStore:  # pragma: no cover - always overridden
        raise NotImplementedError

    def test_what_is_put_can_be_got_back_byte_for_byte(self, store: MediaStore):
        data = bytes(range(256)) * 64
        store.put("items/a1/original.bin", data, "application/octet-stream")
        assert store.get("items/a1/original.bin") == data

    def test_empty_objects_are_stored_too(self, store: MediaStore):
        store.put("items/a1/empty", b"", "application/octet-stream")
        assert store.get("items/a1/empty") == b""
        assert store.exists("items/a1/empty")

    def test_put_replaces_what_was_there(self, store: MediaStore):
        store.put("items/a1/display.webp", b"first", "image/webp")
        store.put("items/a1/display.webp", b"second", "image/webp")
        assert store.get("items/a1/display.webp") == b"second"
        assert store.list("items/a1/") == ["items/a1/display.webp"]

    def test_getting_a_missing_key_raises_media_not_found(self, store: MediaStore):
        with pytest.raises(MediaNotFound):
            store.get("items/nothing/here.jpg")

    def test_exists_tells_stored_from_missing(self, store: MediaStore):
        store.put("items/a1/thumb.jpg", b"x", "image/jpeg")
        assert store.exists("items/a1/thumb.jpg")
        assert not store.exists("items/a1/thumb.webp")
        assert not store.exists("items/a1")

    def test_list_returns_sorted_keys_starting_with_the_prefix(self, store: MediaStore):
        for key in ["items/b/z.jpg", "items/a/large.jpg", "items/ab/x.jpg", "items/a/display.jpg", "other/k"]:
            store.put(key, b"x", "image/jpeg")
        assert store.list("items/a/") == ["items/a/display.jpg", "items/a/large.jpg"]
        assert store.list("items/a") == ["items/a/display.jpg", "items/a/large.jpg", "items/ab/x.jpg"]
        assert store.list() == sorted(
            ["items/a/display.jpg", "items/a/large.jpg", "items/ab/x.jpg", "items/b/z.jpg", "other/k"]
        )
        assert store.list("nothing/") == []

    def test_stored_objects_tell_when_each_was_written(self, store: MediaStore):
        # The store's own clock (file system, S3 server) writes the time: compared with this
        # machine's, with the one second S3 rounds to and some slack.
        before = datetime.now(timezone.utc) - timedelta(seconds=2)
        for key in ["items/b/z.jpg", "items/a/large.jpg", "other/k"]:
            store.put(key, b"x", "image/jpeg")
        after = datetime.now(timezone.utc) + timedelta(seconds=2)
        stored = store.stored_objects("items/")
        assert [s.key for s in stored] == ["items/a/large.jpg", "items/b/z.jpg"]
        assert all(before <= s.modified <= after for s in stored)
        assert store.stored_objects("nothing/") == []

    def test_delete_removes_only_that_key(self, store: MediaStore):
        store.put("items/a/thumb.jpg", b"1", "image/jpeg")
        store.put("items/a/thumb.jpg2", b"2", "image/jpeg")
        store.put("items/a/thumb.webp", b"3", "image/webp")
        store.delete("items/a/thumb.jpg")
        assert not store.exists("items/a/thumb.jpg")
        assert store.list("items/") == ["items/a/thumb.jpg2", "items/a/thumb.webp"]

    def test_deleting_a_missing_key_is_not_an_error(self, store: MediaStore):
        store.delete("items/never/stored.jpg")
        store.put("items/once/stored.jpg", b"x", "image/jpeg")
        store.delete("items/once/stored.jpg")
        store.delete("items/once/stored.jpg")
        assert store.list() == []

    def test_delete_prefix_removes_one_item_and_nothing_else(self, store: MediaStore):
        for name in ["thumb.webp", "thumb.jpg", "display.webp", "large.jpg"]:
            store.put(f"items/doomed/{name}", b"x", "image/webp")
        store.put("items/doomed-neighbour/thumb.webp", b"keep", "image/webp")
        store.put("items/kept/thumb.webp", b"keep", "image/webp")

        store.delete_prefix("items/doomed/")

        assert store.list("items/doomed/") == []
        assert store.list() == ["items/doomed-neighbour/thumb.webp", "items/kept/thumb.webp"]
        store.delete_prefix("items/doomed/")  # again: nothing left, still fine

    def test_delete_prefix_refuses_to_wipe_the_whole_store(self, store: MediaStore):
        store.put("items/a/thumb.jpg", b"x", "image/jpeg")
        with pytest.raises(InvalidMediaKey):
            store.delete_prefix("")
        assert store.exists("items/a/thumb.jpg")

    def test_unsafe_keys_are_refused_everywhere(self, store: MediaStore):
        for key in BAD_KEYS:
            with pytest.raises(InvalidMediaKey):
                store.put(key, b"x", "image/jpeg")
            with pytest.raises(InvalidMediaKey):
                store.get(key)
            with pytest.raises(InvalidMediaKey):
                store.delete(key)
            with pytest.raises(InvalidMediaKey):
                store.exists(key)
        assert store.list() == []

    def test_unsafe_prefixes_are_refused(self, store: MediaStore):
        for prefix in ["../", "/items/", "items//", "items/../", "items/ x"]:
            with pytest.raises(InvalidMediaKey):
                store.list(prefix)
            with pytest.raises(InvalidMediaKey):
                store.delete_prefix(prefix)
