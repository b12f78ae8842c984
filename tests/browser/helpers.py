"""Wait for the Streamlit app in a Playwright page, and save screenshots.

Streamlit marks its root element ``[data-testid="stApp"]`` with two attributes
that these helpers read:

- ``data-test-connection-state``: ``CONNECTED`` once the websocket is open.
- ``data-test-script-state``: ``initial`` before the first script run, then
  ``running`` while the script runs and ``notRunning`` after it finished
  (``compilationError`` if the script failed to compile).

After a click, the state goes from ``notRunning`` to ``running`` and back, and
the ``running`` phase can start after the click returns or be over before the
test looks. Reading the attribute once cannot tell "the rerun has not started
yet" from "the rerun is already over". So every page made by the fixtures
carries a small script (:data:`RUN_COUNTER_SCRIPT`) that counts each switch of
the attribute to ``running``, and :func:`wait_for_rerun` waits until that count
has grown.

The first time a page shows an element type, such as a slider or a chart,
Streamlit draws a grey ``[data-testid="stSkeleton"]`` placeholder while it
loads that element's code. With Streamlit 1.67, placeholders stayed for up to
about 1.5 s after the script state became ``notRunning``, so the waits also
require that no placeholder is visible.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

APP_SELECTOR = '[data-testid="stApp"]'
CONNECTED_SELECTOR = f'{APP_SELECTOR}[data-test-connection-state="CONNECTED"]'
CHART_SELECTOR = '[data-testid="stPlotlyChart"]'
EXCEPTION_SELECTOR = '[data-testid="stException"]'

DEFAULT_VIEWPORT = {"width": 1280, "height": 800}
WIDE_VIEWPORT = {"width": 1920, "height": 1080}

# Loading a test page with two Plotly charts took 1 to 3.5 s from goto to drawn
# charts (the first load is the slowest) on a 2-core machine with Chromium 156.
# 20 s leaves room for a busy CI machine without hiding a hang for long.
DEFAULT_TIMEOUT_MS = 20_000

# Counts script runs in window.__backpropLabRuns. A MutationObserver record
# stores the attribute's value before the change, so the values the attribute
# went through are each record's old value followed by the current value.
# Counting from these catches a run even when it starts and ends between two
# callbacks.
RUN_COUNTER_SCRIPT = """
(() => {
  if (typeof window.__backpropLabRuns === "number") return;
  window.__backpropLabRuns = 0;
  window.__backpropLabRunsSeen = 0;
  const attribute = "data-test-script-state";
  let lastState = null;
  // A run shows as "rerunRequested", then "running". When the server answers quickly, the
  // frontend can skip drawing "running", so either state after an idle one counts as a run.
  const busy = (state) => state === "running" || state === "rerunRequested";
  const record = (state) => {
    if (busy(state) && !busy(lastState)) window.__backpropLabRuns += 1;
    lastState = state;
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "attributes" && mutation.attributeName === attribute) {
        record(mutation.oldValue);
      }
    }
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) record(app.getAttribute(attribute));
  }).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: [attribute],
    attributeOldValue: true,
  });
  // A fast rerun can start and finish within one frame of the page, leaving no change of the
  // attribute to observe. The messages the server sends show such a run: each message it
  // sends is counted, with the time of the last one.
  window.__backpropLabMessages = 0;
  window.__backpropLabMessagesSeen = 0;
  window.__backpropLabLastMessageAt = 0;
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new NativeWebSocket(...args);
    socket.addEventListener("message", () => {
      window.__backpropLabMessages += 1;
      window.__backpropLabLastMessageAt = performance.now();
    });
    return socket;
  };
  window.WebSocket.prototype = NativeWebSocket.prototype;
  Object.assign(window.WebSocket, NativeWebSocket);
})();
"""

# Counts the visible loading placeholders. A placeholder inside a collapsed
# container has no layout box and is left out.
_COUNT_VISIBLE_PLACEHOLDERS = """
() => Array.from(document.querySelectorAll('[data-testid="stSkeleton"]'))
  .filter((placeholder) => placeholder.getClientRects().length > 0).length
"""

# Resolves once at least `minimumRuns` script runs were counted, the last one
# finished and no placeholder is visible. It then marks the runs as seen and
# returns the script state.
_FINISHED_RUN_PREDICATE = f"""
(minimumRuns) => {{
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const state = app.getAttribute("data-test-script-state");
  if (state !== "notRunning" && state !== "compilationError") return false;
  // A run counts when the attribute showed it, or, for a run too fast to show, when the server
  // sent messages since the last wait and then none for half a second.
  const quiet = performance.now() - window.__backpropLabLastMessageAt > 500;
  const unseenMessages = window.__backpropLabMessages > window.__backpropLabMessagesSeen;
  if (window.__backpropLabRuns < minimumRuns && !(unseenMessages && quiet)) return false;
  if (({_COUNT_VISIBLE_PLACEHOLDERS})() > 0) return false;
  window.__backpropLabRunsSeen = Math.max(window.__backpropLabRuns, minimumRuns);
  window.__backpropLabMessagesSeen = window.__backpropLabMessages;
  return state;
}}
"""

# plotly.js adds the .main-svg elements when it draws a chart; a chart
# container without one has not been drawn yet.
_COUNT_DRAWN_CHARTS = """
(selector) => Array.from(document.querySelectorAll(selector))
  .filter((chart) => chart.querySelector(".main-svg") !== null).length
"""

_SCREENSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def install_run_counter(context: BrowserContext) -> None:
    """Add the script-run counter to every page that ``context`` opens from now on.

    The ``page``, ``wide_page`` and ``page_factory`` fixtures call this already.
    Call it yourself only for a context you create by hand, before opening pages.
    """
    context.add_init_script(script=RUN_COUNTER_SCRIPT)


def wait_for_app(page: Page, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until the app has connected, run its script and loaded its elements.

    "Loaded" means that no loading placeholder is visible. Call it after each
    ``page.goto``. Calling it again without a navigation returns at once.

    Parameters
    ----------
    page : Page
        A page made by the ``page``, ``wide_page`` or ``page_factory`` fixture.
    timeout_ms : float
        Maximum wait, in milliseconds, for the connection, and again for the
        script run and the loading.

    Raises
    ------
    AssertionError
        If the app does not connect, finish its script run or load its elements
        in time, or if the script failed to compile.
    """
    _require_run_counter(page)
    try:
        page.wait_for_selector(CONNECTED_SELECTOR, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"app did not connect within {timeout_ms:.0f} ms ({_describe_app_state(page)})"
        ) from None
    _wait_for_finished_run(page, minimum_runs=1, timeout_ms=timeout_ms, action="first script run")


def wait_for_rerun(page: Page, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
    """Wait for a script run that started after the last wait, and for its elements.

    Call it after an action that makes Streamlit rerun the script, such as a
    click or a slider change. It returns at once if that rerun already finished,
    and it times out if the action caused no rerun.

    Parameters
    ----------
    page : Page
        A page made by the ``page``, ``wide_page`` or ``page_factory`` fixture,
        on which :func:`wait_for_app` has been called since the last navigation.
    timeout_ms : float
        Maximum wait for the rerun to start and finish and for its elements to
        load, in milliseconds.

    Raises
    ------
    AssertionError
        If no new script run finishes in time, a loading placeholder stays
        visible, or the script failed to compile.

    Notes
    -----
    A fragment that reruns on a timer (``st.fragment(run_every=...)``) also
    counts as a run, so on a page with such a fragment this can return after a
    timer rerun instead of the one the action caused.
    """
    _require_run_counter(page)
    runs_seen = page.evaluate("window.__backpropLabRunsSeen")
    _wait_for_finished_run(page, minimum_runs=runs_seen + 1, timeout_ms=timeout_ms, action="rerun")


def wait_for_charts(page: Page, count: int, timeout_ms: float = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until at least ``count`` Plotly charts have been drawn.

    A chart counts once plotly.js has added its ``.main-svg`` element, which
    happens some time after Streamlit's script run finished.

    Parameters
    ----------
    page : Page
        The page to watch.
    count : int
        Number of ``st.plotly_chart`` elements that must be drawn; at least 1.
    timeout_ms : float
        Maximum wait, in milliseconds.

    Raises
    ------
    ValueError
        If ``count`` is not a positive integer.
    AssertionError
        If fewer than ``count`` charts are drawn in time.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")

    try:
        page.wait_for_function(
            f"([selector, count]) => ({_COUNT_DRAWN_CHARTS})(selector) >= count",
            arg=[CHART_SELECTOR, count],
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError:
        drawn = page.evaluate(_COUNT_DRAWN_CHARTS, CHART_SELECTOR)
        raise AssertionError(
            f"expected at least {count} drawn Plotly charts within {timeout_ms:.0f} ms, found {drawn}"
        ) from None


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG screenshot of ``page`` to ``test-artifacts/NAME.png`` and return its path.

    Parameters
    ----------
    page : Page
        The page to capture.
    name : str
        File name without extension: letters, digits, ``_``, ``.`` and ``-``,
        starting with a letter or digit.
    full_page : bool
        Capture the whole scrollable document instead of the viewport. Streamlit
        scrolls inside its own container, so this rarely adds anything.

    Raises
    ------
    ValueError
        If ``name`` contains other characters, such as a path separator.
    """
    if not isinstance(name, str) or _SCREENSHOT_NAME.fullmatch(name) is None:
        raise ValueError(
            f"name must contain only letters, digits, '_', '.' and '-' and start with a "
            f"letter or digit, got {name!r}"
        )

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path


def _require_run_counter(page: Page) -> None:
    if page.evaluate('typeof window.__backpropLabRuns !== "number"'):
        raise RuntimeError(
            "page has no script-run counter: open it with the page, wide_page or "
            "page_factory fixture, or call install_run_counter(context) before opening it"
        )


def _wait_for_finished_run(page: Page, minimum_runs: int, timeout_ms: float, action: str) -> None:
    try:
        handle = page.wait_for_function(
            _FINISHED_RUN_PREDICATE, arg=minimum_runs, timeout=timeout_ms
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"{action} did not finish within {timeout_ms:.0f} ms ({_describe_app_state(page)})"
        ) from None

    if handle.json_value() == "compilationError":
        raise AssertionError("the app script failed to compile; the page shows the error")


def _describe_app_state(page: Page) -> str:
    state = page.evaluate(
        f"""() => {{
          const app = document.querySelector('[data-testid="stApp"]');
          return {{
            connection: app ? app.getAttribute("data-test-connection-state") : null,
            script: app ? app.getAttribute("data-test-script-state") : null,
            runs: window.__backpropLabRuns,
            placeholders: ({_COUNT_VISIBLE_PLACEHOLDERS})(),
          }};
        }}"""
    )
    return (
        f"connection state: {state['connection']}, script state: {state['script']}, "
        f"script runs counted: {state['runs']}, visible loading placeholders: {state['placeholders']}"
    )
