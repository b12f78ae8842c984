"""Training for Play in batches of frames that the browser animates on its own.

Play must not cost the server one script run per animation frame: a class of students would
saturate it. So each server run trains several frames' worth of steps at once. It sends the
browser the frames (the step, epoch and full-data cost after each frame, and the fit), and the
browser plays them at its own pace while it requests the next batch.

Everything returned is plain JSON (lists of finite floats), small enough to send every batch:
with the default sizes a batch is about 20 KB.

This module has no Streamlit in it; `lab_ui` sends its output to the browser.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .charts import downsample_min_max
from .session import TrainingSession

FloatArray = NDArray[np.float64]

#: Points of the prediction curve drawn for one-input data.
FIT_POINTS = 80
#: Examples drawn in the expected-against-predicted scatter for several inputs.
SCATTER_POINTS = 150
#: Points of the cost history sent with each batch, before the batch's own frames.
HISTORY_POINTS = 400
#: Largest magnitude sent for a drawn value. Larger or non-finite values are sent as null, which
#: Plotly leaves out of the line, so a diverging run cannot put NaN or Infinity into the JSON.
MAX_DRAWN_MAGNITUDE = 1e12


def _drawn(values: FloatArray, digits: int = 12) -> list[float | None]:
    """Turn values into JSON numbers for drawing, with null for non-finite or huge ones."""
    out: list[float | None] = []
    for value in np.asarray(values, dtype=np.float64).ravel():
        if math.isfinite(value) and abs(value) <= MAX_DRAWN_MAGNITUDE:
            out.append(float(f"{value:.{digits}g}"))
        else:
            out.append(None)
    return out


def fit_inputs(session: TrainingSession) -> tuple[str, FloatArray, FloatArray, FloatArray]:
    """Return what the fit panel draws: its kind, the x of the points, their y, and the inputs.

    For one input the kind is "curve": the points are the data and the inputs are a grid over
    the data's range with a 5 % margin, where the prediction is drawn as a line. For several
    inputs the kind is "scatter": up to `SCATTER_POINTS` evenly chosen examples, drawn as
    predicted against expected.
    """
    X, y = session.dataset.X, session.dataset.y[:, 0]
    if X.shape[1] == 1:
        x = X[:, 0]
        margin = 0.05 * (x.max() - x.min())
        grid = np.linspace(x.min() - margin, x.max() + margin, FIT_POINTS)
        return "curve", x, y, grid.reshape(-1, 1)
    chosen = np.unique(np.linspace(0, X.shape[0] - 1, min(SCATTER_POINTS, X.shape[0])).round().astype(int))
    return "scatter", y[chosen], y[chosen], X[chosen]


def player_setup(session: TrainingSession) -> dict:
    """Describe the parts of the player that stay the same while the network trains."""
    kind, x, y, inputs = fit_inputs(session)
    settings = session.settings
    cost_label = "cost (MSE, standardised units)" if settings.standardize else "cost (MSE)"
    low, high = float(np.min(y)), float(np.max(y))
    span = high - low if high > low else max(abs(high), 1.0)
    return {
        "fit_kind": kind,
        "points_x": _drawn(x),
        "points_y": _drawn(y),
        # The inputs of the prediction line, for one input; the scatter reuses points_x.
        "fit_x": _drawn(inputs[:, 0]) if kind == "curve" else None,
        "x_label": session.dataset.feature_names[0] if kind == "curve" else f"expected {session.dataset.target_names[0]}",
        "y_label": session.dataset.target_names[0] if kind == "curve" else f"predicted {session.dataset.target_names[0]}",
        "cost_label": cost_label,
        # The fit axis spans the data with half a span of margin, so the moving curve has room.
        "y_range": [low - 0.5 * span, high + 0.5 * span],
    }


def history_points(session: TrainingSession) -> dict:
    """Return the cost curve so far, downsampled to at most `HISTORY_POINTS` points, ending now."""
    steps, costs = session.cost_series()
    finite = np.isfinite(costs)
    steps, costs = steps[finite], costs[finite]
    if costs.size > HISTORY_POINTS:
        steps, costs = downsample_min_max(steps, costs, HISTORY_POINTS)
    return {"steps": [int(step) for step in steps], "costs": _drawn(costs)}


def play_batch(session: TrainingSession, n_frames: int, steps_per_frame: int) -> dict:
    """Train ``n_frames`` × ``steps_per_frame`` steps and return a frame after each group.

    Parameters
    ----------
    session : TrainingSession
        The run to advance. It is trained in place, so the history keeps every step exactly.
    n_frames : int
        Frames in the batch, at least 1.
    steps_per_frame : int
        Steps between two frames, at least 1.

    Returns
    -------
    dict
        ``frames``: a list with, for each frame, ``step``, ``epoch``, ``cost`` (the full-data
        cost after the frame's steps) and ``fit`` (the prediction at the fit panel's inputs, in
        original units). ``stopped``: whether training stopped during the batch, in which case
        the last frame is the step where it stopped.
    """
    for name, value in (("n_frames", n_frames), ("steps_per_frame", steps_per_frame)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    trainer = session.trainer
    _, _, _, inputs = fit_inputs(session)
    frames = []
    for _ in range(int(n_frames)):
        if trainer.stopped:
            break
        session.run(int(steps_per_frame))
        with np.errstate(all="ignore"):
            cost = trainer.cost()
        frames.append(
            {
                "step": int(trainer.step_count),
                "epoch": int(trainer.epoch),
                "cost": _drawn([cost])[0],
                "fit": _drawn(session.predict(inputs)[:, 0], digits=7),
            }
        )
    return {"frames": frames, "stopped": bool(trainer.stopped)}
