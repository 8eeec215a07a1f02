"""Browser tests: the real app (``archive serve``) driven by Debian's Chromium through Playwright.

``live_server`` runs ``archive demo``, ``archive create-curator`` and ``archive serve`` in a
temporary data folder on a free port. ``browser`` launches the machine's Chromium (never a
downloaded one); ``page`` gives each test a fresh context that records every request URL
(``requested_urls``) and leaves a screenshot in ``tests/e2e/browser/screenshots/``.

Without Chromium (or without axe-core for the accessibility scan) the tests skip, or fail
under ``ARCHIVE_REQUIRE_SERVICES=1``. ``make test`` installs both.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.services import skip_or_fail

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SCREENSHOTS = HERE / "screenshots"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"

CURATOR = "tester"
PASSWORD = "browser tests passphrase"

#: Flags that let Debian's Chromium run headless as root with no network but the app's own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_NAMES = ("chromium", "chromium-browser")
START_TIMEOUT = 60.0
DEFAULT_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class LiveServer:
    """A running ``archive serve``: its origin and data folder."""

    origin: str
    data_dir: Path

    def url(self, path: str) -> str:
        return self.origin + path


def _archive_command(*args: str) -> list[str]:
    """The ``archive`` console script (``web.cli:main``) under this interpreter."""
    return [sys.executable, "-c", "from web.cli import main; main()", *args]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(data_dir: Path) -> dict[str, str]:
    """This process's environment without any ``ARCHIVE_*`` setting but a fresh data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env["ARCHIVE_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(_archive_command(*args), cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"archive {args[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}", pytrace=False)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``archive serve`` with the demo loaded and a curator ``tester``, for the whole session."""
    root = tmp_path_factory.mktemp("live-server")
    data_dir = root / "var"
    env = _server_env(data_dir)
    _run(["demo"], env)
    _run(["create-curator", CURATOR, "--name", "Browser Tester", "--password", PASSWORD], env)

    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    log_path = root / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _archive_command("serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        _wait_until_answering(origin, process, log_path)
        yield LiveServer(origin, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_answering(origin: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"archive serve exited with {process.returncode}:\n{_tail(log_path)}", pytrace=False)
        try:
            with urllib.request.urlopen(origin + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"archive serve did not answer at {origin} within {START_TIMEOUT:.0f} s:\n{_tail(log_path)}", pytrace=False)


def find_chromium() -> str | None:
    """The machine's Chromium (Debian's ``chromium`` package), or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> str:
    """The Chromium to drive; checked first (autouse), so a machine without one skips at once."""
    executable = find_chromium()
    if executable is None:
        skip_or_fail("Chromium not found (Debian: apt-get install chromium chromium-driver)")
    return executable


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[object]:
    """Debian's headless Chromium under Playwright (a fresh profile per launch)."""
    executable = chromium_executable
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        skip_or_fail(f"Playwright for Python is not installed: {error}")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=30_000)
        except PlaywrightError as error:
            skip_or_fail(f"Chromium at {executable} could not be launched: {error.message.splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture
def requested_urls() -> list[str]:
    """Every request URL the test's browser contexts made, in order."""
    return []


@pytest.fixture
def new_page(browser, live_server: LiveServer, requested_urls: list[str], request: pytest.FixtureRequest) -> Iterator[Callable[[], object]]:
    """Open a page in a fresh context (no cookies: a new visitor); each records its requests and
    is screenshot at the end of the test as ``<test name>.png`` (then ``-2``, ``-3``, ...)."""
    contexts = []
    pages = []

    def open_page() -> object:
        context = browser.new_context(base_url=live_server.origin, locale="en-US", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("request", lambda req: requested_urls.append(req.url))
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page

    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for number, page in enumerate(pages, start=1):
        target = SCREENSHOTS / (f"{name}.png" if number == 1 else f"{name}-{number}.png")
        try:
            page.screenshot(path=str(target), full_page=True, timeout=5_000)
        except Exception as error:  # noqa: BLE001 - a screenshot must not hide the test's own outcome
            print(f"screenshot {target.name} not saved: {error}", file=sys.stderr)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], object]) -> object:
    """A page in a fresh browser context, screenshot as ``screenshots/<test name>.png``."""
    return new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's ``axe.min.js`` (``npm ci`` in tests/e2e/browser, run by ``make test``)."""
    if not AXE_JS.is_file():
        skip_or_fail(f"{AXE_JS.relative_to(REPO)} is missing (run: cd tests/e2e/browser && npm ci)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def curator_credentials(live_server: LiveServer) -> tuple[str, str]:
    """User name and password of the live server's curator."""
    return CURATOR, PASSWORD
