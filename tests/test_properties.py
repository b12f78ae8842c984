"""Property tests: invariants of the cost, the gradient and the update for many networks.

Hypothesis runs with ``derandomize=True`` and no example database, so every run tries the
same examples, and ``max_examples`` stays small so the file finishes in a few seconds.
Hypothesis draws the sizes, activations, seeds and rates; the arrays themselves come from
``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_core import ACTIVATIONS, Network, Trainer, mean_squared_error

DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, max_examples=100)

activation_names = st.sampled_from(sorted(ACTIVATIONS))
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def problems(draw, max_samples: int = 6) -> tuple[Network, np.ndarray, np.ndarray]:
    """Draw a network of 1 to 3 layers with random weights, and data that fits it."""
    hidden = draw(st.lists(st.integers(1, 4), min_size=0, max_size=2))
    layer_sizes = (draw(st.integers(1, 3)), *hidden, draw(st.integers(1, 2)))
    activations = [draw(activation_names) for _ in range(len(layer_sizes) - 1)]
    n_samples = draw(st.integers(1, max_samples))
    seed = draw(seeds)

    rng = np.random.default_rng(seed)
    initial = Network.initialize(layer_sizes, activations, seed=seed)
    biases = [rng.normal(0.0, 0.5, size=b.shape) for b in initial.biases]
    network = Network.from_parameters(initial.weights, biases, activations)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, layer_sizes[0]))
    y = rng.uniform(-2.0, 2.0, size=(n_samples, layer_sizes[-1]))
    return network, X, y


def assert_steps_equal(first, second, label: str) -> None:
    """Assert two step records agree on cost, gradients and new parameters to 1e-12."""
    assert first is not None, f"{label}: the first trainer stopped"
    assert second is not None, f"{label}: the second trainer stopped"
    np.testing.assert_allclose(first.cost, second.cost, rtol=1e-12, err_msg=f"{label}: cost")
    for l in range(len(first.grad_weights)):
        np.testing.assert_allclose(
            first.grad_weights[l],
            second.grad_weights[l],
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"{label}: grad_weights[{l}]",
        )
        np.testing.assert_allclose(
            first.grad_biases[l],
            second.grad_biases[l],
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"{label}: grad_biases[{l}]",
        )
        np.testing.assert_allclose(
            first.weights_after[l],
            second.weights_after[l],
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"{label}: weights_after[{l}]",
        )
        np.testing.assert_allclose(
            first.biases_after[l],
            second.biases_after[l],
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"{label}: biases_after[{l}]",
        )


@DETERMINISTIC
@given(problem=problems(), copies=st.integers(2, 6), learning_rate=st.floats(0.001, 1.0))
def test_tiling_leaves_steps_unchanged(problem, copies: int, learning_rate: float) -> None:
    # The cost is a mean over examples, so k copies of every example give the same cost,
    # gradient and update on a full batch.
    network, X, y = problem
    original = Trainer(network.copy(), X, y, learning_rate=learning_rate)
    tiled = Trainer(
        network.copy(), np.tile(X, (copies, 1)), np.tile(y, (copies, 1)), learning_rate=learning_rate
    )

    for step in range(1, 4):
        assert_steps_equal(original.step(), tiled.step(), label=f"step {step}, {copies} copies")


@DETERMINISTIC
@given(problem=problems(), permutation_seed=seeds)
def test_row_order_leaves_gradient_unchanged(problem, permutation_seed: int) -> None:
    network, X, y = problem
    order = np.random.default_rng(permutation_seed).permutation(len(X))

    result = network.backward(network.forward(X), y)
    permuted = network.backward(network.forward(X[order]), y[order])

    np.testing.assert_allclose(permuted.cost, result.cost, rtol=1e-12, err_msg="cost")
    for l in range(len(network.weights)):
        np.testing.assert_allclose(
            permuted.grad_weights[l],
            result.grad_weights[l],
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"grad_weights[{l}]",
        )
        np.testing.assert_allclose(
            permuted.grad_biases[l],
            result.grad_biases[l],
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"grad_biases[{l}]",
        )
        # Deltas belong to examples, so they move with their rows.
        np.testing.assert_array_equal(
            permuted.deltas[l], result.deltas[l][order], err_msg=f"deltas[{l}] follow the rows"
        )


@DETERMINISTIC
@given(problem=problems())
def test_backward_is_pure(problem) -> None:
    network, X, y = problem
    parameters = network.parameters_vector()
    forward = network.forward(X)
    saved_z = [z.copy() for z in forward.z]
    saved_a = [a.copy() for a in forward.a]

    first = network.backward(forward, y)
    second = network.backward(forward, y)

    np.testing.assert_array_equal(network.parameters_vector(), parameters, err_msg="parameters")
    for l, z in enumerate(saved_z):
        np.testing.assert_array_equal(forward.z[l], z, err_msg=f"forward.z[{l}]")
    for l, a in enumerate(saved_a):
        np.testing.assert_array_equal(forward.a[l], a, err_msg=f"forward.a[{l}]")
    assert first.cost == second.cost, "cost differs between calls"
    for l in range(len(network.weights)):
        np.testing.assert_array_equal(first.deltas[l], second.deltas[l], err_msg=f"deltas[{l}]")
        np.testing.assert_array_equal(
            first.grad_weights[l], second.grad_weights[l], err_msg=f"grad_weights[{l}]"
        )


# Values on a grid of step 1/1024 in [-64, 64]. On this grid two different values differ by
# at least 2^-10, whose square 2^-20 cannot round to 0. For arbitrary floats "cost 0 only if
# equal" fails in float64: a difference of 1e-200 squares to 0 by underflow.
grid_values = st.integers(-65536, 65536).map(lambda k: k / 1024.0)


@st.composite
def prediction_pairs(draw) -> tuple[np.ndarray, np.ndarray]:
    n_samples = draw(st.integers(1, 5))
    n_outputs = draw(st.integers(1, 3))
    size = n_samples * n_outputs
    y_pred = draw(st.lists(grid_values, min_size=size, max_size=size))
    y_true = draw(st.lists(grid_values, min_size=size, max_size=size))
    shape = (n_samples, n_outputs)
    return np.reshape(y_pred, shape), np.reshape(y_true, shape)


@DETERMINISTIC
@given(pair=prediction_pairs())
def test_cost_zero_only_when_equal(pair) -> None:
    y_pred, y_true = pair

    cost = mean_squared_error(y_pred, y_true)
    cost_of_truth = mean_squared_error(y_true, y_true)

    assert cost >= 0.0, f"negative cost {cost}"
    assert cost_of_truth == 0.0, "predicting the targets exactly must cost 0"
    assert (cost == 0.0) == np.array_equal(y_pred, y_true), (
        f"cost {cost} for predictions {'equal' if np.array_equal(y_pred, y_true) else 'unequal'} "
        f"to the targets"
    )


@DETERMINISTIC
@given(problem=problems())
def test_network_cost_of_own_predictions(problem) -> None:
    network, X, y = problem
    assert network.cost(X, y) >= 0.0, "negative cost"
    assert network.cost(X, network.predict(X)) == 0.0, "cost of the network's own output"


@DETERMINISTIC
@given(
    problem=problems(),
    learning_rate=st.floats(1e-6, 10.0, allow_nan=False, allow_infinity=False),
    batch_size=st.integers(1, 6),
    seed=seeds,
)
def test_update_formula_any_rate(problem, learning_rate: float, batch_size: int, seed: int) -> None:
    network, X, y = problem
    batch_size = min(batch_size, len(X))
    trainer = Trainer(network, X, y, learning_rate=learning_rate, batch_size=batch_size, seed=seed)

    record = trainer.step()

    # The first step's cost is at most n times the reference cost, so it never counts as
    # divergence, and the drawn weights are too small for the update to overflow.
    assert record is not None, f"first step refused: {trainer.divergence}"
    for l in range(len(network.weights)):
        np.testing.assert_array_equal(
            record.weights_after[l],
            record.weights_before[l] - learning_rate * record.grad_weights[l],
            err_msg=f"weights_after[{l}] at η = {learning_rate}",
        )
        np.testing.assert_array_equal(
            record.biases_after[l],
            record.biases_before[l] - learning_rate * record.grad_biases[l],
            err_msg=f"biases_after[{l}] at η = {learning_rate}",
        )


@DETERMINISTIC
@given(
    n_samples=st.integers(1, 8),
    n_inputs=st.integers(1, 4),
    n_outputs=st.integers(1, 3),
    seed=seeds,
)
def test_linear_gradient_closed_form(n_samples: int, n_inputs: int, n_outputs: int, seed: int) -> None:
    # For ŷ = X Wᵀ + b and C = (1 / (n k)) Σ (ŷ - y)², with n examples and k outputs:
    #   ∂C/∂W = (2 / (n k)) (ŷ - y)ᵀ X,  shape (k, n_inputs), the transpose of the
    #           single-output textbook form (2/n) Xᵀ (ŷ - y)
    #   ∂C/∂b = (2 / (n k)) Σ_rows (ŷ - y)
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(n_outputs, n_inputs))
    biases = rng.normal(size=n_outputs)
    X = rng.normal(size=(n_samples, n_inputs))
    y = rng.normal(size=(n_samples, n_outputs))
    network = Network.from_parameters([weights], [biases], ["linear"])

    result = network.backward(network.forward(X), y)

    residual = X @ weights.T + biases - y
    scale = 2.0 / (n_samples * n_outputs)
    np.testing.assert_allclose(
        result.grad_weights[0], scale * residual.T @ X, rtol=1e-12, atol=1e-14, err_msg="∂C/∂W"
    )
    np.testing.assert_allclose(
        result.grad_biases[0], scale * residual.sum(axis=0), rtol=1e-12, atol=1e-14, err_msg="∂C/∂b"
    )
