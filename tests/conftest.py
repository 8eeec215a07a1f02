"""Fixtures shared by the whole suite.

``storage`` runs one test body against each persistence backend: the embedded SQLite
files, and a throwaway PostgreSQL server started from the machine's own binaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import uuid4

import pytest

from archive.services.application import ExhibitionArchive
from archive.config import Settings
from archive.shredding.crypto import MasterKey
from web.bootstrap import open_archive
from tests.fakes import in_memory_archive
from tests.support.postgres import PostgresServer, PostgresUnavailable, find_postgres_bin
from tests.support.services import skip_or_fail

CURATOR = "curator:test-curator"

#: Fixed instants for tests of calendar days, by name: (instant, the calendar day in Almaty then).
#: Just before and after midnight in Almaty (UTC+5) and in UTC: from 19:00 to 24:00 UTC it is
#: already tomorrow in Almaty, so a day computed in the wrong zone shows there.
INSTANTS = {
    "23:30 in Almaty": (datetime(2026, 3, 1, 18, 30, tzinfo=timezone.utc), date(2026, 3, 1)),
    "00:30 in Almaty": (datetime(2026, 3, 1, 19, 30, tzinfo=timezone.utc), date(2026, 3, 2)),
    "23:30 UTC": (datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc), date(2026, 3, 2)),
    "00:30 UTC": (datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc), date(2026, 3, 2)),
}


@pytest.fixture
def archive() -> Iterator[ExhibitionArchive]:
    """An application on in-memory storage and an in-memory key table (unit tests)."""
    app = in_memory_archive()
    yield app
    app.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if find_postgres_bin() is None:
        skip_or_fail("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as error:
        skip_or_fail(f"PostgreSQL could not be started: {error}")
    yield server
    server.stop()


@dataclass
class Storage:
    """One backend under test: its settings, and how to list the files that hold its data."""

    name: str
    settings: Settings
    server: PostgresServer | None = None
    dbname: str | None = None

    def open(self) -> ExhibitionArchive:
        return open_archive(self.settings)

    def database_files(self) -> list[Path]:
        """Every file that holds events, snapshots or keys (after a checkpoint on PostgreSQL)."""
        if self.server is not None:
            assert self.dbname is not None
            self.server.checkpoint()
            return self.server.database_files(self.dbname)
        return sorted(p for p in self.settings.data_dir.iterdir() if p.is_file() and p.name != "master.key")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    data_dir = tmp_path / "var"
    if request.param == "sqlite":
        return Storage("sqlite", Settings(data_dir=data_dir))
    server: PostgresServer = request.getfixturevalue("postgres_server")
    dbname = server.create_database(f"archive_{uuid4().hex[:12]}")
    settings = Settings(
        data_dir=data_dir, database_url=server.dsn(dbname), master_key=MasterKey.generate().to_text()
    )
    return Storage("postgres", settings, server, dbname)


def files_containing(paths: list[Path], needle: bytes) -> list[Path]:
    """The files whose raw bytes contain ``needle``."""
    return [path for path in paths if path.exists() and needle in path.read_bytes()]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 over real HTTP on a free loopback port; yields the endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def session_data_dir(tmp_path_factory):
    """Apps built by module- or session-wide fixtures keep their files in a folder of the run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_DATA_DIR", str(tmp_path_factory.mktemp("app-data")))
        yield


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path, monkeypatch):
    """Apps and archives built in a test keep what they write beside the archive (rate-limit counters, the
    search folder) in that test's own data folder: each test starts with no counts."""
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "app-data"))
