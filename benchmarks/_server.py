"""Start and stop a Streamlit server and Chromium for the benchmark scripts, without pytest.

The server command, the health check and the Chromium flags are those of the browser tests
(tests/browser/conftest.py). The waits for script runs are reused from tests/browser/helpers.py,
which imports Playwright only. The server is stopped by its process id; Chromium is closed
through Playwright, which ends the browser process it started.

Process figures come from psutil when it is installed and from /proc otherwise, so the scripts
also run on a Linux machine without psutil.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import _timing

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
if str(REPOSITORY_ROOT) not in sys.path:
    # The scripts run as `python benchmarks/NAME.py`, which puts only benchmarks/ on the path.
    sys.path.insert(0, str(REPOSITORY_ROOT))

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright  # noqa: E402

from tests.browser.helpers import install_run_counter, wait_for_app  # noqa: E402

CHROMIUM_PATH = Path("/usr/bin/chromium")
# The same flags as the browser tests: without the networking ones, Chromium tries to reach
# Google's services at start; --no-sandbox lets it run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 10.0
SERVER_LOG_PATH = REPOSITORY_ROOT / "test-artifacts" / "benchmark-server.log"

CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
_PAGE_SIZE_BYTES = os.sysconf("SC_PAGE_SIZE")


# --- machine -------------------------------------------------------------------------------


def machine_summary() -> str:
    """Describe the machine and the library versions in one line."""
    import numpy
    import streamlit

    return (
        f"Machine: {_timing.cpu_model()}, {os.cpu_count()} logical cores; "
        f"Python {platform.python_version()}, NumPy {numpy.__version__}, "
        f"Streamlit {streamlit.__version__}; load average {_timing.load_average()}"
    )


# --- process figures -----------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time of process ``pid``, in seconds, children excluded.

    Covers every thread of the process, including threads that have ended. Resolution is one
    clock tick, 1 / sysconf(SC_CLK_TCK) seconds (10 ms on Linux with the usual 100 ticks per
    second), with or without psutil, which reads the same counters.
    """
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system

    with open(f"/proc/{pid}/stat", encoding="ascii") as stat_file:
        text = stat_file.read()
    # The command name in brackets may contain spaces, so the fields are split after it.
    fields = text[text.rindex(")") + 2 :].split()
    # After the name, field index 11 is utime and 12 is stime (fields 14 and 15 in proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_SECOND


def process_rss_bytes(pid: int) -> int:
    """Return the resident set size of process ``pid``, in bytes."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        return psutil.Process(pid).memory_info().rss

    with open(f"/proc/{pid}/statm", encoding="ascii") as statm_file:
        resident_pages = int(statm_file.read().split()[1])
    return resident_pages * _PAGE_SIZE_BYTES


def psutil_note() -> str:
    """Say where the process figures come from, for the report header."""
    try:
        import psutil
    except ImportError:
        return "process figures read from /proc (psutil is not installed)"
    return f"process figures from psutil {psutil.__version__}"


# --- server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A running Streamlit server: its process and its base URL on the loopback address."""

    process: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    """Return a loopback port that was free a moment ago (the OS picks it for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _is_healthy(health_url: str) -> bool:
    # An empty ProxyHandler keeps urllib from sending loopback requests to a proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(health_url, timeout=1.0) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _log_tail(log_path: Path, max_chars: int = 3000) -> str:
    text = log_path.read_text(errors="replace")
    return text[-max_chars:] if text else "(the server printed nothing)"


def start_server(script: str = "app.py", port: int | None = None, log_path: Path = SERVER_LOG_PATH) -> Server:
    """Start ``streamlit run SCRIPT`` on a loopback port and wait until it is healthy.

    ``port`` defaults to a free one. The server's output goes to ``log_path``, by default
    ``test-artifacts/benchmark-server.log``.

    Raises
    ------
    RuntimeError
        If the server exits or is not healthy within `SERVER_START_TIMEOUT_S`; the message
        contains the end of its log. The process is stopped first.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        # Started from the repository root so that .streamlit/config.toml applies.
        process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, url)

    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not _is_healthy(f"{url}/_stcore/health"):
        if process.poll() is not None:
            raise RuntimeError(
                f"Streamlit server exited with code {process.returncode} before it became "
                f"healthy. Its output ({log_path}):\n{_log_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(
                f"Streamlit server on {url} was not healthy after {SERVER_START_TIMEOUT_S:.0f} s. "
                f"Its output ({log_path}):\n{_log_tail(log_path)}"
            )
        time.sleep(0.1)
    return server


def stop_server(server: Server) -> None:
    """Stop the server by its process id: terminate, wait, then kill if it is still running."""
    process = server.process
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- browser -------------------------------------------------------------------------------


@contextmanager
def running_app(script: str = "app.py") -> Iterator[tuple[Server, Browser]]:
    """Start the server and headless Chromium; stop both on exit, also after an error.

    Raises
    ------
    FileNotFoundError
        If Chromium is not at ``/usr/bin/chromium``.
    """
    if not CHROMIUM_PATH.exists():
        raise FileNotFoundError(
            f"Chromium not found at {CHROMIUM_PATH}. Install it as root with: "
            "apt-get update && apt-get install -y chromium"
        )
    server = start_server(script)
    try:
        with sync_playwright() as playwright:
            browser = _launch_chromium(playwright)
            try:
                yield server, browser
            finally:
                browser.close()
    finally:
        stop_server(server)


def _launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
    )


def new_app_page(browser: Browser, server: Server, init_script: str | None = None) -> tuple[BrowserContext, Page]:
    """Open a blank page in a new browser context, ready to load the app.

    Each context gets its own Streamlit session once it loads the app. The page carries the
    script-run counter of the browser tests, so ``wait_for_app`` and ``wait_for_rerun`` from
    ``tests.browser.helpers`` work on it. ``init_script`` runs in every page of the context
    before the page's own scripts. Register event handlers, such as ``page.on("websocket",
    ...)``, before calling :func:`load_app`, or they miss the first frames.
    """
    context = browser.new_context(viewport=VIEWPORT, base_url=server.url)
    install_run_counter(context)
    if init_script is not None:
        context.add_init_script(script=init_script)
    return context, context.new_page()


def load_app(page: Page, path: str) -> None:
    """Load ``path`` (such as ``"/?dataset=sine"``) and wait until the first script run finished."""
    page.goto(path)
    wait_for_app(page)
