"""Tests for the network diagram in backprop_core.diagram.

Most checks read the figure as the browser gets it, through ``figure.to_json()``. Plotly 6
and later send NumPy arrays as base64 objects ``{"dtype", "bdata"}``, which ``decode``
turns back into arrays. Edges are located through the coordinates that the module
docstring documents: column l at x = l, unit j of an n-unit layer at
y = gap * (n - 1 - 2 j).
"""

from __future__ import annotations

import ast
import inspect
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_core import diagram
from backprop_core.charts import BLACK, BLUE, GREY, VERMILLION
from backprop_core.diagram import (
    EDGE_WIDTH_BUCKETS,
    MAX_EDGE_WIDTH,
    MAX_UNIT_GAP,
    MIN_EDGE_WIDTH,
    TARGET_SCALE,
    network_diagram_figure,
    parameter_name_from_point,
)
from backprop_core.network import Network
from figure_checks import decode, typed_arrays
from figure_checks import figure_json as finite_spec

MAX_JSON_BYTES = 300_000
MAX_TRACES = 30
BIG_LAYER_SIZES = [2, 32, 32, 32, 32, 32, 32, 1]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def trace_named(spec: dict, name: str) -> dict:
    matches = [trace for trace in spec["data"] if trace.get("name") == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, found {len(matches)}"
    return matches[0]


def edge_traces(spec: dict) -> list[dict]:
    return [trace for trace in spec["data"] if " edges: " in trace.get("name", "")]


def unit_heights(layer_sizes: list[int]) -> list[np.ndarray]:
    """Unit positions as the module docstring defines them."""
    widest = max(layer_sizes)
    heights = []
    for n in layer_sizes:
        gap = min(MAX_UNIT_GAP, widest / n)
        heights.append(np.round(gap * (n - 1 - 2 * np.arange(n)), 3))
    return heights


def segments_of(trace: dict) -> set[frozenset]:
    """Every drawn segment of a lines trace, as an unordered pair of (x, y) end points."""
    xs, ys = decode(trace["x"]).tolist(), decode(trace["y"]).tolist()
    segments = set()
    for index in range(len(xs) - 1):
        if xs[index] is None or xs[index + 1] is None:
            continue
        start = (float(xs[index]), round(float(ys[index]), 6))
        end = (float(xs[index + 1]), round(float(ys[index + 1]), 6))
        segments.add(frozenset((start, end)))
    return segments


def edge_segment(layer_sizes: list[int], l: int, j: int, k: int) -> frozenset:
    heights = unit_heights(layer_sizes)
    start = (float(l), round(float(heights[l][k]), 6))
    end = (float(l + 1), round(float(heights[l + 1][j]), 6))
    return frozenset((start, end))


def trace_of_each_edge(spec: dict, layer_sizes: list[int]) -> dict[str, dict]:
    """Map each weight name to the one edge trace that draws it."""
    segments_by_trace = [(trace, segments_of(trace)) for trace in edge_traces(spec)]
    found: dict[str, dict] = {}
    for l, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        for j in range(n_out):
            for k in range(n_in):
                name = f"W{l + 1}[{j},{k}]"
                segment = edge_segment(layer_sizes, l, j, k)
                owners = [trace for trace, segments in segments_by_trace if segment in segments]
                assert len(owners) == 1, f"{name} is drawn by {len(owners)} edge traces"
                found[name] = owners[0]
    return found


def small_network() -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """A 2-3-1 network whose weights have distinct sizes and both signs, and one zero."""
    weights = [
        np.array([[0.1, -0.2], [0.4, -0.8], [1.6, 0.0]]),
        np.array([[-3.2, 0.05, 0.8]]),
    ]
    biases = [np.array([0.5, -0.25, 0.0]), np.array([1.0])]
    return weights, biases, ["tanh", "linear"]


def seeded_network(layer_sizes: list[int], seed: int = 0):
    activations = ["tanh"] * (len(layer_sizes) - 2) + ["linear"]
    network = Network.initialize(layer_sizes, activations, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(16, layer_sizes[0]))
    y = rng.normal(size=(16, layer_sizes[-1]))
    gradients = network.backward(network.forward(X), y)
    return network, gradients


# ---------------------------------------------------------------------------
# Module boundaries
# ---------------------------------------------------------------------------


def test_diagram_imports_no_streamlit():
    tree = ast.parse(inspect.getsource(diagram))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    assert "streamlit" not in roots, f"diagram imports streamlit: {sorted(roots)}"
    allowed = {"__future__", "collections", "math", "re", "textwrap", "numpy", "plotly", "."}
    assert roots <= allowed, f"unexpected imports {sorted(roots - allowed)}"


# ---------------------------------------------------------------------------
# Size of a large network
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("show", ["weights", "gradients"])
def test_big_network_stays_small(show):
    network, gradients = seeded_network(BIG_LAYER_SIZES)
    figure = network_diagram_figure(
        network.weights,
        network.biases,
        network.activations,
        grad_weights=gradients.grad_weights,
        grad_biases=gradients.grad_biases,
        show=show,
        selected="W4[10,20]",
        marked_units={(3, 5): "dead"},
    )
    n_bytes = len(figure.to_json().encode())
    assert len(figure.data) <= MAX_TRACES, f"{len(figure.data)} traces"
    assert n_bytes < MAX_JSON_BYTES, f"figure JSON is {n_bytes:,} bytes"


def test_edge_traces_bounded_by_groups():
    network, gradients = seeded_network(BIG_LAYER_SIZES)
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    assert len(edge_traces(spec)) <= 2 * EDGE_WIDTH_BUCKETS + 2


def test_every_edge_drawn_once():
    layer_sizes = [3, 5, 4, 2]
    network, _ = seeded_network(layer_sizes)
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    owners = trace_of_each_edge(spec, layer_sizes)
    expected = [name for name in network.parameter_names() if name.startswith("W")]
    assert sorted(owners) == sorted(expected)

    # No segment is drawn that is not an edge of the network.
    all_edges = {
        edge_segment(layer_sizes, l, j, k)
        for l, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]))
        for j in range(n_out)
        for k in range(n_in)
    }
    drawn = set().union(*(segments_of(trace) for trace in edge_traces(spec)))
    assert drawn == all_edges


def test_same_inputs_same_json():
    network, gradients = seeded_network([2, 4, 1])
    arguments = dict(grad_weights=gradients.grad_weights, grad_biases=gradients.grad_biases)
    parameters = (network.weights, network.biases, network.activations)
    first = network_diagram_figure(*parameters, **arguments)
    second = network_diagram_figure(*parameters, **arguments)
    assert first.to_json() == second.to_json()


# ---------------------------------------------------------------------------
# Names: hover targets, units and inputs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("layer_sizes", [[1, 2, 1], [2, 8, 8, 1], [3, 16, 16, 16, 1], [4, 3]])
def test_targets_list_every_weight_once(layer_sizes):
    network, _ = seeded_network(layer_sizes)
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    customdata = list(trace_named(spec, "weights")["customdata"])
    expected = [name for name in network.parameter_names() if name.startswith("W")]
    assert customdata == expected


def test_units_carry_bias_names():
    network, _ = seeded_network([3, 4, 2])
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    units = trace_named(spec, "units")
    expected = [name for name in network.parameter_names() if name.startswith("b")]
    assert list(units["customdata"]) == expected


def test_inputs_not_selectable():
    network, _ = seeded_network([3, 4, 2])
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    inputs = trace_named(spec, "inputs")
    assert list(inputs["customdata"]) == ["", "", ""]
    names = [parameter_name_from_point({"customdata": value}) for value in inputs["customdata"]]
    assert names == [None, None, None]


@pytest.mark.parametrize("layer_sizes", [[2, 2, 2], [2, 8, 8, 1], [3, 16, 16, 16, 1]])
def test_targets_distinct_and_on_edges(layer_sizes):
    network, _ = seeded_network(layer_sizes)
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    targets = trace_named(spec, "weights")
    scaled_x, scaled_y = decode(targets["x"]), decode(targets["y"])
    points = set(zip(scaled_x.tolist(), scaled_y.tolist()))
    assert len(points) == scaled_x.size, "two hover targets coincide"
    xs = scaled_x.astype(np.float64) / TARGET_SCALE
    ys = scaled_y.astype(np.float64) / TARGET_SCALE

    heights = unit_heights(layer_sizes)
    for index, name in enumerate(targets["customdata"]):
        layer, j, k = (int(part) for part in re.findall(r"\d+", name))
        l = layer - 1
        fraction = xs[index] - l
        assert 0.0 < fraction < 1.0, f"{name} target x {xs[index]} is outside its layer gap"
        rise = heights[l + 1][j] - heights[l][k]
        y_on_edge = heights[l][k] + fraction * rise
        # Rounding moves x and y by up to half a unit of the overlay axes, and the x error
        # shifts the height on the edge by that much times the edge's slope.
        tolerance = 0.5 * (1 + abs(rise)) / TARGET_SCALE + 1e-9
        np.testing.assert_allclose(ys[index], y_on_edge, atol=tolerance, err_msg=f"{name} target y")


def test_target_axes_overlay_main_axes():
    spec = finite_spec(network_diagram_figure(*small_network()))
    targets = trace_named(spec, "weights")
    assert (targets["xaxis"], targets["yaxis"]) == ("x2", "y2")
    layout = spec["layout"]
    for main, overlay in (("xaxis", "xaxis2"), ("yaxis", "yaxis2")):
        assert layout[overlay]["overlaying"] == main[0], f"{overlay} does not overlay {main}"
        assert layout[overlay]["fixedrange"] is True, f"{overlay} zoomable"
        np.testing.assert_allclose(
            layout[overlay]["range"],
            np.array(layout[main]["range"]) * TARGET_SCALE,
            err_msg=f"{overlay} range against {main}",
        )
    # Integer coordinates are what keeps the payload small.
    assert decode(targets["x"]).dtype.kind == "i"


def test_unit_positions_centred():
    layer_sizes = [2, 8, 3, 1]
    network, _ = seeded_network(layer_sizes)
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    units = trace_named(spec, "units")
    inputs = trace_named(spec, "inputs")
    heights = unit_heights(layer_sizes)
    np.testing.assert_allclose(
        decode(inputs["y"]).astype(float), heights[0], err_msg="input heights"
    )
    expected_unit_heights = np.concatenate(heights[1:])
    np.testing.assert_allclose(
        decode(units["y"]).astype(float), expected_unit_heights, err_msg="unit heights"
    )
    for column, y in enumerate(heights):
        np.testing.assert_allclose(y.mean(), 0.0, atol=1e-3, err_msg=f"centre of column {column}")


# ---------------------------------------------------------------------------
# Edge encoding
# ---------------------------------------------------------------------------


def test_sign_sets_edge_colour():
    weights, biases, activations = small_network()
    layer_sizes = [2, 3, 1]
    spec = finite_spec(network_diagram_figure(weights, biases, activations))
    owners = trace_of_each_edge(spec, layer_sizes)
    for l, w in enumerate(weights):
        for (j, k), value in np.ndenumerate(w):
            colour = owners[f"W{l + 1}[{j},{k}]"]["line"]["color"]
            expected = GREY
            if value > 0:
                expected = BLUE
            elif value < 0:
                expected = VERMILLION
            assert colour == expected, f"W{l + 1}[{j},{k}] = {value} drawn in {colour}"


def test_width_grows_with_size():
    weights, biases, activations = small_network()
    spec = finite_spec(network_diagram_figure(weights, biases, activations))
    owners = trace_of_each_edge(spec, [2, 3, 1])
    sizes_and_widths = sorted(
        (abs(float(w[j, k])), float(owners[f"W{l + 1}[{j},{k}]"]["line"]["width"]))
        for l, w in enumerate(weights)
        for (j, k) in np.ndindex(w.shape)
    )
    widths = [width for _, width in sizes_and_widths]
    assert all(a <= b for a, b in zip(widths, widths[1:])), f"widths {sizes_and_widths}"
    assert widths[0] == MIN_EDGE_WIDTH, "the zero weight is not the thinnest edge"
    assert widths[-1] == MAX_EDGE_WIDTH, "the largest weight is not the widest edge"
    # Weights 0.05 and 3.2 differ by a factor 64, so their widths differ.
    width_of = {size: width for size, width in sizes_and_widths}
    assert width_of[0.05] < width_of[3.2]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=6,
        max_size=6,
    )
)
def test_width_monotone_property(values):
    weights = [np.array(values, dtype=np.float64).reshape(3, 2), np.array([[1e-3, -1e-3, 0.0]])]
    biases = [np.zeros(3), np.zeros(1)]
    spec = finite_spec(network_diagram_figure(weights, biases, ["relu", "linear"]))
    owners = trace_of_each_edge(spec, [2, 3, 1])
    pairs = sorted(
        (abs(float(weights[l][j, k])), float(owners[f"W{l + 1}[{j},{k}]"]["line"]["width"]))
        for l in range(2)
        for (j, k) in np.ndindex(weights[l].shape)
    )
    widths = [width for _, width in pairs]
    assert all(a <= b for a, b in zip(widths, widths[1:])), f"widths {pairs}"
    assert all(MIN_EDGE_WIDTH <= width <= MAX_EDGE_WIDTH for width in widths), f"widths {pairs}"


def test_gradients_mode_encodes_gradients():
    weights, biases, activations = small_network()
    # Gradient signs are the opposite of the weight signs, and the sizes are reordered.
    grad_weights = [
        np.array([[-9.0, 0.5], [-0.3, 0.2], [-0.1, 4.0]]),
        np.array([[0.01, -1.0, -2.0]]),
    ]
    grad_biases = [np.array([0.3, 0.0, -0.6]), np.array([-0.2])]
    spec = finite_spec(
        network_diagram_figure(
            weights,
            biases,
            activations,
            grad_weights=grad_weights,
            grad_biases=grad_biases,
            show="gradients",
        )
    )
    owners = trace_of_each_edge(spec, [2, 3, 1])
    for l, g in enumerate(grad_weights):
        for (j, k), value in np.ndenumerate(g):
            colour = owners[f"W{l + 1}[{j},{k}]"]["line"]["color"]
            expected = BLUE if value > 0 else VERMILLION
            assert colour == expected, f"∂C/∂W{l + 1}[{j},{k}] = {value} drawn in {colour}"
    widest = owners["W1[0,0]"]["line"]["width"]
    assert widest == MAX_EDGE_WIDTH, "the largest gradient is not the widest edge"
    assert spec["layout"]["meta"]["max_abs_edge"] == 9.0
    assert "gradient" in spec["layout"]["meta"]["notes"][0]
    assert all(trace["name"].startswith("gradient edges") for trace in edge_traces(spec))


def test_encoding_note_on_figure():
    weights, biases, activations = small_network()
    spec = finite_spec(network_diagram_figure(weights, biases, activations))
    subtitle = spec["layout"]["title"]["subtitle"]["text"]
    assert "blue: positive, orange: negative, width: size of the weight" in subtitle
    assert spec["layout"]["showlegend"] is False


def test_all_zero_weights_grey():
    weights = [np.zeros((2, 2)), np.zeros((1, 2))]
    biases = [np.zeros(2), np.zeros(1)]
    spec = finite_spec(network_diagram_figure(weights, biases, ["tanh", "linear"]))
    colours = {trace["line"]["color"] for trace in edge_traces(spec)}
    assert colours == {GREY}
    assert "every weight is 0" in spec["layout"]["meta"]["notes"][-1]


# ---------------------------------------------------------------------------
# Hover text
# ---------------------------------------------------------------------------


def test_hover_carries_value_and_gradient():
    network, gradients = seeded_network([2, 3, 1])
    spec = finite_spec(
        network_diagram_figure(
            network.weights,
            network.biases,
            network.activations,
            grad_weights=gradients.grad_weights,
            grad_biases=gradients.grad_biases,
        )
    )
    targets = trace_named(spec, "weights")
    template = targets["hovertemplate"]
    assert "%{customdata} = %{marker.color" in template
    assert "∂C/∂%{customdata} = %{marker.line.color" in template

    values = np.concatenate([w.ravel() for w in network.weights])
    grads = np.concatenate([g.ravel() for g in gradients.grad_weights])
    np.testing.assert_allclose(
        decode(targets["marker"]["color"]), values, rtol=1e-6, err_msg="hover weight values"
    )
    np.testing.assert_allclose(
        decode(targets["marker"]["line"]["color"]), grads, rtol=1e-6, err_msg="hover gradients"
    )


def test_hover_without_gradients_has_value_only():
    weights, biases, activations = small_network()
    spec = finite_spec(network_diagram_figure(weights, biases, activations))
    template = trace_named(spec, "weights")["hovertemplate"]
    assert "%{customdata} = " in template
    assert "∂C" not in template
    units_hover = trace_named(spec, "units")["hovertext"]
    assert units_hover[0].split("<br>")[1] == "b1[0] = 0.5"
    assert not any("∂C" in text for text in units_hover)


def test_unit_hover_shows_bias_and_activation():
    weights, biases, activations = small_network()
    grad_biases = [np.array([0.125, -2.0, 0.0]), np.array([3.447])]
    grad_weights = [np.zeros((3, 2)), np.zeros((1, 3))]
    spec = finite_spec(
        network_diagram_figure(
            weights, biases, activations, grad_weights=grad_weights, grad_biases=grad_biases
        )
    )
    hover = trace_named(spec, "units")["hovertext"]
    assert hover[0] == "hidden 1, unit 0 (tanh)<br>b1[0] = 0.5<br>∂C/∂b1[0] = 0.125"
    assert hover[3] == "output 0: ŷ (linear)<br>b2[0] = 1<br>∂C/∂b2[0] = 3.447"


def test_targets_invisible_when_dense():
    network, _ = seeded_network([2, 8, 8, 1])
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    targets = trace_named(spec, "weights")
    assert targets["marker"]["opacity"] == 0.0
    assert targets["unselected"]["marker"]["opacity"] == 0.0

    small = finite_spec(network_diagram_figure(*small_network()))
    assert 0.0 < trace_named(small, "weights")["marker"]["opacity"] < 1.0


# ---------------------------------------------------------------------------
# Selection highlight
# ---------------------------------------------------------------------------


def test_selected_weight_outlined():
    weights, biases, activations = small_network()
    spec = finite_spec(network_diagram_figure(weights, biases, activations, selected="W2[0,1]"))
    outline = trace_named(spec, "selected outline: W2[0,1]")
    edge = trace_named(spec, "selected: W2[0,1]")
    heights = unit_heights([2, 3, 1])
    xs = decode(outline["x"]).astype(float)
    ys = decode(outline["y"]).astype(float)
    np.testing.assert_allclose(
        [xs[0], ys[0]], [1.0, heights[1][1]], err_msg="outline start at hidden unit 1"
    )
    np.testing.assert_allclose(
        [xs[-1], ys[-1]], [2.0, heights[2][0]], err_msg="outline end at output unit 0"
    )
    assert outline["line"]["color"] == BLACK
    assert outline["line"]["width"] > edge["line"]["width"]
    assert spec["layout"]["meta"]["selected"] == "W2[0,1]"

    # The overlay is drawn after every edge, so no edge covers it.
    names = [trace["name"] for trace in spec["data"]]
    last_edge = max(index for index, name in enumerate(names) if " edges: " in name)
    assert names.index("selected outline: W2[0,1]") > last_edge


def test_selected_bias_ringed():
    weights, biases, activations = small_network()
    spec = finite_spec(network_diagram_figure(weights, biases, activations, selected="b1[2]"))
    ring = trace_named(spec, "selected: b1[2]")
    heights = unit_heights([2, 3, 1])
    assert decode(ring["x"]).astype(float).tolist() == [1.0]
    np.testing.assert_allclose(decode(ring["y"]).astype(float), [heights[1][2]], err_msg="ring y")
    assert ring["marker"]["color"] == BLACK
    unit_size = trace_named(spec, "units")["marker"]["size"]
    assert ring["marker"]["size"] > unit_size
    assert not any(trace["name"].startswith("selected outline") for trace in spec["data"])


def test_no_selection_no_overlay():
    spec = finite_spec(network_diagram_figure(*small_network()))
    assert not any(trace["name"].startswith("selected") for trace in spec["data"])


# ---------------------------------------------------------------------------
# Non-finite values
# ---------------------------------------------------------------------------


def test_non_finite_gradients_drawn_grey_dashed():
    weights, biases, activations = small_network()
    grad_weights = [
        np.array([[np.inf, 0.5], [-0.3, 0.2], [-0.1, 4.0]]),
        np.array([[0.01, np.nan, -2.0]]),
    ]
    grad_biases = [np.array([0.3, -np.inf, -0.6]), np.array([-0.2])]
    figure = network_diagram_figure(
        weights,
        biases,
        activations,
        grad_weights=grad_weights,
        grad_biases=grad_biases,
        show="gradients",
    )
    spec = finite_spec(figure)
    owners = trace_of_each_edge(spec, [2, 3, 1])
    for name in ("W1[0,0]", "W2[0,1]"):
        line = owners[name]["line"]
        assert line["color"] == GREY, f"{name} colour"
        assert line["dash"] == "dash", f"{name} dash"
    # Each dashed edge is its own segment: a dash pattern drawn back over itself would
    # look solid.
    dashed = [trace for trace in edge_traces(spec) if trace["line"].get("dash") == "dash"]
    assert len(dashed) == 1
    xs = decode(dashed[0]["x"]).tolist()
    assert xs == [0, 1, None, 1, 2, None], f"dashed path x {xs}"

    # The finite maximum, not infinity, sets the widths.
    assert owners["W1[2,1]"]["line"]["width"] == MAX_EDGE_WIDTH
    assert spec["layout"]["meta"]["max_abs_edge"] == 4.0

    targets = trace_named(spec, "weights")
    gradient_text = dict(zip(targets["customdata"], targets["hovertext"]))
    assert gradient_text["W1[0,0]"] == "not finite"
    assert gradient_text["W2[0,1]"] == "not finite"
    assert gradient_text["W1[0,1]"] == "0.5"
    assert "%{hovertext}" in targets["hovertemplate"]

    units = trace_named(spec, "units")
    assert "∂C/∂b1[1] = not finite" in units["hovertext"][1]
    assert "grey dashed: not finite" in spec["layout"]["meta"]["notes"][-1]


def test_non_finite_weights_in_weights_mode():
    weights, biases, activations = small_network()
    weights[0][1, 1] = np.nan
    biases[1][0] = np.inf
    spec = finite_spec(network_diagram_figure(weights, biases, activations))
    owners = trace_of_each_edge(spec, [2, 3, 1])
    assert owners["W1[1,1]"]["line"]["dash"] == "dash"
    targets = trace_named(spec, "weights")
    value_text = dict(zip(targets["customdata"], targets["text"]))
    assert value_text["W1[1,1]"] == "not finite"
    assert "b2[0] = not finite" in trace_named(spec, "units")["hovertext"][3]


def test_values_beyond_float32_use_text():
    weights, biases, activations = small_network()
    weights[1][0, 0] = 1.7e308
    weights[0][0, 0] = 1e-300
    spec = finite_spec(network_diagram_figure(weights, biases, activations))
    targets = trace_named(spec, "weights")
    value_text = dict(zip(targets["customdata"], targets["text"]))
    assert value_text["W2[0,0]"] == "1.7e+308"
    assert value_text["W1[0,0]"] == "1e-300"
    owners = trace_of_each_edge(spec, [2, 3, 1])
    assert owners["W2[0,0]"]["line"]["width"] == MAX_EDGE_WIDTH
    assert owners["W1[0,0]"]["line"]["width"] == MIN_EDGE_WIDTH


# ---------------------------------------------------------------------------
# Labels, captions and marked units
# ---------------------------------------------------------------------------


def test_default_labels():
    network, _ = seeded_network([2, 3, 1])
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    assert trace_named(spec, "inputs")["text"] == ["x1", "x2"]
    assert trace_named(spec, "units")["text"][-1] == "ŷ"

    several, _ = seeded_network([2, 3, 2])
    spec = finite_spec(
        network_diagram_figure(several.weights, several.biases, several.activations)
    )
    assert trace_named(spec, "units")["text"][-2:] == ["ŷ1", "ŷ2"]


def test_given_labels_and_shortening():
    network, _ = seeded_network([2, 3, 1])
    long_name = "average number of rooms per household"
    spec = finite_spec(
        network_diagram_figure(
            network.weights,
            network.biases,
            network.activations,
            feature_names=["income", long_name],
            target_names=["price (k€)"],
        )
    )
    inputs = trace_named(spec, "inputs")
    assert inputs["text"][0] == "income"
    assert inputs["text"][1].endswith("…")
    assert len(inputs["text"][1]) <= diagram.MAX_LABEL_CHARACTERS
    assert inputs["hovertext"][1].startswith(long_name), "hover must show the full name"
    assert trace_named(spec, "units")["text"][-1] == "price (k€)"


def test_layer_captions():
    network, _ = seeded_network([2, 4, 3, 1])
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, ["relu", "tanh", "linear"])
    )
    captions = [a["text"].replace("<br>", " ") for a in spec["layout"]["annotations"]]
    assert captions == ["input", "hidden 1 (relu)", "hidden 2 (tanh)", "output (linear)"]
    assert all(a["font"]["size"] >= 13 for a in spec["layout"]["annotations"])


def test_readable_font_and_fixed_axes():
    spec = finite_spec(network_diagram_figure(*small_network()))
    layout = spec["layout"]
    assert layout["font"]["size"] >= 14
    assert layout["hoverlabel"]["font"]["size"] >= 14
    for axis in ("xaxis", "yaxis"):
        assert layout[axis]["visible"] is False, f"{axis} visible"
        assert layout[axis]["fixedrange"] is True, f"{axis} zoomable"
        assert len(layout[axis]["range"]) == 2, f"{axis} range"


def test_marked_units_drawn_and_noted():
    weights, biases, activations = small_network()
    spec = finite_spec(
        network_diagram_figure(weights, biases, activations, marked_units={(1, 1): "dead"})
    )
    units = trace_named(spec, "units")
    assert units["marker"]["symbol"] == ["circle", "circle-x", "circle", "circle"]
    assert units["marker"]["line"]["color"][1] == BLACK
    assert units["hovertext"][1].endswith("<b>dead</b>")
    assert "dead" not in units["hovertext"][0]
    assert "crossed circle: dead" in spec["layout"]["meta"]["notes"][-1]


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def call_with(**changes):
    weights, biases, activations = small_network()
    arguments = dict(weights=weights, biases=biases, activations=activations)
    arguments.update(changes)
    weights = arguments.pop("weights")
    biases = arguments.pop("biases")
    activations = arguments.pop("activations")
    return network_diagram_figure(weights, biases, activations, **arguments)


GOOD_GRADIENTS = dict(
    grad_weights=[np.zeros((3, 2)), np.zeros((1, 3))], grad_biases=[np.zeros(3), np.zeros(1)]
)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(weights=[]), "weights"),
        (dict(weights=np.zeros((3, 2))), "weights"),
        (dict(weights=[np.zeros((3, 2)), np.zeros((1, 4))]), "weights[1]"),
        (dict(biases=[np.zeros(2), np.zeros(1)]), "biases[0]"),
        (dict(biases=[np.zeros(3)]), "biases"),
        (dict(activations=["tanh"]), "activations"),
        (dict(activations=["tanh", 3]), "activations[1]"),
        (dict(weights=[np.array([["a", "b"]] * 3), np.zeros((1, 3))]), "weights[0]"),
        (dict(show="biases"), "show"),
        (dict(show="gradients"), "grad_weights"),
        (dict(grad_weights=GOOD_GRADIENTS["grad_weights"]), "grad_biases"),
        (dict(grad_biases=GOOD_GRADIENTS["grad_biases"]), "grad_weights"),
        (
            dict(
                grad_weights=[np.zeros((2, 3)), np.zeros((1, 3))],
                grad_biases=GOOD_GRADIENTS["grad_biases"],
            ),
            "grad_weights[0]",
        ),
        (dict(selected="W3[0,0]"), "selected"),
        (dict(selected="W1[0,2]"), "selected"),
        (dict(selected="b1[3]"), "selected"),
        (dict(selected="weight one"), "selected"),
        (dict(selected=7), "selected"),
        (dict(feature_names=["a"]), "feature_names"),
        (dict(feature_names="ab"), "feature_names"),
        (dict(target_names=["a", "b"]), "target_names"),
        (dict(marked_units={(0, 0): "dead"}), "marked_units"),
        (dict(marked_units={(1, 3): "dead"}), "marked_units"),
        (dict(marked_units={(3, 0): "dead"}), "marked_units"),
        (dict(marked_units={1: "dead"}), "marked_units"),
        (dict(marked_units={(1, 0): None}), "marked_units"),
        (dict(marked_units=[(1, 0)]), "marked_units"),
        (dict(height=100), "height"),
        (dict(height=420.5), "height"),
        (dict(height=True), "height"),
    ],
)
def test_invalid_arguments_rejected(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call_with(**changes)


def test_valid_gradients_accepted():
    figure = call_with(show="gradients", **GOOD_GRADIENTS)
    assert isinstance(figure, go.Figure)


def test_inputs_not_modified():
    weights, biases, activations = small_network()
    copies = [w.copy() for w in weights], [b.copy() for b in biases]
    network_diagram_figure(weights, biases, activations, selected="W1[0,0]")
    for before, after in zip(copies[0] + copies[1], weights + biases):
        np.testing.assert_array_equal(after, before, err_msg="a parameter array changed")


# ---------------------------------------------------------------------------
# parameter_name_from_point
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ({"customdata": "W2[0,1]", "curve_number": 3, "point_index": 5}, "W2[0,1]"),
        ({"customdata": "b1[0]"}, "b1[0]"),
        ({"customdata": ["W1[10,3]"]}, "W1[10,3]"),
        ({"customdata": ("b3[2]",)}, "b3[2]"),
        ({"customdata": " b1[0] "}, "b1[0]"),
        ({"customdata": ""}, None),
        ({"customdata": [""]}, None),
        ({"customdata": None}, None),
        ({"curve_number": 0, "point_index": 1}, None),
        ({"customdata": []}, None),
        ({"customdata": ["W1[0,0]", "b1[0]"]}, None),
        ({"customdata": 3}, None),
        ({"customdata": "W1[0]"}, None),
        ({"customdata": "b1[0,1]"}, None),
        ({"customdata": "x1"}, None),
        ({"customdata": "W1[0,0]; drop"}, None),
    ],
)
def test_parameter_name_from_point(point, expected):
    assert parameter_name_from_point(point) == expected


@pytest.mark.parametrize("point", ["W1[0,0]", ["W1[0,0]"], None])
def test_point_must_be_dict(point):
    with pytest.raises(ValueError, match="point must be a dict"):
        parameter_name_from_point(point)


def test_clicked_target_round_trip():
    """Every hover target and unit, read back as a click would, names its parameter."""
    network, _ = seeded_network([2, 3, 2])
    spec = finite_spec(
        network_diagram_figure(network.weights, network.biases, network.activations)
    )
    clicked = []
    for trace_name in ("weights", "units"):
        trace = trace_named(spec, trace_name)
        for index, customdata in enumerate(trace["customdata"]):
            point = {"customdata": customdata, "curve_number": 0, "point_index": index}
            clicked.append(parameter_name_from_point(point))
    assert sorted(clicked) == sorted(network.parameter_names())


# ---------------------------------------------------------------------------
# Random networks
# ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    layer_sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=5),
    seed=st.integers(min_value=0, max_value=10_000),
    show=st.sampled_from(["weights", "gradients"]),
)
def test_random_networks_complete_and_finite(layer_sizes, seed, show):
    network, gradients = seeded_network(layer_sizes, seed)
    figure = network_diagram_figure(
        network.weights,
        network.biases,
        network.activations,
        grad_weights=gradients.grad_weights,
        grad_biases=gradients.grad_biases,
        show=show,
        selected=network.parameter_names()[seed % network.n_parameters],
    )
    spec = finite_spec(figure)
    names = network.parameter_names()
    weight_names = [name for name in names if name.startswith("W")]
    bias_names = [name for name in names if name.startswith("b")]
    assert list(trace_named(spec, "weights")["customdata"]) == weight_names
    assert list(trace_named(spec, "units")["customdata"]) == bias_names
    owners = trace_of_each_edge(spec, layer_sizes)
    assert len(owners) == len(weight_names)
    assert not math.isnan(spec["layout"]["meta"]["max_abs_edge"])
