"""The cost landscape around a network's parameters, its curvature, and learning-rate runs.

Slices and grids show the cost C(θ) as one or two parameters move while all the others keep
their current values. The curvature functions estimate the Hessian H = ∂²C/∂θ² from
gradients, and its largest eigenvalue λ_max gives the largest stable full-batch learning
rate, 2 / λ_max, for the quadratic model of the cost at the current point. The comparison
functions train copies of one network at several learning rates on the same batches.

Parameter vectors follow ``Network.parameters_vector``: weights[0] row by row, biases[0],
weights[1], and so on. Nothing here changes the network it is given, because every
function works on copies. The cost is the mean squared error of `Network.cost`, with no factor ½.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import ACTIVATIONS
from .inspection import ParameterRef
from .network import Network
from .training import Divergence, Trainer

FloatArray = NDArray[np.float64]

# `hessian` needs 2 gradient evaluations per parameter and n² numbers of memory. Above this
# size, power iteration on Hessian-vector products is the practical way to get λ_max.
MAX_HESSIAN_PARAMETERS = 400

# With `method="auto"`, `largest_eigenvalue` builds the whole Hessian up to this many
# parameters. Its 2n ≤ 100 gradient evaluations are then no more than one power-iteration run
# at the default 100 iterations (2 gradients each), and the result does not depend on a gap.
EXACT_EIGENVALUE_MAX_PARAMETERS = 50

# The batched forward pass of `cost_at_points` works on chunks of points so that one layer's
# activations, shape (n_points, n_samples, n_units), stay below this many float64 numbers
# (2**21 numbers are 16 MiB).
_CHUNK_ELEMENTS = 2**21

# Power iteration accepts a positive Rayleigh quotient q as λ_max only when q is this close,
# relatively, to the estimate of the largest |λ|. Otherwise the iterate is still a mix of
# eigenvectors (or the dominant eigenvalue is negative), and a shifted run decides.
_EIGENVECTOR_SLACK = 1e-6

REGIME_TOO_SMALL = "too small"
REGIME_GOOD = "good"
REGIME_TOO_LARGE = "too large"


# --- input checks --------------------------------------------------------------------------------


def _check_data(network: Network, X: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return X as ``(n_samples, n_features)`` and y as ``(n_samples, n_outputs)`` float64."""
    X = network._check_inputs(X)
    y = network._check_targets(y, X.shape[0])
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must contain only finite numbers. Remove or fill in the others.")
    return X, y


def _check_parameter(network: Network, parameter: ParameterRef, argument: str) -> None:
    if not isinstance(parameter, ParameterRef):
        raise ValueError(
            f"{argument} must be a ParameterRef (see inspection.parameter_refs), got "
            f"{type(parameter).__name__}."
        )
    n_layers = len(network.weights)
    valid = 0 <= parameter.layer < n_layers
    if valid:
        n_out, n_in = network.weights[parameter.layer].shape
        valid = 0 <= parameter.row < n_out
        if parameter.column is not None:
            valid = valid and 0 <= parameter.column < n_in
    if not valid:
        raise ValueError(
            f"{argument} is {parameter.name}, which is not a parameter of a network with "
            f"layer_sizes {list(network.layer_sizes)}. Pick one from parameter_refs(network)."
        )


def _check_values(values: ArrayLike, argument: str) -> FloatArray:
    """Return ``values`` as a non-empty 1-D float64 array of finite numbers."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{argument} must be a non-empty 1-D array of parameter values, got shape "
            f"{array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} must contain only finite numbers. Remove the others.")
    return array


def _check_number(value: object, argument: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{argument} must be a finite number, got {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{argument} must be a finite number, got {value!r}.")
    if positive and value <= 0:
        raise ValueError(f"{argument} must be greater than 0, got {value!r}.")
    return float(value)


def _check_count(value: object, argument: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{argument} must be a whole number of at least {minimum}, got {value!r}.")
    return int(value)


def _check_learning_rates(learning_rates: ArrayLike) -> FloatArray:
    rates = np.asarray(learning_rates, dtype=np.float64)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(
            f"learning_rates must be a non-empty 1-D list of numbers, got shape {rates.shape}."
        )
    for index, rate in enumerate(rates):
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(
                f"learning_rates[{index}] must be a positive finite number, got {float(rate)!r}."
            )
    return rates


# --- cost along slices and grids -----------------------------------------------------------------


def cost_at_points(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    parameters: Sequence[ParameterRef],
    points: ArrayLike,
) -> FloatArray:
    """Compute the cost at many settings of a few parameters, all others at their current values.

    Row i of ``points`` sets ``parameters[p]`` to ``points[i, p]``. The layers before the
    first chosen parameter are computed once. From that layer on, the forward pass runs for
    all rows at once, with per-row weight matrices of shape ``(n_points, n_out, n_in)``.

    Parameters
    ----------
    network : Network
        Not changed.
    X : array_like
        Inputs, shape ``(n_samples, n_features)``.
    y : array_like
        Targets, shape ``(n_samples, n_outputs)``; 1-D is taken as one output.
    parameters : sequence of ParameterRef
        The parameters to set, each at most once; shape of the sequence ``(n_chosen,)``.
    points : array_like
        Values, shape ``(n_points, n_chosen)``, all finite.

    Returns
    -------
    ndarray
        C = (1 / (n k)) Σ (ŷ − y)² for each row, shape ``(n_points,)``. An entry is ``inf`` or
        ``nan`` when the forward pass overflows at that row's values.
    """
    X, y = _check_data(network, X, y)
    parameters = list(parameters)
    if not parameters:
        raise ValueError("parameters must name at least one parameter, got an empty list.")
    for position, parameter in enumerate(parameters):
        _check_parameter(network, parameter, f"parameters[{position}]")
    if len(set(parameters)) != len(parameters):
        names = [parameter.name for parameter in parameters]
        raise ValueError(f"parameters must not name a parameter twice, got {names}.")
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != len(parameters) or points.shape[0] == 0:
        raise ValueError(
            f"points must have shape (n_points, {len(parameters)}) with n_points ≥ 1, "
            f"one column per parameter, got {points.shape}."
        )
    if not np.all(np.isfinite(points)):
        raise ValueError("points must contain only finite numbers. Remove the others.")

    # Layers before the first chosen parameter give the same activations for every point.
    first_layer = min(parameter.layer for parameter in parameters)
    shared_input = X
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(first_layer):
            z = shared_input @ network.weights[l].T + network.biases[l]
            shared_input = ACTIVATIONS[network.activations[l]].function(z)

        widest = max(network.layer_sizes)
        chunk = max(1, _CHUNK_ELEMENTS // (X.shape[0] * widest))
        costs = np.empty(points.shape[0])
        for start in range(0, points.shape[0], chunk):
            block = points[start : start + chunk]
            costs[start : start + chunk] = _batched_costs(
                network, shared_input, y, first_layer, parameters, block
            )
    return costs


def _batched_costs(
    network: Network,
    layer_input: FloatArray,
    y: FloatArray,
    first_layer: int,
    parameters: list[ParameterRef],
    block: FloatArray,
) -> FloatArray:
    """Run layers ``first_layer`` onwards for every row of ``block`` and return each row's cost.

    ``layer_input`` is ``a[first_layer]``, shape ``(n_samples, n_in)``, shared by all rows.
    """
    n_points = block.shape[0]
    a = layer_input
    for l in range(first_layer, len(network.weights)):
        chosen = [(p, ref) for p, ref in enumerate(parameters) if ref.layer == l]
        if chosen:
            weights = np.repeat(network.weights[l][np.newaxis], n_points, axis=0)
            biases = np.repeat(network.biases[l][np.newaxis], n_points, axis=0)
            for p, ref in chosen:
                if ref.column is None:
                    biases[:, ref.row] = block[:, p]
                else:
                    weights[:, ref.row, ref.column] = block[:, p]
            # matmul broadcasts a of shape (n_samples, n_in) or (n_points, n_samples, n_in).
            z = np.matmul(a, weights.transpose(0, 2, 1)) + biases[:, np.newaxis, :]
        else:
            z = a @ network.weights[l].T + network.biases[l]
        a = ACTIVATIONS[network.activations[l]].function(z)

    residual = a - y
    return np.mean(residual * residual, axis=(1, 2))


def cost_slice(
    network: Network, X: ArrayLike, y: ArrayLike, parameter: ParameterRef, values: ArrayLike
) -> FloatArray:
    """Compute the cost with ``parameter`` set to each of ``values`` and all others unchanged.

    Parameters
    ----------
    network : Network
        Not changed.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    parameter : ParameterRef
        The parameter that moves.
    values : array_like
        Its values, shape ``(n_values,)``, all finite.

    Returns
    -------
    ndarray
        ``C(θ with parameter = values[i])``, shape ``(n_values,)``.
    """
    _check_parameter(network, parameter, "parameter")
    values = _check_values(values, "values")
    return cost_at_points(network, X, y, [parameter], values[:, np.newaxis])


def cost_grid(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    first: ParameterRef,
    second: ParameterRef,
    first_values: ArrayLike,
    second_values: ArrayLike,
) -> FloatArray:
    """Compute the cost on a grid of two parameters, all others unchanged.

    Parameters
    ----------
    network : Network
        Not changed.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    first, second : ParameterRef
        Two different parameters: ``first`` runs along the x axis, ``second`` along y.
    first_values : array_like
        Values of ``first``, shape ``(n_first,)``.
    second_values : array_like
        Values of ``second``, shape ``(n_second,)``.

    Returns
    -------
    ndarray
        Shape ``(n_second, n_first)``: ``grid[i, j]`` is the cost with ``second =
        second_values[i]`` and ``first = first_values[j]``, the row-per-y layout that
        Plotly's ``go.Contour(x=first_values, y=second_values, z=grid)`` expects.
    """
    _check_parameter(network, first, "first")
    _check_parameter(network, second, "second")
    if first == second:
        raise ValueError(
            f"first and second must be two different parameters, got {first.name} twice."
        )
    first_values = _check_values(first_values, "first_values")
    second_values = _check_values(second_values, "second_values")

    first_mesh, second_mesh = np.meshgrid(first_values, second_values)
    points = np.column_stack([first_mesh.ravel(), second_mesh.ravel()])
    costs = cost_at_points(network, X, y, [first, second], points)
    return costs.reshape(second_values.size, first_values.size)


def slice_range(
    current: float,
    gradient: float,
    learning_rate: float,
    *,
    margin: float = 0.5,
    min_half_width: float = 1.0,
) -> tuple[float, float]:
    """Choose a plotting range for a slice that shows the current value and the next step.

    The landing point of one step is ``current − learning_rate · gradient``. The range spans
    the current value and the landing point, widened on each side by ``margin`` times the
    distance between them, and always reaches at least ``min_half_width`` on each side of
    ``current``.

    Parameters
    ----------
    current : float
        The parameter's value now.
    gradient : float
        ∂C/∂(parameter) at the current point.
    learning_rate : float
        η, greater than 0.
    margin : float
        Extra room on each side, as a fraction of |η · gradient|; at least 0.
    min_half_width : float
        The smallest distance from ``current`` to each end; greater than 0.

    Returns
    -------
    tuple of float
        ``(low, high)`` with ``low < current < high``.
    """
    current = _check_number(current, "current")
    gradient = _check_number(gradient, "gradient")
    learning_rate = _check_number(learning_rate, "learning_rate", positive=True)
    margin = _check_number(margin, "margin")
    if margin < 0:
        raise ValueError(f"margin must be at least 0, got {margin!r}.")
    min_half_width = _check_number(min_half_width, "min_half_width", positive=True)

    landing = current - learning_rate * gradient
    step_length = abs(landing - current)
    low = min(current, landing) - margin * step_length
    high = max(current, landing) + margin * step_length
    return min(low, current - min_half_width), max(high, current + min_half_width)


# --- curvature -----------------------------------------------------------------------------------


def _gradient_vector(network: Network, X: FloatArray, y: FloatArray) -> FloatArray:
    gradients = network.backward(network.forward(X), y)
    parts = []
    for grad_w, grad_b in zip(gradients.grad_weights, gradients.grad_biases):
        parts += [grad_w.ravel(), grad_b]
    return np.concatenate(parts)


def flat_gradient(network: Network, X: ArrayLike, y: ArrayLike) -> FloatArray:
    """Compute ∇C by backpropagation as one vector, shape ``(n_parameters,)``.

    The order is that of ``network.parameters_vector()`` and ``network.parameter_names()``.
    """
    X, y = _check_data(network, X, y)
    return _gradient_vector(network, X, y)


def _check_epsilon(epsilon: object) -> float:
    return _check_number(epsilon, "epsilon", positive=True)


def _make_hvp(
    network: Network, X: FloatArray, y: FloatArray, epsilon: float
) -> Callable[[FloatArray], FloatArray]:
    """Return v ↦ H v by central differences of gradients, on a private copy of ``network``.

    The probe moves a distance ε along the unit vector u = v / ‖v‖, so the step in parameter
    space is ε whatever the length of v, and the result is scaled back by ‖v‖:

        H v ≈ ‖v‖ · (∇C(θ + ε u) − ∇C(θ − ε u)) / (2 ε)

    The error is O(ε²) from the third derivatives plus about (rounding of ∇C) / ε.
    """
    probe = network.copy()
    theta = network.parameters_vector()

    def hvp(vector: FloatArray) -> FloatArray:
        length = float(np.linalg.norm(vector))
        if length == 0.0:
            return np.zeros_like(theta)
        direction = vector / length
        probe.set_parameters_vector(theta + epsilon * direction)
        gradient_plus = _gradient_vector(probe, X, y)
        probe.set_parameters_vector(theta - epsilon * direction)
        gradient_minus = _gradient_vector(probe, X, y)
        return length * (gradient_plus - gradient_minus) / (2.0 * epsilon)

    return hvp


def hessian_vector_product(
    network: Network, X: ArrayLike, y: ArrayLike, vector: ArrayLike, epsilon: float = 1e-5
) -> FloatArray:
    """Estimate H v, the Hessian of the cost times a vector, from two gradients.

    With u = v / ‖v‖ (so the probe step is ε in parameter space, whatever the length of v):

        H v ≈ ‖v‖ · (∇C(θ + ε u) − ∇C(θ − ε u)) / (2 ε)

    The error is O(ε²). For a cost that is quadratic in θ, such as a linear network's, only
    rounding remains. A zero vector gives a zero result.

    Parameters
    ----------
    network : Network
        Not changed; the gradients are computed on a copy.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    vector : array_like
        v, shape ``(n_parameters,)``, in ``parameters_vector`` order.
    epsilon : float
        ε, the length of the probe step; greater than 0.

    Returns
    -------
    ndarray
        H v, shape ``(n_parameters,)``.
    """
    X, y = _check_data(network, X, y)
    epsilon = _check_epsilon(epsilon)
    vector = np.asarray(vector, dtype=np.float64)
    if vector.shape != (network.n_parameters,):
        raise ValueError(
            f"vector must have shape ({network.n_parameters},), one entry per parameter in "
            f"parameters_vector order, got {vector.shape}."
        )
    if not np.all(np.isfinite(vector)):
        raise ValueError("vector must contain only finite numbers.")
    return _make_hvp(network, X, y, epsilon)(vector)


def hessian(network: Network, X: ArrayLike, y: ArrayLike, epsilon: float = 1e-5) -> FloatArray:
    """Estimate the Hessian H = ∂²C/∂θ², column by column from Hessian-vector products.

    Column i is H eᵢ from `hessian_vector_product` with the unit vector eᵢ. The result is
    symmetrised, (H + Hᵀ) / 2, because the finite differences make H[i, j] and H[j, i] differ
    by rounding. It takes 2 · n_parameters gradient evaluations.

    Parameters
    ----------
    network : Network
        Not changed; at most `MAX_HESSIAN_PARAMETERS` parameters.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    epsilon : float
        ε of the central differences; greater than 0.

    Returns
    -------
    ndarray
        Symmetric, shape ``(n_parameters, n_parameters)``, rows and columns in
        ``parameters_vector`` order.
    """
    X, y = _check_data(network, X, y)
    epsilon = _check_epsilon(epsilon)
    n_parameters = network.n_parameters
    if n_parameters > MAX_HESSIAN_PARAMETERS:
        raise ValueError(
            f"The network has {n_parameters} parameters, but hessian builds the full matrix "
            f"only up to {MAX_HESSIAN_PARAMETERS}. Use largest_eigenvalue with method='power', "
            f"or a smaller network."
        )
    hvp = _make_hvp(network, X, y, epsilon)
    columns = [hvp(unit) for unit in np.eye(n_parameters)]
    matrix = np.column_stack(columns)
    return 0.5 * (matrix + matrix.T)


def _power_iteration(
    apply: Callable[[FloatArray], FloatArray], start: FloatArray, iterations: int, tol: float
) -> tuple[float, float]:
    """Run power iteration on a symmetric operator from a unit vector ``start``.

    Returns ``(rayleigh_quotient, magnitude)``: vᵀ A v and ‖A v‖ for the last unit iterate
    v. The quotient tends to the dominant eigenvalue, sign included. The magnitude tends to
    its absolute value even when two eigenvalues of opposite signs tie for dominant, where
    the quotient does not settle. Stops when the quotient changes by at most
    ``tol · max(1, |quotient|)`` or after ``iterations`` products.
    """
    vector = start
    previous: float | None = None
    quotient, magnitude = 0.0, 0.0
    for _ in range(iterations):
        image = apply(vector)
        quotient = float(vector @ image)
        magnitude = float(np.linalg.norm(image))
        if magnitude == 0.0:
            # The operator maps this vector to 0. With a random start that means A = 0.
            return 0.0, 0.0
        vector = image / magnitude
        if previous is not None and abs(quotient - previous) <= tol * max(1.0, abs(quotient)):
            break
        previous = quotient
    return quotient, magnitude


def _largest_eigenvalue_by_power(
    apply: Callable[[FloatArray], FloatArray],
    n: int,
    iterations: int,
    tol: float,
    rng: np.random.Generator,
) -> float:
    """Estimate the most positive eigenvalue of a symmetric operator on ℝⁿ.

    Power iteration finds the eigenvalue of largest magnitude. If that one is positive (the
    iterate's quotient is positive and matches the magnitude estimate m), it is λ_max.
    Otherwise the dominant eigenvalue is negative, or a positive and a negative one tie, and
    a second run uses the shifted operator A + m I. Its eigenvalues λ + m all lie between
    about 0 and 2m, so its dominant one is λ_max + m, and m is subtracted again.

    NOTE: when the top two eigenvalues are close, neither run converges within a small
    ``iterations``, and the estimate falls below the true λ_max.
    """
    start = rng.standard_normal(n)
    start /= np.linalg.norm(start)
    quotient, magnitude = _power_iteration(apply, start, iterations, tol)
    if magnitude == 0.0:
        return 0.0
    if quotient > 0 and magnitude - quotient <= _EIGENVECTOR_SLACK * magnitude:
        return quotient

    def shifted(vector: FloatArray) -> FloatArray:
        return apply(vector) + magnitude * vector

    shifted_start = rng.standard_normal(n)
    shifted_start /= np.linalg.norm(shifted_start)
    shifted_quotient, _ = _power_iteration(shifted, shifted_start, iterations, tol)
    return shifted_quotient - magnitude


def largest_eigenvalue(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    iterations: int = 100,
    tol: float = 1e-10,
    seed: int = 0,
    method: str = "auto",
    epsilon: float = 1e-5,
) -> float:
    """Estimate λ_max, the most positive eigenvalue of the Hessian of the cost.

    λ_max is the largest curvature of the cost along any direction at the current point.

    Parameters
    ----------
    network : Network
        Not changed.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    iterations : int
        The most Hessian-vector products per power-iteration run (there can be two runs).
    tol : float
        Power iteration stops when the Rayleigh quotient q changes by at most
        ``tol · max(1, |q|)`` from one product to the next.
    seed : int
        Seed of the random start vector of power iteration.
    method : {"auto", "exact", "power"}
        ``"exact"`` builds `hessian` and takes the top value of ``numpy.linalg.eigvalsh``
        (at most `MAX_HESSIAN_PARAMETERS` parameters). ``"power"`` runs power iteration on
        Hessian-vector products. ``"auto"`` is exact up to
        `EXACT_EIGENVALUE_MAX_PARAMETERS` parameters and power iteration above.
    epsilon : float
        ε of the Hessian-vector products.

    Returns
    -------
    float
        λ_max; negative when the cost curves down in every direction.

    Notes
    -----
    Power iteration converges to the eigenvalue of largest magnitude, which can be negative
    (at a saddle point or a maximum). Then the iteration is repeated on H + m I, with m the
    estimate of that magnitude, so that every eigenvalue is shifted to at least about 0 and
    the dominant one is λ_max + m.
    """
    X, y = _check_data(network, X, y)
    iterations = _check_count(iterations, "iterations", 1)
    tol = _check_number(tol, "tol", positive=True)
    epsilon = _check_epsilon(epsilon)
    if method not in ("auto", "exact", "power"):
        raise ValueError(f"method must be 'auto', 'exact' or 'power', got {method!r}.")

    n_parameters = network.n_parameters
    use_exact = method == "exact" or (
        method == "auto" and n_parameters <= EXACT_EIGENVALUE_MAX_PARAMETERS
    )
    if use_exact:
        return float(np.linalg.eigvalsh(hessian(network, X, y, epsilon))[-1])

    rng = np.random.default_rng(seed)
    hvp = _make_hvp(network, X, y, epsilon)
    return _largest_eigenvalue_by_power(hvp, n_parameters, iterations, tol, rng)


def stable_learning_rate(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    *,
    iterations: int = 100,
    tol: float = 1e-10,
    seed: int = 0,
    method: str = "auto",
) -> float | None:
    """Compute 2 / λ_max, the largest stable learning rate of full-batch gradient descent here.

    Near the current point the cost is close to a quadratic with Hessian H. Along an
    eigenvector of H with eigenvalue λ, one step of gradient descent multiplies the offset
    from the quadratic's minimum by (1 − η λ). The offset shrinks only while |1 − η λ| < 1,
    that is 0 < η < 2 / λ, and the steepest direction, λ_max, sets the limit.

    The bound is local: it holds for the quadratic model at the current parameters, and
    the curvature changes as training moves them. Mini-batch steps see each batch's own
    Hessian, so their limit differs.

    Parameters
    ----------
    network : Network
        Not changed.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    iterations, tol, seed, method
        Passed to `largest_eigenvalue`.

    Returns
    -------
    float or None
        2 / λ_max, or None when λ_max ≤ 0. Then the cost does not curve upwards in any
        direction, so the quadratic model gives no learning rate at which steps overshoot.
    """
    eigenvalue = largest_eigenvalue(
        network, X, y, iterations=iterations, tol=tol, seed=seed, method=method
    )
    if eigenvalue <= 0:
        return None
    return 2.0 / eigenvalue


# --- gradient descent in two parameters ----------------------------------------------------------


def _set_value(network: Network, parameter: ParameterRef, value: float) -> None:
    if parameter.column is None:
        network.biases[parameter.layer][parameter.row] = value
    else:
        network.weights[parameter.layer][parameter.row, parameter.column] = value


def train_two_parameters(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    first: ParameterRef,
    second: ParameterRef,
    learning_rate: float,
    n_steps: int,
) -> FloatArray:
    """Run full-batch gradient descent on two parameters with all others frozen.

    Each step computes the full gradient by backpropagation and updates only the two chosen
    parameters, ``p ← p − η ∂C/∂p``. Every point of the path therefore lies in the plane that
    `cost_grid` draws for the same two parameters, and its cost is the grid's cost there.

    Parameters
    ----------
    network : Network
        The starting point; not changed (the steps run on a copy).
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    first, second : ParameterRef
        Two different parameters.
    learning_rate : float
        η, greater than 0.
    n_steps : int
        The number of steps, at least 0.

    Returns
    -------
    ndarray
        The path, shape ``(n_taken + 1, 2)``: row 0 is the starting values of ``(first,
        second)`` and row i the values after step i. ``n_taken`` is ``n_steps`` unless a
        step would give a parameter or the cost a value that is not finite. The path then
        ends at the last finite point, so it never contains inf or nan.
    """
    X, y = _check_data(network, X, y)
    _check_parameter(network, first, "first")
    _check_parameter(network, second, "second")
    if first == second:
        raise ValueError(
            f"first and second must be two different parameters, got {first.name} twice."
        )
    learning_rate = _check_number(learning_rate, "learning_rate", positive=True)
    n_steps = _check_count(n_steps, "n_steps", 0)

    probe = network.copy()
    current = np.array([first.value(probe), second.value(probe)])
    path = [current]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            # forward and backward
            gradients = probe.backward(probe.forward(X), y)
            gradient = np.array([first.gradient(gradients), second.gradient(gradients)])

            # update the two parameters only
            proposed = current - learning_rate * gradient
            if not np.all(np.isfinite(proposed)):
                break
            _set_value(probe, first, proposed[0])
            _set_value(probe, second, proposed[1])
            if not math.isfinite(probe.cost(X, y)):
                break
            current = proposed
            path.append(current)
    return np.array(path)


# --- comparing learning rates --------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """One training run of `compare_learning_rates`.

    Attributes
    ----------
    learning_rate : float
        η of the run.
    costs : ndarray
        The cost on all of (X, y): ``costs[0]`` before training and ``costs[i]`` after step
        i. Shape ``(n_steps + 1,)``, or ``(diverged_at,)`` for a run that diverged, so every
        entry is finite.
    batch_costs : ndarray
        The cost of each step's batch before its update, as `Trainer` records it, shape
        ``(n_applied,)`` for the ``n_applied`` updates made. Equal to ``costs[:-1]`` for
        full-batch runs.
    diverged_at : int or None
        The step (from 1) at which training diverged, either because its update could not
        be applied or because the cost after it was not finite or exploded; None if the
        run finished.
    divergence : Divergence or None
        The trainer's reason for stopping, with a message for the user; None if the run
        finished.
    network : Network
        A copy of the network after the last applied update.
    """

    learning_rate: float
    costs: FloatArray
    batch_costs: FloatArray
    diverged_at: int | None
    divergence: Divergence | None
    network: Network

    @property
    def final_cost(self) -> float:
        """The cost after the last step, or nan when the run diverged."""
        return float("nan") if self.diverged_at is not None else float(self.costs[-1])


def compare_learning_rates(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    learning_rates: ArrayLike,
    n_steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    shuffle: bool = True,
) -> list[RunResult]:
    """Train one copy of ``network`` per learning rate, on identical batches, and record each run.

    Every run starts from the same parameters and uses a `Trainer` with the same
    ``batch_size``, ``seed`` and ``shuffle``, so step i of every run uses the same examples
    and the runs differ only in η.

    Parameters
    ----------
    network : Network
        The starting point; not changed.
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples, n_outputs)``.
    learning_rates : array_like
        η of each run, shape ``(n_rates,)``; each finite and greater than 0.
    n_steps : int
        Steps per run, at least 0.
    batch_size : int or None
        Examples per step; None means the full batch.
    seed : int
        Seed of the per-epoch shuffle, the same for every run.
    shuffle : bool
        Whether to shuffle the examples at the start of each epoch (full batches are never
        shuffled, because order does not change their mean).

    Returns
    -------
    list of RunResult
        One per learning rate, in the order given.
    """
    X, y = _check_data(network, X, y)
    rates = _check_learning_rates(learning_rates)
    n_steps = _check_count(n_steps, "n_steps", 0)
    return [
        _run(network, X, y, float(rate), n_steps, batch_size, seed, shuffle) for rate in rates
    ]


def _run(
    network: Network,
    X: FloatArray,
    y: FloatArray,
    learning_rate: float,
    n_steps: int,
    batch_size: int | None,
    seed: int,
    shuffle: bool,
) -> RunResult:
    trainer = Trainer(
        network.copy(), X, y, learning_rate, batch_size=batch_size, seed=seed, shuffle=shuffle
    )
    costs = [trainer.cost()]
    diverged_at: int | None = None
    for step in range(1, n_steps + 1):
        # Trainer.step checks the cost on all the data after the update and stops on
        # divergence, so a stopped trainer means this step diverged.
        trainer.step()
        if trainer.stopped:
            diverged_at = step
            break
        costs.append(trainer.cost())
    return RunResult(
        learning_rate=learning_rate,
        costs=np.array(costs),
        batch_costs=np.array(trainer.history.costs),
        diverged_at=diverged_at,
        divergence=trainer.divergence,
        network=trainer.network.copy(),
    )


def sweep_learning_rates(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    learning_rates: ArrayLike,
    n_steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    shuffle: bool = True,
) -> FloatArray:
    """Train at each learning rate and return the final costs, with nan for diverged runs.

    The runs are those of `compare_learning_rates` with the same arguments.

    Returns
    -------
    ndarray
        The cost on all of (X, y) after ``n_steps`` steps, shape ``(n_rates,)``; ``nan``
        where the run diverged. Replace nan before drawing, because browsers reject it in
        chart JSON.
    """
    runs = compare_learning_rates(
        network, X, y, learning_rates, n_steps, batch_size=batch_size, seed=seed, shuffle=shuffle
    )
    return np.array([run.final_cost for run in runs])


def classify_regimes(
    learning_rates: ArrayLike,
    final_costs: ArrayLike,
    initial_cost: float,
    *,
    progress_fraction: float = 0.9,
) -> list[str]:
    """Label each learning rate "too small", "good" or "too large" from where its run ended.

    The rules, applied in order:

    1. ``"too large"`` when the run diverged (final cost nan or inf) or ended above the
       initial cost.
    2. Among the other runs, the best is the one with the lowest final cost, and a run's
       progress is ``initial_cost − final_cost``. A run whose progress is below
       ``progress_fraction`` times the best progress is ``"too small"`` if its rate is below
       the best run's rate and ``"too large"`` if above: a slow run at a larger rate is slow
       because its steps overshoot.
    3. Every other run is ``"good"``. When no run lowers the cost at all, this includes
       every run not labelled by rule 1, because none did better than another.

    Parameters
    ----------
    learning_rates : array_like
        Shape ``(n_rates,)``, each finite and greater than 0.
    final_costs : array_like
        Shape ``(n_rates,)``, as `sweep_learning_rates` returns them (nan for diverged).
    initial_cost : float
        The cost before training, finite and at least 0.
    progress_fraction : float
        Between 0 and 1 (exclusive).

    Returns
    -------
    list of str
        One of `REGIME_TOO_SMALL`, `REGIME_GOOD`, `REGIME_TOO_LARGE` per rate.
    """
    rates = _check_learning_rates(learning_rates)
    final_costs = np.asarray(final_costs, dtype=np.float64)
    if final_costs.shape != rates.shape:
        raise ValueError(
            f"final_costs must have one entry per learning rate, shape {rates.shape}, got "
            f"{final_costs.shape}."
        )
    initial_cost = _check_number(initial_cost, "initial_cost")
    if initial_cost < 0:
        raise ValueError(
            f"initial_cost must be at least 0 (a mean of squares), got {initial_cost!r}."
        )
    progress_fraction = _check_number(progress_fraction, "progress_fraction")
    if not 0 < progress_fraction < 1:
        raise ValueError(
            f"progress_fraction must lie strictly between 0 and 1, got {progress_fraction!r}."
        )

    too_large = ~np.isfinite(final_costs) | (final_costs > initial_cost)
    labels = [REGIME_TOO_LARGE if flag else REGIME_GOOD for flag in too_large]
    candidates = np.flatnonzero(~too_large)
    if candidates.size == 0:
        return labels

    best = candidates[np.argmin(final_costs[candidates])]
    best_progress = initial_cost - final_costs[best]
    if best_progress <= 0:
        return labels
    for index in candidates:
        if initial_cost - final_costs[index] < progress_fraction * best_progress:
            labels[index] = REGIME_TOO_SMALL if rates[index] < rates[best] else REGIME_TOO_LARGE
    return labels
