"""``LocalMediaStore`` against the shared contract, plus what only a folder on disk can get wrong."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from media_store_contract import MediaStoreContract

from archive.media_ports.ports import MediaStoreUnavailable
from media_store import InvalidMediaKey, LocalMediaStore


class TestLocalMediaStoreContract(MediaStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> LocalMediaStore:
        return LocalMediaStore(tmp_path / "media")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_to_the_owner(tmp_path: Path):
    store = LocalMediaStore(tmp_path / "media")
    old_umask = os.umask(0o000)  # even a permissive umask must not widen access
    try:
        store.put("items/a1/display.webp", b"x", "image/webp")
    finally:
        os.umask(old_umask)
    assert _mode(tmp_path / "media/items/a1/display.webp") == 0o600
    assert _mode(tmp_path / "media/items/a1") == 0o700
    assert _mode(tmp_path / "media/items") == 0o700
    assert _mode(tmp_path / "media") == 0o700


def test_delete_prunes_emptied_folders_but_keeps_the_root_and_busy_folders(tmp_path: Path):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    store.put("items/a1/thumb.jpg", b"x", "image/jpeg")
    store.put("items/b2/thumb.jpg", b"x", "image/jpeg")

    store.delete("items/a1/thumb.jpg")
    assert not (root / "items/a1").exists()
    assert (root / "items/b2").is_dir()

    store.delete_prefix("items/b2/")
    assert not (root / "items").exists()
    assert root.is_dir()


def test_writes_leave_no_temporary_files_behind(tmp_path: Path):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    for i in range(3):
        store.put("items/a1/large.jpg", bytes([i]) * 1000, "image/jpeg")
    assert sorted(p.name for p in (root / "items/a1").iterdir()) == ["large.jpg"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    store.put("items/a1/large.jpg", b"old", "image/jpeg")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(MediaStoreUnavailable, match="No space left on device"):
        store.put("items/a1/large.jpg", b"new", "image/jpeg")
    monkeypatch.undo()

    assert store.get("items/a1/large.jpg") == b"old"
    assert sorted(p.name for p in (root / "items/a1").iterdir()) == ["large.jpg"]


def test_path_traversal_cannot_reach_outside_the_root(tmp_path: Path):
    store = LocalMediaStore(tmp_path / "media")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not touch")
    for key in ["../secret.txt", "items/../../secret.txt", str(secret), "items/%2e%2e/secret.txt"]:
        with pytest.raises(InvalidMediaKey):
            store.put(key, b"overwritten", "text/plain")
        with pytest.raises(InvalidMediaKey):
            store.delete(key)
    assert secret.read_text() == "do not touch"


def test_list_ignores_stray_hidden_files(tmp_path: Path):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    store.put("items/a1/thumb.jpg", b"x", "image/jpeg")
    (root / "items/a1/.tmp-crashed").write_bytes(b"half")
    assert store.list() == ["items/a1/thumb.jpg"]


def test_an_unusable_root_makes_the_store_unavailable(tmp_path: Path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the folder should be")
    store = LocalMediaStore(not_a_folder)
    with pytest.raises(MediaStoreUnavailable) as failure:
        store.put("items/a1/thumb.jpg", b"x", "image/jpeg")
    assert "\n" not in str(failure.value)


# -- writes killed midway --------------------------------------------------------------------

#: A child process that starts writing an object and is killed after its bytes are on disk,
#: before the file is renamed into place (as a gunicorn worker killed mid-upload would be).
KILLED_WRITER = """
import os, signal, stat, sys
from pathlib import Path
from media_store import LocalMediaStore

def killed_at_fsync(fd):
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.kill(os.getpid(), signal.SIGKILL)

os.fsync = killed_at_fsync
LocalMediaStore(Path(sys.argv[1])).put("items/a1/i1/original", b"half of an original " * 500, "x")
"""


def _killed_writer(root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    child = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(root)], env=env, capture_output=True, timeout=60)
    assert child.returncode == -9, child.stderr[-2000:]


def _temporaries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(".tmp-*") if p.is_file())


def test_a_write_killed_midway_leaves_a_partial_file_that_is_found_and_removed(tmp_path: Path):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    _killed_writer(root)
    [partial] = _temporaries(root)
    assert partial.read_bytes().startswith(b"half of an original"), "the bytes of the killed write"
    assert store.list() == []

    assert store.abandoned_writes() == [partial.relative_to(root).as_posix()]
    assert store.remove_abandoned_write(store.abandoned_writes()[0])
    assert _temporaries(root) == [] and store.abandoned_writes(thorough=True) == []


def test_a_write_in_progress_is_never_taken_for_an_abandoned_one(tmp_path: Path, monkeypatch):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    written, carry_on = threading.Event(), threading.Event()
    fsync = os.fsync

    def slow_fsync(fd):
        if stat.S_ISREG(os.fstat(fd).st_mode):
            written.set()
            carry_on.wait(10)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    writer = threading.Thread(target=store.put, args=("items/a1/i1/original", b"whole", "x"))
    writer.start()
    assert written.wait(10)
    [partial] = _temporaries(root)
    assert store.abandoned_writes(thorough=True) == []
    assert not store.remove_abandoned_write(partial.relative_to(root).as_posix())
    carry_on.set()
    writer.join(10)
    assert store.get("items/a1/i1/original") == b"whole"
    assert _temporaries(root) == []


def test_deleting_an_items_prefix_removes_partial_writes_left_in_its_folder(tmp_path: Path):
    root = tmp_path / "media"
    store = LocalMediaStore(root)
    store.put("items/a1/i1/display.webp", b"x", "image/webp")
    (root / "items/a1/i1/.tmp-crashed").write_bytes(b"half")  # where older versions wrote them
    store.put("items/b2/i1/display.webp", b"y", "image/webp")

    store.delete_prefix("items/a1/")

    assert not (root / "items/a1").exists()
    assert store.list() == ["items/b2/i1/display.webp"]
