"""Tests for the training-health diagnostics: hand-worked failures, thresholds, bad arguments."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from backprop_core import Network, Trainer
from backprop_core.diagnostics import (
    INFO,
    KINDS,
    WARNING,
    Finding,
    dead_unit_findings,
    diagnose,
    gradient_health_findings,
    layer_gradient_norms,
    output_range_findings,
    saturation_findings,
    stalled_finding,
    symmetry_findings,
    unscaled_input_findings,
)

X_FOUR = np.array([[0.0], [1.0], [2.0], [3.0]])


def kinds(findings: list[Finding]) -> list[str]:
    return [finding.kind for finding in findings]


def standardized(values: np.ndarray) -> np.ndarray:
    """Scale each column to mean 0 and standard deviation 1 (ddof=0), as the app does."""
    values = np.asarray(values, dtype=np.float64)
    return (values - values.mean(axis=0)) / values.std(axis=0)


# --- a ReLU output that dies after one step ------------------------------------------------------


def test_relu_output_dies_and_stalls() -> None:
    # y = [-1, -3, -5, -7], ŷ = relu(0.5 x + 0.1), η = 0.05.
    # Before step 1 every z = [0.1, 0.6, 1.1, 1.6] is > 0, so ŷ = z and
    # ŷ - y = [1.1, 3.6, 6.1, 8.6]:
    #   ∂C/∂w = (2/4) Σ (ŷ - y) x = 0.5 · (0 + 3.6 + 12.2 + 25.8) = 20.8
    #   ∂C/∂b = (2/4) Σ (ŷ - y)   = 0.5 · 19.4                    = 9.7
    #   w = 0.5 - 0.05 · 20.8 = -0.54,   b = 0.1 - 0.05 · 9.7 = -0.385
    # Now z = -0.385 - 0.54 x < 0 for every x ≥ 0: ŷ = 0, the slope is 0, and the cost is
    # mean(y²) = (1 + 9 + 25 + 49) / 4 = 21 for good.
    y = np.array([-1.0, -3.0, -5.0, -7.0])
    network = Network.from_parameters([[[0.5]]], [[0.1]], ["relu"])
    trainer = Trainer(network, X_FOUR, y, learning_rate=0.05)

    first = trainer.step()

    np.testing.assert_allclose(first.grad_weights[0], [[20.8]], rtol=1e-14, err_msg="∂C/∂w, step 1")
    np.testing.assert_allclose(first.grad_biases[0], [9.7], rtol=1e-14, err_msg="∂C/∂b, step 1")
    np.testing.assert_allclose(network.weights[0], [[-0.54]], rtol=1e-14, err_msg="w after step 1")
    np.testing.assert_allclose(network.biases[0], [-0.385], rtol=1e-14, err_msg="b after step 1")

    for step in range(2, 11):
        record = trainer.step()
        assert np.all(record.grad_weights[0] == 0.0), f"∂C/∂w at step {step} is not exactly 0"
        assert np.all(record.grad_biases[0] == 0.0), f"∂C/∂b at step {step} is not exactly 0"
        np.testing.assert_allclose(record.cost, 21.0, rtol=1e-15, err_msg=f"cost at step {step}")

    dead = dead_unit_findings(network, X_FOUR)
    assert len(dead) == 1
    assert dead[0].kind == "dead_units"
    assert dead[0].severity == WARNING
    assert dead[0].layer == 1
    assert dead[0].units == (0,)

    stalled = stalled_finding(record.gradients, trainer.cost())
    assert stalled is not None
    assert stalled.kind == "stalled"
    assert stalled.severity == WARNING
    np.testing.assert_allclose(stalled.numbers["cost"], 21.0, rtol=1e-15, err_msg="stalled cost")


def test_relu_output_not_dead_before_step() -> None:
    network = Network.from_parameters([[[0.5]]], [[0.1]], ["relu"])
    gradients = network.backward(network.forward(X_FOUR), [-1.0, -3.0, -5.0, -7.0])

    assert dead_unit_findings(network, X_FOUR) == []
    assert stalled_finding(gradients, gradients.cost) is None


def test_dead_hidden_units_some_and_all() -> None:
    X = np.array([[1.0], [2.0], [3.0]])
    # Units 0 and 2 have z < 0 for every x > 0, and unit 1 is alive.
    some_dead = Network.from_parameters(
        [[[-1.0], [1.0], [-2.0]], [[1.0, 1.0, 1.0]]], [[0.0, 0.0, 0.0], [0.0]], ["relu", "linear"]
    )
    all_dead = Network.from_parameters(
        [[[-1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], ["relu", "linear"]
    )

    partly = dead_unit_findings(some_dead, X)
    wholly = dead_unit_findings(all_dead, X)

    assert len(partly) == 1
    assert partly[0].units == (0, 2)
    assert partly[0].layer == 1
    assert partly[0].severity == INFO
    assert partly[0].numbers == {"dead_units": 2.0, "units": 3.0}
    assert len(wholly) == 1
    assert wholly[0].units == (0, 1)
    assert wholly[0].severity == WARNING


def test_leaky_relu_never_dead() -> None:
    network = Network.from_parameters(
        [[[-1.0], [-1.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]], ["leaky_relu", "linear"]
    )

    assert dead_unit_findings(network, np.array([[1.0], [2.0]])) == []


def test_stall_needs_positive_cost() -> None:
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])
    # A perfect fit: the gradient is 0 because there is nothing left to learn.
    gradients = network.backward(network.forward(X_FOUR), np.zeros(4))

    assert stalled_finding(gradients, 0.0) is None
    assert stalled_finding(gradients, float("nan")) is None


# --- targets outside a bounded output ------------------------------------------------------------


def test_sigmoid_output_cannot_reach_targets() -> None:
    # ŷ = σ(w x + b) with w = b = 0 predicts 0.5, so ŷ - y = [-2.5, -3.5, -4.5, -5.5] and
    #   C = (6.25 + 12.25 + 20.25 + 30.25) / 4 = 17.25.
    # A sigmoid output stays below 1, so the best it can do is ŷ → 1 everywhere:
    #   C ≥ ((3-1)² + (4-1)² + (5-1)² + (6-1)²) / 4 = (4 + 9 + 16 + 25) / 4 = 13.5.
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = np.array([3.0, 4.0, 5.0, 6.0])
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["sigmoid"])

    findings = output_range_findings(network, y)
    trainer = Trainer(network, X, y, learning_rate=0.5)
    start_cost = trainer.cost()
    trainer.run(5000)

    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "output_range"
    assert finding.severity == WARNING
    assert finding.layer == 1
    assert finding.numbers["targets_outside"] == 4.0
    assert finding.numbers["range_low"] == 0.0
    assert finding.numbers["range_high"] == 1.0
    np.testing.assert_allclose(finding.numbers["lowest_possible_cost"], 13.5, rtol=1e-15,
                               err_msg="lowest possible cost")
    assert finding.fix is not None and "linear output" in finding.fix
    np.testing.assert_allclose(start_cost, 17.25, rtol=1e-15, err_msg="cost before training")
    assert trainer.step_count == 5000
    assert trainer.cost() >= 13.5, f"cost after 5000 steps {trainer.cost()} is below 13.5"
    assert min(trainer.history.costs) >= 13.5, "some recorded cost is below 13.5"


@pytest.mark.parametrize(
    ("activation", "y", "n_outside"),
    [
        ("tanh", [-1.5, 0.0, 0.5, 2.0], 2),
        ("relu", [-0.5, 0.0, 1.0, 3.0], 1),
        ("sigmoid", [0.0, 0.5, 1.0, 1.0], 0),
        ("linear", [-100.0, 0.0, 100.0, 5.0], 0),
        ("leaky_relu", [-100.0, 0.0, 100.0, 5.0], 0),
    ],
)
def test_output_range_counts_targets(activation: str, y: list[float], n_outside: int) -> None:
    network = Network.from_parameters([[[0.0]]], [[0.0]], [activation])

    findings = output_range_findings(network, y)

    if n_outside == 0:
        assert findings == []
    else:
        assert len(findings) == 1
        assert findings[0].numbers["targets_outside"] == float(n_outside)


def test_output_range_names_output_columns() -> None:
    network = Network.from_parameters([[[0.0], [0.0]]], [[0.0, 0.0]], ["sigmoid"])
    y = np.array([[0.5, 2.0], [0.2, 0.3]])

    findings = output_range_findings(network, y)

    assert len(findings) == 1
    assert findings[0].units == (1,)
    assert findings[0].numbers["targets"] == 4.0


# --- symmetric hidden units ----------------------------------------------------------------------


def test_zero_network_stays_symmetric() -> None:
    # With every parameter 0 the hidden activations are tanh(0) = 0 and W2 = 0, so
    #   ∂C/∂W2 = delta2ᵀ a1 = 0 and delta1 = (delta2 @ W2) ⊙ tanh'(z1) = 0:
    # only b2 moves, towards the mean of y, 4, where C = ((−3)² + 1 + 1 + 3²) / 4 = 5.
    y = np.array([1.0, 3.0, 5.0, 7.0])
    network = Network.from_parameters(
        [np.zeros((3, 1)), np.zeros((1, 3))], [np.zeros(3), np.zeros(1)], ["tanh", "linear"]
    )

    findings = symmetry_findings(network)
    trainer = Trainer(network, X_FOUR, y, learning_rate=0.05)
    trainer.run(2000)

    assert len(findings) == 1
    assert findings[0].kind == "symmetry"
    assert findings[0].severity == WARNING
    assert findings[0].layer == 1
    assert findings[0].units == (0, 1, 2)
    assert np.all(network.weights[0] == 0.0), "hidden weights W1 moved away from 0"
    assert np.all(network.biases[0] == 0.0), "hidden biases b1 moved away from 0"
    assert np.all(network.weights[1] == 0.0), "output weights W2 moved away from 0"
    np.testing.assert_allclose(network.biases[1], [4.0], atol=1e-6, err_msg="b2 after 2000 steps")
    np.testing.assert_allclose(trainer.cost(), 5.0, atol=1e-6, err_msg="cost after 2000 steps")
    assert len(symmetry_findings(network)) == 1, "the units stopped being copies"


def test_symmetry_groups_and_outgoing_weights() -> None:
    # Units 0 and 2 are copies. Units 1 and 3 share incoming weights and bias but not their
    # outgoing weights, so they get different gradients and are not reported.
    incoming = np.array([[0.3], [0.7], [0.3], [0.7]])
    biases = np.array([0.1, -0.2, 0.1, -0.2])
    outgoing = np.array([[0.5, 1.0, 0.5, -1.0]])
    network = Network.from_parameters([incoming, outgoing], [biases, [0.0]], ["tanh", "linear"])

    findings = symmetry_findings(network)

    assert len(findings) == 1
    assert findings[0].units == (0, 2)


def test_random_network_not_symmetric() -> None:
    network = Network.initialize((2, 5, 5, 1), ["tanh", "tanh", "linear"], seed=3)

    assert symmetry_findings(network) == []


# --- vanishing and exploding gradients -----------------------------------------------------------


def test_deep_sigmoid_gradients_vanish() -> None:
    X = np.linspace(-1.7, 1.7, 20).reshape(-1, 1)
    y = 0.5 + 0.4 * np.sin(2.0 * X[:, 0])
    network = Network.initialize((1, 8, 8, 8, 8, 8, 1), ["sigmoid"] * 6, seed=0)
    trainer = Trainer(network, X, y, learning_rate=0.1)
    norms = np.array([layer_gradient_norms(trainer.step().gradients) for _ in range(5)])

    findings = gradient_health_findings(norms)

    assert norms.shape == (5, 6)
    assert kinds(findings) == ["vanishing_gradients"]
    assert findings[0].layer == 1
    assert findings[0].numbers["ratio"] < 1e-3


def test_layer_gradient_norms_by_hand() -> None:
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])
    # From test_training's hand-worked step: ∂C/∂w = -17, ∂C/∂b = -8, so the norm is √353.
    gradients = network.backward(network.forward(X_FOUR), [1.0, 3.0, 5.0, 7.0])

    norms = layer_gradient_norms(gradients)

    np.testing.assert_allclose(norms, [np.sqrt(17.0**2 + 8.0**2)], rtol=1e-15, err_msg="layer norm")


def test_gradients_explode_on_growth() -> None:
    growing = np.array([[1.0, 1.0], [10.0, 10.0], [2000.0, 2000.0]])
    steady = np.array([[1.0, 1.0], [10.0, 10.0], [900.0, 900.0]])
    overflowed = np.array([[1.0, 1.0], [np.inf, 1.0]])

    assert kinds(gradient_health_findings(growing)) == ["exploding_gradients"]
    assert gradient_health_findings(steady) == []
    assert kinds(gradient_health_findings(overflowed)) == ["exploding_gradients"]


def test_exploding_looks_at_recent_steps() -> None:
    # Growth of 1e4 from step 1 to step 12, but at most 10 within the last 10 steps.
    norms = np.array([[1e-1, 1e-1], [1.0, 1.0]] + [[1e3, 1e3]] * 9 + [[1e3, 1e3]])

    assert gradient_health_findings(norms) == []
    assert kinds(gradient_health_findings(norms, window=12)) == ["exploding_gradients"]


def test_gradient_health_empty_history() -> None:
    assert gradient_health_findings(np.zeros((0, 0))) == []
    assert gradient_health_findings(np.zeros((0, 3))) == []


def test_vanishing_ignores_converged_steps() -> None:
    # Both norms are near 0 at a minimum, where their ratio is no evidence of vanishing.
    converged = np.array([[1e-16, 1e-10]] * 5)

    assert gradient_health_findings(converged) == []


# --- saturation ----------------------------------------------------------------------------------


def test_huge_tanh_weights_saturate() -> None:
    X = standardized(np.linspace(0.0, 10.0, 21).reshape(-1, 1))
    # |z| = 50 |x| > 4 wherever |x| > 0.08, which is 20 of the 21 standardised inputs.
    network = Network.from_parameters(
        [[[50.0], [-60.0], [40.0]], [[1.0, 1.0, 1.0]]], [np.zeros(3), [0.0]], ["tanh", "linear"]
    )

    findings = saturation_findings(network, X)

    assert len(findings) == 1
    assert findings[0].kind == "saturation"
    assert findings[0].layer == 1
    assert findings[0].units == (0, 1, 2)
    assert findings[0].severity == WARNING
    np.testing.assert_allclose(findings[0].numbers["threshold"], 4.0, err_msg="tanh threshold")


def test_xavier_tanh_not_saturated() -> None:
    X = standardized(np.linspace(0.0, 10.0, 21).reshape(-1, 1))
    network = Network.initialize((1, 8, 1), ["tanh", "linear"], init="xavier", seed=0)

    assert saturation_findings(network, X) == []


def test_saturation_threshold_and_fraction() -> None:
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    # z = x: beyond 2.5 for half of the examples.
    network = Network.from_parameters([[[1.0]], [[1.0]]], [[0.0], [0.0]], ["sigmoid", "linear"])

    assert saturation_findings(network, X) == []
    assert len(saturation_findings(network, X, threshold=2.5, fraction=0.5)) == 1
    assert saturation_findings(network, X, threshold=2.5, fraction=0.75) == []


# --- unscaled inputs -----------------------------------------------------------------------------


def test_unscaled_inputs_large_and_narrow() -> None:
    X = np.column_stack([np.linspace(0.0, 500.0, 10), np.linspace(0.0, 0.01, 10), np.ones(10)])

    findings = unscaled_input_findings(X, standardized=False)

    assert kinds(findings) == ["unscaled_inputs", "unscaled_inputs"]
    assert findings[0].units == (0,)
    assert findings[0].layer == 0
    np.testing.assert_allclose(findings[0].numbers["max_abs_input"], 500.0, err_msg="max |x|")
    assert findings[1].units == (1, 2)
    assert unscaled_input_findings(X, standardized=True) == []


def test_unit_scale_inputs_not_flagged() -> None:
    X = np.linspace(-3.0, 3.0, 12).reshape(-1, 1)

    assert unscaled_input_findings(X, standardized=False) == []


# --- diagnose ------------------------------------------------------------------------------------


def test_healthy_network_no_findings() -> None:
    X = standardized(X_FOUR)
    y = standardized(np.array([[1.0], [3.0], [5.0], [7.0]]))
    network = Network.initialize((1, 3, 1), ["tanh", "linear"], init="xavier", seed=0)
    trainer = Trainer(network, X, y, learning_rate=0.05)

    before = diagnose(network, X, y, standardized=True)
    norms = np.array([layer_gradient_norms(trainer.step().gradients) for _ in range(20)])
    after = diagnose(network, X, y, standardized=True, layer_gradient_norms=norms)

    assert before == []
    assert after == []


def test_diagnose_warnings_first() -> None:
    # Unscaled inputs give an info; the ReLU output with negative targets gives warnings.
    X = np.array([[100.0], [200.0], [300.0]])
    y = np.array([-1.0, -2.0, -3.0])
    network = Network.from_parameters([[[-1.0]]], [[0.0]], ["relu"])

    findings = diagnose(network, X, y, standardized=False)

    assert kinds(findings) == ["output_range", "dead_units", "stalled", "unscaled_inputs"]
    assert [finding.severity for finding in findings] == [WARNING, WARNING, WARNING, INFO]


def test_diagnose_leaves_network_unchanged() -> None:
    network = Network.initialize((1, 4, 1), ["relu", "sigmoid"], seed=1)
    before = network.parameters_vector()

    diagnose(network, X_FOUR, [2.0, 3.0, 4.0, 5.0], standardized=False)

    np.testing.assert_array_equal(network.parameters_vector(), before, err_msg="parameters")


def test_findings_are_plain_frozen_data() -> None:
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["sigmoid"])

    findings = diagnose(network, X_FOUR, [3.0, 4.0, 5.0, 6.0], standardized=True)

    assert findings, "expected at least the output-range warning"
    for finding in findings:
        assert finding.kind in KINDS
        assert finding.severity in (WARNING, INFO)
        assert finding.message.strip()
        assert all(isinstance(value, float) for value in finding.numbers.values())
        with pytest.raises(dataclasses.FrozenInstanceError):
            finding.kind = "other"  # type: ignore[misc]


# --- bad arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": float("inf")}, "threshold"),
        ({"threshold": True}, "threshold"),
        ({"fraction": 0.0}, "fraction"),
        ({"fraction": 1.5}, "fraction"),
        ({"fraction": float("nan")}, "fraction"),
    ],
)
def test_saturation_rejects_bad_arguments(kwargs: dict, parameter: str) -> None:
    network = Network.from_parameters([[[1.0]]], [[0.0]], ["tanh"])

    with pytest.raises(ValueError, match=parameter):
        saturation_findings(network, X_FOUR, **kwargs)


@pytest.mark.parametrize(
    ("norms", "kwargs", "parameter"),
    [
        (np.ones((2, 3, 4)), {}, "layer_gradient_norms"),
        (np.ones((3, 0)), {}, "layer_gradient_norms"),
        (-np.ones((3, 2)), {}, "layer_gradient_norms"),
        (np.ones((3, 2)), {"window": 0}, "window"),
        (np.ones((3, 2)), {"window": 2.5}, "window"),
    ],
)
def test_gradient_health_rejects_bad_arguments(
    norms: np.ndarray, kwargs: dict, parameter: str
) -> None:
    with pytest.raises(ValueError, match=parameter):
        gradient_health_findings(norms, **kwargs)


def test_stalled_rejects_negative_cost() -> None:
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])
    gradients = network.backward(network.forward(X_FOUR), np.zeros(4))

    with pytest.raises(ValueError, match="cost"):
        stalled_finding(gradients, -1.0)


@pytest.mark.parametrize(
    ("X", "y", "parameter"),
    [
        (np.ones((4, 2)), np.ones(4), "X"),
        (np.array([[0.0], [np.nan]]), np.ones(2), "X"),
        (X_FOUR, np.ones(3), "y"),
        (X_FOUR, np.array([1.0, np.inf, 0.0, 0.0]), "y"),
    ],
)
def test_diagnose_rejects_bad_data(X: np.ndarray, y: np.ndarray, parameter: str) -> None:
    network = Network.from_parameters([[[1.0]]], [[0.0]], ["tanh"])

    with pytest.raises(ValueError, match=parameter):
        diagnose(network, X, y, standardized=True)
