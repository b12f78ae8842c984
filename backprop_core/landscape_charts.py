"""Plotly figures for the cost landscape and the learning-rate lab.

Every builder is a pure function: it takes NumPy arrays or plain values and returns a
``plotly.graph_objects.Figure``. This module imports NumPy and Plotly only, never Streamlit.
It shares the layout, palette and downsampling of :mod:`backprop_core.charts`, and the same
two rules hold here:

* No NaN or infinity reaches the figure, because browsers reject them in JSON. Non-finite
  values are dropped, and the figure's subtitle states what was dropped.
* Long series are downsampled for display. The caller keeps the exact values.

Every figure has fixed axis ranges, because Streamlit resets the user's zoom whenever it
redraws a chart, and a steady frame is easier to follow from one step to the next.

Plotly places annotations on a log axis by the log10 of the value, but shapes and traces by
the value itself (checked with Plotly 7.1 in Chromium), so the code below converts only the
annotation positions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray
from plotly.subplots import make_subplots

from .charts import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    DEFAULT_HEIGHT,
    DEFAULT_MAX_POINTS,
    FONT_SIZE,
    GREY,
    LINE_COLOURS,
    LINE_DASHES,
    SKY_BLUE,
    VERMILLION,
    _apply_layout,
    _as_1d_float,
    _as_single_output,
    _as_steps,
    _check_same_length,
    _plural,
    downsample_indices,
    downsample_min_max,
)

__all__ = [
    "MAX_PATH_POINTS",
    "REGIME_NAMES",
    "comparison_figure",
    "contour_figure",
    "fits_figure",
    "slice_figure",
    "sweep_figure",
]

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

#: Maximum number of points of the training path drawn on the contour figure.
MAX_PATH_POINTS = 500

#: Maximum number of examples drawn in each panel of the fits figure.
MAX_FIT_EXAMPLES = 1000

#: Regime labels of the sweep figure, in the order of increasing learning rate. They are the
#: strings that ``landscape.classify_regimes`` returns.
REGIME_NAMES = ("too small", "good", "too large")

# Light, colour-blind-safe tints (Okabe-Ito sky blue, bluish green, vermillion) behind the
# sweep's points. The label of each band carries the meaning, so the colour only groups.
_REGIME_FILLS = {
    "too small": SKY_BLUE,
    "good": BLUISH_GREEN,
    "too large": VERMILLION,
}
_REGIME_OPACITY = 0.14

# The tangent on the slice figure spans this fraction of the x range on each side of the
# current value, and the gradient arrow on the contour figure is this fraction of the
# smaller axis span long.
_TANGENT_HALF_WIDTH = 0.15
_ARROW_LENGTH = 0.15

# The contour figure draws one unit with the same length on both axes, so that the downhill
# arrow crosses the contour lines at right angles. When one span is more than this many times
# the other, the plot would become a thin strip, so each axis keeps its own scale instead.
_MAX_EQUAL_ASPECT_RATIO = 4.0

# A landing cost above the top of the curve by more than this fraction of the curve's span
# is not fitted into the y range, because it would flatten the curve into a line.
_LANDING_HEADROOM = 0.25


# ---------------------------------------------------------------------------
# Input validation and small helpers
# ---------------------------------------------------------------------------


def _as_number(name: str, value: object) -> float:
    """Convert a scalar argument to float. The result may be nan or inf."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(
            f"{name} must be a number; got {value!r} of type {type(value).__name__}. "
            "Pass an int or a float."
        )
    return float(value)


def _as_finite_number(name: str, value: object, *, positive: bool = False) -> float:
    number = _as_number(name, value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite; got {number!r}. Pass a finite number.")
    if positive and number <= 0:
        raise ValueError(f"{name} must be greater than 0; got {number!r}. Pass a positive number.")
    return number


def _as_pair(name: str, value: ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != (2,):
        raise ValueError(
            f"{name} must have shape (2,), one value per parameter (first, second); "
            f"got shape {array.shape}."
        )
    return array


def _as_name(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"{name} must be a non-empty string such as 'W1[0,0]'; got {value!r}."
        )
    return value


def _format_rate(learning_rate: float) -> str:
    return f"η = {learning_rate:g}"


def _padded_range(low: float, high: float, fraction: float = 0.05) -> list[float]:
    """Widen [low, high] by ``fraction`` of its span on each side, or by a unit-sized amount."""
    span = high - low
    padding = fraction * span if span > 0 else max(1.0, abs(low)) * 0.5
    return [low - padding, high + padding]


def _check_runs(runs: object) -> list[Mapping[str, object]]:
    if not isinstance(runs, Sequence) or isinstance(runs, (str, bytes)):
        raise ValueError(
            f"runs must be a list of dicts, one per learning rate; got {type(runs).__name__}."
        )
    for index, run in enumerate(runs):
        if not isinstance(run, Mapping):
            raise ValueError(
                f"runs[{index}] must be a dict; got {type(run).__name__}. Pass dicts with the "
                "keys listed in the docstring."
            )
    return list(runs)


def _run_value(run: Mapping[str, object], index: int, key: str) -> object:
    if key not in run:
        raise ValueError(
            f"runs[{index}] is missing the key {key!r}; it has {sorted(run)}. Add {key!r}."
        )
    return run[key]


def _run_learning_rate(run: Mapping[str, object], index: int) -> float:
    return _as_finite_number(
        f"runs[{index}]['learning_rate']", _run_value(run, index, "learning_rate"), positive=True
    )


def _run_diverged_at(run: Mapping[str, object], index: int) -> int | None:
    value = run.get("diverged_at")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"runs[{index}]['diverged_at'] must be None or a step number of at least 1; "
            f"got {value!r}."
        )
    return int(value)


def _beside(side: str) -> dict[str, object]:
    """Return annotation settings that put a label just left or right of its point."""
    if side == "right":
        return {"xanchor": "left", "xshift": 12}
    return {"xanchor": "right", "xshift": -12}


def _slice_label_sides(now_fraction: float, landing_fraction: float) -> tuple[str, str]:
    """Choose the sides of the "now" and "after one step" labels on the slice figure.

    The fractions are the points' positions within the x range (0 = left edge). Each label
    goes on the outer side of the step, so the two never face each other, unless that side
    is too close to the plot's edge for the text to fit.
    """
    step_goes_right = landing_fraction >= now_fraction
    now_side = "left" if step_goes_right else "right"
    landing_side = "right" if step_goes_right else "left"

    def away_from_edge(side: str, fraction: float) -> str:
        if side == "left" and fraction < 0.2:
            return "right"
        if side == "right" and fraction > 0.8:
            return "left"
        return side

    return away_from_edge(now_side, now_fraction), away_from_edge(landing_side, landing_fraction)


def _log_ticks(log_low: float, log_high: float, max_ticks: int = 6) -> tuple[list[float], list[str]]:
    """Choose readable tick values for a log scale spanning 10**log_low to 10**log_high.

    Plotly labels the 2s and 5s of a short log axis in a smaller font (seen with Plotly 7.1),
    below the 14 px this project uses on a projector. Explicit ticks keep every label at full size. The ticks
    come from the finest of the series 1-2-5, 1-3 and 1 per decade that fits ``max_ticks``,
    then from whole powers of ten with a stride. Values are returned, not their logs.
    """
    decades = range(math.floor(log_low), math.ceil(log_high) + 1)
    for mantissas in ((1, 2, 5), (1, 3), (1,)):
        values = [
            m * 10.0**decade
            for decade in decades
            for m in mantissas
            if log_low <= math.log10(m * 10.0**decade) <= log_high
        ]
        if 2 <= len(values) <= max_ticks:
            break
        if len(values) < 2:
            # A span shorter than one 1-2-5 step: all nine mantissas, or the two ends.
            values = [
                m * 10.0**decade
                for decade in decades
                for m in range(1, 10)
                if log_low <= math.log10(m * 10.0**decade) <= log_high
            ]
            if not 2 <= len(values) <= max_ticks:
                values = [10.0**log_low, 10.0**log_high]
            break
    else:
        stride = math.ceil(len(values) / max_ticks)
        values = values[::stride]
    return values, [_format_tick(value) for value in values]


def _format_tick(value: float) -> str:
    """Format a log-axis tick as "0.02" or "300", or as "1e5" when that is far shorter."""
    if 1e-3 <= value < 1e4:
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


# ---------------------------------------------------------------------------
# Slice: cost along one parameter
# ---------------------------------------------------------------------------


def slice_figure(
    values: ArrayLike,
    costs: ArrayLike,
    *,
    parameter_name: str,
    current_value: float,
    current_cost: float,
    gradient: float,
    learning_rate: float,
    landing_value: float,
    landing_cost: float,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the chart of the cost along one parameter, with the tangent and one step.

    All other parameters keep their current values. The chart shows the cost curve, the
    current point ("now"), the tangent through it, whose slope is the partial derivative of
    the cost, and the point one gradient-descent step reaches, ``landing_value =
    current_value − learning_rate · gradient``, with an arrow from now to there.

    Parameters
    ----------
    values : array_like, shape (n,)
        Values of the parameter at which the cost was computed, for example from
        ``landscape.slice_range``. The x range spans them and both marked points.
    costs : array_like, shape (n,)
        Cost at each value, ``C = (1/n_samples) · Σ (ŷ − y)²``. Pairs with a non-finite
        value or cost are dropped and counted in the subtitle.
    parameter_name : str
        Display name such as ``"W1[0,0]"``, used for the x axis and the slope label.
    current_value : float
        The parameter's value now; finite.
    current_cost : float
        The cost now. A non-finite value hides the "now" marker and the tangent, with a note.
    gradient : float
        ∂C/∂(parameter) now. A non-finite value hides the tangent, with a note.
    learning_rate : float
        η of the step; finite and greater than 0.
    landing_value, landing_cost : float
        Parameter value and cost after the step. A non-finite value hides the landing
        marker and the arrow, with a note. A landing cost far above the curve is drawn as a
        triangle at the top edge, and the subtitle states "landing point above the chart".
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Traces "cost", "now", "slope ∂C/∂<name> = <gradient>" and "after one step (η = …)",
        each left out when it cannot be drawn. The arrow is an annotation.

    Raises
    ------
    ValueError
        If an argument has the wrong type or shape, ``values`` and ``costs`` differ in
        length, ``current_value`` is not finite, or ``learning_rate`` is not positive.
    """
    values_array = _as_1d_float("values", values)
    costs_array = _as_1d_float("costs", costs)
    _check_same_length(("values", "costs"), (values_array, costs_array))
    name = _as_name("parameter_name", parameter_name)
    current_value = _as_finite_number("current_value", current_value)
    current_cost = _as_number("current_cost", current_cost)
    gradient = _as_number("gradient", gradient)
    learning_rate = _as_finite_number("learning_rate", learning_rate, positive=True)
    landing_value = _as_number("landing_value", landing_value)
    landing_cost = _as_number("landing_cost", landing_cost)

    notes: list[str] = []

    # --- what can be drawn
    finite = np.isfinite(values_array) & np.isfinite(costs_array)
    if not finite.all():
        notes.append(f"{_plural(int((~finite).sum()), 'point')} with non-finite cost not shown.")
    order = np.argsort(values_array[finite], kind="stable")
    curve_x = values_array[finite][order]
    curve_y = costs_array[finite][order]

    show_now = math.isfinite(current_cost)
    if not show_now:
        notes.append(f"The current cost is not finite ({current_cost}), so it is not marked.")
    show_tangent = show_now and math.isfinite(gradient)
    if show_now and not show_tangent:
        notes.append(f"The gradient is not finite ({gradient}), so no tangent is drawn.")
    show_landing = math.isfinite(landing_value) and math.isfinite(landing_cost)
    if not show_landing:
        notes.append(
            f"The step lands on a non-finite value ({name} = {landing_value:.4g}, cost "
            f"{landing_cost:.4g}), so it is not marked."
        )

    # --- axis ranges
    x_points = [current_value] + ([landing_value] if show_landing else [])
    x_low = min([*x_points, *curve_x.tolist()])
    x_high = max([*x_points, *curve_x.tolist()])
    x_range = _padded_range(x_low, x_high, 0.03)

    y_points = curve_y.tolist() + ([current_cost] if show_now else [])
    landing_clipped = False
    if y_points:
        y_low, y_high = min(y_points), max(y_points)
        if show_landing:
            headroom = _LANDING_HEADROOM * max(y_high - y_low, abs(y_high), 1e-12)
            if landing_cost > y_high + headroom:
                landing_clipped = True
            else:
                y_low, y_high = min(y_low, landing_cost), max(y_high, landing_cost)
    elif show_landing:
        y_low = y_high = landing_cost
    else:
        y_low, y_high = 0.0, 1.0
    y_range = _padded_range(y_low, y_high, 0.08)
    if landing_clipped:
        notes.append(
            f"Landing point above the chart (cost {landing_cost:.4g}), marked by a triangle at "
            "the top edge."
        )

    def x_fraction(x: float) -> float:
        return (x - x_range[0]) / (x_range[1] - x_range[0])

    now_side, landing_side = _slice_label_sides(
        x_fraction(current_value), x_fraction(landing_value) if show_landing else 1.0
    )
    # When both labels end up on one side of two nearby points, the landing label moves
    # down a line so that the two do not overlap.
    nearby = show_landing and abs(x_fraction(current_value) - x_fraction(landing_value)) < 0.3
    landing_shift = -22 if show_now and nearby and now_side == landing_side else 0

    figure = go.Figure()

    # --- cost curve
    if curve_x.size:
        figure.add_trace(
            go.Scatter(
                x=curve_x,
                y=curve_y,
                name="cost",
                mode="lines" if curve_x.size > 60 else "lines+markers",
                line={"color": BLUE, "width": 2.5},
                marker={"size": 5},
                hovertemplate=f"{name} %{{x:.4g}}<br>cost %{{y:.5g}}<extra></extra>",
            )
        )
    else:
        notes.append("No finite point of the cost curve to draw.")

    # --- tangent through the current point
    if show_tangent:
        half_width = _TANGENT_HALF_WIDTH * (x_high - x_low if x_high > x_low else 1.0)
        tangent_x = np.array([current_value - half_width, current_value + half_width])
        tangent_y = current_cost + gradient * (tangent_x - current_value)
        figure.add_trace(
            go.Scatter(
                x=tangent_x,
                y=tangent_y,
                name=f"slope ∂C/∂{name} = {gradient:.4g}",
                mode="lines",
                line={"color": BLUISH_GREEN, "width": 3, "dash": "dash"},
                hoverinfo="skip",
            )
        )

    # --- landing point and the arrow from now to it
    if show_landing:
        landing_y_drawn = y_range[1] if landing_clipped else landing_cost
        figure.add_trace(
            go.Scatter(
                x=[landing_value],
                y=[landing_y_drawn],
                name=f"after one step ({_format_rate(learning_rate)})",
                mode="markers",
                cliponaxis=False,
                marker={
                    "color": BLACK,
                    "size": 13,
                    "symbol": "triangle-up" if landing_clipped else "circle",
                    "line": {"color": "white", "width": 1.5},
                },
                customdata=[landing_cost],
                hovertemplate=(
                    f"after one step<br>{name} %{{x:.4g}}<br>cost %{{customdata:.5g}}<extra></extra>"
                ),
            )
        )
        if show_now and landing_value != current_value:
            figure.add_annotation(
                x=landing_value,
                y=landing_y_drawn,
                ax=current_value,
                ay=current_cost,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                text="",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.2,
                arrowwidth=2.5,
                arrowcolor=BLACK,
                standoff=8,
                startstandoff=9,
            )
        figure.add_annotation(
            x=landing_value,
            y=landing_y_drawn,
            text=f"after one step, {_format_rate(learning_rate)}",
            showarrow=False,
            yshift=landing_shift,
            **_beside(landing_side),
            font={"color": BLACK, "size": FONT_SIZE - 1},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
        if landing_value == current_value:
            notes.append(f"The gradient is zero, so the step does not move {name}.")

    # --- current point, drawn last so that it sits on top
    if show_now:
        figure.add_trace(
            go.Scatter(
                x=[current_value],
                y=[current_cost],
                name="now",
                mode="markers",
                cliponaxis=False,
                marker={
                    "color": VERMILLION,
                    "size": 15,
                    "symbol": "diamond",
                    "line": {"color": "white", "width": 1.5},
                },
                hovertemplate=f"now<br>{name} %{{x:.4g}}<br>cost %{{y:.5g}}<extra></extra>",
            )
        )
        figure.add_annotation(
            x=current_value,
            y=current_cost,
            text="now",
            showarrow=False,
            **_beside(now_side),
            font={"color": VERMILLION, "size": FONT_SIZE},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )

    # The update rule with the numbers filled in, when the caller's landing point follows it.
    # NOTE: a caller that steps with another gradient (a mini-batch one, say) gets no formula.
    expected_landing = current_value - learning_rate * gradient
    if (
        show_landing
        and math.isfinite(gradient)
        and math.isclose(landing_value, expected_landing, rel_tol=1e-9, abs_tol=1e-12)
    ):
        gradient_text = f"({gradient:.4g})" if gradient < 0 else f"{gradient:.4g}"
        notes.insert(
            0,
            f"One step: {name} ← {current_value:.4g} − {learning_rate:g} × {gradient_text} "
            f"= {landing_value:.4g}.",
        )

    _apply_layout(
        figure,
        chart="cost_slice",
        title=f"Cost along {name}, other parameters fixed",
        x_title=name,
        y_title="cost",
        notes=notes,
        height=height,
        meta={"landing_clipped": landing_clipped, "points_shown": int(curve_x.size)},
    )
    figure.update_xaxes(range=x_range)
    figure.update_yaxes(range=y_range)
    return figure


# ---------------------------------------------------------------------------
# Contour: cost over two parameters
# ---------------------------------------------------------------------------


def _as_axis_values(name: str, values: ArrayLike) -> NDArray[np.float64]:
    array = _as_1d_float(name, values)
    if array.size < 2:
        raise ValueError(f"{name} must have at least 2 values to span a grid; got {array.size}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got {array!r}. Pass finite grid values.")
    if np.any(np.diff(array) <= 0):
        raise ValueError(
            f"{name} must be strictly increasing; got {array!r}. Pass sorted, distinct values, "
            "for example from numpy.linspace."
        )
    return array


def _downhill_arrow(
    current: NDArray[np.float64],
    gradient: NDArray[np.float64],
    x_values: NDArray[np.float64],
    y_values: NDArray[np.float64],
) -> tuple[NDArray[np.float64] | None, str]:
    """Return the arrow along −gradient from ``current``, shape (2,), or None and the reason.

    The arrow is ``_ARROW_LENGTH`` times the smaller axis span long, shortened where it would
    leave the grid, because Plotly does not clip annotation arrows to the plot.
    """
    if not np.all(np.isfinite(gradient)):
        return None, f"The gradient is not finite ({gradient.tolist()}), so no arrow is drawn."
    norm = float(np.hypot(*gradient))
    if norm == 0:
        return None, "The gradient is zero here, so there is no downhill direction to draw."

    length = _ARROW_LENGTH * min(x_values[-1] - x_values[0], y_values[-1] - y_values[0])
    arrow = -gradient / norm * length
    scale = 1.0
    for axis, values in enumerate((x_values, y_values)):
        if arrow[axis] > 0:
            scale = min(scale, (values[-1] - current[axis]) / arrow[axis])
        elif arrow[axis] < 0:
            scale = min(scale, (values[0] - current[axis]) / arrow[axis])
    if scale < 0.2:
        return None, "The downhill direction leaves the grid right here, so no arrow is drawn."
    return scale * arrow, ""


def contour_figure(
    first_values: ArrayLike,
    second_values: ArrayLike,
    grid_costs: ArrayLike,
    *,
    first_name: str,
    second_name: str,
    current: ArrayLike,
    gradient: ArrayLike,
    path: ArrayLike | None = None,
    log_colour: bool = True,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the contour chart of the cost over two parameters, with the downhill direction.

    All other parameters keep their current values. The arrow from the current point points
    along the negative gradient, the direction of steepest descent, and has a fixed length
    (15 % of the smaller axis span) whatever the gradient's size. When the two axis spans are
    within a factor of 4, one unit has the same length on both axes, so the arrow crosses
    the contour lines at right angles.

    Parameters
    ----------
    first_values : array_like, shape (n_first,)
        Values of the first parameter (x axis), finite and strictly increasing.
    second_values : array_like, shape (n_second,)
        Values of the second parameter (y axis), finite and strictly increasing.
    grid_costs : array_like, shape (n_second, n_first)
        ``grid_costs[i, j]`` is the cost at ``(first_values[j], second_values[i])``, as
        ``landscape.cost_grid`` returns it. Non-finite cells are left blank, with a note.
    first_name, second_name : str
        Display names such as ``"W1[0,0]"`` and ``"b1[0]"``.
    current : array_like, shape (2,)
        ``(first, second)`` now; finite.
    gradient : array_like, shape (2,)
        ``(∂C/∂first, ∂C/∂second)`` now. No arrow is drawn when it is zero or not finite.
    path : array_like, shape (m, 2), optional
        Parameter values visited by training, oldest first. Rows with a non-finite value are
        dropped. At most 500 evenly spaced rows are drawn, always with the first and last.
    log_colour : bool, default True
        Colour by log10 of the cost, which shows the shape of a deep valley. Cells with a
        cost of 0 or less are coloured as the smallest positive cost, with a note.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Traces: the contour "cost", then "training path" and "start" when a path is given,
        and "now". The arrow and its label are annotations.

    Raises
    ------
    ValueError
        If a shape is wrong, the grid values are not finite and increasing, or ``current``
        is not finite.
    """
    x_values = _as_axis_values("first_values", first_values)
    y_values = _as_axis_values("second_values", second_values)
    grid = np.asarray(grid_costs, dtype=np.float64)
    if grid.shape != (y_values.size, x_values.size):
        raise ValueError(
            f"grid_costs must have shape (len(second_values), len(first_values)) = "
            f"({y_values.size}, {x_values.size}); got {grid.shape}. Row i is second_values[i]."
        )
    first_name = _as_name("first_name", first_name)
    second_name = _as_name("second_name", second_name)
    current_point = _as_pair("current", current)
    if not np.all(np.isfinite(current_point)):
        raise ValueError(f"current must be finite; got {current_point!r}.")
    gradient_vector = _as_pair("gradient", gradient)

    notes: list[str] = []

    # --- colour values: cost or log10(cost), with blank cells for what cannot be drawn
    cell_ok = np.isfinite(grid)
    if not cell_ok.all():
        notes.append(f"{_plural(int((~cell_ok).sum()), 'grid cell')} with non-finite cost left blank.")
    colour_values = grid.copy()
    if log_colour:
        positive = cell_ok & (grid > 0)
        n_floored = int((cell_ok & ~positive).sum())
        if positive.any():
            floor = float(grid[positive].min())
            if n_floored:
                notes.append(
                    f"{_plural(n_floored, 'cell')} with cost 0 coloured as the smallest positive "
                    f"cost, {floor:.3g}."
                )
            colour_values = np.log10(np.where(positive, grid, floor), where=cell_ok, out=np.zeros_like(grid))
        else:
            # Nothing is positive, so log10 is undefined everywhere: fall back to the cost.
            log_colour = False
            if cell_ok.any():
                notes.append("No cell has a positive cost, so colours use the cost itself.")

    if cell_ok.all():
        z: object = colour_values
        hover_costs: object = grid
    else:
        # Plotly writes None as null, which leaves the cell blank, where NaN would break the JSON.
        z = np.where(cell_ok, colour_values, None).tolist()
        hover_costs = np.where(cell_ok, grid, None).tolist()

    figure = go.Figure()

    # --- contour
    colour_bar: dict[str, object] = {
        "title": {"text": "cost (log colour scale)" if log_colour else "cost", "side": "right"},
        "tickfont": {"size": FONT_SIZE - 1},
        "thickness": 16,
    }
    if log_colour and cell_ok.any():
        # The colours are log10(cost), so the ticks sit at log10 of round costs.
        tick_costs, tick_labels = _log_ticks(
            float(colour_values[cell_ok].min()), float(colour_values[cell_ok].max())
        )
        colour_bar["tickvals"] = [math.log10(value) for value in tick_costs]
        colour_bar["ticktext"] = tick_labels
    figure.add_trace(
        go.Contour(
            x=x_values,
            y=y_values,
            z=z,
            customdata=hover_costs,
            name="cost",
            colorscale="Viridis",
            ncontours=18,
            contours={"coloring": "fill", "showlines": True},
            line={"color": "rgba(255, 255, 255, 0.45)", "width": 0.8},
            colorbar=colour_bar,
            hovertemplate=(
                f"{first_name} %{{x:.4g}}<br>{second_name} %{{y:.4g}}"
                "<br>cost %{customdata:.4g}<extra></extra>"
            ),
        )
    )

    # --- training path: a white line over a dark one, visible on every colour of the scale
    n_outside = 0
    if path is not None:
        path_array = np.asarray(path, dtype=np.float64)
        if path_array.ndim != 2 or path_array.shape[1] != 2:
            raise ValueError(
                f"path must have shape (m, 2), one row (first, second) per point; got "
                f"{path_array.shape}."
            )
        row_ok = np.all(np.isfinite(path_array), axis=1)
        if not row_ok.all():
            notes.append(f"{_plural(int((~row_ok).sum()), 'path point')} with non-finite values not shown.")
        finite_path = path_array[row_ok]
        drawn_path = finite_path[downsample_indices(len(finite_path), MAX_PATH_POINTS)]
        if len(drawn_path) < len(finite_path):
            notes.append(f"White line: the training path ({len(drawn_path):,} of {len(finite_path):,} points).")
        elif len(drawn_path):
            notes.append("White line: the training path.")
        outside = (
            (finite_path[:, 0] < x_values[0])
            | (finite_path[:, 0] > x_values[-1])
            | (finite_path[:, 1] < y_values[0])
            | (finite_path[:, 1] > y_values[-1])
        )
        n_outside = int(outside.sum())
        if n_outside:
            notes.append(f"{_plural(n_outside, 'path point')} outside the grid, not visible.")
        if len(drawn_path):
            figure.add_trace(
                go.Scatter(
                    x=drawn_path[:, 0],
                    y=drawn_path[:, 1],
                    mode="lines",
                    line={"color": BLACK, "width": 5},
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
            figure.add_trace(
                go.Scatter(
                    x=drawn_path[:, 0],
                    y=drawn_path[:, 1],
                    name="training path",
                    mode="lines+markers" if len(drawn_path) <= 60 else "lines",
                    line={"color": "white", "width": 2.5},
                    marker={"color": "white", "size": 6, "line": {"color": BLACK, "width": 1}},
                    hovertemplate=(
                        f"path<br>{first_name} %{{x:.4g}}<br>{second_name} %{{y:.4g}}<extra></extra>"
                    ),
                )
            )
            figure.add_trace(
                go.Scatter(
                    x=drawn_path[:1, 0],
                    y=drawn_path[:1, 1],
                    name="start",
                    mode="markers",
                    marker={
                        "color": "white",
                        "size": 11,
                        "symbol": "square",
                        "line": {"color": BLACK, "width": 2},
                    },
                    hovertemplate=(
                        f"start<br>{first_name} %{{x:.4g}}<br>{second_name} %{{y:.4g}}<extra></extra>"
                    ),
                )
            )
            figure.add_annotation(
                x=drawn_path[0, 0],
                y=drawn_path[0, 1],
                text="start",
                showarrow=False,
                xanchor="right",
                xshift=-10,
                font={"color": BLACK, "size": FONT_SIZE - 1},
                bgcolor="rgba(255, 255, 255, 0.85)",
            )

    # --- downhill arrow, a fixed length along the negative gradient
    x_span = float(x_values[-1] - x_values[0])
    y_span = float(y_values[-1] - y_values[0])
    current_inside = bool(
        x_values[0] <= current_point[0] <= x_values[-1]
        and y_values[0] <= current_point[1] <= y_values[-1]
    )
    arrow, arrow_note = _downhill_arrow(current_point, gradient_vector, x_values, y_values)
    if not current_inside:
        notes.append("The current point lies outside the grid, so it is not visible.")
    elif arrow is None:
        notes.append(arrow_note)
    else:
        tip = current_point + arrow
        figure.add_annotation(
            x=tip[0],
            y=tip[1],
            ax=current_point[0],
            ay=current_point[1],
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            text="",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.1,
            arrowwidth=3,
            arrowcolor=VERMILLION,
            startstandoff=8,
        )
        figure.add_annotation(
            x=tip[0],
            y=tip[1],
            text="downhill (−gradient)",
            showarrow=False,
            # Put the label beyond the tip, on the side the arrow points to.
            xanchor="left" if arrow[0] >= 0 else "right",
            yanchor="bottom" if arrow[1] >= 0 else "top",
            font={"color": BLACK, "size": FONT_SIZE - 1},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
        notes.append("Arrow: direction of −gradient, at a fixed length.")

    # --- current point, drawn only inside the grid because its marker is not clipped
    if current_inside:
        figure.add_trace(
            go.Scatter(
                x=[current_point[0]],
                y=[current_point[1]],
                name="now",
                mode="markers",
                cliponaxis=False,
                marker={
                    "color": VERMILLION,
                    "size": 15,
                    "symbol": "diamond",
                    "line": {"color": "white", "width": 2},
                },
                hovertemplate=(
                    f"now<br>{first_name} %{{x:.4g}}<br>{second_name} %{{y:.4g}}"
                    f"<br>∂C/∂{first_name} {gradient_vector[0]:.4g}"
                    f"<br>∂C/∂{second_name} {gradient_vector[1]:.4g}<extra></extra>"
                ),
            )
        )
        figure.add_annotation(
            x=current_point[0],
            y=current_point[1],
            text="now",
            showarrow=False,
            xanchor="right",
            xshift=-12,
            font={"color": VERMILLION, "size": FONT_SIZE},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )

    # --- axes: the same treatment for both, fixed to the grid
    equal_aspect = max(x_span, y_span) <= _MAX_EQUAL_ASPECT_RATIO * min(x_span, y_span)
    if not equal_aspect:
        notes.append("Axes have different scales, so the arrow may cross the contours at a slant.")

    _apply_layout(
        figure,
        chart="cost_contour",
        title=f"Cost over {first_name} and {second_name}, others fixed",
        x_title=first_name,
        y_title=second_name,
        notes=notes,
        height=height,
        meta={
            "log_colour": bool(log_colour),
            "equal_aspect": bool(equal_aspect),
            "path_points_outside": n_outside,
        },
        legend_at_bottom=False,
    )
    # Every mark is labelled in place, so the legend is hidden and its space goes to the plot.
    figure.update_layout(showlegend=False)
    figure.update_xaxes(range=[float(x_values[0]), float(x_values[-1])], showgrid=False, zeroline=False)
    figure.update_yaxes(range=[float(y_values[0]), float(y_values[-1])], showgrid=False, zeroline=False)
    if equal_aspect:
        # "domain" shrinks the plot area rather than widening a range, so the ranges stay
        # fixed, and the plot moves right to stay next to the colour bar.
        figure.update_xaxes(constrain="domain", constraintoward="right")
        figure.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain")
    return figure


# ---------------------------------------------------------------------------
# Learning-rate comparison: cost curves of several runs
# ---------------------------------------------------------------------------


def comparison_figure(
    runs: Sequence[Mapping[str, object]],
    *,
    log_scale: bool = False,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the chart of the cost against the step for runs at several learning rates.

    Parameters
    ----------
    runs : sequence of dict
        One dict per run, with the keys

        ``learning_rate`` : float
            η of the run, finite and greater than 0.
        ``steps`` : array_like of int, shape (n,)
            Steps taken at each recorded cost, non-decreasing.
        ``costs`` : array_like of float, shape (n,)
            Cost at each step. Non-finite values are dropped, with a note.
        ``diverged_at`` : int or None
            The step at which the run diverged. Its curve then ends with a "×" at that step,
            on the top edge of the chart, and a note such as "η = 0.5 diverged at step 6."
    log_scale : bool, default False
        Draw the y axis on a log scale. Costs of 0 or less are dropped, with a note.
    max_points : int, default 2000
        Maximum number of points per curve, chosen by ``charts.downsample_min_max``.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        One trace per run named "η = <rate>", then one "×" trace per diverged run, grouped
        with its run in the legend. A legend entry "diverged" explains the "×".

    Raises
    ------
    ValueError
        If ``runs`` is not a list of dicts with the keys above, or a value is invalid.
    """
    run_list = _check_runs(runs)
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 2:
        raise ValueError(f"max_points must be an integer of at least 2; got {max_points!r}.")

    notes: list[str] = []
    curves: list[tuple[float, np.ndarray, NDArray[np.float64], int | None]] = []
    n_non_finite = n_non_positive = n_downsampled = 0

    # --- validate and filter every run before drawing, so that the ranges cover them all
    for index, run in enumerate(run_list):
        rate = _run_learning_rate(run, index)
        steps = _as_steps(f"runs[{index}]['steps']", _run_value(run, index, "steps"))
        costs = _as_1d_float(f"runs[{index}]['costs']", _run_value(run, index, "costs"))
        _check_same_length((f"runs[{index}]['steps']", f"runs[{index}]['costs']"), (steps, costs))
        diverged_at = _run_diverged_at(run, index)

        drawable = np.isfinite(costs)
        n_non_finite += int((~drawable).sum())
        if log_scale:
            n_non_positive += int((drawable & (costs <= 0)).sum())
            drawable &= costs > 0
        shown_steps, shown_costs = downsample_min_max(steps[drawable], costs[drawable], max_points)
        if shown_costs.size < int(drawable.sum()):
            n_downsampled += 1
        curves.append((rate, shown_steps, shown_costs, diverged_at))

    if n_non_finite:
        notes.append(f"{_plural(n_non_finite, 'non-finite cost')} not shown.")
    if n_non_positive:
        notes.append(f"{_plural(n_non_positive, 'zero or negative cost')} not shown on the log scale.")
    if n_downsampled:
        notes.append(
            f"Long curves show at most {max_points:,} points (each stretch keeps its min and max)."
        )

    # --- ranges. On a linear axis the last costs of a diverged run can be millions of times
    # the others and would flatten every other curve. So the range covers the finished runs
    # and the first cost of each run, and a diverged curve is cut at the top edge.
    finished = [curve[2] for curve in curves if curve[3] is None]
    first_costs = [curve[2][:1] for curve in curves]
    if log_scale or not finished:
        all_costs = np.concatenate([curve[2] for curve in curves]) if curves else np.array([])
    else:
        all_costs = np.concatenate(finished + first_costs)
        n_cut = sum(
            int(np.any(curve[2] > all_costs.max())) for curve in curves if curve[3] is not None
        )
        if n_cut:
            notes.append(
                f"{_plural(n_cut, 'diverged curve')} cut at the top edge; the log scale shows "
                "all of it."
            )
    last_steps = [int(curve[1][-1]) for curve in curves if curve[1].size]
    last_steps += [curve[3] for curve in curves if curve[3] is not None]
    x_max = max([10, *last_steps])
    x_range = [-0.02 * x_max, 1.02 * x_max]
    if all_costs.size:
        low, high = float(all_costs.min()), float(all_costs.max())
    else:
        low, high = (0.1, 1.0) if log_scale else (0.0, 1.0)
    if log_scale:
        y_range = _padded_range(math.log10(low), math.log10(high), 0.05)
        y_top = 10.0 ** y_range[1]
    else:
        y_range = _padded_range(low, high, 0.05)
        y_top = y_range[1]

    figure = go.Figure()

    # --- one curve per run
    for position, (rate, steps, costs, diverged_at) in enumerate(curves):
        colour = LINE_COLOURS[position % len(LINE_COLOURS)]
        dash = LINE_DASHES[(position // len(LINE_COLOURS)) % len(LINE_DASHES)]
        label = _format_rate(rate)
        figure.add_trace(
            go.Scatter(
                x=steps,
                y=costs,
                name=label,
                legendgroup=label,
                mode="lines+markers" if costs.size <= 60 else "lines",
                line={"color": colour, "width": 2.5, "dash": dash},
                marker={"size": 5},
                hovertemplate=f"{label}<br>step %{{x}}<br>cost %{{y:.5g}}<extra></extra>",
            )
        )
        if diverged_at is None:
            continue

        # The cost at the divergence step is not finite or has exploded, so the "×" sits on
        # the top edge at that step, joined to the last drawn point by a dotted line.
        divergence_x = [diverged_at] if costs.size == 0 else [int(steps[-1]), diverged_at]
        divergence_y = [y_top] if costs.size == 0 else [float(costs[-1]), y_top]
        figure.add_trace(
            go.Scatter(
                x=divergence_x,
                y=divergence_y,
                name=f"{label} diverged",
                legendgroup=label,
                showlegend=False,
                mode="lines+markers",
                cliponaxis=False,
                line={"color": colour, "width": 2, "dash": "dot"},
                marker={"color": colour, "size": [0] * (len(divergence_x) - 1) + [15], "symbol": "x"},
                hovertemplate=f"{label} diverged at step {diverged_at}<extra></extra>",
            )
        )
        notes.append(f"{label} diverged at step {diverged_at}.")

    if any(curve[3] is not None for curve in curves):
        # A legend-only entry that explains the "×". None becomes null in the JSON.
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                name="diverged (× at the top edge)",
                mode="markers",
                marker={"color": GREY, "size": 14, "symbol": "x"},
                hoverinfo="skip",
            )
        )
    if not curves:
        notes.append("No runs to draw yet.")

    _apply_layout(
        figure,
        chart="learning_rate_comparison",
        title="Cost during training at each learning rate",
        x_title="step",
        y_title="cost (mean squared error)",
        notes=notes,
        height=height,
        meta={"runs": len(curves)},
    )
    figure.update_xaxes(range=x_range)
    figure.update_yaxes(type="log" if log_scale else "linear", range=y_range)
    if log_scale:
        tick_values, tick_labels = _log_ticks(*y_range)
        figure.update_yaxes(tickvals=tick_values, ticktext=tick_labels)
    return figure


# ---------------------------------------------------------------------------
# Fits: one small panel per learning rate
# ---------------------------------------------------------------------------


def fits_figure(
    runs: Sequence[Mapping[str, object]],
    *,
    x: ArrayLike,
    y_expected: ArrayLike,
    curve_x: ArrayLike,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build side-by-side panels of the data and each run's prediction curve.

    All panels share both axes, whose ranges are fixed to the data, so the curves compare
    at a glance. A curve that leaves this range is cut at the edge.

    Parameters
    ----------
    runs : sequence of dict
        One dict per panel, left to right, with the keys

        ``learning_rate`` : float
            η of the run, finite and greater than 0; the panel's title is "η = <rate>".
        ``curve_y`` : array_like of shape (n_curve,), or None
            The network's prediction at each ``curve_x`` after training. None marks a
            diverged run, and its panel shows "diverged" (with the step when the dict has
            a ``diverged_at`` key). Non-finite values are dropped, with a note.
    x : array_like, shape (n_samples,) or (n_samples, 1)
        The input feature of each example.
    y_expected : array_like, shape (n_samples,) or (n_samples, 1)
        The target of each example. At most 1,000 evenly spaced examples are drawn.
    curve_x : array_like, shape (n_curve,)
        Inputs at which every prediction curve was evaluated.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Per panel, the traces "data" and "prediction" (left out for a diverged run). Only
        the first panel's traces appear in the legend.

    Raises
    ------
    ValueError
        If ``runs`` is empty or malformed, or the arrays have the wrong shapes.
    """
    run_list = _check_runs(runs)
    if not run_list:
        raise ValueError("runs must contain at least one run; got an empty list.")
    x_array = _as_single_output("x", x)
    expected = _as_single_output("y_expected", y_expected)
    _check_same_length(("x", "y_expected"), (x_array, expected))
    curve_x_array = _as_1d_float("curve_x", curve_x)

    notes: list[str] = []

    # --- validate every run
    rates: list[float] = []
    curves: list[NDArray[np.float64] | None] = []
    diverged_steps: list[int | None] = []
    for index, run in enumerate(run_list):
        rates.append(_run_learning_rate(run, index))
        curve_y = _run_value(run, index, "curve_y")
        if curve_y is None:
            curves.append(None)
        else:
            curve_array = _as_1d_float(f"runs[{index}]['curve_y']", curve_y)
            _check_same_length(("curve_x", f"runs[{index}]['curve_y']"), (curve_x_array, curve_array))
            curves.append(curve_array)
        diverged_steps.append(_run_diverged_at(run, index))

    # --- data shown_indices in every panel
    shown_indices = downsample_indices(x_array.size, MAX_FIT_EXAMPLES)
    if shown_indices.size < x_array.size:
        notes.append(f"Each panel shows {shown_indices.size:,} of {x_array.size:,} examples, evenly spaced.")
    data_ok = np.isfinite(x_array[shown_indices]) & np.isfinite(expected[shown_indices])
    if not data_ok.all():
        notes.append(f"{_plural(int((~data_ok).sum()), 'example')} with non-finite values not shown_indices.")
    data_x = x_array[shown_indices][data_ok]
    data_y = expected[shown_indices][data_ok]

    # --- shared, fixed ranges from the data and the inputs of the curves
    finite_curve_x = curve_x_array[np.isfinite(curve_x_array)]
    x_all = np.concatenate([data_x, finite_curve_x])
    x_range = _padded_range(float(x_all.min()), float(x_all.max()), 0.03) if x_all.size else [0.0, 1.0]
    y_range = _padded_range(float(data_y.min()), float(data_y.max()), 0.15) if data_y.size else [0.0, 1.0]

    n_panels = len(run_list)
    figure = make_subplots(
        rows=1,
        cols=n_panels,
        shared_yaxes=True,
        subplot_titles=[_format_rate(rate) for rate in rates],
        horizontal_spacing=min(0.04, 0.3 / n_panels),
    )

    n_dropped_curve = 0
    n_cut = 0
    for column, (curve_y, diverged_at) in enumerate(zip(curves, diverged_steps), start=1):
        first_panel = column == 1
        if data_x.size:
            figure.add_trace(
                go.Scatter(
                    x=data_x,
                    y=data_y,
                    name="data",
                    legendgroup="data",
                    showlegend=first_panel,
                    mode="markers",
                    marker={"color": BLUE, "size": 6, "opacity": 0.75},
                    hovertemplate="x %{x:.4g}<br>y %{y:.4g}<extra></extra>",
                ),
                row=1,
                col=column,
            )

        if curve_y is None:
            text = "diverged" if diverged_at is None else f"diverged<br>at step {diverged_at}"
            axis_suffix = "" if first_panel else str(column)
            figure.add_annotation(
                x=0.5,
                y=0.5,
                xref=f"x{axis_suffix} domain",
                yref=f"y{axis_suffix} domain",
                text=text,
                showarrow=False,
                font={"color": VERMILLION, "size": FONT_SIZE + 1},
                bgcolor="rgba(255, 255, 255, 0.9)",
                bordercolor=VERMILLION,
                borderwidth=1.5,
                borderpad=4,
            )
            continue

        curve_ok = np.isfinite(curve_x_array) & np.isfinite(curve_y)
        n_dropped_curve += int((~curve_ok).sum())
        visible = curve_y[curve_ok]
        n_cut += int(((visible < y_range[0]) | (visible > y_range[1])).any())
        order = np.argsort(curve_x_array[curve_ok], kind="stable")
        figure.add_trace(
            go.Scatter(
                x=curve_x_array[curve_ok][order],
                y=visible[order],
                name="prediction",
                legendgroup="prediction",
                showlegend=first_panel,
                mode="lines",
                line={"color": VERMILLION, "width": 2.5},
                hovertemplate="x %{x:.4g}<br>prediction %{y:.4g}<extra></extra>",
            ),
            row=1,
            col=column,
        )

    if n_dropped_curve:
        notes.append(f"{_plural(n_dropped_curve, 'curve point')} with non-finite values not shown.")
    if n_cut:
        notes.append(f"{_plural(n_cut, 'curve')} leaving the data's range cut at the chart edge.")

    _apply_layout(
        figure,
        chart="learning_rate_fits",
        title="Fit after training at each learning rate",
        x_title="",
        y_title="y",
        notes=notes,
        height=height,
        meta={"panels": n_panels},
    )
    figure.update_xaxes(
        range=x_range, title_text="x", tickfont={"size": FONT_SIZE - 1, "color": "#333333"}
    )
    figure.update_yaxes(range=y_range, tickfont={"size": FONT_SIZE - 1, "color": "#333333"})
    figure.update_yaxes(title_text="y", row=1, col=1)
    # make_subplots adds the panel titles as the first annotations.
    for annotation in figure.layout.annotations[:n_panels]:
        annotation.font = {"size": FONT_SIZE}
    figure.update_layout(showlegend=any(curve is not None for curve in curves) or data_x.size > 0)
    return figure


# ---------------------------------------------------------------------------
# Sweep: final cost against the learning rate
# ---------------------------------------------------------------------------


def _regime_bands(
    log_rates: NDArray[np.float64], regimes: Sequence[str], x_range: Sequence[float]
) -> list[tuple[str, float, float]]:
    """Group consecutive equal regimes into bands ``(regime, log10 start, log10 end)``.

    A band's edge lies halfway, on the log axis, between the last rate of one regime and
    the first rate of the next. The outer edges are the ends of the axis.
    """
    bands: list[tuple[str, float, float]] = []
    start = x_range[0]
    for index, regime in enumerate(regimes):
        is_last = index == len(regimes) - 1
        if is_last or regimes[index + 1] != regime:
            end = x_range[1] if is_last else 0.5 * (log_rates[index] + log_rates[index + 1])
            bands.append((regime, start, end))
            start = end
    return bands


def sweep_figure(
    learning_rates: ArrayLike,
    final_costs: ArrayLike,
    regimes: Sequence[str],
    *,
    initial_cost: float,
    n_steps: int,
    height: int = DEFAULT_HEIGHT,
) -> go.Figure:
    """Build the chart of the cost after ``n_steps`` steps against the learning rate.

    The x axis is logarithmic, and so is the y axis when every drawn cost and the initial
    cost are positive. Shaded vertical bands label each learning rate "too small", "good" or
    "too large", and a dashed line marks the cost at the start.

    Parameters
    ----------
    learning_rates : array_like, shape (n_rates,)
        η of each run, finite and greater than 0, in any order (they are sorted here).
    final_costs : array_like, shape (n_rates,)
        Cost after ``n_steps`` steps, nan or inf for a run that diverged, as
        ``landscape.sweep_learning_rates`` returns them. Diverged runs are drawn as "×" on
        the top edge with the label "diverged".
    regimes : sequence of str, length n_rates
        The regime of each rate, one of "too small", "good" and "too large", for example
        from ``landscape.classify_regimes``.
    initial_cost : float
        The cost before training; finite and at least 0.
    n_steps : int
        Steps per run, at least 0; it appears in the y axis title.
    height : int, default 400
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Traces "final cost" (left out when every run diverged) and "diverged" (left out when
        none did). The bands are shapes, the start line a shape, and their labels
        annotations.

    Raises
    ------
    ValueError
        If the lengths differ, a rate is not positive, a regime is unknown, or
        ``initial_cost`` or ``n_steps`` is invalid.
    """
    rates = _as_1d_float("learning_rates", learning_rates)
    if rates.size == 0:
        raise ValueError("learning_rates must contain at least one rate; got an empty array.")
    if not np.all(np.isfinite(rates) & (rates > 0)):
        raise ValueError(
            f"learning_rates must be finite and greater than 0; got {rates.tolist()}."
        )
    costs = _as_1d_float("final_costs", final_costs)
    regime_list = [str(regime) for regime in regimes]
    _check_same_length(("learning_rates", "final_costs", "regimes"), (rates, costs, regime_list))
    unknown = sorted(set(regime_list) - set(REGIME_NAMES))
    if unknown:
        raise ValueError(
            f"regimes must contain only {list(REGIME_NAMES)}; got {unknown}. "
            "Use landscape.classify_regimes to label the rates."
        )
    initial_cost = _as_finite_number("initial_cost", initial_cost)
    if initial_cost < 0:
        raise ValueError(f"initial_cost must be at least 0 (a mean of squares); got {initial_cost!r}.")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps must be an integer of at least 0; got {n_steps!r}.")

    order = np.argsort(rates, kind="stable")
    rates, costs = rates[order], costs[order]
    regime_list = [regime_list[index] for index in order]
    log_rates = np.log10(rates)

    notes: list[str] = []
    diverged = ~np.isfinite(costs)
    finite_costs = costs[~diverged]

    # --- ranges: log x always; log y when everything to draw is positive
    gaps = np.diff(log_rates)
    x_padding = 0.5 * float(np.median(gaps[gaps > 0])) if np.any(gaps > 0) else 0.5
    x_range = [float(log_rates[0]) - x_padding, float(log_rates[-1]) + x_padding]
    drawn_costs = np.append(finite_costs, initial_cost)
    log_y = bool(np.all(drawn_costs > 0))
    # The top 15 % of the plot is a strip for the "×" of diverged runs, clear of the
    # start line and of every finite cost.
    if log_y:
        y_low, y_high = float(np.log10(drawn_costs.min())), float(np.log10(drawn_costs.max()))
    else:
        y_low, y_high = float(drawn_costs.min()), float(drawn_costs.max())
    y_range = _padded_range(y_low, y_high, 0.08)
    y_range[1] += 0.15 * (y_range[1] - y_range[0])
    strip_middle = y_range[1] - 0.06 * (y_range[1] - y_range[0])
    y_top = 10.0**strip_middle if log_y else strip_middle
    start_y_position = math.log10(initial_cost) if log_y else initial_cost
    if not log_y and finite_costs.size:
        notes.append("Linear cost axis, because a cost of 0 cannot go on a log axis.")

    figure = go.Figure()

    # --- regime bands, behind everything
    band_top_label_y = 1.0
    for regime, start, end in _regime_bands(log_rates, regime_list, x_range):
        figure.add_shape(
            type="rect",
            xref="x",
            yref="y domain",
            x0=10.0**start,
            x1=10.0**end,
            y0=0,
            y1=1,
            fillcolor=_REGIME_FILLS[regime],
            opacity=_REGIME_OPACITY,
            line={"width": 0},
            layer="below",
        )
        figure.add_annotation(
            x=0.5 * (start + end),
            y=band_top_label_y,
            xref="x",
            yref="y domain",
            yanchor="bottom",
            text=regime,
            showarrow=False,
            font={"size": FONT_SIZE - 1, "color": "#333333"},
        )

    # --- cost at the start
    figure.add_shape(
        type="line",
        xref="paper",
        yref="y",
        x0=0,
        x1=1,
        y0=initial_cost,
        y1=initial_cost,
        line={"color": GREY, "width": 2, "dash": "dash"},
    )
    # Below the line at the right end: runs there diverged or ended above the start, so the
    # space under the line is usually empty.
    figure.add_annotation(
        x=1,
        y=start_y_position,
        xref="paper",
        yref="y",
        xanchor="right",
        yanchor="top",
        yshift=-2,
        text="cost at the start",
        showarrow=False,
        font={"size": FONT_SIZE - 1, "color": "#444444"},
        bgcolor="rgba(255, 255, 255, 0.8)",
    )

    # --- final costs
    if finite_costs.size:
        figure.add_trace(
            go.Scatter(
                x=rates[~diverged],
                y=finite_costs,
                name="final cost",
                mode="lines+markers",
                line={"color": BLUE, "width": 2.5},
                marker={"color": BLUE, "size": 9},
                hovertemplate="η %{x:.4g}<br>final cost %{y:.5g}<extra></extra>",
            )
        )
    if diverged.any():
        diverged_rates = rates[diverged]
        figure.add_trace(
            go.Scatter(
                x=diverged_rates,
                y=np.full(diverged_rates.size, y_top),
                name="diverged",
                mode="markers",
                cliponaxis=False,
                marker={"color": VERMILLION, "size": 15, "symbol": "x"},
                hovertemplate="η %{x:.4g}<br>diverged<extra></extra>",
            )
        )
        figure.add_annotation(
            x=float(np.log10(diverged_rates[0])),
            y=strip_middle,
            xref="x",
            yref="y",
            xanchor="right",
            yanchor="middle",
            xshift=-12,
            text="diverged",
            showarrow=False,
            font={"color": VERMILLION, "size": FONT_SIZE - 1},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
        notes.append(
            f"{_plural(int(diverged.sum()), 'run')} diverged (× on the top edge): "
            + "η = "
            + ", ".join(f"{rate:.3g}" for rate in diverged_rates)
            + "."
        )

    _apply_layout(
        figure,
        chart="learning_rate_sweep",
        title="Final cost against the learning rate",
        x_title="learning rate η (log scale)",
        y_title=f"cost after {n_steps:,} steps" + (" (log scale)" if log_y else ""),
        notes=notes,
        height=height,
        meta={"log_y": log_y, "diverged": int(diverged.sum())},
    )
    # The band labels sit just above the plot area, so the top margin gets a line more.
    figure.update_layout(margin={"t": figure.layout.margin.t + 22})
    figure.update_xaxes(type="log", range=x_range)
    figure.update_yaxes(type="log" if log_y else "linear", range=y_range)
    # Tick values on a log axis are data values, not their logs.
    x_ticks, x_labels = _log_ticks(*x_range)
    figure.update_xaxes(tickvals=x_ticks, ticktext=x_labels)
    if log_y:
        y_ticks, y_labels = _log_ticks(y_range[0], strip_middle - 0.06 * (y_range[1] - y_range[0]))
        figure.update_yaxes(tickvals=y_ticks, ticktext=y_labels)
    return figure
