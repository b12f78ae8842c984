"""Tests for `Trainer`: hand-worked steps, step records, batches, epochs, settings and divergence."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from backprop_core import EXPLOSION_FACTOR, Network, Trainer

# y = 2x + 1 at x = 0, 1, 2, 3. The least-squares line is w = 2, b = 1.
X_LINE = np.array([[0.0], [1.0], [2.0], [3.0]])
Y_LINE = np.array([1.0, 3.0, 5.0, 7.0])


def zero_neuron() -> Network:
    """One linear neuron ŷ = w x + b with w = b = 0."""
    return Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])


def small_problem(
    n_samples: int = 5, seed: int = 0
) -> tuple[Network, np.ndarray, np.ndarray]:
    """Return a seeded 2-3-1 tanh network with random data of n_samples rows."""
    rng = np.random.default_rng(seed)
    network = Network.initialize((2, 3, 1), ["tanh", "linear"], seed=seed)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = rng.uniform(-1.0, 1.0, size=n_samples)
    return network, X, y


# --- hand-worked examples --------------------------------------------------------------------


def test_linear_neuron_one_step() -> None:
    # Before the step ŷ = 0, so ŷ - y = [-1, -3, -5, -7]:
    #   C     = (1 + 9 + 25 + 49) / 4                        = 21
    #   ∂C/∂w = (2/4) Σ (ŷ - y) x = 0.5 · (0 - 3 - 10 - 21)  = -17
    #   ∂C/∂b = (2/4) Σ (ŷ - y)   = 0.5 · (-16)              = -8
    # The step with η = 0.05:
    #   w = 0 - 0.05 · (-17) = 0.85,   b = 0 - 0.05 · (-8) = 0.4
    # After it ŷ = [0.4, 1.25, 2.1, 2.95], ŷ - y = [-0.6, -1.75, -2.9, -4.05]:
    #   C = (0.36 + 3.0625 + 8.41 + 16.4025) / 4 = 28.235 / 4 = 7.05875
    network = zero_neuron()
    trainer = Trainer(network, X_LINE, Y_LINE, learning_rate=0.05)

    record = trainer.step()

    np.testing.assert_allclose(record.cost, 21.0, rtol=1e-15, err_msg="cost before")
    np.testing.assert_allclose(record.grad_weights[0], [[-17.0]], rtol=1e-15, err_msg="∂C/∂w")
    np.testing.assert_allclose(record.grad_biases[0], [-8.0], rtol=1e-15, err_msg="∂C/∂b")
    np.testing.assert_allclose(network.weights[0], [[0.85]], rtol=1e-15, err_msg="w after")
    np.testing.assert_allclose(network.biases[0], [0.4], rtol=1e-15, err_msg="b after")
    np.testing.assert_allclose(trainer.cost(), 7.05875, rtol=1e-14, err_msg="cost after")


@pytest.mark.parametrize("copies", [1, 8, 1024])
def test_tiled_data_same_steps(copies: int) -> None:
    # The cost is a mean, so repeating every example k times changes neither the cost nor
    # its gradient, and full-batch training follows the same path. After 100 steps at
    # η = 0.05 the line is w ≈ 2.00118621, b ≈ 0.99746739, near the exact fit (2, 1).
    network = zero_neuron()
    X = np.tile(X_LINE, (copies, 1))
    y = np.tile(Y_LINE, copies)
    trainer = Trainer(network, X, y, learning_rate=0.05)

    first = trainer.step()
    made = trainer.run(99)

    np.testing.assert_allclose(first.cost, 21.0, rtol=1e-13, err_msg="first cost")
    np.testing.assert_allclose(first.grad_weights[0], [[-17.0]], rtol=1e-13, err_msg="∂C/∂w")
    np.testing.assert_allclose(first.grad_biases[0], [-8.0], rtol=1e-13, err_msg="∂C/∂b")
    assert made == 99, "steps made by run(99)"
    np.testing.assert_allclose(network.weights[0][0, 0], 2.00118621, atol=5e-9, err_msg="w")
    np.testing.assert_allclose(network.biases[0][0], 0.99746739, atol=5e-9, err_msg="b")


def test_batch_size_two_first_epoch() -> None:
    # Batch 1 is rows 0 and 1: x = [0, 1], y = [1, 3], ŷ = 0, ŷ - y = [-1, -3].
    #   ∂C/∂w = (2/2)(-1·0 - 3·1) = -3,  ∂C/∂b = (2/2)(-1 - 3) = -4
    #   w = 0 + 0.05·3 = 0.15,           b = 0 + 0.05·4 = 0.2
    # Batch 2 is rows 2 and 3: x = [2, 3], y = [5, 7], ŷ = [0.5, 0.65], ŷ - y = [-4.5, -6.35].
    #   ∂C/∂w = (2/2)(-4.5·2 - 6.35·3) = -9 - 19.05 = -28.05,  ∂C/∂b = -4.5 - 6.35 = -10.85
    #   w = 0.15 + 0.05·28.05 = 1.5525,  b = 0.2 + 0.05·10.85 = 0.7425
    network = zero_neuron()
    trainer = Trainer(network, X_LINE, Y_LINE, learning_rate=0.05, batch_size=2, shuffle=False)

    first = trainer.step()
    second = trainer.step()

    np.testing.assert_array_equal(first.batch_indices, [0, 1], err_msg="batch 1 rows")
    np.testing.assert_allclose(first.weights_after[0], [[0.15]], rtol=1e-15, err_msg="w after 1")
    np.testing.assert_allclose(first.biases_after[0], [0.2], rtol=1e-15, err_msg="b after 1")
    np.testing.assert_array_equal(second.batch_indices, [2, 3], err_msg="batch 2 rows")
    np.testing.assert_allclose(second.grad_weights[0], [[-28.05]], rtol=1e-14, err_msg="∂C/∂w 2")
    np.testing.assert_allclose(second.grad_biases[0], [-10.85], rtol=1e-14, err_msg="∂C/∂b 2")
    np.testing.assert_allclose(
        second.weights_after[0], [[1.5525]], rtol=1e-14, err_msg="w after 2"
    )
    np.testing.assert_allclose(second.biases_after[0], [0.7425], rtol=1e-14, err_msg="b after 2")
    assert (first.epoch, second.epoch) == (1, 1), "both steps belong to epoch 1"


def test_sigmoid_neuron_one_step() -> None:
    # One sigmoid neuron a = σ(w x + b), one example x = 2, y = 1, w = b = 0, η = 1.
    #   z = 0·2 + 0 = 0,  a = σ(0) = 0.5,  C = (0.5 - 1)² = 0.25
    #   ∂C/∂a = 2 (a - y) / 1 = -1,  σ'(0) = 0.5 · (1 - 0.5) = 0.25
    #   delta = ∂C/∂z = -1 · 0.25 = -0.25
    #   ∂C/∂w = delta · x = -0.5,    ∂C/∂b = delta = -0.25
    #   w = 0 - 1·(-0.5) = 0.5,      b = 0 - 1·(-0.25) = 0.25
    # After the step z = 0.5·2 + 0.25 = 1.25, a = σ(1.25) = 1 / (1 + e^-1.25) = 0.7772998612,
    # so C = (0.7772998612 - 1)² = 0.0495953518: the step cut the cost to a fifth.
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["sigmoid"])
    trainer = Trainer(network, [[2.0]], [1.0], learning_rate=1.0)

    record = trainer.step()

    np.testing.assert_allclose(record.forward.z[0], [[0.0]], err_msg="z")
    np.testing.assert_allclose(record.forward.a[1], [[0.5]], rtol=1e-15, err_msg="a")
    np.testing.assert_allclose(record.cost, 0.25, rtol=1e-15, err_msg="cost before")
    np.testing.assert_allclose(record.deltas[0], [[-0.25]], rtol=1e-15, err_msg="delta")
    np.testing.assert_allclose(record.grad_weights[0], [[-0.5]], rtol=1e-15, err_msg="∂C/∂w")
    np.testing.assert_allclose(record.grad_biases[0], [-0.25], rtol=1e-15, err_msg="∂C/∂b")
    np.testing.assert_allclose(network.weights[0], [[0.5]], rtol=1e-15, err_msg="w after")
    np.testing.assert_allclose(network.biases[0], [0.25], rtol=1e-15, err_msg="b after")
    np.testing.assert_allclose(trainer.cost(), 0.0495953518, atol=1e-10, err_msg="cost after")


# --- divergence ------------------------------------------------------------------------------


def test_large_learning_rate_diverges() -> None:
    # With η = 0.5 the first step jumps from (0, 0) to w = 0.5·17 = 8.5, b = 0.5·8 = 4:
    #   ŷ = [4, 12.5, 21, 29.5], ŷ - y = [3, 9.5, 16, 22.5],
    #   C = (9 + 90.25 + 256 + 506.25) / 4 = 861.5 / 4 = 215.375.
    # Every later step overshoots further, multiplying the cost by about 10.26. The reference
    # cost is the initial 21, so training must stop before a cost above 21e6 is accepted.
    network = zero_neuron()
    trainer = Trainer(network, X_LINE, Y_LINE, learning_rate=0.5)

    made = trainer.run(100)
    costs = trainer.history.costs
    divergence = trainer.divergence

    assert divergence is not None, "training did not stop"
    assert divergence.reason == "cost_exploded", f"reason {divergence.reason!r}"
    assert made < 100, "run() did not stop early"
    assert made == trainer.step_count == len(costs) == divergence.step, "steps made"
    np.testing.assert_allclose(
        costs[:3], [21.0, 215.375, 2208.96875], rtol=1e-13, err_msg="first three costs"
    )
    ratios = costs[2:] / costs[1:-1]
    assert np.all((ratios > 10.0) & (ratios < 10.5)), f"cost ratios {ratios}"
    assert costs.max() <= EXPLOSION_FACTOR * 21.0, "a cost above 1e6 · 21 was accepted"
    assert divergence.cost > EXPLOSION_FACTOR * 21.0, f"stopped at cost {divergence.cost}"
    assert np.all(np.isfinite(costs)), "history.costs holds a non-finite cost"
    assert np.all(np.isfinite(network.parameters_vector())), "parameters not finite"
    assert trainer.stopped, "trainer.stopped"

    message = divergence.message()
    assert "learning rate 0.5" in message, f"message does not name the rate: {message}"
    assert f"step {divergence.step}" in message, f"message does not name the step: {message}"


def test_divergence_keeps_last_good_parameters() -> None:
    network = zero_neuron()
    trainer = Trainer(network, X_LINE, Y_LINE, learning_rate=0.5)
    records = []
    # A single step checks the cost after its update, so the step that overshoots is the one
    # that reports the divergence, and it returns its record.
    while trainer.divergence is None:
        records.append(trainer.step())
        assert len(records) < 100, "training never stopped"
    assert all(record is not None for record in records)

    np.testing.assert_array_equal(
        network.weights[0], records[-1].weights_after[0], err_msg="weights after the stop"
    )
    np.testing.assert_array_equal(
        network.biases[0], records[-1].biases_after[0], err_msg="biases after the stop"
    )
    assert trainer.divergence.step == records[-1].step, "divergence.step is the last step applied"
    with pytest.raises(RuntimeError, match="diverged"):
        trainer.step()
    with pytest.raises(RuntimeError, match="diverged"):
        trainer.run(1)


def test_noisy_minibatch_rise_does_not_stop() -> None:
    # With one example per step the batch cost jumps between easy and hard examples. Such
    # rises are normal noise and must not count as divergence.
    rng = np.random.default_rng(3)
    X = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    y = 2.0 * X[:, 0] + rng.normal(0.0, 0.5, size=20)
    network = Network.initialize((1, 4, 1), ["tanh", "linear"], seed=3)
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=1, shuffle=True, seed=3)

    costs = []
    for _ in range(200):
        record = trainer.step()
        assert record is not None, f"training stopped: {trainer.divergence}"
        costs.append(record.cost)
    costs = np.array(costs)

    rises = costs[1:] / np.maximum(costs[:-1], 1e-300)
    assert rises.max() > 10.0, f"largest rise of the batch cost only {rises.max():.3g}x"
    assert trainer.divergence is None, "divergence set"
    assert trainer.step_count == 200, "step_count"


# --- step records ----------------------------------------------------------------------------


def test_step_record_contents() -> None:
    network, X, y = small_problem(n_samples=5)
    trainer = Trainer(network, X, y, learning_rate=0.3, batch_size=2)

    for expected_step in range(1, 5):
        before = network.copy()
        record = trainer.step()
        rows = record.batch_indices
        batch_cost = before.cost(X[rows], y[rows])

        assert record.step == expected_step, "step number"
        assert record.learning_rate == 0.3, "learning_rate"
        assert record.cost == batch_cost, f"step {expected_step}: cost is not the cost before"
        np.testing.assert_array_equal(
            record.forward.a[0], X[rows], err_msg=f"step {expected_step}: a[0] is the batch"
        )
        for l in range(2):
            np.testing.assert_array_equal(
                record.weights_before[l], before.weights[l], err_msg=f"weights_before[{l}]"
            )
            np.testing.assert_array_equal(
                record.biases_before[l], before.biases[l], err_msg=f"biases_before[{l}]"
            )
            # The update is applied exactly as written: W ← W - η ∂C/∂W.
            np.testing.assert_array_equal(
                record.weights_after[l],
                record.weights_before[l] - 0.3 * record.grad_weights[l],
                err_msg=f"step {expected_step}: weights_after[{l}]",
            )
            np.testing.assert_array_equal(
                record.biases_after[l],
                record.biases_before[l] - 0.3 * record.grad_biases[l],
                err_msg=f"step {expected_step}: biases_after[{l}]",
            )
            np.testing.assert_array_equal(
                network.weights[l], record.weights_after[l], err_msg=f"network.weights[{l}]"
            )
            np.testing.assert_array_equal(
                network.biases[l], record.biases_after[l], err_msg=f"network.biases[{l}]"
            )
            assert not np.array_equal(record.biases_after[l], record.biases_before[l]), (
                f"step {expected_step}: biases[{l}] did not move"
            )


def test_step_uses_parameters_before() -> None:
    # Rebuild the network from weights_before and redo the forward and backward pass on the
    # same rows: every z, a, delta and gradient of the record must come out again.
    network, X, y = small_problem(n_samples=6, seed=1)
    trainer = Trainer(network, X, y, learning_rate=0.5, batch_size=4, shuffle=True, seed=2)

    for _ in range(5):
        record = trainer.step()
        rebuilt = Network.from_parameters(
            record.weights_before, record.biases_before, network.activations
        )
        rows = record.batch_indices
        forward = rebuilt.forward(X[rows])
        result = rebuilt.backward(forward, y[rows])

        label = f"step {record.step}"
        np.testing.assert_allclose(record.cost, result.cost, rtol=1e-14, err_msg=f"{label} cost")
        for l in range(2):
            np.testing.assert_allclose(
                record.forward.z[l], forward.z[l], rtol=1e-14, err_msg=f"{label} z[{l}]"
            )
            np.testing.assert_allclose(
                record.forward.a[l + 1], forward.a[l + 1], rtol=1e-14, err_msg=f"{label} a[{l + 1}]"
            )
            np.testing.assert_allclose(
                record.deltas[l], result.deltas[l], rtol=1e-14, err_msg=f"{label} deltas[{l}]"
            )
            np.testing.assert_allclose(
                record.grad_weights[l],
                result.grad_weights[l],
                rtol=1e-14,
                err_msg=f"{label} grad_weights[{l}]",
            )
            np.testing.assert_allclose(
                record.grad_biases[l],
                result.grad_biases[l],
                rtol=1e-14,
                err_msg=f"{label} grad_biases[{l}]",
            )


def test_records_unchanged_by_later_steps() -> None:
    network, X, y = small_problem(n_samples=5, seed=2)
    trainer = Trainer(network, X, y, learning_rate=0.2, batch_size=2)
    record = trainer.step()
    saved = copy.deepcopy(record)

    trainer.run(10)
    trainer.step()

    np.testing.assert_array_equal(record.batch_indices, saved.batch_indices, err_msg="batch")
    for l in range(2):
        for field in ("weights_before", "biases_before", "weights_after", "biases_after"):
            np.testing.assert_array_equal(
                getattr(record, field)[l], getattr(saved, field)[l], err_msg=f"{field}[{l}]"
            )
            assert not np.shares_memory(getattr(record, field)[l], network.weights[l]), (
                f"{field}[{l}] shares memory with network.weights[{l}]"
            )
            assert not np.shares_memory(getattr(record, field)[l], network.biases[l]), (
                f"{field}[{l}] shares memory with network.biases[{l}]"
            )
        np.testing.assert_array_equal(record.deltas[l], saved.deltas[l], err_msg=f"deltas[{l}]")
        np.testing.assert_array_equal(record.forward.z[l], saved.forward.z[l], err_msg=f"z[{l}]")
        np.testing.assert_array_equal(
            record.grad_weights[l], saved.grad_weights[l], err_msg=f"grad_weights[{l}]"
        )
    for l in range(3):
        np.testing.assert_array_equal(record.forward.a[l], saved.forward.a[l], err_msg=f"a[{l}]")


def test_full_batch_record_copies_input() -> None:
    network, X, y = small_problem(n_samples=5, seed=4)
    trainer = Trainer(network, X, y, learning_rate=0.1)

    record = trainer.step()

    assert not np.shares_memory(record.forward.a[0], trainer.X), "a[0] shares memory with X"


# --- batches and epochs ----------------------------------------------------------------------


def test_uneven_batches_per_epoch() -> None:
    # n = 5 examples in batches of 2 gives 3 batches per epoch: rows [0, 1], [2, 3], [4].
    network, X, y = small_problem(n_samples=5)
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=2, shuffle=False)

    records = [trainer.step() for _ in range(7)]

    assert trainer.batches_per_epoch == 3, "batches_per_epoch"
    assert [r.epoch for r in records] == [1, 1, 1, 2, 2, 2, 3], "epochs"
    expected_rows = [[0, 1], [2, 3], [4], [0, 1], [2, 3], [4], [0, 1]]
    for record, rows in zip(records, expected_rows):
        np.testing.assert_array_equal(record.batch_indices, rows, err_msg=f"step {record.step}")
    assert trainer.epoch == 3, "trainer.epoch after 7 steps"


def test_full_batch_one_step_per_epoch() -> None:
    network, X, y = small_problem(n_samples=5)
    trainer = Trainer(network, X, y, learning_rate=0.1, shuffle=True)

    records = [trainer.step() for _ in range(3)]

    assert trainer.batch_size == 5, "batch_size None means the full batch"
    assert [r.epoch for r in records] == [1, 2, 3], "one epoch per full-batch step"
    for record in records:
        np.testing.assert_array_equal(record.batch_indices, np.arange(5), err_msg="rows")


def epoch_orders(seed: int, n_epochs: int = 6) -> list[np.ndarray]:
    """Return the row order of each epoch for n = 10 in batches of 3, shuffled with ``seed``."""
    network, X, y = small_problem(n_samples=10)
    trainer = Trainer(network, X, y, learning_rate=0.01, batch_size=3, shuffle=True, seed=seed)
    orders = []
    for epoch in range(1, n_epochs + 1):
        rows = []
        for _ in range(trainer.batches_per_epoch):
            record = trainer.step()
            assert record.epoch == epoch, f"step {record.step} is not in epoch {epoch}"
            rows.append(record.batch_indices)
        orders.append(np.concatenate(rows))
    return orders


def test_shuffle_permutes_each_epoch() -> None:
    orders = epoch_orders(seed=7)

    for epoch, order in enumerate(orders, start=1):
        np.testing.assert_array_equal(
            np.sort(order), np.arange(10), err_msg=f"epoch {epoch} is not a permutation"
        )
    distinct = {tuple(order) for order in orders}
    assert len(distinct) > 1, "every epoch used the same order"
    assert any(not np.array_equal(order, np.arange(10)) for order in orders), "never shuffled"


def test_shuffle_deterministic_per_seed() -> None:
    first = epoch_orders(seed=7)
    again = epoch_orders(seed=7)
    other = epoch_orders(seed=8)

    for epoch, (a, b) in enumerate(zip(first, again), start=1):
        np.testing.assert_array_equal(a, b, err_msg=f"epoch {epoch} order differs for one seed")
    assert any(not np.array_equal(a, b) for a, b in zip(first, other)), "seeds 7 and 8 agree"


def test_batch_size_change_starts_epoch() -> None:
    network, X, y = small_problem(n_samples=5)
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=2)
    trainer.step()

    trainer.batch_size = 3
    record = trainer.step()

    assert record.epoch == 2, "changing batch_size starts a new epoch"
    np.testing.assert_array_equal(record.batch_indices, [0, 1, 2], err_msg="first rows")
    assert trainer.batches_per_epoch == 2, "batches_per_epoch for 5 rows in batches of 3"


# --- settings --------------------------------------------------------------------------------


def test_learning_rate_change_continues() -> None:
    network, X, y = small_problem(n_samples=5, seed=5)
    trainer = Trainer(network, X, y, learning_rate=0.05)
    trainer.run(2)
    last = trainer.step()

    trainer.learning_rate = 0.01
    record = trainer.step()

    assert record.learning_rate == 0.01, "record.learning_rate"
    assert record.step == 4, "step numbers continue"
    for l in range(2):
        np.testing.assert_array_equal(
            record.weights_before[l], last.weights_after[l], err_msg=f"weights_before[{l}]"
        )
        np.testing.assert_array_equal(
            record.weights_after[l],
            record.weights_before[l] - 0.01 * record.grad_weights[l],
            err_msg=f"weights_after[{l}] with the new rate",
        )
    np.testing.assert_array_equal(
        trainer.history.learning_rates, [0.05, 0.05, 0.05, 0.01], err_msg="history.learning_rates"
    )


BAD_LEARNING_RATES = [
    pytest.param(0.0, id="zero"),
    pytest.param(-0.1, id="negative"),
    pytest.param(math.nan, id="nan"),
    pytest.param(math.inf, id="inf"),
    pytest.param(
        "text",
        id="text",
    ),
    pytest.param(
        True,
        id="bool",
    ),
]


@pytest.mark.parametrize("rate", BAD_LEARNING_RATES)
def test_constructor_rejects_learning_rate(rate: object) -> None:
    network, X, y = small_problem()
    with pytest.raises(ValueError, match="learning_rate"):
        Trainer(network, X, y, learning_rate=rate)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", BAD_LEARNING_RATES)
def test_setter_rejects_learning_rate(rate: object) -> None:
    network, X, y = small_problem()
    trainer = Trainer(network, X, y, learning_rate=0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        trainer.learning_rate = rate  # type: ignore[assignment]
    assert trainer.learning_rate == 0.1, "a rejected value must leave the rate unchanged"


def test_text_learning_rate_raises_value_error() -> None:
    # The tables above also check the message. This test checks only the exception type.
    network, X, y = small_problem()
    with pytest.raises(ValueError):
        Trainer(network, X, y, learning_rate="text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "batch_size",
    [0, 6, 2.5, True, "2"],
    ids=["zero", "n+1", "fraction", "bool", "text"],
)
def test_rejects_batch_size(batch_size: object) -> None:
    network, X, y = small_problem(n_samples=5)
    with pytest.raises(ValueError, match="batch_size"):
        Trainer(network, X, y, learning_rate=0.1, batch_size=batch_size)  # type: ignore[arg-type]
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        trainer.batch_size = batch_size  # type: ignore[assignment]
    assert trainer.batch_size == 2, "a rejected value must leave the batch size unchanged"


def test_accepts_numpy_integer_batch_size() -> None:
    network, X, y = small_problem(n_samples=5)
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=np.int64(2))
    assert trainer.batch_size == 2, "batch_size"
    assert trainer.batches_per_epoch == 3, "batches_per_epoch"


def test_run_returns_steps_made() -> None:
    network, X, y = small_problem()
    trainer = Trainer(network, X, y, learning_rate=0.1, batch_size=2)

    assert trainer.run(0) == 0, "run(0)"
    assert trainer.run(7) == 7, "run(7)"
    assert trainer.step_count == 7, "step_count"
    assert len(trainer.history) == 7, "history length"
    assert trainer.epoch == 3, "7 steps of 3 per epoch end in epoch 3"


@pytest.mark.parametrize("n_steps", [-1, 2.5, True], ids=["negative", "fraction", "bool"])
def test_run_rejects_step_count(n_steps: object) -> None:
    network, X, y = small_problem()
    trainer = Trainer(network, X, y, learning_rate=0.1)
    with pytest.raises(ValueError, match="n_steps"):
        trainer.run(n_steps)  # type: ignore[arg-type]


def test_run_matches_repeated_step() -> None:
    stepped_network, X, y = small_problem(n_samples=7, seed=6)
    run_network = stepped_network.copy()
    stepped = Trainer(stepped_network, X, y, learning_rate=0.2, batch_size=3, shuffle=True, seed=1)
    run = Trainer(run_network, X, y, learning_rate=0.2, batch_size=3, shuffle=True, seed=1)

    for _ in range(10):
        stepped.step()
    run.run(10)

    np.testing.assert_array_equal(
        run_network.parameters_vector(), stepped_network.parameters_vector(), err_msg="parameters"
    )
    np.testing.assert_array_equal(run.history.costs, stepped.history.costs, err_msg="costs")


def test_trainer_copies_data() -> None:
    network, X, y = small_problem(n_samples=5, seed=7)
    trainer = Trainer(network, X, y, learning_rate=0.1)
    cost_before = trainer.cost()

    X[:] = 0.0
    y[:] = 0.0

    assert trainer.cost() == cost_before, "changing the caller's X and y changed the trainer"


def test_single_step_reports_divergence_at_once() -> None:
    # η = 10 on the line multiplies the cost by about 2·10⁵ per step: after two steps it is
    # past a million times its start, and the second Step itself must report it.
    network = zero_neuron()
    trainer = Trainer(network, X_LINE, Y_LINE, learning_rate=10.0)
    trainer.step()
    assert trainer.divergence is None
    trainer.step()
    assert trainer.divergence is not None
    assert trainer.divergence.step == 2
    assert trainer.divergence.learning_rate == 10.0


def test_divergence_names_rate_of_overshooting_step() -> None:
    # run() notices an exploded cost at the start of the next step. If the rate was lowered
    # in between, the message must still name the rate that caused it.
    network = zero_neuron()
    trainer = Trainer(network, X_LINE, Y_LINE, learning_rate=10.0)
    trainer.run(2)
    trainer.learning_rate = 0.01
    trainer.run(1)
    assert trainer.divergence is not None
    assert trainer.divergence.learning_rate == 10.0
    assert "learning rate 10" in trainer.divergence.message()
