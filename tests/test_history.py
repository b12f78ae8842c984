"""Tests for `History`: exact per-step records and bounded, evenly spaced snapshots."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_core import History, Network, Trainer


def line_problem(n_samples: int = 5, seed: int = 0) -> tuple[Network, np.ndarray, np.ndarray]:
    """Return a seeded 1-3-1 tanh network and noisy samples of y = 2x + 1."""
    rng = np.random.default_rng(seed)
    X = np.linspace(-1.0, 1.0, n_samples).reshape(-1, 1)
    y = 2.0 * X[:, 0] + 1.0 + rng.normal(0.0, 0.1, size=n_samples)
    network = Network.initialize((1, 3, 1), ["tanh", "linear"], seed=seed)
    return network, X, y


def assert_snapshots_valid(history: History, n_steps: int, label: str) -> None:
    """Assert the snapshot invariants after ``n_steps`` steps."""
    steps = history.snapshot_steps
    stride = history.snapshot_stride
    assert len(steps) <= history.capacity, f"{label}: {len(steps)} snapshots > capacity"
    assert steps[0] == 0, f"{label}: the first snapshot is not step 0"
    np.testing.assert_array_equal(
        np.diff(steps), stride, err_msg=f"{label}: snapshots not spaced by the stride {stride}"
    )
    assert n_steps - steps[-1] < stride, (
        f"{label}: last snapshot at step {steps[-1]} leaves the end of the run uncovered"
    )
    assert history.snapshot_values.shape == (len(steps), len(history.parameter_names)), (
        f"{label}: snapshot_values shape"
    )


# --- exact per-step records ------------------------------------------------------------------


def test_records_every_step_exactly() -> None:
    network, X, y = line_problem(n_samples=5)
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=2)

    records = [trainer.step() for _ in range(4)]
    trainer.learning_rate = 0.02
    records += [trainer.step() for _ in range(5)]
    history = trainer.history

    assert len(history) == 9, "len(history)"
    np.testing.assert_array_equal(history.costs, [r.cost for r in records], err_msg="costs")
    np.testing.assert_array_equal(
        history.epochs, [1, 1, 1, 2, 2, 2, 3, 3, 3], err_msg="epochs"
    )
    np.testing.assert_array_equal(history.epochs, [r.epoch for r in records], err_msg="epochs")
    np.testing.assert_array_equal(
        history.learning_rates, [0.1] * 4 + [0.02] * 5, err_msg="learning_rates"
    )


def test_costs_are_read_only() -> None:
    network, X, y = line_problem()
    trainer = Trainer(network, X, y, learning_rate=0.1)
    trainer.run(3)

    for name in ("costs", "epochs", "learning_rates"):
        view = getattr(trainer.history, name)
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 0


def test_snapshot_copies_are_independent() -> None:
    network, X, y = line_problem()
    trainer = Trainer(network, X, y, learning_rate=0.1)
    trainer.run(3)
    history = trainer.history

    steps = history.snapshot_steps
    values = history.snapshot_values
    steps[:] = -1
    values[:] = np.nan

    np.testing.assert_array_equal(history.snapshot_steps, [0, 1, 2, 3], err_msg="snapshot_steps")
    assert np.all(np.isfinite(history.snapshot_values)), "snapshot_values changed through a copy"


def test_initial_snapshot_is_step_zero() -> None:
    network, X, y = line_problem()
    initial = network.parameters_vector()
    trainer = Trainer(network, X, y, learning_rate=0.1)

    assert len(trainer.history) == 0, "no steps recorded yet"
    np.testing.assert_array_equal(trainer.history.snapshot_steps, [0], err_msg="snapshot_steps")
    np.testing.assert_array_equal(
        trainer.history.snapshot_values[0], initial, err_msg="step 0 holds the initial parameters"
    )
    assert trainer.history.parameter_names == network.parameter_names(), "parameter_names"


# --- thinning --------------------------------------------------------------------------------


def test_snapshots_bounded_and_even() -> None:
    # Capacity 8 over 1,000 steps: the stride doubles each time the buffer fills, and every
    # kept snapshot must hold the parameters exactly as they were after its step.
    network, X, y = line_problem(n_samples=6)
    trainer = Trainer(network, X, y, learning_rate=0.05, batch_size=3, snapshot_capacity=8)
    parameters_at = [network.parameters_vector()]

    for step in range(1, 1001):
        trainer.step()
        parameters_at.append(network.parameters_vector())
        assert_snapshots_valid(trainer.history, step, label=f"after step {step}")

    history = trainer.history
    steps = history.snapshot_steps
    values = history.snapshot_values
    # With stride s the 8 slots hold steps 0, s, ..., 7s, so the buffer is full at step 8s and
    # the stride doubles there: at steps 8, 16, ..., 512. From step 512 to 1,023 the stride
    # is 128, which leaves the snapshots 0, 128, ..., 896 at step 1,000.
    assert history.snapshot_stride == 128, f"stride {history.snapshot_stride}"
    np.testing.assert_array_equal(steps, np.arange(0, 1000, 128), err_msg="snapshot_steps")
    np.testing.assert_array_equal(values[0], parameters_at[0], err_msg="step 0 snapshot")
    np.testing.assert_array_equal(
        values[-1], parameters_at[steps[-1]], err_msg=f"snapshot of step {steps[-1]}"
    )
    for step, value in zip(steps, values):
        np.testing.assert_array_equal(value, parameters_at[step], err_msg=f"snapshot of step {step}")


@pytest.mark.parametrize("capacity", [2, 3, 5])
def test_small_capacities_stay_even(capacity: int) -> None:
    network, X, y = line_problem()
    trainer = Trainer(network, X, y, learning_rate=0.05, snapshot_capacity=capacity)

    for step in range(1, 101):
        trainer.run(1)
        assert_snapshots_valid(trainer.history, step, label=f"capacity {capacity}, step {step}")


@pytest.mark.parametrize("capacity", [1, 0, -4])
def test_rejects_capacity_below_two(capacity: int) -> None:
    with pytest.raises(ValueError, match="capacity"):
        History(["w"], np.zeros(1), capacity=capacity)


@pytest.mark.slow
def test_memory_bounded_long_run() -> None:
    # A 1-8-8-1 network (97 parameters) trained for 100,000 steps. The cost, epoch and
    # learning rate of every step take 24 bytes and the gradient sizes of its 3 layers 24 more,
    # in buffers that grow by doubling, so at most 96 bytes a step. The snapshots take a fixed
    # capacity × (n_parameters + 1) × 8 bytes.
    n_steps = 100_000
    rng = np.random.default_rng(4)
    X = rng.uniform(-1.0, 1.0, size=(16, 1))
    y = np.sin(3.0 * X[:, 0])
    network = Network.initialize((1, 8, 8, 1), ["tanh", "tanh", "linear"], seed=4)
    trainer = Trainer(network, X, y, learning_rate=0.02, snapshot_capacity=1024)
    n_parameters = network.n_parameters

    assert trainer.run(n_steps) == n_steps, "steps made"

    history = trainer.history
    per_step_limit = 2 * 48 * n_steps
    snapshot_bytes = history.capacity * (n_parameters + 1) * 8
    assert n_parameters == 97, "n_parameters of a 1-8-8-1 network"
    assert len(history) == n_steps, "every step recorded"
    assert len(history.snapshot_steps) <= 1024, "snapshots above capacity"
    assert history.nbytes <= per_step_limit + snapshot_bytes, (
        f"history holds {history.nbytes} bytes, above {per_step_limit + snapshot_bytes}"
    )
    assert_snapshots_valid(history, n_steps, label="after 100,000 steps")
    assert np.all(np.isfinite(history.costs)), "a recorded cost is not finite"
