"""Plotly figures for the training views: cost, fit, and parameter trajectories.

Every builder is a pure function: it takes NumPy arrays or plain values and returns a
``plotly.graph_objects.Figure``. This module imports NumPy and Plotly only, never Streamlit.

Two rules hold for every figure built here:

* No NaN or infinity reaches the figure, because browsers reject them in JSON. Non-finite
  values are dropped, and the figure's subtitle states how many were dropped.
* Long series are downsampled for display, so the figure JSON stays small however long the
  history is. The caller keeps the exact values; downsampling only changes what is drawn.

The colours are the Okabe-Ito palette, which stays distinguishable under the common forms
of colour blindness. Its yellow is left out because it has too little contrast on white.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_MAX_POINTS",
    "SCATTERGL_MIN_POINTS",
    "MAX_LEGEND_ENTRIES",
    "cost_figure",
    "default_parameters_shown",
    "downsample_indices",
    "downsample_min_max",
    "fit_figure_1d",
    "fit_figure_scatter",
    "parameter_names",
    "presenter_style",
    "weight_trajectory_figure",
]

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

#: Maximum number of points drawn per trace unless the caller passes another limit.
DEFAULT_MAX_POINTS = 2000

#: Traces with more points than this use WebGL (``go.Scattergl``) instead of SVG, because
#: SVG slows down with many thousands of points.
SCATTERGL_MIN_POINTS = 5000

#: With more selected parameters than this, the weight figure hides its legend.
MAX_LEGEND_ENTRIES = 30

#: Points per line that the Train page draws in the weights and gradient charts. With 20 weight
#: lines and the other two charts, one update stays under 300 KB of figure data at any history
#: length.
WEIGHT_POINTS_PER_LINE = 250
GRADIENT_POINTS_PER_LINE = 700

#: Total number of points shared by all traces of the weight figure. With 100 traces of
#: 100,000 steps each, this gives 100 points per trace and about 207 KB of figure JSON
#: (measured with random-walk values and Plotly 7.1).
WEIGHT_FIGURE_POINT_BUDGET = 10_000

BLUE = "#0072B2"
VERMILLION = "#D55E00"
BLUISH_GREEN = "#009E73"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#7F7F7F"

# Okabe-Ito without yellow. Lines repeat the colours with a new dash pattern each cycle,
# so 21 lines are distinct before any style repeats.
LINE_COLOURS = (BLUE, VERMILLION, BLUISH_GREEN, ORANGE, SKY_BLUE, REDDISH_PURPLE, BLACK)
LINE_DASHES = ("solid", "dash", "dot")

FONT_SIZE = 15
DEFAULT_HEIGHT = 400

_LIGHT_AXIS = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "ticks": "",
    "title": {"standoff": 15},
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
    "automargin": True,
}

#: The look of Plotly's "plotly_white" template: white backgrounds and light grey grid and zero
#: lines, with the Okabe-Ito colours as the default colour sequence. Naming "plotly_white" on a
#: figure makes Plotly copy and check its whole template, which cost about 8 ms per figure
#: (Plotly 7.1) and 8 KB of JSON, so this reuses one small template with only the layout part.
LIGHT_TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"align": "left"},
        "colorway": list(LINE_COLOURS),
        "xaxis": _LIGHT_AXIS,
        "yaxis": _LIGHT_AXIS,
    }
)

# Subtitle lines longer than this are wrapped. At the subtitle's 13 px font, 56 characters
# take roughly 360 px, which fits a chart in one of two columns on a 1280 px wide screen.
NOTE_LINE_CHARACTERS = 56


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _as_1d_float(name: str, values: ArrayLike) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must contain numbers; converting it to float64 failed ({error}). "
            "Pass a 1-D array of numbers."
        ) from None
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D; got an array of shape {array.shape}. "
            "Pass one value per point, for example with .ravel() when there is one column."
        )
    return array


def _as_steps(name: str, values: ArrayLike) -> NDArray[np.int64]:
    array = _as_1d_float(name, values)
    invalid = ~np.isfinite(array) | (array != np.round(array)) | (array < 0)
    if invalid.any():
        index = int(np.flatnonzero(invalid)[0])
        raise ValueError(
            f"{name} must contain whole, non-negative step counts; got {array[index]!r} "
            f"at index {index}. Pass the number of steps taken at each recorded point."
        )
    if array.size > 1 and np.any(np.diff(array) < 0):
        index = int(np.flatnonzero(np.diff(array) < 0)[0]) + 1
        raise ValueError(
            f"{name} must be non-decreasing; got {array[index]!r} at index {index} after "
            f"{array[index - 1]!r}. Pass the history in the order it was recorded."
        )
    return array.astype(np.int64)


def _check_same_length(names: Sequence[str], arrays: Sequence[np.ndarray]) -> None:
    lengths = [len(array) for array in arrays]
    if len(set(lengths)) > 1:
        listed = ", ".join(f"{name} has {length}" for name, length in zip(names, lengths))
        raise ValueError(
            f"{', '.join(names)} must have the same length; {listed}. "
            "Pass one value per example or recorded point in each."
        )


def _check_count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(
            f"{name} must be an integer; got {value!r} of type {type(value).__name__}. "
            f"Pass an int of at least {minimum}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}. Pass a larger value.")
    return int(value)


# ---------------------------------------------------------------------------
# Downsampling (display only)
# ---------------------------------------------------------------------------


def downsample_indices(n: int, max_points: int) -> NDArray[np.int64]:
    """Choose at most ``max_points`` evenly spaced indices into a series of length ``n``.

    Parameters
    ----------
    n : int
        Length of the series, at least 0.
    max_points : int
        Maximum number of indices to return, at least 2 so that both ends fit.

    Returns
    -------
    NDArray[np.int64], shape (k,)
        Sorted, unique indices with ``k <= min(n, max_points)``. They include 0 and ``n - 1``
        whenever ``n >= 1``. When ``n <= max_points`` every index is returned.

    Raises
    ------
    ValueError
        If ``n`` is negative or ``max_points`` is less than 2, or either is not an integer.
    """
    n = _check_count("n", n, 0)
    max_points = _check_count("max_points", max_points, 2)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)

    # Here n > max_points, so the spacing (n - 1) / (max_points - 1) exceeds 1 and rounding
    # cannot map two positions to one index. np.unique is a guard, not a correction.
    positions = np.linspace(0, n - 1, max_points)
    return np.unique(np.rint(positions).astype(np.int64))


def _min_max_indices(y: NDArray[np.float64], max_points: int) -> NDArray[np.int64]:
    n = y.size
    if n <= max_points:
        return np.arange(n, dtype=np.int64)

    # The first and last points are always kept. The interior is cut into equal buckets,
    # and each bucket contributes its smallest and its largest value.
    n_buckets = (max_points - 2) // 2
    if n_buckets == 0:
        return np.array([0, n - 1], dtype=np.int64)
    interior = y[1:-1]
    bucket_size = -(-interior.size // n_buckets)
    # Recount the buckets so that padding fills less than one bucket and none is empty.
    n_buckets = -(-interior.size // bucket_size)
    padding = n_buckets * bucket_size - interior.size

    for_min = np.concatenate([interior, np.full(padding, np.inf)]).reshape(n_buckets, bucket_size)
    for_max = np.concatenate([interior, np.full(padding, -np.inf)]).reshape(n_buckets, bucket_size)
    bucket_starts = np.arange(n_buckets) * bucket_size
    minima = bucket_starts + np.argmin(for_min, axis=1)
    maxima = bucket_starts + np.argmax(for_max, axis=1)

    kept_indices = np.concatenate([[0], 1 + minima, 1 + maxima, [n - 1]])
    return np.unique(kept_indices.astype(np.int64))


def downsample_min_max(
    x: ArrayLike, y: ArrayLike, max_points: int
) -> tuple[np.ndarray, NDArray[np.float64]]:
    """Downsample a series for display, keeping its first and last points and its extremes.

    The points between the first and the last are split into ``(max_points - 2) // 2``
    buckets of consecutive points. Each bucket keeps its minimum and its maximum, so spikes
    and dips stay visible, and the global minimum and maximum are always kept.

    Parameters
    ----------
    x : array_like, shape (n,)
        Horizontal positions, for example step counts. Their dtype is kept.
    y : array_like, shape (n,)
        Values to downsample. They must all be finite, so filter NaN and infinity first.
    max_points : int
        Maximum number of points to return, at least 2.

    Returns
    -------
    x_kept : ndarray, shape (k,)
        The kept positions, in their original order, with ``k <= min(n, max_points)``.
    y_kept : NDArray[np.float64], shape (k,)
        The kept values.

    Raises
    ------
    ValueError
        If ``x`` and ``y`` differ in length, ``y`` has a non-finite value, or ``max_points``
        is less than 2.
    """
    max_points = _check_count("max_points", max_points, 2)
    x_array = np.asarray(x)
    if x_array.ndim != 1:
        raise ValueError(f"x must be 1-D; got an array of shape {x_array.shape}.")
    y_array = _as_1d_float("y", y)
    _check_same_length(("x", "y"), (x_array, y_array))
    if not np.all(np.isfinite(y_array)):
        index = int(np.flatnonzero(~np.isfinite(y_array))[0])
        raise ValueError(
            f"y must be finite; got {y_array[index]!r} at index {index}. "
            "Drop non-finite points before downsampling."
        )

    kept_indices = _min_max_indices(y_array, max_points)
    return x_array[kept_indices], y_array[kept_indices]


def _scatter_trace_class(n_points: int) -> type[go.Scatter] | type[go.Scattergl]:
    return go.Scattergl if n_points > SCATTERGL_MIN_POINTS else go.Scatter


# ---------------------------------------------------------------------------
# Layout shared by every figure
# ---------------------------------------------------------------------------


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {word}"


def wrapped_notes(notes: Sequence[str], width: int = NOTE_LINE_CHARACTERS) -> list[str]:
    """Wrap notes into subtitle lines of at most ``width`` characters.

    Plotly does not wrap titles. The default width fits a chart in one of two columns.
    """
    return [line for note in notes for line in textwrap.wrap(note, width)]


def title_layout(title: str, note_lines: Sequence[str]) -> dict:
    """Return the layout's title: ``title`` at the top left, ``note_lines`` below it in grey."""
    return {
        "text": title,
        "x": 0.0,
        "xanchor": "left",
        "xref": "paper",
        "y": 1.0,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 12},
        "font": {"size": FONT_SIZE + 3},
        "subtitle": {"text": "<br>".join(note_lines), "font": {"size": FONT_SIZE - 2, "color": "#555555"}},
    }


def _apply_layout(
    figure: go.Figure,
    *,
    chart: str,
    title: str,
    x_title: str,
    y_title: str,
    notes: Sequence[str],
    height: int,
    meta: dict[str, object],
    legend_at_bottom: bool = True,
    extra: dict | None = None,
) -> None:
    """Set the title, notes, fonts, margins and legend that every figure here shares.

    ``notes`` go into the subtitle, one per line. They state what the figure leaves out, such
    as dropped non-finite values or a downsampled history. ``extra`` contains the figure's own
    layout settings as nested dictionaries, merged in last, so the layout is set only once.
    """
    # Plotly does not wrap titles, so long notes are wrapped here to fit a half-width column.
    note_lines = wrapped_notes(notes)
    top_margin = 60 + 20 * len(note_lines)
    settings: dict = {
        "template": LIGHT_TEMPLATE,
        "height": height,
        # Dark text and 14 px ticks stay readable on a projector.
        "font": {"size": FONT_SIZE, "color": "#222222"},
        "xaxis": {"tickfont": {"size": FONT_SIZE - 1, "color": "#333333"}, "title": {"text": x_title}},
        "yaxis": {"tickfont": {"size": FONT_SIZE - 1, "color": "#333333"}, "title": {"text": y_title}},
        "title": title_layout(title, note_lines),
        "hovermode": "closest",
        "meta": {"chart": chart, "title": title, "notes": list(notes), **meta},
    }
    if legend_at_bottom:
        # The legend sits in the bottom margin below the x-axis title, so it never covers data.
        settings["margin"] = {"l": 80, "r": 30, "t": top_margin, "b": 100}
        # Plotly hides the legend of a one-trace figure by default. Here it stays, so that the
        # legend does not appear and vanish as traces come and go.
        settings["showlegend"] = True
        settings["legend"] = {
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 0.0,
            "yref": "container",
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE - 1},
        }
    else:
        settings["margin"] = {"l": 80, "r": 30, "t": top_margin, "b": 70}
    _update_layout(figure, _merged(settings, extra or {}))


def _update_layout(figure: go.Figure, settings: dict) -> None:
    """Merge ``settings`` into the figure's layout, as ``update_layout`` does, but faster.

    Plotly checks every property of a nested ``update_layout`` one by one, which took about
    15 ms per figure here (Plotly 7.1). Assigning the whole merged layout at once checks it in
    about 3 ms. ``settings`` uses nested dictionaries, not Plotly's underscore paths.
    """
    figure.layout = _merged(figure.layout.to_plotly_json(), settings)


def _merged(base: dict, update: dict) -> dict:
    """Return ``base`` with ``update`` merged in, nested dictionaries key by key."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------


def cost_figure(
    steps: ArrayLike,
    costs: ArrayLike,
    *,
    current_step: int,
    current_cost: float,
    log_scale: bool = False,
    divergence_step: int | None = None,
    cost_label: str = "cost",
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the line chart of the cost against the number of steps taken.

    Parameters
    ----------
    steps : array_like of int, shape (n,)
        Number of steps already taken when each cost was measured, non-decreasing. The
        point at step 0 is the initial cost. ``n`` may be 0.
    costs : array_like of float, shape (n,)
        Cost at each recorded point, ``C = (1/n_samples) * sum((y_hat - y)**2)`` over every
        example and output. Non-finite values are dropped and counted in the subtitle.
    current_step : int
        Step count of the "now" marker.
    current_cost : float
        Cost of the "now" marker. A non-finite value hides the marker and adds a note.
    log_scale : bool, default False
        Draw the y axis on a log scale. Costs that are zero or negative cannot be drawn on
        it, so they are dropped and counted in the subtitle.
    divergence_step : int or None, default None
        Step at which training stopped because it diverged. It is drawn as a vertical
        dashed line with the label "training stopped: diverged".
    cost_label : str, default "cost"
        Name of the curve in the legend and hover text. With the default the y axis
        is titled "cost (mean squared error)", otherwise it is titled ``cost_label``, so
        put the units in it, for example ``"cost (standardised units)"``.
    max_points : int, default 2000
        Maximum number of history points drawn, chosen by :func:`downsample_min_max`.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Figure with the trace ``cost_label`` (absent when no point can be drawn) and the
        trace "now" (absent when the current point cannot be drawn).
    """
    steps_array = _as_steps("steps", steps)
    costs_array = _as_1d_float("costs", costs)
    _check_same_length(("steps", "costs"), (steps_array, costs_array))
    current_step = _check_count("current_step", current_step, 0)
    max_points = _check_count("max_points", max_points, 2)
    if not isinstance(current_cost, (int, float, np.integer, np.floating)) or isinstance(
        current_cost, bool
    ):
        raise ValueError(
            f"current_cost must be a number; got {current_cost!r} of type "
            f"{type(current_cost).__name__}."
        )
    if divergence_step is not None:
        divergence_step = _check_count("divergence_step", divergence_step, 0)

    notes: list[str] = []
    n_recorded = costs_array.size

    # Drop what the browser or the axis cannot draw, and note each drop in the subtitle.
    finite = np.isfinite(costs_array)
    if not finite.all():
        notes.append(f"{_plural(int((~finite).sum()), 'non-finite value')} not shown.")
    drawable = finite
    if log_scale:
        non_positive = finite & (costs_array <= 0)
        if non_positive.any():
            notes.append(
                f"{_plural(int(non_positive.sum()), 'zero or negative value')} not shown "
                "on the log scale."
            )
        drawable = finite & (costs_array > 0)
    shown_steps, shown_costs = downsample_min_max(
        steps_array[drawable], costs_array[drawable], max_points
    )
    if shown_costs.size < int(drawable.sum()):
        notes.append(
            f"Showing {shown_costs.size:,} of {int(drawable.sum()):,} points "
            "(each stretch keeps its min and max)."
        )

    figure = go.Figure()

    # History line. Short histories also get markers, so that a single point is visible.
    if shown_costs.size > 0:
        line_class = _scatter_trace_class(shown_costs.size)
        figure.add_trace(
            line_class(
                x=shown_steps,
                y=shown_costs,
                name=cost_label,
                mode="lines+markers" if shown_costs.size <= 60 else "lines",
                line={"color": BLUE, "width": 2.5},
                marker={"color": BLUE, "size": 6},
                hovertemplate=f"step %{{x}}<br>{cost_label} %{{y:.5g}}<extra></extra>",
            )
        )

    # Current point.
    current_note = _add_now_marker(figure, current_step, float(current_cost), log_scale, cost_label)
    if current_note:
        notes.append(current_note)

    if divergence_step is not None:
        # The explanation goes into the subtitle: a label beside the line would collide
        # with the "now" marker, which sits at the same step, or be cut off at the left edge.
        figure.add_vline(
            x=divergence_step,
            line={"color": VERMILLION, "dash": "dash", "width": 2},
        )
        notes.append(f"Dashed line: training stopped: diverged after step {divergence_step}.")

    if not figure.data:
        notes.append("Nothing to draw yet.")

    # A fixed x range keeps the "now" marker and the divergence line off the plot's edge,
    # and keeps the view steady when Streamlit redraws the chart after each step.
    x_max = current_step
    if shown_steps.size:
        x_max = max(x_max, int(shown_steps[-1]))
    if divergence_step is not None:
        x_max = max(x_max, divergence_step)
    # Early in training the axis spans at least 10 steps, so the ticks stay whole numbers.
    x_max = max(x_max, 10)
    x_padding = 0.03 * x_max
    _apply_layout(
        figure,
        chart="cost",
        title="Cost during training",
        x_title="step",
        y_title="cost (mean squared error)" if cost_label == "cost" else cost_label,
        notes=notes,
        height=height,
        meta={"points_total": int(n_recorded), "points_shown": int(shown_costs.size)},
        extra={
            "yaxis": {"type": "log" if log_scale else "linear"},
            "xaxis": {"range": [-x_padding, x_max + x_padding]},
        },
    )
    return figure


def _add_now_marker(
    figure: go.Figure, step: int, cost: float, log_scale: bool, cost_label: str
) -> str | None:
    """Add the "now" marker and its label, or return a note that states why it is missing."""
    if not np.isfinite(cost):
        return f"The current {cost_label} is not finite ({cost}), so it is not marked."
    if log_scale and cost <= 0:
        return (
            f"The current {cost_label} ({cost:.5g}) is zero or negative, "
            "so the log scale cannot mark it."
        )

    figure.add_trace(
        go.Scatter(
            x=[step],
            y=[cost],
            name="now",
            mode="markers",
            cliponaxis=False,
            marker={
                "color": VERMILLION,
                "size": 14,
                "symbol": "diamond",
                "line": {"color": "white", "width": 1.5},
            },
            hovertemplate=f"now: step %{{x}}<br>{cost_label} %{{y:.5g}}<extra></extra>",
        )
    )
    # The label is an annotation rather than trace text, so it gets a background that keeps it
    # readable over a noisy line. Annotations on a log axis take log10 of the value.
    figure.add_annotation(
        x=step,
        y=np.log10(cost) if log_scale else cost,
        text="now",
        showarrow=True,
        arrowhead=0,
        arrowcolor=VERMILLION,
        ax=0,
        ay=-32,
        font={"color": VERMILLION, "size": FONT_SIZE},
        bgcolor="rgba(255, 255, 255, 0.85)",
    )
    return None


# ---------------------------------------------------------------------------
# Fit of the network to the data
# ---------------------------------------------------------------------------


def _as_single_output(name: str, values: ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{name} must have shape (n_samples,) or (n_samples, 1); got {array.shape}. "
            "For a network with several outputs, pass one output column at a time."
        )
    return array


def fit_figure_1d(
    x: ArrayLike,
    y_expected: ArrayLike,
    y_predicted: ArrayLike,
    curve_x: ArrayLike,
    curve_y: ArrayLike,
    *,
    x_label: str,
    y_label: str,
    max_examples: int = 1000,
    height: int = DEFAULT_HEIGHT,
    reachable: tuple[float, float] | None = None,
) -> go.Figure:
    """Build the chart of the examples and the network's prediction for one input feature.

    ``reachable``, if given, is the interval of y (original units) that the output activation
    can produce at all, such as (0, 1) mapped back from a sigmoid. The chart shades it. An infinite
    end is drawn to the edge of the chart.

    All values are in the original units of the data, so the caller undoes any scaling.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_samples, 1)
        The input feature of each example.
    y_expected : array_like, shape (n_samples,) or (n_samples, 1)
        The target of each example.
    y_predicted : array_like, shape (n_samples,) or (n_samples, 1)
        The network's output for each example.
    curve_x : array_like, shape (n_curve,)
        Inputs at which the prediction curve was evaluated, about 200 of them. They are
        sorted here if they are not sorted already.
    curve_y : array_like, shape (n_curve,)
        The network's output at each ``curve_x``.
    x_label, y_label : str
        Axis titles, including units, for example ``"area (m²)"``.
    max_examples : int, default 1000
        Maximum number of examples drawn. Above it an evenly spaced subset is drawn,
        because the residual trace is stored as plain JSON numbers and grows quickly.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Traces in drawing order: "prediction error" (one vertical segment per
        example, separated by ``None``), "prediction curve", "expected" and "predicted".
        A trace with nothing finite to draw is left out.
    """
    x_array = _as_single_output("x", x)
    expected = _as_single_output("y_expected", y_expected)
    predicted = _as_single_output("y_predicted", y_predicted)
    _check_same_length(("x", "y_expected", "y_predicted"), (x_array, expected, predicted))
    curve_x_array = _as_1d_float("curve_x", curve_x)
    curve_y_array = _as_1d_float("curve_y", curve_y)
    _check_same_length(("curve_x", "curve_y"), (curve_x_array, curve_y_array))
    max_examples = _check_count("max_examples", max_examples, 2)

    notes: list[str] = []
    n_examples = x_array.size

    # Subset of examples to draw.
    shown_indices = downsample_indices(n_examples, max_examples)
    if shown_indices.size < n_examples:
        notes.append(f"Showing {shown_indices.size:,} of {n_examples:,} examples, evenly spaced.")
    x_shown = x_array[shown_indices]
    expected_shown = expected[shown_indices]
    predicted_shown = predicted[shown_indices]

    # Non-finite filtering, per trace, so that one bad prediction hides only its own marks.
    expected_ok = np.isfinite(x_shown) & np.isfinite(expected_shown)
    predicted_ok = np.isfinite(x_shown) & np.isfinite(predicted_shown)
    segment_ok = expected_ok & predicted_ok
    curve_ok = np.isfinite(curve_x_array) & np.isfinite(curve_y_array)
    n_dropped_examples = int((~segment_ok).sum())
    if n_dropped_examples:
        notes.append(f"{_plural(n_dropped_examples, 'example')} with non-finite values not shown.")
    n_dropped_curve = int((~curve_ok).sum())
    if n_dropped_curve:
        notes.append(f"{_plural(n_dropped_curve, 'curve point')} with non-finite values not shown.")

    figure = go.Figure()

    # Residuals: one trace, each segment (x, expected) -> (x, predicted) followed by None.
    n_segments = int(segment_ok.sum())
    if n_segments:
        segment_x: list[float | None] = []
        segment_y: list[float | None] = []
        for x_value, expected_value, predicted_value in zip(
            x_shown[segment_ok].tolist(),
            expected_shown[segment_ok].tolist(),
            predicted_shown[segment_ok].tolist(),
        ):
            segment_x.extend((x_value, x_value, None))
            segment_y.extend((expected_value, predicted_value, None))
        figure.add_trace(
            _scatter_trace_class(len(segment_x))(
                x=segment_x,
                y=segment_y,
                name="prediction error",
                mode="lines",
                line={"color": GREY, "width": 1},
                hoverinfo="skip",
            )
        )

    # Prediction curve over the input range.
    if curve_ok.any():
        order = np.argsort(curve_x_array[curve_ok], kind="stable")
        figure.add_trace(
            _scatter_trace_class(int(curve_ok.sum()))(
                x=curve_x_array[curve_ok][order],
                y=curve_y_array[curve_ok][order],
                name="prediction curve",
                mode="lines",
                line={"color": VERMILLION, "width": 2.5},
                hovertemplate=f"{x_label} %{{x:.4g}}<br>prediction %{{y:.4g}}<extra></extra>",
            )
        )

    # Examples: expected as blue circles, predicted as vermillion diamonds on top.
    if expected_ok.any():
        figure.add_trace(
            _scatter_trace_class(int(expected_ok.sum()))(
                x=x_shown[expected_ok],
                y=expected_shown[expected_ok],
                name="expected",
                mode="markers",
                marker={"color": BLUE, "size": 9, "symbol": "circle", "opacity": 0.85},
                hovertemplate=f"{x_label} %{{x:.4g}}<br>expected %{{y:.4g}}<extra></extra>",
            )
        )
    if predicted_ok.any():
        figure.add_trace(
            _scatter_trace_class(int(predicted_ok.sum()))(
                x=x_shown[predicted_ok],
                y=predicted_shown[predicted_ok],
                name="predicted",
                mode="markers",
                marker={
                    "color": VERMILLION,
                    "size": 8,
                    "symbol": "diamond",
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate=f"{x_label} %{{x:.4g}}<br>predicted %{{y:.4g}}<extra></extra>",
            )
        )

    if not figure.data:
        notes.append("Nothing to draw yet.")

    if reachable is not None:
        low, high = sorted(reachable)
        finite_y = np.concatenate([expected[np.isfinite(expected)], predicted[np.isfinite(predicted)]])
        span_low = float(finite_y.min()) if finite_y.size else 0.0
        span_high = float(finite_y.max()) if finite_y.size else 1.0
        band_low = low if np.isfinite(low) else min(span_low, high) - 1.0
        band_high = high if np.isfinite(high) else max(span_high, low) + 1.0
        figure.add_hrect(
            y0=band_low, y1=band_high, fillcolor=SKY_BLUE, opacity=0.15, line_width=0, layer="below"
        )
        notes.append(f"Shaded: the only outputs the output activation can reach, {low:.4g} to {high:.4g}.")

    _apply_layout(
        figure,
        chart="fit_1d",
        title="Network prediction and the data",
        x_title=x_label,
        y_title=y_label,
        notes=notes,
        height=height,
        meta={"examples_total": int(n_examples), "residual_segments": n_segments},
    )
    return figure


def fit_figure_scatter(
    y_expected: ArrayLike,
    y_predicted: ArrayLike,
    *,
    target_label: str,
    max_examples: int = DEFAULT_MAX_POINTS,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the chart of predicted against expected values, with the line y = x.

    Points on the dashed line y = x are predicted exactly. Both axes get the same range,
    which spans the expected and the predicted values, so distances read the same way on
    both.

    Parameters
    ----------
    y_expected : array_like, shape (n_samples,) or (n_samples, 1)
        The target of each example.
    y_predicted : array_like, shape (n_samples,) or (n_samples, 1)
        The network's output for each example.
    target_label : str
        Name of the target with units, for example ``"price (k€)"``. The axes are titled
        "expected <target_label>" and "predicted <target_label>".
    max_examples : int, default 2000
        Maximum number of examples drawn. Above it an evenly spaced subset is drawn.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Traces "perfect prediction (y = x)" and "examples". Both are left out when no
        example is finite.
    """
    expected = _as_single_output("y_expected", y_expected)
    predicted = _as_single_output("y_predicted", y_predicted)
    _check_same_length(("y_expected", "y_predicted"), (expected, predicted))
    max_examples = _check_count("max_examples", max_examples, 2)

    notes: list[str] = []
    n_examples = expected.size

    shown_indices = downsample_indices(n_examples, max_examples)
    if shown_indices.size < n_examples:
        notes.append(f"Showing {shown_indices.size:,} of {n_examples:,} examples, evenly spaced.")
    expected_shown, predicted_shown = expected[shown_indices], predicted[shown_indices]
    finite = np.isfinite(expected_shown) & np.isfinite(predicted_shown)
    if not finite.all():
        notes.append(f"{_plural(int((~finite).sum()), 'example')} with non-finite values not shown.")
    expected_shown, predicted_shown = expected_shown[finite], predicted_shown[finite]

    figure = go.Figure()
    axis_range: list[float] | None = None
    if expected_shown.size:
        low = float(min(expected_shown.min(), predicted_shown.min()))
        high = float(max(expected_shown.max(), predicted_shown.max()))
        # Pad the range by 5 % on each side. When all values are equal there is no span to
        # take 5 % of, so pad by a unit-sized amount around the value instead.
        span = high - low
        padding = 0.05 * span if span > 0 else max(1.0, abs(low)) * 0.5
        axis_range = [low - padding, high + padding]

        figure.add_trace(
            go.Scatter(
                x=axis_range,
                y=axis_range,
                name="perfect prediction (y = x)",
                mode="lines",
                line={"color": GREY, "dash": "dash", "width": 1.5},
                hoverinfo="skip",
            )
        )
        figure.add_trace(
            _scatter_trace_class(expected_shown.size)(
                x=expected_shown,
                y=predicted_shown,
                name="examples",
                mode="markers",
                marker={"color": BLUE, "size": 8, "opacity": 0.8},
                hovertemplate="expected %{x:.4g}<br>predicted %{y:.4g}<extra></extra>",
            )
        )
    else:
        notes.append("Nothing to draw yet.")

    _apply_layout(
        figure,
        chart="fit_scatter",
        title="Predicted against expected",
        x_title=f"expected {target_label}",
        y_title=f"predicted {target_label}",
        notes=notes,
        height=height,
        meta={"examples_total": int(n_examples), "examples_shown": int(expected_shown.size)},
        extra={} if axis_range is None else {"xaxis": {"range": axis_range}, "yaxis": {"range": axis_range}},
    )
    return figure


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def parameter_names(layer_sizes: Sequence[int]) -> list[str]:
    """List the display name of every parameter in the canonical flat order.

    For each layer ``L`` (1-based, ``weights[L - 1]``), the names are all ``W{L}[j,k]`` in
    row-major order (``j`` = neuron of layer ``L``, ``k`` = input), then all ``b{L}[j]``.
    This is the order of ``concatenate([weights[0].ravel(), biases[0], weights[1].ravel(),
    ...])``.

    Parameters
    ----------
    layer_sizes : sequence of int
        Width of each layer, input layer first, at least two entries, each at least 1.

    Returns
    -------
    list of str
        ``sum(n_out * n_in + n_out)`` names over consecutive pairs ``(n_in, n_out)``.
        For ``[1, 2, 1]``: ``["W1[0,0]", "W1[1,0]", "b1[0]", "b1[1]", "W2[0,0]",
        "W2[0,1]", "b2[0]"]``.

    Raises
    ------
    ValueError
        If ``layer_sizes`` has fewer than two entries or an entry that is not a positive
        integer.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes must have at least 2 entries (inputs and outputs); got {sizes!r}."
        )
    for index, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(
                f"layer_sizes must contain positive integers; got {size!r} at index {index} "
                f"in {sizes!r}."
            )

    names: list[str] = []
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        names.extend(f"W{layer}[{j},{k}]" for j in range(n_out) for k in range(n_in))
        names.extend(f"b{layer}[{j}]" for j in range(n_out))
    return names


def default_parameters_shown(names: Sequence[str]) -> list[str]:
    """Choose the parameters the weight chart draws by default.

    Every parameter of a network with at most 20, else the first three weights and the first
    bias of each layer. ``names`` are display names such as ``W1[0,0]`` and ``b2[0]``.
    """
    if len(names) <= 20:
        return list(names)
    shown: list[str] = []
    layers = sorted({name.split("[")[0][1:] for name in names}, key=int)
    for layer in layers:
        shown += [name for name in names if name.startswith(f"W{layer}[")][:3]
        shown += [name for name in names if name.startswith(f"b{layer}[")][:1]
    return shown


def weight_trajectory_figure(
    steps: ArrayLike,
    values: ArrayLike,
    names: Sequence[str],
    *,
    selected: Sequence[str] | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the chart of how each selected weight and bias changes over the steps.

    Parameters
    ----------
    steps : array_like of int, shape (m,)
        Step count of each recorded row, non-decreasing.
    values : array_like of float, shape (m, p)
        Column ``i`` is parameter ``names[i]`` over time. Non-finite values are dropped and
        counted in the subtitle.
    names : sequence of str, length p
        Display names such as ``"W1[0,1]"`` and ``"b2[0]"``, for example from
        :func:`parameter_names`. They must be unique.
    selected : sequence of str or None, default None
        Names to draw. None draws every parameter. Traces and legend follow the order of
        ``names``, whatever the order of ``selected``.
    max_points : int, default 2000
        Maximum number of points per line. With many lines each gets fewer, so that all
        lines together stay within about 10,000 points and the JSON stays small.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        One trace per selected name, named after it. The colour cycles through the palette
        and the dash pattern changes each cycle. With more than 30 lines the legend is
        hidden and the subtitle explains how to pick a few.

    Raises
    ------
    ValueError
        If the shapes disagree, names repeat, or ``selected`` contains an unknown name.
    """
    steps_array = _as_steps("steps", steps)
    try:
        values_array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"values must contain numbers; converting it to float64 failed ({error}). "
            "Pass an array of shape (m, p)."
        ) from None
    if values_array.ndim != 2:
        raise ValueError(
            f"values must have shape (m, p), one row per recorded step; got {values_array.shape}."
        )
    name_list = [str(name) for name in names]
    if values_array.shape != (steps_array.size, len(name_list)):
        raise ValueError(
            f"values must have shape (len(steps), len(names)) = ({steps_array.size}, "
            f"{len(name_list)}); got {values_array.shape}."
        )
    if len(set(name_list)) != len(name_list):
        repeated = sorted({name for name in name_list if name_list.count(name) > 1})
        raise ValueError(f"names must be unique; these repeat: {repeated}.")
    max_points = _check_count("max_points", max_points, 2)

    if selected is None:
        columns = list(range(len(name_list)))
    else:
        requested = {str(name) for name in selected}
        unknown = sorted(requested - set(name_list))
        if unknown:
            raise ValueError(
                f"selected contains names that are not in names: {unknown}. "
                f"Choose from names such as {name_list[:4]}."
            )
        columns = [index for index, name in enumerate(name_list) if name in requested]

    notes: list[str] = []
    points_per_line = max_points
    if columns:
        points_per_line = max(2, min(max_points, WEIGHT_FIGURE_POINT_BUDGET // len(columns)))

    traces: list[dict] = []
    n_non_finite = 0
    n_downsampled = 0
    for position, column in enumerate(columns):
        name = name_list[column]
        column_values = values_array[:, column]
        finite = np.isfinite(column_values)
        n_non_finite += int((~finite).sum())
        line_steps, line_values = downsample_min_max(
            steps_array[finite], column_values[finite], points_per_line
        )
        if line_values.size < int(finite.sum()):
            n_downsampled += 1

        traces.append(
            {
                "type": "scattergl" if line_values.size > SCATTERGL_MIN_POINTS else "scatter",
                "x": line_steps,
                "y": line_values,
                "name": name,
                "mode": "lines+markers" if line_values.size <= 60 else "lines",
                "line": {
                    "color": LINE_COLOURS[position % len(LINE_COLOURS)],
                    "dash": LINE_DASHES[(position // len(LINE_COLOURS)) % len(LINE_DASHES)],
                    "width": 2,
                },
                "marker": {"size": 5},
                "hovertemplate": "%{fullData.name}<br>step %{x}<br>value %{y:.5g}<extra></extra>",
            }
        )
    # One figure built from all traces at once is checked by Plotly far faster than traces
    # added one by one (about 1 ms against 16 ms for 20 lines, Plotly 7.1).
    figure = go.Figure(data=traces)

    # Notes, in the order a reader needs them.
    if not columns:
        notes.append("No parameter selected. Pick one or more names to draw them.")
    if n_non_finite:
        notes.append(f"{_plural(n_non_finite, 'non-finite value')} not shown.")
    if n_downsampled:
        notes.append(
            f"Each line shows at most {points_per_line:,} of {steps_array.size:,} steps "
            "(each stretch keeps its min and max)."
        )
    show_legend = 0 < len(columns) <= MAX_LEGEND_ENTRIES
    if len(columns) > MAX_LEGEND_ENTRIES:
        notes.append(
            f"Legend hidden for {len(columns)} lines. Select {MAX_LEGEND_ENTRIES} or fewer "
            "to see it, or hover a line for its name."
        )

    _apply_layout(
        figure,
        chart="weight_trajectory",
        title="Weights and biases during training",
        x_title="step",
        y_title="parameter value",
        notes=notes,
        height=height,
        meta={"parameters_shown": len(columns), "steps_total": int(steps_array.size)},
        legend_at_bottom=False,
        extra={
            "showlegend": show_legend,
            "legend": {"title": {"text": "parameter"}, "font": {"size": FONT_SIZE - 1}},
        },
    )
    return figure


# ---------------------------------------------------------------------------
# Gradient health
# ---------------------------------------------------------------------------


def gradient_norms_figure(
    steps: ArrayLike,
    norms: ArrayLike,
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Draw each layer's gradient size per step on a log scale.

    Parameters
    ----------
    steps : array_like
        Step numbers, shape ``(n_steps,)``.
    norms : array_like
        ``norms[i, l]`` is √(‖∂C/∂W‖² + ‖∂C/∂b‖²) of layer l+1 at step i, shape
        ``(n_steps, n_layers)``. Zero, negative and non-finite sizes cannot be drawn on a log
        scale; they are left out and counted in the subtitle.

    Returns
    -------
    go.Figure
        One line per layer, named "layer 1", "layer 2", ... When the lines of early layers lie
        far below those of later ones, gradients vanish on their way back.
    """
    steps_array = _as_steps("steps", steps)
    norms_array = np.asarray(norms, dtype=np.float64)
    if norms_array.ndim != 2 or norms_array.shape[0] != steps_array.size:
        raise ValueError(
            f"norms must have shape (n_steps, n_layers) with n_steps = {steps_array.size}, "
            f"got {norms_array.shape}."
        )
    figure = go.Figure()
    notes: list[str] = []
    n_layers = norms_array.shape[1]
    for layer in range(n_layers):
        column = norms_array[:, layer]
        drawable = np.isfinite(column) & (column > 0)
        dropped = int((~drawable).sum())
        if dropped:
            notes.append(f"Layer {layer + 1}: {_plural(dropped, 'step')} with a zero or non-finite gradient not shown.")
        if not drawable.any():
            continue
        shown = downsample_indices(int(drawable.sum()), max_points)
        figure.add_trace(
            _scatter_trace_class(shown.size)(
                x=steps_array[drawable][shown],
                y=column[drawable][shown],
                mode="lines",
                name=f"layer {layer + 1}",
                line={"color": LINE_COLOURS[layer % len(LINE_COLOURS)], "width": 2.5},
                hovertemplate=f"layer {layer + 1}<br>step %{{x}}<br>gradient size %{{y:.3g}}<extra></extra>",
            )
        )
    if not figure.data:
        notes.append("Nothing to draw yet: take a step.")
    _apply_layout(
        figure,
        chart="gradient_norms",
        title="Gradient size per layer",
        x_title="step",
        y_title="gradient size (log scale)",
        notes=notes,
        height=height,
        meta={"n_layers": n_layers},
        extra={"yaxis": {"type": "log"}},
    )
    return figure


# ---------------------------------------------------------------------------
# Presenter style
# ---------------------------------------------------------------------------

#: Factors of the presenter style: fonts and margins, marker sizes, and line widths.
PRESENTER_FONT_SCALE = 1.4
PRESENTER_MARKER_SCALE = 1.5
PRESENTER_LINE_SCALE = 2.0
PRESENTER_MIN_LINE_WIDTH = 4.0

# Greys for axis lines, grid and zero lines. They are darker than the plotly_white template's
# #EBF0F8, and the traces keep their Okabe-Ito colours.
PRESENTER_AXIS_LINE_COLOUR = "#444444"
PRESENTER_GRID_COLOUR = "#BBBBBB"
PRESENTER_ZERO_LINE_COLOUR = GREY

# Plotly.js defaults, used where a figure leaves a value unset: scatter line width, shape
# line width, annotation arrow width, figure height and margins, all in px.
_PLOTLY_LINE_WIDTH = 2.0
_PLOTLY_ARROW_WIDTH = 1.0
_PLOTLY_HEIGHT = 450
_PLOTLY_MARGINS = {"l": 80, "r": 80, "t": 100, "b": 80}
_SLIDER_GAP = 20

_SCATTER_TYPES = ("scatter", "scattergl")


def presenter_style(figure: go.Figure) -> go.Figure:
    """Restyle a copy of a figure for projection in a large room.

    The input figure is not changed. In the copy:

    * every font size set in the figure is multiplied by 1.4, and the base font, when unset,
      becomes ``1.4 * FONT_SIZE`` = 21 px. Text without its own size (tick labels, axis
      titles, legends) inherits the larger base font, and titles scale from it.
    * scatter lines (``Scatter`` and ``Scattergl``) are twice as wide, at least 4 px, where
      a width of 0 (no line) stays 0. In the network diagram, where the edge widths encode
      the size of each weight, widths are only doubled, so thin edges stay thinner than
      thick ones. Contour lines, shape lines and annotation arrows are twice as wide too.
    * scatter marker sizes and marker outlines are 1.5 times as large.
    * Cartesian axes that are visible get a dark axis line and a darker, thicker grid and
      zero line.
    * the margins, the title's padding, the gap above sliders and the pixel offsets of
      annotations grow by 1.4. The height grows by as much as the top and bottom margins,
      so the plot area keeps its height. The network diagram's plot area grows by 1.5 as
      well, because its node sizes were chosen from the pixel distance between units.
    * traces inside animation frames get the same line widths, marker sizes and fonts,
      wherever the frame sets them. Frames that leave them unset keep the styled values
      of the figure's traces.

    Colours, colour scales, data, ranges and ``meta`` stay as they are, except that a dict
    ``meta`` gains ``"presenter": True``. Applying the style twice enlarges everything
    twice.

    Parameters
    ----------
    figure : go.Figure
        Any figure, for example from `cost_figure`, `backprop_core.diagram` or
        `backprop_core.landscape_charts`.

    Returns
    -------
    go.Figure
        A new, restyled figure.

    Raises
    ------
    ValueError
        If ``figure`` is not a ``plotly.graph_objects.Figure``.
    """
    if not isinstance(figure, go.Figure):
        raise ValueError(
            f"figure must be a plotly.graph_objects.Figure; got {type(figure).__name__}. "
            "Pass the figure that a chart builder returned."
        )
    styled = go.Figure(figure)
    meta = styled.layout.meta
    width_encodes_data = isinstance(meta, dict) and meta.get("chart") == "network_diagram"

    for trace in styled.data:
        _style_trace(trace, width_encodes_data, fill_defaults=True)
    for frame in styled.frames:
        for trace in frame.data:
            _style_trace(trace, width_encodes_data, fill_defaults=False)
        if frame.layout is not None:
            _scale_fonts(frame.layout)
            _style_annotations_and_shapes(frame.layout)

    _scale_fonts(styled.layout)
    if styled.layout.font.size is None:
        styled.layout.font.size = _scaled_size(FONT_SIZE, PRESENTER_FONT_SCALE)
    _style_annotations_and_shapes(styled.layout)
    _style_axes(styled)
    _grow_margins(styled, width_encodes_data)
    if isinstance(meta, dict):
        styled.layout.meta = {**meta, "presenter": True}
    return styled


def _scaled_size(size: object, factor: float) -> object:
    """Multiply a size, or each size of an array of sizes, keeping None and non-numbers."""
    if isinstance(size, bool) or size is None:
        return size
    if isinstance(size, (int, float, np.integer, np.floating)):
        return round(float(size) * factor, 2)
    if isinstance(size, np.ndarray) and size.dtype.kind in "iuf":
        return np.round(size.astype(np.float64) * factor, 2)
    if isinstance(size, (list, tuple)):
        return [_scaled_size(item, factor) for item in size]
    return size


def _line_width(width: float | None, width_encodes_data: bool, fill_default: bool) -> float | None:
    """Return the presenter width of a scatter line, or None to leave it unset."""
    if width is None:
        if not fill_default:
            return None
        width = _PLOTLY_LINE_WIDTH
    if width == 0:
        return 0.0
    doubled = float(width) * PRESENTER_LINE_SCALE
    return doubled if width_encodes_data else max(doubled, PRESENTER_MIN_LINE_WIDTH)


def _style_trace(trace: object, width_encodes_data: bool, *, fill_defaults: bool) -> None:
    """Widen the lines and enlarge the markers and fonts of one trace, in place.

    With ``fill_defaults`` an unset line width or marker size gets the presenter value of
    Plotly's default. Frame traces leave them unset, so they keep the figure trace's values.
    """
    trace_type = trace.type
    _scale_fonts(trace)

    if trace_type in _SCATTER_TYPES:
        mode = trace.mode
        draws_lines = mode is None or "lines" in mode or trace.fill not in (None, "none")
        trace.line.width = _line_width(
            trace.line.width, width_encodes_data, fill_defaults and draws_lines
        )
        marker = trace.marker
        if marker.size is not None:
            marker.size = _scaled_size(marker.size, PRESENTER_MARKER_SCALE)
        elif fill_defaults and mode is not None and "markers" in mode:
            # Plotly draws markers 6 px wide by default.
            marker.size = _scaled_size(6, PRESENTER_MARKER_SCALE)
        if marker.line.width is not None:
            marker.line.width = _scaled_size(marker.line.width, PRESENTER_MARKER_SCALE)
    elif trace_type in ("contour", "histogram2dcontour") and trace.line.width is not None:
        # Only the width changes; the colour scale stays.
        trace.line.width = _scaled_size(trace.line.width, PRESENTER_LINE_SCALE)


def _font_paths(node: object, path: tuple = ()) -> list[tuple]:
    """List the paths, in a figure's JSON form, of every font whose size is set.

    A font is a dict under a key ending in "font" (font, tickfont, textfont, ...). The
    layout's template is skipped, because the figure's own settings override it.
    """
    paths: list[tuple] = []
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "template" or not isinstance(child, (dict, list, tuple)):
                continue
            child_path = (*path, key)
            if key.endswith("font") and isinstance(child, dict) and child.get("size") is not None:
                paths.append(child_path)
            paths.extend(_font_paths(child, child_path))
    elif isinstance(node, (list, tuple)):
        for index, child in enumerate(node):
            if isinstance(child, (dict, list, tuple)):
                paths.extend(_font_paths(child, (*path, index)))
    return paths


def _scale_fonts(plotly_object: object) -> None:
    """Multiply every font size set in a trace or layout, in place."""
    for path in _font_paths(plotly_object.to_plotly_json()):
        font = plotly_object
        for key in path:
            font = font[key]
        font.size = _scaled_size(font.size, PRESENTER_FONT_SCALE)


def _style_annotations_and_shapes(layout: go.Layout) -> None:
    """Widen shape lines and arrows, and move pixel offsets of annotations outward, in place."""
    for annotation in layout.annotations:
        if annotation.showarrow is not False:
            width = annotation.arrowwidth or _PLOTLY_ARROW_WIDTH
            annotation.arrowwidth = _scaled_size(width, PRESENTER_LINE_SCALE)
        # ax and ay are pixel offsets unless axref or ayref puts them on an axis.
        if annotation.ax is not None and annotation.axref in (None, "pixel"):
            annotation.ax = _scaled_size(annotation.ax, PRESENTER_FONT_SCALE)
        if annotation.ay is not None and annotation.ayref in (None, "pixel"):
            annotation.ay = _scaled_size(annotation.ay, PRESENTER_FONT_SCALE)
        for shift in ("xshift", "yshift"):
            if annotation[shift] is not None:
                annotation[shift] = _scaled_size(annotation[shift], PRESENTER_FONT_SCALE)
    for shape in layout.shapes:
        width = shape.line.width
        shape.line.width = _scaled_size(_PLOTLY_LINE_WIDTH if width is None else width, PRESENTER_LINE_SCALE)


def _style_axes(figure: go.Figure) -> None:
    """Give every visible Cartesian axis a dark line and a darker, thicker grid, in place."""
    layout_json = figure.layout.to_plotly_json()
    axis_names = {name for name in layout_json if name.startswith(("xaxis", "yaxis"))}
    for trace in figure.data:
        # A trace on x2 draws on layout.xaxis2, which may exist only implicitly.
        if "xaxis" in trace and "yaxis" in trace:
            axis_names.add("xaxis" + (trace.xaxis or "x")[1:])
            axis_names.add("yaxis" + (trace.yaxis or "y")[1:])

    for name in sorted(axis_names):
        axis = figure.layout[name]
        if axis.visible is False:
            continue
        axis.showline = True
        axis.linecolor = PRESENTER_AXIS_LINE_COLOUR
        axis.linewidth = max(2.0, (axis.linewidth or 1) * PRESENTER_LINE_SCALE)
        axis.gridcolor = PRESENTER_GRID_COLOUR
        axis.gridwidth = (axis.gridwidth or 1) * PRESENTER_LINE_SCALE
        axis.zerolinecolor = PRESENTER_ZERO_LINE_COLOUR
        # Unset, the zero line gets 3 px, thicker than the plotly_white template's 2 px.
        axis.zerolinewidth = (axis.zerolinewidth or 1.5) * PRESENTER_LINE_SCALE


def _grow_margins(figure: go.Figure, width_encodes_data: bool) -> None:
    """Enlarge the margins and the title's padding, and grow the height to match, in place."""
    layout = figure.layout
    old = {side: layout.margin[side] for side in _PLOTLY_MARGINS}
    new = {
        side: round((_PLOTLY_MARGINS[side] if value is None else value) * PRESENTER_FONT_SCALE)
        for side, value in old.items()
    }
    old_height = layout.height or _PLOTLY_HEIGHT
    old_vertical = sum(_PLOTLY_MARGINS[side] if old[side] is None else old[side] for side in "tb")
    plot_height = max(old_height - old_vertical, 0)
    if width_encodes_data:
        plot_height *= PRESENTER_MARKER_SCALE
    layout.margin.update(new)
    layout.height = round(new["t"] + new["b"] + plot_height)
    for side in ("t", "b", "l", "r"):
        if layout.title.pad[side] is not None:
            layout.title.pad[side] = _scaled_size(layout.title.pad[side], PRESENTER_FONT_SCALE)
    # A slider sits below the plot area, 20 px under it by Plotly's default, so the larger
    # tick labels need a larger gap.
    for slider in layout.sliders:
        gap = slider.pad.t
        slider.pad.t = _scaled_size(_SLIDER_GAP if gap is None else gap, PRESENTER_FONT_SCALE)
