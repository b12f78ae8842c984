"""Activation functions, each next to its derivative.

Every derivative takes the pre-activation ``z`` (not the activation ``a = f(z)``), so the
backward pass can call ``derivative(z)`` for any layer without knowing which function it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

LEAKY_RELU_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative and the range of values it can output.

    Attributes
    ----------
    name : str
        Registry key, as the UI and saved configurations spell it.
    function : callable
        ``a = function(z)``, elementwise; any shape in, the same shape out.
    derivative : callable
        ``f'(z) = derivative(z)``, elementwise, evaluated at the pre-activation ``z``.
    output_range : tuple of float
        The closed or open interval the outputs lie in, ``(-inf, inf)`` when unbounded.
    formula : str
        LaTeX for ``f(z)``, for display.
    """

    name: str
    function: Callable[[FloatArray], FloatArray]
    derivative: Callable[[FloatArray], FloatArray]
    output_range: tuple[float, float]
    formula: str


# --- sigmoid ---------------------------------------------------------------------------------

def sigmoid(z: FloatArray) -> FloatArray:
    """Logistic function 1 / (1 + e^(-z)), computed without overflow for any finite z.

    ``exp`` only ever receives ``-|z|``, which is at most 0, so it cannot overflow. For very
    large ``|z|`` the small side underflows to exactly 0.0 or 1.0, which is the float64 value.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z: FloatArray) -> FloatArray:
    """σ'(z) = σ(z) (1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


# --- tanh ------------------------------------------------------------------------------------

def tanh(z: FloatArray) -> FloatArray:
    """Hyperbolic tangent."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_derivative(z: FloatArray) -> FloatArray:
    """tanh'(z) = 1 − tanh(z)²."""
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


# --- relu ------------------------------------------------------------------------------------

def relu(z: FloatArray) -> FloatArray:
    """max(0, z)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_derivative(z: FloatArray) -> FloatArray:
    """1 where z > 0, else 0.

    The kink at z = 0 has no derivative; like most libraries we use 0 there, so a unit
    whose z is exactly 0 passes no gradient back.
    """
    return (np.asarray(z) > 0).astype(np.float64)


# --- leaky relu ------------------------------------------------------------------------------

def leaky_relu(z: FloatArray) -> FloatArray:
    """z where z > 0, else 0.01 z."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, LEAKY_RELU_SLOPE * z)


def leaky_relu_derivative(z: FloatArray) -> FloatArray:
    """1 where z > 0, else 0.01 (the value 0.01 is also used at z = 0)."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_RELU_SLOPE)


# --- linear ----------------------------------------------------------------------------------

def linear(z: FloatArray) -> FloatArray:
    """Return a copy of z: the identity, a = z."""
    return np.array(z, dtype=np.float64, copy=True)


def linear_derivative(z: FloatArray) -> FloatArray:
    """1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_derivative, (0.0, 1.0), r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    ),
    "tanh": Activation("tanh", tanh, tanh_derivative, (-1.0, 1.0), r"\tanh(z)"),
    "relu": Activation("relu", relu, relu_derivative, (0.0, np.inf), r"\max(0, z)"),
    "leaky_relu": Activation(
        "leaky_relu",
        leaky_relu,
        leaky_relu_derivative,
        (-np.inf, np.inf),
        r"\max(0.01\,z,\ z)",
    ),
    "linear": Activation("linear", linear, linear_derivative, (-np.inf, np.inf), r"z"),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by its registry name; raise ValueError listing the valid names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"Unknown activation {name!r}. Choose one of: {valid}.") from None
