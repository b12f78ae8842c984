"""Backprop Lab behind nginx with two app processes, started by deploy/run.sh.

The module fixture runs ``deploy/run.sh`` on free loopback ports and stops it with
SIGTERM at the end. The browser test opens two sessions whose route cookies hash to
different app processes, trains in both and uploads a CSV file in one. Every HTTP
response and every WebSocket handshake of a session must come from that session's
process, which nginx names in the ``X-Backprop-Upstream`` response header.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, WebSocket, expect

from .helpers import (
    ARTIFACTS_DIR,
    DEFAULT_VIEWPORT,
    EXCEPTION_SELECTOR,
    REPO_ROOT,
    install_run_counter,
    screenshot,
    wait_for_app,
    wait_for_charts,
)

pytestmark = pytest.mark.browser

RUN_SCRIPT = REPO_ROOT / "deploy" / "run.sh"
TEMPLATE = REPO_ROOT / "deploy" / "nginx.conf.template"
STREAMLIT_CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
RUN_LOG_PATH = ARTIFACTS_DIR / "deploy-run.log"
NGINX_INSTALL_COMMAND = "apt-get update && apt-get install -y nginx"

ROUTE_COOKIE = "backprop_route"
UPSTREAM_HEADER = "x-backprop-upstream"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
TIMEOUT_MS = 30_000
# Route values tried when looking for one per app process. With two processes,
# all 64 landing on the same one has a probability of 2**-63.
MAX_ROUTE_PROBES = 64
METRIC_VALUE = '[data-testid="stMetricValue"]'
CAPTION = '[data-testid="stCaptionContainer"]'


@dataclass
class Deployment:
    """The running proxy, its app processes and the log of deploy/run.sh."""

    proxy_url: str
    app_addresses: list[str]
    run_log: Path


@dataclass
class Session:
    """One browser context behind the proxy, and every response it received."""

    name: str
    route: str
    expected_upstream: str
    context: BrowserContext
    page: Page
    responses: list[Response] = field(default_factory=list)
    websocket_urls: list[str] = field(default_factory=list)
    handshake_headers: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Fixture: deploy/run.sh on free ports
# ---------------------------------------------------------------------------


def require_nginx() -> None:
    """Skip the test when nginx is missing, or fail it when CI=true."""
    # Debian installs nginx in /usr/sbin, which is not on every user's PATH.
    if shutil.which("nginx") is not None or os.access("/usr/sbin/nginx", os.X_OK):
        return
    reason = f"nginx not found on PATH or at /usr/sbin/nginx. Install it as root with: {NGINX_INSTALL_COMMAND}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def free_ports(count: int) -> list[int]:
    # All sockets stay open until every port is chosen, so the ports differ.
    # Another process could still take one before deploy/run.sh binds it.
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def open_url(request: urllib.request.Request | str, timeout: float = 5.0):
    # An empty ProxyHandler keeps urllib from sending loopback requests to a
    # proxy named in the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return opener.open(request, timeout=timeout)


def is_healthy(url: str) -> bool:
    try:
        with open_url(f"{url}/_stcore/health", timeout=1.0) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def started_pids(run_log: Path) -> list[int]:
    """Return the process ids that deploy/run.sh reported starting."""
    return [int(pid) for pid in re.findall(r"^Started .*\(pid (\d+)\)", run_log.read_text(), re.MULTILINE)]


def log_tail(path: Path, max_chars: int = 4000) -> str:
    text = path.read_text(errors="replace")
    return text[-max_chars:] if text else "(nothing was printed)"


def stop_run_script(process: subprocess.Popen[bytes], run_log: Path) -> list[int]:
    """Stop deploy/run.sh with SIGTERM and return the ids of its processes still alive."""
    children = started_pids(run_log)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    survivors = []
    for pid in children:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        survivors.append(pid)
        # Stop the leftover by its id so that it does not outlive the tests.
        os.kill(pid, signal.SIGKILL)
    return survivors


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """Run deploy/run.sh with two app processes on free ports and yield where they listen.

    deploy/run.sh's output goes to ``test-artifacts/deploy-run.log``. At the end the
    script gets SIGTERM, and the fixture fails if any process it started is still
    running afterwards.
    """
    require_nginx()
    proxy_port, *app_ports = free_ports(3)
    proxy_url = f"http://127.0.0.1:{proxy_port}"
    env = dict(
        os.environ,
        BACKPROP_PROXY_PORT=str(proxy_port),
        BACKPROP_APP_PORTS=" ".join(str(port) for port in app_ports),
        BACKPROP_PYTHON=sys.executable,
    )

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with RUN_LOG_PATH.open("wb") as log:
        process = subprocess.Popen(
            ["bash", str(RUN_SCRIPT)], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not is_healthy(proxy_url):
            if process.poll() is not None:
                pytest.fail(
                    f"deploy/run.sh exited with code {process.returncode} before the proxy became "
                    f"healthy. Its output ({RUN_LOG_PATH}):\n{log_tail(RUN_LOG_PATH)}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the proxy on {proxy_url} was not healthy after {START_TIMEOUT_S:.0f} s. "
                    f"Output of deploy/run.sh ({RUN_LOG_PATH}):\n{log_tail(RUN_LOG_PATH)}"
                )
            time.sleep(0.2)

        yield Deployment(
            proxy_url=proxy_url,
            app_addresses=[f"127.0.0.1:{port}" for port in app_ports],
            run_log=RUN_LOG_PATH,
        )
    finally:
        survivors = stop_run_script(process, RUN_LOG_PATH)
    assert survivors == [], (
        f"processes started by deploy/run.sh were still running after it stopped: {survivors}. "
        f"Its output ({RUN_LOG_PATH}):\n{log_tail(RUN_LOG_PATH)}"
    )
    assert process.returncode == 0, (
        f"deploy/run.sh exited with code {process.returncode} after SIGTERM. "
        f"Its output ({RUN_LOG_PATH}):\n{log_tail(RUN_LOG_PATH)}"
    )


# ---------------------------------------------------------------------------
# Requests without a browser
# ---------------------------------------------------------------------------


def get_health(proxy_url: str, route: str | None = None):
    """GET /_stcore/health through the proxy; return (upstream, Set-Cookie headers)."""
    request = urllib.request.Request(f"{proxy_url}/_stcore/health")
    if route is not None:
        request.add_header("Cookie", f"{ROUTE_COOKIE}={route}")
    with open_url(request) as response:
        return response.headers.get(UPSTREAM_HEADER), response.headers.get_all("Set-Cookie") or []


def route_cookies(set_cookie_headers: list[str]) -> list[str]:
    return [header for header in set_cookie_headers if header.startswith(f"{ROUTE_COOKIE}=")]


def routes_per_upstream(proxy_url: str) -> dict[str, str]:
    """Map each app process to the first probe route that nginx sends to it."""
    found: dict[str, str] = {}
    for index in range(MAX_ROUTE_PROBES):
        route = f"probe-{index}"
        upstream, _ = get_health(proxy_url, route)
        found.setdefault(upstream, route)
    return found


def test_check_mode_accepts_config() -> None:
    require_nginx()
    result = subprocess.run(
        ["bash", str(RUN_SCRIPT), "--check"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"deploy/run.sh --check failed:\n{result.stdout}{result.stderr}"
    assert "nginx accepted the configuration" in result.stdout


def test_body_limit_fits_upload_limit() -> None:
    max_upload_mib = tomllib.loads(STREAMLIT_CONFIG.read_text())["server"]["maxUploadSize"]
    match = re.search(r"^\s*client_max_body_size\s+(\d+)m;", TEMPLATE.read_text(), re.MULTILINE)
    assert match is not None, f"no client_max_body_size in MiB found in {TEMPLATE}"
    # Streamlit allows 1 MiB of multipart framing above server.maxUploadSize.
    assert int(match.group(1)) >= max_upload_mib + 1, (
        f"client_max_body_size {match.group(1)}m is below server.maxUploadSize {max_upload_mib} MiB + 1 MiB"
    )


def test_route_cookie_set_once_and_kept(deployment: Deployment) -> None:
    first_upstream, set_cookies = get_health(deployment.proxy_url)
    cookies = route_cookies(set_cookies)
    assert len(cookies) == 1, f"expected one {ROUTE_COOKIE} cookie without a route, got {set_cookies}"
    match = re.fullmatch(rf"{ROUTE_COOKIE}=([0-9a-f]{{32}}); Path=/; HttpOnly; SameSite=Lax", cookies[0])
    assert match is not None, f"unexpected route cookie: {cookies[0]!r}"
    assert first_upstream in deployment.app_addresses

    for attempt in range(5):
        upstream, set_cookies = get_health(deployment.proxy_url, match.group(1))
        assert upstream == first_upstream, f"request {attempt} with the route cookie went to {upstream}"
        assert route_cookies(set_cookies) == [], f"request {attempt} got a new route cookie: {set_cookies}"


def test_upload_without_xsrf_token_rejected(deployment: Deployment) -> None:
    # Streamlit checks the XSRF token before it looks at the session id, so any
    # ids will do. The proxy must pass the rejection on, not replace it.
    request = urllib.request.Request(
        f"{deployment.proxy_url}/_stcore/upload_file/no-session/no-file", data=b"x", method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        open_url(request)
    assert raised.value.code == 403
    assert raised.value.headers.get(UPSTREAM_HEADER) in deployment.app_addresses


# ---------------------------------------------------------------------------
# Two browser sessions
# ---------------------------------------------------------------------------


def open_session(browser: Browser, deployment: Deployment, name: str, route: str, upstream: str) -> Session:
    """Open a context whose route cookie is ``route`` and record what its page receives."""
    context = browser.new_context(viewport=DEFAULT_VIEWPORT, base_url=deployment.proxy_url)
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": deployment.proxy_url}])
    install_run_counter(context)
    page = context.new_page()
    session = Session(name=name, route=route, expected_upstream=upstream, context=context, page=page)

    # Playwright wraps each handler in an attribute it sets on the handler,
    # so a bound method of a list cannot be passed directly.
    def record_response(response: Response) -> None:
        session.responses.append(response)

    def record_websocket(websocket: WebSocket) -> None:
        session.websocket_urls.append(websocket.url)

    page.on("response", record_response)
    page.on("websocket", record_websocket)

    # Playwright does not expose a WebSocket's handshake response, but the
    # Chrome DevTools Protocol does, headers included.
    devtools = context.new_cdp_session(page)
    devtools.on(
        "Network.webSocketHandshakeResponseReceived",
        lambda event: session.handshake_headers.append(event["response"]["headers"]),
    )
    devtools.send("Network.enable")
    return session


def step_counter(page: Page):
    """The value of the "Step" metric, the first metric on the page."""
    return page.locator(METRIC_VALUE).first


def press_step(page: Page, expected_step: str) -> None:
    page.get_by_role("button", name="Step", exact=True).click()
    expect(step_counter(page)).to_have_text(expected_step, timeout=TIMEOUT_MS)


def upload_csv(page: Page, path: Path) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
    page.get_by_role("option", name="Upload a CSV file…").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(path)


def write_csv(path: Path, n_rows: int) -> Path:
    # y = 2 x1 − x2 + 3 on a small grid: two inputs, one target.
    lines = ["x1,x2,y"]
    for i in range(n_rows):
        x1, x2 = i / 100, (i % 7) / 3
        lines.append(f"{x1:.4f},{x2:.4f},{2 * x1 - x2 + 3:.4f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def header_of(headers: dict[str, Any], name: str) -> str | None:
    # DevTools keeps the header names as the server sent them.
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def check_session_routing(session: Session, proxy_url: str) -> None:
    """Assert that every HTTP response and WebSocket of the session came from its upstream."""
    session_label = f"{session.name} (route {session.route})"
    proxied = [response for response in session.responses if response.url.startswith(proxy_url)]
    assert proxied, f"{session_label}: no responses from the proxy were recorded"
    for response in proxied:
        upstream = response.header_value(UPSTREAM_HEADER)
        assert upstream == session.expected_upstream, (
            f"{session_label}: {response.request.method} {response.url} was served by {upstream!r}, "
            f"expected {session.expected_upstream}"
        )

    uploads = [
        response for response in proxied
        if response.request.method == "PUT" and "/_stcore/upload_file/" in response.url
    ]
    for upload in uploads:
        assert upload.ok, f"{session_label}: upload {upload.url} failed with status {upload.status}"
        assert upload.request.header_value("x-xsrftoken"), f"{session_label}: upload {upload.url} sent no XSRF token"

    websocket_url = proxy_url.replace("http://", "ws://", 1) + "/_stcore/stream"
    assert session.websocket_urls, f"{session_label}: the page opened no WebSocket"
    for url in session.websocket_urls:
        assert url == websocket_url, f"{session_label}: WebSocket to {url}, expected {websocket_url}"
    assert session.handshake_headers, f"{session_label}: no WebSocket handshake response was recorded"
    for headers in session.handshake_headers:
        upstream = header_of(headers, UPSTREAM_HEADER)
        assert upstream == session.expected_upstream, (
            f"{session_label}: WebSocket handshake served by {upstream!r}, expected {session.expected_upstream}"
        )


def test_sessions_stick_to_their_process(browser: Browser, deployment: Deployment, tmp_path: Path) -> None:
    routes = routes_per_upstream(deployment.proxy_url)
    assert sorted(routes) == sorted(deployment.app_addresses), (
        f"{MAX_ROUTE_PROBES} probe routes reached {sorted(routes)}, expected both of {deployment.app_addresses}"
    )
    (upstream_a, route_a), (upstream_b, route_b) = sorted(routes.items())
    sessions = [
        open_session(browser, deployment, "session A", route_a, upstream_a),
        open_session(browser, deployment, "session B", route_b, upstream_b),
    ]
    uploader, other = sessions
    # Over 8 KiB, nginx's default client_body_buffer_size on x86-64, so nginx
    # writes the request body to its temporary folder on the way.
    csv_path = write_csv(tmp_path / "deploy-upload.csv", 1500)
    assert csv_path.stat().st_size > 8 * 1024

    try:
        for session in sessions:
            session.page.goto("/")
            wait_for_app(session.page)
            expect(step_counter(session.page)).to_have_text("0")

        # Interleaved, so both sessions are open at once on their own processes.
        press_step(uploader.page, "1")
        press_step(other.page, "1")
        press_step(other.page, "2")

        upload_csv(uploader.page, csv_path)
        expect(uploader.page.get_by_text("training restarted at step 0")).to_be_visible(timeout=TIMEOUT_MS)
        expect(uploader.page.locator(CAPTION).filter(has_text=f"{csv_path.name}:")).to_have_count(
            1, timeout=TIMEOUT_MS
        )
        press_step(uploader.page, "1")
        wait_for_charts(uploader.page, 4)

        for session in sessions:
            assert session.page.locator(EXCEPTION_SELECTOR).count() == 0, f"{session.name} shows an exception"
            assert session.page.locator('[data-testid="stAlertContentError"]').count() == 0, (
                f"{session.name} shows an error message"
            )
        expect(other.page.locator(CAPTION).filter(has_text=f"{csv_path.name}:")).to_have_count(0)
        expect(step_counter(other.page)).to_have_text("2")
        screenshot(uploader.page, "deploy-nginx-upload-session", full_page=True)
        screenshot(other.page, "deploy-nginx-other-session", full_page=True)

        for session in sessions:
            check_session_routing(session, deployment.proxy_url)
        upload_puts = [
            response for response in uploader.responses
            if response.request.method == "PUT" and "/_stcore/upload_file/" in response.url
        ]
        assert len(upload_puts) == 1, f"expected one upload request, got {[r.url for r in upload_puts]}"
        assert uploader.expected_upstream != other.expected_upstream
    finally:
        for session in sessions:
            session.context.close()
