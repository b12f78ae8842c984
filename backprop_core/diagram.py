"""Plotly figure of a network as a graph: units as nodes, weights as edges.

`network_diagram_figure` draws the layers from left to right. An edge's colour gives the
sign of its weight, or of the weight's gradient, and its width gives the size relative to
the largest edge. `parameter_name_from_point` reads the parameter name back from a point
that the user clicked, so that a page can select a parameter by clicking the diagram.

Coordinates, which callers and tests may rely on: column ``l`` (0 for the input, ``L`` for
the output) is at ``x = l``. Unit ``j`` of a layer with ``n`` units is at
``y = gap * (n - 1 - 2 j)``, rounded to 3 decimals, so unit 0 is at the top and every layer
is centred on ``y = 0``. ``gap`` is 1 for the widest layer, whose units are 2 apart.
Narrower layers spread out with ``gap = min(MAX_UNIT_GAP, max_units / n)``, so that a few
inputs do not bunch together beside a wide hidden layer.

Each edge has a hover target, a marker part of the way along it, whose ``customdata`` is
the weight's name. The targets sit on hidden overlay axes x2 and y2, whose coordinates
are ``TARGET_SCALE`` times the main ones.

This module imports NumPy and Plotly only, never Streamlit. Like the figures in
`backprop_core.charts`, it never puts NaN or infinity into a figure, because browsers
reject them in JSON.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from .charts import BLACK, BLUE, FONT_SIZE, GREY, LIGHT_TEMPLATE, VERMILLION

__all__ = [
    "EDGE_WIDTH_BUCKETS",
    "MAX_EDGE_WIDTH",
    "MAX_UNIT_GAP",
    "MIN_EDGE_WIDTH",
    "TARGET_SCALE",
    "network_diagram_figure",
    "parameter_name_from_point",
]

FloatArray = NDArray[np.float64]

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

#: Line widths in px of the thinnest and the thickest edge.
MIN_EDGE_WIDTH = 0.5
MAX_EDGE_WIDTH = 9.0

#: Edges are grouped into this many widths per sign. Each group is one trace, so a figure
#: has at most ``2 * EDGE_WIDTH_BUCKETS + 2`` edge traces however many weights it shows.
EDGE_WIDTH_BUCKETS = 6

#: Maximum spacing between the units of a narrow layer, in multiples of the spacing of the
#: widest layer.
MAX_UNIT_GAP = 3.0

#: Up to this many weights, the hover targets are drawn as faint rings of
#: ``VISIBLE_TARGET_SIZE`` px that show where to click. With more, thousands of rings
#: would cover the edges, so the targets are invisible and ``INVISIBLE_TARGET_SIZE`` px.
#: With Plotly 7.1 in headless Chromium, a pointer inside the radius of several markers
#: hovered the last of them rather than the nearest, so small targets let the pointer
#: pick among close neighbours. Hover still reaches a point up to 20 px away.
MAX_EDGES_WITH_VISIBLE_TARGETS = 40
VISIBLE_TARGET_SIZE = 12
INVISIBLE_TARGET_SIZE = 6

#: The hover targets' overlay axes measure this many units per unit of the main axes.
TARGET_SCALE = 1000

#: With more weights than this, the thinnest edges are drawn fainter.
DENSE_EDGE_COUNT = 500

#: Input and output labels longer than this are shortened with "…" beside the node. The
#: hover text always shows the full name.
MAX_LABEL_CHARACTERS = 16

#: Lines of the encoding note longer than this are wrapped.
NOTE_LINE_CHARACTERS = 80

MIN_HEIGHT = 200
DEFAULT_HEIGHT = 420
MIN_NODE_SIZE = 6.0
MAX_NODE_SIZE = 28.0

SHOW_OPTIONS = ("weights", "gradients")

NODE_OUTLINE = "#444444"
INPUT_FILL = "#E8E8E8"
NOT_FINITE_FILL = "#BBBBBB"
NOT_FINITE = "not finite"

# Margins in px. The bottom margin contains the two-line layer captions.
TOP_MARGIN_WITHOUT_NOTES = 50
TOP_MARGIN_PER_NOTE_LINE = 20
BOTTOM_MARGIN = 62
SIDE_MARGIN = 16

# Average width of one character as a fraction of the font size. It is an estimate for a
# proportional sans-serif font, used only to make room for the labels in the side margins.
CHARACTER_WIDTH = 0.6

# Hover values travel as float32 to keep the JSON small, which works for finite values
# between the smallest normal float32 and the largest one.
FLOAT32_TINY = float(np.finfo(np.float32).tiny)
FLOAT32_MAX = float(np.finfo(np.float32).max)

PARAMETER_NAME = re.compile(r"(?:W(\d+)\[(\d+),(\d+)\]|b(\d+)\[(\d+)\])")


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _as_float_array(name: str, values: ArrayLike, ndim: int) -> FloatArray:
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must contain numbers, but converting it to float64 failed ({error}). "
            f"Pass a {ndim}-D array of numbers."
        ) from None
    if array.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array, got shape {array.shape}. Pass one array per "
            "layer, as in Network.weights and Network.biases."
        )
    return array


def _check_per_layer_list(name: str, values: object, n_layers: int | None) -> None:
    if isinstance(values, (str, np.ndarray)) or not isinstance(values, Sequence):
        raise ValueError(
            f"{name} must be a list with one entry per layer, got {type(values).__name__}."
        )
    if n_layers is not None and len(values) != n_layers:
        raise ValueError(
            f"{name} must have one entry per layer of weights ({n_layers}), got {len(values)}."
        )


def _validate_layers(
    weights: Sequence[ArrayLike], biases: Sequence[ArrayLike], activations: Sequence[str]
) -> tuple[list[FloatArray], list[FloatArray], list[str]]:
    _check_per_layer_list("weights", weights, None)
    if not weights:
        raise ValueError("weights is empty. Pass one (n_out, n_in) array per layer.")
    _check_per_layer_list("biases", biases, len(weights))
    _check_per_layer_list("activations", activations, len(weights))

    weight_arrays = [_as_float_array(f"weights[{l}]", w, 2) for l, w in enumerate(weights)]
    bias_arrays = [_as_float_array(f"biases[{l}]", b, 1) for l, b in enumerate(biases)]
    for l, (w, b) in enumerate(zip(weight_arrays, bias_arrays)):
        if w.shape[0] < 1 or w.shape[1] < 1:
            raise ValueError(f"weights[{l}] must have at least one row and column, got {w.shape}.")
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"biases[{l}] must have shape ({w.shape[0]},) to match weights[{l}] of shape "
                f"{w.shape}, got {b.shape}."
            )
        if l > 0 and w.shape[1] != weight_arrays[l - 1].shape[0]:
            raise ValueError(
                f"weights[{l}] has {w.shape[1]} columns, but layer {l} has "
                f"{weight_arrays[l - 1].shape[0]} units. Each weights[l] must have shape "
                "(n_out, n_in) with n_in equal to the previous layer's n_out."
            )

    for l, name in enumerate(activations):
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"activations[{l}] must be an activation name such as 'tanh', got {name!r}."
            )
    return weight_arrays, bias_arrays, list(activations)


def _validate_gradients(
    grad_weights: Sequence[ArrayLike] | None,
    grad_biases: Sequence[ArrayLike] | None,
    weights: list[FloatArray],
    biases: list[FloatArray],
) -> tuple[list[FloatArray] | None, list[FloatArray] | None]:
    if grad_weights is None and grad_biases is None:
        return None, None
    if grad_weights is None or grad_biases is None:
        missing = "grad_weights" if grad_weights is None else "grad_biases"
        raise ValueError(
            f"{missing} is missing. Pass grad_weights and grad_biases together, for example "
            "from Network.backward, or neither."
        )

    checked: list[list[FloatArray]] = []
    for name, gradients, parameters, ndim in (
        ("grad_weights", grad_weights, weights, 2),
        ("grad_biases", grad_biases, biases, 1),
    ):
        _check_per_layer_list(name, gradients, len(parameters))
        arrays = [_as_float_array(f"{name}[{l}]", g, ndim) for l, g in enumerate(gradients)]
        for l, (gradient, parameter) in enumerate(zip(arrays, parameters)):
            if gradient.shape != parameter.shape:
                raise ValueError(
                    f"{name}[{l}] must have the shape of its parameter, {parameter.shape}, "
                    f"got {gradient.shape}."
                )
        checked.append(arrays)
    return checked[0], checked[1]


def _validate_labels(
    name: str, labels: Sequence[str] | None, count: int, default_prefix: str
) -> list[str]:
    if labels is None:
        if count == 1 and default_prefix == "ŷ":
            return ["ŷ"]
        return [f"{default_prefix}{index + 1}" for index in range(count)]
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise ValueError(f"{name} must be a list of {count} strings, got {type(labels).__name__}.")
    if len(labels) != count:
        raise ValueError(
            f"{name} must have one name per unit of its layer ({count}), got {len(labels)}: "
            f"{list(labels)!r}."
        )
    return [str(label) for label in labels]


def _validate_marked_units(
    marked_units: Mapping[tuple[int, int], str] | None, layer_sizes: list[int]
) -> dict[tuple[int, int], str]:
    if marked_units is None:
        return {}
    if not isinstance(marked_units, Mapping):
        raise ValueError(
            f"marked_units must be a dict from (layer, unit) to a short note, got "
            f"{type(marked_units).__name__}."
        )
    n_layers = len(layer_sizes) - 1
    checked: dict[tuple[int, int], str] = {}
    for key, note in marked_units.items():
        is_pair_of_ints = (
            isinstance(key, tuple)
            and len(key) == 2
            and all(_is_integer(part) for part in key)
        )
        if not is_pair_of_ints:
            raise ValueError(
                f"marked_units keys must be (layer, unit) pairs of integers, got {key!r}."
            )
        layer, unit = int(key[0]), int(key[1])
        if not 1 <= layer <= n_layers:
            raise ValueError(
                f"marked_units key {key!r} names layer {layer}, but layers are numbered 1 to "
                f"{n_layers}. The input layer is layer 0 and has no units to mark."
            )
        if not 0 <= unit < layer_sizes[layer]:
            raise ValueError(
                f"marked_units key {key!r} names unit {unit}, but layer {layer} has units 0 to "
                f"{layer_sizes[layer] - 1}."
            )
        if not isinstance(note, str):
            raise ValueError(
                f"marked_units[{key!r}] must be a short note such as 'dead', got {note!r}."
            )
        checked[(layer, unit)] = note
    return checked


def _parse_parameter_name(name: str) -> tuple[int, int, int | None] | None:
    """Split ``"W2[0,1]"`` into ``(1, 0, 1)`` and ``"b1[3]"`` into ``(0, 3, None)``.

    The layer comes back 0-based, as an index into ``weights``. Returns None when ``name``
    is not a parameter name.
    """
    match = PARAMETER_NAME.fullmatch(name)
    if match is None:
        return None
    if match.group(1) is not None:
        return int(match.group(1)) - 1, int(match.group(2)), int(match.group(3))
    return int(match.group(4)) - 1, int(match.group(5)), None


def _validate_selected(selected: object, layer_sizes: list[int]) -> str | None:
    if selected is None:
        return None
    parsed = _parse_parameter_name(selected) if isinstance(selected, str) else None
    if parsed is None:
        raise ValueError(
            f"selected must be a parameter name such as 'W2[0,1]' or 'b1[0]', or None, "
            f"got {selected!r}."
        )
    layer, row, column = parsed
    in_range = 0 <= layer < len(layer_sizes) - 1 and 0 <= row < layer_sizes[layer + 1]
    if in_range and column is not None:
        in_range = 0 <= column < layer_sizes[layer]
    if not in_range:
        raise ValueError(
            f"selected is {selected!r}, which is not a parameter of a network with layer "
            f"sizes {layer_sizes}. Pass None or a name from Network.parameter_names()."
        )
    return selected


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_height(height: object) -> int:
    if not _is_integer(height):
        raise ValueError(f"height must be a whole number of px, got {height!r}.")
    if height < MIN_HEIGHT:
        raise ValueError(
            f"height must be at least {MIN_HEIGHT} px so that the units stay readable, "
            f"got {height}."
        )
    return int(height)


# ---------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------


def _unit_positions(layer_sizes: list[int]) -> list[FloatArray]:
    """Return the height of every unit, one array per column, as the module docstring defines."""
    widest = max(layer_sizes)
    positions = []
    for n_units in layer_sizes:
        gap = min(MAX_UNIT_GAP, widest / n_units)
        heights = gap * (n_units - 1 - 2 * np.arange(n_units, dtype=np.float64))
        positions.append(np.round(heights, 3))
    return positions


def _hover_target_fraction(n_out: int) -> FloatArray:
    """Return, for each receiving unit j, how far along its edges the hover target sits.

    Targets at the exact midpoints would coincide wherever two edges cross halfway, as
    W[0,1] and W[1,0] between two 2-unit layers do, and one of the two could then not be
    hovered or clicked. Here the edges into different units have their targets at
    different x, and the edges into one unit leave from different heights, so no two
    targets meet.
    """
    return 0.25 + 0.5 * (np.arange(n_out, dtype=np.float64) + 0.5) / n_out


def _target_coordinates(values: list[float]) -> NDArray[np.int16] | NDArray[np.int32]:
    """Scale hover-target coordinates to the overlay axes and round them to integers.

    int16 takes 2 bytes per value where float32 takes 4, which saves about 28 KB of JSON
    for the 5,216 targets of the 2-32-32-32-32-32-32-1 network. Coordinates too large for
    int16 fall back to int32. A step of 1/TARGET_SCALE is far below a pixel.
    """
    scaled = np.rint(np.asarray(values, dtype=np.float64) * TARGET_SCALE)
    fits_int16 = scaled.size == 0 or float(np.max(np.abs(scaled))) <= np.iinfo(np.int16).max
    return scaled.astype(np.int16 if fits_int16 else np.int32)


def _compact(value: float) -> int | float:
    """Return an integral coordinate as int, so that the JSON contains 3 rather than 3.0."""
    return int(value) if float(value).is_integer() else float(value)


# ---------------------------------------------------------------------------
# Styles
# ---------------------------------------------------------------------------


def _format_value(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else NOT_FINITE


def _max_abs_finite(arrays: list[FloatArray]) -> float:
    largest = [float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0)) for a in arrays]
    return max(largest, default=0.0)


def _edge_width(bucket: int) -> float:
    return MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * bucket / (EDGE_WIDTH_BUCKETS - 1)


def _edge_groups(values: FloatArray, max_abs: float) -> list[tuple[str, int]]:
    """Return the (kind, width bucket) of each value, in ``values.ravel()`` order.

    kind is "positive", "negative", "zero" or "not finite". The bucket is
    ``floor(EDGE_WIDTH_BUCKETS * |value| / max_abs)``, capped at the last bucket, so the
    width never decreases as |value| grows. Zero and non-finite values get bucket 0.
    """
    groups: list[tuple[str, int]] = []
    for value in values.ravel().tolist():
        if not math.isfinite(value):
            groups.append(("not finite", 0))
        elif value == 0.0 or max_abs == 0.0:
            groups.append(("zero", 0))
        else:
            # The ratio comes first: EDGE_WIDTH_BUCKETS * |value| can overflow near 1e308.
            bucket = min(EDGE_WIDTH_BUCKETS - 1, int(EDGE_WIDTH_BUCKETS * (abs(value) / max_abs)))
            groups.append(("positive" if value > 0 else "negative", bucket))
    return groups


def _edge_line_style(kind: str, bucket: int) -> dict[str, object]:
    if kind == "not finite":
        return {"color": GREY, "width": 1.5, "dash": "dash"}
    if kind == "zero":
        return {"color": GREY, "width": MIN_EDGE_WIDTH}
    colour = BLUE if kind == "positive" else VERMILLION
    return {"color": colour, "width": _edge_width(bucket)}


def _edge_opacity(kind: str, bucket: int, n_edges: int) -> float:
    # Thin edges are the many small weights. Fading them keeps a dense network readable,
    # while the large weights, which change the output most, stay solid. Hundreds of thin
    # edges at the usual opacity merge into a grey haze, so a dense network fades them more.
    if kind in ("zero", "not finite"):
        return 0.7
    faintest = 0.35 if n_edges <= DENSE_EDGE_COUNT else 0.15
    return faintest + (0.95 - faintest) * bucket / (EDGE_WIDTH_BUCKETS - 1)


def _fill_colour(value: float, max_abs: float) -> str:
    """Return a unit's fill: the sign's colour mixed with white, stronger for a larger |value|.

    The fill is opaque, so the edges that end at the unit's centre stay hidden.
    """
    if not math.isfinite(value):
        return NOT_FINITE_FILL
    if value == 0.0 or max_abs == 0.0:
        return "#FFFFFF"
    hex_colour = BLUE if value > 0 else VERMILLION
    strength = 0.15 + 0.85 * min(1.0, abs(value) / max_abs)
    channels = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 + (channel - 255) * strength) for channel in channels)
    return "#" + "".join(f"{channel:02X}" for channel in mixed)


def _short_label(label: str) -> str:
    if len(label) <= MAX_LABEL_CHARACTERS:
        return label
    return label[: MAX_LABEL_CHARACTERS - 1] + "…"


def _layer_caption(column: int, n_layers: int, activations: list[str]) -> str:
    if column == 0:
        return "input"
    if column == n_layers:
        return f"output<br>({activations[column - 1]})"
    return f"hidden {column}<br>({activations[column - 1]})"


def _fits_float32(values: FloatArray) -> bool:
    """Return True when float32 keeps every value finite and at full float32 precision."""
    magnitudes = np.abs(values)
    nonzero = magnitudes[magnitudes != 0]
    return bool(
        np.all(np.isfinite(values))
        and np.all(nonzero <= FLOAT32_MAX)
        and np.all(nonzero >= FLOAT32_TINY)
    )


# ---------------------------------------------------------------------------
# Traces
# ---------------------------------------------------------------------------


def _edge_traces(
    edge_values: list[FloatArray], positions: list[FloatArray], max_abs: float, show: str
) -> list[go.Scatter]:
    """Draw every edge, with one trace per (kind, width bucket) instead of one per edge.

    Within a trace, the edges that leave one unit form a star: the path runs from the unit
    to each receiving unit and back, and None ends the star. This needs two points per edge
    instead of the three of separate segments. The edges of the 5,216-weight
    2-32-32-32-32-32-32-1 network took 63 to 80 KB of JSON with seeded random parameters.
    Non-finite edges are dashed, and a dash pattern drawn back over itself would look
    solid, so they get one segment each.
    """
    n_edges = sum(values.size for values in edge_values)
    paths: dict[tuple[str, int], tuple[list[float | None], list[float | None]]] = {}
    for l, values in enumerate(edge_values):
        n_out, n_in = values.shape
        groups = _edge_groups(values, max_abs)
        y_in = [_compact(y) for y in positions[l].tolist()]
        y_out = [_compact(y) for y in positions[l + 1].tolist()]
        for k in range(n_in):
            receivers_by_group: dict[tuple[str, int], list[int]] = {}
            for j in range(n_out):
                receivers_by_group.setdefault(groups[j * n_in + k], []).append(j)
            for group, receivers in receivers_by_group.items():
                xs, ys = paths.setdefault(group, ([], []))
                if group[0] == "not finite":
                    for j in receivers:
                        xs.extend((l, l + 1, None))
                        ys.extend((y_in[k], y_out[j], None))
                    continue
                xs.append(l)
                ys.append(y_in[k])
                for j in receivers:
                    xs.extend((l + 1, l))
                    ys.extend((y_out[j], y_in[k]))
                xs.append(None)
                ys.append(None)

    # Thin groups first, so that wide edges are drawn on top of them.
    kind_order = {"not finite": 0, "zero": 1, "negative": 2, "positive": 3}
    quantity = "weight" if show == "weights" else "gradient"
    traces = []
    for kind, bucket in sorted(paths, key=lambda group: (group[1], kind_order[group[0]])):
        xs, ys = paths[(kind, bucket)]
        line = _edge_line_style(kind, bucket)
        label = kind if kind in ("zero", "not finite") else f"{kind}, {line['width']:.1f} px"
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=f"{quantity} edges: {label}",
                # Line simplification drops points that Plotly judges redundant. It is off
                # as a precaution, because every turning point of a star path is an edge end.
                line={**line, "simplify": False},
                opacity=_edge_opacity(kind, bucket, n_edges),
                hoverinfo="skip",
                meta={"kind": kind, "width_bucket": bucket},
            )
        )
    return traces


def _hover_target_trace(
    weights: list[FloatArray], grad_weights: list[FloatArray] | None, positions: list[FloatArray]
) -> go.Scatter:
    """Place one hover and click target on every edge, in ``Network.parameter_names()`` order.

    The targets sit on the hidden overlay axes x2 and y2, whose coordinates are
    ``TARGET_SCALE`` times those of the main axes, so that they travel as int16.

    ``customdata`` is the parameter name. The hover label is assembled in the browser by
    the hovertemplate, because full per-point strings would about double the JSON of the
    2-32-32-32-32-32-32-1 network. The value and the gradient travel as float32 in
    ``marker.color`` and ``marker.line.color``, whose one-colour scales keep every target
    looking the same. When a value is not finite, or float32 would distort it, both travel
    as strings in ``text`` and ``hovertext`` instead.
    """
    xs, ys, names = [], [], []
    for l, w in enumerate(weights):
        n_out, n_in = w.shape
        fraction = _hover_target_fraction(n_out)
        for j in range(n_out):
            y_target = (1 - fraction[j]) * positions[l] + fraction[j] * positions[l + 1][j]
            xs.extend([l + fraction[j]] * n_in)
            ys.extend(y_target.tolist())
            names.extend(f"W{l + 1}[{j},{k}]" for k in range(n_in))

    # Row-major ravel gives the order of parameter_names: W[j,k] with k varying fastest.
    values = np.concatenate([w.ravel() for w in weights])
    gradients = None if grad_weights is None else np.concatenate([g.ravel() for g in grad_weights])
    arrays = [values] if gradients is None else [values, gradients]
    visible = values.size <= MAX_EDGES_WITH_VISIBLE_TARGETS
    opacity = 0.4 if visible else 0.0
    marker: dict[str, object] = {
        "size": VISIBLE_TARGET_SIZE if visible else INVISIBLE_TARGET_SIZE,
        "opacity": opacity,
        "color": "#FFFFFF",
        "line": {"color": NODE_OUTLINE, "width": 1},
    }
    text = hovertext = None
    if all(_fits_float32(array) for array in arrays):
        marker["color"] = values.astype(np.float32)
        marker["colorscale"] = [[0.0, "#FFFFFF"], [1.0, "#FFFFFF"]]
        template = "%{customdata} = %{marker.color:.4~g}"
        if gradients is not None:
            marker["line"] = {
                "color": gradients.astype(np.float32),
                "colorscale": [[0.0, NODE_OUTLINE], [1.0, NODE_OUTLINE]],
                "width": 1,
            }
            template += "<br>∂C/∂%{customdata} = %{marker.line.color:.4~g}"
    else:
        text = [_format_value(value) for value in values.tolist()]
        template = "%{customdata} = %{text}"
        if gradients is not None:
            hovertext = [_format_value(value) for value in gradients.tolist()]
            template += "<br>∂C/∂%{customdata} = %{hovertext}"

    return go.Scatter(
        x=_target_coordinates(xs),
        y=_target_coordinates(ys),
        xaxis="x2",
        yaxis="y2",
        mode="markers",
        name="weights",
        customdata=names,
        text=text,
        hovertext=hovertext,
        hovertemplate=template + "<extra></extra>",
        marker=marker,
        # Plotly dims the points that a click did not select. The targets keep their look
        # instead, and the page shows the choice by passing it back as `selected`.
        selected={"marker": {"opacity": opacity}},
        unselected={"marker": {"opacity": opacity}},
    )


def _input_trace(
    positions: FloatArray, feature_names: list[str], node_size: float, show_labels: bool
) -> go.Scatter:
    hover = [
        f"{name}<br>input {k}, sent to every unit j of layer 1 through W1[j,{k}]"
        for k, name in enumerate(feature_names)
    ]
    return go.Scatter(
        x=[0] * len(feature_names),
        y=positions,
        mode="markers+text" if show_labels else "markers",
        name="inputs",
        text=[_short_label(name) for name in feature_names] if show_labels else None,
        textposition="middle left",
        textfont={"size": FONT_SIZE},
        customdata=[""] * len(feature_names),
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "symbol": "square",
            "size": node_size,
            "color": INPUT_FILL,
            "line": {"color": NODE_OUTLINE, "width": 1.5},
        },
        selected={"marker": {"opacity": 1.0}},
        unselected={"marker": {"opacity": 1.0}},
        # Nodes at the edge of the plot and their labels reach into the margins.
        cliponaxis=False,
    )


def _unit_trace(
    biases: list[FloatArray],
    grad_biases: list[FloatArray] | None,
    fill_values: list[FloatArray],
    positions: list[FloatArray],
    activations: list[str],
    target_names: list[str],
    marked_units: dict[tuple[int, int], str],
    node_size: float,
    show_output_labels: bool,
) -> go.Scatter:
    """Draw every hidden and output unit, with its bias name as ``customdata``."""
    n_layers = len(biases)
    max_abs = _max_abs_finite(fill_values)
    xs, ys, names, hover, fills, labels, is_marked = [], [], [], [], [], [], []
    for l, b in enumerate(biases):
        layer = l + 1
        for j in range(b.size):
            name = f"b{layer}[{j}]"
            if layer == n_layers:
                heading = f"output {j}: {target_names[j]} ({activations[l]})"
                labels.append(_short_label(target_names[j]) if show_output_labels else "")
            else:
                heading = f"hidden {layer}, unit {j} ({activations[l]})"
                labels.append("")
            lines = [heading, f"{name} = {_format_value(float(b[j]))}"]
            if grad_biases is not None:
                lines.append(f"∂C/∂{name} = {_format_value(float(grad_biases[l][j]))}")
            note = marked_units.get((layer, j))
            if note is not None:
                lines.append(f"<b>{note}</b>")

            xs.append(layer)
            ys.append(float(positions[layer][j]))
            names.append(name)
            hover.append("<br>".join(lines))
            fills.append(_fill_colour(float(fill_values[l][j]), max_abs))
            is_marked.append(note is not None)

    outline: dict[str, object] = {"color": NODE_OUTLINE, "width": 1.5}
    symbol: str | list[str] = "circle"
    if any(is_marked):
        # Per-unit lists only when a unit is marked, because they add JSON for every unit.
        symbol = ["circle-x" if marked else "circle" for marked in is_marked]
        outline = {
            "color": [BLACK if marked else NODE_OUTLINE for marked in is_marked],
            "width": [3.0 if marked else 1.5 for marked in is_marked],
        }
    return go.Scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        name="units",
        text=labels,
        textposition="middle right",
        textfont={"size": FONT_SIZE},
        customdata=names,
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        marker={"symbol": symbol, "size": node_size, "color": fills, "line": outline},
        selected={"marker": {"opacity": 1.0}},
        unselected={"marker": {"opacity": 1.0}},
        cliponaxis=False,
    )


def _selected_weight_traces(
    selected: str, edge_values: list[FloatArray], positions: list[FloatArray], max_abs: float
) -> list[go.Scatter]:
    """Outline the selected edge in black and ring its hover target."""
    layer, row, column = _parse_parameter_name(selected)
    kind, bucket = _edge_groups(np.array([edge_values[layer][row, column]]), max_abs)[0]
    line = _edge_line_style(kind, bucket)
    fraction = float(_hover_target_fraction(edge_values[layer].shape[0])[row])
    y_in, y_out = float(positions[layer][column]), float(positions[layer + 1][row])
    xs = [layer, layer + fraction, layer + 1]
    ys = [y_in, (1 - fraction) * y_in + fraction * y_out, y_out]
    return [
        # A black line wider than the edge, under the edge drawn again at full opacity,
        # gives the selected edge a black outline.
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name=f"selected outline: {selected}",
            line={"color": BLACK, "width": float(line["width"]) + 5},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            name=f"selected: {selected}",
            line={**line, "width": max(1.5, float(line["width"]))},
            # Only the middle point, the edge's hover target, gets a ring.
            marker={
                "symbol": "circle-open",
                "size": [0, VISIBLE_TARGET_SIZE + 8, 0],
                "color": BLACK,
                "line": {"width": 3},
            },
            hoverinfo="skip",
        ),
    ]


def _selected_bias_trace(
    selected: str, positions: list[FloatArray], node_size: float
) -> go.Scatter:
    """Ring the unit whose bias is selected."""
    layer, row, _ = _parse_parameter_name(selected)
    return go.Scatter(
        x=[layer + 1],
        y=[float(positions[layer + 1][row])],
        mode="markers",
        name=f"selected: {selected}",
        marker={
            "symbol": "circle-open",
            "size": node_size + 14,
            "color": BLACK,
            "line": {"width": 3},
        },
        hoverinfo="skip",
        cliponaxis=False,
    )


# ---------------------------------------------------------------------------
# Notes and layout
# ---------------------------------------------------------------------------


def _top_margin(n_note_lines: int) -> int:
    return TOP_MARGIN_WITHOUT_NOTES + TOP_MARGIN_PER_NOTE_LINE * n_note_lines


def _encoding_notes(
    show: str, marked_units: dict[tuple[int, int], str], has_not_finite: bool, all_zero: bool
) -> list[str]:
    """Return the legend as text: what colour, width and fill mean, and what is marked."""
    if show == "weights":
        notes = ["blue: positive, orange: negative, width: size of the weight"]
        details = ["node colour: bias b", "squares: inputs"]
    else:
        notes = ["blue: positive, orange: negative, width: size of the gradient ∂C/∂w"]
        details = ["node colour: gradient ∂C/∂b", "squares: inputs"]
    if marked_units:
        details.append(f"crossed circle: {', '.join(sorted(set(marked_units.values())))}")
    if has_not_finite:
        details.append("grey dashed: not finite")
    if all_zero:
        details.append(f"every {'weight' if show == 'weights' else 'gradient'} is 0")
    notes.append("; ".join(details))
    return notes


def _apply_layout(
    figure: go.Figure,
    *,
    show: str,
    notes: list[str],
    layer_sizes: list[int],
    activations: list[str],
    side_labels: tuple[list[str], list[str]],
    y_extent: float,
    node_size: float,
    height: int,
    meta: dict[str, object],
) -> None:
    note_lines = [line for note in notes for line in textwrap.wrap(note, NOTE_LINE_CHARACTERS)]
    n_columns = len(layer_sizes)
    captions = [
        {
            "x": column,
            "y": 0.0,
            "xref": "x",
            "yref": "paper",
            "yanchor": "top",
            "yshift": -4,
            "text": _layer_caption(column, n_columns - 1, activations),
            "showarrow": False,
            "font": {"size": FONT_SIZE - 1, "color": "#333333"},
        }
        for column in range(n_columns)
    ]
    left_labels, right_labels = side_labels
    label_px = CHARACTER_WIDTH * FONT_SIZE
    left_margin = SIDE_MARGIN + node_size / 2 + label_px * max(map(len, left_labels), default=0)
    right_margin = SIDE_MARGIN + node_size / 2 + label_px * max(map(len, right_labels), default=0)

    x_range = [-0.15, n_columns - 1 + 0.15]
    y_range = [-y_extent - 1.0, y_extent + 1.0]
    figure.update_layout(
        template=LIGHT_TEMPLATE,
        height=height,
        font={"size": FONT_SIZE},
        showlegend=False,
        annotations=captions,
        hovermode="closest",
        hoverlabel={"bgcolor": "#FFFFFF", "bordercolor": NODE_OUTLINE, "font": {"size": FONT_SIZE}},
        title={
            "text": "Weights and biases" if show == "weights" else "Gradients of the cost",
            "x": 0.0,
            "xanchor": "left",
            "xref": "paper",
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
            "font": {"size": FONT_SIZE + 3},
            "subtitle": {
                "text": "<br>".join(note_lines),
                "font": {"size": FONT_SIZE - 1, "color": "#444444"},
            },
        },
        margin={
            "l": round(left_margin),
            "r": round(right_margin),
            "t": _top_margin(len(note_lines)),
            "b": BOTTOM_MARGIN,
        },
        # Fixed ranges with room for the nodes, and no zoom, so the drawing never moves.
        xaxis={"visible": False, "fixedrange": True, "range": x_range},
        yaxis={"visible": False, "fixedrange": True, "range": y_range},
        # The hover targets' axes, over the main ones with every coordinate scaled.
        xaxis2={
            "visible": False,
            "fixedrange": True,
            "overlaying": "x",
            "range": [TARGET_SCALE * limit for limit in x_range],
        },
        yaxis2={
            "visible": False,
            "fixedrange": True,
            "overlaying": "y",
            "range": [TARGET_SCALE * limit for limit in y_range],
        },
        meta={**meta, "notes": notes},
    )


# ---------------------------------------------------------------------------
# Figure
# ---------------------------------------------------------------------------


def network_diagram_figure(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike],
    activations: Sequence[str],
    *,
    grad_weights: Sequence[ArrayLike] | None = None,
    grad_biases: Sequence[ArrayLike] | None = None,
    show: str = "weights",
    selected: str | None = None,
    feature_names: Sequence[str] | None = None,
    target_names: Sequence[str] | None = None,
    marked_units: Mapping[tuple[int, int], str] | None = None,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the diagram of a network, with its weights or their gradients on the edges.

    The input layer is on the left and the output layer on the right. Each edge is one
    weight: blue when the shown value is positive, vermillion when it is negative and grey
    when it is 0. Its width grows with |value| / max |value| over all edges, in
    `EDGE_WIDTH_BUCKETS` steps from 0.5 to 9 px. A non-finite value is drawn as a grey
    dashed edge, and its hover text reads "not finite". Each unit's fill shows its bias (or
    the bias gradient) in the same colours, a stronger shade for a larger size.

    Parameters
    ----------
    weights : list of array_like
        ``weights[l]`` has shape ``(n_out, n_in)``, so row j is unit j's incoming weights.
    biases : list of array_like
        ``biases[l]`` has shape ``(n_out,)``.
    activations : sequence of str
        ``activations[l]`` is the activation name of layer l+1, shown in the captions and
        in the hover text of its units.
    grad_weights, grad_biases : list of array_like or None, default None
        ∂C/∂weights and ∂C/∂biases with the shapes of ``weights`` and ``biases``, for
        example from `Network.backward`. Pass both or neither. When given, every hover
        text shows the gradient below the value.
    show : {"weights", "gradients"}, default "weights"
        What the edge colour and width and the unit fill encode. "gradients" needs
        ``grad_weights`` and ``grad_biases``.
    selected : str or None, default None
        A parameter name such as ``"W2[0,1]"`` or ``"b1[0]"``. That edge gets a black
        outline and a ring, or that unit gets a black ring.
    feature_names : sequence of str or None, default None
        One label per input, ``(n_features,)``. The default is x1, x2, ...
    target_names : sequence of str or None, default None
        One label per output, ``(n_outputs,)``. The default is ŷ, or ŷ1, ŷ2, ... when
        there are several outputs.
    marked_units : dict of (int, int) to str, or None, default None
        Units to mark, keyed by ``(layer, j)`` with layers numbered from 1 as in ``W1``,
        so the output layer is ``len(weights)``. A marked unit is drawn as a crossed circle
        with a black outline. Its note, such as ``"dead"``, appears in its hover text and
        in the figure's legend text.
    height : int, default 420
        Figure height in px, at least 200.

    Returns
    -------
    go.Figure
        The traces, in drawing order:

        * the edge groups, named "weight edges: ..." or "gradient edges: ...";
        * for a selected weight, "selected outline: W..." and "selected: W...";
        * "weights", one hover target per weight with the parameter name as
          ``customdata``, in `Network.parameter_names` order, on the overlay axes x2 and
          y2 whose coordinates are `TARGET_SCALE` times the main ones;
        * "inputs", with ``customdata`` "";
        * "units", with the bias name as ``customdata``, ``b1[0]`` first;
        * for a selected bias, "selected: b...", a ring round its unit.

        ``layout.meta`` records ``show``, ``selected``, ``layer_sizes``, ``max_abs_edge``
        and the ``notes`` of the subtitle.

    Raises
    ------
    ValueError
        If the shapes do not chain, or a gradient is missing or misshapen. Also if ``show``
        is not an option, ``selected`` is not a parameter of this network, a label list has
        the wrong length, a marked unit does not exist, or ``height`` is below 200.
    """
    # --- validate ---
    weights_, biases_, activation_names = _validate_layers(weights, biases, activations)
    grad_weights_, grad_biases_ = _validate_gradients(grad_weights, grad_biases, weights_, biases_)
    if show not in SHOW_OPTIONS:
        raise ValueError(f"show must be 'weights' or 'gradients', got {show!r}.")
    if show == "gradients" and grad_weights_ is None:
        raise ValueError(
            "show='gradients' needs grad_weights and grad_biases. Pass them, for example "
            "from Network.backward, or use show='weights'."
        )
    layer_sizes = [weights_[0].shape[1], *(w.shape[0] for w in weights_)]
    selected = _validate_selected(selected, layer_sizes)
    feature_labels = _validate_labels("feature_names", feature_names, layer_sizes[0], "x")
    target_labels = _validate_labels("target_names", target_names, layer_sizes[-1], "ŷ")
    marked = _validate_marked_units(marked_units, layer_sizes)
    height = _check_height(height)

    # --- what the edges and fills encode ---
    edge_values = grad_weights_ if show == "gradients" else weights_
    fill_values = grad_biases_ if show == "gradients" else biases_
    max_abs = _max_abs_finite(edge_values)
    has_not_finite = any(not np.all(np.isfinite(v)) for v in edge_values + fill_values)
    notes = _encoding_notes(show, marked, has_not_finite, max_abs == 0.0 and not has_not_finite)

    # --- sizes in px, estimated from the height ---
    positions = _unit_positions(layer_sizes)
    y_extent = max(float(np.max(np.abs(y))) for y in positions)
    y_span = 2 * y_extent + 2.0
    px_per_y = (height - _top_margin(len(notes)) - BOTTOM_MARGIN) / y_span
    # Labels need about one font height each. Closer than that they would overlap, so
    # they are left to the hover text.
    spacing_px = [(float(y[0] - y[1]) if y.size > 1 else y_span) * px_per_y for y in positions]
    show_input_labels = spacing_px[0] >= FONT_SIZE + 2
    show_output_labels = spacing_px[-1] >= FONT_SIZE + 2
    if not (show_input_labels and show_output_labels):
        notes[-1] += "; hover a node for its name"
    # The widest layer's units are 2 apart in y, and a node takes up to 70 % of that.
    node_size = float(np.clip(0.7 * 2 * px_per_y, MIN_NODE_SIZE, MAX_NODE_SIZE))

    # --- traces, in drawing order ---
    figure = go.Figure()
    figure.add_traces(_edge_traces(edge_values, positions, max_abs, show))
    if selected is not None and selected.startswith("W"):
        figure.add_traces(_selected_weight_traces(selected, edge_values, positions, max_abs))
    figure.add_trace(_hover_target_trace(weights_, grad_weights_, positions))
    figure.add_trace(_input_trace(positions[0], feature_labels, node_size, show_input_labels))
    figure.add_trace(
        _unit_trace(
            biases_,
            grad_biases_,
            fill_values,
            positions,
            activation_names,
            target_labels,
            marked,
            node_size,
            show_output_labels,
        )
    )
    if selected is not None and selected.startswith("b"):
        figure.add_trace(_selected_bias_trace(selected, positions, node_size))

    # --- layout ---
    _apply_layout(
        figure,
        show=show,
        notes=notes,
        layer_sizes=layer_sizes,
        activations=activation_names,
        side_labels=(
            [_short_label(name) for name in feature_labels] if show_input_labels else [],
            [_short_label(name) for name in target_labels] if show_output_labels else [],
        ),
        y_extent=y_extent,
        node_size=node_size,
        height=height,
        meta={
            "chart": "network_diagram",
            "show": show,
            "selected": selected,
            "layer_sizes": layer_sizes,
            "max_abs_edge": max_abs,
        },
    )
    return figure


# ---------------------------------------------------------------------------
# Selection events
# ---------------------------------------------------------------------------


def parameter_name_from_point(point: Mapping[str, object]) -> str | None:
    """Return the parameter name of one clicked point of the diagram, or None.

    Parameters
    ----------
    point : dict
        One entry of the ``"points"`` list of a Plotly selection event, as Streamlit's
        ``st.plotly_chart(..., on_select="rerun")`` returns it, with keys such as
        ``"customdata"``, ``"curve_number"`` and ``"point_index"``.

    Returns
    -------
    str or None
        The name, such as ``"W2[0,1]"`` or ``"b1[0]"``, when the point's ``customdata``
        is one, either as a string or as a one-element list. None for an input node, a
        point without customdata, or customdata that is not a parameter name.

    Raises
    ------
    ValueError
        If ``point`` is not a dict.
    """
    if not isinstance(point, Mapping):
        raise ValueError(
            f"point must be a dict from the selection event's 'points' list, got "
            f"{type(point).__name__}. Pass one entry of event.selection.points."
        )
    customdata = point.get("customdata")
    # A row of 2-D customdata arrives as a list, so a one-element list is unwrapped.
    if isinstance(customdata, (list, tuple)):
        if len(customdata) != 1:
            return None
        customdata = customdata[0]
    if not isinstance(customdata, str):
        return None
    name = customdata.strip()
    return name if _parse_parameter_name(name) is not None else None
