"""The cost function: mean squared error, next to its gradient."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def mean_squared_error(y_pred: FloatArray, y_true: FloatArray) -> float:
    """Mean squared error over every example and every output, with no factor ½.

    C = (1 / (n k)) Σ_i Σ_j (ŷ_ij − y_ij)², for ``y_pred`` and ``y_true`` of shape
    ``(n_samples, n_outputs)`` = ``(n, k)``. With one output this is the mean over the
    examples of each example's loss (ŷ_i − y_i)².
    """
    residual = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(residual * residual))


def mean_squared_error_gradient(y_pred: FloatArray, y_true: FloatArray) -> FloatArray:
    """∂C/∂ŷ = 2 (ŷ − y) / (n k), shape ``(n_samples, n_outputs)`` like ``y_pred``.

    The factor 2 comes from differentiating the square; the 1/(n k) from the mean.
    """
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return (2.0 / y_pred.size) * (y_pred - np.asarray(y_true, dtype=np.float64))


def example_losses(y_pred: FloatArray, y_true: FloatArray) -> FloatArray:
    """Compute each example's loss, the mean over its outputs of (ŷ − y)², shape ``(n_samples,)``.

    Their mean is the cost.
    """
    residual = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return np.mean(residual * residual, axis=1)
