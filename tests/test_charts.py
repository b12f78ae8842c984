"""Tests for the chart builders in backprop_core.charts.

Figures are checked through their JSON, which is what reaches the browser. Plotly 6 and
later write NumPy arrays as base64 objects ``{"dtype", "bdata"}``, so ``decode`` turns
those back into arrays before values are compared.
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_core import charts
from backprop_core.charts import (
    cost_figure,
    default_parameters_shown,
    downsample_indices,
    downsample_min_max,
    fit_figure_1d,
    fit_figure_scatter,
    parameter_names,
    weight_trajectory_figure,
)
from figure_checks import decode, figure_json, numbers_in, typed_arrays

MAX_JSON_BYTES = 300_000


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def traces_by_name(spec: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in spec["data"]}


def notes_of(spec: dict) -> list[str]:
    return spec["layout"]["meta"]["notes"]


# ---------------------------------------------------------------------------
# Module boundaries
# ---------------------------------------------------------------------------


def test_charts_imports_only_numpy_and_plotly():
    tree = ast.parse(inspect.getsource(charts))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    assert "streamlit" not in roots, f"charts imports streamlit: {sorted(roots)}"
    assert roots <= {"__future__", "collections", "numpy", "plotly", "textwrap"}, f"unexpected imports {sorted(roots)}"


# ---------------------------------------------------------------------------
# downsample_indices
# ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=1, max_value=200_000), max_points=st.integers(min_value=2, max_value=5000))
def test_downsample_indices_properties(n, max_points):
    indices = downsample_indices(n, max_points)

    assert indices.dtype == np.int64, f"dtype is {indices.dtype}"
    assert indices.size <= max_points, f"{indices.size} indices for max_points={max_points}"
    assert indices.size <= n, f"{indices.size} indices for n={n}"
    assert np.all(np.diff(indices) > 0), "indices are not strictly increasing (sorted and unique)"
    assert indices[0] == 0, f"first index is {indices[0]}"
    assert indices[-1] == n - 1, f"last index is {indices[-1]}, expected {n - 1}"
    assert indices.min() >= 0, "an index is negative"
    assert indices.max() < n, "an index is out of range"


@given(n=st.integers(min_value=0, max_value=3000))
def test_downsample_indices_short_series_kept_whole(n):
    indices = downsample_indices(n, 3000)

    np.testing.assert_array_equal(indices, np.arange(n), err_msg="indices of a short series")


def test_downsample_indices_empty_series():
    indices = downsample_indices(0, 10)

    assert indices.size == 0, f"got {indices}"
    assert indices.dtype == np.int64, f"dtype is {indices.dtype}"


def test_downsample_indices_even_spacing():
    indices = downsample_indices(101, 11)

    np.testing.assert_array_equal(indices, np.arange(0, 101, 10), err_msg="evenly spaced indices")


@pytest.mark.parametrize(
    ("n", "max_points", "fragment"),
    [
        (-1, 10, "n must be at least 0"),
        (10, 1, "max_points must be at least 2"),
        (10.0, 10, "n must be an integer"),
        (10, "5", "max_points must be an integer"),
        (True, 10, "n must be an integer"),
    ],
)
def test_downsample_indices_rejects_bad_arguments(n, max_points, fragment):
    with pytest.raises(ValueError, match=fragment):
        downsample_indices(n, max_points)


# ---------------------------------------------------------------------------
# downsample_min_max
# ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=3000
    ),
    max_points=st.integers(min_value=4, max_value=500),
)
def test_downsample_min_max_properties(values, max_points):
    y = np.array(values, dtype=np.float64)
    x = np.arange(y.size, dtype=np.int64) * 3

    x_kept, y_kept = downsample_min_max(x, y, max_points)

    assert x_kept.size == y_kept.size, "x and y lengths differ"
    assert y_kept.size <= max_points, f"{y_kept.size} points for max_points={max_points}"
    assert np.all(np.diff(x_kept) > 0), "kept points are not in their original order"
    assert x_kept[0] == x[0], "first point dropped"
    assert x_kept[-1] == x[-1], "last point dropped"
    assert y_kept.min() == y.min(), "global minimum dropped"
    assert y_kept.max() == y.max(), "global maximum dropped"
    np.testing.assert_array_equal(y_kept, y[x_kept // 3], err_msg="kept y does not match its x")


def test_downsample_min_max_keeps_a_spike():
    y = np.zeros(100_000)
    y[54_321] = 5.0
    y[77_777] = -3.0

    x_kept, y_kept = downsample_min_max(np.arange(y.size), y, 200)

    assert 54_321 in x_kept, "spike position dropped"
    assert 77_777 in x_kept, "dip position dropped"
    assert y_kept.size <= 200, f"{y_kept.size} points kept"


def test_downsample_min_max_rejects_non_finite():
    with pytest.raises(ValueError, match="y must be finite"):
        downsample_min_max(np.arange(3), np.array([1.0, np.nan, 2.0]), 10)


def test_downsample_min_max_rejects_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        downsample_min_max(np.arange(4), np.zeros(3), 10)


# ---------------------------------------------------------------------------
# parameter_names
# ---------------------------------------------------------------------------


def test_parameter_names_example():
    names = parameter_names([1, 2, 1])

    assert names == ["W1[0,0]", "W1[1,0]", "b1[0]", "b1[1]", "W2[0,0]", "W2[0,1]", "b2[0]"]


def test_parameter_names_match_engine_flat_order():
    # Fill every parameter with its own name, then flatten as the engine does:
    # weights[0].ravel(), biases[0], weights[1].ravel(), biases[1], ...
    layer_sizes = [3, 4, 2]
    weights = []
    biases = []
    for layer, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        weights.append(np.array([[f"W{layer}[{j},{k}]" for k in range(n_in)] for j in range(n_out)]))
        biases.append(np.array([f"b{layer}[{j}]" for j in range(n_out)]))
    flat = np.concatenate([part for w, b in zip(weights, biases) for part in (w.ravel(), b)])

    names = parameter_names(layer_sizes)

    assert len(names) == 3 * 4 + 4 + 4 * 2 + 2, f"{len(names)} names"
    assert names == flat.tolist(), "name order differs from the flattened parameters"


@pytest.mark.parametrize("layer_sizes", [[], [3], [2, 0, 1], [2, -1], [2, 1.5], [2, True]])
def test_parameter_names_rejects_bad_layer_sizes(layer_sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        parameter_names(layer_sizes)


# ---------------------------------------------------------------------------
# cost_figure
# ---------------------------------------------------------------------------


def test_cost_figure_basic_traces_and_axes():
    steps = np.arange(0, 50, 5)
    costs = np.linspace(2.0, 0.1, steps.size)

    spec = figure_json(cost_figure(steps, costs, current_step=45, current_cost=0.1))
    traces = traces_by_name(spec)

    assert set(traces) == {"cost", "now"}, f"traces {sorted(traces)}"
    assert traces["cost"]["type"] == "scatter", f"cost trace type {traces['cost']['type']}"
    np.testing.assert_allclose(decode(traces["cost"]["y"]), costs, err_msg="cost values")
    np.testing.assert_array_equal(decode(traces["cost"]["x"]), steps, err_msg="cost steps")
    assert traces["now"]["x"] == [45], f"now x {traces['now']['x']}"
    assert traces["now"]["y"] == [0.1], f"now y {traces['now']['y']}"
    assert traces["now"]["marker"]["symbol"] == "diamond", "now marker is not distinct"
    assert any(note["text"] == "now" for note in spec["layout"]["annotations"]), "no 'now' label"
    assert spec["layout"]["xaxis"]["title"]["text"] == "step"
    assert spec["layout"]["yaxis"]["title"]["text"] == "cost (mean squared error)"
    assert spec["layout"]["yaxis"]["type"] == "linear"
    assert spec["layout"]["meta"]["chart"] == "cost"
    assert spec["layout"]["title"]["text"], "figure has no title"
    assert spec["layout"]["template"]["layout"]["plot_bgcolor"] == "white", "the light template is missing"


def test_cost_figure_custom_label():
    label = "cost (standardised units)"
    spec = figure_json(cost_figure([0, 1], [1.0, 0.5], current_step=1, current_cost=0.5, cost_label=label))

    assert spec["layout"]["yaxis"]["title"]["text"] == label
    assert label in traces_by_name(spec), "trace not named after cost_label"
    assert spec["layout"]["title"]["text"] == "Cost during training"


def test_cost_figure_no_history():
    spec = figure_json(cost_figure([], [], current_step=0, current_cost=1.25))
    traces = traces_by_name(spec)

    assert list(traces) == ["now"], f"traces {list(traces)}"
    assert traces["now"]["y"] == [1.25], "current cost"


def test_cost_figure_single_point():
    spec = figure_json(cost_figure([0], [1.25], current_step=0, current_cost=1.25))
    traces = traces_by_name(spec)

    assert set(traces) == {"cost", "now"}, f"traces {sorted(traces)}"
    assert "markers" in traces["cost"]["mode"], "a single point needs a marker to be visible"
    np.testing.assert_allclose(decode(traces["cost"]["y"]), [1.25], err_msg="single cost")


def test_cost_figure_drops_non_finite():
    costs = np.array([1.0, 0.5, np.nan, 0.25, np.inf, -np.inf])
    steps = np.arange(costs.size)

    spec = figure_json(cost_figure(steps, costs, current_step=5, current_cost=np.nan))
    traces = traces_by_name(spec)

    np.testing.assert_allclose(decode(traces["cost"]["y"]), [1.0, 0.5, 0.25], err_msg="finite costs")
    np.testing.assert_array_equal(decode(traces["cost"]["x"]), [0, 1, 3], err_msg="finite steps")
    assert "now" not in traces, "non-finite current cost was drawn"
    assert any("3 non-finite values" in note for note in notes_of(spec)), notes_of(spec)
    assert any("not finite" in note for note in notes_of(spec)), notes_of(spec)


def test_cost_figure_log_scale_drops_non_positive():
    costs = np.array([1.0, 0.0, 0.1, -0.5, 0.01])
    steps = np.arange(costs.size)

    spec = figure_json(cost_figure(steps, costs, current_step=4, current_cost=0.01, log_scale=True))
    traces = traces_by_name(spec)
    shown = decode(traces["cost"]["y"])

    assert spec["layout"]["yaxis"]["type"] == "log"
    assert np.all(shown > 0), f"non-positive cost on log scale: {shown}"
    np.testing.assert_allclose(shown, [1.0, 0.1, 0.01], err_msg="positive costs")
    assert any("2 zero or negative values" in note for note in notes_of(spec)), notes_of(spec)
    now_label = next(note for note in spec["layout"]["annotations"] if note["text"] == "now")
    np.testing.assert_allclose(now_label["y"], -2.0, err_msg="'now' label y in log10 units")


def test_cost_figure_log_scale_non_positive_current():
    spec = figure_json(cost_figure([0, 1], [1.0, 0.5], current_step=1, current_cost=0.0, log_scale=True))

    assert "now" not in traces_by_name(spec), "zero current cost drawn on log scale"
    assert any("zero or negative" in note for note in notes_of(spec)), notes_of(spec)


def test_cost_figure_divergence_line():
    steps = np.arange(20)
    costs = np.concatenate([np.linspace(1, 0.5, 15), [10.0, 1e3, 1e6, np.inf, np.nan]])

    spec = figure_json(cost_figure(steps, costs, current_step=19, current_cost=np.inf, divergence_step=18))
    shapes = spec["layout"]["shapes"]
    subtitle = spec["layout"]["title"]["subtitle"]["text"]

    assert len(shapes) == 1, f"{len(shapes)} shapes"
    assert shapes[0]["x0"] == 18, f"line at x={shapes[0]['x0']}"
    assert shapes[0]["x1"] == 18, "line is not vertical"
    assert shapes[0]["line"]["dash"] == "dash", "line is not dashed"
    assert "training stopped: diverged after step 18" in subtitle.replace("<br>", " "), subtitle
    x_range = spec["layout"]["xaxis"]["range"]
    assert x_range[0] < 18 < x_range[1], f"divergence step outside x range {x_range}"


def test_cost_figure_no_divergence_line_by_default():
    spec = figure_json(cost_figure([0, 1], [1.0, 0.5], current_step=1, current_cost=0.5))

    assert not spec["layout"].get("shapes"), "unexpected shape"
    texts = [note["text"] for note in spec["layout"].get("annotations", [])]
    assert "training stopped: diverged" not in texts, texts


def test_cost_figure_long_history_small_json():
    n = 1_000_000
    steps = np.arange(n)
    rng = np.random.default_rng(7)
    costs = 0.1 + np.exp(-steps / 2e5) + 0.01 * rng.random(n)

    figure = cost_figure(steps, costs, current_step=n, current_cost=0.1, divergence_step=n - 1)
    raw_size = len(figure.to_json())
    spec = figure_json(figure)
    trace = traces_by_name(spec)["cost"]
    shown_x = decode(trace["x"])
    shown_y = decode(trace["y"])

    assert raw_size < MAX_JSON_BYTES, f"figure JSON is {raw_size} bytes"
    assert shown_x.size <= 2000, f"{shown_x.size} points drawn"
    assert shown_x[0] == 0, "first point dropped"
    assert shown_x[-1] == n - 1, "last point dropped"
    np.testing.assert_allclose(shown_y.max(), costs.max(), err_msg="maximum cost")
    np.testing.assert_allclose(shown_y.min(), costs.min(), err_msg="minimum cost")
    assert trace["type"] == "scatter", "2,000 points do not need WebGL"
    assert any("Showing 2,000 of 1,000,000" in note for note in notes_of(spec)), notes_of(spec)


def test_cost_figure_scattergl_above_threshold():
    n = charts.SCATTERGL_MIN_POINTS + 1
    figure = cost_figure(np.arange(n), np.ones(n), current_step=n, current_cost=1.0, max_points=n)

    assert figure.data[0].type == "scattergl", f"trace type {figure.data[0].type}"


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"steps": [0, 1], "costs": [1.0]}, "same length"),
        ({"steps": [0, 1.5], "costs": [1.0, 1.0]}, "whole, non-negative"),
        ({"steps": [0, -1], "costs": [1.0, 1.0]}, "whole, non-negative"),
        ({"steps": [3, 1], "costs": [1.0, 1.0]}, "non-decreasing"),
        ({"steps": [[0, 1]], "costs": [[1.0, 1.0]]}, "must be 1-D"),
        ({"steps": [0], "costs": ["abc"]}, "must contain numbers"),
        ({"current_step": -1}, "current_step must be at least 0"),
        ({"current_cost": "0.5"}, "current_cost must be a number"),
        ({"divergence_step": 2.5}, "divergence_step must be an integer"),
    ],
)
def test_cost_figure_rejects_bad_arguments(arguments, fragment):
    call = {"steps": [0, 1], "costs": [1.0, 0.5], "current_step": 1, "current_cost": 0.5}
    call.update(arguments)
    steps = call.pop("steps")
    costs = call.pop("costs")

    with pytest.raises(ValueError, match=fragment):
        cost_figure(steps, costs, **call)


# ---------------------------------------------------------------------------
# fit_figure_1d
# ---------------------------------------------------------------------------


def make_fit_data(n: int = 12):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, n)
    y_expected = 3 * x + rng.normal(0, 0.5, n)
    y_predicted = 2.5 * x
    curve_x = np.linspace(-2, 2, 200)
    return x, y_expected, y_predicted, curve_x, 2.5 * curve_x


def test_fit_figure_1d_traces():
    x, y_expected, y_predicted, curve_x, curve_y = make_fit_data()

    spec = figure_json(fit_figure_1d(x, y_expected, y_predicted, curve_x, curve_y, x_label="x (m)", y_label="y (s)"))
    traces = traces_by_name(spec)

    assert list(traces) == ["prediction error", "prediction curve", "expected", "predicted"]
    np.testing.assert_allclose(decode(traces["expected"]["y"]), y_expected, err_msg="expected markers")
    np.testing.assert_allclose(decode(traces["predicted"]["y"]), y_predicted, err_msg="predicted markers")
    assert traces["expected"]["marker"]["symbol"] != traces["predicted"]["marker"]["symbol"], "same marker shape"
    assert traces["expected"]["marker"]["color"] != traces["predicted"]["marker"]["color"], "same marker colour"
    np.testing.assert_allclose(decode(traces["prediction curve"]["y"]), curve_y, err_msg="curve")
    assert spec["layout"]["xaxis"]["title"]["text"] == "x (m)"
    assert spec["layout"]["yaxis"]["title"]["text"] == "y (s)"


def test_fit_figure_1d_residual_segments():
    x, y_expected, y_predicted, curve_x, curve_y = make_fit_data(12)

    spec = figure_json(fit_figure_1d(x, y_expected, y_predicted, curve_x, curve_y, x_label="x", y_label="y"))
    residuals = traces_by_name(spec)["prediction error"]
    segment_x = residuals["x"]
    segment_y = residuals["y"]

    assert len(segment_x) == 3 * 12, f"{len(segment_x)} residual x entries"
    assert segment_x[2::3] == [None] * 12, "segments are not separated by None"
    assert segment_y[2::3] == [None] * 12, "segments are not separated by None"
    np.testing.assert_allclose(segment_x[0::3], x, err_msg="segment start x")
    np.testing.assert_allclose(segment_x[1::3], x, err_msg="segment end x (vertical)")
    np.testing.assert_allclose(segment_y[0::3], y_expected, err_msg="segment start y")
    np.testing.assert_allclose(segment_y[1::3], y_predicted, err_msg="segment end y")
    assert spec["layout"]["meta"]["residual_segments"] == 12


def test_fit_figure_1d_drops_non_finite():
    x, y_expected, y_predicted, curve_x, curve_y = make_fit_data(6)
    y_predicted[1] = np.nan
    y_expected[4] = np.inf
    curve_y = curve_y.copy()
    curve_y[10] = np.nan

    spec = figure_json(fit_figure_1d(x, y_expected, y_predicted, curve_x, curve_y, x_label="x", y_label="y"))
    traces = traces_by_name(spec)

    assert len(traces["prediction error"]["x"]) == 3 * 4, "segments with a non-finite end kept"
    assert decode(traces["expected"]["y"]).size == 5, "expected markers"
    assert decode(traces["predicted"]["y"]).size == 5, "predicted markers"
    assert decode(traces["prediction curve"]["y"]).size == 199, "curve points"
    assert any("2 examples" in note for note in notes_of(spec)), notes_of(spec)
    assert any("1 curve point" in note for note in notes_of(spec)), notes_of(spec)


def test_fit_figure_1d_sorts_curve_and_accepts_columns():
    x, y_expected, y_predicted, curve_x, curve_y = make_fit_data(5)
    order = np.random.default_rng(0).permutation(curve_x.size)

    spec = figure_json(
        fit_figure_1d(
            x[:, None], y_expected[:, None], y_predicted[:, None], curve_x[order], curve_y[order],
            x_label="x", y_label="y",
        )
    )
    curve = traces_by_name(spec)["prediction curve"]

    np.testing.assert_allclose(decode(curve["x"]), curve_x, err_msg="curve x sorted")
    np.testing.assert_allclose(decode(curve["y"]), curve_y, err_msg="curve y follows x")


def test_fit_figure_1d_many_examples_small_json():
    n = 100_000
    x = np.linspace(0, 1, n)
    figure = fit_figure_1d(x, x, x + 0.1, x[::500], x[::500] + 0.1, x_label="x", y_label="y")
    raw_size = len(figure.to_json())
    spec = figure_json(figure)

    assert raw_size < MAX_JSON_BYTES, f"figure JSON is {raw_size} bytes"
    assert any("Showing 1,000 of 100,000 examples" in note for note in notes_of(spec)), notes_of(spec)


def test_fit_figure_1d_rejects_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        fit_figure_1d([0, 1], [0, 1, 2], [0, 1], [0, 1], [0, 1], x_label="x", y_label="y")


def test_fit_figure_1d_rejects_several_outputs():
    with pytest.raises(ValueError, match="one output column"):
        fit_figure_1d([0, 1], np.zeros((2, 2)), [0, 1], [0, 1], [0, 1], x_label="x", y_label="y")


# ---------------------------------------------------------------------------
# fit_figure_scatter
# ---------------------------------------------------------------------------


def test_fit_figure_scatter_traces_and_ranges():
    y_expected = np.array([1.0, 2.0, 3.0, 10.0])
    y_predicted = np.array([-2.0, 2.5, 2.0, 8.0])

    spec = figure_json(fit_figure_scatter(y_expected, y_predicted, target_label="price (k€)"))
    traces = traces_by_name(spec)
    identity = traces["perfect prediction (y = x)"]
    x_range = spec["layout"]["xaxis"]["range"]
    y_range = spec["layout"]["yaxis"]["range"]

    np.testing.assert_allclose(decode(traces["examples"]["x"]), y_expected, err_msg="expected on x")
    np.testing.assert_allclose(decode(traces["examples"]["y"]), y_predicted, err_msg="predicted on y")
    np.testing.assert_allclose(identity["x"], identity["y"], err_msg="identity line is y = x")
    assert identity["x"][0] <= -2.0, f"identity line starts at {identity['x'][0]}"
    assert identity["x"][1] >= 10.0, f"identity line ends at {identity['x'][1]}"
    np.testing.assert_allclose(x_range, y_range, err_msg="axis ranges")
    assert x_range[0] <= -2.0, f"x range {x_range}"
    assert x_range[1] >= 10.0, f"x range {x_range}"
    assert spec["layout"]["xaxis"]["title"]["text"] == "expected price (k€)"
    assert spec["layout"]["yaxis"]["title"]["text"] == "predicted price (k€)"


def test_fit_figure_scatter_constant_values():
    spec = figure_json(fit_figure_scatter([2.0, 2.0], [2.0, 2.0], target_label="y"))
    x_range = spec["layout"]["xaxis"]["range"]

    assert x_range[0] < 2.0 < x_range[1], f"range {x_range} has no width around the value"


def test_fit_figure_scatter_drops_non_finite():
    spec = figure_json(fit_figure_scatter([1.0, 2.0, np.nan, 4.0], [1.0, np.inf, 3.0, 4.5], target_label="y"))

    assert decode(traces_by_name(spec)["examples"]["x"]).size == 2, "examples drawn"
    assert any("2 examples" in note for note in notes_of(spec)), notes_of(spec)


def test_fit_figure_scatter_nothing_finite():
    spec = figure_json(fit_figure_scatter([np.nan], [np.nan], target_label="y"))

    assert spec["data"] == [], f"traces {spec['data']}"
    assert any("Nothing to draw" in note for note in notes_of(spec)), notes_of(spec)


# ---------------------------------------------------------------------------
# weight_trajectory_figure
# ---------------------------------------------------------------------------


def make_trajectories(m: int, layer_sizes: list[int]):
    names = parameter_names(layer_sizes)
    rng = np.random.default_rng(11)
    values = rng.standard_normal((m, len(names))).cumsum(axis=0) * 0.01
    return np.arange(m), values, names


def test_weight_trajectory_all_parameters():
    steps, values, names = make_trajectories(50, [1, 2, 1])

    spec = figure_json(weight_trajectory_figure(steps, values, names))

    assert [trace["name"] for trace in spec["data"]] == names, "trace order differs from names"
    for column, trace in enumerate(spec["data"]):
        np.testing.assert_allclose(decode(trace["y"]), values[:, column], err_msg=trace["name"])
        assert "%{fullData.name}" in trace["hovertemplate"], "hover does not show the name"
        assert "step" in trace["hovertemplate"], "hover does not show the step"
    assert spec["layout"]["showlegend"] is True, "legend hidden for 7 lines"


def test_weight_trajectory_selection_follows_names_order():
    steps, values, names = make_trajectories(50, [2, 3, 1])
    selected = ["b2[0]", "W1[0,1]", "b1[2]"]

    spec = figure_json(weight_trajectory_figure(steps, values, names, selected=selected))

    assert len(spec["data"]) == len(selected), f"{len(spec['data'])} traces"
    assert [trace["name"] for trace in spec["data"]] == ["W1[0,1]", "b1[2]", "b2[0]"]
    np.testing.assert_allclose(
        decode(spec["data"][2]["y"]), values[:, names.index("b2[0]")], err_msg="b2[0] values"
    )


def test_weight_trajectory_many_parameters_hide_legend():
    steps, values, names = make_trajectories(20, [4, 8, 1])

    spec = figure_json(weight_trajectory_figure(steps, values, names))

    assert len(spec["data"]) == len(names), f"{len(spec['data'])} traces"
    assert spec["layout"]["showlegend"] is False, "legend shown for many lines"
    assert any("Select 30 or fewer" in note for note in notes_of(spec)), notes_of(spec)


def test_weight_trajectory_empty_selection():
    steps, values, names = make_trajectories(10, [1, 1])

    spec = figure_json(weight_trajectory_figure(steps, values, names, selected=[]))

    assert spec["data"] == [], "traces drawn for an empty selection"
    assert any("No parameter selected" in note for note in notes_of(spec)), notes_of(spec)


def test_weight_trajectory_drops_non_finite():
    steps, values, names = make_trajectories(10, [1, 1])
    values[3, 0] = np.nan
    values[9, 1] = -np.inf

    spec = figure_json(weight_trajectory_figure(steps, values, names))
    by_name = traces_by_name(spec)

    assert decode(by_name["W1[0,0]"]["y"]).size == 9, "W1[0,0] points"
    assert decode(by_name["b1[0]"]["y"]).size == 9, "b1[0] points"
    assert any("2 non-finite values" in note for note in notes_of(spec)), notes_of(spec)


def test_weight_trajectory_long_history_small_json():
    m, p = 100_000, 100
    rng = np.random.default_rng(5)
    values = rng.standard_normal((m, p)).cumsum(axis=0)
    names = [f"W1[{j},0]" for j in range(p)]

    figure = weight_trajectory_figure(np.arange(m), values, names)
    raw_size = len(figure.to_json())
    spec = figure_json(figure)
    first = decode(spec["data"][0]["x"])

    assert raw_size < MAX_JSON_BYTES, f"figure JSON is {raw_size} bytes"
    assert len(spec["data"]) == p, f"{len(spec['data'])} traces"
    assert first[0] == 0, "first step dropped"
    assert first[-1] == m - 1, "last step dropped"


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"selected": ["W9[0,0]"]}, "not in names"),
        ({"names": ["a", "a", "b"]}, "names must be unique"),
        ({"names": ["a", "b"]}, r"values must have shape \(len\(steps\), len\(names\)\)"),
        ({"values": np.zeros(4)}, r"values must have shape \(m, p\)"),
        ({"steps": [0, 1, 1, 0]}, "non-decreasing"),
    ],
)
def test_weight_trajectory_rejects_bad_arguments(arguments, fragment):
    call = {"steps": np.arange(4), "values": np.zeros((4, 3)), "names": ["W1[0,0]", "b1[0]", "W2[0,0]"]}
    call.update(arguments)

    with pytest.raises(ValueError, match=fragment):
        weight_trajectory_figure(call.pop("steps"), call.pop("values"), call.pop("names"), **call)


# ---------------------------------------------------------------------------
# Shared layout
# ---------------------------------------------------------------------------


def test_every_figure_has_title_meta_and_readable_layout():
    x, y_expected, y_predicted, curve_x, curve_y = make_fit_data()
    steps, values, names = make_trajectories(30, [1, 2, 1])
    figures = {
        "cost": cost_figure([0, 1], [1.0, 0.5], current_step=1, current_cost=0.5),
        "fit_1d": fit_figure_1d(x, y_expected, y_predicted, curve_x, curve_y, x_label="x", y_label="y"),
        "fit_scatter": fit_figure_scatter(y_expected, y_predicted, target_label="y"),
        "weight_trajectory": weight_trajectory_figure(steps, values, names),
    }

    for chart, figure in figures.items():
        layout = figure_json(figure)["layout"]
        assert layout["meta"]["chart"] == chart, f"{chart}: meta {layout['meta']}"
        assert layout["title"]["text"], f"{chart}: no title"
        assert layout["font"]["size"] >= 14, f"{chart}: font size {layout['font']['size']}"
        assert 380 <= layout["height"] <= 420, f"{chart}: height {layout['height']}"
        assert layout["xaxis"]["title"]["text"], f"{chart}: no x-axis title"
        assert layout["yaxis"]["title"]["text"], f"{chart}: no y-axis title"


@pytest.mark.parametrize(
    "y",
    [[1.0, float("nan")], [1.0, float("inf")], np.array([1.0, np.nan]), np.array([np.inf, 1.0])],
    ids=["list-nan", "list-inf", "array-nan", "array-inf"],
)
def test_figure_json_helper_catches_non_finite(y):
    # The checks above are only as good as this helper, so make sure it can fail.
    figure = go.Figure(go.Scatter(x=[0, 1], y=y))

    with pytest.raises(AssertionError, match="NaN|Infinity|non-finite"):
        figure_json(figure)


def test_gradient_norms_figure_drops_zeros():
    from backprop_core.charts import gradient_norms_figure

    norms = np.array([[1.0, 0.1], [0.5, 0.0], [0.2, np.nan], [0.1, 0.02]])
    spec = figure_json(gradient_norms_figure(np.arange(1, 5), norms))
    traces = traces_by_name(spec)

    assert list(traces) == ["layer 1", "layer 2"], f"traces {list(traces)}"
    assert spec["layout"]["yaxis"]["type"] == "log"
    assert "2 steps with a zero or non-finite gradient" in spec["layout"]["title"]["subtitle"]["text"]


def test_gradient_norms_figure_rejects_wrong_shape():
    from backprop_core.charts import gradient_norms_figure

    with pytest.raises(ValueError, match="n_steps"):
        gradient_norms_figure(np.arange(3), np.ones((4, 2)))


def test_default_parameters_shown():
    small = parameter_names((1, 3, 1))
    assert default_parameters_shown(small) == small, "10 parameters are all drawn"
    large = parameter_names((2, 8, 8, 1))
    shown = default_parameters_shown(large)
    # Three weights and one bias in each of the three layers.
    assert shown == [
        "W1[0,0]", "W1[0,1]", "W1[1,0]", "b1[0]",
        "W2[0,0]", "W2[0,1]", "W2[0,2]", "b2[0]",
        "W3[0,0]", "W3[0,1]", "W3[0,2]", "b3[0]",
    ]
