"""A look inside one gradient-descent step.

`step_anatomy` recomputes a step (the next one, or a recent past one) exactly as `Trainer`
computes it. `chain_rule` splits one parameter's gradient into the factors of the chain rule
and into each example's contribution. `gradient_check` compares backpropagation with central
differences, optionally with a known fault planted in the backward pass for teaching.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS
from .costs import example_losses, mean_squared_error, mean_squared_error_gradient
from .network import BackwardResult, ForwardRecord, Network
from .training import Trainer

FloatArray = NDArray[np.float64]

# Faults a teacher can plant in the backward pass to show what a failing check looks like.
FAULTS: dict[str, str] = {
    "drop_factor_2": "Drop the factor 2 of the squared error",
    "forget_derivative": "Forget the activation's derivative in one layer",
    "sum_batch": "Sum the batch instead of averaging it",
}

GRADIENT_CHECK_STEP = 1e-6
GRADIENT_CHECK_THRESHOLD = 1e-7


# --- parameters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterRef:
    """One weight or bias of a network.

    Attributes
    ----------
    layer : int
        0-based index into ``weights`` and ``biases``; the UI shows it as ``layer + 1``.
    row : int
        The receiving unit j.
    column : int or None
        The sending unit k for a weight; None for a bias.
    """

    layer: int
    row: int
    column: int | None = None

    @property
    def is_bias(self) -> bool:
        return self.column is None

    @property
    def name(self) -> str:
        """The display name, ``W{layer+1}[j,k]`` or ``b{layer+1}[j]``."""
        if self.column is None:
            return f"b{self.layer + 1}[{self.row}]"
        return f"W{self.layer + 1}[{self.row},{self.column}]"

    def value(self, network: Network) -> float:
        if self.column is None:
            return float(network.biases[self.layer][self.row])
        return float(network.weights[self.layer][self.row, self.column])

    def gradient(self, gradients: BackwardResult) -> float:
        if self.column is None:
            return float(gradients.grad_biases[self.layer][self.row])
        return float(gradients.grad_weights[self.layer][self.row, self.column])


def parameter_refs(network: Network) -> list[ParameterRef]:
    """List every parameter in the order of ``network.parameter_names()``."""
    refs: list[ParameterRef] = []
    for l, w in enumerate(network.weights):
        refs += [ParameterRef(l, j, k) for j in range(w.shape[0]) for k in range(w.shape[1])]
        refs += [ParameterRef(l, j) for j in range(w.shape[0])]
    return refs


# --- one step, recomputed ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepAnatomy:
    """The numbers of one step, as the trainer computes (or computed) them.

    Attributes
    ----------
    step, epoch : int
        The number of the step (from 1) and its epoch.
    batch_indices : ndarray
        Rows of the training data in the batch, ``(n_batch,)``.
    network : Network
        A copy of the network with the parameters before the step.
    X, y : ndarray
        The batch, ``(n_batch, n_features)`` and ``(n_batch, n_outputs)``, in training units.
    forward : ForwardRecord
    gradients : BackwardResult
    losses : ndarray
        Each example's loss, ``(n_batch,)``; their mean is ``gradients.cost``.
    learning_rate : float
    """

    step: int
    epoch: int
    batch_indices: NDArray[np.int64]
    network: Network
    X: FloatArray
    y: FloatArray
    forward: ForwardRecord
    gradients: BackwardResult
    losses: FloatArray
    learning_rate: float


def step_anatomy(trainer: Trainer, step: int | None = None) -> StepAnatomy:
    """Recompute the next step (``step=None``) or a recent past one from its kept record.

    The next step uses the trainer's current parameters, learning rate and next batch, so its
    numbers are exactly those that `Trainer.step` will use. A past step must be among
    ``trainer.recent_steps``, or a KeyError is raised.
    """
    n_samples = trainer.X.shape[0]
    if step is None or step == trainer.step_count + 1:
        network = trainer.network.copy()
        indices, epoch = trainer.next_batch()
        number, rate = trainer.step_count + 1, trainer.learning_rate
        full_batch = trainer.batch_size == n_samples
    else:
        record = trainer.recent_steps.get(step)
        network = trainer.network.copy()
        network.set_parameters_vector(record.parameters_before)
        full_batch = record.batch_indices is None
        indices = np.arange(n_samples) if full_batch else record.batch_indices.astype(np.int64)
        number, epoch, rate = record.step, record.epoch, record.learning_rate

    # The trainer passes the full data unindexed; indexing in data order gives the same rows.
    X = trainer.X if full_batch else trainer.X[indices]
    y = trainer.y if full_batch else trainer.y[indices]
    with np.errstate(all="ignore"):
        forward = network.forward(X)
        gradients = network.backward(forward, y)
    return StepAnatomy(
        step=number,
        epoch=epoch,
        batch_indices=indices,
        network=network,
        X=X.copy(),
        y=y.copy(),
        forward=forward,
        gradients=gradients,
        losses=example_losses(forward.output, y),
        learning_rate=rate,
    )


# --- the chain rule for one parameter ------------------------------------------------------------


@dataclass(frozen=True)
class ChainRule:
    """One parameter's gradient, split factor by factor and example by example.

    For a weight w = W[j,k] of layer L and example i, with Lᵢ the example's loss:

        ∂Lᵢ/∂w = ∂Lᵢ/∂a_ij · ∂a_ij/∂z_ij · ∂z_ij/∂w = upstream · activation_slope · input_value

    where ``∂z_ij/∂w = a_ik``, the k-th input to the layer (1 for a bias). The batch gradient
    is the mean of the contributions: ∂C/∂w = (1/n) Σᵢ ∂Lᵢ/∂w.

    Attributes
    ----------
    upstream, activation_slope, input_value, contributions : ndarray
        Per example, shape ``(n_batch,)``.
    gradient : float
        ∂C/∂w as backpropagation computed it (the value the update uses).
    new_value : float
        ``value − learning_rate · gradient``, computed as the trainer computes it.
    """

    parameter: ParameterRef
    value: float
    upstream: FloatArray
    activation_slope: FloatArray
    input_value: FloatArray
    contributions: FloatArray
    gradient: float
    learning_rate: float
    new_value: float


def chain_rule(anatomy: StepAnatomy, parameter: ParameterRef) -> ChainRule:
    """Split the gradient of ``parameter`` in the step ``anatomy`` into chain-rule factors."""
    network, forward, gradients = anatomy.network, anatomy.forward, anatomy.gradients
    l, j, k = parameter.layer, parameter.row, parameter.column
    if not (0 <= l < len(network.weights) and 0 <= j < network.weights[l].shape[0]):
        raise ValueError(f"{parameter.name} is not a parameter of this network.")
    if k is not None and not 0 <= k < network.weights[l].shape[1]:
        raise ValueError(f"{parameter.name} is not a parameter of this network.")

    n_batch = anatomy.X.shape[0]
    # ∂C/∂a of the layer's output carries the 1/n of the mean; times n it is ∂Lᵢ/∂a.
    if l == len(network.weights) - 1:
        grad_a = mean_squared_error_gradient(forward.output, anatomy.y)
    else:
        grad_a = gradients.deltas[l + 1] @ network.weights[l + 1]
    upstream = n_batch * grad_a[:, j]
    slope = ACTIVATIONS[network.activations[l]].derivative(forward.z[l][:, j])
    input_value = np.ones(n_batch) if k is None else forward.a[l][:, k].copy()

    value = parameter.value(network)
    gradient = parameter.gradient(gradients)
    # The trainer updates whole arrays with w - rate * g; the same float64 operations on
    # one element give the same bits.
    new_value = float(np.float64(value) - anatomy.learning_rate * np.float64(gradient))
    return ChainRule(
        parameter=parameter,
        value=value,
        upstream=upstream,
        activation_slope=slope,
        input_value=input_value,
        contributions=upstream * slope * input_value,
        gradient=gradient,
        learning_rate=anatomy.learning_rate,
        new_value=new_value,
    )


# --- gradient check ------------------------------------------------------------------------------


def fault_layer(network: Network) -> int | None:
    """Return the layer whose activation derivative the "forget_derivative" fault leaves out.

    It is the last layer with a non-linear activation, or None when every activation is
    linear: a linear unit's derivative is 1, so forgetting it changes nothing.
    """
    for l in reversed(range(len(network.activations))):
        if network.activations[l] != "linear":
            return l
    return None


def faulty_backward(
    network: Network, forward: ForwardRecord, y: FloatArray, fault: str | None
) -> BackwardResult:
    """Run backpropagation with one of the teaching `FAULTS` planted (None for none)."""
    if fault is None:
        return network.backward(forward, y)
    if fault not in FAULTS:
        raise ValueError(f"Unknown fault {fault!r}; choose one of {list(FAULTS)} or None.")
    y = np.asarray(y, dtype=np.float64).reshape(forward.output.shape)
    cost = mean_squared_error(forward.output, y)
    grad_output = mean_squared_error_gradient(forward.output, y)
    if fault == "drop_factor_2":
        return network._backpropagate(forward, cost, grad_output / 2.0)
    if fault == "sum_batch":
        return network._backpropagate(forward, cost, grad_output * forward.output.shape[0])
    return network._backpropagate(forward, cost, grad_output, skip_derivative_layer=fault_layer(network))


def numerical_gradient(
    network: Network, X: FloatArray, y: FloatArray, step: float = GRADIENT_CHECK_STEP
) -> FloatArray:
    """Central differences (C(θ + h) − C(θ − h)) / 2h for every parameter, in vector order.

    Works on a copy, so ``network`` is not changed.
    """
    probe = network.copy()
    theta = probe.parameters_vector()
    gradient = np.empty_like(theta)
    for index in range(theta.size):
        original = theta[index]
        theta[index] = original + step
        probe.set_parameters_vector(theta)
        cost_plus = probe.cost(X, y)
        theta[index] = original - step
        probe.set_parameters_vector(theta)
        cost_minus = probe.cost(X, y)
        theta[index] = original
        gradient[index] = (cost_plus - cost_minus) / (2.0 * step)
    return gradient


def relative_difference(analytic: FloatArray, numeric: FloatArray) -> FloatArray:
    """|a − n| / (|a| + |n|) elementwise, 0 where both are exactly 0.

    This is 1/3 when a = n/2 and (m − 1)/(m + 1) when a = m·n, whatever the size of n.
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    total = np.abs(analytic) + np.abs(numeric)
    difference = np.abs(analytic - numeric)
    return np.divide(difference, total, out=np.zeros_like(total), where=total > 0)


@dataclass(frozen=True)
class GradientCheck:
    """The result of comparing backpropagation with central differences.

    ``relative_difference`` is the check's verdict: ‖a − n‖ / (‖a‖ + ‖n‖) over the whole
    gradient vector (Euclidean norms), which stays meaningful when single entries are near 0.
    """

    names: list[str]
    analytic: FloatArray
    numeric: FloatArray
    relative_differences: FloatArray
    relative_difference: float
    threshold: float
    fault: str | None
    fault_layer: int | None
    near_kink: bool

    @property
    def passed(self) -> bool:
        return self.relative_difference < self.threshold


def gradient_check(
    network: Network,
    X: FloatArray,
    y: FloatArray,
    fault: str | None = None,
    step: float = GRADIENT_CHECK_STEP,
    threshold: float = GRADIENT_CHECK_THRESHOLD,
) -> GradientCheck:
    """Compare the (possibly faulty) backprop gradient on (X, y) with central differences."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(X.shape[0], -1)
    forward = network.forward(X)
    gradients = faulty_backward(network, forward, y, fault)
    analytic = np.concatenate(
        [part for w, b in zip(gradients.grad_weights, gradients.grad_biases) for part in (w.ravel(), b)]
    )
    numeric = numerical_gradient(network, X, y, step)
    difference = np.linalg.norm(analytic - numeric)
    total = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    overall = float(difference / total) if total > 0 else 0.0

    # A ReLU-family unit within h of its kink has no derivative there, and central
    # differences straddle the kink, so the two may disagree without a bug.
    near_kink = any(
        name in ("relu", "leaky_relu") and bool(np.any(np.abs(z) < 2 * step))
        for name, z in zip(network.activations, forward.z)
    )
    return GradientCheck(
        names=network.parameter_names(),
        analytic=analytic,
        numeric=numeric,
        relative_differences=relative_difference(analytic, numeric),
        relative_difference=overall,
        threshold=threshold,
        fault=fault,
        fault_layer=fault_layer(network) if fault == "forget_derivative" else None,
        near_kink=near_kink,
    )
