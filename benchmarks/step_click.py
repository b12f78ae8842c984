"""Measure one Step click on the Train page: server CPU time, wall time and bytes sent.

Run from the repository root:

    python benchmarks/step_click.py [--clicks N] [--lengths 0,1000,10000,100000] [--profile]

Targets:

- The server time of one Step on the Train page, with 10,000 steps already in the history, is
  at most 50 ms. "Server time" here is the CPU time (user + system, all threads, child processes
  excluded) that the Streamlit server process used for the click. It is read right before the
  click and again once the rerun finished and the page was idle for `SETTLE_MS`.
- The figure data sent to the browser per update stays below 300 KB at any history length.
  Measured as the bytes of all WebSocket frames the browser received for one Step update, which
  is the figures plus everything else the rerun sends, so an upper bound on the figure data.

The script starts the app (`streamlit run app.py` on a free loopback port) and Debian's
Chromium through Playwright. For each history length it opens a new session on
``/?dataset=sine&hidden=8,8`` (60 points on a sine, a 1-8-8-1 tanh network, full batch),
builds the history with Step ×N through the page, then clicks Step and measures each click.
At 10,000 steps it clicks `--clicks` times (the target's figure); at the other lengths
`OTHER_LENGTH_CLICKS` times. The wall time is taken in the browser, from the click event to the
moment the script state turned back to ``notRunning``.

It then builds the same four figures that the Train page's ``show_charts`` builds, in this
process without a server, and prints each one's JSON size and build and serialisation times at
each length. With ``--profile`` it samples the server with py-spy while clicking Step at
10,000 steps and prints the functions of pages/train.py, lab_ui.py and backprop_core, and of
all code, that appear in the most samples.

The script reports and always exits 0: timings on a shared machine are noisy and should not
fail a build. PASS and FAIL compare one run's figures with the targets.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _server
import _timing
from _server import REPOSITORY_ROOT

import numpy as np
import plotly.graph_objects as go
import plotly.io
import plotly.tools
from playwright.sync_api import Page, WebSocket

from backprop_core import charts
from backprop_core.datasets import make_regression
from backprop_core.diagnostics import diagnose
from backprop_core.session import NetworkSettings, TrainingSession
from tests.browser.helpers import wait_for_rerun

APP_PATH = "/?dataset=sine&hidden=8,8"
TARGET_HISTORY = 10_000
TARGET_SERVER_SECONDS = 0.050
TARGET_UPDATE_BYTES = 300_000
OTHER_LENGTH_CLICKS = 3
# After the rerun finished, wait this long before reading the server's CPU time, so that work
# done after the script state changed (sending the last messages) is counted.
SETTLE_MS = 300
LONG_RUN_TIMEOUT_MS = 240_000
PROFILE_SECONDS = 10
PROFILE_RATE_HZ = 200
PROFILE_OUTPUT = REPOSITORY_ROOT / "test-artifacts" / "step-click-profile.txt"
TOP_FUNCTIONS = 25
APP_FILE_MARKERS = ("pages/train.py", "lab_ui.py", "backprop_core/")

METRIC_SELECTOR = '[data-testid="stMetricValue"]'
APP_SELECTOR = '[data-testid="stApp"]'

# Stores, in browser time (ms), when the last click happened and when the script state last
# turned to notRunning. Only attribute changes count, so later redraws do not move the end.
TIMESTAMP_SCRIPT = """
(() => {
  window.__benchClickAt = null;
  window.__benchIdleAt = null;
  document.addEventListener("click", () => { window.__benchClickAt = performance.now(); }, true);
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "attributes"
          && mutation.target.getAttribute("data-test-script-state") === "notRunning"
          && mutation.oldValue !== "notRunning") {
        window.__benchIdleAt = performance.now();
      }
    }
  }).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-test-script-state"],
    attributeOldValue: true,
  });
})();
"""

# True once the Step metric shows `expected` and no script run is going on.
STEP_SHOWN_PREDICATE = f"""
(expected) => {{
  const app = document.querySelector('{APP_SELECTOR}');
  const metric = document.querySelector('{METRIC_SELECTOR}');
  if (!app || !metric) return false;
  return metric.innerText.trim() === expected
    && app.getAttribute("data-test-script-state") === "notRunning";
}}
"""


@dataclass(frozen=True)
class Click:
    """Cost of one Step click: server CPU seconds, browser wall seconds, bytes received."""

    server_cpu_s: float
    wall_s: float
    received_bytes: int
    script_runs: int


class FrameCounter:
    """Sums the bytes of every WebSocket frame a page receives."""

    def __init__(self, page: Page) -> None:
        self.total_bytes = 0
        self.frames = 0
        page.on("websocket", self._watch)

    def _watch(self, websocket: WebSocket) -> None:
        websocket.on("framereceived", self._count)

    def _count(self, payload: bytes | str) -> None:
        # Streamlit sends binary protobuf frames; a text frame is counted in UTF-8 bytes.
        self.total_bytes += len(payload) if isinstance(payload, bytes) else len(payload.encode())
        self.frames += 1


# --- driving the page ----------------------------------------------------------------------


def shown_step(page: Page) -> int:
    """Return the step count that the first metric, Step, shows."""
    return int(page.locator(METRIC_SELECTOR).first.inner_text().strip().replace(",", ""))


def wait_for_step(page: Page, step: int, timeout_ms: float) -> None:
    page.wait_for_function(STEP_SHOWN_PREDICATE, arg=f"{step:,}", timeout=timeout_ms)


def build_history(page: Page, n_steps: int) -> float:
    """Make ``n_steps`` steps with Step ×N and wait until they are done; return the seconds taken."""
    start_step = shown_step(page)
    steps_input = page.locator(".st-key-n_steps input")
    steps_input.fill(str(n_steps))
    steps_input.press("Enter")
    wait_for_rerun(page)

    start = time.perf_counter()
    page.get_by_role("button", name=f"Step ×{n_steps:,}", exact=True).click()
    wait_for_step(page, start_step + n_steps, LONG_RUN_TIMEOUT_MS)
    # A long run ends with a full rerun that turns Stop back into Play.
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=LONG_RUN_TIMEOUT_MS)
    wait_for_step(page, start_step + n_steps, LONG_RUN_TIMEOUT_MS)
    elapsed = time.perf_counter() - start
    page.wait_for_timeout(SETTLE_MS)
    return elapsed


def measure_step_click(page: Page, server_pid: int, frames: FrameCounter) -> Click:
    """Click Step once and measure the server CPU time, the wall time and the bytes received."""
    expected = shown_step(page) + 1
    step_button = page.get_by_role("button", name="Step", exact=True)
    runs_before = page.evaluate("window.__backpropLabRuns")

    cpu_before = _server.process_cpu_seconds(server_pid)
    bytes_before = frames.total_bytes
    step_button.click()
    wait_for_rerun(page)
    wait_for_step(page, expected, 20_000)
    page.wait_for_timeout(SETTLE_MS)
    cpu_after = _server.process_cpu_seconds(server_pid)

    clicked_at, idle_at = page.evaluate("[window.__benchClickAt, window.__benchIdleAt]")
    return Click(
        server_cpu_s=cpu_after - cpu_before,
        wall_s=(idle_at - clicked_at) / 1000.0,
        received_bytes=frames.total_bytes - bytes_before,
        script_runs=page.evaluate("window.__backpropLabRuns") - runs_before,
    )


def idle_cpu_seconds(server_pid: int, seconds: float) -> float:
    """Return the server's CPU time over ``seconds`` of doing nothing, as a baseline."""
    before = _server.process_cpu_seconds(server_pid)
    time.sleep(seconds)
    return _server.process_cpu_seconds(server_pid) - before


# --- reporting -----------------------------------------------------------------------------


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def print_clicks(length: int, clicks: list[Click]) -> None:
    cpu = [click.server_cpu_s * 1000 for click in clicks]
    wall = [click.wall_s * 1000 for click in clicks]
    kilobytes = [click.received_bytes / 1000 for click in clicks]
    runs = sorted({click.script_runs for click in clicks})
    print(
        f"  history {length:>7,}: {len(clicks):>2} clicks | server CPU ms median "
        f"{statistics.median(cpu):6.1f} max {max(cpu):6.1f} | wall ms median "
        f"{statistics.median(wall):6.1f} max {max(wall):6.1f} | received KB median "
        f"{statistics.median(kilobytes):7.1f} max {max(kilobytes):7.1f} | script runs per click {runs}"
    )


# --- figures built in this process --------------------------------------------------------


def train_page_figure_builders(lab: TrainingSession) -> dict[str, Callable[[], go.Figure]]:
    """Return a function per figure of the Train page's show_charts, with the page's arguments.

    Each function reads the session's current state and builds its figure, including the
    session calls that prepare the figure's data. Copied from pages/train.py ``show_charts``
    for a one-input dataset, outside the presenter view, with the log scale off. Update this
    when that function changes.
    """
    trainer, dataset = lab.trainer, lab.dataset

    def cost() -> go.Figure:
        steps, costs = lab.cost_series()
        return charts.cost_figure(
            steps,
            costs,
            current_step=int(steps[-1]),
            current_cost=float(costs[-1]),
            log_scale=False,
            divergence_step=trainer.divergence.step if trainer.divergence else None,
            cost_label="cost (MSE, standardised units)" if lab.settings.standardize else "cost",
        )

    def fit() -> go.Figure:
        predicted = lab.predict(dataset.X)
        curve_x, curve_y = lab.fit_curve()
        return charts.fit_figure_1d(
            dataset.X[:, 0],
            dataset.y[:, 0],
            predicted[:, 0],
            curve_x,
            curve_y,
            x_label=dataset.feature_names[0],
            y_label=dataset.target_names[0],
            reachable=lab.reachable_range(),
        )

    def weights() -> go.Figure:
        names = lab.network.parameter_names()
        snapshot_steps, values = lab.parameter_series()
        return charts.weight_trajectory_figure(
            snapshot_steps,
            values,
            names,
            selected=charts.default_parameters_shown(names),
            max_points=charts.WEIGHT_POINTS_PER_LINE,
        )

    def gradient_norms() -> go.Figure:
        norms = trainer.history.gradient_norms
        return charts.gradient_norms_figure(
            np.arange(1, norms.shape[0] + 1), norms, max_points=charts.GRADIENT_POINTS_PER_LINE
        )

    return {
        "cost_figure": cost,
        "fit_figure_1d": fit,
        "weight_trajectory_figure": weights,
        "gradient_norms_figure": gradient_norms,
    }


def time_call(function, repetitions: int = 5) -> float:
    """Return the median seconds of ``repetitions`` calls of ``function``."""
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report_figures_in_process(lengths: list[int]) -> dict[int, int]:
    """Print each figure's JSON size and costs at each history length; return total bytes per length."""
    print("\nFigures built in this process (same calls as show_charts; no server):")
    print(
        "  JSON = len(fig.to_json()); build = the session calls and the chart builder; serialise = what st.plotly_chart "
        "does (return_figure_from_figure_or_data(validate_figure=True), then plotly.io.to_json)"
    )
    totals: dict[int, int] = {}
    for length in lengths:
        lab = TrainingSession(make_regression("sine", 60, 0.1, 0), NetworkSettings(hidden_sizes=(8, 8)))
        lab.run(length)
        total = 0
        for name, build in train_page_figure_builders(lab).items():
            figure = build()
            size = len(figure.to_json())
            total += size
            build_s = time_call(build)
            serialise_s = time_call(
                lambda figure=figure: plotly.io.to_json(
                    plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True), validate=False
                )
            )
            print(
                f"  history {length:>7,}  {name:<25} JSON {size / 1000:7.1f} KB; "
                f"build {build_s * 1000:6.1f} ms; serialise {serialise_s * 1000:6.1f} ms"
            )
        totals[length] = total

        trainer = lab.trainer

        def run_diagnostics() -> None:
            with np.errstate(all="ignore"):
                gradients = lab.network.backward(lab.network.forward(trainer.X), trainer.y)
            diagnose(
                lab.network,
                trainer.X,
                trainer.y,
                standardized=lab.settings.standardize,
                gradients=gradients,
                cost=gradients.cost,
                layer_gradient_norms=trainer.history.gradient_norms if len(trainer.history) else None,
            )

        print(
            f"  history {length:>7,}  all four figures {total / 1000:7.1f} KB; "
            f"show_health's diagnose {time_call(run_diagnostics) * 1000:.1f} ms; "
            f"one session.step() {time_call(lab.step) * 1000:.2f} ms"
        )
    return totals


# --- profile -------------------------------------------------------------------------------


def profile_step_clicks(page: Page, server_pid: int) -> tuple[Path, int]:
    """Record the server with py-spy while clicking Step repeatedly.

    Returns the raw output file and the number of clicks made while py-spy ran.
    """
    PROFILE_OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "py-spy", "record", "-f", "raw", "--pid", str(server_pid),
        "-r", str(PROFILE_RATE_HZ), "-d", str(PROFILE_SECONDS), "-o", str(PROFILE_OUTPUT),
        "--full-filenames",
    ]
    log = PROFILE_OUTPUT.with_suffix(".log").open("wb")
    recorder = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        # py-spy needs a moment to attach before the first click is worth sampling.
        time.sleep(0.5)
        clicks = 0
        while recorder.poll() is None:
            expected = shown_step(page) + 1
            page.get_by_role("button", name="Step", exact=True).click()
            wait_for_step(page, expected, 20_000)
            clicks += 1
        if recorder.returncode != 0:
            output = PROFILE_OUTPUT.with_suffix(".log").read_text(errors="replace").strip()
            raise RuntimeError(f"py-spy exited with code {recorder.returncode}: {output}")
        print(f"\nProfile: {clicks} Step clicks while py-spy sampled {PROFILE_SECONDS} s at {PROFILE_RATE_HZ} Hz")
    finally:
        if recorder.poll() is None:
            recorder.terminate()
            try:
                recorder.wait(timeout=10)
            except subprocess.TimeoutExpired:
                recorder.kill()
                recorder.wait()
        log.close()
    return PROFILE_OUTPUT, clicks


def parse_frame(frame: str) -> tuple[str, str]:
    """Split a py-spy frame ``function (path:line)`` into the function and the path."""
    function, _, location = frame.rpartition(" (")
    if not function:
        return frame, ""
    path = location.rstrip(")").rsplit(":", 1)[0]
    return function, path


def short_path(path: str) -> str:
    root = str(REPOSITORY_ROOT) + "/"
    if path.startswith(root):
        return path[len(root) :]
    marker = "site-packages/"
    if marker in path:
        return path.split(marker, 1)[1]
    return path


def package_of(path: str) -> str:
    """Name the code a frame belongs to: an app file, a package, or the standard library."""
    path = short_path(path)
    if path.startswith(("pages/", "backprop_core/")) or path in ("app.py", "lab_ui.py"):
        return path
    if "/" not in path or path.startswith("/"):
        return "standard library"
    return path.split("/", 1)[0]


def print_profile(raw_path: Path, clicks: int) -> None:
    """Print where the script thread spent its samples: by function (inclusive) and by package.

    Only stacks of Streamlit's script thread count. The other threads spent nearly all their
    samples waiting (py-spy in this container did not tell waiting threads from running ones),
    and the server's idle CPU time is near zero, so they are left out.
    """
    app_samples: collections.Counter[tuple[str, str]] = collections.Counter()
    all_samples: collections.Counter[tuple[str, str]] = collections.Counter()
    leaf_packages: collections.Counter[str] = collections.Counter()
    script_total = 0
    for line in raw_path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit() or "ScriptRunner._run_script_thread" not in stack:
            continue
        count = int(count_text)
        script_total += count
        frames = [parse_frame(frame) for frame in stack.split(";")]
        leaf_packages[package_of(frames[-1][1])] += count
        for function, path in set(frames):
            key = (function, short_path(path))
            all_samples[key] += count
            if any(marker in path for marker in APP_FILE_MARKERS):
                app_samples[key] += count

    if script_total == 0:
        print(f"  the profile in {raw_path} has no samples of the script thread")
        return
    per_click_ms = 1000 * script_total / PROFILE_RATE_HZ / max(clicks, 1)
    print(
        f"  {script_total} samples in the script thread, about {per_click_ms:.0f} ms of script time "
        f"per click while sampled (py-spy pauses the server at each sample, so this is above the "
        f"unsampled time). Raw profile: {raw_path}"
    )
    print("  Script-thread samples by the code of the innermost Python frame (exclusive):")
    for package, count in leaf_packages.most_common(10):
        print(f"    {count:6d} {100 * count / script_total:5.1f} %  {package}")
    for title, counter in (
        (f"Top {TOP_FUNCTIONS} functions of pages/train.py, lab_ui.py and backprop_core", app_samples),
        (f"Top {TOP_FUNCTIONS} functions of any code", all_samples),
    ):
        print(f"  {title}, inclusive samples (% of the script thread's samples):")
        for (function, path), count in counter.most_common(TOP_FUNCTIONS):
            print(f"    {count:6d} {100 * count / script_total:5.1f} %  {function}  ({path})")


# --- main ----------------------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clicks", type=int, default=20, help="Step clicks measured at 10,000 steps (default 20)."
    )
    parser.add_argument(
        "--lengths",
        default="0,1000,10000,100000",
        help="History lengths in steps, comma-separated, at which Step clicks are measured "
        "(default 0,1000,10000,100000; each from 0 to 100,000).",
    )
    parser.add_argument(
        "--profile", action="store_true", help="Also sample the server with py-spy at 10,000 steps."
    )
    arguments = parser.parse_args()
    if arguments.clicks < 1:
        parser.error(f"--clicks must be at least 1, got {arguments.clicks}.")
    try:
        arguments.lengths = sorted({int(text) for text in arguments.lengths.split(",") if text.strip()})
    except ValueError:
        parser.error(f"--lengths must be whole numbers separated by commas, got {arguments.lengths!r}.")
    if not arguments.lengths or not all(0 <= length <= 100_000 for length in arguments.lengths):
        parser.error(f"--lengths must list numbers from 0 to 100000, got {arguments.lengths}.")
    if arguments.profile and TARGET_HISTORY not in arguments.lengths:
        arguments.lengths = sorted({*arguments.lengths, TARGET_HISTORY})
    return arguments


def measure_in_browser(arguments: argparse.Namespace) -> dict[int, list[Click]]:
    """Run the page measurements; return the clicks measured at each history length."""
    results: dict[int, list[Click]] = {}
    with _server.running_app() as (server, browser):
        print(f"Server: {server.url}, pid {server.pid}")
        idle = idle_cpu_seconds(server.pid, 2.0)
        print(
            f"Idle server CPU time: {idle * 1000:.0f} ms over 2 s (background, included in each "
            f"click). CPU times are read in clock ticks of {1000 / _server.CLOCK_TICKS_PER_SECOND:.0f} ms."
        )
        for length in arguments.lengths:
            context, page = _server.new_app_page(browser, server, init_script=TIMESTAMP_SCRIPT)
            try:
                frames = FrameCounter(page)
                _server.load_app(page, APP_PATH)
                if length:
                    seconds = build_history(page, length)
                    print(f"  built a history of {length:,} steps with Step ×{length:,} in {seconds:.1f} s")
                click_count = arguments.clicks if length == TARGET_HISTORY else OTHER_LENGTH_CLICKS
                results[length] = [measure_step_click(page, server.pid, frames) for _ in range(click_count)]
                print_clicks(length, results[length])
                if arguments.profile and length == TARGET_HISTORY:
                    print_profile(*profile_step_clicks(page, server.pid))
            finally:
                context.close()
    return results


def main() -> None:
    arguments = parse_arguments()
    print(_server.machine_summary())
    print(_server.psutil_note())
    print(f"Page: {APP_PATH} (60 points on a sine, 1-8-8-1 tanh network, full batch, η = 0.05)")

    results: dict[int, list[Click]] = {}
    try:
        results = measure_in_browser(arguments)
    except Exception:  # noqa: BLE001 - a benchmark reports its failure and still exits 0.
        print("The browser measurement failed:")
        traceback.print_exc(file=sys.stdout)

    totals = report_figures_in_process(arguments.lengths)

    print("\nTargets:")
    at_target = results.get(TARGET_HISTORY)
    if at_target:
        median_cpu = statistics.median(click.server_cpu_s for click in at_target)
        print(
            f"  server CPU time of one Step at {TARGET_HISTORY:,} steps (the 'server time'): median "
            f"{median_cpu * 1000:.1f} ms, target at most {TARGET_SERVER_SECONDS * 1000:.0f} ms: "
            f"{verdict(median_cpu <= TARGET_SERVER_SECONDS)}"
        )
    else:
        print(f"  server time at {TARGET_HISTORY:,} steps: not measured")
    if results:
        largest = max(click.received_bytes for clicks in results.values() for click in clicks)
        print(
            f"  largest WebSocket bytes received for one Step update, any length measured: "
            f"{largest / 1000:.1f} KB (all content, an upper bound on figure data), target below "
            f"{TARGET_UPDATE_BYTES / 1000:.0f} KB: {verdict(largest < TARGET_UPDATE_BYTES)}"
        )
    largest_json = max(totals.values())
    print(
        f"  largest JSON of the four figures together, any length built: {largest_json / 1000:.1f} KB, "
        f"target below {TARGET_UPDATE_BYTES / 1000:.0f} KB: {verdict(largest_json < TARGET_UPDATE_BYTES)}"
    )
    print(f"Load average at the end: {_timing.load_average()}")


if __name__ == "__main__":
    main()
    sys.exit(0)
