"""Fixtures for real-browser tests: a Streamlit server, Chromium and pages.

The server runs the script named by the environment variable
``BACKPROP_LAB_APP``, so the fixtures can be tried against another app. It
defaults to ``app.py``, and a relative path is taken from the repository root.
Chromium is Debian's build at ``/usr/bin/chromium``. When it is missing, the
browser tests are skipped, or fail when ``CI=true``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from .helpers import (
    ARTIFACTS_DIR,
    DEFAULT_VIEWPORT,
    REPO_ROOT,
    WIDE_VIEWPORT,
    install_run_counter,
)

APP_ENV_VAR = "BACKPROP_LAB_APP"
CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_INSTALL_COMMAND = "apt-get update && apt-get install -y chromium"

# Without the networking flags, Chromium tries to reach Google's services at
# start, and a machine without internet access refuses those connections.
# --no-sandbox lets it run as root, as in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 10.0
SERVER_LOG_PATH = ARTIFACTS_DIR / "streamlit-server.log"

# Report of each test phase ("setup", "call", "teardown"), kept so that the
# page_factory fixture can tell at teardown whether the test failed.
_phase_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item."""
    report = yield
    item.stash.setdefault(_phase_reports_key, {})[report.when] = report
    return report


# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------


def _app_script() -> Path:
    configured = os.environ.get(APP_ENV_VAR, "app.py")
    script = Path(configured)
    if not script.is_absolute():
        script = REPO_ROOT / script
    if not script.is_file():
        pytest.fail(
            f"app script not found: {script} ({APP_ENV_VAR}={configured!r}). "
            f"Set {APP_ENV_VAR} to an existing Streamlit script, or unset it to use app.py."
        )
    return script


def _free_port() -> int:
    # The operating system picks an unused port for port 0. It is released
    # again before Streamlit binds it, so another process could take it in
    # between, and the server would then fail to start with a clear log.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _is_healthy(health_url: str) -> bool:
    # An empty ProxyHandler keeps urllib from sending loopback requests to a
    # proxy named in the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(health_url, timeout=1.0) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _log_tail(log_path: Path = SERVER_LOG_PATH, max_chars: int = 4000) -> str:
    text = log_path.read_text(errors="replace")
    return text[-max_chars:] if text else "(the server printed nothing)"


def _stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_app(log_path: Path) -> Iterator[str]:
    """Start the Streamlit app on a free loopback port, yield its base URL, then stop it.

    The server's output goes to ``log_path``, and the server is stopped by its process id.
    """
    script = _app_script()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        # The tests do not edit files, and a watcher would only cost CPU.
        "--server.fileWatcherType", "none",
    ]

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        # Started from the repository root so .streamlit/config.toml applies.
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _is_healthy(f"{base_url}/_stcore/health"):
            if process.poll() is not None:
                pytest.fail(
                    f"Streamlit server exited with code {process.returncode} before it "
                    f"became healthy. Its output ({log_path}):\n{_log_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Streamlit server on {base_url} was not healthy after "
                    f"{SERVER_START_TIMEOUT_S:.0f} s. Its output ({log_path}):\n{_log_tail(log_path)}"
                )
            time.sleep(0.1)

        yield base_url
    finally:
        _stop_server(process)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Start the Streamlit app for the whole test session and yield its base URL.

    The server's output goes to ``test-artifacts/streamlit-server.log``.
    """
    with running_app(SERVER_LOG_PATH) as base_url:
        yield base_url


@pytest.fixture
def fresh_app_url() -> Iterator[str]:
    """Start a server of the app for one test, so that the test makes its first session."""
    with running_app(ARTIFACTS_DIR / "streamlit-fresh-server.log") as base_url:
        yield base_url


# ---------------------------------------------------------------------------
# Browser and pages
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's headless Chromium once per session."""
    if not CHROMIUM_PATH.exists():
        reason = (
            f"Chromium not found at {CHROMIUM_PATH}. Install it as root with: "
            f"{CHROMIUM_INSTALL_COMMAND}"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_factory(
    request: pytest.FixtureRequest, browser: Browser, app_url: str
) -> Iterator[Callable[..., Page]]:
    """Yield a function that opens a page in a new browser context.

    Call it as ``page_factory()`` for a 1280x800 viewport, or as
    ``page_factory(viewport=WIDE_VIEWPORT)`` (from ``.helpers``) for 1920x1080.
    Each page has ``app_url`` as its base URL, so ``page.goto("/")`` opens the
    app, and carries the script-run counter that ``wait_for_app`` and
    ``wait_for_rerun`` need. If the test fails, a screenshot of each open page
    is saved to ``test-artifacts/failures/`` before its context closes.
    """
    contexts: list[BrowserContext] = []

    def open_page(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(
            viewport=viewport or DEFAULT_VIEWPORT, base_url=app_url
        )
        contexts.append(context)
        install_run_counter(context)
        return context.new_page()

    yield open_page

    call_report = request.node.stash.get(_phase_reports_key, {}).get("call")
    test_failed = call_report is not None and call_report.failed
    for index, context in enumerate(contexts):
        if test_failed:
            _save_failure_screenshots(request.node.nodeid, index, context)
        context.close()


@pytest.fixture
def page(page_factory: Callable[..., Page]) -> Page:
    """A page with a 1280x800 viewport whose base URL is the running app."""
    return page_factory()


@pytest.fixture
def wide_page(page_factory: Callable[..., Page]) -> Page:
    """A page with a 1920x1080 viewport whose base URL is the running app."""
    return page_factory(viewport=WIDE_VIEWPORT)


def _save_failure_screenshots(nodeid: str, context_index: int, context: BrowserContext) -> None:
    folder = ARTIFACTS_DIR / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    for page_index, open_page in enumerate(context.pages):
        path = folder / f"{stem}-{context_index}-{page_index}.png"
        try:
            open_page.screenshot(path=path)
        except PlaywrightError as error:
            # A crashed or closed page cannot be captured; the test's own
            # failure is the one to report.
            warnings.warn(f"could not save failure screenshot {path}: {error}", stacklevel=1)
