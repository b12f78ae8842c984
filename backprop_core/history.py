"""Training history with bounded memory.

What is kept exactly: the cost, the epoch and the learning rate of every step (24 bytes a step),
and each layer's gradient size (8 bytes a layer a step). The buffers double when full, so they
hold up to twice that: 100,000 steps of a 1-8-8-1 network took 8.1 MB. What is thinned:
snapshots of all parameters. They are
taken at every step until `capacity` snapshots exist; then every second snapshot is dropped and
snapshots are taken half as often. The snapshots therefore always span the whole run, evenly
spaced, and never number more than `capacity`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DEFAULT_SNAPSHOT_CAPACITY = 1024


class _GrowingArray:
    """An append-only 1-D array that doubles its buffer when full."""

    def __init__(self, dtype: type, initial_capacity: int = 256) -> None:
        self._data = np.empty(initial_capacity, dtype=dtype)
        self._size = 0

    def append(self, value: float) -> None:
        if self._size == len(self._data):
            self._data = np.concatenate([self._data, np.empty_like(self._data)])
        self._data[self._size] = value
        self._size += 1

    def view(self) -> NDArray:
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


class History:
    """The record of a training run: costs for every step, thinned parameter snapshots.

    Parameters
    ----------
    parameter_names : list of str
        Names in the order of ``Network.parameters_vector``.
    initial_parameters : ndarray
        The parameters before the first step, shape ``(n_parameters,)``; stored as the
        snapshot of step 0.
    capacity : int
        The maximum number of parameter snapshots kept (at least 2).
    """

    def __init__(
        self,
        parameter_names: list[str],
        initial_parameters: FloatArray,
        capacity: int = DEFAULT_SNAPSHOT_CAPACITY,
    ) -> None:
        if capacity < 2:
            raise ValueError(f"capacity must be at least 2 snapshots, got {capacity}.")
        self.parameter_names = list(parameter_names)
        self.capacity = capacity
        self._costs = _GrowingArray(np.float64)
        self._epochs = _GrowingArray(np.int64)
        self._learning_rates = _GrowingArray(np.float64)
        # Each step's gradient size per layer, flattened: n_layers values per step. float64,
        # because a diverging step's gradient can exceed float32's range of about 3.4e38.
        self._gradient_norms = _GrowingArray(np.float64)
        self._n_layers: int | None = None
        self._snapshot_stride = 1
        self._snapshot_steps = np.zeros(capacity, dtype=np.int64)
        self._snapshot_values = np.empty((capacity, len(parameter_names)))
        self._snapshot_values[0] = initial_parameters
        self._n_snapshots = 1

    # --- recording ---------------------------------------------------------------------------

    def record(
        self,
        cost: float,
        epoch: int,
        learning_rate: float,
        parameters: FloatArray,
        gradient_norms: FloatArray | None = None,
    ) -> None:
        """Append one step: the cost before it, its epoch and rate, the parameters after it.

        ``gradient_norms`` contains each layer's gradient size at that step, shape ``(n_layers,)``.
        """
        self._costs.append(cost)
        self._epochs.append(epoch)
        self._learning_rates.append(learning_rate)
        if gradient_norms is not None:
            self._n_layers = len(gradient_norms)
            for norm in gradient_norms:
                self._gradient_norms.append(norm)
        step = len(self._costs)
        if step % self._snapshot_stride != 0:
            return
        if self._n_snapshots == self.capacity:
            self._thin()
            if step % self._snapshot_stride != 0:
                return
        self._snapshot_steps[self._n_snapshots] = step
        self._snapshot_values[self._n_snapshots] = parameters
        self._n_snapshots += 1

    def _thin(self) -> None:
        """Keep the snapshots at multiples of twice the stride, then double the stride."""
        self._snapshot_stride *= 2
        steps = self._snapshot_steps[: self._n_snapshots]
        keep = np.flatnonzero(steps % self._snapshot_stride == 0)
        self._snapshot_steps[: len(keep)] = steps[keep]
        self._snapshot_values[: len(keep)] = self._snapshot_values[keep]
        self._n_snapshots = len(keep)

    # --- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        """Return the number of steps recorded."""
        return len(self._costs)

    @property
    def costs(self) -> FloatArray:
        """The cost of the batch before each step; ``costs[i]`` belongs to step i+1. Read-only view."""
        view = self._costs.view()
        view.flags.writeable = False
        return view

    @property
    def epochs(self) -> NDArray[np.int64]:
        """The epoch (from 1) of each step."""
        view = self._epochs.view()
        view.flags.writeable = False
        return view

    @property
    def gradient_norms(self) -> FloatArray:
        """Each layer's gradient size per step, shape ``(n_steps, n_layers)``.

        The size of layer l is √(‖∂C/∂W_l‖² + ‖∂C/∂b_l‖²), Frobenius and Euclidean norms.
        Empty, with shape ``(0, 0)``, when no step recorded them.
        """
        if self._n_layers is None:
            return np.zeros((0, 0))
        view = self._gradient_norms.view().reshape(-1, self._n_layers)
        view.flags.writeable = False
        return view

    @property
    def learning_rates(self) -> FloatArray:
        """The learning rate used at each step."""
        view = self._learning_rates.view()
        view.flags.writeable = False
        return view

    @property
    def snapshot_steps(self) -> NDArray[np.int64]:
        """The steps after which parameters were kept, starting with 0 (the initial values)."""
        return self._snapshot_steps[: self._n_snapshots].copy()

    @property
    def snapshot_values(self) -> FloatArray:
        """The kept parameters, shape ``(n_snapshots, n_parameters)``, in name order."""
        return self._snapshot_values[: self._n_snapshots].copy()

    @property
    def snapshot_stride(self) -> int:
        """Steps between two kept snapshots now: 1 until the first thinning, then 2, 4, ..."""
        return self._snapshot_stride

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays of this history, in bytes."""
        return (
            self._costs.nbytes
            + self._epochs.nbytes
            + self._learning_rates.nbytes
            + self._gradient_norms.nbytes
            + self._snapshot_steps.nbytes
            + self._snapshot_values.nbytes
        )


# Rewinding keeps, for each recent step, the parameters before it and its batch. These bound
# how many steps are kept and how much memory they may take.
MAX_RECENT_STEPS = 500
RECENT_STEPS_BUDGET_BYTES = 8_000_000


@dataclass(frozen=True)
class RecentStep:
    """The record needed to recompute one past step exactly.

    Attributes
    ----------
    step, epoch : int
        The step's number (from 1) and its epoch.
    batch_indices : ndarray or None
        The rows of the data in the batch, in order; None for the full batch in data order.
    learning_rate : float
        The η of the step.
    parameters_before : ndarray
        All parameters before the step, in ``Network.parameters_vector`` order.
    """

    step: int
    epoch: int
    batch_indices: NDArray[np.int64] | None
    learning_rate: float
    parameters_before: FloatArray


class RecentSteps:
    """The last steps of a run, kept exactly so that any of them can be recomputed.

    At most `MAX_RECENT_STEPS` steps are kept, fewer when the parameters and batch indices
    of that many would take more than `RECENT_STEPS_BUDGET_BYTES`. Older steps are dropped.
    """

    def __init__(self, n_parameters: int, n_samples: int) -> None:
        self._n_parameters = n_parameters
        self._n_samples = n_samples
        self._steps: deque[RecentStep] = deque(maxlen=self._capacity_for(n_samples))

    def _capacity_for(self, batch_size: int) -> int:
        # A mini-batch stores its indices as int32; a full batch stores none.
        index_bytes = 0 if batch_size == self._n_samples else 4 * batch_size
        bytes_per_step = 8 * self._n_parameters + index_bytes + 200
        return max(1, min(MAX_RECENT_STEPS, RECENT_STEPS_BUDGET_BYTES // bytes_per_step))

    def resize_for(self, batch_size: int) -> None:
        """Recompute the capacity for a new batch size, keeping the newest steps."""
        self._steps = deque(self._steps, maxlen=self._capacity_for(batch_size))

    def append(
        self,
        step: int,
        epoch: int,
        batch_indices: NDArray[np.int64] | None,
        learning_rate: float,
        parameters_before: FloatArray,
    ) -> None:
        indices = None if batch_indices is None else np.asarray(batch_indices, dtype=np.int32)
        self._steps.append(RecentStep(step, epoch, indices, learning_rate, parameters_before))

    @property
    def capacity(self) -> int:
        """The maximum number of steps kept with the current batch size."""
        return self._steps.maxlen or 0

    def __len__(self) -> int:
        return len(self._steps)

    def get(self, step: int) -> RecentStep:
        """Return the kept record of ``step``; raise KeyError if it is not kept."""
        if self._steps and self._steps[0].step <= step <= self._steps[-1].step:
            return self._steps[step - self._steps[0].step]
        raise KeyError(f"step {step} is not among the {len(self._steps)} recent steps kept.")

    @property
    def steps(self) -> list[int]:
        """The numbers of the kept steps, oldest first."""
        return [record.step for record in self._steps]
