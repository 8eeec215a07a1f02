"""The embedded archive's cookie-signing key: generated once, the same for every process.

gunicorn starts its workers at once on a new data folder; each asks for the key. A worker
that finds the file missing and then loses the race must use the winner's key, never fail
(FileExistsError) or read a file still being written (an empty key: its cookies would be
refused by the other worker)."""

from __future__ import annotations

import threading
from pathlib import Path

from archive.config import Settings
from web import bootstrap


def test_a_worker_that_loses_the_race_to_create_the_secret_key_uses_the_winners(tmp_path: Path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "var")
    winner = bootstrap.load_secret_key(settings)
    path = settings.data_dir / bootstrap.SECRET_KEY_FILE
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self == path else real_exists(self))  # it looked first

    assert bootstrap.load_secret_key(settings) == winner
    assert len(winner) >= 48


def test_workers_starting_together_on_a_new_folder_share_one_complete_key(tmp_path: Path):
    for attempt in range(20):
        settings = Settings(data_dir=tmp_path / f"var{attempt}")
        keys: list[str] = []
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def worker() -> None:
            start.wait()
            try:
                keys.append(bootstrap.load_secret_key(settings))
            except BaseException as error:  # noqa: BLE001 - the failure under test
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and len(set(keys)) == 1 and keys[0]
