"""Tests for the figure builders in backprop_core.landscape_charts.

Every figure is checked through its JSON, the form the browser receives. Plotly 6 and later
write NumPy arrays as base64 objects ``{"dtype", "bdata"}``, which ``decode`` turns back into
arrays, so the finite-number check covers those arrays as well as plain numbers.
"""

from __future__ import annotations

import ast
import inspect
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_core import landscape_charts
from backprop_core.landscape_charts import (
    MAX_PATH_POINTS,
    comparison_figure,
    contour_figure,
    fits_figure,
    slice_figure,
    sweep_figure,
)
from figure_checks import decode
from figure_checks import figure_json as spec_of

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def traces(spec: dict) -> dict[str, dict]:
    return {trace.get("name"): trace for trace in spec["data"] if trace.get("name")}


def notes(spec: dict) -> list[str]:
    return spec["layout"]["meta"]["notes"]


def annotation_texts(spec: dict) -> list[str]:
    return [annotation.get("text", "") for annotation in spec["layout"].get("annotations", [])]


def parabola_slice(learning_rate: float = 0.25, current: float = 1.5) -> dict:
    """Arguments of slice_figure for C(w) = w² + 1, where ∂C/∂w = 2w."""
    values = np.linspace(-2.0, 2.0, 81)
    gradient = 2 * current
    landing = current - learning_rate * gradient
    return {
        "values": values,
        "costs": values**2 + 1,
        "parameter_name": "W1[0,0]",
        "current_value": current,
        "current_cost": current**2 + 1,
        "gradient": gradient,
        "learning_rate": learning_rate,
        "landing_value": landing,
        "landing_cost": landing**2 + 1,
    }


def bowl_grid() -> dict:
    """Arguments of contour_figure for C(a, b) = a² + 4 b² + 0.5."""
    first = np.linspace(-2.0, 2.0, 41)
    second = np.linspace(-1.5, 1.5, 31)
    grid = first[np.newaxis, :] ** 2 + 4 * second[:, np.newaxis] ** 2 + 0.5
    return {
        "first_values": first,
        "second_values": second,
        "grid_costs": grid,
        "first_name": "W1[0,0]",
        "second_name": "b1[0]",
        "current": [1.0, 0.5],
        "gradient": [2.0, 4.0],
    }


def run(rate: float, n: int, diverged_at: int | None = None) -> dict:
    steps = np.arange(n)
    return {
        "learning_rate": rate,
        "steps": steps,
        "costs": 2.0 * np.exp(-rate * steps) + 0.1,
        "diverged_at": diverged_at,
    }


# ---------------------------------------------------------------------------
# Module boundaries
# ---------------------------------------------------------------------------


def test_module_imports_no_streamlit():
    tree = ast.parse(inspect.getsource(landscape_charts))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add((node.module or "").split(".")[0])
    assert "streamlit" not in roots, f"imports streamlit: {sorted(roots)}"
    assert roots <= {"__future__", "collections", "math", "numpy", "plotly"}, f"unexpected imports {sorted(roots)}"


# ---------------------------------------------------------------------------
# Log-axis ticks
# ---------------------------------------------------------------------------


@given(
    low=st.floats(min_value=-12, max_value=12),
    width=st.floats(min_value=1e-3, max_value=20),
)
def test_log_ticks_inside_range(low, width):
    high = low + width
    values, labels = landscape_charts._log_ticks(low, high)
    assert 2 <= len(values) <= 6, f"{len(values)} ticks for [{low}, {high}]"
    assert len(labels) == len(values), "one label per tick"
    logs = np.log10(values)
    assert np.all(logs >= low - 1e-9), f"tick below the range: {values}"
    assert np.all(logs <= high + 1e-9), f"tick above the range: {values}"
    assert np.all(np.diff(logs) > 0), f"ticks not increasing: {values}"


def test_format_tick_short_forms():
    assert landscape_charts._format_tick(1000.0) == "1000"
    assert landscape_charts._format_tick(1e5) == "1e5"
    assert landscape_charts._format_tick(2e-4) == "2e-4"
    assert landscape_charts._format_tick(0.05) == "0.05"


# ---------------------------------------------------------------------------
# slice_figure
# ---------------------------------------------------------------------------


def test_slice_traces_and_arrow():
    spec = spec_of(slice_figure(**parabola_slice()))
    names = traces(spec)
    assert "cost" in names, f"traces {list(names)}"
    assert "now" in names, f"traces {list(names)}"
    assert "slope ∂C/∂W1[0,0] = 3" in names, f"traces {list(names)}"
    assert "after one step (η = 0.25)" in names, f"traces {list(names)}"
    arrows = [a for a in spec["layout"]["annotations"] if a.get("showarrow") and a.get("axref") == "x"]
    assert len(arrows) == 1, "one arrow from now to the landing point"
    np.testing.assert_allclose([arrows[0]["ax"], arrows[0]["ay"]], [1.5, 3.25], err_msg="arrow tail")
    np.testing.assert_allclose([arrows[0]["x"], arrows[0]["y"]], [0.75, 1.5625], err_msg="arrow head")
    assert spec["layout"]["xaxis"]["title"]["text"] == "W1[0,0]"
    assert spec["layout"]["yaxis"]["title"]["text"] == "cost"


def test_slice_tangent_has_gradient_slope():
    spec = spec_of(slice_figure(**parabola_slice()))
    tangent = traces(spec)["slope ∂C/∂W1[0,0] = 3"]
    x = decode(tangent["x"]).astype(float)
    y = decode(tangent["y"]).astype(float)
    np.testing.assert_allclose((y[1] - y[0]) / (x[1] - x[0]), 3.0, err_msg="tangent slope")
    np.testing.assert_allclose(x.mean(), 1.5, err_msg="tangent centre")
    # ±15 % of the 4-unit x span.
    np.testing.assert_allclose(x[1] - x[0], 2 * 0.15 * 4.0, err_msg="tangent span")


def test_slice_formula_note():
    spec = spec_of(slice_figure(**parabola_slice()))
    assert notes(spec)[0] == "One step: W1[0,0] ← 1.5 − 0.25 × 3 = 0.75.", notes(spec)


def test_slice_ranges_fixed_to_data():
    spec = spec_of(slice_figure(**parabola_slice()))
    x_range = spec["layout"]["xaxis"]["range"]
    y_range = spec["layout"]["yaxis"]["range"]
    assert x_range[0] < -2.0, f"x range {x_range} cuts the left end of the curve"
    assert x_range[1] > 2.0, f"x range {x_range} cuts the right end of the curve"
    assert y_range[0] < 1.0, f"y range {y_range} cuts the minimum of the curve"
    assert y_range[1] > 5.0, f"y range {y_range} cuts the maximum of the curve"


def test_slice_landing_above_chart_clipped():
    arguments = parabola_slice(learning_rate=3.0, current=1.5)
    arguments["values"] = np.linspace(-1.0, 2.0, 31)
    arguments["costs"] = arguments["values"] ** 2 + 1
    # Landing at 1.5 − 3·3 = −7.5, cost 57.25, far above the curve's maximum of 5.
    spec = spec_of(slice_figure(**arguments))
    y_range = spec["layout"]["yaxis"]["range"]
    assert y_range[1] < 10, f"y range {y_range} was stretched to the landing cost"
    assert any("Landing point above the chart" in note for note in notes(spec)), notes(spec)
    landing = traces(spec)["after one step (η = 3)"]
    assert landing["marker"]["symbol"] == "triangle-up"
    np.testing.assert_allclose(decode(landing["y"]).astype(float), [y_range[1]], err_msg="landing y")
    assert spec["layout"]["meta"]["landing_clipped"] is True


def test_slice_drops_non_finite_points():
    arguments = parabola_slice()
    arguments["costs"] = arguments["costs"].copy()
    arguments["costs"][[3, 7]] = [np.nan, np.inf]
    spec = spec_of(slice_figure(**arguments))
    assert decode(traces(spec)["cost"]["x"]).size == 79, "two points dropped"
    assert "2 points with non-finite cost not shown." in notes(spec), notes(spec)


def test_slice_non_finite_landing_hidden():
    arguments = parabola_slice()
    arguments["landing_cost"] = math.inf
    spec = spec_of(slice_figure(**arguments))
    assert not any(name.startswith("after one step") for name in traces(spec)), list(traces(spec))
    assert any("non-finite value" in note for note in notes(spec)), notes(spec)


def test_slice_non_finite_gradient_hides_tangent():
    arguments = parabola_slice()
    arguments["gradient"] = math.nan
    spec = spec_of(slice_figure(**arguments))
    assert not any(name.startswith("slope") for name in traces(spec)), list(traces(spec))
    assert any("gradient is not finite" in note for note in notes(spec)), notes(spec)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate must be greater than 0"),
        ({"learning_rate": math.nan}, "learning_rate must be finite"),
        ({"current_value": math.inf}, "current_value must be finite"),
        ({"costs": np.ones(5)}, "values, costs must have the same length"),
        ({"parameter_name": ""}, "parameter_name must be a non-empty string"),
        ({"gradient": "1"}, "gradient must be a number"),
    ],
)
def test_slice_rejects_bad_arguments(change, message):
    arguments = {**parabola_slice(), **change}
    with pytest.raises(ValueError, match=re.escape(message)):
        slice_figure(**arguments)


# ---------------------------------------------------------------------------
# contour_figure
# ---------------------------------------------------------------------------


def test_contour_log_colour():
    arguments = bowl_grid()
    spec = spec_of(contour_figure(**arguments, log_colour=True))
    contour = spec["data"][0]
    assert contour["type"] == "contour"
    np.testing.assert_allclose(
        decode(contour["z"]).astype(float), np.log10(arguments["grid_costs"]), err_msg="z = log10(cost)"
    )
    assert "log" in contour["colorbar"]["title"]["text"], contour["colorbar"]["title"]
    assert contour["colorscale"][0][1] == "#440154", "Viridis starts dark purple"
    assert spec["layout"]["meta"]["log_colour"] is True


def test_contour_linear_colour():
    arguments = bowl_grid()
    spec = spec_of(contour_figure(**arguments, log_colour=False))
    contour = spec["data"][0]
    np.testing.assert_allclose(decode(contour["z"]).astype(float), arguments["grid_costs"], err_msg="z = cost")
    assert contour["colorbar"]["title"]["text"] == "cost"


def test_contour_zero_cost_floored_on_log():
    arguments = bowl_grid()
    arguments["grid_costs"] = arguments["grid_costs"] - 0.5
    spec = spec_of(contour_figure(**arguments, log_colour=True))
    assert any("cost 0 coloured as the smallest positive" in note for note in notes(spec)), notes(spec)


def test_contour_non_finite_cells_blank():
    arguments = bowl_grid()
    arguments["grid_costs"] = arguments["grid_costs"].copy()
    arguments["grid_costs"][0, 0] = np.nan
    arguments["grid_costs"][2, 5] = np.inf
    spec = spec_of(contour_figure(**arguments))
    z = spec["data"][0]["z"]
    assert z[0][0] is None, "NaN cell becomes null"
    assert z[2][5] is None, "inf cell becomes null"
    assert "2 grid cells with non-finite cost left blank." in notes(spec), notes(spec)


def test_contour_arrow_points_downhill():
    arguments = bowl_grid()
    spec = spec_of(contour_figure(**arguments))
    arrows = [a for a in spec["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == 1, "one gradient arrow"
    arrow = arrows[0]
    tail = np.array([arrow["ax"], arrow["ay"]])
    vector = np.array([arrow["x"], arrow["y"]]) - tail
    np.testing.assert_allclose(tail, [1.0, 0.5], err_msg="arrow starts at the current point")
    direction = -np.array([2.0, 4.0]) / np.hypot(2.0, 4.0)
    np.testing.assert_allclose(vector / np.linalg.norm(vector), direction, err_msg="arrow direction")
    # 15 % of the smaller span, 3.0.
    np.testing.assert_allclose(np.linalg.norm(vector), 0.45, err_msg="arrow length")


def test_contour_arrow_shortened_at_edge():
    arguments = {**bowl_grid(), "current": [1.9, 0.0], "gradient": [-1.0, 0.0]}
    spec = spec_of(contour_figure(**arguments))
    arrow = next(a for a in spec["layout"]["annotations"] if a.get("showarrow"))
    np.testing.assert_allclose(arrow["x"], 2.0, err_msg="arrow tip stops at the right edge")


def test_contour_zero_gradient_no_arrow():
    spec = spec_of(contour_figure(**{**bowl_grid(), "gradient": [0.0, 0.0]}))
    assert not any(a.get("showarrow") for a in spec["layout"]["annotations"]), "no arrow"
    assert any("gradient is zero" in note for note in notes(spec)), notes(spec)


def test_contour_path_downsampled():
    t = np.linspace(0, 1, 5001)
    path = np.column_stack([1.8 - 1.8 * t, 1.2 - 1.2 * t])
    spec = spec_of(contour_figure(**bowl_grid(), path=path))
    line = traces(spec)["training path"]
    x = decode(line["x"]).astype(float)
    y = decode(line["y"]).astype(float)
    assert x.size <= MAX_PATH_POINTS, f"{x.size} path points drawn"
    np.testing.assert_allclose([x[0], y[0]], path[0], err_msg="path keeps its first point")
    np.testing.assert_allclose([x[-1], y[-1]], path[-1], err_msg="path keeps its last point")
    assert any("500 of 5,001 points" in note for note in notes(spec)), notes(spec)
    assert "start" in traces(spec), list(traces(spec))


def test_contour_path_non_finite_rows_dropped():
    path = np.array([[0.0, 0.0], [np.nan, 0.1], [0.2, 0.2]])
    spec = spec_of(contour_figure(**bowl_grid(), path=path))
    assert decode(traces(spec)["training path"]["x"]).size == 2
    assert "1 path point with non-finite values not shown." in notes(spec), notes(spec)


def test_contour_axes_fixed_and_equal():
    spec = spec_of(contour_figure(**bowl_grid()))
    assert spec["layout"]["xaxis"]["range"] == [-2.0, 2.0]
    assert spec["layout"]["yaxis"]["range"] == [-1.5, 1.5]
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"
    assert spec["layout"]["xaxis"]["title"]["text"] == "W1[0,0]"
    assert spec["layout"]["yaxis"]["title"]["text"] == "b1[0]"


def test_contour_unequal_spans_not_anchored():
    arguments = bowl_grid()
    arguments["second_values"] = np.linspace(-0.1, 0.1, 31)
    spec = spec_of(contour_figure(**arguments))
    assert "scaleanchor" not in spec["layout"]["yaxis"]
    assert spec["layout"]["meta"]["equal_aspect"] is False


def test_contour_current_outside_grid():
    spec = spec_of(contour_figure(**{**bowl_grid(), "current": [5.0, 0.0]}))
    assert "now" not in traces(spec), list(traces(spec))
    assert any("outside the grid" in note for note in notes(spec)), notes(spec)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"grid_costs": np.ones((41, 31))}, "grid_costs must have shape"),
        ({"first_values": np.linspace(2, -2, 41)}, "first_values must be strictly increasing"),
        ({"current": [np.nan, 0.0]}, "current must be finite"),
        ({"gradient": [1.0]}, "gradient must have shape (2,)"),
        ({"path": np.zeros((4, 3))}, "path must have shape (m, 2)"),
    ],
)
def test_contour_rejects_bad_arguments(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        contour_figure(**{**bowl_grid(), **change})


# ---------------------------------------------------------------------------
# comparison_figure
# ---------------------------------------------------------------------------


def test_comparison_one_curve_per_rate():
    spec = spec_of(comparison_figure([run(0.05, 100), run(0.5, 100)]))
    names = traces(spec)
    assert "η = 0.05" in names, list(names)
    assert "η = 0.5" in names, list(names)
    assert names["η = 0.05"]["line"]["color"] != names["η = 0.5"]["line"]["color"]


def test_comparison_downsampled():
    spec = spec_of(comparison_figure([run(0.01, 50_000)]))
    drawn = decode(traces(spec)["η = 0.01"]["y"])
    assert drawn.size <= 2000, f"{drawn.size} points drawn"


def test_comparison_diverged_marker():
    diverging = run(0.5, 6, diverged_at=6)
    diverging["costs"] = np.array([1.0, 3.0, 9.0, 27.0, 81.0, 243.0])
    spec = spec_of(comparison_figure([run(0.05, 20), diverging]))
    marker_trace = traces(spec)["η = 0.5 diverged"]
    x = decode(marker_trace["x"]).astype(float)
    assert x[-1] == 6, f"× at step {x[-1]}"
    assert marker_trace["marker"]["symbol"] == "x"
    assert marker_trace["legendgroup"] == "η = 0.5"
    y_top = spec["layout"]["yaxis"]["range"][1]
    np.testing.assert_allclose(decode(marker_trace["y"]).astype(float)[-1], y_top, err_msg="× on the top edge")
    assert "η = 0.5 diverged at step 6." in notes(spec), notes(spec)
    assert "diverged (× at the top edge)" in traces(spec), list(traces(spec))


def test_comparison_linear_range_ignores_blowup():
    diverging = run(1.0, 5, diverged_at=5)
    diverging["costs"] = np.array([2.1, 50.0, 1e4, 1e6, 1e8])
    spec = spec_of(comparison_figure([run(0.05, 50), diverging]))
    assert spec["layout"]["yaxis"]["range"][1] < 10, spec["layout"]["yaxis"]["range"]
    assert any("cut at the top edge" in note for note in notes(spec)), notes(spec)


def test_comparison_log_scale():
    runs = [run(0.05, 30)]
    runs[0]["costs"][3] = 0.0
    spec = spec_of(comparison_figure(runs, log_scale=True))
    assert spec["layout"]["yaxis"]["type"] == "log"
    assert decode(traces(spec)["η = 0.05"]["y"]).size == 29, "the zero cost is dropped"
    assert "1 zero or negative cost not shown on the log scale." in notes(spec), notes(spec)


def test_comparison_drops_non_finite_costs():
    runs = [run(0.05, 30)]
    runs[0]["costs"][5] = np.nan
    spec = spec_of(comparison_figure(runs))
    assert "1 non-finite cost not shown." in notes(spec), notes(spec)


@pytest.mark.parametrize(
    ("runs", "message"),
    [
        ("abc", "runs must be a list of dicts"),
        ([{"steps": [0], "costs": [1.0]}], "runs[0] is missing the key 'learning_rate'"),
        ([{**run(0.1, 3), "learning_rate": -1.0}], "runs[0]['learning_rate'] must be greater than 0"),
        ([{**run(0.1, 3), "costs": [1.0]}], "must have the same length"),
        ([{**run(0.1, 3), "diverged_at": 0}], "runs[0]['diverged_at'] must be None or a step number"),
    ],
)
def test_comparison_rejects_bad_runs(runs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        comparison_figure(runs)


# ---------------------------------------------------------------------------
# fits_figure
# ---------------------------------------------------------------------------


def fit_runs():
    curve_x = np.linspace(-1, 1, 50)
    return curve_x, [
        {"learning_rate": 0.01, "curve_y": 0.5 * curve_x},
        {"learning_rate": 0.1, "curve_y": curve_x},
        {"learning_rate": 2.0, "curve_y": None, "diverged_at": 4},
    ]


def test_fits_panels_and_titles():
    curve_x, runs = fit_runs()
    x = np.linspace(-1, 1, 20)
    spec = spec_of(fits_figure(runs, x=x, y_expected=x, curve_x=curve_x))
    texts = annotation_texts(spec)
    assert texts[:3] == ["η = 0.01", "η = 0.1", "η = 2"], texts
    assert "diverged<br>at step 4" in texts, texts
    predictions = [trace for trace in spec["data"] if trace["name"] == "prediction"]
    data = [trace for trace in spec["data"] if trace["name"] == "data"]
    assert len(predictions) == 2, "no prediction for the diverged run"
    assert len(data) == 3, "data in every panel"
    assert {trace["xaxis"] for trace in data} == {"x", "x2", "x3"}
    assert spec["layout"]["yaxis2"]["matches"] == "y", "panels share the y axis"


def test_fits_diverged_without_step():
    curve_x = np.linspace(0, 1, 5)
    spec = spec_of(
        fits_figure(
            [{"learning_rate": 1.0, "curve_y": None}], x=[0.0, 1.0], y_expected=[0.0, 1.0], curve_x=curve_x
        )
    )
    assert "diverged" in annotation_texts(spec), annotation_texts(spec)


def test_fits_curve_leaving_range_noted():
    curve_x = np.linspace(0, 1, 5)
    runs = [{"learning_rate": 0.5, "curve_y": np.array([0.0, 1.0, 50.0, np.nan, 0.5])}]
    spec = spec_of(fits_figure(runs, x=[0.0, 1.0], y_expected=[0.0, 1.0], curve_x=curve_x))
    assert "1 curve point with non-finite values not shown." in notes(spec), notes(spec)
    assert any("cut at the chart edge" in note for note in notes(spec)), notes(spec)
    assert spec["layout"]["yaxis"]["range"][1] < 2, "range stays on the data"


def test_fits_downsamples_examples():
    x = np.linspace(-1, 1, 5000)
    curve_x, runs = fit_runs()
    spec = spec_of(fits_figure(runs[:1], x=x, y_expected=x, curve_x=curve_x))
    assert decode(traces(spec)["data"]["x"]).size <= 1000


@pytest.mark.parametrize(
    ("runs", "message"),
    [
        ([], "runs must contain at least one run"),
        ([{"learning_rate": 0.1}], "runs[0] is missing the key 'curve_y'"),
        ([{"learning_rate": 0.1, "curve_y": [1.0]}], "must have the same length"),
    ],
)
def test_fits_rejects_bad_runs(runs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fits_figure(runs, x=[0.0, 1.0], y_expected=[0.0, 1.0], curve_x=[0.0, 0.5, 1.0])


# ---------------------------------------------------------------------------
# sweep_figure
# ---------------------------------------------------------------------------


SWEEP_RATES = np.array([0.001, 0.01, 0.1, 0.5, 1.0, 2.0])
SWEEP_COSTS = np.array([1.9, 1.2, 0.1, 0.3, np.nan, np.inf])
SWEEP_REGIMES = ["too small", "too small", "good", "too large", "too large", "too large"]


def test_sweep_axes_and_points():
    spec = spec_of(sweep_figure(SWEEP_RATES, SWEEP_COSTS, SWEEP_REGIMES, initial_cost=2.0, n_steps=50))
    assert spec["layout"]["xaxis"]["type"] == "log"
    assert spec["layout"]["yaxis"]["type"] == "log", "all costs positive, so log y"
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("cost after 50 steps")
    final = traces(spec)["final cost"]
    np.testing.assert_allclose(decode(final["y"]).astype(float), [1.9, 1.2, 0.1, 0.3], err_msg="final costs")


def test_sweep_diverged_on_top_edge():
    spec = spec_of(sweep_figure(SWEEP_RATES, SWEEP_COSTS, SWEEP_REGIMES, initial_cost=2.0, n_steps=50))
    diverged = traces(spec)["diverged"]
    np.testing.assert_allclose(decode(diverged["x"]).astype(float), [1.0, 2.0], err_msg="diverged rates")
    assert diverged["marker"]["symbol"] == "x"
    y = np.log10(decode(diverged["y"]).astype(float))
    y_range = spec["layout"]["yaxis"]["range"]
    assert np.all(y > np.log10(2.0)), "× above the start line"
    assert np.all(y < y_range[1]), "× inside the plot"
    assert "diverged" in annotation_texts(spec), annotation_texts(spec)


def test_sweep_regime_bands():
    spec = spec_of(sweep_figure(SWEEP_RATES, SWEEP_COSTS, SWEEP_REGIMES, initial_cost=2.0, n_steps=50))
    bands = [shape for shape in spec["layout"]["shapes"] if shape["type"] == "rect"]
    assert len(bands) == 3, "three contiguous regimes"
    texts = annotation_texts(spec)
    for regime in ("too small", "good", "too large"):
        assert regime in texts, f"{regime!r} not labelled: {texts}"
    # The boundary between "too small" and "good" lies halfway between 0.01 and 0.1 on the log axis.
    np.testing.assert_allclose(bands[0]["x1"], math.sqrt(0.01 * 0.1), err_msg="band boundary")


def test_sweep_start_line():
    spec = spec_of(sweep_figure(SWEEP_RATES, SWEEP_COSTS, SWEEP_REGIMES, initial_cost=2.0, n_steps=50))
    lines = [shape for shape in spec["layout"]["shapes"] if shape["type"] == "line"]
    assert len(lines) == 1
    assert lines[0]["y0"] == 2.0
    assert lines[0]["line"]["dash"] == "dash"
    assert "cost at the start" in annotation_texts(spec), annotation_texts(spec)


def test_sweep_linear_y_with_zero_cost():
    costs = np.array([1.0, 0.0, 0.5])
    spec = spec_of(sweep_figure([0.1, 0.2, 0.4], costs, ["too small", "good", "too large"], initial_cost=2.0, n_steps=10))
    assert spec["layout"]["yaxis"]["type"] == "linear"
    assert any("Linear cost axis" in note for note in notes(spec)), notes(spec)


def test_sweep_sorts_rates_with_regimes():
    spec = spec_of(
        sweep_figure([0.4, 0.1], [0.5, 1.0], ["too large", "too small"], initial_cost=2.0, n_steps=10)
    )
    np.testing.assert_allclose(decode(traces(spec)["final cost"]["x"]).astype(float), [0.1, 0.4], err_msg="rates sorted")
    band_labels = [a["text"] for a in spec["layout"]["annotations"] if a["text"] in ("too small", "too large")]
    assert band_labels == ["too small", "too large"], band_labels


def test_sweep_all_diverged():
    spec = spec_of(sweep_figure([0.5, 1.0], [np.nan, np.nan], ["too large", "too large"], initial_cost=2.0, n_steps=10))
    assert "final cost" not in traces(spec)
    assert "diverged" in traces(spec)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"regimes": ["good", "fast"]}, "regimes must contain only"),
        ({"learning_rates": [0.0, 0.1]}, "learning_rates must be finite and greater than 0"),
        ({"final_costs": [1.0]}, "must have the same length"),
        ({"initial_cost": -1.0}, "initial_cost must be at least 0"),
        ({"n_steps": 2.5}, "n_steps must be an integer"),
    ],
)
def test_sweep_rejects_bad_arguments(change, message):
    arguments = {
        "learning_rates": [0.1, 0.2],
        "final_costs": [1.0, 0.5],
        "regimes": ["too small", "good"],
        "initial_cost": 2.0,
        "n_steps": 10,
        **change,
    }
    with pytest.raises(ValueError, match=re.escape(message)):
        sweep_figure(
            arguments["learning_rates"],
            arguments["final_costs"],
            arguments["regimes"],
            initial_cost=arguments["initial_cost"],
            n_steps=arguments["n_steps"],
        )
