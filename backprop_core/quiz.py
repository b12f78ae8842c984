"""Predict-then-reveal questions for the Train page's quiz mode.

Before the next step the student answers one question. The true answer comes from making that
step, or 100 steps, on a deep copy of the session's trainer, so asking a question never changes
the session: its parameters, step count, history and shuffling generator stay as they were.
Stepping the real session afterwards gives bit for bit the numbers that the question revealed.

Three kinds of question, in `QUESTION_KINDS`:

- ``"cost_direction"``: will the cost over all the data go down or up at the next step?
- ``"gradient_sign"``: which sign will ∂C/∂w have for one weight at the next step?
- ``"fit_after"``: which of three curves is the fit after `FIT_AFTER_STEPS` more steps? The
  candidates are the true fit, the current fit and the fit after as many steps of gradient
  ascent (moving with the gradient, same learning rate, same batches).

Costs are those of the Train page: the mean squared error over all the data, in the units the
network trains in (standardised when the session standardises). Curves are in original units.
This module uses NumPy and the engine only, so the page draws the curves itself.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .network import Network
from .session import TrainingSession
from .training import StepRecord, Trainer

FloatArray = NDArray[np.float64]

QUESTION_KINDS = ("cost_direction", "gradient_sign", "fit_after")

# Roles of the three fit_after candidates, in the order they are built before shuffling.
FIT_ROLES = ("descent", "current", "ascent")
FIT_LABELS = ("A", "B", "C")
FIT_AFTER_STEPS = 100

# A weight qualifies for gradient_sign only if its gradient is at least this fraction of the
# largest weight gradient, so that the question avoids gradients near zero, whose sign
# rounding error could flip.
GRADIENT_FLOOR = 1e-6

# A cost change below this fraction of the cost is floating-point rounding, not a direction,
# so cost_direction is not offered for it (nor for a change of exactly zero).
COST_CHANGE_FLOOR = 1e-12

# The three fit_after curves must differ somewhere by at least this fraction of the targets'
# range (about a few pixels on a chart), or the student could not tell them apart.
MIN_CURVE_SEPARATION = 0.01

# The ascent candidate stops before its cost passes this multiple of the trainer's reference
# cost, which is the larger of the first cost and the cost of predicting 0. Its errors then
# stay within about ten times the targets' scale, so the chart can still show the data.
ASCENT_COST_LIMIT_FACTOR = 100.0

MINUS = "\u2212"


@dataclass(frozen=True, eq=False)
class FitCandidates:
    """The curves of a ``"fit_after"`` question, for drawing, keyed by label A, B and C.

    Attributes
    ----------
    grid : ndarray of shape (n_grid,)
        Input values across the data's range with a 5 % margin, as in
        `TrainingSession.fit_curve`, in original units.
    curves : dict of str to ndarray of shape (n_grid,)
        The prediction at each grid point, in original units; always finite.
    roles : dict of str to str
        What each label is: ``"descent"`` (the true fit), ``"current"`` (no change) or
        ``"ascent"`` (moving with the gradient).
    steps : dict of str to int
        Steps behind each curve: up to `FIT_AFTER_STEPS`, fewer where a run stopped early,
        0 for the current fit.
    costs : dict of str to float
        The cost over all the data of each curve's network; always finite.
    data_x, data_y : ndarray of shape (n_samples,)
        The data points in original units.
    """

    grid: FloatArray
    curves: dict[str, FloatArray]
    roles: dict[str, str]
    steps: dict[str, int]
    costs: dict[str, float]
    data_x: FloatArray
    data_y: FloatArray

    def label_of(self, role: str) -> str:
        """Return the label (A, B or C) of the curve with the given role."""
        for label, candidate_role in self.roles.items():
            if candidate_role == role:
                return label
        raise ValueError(f"role must be one of {list(FIT_ROLES)}, got {role!r}.")


@dataclass(frozen=True, eq=False)
class Question:
    """One quiz question with its true answer, computed before the step it is about.

    Attributes
    ----------
    kind : str
        One of `QUESTION_KINDS`.
    prompt : str
        The question as shown to the student.
    options : tuple of str
        The choices: ``("down", "up")``, ``("+", "−")`` or ``("A", "B", "C")``.
    answer : str
        The correct choice, one of `options`.
    reveal : str
        Plain sentences with the true numbers, shown after the step.
    step : int
        The trainer's step count when the question was asked.
    numbers : dict of str to float
        The true numbers quoted in `reveal`, all finite. ``"cost_direction"``:
        ``cost_before``, ``cost_after``, ``change``. ``"gradient_sign"``: ``gradient``,
        ``learning_rate``, ``value_before``, ``value_after``. ``"fit_after"``: one
        ``cost_<role>`` per role in `FIT_ROLES`.
    parameter : str or None
        For ``"gradient_sign"``, the display name of the weight, such as ``"W1[0,1]"``.
    parameter_index : tuple of int or None
        For ``"gradient_sign"``, ``(l, j, k)`` so that the weight is ``weights[l][j, k]``.
    fit : FitCandidates or None
        For ``"fit_after"``, the three curves to draw.
    """

    kind: str
    prompt: str
    options: tuple[str, ...]
    answer: str
    reveal: str
    step: int
    numbers: dict[str, float] = field(default_factory=dict)
    parameter: str | None = None
    parameter_index: tuple[int, int, int] | None = None
    fit: FitCandidates | None = None


@dataclass
class Score:
    """The running count of answered questions and correct answers."""

    asked: int = 0
    correct: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.correct <= self.asked):
            raise ValueError(
                f"Score needs 0 <= correct <= asked, got correct={self.correct} and "
                f"asked={self.asked}. Start from Score() for a new quiz."
            )

    def record(self, question: Question, choice: str) -> bool:
        """Count one answer to `question` and return whether `choice` was correct."""
        if choice not in question.options:
            raise ValueError(
                f"choice must be one of {list(question.options)}, got {choice!r}. Pass one "
                f"of the question's options."
            )
        self.asked += 1
        is_correct = choice == question.answer
        if is_correct:
            self.correct += 1
        return is_correct


# --- public entry points -----------------------------------------------------------------------


def make_question(session: TrainingSession, kind: str, seed: int) -> Question | None:
    """Build one question of the given kind about the session's next step, or None.

    The session is not changed. None means the kind does not apply now. For every kind,
    that is when training has stopped or the trainer would reject the next step. For
    ``"cost_direction"``, it is also when the step would change the cost by no more than
    rounding error or make it overflow. For ``"gradient_sign"``, it is when every weight
    gradient is 0. For ``"fit_after"``, it is when the data has more than one input or
    output, when a curve or cost would not be finite, or when the three curves would look alike.

    Parameters
    ----------
    session : TrainingSession
        The training run the question is about.
    kind : str
        One of `QUESTION_KINDS`.
    seed : int
        At least 0. The choice of weight and the order of the curves are drawn from
        ``numpy.random.default_rng([seed, step_count])``, so a fixed seed still varies the
        question from step to step, and the same seed at the same step gives the same question.
    """
    _check_kind(kind, "kind")
    _check_seed(seed)
    if session.trainer.stopped:
        return None
    rng = np.random.default_rng([seed, session.trainer.step_count])
    if kind == "cost_direction":
        return _cost_direction_question(session)
    if kind == "gradient_sign":
        return _gradient_sign_question(session, rng)
    return _fit_after_question(session, rng)


def next_question(
    session: TrainingSession, seed: int, previous_kind: str | None = None
) -> Question | None:
    """Build a question of the kind after `previous_kind` in `QUESTION_KINDS` that applies now.

    Kinds are tried in turn, wrapping round, starting after `previous_kind` (at the first
    kind when it is None), so `previous_kind` itself is tried last. Returns None when no kind
    applies, for example once training has stopped. `seed` is as in `make_question`.
    """
    if previous_kind is None:
        start = 0
    else:
        _check_kind(previous_kind, "previous_kind")
        start = QUESTION_KINDS.index(previous_kind) + 1
    for offset in range(len(QUESTION_KINDS)):
        kind = QUESTION_KINDS[(start + offset) % len(QUESTION_KINDS)]
        question = make_question(session, kind, seed)
        if question is not None:
            return question
    return None


def _check_kind(kind: object, name: str) -> None:
    if kind not in QUESTION_KINDS:
        raise ValueError(f"{name} must be one of {list(QUESTION_KINDS)}, got {kind!r}.")


def _check_seed(seed: object) -> None:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, got {seed!r}.")


# --- cost_direction ----------------------------------------------------------------------------


def _cost_direction_question(session: TrainingSession) -> Question | None:
    trainer = copy.deepcopy(session.trainer)
    cost_before = trainer.cost()
    record = trainer.step()
    if record is None:
        # The trainer rejected the step because its batch cost was not finite or had exploded,
        # or its new parameters would overflow. Nothing changes, so there is no direction.
        return None
    cost_after = trainer.cost()
    if not (math.isfinite(cost_before) and math.isfinite(cost_after)):
        return None
    change = cost_after - cost_before
    if abs(change) <= COST_CHANGE_FLOOR * abs(cost_before):
        return None

    answer = "up" if change > 0 else "down"
    digits = _digits_to_show_change(cost_before, cost_after, minimum=6)
    sentences = [
        f"The cost went {answer} from {_format(cost_before, digits)} to "
        f"{_format(cost_after, digits)} ({_format_signed(change, 6)})."
    ]
    if answer == "up":
        sentences.append(_why_cost_rose(trainer, record))
    if trainer.divergence is not None:
        sentences.append(trainer.divergence.message())
    return Question(
        kind="cost_direction",
        prompt="Will the cost over all the data go down or up after the next step?",
        options=("down", "up"),
        answer=answer,
        reveal=" ".join(sentences),
        step=session.trainer.step_count,
        numbers={"cost_before": cost_before, "cost_after": cost_after, "change": change},
    )


def _why_cost_rose(trainer: Trainer, record: StepRecord) -> str:
    """Explain a rise of the full-data cost: a mini-batch effect or an overshoot."""
    n_samples = trainer.X.shape[0]
    batch = record.batch_indices
    rate = f"η = {record.learning_rate:g}"
    if batch.size < n_samples:
        with np.errstate(all="ignore"):
            batch_cost_after = trainer.network.cost(trainer.X[batch], trainer.y[batch])
        if batch_cost_after < record.cost:
            return (
                f"The step followed the gradient of a mini-batch of {batch.size} of the "
                f"{n_samples} examples, and lowering that batch's cost (from "
                f"{_format(record.cost, 4)} to {_format(batch_cost_after, 4)}) raised the "
                f"cost of the others more."
            )
    return (
        f"The learning rate {rate} is too large for the curvature of the cost here, so the "
        f"step went past the bottom of the valley and up its far side."
    )


# --- gradient_sign -----------------------------------------------------------------------------


def _gradient_sign_question(session: TrainingSession, rng: np.random.Generator) -> Question | None:
    trainer = copy.deepcopy(session.trainer)
    network = trainer.network
    indices, _ = trainer.next_batch()

    # The gradient the next step will use, from the network's own forward and backward pass.
    with np.errstate(all="ignore"):
        gradients = network.backward(network.forward(trainer.X[indices]), trainer.y[indices])
    magnitudes = np.concatenate([np.abs(g).ravel() for g in gradients.grad_weights])
    largest = float(magnitudes.max())
    if not math.isfinite(largest) or largest == 0.0:
        return None
    eligible = np.flatnonzero(magnitudes >= GRADIENT_FLOOR * largest)
    layer, j, k = _weight_position(network, int(eligible[rng.integers(eligible.size)]))
    gradient = float(gradients.grad_weights[layer][j, k])

    record = trainer.step()
    if record is None:
        return None
    name = f"W{layer + 1}[{j},{k}]"
    # The reveal quotes the step as it happened, so its numbers match the real next step.
    step_gradient = float(record.grad_weights[layer][j, k])
    before = float(record.weights_before[layer][j, k])
    after = float(record.weights_after[layer][j, k])
    rate = record.learning_rate

    direction = "up" if after > before else "down"
    digits = _digits_to_show_change(before, after, minimum=4, change_digits=4)
    amount = rate * abs(step_gradient)
    sentences = [
        f"∂C/∂{name} = {_format(step_gradient, 4)}, so the step moved {name} {direction} by "
        f"η × {_format(abs(step_gradient), 4)} = {rate:g} × {_format(abs(step_gradient), 4)} = "
        f"{_format(amount, 4)}, from {_format(before, digits)} to {_format(after, digits)}."
    ]
    if trainer.divergence is not None:
        sentences.append(trainer.divergence.message())
    return Question(
        kind="gradient_sign",
        prompt=(
            f"Will ∂C/∂{name}, the gradient of the cost with respect to the weight {name}, be "
            f"positive (+) or negative ({MINUS}) at the next step?"
        ),
        options=("+", MINUS),
        answer="+" if gradient > 0 else MINUS,
        reveal=" ".join(sentences),
        step=session.trainer.step_count,
        numbers={
            "gradient": step_gradient,
            "learning_rate": rate,
            "value_before": before,
            "value_after": after,
        },
        parameter=name,
        parameter_index=(layer, j, k),
    )


def _weight_position(network: Network, flat_index: int) -> tuple[int, int, int]:
    """Map an index into the concatenated, row-major weight arrays to ``(l, j, k)``."""
    for layer, weights in enumerate(network.weights):
        if flat_index < weights.size:
            j, k = np.unravel_index(flat_index, weights.shape)
            return layer, int(j), int(k)
        flat_index -= weights.size
    raise IndexError(f"flat_index is past the last weight of the network, {flat_index} too far.")


# --- fit_after ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """A network after some steps, with the steps made and why it stopped early, if it did."""

    network: Network
    steps: int
    stop_note: str | None


def _fit_after_question(session: TrainingSession, rng: np.random.Generator) -> Question | None:
    dataset = session.dataset
    if dataset.X.shape[1] != 1 or dataset.y.shape[1] != 1:
        return None
    grid, current_curve = session.fit_curve()
    if not np.all(np.isfinite(current_curve)):
        return None

    descent, batches, descent_cost = _descent_run(session.trainer)
    # The ascent takes the batches of the steps that the descent made, no more.
    ascent = _ascent_run(session, batches[: descent.steps], grid)
    curves = {
        "descent": _predict(session, descent.network, grid),
        "current": current_curve,
        "ascent": _predict(session, ascent.network, grid),
    }
    costs = {
        "descent": descent_cost,
        "current": session.trainer.cost(),
        "ascent": _full_cost(session.trainer, ascent.network),
    }
    finite = all(np.all(np.isfinite(c)) for c in curves.values())
    if not (finite and all(math.isfinite(c) for c in costs.values())):
        return None
    if not _curves_distinct(list(curves.values()), dataset.y[:, 0]):
        return None

    # Shuffle the roles onto the labels A, B and C.
    order = rng.permutation(len(FIT_ROLES))
    roles = {label: FIT_ROLES[index] for label, index in zip(FIT_LABELS, order)}
    steps = {"descent": descent.steps, "current": 0, "ascent": ascent.steps}
    fit = FitCandidates(
        grid=_read_only(grid),
        curves={label: _read_only(curves[role]) for label, role in roles.items()},
        roles=roles,
        steps={label: steps[role] for label, role in roles.items()},
        costs={label: costs[role] for label, role in roles.items()},
        data_x=_read_only(dataset.X[:, 0]),
        data_y=_read_only(dataset.y[:, 0]),
    )
    return Question(
        kind="fit_after",
        prompt=f"Which curve is the fit after {FIT_AFTER_STEPS} more steps: A, B or C?",
        options=FIT_LABELS,
        answer=fit.label_of("descent"),
        reveal=_fit_reveal(fit, descent, ascent, session.trainer.learning_rate),
        step=session.trainer.step_count,
        numbers={f"cost_{role}": costs[role] for role in FIT_ROLES},
        fit=fit,
    )


def _descent_run(trainer: Trainer) -> tuple[_Run, list[NDArray[np.int64]], float]:
    """Train a copy for `FIT_AFTER_STEPS` steps and return it, its batches and its cost.

    One ``run(1)`` at a time equals ``run(FIT_AFTER_STEPS)`` bit for bit. Between steps the
    copy's next batch is read, so that the ascent run can use the same batches.
    """
    copied = copy.deepcopy(trainer)
    batches: list[NDArray[np.int64]] = []
    steps = 0
    while steps < FIT_AFTER_STEPS:
        batches.append(copied.next_batch()[0])
        if copied.run(1) == 0:
            break
        steps += 1
    note = None
    if copied.divergence is not None:
        note = copied.divergence.message()
    return _Run(copied.network, steps, note), batches, copied.cost()


def _ascent_run(
    session: TrainingSession, batches: list[NDArray[np.int64]], grid: FloatArray
) -> _Run:
    """Step a copy of the network with the gradient, ``w ← w + η ∂C/∂w``, on the given batches.

    Stops before a step that would make a parameter, the cost or the curve on `grid`
    overflow, or make the cost pass `ASCENT_COST_LIMIT_FACTOR` times the trainer's reference
    cost, so that the curve stays finite and on a readable scale.
    """
    trainer = session.trainer
    network = trainer.network.copy()
    rate = trainer.learning_rate
    limit = ASCENT_COST_LIMIT_FACTOR * trainer.reference_cost
    for steps, indices in enumerate(batches):
        with np.errstate(all="ignore"):
            gradients = network.backward(network.forward(trainer.X[indices]), trainer.y[indices])
            weights = [w + rate * g for w, g in zip(network.weights, gradients.grad_weights)]
            biases = [b + rate * g for b, g in zip(network.biases, gradients.grad_biases)]
        if not all(np.all(np.isfinite(p)) for p in (*weights, *biases)):
            return _Run(network, steps, "its parameters would have overflowed")
        candidate = Network(weights, biases, network.activations)
        cost = _full_cost(trainer, candidate)
        if not (math.isfinite(cost) and cost <= limit):
            return _Run(
                network,
                steps,
                f"its cost would have passed {ASCENT_COST_LIMIT_FACTOR:g} times its starting scale",
            )
        if not np.all(np.isfinite(_predict(session, candidate, grid))):
            return _Run(network, steps, "its curve overflowed")
        network = candidate
    return _Run(network, len(batches), None)


def _fit_reveal(fit: FitCandidates, descent: _Run, ascent: _Run, learning_rate: float) -> str:
    descent_label, current_label, ascent_label = (fit.label_of(role) for role in FIT_ROLES)
    sentences = [
        f"{descent_label} was the fit after {descent.steps} steps of gradient descent "
        f"(cost {_format(fit.costs[descent_label], 6)})."
    ]
    if descent.stop_note is not None:
        sentences.append(
            f"Training stopped early, after {descent.steps} of the {FIT_AFTER_STEPS} steps, "
            f"and {descent_label} shows the network where it stopped. {descent.stop_note}"
        )
    sentences.append(
        f"{current_label} was the current fit, before any of those steps "
        f"(cost {_format(fit.costs[current_label], 6)})."
    )
    sentences.append(
        f"{ascent_label} was the fit after {ascent.steps} steps of gradient ascent, moving "
        f"with the gradient at the same η = {learning_rate:g} on the same batches "
        f"(cost {_format(fit.costs[ascent_label], 6)})."
    )
    if ascent.stop_note is not None:
        sentences.append(
            f"The ascent stopped after {ascent.steps} steps because {ascent.stop_note}."
        )
    return " ".join(sentences)


def _predict(session: TrainingSession, network: Network, grid: FloatArray) -> FloatArray:
    """Predict the first output at `grid` in original units through the session's scalers."""
    with np.errstate(all="ignore"):
        scaled = network.predict(session.x_scaler.transform(grid.reshape(-1, 1)))
        return session.y_scaler.inverse_transform(scaled)[:, 0]


def _full_cost(trainer: Trainer, network: Network) -> float:
    with np.errstate(all="ignore"):
        return network.cost(trainer.X, trainer.y)


def _curves_distinct(curves: list[FloatArray], targets: FloatArray) -> bool:
    """Check that every pair of curves differs somewhere by a visible amount."""
    span = float(np.ptp(targets))
    if span == 0.0:
        span = max(float(np.max(np.abs(targets))), 1.0)
    gap = MIN_CURVE_SEPARATION * span
    for first in range(len(curves)):
        for second in range(first + 1, len(curves)):
            if float(np.max(np.abs(curves[first] - curves[second]))) < gap:
                return False
    return True


def _read_only(values: FloatArray) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


# --- number formatting -------------------------------------------------------------------------


def _format(value: float, digits: int) -> str:
    """Format with `digits` significant digits and a typographic minus sign."""
    text = f"{value:.{digits}g}"
    return MINUS + text[1:] if text.startswith("-") else text


def _format_signed(value: float, digits: int) -> str:
    """Format like `_format`, with a leading + for positive values."""
    text = _format(value, digits)
    return text if text.startswith(MINUS) else "+" + text


def _digits_to_show_change(
    before: float, after: float, minimum: int, change_digits: int = 3
) -> int:
    """Return the significant digits that show both values and resolve their change.

    The result is at least `minimum` and at most 17, and it keeps `change_digits`
    significant digits of ``after − before`` visible in the two formatted values.
    """
    change = abs(after - before)
    largest = max(abs(before), abs(after))
    if change == 0.0 or largest == 0.0:
        return minimum
    digits = math.floor(math.log10(largest)) - math.floor(math.log10(change)) + change_digits
    return min(17, max(minimum, digits))
