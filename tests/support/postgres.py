"""Throwaway PostgreSQL servers for tests, started from the machine's own binaries.

Nothing is downloaded and no running service is assumed: :class:`PostgresServer`
runs ``initdb`` into a fresh temporary directory, starts ``postgres`` through
``pg_ctl`` on a free 127.0.0.1 port and removes everything again on
:meth:`PostgresServer.stop`.  The binaries come from Debian's packages under
``/usr/lib/postgresql/<version>/bin`` (``tests/support/install-system-deps.sh``
installs them on CI).

PostgreSQL refuses to run as root.  When the test process is root, ``initdb``
and ``pg_ctl`` run as the ``postgres`` system user (via ``runuser``, or
``setpriv`` if ``runuser`` is missing) and the temporary directory is handed
over to that user.  Root can still read the data files directly, which is what
:meth:`PostgresServer.database_files` is for (e.g. checking that plaintext
never reaches disk).

Example::

    with PostgresServer() as server:
        dsn = server.dsn(server.create_database("archive"))
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

POSTGRES_LIB_DIR = Path("/usr/lib/postgresql")
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
SYSTEM_USER = "postgres"
NO_BINARIES_MESSAGE = "no PostgreSQL binaries under /usr/lib/postgresql/*/bin"

_START_ATTEMPTS = 3  # a free port can be taken by someone else before we bind it
_LOG_TAIL_LINES = 6
_SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "shared_buffers": "16MB",
}


class PostgresUnavailable(RuntimeError):
    """A throwaway PostgreSQL server could not be provided (missing binaries, startup failure)."""


def _version_key(name: str) -> tuple[int, ...] | None:
    if not re.fullmatch(r"\d+(?:\.\d+)*", name):
        return None
    return tuple(int(part) for part in name.split("."))


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_postgres_bin(lib_dir: Path = POSTGRES_LIB_DIR) -> Path | None:
    """Return the newest ``<lib_dir>/<version>/bin`` holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Versions are compared numerically (``15`` beats ``9.6``); directories whose
    name is not a version, or which lack one of the binaries, are ignored.
    Returns ``None`` when there is no usable directory.
    """
    candidates: list[tuple[tuple[int, ...], Path]] = []
    for bin_dir in lib_dir.glob("*/bin"):
        key = _version_key(bin_dir.parent.name)
        if key is not None and all(_is_executable(bin_dir / name) for name in REQUIRED_BINARIES):
            candidates.append((key, bin_dir))
    return max(candidates)[1] if candidates else None


def _one_line(text: str, limit: int = 600) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joined = " | ".join(lines[-_LOG_TAIL_LINES:])
    return joined if len(joined) <= limit else "..." + joined[-limit:]


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _conf_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _traversable_by_others(directory: Path) -> bool:
    """True when every component of *directory* can be searched by an unrelated user."""
    path = directory.resolve()
    for part in (path, *path.parents):
        try:
            mode = os.stat(part).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary directory, for one test session or module.

    Use it as a context manager (the server is stopped and its files removed
    even when the body raises) or call :meth:`start` and :meth:`stop`
    yourself.  An ``atexit`` hook stops a server that was never stopped, so a
    crashed test session does not leave a postmaster behind.

    Connections use trust authentication as superuser ``postgres`` over TCP on
    ``127.0.0.1``; see :meth:`dsn`.
    """

    host: str = "127.0.0.1"
    user: str = SYSTEM_USER

    def __init__(self, bin_dir: Path | None = None, *, start_timeout: float = 60.0) -> None:
        """Prepare a server using *bin_dir* (default: :func:`find_postgres_bin`); nothing runs yet."""
        self._requested_bin_dir = bin_dir
        self._start_timeout = start_timeout
        self._bin_dir: Path | None = None
        self._base_dir: Path | None = None
        self._port: int | None = None
        self._owner_pid: int | None = None
        self._run_as: list[str] = []

    # -- state ------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._port is not None

    @property
    def port(self) -> int:
        """The TCP port the server listens on (127.0.0.1 only)."""
        if self._port is None:
            raise RuntimeError("PostgresServer is not running")
        return self._port

    @property
    def base_dir(self) -> Path:
        """The temporary directory holding the data dir, the socket dir and ``server.log``."""
        if self._base_dir is None:
            raise RuntimeError("PostgresServer is not running")
        return self._base_dir

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (``PGDATA``)."""
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        """The directory holding the server's unix socket."""
        return self.base_dir / "socket"

    @property
    def log_path(self) -> Path:
        """The server log written by ``pg_ctl -l``."""
        return self.base_dir / "server.log"

    # -- lifecycle --------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> PostgresServer:
        """Create a fresh cluster and start it; return ``self``.

        Raises :class:`PostgresUnavailable` (one line, with the tail of the
        relevant log) when the binaries are missing or the server cannot start.
        """
        if self._base_dir is not None:
            raise RuntimeError("PostgresServer is already started")
        bin_dir = self._requested_bin_dir or find_postgres_bin()
        if bin_dir is None:
            raise PostgresUnavailable(NO_BINARIES_MESSAGE)
        missing = [name for name in REQUIRED_BINARIES if not _is_executable(bin_dir / name)]
        if missing:
            raise PostgresUnavailable(f"PostgreSQL binaries missing in {bin_dir}: {', '.join(missing)}")
        self._bin_dir = bin_dir

        as_root = os.geteuid() == 0
        self._run_as = self._privilege_drop_prefix() if as_root else []
        parent = tempfile.gettempdir()
        if as_root and not _traversable_by_others(Path(parent)):
            parent = "/tmp"  # the postgres user must be able to reach the directory
        self._base_dir = Path(tempfile.mkdtemp(prefix="archive-pg-", dir=parent))
        self._owner_pid = os.getpid()
        atexit.register(self.stop)
        try:
            self.socket_dir.mkdir()
            if as_root:
                account = pwd.getpwnam(SYSTEM_USER)
                for path in (self.base_dir, self.socket_dir):
                    os.chown(path, account.pw_uid, account.pw_gid)
            self._initdb()
            self._configure()
            self._start_postmaster()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server immediately and delete its directory; safe to call more than once."""
        base_dir = self._base_dir
        if base_dir is None or self._owner_pid != os.getpid():
            return  # never started, already stopped, or a forked child
        atexit.unregister(self.stop)
        try:
            pid_file = base_dir / "data" / "postmaster.pid"
            if pid_file.exists() and self._bin_dir is not None:
                try:
                    self._run(
                        [self._bin_dir / "pg_ctl", "-D", base_dir / "data", "-m", "immediate", "-w", "-t", "30", "stop"],
                        timeout=60,
                    )
                except (OSError, subprocess.SubprocessError):
                    pass
                self._kill_leftover_postmaster(pid_file)
        finally:
            self._base_dir = None
            self._port = None
            shutil.rmtree(base_dir, ignore_errors=True)

    # -- database helpers -------------------------------------------------

    def dsn(self, dbname: str = "postgres") -> str:
        """Return ``postgresql://postgres@127.0.0.1:PORT/DBNAME`` for this server."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """Open an autocommit psycopg connection to *dbname* (the caller closes it)."""
        return psycopg.connect(self.dsn(dbname), autocommit=True, connect_timeout=10)

    def create_database(self, name: str) -> str:
        """Run ``CREATE DATABASE name`` and return *name*."""
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def checkpoint(self) -> None:
        """Run ``CHECKPOINT`` so that committed data reaches the relation files."""
        with self.connect() as conn:
            conn.execute("CHECKPOINT")

    def database_files(self, dbname: str) -> list[Path]:
        """Return every regular file under ``data_dir/base/<oid of dbname>/``, sorted.

        Call :meth:`checkpoint` first to have recent writes in these files.
        Raises ``LookupError`` for an unknown database.
        """
        with self.connect() as conn:
            row = conn.execute("SELECT oid FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if row is None:
            raise LookupError(f"no database named {dbname!r}")
        directory = self.data_dir / "base" / str(row[0])
        return sorted(path for path in directory.rglob("*") if path.is_file() and not path.is_symlink())

    # -- internals --------------------------------------------------------

    def _privilege_drop_prefix(self) -> list[str]:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            useradd = shutil.which("useradd", path=_SBIN_PATH)
            if useradd is None:
                raise PostgresUnavailable(f"running as root, no {SYSTEM_USER!r} user and no useradd") from None
            result = subprocess.run(
                [useradd, "--system", "--no-create-home", SYSTEM_USER],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise PostgresUnavailable(
                    f"could not create the {SYSTEM_USER!r} system user: {_one_line(result.stderr)}"
                ) from None
        runuser = shutil.which("runuser", path=_SBIN_PATH)
        if runuser is not None:
            return [runuser, "-u", SYSTEM_USER, "--"]
        setpriv = shutil.which("setpriv", path=_SBIN_PATH)
        if setpriv is not None:
            return [setpriv, f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups", "--"]
        raise PostgresUnavailable("running as root but neither runuser nor setpriv is available")

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")  # English messages in logs and errors
        return env

    def _run(self, args: list[str | Path], timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._run_as, *map(str, args)],
            cwd=self.base_dir,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _version(self) -> str:
        return self._bin_dir.parent.name if self._bin_dir is not None else "?"

    def _initdb(self) -> None:
        assert self._bin_dir is not None
        initdb = self._bin_dir / "initdb"
        args: list[str | Path] = [
            initdb,
            "-D",
            self.data_dir,
            "-A",
            "trust",
            "-U",
            self.user,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]
        if "--no-instructions" in self._run([initdb, "--help"], timeout=30).stdout:
            args.append("--no-instructions")
        try:
            result = self._run(args, timeout=self._start_timeout)
        except subprocess.TimeoutExpired:
            raise PostgresUnavailable(f"initdb (PostgreSQL {self._version()}) timed out") from None
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"initdb (PostgreSQL {self._version()}) failed with exit code {result.returncode}: "
                f"{_one_line(result.stderr + result.stdout)}"
            )

    def _configure(self) -> None:
        settings = {**_SERVER_SETTINGS, "unix_socket_directories": str(self.socket_dir)}
        lines = ["", "# throwaway test server (tests/support/postgres.py)"]
        lines += [f"{key} = {_conf_quote(value)}" for key, value in settings.items()]
        # Appending keeps the file's owner (the postgres user when we are root).
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n".join(lines) + "\n")

    def _log_since(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def _start_postmaster(self) -> None:
        assert self._bin_dir is not None
        failure = ""
        for _ in range(_START_ATTEMPTS):
            port = _free_port(self.host)
            offset = self._log_size()
            args: list[str | Path] = [
                self._bin_dir / "pg_ctl",
                "-D",
                self.data_dir,
                "-l",
                self.log_path,
                "-w",
                "-t",
                str(int(self._start_timeout)),
                "-o",
                f"-p {port}",
                "start",
            ]
            try:
                result = self._run(args, timeout=self._start_timeout + 30)
            except subprocess.TimeoutExpired:
                result = None
            if result is not None and result.returncode == 0:
                self._port = port
                return
            log = self._log_since(offset)
            outcome = "timed out" if result is None else f"exit code {result.returncode}"
            detail = _one_line(log) or (_one_line(result.stderr + result.stdout) if result else "")
            failure = (
                f"PostgreSQL {self._version()} failed to start on {self.host}:{port} "
                f"(pg_ctl {outcome}); server log tail: {detail or '(empty)'}"
            )
            if "could not bind" not in log and "already in use" not in log:
                break
        raise PostgresUnavailable(failure)

    @staticmethod
    def _kill_leftover_postmaster(pid_file: Path) -> None:
        """Last resort when ``pg_ctl stop`` failed: SIGKILL the postmaster named in the pid file."""
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
