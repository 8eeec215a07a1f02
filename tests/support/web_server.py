"""The website in real server processes on a loopback port: gunicorn as the Procfile runs it,
or ``archive serve``. Output goes to files the test reads afterwards."""

from __future__ import annotations

import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 30


@dataclass
class RunningServer:
    port: int
    stdout: Path
    stderr: Path

    def request(self, method: str, path: str, body: str | None = None, headers: Mapping[str, str] | None = None,
                ) -> http.client.HTTPResponse:
        """One request on a new connection; the response is read in full (``.data``)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(headers or {})
        if body is not None:
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            response.data = response.read()  # type: ignore[attr-defined]
            return response
        finally:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def procfile_web_command() -> list[str]:
    """The Procfile's ``web:`` command, split into words."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return shlex.split(line.removeprefix("web:"))
    raise AssertionError("the Procfile has no web process")


def gunicorn_command(port: int, app: str, *flags: str) -> list[str]:
    """The Procfile's gunicorn command with ``app`` as its application, on ``127.0.0.1:port``."""
    words = procfile_web_command()
    assert words[0] == "gunicorn"
    return [str(BIN / "gunicorn"), *words[1:-1], *flags, "--bind", f"127.0.0.1:{port}", app]


def serve_command(port: int) -> list[str]:
    """``archive serve`` from this checkout (the console script may point at another one)."""
    return [sys.executable, "-c", "from web.cli import main; main()",
            "serve", "--no-follow", "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def running(command: list[str], port: int, env: Mapping[str, str], folder: Path) -> Iterator[RunningServer]:
    """Start ``command``, wait until ``/healthz`` answers, stop it (SIGTERM) on leaving."""
    server = RunningServer(port, folder / "stdout.log", folder / "stderr.log")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_") and k != "PORT"}
    environ.update(env, PYTHONUNBUFFERED="1")
    with open(server.stdout, "wb") as out, open(server.stderr, "wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=err, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"the server stopped: {server.stderr.read_text()[-2000:]}")
                try:
                    if server.request("GET", "/healthz").status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {server.stderr.read_text()[-2000:]}")
                time.sleep(0.2)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
