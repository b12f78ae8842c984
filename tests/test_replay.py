"""Tests for the replay: frame selection, the replay record and the animated figure."""

from __future__ import annotations

import numpy as np
import pytest
from figure_checks import decode, figure_json
from hypothesis import given
from hypothesis import strategies as st

from backprop_core.charts import LINE_COLOURS
from backprop_core.datasets import Dataset, load_real_dataset, make_regression, make_tiny
from backprop_core.replay import (
    DEFAULT_MAX_FRAMES,
    MAX_FRAMES_LIMIT,
    MAX_REPLAY_PARAMETERS,
    ReplayData,
    default_replay_parameters,
    replay_data,
    replay_figure,
    replay_frames,
)
from backprop_core.session import NetworkSettings, TrainingSession

JSON_LIMIT = 300_000

# Trace positions documented in replay_figure.
COST_LINE, COST_MARKER, FIT_FIXED, FIT_MOVING, FIRST_PATH = 1, 2, 3, 4, 5


def tiny_session(steps: int, learning_rate: float = 0.05) -> TrainingSession:
    """A 1-2-1 tanh network on the four tiny points, after `steps` full-batch steps."""
    session = TrainingSession(make_tiny(), NetworkSettings(hidden_sizes=(2,)), learning_rate=learning_rate)
    session.run(steps)
    return session


def two_input_dataset(n_samples: int = 500, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, 2))
    y = np.sin(X[:, :1]) + 0.5 * X[:, 1:] ** 2
    return Dataset(
        name="two inputs",
        X=X,
        y=y,
        feature_names=("u", "v"),
        target_names=("t",),
        description="y = sin(u) + v²/2 on uniform inputs.",
    )


def frame_y(frame_trace: dict) -> np.ndarray:
    """The y values of a frame's trace update, with gaps (None) as NaN."""
    value = frame_trace["y"]
    if isinstance(value, dict):
        return decode(value).astype(np.float64)
    return np.array([np.nan if item is None else item for item in value], dtype=np.float64)


# --- frame selection -------------------------------------------------------------------------


@given(
    steps=st.lists(st.integers(0, 10**6), min_size=1, max_size=400, unique=True).map(sorted),
    max_frames=st.integers(2, 300),
)
def test_replay_frames_properties(steps: list[int], max_frames: int) -> None:
    frames = replay_frames(steps, max_frames)

    assert frames.dtype == np.int64, f"dtype {frames.dtype}"
    assert frames[0] == 0, "first snapshot missing"
    assert frames[-1] == len(steps) - 1, "last snapshot missing"
    assert frames.size <= max_frames, f"{frames.size} frames for max_frames={max_frames}"
    assert np.all(np.diff(frames) > 0), "indices not strictly increasing"
    if len(steps) <= max_frames:
        np.testing.assert_array_equal(frames, np.arange(len(steps)), err_msg="every snapshot")


@given(n_snapshots=st.integers(1, 2000), stride=st.integers(1, 64), max_frames=st.integers(2, 200))
def test_replay_frames_even_snapshots(n_snapshots: int, stride: int, max_frames: int) -> None:
    # Evenly spaced snapshots, as the history keeps them, give exactly min(n, max_frames)
    # frames whose gaps differ by at most one snapshot.
    steps = np.arange(n_snapshots) * stride
    frames = replay_frames(steps, max_frames)

    assert frames.size == min(n_snapshots, max_frames), f"{frames.size} frames"
    if frames.size > 2:
        gaps = np.diff(frames)
        assert gaps.max() - gaps.min() <= 1, f"uneven gaps {sorted(set(gaps.tolist()))}"


def test_replay_frames_nearest_snapshot() -> None:
    # Targets 0, 50, 100 of snapshots 0, 10, 40, 60, 100: 50 lies 10 from both 40 and 60,
    # and the tie goes to the earlier snapshot, 40 at index 2.
    frames = replay_frames([0, 10, 40, 60, 100], max_frames=3)
    np.testing.assert_array_equal(frames, [0, 2, 4], err_msg="frames")


@pytest.mark.parametrize(
    ("steps", "max_frames", "parameter"),
    [
        ([], 10, "snapshot_steps"),
        ([[0, 1]], 10, "snapshot_steps"),
        ([0, 1.5], 10, "snapshot_steps"),
        ([0, -1], 10, "snapshot_steps"),
        ([0, 5, 5], 10, "snapshot_steps"),
        ([0, 5, 3], 10, "snapshot_steps"),
        ([0, np.nan], 10, "snapshot_steps"),
        (["a"], 10, "snapshot_steps"),
        ([0, 1], 1, "max_frames"),
        ([0, 1], 2.0, "max_frames"),
        ([0, 1], True, "max_frames"),
    ],
)
def test_replay_frames_rejects(steps, max_frames, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        replay_frames(steps, max_frames)


# --- the replay record -----------------------------------------------------------------------


def test_tiny_run_hand_checkable() -> None:
    session = tiny_session(3)
    history = session.trainer.history
    data = replay_data(session)

    np.testing.assert_array_equal(data.frame_steps, [0, 1, 2, 3], err_msg="frame_steps")
    assert data.total_steps == 3, f"total_steps {data.total_steps}"
    assert data.n_frames == 4, f"n_frames {data.n_frames}"
    assert data.note is None, f"note {data.note!r} although every step is a frame"

    # Frame k's cost is the cost recorded after k steps: the history's costs[k] (measured
    # before step k + 1) for k < 3, and the trainer's current cost for the last frame.
    expected_costs = [*history.costs, session.trainer.cost()]
    np.testing.assert_array_equal(data.frame_costs, expected_costs, err_msg="frame_costs")
    np.testing.assert_array_equal(data.frame_costs, session.cost_series()[1], err_msg="cost_series")
    np.testing.assert_array_equal(data.frame_epochs, [0, 1, 2, 3], err_msg="frame_epochs")

    # The initial cost, recomputed from the initial network on the standardised data.
    scaled_X = session.x_scaler.transform(session.dataset.X)
    scaled_y = session.y_scaler.transform(session.dataset.y)
    initial_cost = np.mean((session.initial_network.predict(scaled_X) - scaled_y) ** 2)
    np.testing.assert_allclose(data.frame_costs[0], initial_cost, rtol=1e-14, err_msg="initial cost")

    # All 7 parameters of a 1-2-1 network are drawn, and frame k shows the snapshot of step k.
    assert data.parameter_names == tuple(session.network.parameter_names()), "parameter_names"
    np.testing.assert_array_equal(
        data.frame_parameter_values, history.snapshot_values, err_msg="frame_parameter_values"
    )

    # Frame 0's fit is the prediction of an untrained session with the same settings.
    fresh = tiny_session(0)
    assert data.fit_kind == "curve", f"fit_kind {data.fit_kind}"
    assert data.fit_x.size <= 80, f"{data.fit_x.size} grid points"
    np.testing.assert_allclose(data.fit_x[[0, -1]], [-0.15, 3.15], rtol=1e-12, err_msg="grid ends")
    np.testing.assert_allclose(
        data.frame_predictions[0],
        fresh.predict(data.fit_x.reshape(-1, 1))[:, 0],
        rtol=1e-12,
        err_msg="fit at frame 0",
    )
    np.testing.assert_allclose(
        data.frame_predictions[-1],
        session.predict(data.fit_x.reshape(-1, 1))[:, 0],
        rtol=1e-12,
        err_msg="fit at the last frame",
    )
    np.testing.assert_array_equal(data.data_x, [0.0, 1.0, 2.0, 3.0], err_msg="data_x")
    np.testing.assert_array_equal(data.data_y, [1.0, 3.0, 5.0, 7.0], err_msg="data_y")


def test_replay_data_leaves_session_unchanged() -> None:
    session = tiny_session(3)
    before = session.network.parameters_vector()

    replay_data(session)

    np.testing.assert_array_equal(session.network.parameters_vector(), before, err_msg="parameters")
    assert session.trainer.step_count == 3, "step_count changed"


def test_replay_data_arrays_read_only() -> None:
    data = replay_data(tiny_session(2))
    with pytest.raises(ValueError):
        data.frame_costs[0] = 0.0
    with pytest.raises(ValueError):
        data.frame_predictions[0, 0] = 0.0


def test_long_run_note_and_frames() -> None:
    session = TrainingSession(
        make_regression("sine", 60, 0.1, 0), NetworkSettings(hidden_sizes=(4,)), learning_rate=0.05
    )
    session.run(3000)
    data = replay_data(session)
    cost_steps, costs = session.cost_series()

    assert data.n_frames == DEFAULT_MAX_FRAMES, f"n_frames {data.n_frames}"
    assert data.frame_steps[0] == 0, "first frame"
    assert data.frame_steps[-1] == 3000, "last frame"
    np.testing.assert_array_equal(data.frame_costs, costs[data.frame_steps], err_msg="frame_costs")
    np.testing.assert_array_equal(data.costs, costs, err_msg="costs")
    np.testing.assert_array_equal(data.cost_steps, cost_steps, err_msg="cost_steps")
    assert data.note is not None, "no note for a downsampled run"
    assert data.note.startswith("Replaying 120 frames for 3,000 steps: "), data.note
    assert "one frame every" in data.note, data.note
    assert "every cost exactly" in data.note, data.note


def test_default_parameters_cover_layers() -> None:
    names = TrainingSession(
        make_regression("sine", 20, 0.1, 0), NetworkSettings(hidden_sizes=(8, 8))
    ).network.parameter_names()

    chosen = default_replay_parameters(names)

    assert 0 < len(chosen) <= MAX_REPLAY_PARAMETERS, f"{len(chosen)} parameters"
    for layer in (1, 2, 3):
        assert any(name.startswith(f"W{layer}[") for name in chosen), f"no weight of layer {layer}"
        assert any(name.startswith(f"b{layer}[") for name in chosen), f"no bias of layer {layer}"
    assert chosen == [name for name in names if name in chosen], "not in network order"


def test_default_parameters_small_network() -> None:
    names = ["W1[0,0]", "W1[1,0]", "b1[0]", "b1[1]", "W2[0,0]", "W2[0,1]", "b2[0]"]
    assert default_replay_parameters(names) == names


def test_chosen_parameters() -> None:
    session = tiny_session(3)
    data = replay_data(session, parameters=["b2[0]", "W1[1,0]"])

    assert data.parameter_names == ("W1[1,0]", "b2[0]"), f"names {data.parameter_names}"
    columns = [1, 6]
    np.testing.assert_array_equal(
        data.parameter_values,
        session.trainer.history.snapshot_values[:, columns],
        err_msg="parameter_values",
    )


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"parameters": ["W9[0,0]"]}, "parameters"),
        ({"parameters": ["W1[0,0]", "W1[0,0]"]}, "parameters"),
        ({"parameters": "W1[0,0]"}, "parameters"),
        ({"max_frames": 1}, "max_frames"),
        ({"max_frames": MAX_FRAMES_LIMIT + 1}, "max_frames"),
        ({"max_frames": 12.0}, "max_frames"),
    ],
)
def test_replay_data_rejects(kwargs: dict, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        replay_data(tiny_session(1), **kwargs)


def test_replay_data_rejects_too_many_parameters() -> None:
    session = TrainingSession(make_regression("sine", 20, 0.1, 0), NetworkSettings(hidden_sizes=(8,)))
    names = session.network.parameter_names()[: MAX_REPLAY_PARAMETERS + 1]
    with pytest.raises(ValueError, match="parameters"):
        replay_data(session, parameters=names)


def test_replay_data_rejects_non_session() -> None:
    with pytest.raises(ValueError, match="session"):
        replay_data(make_tiny())


# --- the figure ------------------------------------------------------------------------------


def test_figure_controls_and_frames() -> None:
    session = tiny_session(3)
    data = replay_data(session)
    figure = replay_figure(data, frame_duration_ms=90)
    spec = figure_json(figure)
    layout = spec["layout"]

    # Play and pause use Plotly's own animation, so the browser plays without the server.
    buttons = layout["updatemenus"][0]["buttons"]
    play = next(button for button in buttons if button["label"] == "Play")
    pause = next(button for button in buttons if button["label"] == "Pause")
    assert play["method"] == "animate", "play method"
    assert play["args"][0] is None, "play must animate all frames"
    assert play["args"][1]["frame"] == {"duration": 90, "redraw": False}, f"play frame {play['args'][1]}"
    assert play["args"][1]["fromcurrent"] is True, "play fromcurrent"
    assert play["args"][1]["transition"] == {"duration": 0}, "play transition"
    assert pause["method"] == "animate", "pause method"
    assert pause["args"][0] == [None], "pause args"
    assert pause["args"][1]["mode"] == "immediate", "pause mode"

    # One slider step per frame, labelled by the step, pointing at the frame of that step.
    steps = layout["sliders"][0]["steps"]
    assert len(steps) == data.n_frames, f"{len(steps)} slider steps for {data.n_frames} frames"
    assert [step["label"] for step in steps] == ["0", "1", "2", "3"], "slider labels"
    assert [step["args"][0] for step in steps] == [["0"], ["1"], ["2"], ["3"]], "slider frames"
    assert all(step["method"] == "animate" for step in steps), "slider method"

    frames = spec["frames"]
    assert [frame["name"] for frame in frames] == ["0", "1", "2", "3"], "frame names"
    n_paths = len(data.parameter_names)
    for frame in frames:
        assert frame["traces"] == [COST_LINE, COST_MARKER, FIT_MOVING, FIRST_PATH + n_paths], "traces"
        assert len(frame["data"]) == 4, "one update per listed trace"

    assert layout["meta"]["chart"] == "replay", "meta.chart"
    assert layout["meta"]["n_frames"] == 4, "meta.n_frames"
    assert layout["meta"]["total_steps"] == 3, "meta.total_steps"
    assert layout["title"]["text"] == "Replay: 3 steps in 4 frames", layout["title"]["text"]


def test_figure_frames_match_data() -> None:
    session = tiny_session(3)
    data = replay_data(session)
    spec = figure_json(replay_figure(data))

    for k, frame in enumerate(spec["frames"]):
        line, marker, fit, markers = frame["data"]
        # The growing line shows the first k + 1 frame costs against the fixed frame steps.
        np.testing.assert_allclose(frame_y(line), data.frame_costs[: k + 1], rtol=1e-6, err_msg=f"line {k}")
        assert marker["x"] == [k], f"marker x at frame {k}"
        assert marker["y"] == [data.frame_costs[k]], f"marker y at frame {k}: exact cost"
        np.testing.assert_allclose(frame_y(fit), data.frame_predictions[k], rtol=1e-6, err_msg=f"fit {k}")
        np.testing.assert_allclose(
            frame_y(markers), data.frame_parameter_values[k], rtol=1e-6, err_msg=f"parameters {k}"
        )
        assert markers["x"] == [k] * len(data.parameter_names), f"parameter markers x at frame {k}"

    # The traces themselves show frame 0, and the growing line's x contains every frame step.
    traces = spec["data"]
    np.testing.assert_array_equal(decode(traces[COST_LINE]["x"]), data.frame_steps, err_msg="line x")
    np.testing.assert_allclose(frame_y(traces[FIT_MOVING]), data.frame_predictions[0], rtol=1e-6, err_msg="fit")
    labels = traces[FIRST_PATH + len(data.parameter_names)]["text"]
    assert list(labels) == list(data.parameter_names), "parameter markers labelled by name"
    assert [trace["name"] for trace in traces[FIRST_PATH : FIRST_PATH + 7]] == list(data.parameter_names)
    assert traces[FIRST_PATH]["line"]["color"] == LINE_COLOURS[0], "path colour"


def test_axis_ranges_fixed_and_cover_frames() -> None:
    session = TrainingSession(
        make_regression("quadratic", 50, 0.2, 1), NetworkSettings(hidden_sizes=(6,)), learning_rate=0.1
    )
    session.run(400)
    data = replay_data(session)
    spec = figure_json(replay_figure(data))
    layout = spec["layout"]

    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3"):
        axis_range = layout[axis].get("range")
        assert axis_range is not None, f"{axis} has no fixed range"
        assert np.all(np.isfinite(axis_range)), f"{axis} range {axis_range}"
        assert axis_range[0] < axis_range[1], f"{axis} range {axis_range}"

    def inside(values: np.ndarray, axis: str) -> bool:
        low, high = layout[axis]["range"]
        values = values[np.isfinite(values)]
        return bool(np.all((values >= low) & (values <= high)))

    assert inside(data.frame_steps.astype(float), "xaxis"), "frame steps outside the cost x range"
    assert inside(data.frame_costs, "yaxis"), "frame costs outside the cost y range"
    assert inside(data.fit_x, "xaxis2"), "grid outside the fit x range"
    assert inside(data.frame_predictions.ravel(), "yaxis2"), "predictions outside the fit y range"
    assert inside(data.data_y, "yaxis2"), "example targets outside the fit y range"
    assert inside(data.parameter_values.ravel(), "yaxis3"), "parameters outside their y range"


def test_zero_step_run() -> None:
    data = replay_data(tiny_session(0))
    figure = replay_figure(data)
    spec = figure_json(figure)

    assert data.n_frames == 1, f"n_frames {data.n_frames}"
    assert data.total_steps == 0, f"total_steps {data.total_steps}"
    assert [frame["name"] for frame in spec["frames"]] == ["0"], "frames"
    assert len(spec["layout"]["sliders"][0]["steps"]) == 1, "slider steps"
    assert spec["layout"]["title"]["text"] == "Replay: 0 steps in 1 frame", spec["layout"]["title"]["text"]
    assert spec["layout"]["xaxis"]["range"][1] > 0, "cost x range is empty"


def test_one_step_run() -> None:
    session = tiny_session(1)
    data = replay_data(session)
    spec = figure_json(replay_figure(data))

    np.testing.assert_array_equal(data.frame_steps, [0, 1], err_msg="frame_steps")
    np.testing.assert_array_equal(data.frame_costs, session.cost_series()[1], err_msg="frame_costs")
    assert [frame["name"] for frame in spec["frames"]] == ["0", "1"], "frames"
    assert len(spec["layout"]["sliders"][0]["steps"]) == 2, "slider steps"


def test_diverged_run() -> None:
    # η = 50 on the tiny data overshoots at once, and the trainer stops within a few steps.
    session = tiny_session(100, learning_rate=50.0)
    divergence = session.trainer.divergence
    assert divergence is not None, "the run did not diverge"

    data = replay_data(session)
    figure = replay_figure(data)
    spec = figure_json(figure)
    notes = spec["layout"]["meta"]["notes"]

    assert data.divergence_step == divergence.step, f"divergence_step {data.divergence_step}"
    assert data.frame_steps[-1] == divergence.step, "the replay ends at the last applied step"
    assert any("diverged" in note for note in notes), f"no divergence note in {notes}"
    # The last cost exceeds the trainer's divergence limit, so it is left out and counted.
    assert data.frame_costs[-1] > data.cost_limit or not np.isfinite(data.frame_costs[-1])
    assert any("left out" in note and "cost" in note for note in notes), f"notes {notes}"
    assert spec["frames"][-1]["data"][1]["x"] == [], "the marker of a left-out cost is hidden"
    for axis in ("yaxis", "yaxis2", "yaxis3"):
        high = spec["layout"][axis]["range"][1]
        assert high < 1e12, f"{axis} range reaches {high}: a huge value was not left out"
    assert "Training diverged" in figure.layout.title.subtitle.text, "subtitle"


def test_multi_input_data() -> None:
    session = TrainingSession(load_real_dataset("stackloss"), NetworkSettings(hidden_sizes=(4,)), learning_rate=0.05)
    session.run(50)
    data = replay_data(session)
    spec = figure_json(replay_figure(data))

    assert data.fit_kind == "scatter", f"fit_kind {data.fit_kind}"
    assert data.n_examples == 21, f"n_examples {data.n_examples}"
    np.testing.assert_array_equal(data.fit_x, session.dataset.y[:, 0], err_msg="expected values")
    np.testing.assert_allclose(
        data.frame_predictions[-1],
        session.predict(session.dataset.X)[:, 0],
        rtol=1e-12,
        err_msg="predictions at the last frame",
    )
    assert data.data_x.size == 0, "scatter has no fixed example points"
    assert len(data.parameter_names) == MAX_REPLAY_PARAMETERS, f"{len(data.parameter_names)} parameters"
    layout = spec["layout"]
    assert layout["xaxis2"]["range"] == layout["yaxis2"]["range"], "scatter axes differ"
    assert spec["data"][FIT_FIXED]["name"] == "perfect prediction (y = x)", "y = x line"


def test_many_examples_subset() -> None:
    session = TrainingSession(two_input_dataset(500), NetworkSettings(hidden_sizes=(4,)), learning_rate=0.05)
    session.run(10)
    data = replay_data(session)

    assert data.fit_x.size == 100, f"{data.fit_x.size} examples replayed"
    assert data.fit_x[0] == session.dataset.y[0, 0], "first example"
    assert data.fit_x[-1] == session.dataset.y[-1, 0], "last example"
    assert data.frame_predictions.shape == (data.n_frames, 100), f"shape {data.frame_predictions.shape}"
    notes = replay_figure(data).layout.meta["notes"]
    assert any("100 of 500 examples" in note for note in notes), f"notes {notes}"


def test_no_parameters_chosen() -> None:
    data = replay_data(tiny_session(2), parameters=[])
    spec = figure_json(replay_figure(data))

    assert data.parameter_names == (), "parameter_names"
    assert all(frame["traces"] == [COST_LINE, COST_MARKER, FIT_MOVING] for frame in spec["frames"])
    assert any("No parameter" in note for note in spec["layout"]["meta"]["notes"]), "note"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"height": 100}, "height"),
        ({"height": 560.0}, "height"),
        ({"frame_duration_ms": 0}, "frame_duration_ms"),
        ({"frame_duration_ms": float("nan")}, "frame_duration_ms"),
        ({"frame_duration_ms": "fast"}, "frame_duration_ms"),
    ],
)
def test_replay_figure_rejects(kwargs: dict, parameter: str) -> None:
    data = replay_data(tiny_session(1))
    with pytest.raises(ValueError, match=parameter):
        replay_figure(data, **kwargs)


def test_replay_figure_rejects_other_data() -> None:
    with pytest.raises(ValueError, match="data"):
        replay_figure({"frame_steps": [0]})


def test_replay_data_checks_shapes() -> None:
    data = replay_data(tiny_session(1))
    fields = {name: getattr(data, name) for name in ReplayData.__dataclass_fields__}
    fields["frame_costs"] = np.zeros(5)
    with pytest.raises(ValueError, match="frame_costs"):
        ReplayData(**fields)


# --- size of the figure ----------------------------------------------------------------------


def check_size(figure) -> int:
    size = len(figure.to_json())
    assert size < JSON_LIMIT, f"figure JSON has {size:,} characters, limit {JSON_LIMIT:,}"
    return size


@pytest.mark.parametrize("max_frames", [DEFAULT_MAX_FRAMES, MAX_FRAMES_LIMIT])
def test_json_size_one_input(max_frames: int) -> None:
    # The history keeps at most about a thousand snapshots, so 3,000 steps already give the
    # largest frames. Only the faint cost line grows with the steps, and it is downsampled.
    session = TrainingSession(
        make_regression("sine", 500, 0.1, 0), NetworkSettings(hidden_sizes=(8, 8)), learning_rate=0.05
    )
    session.run(3000)
    figure = replay_figure(replay_data(session, max_frames=max_frames))
    figure_json(figure)
    check_size(figure)


@pytest.mark.parametrize("max_frames", [DEFAULT_MAX_FRAMES, MAX_FRAMES_LIMIT])
def test_json_size_two_inputs(max_frames: int) -> None:
    session = TrainingSession(two_input_dataset(500), NetworkSettings(hidden_sizes=(8, 8)), learning_rate=0.05)
    session.run(3000)
    figure = replay_figure(replay_data(session, max_frames=max_frames))
    figure_json(figure)
    check_size(figure)


@pytest.mark.slow
def test_json_size_100000_steps() -> None:
    # 1-8-8-1 on 500 points for 100,000 steps. Training took about 16 s on a shared 2-core machine.
    session = TrainingSession(
        make_regression("sine", 500, 0.1, 0), NetworkSettings(hidden_sizes=(8, 8)), learning_rate=0.05
    )
    session.run(100_000)
    data = replay_data(session)
    figure = replay_figure(data)
    spec = figure_json(figure)

    check_size(figure)
    assert data.total_steps == 100_000, f"total_steps {data.total_steps}"
    assert data.n_frames == DEFAULT_MAX_FRAMES, f"n_frames {data.n_frames}"
    assert spec["layout"]["title"]["text"] == "Replay: 100,000 steps in 120 frames", spec["layout"]["title"]["text"]
    assert "Replaying 120 frames for 100,000 steps" in data.note, data.note
