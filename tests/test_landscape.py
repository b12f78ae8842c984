"""Cost slices and grids, the Hessian and its largest eigenvalue, and learning-rate runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_core import Network, Trainer
from backprop_core.inspection import ParameterRef, parameter_refs
from backprop_core.landscape import (
    MAX_HESSIAN_PARAMETERS,
    REGIME_GOOD,
    REGIME_TOO_LARGE,
    REGIME_TOO_SMALL,
    _largest_eigenvalue_by_power,
    classify_regimes,
    compare_learning_rates,
    cost_at_points,
    cost_grid,
    cost_slice,
    flat_gradient,
    hessian,
    hessian_vector_product,
    largest_eigenvalue,
    slice_range,
    stable_learning_rate,
    sweep_learning_rates,
    train_two_parameters,
)

# y = 2x + 1 at x = 0, 1, 2, 3, fitted by one linear neuron ŷ = w x + b.
X_LINE = np.array([[0.0], [1.0], [2.0], [3.0]])
Y_LINE = np.array([1.0, 3.0, 5.0, 7.0])

# The line's cost C = (1/4) Σ (w x + b − y)² is quadratic, so its Hessian is constant:
#   ∂²C/∂w²   = (2/4) Σ x² = 0.5 · 14 = 7
#   ∂²C/∂w∂b = (2/4) Σ x  = 0.5 · 6  = 3
#   ∂²C/∂b²   = (2/4) · 4           = 2
# Its eigenvalues solve λ² − 9λ + 5 = 0: λ = (9 ± √61) / 2.
LINE_HESSIAN = np.array([[7.0, 3.0], [3.0, 2.0]])
LINE_EIGENVALUES = np.array([(9.0 - math.sqrt(61.0)) / 2.0, (9.0 + math.sqrt(61.0)) / 2.0])
LINE_STABLE_RATE = 2.0 / LINE_EIGENVALUES[1]

W = ParameterRef(0, 0, 0)
B = ParameterRef(0, 0)


def zero_neuron() -> Network:
    """One linear neuron with w = b = 0."""
    return Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])


def random_problem(
    layer_sizes: tuple[int, ...], activations: list[str], seed: int, n_samples: int = 12
) -> tuple[Network, np.ndarray, np.ndarray]:
    """Return a seeded network and random data for it."""
    rng = np.random.default_rng(seed)
    network = Network.initialize(layer_sizes, activations, seed=seed)
    X = rng.uniform(-1.5, 1.5, size=(n_samples, layer_sizes[0]))
    y = rng.uniform(-1.0, 1.0, size=(n_samples, layer_sizes[-1]))
    return network, X, y


RANDOM_PROBLEMS = [
    ((1, 3, 1), ["tanh", "linear"], 1),
    ((2, 4, 1), ["sigmoid", "linear"], 2),
    ((2, 3, 2), ["tanh", "sigmoid"], 3),
]


def cost_with(network: Network, X, y, values: dict[ParameterRef, float]) -> float:
    """The cost of a copy of ``network`` with some parameters set one by one (no batching)."""
    probe = network.copy()
    for parameter, value in values.items():
        if parameter.column is None:
            probe.biases[parameter.layer][parameter.row] = value
        else:
            probe.weights[parameter.layer][parameter.row, parameter.column] = value
    return probe.cost(X, y)


def second_difference_hessian(network: Network, X, y, h: float = 1e-4) -> np.ndarray:
    """The Hessian from second differences of the cost itself, not of gradients.

    H[i, j] ≈ (C(+h eᵢ +h eⱼ) − C(+h eᵢ −h eⱼ) − C(−h eᵢ +h eⱼ) + C(−h eᵢ −h eⱼ)) / 4h²
    """
    probe = network.copy()
    theta = network.parameters_vector()
    n = theta.size
    result = np.empty((n, n))

    def cost_at(offset: np.ndarray) -> float:
        probe.set_parameters_vector(theta + offset)
        return probe.cost(X, y)

    unit = np.eye(n) * h
    for i in range(n):
        for j in range(n):
            result[i, j] = (
                cost_at(unit[i] + unit[j])
                - cost_at(unit[i] - unit[j])
                - cost_at(-unit[i] + unit[j])
                + cost_at(-unit[i] - unit[j])
            ) / (4.0 * h * h)
    return result


# --- the line: Hessian, eigenvalues, stable learning rate ----------------------------------------


def test_line_hessian() -> None:
    np.testing.assert_allclose(
        hessian(zero_neuron(), X_LINE, Y_LINE), LINE_HESSIAN, atol=1e-6, err_msg="Hessian (w, b)"
    )


def test_line_hessian_eigenvalues() -> None:
    eigenvalues = np.linalg.eigvalsh(hessian(zero_neuron(), X_LINE, Y_LINE))
    np.testing.assert_allclose(eigenvalues, [0.59488, 8.40512], atol=1e-5, err_msg="eigenvalues")
    np.testing.assert_allclose(eigenvalues, LINE_EIGENVALUES, atol=1e-8, err_msg="(9 ± √61)/2")


@pytest.mark.parametrize("method", ["auto", "exact", "power"])
def test_line_largest_eigenvalue(method: str) -> None:
    eigenvalue = largest_eigenvalue(zero_neuron(), X_LINE, Y_LINE, method=method)
    np.testing.assert_allclose(eigenvalue, 8.40512, atol=1e-5, err_msg=f"λ_max ({method})")
    np.testing.assert_allclose(eigenvalue, LINE_EIGENVALUES[1], rtol=1e-8, err_msg=f"λ_max ({method})")


@pytest.mark.parametrize("method", ["auto", "exact", "power"])
def test_line_stable_learning_rate(method: str) -> None:
    rate = stable_learning_rate(zero_neuron(), X_LINE, Y_LINE, method=method)
    assert rate is not None
    np.testing.assert_allclose(rate, 0.237950, atol=1e-4, err_msg=f"2 / λ_max ({method})")
    np.testing.assert_allclose(rate, LINE_STABLE_RATE, rtol=1e-8, err_msg=f"2 / λ_max ({method})")


def test_line_hessian_vector_product() -> None:
    vector = np.array([0.3, -1.2])
    product = hessian_vector_product(zero_neuron(), X_LINE, Y_LINE, vector)
    np.testing.assert_allclose(product, LINE_HESSIAN @ vector, atol=1e-8, err_msg="H v")


def test_hessian_vector_product_scales_with_vector() -> None:
    # v is normalised before probing, so the probe step is ε for every length of v and the
    # result is linear in v.
    network, X, y = random_problem((1,3, 1), ["tanh", "linear"], seed=4)
    vector = np.random.default_rng(0).standard_normal(network.n_parameters)
    unit_product = hessian_vector_product(network, X, y, vector)
    for scale in (1e-3, 3.0, 1e4):
        np.testing.assert_allclose(
            hessian_vector_product(network, X, y, scale * vector),
            scale * unit_product,
            rtol=1e-9,
            atol=1e-12 * scale,
            err_msg=f"H ({scale} v)",
        )


def test_hessian_vector_product_of_zero() -> None:
    network, X, y = random_problem((1, 3, 1), ["tanh", "linear"], seed=4)
    product = hessian_vector_product(network, X, y, np.zeros(network.n_parameters))
    np.testing.assert_array_equal(product, np.zeros(network.n_parameters), err_msg="H 0")


# --- the line: learning rates on either side of 2 / λ_max ----------------------------------------


def test_line_rate_above_limit_raises_cost() -> None:
    # η = 0.25 > 0.23795: the step along the steep eigenvector overshoots, and the cost rises.
    assert 0.25 > LINE_STABLE_RATE
    (run,) = compare_learning_rates(zero_neuron(), X_LINE, Y_LINE, [0.25], n_steps=3)
    np.testing.assert_allclose(
        run.costs, [21.0, 25.46875, 30.888671875, 37.462158203125], rtol=1e-13, err_msg="costs"
    )
    assert np.all(np.diff(run.costs) > 0), run.costs
    assert run.diverged_at is None


def test_line_rate_below_limit_lowers_cost() -> None:
    # η = 0.2 < 0.23795. The first step, from ∂C/∂w = −17 and ∂C/∂b = −8:
    #   w = 0.2 · 17 = 3.4, b = 0.2 · 8 = 1.6, ŷ − y = [0.6, 2, 3.4, 4.8], C = 38.96 / 4 = 9.74.
    # The second step, from ∂C/∂w = 0.5 Σ (ŷ − y) x = 11.6 and ∂C/∂b = 0.5 Σ (ŷ − y) = 5.4:
    #   w = 3.4 − 2.32 = 1.08, b = 1.6 − 1.08 = 0.52.
    assert 0.2 < LINE_STABLE_RATE
    (run,) = compare_learning_rates(zero_neuron(), X_LINE, Y_LINE, [0.2], n_steps=3)
    np.testing.assert_allclose(run.costs, [21.0, 9.74, 4.5176, 2.095424], rtol=1e-13, err_msg="costs")
    assert np.all(np.diff(run.costs) < 0), run.costs
    np.testing.assert_allclose(run.network.weights[0], [[2.656]], rtol=1e-13, err_msg="w after 3 steps")


def test_line_rate_below_limit_zigzags_w() -> None:
    path = train_two_parameters(zero_neuron(), X_LINE, Y_LINE, W, B, learning_rate=0.2, n_steps=4)
    np.testing.assert_allclose(
        path[1:, 0], [3.4, 1.08, 2.656, 1.5792], rtol=1e-12, err_msg="w after each step"
    )
    np.testing.assert_allclose(path[1:3, 1], [1.6, 0.52], rtol=1e-12, err_msg="b after steps 1, 2")
    signs = np.sign(np.diff(path[:, 0]))
    np.testing.assert_array_equal(signs, [1, -1, 1, -1], err_msg="direction of each w step")


def test_line_slice_minimum_where_gradient_zero() -> None:
    # Along w with b = 0: C(w) = (1/4) Σ (w x − y)², so ∂C/∂w = 0.5 (14 w − 34) = 0 at w = 17/7.
    network = zero_neuron()
    values = np.linspace(-1.0, 5.0, 6001)
    costs = cost_slice(network, X_LINE, Y_LINE, W, values)
    minimum = values[np.argmin(costs)]
    np.testing.assert_allclose(minimum, 17.0 / 7.0, atol=1e-3, err_msg="argmin of the slice")

    at_minimum = network.copy()
    at_minimum.weights[0][0, 0] = 17.0 / 7.0
    gradients = at_minimum.backward(at_minimum.forward(X_LINE), Y_LINE)
    np.testing.assert_allclose(gradients.grad_weights[0], [[0.0]], atol=1e-12, err_msg="∂C/∂w at 17/7")


def test_line_slice_slope_is_backprop_gradient() -> None:
    network = zero_neuron()
    h = 1e-5
    ends = cost_slice(network, X_LINE, Y_LINE, W, [-h, h])
    slope = (ends[1] - ends[0]) / (2.0 * h)
    gradients = network.backward(network.forward(X_LINE), Y_LINE)
    np.testing.assert_allclose(slope, gradients.grad_weights[0][0, 0], rtol=1e-8, err_msg="slope at w")
    np.testing.assert_allclose(slope, -17.0, rtol=1e-8, err_msg="slope at w")


def test_line_run_above_one_diverges() -> None:
    # η = 1 multiplies the offset along the steep direction by 1 − 8.4 = −7.4 every step.
    network = zero_neuron()
    (run,) = compare_learning_rates(network, X_LINE, Y_LINE, [1.0], n_steps=200)
    assert run.diverged_at is not None
    assert run.divergence is not None
    assert run.divergence.message()
    assert len(run.costs) == run.diverged_at
    assert np.all(np.isfinite(run.costs))
    assert math.isnan(run.final_cost)
    assert np.all(np.isfinite(run.network.parameters_vector()))


# --- random networks: Hessian and eigenvalue against independent references ----------------------


@pytest.mark.parametrize(("layer_sizes", "activations", "seed"), RANDOM_PROBLEMS)
def test_hessian_matches_second_differences(layer_sizes, activations, seed) -> None:
    network, X, y = random_problem(layer_sizes, activations, seed)
    ours = hessian(network, X, y)
    reference = second_difference_hessian(network, X, y)
    scale = np.max(np.abs(reference))
    np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-5 * scale, err_msg="Hessian")
    np.testing.assert_array_equal(ours, ours.T, err_msg="Hessian symmetric")


@pytest.mark.parametrize(("layer_sizes", "activations", "seed"), RANDOM_PROBLEMS)
def test_power_iteration_matches_eigvalsh(layer_sizes, activations, seed) -> None:
    network, X, y = random_problem(layer_sizes, activations, seed)
    reference = np.linalg.eigvalsh(second_difference_hessian(network, X, y))[-1]
    power = largest_eigenvalue(network, X, y, method="power", iterations=1000)
    exact = largest_eigenvalue(network, X, y, method="exact")
    np.testing.assert_allclose(power, reference, rtol=1e-4, err_msg="λ_max by power iteration")
    np.testing.assert_allclose(exact, reference, rtol=1e-4, err_msg="λ_max by eigvalsh")


def test_power_iteration_same_seed_same_result() -> None:
    network, X, y = random_problem((2, 4, 1), ["sigmoid", "linear"], seed=2)
    first = largest_eigenvalue(network, X, y, method="power", iterations=20, seed=7)
    second = largest_eigenvalue(network, X, y, method="power", iterations=20, seed=7)
    assert first == second


def test_flat_gradient_order_and_values() -> None:
    network, X, y = random_problem((2, 3, 2), ["tanh", "sigmoid"], seed=3)
    gradients = network.backward(network.forward(X), y)
    expected = np.concatenate(
        [
            gradients.grad_weights[0].ravel(),
            gradients.grad_biases[0],
            gradients.grad_weights[1].ravel(),
            gradients.grad_biases[1],
        ]
    )
    np.testing.assert_array_equal(flat_gradient(network, X, y), expected, err_msg="∇C")


# --- power iteration on known matrices -----------------------------------------------------------


@pytest.mark.parametrize(
    ("eigenvalues", "largest"),
    [
        ([2.0, 1.0, 0.5], 2.0),  # positive dominant eigenvalue
        ([1.0, -5.0, 0.2], 1.0),  # negative dominant eigenvalue: needs the shift
        ([3.0, -3.0, 0.0], 3.0),  # a positive and a negative eigenvalue of equal size
        ([-1.0, -4.0, -2.0], -1.0),  # every eigenvalue negative
        ([0.0, 0.0, 0.0], 0.0),  # the zero matrix
    ],
)
def test_power_iteration_known_matrices(eigenvalues, largest) -> None:
    rng = np.random.default_rng(11)
    rotation, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    matrix = rotation @ np.diag(eigenvalues) @ rotation.T
    estimate = _largest_eigenvalue_by_power(
        lambda vector: matrix @ vector, 3, iterations=500, tol=1e-14, rng=np.random.default_rng(0)
    )
    np.testing.assert_allclose(estimate, largest, atol=1e-8, err_msg=f"λ_max of {eigenvalues}")


def test_concave_point_has_no_stable_rate() -> None:
    # One sigmoid neuron with w = 0, b = 3 and targets 0. Per example C = σ(w x + b)², and
    # d²/db² σ(b)² = 2 s² (1 − s)(2 − 3 s) with s = σ(b), negative for s > 2/3. Since
    # Σ x = 0 the Hessian is diagonal: ∂²C/∂b² = c and ∂²C/∂w² = mean(x²) · c = 2.5 c.
    # Both are negative; λ_max = c, and the dominant eigenvalue 2.5 c is the other one.
    network = Network.from_parameters([[[0.0]]], [[3.0]], ["sigmoid"])
    X = np.array([[-1.0], [1.0], [-2.0], [2.0]])
    y = np.zeros(4)
    s = 1.0 / (1.0 + math.exp(-3.0))
    curvature = 2.0 * s * s * (1.0 - s) * (2.0 - 3.0 * s)
    assert curvature < 0

    for method in ("exact", "power"):
        eigenvalue = largest_eigenvalue(network, X, y, method=method)
        np.testing.assert_allclose(eigenvalue, curvature, rtol=1e-6, err_msg=f"λ_max ({method})")
        assert stable_learning_rate(network, X, y, method=method) is None


# --- slices and grids ----------------------------------------------------------------------------


@pytest.mark.parametrize(("layer_sizes", "activations", "seed"), RANDOM_PROBLEMS)
def test_slice_matches_cost_one_value_at_a_time(layer_sizes, activations, seed) -> None:
    network, X, y = random_problem(layer_sizes, activations, seed)
    values = np.linspace(-2.0, 2.0, 7)
    for parameter in parameter_refs(network):
        expected = [cost_with(network, X, y, {parameter: value}) for value in values]
        np.testing.assert_allclose(
            cost_slice(network, X, y, parameter, values), expected, rtol=1e-12, err_msg=parameter.name
        )


@pytest.mark.parametrize(("layer_sizes", "activations", "seed"), RANDOM_PROBLEMS)
def test_slice_slope_is_backprop_gradient(layer_sizes, activations, seed) -> None:
    network, X, y = random_problem(layer_sizes, activations, seed)
    gradients = network.backward(network.forward(X), y)
    h = 1e-6
    for parameter in parameter_refs(network):
        current = parameter.value(network)
        ends = cost_slice(network, X, y, parameter, [current - h, current + h])
        slope = (ends[1] - ends[0]) / (2.0 * h)
        np.testing.assert_allclose(
            slope, parameter.gradient(gradients), rtol=1e-5, atol=1e-9, err_msg=parameter.name
        )


def test_slice_at_current_value_is_cost() -> None:
    network, X, y = random_problem((2, 4, 1), ["sigmoid", "linear"], seed=2)
    parameter = ParameterRef(0, 2, 1)
    costs = cost_slice(network, X, y, parameter, [parameter.value(network)])
    np.testing.assert_allclose(costs, [network.cost(X, y)], rtol=1e-13, err_msg="C at θ")


def test_grid_layout_and_axes_agree_with_slices() -> None:
    network, X, y = random_problem((2, 4, 1), ["sigmoid", "linear"], seed=2)
    first, second = ParameterRef(0, 1, 0), ParameterRef(1, 0)
    # Put each current value on its axis so one row and one column pass through θ.
    first_values = np.append(np.linspace(-2.0, 2.0, 5), first.value(network))
    second_values = np.append(np.linspace(-1.0, 1.0, 3), second.value(network))
    grid = cost_grid(network, X, y, first, second, first_values, second_values)

    assert grid.shape == (4, 6)
    np.testing.assert_allclose(
        grid[-1], cost_slice(network, X, y, first, first_values), rtol=1e-12, err_msg="row through θ"
    )
    np.testing.assert_allclose(
        grid[:, -1], cost_slice(network, X, y, second, second_values), rtol=1e-12, err_msg="column through θ"
    )
    for i, j in [(0, 0), (1, 4), (2, 2)]:
        expected = cost_with(network, X, y, {first: first_values[j], second: second_values[i]})
        np.testing.assert_allclose(grid[i, j], expected, rtol=1e-12, err_msg=f"grid[{i}, {j}]")


def test_grid_parameters_in_different_layers() -> None:
    network, X, y = random_problem((1, 8, 8, 1), ["tanh", "tanh", "linear"], seed=9, n_samples=50)
    first, second = ParameterRef(0, 3, 0), ParameterRef(2, 0, 5)
    values = np.linspace(-3.0, 3.0, 4)
    grid = cost_grid(network, X, y, first, second, values, values[::-1])
    for i in range(4):
        for j in range(4):
            expected = cost_with(network, X, y, {first: values[j], second: values[::-1][i]})
            np.testing.assert_allclose(grid[i, j], expected, rtol=1e-12, err_msg=f"grid[{i}, {j}]")


def test_cost_at_points_in_chunks(monkeypatch) -> None:
    # A tiny chunk budget forces one point per chunk; the costs must not change.
    import backprop_core.landscape as landscape

    network, X, y = random_problem((2, 3, 2), ["tanh", "sigmoid"], seed=3)
    parameters = [ParameterRef(1, 1, 2), ParameterRef(0, 0)]
    points = np.random.default_rng(1).uniform(-2.0, 2.0, size=(5, 2))
    whole = cost_at_points(network, X, y, parameters, points)
    monkeypatch.setattr(landscape, "_CHUNK_ELEMENTS", 1)
    np.testing.assert_allclose(
        cost_at_points(network, X, y, parameters, points), whole, rtol=1e-14, err_msg="chunked costs"
    )


# --- slice_range ---------------------------------------------------------------------------------


def test_slice_range_contains_step_with_margin() -> None:
    # Landing point 0 − 0.2 · (−17) = 3.4. The margin adds 0.5 · 3.4 = 1.7 on each side.
    low, high = slice_range(0.0, -17.0, 0.2)
    np.testing.assert_allclose([low, high], [-1.7, 5.1], rtol=1e-12, err_msg="(low, high)")


def test_slice_range_minimum_half_width() -> None:
    # A tiny step still gets ±min_half_width around the current value.
    low, high = slice_range(2.0, 0.01, 0.1, min_half_width=0.5)
    np.testing.assert_allclose([low, high], [1.5, 2.5], rtol=1e-12, err_msg="(low, high)")


def test_slice_range_zero_gradient() -> None:
    low, high = slice_range(-1.0, 0.0, 0.5)
    np.testing.assert_allclose([low, high], [-2.0, 0.0], rtol=1e-12, err_msg="(low, high)")


def test_slice_range_negative_step() -> None:
    # A positive gradient moves the parameter down: landing at 1 − 2 · 3 = −5.
    low, high = slice_range(1.0, 3.0, 2.0, margin=0.25)
    np.testing.assert_allclose([low, high], [-6.5, 2.5], rtol=1e-12, err_msg="(low, high)")


# --- gradient descent in two parameters ----------------------------------------------------------


def test_two_parameter_path_costs_match_network() -> None:
    network, X, y = random_problem((2, 4, 1), ["sigmoid", "linear"], seed=2)
    first, second = ParameterRef(0, 1, 1), ParameterRef(1, 0, 2)
    path = train_two_parameters(network, X, y, first, second, learning_rate=0.5, n_steps=25)

    assert path.shape == (26, 2)
    np.testing.assert_array_equal(
        path[0], [first.value(network), second.value(network)], err_msg="start of the path"
    )
    path_costs = cost_at_points(network, X, y, [first, second], path)
    for index in (0, 1, 10, 25):
        expected = cost_with(network, X, y, {first: path[index, 0], second: path[index, 1]})
        np.testing.assert_allclose(path_costs[index], expected, rtol=1e-12, err_msg=f"cost at point {index}")
    assert path_costs[-1] < path_costs[0]


def test_two_parameter_first_step_uses_full_gradient() -> None:
    network, X, y = random_problem((1, 3, 1), ["tanh", "linear"], seed=1)
    first, second = ParameterRef(0, 2), ParameterRef(1, 0, 0)
    gradients = network.backward(network.forward(X), y)
    path = train_two_parameters(network, X, y, first, second, learning_rate=0.3, n_steps=1)
    expected = [
        first.value(network) - 0.3 * first.gradient(gradients),
        second.value(network) - 0.3 * second.gradient(gradients),
    ]
    np.testing.assert_allclose(path[1], expected, rtol=1e-14, err_msg="values after step 1")


def test_two_parameter_path_stops_before_overflow() -> None:
    path = train_two_parameters(zero_neuron(), X_LINE, Y_LINE, W, B, learning_rate=10.0, n_steps=5000)
    assert len(path) < 5001
    assert np.all(np.isfinite(path))


def test_two_parameter_zero_steps() -> None:
    path = train_two_parameters(zero_neuron(), X_LINE, Y_LINE, W, B, learning_rate=0.1, n_steps=0)
    np.testing.assert_array_equal(path, [[0.0, 0.0]], err_msg="path of no steps")


# --- comparing learning rates --------------------------------------------------------------------


def test_compare_rates_same_batches() -> None:
    network, X, y = random_problem((2, 3, 1), ["tanh", "linear"], seed=5, n_samples=10)
    runs = compare_learning_rates(network, X, y, [0.01, 0.1, 0.5], n_steps=12, batch_size=3, seed=4)
    # Step 1 of every run starts from the same parameters, so equal batch costs mean equal batches.
    first_batch_costs = [run.batch_costs[0] for run in runs]
    np.testing.assert_allclose(first_batch_costs, first_batch_costs[0], rtol=0, err_msg="first batch cost")
    for run in runs:
        np.testing.assert_allclose(run.costs[0], network.cost(X, y), rtol=0, err_msg="initial cost")


def test_compare_rates_matches_own_trainer() -> None:
    network, X, y = random_problem((2, 3, 1), ["tanh", "linear"], seed=5, n_samples=10)
    (run,) = compare_learning_rates(network, X, y, [0.2], n_steps=12, batch_size=3, seed=4)
    trainer = Trainer(network.copy(), X, y, 0.2, batch_size=3, seed=4, shuffle=True)
    trainer.run(12)
    np.testing.assert_array_equal(run.batch_costs, trainer.history.costs, err_msg="batch costs")
    np.testing.assert_array_equal(
        run.network.parameters_vector(), trainer.network.parameters_vector(), err_msg="final parameters"
    )
    np.testing.assert_allclose(run.costs[-1], trainer.cost(), rtol=0, err_msg="final cost")


def test_compare_rates_seed_changes_batches() -> None:
    # The check above can fail: another seed gives another first batch.
    network, X, y = random_problem((2, 3, 1), ["tanh", "linear"], seed=5, n_samples=10)
    (run_a,) = compare_learning_rates(network, X, y, [0.1], n_steps=1, batch_size=3, seed=4)
    (run_b,) = compare_learning_rates(network, X, y, [0.1], n_steps=1, batch_size=3, seed=5)
    assert run_a.batch_costs[0] != run_b.batch_costs[0]


def test_compare_rates_leaves_network_unchanged() -> None:
    network = zero_neuron()
    runs = compare_learning_rates(network, X_LINE, Y_LINE, [0.05, 0.2], n_steps=5)
    np.testing.assert_array_equal(network.parameters_vector(), [0.0, 0.0], err_msg="network")
    assert runs[0].network is not network
    assert [run.learning_rate for run in runs] == [0.05, 0.2]


def test_sweep_marks_diverged_runs_nan() -> None:
    final_costs = sweep_learning_rates(zero_neuron(), X_LINE, Y_LINE, [0.01, 0.2, 1.0], n_steps=200)
    assert final_costs.shape == (3,)
    assert np.isfinite(final_costs[0])
    assert np.isfinite(final_costs[1])
    assert math.isnan(final_costs[2])
    assert final_costs[1] < final_costs[0]


def test_sweep_line_regimes() -> None:
    rates = [0.001, 0.1, 0.2, 0.25, 1.0]
    final_costs = sweep_learning_rates(zero_neuron(), X_LINE, Y_LINE, rates, n_steps=50)
    labels = classify_regimes(rates, final_costs, initial_cost=21.0)
    assert labels == [REGIME_TOO_SMALL, REGIME_GOOD, REGIME_GOOD, REGIME_TOO_LARGE, REGIME_TOO_LARGE]


# --- classify_regimes rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rates", "final_costs", "initial_cost", "expected"),
    [
        # Rule 1: diverged or worse than the start. Rule 2: progress 2 < 0.9 · 9.
        ([0.01, 0.1, 1.0, 2.0], [8.0, 1.0, 12.0, np.nan], 10.0, ["too small", "good", "too large", "too large"]),
        # Progress 8.5 ≥ 0.9 · 9 = 8.1 is good. A slow run above the best rate overshoots.
        ([0.01, 0.1, 0.3], [1.5, 1.0, 6.0], 10.0, ["good", "good", "too large"]),
        # No run lowers the cost, so none is called too small.
        ([0.1, 0.2], [5.0, 5.0], 5.0, ["good", "good"]),
        # Every run diverged.
        ([0.1, 0.2], [np.inf, np.nan], 5.0, ["too large", "too large"]),
    ],
)
def test_classify_regimes_rules(rates, final_costs, initial_cost, expected) -> None:
    assert classify_regimes(rates, final_costs, initial_cost) == expected


def test_classify_regimes_fraction() -> None:
    labels = classify_regimes([0.01, 0.1], [4.0, 1.0], 10.0, progress_fraction=0.5)
    assert labels == [REGIME_GOOD, REGIME_GOOD]


# --- nothing changes the network -----------------------------------------------------------------


def test_functions_leave_network_unchanged() -> None:
    network, X, y = random_problem((2, 4, 1), ["sigmoid", "linear"], seed=2)
    before = network.parameters_vector()
    first, second = ParameterRef(0, 0, 0), ParameterRef(1, 0)
    cost_slice(network, X, y, first, [-1.0, 1.0])
    cost_grid(network, X, y, first, second, [-1.0, 1.0], [0.0, 2.0])
    hessian(network, X, y)
    largest_eigenvalue(network, X, y, method="power", iterations=5)
    hessian_vector_product(network, X, y, np.ones(network.n_parameters))
    train_two_parameters(network, X, y, first, second, 0.1, 3)
    sweep_learning_rates(network, X, y, [0.1], 3)
    np.testing.assert_array_equal(network.parameters_vector(), before, err_msg="parameters")


# --- invalid arguments ---------------------------------------------------------------------------


def test_hessian_rejects_large_network() -> None:
    network, X, y = random_problem((1, 20, 20, 1), ["tanh", "tanh", "linear"], seed=0, n_samples=3)
    assert network.n_parameters > MAX_HESSIAN_PARAMETERS
    with pytest.raises(ValueError, match="hessian builds the full matrix only up to 400"):
        hessian(network, X, y)
    with pytest.raises(ValueError, match="up to 400"):
        largest_eigenvalue(network, X, y, method="exact")


def test_power_method_on_large_network() -> None:
    network, X, y = random_problem((1, 20, 20, 1), ["tanh", "tanh", "linear"], seed=0, n_samples=3)
    eigenvalue = largest_eigenvalue(network, X, y, iterations=30)
    assert math.isfinite(eigenvalue)
    assert eigenvalue > 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda n: cost_slice(n, X_LINE, Y_LINE, ParameterRef(1, 0), [0.0]), "parameter is b2"),
        (lambda n: cost_slice(n, X_LINE, Y_LINE, ParameterRef(0, 0, 3), [0.0]), r"parameter is W1\[0,3\]"),
        (lambda n: cost_slice(n, X_LINE, Y_LINE, "W1[0,0]", [0.0]), "parameter must be a ParameterRef"),
        (lambda n: cost_slice(n, X_LINE, Y_LINE, W, []), "values must be a non-empty 1-D"),
        (lambda n: cost_slice(n, X_LINE, Y_LINE, W, [[0.0]]), "values must be a non-empty 1-D"),
        (lambda n: cost_slice(n, X_LINE, Y_LINE, W, [np.nan]), "values must contain only finite"),
        (lambda n: cost_slice(n, X_LINE[:3], Y_LINE, W, [0.0]), "y must have shape"),
        (lambda n: cost_slice(n, [[np.inf]], [1.0], W, [0.0]), "X and y must contain only finite"),
        (lambda n: cost_grid(n, X_LINE, Y_LINE, W, W, [0.0], [0.0]), "two different parameters"),
        (lambda n: cost_grid(n, X_LINE, Y_LINE, W, B, [0.0], [np.inf]), "second_values must contain"),
        (lambda n: cost_at_points(n, X_LINE, Y_LINE, [W, B], [[0.0]]), r"points must have shape \(n_points, 2\)"),
        (lambda n: cost_at_points(n, X_LINE, Y_LINE, [W, W], [[0.0, 1.0]]), "must not name a parameter twice"),
        (lambda n: cost_at_points(n, X_LINE, Y_LINE, [], [[0.0]]), "at least one parameter"),
        (lambda n: hessian_vector_product(n, X_LINE, Y_LINE, [1.0]), r"vector must have shape \(2,\)"),
        (lambda n: hessian_vector_product(n, X_LINE, Y_LINE, [1.0, np.nan]), "vector must contain only finite"),
        (lambda n: hessian_vector_product(n, X_LINE, Y_LINE, [1.0, 0.0], epsilon=0.0), "epsilon must be greater than 0"),
        (lambda n: hessian(n, X_LINE, Y_LINE, epsilon=np.inf), "epsilon must be a finite number"),
        (lambda n: largest_eigenvalue(n, X_LINE, Y_LINE, method="lanczos"), "method must be"),
        (lambda n: largest_eigenvalue(n, X_LINE, Y_LINE, iterations=0), "iterations must be a whole number"),
        (lambda n: largest_eigenvalue(n, X_LINE, Y_LINE, tol=-1.0), "tol must be greater than 0"),
        (lambda n: train_two_parameters(n, X_LINE, Y_LINE, W, W, 0.1, 1), "two different parameters"),
        (lambda n: train_two_parameters(n, X_LINE, Y_LINE, W, B, 0.0, 1), "learning_rate must be greater than 0"),
        (lambda n: train_two_parameters(n, X_LINE, Y_LINE, W, B, 0.1, -1), "n_steps must be a whole number"),
        (lambda n: train_two_parameters(n, X_LINE, Y_LINE, W, B, 0.1, 2.5), "n_steps must be a whole number"),
        (lambda n: compare_learning_rates(n, X_LINE, Y_LINE, [0.1, -0.1], 3), r"learning_rates\[1\] must be"),
        (lambda n: compare_learning_rates(n, X_LINE, Y_LINE, [], 3), "learning_rates must be a non-empty"),
        (lambda n: compare_learning_rates(n, X_LINE, Y_LINE, [0.1], 3, batch_size=9), "batch_size must be"),
        (lambda n: sweep_learning_rates(n, X_LINE, Y_LINE, [np.nan], 3), r"learning_rates\[0\] must be"),
    ],
)
def test_invalid_network_arguments(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call(zero_neuron())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"current": np.nan}, "current must be a finite number"),
        ({"gradient": "1"}, "gradient must be a finite number"),
        ({"learning_rate": 0.0}, "learning_rate must be greater than 0"),
        ({"margin": -0.1}, "margin must be at least 0"),
        ({"min_half_width": 0.0}, "min_half_width must be greater than 0"),
        ({"current": True}, "current must be a finite number"),
    ],
)
def test_invalid_slice_range_arguments(kwargs, message) -> None:
    arguments = {"current": 0.0, "gradient": 1.0, "learning_rate": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        slice_range(**arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([0.1, 0.2], [1.0], 5.0), r"final_costs must have one entry per learning rate"),
        (([0.1], [1.0], -1.0), "initial_cost must be at least 0"),
        (([0.1], [1.0], np.nan), "initial_cost must be a finite number"),
        (([0.0], [1.0], 5.0), r"learning_rates\[0\] must be"),
    ],
)
def test_invalid_classify_arguments(arguments, message) -> None:
    with pytest.raises(ValueError, match=message):
        classify_regimes(*arguments)


def test_invalid_progress_fraction() -> None:
    with pytest.raises(ValueError, match="progress_fraction must lie strictly between 0 and 1"):
        classify_regimes([0.1], [1.0], 5.0, progress_fraction=1.0)
