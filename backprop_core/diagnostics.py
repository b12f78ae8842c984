"""Training-health diagnostics: plain records that describe what is going wrong and why.

Each check looks at a network, its data or its gradients and returns `Finding` records: a
kind, a severity, a message for a student, an optional one-line fix and the numbers behind
it. The checks never change the network. Pages only display what these functions return.

All data passed here is in training units, that is after standardisation when it is on,
because the network is trained on that data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import ACTIVATIONS
from .network import BackwardResult, Network

FloatArray = NDArray[np.float64]

WARNING = "warning"
INFO = "info"

KINDS = (
    "output_range",
    "dead_units",
    "stalled",
    "saturation",
    "symmetry",
    "unscaled_inputs",
    "vanishing_gradients",
    "exploding_gradients",
)

# |z| beyond which a unit counts as saturated. There the slope is below about 0.0013 for
# tanh (1 − tanh(4)²) and 0.0025 for sigmoid (σ(6)(1 − σ(6))), under 1 % of the maximum slope.
SATURATION_THRESHOLDS: dict[str, float] = {"tanh": 4.0, "sigmoid": 6.0}
SATURATION_FRACTION = 0.9

# Inputs count as unscaled when some |x| exceeds this, or a column's standard deviation
# (ddof=0) is below the second number.
UNSCALED_MAX_ABS = 10.0
UNSCALED_MIN_STD = 0.1

# Gradient health: layer 1 gets less than this fraction of the output layer's gradient
# norm (median over the last `GRADIENT_WINDOW` steps) ...
VANISHING_RATIO = 1e-3
# ... or the total gradient norm grew by more than this factor within those steps.
# NOTE: the gradient norm grows roughly like the square root of the cost, so 1e3 here is
# about the Trainer's own stop at EXPLOSION_FACTOR = 1e6, and the Trainer usually stops first.
# A linear neuron on y = 2x + 1, x = 0..3, at η = 0.3 to 0.5 stopped at gradient growth 340 to 970.
EXPLODING_GROWTH = 1e3
GRADIENT_WINDOW = 10
# Below this output-layer gradient norm training has converged or stalled, and the ratio of
# two near-zero norms is no evidence of vanishing.
MIN_OUTPUT_GRADIENT_NORM = 1e-8


@dataclass(frozen=True)
class Finding:
    """One diagnosis of the training's health, as plain data for the UI.

    Attributes
    ----------
    kind : str
        One of `KINDS`.
    severity : str
        ``"warning"`` (training cannot succeed or is badly hindered) or ``"info"``.
    message : str
        One or two plain sentences for a student: what is happening and why.
    fix : str or None
        A one-line suggestion of the fix the UI offers, or None if there is none.
    layer : int or None
        Layer number as the UI shows it: l+1 for ``weights[l]``, 0 for the inputs, None if
        the finding concerns the whole network.
    units : tuple of int
        The affected units of that layer (input columns for layer 0), 0-based.
    numbers : dict of str to float
        The numbers behind the finding, for display next to the message.
    """

    kind: str
    severity: str
    message: str
    fix: str | None
    layer: int | None
    units: tuple[int, ...] = ()
    numbers: dict[str, float] = field(default_factory=dict)


# --- targets the output cannot reach -------------------------------------------------------------


def output_range_findings(network: Network, y_train: ArrayLike) -> list[Finding]:
    """Warn when the output activation cannot produce some of the targets.

    A sigmoid output lies in (0, 1), tanh in (−1, 1) and ReLU in [0, ∞). A target outside
    that range can never be fitted, and the cost cannot fall below the mean squared distance
    of the targets from the range, ``mean((y − clip(y, low, high))²)``.

    Parameters
    ----------
    network : Network
        The network; only its output activation and output count are read.
    y_train : array_like
        Targets in training units, shape ``(n_samples, n_outputs)``; 1-D is one output.

    Returns
    -------
    list of Finding
        One ``"output_range"`` warning, or an empty list.
    """
    name = network.activations[-1]
    low, high = ACTIVATIONS[name].output_range
    if math.isinf(low) and math.isinf(high):
        return []
    y = _checked_targets(network, y_train)

    # Strict comparison: a sigmoid only approaches 0 and 1, but gets as close as needed.
    outside = (y < low) | (y > high)
    n_outside = int(outside.sum())
    if n_outside == 0:
        return []

    lowest_cost = float(np.mean((y - np.clip(y, low, high)) ** 2))
    span = _describe_range(low, high)
    message = (
        f"{n_outside} of {y.size} targets do not lie {span}, the range a {name} output can "
        f"produce, so the network can never fit them. The cost cannot fall below "
        f"{lowest_cost:.4g}, the cost of predicting the nearest value inside the range."
    )
    return [
        Finding(
            kind="output_range",
            severity=WARNING,
            message=message,
            fix=f"Use a linear output, or scale the targets to lie {span}.",
            layer=len(network.weights),
            units=tuple(int(j) for j in np.flatnonzero(outside.any(axis=0))),
            numbers={
                "targets_outside": float(n_outside),
                "targets": float(y.size),
                "range_low": float(low),
                "range_high": float(high),
                "target_min": float(y.min()),
                "target_max": float(y.max()),
                "lowest_possible_cost": lowest_cost,
            },
        )
    ]


# --- units that pass no gradient -----------------------------------------------------------------


def dead_unit_findings(network: Network, X: ArrayLike) -> list[Finding]:
    """Find ReLU units whose z ≤ 0 for every example of X.

    Such a unit outputs 0 for every example and its derivative is 0 there, so no gradient
    reaches its incoming weights and it cannot recover on this data. Leaky ReLU units never
    die this way, because their slope for z < 0 is 0.01.

    Parameters
    ----------
    network : Network
    X : array_like
        Inputs in training units, shape ``(n_samples, n_features)``.

    Returns
    -------
    list of Finding
        One ``"dead_units"`` finding per layer with dead units. It is a warning for the
        output layer or when every unit of a layer is dead, because then no gradient passes
        back through that layer. Otherwise it is info, since the other units still learn.
    """
    forward = network.forward(_checked_inputs(network, X))
    n_layers = len(network.weights)
    findings = []
    for l, name in enumerate(network.activations):
        if name != "relu":
            continue
        dead = np.flatnonzero(np.all(forward.z[l] <= 0.0, axis=0))
        if dead.size == 0:
            continue
        n_units = forward.z[l].shape[1]
        is_output = l == n_layers - 1
        whole_layer = dead.size == n_units

        if is_output:
            message = (
                f"The ReLU output ({_name_units('unit', dead)}) has z ≤ 0 for every example, "
                f"so it predicts 0 everywhere and its slope is 0: no gradient flows back "
                f"through it."
            )
            if whole_layer:
                message += " With no gradient from the output, nothing in the network can learn."
            fix = "Use a linear output."
        else:
            message = (
                f"{dead.size} of {n_units} ReLU units in layer {l + 1} "
                f"({_name_units('unit', dead)}) have z ≤ 0 for every example, so they output 0, "
                f"their incoming weights get no gradient and never change."
            )
            if whole_layer:
                message += " With the whole layer dead, no gradient reaches the layers before it."
            fix = "Use leaky ReLU for the hidden layers, or a lower learning rate."
        findings.append(
            Finding(
                kind="dead_units",
                severity=WARNING if is_output or whole_layer else INFO,
                message=message,
                fix=fix,
                layer=l + 1,
                units=tuple(int(j) for j in dead),
                numbers={"dead_units": float(dead.size), "units": float(n_units)},
            )
        )
    return findings


def stalled_finding(gradients: BackwardResult, cost: float) -> Finding | None:
    """Report a stall: every gradient is exactly 0 while the cost is still above 0.

    Gradient descent then never moves again. Pass the gradients of the full data, because
    one mini-batch can have zero gradient while others do not.

    Parameters
    ----------
    gradients : BackwardResult
        The gradients of the cost with respect to every parameter.
    cost : float
        The full-data cost shown to the user, at least 0. A cost that is not finite
        returns None, because the trainer reports divergence itself.

    Returns
    -------
    Finding or None
        A ``"stalled"`` warning, or None.
    """
    if isinstance(cost, bool) or not isinstance(cost, (int, float, np.integer, np.floating)):
        raise ValueError(f"cost must be a number, got {cost!r}.")
    if cost < 0:
        raise ValueError(
            f"cost must be at least 0 because it is a mean of squares, got {cost!r}. Pass the "
            f"mean squared error of the network."
        )
    if not math.isfinite(cost) or cost == 0:
        return None
    all_zero = all(
        not np.any(grad) for grad in (*gradients.grad_weights, *gradients.grad_biases)
    )
    if not all_zero:
        return None
    message = (
        f"Every gradient is exactly 0 while the cost is still {cost:.4g}, so no step can change "
        f"any parameter: training has stalled. This happens when the output unit, or every "
        f"unit of a layer, passes no gradient back: a ReLU with z ≤ 0 for every example does, "
        f"and so does a network whose weights are all 0."
    )
    return Finding(
        kind="stalled",
        severity=WARNING,
        message=message,
        fix="Press Reset, then use a linear output or leaky ReLU hidden units.",
        layer=None,
        numbers={"cost": float(cost)},
    )


# --- units stuck on the flat part of tanh or sigmoid ---------------------------------------------


def saturation_findings(
    network: Network,
    X: ArrayLike,
    threshold: float | None = None,
    fraction: float = SATURATION_FRACTION,
) -> list[Finding]:
    """Find tanh and sigmoid units that are saturated for most examples.

    A unit is saturated when ``|z| > threshold`` for at least ``fraction`` of the examples.
    There its slope is nearly 0, so almost no gradient passes through it.

    Parameters
    ----------
    network : Network
    X : array_like
        Inputs in training units, shape ``(n_samples, n_features)``.
    threshold : float or None
        The |z| limit for every tanh and sigmoid layer; None uses `SATURATION_THRESHOLDS`
        (4 for tanh, 6 for sigmoid).
    fraction : float
        The share of examples, in (0, 1], that must be beyond the limit.

    Returns
    -------
    list of Finding
        One ``"saturation"`` finding per layer with saturated units: a warning when every
        unit of the layer or the output is saturated, info otherwise.
    """
    if threshold is not None and not (_is_number(threshold) and 0 < threshold < math.inf):
        raise ValueError(
            f"threshold must be a positive finite |z| limit or None for the defaults, got "
            f"{threshold!r}."
        )
    if not (_is_number(fraction) and 0 < fraction <= 1):
        raise ValueError(
            f"fraction must be a share of the examples greater than 0 and at most 1, got "
            f"{fraction!r}. For 90 % of the examples pass 0.9."
        )

    forward = network.forward(_checked_inputs(network, X))
    n_layers = len(network.weights)
    findings = []
    for l, name in enumerate(network.activations):
        if name not in SATURATION_THRESHOLDS:
            continue
        limit = SATURATION_THRESHOLDS[name] if threshold is None else float(threshold)
        z = forward.z[l]
        share_beyond = np.mean(np.abs(z) > limit, axis=0)
        saturated = np.flatnonzero(share_beyond >= fraction)
        if saturated.size == 0:
            continue
        n_units = z.shape[1]
        slope = float(ACTIVATIONS[name].derivative(np.array(limit)))
        message = (
            f"{saturated.size} of {n_units} {name} units in layer {l + 1} "
            f"({_name_units('unit', saturated)}) have |z| > {limit:g} for at least "
            f"{fraction:.0%} of the examples. There the slope of {name} is below {slope:.2g}, so almost no gradient "
            f"passes through them and their weights barely change."
        )
        findings.append(
            Finding(
                kind="saturation",
                severity=WARNING if saturated.size == n_units or l == n_layers - 1 else INFO,
                message=message,
                fix="Press Reset with Xavier initialisation and standardised inputs.",
                layer=l + 1,
                units=tuple(int(j) for j in saturated),
                numbers={
                    "saturated_units": float(saturated.size),
                    "units": float(n_units),
                    "threshold": limit,
                    "max_slope": slope,
                    "max_abs_z": float(np.max(np.abs(z[:, saturated]))),
                },
            )
        )
    return findings


# --- hidden units that are copies of each other --------------------------------------------------


def symmetry_findings(network: Network) -> list[Finding]:
    """Find groups of hidden units that are exact copies of each other.

    Two hidden units of a layer are copies when their incoming weights, their biases and
    their outgoing weights are all equal (``np.array_equal``). Copies compute the same
    activation for every example and receive the same gradients, so every step keeps them
    equal: the group behaves like a single unit for as long as training runs.

    Returns
    -------
    list of Finding
        One ``"symmetry"`` warning per group of two or more copies.
    """
    findings = []
    for l in range(len(network.weights) - 1):
        incoming, biases = network.weights[l], network.biases[l]
        outgoing = network.weights[l + 1]
        for group in _identical_groups(incoming, biases, outgoing):
            message = (
                f"Hidden units {_join_numbers(group)} of layer {l + 1} have the same incoming "
                f"weights, bias and outgoing weights, so every step gives them the same "
                f"gradients and they stay copies of each other: {len(group)} units do the work "
                f"of one."
            )
            findings.append(
                Finding(
                    kind="symmetry",
                    severity=WARNING,
                    message=message,
                    fix="Press Reset with a random initialisation such as Xavier or He.",
                    layer=l + 1,
                    units=tuple(group),
                    numbers={"identical_units": float(len(group)), "units": float(len(biases))},
                )
            )
    return findings


def _identical_groups(
    incoming: FloatArray, biases: FloatArray, outgoing: FloatArray
) -> list[list[int]]:
    """Group the units j whose (incoming[j], biases[j], outgoing[:, j]) are all equal."""
    groups: list[list[int]] = []
    for j in range(len(biases)):
        for group in groups:
            first = group[0]
            if (
                np.array_equal(incoming[j], incoming[first])
                and np.array_equal(biases[j], biases[first])
                and np.array_equal(outgoing[:, j], outgoing[:, first])
            ):
                group.append(j)
                break
        else:
            groups.append([j])
    return [group for group in groups if len(group) > 1]


# --- inputs far from unit scale ------------------------------------------------------------------


def unscaled_input_findings(X: ArrayLike, standardized: bool) -> list[Finding]:
    """Point out inputs far from unit scale when standardisation is off.

    Large inputs (some ``|x| > 10``) make the first layer's z and gradients large, so a
    learning rate that suits the rest of the network makes training diverge. Inputs that
    barely vary (standard deviation below 0.1) give their weights tiny gradients, so training
    crawls.

    Parameters
    ----------
    X : array_like
        Inputs in training units, shape ``(n_samples, n_features)``.
    standardized : bool
        Whether standardisation is on; then the inputs are scaled already and nothing is found.

    Returns
    -------
    list of Finding
        Up to two ``"unscaled_inputs"`` infos on layer 0 (the inputs): one for large
        columns, one for columns that barely vary.
    """
    if standardized:
        return []
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"X must be a 2-D array of shape (n_samples, n_features) with at least one row and "
            f"column, got shape {X.shape}."
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers; remove or fill the others.")

    max_abs = np.max(np.abs(X), axis=0)
    std = np.std(X, axis=0)
    findings = []

    large = np.flatnonzero(max_abs > UNSCALED_MAX_ABS)
    if large.size:
        largest = float(max_abs[large].max())
        findings.append(
            Finding(
                kind="unscaled_inputs",
                severity=INFO,
                message=(
                    f"In {_name_units('input column', large)}, |x| reaches {largest:.4g} and "
                    f"standardisation is off. Large inputs make the first layer's gradients "
                    f"large, so a learning rate that suits the other layers makes training "
                    f"diverge, and one small enough to be safe makes it crawl."
                ),
                fix="Standardise inputs and targets.",
                layer=0,
                units=tuple(int(k) for k in large),
                numbers={"max_abs_input": largest, "limit": UNSCALED_MAX_ABS},
            )
        )

    narrow = np.flatnonzero(std < UNSCALED_MIN_STD)
    if narrow.size:
        smallest = float(std[narrow].min())
        findings.append(
            Finding(
                kind="unscaled_inputs",
                severity=INFO,
                message=(
                    f"The values in {_name_units('input column', narrow)} barely vary "
                    f"(standard deviation {smallest:.3g}) and standardisation is off. The "
                    f"weights on such an input get gradients in proportion to its small "
                    f"spread, so they learn very slowly."
                ),
                fix="Standardise inputs and targets.",
                layer=0,
                units=tuple(int(k) for k in narrow),
                numbers={"min_std": smallest, "limit": UNSCALED_MIN_STD},
            )
        )
    return findings


# --- gradient norms across layers and steps ------------------------------------------------------


def layer_gradient_norms(gradients: BackwardResult) -> FloatArray:
    """Return each layer's gradient norm, √(‖∂C/∂W_l‖² + ‖∂C/∂b_l‖²), shape ``(n_layers,)``.

    The norms are Euclidean (Frobenius for the weight matrices); entry l is layer l+1.
    """
    return np.array(
        [
            math.sqrt(float(np.sum(w * w)) + float(np.sum(b * b)))
            for w, b in zip(gradients.grad_weights, gradients.grad_biases)
        ],
        dtype=np.float64,
    )


def gradient_health_findings(
    layer_gradient_norms: ArrayLike, window: int = GRADIENT_WINDOW
) -> list[Finding]:
    """Detect vanishing or exploding gradients from per-layer gradient norms over steps.

    Vanishing: over the last ``window`` steps, the median of layer 1's norm divided by the
    output layer's is below `VANISHING_RATIO` (1e-3). Steps whose output-layer norm is below
    `MIN_OUTPUT_GRADIENT_NORM` are left out, because there training has converged or stalled.

    Exploding: within the last ``window`` steps, some norm is not finite, or the total norm
    √(Σ_l norm_l²) of the last step exceeds `EXPLODING_GROWTH` (1e3) times that of the
    window's first step. Only recent steps count, because over a long run the gradient may
    grow a lot without harm, for example when training leaves a plateau.

    Parameters
    ----------
    layer_gradient_norms : array_like
        Shape ``(n_steps, n_layers)``: row i contains `layer_gradient_norms` of step i+1
        of the series, oldest first. A 1-D array is taken as a single step. An empty
        array, such as shape ``(0, 0)``, gives no findings.
    window : int
        How many recent steps both checks look at, at least 1.

    Returns
    -------
    list of Finding
        ``"vanishing_gradients"`` and ``"exploding_gradients"`` warnings, or an empty list.
    """
    norms = np.asarray(layer_gradient_norms, dtype=np.float64)
    if norms.ndim == 1:
        norms = norms.reshape(1, -1)
    if norms.ndim == 2 and norms.shape[0] == 0:
        return []
    if norms.ndim != 2 or norms.shape[1] == 0:
        raise ValueError(
            f"layer_gradient_norms must have shape (n_steps, n_layers), got {norms.shape}. "
            f"Stack the output of layer_gradient_norms for each step."
        )
    if np.any(norms < 0):
        raise ValueError(
            f"layer_gradient_norms must not be negative because they are norms, got a minimum of "
            f"{np.nanmin(norms)!r}."
        )
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number of steps, at least 1, got {window!r}.")

    recent = norms[-window:]
    exploding = _exploding_finding(recent)
    if exploding is not None:
        # With gradients blowing up, a ratio between layers is meaningless.
        return [exploding]
    vanishing = _vanishing_finding(recent)
    return [] if vanishing is None else [vanishing]


def _exploding_finding(recent: FloatArray) -> Finding | None:
    n_layers = recent.shape[1]
    if not np.all(np.isfinite(recent)):
        return Finding(
            kind="exploding_gradients",
            severity=WARNING,
            message=(
                "Some gradients overflowed to values that are not finite numbers: each step "
                "overshot and made the next gradient larger."
            ),
            fix="Lower the learning rate and press Reset.",
            layer=None,
            units=(),
            numbers={"layers": float(n_layers)},
        )
    with np.errstate(over="ignore"):
        totals = np.sqrt(np.sum(recent * recent, axis=1))
    first, last = float(totals[0]), float(totals[-1])
    if first == 0 or last <= EXPLODING_GROWTH * first:
        return None
    growth = last / first
    return Finding(
        kind="exploding_gradients",
        severity=WARNING,
        message=(
            f"The gradient's size grew {growth:.3g} times over the last {recent.shape[0]} steps, "
            f"from {first:.3g} to {last:.3g}. Each step overshoots the minimum and lands where "
            f"the slope is steeper, so the steps keep growing until training diverges."
        ),
        fix="Lower the learning rate and press Reset.",
        layer=None,
        numbers={"first_norm": first, "last_norm": last, "growth": growth},
    )


def _vanishing_finding(recent: FloatArray) -> Finding | None:
    n_layers = recent.shape[1]
    if n_layers < 2:
        return None
    # Steps whose output gradient is near 0 have converged or stalled, so they are left out.
    usable = recent[recent[:, -1] >= MIN_OUTPUT_GRADIENT_NORM]
    if usable.shape[0] == 0:
        return None
    # The median of the per-step ratios, so one unusual step cannot raise or hide the alarm.
    ratio = float(np.median(usable[:, 0] / usable[:, -1]))
    if ratio >= VANISHING_RATIO:
        return None
    return Finding(
        kind="vanishing_gradients",
        severity=WARNING,
        message=(
            f"Layer 1's gradient is {ratio:.2g} times the size of the output layer's (layer "
            f"{n_layers}), the median over the last {usable.shape[0]} steps. On its way back, "
            f"each layer multiplies the error by its weights and activation slopes, and when "
            f"those are below 1 the gradient shrinks layer by layer, so the early layers "
            f"barely learn."
        ),
        fix="Use fewer hidden layers, or ReLU hidden units with He initialisation.",
        layer=1,
        numbers={
            "first_layer_norm": float(np.median(usable[:, 0])),
            "output_layer_norm": float(np.median(usable[:, -1])),
            "ratio": ratio,
            "steps": float(usable.shape[0]),
        },
    )


# --- everything at once --------------------------------------------------------------------------


def diagnose(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    standardized: bool,
    gradients: BackwardResult | None = None,
    cost: float | None = None,
    layer_gradient_norms: ArrayLike | None = None,
) -> list[Finding]:
    """Run every check and return the findings, warnings first.

    Parameters
    ----------
    network : Network
        The network in its current state; it is not changed.
    X, y : array_like
        The training data in training units, shapes ``(n_samples, n_features)`` and
        ``(n_samples, n_outputs)`` (1-D y is one output).
    standardized : bool
        Whether standardisation is on.
    gradients : BackwardResult or None
        Full-data gradients at the current parameters; None computes them from X and y.
    cost : float or None
        The current full-data cost; None takes ``gradients.cost``.
    layer_gradient_norms : array_like or None
        Shape ``(n_steps, n_layers)``, for `gradient_health_findings`; None skips that check.

    Returns
    -------
    list of Finding
        Warnings before infos; within each severity, the order of the checks above.
    """
    X = _checked_inputs(network, X)
    y = _checked_targets(network, y, X.shape[0])
    if gradients is None:
        with np.errstate(all="ignore"):
            gradients = network.backward(network.forward(X), y)
    if cost is None:
        cost = gradients.cost

    findings = [
        *output_range_findings(network, y),
        *unscaled_input_findings(X, standardized),
        *dead_unit_findings(network, X),
        *saturation_findings(network, X),
        *symmetry_findings(network),
    ]
    stalled = stalled_finding(gradients, cost)
    if stalled is not None:
        findings.append(stalled)
    if layer_gradient_norms is not None:
        findings += gradient_health_findings(layer_gradient_norms)

    # sorted() is stable, so each severity keeps the order of the checks.
    return sorted(findings, key=lambda finding: finding.severity != WARNING)


# --- helpers -------------------------------------------------------------------------------------


def _checked_inputs(network: Network, X: ArrayLike) -> FloatArray:
    X = network._check_inputs(X)
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers; remove or fill the others.")
    return X


def _checked_targets(network: Network, y: ArrayLike, n_samples: int | None = None) -> FloatArray:
    """Check y against the output count, and against ``n_samples`` rows when given."""
    y = np.asarray(y, dtype=np.float64)
    if n_samples is None:
        n_samples = y.shape[0] if y.ndim >= 1 else 0
    y = network._check_targets(y, n_samples)
    if y.size == 0:
        raise ValueError("y has no rows. Pass at least one target.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must contain only finite numbers; remove or fill the others.")
    return y


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def _join_numbers(values: ArrayLike) -> str:
    """Write 0-based indices as "0", "0 and 2" or "0, 1 and 2"."""
    items = [str(int(v)) for v in np.asarray(values).ravel()]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _name_units(noun: str, values: ArrayLike) -> str:
    """Write e.g. "unit 3" or "units 0 and 2", making the noun plural for several indices."""
    plural = np.asarray(values).size > 1
    return f"{noun}{'s' if plural else ''} {_join_numbers(values)}"


def _describe_range(low: float, high: float) -> str:
    """Phrase an output range to follow "lie", e.g. "between 0 and 1" or "at or above 0"."""
    if math.isinf(high):
        return f"at or above {low:g}"
    if math.isinf(low):
        return f"at or below {high:g}"
    return f"between {low:g} and {high:g}"
