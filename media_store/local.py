"""A ``MediaStore`` that keeps each object as a file under one folder on the local disk."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from archive.media_ports.ports import MediaNotFound, MediaStore, MediaStoreUnavailable, StoredObject
from media_store.keys import validate_deletable_prefix, validate_key, validate_prefix

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_DIR = ".tmp"  # where writes are made before they are renamed into place; never listed
_TEMP_PREFIX = ".tmp-"  # never a valid key segment, so never listed


class LocalMediaStore(MediaStore):
    """Objects as files below ``root``; ``items/ab/display.webp`` is ``root/items/ab/display.webp``.

    Writes are atomic (a locked temporary file in ``root/.tmp/``, fsync, ``os.replace``, fsync
    of the folder); a write killed midway leaves its temporary file there, unlocked, for
    :meth:`abandoned_writes` to find. Files are created ``0o600`` and folders ``0o700``: only
    the archive's user can read them. The content type is not stored; files have no versions,
    so ``delete`` removes the single file and then every parent folder it left empty (up to
    ``root``).
    """

    def __init__(self, root: Path) -> None:
        self._root = Path(root)

    @property
    def root(self) -> Path:
        """The folder that holds every object."""
        return self._root

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write ``data`` to the file for ``key`` atomically, creating private folders as needed."""
        path = self._path(key)
        try:
            self._make_dirs(path.parent)
            fd, tmp_name = self._new_temporary()
            try:
                os.fchmod(fd, FILE_MODE)
                with os.fdopen(os.dup(fd), "wb") as tmp:
                    tmp.write(data)
                    tmp.flush()
                    os.fsync(tmp.fileno())
                os.replace(tmp_name, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
                raise
            finally:
                os.close(fd)  # releases the lock only once the file is in place (or gone)
            _fsync_dir(path.parent)
        except OSError as exc:
            raise _unavailable("write", key, exc) from exc

    def get(self, key: str) -> bytes:
        """Return the file's bytes; raise ``MediaNotFound`` if there is no file for ``key``."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise MediaNotFound(f"No media stored under {key!r}.") from None
        except OSError as exc:
            raise _unavailable("read", key, exc) from exc

    def delete(self, key: str) -> None:
        """Remove the file for ``key`` (if any) and prune the folders it leaves empty."""
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            raise _unavailable("delete", key, exc) from exc
        self._prune(path.parent)

    def exists(self, key: str) -> bool:
        """Tell whether a file is stored for ``key``."""
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        """Return every key starting with ``prefix`` (plain string prefix, like S3), sorted."""
        validate_prefix(prefix)
        start = self._root.joinpath(*prefix.split("/")[:-1]) if "/" in prefix else self._root
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = Path(dirpath).relative_to(self._root).as_posix()
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def stored_objects(self, prefix: str = "") -> list[StoredObject]:
        """Every key starting with ``prefix``, sorted, with its file's modification time."""
        found = []
        for key in self.list(prefix):
            try:
                found.append(StoredObject(key, _modified(self._path(key).stat().st_mtime)))
            except FileNotFoundError:
                continue  # deleted since it was listed
            except OSError as exc:
                raise _unavailable("read", key, exc) from exc
        return found

    def delete_prefix(self, prefix: str) -> None:
        """Remove every file whose key starts with ``prefix`` (which must not be empty), and
        any partial write left inside the folder it names (from before writes went to
        ``.tmp/``)."""
        validate_deletable_prefix(prefix)
        for key in self.list(prefix):
            self.delete(key)
        if prefix.endswith("/"):
            folder = self._root.joinpath(*prefix.rstrip("/").split("/"))
            for _mtime, name in self._temporaries(folder):
                self.remove_abandoned_write(name)

    def abandoned_writes(self, *, thorough: bool = False, written_before: datetime | None = None) -> list[str]:
        """Temporary files no writer holds (``.tmp/`` only, or every folder if ``thorough``),
        and, with ``written_before``, last modified before that moment."""
        where = self._root if thorough else self._root / TEMP_DIR
        before = written_before.timestamp() if written_before is not None else None
        return [
            name
            for mtime, name in self._temporaries(where)
            if (before is None or mtime < before) and not self._held_or_gone(self._root / name)
        ]

    def remove_abandoned_write(self, name: str) -> bool:
        """Remove the temporary file ``name`` (relative to the root) unless a writer holds it."""
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.name.startswith(_TEMP_PREFIX):
            return False
        path = self._root / relative
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return False  # gone already
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a write in progress
            try:
                if os.stat(path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
                    return False  # renamed into place meanwhile, and the name reused
                os.unlink(path)
            except FileNotFoundError:
                return False
        finally:
            os.close(fd)
        if path.parent != self._root / TEMP_DIR:
            self._prune(path.parent)
        return True

    # -- helpers ---------------------------------------------------------------------------

    def _new_temporary(self) -> tuple[int, str]:
        """A new temporary file in ``.tmp/``, locked for as long as its descriptor is open.

        The lock is how a clean-up tells a write in progress from one whose process died (the
        kernel releases a dead process's locks). A clean-up that got to the file between its
        creation and the lock has unlinked it: then another is made.
        """
        folder = self._root / TEMP_DIR
        self._make_dirs(folder)
        for _ in range(5):
            fd, name = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink:
                return fd, name
            os.close(fd)
        raise OSError(errno.EAGAIN, "temporary files keep disappearing")

    def _temporaries(self, folder: Path) -> list[tuple[float, str]]:
        """Temporary files under ``folder``: (modification time, name relative to the root),
        oldest first."""
        found = []
        for dirpath, _dirnames, filenames in os.walk(folder):
            for name in filenames:
                if name.startswith(_TEMP_PREFIX):
                    path = Path(dirpath) / name
                    with contextlib.suppress(OSError):
                        found.append((path.stat().st_mtime, path.relative_to(self._root).as_posix()))
        return sorted(found)

    @staticmethod
    def _held_or_gone(path: Path) -> bool:
        """Whether a writer holds the temporary file's lock (or the file is gone already)."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return True  # gone: nothing to remove
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*validate_key(key).split("/"))

    def _make_dirs(self, directory: Path) -> None:
        missing: list[Path] = []
        current = directory
        while not current.is_dir():
            missing.append(current)
            if current == current.parent:
                break
            current = current.parent
        for folder in reversed(missing):
            try:
                os.mkdir(folder, DIR_MODE)
            except FileExistsError:
                continue
            os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask

    def _prune(self, directory: Path) -> None:
        root = self._root.resolve()
        current = directory
        while current.resolve() != root and root in current.resolve().parents:
            try:
                current.rmdir()
            except OSError:  # not empty (or already gone): stop here
                return
            current = current.parent


def _modified(mtime: float) -> datetime:
    return datetime.fromtimestamp(mtime, tz=timezone.utc)


def _fsync_dir(directory: Path) -> None:
    """Persist the directory entry created by ``os.replace``."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unavailable(action: str, key: str, exc: OSError) -> MediaStoreUnavailable:
    reason = exc.strerror or type(exc).__name__
    return MediaStoreUnavailable(f"Local media storage could not {action} {key!r}: {reason}.")
