"""Measure a whole class pressing Play at once on one server: server CPU, frame rates, a late load.

Run from the repository root:

    python benchmarks/class_load.py [--students 20] [--seconds 60] [--port N] [--profile SECONDS]

Targets, with 20 students playing:

- The Streamlit server process uses at most one core, averaged over 60 seconds. Measured as the
  change in its CPU time (user + system, all threads, child processes excluded) divided by the
  wall time.
- Every page animates at least 5 updates per second. Measured in each page's live player as the
  change in ``window.__backpropLabFramesDrawn`` divided by the wall time between the two reads.
- A 21st student, arriving while the others play, has the page loaded within 3 s: from
  ``page.goto`` until the script state is ``notRunning``, no loading placeholder is visible and
  at least 4 Plotly charts are drawn.

The script starts the app (``streamlit run app.py`` on a loopback port) and one Debian Chromium
through Playwright. Each student gets its own browser context, so its own Streamlit session, on
``/?dataset=sine&hidden=8`` (the Train page's default data and network). All pages click Play in
one loop, without waiting in between. The server CPU time and Chromium's CPU time are sampled
every `SAMPLE_INTERVAL_S` in a background thread. Halfway through, the late student loads the
page. With ``--profile SECONDS`` it also samples the server with py-spy during the measurement
and prints the functions found in the most samples.

Chromium runs on the same machine as the server, so the 20 pages' own CPU competes with the
server for the cores. A real class has one machine per student.

Background throttling: Chromium slows the timers of pages it considers hidden. A real class has
each page in front on its own machine, so by default the script launches Chromium with the flags
in `NO_THROTTLING_ARGS`, which model that. ``--allow-throttling`` leaves them out, to check
whether throttling changes the frame rates.

The script reports and always exits 0: timings on a shared machine are noisy and should not fail
a build. PASS and FAIL compare one run's figures with the targets.
"""

from __future__ import annotations

import argparse
import collections
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import _server
import _timing
from _server import CHROMIUM_ARGS, CHROMIUM_PATH, REPOSITORY_ROOT, VIEWPORT

from playwright.sync_api import Browser, BrowserContext, Frame, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import APP_SELECTOR, CHART_SELECTOR

APP_PATH = "/?dataset=sine&hidden=8"
TARGET_SERVER_CORES = 1.0
TARGET_FRAMES_PER_SECOND = 5.0
TARGET_LATE_LOAD_S = 3.0
LATE_LOAD_CHARTS = 4
# The Train page's Play settings (pages/train.py): the server trains 16 frames per script run and
# the player shows one frame every 125 ms, so a page requests at most 0.5 batches per second.
FRAMES_PER_BATCH = 16
MAX_FRAMES_PER_SECOND = 8.0

# Flags that keep Chromium from slowing the timers and rendering of pages it treats as hidden or
# in the background.
NO_THROTTLING_ARGS = [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]

SAMPLE_INTERVAL_S = 5.0
# Twenty pages loading at once on two cores took far longer than one page alone, so the waits
# while setting up the class are long. The late student's load has its own, shorter limit.
SETUP_TIMEOUT_MS = 180_000
LATE_LOAD_TIMEOUT_MS = 60_000
PLAYER_TIMEOUT_S = 120.0
LATE_PLAYER_LOOK_MS = 1000
SERVER_LOG_PATH = REPOSITORY_ROOT / "test-artifacts" / "class-load-server.log"
PROFILE_OUTPUT = REPOSITORY_ROOT / "test-artifacts" / "class-load-profile.txt"
PROFILE_RATE_HZ = 100
TOP_FUNCTIONS = 20
APP_FILE_MARKERS = ("pages/train.py", "lab_ui.py", "backprop_core/")

PLAYER_URL_PART = "live_player"
PLAYER_IFRAME_SELECTOR = 'iframe[src*="live_player"]'
FRAMES_DRAWN = "window.__backpropLabFramesDrawn"

# True once the app is connected, its script is not running and at least `count` Plotly charts
# are drawn (plotly.js adds .main-svg when it draws). It reads the state attributes directly,
# not the script-run counter of the browser tests, which missed runs in pages that loaded while
# the machine was overloaded.
APP_DRAWN_PREDICATE = f"""
(count) => {{
  const app = document.querySelector('{APP_SELECTOR}');
  if (!app) return false;
  if (app.getAttribute("data-test-connection-state") !== "CONNECTED") return false;
  if (app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const charts = Array.from(document.querySelectorAll('{CHART_SELECTOR}'));
  return charts.filter((chart) => chart.querySelector(".main-svg") !== null).length >= count;
}}
"""

_CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


# --- process CPU time -----------------------------------------------------------------------


def _proc_stat_fields(pid: int) -> list[str] | None:
    """Return the fields of /proc/PID/stat after the command name, or None if it has exited."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat_file:
            text = stat_file.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name in brackets may contain spaces, so the fields are split after it.
    return text[text.rindex(")") + 2 :].split()


def _process_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as comm_file:
            return comm_file.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def pin_process(pid: int, cpus: set[int]) -> None:
    """Restrict every thread of process ``pid`` to ``cpus``; threads made later inherit it."""
    for thread in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(thread), cpus)
        except (ProcessLookupError, PermissionError):
            pass


def chromium_pids(root_pid: int) -> list[int]:
    """Return the ids of the running Chromium processes descended from process ``root_pid``.

    Playwright starts its driver as a child of this script and Chromium as a child of the
    driver, so every Chromium process of this run is a descendant of the script. The Streamlit
    server is a child of the script too, but its name is not ``chromium``.
    """
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _proc_stat_fields(int(entry))
        if fields is not None:
            # After the name, field index 1 is the parent's id (field 4 in proc(5)).
            children[int(fields[1])].append(int(entry))

    found: list[int] = []
    pending = [root_pid]
    while pending:
        pid = pending.pop()
        for child in children.get(pid, []):
            pending.append(child)
            if _process_name(child).startswith("chrom"):
                found.append(child)
    return found


def cpu_seconds_of(pids: list[int]) -> float:
    """Return the summed user plus system CPU time of ``pids``, in seconds; exited ones count 0.

    A process that exits between two readings takes its CPU time with it, so a sum over
    processes can only be compared between readings while the same processes run.
    """
    total_ticks = 0
    for pid in pids:
        fields = _proc_stat_fields(pid)
        if fields is not None:
            # After the name, field index 11 is utime and 12 is stime (fields 14 and 15 in proc(5)).
            total_ticks += int(fields[11]) + int(fields[12])
    return total_ticks / _CLOCK_TICKS_PER_SECOND


def machine_busy_seconds() -> float:
    """Return the CPU time all cores spent outside idle and I/O wait since boot, in seconds."""
    with open("/proc/stat", encoding="ascii") as stat_file:
        # First line: "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks.
        ticks = [int(value) for value in stat_file.readline().split()[1:]]
    idle_ticks = ticks[3] + ticks[4]
    return (sum(ticks[:8]) - idle_ticks) / _CLOCK_TICKS_PER_SECOND


@dataclass(frozen=True)
class CpuSample:
    """CPU time readings at one moment, in seconds since the measurement started.

    ``machine_busy_s`` covers every process on the machine, so the part that is neither the
    server nor Chromium shows how much other work competed for the cores.
    """

    elapsed_s: float
    server_cpu_s: float
    chromium_cpu_s: float
    machine_busy_s: float


@dataclass
class CpuSampler:
    """Reads the server's and Chromium's CPU time every `SAMPLE_INTERVAL_S` in a thread.

    Only /proc is read in the thread; Playwright stays on the main thread, whose sync API must
    not be called from another thread.
    """

    server_pid: int
    root_pid: int
    samples: list[CpuSample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _start: float = 0.0

    def read(self) -> CpuSample:
        return CpuSample(
            elapsed_s=time.perf_counter() - self._start,
            server_cpu_s=_server.process_cpu_seconds(self.server_pid),
            chromium_cpu_s=cpu_seconds_of(chromium_pids(self.root_pid)),
            machine_busy_s=machine_busy_seconds(),
        )

    def start(self) -> None:
        self._start = time.perf_counter()
        self.samples = [self.read()]
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and take a last reading."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.samples.append(self.read())

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL_S):
            self.samples.append(self.read())


# --- server ---------------------------------------------------------------------------------


# --- pages ----------------------------------------------------------------------------------


@dataclass
class Student:
    """One student's browser context and page, and its live player once Play has drawn it."""

    index: int
    context: BrowserContext
    page: Page
    player: Frame | None = None


def open_students(browser: Browser, base_url: str, count: int) -> list[Student]:
    """Open ``count`` pages, each in its own context, and wait until each shows the app's charts.

    All pages start loading before the first wait, so they load side by side as a class would.
    """
    students = []
    for index in range(count):
        context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
        students.append(Student(index + 1, context, context.new_page()))
    for student in students:
        student.page.goto(APP_PATH, timeout=SETUP_TIMEOUT_MS)
    for student in students:
        wait_until_drawn(student.page, SETUP_TIMEOUT_MS)
    return students


def wait_until_drawn(page: Page, timeout_ms: float) -> None:
    """Wait until the app is connected and idle with `LATE_LOAD_CHARTS` charts drawn."""
    page.wait_for_function(APP_DRAWN_PREDICATE, arg=LATE_LOAD_CHARTS, timeout=timeout_ms)


def describe_visibility(students: list[Student]) -> str:
    """Count the pages by their ``document.visibilityState`` and ``document.hasFocus()``."""
    states = collections.Counter(
        student.page.evaluate("`${document.visibilityState}, focus ${document.hasFocus()}`")
        for student in students
    )
    return "; ".join(f"{count} page(s) {state}" for state, count in sorted(states.items()))


def click_play_everywhere(students: list[Student]) -> float:
    """Click Play in every page, one right after the other; return the seconds the loop took."""
    start = time.perf_counter()
    for student in students:
        student.page.get_by_role("button", name="Play", exact=True).click(timeout=SETUP_TIMEOUT_MS)
    return time.perf_counter() - start


def find_player(student: Student, timeout_ms: float) -> Frame | None:
    """Return the page's live player frame once its script has loaded, or None after ``timeout_ms``.

    The frame is taken from its iframe element, because the sync API updates ``page.frames``
    only while a Playwright call is running.
    """
    deadline = time.perf_counter() + timeout_ms / 1000
    try:
        iframe = student.page.wait_for_selector(PLAYER_IFRAME_SELECTOR, timeout=timeout_ms)
        frame = iframe.content_frame() if iframe is not None else None
        if frame is None:
            return None
        remaining_ms = max(1.0, 1000 * (deadline - time.perf_counter()))
        frame.wait_for_function(f'typeof {FRAMES_DRAWN} === "number"', timeout=remaining_ms)
    except PlaywrightError:
        return None
    return frame


def wait_for_players(students: list[Student], started_at: float) -> tuple[float, list[int]]:
    """Wait until every page's live player has loaded, for at most `PLAYER_TIMEOUT_S` in all.

    Returns the seconds from ``started_at`` until the wait ended and the numbers of the pages
    whose player had not loaded by then.
    """
    deadline = started_at + PLAYER_TIMEOUT_S
    for student in students:
        remaining_ms = max(1.0, 1000 * (deadline - time.perf_counter()))
        student.player = find_player(student, remaining_ms)
    missing = [student.index for student in students if student.player is None]
    return time.perf_counter() - started_at, missing


@dataclass(frozen=True)
class FrameCount:
    """Frames a player had drawn, and when the count was read (``time.perf_counter()``)."""

    drawn: int
    at: float


def read_frame_counts(students: list[Student]) -> dict[int, FrameCount]:
    """Read every player's frame count, timing each read on its own.

    A page whose player has not loaded yet gets one more short look. If the player is still
    missing, its count is 0, which is what the player counts from once it loads.
    """
    counts = {}
    for student in students:
        if student.player is None:
            student.player = find_player(student, LATE_PLAYER_LOOK_MS)
        drawn = 0
        if student.player is not None:
            try:
                drawn = int(student.player.evaluate(FRAMES_DRAWN))
            except PlaywrightError:
                # The player's frame went away, for example when the page ended Play.
                student.player = None
        counts[student.index] = FrameCount(drawn, time.perf_counter())
    return counts


def time_late_student(browser: Browser, base_url: str) -> tuple[float | None, BrowserContext, str]:
    """Open the app in a new context and time ``page.goto`` until the charts are drawn.

    Returns the seconds (None if the load did not finish within `LATE_LOAD_TIMEOUT_MS`), the
    context, which the caller closes, and a note on a failed load.
    """
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
    page = context.new_page()
    start = time.perf_counter()
    try:
        page.goto(APP_PATH, timeout=LATE_LOAD_TIMEOUT_MS)
        remaining_ms = LATE_LOAD_TIMEOUT_MS - 1000 * (time.perf_counter() - start)
        # Playwright reads a timeout of 0 as no limit, so the remaining time is kept above it.
        wait_until_drawn(page, max(1.0, remaining_ms))
    except PlaywrightError as error:
        return None, context, f"{type(error).__name__}: {error}"
    return time.perf_counter() - start, context, ""


def count_exceptions(students: list[Student]) -> int:
    """Count the Streamlit exception boxes shown in all pages."""
    return sum(student.page.locator('[data-testid="stException"]').count() for student in students)


# --- profile --------------------------------------------------------------------------------


def start_profile(server_pid: int, seconds: int) -> subprocess.Popen[bytes]:
    """Start py-spy recording the server for ``seconds`` into `PROFILE_OUTPUT`."""
    PROFILE_OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "py-spy", "record", "-f", "raw", "--pid", str(server_pid),
        "-r", str(PROFILE_RATE_HZ), "-d", str(seconds), "-o", str(PROFILE_OUTPUT),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish_profile(recorder: subprocess.Popen[bytes]) -> None:
    """Wait for py-spy to finish, stopping it by its id if it runs on, and print the profile."""
    try:
        output, _ = recorder.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        recorder.terminate()
        output, _ = recorder.communicate()
    if recorder.returncode != 0:
        print(f"py-spy failed with exit code {recorder.returncode}: {output.decode(errors='replace').strip()}")
        return
    print_profile(PROFILE_OUTPUT)


def _function_and_path(frame: str) -> tuple[str, str]:
    """Split a py-spy frame ``function (path:line)`` into the function and a short path."""
    function, _, location = frame.rpartition(" (")
    if not function:
        return frame, ""
    path = location.rstrip(")").rsplit(":", 1)[0]
    root = str(REPOSITORY_ROOT) + "/"
    if path.startswith(root):
        path = path[len(root) :]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    return function, path


def print_profile(raw_path: Path) -> None:
    """Print inclusive sample counts by function: app code first, then all code."""
    app_samples: collections.Counter[tuple[str, str]] = collections.Counter()
    all_samples: collections.Counter[tuple[str, str]] = collections.Counter()
    total = 0
    for line in raw_path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        for key in {_function_and_path(frame) for frame in stack.split(";")}:
            all_samples[key] += count
            if any(marker in key[1] for marker in APP_FILE_MARKERS):
                app_samples[key] += count
    if total == 0:
        print(f"The profile in {raw_path} has no samples (py-spy records only threads that run).")
        return
    print(f"\nServer profile: {total} samples of running threads. Raw profile: {raw_path}")
    for title, counter in (
        ("App code (pages/train.py, lab_ui.py, backprop_core)", app_samples),
        ("All code", all_samples),
    ):
        print(f"  {title}, top {TOP_FUNCTIONS} by inclusive samples (% of all samples):")
        for (function, path), count in counter.most_common(TOP_FUNCTIONS):
            print(f"    {count:6d} {100 * count / total:5.1f} %  {function}  ({path})")


# --- report ---------------------------------------------------------------------------------


@dataclass
class Results:
    """The figures of one run; None where the run did not get that far."""

    server_cores: float | None = None
    chromium_cores: float | None = None
    other_cores: float | None = None
    measured_s: float | None = None
    frame_rates: dict[int, float] = field(default_factory=dict)
    late_load_s: float | None = None
    late_load_note: str = ""


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def print_cpu_series(samples: list[CpuSample]) -> None:
    """Print the average cores that the server, Chromium and other processes used in each interval."""
    print(
        "\nCPU by interval, in cores (CPU seconds / wall seconds); 'other' is every other process "
        "on the machine, this script included:"
    )
    print(f"  {'from s':>7} {'to s':>6} {'server':>7} {'Chromium':>9} {'other':>6} {'machine':>8}")
    for before, after in zip(samples, samples[1:]):
        wall = after.elapsed_s - before.elapsed_s
        if wall <= 0:
            continue
        server = (after.server_cpu_s - before.server_cpu_s) / wall
        chromium = (after.chromium_cpu_s - before.chromium_cpu_s) / wall
        machine = (after.machine_busy_s - before.machine_busy_s) / wall
        print(
            f"  {before.elapsed_s:7.1f} {after.elapsed_s:6.1f} {server:7.2f} {chromium:9.2f} "
            f"{machine - server - chromium:6.2f} {machine:8.2f}"
        )


def print_frame_rates(rates: dict[int, float]) -> None:
    values = list(rates.values())
    print(
        f"\nFrames drawn per second in each page: min {min(values):.2f}, median "
        f"{statistics.median(values):.2f}, max {max(values):.2f} (the player's timer allows at most "
        f"{MAX_FRAMES_PER_SECOND:.0f})"
    )
    print("  " + ", ".join(f"#{index}: {rate:.2f}" for index, rate in rates.items()))


def print_server_projection(server_cpu_s: float, frames_drawn: int, students: int) -> None:
    """Estimate the server's CPU per batch and the cores it would need at the full frame rate.

    The number of batches is estimated as the frames drawn divided by `FRAMES_PER_BATCH`. The
    server's CPU time also covers the late student's load, so the estimate per batch is on the
    high side. The batches trained ahead and not yet shown push it the other way, by at most one
    batch per page.
    """
    batches = frames_drawn / FRAMES_PER_BATCH
    if batches < 1:
        print("Too few frames were drawn to estimate the server's CPU time per batch.")
        return
    per_batch_s = server_cpu_s / batches
    needed = per_batch_s * students * MAX_FRAMES_PER_SECOND / FRAMES_PER_BATCH
    print(
        f"Server CPU per batch of {FRAMES_PER_BATCH} frames, estimated from {frames_drawn} frames "
        f"drawn: {1000 * per_batch_s:.0f} ms. At that cost, {students} pages at "
        f"{MAX_FRAMES_PER_SECOND:.0f} frames per second would need {needed:.2f} cores of server "
        "(an estimate)."
    )


def print_summary(results: Results, students: int, machine: str) -> None:
    rows = []
    if results.server_cores is not None:
        rows.append((
            f"server CPU, average over {results.measured_s:.0f} s",
            f"{results.server_cores:.2f} cores",
            f"<= {TARGET_SERVER_CORES:.0f} core",
            verdict(results.server_cores <= TARGET_SERVER_CORES),
        ))
    else:
        rows.append(("server CPU", "not measured", f"<= {TARGET_SERVER_CORES:.0f} core", "FAIL"))
    if results.frame_rates:
        slowest = min(results.frame_rates.values())
        rows.append((
            f"slowest page's frame rate ({students} pages)",
            f"{slowest:.2f} /s",
            f">= {TARGET_FRAMES_PER_SECOND:.0f} /s",
            verdict(slowest >= TARGET_FRAMES_PER_SECOND),
        ))
    else:
        rows.append(("frame rate", "not measured", f">= {TARGET_FRAMES_PER_SECOND:.0f} /s", "FAIL"))
    if results.late_load_s is not None:
        late = f"{results.late_load_s:.2f} s"
        passed = results.late_load_s <= TARGET_LATE_LOAD_S
    else:
        late = "did not load" if results.late_load_note else "not measured"
        passed = False
    rows.append((f"load time of student {students + 1}", late, f"<= {TARGET_LATE_LOAD_S:.0f} s", verdict(passed)))

    widths = [max(len(row[column]) for row in rows + [("figure", "measured", "target", "")]) for column in range(4)]
    print("\nSummary")
    for row in [("figure", "measured", "target", "result"), *rows]:
        print("  " + "  ".join(text.ljust(width) for text, width in zip(row, widths)))
    if results.chromium_cores is not None and results.other_cores is not None:
        print(
            f"  Context, same interval: Chromium (all {students + 1} pages) {results.chromium_cores:.2f} "
            f"cores, other processes {results.other_cores:.2f} cores, on {os.cpu_count()} cores"
        )
    print(f"  {machine}")


# --- main -----------------------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20, help="Pages that press Play (default 20).")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="Length of the measurement, in seconds (default 60)."
    )
    parser.add_argument(
        "--port", type=int, default=0, help="Loopback port of the server (default: a free port)."
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="Model separate machines on a 2-core one: the 20 students' Chromium runs on CPU 1 "
        "only, while the server and the 21st student's own Chromium share CPU 0.",
    )
    parser.add_argument(
        "--allow-throttling",
        action="store_true",
        help="Launch Chromium without the flags that stop background throttling.",
    )

    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="SECONDS",
        help="Also sample the server with py-spy for this many seconds from the start of the "
        "measurement (default 0: no profile). py-spy uses CPU on the same cores.",
    )
    arguments = parser.parse_args()

    if arguments.students < 1:
        parser.error(f"--students must be at least 1, got {arguments.students}.")
    if arguments.seconds < 2 * SAMPLE_INTERVAL_S:
        parser.error(f"--seconds must be at least {2 * SAMPLE_INTERVAL_S:.0f}, got {arguments.seconds}.")
    if not 0 <= arguments.port <= 65535:
        parser.error(f"--port must be from 1 to 65535, or 0 for a free port; got {arguments.port}.")
    if not 0 <= arguments.profile <= arguments.seconds:
        parser.error(f"--profile must be from 0 to --seconds ({arguments.seconds:.0f}), got {arguments.profile}.")
    return arguments


def machine_line(chromium_version: str, load_before: str) -> str:
    return (
        f"Machine: {_timing.cpu_model()}, {os.cpu_count()} logical cores, load average before start "
        f"{load_before}; Python {platform.python_version()}, Streamlit "
        f"{importlib.metadata.version('streamlit')}, Chromium {chromium_version}"
    )


def measure(arguments: argparse.Namespace, server: _server.Server, base_url: str,
            browser: Browser, results: Results, late_browser: Browser | None = None) -> None:
    """Open the class, press Play everywhere, measure, and fill ``results`` as figures arrive."""
    late_context: BrowserContext | None = None
    students: list[Student] = []
    try:
        setup_start = time.perf_counter()
        students = open_students(browser, base_url, arguments.students)
        print(f"{len(students)} pages loaded in {time.perf_counter() - setup_start:.1f} s")
        print(f"Visibility before Play: {describe_visibility(students)}")

        sampler = CpuSampler(server.pid, os.getpid())
        idle_start = sampler.read()
        time.sleep(SAMPLE_INTERVAL_S)
        idle_end = sampler.read()
        idle_s = idle_end.elapsed_s - idle_start.elapsed_s
        server_idle = (idle_end.server_cpu_s - idle_start.server_cpu_s) / idle_s
        chromium_idle = (idle_end.chromium_cpu_s - idle_start.chromium_cpu_s) / idle_s
        machine_idle = (idle_end.machine_busy_s - idle_start.machine_busy_s) / idle_s
        print(
            f"Before Play, {len(students)} sessions open, over {idle_s:.1f} s: server {server_idle:.2f} "
            f"cores, Chromium {chromium_idle:.2f} cores, other processes "
            f"{machine_idle - server_idle - chromium_idle:.2f} cores"
        )

        clicked_at = time.perf_counter()
        click_loop_s = click_play_everywhere(students)
        players_after, missing = wait_for_players(students, clicked_at)
        print(
            f"Play clicked in {len(students)} pages within {click_loop_s:.2f} s; live players loaded in "
            f"{len(students) - len(missing)} pages {players_after:.1f} s after the first click"
            + (f"; not loaded in pages {missing}, counted from 0 frames" if missing else "")
        )

        recorder = start_profile(server.pid, arguments.profile) if arguments.profile else None
        sampler.start()
        frames_start = read_frame_counts(students)
        measure_start = time.perf_counter()

        late_at = measure_start + arguments.seconds / 2
        time.sleep(max(0.0, late_at - time.perf_counter()))
        results.late_load_s, late_context, results.late_load_note = time_late_student(
            late_browser or browser, base_url
        )
        late_text = f"{results.late_load_s:.2f} s" if results.late_load_s is not None else "did not load"
        print(
            f"Student {len(students) + 1} loaded the page {late_at - measure_start:.0f} s into the "
            f"measurement: {late_text} from goto to {LATE_LOAD_CHARTS} drawn charts"
            + (f" ({results.late_load_note})" if results.late_load_note else "")
        )

        time.sleep(max(0.0, measure_start + arguments.seconds - time.perf_counter()))
        frames_end = read_frame_counts(students)
        sampler.stop()

        first, last = sampler.samples[0], sampler.samples[-1]
        wall = last.elapsed_s - first.elapsed_s
        results.server_cores = (last.server_cpu_s - first.server_cpu_s) / wall
        results.chromium_cores = (last.chromium_cpu_s - first.chromium_cpu_s) / wall
        results.other_cores = (last.machine_busy_s - first.machine_busy_s) / wall - (
            results.server_cores + results.chromium_cores
        )
        results.measured_s = wall
        results.frame_rates = {
            index: (frames_end[index].drawn - frames_start[index].drawn)
            / (frames_end[index].at - frames_start[index].at)
            for index in frames_start
        }
        frames_drawn = sum(frames_end[index].drawn - frames_start[index].drawn for index in frames_start)

        print_cpu_series(sampler.samples)
        print(
            f"Over {wall:.1f} s: server {results.server_cores:.2f} cores; Chromium "
            f"{results.chromium_cores:.2f} cores (sum over its processes); other processes "
            f"{results.other_cores:.2f} cores"
        )
        print_frame_rates(results.frame_rates)
        print_server_projection(last.server_cpu_s - first.server_cpu_s, frames_drawn, len(students))
        print(f"Exception boxes shown in the {len(students)} pages: {count_exceptions(students)}")
        if recorder is not None:
            finish_profile(recorder)
    finally:
        if late_context is not None:
            late_context.close()
        for student in students:
            student.context.close()


def main() -> int:
    arguments = parse_arguments()
    load_before = _timing.load_average()
    results = Results()
    chromium_version = "unknown"
    throttling_args = [] if arguments.allow_throttling else NO_THROTTLING_ARGS

    print(f"Class load: {arguments.students} students press Play on {APP_PATH}, measured over {arguments.seconds:.0f} s")
    print(
        "Chromium runs on this machine next to the server, so the pages' own CPU competes with the "
        "server's for the same cores; a real class has one machine per student."
    )
    if throttling_args:
        print(
            f"Background throttling is off ({' '.join(throttling_args)}): a real class has every page "
            "in front on its own machine, and these flags keep Chromium from slowing the timers of "
            "pages it treats as hidden."
        )
    else:
        print("Background throttling is allowed (--allow-throttling): Chromium may slow hidden pages' timers.")
    print(f"CPU figures: {_server.psutil_note()}")

    server: _server.Server | None = None
    try:
        if not CHROMIUM_PATH.exists():
            raise FileNotFoundError(f"Chromium not found at {CHROMIUM_PATH}; install Debian's chromium package.")
        port = arguments.port or _server.free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = _server.start_server(port=port, log_path=SERVER_LOG_PATH)
        print(f"Server: {base_url}, pid {server.pid}; its output goes to {SERVER_LOG_PATH}")
        with sync_playwright() as playwright:
            late_browser = None
            if arguments.pin:
                # Launched first, so that its processes are the only Chromium ones at that moment.
                late_browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS + throttling_args
                )
                late_pids = set(chromium_pids(os.getpid()))
                for pid in late_pids | {server.pid}:
                    pin_process(pid, {0})
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS + throttling_args
            )
            if arguments.pin:
                for pid in set(chromium_pids(os.getpid())) - late_pids:
                    pin_process(pid, {1})
                print(
                    "Pinned: the students' Chromium on CPU 1; the server and the 21st student's own "
                    "Chromium on CPU 0. This stands for students on their own machines."
                )
            try:
                chromium_version = browser.version
                measure(arguments, server, base_url, browser, results, late_browser)
            finally:
                browser.close()
                if late_browser is not None:
                    late_browser.close()
    except Exception:  # noqa: BLE001 - a benchmark reports its failure and still exits 0.
        print("The measurement failed:")
        traceback.print_exc(file=sys.stdout)
    finally:
        if server is not None:
            _server.stop_server(server)

    print_summary(results, arguments.students, machine_line(chromium_version, load_before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
