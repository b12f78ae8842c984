"""TrainingSession and the parsers of typed settings, without Streamlit."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_core.datasets import make_regression, make_tiny
from backprop_core.session import (
    MAX_HIDDEN_LAYERS,
    NetworkSettings,
    SettingsError,
    TrainingSession,
    parse_hidden_sizes,
    parse_learning_rate,
)


@pytest.mark.parametrize(
    ("text", "sizes"),
    [("", ()), ("4", (4,)), ("8, 8", (8, 8)), ("1 2 3", (1, 2, 3)), (" 32 ,1 ", (32, 1))],
)
def test_parse_hidden_sizes_accepts(text, sizes):
    assert parse_hidden_sizes(text) == sizes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "at least 1 neuron"),
        ("-1", "at least 1 neuron"),
        ("33", "too large"),
        ("abc", "not a whole number"),
        ("1e3", "not a whole number"),
        ("3.0", "not a whole number"),
        (", ".join(["2"] * (MAX_HIDDEN_LAYERS + 1)), "too many"),
    ],
)
def test_parse_hidden_sizes_rejects(text, message):
    with pytest.raises(SettingsError, match=message):
        parse_hidden_sizes(text)


@pytest.mark.parametrize("value", [0.0, -0.5, float("nan"), float("inf")])
def test_parse_learning_rate_rejects(value):
    with pytest.raises(SettingsError, match="greater than 0"):
        parse_learning_rate(value)


def test_settings_reject_bad_activation():
    with pytest.raises(SettingsError, match="Unknown activation"):
        NetworkSettings(hidden_activation="softmax")


def test_session_builds_layer_sizes_from_data():
    session = TrainingSession(make_tiny(), NetworkSettings(hidden_sizes=(5, 2)))
    assert session.network.layer_sizes == (1, 5, 2, 1)
    assert session.network.activations == ("tanh", "tanh", "linear")


def test_session_trains_in_standardised_units():
    session = TrainingSession(make_tiny(), NetworkSettings(hidden_sizes=()))
    # y = 1, 3, 5, 7 has mean 4 and population standard deviation √5.
    np.testing.assert_allclose(session.y_scaler.mean, [4.0], err_msg="target mean")
    np.testing.assert_allclose(session.y_scaler.scale, [np.sqrt(5.0)], err_msg="target scale")
    np.testing.assert_allclose(session.trainer.y.mean(), 0.0, atol=1e-15, err_msg="trained targets")


def test_session_predicts_in_original_units():
    session = TrainingSession(make_tiny(), NetworkSettings(hidden_sizes=()), learning_rate=0.1)
    session.run(2000)
    np.testing.assert_allclose(session.predict(make_tiny().X), make_tiny().y, atol=1e-8, err_msg="fit")


def test_session_without_scaling_matches_first_lesson():
    settings = NetworkSettings(hidden_sizes=(), init="zeros", standardize=False)
    session = TrainingSession(make_tiny(), settings, learning_rate=0.05)
    session.step()
    np.testing.assert_allclose(session.network.parameters_vector(), [0.85, 0.4], err_msg="w, b")
    assert session.last_step is not None
    assert session.last_step.cost == 21.0


def test_reset_restores_initial_network():
    session = TrainingSession(make_regression("sine", 30, 0.1, 3), NetworkSettings(seed=3))
    initial = session.network.parameters_vector()
    session.run(25)
    session.reset()
    np.testing.assert_array_equal(session.network.parameters_vector(), initial, err_msg="weights")
    assert session.trainer.step_count == 0
    assert len(session.trainer.history) == 0


def test_run_reports_progress_in_chunks():
    session = TrainingSession(make_tiny(), NetworkSettings())
    seen: list[int] = []
    assert session.run(1000, seen.append) == 1000
    assert len(seen) == 50
    assert seen[-1] == 1000
    assert seen == sorted(seen)


def test_learning_rate_change_continues():
    session = TrainingSession(make_tiny(), NetworkSettings())
    session.run(3)
    weights = session.network.parameters_vector()
    session.set_learning_rate(0.2)
    assert session.trainer.step_count == 3
    np.testing.assert_array_equal(session.network.parameters_vector(), weights, err_msg="weights")
    with pytest.raises(SettingsError):
        session.set_learning_rate(0.0)
    assert session.trainer.learning_rate == 0.2


def test_batch_size_clamped_to_data():
    session = TrainingSession(make_tiny(), NetworkSettings())
    session.set_batching(100, shuffle=False)
    assert session.trainer.batch_size == 4
    session.set_batching(3, shuffle=True)
    assert session.trainer.batch_size == 3
    assert session.trainer.batches_per_epoch == 2


def test_cost_series_endpoints():
    session = TrainingSession(make_tiny(), NetworkSettings())
    initial = session.trainer.cost()
    session.run(10)
    steps, costs = session.cost_series()
    assert steps.tolist() == list(range(11))
    assert costs[0] == initial
    assert costs[-1] == session.trainer.cost()


def test_parameter_series_ends_with_current_parameters():
    session = TrainingSession(make_tiny(), NetworkSettings())
    session.run(7)
    steps, values = session.parameter_series()
    assert steps[0] == 0
    assert steps[-1] == 7
    np.testing.assert_array_equal(values[-1], session.network.parameters_vector(), err_msg="last")


def test_fit_curve_spans_the_data():
    session = TrainingSession(make_regression("linear", 20, 0.0, 0), NetworkSettings())
    x, y = session.fit_curve()
    assert x[0] < -3.0 < 3.0 < x[-1]
    assert y.shape == x.shape
    assert np.all(np.isfinite(y))


def test_same_seed_same_initial_weights():
    first = TrainingSession(make_tiny(), NetworkSettings(seed=11)).network.parameters_vector()
    second = TrainingSession(make_tiny(), NetworkSettings(seed=11)).network.parameters_vector()
    other = TrainingSession(make_tiny(), NetworkSettings(seed=12)).network.parameters_vector()
    np.testing.assert_array_equal(first, second, err_msg="same seed")
    assert not np.array_equal(first, other)
