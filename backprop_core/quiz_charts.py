"""The chart of a "which curve is the fit after 100 more steps?" question.

A pure function of the question's candidates: NumPy and Plotly only, never Streamlit.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .charts import BLACK, BLUE, GREY, ORANGE, REDDISH_PURPLE, _apply_layout
from .quiz import FitCandidates

# One colour and dash per label, so the three curves differ in print and for colour-blind eyes.
LABEL_STYLES = {
    "A": (BLUE, "solid"),
    "B": (ORANGE, "dash"),
    "C": (REDDISH_PURPLE, "dot"),
}

ROLE_NAMES = {
    "descent": "after 100 steps of gradient descent",
    "current": "the fit now, unchanged",
    "ascent": "after 100 steps moving with the gradient",
}

# Curves that leave the data's range are cut at this many data spans above and below it.
Y_RANGE_SPANS = 1.0


def fit_candidates_figure(
    fit: FitCandidates,
    *,
    x_label: str,
    y_label: str,
    revealed: bool = False,
    height: int = 420,
) -> go.Figure:
    """Draw the data and the three candidate curves, labelled A, B and C.

    Parameters
    ----------
    fit : FitCandidates
        The question's curves, in original units.
    x_label, y_label : str
        Axis titles.
    revealed : bool
        After the answer: name what each curve is and draw the true one thicker.
    height : int
        Figure height in pixels.

    Returns
    -------
    go.Figure
        Traces: "data", then one per label in A, B, C order. The y axis spans the data with a
        margin of one data span each way, so a curve that runs off is cut, not rescaled.
    """
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=fit.data_x,
            y=fit.data_y,
            mode="markers",
            name="data",
            marker={"color": GREY, "size": 7, "line": {"color": BLACK, "width": 0.5}},
            hovertemplate="x = %{x:.4g}<br>y = %{y:.4g}<extra>data</extra>",
        )
    )
    for label in sorted(fit.curves):
        colour, dash = LABEL_STYLES[label]
        role = fit.roles[label]
        name = f"{label}: {ROLE_NAMES[role]}" if revealed else label
        true_curve = revealed and role == "descent"
        figure.add_trace(
            go.Scatter(
                x=fit.grid,
                y=fit.curves[label],
                mode="lines",
                name=name,
                line={"color": colour, "dash": dash, "width": 5 if true_curve else 3},
                hovertemplate=f"x = %{{x:.4g}}<br>ŷ = %{{y:.4g}}<extra>{label}</extra>",
            )
        )
    low, high = float(np.min(fit.data_y)), float(np.max(fit.data_y))
    span = high - low if high > low else max(abs(high), 1.0)
    _apply_layout(
        figure,
        chart="quiz_fit",
        title="Which curve is the fit after 100 more steps?" if not revealed else "The three curves",
        x_title=x_label,
        y_title=y_label,
        notes=["Curves that leave the chart are cut at its edge."],
        height=height,
        meta={"revealed": revealed, "roles": dict(fit.roles)},
    )
    figure.update_yaxes(range=[low - Y_RANGE_SPANS * span, high + Y_RANGE_SPANS * span])
    return figure
