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
from datetime import date
from pathlib import Path
from typing import Any

from archive.storage.durable import fsync_dir
from archive.search import SearchDocument, SearchIndex, SearchQuery, SearchResults

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


class LiveIndex(SearchIndex):
    """A ``SearchIndex`` that always uses the live version folder, reopening after a switch.

    ``open_index(folder)`` opens one version (read-only or writable). Every call checks the
    ``current`` link first (one ``readlink``), so readers and the follower move to a rebuilt
    index without a restart. The port's methods are passed on one by one (so the port's
    defaults never stand in for the adapter's own); what else an adapter offers is reached
    through ``__getattr__``.
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

    def apply(self, upserts: list[SearchDocument], deletes: list[str], position: int) -> None:
        self._current().apply(upserts, deletes, position)

    def bulk_add(self, documents: list[SearchDocument]) -> None:
        self._current().bulk_add(documents)

    def position(self) -> int:
        return self._current().position()

    def versions(self, doc_ids: list[str]) -> dict[str, int]:
        return self._current().versions(doc_ids)

    def doc_ids_for_contributor(self, contributor_id: str) -> list[str]:
        return self._current().doc_ids_for_contributor(contributor_id)

    def doc_ids_in_exhibition(self, slug: str) -> list[str]:
        return self._current().doc_ids_in_exhibition(slug)

    def doc_ids_expired(self, on: date) -> list[str]:
        return self._current().doc_ids_expired(on)

    def search(self, query: SearchQuery) -> SearchResults:
        return self._current().search(query)

    def purge_deleted(self, limit: int | None = None) -> int:
        return self._current().purge_deleted(limit)

    def compact(self) -> int:
        return self._current().compact()

    def has_deleted(self) -> bool:
        return self._current().has_deleted()

    def needs_rebuild(self) -> bool:
        return self._current().needs_rebuild()

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
