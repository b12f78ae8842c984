"""Tests for Play's batches of frames: true numbers, finite JSON, and the server's share of work."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backprop_core.datasets import load_real_dataset, make_regression, make_tiny
from backprop_core.playback import (
    FIT_POINTS,
    HISTORY_POINTS,
    SCATTER_POINTS,
    history_points,
    play_batch,
    player_setup,
)
from backprop_core.session import NetworkSettings, TrainingSession


def sine_session(**settings) -> TrainingSession:
    return TrainingSession(make_regression("sine", 60, 0.1, 0), NetworkSettings(hidden_sizes=(8,), **settings))


def test_frames_follow_the_real_run():
    played = sine_session()
    batch = play_batch(played, n_frames=4, steps_per_frame=5)
    assert [frame["step"] for frame in batch["frames"]] == [5, 10, 15, 20]
    assert batch["stopped"] is False
    assert played.trainer.step_count == 20, "the session itself is trained"

    reference = sine_session()
    for frame in batch["frames"]:
        reference.run(5)
        cost = reference.trainer.cost()
        assert frame["cost"] == float(f"{cost:.12g}"), "the frame's cost is the full-data cost after its steps"
        grid = np.asarray(player_setup(reference)["fit_x"]).reshape(-1, 1)
        expected_fit = reference.predict(grid)[:, 0]
        np.testing.assert_allclose(frame["fit"], expected_fit, rtol=1e-6, err_msg="fit curve")
        assert frame["epoch"] == reference.trainer.epoch


def test_history_keeps_every_played_step_exactly():
    played = sine_session()
    play_batch(played, n_frames=3, steps_per_frame=7)
    reference = sine_session()
    reference.run(21)
    np.testing.assert_array_equal(played.trainer.history.costs, reference.trainer.history.costs, err_msg="costs")
    np.testing.assert_array_equal(
        played.network.parameters_vector(), reference.network.parameters_vector(), err_msg="parameters"
    )


def test_diverging_run_stays_finite():
    session = TrainingSession(make_tiny(), NetworkSettings(hidden_sizes=(3,), standardize=False), learning_rate=50.0)
    batch = play_batch(session, n_frames=16, steps_per_frame=10)
    assert batch["stopped"] is True
    assert len(batch["frames"]) < 16
    text = json.dumps(batch, allow_nan=False)  # raises on NaN or Infinity
    assert "null" in text or batch["frames"], text[:200]
    assert play_batch(session, 4, 1)["frames"] == [], "a stopped run makes no more frames"


def test_setup_for_one_input_draws_a_curve():
    setup = player_setup(sine_session())
    assert setup["fit_kind"] == "curve"
    assert len(setup["fit_x"]) == FIT_POINTS
    assert len(setup["points_x"]) == 60
    low, high = setup["y_range"]
    assert low < min(setup["points_y"])
    assert high > max(setup["points_y"])


def test_setup_for_several_inputs_draws_a_scatter():
    session = TrainingSession(load_real_dataset("stackloss"), NetworkSettings(hidden_sizes=(4,)))
    setup = player_setup(session)
    assert setup["fit_kind"] == "scatter"
    assert setup["fit_x"] is None
    assert len(setup["points_x"]) == min(SCATTER_POINTS, session.dataset.X.shape[0])
    batch = play_batch(session, n_frames=2, steps_per_frame=3)
    assert len(batch["frames"][0]["fit"]) == len(setup["points_x"])


def test_history_is_downsampled_but_ends_now():
    session = sine_session()
    session.run(5_000)
    history = history_points(session)
    assert len(history["steps"]) <= HISTORY_POINTS
    assert history["steps"][0] == 0
    assert history["steps"][-1] == 5_000
    assert history["costs"][-1] == float(f"{session.trainer.cost():.12g}")


def test_batch_is_small():
    session = TrainingSession(make_regression("sine", 500, 0.1, 0), NetworkSettings(hidden_sizes=(8, 8)))
    session.run(100_000 // 50)
    payload = {
        "frames": play_batch(session, 16, 10),
        "history": history_points(session),
        "setup": player_setup(session),
    }
    size = len(json.dumps(payload, allow_nan=False))
    assert size < 60_000, f"a batch of 16 frames should be well below 300 KB, got {size:,} characters"


@pytest.mark.parametrize(("name", "value"), [("n_frames", 0), ("steps_per_frame", -1), ("n_frames", 2.5), ("steps_per_frame", True)])
def test_bad_batch_sizes_are_rejected(name, value):
    arguments = {"n_frames": 2, "steps_per_frame": 2, name: value}
    with pytest.raises(ValueError, match=name):
        play_batch(sine_session(), **arguments)
