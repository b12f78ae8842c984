"""A fully connected network for regression: forward pass, backward pass, parameters.

Indexing follows the weights: ``weights[l]``, ``biases[l]``, ``activations[l]``, ``z[l]`` and
``deltas[l]`` all belong to layer l+1, the layer that ``weights[l]`` feeds. The activations
``a`` have one more entry, because ``a[0]`` is the input X:

    z[l] = a[l] @ weights[l].T + biases[l]        shape (n_samples, layer_sizes[l+1])
    a[l+1] = f_l(z[l])

In the UI the layers are numbered from 1 as in textbooks, so ``weights[0]`` is shown as W1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import ACTIVATIONS, get_activation
from .costs import mean_squared_error, mean_squared_error_gradient
from .initializers import DEFAULT_CONSTANT, initialize_parameters

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ForwardRecord:
    """Every layer's pre-activation and activation for one batch.

    Attributes
    ----------
    z : list of ndarray
        ``z[l]`` has shape ``(n_samples, layer_sizes[l+1])``.
    a : list of ndarray
        ``a[0]`` is the input X, ``(n_samples, n_features)``; ``a[l+1] = f_l(z[l])``.
    """

    z: list[FloatArray]
    a: list[FloatArray]

    @property
    def output(self) -> FloatArray:
        """The network's prediction ŷ, shape ``(n_samples, n_outputs)``."""
        return self.a[-1]


@dataclass(frozen=True)
class BackwardResult:
    """The cost of a batch and its gradient with respect to every parameter.

    Attributes
    ----------
    cost : float
        Mean squared error over the batch (mean over examples and outputs, no ½).
    grad_weights : list of ndarray
        ``∂C/∂weights[l]``, the same shape as ``weights[l]``.
    grad_biases : list of ndarray
        ``∂C/∂biases[l]``, the same shape as ``biases[l]``.
    deltas : list of ndarray
        ``deltas[l] = ∂C/∂z[l]``, shape ``(n_samples, layer_sizes[l+1])``. C is the batch
        mean, so each row carries a factor 1/n_samples, and the weight gradient
        ``deltas[l].T @ a[l]`` is a plain sum over the examples.
    """

    cost: float
    grad_weights: list[FloatArray]
    grad_biases: list[FloatArray]
    deltas: list[FloatArray]


class Network:
    """A stack of fully connected layers with a mean-squared-error cost.

    Build one with `Network.initialize` (seeded random weights) or `Network.from_parameters`
    (weights you choose). The parameters are float64 arrays that `Trainer` updates in place.
    ``weights[l]`` and ``biases[l]`` are views into one vector in `parameters_vector` order,
    which lets the trainer copy or update all of them in one operation.
    """

    def __init__(
        self,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike],
        activations: Sequence[str],
    ) -> None:
        self.weights: list[FloatArray] = [np.array(w, dtype=np.float64) for w in weights]
        self.biases: list[FloatArray] = [np.array(b, dtype=np.float64) for b in biases]
        self.activations: tuple[str, ...] = tuple(activations)
        self._validate()
        self._pack_parameters()

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def from_parameters(
        cls,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike],
        activations: Sequence[str],
    ) -> Network:
        """Build a network from given parameters (copied), e.g. a textbook example.

        ``weights[l]`` must have shape ``(n_out, n_in)`` and ``biases[l]`` shape ``(n_out,)``;
        ``activations[l]`` names the activation of layer l+1.
        """
        return cls(weights, biases, activations)

    @classmethod
    def initialize(
        cls,
        layer_sizes: Sequence[int],
        activations: Sequence[str],
        init: str = "auto",
        seed: int = 0,
        constant: float = DEFAULT_CONSTANT,
    ) -> Network:
        """Build a network with seeded initial weights; see `initialize_parameters`.

        ``len(activations)`` must be ``len(layer_sizes) - 1``. The same arguments always
        give the same weights.
        """
        sizes = _validate_layer_sizes(layer_sizes)
        if len(activations) != len(sizes) - 1:
            raise ValueError(
                f"activations needs one name per layer after the input: expected "
                f"{len(sizes) - 1} for layer_sizes {list(sizes)}, got {len(activations)}."
            )
        for name in activations:
            get_activation(name)
        weights, biases = initialize_parameters(sizes, activations, init, seed, constant)
        return cls(weights, biases, activations)

    def _validate(self) -> None:
        if not self.weights:
            raise ValueError("A network needs at least one layer of weights.")
        if not (len(self.weights) == len(self.biases) == len(self.activations)):
            raise ValueError(
                f"weights, biases and activations need one entry per layer; got "
                f"{len(self.weights)}, {len(self.biases)} and {len(self.activations)}."
            )
        for l, (w, b, name) in enumerate(zip(self.weights, self.biases, self.activations)):
            if name not in ACTIVATIONS:
                valid = ", ".join(ACTIVATIONS)
                raise ValueError(f"activations[{l}] is {name!r}; choose one of: {valid}.")
            if w.ndim != 2 or w.shape[0] < 1 or w.shape[1] < 1:
                raise ValueError(f"weights[{l}] must be a non-empty 2-D array, got shape {w.shape}.")
            if b.shape != (w.shape[0],):
                raise ValueError(
                    f"biases[{l}] must have shape ({w.shape[0]},) to match weights[{l}] of "
                    f"shape {w.shape}, got {b.shape}."
                )
            if l > 0 and w.shape[1] != self.weights[l - 1].shape[0]:
                raise ValueError(
                    f"weights[{l}] has {w.shape[1]} columns, but layer {l} has "
                    f"{self.weights[l - 1].shape[0]} units; the shapes must chain."
                )
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weights[{l}] must contain only finite numbers, got {w.tolist()}.")
            if not np.all(np.isfinite(b)):
                raise ValueError(f"biases[{l}] must contain only finite numbers, got {b.tolist()}.")

    def _pack_parameters(self) -> None:
        """Copy every parameter into one vector and make weights and biases views into it."""
        self._parameters = np.concatenate(
            [part for w, b in zip(self.weights, self.biases) for part in (w.ravel(), b)]
        )
        offset = 0
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            self.weights[l] = self._parameters[offset : offset + w.size].reshape(w.shape)
            offset += w.size
            self.biases[l] = self._parameters[offset : offset + b.size]
            offset += b.size

    def __setstate__(self, state: dict) -> None:
        # Copying or unpickling turns each view into an array of its own; pack them again.
        self.__dict__.update(state)
        self._pack_parameters()

    def _packed_parameters(self) -> FloatArray:
        """Return the vector that weights and biases are views into, shape ``(n_parameters,)``.

        Writing into it changes the parameters. If a caller replaced an entry of ``weights``
        or ``biases`` with a new array, the current values are packed again first.
        """
        packed = self._parameters
        for w, b in zip(self.weights, self.biases):
            if w.base is not packed or b.base is not packed:
                self._pack_parameters()
                return self._parameters
        return packed

    # --- shape and parameters ----------------------------------------------------------------

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Units per layer, input first: ``(n_features, hidden..., n_outputs)``."""
        return (self.weights[0].shape[1], *(w.shape[0] for w in self.weights))

    @property
    def n_parameters(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def parameter_names(self) -> list[str]:
        """Display names in the order of `parameters_vector`: W1[j,k]..., b1[j]..., W2...

        Layers are numbered from 1; j is the receiving unit and k the sending one.
        """
        names: list[str] = []
        for l, w in enumerate(self.weights, start=1):
            names += [f"W{l}[{j},{k}]" for j in range(w.shape[0]) for k in range(w.shape[1])]
            names += [f"b{l}[{j}]" for j in range(w.shape[0])]
        return names

    def parameters_vector(self) -> FloatArray:
        """Return all parameters in one new 1-D array: weights[0] row by row, biases[0], weights[1], ..."""
        return self._packed_parameters().copy()

    def set_parameters_vector(self, vector: ArrayLike) -> None:
        """Overwrite every parameter, in place, from a vector in `parameters_vector` order."""
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != (self.n_parameters,):
            raise ValueError(
                f"The parameter vector must have shape ({self.n_parameters},), got {vector.shape}."
            )
        if not np.all(np.isfinite(vector)):
            raise ValueError("The parameter vector must contain only finite numbers.")
        self._packed_parameters()[...] = vector

    def copy(self) -> Network:
        """Return an independent copy: training the copy leaves this network unchanged."""
        return Network(self.weights, self.biases, self.activations)

    # --- forward -----------------------------------------------------------------------------

    def forward(self, X: ArrayLike) -> ForwardRecord:
        """Run the batch X, shape ``(n_samples, n_features)``, through every layer.

        Keeps every layer's z and a, which the backward pass and the UI both need.
        """
        a = self._check_inputs(X)
        zs: list[FloatArray] = []
        activations: list[FloatArray] = [a]
        for w, b, name in zip(self.weights, self.biases, self.activations):
            z = a @ w.T + b
            a = ACTIVATIONS[name].function(z)
            zs.append(z)
            activations.append(a)
        return ForwardRecord(z=zs, a=activations)

    def predict(self, X: ArrayLike) -> FloatArray:
        """Compute the output ŷ for X, shape ``(n_samples, n_outputs)``."""
        return self.forward(X).output

    def cost(self, X: ArrayLike, y: ArrayLike) -> float:
        """Mean squared error of the network on (X, y)."""
        return mean_squared_error(self.predict(X), self._check_targets(y, len(np.asarray(X))))

    # --- backward ----------------------------------------------------------------------------

    def backward(self, forward_record: ForwardRecord, y: ArrayLike) -> BackwardResult:
        """Compute the cost and, by the chain rule, its gradient for every parameter.

        Reads the parameters and the forward record; changes neither.

        For the output layer L:   delta_L = ∂C/∂ŷ ⊙ f_L'(z_L),  with ∂C/∂ŷ = 2 (ŷ − y) / (n k).
        For each earlier layer:   delta_l = (delta_{l+1} @ weights[l+1]) ⊙ f_l'(z_l).
        For every layer:          ∂C/∂weights[l] = delta_l.T @ a[l],  ∂C/∂biases[l] = Σ_rows delta_l.

        Parameters
        ----------
        forward_record : ForwardRecord
            The result of `forward` on the batch, with the current parameters.
        y : array_like
            Targets, shape ``(n_samples, n_outputs)``; a 1-D array is taken as one output.
        """
        y_pred = forward_record.output
        y = self._check_targets(y, y_pred.shape[0])
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y must have shape {y_pred.shape} to match the network's output, got {y.shape}."
            )

        cost = mean_squared_error(y_pred, y)
        return self._backpropagate(forward_record, cost, mean_squared_error_gradient(y_pred, y))

    def _backpropagate(
        self,
        forward_record: ForwardRecord,
        cost: float,
        grad_output: FloatArray,
        skip_derivative_layer: int | None = None,
    ) -> BackwardResult:
        """Run the chain rule back from ``grad_output = ∂C/∂ŷ``.

        ``skip_derivative_layer`` leaves out one layer's activation derivative. It exists only
        to plant a known fault for the gradient-check lesson; `backward` never sets it.
        """
        n_layers = len(self.weights)
        deltas: list[FloatArray] = [np.empty(0)] * n_layers
        grad_weights: list[FloatArray] = [np.empty(0)] * n_layers
        grad_biases: list[FloatArray] = [np.empty(0)] * n_layers

        # Output layer: the cost's gradient times the output activation's derivative.
        grad_a = grad_output
        for l in reversed(range(n_layers)):
            if l == skip_derivative_layer:
                derivative = np.ones_like(forward_record.z[l])
            else:
                derivative = ACTIVATIONS[self.activations[l]].derivative(forward_record.z[l])
            delta = grad_a * derivative
            deltas[l] = delta
            grad_weights[l] = delta.T @ forward_record.a[l]
            grad_biases[l] = delta.sum(axis=0)
            # Send the error back through this layer's weights to the previous activation.
            if l > 0:
                grad_a = delta @ self.weights[l]

        return BackwardResult(
            cost=cost, grad_weights=grad_weights, grad_biases=grad_biases, deltas=deltas
        )

    # --- input checks ------------------------------------------------------------------------

    def _check_inputs(self, X: ArrayLike) -> FloatArray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X must have shape (n_samples, {self.layer_sizes[0]}), got {X.shape}."
            )
        if X.shape[0] == 0:
            raise ValueError("X has no rows; a batch needs at least one example.")
        return X

    def _check_targets(self, y: ArrayLike, n_samples: int) -> FloatArray:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape != (n_samples, self.layer_sizes[-1]):
            raise ValueError(
                f"y must have shape ({n_samples}, {self.layer_sizes[-1]}), got {y.shape}."
            )
        return y


class GradientWorkspace:
    """Preallocated buffers for the trainer's fast gradient computation on batches of one size.

    `compute_gradients` gives bit-for-bit the cost and gradients of
    ``network.backward(network.forward(X), y)``, because it makes the same floating-point
    operations in the same order. It writes every intermediate into these buffers, keeps
    only ``a`` (never ``z``), and skips input checks. The gradients land in one vector laid
    out like ``Network.parameters_vector``, so the update is a single subtraction.

    Parameters
    ----------
    network : Network
        The network whose layer sizes and activations the buffers are built for.
    n_samples : int
        The number of rows of every batch passed to `compute_gradients`.

    Attributes
    ----------
    gradient_vector : ndarray
        ``∂C/∂θ`` for all parameters θ in `Network.parameters_vector` order, shape
        ``(n_parameters,)``; overwritten by each call.
    grad_weights, grad_biases : list of ndarray
        Views into `gradient_vector`, shaped like ``weights[l]`` and ``biases[l]``.
    """

    def __init__(self, network: Network, n_samples: int) -> None:
        sizes = network.layer_sizes
        self.network = network
        self.n_samples = n_samples
        self._activations = [ACTIVATIONS[name] for name in network.activations]

        # a[l+1] for each layer; z is computed in the same buffer and overwritten by f(z).
        self._outputs = [np.empty((n_samples, size)) for size in sizes[1:]]
        # ∂C/∂a[l+1] for each layer, turned into delta[l] in place.
        self._grad_outputs = [np.empty((n_samples, size)) for size in sizes[1:]]
        # f'(z) for each layer; an identity layer needs none.
        self._derivatives = [
            None if activation.is_identity else np.empty((n_samples, size))
            for activation, size in zip(self._activations, sizes[1:])
        ]
        self._squared_residual = np.empty((n_samples, sizes[-1]))

        self.gradient_vector = np.empty(network.n_parameters)
        self.grad_weights: list[FloatArray] = []
        self.grad_biases: list[FloatArray] = []
        offset = 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.grad_weights.append(
                self.gradient_vector[offset : offset + n_out * n_in].reshape(n_out, n_in)
            )
            offset += n_out * n_in
            self.grad_biases.append(self.gradient_vector[offset : offset + n_out])
            offset += n_out
        # Layer l's gradients, ∂C/∂weights[l] row by row then ∂C/∂biases[l], are contiguous.
        self._layer_gradients: list[FloatArray] = []
        offset = 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self._layer_gradients.append(self.gradient_vector[offset : offset + n_out * (n_in + 1)])
            offset += n_out * (n_in + 1)

    def __getstate__(self) -> dict:
        # A copy of the buffers would turn the gradient views into separate arrays, so a copy
        # (copy.deepcopy, pickle) keeps only what is needed to build fresh buffers.
        return {"network": self.network, "n_samples": self.n_samples}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["network"], state["n_samples"])

    def compute_gradients(self, X: FloatArray, y: FloatArray) -> float:
        """Compute the cost of the batch and fill `gradient_vector` with its gradient.

        The formulas are those of `Network.backward`. The caller checks the shapes: X must be
        a float64 array of shape ``(n_samples, n_features)`` and y of shape
        ``(n_samples, n_outputs)``, with ``n_samples`` the size this workspace was built for.

        Returns
        -------
        float
            The mean squared error of the batch before any update.
        """
        network = self.network
        activations = self._activations
        outputs = self._outputs
        n_layers = len(outputs)

        # np.dot has less call overhead than np.matmul (the @ of `Network.forward`) and calls
        # the same BLAS routines; tests/test_engine_fast_path.py compares the two bit for bit.

        # forward: z = a @ W.T + b in the output buffer, then a = f(z) over it
        a = X
        for l in range(n_layers):
            z = np.dot(a, network.weights[l].T, out=outputs[l])
            np.add(z, network.biases[l], out=z)
            if not activations[l].is_identity:
                activations[l].function_into(z, z)
            a = z

        # cost, and ∂C/∂ŷ = 2 (ŷ − y) / (n k) written over the residual
        residual = np.subtract(a, y, out=self._grad_outputs[-1])
        squared = np.multiply(residual, residual, out=self._squared_residual)
        # np.mean is add.reduce over every element divided by the count; calling them
        # directly saves its overhead and keeps the same rounding.
        cost = float(np.add.reduce(squared, axis=None) / squared.size)
        np.multiply(residual, 2.0 / residual.size, out=residual)

        # backward: each layer's delta overwrites its ∂C/∂a
        for l in reversed(range(n_layers)):
            delta = self._grad_outputs[l]
            derivative = self._derivatives[l]
            # An identity layer's derivative is 1, and x · 1 = x exactly, so it is skipped.
            if derivative is not None:
                activations[l].derivative_from_output(outputs[l], derivative)
                np.multiply(delta, derivative, out=delta)
            a_previous = X if l == 0 else outputs[l - 1]
            np.dot(delta.T, a_previous, out=self.grad_weights[l])
            np.add.reduce(delta, axis=0, out=self.grad_biases[l])
            if l > 0:
                np.dot(delta, network.weights[l], out=self._grad_outputs[l - 1])

        return cost

    def layer_gradient_norms(self) -> list[float]:
        """Return each layer's gradient size √(‖∂C/∂W_l‖² + ‖∂C/∂b_l‖²), one per layer.

        Each is one dot product over the layer's slice of `gradient_vector`, as
        `layer_gradient_norm` computes it for separate arrays.
        """
        return [math.sqrt(gradient @ gradient) for gradient in self._layer_gradients]


def layer_gradient_norm(grad_weights: FloatArray, grad_biases: FloatArray) -> float:
    """Return one layer's gradient size √(‖∂C/∂W‖² + ‖∂C/∂b‖²) from its two gradient arrays.

    The sum of squares is a single dot product over the weights row by row, then the biases,
    so it gives the same bits as `GradientWorkspace.layer_gradient_norms`, whose gradients
    already lie in that order in one vector.
    """
    gradient = np.concatenate((grad_weights.ravel(), grad_biases))
    return math.sqrt(gradient @ gradient)


def _validate_layer_sizes(layer_sizes: Sequence[int]) -> tuple[int, ...]:
    """Check that every layer has at least one unit; return the sizes as a tuple of int."""
    sizes = tuple(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes needs at least an input and an output size, got {list(sizes)}."
        )
    for position, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(
                f"layer_sizes[{position}] must be a whole number of at least 1, got {size!r}."
            )
    return tuple(int(s) for s in sizes)
