"""Replay of a recorded training run as one Plotly figure with animation frames.

The figure carries every frame, so Plotly's own play button and slider animate it in the
browser and the server does no work once the figure is sent. Three panels sit side by side:
the cost against the step, the network's fit to the data, and a few weights and biases
travelling along their paths.

`replay_data` reads a `TrainingSession` into a `ReplayData` record, and `replay_figure` draws
that record. Both are pure functions. This module imports NumPy and Plotly only, never
Streamlit.

Frame k shows the state after ``frame_steps[k]`` steps: the exact cost the history recorded for
that state, and the fit and parameters of the parameter snapshot kept at that step. The
history keeps at most about a thousand snapshots, so a long run is replayed at the steps of
evenly spread snapshots, and the figure's subtitle states this.

Like every figure of the lab, this one contains no NaN or infinity, because browsers reject
them in JSON. Values that are not finite, or so large that they would flatten a panel, are
left out, and the subtitle counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray
from plotly.subplots import make_subplots

from .charts import (
    BLUE,
    FONT_SIZE,
    GREY,
    LINE_COLOURS,
    LIGHT_TEMPLATE,
    LINE_DASHES,
    VERMILLION,
    _plural,
    downsample_indices,
    downsample_min_max,
    title_layout,
    wrapped_notes,
)
from .session import TrainingSession
from .training import EXPLOSION_FACTOR

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "MAX_FRAMES_LIMIT",
    "MAX_REPLAY_PARAMETERS",
    "ReplayData",
    "default_replay_parameters",
    "replay_data",
    "replay_figure",
    "replay_frames",
]

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

#: Frames a replay uses unless the caller asks for another number.
DEFAULT_MAX_FRAMES = 120

#: Largest accepted ``max_frames``. The growing cost line sends 1 + 2 + ... + n costs over n
#: frames, so the figure JSON grows faster than the frame count. With 150 frames, the replay
#: of a 2-8-8-1 network on 500 examples is about 282,000 characters of JSON (Plotly 7.1),
#: and tests/test_replay.py checks that such a figure stays below 300,000.
MAX_FRAMES_LIMIT = 150

#: Points of the prediction curve of one-input data, per frame.
FIT_GRID_POINTS = 80

#: Examples whose prediction is replayed for data with several inputs.
MAX_SCATTER_EXAMPLES = 100

#: Examples drawn as fixed points in the fit panel of one-input data.
MAX_DATA_POINTS = 500

#: Parameters whose paths a replay draws.
MAX_REPLAY_PARAMETERS = 8

#: Points of the faint cost curve of the whole run.
COST_CURVE_POINTS = 400

#: Points of each parameter's faint path.
PATH_POINTS = 200

#: A prediction further than this many data ranges (max − min of the targets) beyond the
#: targets is left out, so that a diverging network does not flatten the fit panel.
FIT_LIMIT_RANGES = 5.0

#: Values beyond this magnitude are left out. Per-frame arrays are sent as float32, whose
#: largest value is about 3.4e38, and no panel of this lab has a use for larger numbers.
MAX_DRAWN_MAGNITUDE = 1e30

#: Space below the panels, in pixels, for the x-axis titles, the buttons and the slider.
BOTTOM_MARGIN = 150

#: Distance from the bottom of the panels down to the buttons and the slider, in pixels.
CONTROLS_OFFSET = 62

#: Subtitle lines are wrapped at this many characters, because the figure spans the page width.
NOTE_LINE_CHARACTERS = 110

# Marker shapes of the parameter markers, one per cycle through LINE_COLOURS.
MARKER_SYMBOLS = ("circle", "square")

# Trace positions in the figure. Frames update the growing cost line, the cost marker, the
# moving fit trace and, after the parameter paths, the trace of the parameter markers.
_COST_CURVE, _COST_LINE, _COST_MARKER, _FIT_FIXED, _FIT_MOVING, _FIRST_PATH = range(6)


# ---------------------------------------------------------------------------
# Frame selection
# ---------------------------------------------------------------------------


def _check_frame_count(max_frames: object, upper: int | None) -> int:
    if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)):
        raise ValueError(
            f"max_frames must be an integer; got {max_frames!r} of type "
            f"{type(max_frames).__name__}. Pass a whole number such as {DEFAULT_MAX_FRAMES}."
        )
    if max_frames < 2:
        raise ValueError(
            f"max_frames must be at least 2, so that the first and the last state both fit; "
            f"got {max_frames}."
        )
    if upper is not None and max_frames > upper:
        raise ValueError(
            f"max_frames must be at most {upper}, so that the figure stays small enough to send; "
            f"got {max_frames}. Pass {upper} or fewer."
        )
    return int(max_frames)


def _check_snapshot_steps(snapshot_steps: ArrayLike) -> IntArray:
    try:
        steps = np.asarray(snapshot_steps, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"snapshot_steps must contain step counts; converting it to numbers failed ({error})."
        ) from None
    if steps.ndim != 1 or steps.size == 0:
        raise ValueError(
            f"snapshot_steps must be a 1-D array with at least one step count; got shape "
            f"{steps.shape}. Pass the steps of the kept snapshots, starting with 0."
        )
    invalid = ~np.isfinite(steps) | (steps != np.round(steps)) | (steps < 0)
    if invalid.any():
        index = int(np.flatnonzero(invalid)[0])
        raise ValueError(
            f"snapshot_steps must contain whole, non-negative step counts; got {steps[index]!r} "
            f"at index {index}."
        )
    if steps.size > 1 and np.any(np.diff(steps) <= 0):
        index = int(np.flatnonzero(np.diff(steps) <= 0)[0]) + 1
        raise ValueError(
            f"snapshot_steps must be strictly increasing; got {steps[index]:.0f} at index "
            f"{index} after {steps[index - 1]:.0f}. Pass each snapshot once, in recorded order."
        )
    return steps.astype(np.int64)


def replay_frames(snapshot_steps: ArrayLike, max_frames: int = DEFAULT_MAX_FRAMES) -> IntArray:
    """Choose the snapshots to replay, evenly spread over the steps of the run.

    With at most ``max_frames`` snapshots, every snapshot is a frame. Otherwise the frames
    are the snapshots nearest to ``max_frames`` evenly spaced steps from the first snapshot's
    step to the last one's. Where two targets share their nearest snapshot, it is used once, so
    unevenly spaced snapshots can give fewer frames.

    Parameters
    ----------
    snapshot_steps : array_like of int, shape (n_snapshots,)
        Step of each kept snapshot, strictly increasing, usually starting at 0.
    max_frames : int, default 120
        Maximum number of frames, at least 2.

    Returns
    -------
    NDArray[np.int64], shape (n_frames,)
        Strictly increasing indices into ``snapshot_steps``, with ``n_frames <= max_frames``.
        They always include 0 and ``n_snapshots - 1``.

    Raises
    ------
    ValueError
        If ``snapshot_steps`` is empty, not 1-D, not whole non-negative numbers or not
        strictly increasing, or if ``max_frames`` is not an integer of at least 2.
    """
    steps = _check_snapshot_steps(snapshot_steps)
    max_frames = _check_frame_count(max_frames, upper=None)
    n_snapshots = steps.size
    if n_snapshots <= max_frames:
        return np.arange(n_snapshots, dtype=np.int64)

    # For each evenly spaced target step, take the nearest snapshot, the earlier one on a
    # tie. The targets include both ends exactly, so the first and last snapshots are kept.
    targets = np.linspace(float(steps[0]), float(steps[-1]), max_frames)
    after = np.clip(np.searchsorted(steps, targets), 1, n_snapshots - 1)
    before = after - 1
    nearest = np.where(targets - steps[before] <= steps[after] - targets, before, after)
    return np.unique(nearest.astype(np.int64))


# ---------------------------------------------------------------------------
# Replay record
# ---------------------------------------------------------------------------


def _frozen(values: ArrayLike, dtype: type) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class ReplayData:
    """Everything a replay figure draws, read from one training session.

    Arrays are read-only copies. Costs are in the units the network trains in, as on the
    Train page's cost chart. Predictions and targets are in the data's original units.

    Attributes
    ----------
    total_steps : int
        Steps taken in the run.
    n_frames : int
        Number of frames, ``len(frame_steps)``.
    frame_steps : ndarray of int64, shape (n_frames,)
        Frame k shows the state after ``frame_steps[k]`` steps. Starts at 0 and ends at
        ``total_steps``.
    frame_epochs : ndarray of int64, shape (n_frames,)
        Epoch of the last step before each frame, 0 for the initial state.
    frame_costs : ndarray of float64, shape (n_frames,)
        ``costs[frame_steps]``.
    cost_steps : ndarray of int64, shape (total_steps + 1,)
        ``0, 1, ..., total_steps``.
    costs : ndarray of float64, shape (total_steps + 1,)
        Cost after each number of steps, as returned by ``TrainingSession.cost_series``. With
        full-batch training it is the cost on all the data. With mini-batches the history
        records the cost of the batch of the next step, and only the last value is the cost
        on all the data.
    epochs : ndarray of int64, shape (total_steps + 1,)
        Epoch of the last step before each state, 0 for the initial state.
    parameter_names : tuple of str, length n_shown
        Display names of the parameters drawn, such as ``"W1[0,0]"``, in network order.
    parameter_steps : ndarray of int64, shape (n_snapshots,)
        Steps of every kept parameter snapshot.
    parameter_values : ndarray of float64, shape (n_snapshots, n_shown)
        The drawn parameters at each kept snapshot.
    frame_parameter_values : ndarray of float64, shape (n_frames, n_shown)
        The drawn parameters at each frame.
    fit_kind : {"curve", "scatter"}
        ``"curve"`` for one input: the prediction along a grid of the input. ``"scatter"``
        for several inputs: predicted against expected values of some examples.
    fit_x : ndarray of float64, shape (n_fit,)
        The grid of the input (curve) or the expected values of the examples (scatter).
    frame_predictions : ndarray of float64, shape (n_frames, n_fit)
        The network's prediction of the first target at each ``fit_x`` point and frame. May
        contain non-finite values if the network overflowed.
    data_x, data_y : ndarray of float64, shape (n_data,)
        Input and target of the examples drawn as fixed points (curve only; empty for
        scatter).
    x_label, y_label : str
        Names of the first input and the first target.
    cost_label : str
        Axis title of the cost, with its units.
    n_examples : int
        Examples in the data set.
    n_targets : int
        Target columns in the data set. The fit shows the first.
    target_low, target_high : float
        Smallest and largest value of the first target over all examples.
    cost_limit : float
        Costs above this are left out of the drawing. It is the trainer's divergence
        threshold, ``EXPLOSION_FACTOR`` times its reference cost.
    divergence_step : int or None
        The last step applied before training diverged and stopped, None if it did not.
    note : str or None
        A sentence for the reader when frames skip steps, None when every step is a frame.
    """

    total_steps: int
    n_frames: int
    frame_steps: IntArray
    frame_epochs: IntArray
    frame_costs: FloatArray
    cost_steps: IntArray
    costs: FloatArray
    epochs: IntArray
    parameter_names: tuple[str, ...]
    parameter_steps: IntArray
    parameter_values: FloatArray
    frame_parameter_values: FloatArray
    fit_kind: Literal["curve", "scatter"]
    fit_x: FloatArray
    frame_predictions: FloatArray
    data_x: FloatArray
    data_y: FloatArray
    x_label: str
    y_label: str
    cost_label: str
    n_examples: int
    n_targets: int
    target_low: float
    target_high: float
    cost_limit: float
    divergence_step: int | None
    note: str | None

    def __post_init__(self) -> None:
        n_frames, n_shown = self.n_frames, len(self.parameter_names)
        expected_shapes = {
            "frame_steps": (n_frames,),
            "frame_epochs": (n_frames,),
            "frame_costs": (n_frames,),
            "cost_steps": (self.total_steps + 1,),
            "costs": (self.total_steps + 1,),
            "epochs": (self.total_steps + 1,),
            "parameter_values": (len(self.parameter_steps), n_shown),
            "frame_parameter_values": (n_frames, n_shown),
            "frame_predictions": (n_frames, len(self.fit_x)),
            "data_y": (len(self.data_x),),
        }
        for name, shape in expected_shapes.items():
            actual = np.shape(getattr(self, name))
            if actual != shape:
                raise ValueError(
                    f"{name} must have shape {shape} for {n_frames} frames, {n_shown} "
                    f"parameters and {self.total_steps} steps; got {actual}."
                )
        if n_frames < 1:
            raise ValueError(f"n_frames must be at least 1; got {n_frames}.")
        if self.fit_kind not in ("curve", "scatter"):
            raise ValueError(f"fit_kind must be 'curve' or 'scatter'; got {self.fit_kind!r}.")


def default_replay_parameters(names: Sequence[str]) -> list[str]:
    """Choose up to `MAX_REPLAY_PARAMETERS` parameters to replay, from every layer.

    A network with at most that many parameters gets all of them. Otherwise each layer gets
    an equal share: its first weights and its first bias, or only its first weight when the
    share is one.

    Parameters
    ----------
    names : sequence of str
        Display names in network order, as from ``Network.parameter_names()``.

    Returns
    -------
    list of str
        The chosen names, in network order.
    """
    names = list(names)
    if len(names) <= MAX_REPLAY_PARAMETERS:
        return names
    layers: list[str] = []
    for name in names:
        layer = name[1 : name.index("[")]
        if layer not in layers:
            layers.append(layer)
    share = max(1, MAX_REPLAY_PARAMETERS // len(layers))

    chosen: list[str] = []
    for layer in layers:
        weights = [name for name in names if name.startswith(f"W{layer}[")]
        biases = [name for name in names if name.startswith(f"b{layer}[")]
        if share == 1:
            chosen += weights[:1]
        else:
            chosen += weights[: share - 1] + biases[:1]
    return chosen[:MAX_REPLAY_PARAMETERS]


def _check_parameters(parameters: Sequence[str] | None, names: list[str]) -> list[int]:
    """Return the columns of the chosen parameters in network order."""
    if parameters is None:
        chosen = default_replay_parameters(names)
    else:
        if isinstance(parameters, str):
            raise ValueError(
                f"parameters must be a sequence of names, not one string; got {parameters!r}. "
                f"Pass a list such as [{parameters!r}]."
            )
        chosen = [str(name) for name in parameters]
        unknown = [name for name in chosen if name not in names]
        if unknown:
            raise ValueError(
                f"parameters contains names that this network does not have: {unknown}. "
                f"Choose from names such as {names[:4]}."
            )
        repeated = sorted({name for name in chosen if chosen.count(name) > 1})
        if repeated:
            raise ValueError(f"parameters must not repeat a name; these repeat: {repeated}.")
        if len(chosen) > MAX_REPLAY_PARAMETERS:
            raise ValueError(
                f"parameters may contain at most {MAX_REPLAY_PARAMETERS} names, so that the "
                f"markers stay readable; got {len(chosen)}. Pick fewer."
            )
    chosen_set = set(chosen)
    return [index for index, name in enumerate(names) if name in chosen_set]


def _predict_at(session: TrainingSession, parameters: FloatArray, inputs: FloatArray) -> FloatArray:
    """Predict the first target for ``inputs`` (original units) with the given parameters.

    The scaling matches ``TrainingSession.predict``. A non-finite parameter vector, which
    the trainer never keeps, gives NaN predictions that the figure leaves out.
    """
    if not np.all(np.isfinite(parameters)):
        return np.full(inputs.shape[0], np.nan)
    network = session.network.copy()
    network.set_parameters_vector(parameters)
    # A network on its way to diverging can overflow, and the figure leaves such values out.
    with np.errstate(all="ignore"):
        scaled = network.predict(session.x_scaler.transform(inputs))
        return session.y_scaler.inverse_transform(scaled)[:, 0]


def _fit_grid(x: FloatArray) -> FloatArray:
    """Return the inputs of the prediction curve: the data's range with a 5 % margin."""
    low, high = float(x.min()), float(x.max())
    # A single x value has no range to take 5 % of, so a unit-sized margin is used instead.
    margin = 0.05 * (high - low) if high > low else 0.5 * max(1.0, abs(low))
    return np.linspace(low - margin, high + margin, FIT_GRID_POINTS)


def _frames_note(frame_steps: IntArray, total_steps: int) -> str | None:
    """Describe how often frames are taken, or return None when every step is a frame."""
    n_frames = frame_steps.size
    if n_frames == total_steps + 1:
        return None
    gaps = np.diff(frame_steps)
    mean_gap = total_steps / (n_frames - 1)
    if np.all(gaps == gaps[0]):
        spacing = f"one frame every {int(gaps[0]):,} steps"
    elif mean_gap < 10:
        spacing = f"about one frame every {mean_gap:.1f} steps"
    else:
        spacing = f"about one frame every {round(mean_gap):,} steps"
    return (
        f"Replaying {n_frames} frames for {total_steps:,} steps: {spacing}. "
        "The history keeps every cost exactly."
    )


def _cost_label(session: TrainingSession) -> str:
    if session.settings.standardize:
        return "cost (MSE, standardised units)"
    scaler = session.y_scaler
    if np.all(scaler.mean == 0.0) and np.all(scaler.scale == 1.0):
        return "cost (MSE)"
    return "cost (MSE, scaled targets)"


def replay_data(
    session: TrainingSession,
    max_frames: int = DEFAULT_MAX_FRAMES,
    parameters: Sequence[str] | None = None,
) -> ReplayData:
    """Read a training session's history into the record that `replay_figure` draws.

    Frames are the kept parameter snapshots chosen by `replay_frames`. For each frame the
    network is evaluated at that snapshot's parameters: along a grid of
    `FIT_GRID_POINTS` inputs for one-input data, or on up to `MAX_SCATTER_EXAMPLES`
    evenly spaced examples for data with several inputs.

    Parameters
    ----------
    session : TrainingSession
        The run to replay. It is read, never changed.
    max_frames : int, default 120
        Maximum number of frames, from 2 to `MAX_FRAMES_LIMIT`.
    parameters : sequence of str or None, default None
        Names of up to `MAX_REPLAY_PARAMETERS` parameters to draw, such as ``"W1[0,0]"``.
        None chooses a few from every layer with `default_replay_parameters`. An empty
        sequence draws none.

    Returns
    -------
    ReplayData

    Raises
    ------
    ValueError
        If ``session`` is not a TrainingSession, ``max_frames`` is out of range, or
        ``parameters`` names an unknown parameter, repeats one or names too many.
    """
    if not isinstance(session, TrainingSession):
        raise ValueError(
            f"session must be a TrainingSession; got {type(session).__name__}. "
            "Pass the session whose run should be replayed."
        )
    max_frames = _check_frame_count(max_frames, upper=MAX_FRAMES_LIMIT)
    names = session.network.parameter_names()
    columns = _check_parameters(parameters, names)
    trainer = session.trainer

    # --- costs and epochs of every step
    cost_steps, costs = session.cost_series()
    total_steps = int(cost_steps[-1])
    epochs = np.concatenate([[0], trainer.history.epochs]).astype(np.int64)

    # --- frames from the kept snapshots
    snapshot_steps, snapshot_values = session.parameter_series()
    frame_indices = replay_frames(snapshot_steps, max_frames)
    frame_steps = snapshot_steps[frame_indices]
    frame_values = snapshot_values[frame_indices]

    # --- fit at every frame
    dataset = session.dataset
    first_target = dataset.y[:, 0]
    if dataset.n_features == 1:
        fit_kind: Literal["curve", "scatter"] = "curve"
        fit_x = _fit_grid(dataset.X[:, 0])
        fit_inputs = fit_x.reshape(-1, 1)
        shown = downsample_indices(dataset.n_samples, MAX_DATA_POINTS)
        data_x, data_y = dataset.X[shown, 0], first_target[shown]
    else:
        fit_kind = "scatter"
        shown = downsample_indices(dataset.n_samples, MAX_SCATTER_EXAMPLES)
        fit_x = first_target[shown]
        fit_inputs = dataset.X[shown]
        data_x = data_y = np.zeros(0)
    frame_predictions = np.array([_predict_at(session, values, fit_inputs) for values in frame_values])

    divergence = trainer.divergence
    return ReplayData(
        total_steps=total_steps,
        n_frames=int(frame_steps.size),
        frame_steps=_frozen(frame_steps, np.int64),
        frame_epochs=_frozen(epochs[frame_steps], np.int64),
        frame_costs=_frozen(costs[frame_steps], np.float64),
        cost_steps=_frozen(cost_steps, np.int64),
        costs=_frozen(costs, np.float64),
        epochs=_frozen(epochs, np.int64),
        parameter_names=tuple(names[column] for column in columns),
        parameter_steps=_frozen(snapshot_steps, np.int64),
        parameter_values=_frozen(snapshot_values[:, columns], np.float64),
        frame_parameter_values=_frozen(frame_values[:, columns], np.float64),
        fit_kind=fit_kind,
        fit_x=_frozen(fit_x, np.float64),
        frame_predictions=_frozen(frame_predictions.reshape(frame_steps.size, fit_x.size), np.float64),
        data_x=_frozen(data_x, np.float64),
        data_y=_frozen(data_y, np.float64),
        x_label=dataset.feature_names[0],
        y_label=dataset.target_names[0],
        cost_label=_cost_label(session),
        n_examples=dataset.n_samples,
        n_targets=dataset.n_targets,
        target_low=float(first_target.min()),
        target_high=float(first_target.max()),
        cost_limit=float(EXPLOSION_FACTOR * trainer.reference_cost),
        divergence_step=None if divergence is None else int(divergence.step),
        note=_frames_note(frame_steps, total_steps),
    )


# ---------------------------------------------------------------------------
# Figure
# ---------------------------------------------------------------------------


def _drawable(
    values: FloatArray, low: float = -MAX_DRAWN_MAGNITUDE, high: float = MAX_DRAWN_MAGNITUDE
) -> NDArray[np.bool_]:
    """Mark the values that are finite and lie within [low, high] and the float32-safe range."""
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(values)
            & (values >= max(low, -MAX_DRAWN_MAGNITUDE))
            & (values <= min(high, MAX_DRAWN_MAGNITUDE))
        )


def _frame_values(values: FloatArray, ok: NDArray[np.bool_]) -> np.ndarray | list[float | None]:
    """Encode one frame's y values: compact float32 when all are drawable, else a list with gaps.

    float32 keeps 7 significant digits, plenty for drawing, and halves the JSON of frames.
    A None in a list is a gap in the line. A NumPy array cannot contain one without NaN.
    """
    if ok.all():
        return values.astype(np.float32)
    return [float(value) if keep else None for value, keep in zip(values, ok)]


def _padded_range(low: float, high: float, fraction: float = 0.05) -> list[float]:
    if high > low:
        padding = fraction * (high - low)
    else:
        # All values are equal, so there is no span to pad by a fraction of.
        padding = 0.5 * max(1.0, abs(low))
    return [low - padding, high + padding]


def _step_range(total_steps: int) -> list[float]:
    # At least one step wide, so that a 0-step run still has an x axis.
    x_max = max(total_steps, 1)
    return [-0.03 * x_max, 1.03 * x_max]


def _fit_limits(data: ReplayData) -> tuple[float, float]:
    """Return the interval outside which a prediction is left out of the fit panel."""
    span = data.target_high - data.target_low
    if span <= 0:
        span = max(1.0, abs(data.target_low))
    return (
        data.target_low - FIT_LIMIT_RANGES * span,
        data.target_high + FIT_LIMIT_RANGES * span,
    )


def _check_figure_options(data: object, height: object, frame_duration_ms: object) -> None:
    if not isinstance(data, ReplayData):
        raise ValueError(
            f"data must be a ReplayData; got {type(data).__name__}. Build it with replay_data(session)."
        )
    if isinstance(height, bool) or not isinstance(height, (int, np.integer)) or height < 300:
        raise ValueError(
            f"height must be an integer number of pixels of at least 300; got {height!r}. "
            "The three panels need room for their titles, the slider and the buttons."
        )
    valid_duration = isinstance(frame_duration_ms, (int, float, np.integer, np.floating)) and not isinstance(
        frame_duration_ms, bool
    )
    if not valid_duration or not np.isfinite(frame_duration_ms) or frame_duration_ms <= 0:
        raise ValueError(
            f"frame_duration_ms must be a positive number of milliseconds; got "
            f"{frame_duration_ms!r}. Try 120, about 8 frames a second."
        )


def replay_figure(
    data: ReplayData, *, height: int = 560, frame_duration_ms: float = 120
) -> go.Figure:
    """Build the animated replay: cost, fit and parameter paths, with play, pause and a slider.

    Panels, left to right:

    * Cost against the step. A faint line shows the whole run, downsampled to
      `COST_CURVE_POINTS` points that keep each stretch's min and max. A solid line grows
      through the frames' costs, and a diamond marks the current frame.
    * The fit. For one input, the examples are fixed points and the prediction curve moves.
      For several inputs, the dashed line y = x is fixed and the predicted-against-expected
      points move.
    * Each chosen parameter's path as a faint line, and a labelled marker travelling along it.

    Traces 0 to 4 are, in order: the faint cost line, the growing cost line, the cost marker,
    the fixed fit trace and the moving fit trace. Then come one faint path per parameter and,
    if any parameter is drawn, one trace with every parameter's marker. Each frame updates only
    the growing cost line, the cost marker, the moving fit trace and the parameter markers.

    Parameters
    ----------
    data : ReplayData
        From `replay_data`.
    height : int, default 560
        Figure height in pixels, at least 300.
    frame_duration_ms : float, default 120
        Time each frame stays on screen while playing, in milliseconds.

    Returns
    -------
    go.Figure
        With ``frames`` named by their step (``"0"``, ``"84"``, ...), play and pause buttons
        in ``layout.updatemenus``, one slider step per frame in ``layout.sliders``, and
        ``layout.meta = {"chart": "replay", "n_frames": ..., "total_steps": ..., ...}``.
        Every axis range is fixed and covers the whole run.

    Raises
    ------
    ValueError
        If ``data`` is not a ReplayData, or ``height`` or ``frame_duration_ms`` is invalid.
    """
    _check_figure_options(data, height, frame_duration_ms)
    notes: list[str] = [data.note] if data.note else []

    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            "Cost",
            "Fit" if data.fit_kind == "curve" else "Predicted against expected",
            "Weights and biases",
        ),
        horizontal_spacing=0.11,
    )
    moving = _moving_traces(data)
    notes += _add_cost_panel(figure, data, moving)
    notes += _add_fit_panel(figure, data, moving)
    notes += _add_parameter_panel(figure, data, moving)
    if data.divergence_step is not None:
        notes.append(
            f"Training diverged and stopped after step {data.divergence_step:,}; "
            "the replay ends with the last parameters that were still finite."
        )

    frame_traces = [_COST_LINE, _COST_MARKER, _FIT_MOVING]
    if data.parameter_names:
        frame_traces.append(_FIRST_PATH + len(data.parameter_names))
    figure.frames = [
        go.Frame(
            data=[go.Scatter(**update) for update in _frame_data(data, k)],
            traces=frame_traces,
            name=str(int(step)),
        )
        for k, step in enumerate(data.frame_steps)
    ]
    _apply_replay_layout(figure, data, notes, height, float(frame_duration_ms))
    return figure


# --- panels ----------------------------------------------------------------------------------


def _cost_ok(data: ReplayData, costs: FloatArray) -> NDArray[np.bool_]:
    return _drawable(costs, high=data.cost_limit)


def _add_cost_panel(figure: go.Figure, data: ReplayData, moving: list[go.Scatter]) -> list[str]:
    notes: list[str] = []
    ok = _cost_ok(data, data.costs)
    n_left_out = int((~ok).sum())
    if n_left_out:
        notes.append(
            f"{_plural(n_left_out, 'cost')} not finite or above the divergence limit "
            f"({data.cost_limit:.3g}) left out."
        )
    curve_steps, curve_costs = downsample_min_max(data.cost_steps[ok], data.costs[ok], COST_CURVE_POINTS)
    if curve_costs.size < int(ok.sum()):
        notes.append(
            f"The faint cost line shows {curve_costs.size:,} of {int(ok.sum()):,} points, "
            "keeping each stretch's min and max."
        )

    figure.add_trace(
        go.Scatter(
            x=curve_steps.astype(np.int32),
            y=curve_costs,
            name="whole run",
            mode="lines",
            line={"color": BLUE, "width": 1.5},
            opacity=0.3,
            hovertemplate="step %{x}<br>cost %{y:.5g}<extra>whole run</extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(moving[0], row=1, col=1)
    figure.add_trace(moving[1], row=1, col=1)

    figure.update_xaxes(title_text="step", range=_step_range(data.total_steps), row=1, col=1)
    y_high = float(data.costs[ok].max()) if ok.any() else 1.0
    figure.update_yaxes(title_text=data.cost_label, range=_padded_range(0.0, max(y_high, 0.0)), row=1, col=1)
    return notes


def _add_fit_panel(figure: go.Figure, data: ReplayData, moving: list[go.Scatter]) -> list[str]:
    notes: list[str] = []
    low, high = _fit_limits(data)
    ok = _drawable(data.frame_predictions, low, high)
    n_left_out = int((~ok).sum())
    if n_left_out:
        notes.append(
            f"{_plural(n_left_out, 'predicted value')} not finite or more than "
            f"{FIT_LIMIT_RANGES:g} target ranges away from the data left out."
        )
    if data.n_targets > 1:
        notes.append(f"The fit shows the first of {data.n_targets} targets, {data.y_label}.")
    predicted = data.frame_predictions[ok]

    if data.fit_kind == "curve":
        if data.data_x.size < data.n_examples:
            notes.append(f"The fit shows {data.data_x.size:,} of {data.n_examples:,} examples, evenly spaced.")
        figure.add_trace(
            go.Scatter(
                x=data.data_x,
                y=data.data_y,
                name="examples",
                mode="markers",
                marker={"color": BLUE, "size": 7, "opacity": 0.8},
                hovertemplate=f"{data.x_label} %{{x:.4g}}<br>{data.y_label} %{{y:.4g}}<extra>example</extra>",
            ),
            row=1,
            col=2,
        )
        figure.add_trace(moving[2], row=1, col=2)
        y_values = np.concatenate([[data.target_low, data.target_high], predicted])
        figure.update_xaxes(
            title_text=data.x_label,
            range=_padded_range(float(data.fit_x.min()), float(data.fit_x.max()), 0.0),
            row=1,
            col=2,
        )
        figure.update_yaxes(
            title_text=data.y_label, range=_padded_range(float(y_values.min()), float(y_values.max())), row=1, col=2
        )
        return notes

    if data.fit_x.size < data.n_examples:
        notes.append(
            f"The fit shows {data.fit_x.size:,} of {data.n_examples:,} examples, evenly spaced."
        )
    values = np.concatenate([data.fit_x, predicted])
    axis_range = _padded_range(float(values.min()), float(values.max()))
    figure.add_trace(
        go.Scatter(
            x=axis_range,
            y=axis_range,
            name="perfect prediction (y = x)",
            mode="lines",
            line={"color": GREY, "dash": "dash", "width": 1.5},
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    figure.add_trace(moving[2], row=1, col=2)
    figure.update_xaxes(title_text=f"expected {data.y_label}", range=axis_range, row=1, col=2)
    figure.update_yaxes(title_text=f"predicted {data.y_label}", range=axis_range, row=1, col=2)
    return notes


def _add_parameter_panel(figure: go.Figure, data: ReplayData, moving: list[go.Scatter]) -> list[str]:
    notes: list[str] = []
    figure.update_xaxes(title_text="step", range=_step_range(data.total_steps), row=1, col=3)
    figure.update_yaxes(title_text="parameter value", row=1, col=3)
    if not data.parameter_names:
        notes.append("No parameter chosen, so the right panel is empty.")
        return notes

    ok = _drawable(data.parameter_values)
    n_left_out = int((~ok).sum())
    if n_left_out:
        notes.append(f"{_plural(n_left_out, 'parameter value')} not finite or too large to draw left out.")
    for position, name in enumerate(data.parameter_names):
        column_ok = ok[:, position]
        steps, values = downsample_min_max(
            data.parameter_steps[column_ok], data.parameter_values[column_ok, position], PATH_POINTS
        )
        figure.add_trace(
            go.Scatter(
                x=steps.astype(np.int32),
                y=values,
                name=name,
                mode="lines",
                line={
                    "color": LINE_COLOURS[position % len(LINE_COLOURS)],
                    "dash": LINE_DASHES[(position // len(LINE_COLOURS)) % len(LINE_DASHES)],
                    "width": 1.5,
                },
                opacity=0.35,
                hovertemplate=f"{name}<br>step %{{x}}<br>value %{{y:.5g}}<extra></extra>",
            ),
            row=1,
            col=3,
        )
    figure.add_trace(moving[3], row=1, col=3)

    drawn = data.parameter_values[ok]
    if drawn.size:
        figure.update_yaxes(range=_padded_range(float(drawn.min()), float(drawn.max()), 0.08), row=1, col=3)
    return notes


# --- frames ----------------------------------------------------------------------------------


def _frame_data(data: ReplayData, k: int) -> list[dict[str, object]]:
    """Return what changes at frame k, for the traces in the order of the frames' ``traces``.

    Only data goes into a frame, never styles, because every frame repeats it. Plotly
    merges a frame's keys into the trace it names and keeps the other keys.
    """
    step = int(data.frame_steps[k])

    # The growing cost line keeps all frame steps as its x. Plotly draws as many points as
    # the shorter of x and y has, so sending the first k + 1 costs grows the line.
    costs = data.frame_costs[: k + 1]
    line = {"y": _frame_values(costs, _cost_ok(data, costs))}

    # The current point carries the exact float64 cost, shown in its hover text.
    marker_ok = bool(_cost_ok(data, data.frame_costs[k : k + 1])[0])
    marker = {
        "x": [step] if marker_ok else [],
        "y": [float(data.frame_costs[k])] if marker_ok else [],
        "customdata": [int(data.frame_epochs[k])] if marker_ok else [],
    }

    low, high = _fit_limits(data)
    predictions = data.frame_predictions[k]
    fit = {"y": _frame_values(predictions, _drawable(predictions, low, high))}

    updates = [line, marker, fit]
    if data.parameter_names:
        values = data.frame_parameter_values[k]
        updates.append({"x": [step] * len(values), "y": _frame_values(values, _drawable(values))})
    return updates


def _moving_traces(data: ReplayData) -> list[go.Scatter]:
    """Build the traces that frames update, styled and holding frame 0's data."""
    first = _frame_data(data, 0)
    line = go.Scatter(
        x=data.frame_steps.astype(np.int32),
        **first[0],
        name="cost",
        mode="lines",
        line={"color": BLUE, "width": 2.5},
        hoverinfo="skip",
    )
    marker = go.Scatter(
        **first[1],
        name="this frame",
        mode="markers",
        cliponaxis=False,
        marker={"color": VERMILLION, "size": 13, "symbol": "diamond", "line": {"color": "white", "width": 1.5}},
        hovertemplate="step %{x}<br>cost %{y:.6g}<br>epoch %{customdata}<extra></extra>",
    )
    if data.fit_kind == "curve":
        fit = go.Scatter(
            x=data.fit_x,
            **first[2],
            name="prediction",
            mode="lines",
            line={"color": VERMILLION, "width": 2.5},
            hovertemplate=f"{data.x_label} %{{x:.4g}}<br>prediction %{{y:.4g}}<extra></extra>",
        )
    else:
        fit = go.Scatter(
            x=data.fit_x,
            **first[2],
            name="examples",
            mode="markers",
            marker={"color": VERMILLION, "size": 8, "opacity": 0.8},
            hovertemplate="expected %{x:.4g}<br>predicted %{y:.4g}<extra></extra>",
        )
    traces = [line, marker, fit]

    if data.parameter_names:
        n_shown = len(data.parameter_names)
        traces.append(
            go.Scatter(
                **first[3],
                text=list(data.parameter_names),
                name="parameters",
                mode="markers+text",
                textposition="top center",
                textfont={"size": FONT_SIZE - 3},
                cliponaxis=False,
                # Past the seventh parameter the colours repeat, so the marker shape changes.
                marker={
                    "color": [LINE_COLOURS[position % len(LINE_COLOURS)] for position in range(n_shown)],
                    "symbol": [MARKER_SYMBOLS[position // len(LINE_COLOURS)] for position in range(n_shown)],
                    "size": 10,
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate="%{text}<br>step %{x}<br>value %{y:.5g}<extra></extra>",
            )
        )
    return traces


# --- layout ----------------------------------------------------------------------------------


def _apply_replay_layout(
    figure: go.Figure, data: ReplayData, notes: list[str], height: int, frame_duration_ms: float
) -> None:
    """Set the title, notes, fonts, play and pause buttons and the frame slider."""
    title = (
        f"Replay: {_plural(data.total_steps, 'step')} in {_plural(data.n_frames, 'frame')}"
    )
    note_lines = wrapped_notes(notes, NOTE_LINE_CHARACTERS)
    top_margin = 90 + 20 * len(note_lines)
    # Buttons and slider sit below the x-axis titles. Their y is in units of the plot
    # area's height, so the pixel offset is converted here. The max keeps the divisor positive.
    plot_height = max(height - top_margin - BOTTOM_MARGIN, 1)
    controls_y = -CONTROLS_OFFSET / plot_height

    play = {
        "label": "Play",
        "method": "animate",
        "args": [
            None,
            {
                "frame": {"duration": frame_duration_ms, "redraw": False},
                "fromcurrent": True,
                "transition": {"duration": 0},
            },
        ],
    }
    pause = {
        "label": "Pause",
        "method": "animate",
        "args": [
            [None],
            {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}},
        ],
    }
    slider_steps = [
        {
            "label": f"{int(step):,}",
            "method": "animate",
            "args": [
                [str(int(step))],
                {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}},
            ],
        }
        for step in data.frame_steps
    ]

    figure.update_layout(
        template=LIGHT_TEMPLATE,
        height=height,
        font={"size": FONT_SIZE, "color": "#222222"},
        title=title_layout(title, note_lines),
        showlegend=False,
        hovermode="closest",
        margin={"l": 80, "r": 30, "t": top_margin, "b": BOTTOM_MARGIN},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "xanchor": "left",
                "y": controls_y,
                "yanchor": "top",
                "pad": {"t": 22},
                "buttons": [play, pause],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.16,
                "len": 0.84,
                "y": controls_y,
                "yanchor": "top",
                "pad": {"t": 0},
                # Every step has a label under its tick, and with many frames they overlap.
                # So the labels are transparent, and the slider's heading shows the current step.
                "font": {"color": "rgba(0, 0, 0, 0)"},
                "currentvalue": {"prefix": "after step ", "font": {"size": FONT_SIZE, "color": "#222222"}},
                "transition": {"duration": 0},
                "steps": slider_steps,
            }
        ],
        meta={
            "chart": "replay",
            "n_frames": data.n_frames,
            "total_steps": data.total_steps,
            "title": title,
            "notes": list(notes),
            "parameters": list(data.parameter_names),
        },
    )
    figure.update_xaxes(tickfont={"size": FONT_SIZE - 1, "color": "#333333"})
    figure.update_yaxes(tickfont={"size": FONT_SIZE - 1, "color": "#333333"})
    # make_subplots adds the panel titles as the first annotations.
    for annotation in figure.layout.annotations[:3]:
        annotation.font = {"size": FONT_SIZE}
