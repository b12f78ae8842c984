"""Measure the memory one training session retains after 100,000 steps of a 1-8-8-1 network.

Run from the repository root:

    python benchmarks/memory.py [--steps N] [--server]

Target: at most 20 MB (20,000,000 bytes) after 100,000 steps of a 1-8-8-1 network.

The session is the Train page's default kind: 60 points on a sine with noise 0.1, seed 0,
hidden layers 8 and 8. For the full batch and for mini-batches of 8, the script builds it under
tracemalloc, runs the steps with ``session.run``, collects garbage and reports:

- the traced memory still allocated, minus the traced memory before the session was built.
  Nothing else is created or freed in between, so the difference is what the session holds
  (NumPy reports its array buffers to tracemalloc, so they are included);
- the peak traced memory during the run, above the same baseline;
- ``session.trainer.history.nbytes`` (the arrays of the History) and an estimate of the
  recent-steps store (Python objects and arrays of each kept record);
- the size of ``pickle.dumps(session)``, as a cross-check;
- the files that allocated the most of the retained memory (tracemalloc snapshot diff).

A warm-up session is built and discarded first, so that one-time allocations (lazy imports,
NumPy's caches) are not charged to the measured session.

With ``--server`` it also starts the app and Chromium, trains one page session by 100,000 steps
with Step ×N, and reports the growth of the server's resident set size (RSS). RSS also counts
the allocator's free lists and everything else the server did meanwhile, so it is a coarse
upper-bound check, not the session's own size.

The script reports and always exits 0. PASS and FAIL compare one run's figures with the target.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
import tracemalloc
import traceback
from collections.abc import Iterable

import _server
import _timing
from _server import REPOSITORY_ROOT  # noqa: F401 - importing _server puts the repository on sys.path.

from backprop_core.datasets import make_regression
from backprop_core.history import RecentSteps
from backprop_core.session import NetworkSettings, TrainingSession

TARGET_BYTES = 20_000_000
DEFAULT_STEPS = 100_000
MINI_BATCH_SIZE = 8
TOP_FILES = 6
SERVER_APP_PATH = "/?dataset=sine&hidden=8,8"


def new_session(batch_size: int | None) -> TrainingSession:
    """Build the Train page's default kind of session: sine data, a 1-8-8-1 tanh network."""
    return TrainingSession(
        make_regression("sine", 60, 0.1, 0),
        NetworkSettings(hidden_sizes=(8, 8)),
        batch_size=batch_size,
    )


def deep_size(objects: Iterable[object]) -> int:
    """Return the summed ``sys.getsizeof`` of the objects; an ndarray that owns its data counts it."""
    return sum(sys.getsizeof(item) for item in objects)


def recent_steps_bytes(recent: RecentSteps) -> int:
    """Estimate the bytes the recent-steps store holds: its deque, records and their fields."""
    # NOTE: reads the private deque, because RecentSteps exposes no size of its own.
    records = list(recent._steps)
    total = sys.getsizeof(recent) + sys.getsizeof(recent._steps)
    for record in records:
        fields = (record.step, record.epoch, record.learning_rate, record.parameters_before)
        total += sys.getsizeof(record) + deep_size(fields)
        if record.batch_indices is not None:
            total += sys.getsizeof(record.batch_indices)
    return total


def megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:.2f} MB"


def measure_session(batch_size: int | None, n_steps: int) -> int:
    """Print what one session retains after ``n_steps`` steps; return the retained traced bytes."""
    label = "full batch" if batch_size is None else f"mini-batches of {batch_size}"

    # Warm-up: one-time allocations happen here, outside the measurement.
    warm_up = new_session(batch_size)
    warm_up.run(min(n_steps, 2_000))
    del warm_up
    gc.collect()

    snapshot_before = tracemalloc.take_snapshot()
    baseline, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()

    start = time.perf_counter()
    session = new_session(batch_size)
    steps_made = session.run(n_steps)
    seconds = time.perf_counter() - start
    gc.collect()

    current, peak = tracemalloc.get_traced_memory()
    snapshot_after = tracemalloc.take_snapshot()
    retained = current - baseline
    history_bytes = session.trainer.history.nbytes
    recent = session.trainer.recent_steps
    recent_bytes = recent_steps_bytes(recent)
    try:
        pickle_text = megabytes(len(pickle.dumps(session)))
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        pickle_text = f"not picklable ({error})"

    print(f"\n{label}: {steps_made:,} steps in {seconds:.1f} s")
    print(f"  retained by the session (tracemalloc, after minus before): {megabytes(retained)}")
    print(f"  peak during build and run, above the same baseline:        {megabytes(peak - baseline)}")
    print(f"  trainer.history.nbytes:                                    {megabytes(history_bytes)}")
    print(
        f"  recent-steps store ({len(recent)} of at most {recent.capacity} steps), estimated: "
        f"{megabytes(recent_bytes)}"
    )
    print(f"  pickle.dumps(session):                                     {pickle_text}")
    print(f"  retained memory by allocating file (top {TOP_FILES}):")
    differences = snapshot_after.compare_to(snapshot_before, "filename")
    for difference in differences[:TOP_FILES]:
        name = difference.traceback[0].filename
        name = name.split("site-packages/", 1)[-1].replace(str(REPOSITORY_ROOT) + "/", "")
        print(f"    {difference.size_diff / 1e6:+8.3f} MB  {name}")

    ratio = retained / TARGET_BYTES
    verdict = "PASS" if retained <= TARGET_BYTES else "FAIL"
    print(
        f"  target: at most {megabytes(TARGET_BYTES)}; measured {megabytes(retained)}, "
        f"ratio {ratio:.3f}: {verdict}"
    )
    del session
    gc.collect()
    return retained


# --- in the server process -----------------------------------------------------------------------


def measure_server_rss(n_steps: int) -> None:
    """Print the server's RSS growth while one page session trains ``n_steps`` steps."""
    # Imported here so that the in-process measurement needs no browser packages at run time.
    from step_click import build_history

    with _server.running_app() as (server, browser):
        context, page = _server.new_app_page(browser, server)
        try:
            _server.load_app(page, SERVER_APP_PATH)
            page.wait_for_timeout(1000)
            rss_before = _server.process_rss_bytes(server.pid)
            seconds = build_history(page, n_steps)
            page.wait_for_timeout(1000)
            rss_after = _server.process_rss_bytes(server.pid)
        finally:
            context.close()
    growth = rss_after - rss_before
    print(f"\nServer (--server): Step ×{n_steps:,} through the page took {seconds:.1f} s")
    print(
        f"  server RSS before {megabytes(rss_before)}, after {megabytes(rss_after)}, growth "
        f"{megabytes(growth)} (ratio to the target {growth / TARGET_BYTES:.3f}; includes allocator "
        "slack and the rerun's temporary objects, so an upper bound)"
    )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps", type=int, default=DEFAULT_STEPS, help=f"Steps to train (default {DEFAULT_STEPS:,})."
    )
    parser.add_argument(
        "--server",
        action="store_true",
        help="Also measure the server's RSS growth while a page session trains the same steps.",
    )
    arguments = parser.parse_args()
    if not 1 <= arguments.steps <= 100_000:
        parser.error(f"--steps must be from 1 to 100000 (Step ×N's limit), got {arguments.steps}.")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    print(_server.machine_summary())
    print(f"Target: at most {megabytes(TARGET_BYTES)} retained by one session after {arguments.steps:,} steps")

    tracemalloc.start()
    try:
        for batch_size in (None, MINI_BATCH_SIZE):
            measure_session(batch_size, arguments.steps)
    finally:
        tracemalloc.stop()

    if arguments.server:
        print(_server.psutil_note())
        try:
            measure_server_rss(arguments.steps)
        except Exception:  # noqa: BLE001 - a benchmark reports its failure and still exits 0.
            print("The server measurement failed:")
            traceback.print_exc(file=sys.stdout)
    print(f"Load average at the end: {_timing.load_average()}")


if __name__ == "__main__":
    main()
    sys.exit(0)
