"""Versioned index folders with an atomic switch, so a rebuild never disturbs the live index.

``<root>/current`` is a symbolic link to one version folder (``<root>/v-<n>``). A rebuild
fills a new version folder and then replaces the link in one ``rename``; older versions are
removed at once, because they may still hold text that was withdrawn since.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive.storage.durable import fsync_dir
from archive.search import SearchIndex

CURRENT = "current"


class IndexFolders:
    """The folders of one host's search index."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current(self) -> Path:
        """The live version folder, created empty on first use."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.link.is_symlink():
            self.publish(self.new_version())
        return self.root / os.readlink(self.link)

    def new_version(self) -> Path:
        """A fresh, empty version folder (not live until :meth:`publish`)."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        while True:
            path = self.root / f"v-{time.time_ns()}"
            try:
                path.mkdir(mode=0o700)
                return path
            except FileExistsError:
                continue

    def publish(self, version: Path) -> None:
        """Make ``version`` live atomically, then delete every other version folder."""
        tmp = self.root / f".{CURRENT}.{os.getpid()}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(version.name, tmp)
        os.replace(tmp, self.link)
        fsync_dir(self.root)
        for other in self.root.glob("v-*"):
            if other.name != version.name:
                shutil.rmtree(other, ignore_errors=True)

    def current_name(self) -> str | None:
        try:
            return os.readlink(self.link)
        except OSError:
            return None


class LiveIndex:
    """A ``SearchIndex`` that always uses the live version folder, reopening after a switch.

    ``open_index(folder)`` opens one version (read-only or writable). Every call checks the
    ``current`` link first (one ``readlink``), so readers and the follower move to a rebuilt
    index without a restart.
    """

    def __init__(self, folders: IndexFolders, open_index: Callable[[Path], SearchIndex]):
        self.folders = folders
        self._open = open_index
        self._lock = threading.RLock()
        self._name: str | None = None
        self._index: SearchIndex | None = None

    def _current(self) -> SearchIndex:
        with self._lock:
            name = self.folders.current_name()
            if self._index is None or name != self._name:
                if self._index is not None:
                    self._index.close()
                folder = self.folders.current()
                self._index = self._open(folder)
                self._name = folder.name
            return self._index

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._current(), name)

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
