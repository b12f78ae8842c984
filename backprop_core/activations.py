"""Activation functions, each next to its derivative.

Every derivative takes the pre-activation ``z`` (not the activation ``a = f(z)``), so the
backward pass can call ``derivative(z)`` for any layer without knowing which function it is.

Each function also has an in-place twin for the trainer's fast path: ``*_into(z, out)``
writes ``f(z)`` into ``out``, and ``*_derivative_from_output(a, out)`` writes ``f'(z)`` into
``out`` computed from ``a = f(z)`` alone, so the fast path never keeps z. Each twin gives
bit-for-bit the same numbers as the function and derivative above it.
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
    function_into : callable
        ``function_into(z, out)`` writes ``function(z)`` into ``out`` and returns ``out``;
        ``out`` may be ``z`` itself.
    derivative_from_output : callable
        ``derivative_from_output(a, out)`` writes ``derivative(z)`` into ``out``, computed
        from ``a = function(z)``, and returns ``out``; ``out`` must not be ``a``.
    is_identity : bool
        True when ``f(z) = z``: the fast path then skips the copy and the product by 1.
    """

    name: str
    function: Callable[[FloatArray], FloatArray]
    derivative: Callable[[FloatArray], FloatArray]
    output_range: tuple[float, float]
    formula: str
    function_into: Callable[[FloatArray, FloatArray], FloatArray]
    derivative_from_output: Callable[[FloatArray, FloatArray], FloatArray]
    is_identity: bool = False


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


def sigmoid_into(z: FloatArray, out: FloatArray) -> FloatArray:
    """Write σ(z) into ``out``; the same numbers as `sigmoid`, through a temporary array."""
    np.copyto(out, sigmoid(z))
    return out


def sigmoid_derivative_from_output(a: FloatArray, out: FloatArray) -> FloatArray:
    """Write σ'(z) = a (1 − a) into ``out``, from a = σ(z)."""
    np.subtract(1.0, a, out=out)
    np.multiply(a, out, out=out)
    return out


# --- tanh ------------------------------------------------------------------------------------

def tanh(z: FloatArray) -> FloatArray:
    """Hyperbolic tangent."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_derivative(z: FloatArray) -> FloatArray:
    """tanh'(z) = 1 − tanh(z)²."""
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


def tanh_into(z: FloatArray, out: FloatArray) -> FloatArray:
    """Write tanh(z) into ``out``."""
    return np.tanh(z, out=out)


def tanh_derivative_from_output(a: FloatArray, out: FloatArray) -> FloatArray:
    """Write tanh'(z) = 1 − a² into ``out``, from a = tanh(z), without a second tanh."""
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


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


def relu_into(z: FloatArray, out: FloatArray) -> FloatArray:
    """Write max(0, z) into ``out``."""
    return np.maximum(z, 0.0, out=out)


def relu_derivative_from_output(a: FloatArray, out: FloatArray) -> FloatArray:
    """Write 1 where a > 0, else 0, into ``out``; a = max(0, z) is positive exactly when z is."""
    return np.greater(a, 0.0, out=out)


# --- leaky relu ------------------------------------------------------------------------------

def leaky_relu(z: FloatArray) -> FloatArray:
    """z where z > 0, else 0.01 z."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, LEAKY_RELU_SLOPE * z)


def leaky_relu_derivative(z: FloatArray) -> FloatArray:
    """1 where z > 0, else 0.01 (the value 0.01 is also used at z = 0)."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_RELU_SLOPE)


def leaky_relu_into(z: FloatArray, out: FloatArray) -> FloatArray:
    """Write z where z > 0, else 0.01 z, into ``out``."""
    # The mask is taken first because ``out`` may be ``z``. It is "not z > 0" rather than
    # "z <= 0" so that NaN is scaled too, as in `leaky_relu`.
    scaled = np.greater(z, 0.0)
    np.logical_not(scaled, out=scaled)
    np.copyto(out, z)
    np.multiply(out, LEAKY_RELU_SLOPE, out=out, where=scaled)
    return out


def leaky_relu_derivative_from_output(a: FloatArray, out: FloatArray) -> FloatArray:
    """Write 1 where a > 0, else 0.01, into ``out``; a is positive exactly when z is."""
    out.fill(LEAKY_RELU_SLOPE)
    np.copyto(out, 1.0, where=np.greater(a, 0.0))
    return out


# --- linear ----------------------------------------------------------------------------------

def linear(z: FloatArray) -> FloatArray:
    """Return a copy of z: the identity, a = z."""
    return np.array(z, dtype=np.float64, copy=True)


def linear_derivative(z: FloatArray) -> FloatArray:
    """1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


def linear_into(z: FloatArray, out: FloatArray) -> FloatArray:
    """Write z into ``out`` (nothing to do when ``out`` is ``z``)."""
    if out is not z:
        np.copyto(out, z)
    return out


def linear_derivative_from_output(a: FloatArray, out: FloatArray) -> FloatArray:
    """Write 1 everywhere into ``out``."""
    out.fill(1.0)
    return out


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid",
        sigmoid,
        sigmoid_derivative,
        (0.0, 1.0),
        r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        function_into=sigmoid_into,
        derivative_from_output=sigmoid_derivative_from_output,
    ),
    "tanh": Activation(
        "tanh",
        tanh,
        tanh_derivative,
        (-1.0, 1.0),
        r"\tanh(z)",
        function_into=tanh_into,
        derivative_from_output=tanh_derivative_from_output,
    ),
    "relu": Activation(
        "relu",
        relu,
        relu_derivative,
        (0.0, np.inf),
        r"\max(0, z)",
        function_into=relu_into,
        derivative_from_output=relu_derivative_from_output,
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        leaky_relu,
        leaky_relu_derivative,
        (-np.inf, np.inf),
        r"\max(0.01\,z,\ z)",
        function_into=leaky_relu_into,
        derivative_from_output=leaky_relu_derivative_from_output,
    ),
    "linear": Activation(
        "linear",
        linear,
        linear_derivative,
        (-np.inf, np.inf),
        r"z",
        function_into=linear_into,
        derivative_from_output=linear_derivative_from_output,
        is_identity=True,
    ),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by its registry name; raise ValueError listing the valid names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"Unknown activation {name!r}. Choose one of: {valid}.") from None
