"""Tests for the activation registry: values, derivatives, ranges and extreme inputs.

Every derivative in the registry takes the pre-activation z, so each one is checked
against a central difference of its own function at the same z.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, Network, get_activation

ACTIVATION_NAMES = sorted(ACTIVATIONS)

# ReLU and leaky ReLU have a kink at z = 0, where no derivative exists.
KINKED = {"relu", "leaky_relu"}

# Step of the central difference. With h = 1e-6 the truncation error (about h² f'''/6) is
# near 1e-13 and the rounding error (about eps |f| / h) near 1e-9 for |f| <= 6.
H = 1e-6

# At |z| = 709, exp(709) is close to the float64 maximum and exp(-709) is already
# subnormal. exp(-745) rounds to the smallest subnormal, and exp(-1000) underflows to 0.
EXTREME_Z = np.array([-1000.0, -745.0, -709.0, 0.0, 709.0, 745.0, 1000.0])

# Turn overflow, invalid operations and division by zero into exceptions. Underflow to 0 is
# allowed, because that is the correct float64 value of exp(-1000).
STRICT_FLOATS = {"over": "raise", "invalid": "raise", "divide": "raise"}


def central_difference(function, z: np.ndarray) -> np.ndarray:
    """Estimate f'(z) as (f(z + h) - f(z - h)) / (z + h - (z - h)).

    Dividing by the step actually taken, rather than by 2h, removes the rounding error of
    z ± h, which makes the estimate exact for piecewise linear functions.
    """
    upper = z + H
    lower = z - H
    return (function(upper) - function(lower)) / (upper - lower)


def derivative_grid(name: str) -> np.ndarray:
    """Return 241 points in [-6, 6], without the kink at 0 for ReLU and leaky ReLU."""
    z = np.linspace(-6.0, 6.0, 241)
    if name in KINKED:
        z = z[np.abs(z) > 1e-3]
    return z


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "z", "expected"),
    [
        ("sigmoid", 0.0, 0.5),
        # σ(2) = 1 / (1 + e^-2) = 1 / 1.1353352832366128
        ("sigmoid", 2.0, 0.8807970779778823),
        ("tanh", 0.0, 0.0),
        ("tanh", 1.0, 0.7615941559557649),
        ("relu", -2.0, 0.0),
        ("relu", 3.0, 3.0),
        # Below zero leaky ReLU keeps 1 % of z: 0.01 · (-2) = -0.02.
        ("leaky_relu", -2.0, -0.02),
        ("leaky_relu", 3.0, 3.0),
        ("linear", -2.5, -2.5),
    ],
)
def test_activation_known_values(name: str, z: float, expected: float) -> None:
    value = ACTIVATIONS[name].function(np.array([z]))
    np.testing.assert_allclose(value, [expected], rtol=1e-15, err_msg=f"{name}({z})")


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_keeps_shape_and_input(name: str) -> None:
    activation = ACTIVATIONS[name]
    z = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    z_before = z.copy()

    a = activation.function(z)
    derivative = activation.derivative(z)

    assert a.shape == z.shape, f"{name}: shape of f(z)"
    assert derivative.shape == z.shape, f"{name}: shape of f'(z)"
    assert a.dtype == np.float64, f"{name}: dtype of f(z)"
    assert not np.shares_memory(a, z), f"{name}: f(z) must be a new array, not a view of z"
    np.testing.assert_array_equal(z, z_before, err_msg=f"{name} changed its input z")


# --- derivatives -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_matches_central_difference(name: str) -> None:
    activation = ACTIVATIONS[name]
    z = derivative_grid(name)

    analytic = activation.derivative(z)
    numeric = central_difference(activation.function, z)

    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9, err_msg=f"{name}'(z)")


def test_kink_derivative_convention() -> None:
    # At z = 0 ReLU passes no gradient, and leaky ReLU passes its small slope 0.01.
    zero = np.array([0.0])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].derivative(zero), [0.0], err_msg="relu'(0)")
    np.testing.assert_array_equal(
        ACTIVATIONS["leaky_relu"].derivative(zero), [0.01], err_msg="leaky_relu'(0)"
    )


def test_sigmoid_derivative_identity() -> None:
    # σ'(z) = σ(z)(1 − σ(z)). At z = 0 that is 0.5 · 0.5 = 0.25, its maximum.
    sigmoid = ACTIVATIONS["sigmoid"]
    z = np.linspace(-8.0, 8.0, 33)
    s = sigmoid.function(z)
    np.testing.assert_allclose(sigmoid.derivative(z), s * (1.0 - s), rtol=1e-15, err_msg="σ'(z)")
    np.testing.assert_allclose(sigmoid.derivative(np.array([0.0])), [0.25], err_msg="σ'(0)")
    assert sigmoid.derivative(z).max() <= 0.25, "σ'(z) is at most 0.25"


# --- extreme inputs --------------------------------------------------------------------------


def test_sigmoid_extreme_z_is_finite() -> None:
    sigmoid = ACTIVATIONS["sigmoid"]
    with np.errstate(**STRICT_FLOATS):
        a = sigmoid.function(EXTREME_Z)
        derivative = sigmoid.derivative(EXTREME_Z)

    assert np.all(np.isfinite(a)), f"σ(z) not finite: {a}"
    assert np.all(np.isfinite(derivative)), f"σ'(z) not finite: {derivative}"
    assert np.all((a >= 0.0) & (a <= 1.0)), f"σ(z) outside [0, 1]: {a}"
    assert np.all(derivative >= 0.0), f"σ'(z) negative: {derivative}"

    # σ(-1000) = e^-1000 / (1 + e^-1000) underflows to exactly 0, and σ(1000) rounds to 1.
    np.testing.assert_array_equal(a[[0, -1]], [0.0, 1.0], err_msg="σ(±1000)")
    np.testing.assert_array_equal(a[3], 0.5, err_msg="σ(0)")
    # For very negative z, σ(z) ≈ e^z, which is still a nonzero subnormal at z = -709.
    np.testing.assert_allclose(a[2], math.exp(-709.0), rtol=1e-10, err_msg="σ(-709)")
    # σ(z) = 1 − σ(-z) for z = 0, 709, 745, 1000: 0.5 at z = 0, and 1 where σ(-z) is too
    # small to change 1 − σ(-z) in float64.
    np.testing.assert_allclose(a[3:], 1.0 - a[3::-1], rtol=1e-15, err_msg="σ(z) + σ(-z) = 1")


@pytest.mark.parametrize(
    "layer_sizes", [(1, 7), (1, 7, 1)], ids=["sigmoid-output", "sigmoid-hidden"]
)
def test_sigmoid_layer_extreme_z_backward(layer_sizes: tuple[int, ...]) -> None:
    # With x = 1 the first layer's z equals its weights, so z takes every value in
    # EXTREME_Z. With x = -1 it takes their negatives.
    weights = [EXTREME_Z.reshape(7, 1)]
    biases = [np.zeros(7)]
    if len(layer_sizes) == 3:
        weights.append(np.full((1, 7), 0.1))
        biases.append(np.array([0.2]))
    network = Network.from_parameters(weights, biases, ["sigmoid"] * len(weights))
    X = np.array([[1.0], [-1.0]])
    y = np.full((2, layer_sizes[-1]), 0.25)

    with np.errstate(**STRICT_FLOATS):
        forward = network.forward(X)
        result = network.backward(forward, y)

    np.testing.assert_array_equal(forward.z[0][0], EXTREME_Z, err_msg="z[0] for x = 1")
    for l, a in enumerate(forward.a):
        assert np.all(np.isfinite(a)), f"a[{l}] not finite"
    for l, delta in enumerate(result.deltas):
        assert np.all(np.isfinite(delta)), f"deltas[{l}] not finite"
    for l, (grad_w, grad_b) in enumerate(zip(result.grad_weights, result.grad_biases)):
        assert np.all(np.isfinite(grad_w)), f"grad_weights[{l}] not finite"
        assert np.all(np.isfinite(grad_b)), f"grad_biases[{l}] not finite"
    assert math.isfinite(result.cost), "cost not finite"


# --- ranges and registry ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_output_within_declared_range(name: str) -> None:
    activation = ACTIVATIONS[name]
    z = np.concatenate([EXTREME_Z, np.linspace(-50.0, 50.0, 1001)])
    low, high = activation.output_range

    with np.errstate(**STRICT_FLOATS):
        a = activation.function(z)

    assert np.all(np.isfinite(a)), f"{name}(z) not finite"
    assert a.min() >= low, f"{name}: min {a.min()} below the range start {low}"
    assert a.max() <= high, f"{name}: max {a.max()} above the range end {high}"


def test_registry_keys_match_names() -> None:
    for name, activation in ACTIVATIONS.items():
        assert activation.name == name, f"ACTIVATIONS[{name!r}].name"
        assert get_activation(name) is activation, f"get_activation({name!r})"


@pytest.mark.parametrize("bad_name", ["softmax", "ReLU", "", None])
def test_get_activation_unknown_lists_names(bad_name: object) -> None:
    with pytest.raises(ValueError) as error:
        get_activation(bad_name)  # type: ignore[arg-type]

    message = str(error.value)
    assert repr(bad_name) in message, f"message does not show the value received: {message}"
    for name in ACTIVATION_NAMES:
        assert name in message, f"message does not list {name!r}: {message}"
