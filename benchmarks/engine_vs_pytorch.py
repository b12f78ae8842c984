"""Time one full-batch gradient-descent step of backprop_core against PyTorch eager on the CPU.

Run from the repository root:

    python benchmarks/engine_vs_pytorch.py [--threads N] [--repetitions R]

Both sides train the same float64 network (tanh hidden layers, linear output) on the same
data with the same cost, C = mean over examples and outputs of (ŷ − y)², no ½. Our step is
``Trainer.run(1)``, the call the app makes, so it includes the history, the gradient norms,
the record kept for rewinding and the divergence check. The PyTorch step is forward,
``loss.backward()`` and ``p -= learning_rate * p.grad`` under ``torch.no_grad()``.

Before timing, each case checks that one step from the same initial weights gives the same
parameters on both sides (``numpy.allclose`` with rtol = atol = 1e-10), so the race is fair.
The two steps are then timed in alternation in one process (see ``_timing.time_interleaved``).
The ratio column, which the target applies to, is the median over repetitions of (our time /
PyTorch time), both times taken in the same repetition. The "ratio of medians" column divides
the two median times, for comparison. The script reports and always exits 0, because timings
on a shared machine are noisy and should not fail a build.

Threads: by default both libraries get one thread (``--threads 1``), set through the
OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS variables before NumPy is imported
and through ``torch.set_num_threads``. One thread each compares the two computations rather
than two thread pools, and keeps the numbers steadier on a machine that other jobs share.
``--threads 0`` leaves both at their defaults; the header line prints the counts in effect.
NumPy and PyTorch are therefore imported inside the functions, after the variables are set.

Requires torch==2.13.0 (see requirements-bench.txt); the app and its tests never need it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import _timing

if TYPE_CHECKING:
    import numpy as np
    import torch

    from backprop_core import Trainer

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent

LEARNING_RATE = 0.01
DATA_SEED = 7
WEIGHT_SEED = 0


@dataclass(frozen=True)
class Case:
    """One benchmark case: the network, the number of examples and the target ratio."""

    layer_sizes: tuple[int, ...]
    n_samples: int
    target_ratio: float
    calls_per_repetition: int

    @property
    def label(self) -> str:
        return f"{'-'.join(map(str, self.layer_sizes))}, {self.n_samples} points"


# Steps per timed block, chosen so that one block takes about a millisecond or more (an
# estimate from a 2-core AMD EPYC), far above the resolution of time.perf_counter.
CASES = (
    Case((1, 8, 8, 1), 100, 0.25, 20),
    Case((2, 16, 16, 1), 500, 0.5, 10),
    Case((2, 64, 64, 1), 2_000, 1.0, 2),
)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="Threads for both NumPy's BLAS and PyTorch (default 1, see the module docstring "
        "of benchmarks/engine_vs_pytorch.py); 0 leaves both libraries at their defaults.",
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        default=200,
        help="Timed pairs per case (default 200); each pair times one block of our steps "
        "and one of PyTorch's.",
    )
    arguments = parser.parse_args()
    if arguments.threads < 0:
        parser.error(f"--threads must be 0 or more, got {arguments.threads}.")
    if arguments.repetitions < 1:
        parser.error(f"--repetitions must be at least 1, got {arguments.repetitions}.")
    return arguments


def limit_threads(threads: int) -> None:
    """Set the thread count of the BLAS libraries; must run before NumPy is imported."""
    if threads == 0:
        return
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(threads)


def openblas_summary() -> str:
    """Describe the OpenBLAS that NumPy loaded, with its thread count, or return "BLAS: unknown".

    Reads the library path from /proc/self/maps and calls the library's own get_config and
    get_num_threads functions through ctypes. This works for the scipy-openblas builds that
    NumPy wheels ship.
    """
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()})
    except OSError:
        return "BLAS: unknown"
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        symbol_names = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", ""))
        for prefix, suffix in symbol_names:
            config = getattr(library, f"{prefix}_get_config{suffix}", None)
            threads = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
            if config is not None and threads is not None:
                config.restype = ctypes.c_char_p
                return f"BLAS: {config().decode().strip()}, {threads()} thread(s)"
    return "BLAS: unknown"


def make_data(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """Return seeded inputs in [-2, 2] and a smooth noisy target, shapes (n, n_in) and (n, 1)."""
    import numpy as np

    rng = np.random.default_rng(DATA_SEED)
    X = rng.uniform(-2.0, 2.0, size=(case.n_samples, case.layer_sizes[0]))
    y = np.sin(X).sum(axis=1, keepdims=True) + 0.1 * rng.normal(size=(case.n_samples, 1))
    return X, y


def build_trainer(case: Case, X: np.ndarray, y: np.ndarray) -> Trainer:
    """Return a full-batch `Trainer` on a seeded network with tanh hidden layers, linear output."""
    from backprop_core import Network, Trainer

    activations = ["tanh"] * (len(case.layer_sizes) - 2) + ["linear"]
    network = Network.initialize(case.layer_sizes, activations, seed=WEIGHT_SEED)
    return Trainer(network, X, y, learning_rate=LEARNING_RATE)


def build_torch_step(
    trainer: Trainer, X: np.ndarray, y: np.ndarray
) -> tuple[Callable[[], None], list[torch.Tensor]]:
    """Return a function making one PyTorch step from the trainer's current weights, and the
    list of parameter tensors it updates: weights[0], biases[0], weights[1], ...
    """
    import torch

    network = trainer.network
    parameters = []
    for w, b in zip(network.weights, network.biases):
        parameters.append(torch.tensor(w, dtype=torch.float64, requires_grad=True))
        parameters.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    inputs = torch.tensor(X, dtype=torch.float64)
    targets = torch.tensor(y, dtype=torch.float64)
    n_layers = len(network.weights)

    def torch_step() -> None:
        # forward
        a = inputs
        for l in range(n_layers):
            a = a @ parameters[2 * l].T + parameters[2 * l + 1]
            if l < n_layers - 1:
                a = torch.tanh(a)
        loss = ((a - targets) ** 2).mean()

        # backward
        loss.backward()

        # update
        with torch.no_grad():
            for parameter in parameters:
                parameter -= LEARNING_RATE * parameter.grad
                parameter.grad = None

    return torch_step, parameters


def main() -> int:
    arguments = parse_arguments()
    limit_threads(arguments.threads)
    sys.path.insert(0, str(REPOSITORY_ROOT))

    import numpy as np
    import torch

    if arguments.threads:
        torch.set_num_threads(arguments.threads)

    print(
        f"Machine: {_timing.cpu_model()}, {os.cpu_count()} cores, load average "
        f"{_timing.load_average()}"
    )
    print(
        f"numpy {np.__version__}, torch {torch.__version__} "
        f"({torch.get_num_threads()} thread(s)), {openblas_summary()}"
    )
    print(
        f"Threads: {arguments.threads or 'library defaults'}; {arguments.repetitions} "
        f"repetitions per case; ratio = median over repetitions of ours / torch.\n"
    )

    rows = []
    for case in CASES:
        X, y = make_data(case)

        # Fairness check: one step from the same weights must agree.
        trainer = build_trainer(case, X, y)
        torch_step, torch_parameters = build_torch_step(trainer, X, y)
        trainer.run(1)
        ours_after = trainer.network.parameters_vector()
        torch_step()
        torch_after = np.concatenate([p.detach().numpy().ravel() for p in torch_parameters])
        if not np.allclose(ours_after, torch_after, rtol=1e-10, atol=1e-10):
            difference = float(np.max(np.abs(ours_after - torch_after)))
            print(
                f"{case.label}: the two steps differ (largest difference {difference:.3g}), "
                f"so the case is not timed."
            )
            continue

        # Timing, each side continuing from its own state.
        times = _timing.time_interleaved(
            functools.partial(trainer.run, 1),
            torch_step,
            repetitions=arguments.repetitions,
            calls_per_repetition=case.calls_per_repetition,
            warmup_calls=50,
        )
        if trainer.stopped:
            print(f"{case.label}: our training diverged during timing; the times are not valid.")
        ratio = times.median_ratio
        rows.append(
            (
                case.label,
                f"{times.median_first * 1e6:.1f}",
                f"{times.median_second * 1e6:.1f}",
                f"{ratio:.3f}",
                f"{times.median_first / times.median_second:.3f}",
                f"<= {case.target_ratio:g}",
                "PASS" if ratio <= case.target_ratio else "FAIL",
            )
        )

    header = (
        "case",
        "ours median µs",
        "torch median µs",
        "ratio",
        "ratio of medians",
        "target",
        "result",
    )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
