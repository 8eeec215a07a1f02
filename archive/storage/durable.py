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
