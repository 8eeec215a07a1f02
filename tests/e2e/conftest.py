"""Shared set-up for tests of the website."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def session_data_dir(tmp_path_factory):
    """Apps built by module- or session-wide fixtures keep their files in a folder of the run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_DATA_DIR", str(tmp_path_factory.mktemp("app-data")))
        yield


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path, monkeypatch):
    """Apps built in a test keep what they write beside the archive (rate-limit counters, the
    search folder) in that test's own data folder: each test starts with no counts."""
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "app-data"))
