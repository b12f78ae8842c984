"""Tests for charts.presenter_style, the restyling of figures for projection.

Every figure the project builds is restyled here with small inputs. The checks compare the
JSON of the figure before and after, which is what the browser receives: sizes grow,
colours and data stay, the input figure does not change, and no NaN or infinity appears.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from backprop_core import charts, diagram, landscape_charts
from backprop_core.charts import BLUE, FONT_SIZE, VERMILLION, presenter_style
from backprop_core.network import Network
from figure_checks import figure_json

# Keys whose values the presenter style sets on every visible axis.
AXIS_COLOUR_KEYS = {"gridcolor", "linecolor", "zerolinecolor"}

# ---------------------------------------------------------------------------
# Figures, built small
# ---------------------------------------------------------------------------


def cost() -> go.Figure:
    steps = np.arange(50)
    return charts.cost_figure(
        steps, 2.0 * np.exp(-steps / 10) + 0.1, current_step=50, current_cost=0.12, divergence_step=49
    )


def cost_log_scattergl() -> go.Figure:
    # More points than SCATTERGL_MIN_POINTS, all drawn, so the line is a Scattergl trace.
    steps = np.arange(6000)
    return charts.cost_figure(
        steps, np.exp(-steps / 1000) + 0.01, current_step=6000, current_cost=0.01, log_scale=True, max_points=6000
    )


def fit_1d() -> go.Figure:
    x = np.linspace(-1, 1, 12)
    curve_x = np.linspace(-1.1, 1.1, 30)
    return charts.fit_figure_1d(
        x, x**2, x**2 + 0.1, curve_x, curve_x**2, x_label="x", y_label="y", reachable=(-0.5, np.inf)
    )


def fit_scatter() -> go.Figure:
    expected = np.linspace(0, 1, 10)
    return charts.fit_figure_scatter(expected, expected + 0.05, target_label="y")


def weights() -> go.Figure:
    names = charts.parameter_names([1, 2, 1])
    steps = np.arange(30)
    values = np.cumsum(np.random.default_rng(0).normal(size=(30, len(names))), axis=0)
    return charts.weight_trajectory_figure(steps, values, names)


def gradient_norms() -> go.Figure:
    steps = np.arange(1, 21)
    norms = np.column_stack([np.full(20, 1e-3), np.linspace(1, 0.1, 20)])
    return charts.gradient_norms_figure(steps, norms)


def network_diagram() -> go.Figure:
    network = Network.initialize([2, 3, 1], ["tanh", "linear"], seed=0)
    return diagram.network_diagram_figure(
        network.weights, network.biases, network.activations, selected="W1[0,1]", marked_units={(1, 2): "dead"}
    )


def network_diagram_gradients() -> go.Figure:
    network = Network.initialize([2, 4, 4, 1], ["relu", "relu", "linear"], seed=1)
    rng = np.random.default_rng(1)
    gradients = network.backward(network.forward(rng.normal(size=(8, 2))), rng.normal(size=(8, 1)))
    return diagram.network_diagram_figure(
        network.weights,
        network.biases,
        network.activations,
        grad_weights=gradients.grad_weights,
        grad_biases=gradients.grad_biases,
        show="gradients",
        selected="b2[1]",
    )


def slice_() -> go.Figure:
    values = np.linspace(-2.0, 2.0, 41)
    return landscape_charts.slice_figure(
        values=values,
        costs=values**2 + 1,
        parameter_name="W1[0,0]",
        current_value=1.5,
        current_cost=3.25,
        gradient=3.0,
        learning_rate=0.25,
        landing_value=0.75,
        landing_cost=1.5625,
    )


def contour() -> go.Figure:
    first = np.linspace(-2.0, 2.0, 21)
    second = np.linspace(-1.5, 1.5, 16)
    grid = first[np.newaxis, :] ** 2 + 4 * second[:, np.newaxis] ** 2 + 0.5
    path = np.column_stack([np.linspace(1.0, 0.1, 10), np.linspace(0.5, 0.05, 10)])
    return landscape_charts.contour_figure(
        first,
        second,
        grid,
        first_name="W1[0,0]",
        second_name="b1[0]",
        current=[1.0, 0.5],
        gradient=[2.0, 4.0],
        path=path,
    )


def comparison() -> go.Figure:
    steps = np.arange(40)
    runs = [
        {"learning_rate": rate, "steps": steps, "costs": 2.0 * np.exp(-rate * steps) + 0.1, "diverged_at": None}
        for rate in (0.05, 0.5)
    ]
    runs.append({"learning_rate": 3.0, "steps": steps[:5], "costs": 2.0**steps[:5], "diverged_at": 5})
    return landscape_charts.comparison_figure(runs)


def fits() -> go.Figure:
    curve_x = np.linspace(-1, 1, 20)
    runs = [
        {"learning_rate": 0.01, "curve_y": 0.5 * curve_x},
        {"learning_rate": 0.1, "curve_y": curve_x},
        {"learning_rate": 2.0, "curve_y": None, "diverged_at": 4},
    ]
    x = np.linspace(-1, 1, 10)
    return landscape_charts.fits_figure(runs, x=x, y_expected=x, curve_x=curve_x)


def sweep() -> go.Figure:
    return landscape_charts.sweep_figure(
        np.array([0.001, 0.01, 0.1, 0.5, 1.0, 2.0]),
        np.array([1.9, 1.2, 0.1, 0.3, np.nan, np.inf]),
        ["too small", "too small", "good", "too large", "too large", "too large"],
        initial_cost=2.0,
        n_steps=50,
    )


def animated() -> go.Figure:
    """Two lines animated by frames, with Plotly's play button and slider."""
    x = np.arange(5.0)
    frames = [
        go.Frame(
            name=str(step),
            data=[
                go.Scatter(y=x * step, line={"width": 3}, marker={"size": 8}),
                go.Scatter(y=-x * step),
            ],
            layout={"annotations": [{"text": f"step {step}", "x": 0, "y": 0, "font": {"size": 12}}]},
        )
        for step in range(3)
    ]
    return go.Figure(
        data=[
            go.Scatter(x=x, y=x, mode="lines+markers", line={"color": BLUE, "width": 2}, marker={"size": 6}),
            go.Scatter(x=x, y=-x, mode="lines", line={"color": VERMILLION}),
        ],
        layout={
            "height": 380,
            "font": {"size": FONT_SIZE},
            "updatemenus": [
                {
                    "type": "buttons",
                    "buttons": [{"label": "Play", "method": "animate", "args": [None]}],
                    "font": {"size": 13},
                }
            ],
            "sliders": [
                {
                    "steps": [{"label": str(step), "method": "animate", "args": [[str(step)]]} for step in range(3)],
                    "currentvalue": {"prefix": "step ", "font": {"size": 14}},
                }
            ],
        },
        frames=frames,
    )


def heatmap_subplots() -> go.Figure:
    """A heatmap beside a line, on the axes x, y, x2 and y2."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=["grid", "line"])
    figure.add_trace(
        go.Heatmap(z=[[1.0, 2.0], [3.0, 4.0]], colorscale=[[0.0, BLUE], [1.0, VERMILLION]], colorbar={"tickfont": {"size": 11}}),
        row=1,
        col=1,
    )
    figure.add_trace(go.Scattergl(x=[0, 1, 2], y=[2, 0, 1], mode="lines", line={"color": BLUE}), row=1, col=2)
    return figure


FIGURES = {
    "cost": cost,
    "cost_log_scattergl": cost_log_scattergl,
    "fit_1d": fit_1d,
    "fit_scatter": fit_scatter,
    "weights": weights,
    "gradient_norms": gradient_norms,
    "network_diagram": network_diagram,
    "network_diagram_gradients": network_diagram_gradients,
    "slice": slice_,
    "contour": contour,
    "comparison": comparison,
    "fits": fits,
    "sweep": sweep,
    "animated": animated,
    "heatmap_subplots": heatmap_subplots,
}


# ---------------------------------------------------------------------------
# Helpers on the figure JSON
# ---------------------------------------------------------------------------


def spec(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())


def font_sizes(node, path: str = "") -> dict[str, float]:
    """Map the path of every font with a size to that size, outside the template."""
    found: dict[str, float] = {}
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "template":
                continue
            child_path = f"{path}.{key}"
            if key.endswith("font") and isinstance(child, dict) and isinstance(child.get("size"), (int, float)):
                found[child_path] = child["size"]
            found.update(font_sizes(child, child_path))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.update(font_sizes(child, f"{path}[{index}]"))
    return found


def colours(node, path: str = "") -> dict[str, object]:
    """Map the path of every colour or colour scale to its value, outside the template."""
    found: dict[str, object] = {}
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "template":
                continue
            child_path = f"{path}.{key}"
            if key.endswith(("color", "colorscale")):
                found[child_path] = child
            else:
                found.update(colours(child, child_path))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.update(colours(child, f"{path}[{index}]"))
    return found


def draws_lines(trace: dict) -> bool:
    mode = trace.get("mode")
    return mode is None or "lines" in mode or trace.get("fill") not in (None, "none")


def margin(layout: dict, side: str) -> float:
    return layout.get("margin", {}).get(side, {"l": 80, "r": 80, "t": 100, "b": 80}[side])


# ---------------------------------------------------------------------------
# Every figure
# ---------------------------------------------------------------------------


@pytest.fixture(params=list(FIGURES), ids=list(FIGURES))
def pair(request) -> tuple[str, go.Figure, go.Figure, dict, dict]:
    """(name, original figure, styled figure, original JSON, styled JSON)."""
    original = FIGURES[request.param]()
    before = spec(original)
    styled = presenter_style(original)
    return request.param, original, styled, before, figure_json(styled)


def test_input_figure_unchanged(pair):
    name, original, _, before, _ = pair
    # Parsed, because building the copy may reorder keys inside the input's JSON text.
    assert spec(original) == before, f"{name}: presenter_style changed its input"


def test_returns_new_figure(pair):
    _, original, styled, _, _ = pair
    assert styled is not original, "the input figure was returned"
    assert styled.layout is not original.layout, "the copy shares its layout"


def test_base_font_grows(pair):
    name, _, _, before, after = pair
    old_size = before["layout"].get("font", {}).get("size", FONT_SIZE)
    new_size = after["layout"]["font"]["size"]
    np.testing.assert_allclose(new_size, 1.4 * old_size, rtol=0.01, err_msg=f"{name}: base font")


def test_every_set_font_grows(pair):
    name, _, _, before, after = pair
    old_sizes = font_sizes(before)
    new_sizes = font_sizes(after)
    for path, old_size in old_sizes.items():
        assert path in new_sizes, f"{name}: font {path} lost its size"
        np.testing.assert_allclose(new_sizes[path], 1.4 * old_size, rtol=0.01, err_msg=f"{name}: {path}")


def test_tick_fonts_larger(pair):
    name, _, _, before, after = pair
    base_before = before["layout"].get("font", {}).get("size", FONT_SIZE)
    base_after = after["layout"]["font"]["size"]
    for key, axis in after["layout"].items():
        if not key.startswith(("xaxis", "yaxis")):
            continue
        old_tick = before["layout"].get(key, {}).get("tickfont", {}).get("size", base_before)
        new_tick = axis.get("tickfont", {}).get("size", base_after)
        assert new_tick > old_tick, f"{name}: {key} tick font {old_tick} -> {new_tick}"


def test_scatter_lines_widened(pair):
    name, _, _, before, after = pair
    for index, (old, new) in enumerate(zip(before["data"], after["data"])):
        if new["type"] not in ("scatter", "scattergl") or not draws_lines(new):
            continue
        old_width = old.get("line", {}).get("width", 2)
        new_width = new["line"]["width"]
        label = f"{name}: trace {index} ({new.get('name')}) line width"
        if old_width == 0:
            assert new_width == 0, f"{label}: a hidden line became visible"
        elif name.startswith("network_diagram"):
            np.testing.assert_allclose(new_width, 2 * old_width, err_msg=label)
        else:
            assert new_width >= 4, f"{label} is {new_width}"
            assert new_width >= 2 * old_width, f"{label}: {old_width} -> {new_width}"


def test_marker_sizes_grow(pair):
    name, _, styled, before, _ = pair
    for index, old in enumerate(before["data"]):
        old_size = old.get("marker", {}).get("size")
        if not isinstance(old_size, (int, float)) or old["type"] not in ("scatter", "scattergl"):
            continue
        new_size = styled.data[index].marker.size
        np.testing.assert_allclose(new_size, 1.5 * old_size, err_msg=f"{name}: trace {index} marker size")


def test_trace_colours_unchanged(pair):
    name, _, _, before, after = pair
    assert colours(before["data"]) == colours(after["data"]), f"{name}: a trace colour changed"


def test_layout_colours_unchanged_outside_axes(pair):
    name, _, _, before, after = pair
    old = {path: value for path, value in colours(before["layout"]).items() if path.split(".")[-1] not in AXIS_COLOUR_KEYS}
    new = {path: value for path, value in colours(after["layout"]).items() if path.split(".")[-1] not in AXIS_COLOUR_KEYS}
    assert old == new, f"{name}: a layout colour changed"


def test_template_unchanged(pair):
    name, _, _, before, after = pair
    assert before["layout"].get("template") == after["layout"].get("template"), f"{name}: template changed"


def test_data_unchanged(pair):
    name, _, _, before, after = pair
    for index, (old, new) in enumerate(zip(before["data"], after["data"])):
        for key in ("x", "y", "z", "customdata", "text"):
            assert old.get(key) == new.get(key), f"{name}: trace {index} {key} changed"
    assert len(before["data"]) == len(after["data"]), f"{name}: trace count changed"


def test_margins_grow(pair):
    name, _, _, before, after = pair
    for side in "lrtb":
        old_margin = margin(before["layout"], side)
        new_margin = margin(after["layout"], side)
        np.testing.assert_allclose(new_margin, 1.4 * old_margin, atol=1, err_msg=f"{name}: margin {side}")


def test_plot_area_keeps_height(pair):
    name, _, _, before, after = pair
    old_plot = before["layout"].get("height", 450) - margin(before["layout"], "t") - margin(before["layout"], "b")
    new_plot = after["layout"]["height"] - margin(after["layout"], "t") - margin(after["layout"], "b")
    assert new_plot >= old_plot - 1, f"{name}: plot area {old_plot} px -> {new_plot} px"


def test_visible_axes_darker_and_thicker(pair):
    name, _, _, before, after = pair
    for key, axis in after["layout"].items():
        if not key.startswith(("xaxis", "yaxis")) or axis.get("visible") is False:
            continue
        old_axis = before["layout"].get(key, {})
        assert axis["showline"] is True, f"{name}: {key} has no axis line"
        assert axis["linewidth"] >= 2, f"{name}: {key} line width {axis['linewidth']}"
        assert axis["gridwidth"] > old_axis.get("gridwidth", 1), f"{name}: {key} grid width"
        assert axis["gridcolor"] == charts.PRESENTER_GRID_COLOUR, f"{name}: {key} grid colour"
        assert axis["linecolor"] == charts.PRESENTER_AXIS_LINE_COLOUR, f"{name}: {key} line colour"


def test_meta_marks_presenter(pair):
    name, _, _, before, after = pair
    if isinstance(before["layout"].get("meta"), dict):
        assert after["layout"]["meta"] == {**before["layout"]["meta"], "presenter": True}, name


def test_applying_twice_works(pair):
    name, _, styled, _, after = pair
    twice = figure_json(presenter_style(styled))
    assert twice["layout"]["font"]["size"] > after["layout"]["font"]["size"], f"{name}: second pass"


# ---------------------------------------------------------------------------
# Particular figures
# ---------------------------------------------------------------------------


def test_diagram_edge_widths_keep_ratios():
    original = network_diagram()
    styled = presenter_style(original)
    edges = [index for index, trace in enumerate(original.data) if " edges: " in (trace.name or "")]
    assert edges, "no edge traces found"
    for index in edges:
        old_width = original.data[index].line.width
        new_width = styled.data[index].line.width
        np.testing.assert_allclose(new_width, 2 * old_width, err_msg=f"edge trace {original.data[index].name}")


def test_diagram_plot_area_grows_with_nodes():
    original = network_diagram()
    styled = presenter_style(original)
    old_plot = original.layout.height - original.layout.margin.t - original.layout.margin.b
    new_plot = styled.layout.height - styled.layout.margin.t - styled.layout.margin.b
    np.testing.assert_allclose(new_plot, 1.5 * old_plot, atol=1, err_msg="diagram plot height")


def test_frame_traces_widened():
    styled = presenter_style(animated())
    for frame in styled.frames:
        assert frame.data[0].line.width == 6, f"frame {frame.name}: line width {frame.data[0].line.width}"
        assert frame.data[0].marker.size == 12, f"frame {frame.name}: marker size {frame.data[0].marker.size}"
        assert frame.data[1].line.width is None, f"frame {frame.name}: unset width was set"


def test_frame_layout_fonts_grow():
    styled = presenter_style(animated())
    sizes = [frame.layout.annotations[0].font.size for frame in styled.frames]
    np.testing.assert_allclose(sizes, [16.8] * 3, err_msg="frame annotation fonts")


def test_animation_controls_grow():
    styled = presenter_style(animated())
    np.testing.assert_allclose(styled.layout.updatemenus[0].font.size, 18.2, err_msg="play button font")
    np.testing.assert_allclose(styled.layout.sliders[0].currentvalue.font.size, 19.6, err_msg="slider label")


def test_slider_gap_grows():
    styled = presenter_style(animated())
    np.testing.assert_allclose(styled.layout.sliders[0].pad.t, 28, err_msg="gap above the slider")


def test_unset_widths_filled():
    styled = presenter_style(animated())
    assert styled.data[1].line.width == 4, f"default line width became {styled.data[1].line.width}"


def test_subplot_axes_styled():
    styled = presenter_style(heatmap_subplots())
    for name in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        axis = styled.layout[name]
        assert axis.showline is True, f"{name} has no axis line"
        assert axis.gridwidth == 2, f"{name} grid width {axis.gridwidth}"


def test_heatmap_colour_scale_unchanged():
    original = heatmap_subplots()
    styled = presenter_style(original)
    assert styled.data[0].colorscale == original.data[0].colorscale, "colour scale changed"
    np.testing.assert_allclose(styled.data[0].colorbar.tickfont.size, 15.4, err_msg="colour bar ticks")


def test_contour_colour_scale_unchanged():
    original = contour()
    styled = presenter_style(original)
    assert styled.data[0].colorscale == original.data[0].colorscale, "colour scale changed"
    np.testing.assert_allclose(styled.data[0].line.width, 2 * original.data[0].line.width, err_msg="contour lines")


def test_pixel_arrow_offsets_grow():
    original = cost()
    styled = presenter_style(original)
    now_label = [annotation for annotation in styled.layout.annotations if annotation.text == "now"][0]
    np.testing.assert_allclose(now_label.ay, -32 * 1.4, err_msg="now label offset")


def test_axis_arrow_positions_unchanged():
    original = slice_()
    styled = presenter_style(original)
    for old, new in zip(original.layout.annotations, styled.layout.annotations):
        if old.axref == "x":
            assert (new.ax, new.ay) == (old.ax, old.ay), "an arrow tail in data coordinates moved"


def test_empty_figure():
    styled = figure_json(presenter_style(go.Figure()))
    assert styled["layout"]["font"]["size"] == 21, styled["layout"]["font"]


@pytest.mark.parametrize("value", [None, {"data": []}, "figure"])
def test_rejects_non_figure(value):
    with pytest.raises(ValueError, match="figure must be a plotly.graph_objects.Figure"):
        presenter_style(value)
