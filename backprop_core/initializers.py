"""Seeded weight initialisers.

Each initialiser draws the weights of one layer, shape ``(n_out, n_in)``, from a
``numpy.random.Generator``. Biases always start at zero, except under ``"constant"``, which
sets every weight and bias to the same value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

SMALL_NORMAL_STD = 0.1
DEFAULT_CONSTANT = 0.5


def xavier(n_out: int, n_in: int, rng: np.random.Generator) -> FloatArray:
    """Glorot/Xavier uniform: U(−r, r) with r = √(6 / (n_in + n_out)).

    Keeps the variance of z about equal across layers for tanh and sigmoid units.
    """
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def he(n_out: int, n_in: int, rng: np.random.Generator) -> FloatArray:
    """He normal: N(0, 2 / n_in), which makes up for ReLU zeroing half of its inputs."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


def small_normal(n_out: int, n_in: int, rng: np.random.Generator) -> FloatArray:
    """N(0, 0.1²), independent of the layer size."""
    return rng.normal(0.0, SMALL_NORMAL_STD, size=(n_out, n_in))


def zeros(n_out: int, n_in: int, rng: np.random.Generator) -> FloatArray:
    """Return all-zero weights. Hidden units then stay identical forever: a lesson in symmetry."""
    return np.zeros((n_out, n_in))


INITIALIZERS: dict[str, Callable[[int, int, np.random.Generator], FloatArray] | None] = {
    "xavier": xavier,
    "he": he,
    "small_normal": small_normal,
    "zeros": zeros,
    # Filled by `initialize_parameters` from its `constant` argument.
    "constant": None,
}


def default_initializer(activation: str) -> str:
    """He for the ReLU family, Xavier otherwise (sigmoid, tanh, linear)."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier"


def initialize_parameters(
    layer_sizes: list[int] | tuple[int, ...],
    activations: list[str] | tuple[str, ...],
    init: str = "auto",
    seed: int = 0,
    constant: float = DEFAULT_CONSTANT,
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Draw the weights and biases of a network.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first.
    activations : sequence of str
        ``activations[l]`` is the activation of layer l+1; ``"auto"`` uses it to pick He or Xavier.
    init : str
        A key of ``INITIALIZERS`` or ``"auto"`` (per layer, `default_initializer`).
    seed : int
        Seed of the generator; the layers are drawn in order from one generator.
    constant : float
        The value of every weight and bias under ``init="constant"``.

    Returns
    -------
    weights : list of ndarray
        ``weights[l]`` has shape ``(layer_sizes[l+1], layer_sizes[l])``.
    biases : list of ndarray
        ``biases[l]`` has shape ``(layer_sizes[l+1],)``.
    """
    if init != "auto" and init not in INITIALIZERS:
        valid = ", ".join(["auto", *INITIALIZERS])
        raise ValueError(f"Unknown initialiser {init!r}. Choose one of: {valid}.")
    if init == "constant" and not np.isfinite(constant):
        raise ValueError(f"The constant initial value must be a finite number, got {constant!r}.")

    rng = np.random.default_rng(seed)
    weights: list[FloatArray] = []
    biases: list[FloatArray] = []
    for n_in, n_out, activation in zip(layer_sizes[:-1], layer_sizes[1:], activations):
        if init == "constant":
            weights.append(np.full((n_out, n_in), float(constant)))
            biases.append(np.full(n_out, float(constant)))
            continue
        name = default_initializer(activation) if init == "auto" else init
        weights.append(INITIALIZERS[name](n_out, n_in, rng))
        biases.append(np.zeros(n_out))
    return weights, biases
