"""Small helpers for writes that must survive a crash."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (fsync the directory itself)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_synced(path: Path, parts: list[bytes]) -> None:
    """Write ``parts`` to a new (or emptied) file at ``path``, readable by its owner only, and
    flush it to disk; the caller renames it into place and flushes the folder."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for data in parts:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def enter_wal_mode(conn: sqlite3.Connection, attempts: int = 200, pause: float = 0.025) -> None:
    """Switch a new file to WAL. SQLite answers "database is locked" at once, without waiting
    on the busy timeout, while another process is switching the same new file: try again."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(pause)
