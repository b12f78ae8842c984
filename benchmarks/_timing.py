"""Timing helpers shared by the benchmark scripts: interleaved timing and a machine summary.

Nothing here imports NumPy or PyTorch at module level, so a script can set its thread
counts through environment variables before either library is loaded.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PairedTimes:
    """Per-step times of two functions, timed in alternation, in seconds.

    Attributes
    ----------
    first, second : list of float
        ``first[i]`` and ``second[i]`` were measured in the same repetition i, one right
        after the other, each as the mean over that repetition's inner calls.
    """

    first: list[float]
    second: list[float]

    @property
    def median_first(self) -> float:
        return statistics.median(self.first)

    @property
    def median_second(self) -> float:
        return statistics.median(self.second)

    @property
    def median_ratio(self) -> float:
        """Median over the repetitions of ``first[i] / second[i]``."""
        return statistics.median(a / b for a, b in zip(self.first, self.second))


def time_interleaved(
    first: Callable[[], object],
    second: Callable[[], object],
    repetitions: int,
    calls_per_repetition: int,
    warmup_calls: int,
) -> PairedTimes:
    """Time two functions in alternation, A B, B A, A B, ..., and return per-call times.

    Each repetition times ``calls_per_repetition`` calls of one function, then as many of
    the other. The order flips every repetition, so neither function always runs right
    after the other and load that drifts over the run affects both alike. As in `timeit`,
    the garbage collector is off while timing, so a collection triggered by one function's
    objects is not charged to the other.

    Parameters
    ----------
    first, second : callable
        Functions of no arguments; their return values are ignored.
    repetitions : int
        Number of timed pairs, at least 1.
    calls_per_repetition : int
        Calls per timed block, at least 1; the block's time is divided by it.
    warmup_calls : int
        Untimed calls of each function before timing starts, at least 0.
    """
    if repetitions < 1 or calls_per_repetition < 1 or warmup_calls < 0:
        raise ValueError(
            f"repetitions and calls_per_repetition must be at least 1 and warmup_calls at "
            f"least 0; got {repetitions}, {calls_per_repetition} and {warmup_calls}."
        )
    for _ in range(warmup_calls):
        first()
        second()

    def timed_block(function: Callable[[], object]) -> float:
        start = time.perf_counter()
        for _ in range(calls_per_repetition):
            function()
        return (time.perf_counter() - start) / calls_per_repetition

    first_times: list[float] = []
    second_times: list[float] = []
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for repetition in range(repetitions):
            if repetition % 2 == 0:
                first_times.append(timed_block(first))
                second_times.append(timed_block(second))
            else:
                second_times.append(timed_block(second))
                first_times.append(timed_block(first))
    finally:
        if collector_was_enabled:
            gc.enable()
    return PairedTimes(first=first_times, second=second_times)


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or the platform's processor string."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages as text, or "unknown"."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"
