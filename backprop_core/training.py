"""Gradient descent on a `Network`, one step at a time, with divergence detection."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .history import DEFAULT_SNAPSHOT_CAPACITY, History, RecentSteps
from .network import (
    BackwardResult,
    ForwardRecord,
    GradientWorkspace,
    Network,
    layer_gradient_norm,
)

FloatArray = NDArray[np.float64]

# Training stops once a step's cost exceeds this multiple of the reference cost. A rise this
# large never comes from mini-batch noise, whose batch costs stay within a factor of the
# number of examples of the full cost.
EXPLOSION_FACTOR = 1e6


@dataclass(frozen=True)
class Divergence:
    """The reason and the moment that training stopped.

    Attributes
    ----------
    step : int
        The last step whose update was applied (0 if none was).
    reason : str
        ``"cost_not_finite"``, ``"cost_exploded"`` or ``"parameters_not_finite"``.
    cost : float
        The cost that triggered the stop; may be ``inf`` or ``nan`` (never draw it).
    reference_cost : float
        The cost that "exploded" is measured against.
    learning_rate : float
        The learning rate of the step that went wrong.
    """

    step: int
    reason: str
    cost: float
    reference_cost: float
    learning_rate: float

    def message(self) -> str:
        """Describe for the user the step, the cause and the learning rate, in plain sentences."""
        rate = f"learning rate {self.learning_rate:g}"
        if self.reason == "cost_exploded":
            cause = (
                f"the cost reached {self.cost:.4g}, more than {EXPLOSION_FACTOR:,.0f} times "
                f"its starting scale {self.reference_cost:.4g} (the larger of the first cost "
                f"and the cost of predicting 0 everywhere)"
            )
        elif self.reason == "cost_not_finite":
            cause = "the cost overflowed to a value that is not a finite number"
        else:
            cause = "the next update would have made some parameters overflow, so it was not applied"
        return (
            f"Training diverged and stopped after step {self.step}: {cause}. "
            f"Each step overshot the minimum with the {rate}. Lower the learning rate and "
            f"press Reset."
        )


@dataclass(frozen=True)
class StepRecord:
    """Everything about one gradient-descent step. All arrays are copies.

    ``cost``, ``forward`` and ``gradients`` were computed from ``weights_before`` and
    ``biases_before``, and ``weights_after[l] = weights_before[l] − learning_rate ·
    gradients.grad_weights[l]`` (likewise for biases).
    """

    step: int
    epoch: int
    batch_indices: NDArray[np.int64]
    learning_rate: float
    cost: float
    forward: ForwardRecord
    gradients: BackwardResult
    weights_before: list[FloatArray]
    biases_before: list[FloatArray]
    weights_after: list[FloatArray]
    biases_after: list[FloatArray]

    @property
    def grad_weights(self) -> list[FloatArray]:
        return self.gradients.grad_weights

    @property
    def grad_biases(self) -> list[FloatArray]:
        return self.gradients.grad_biases

    @property
    def deltas(self) -> list[FloatArray]:
        return self.gradients.deltas


class Trainer:
    """Trains a network on (X, y) by mini-batch gradient descent, updating it in place.

    Parameters
    ----------
    network : Network
        The network to train; its arrays are updated in place.
    X : array_like
        Inputs, shape ``(n_samples, n_features)``.
    y : array_like
        Targets, shape ``(n_samples, n_outputs)``; 1-D is taken as one output.
    learning_rate : float
        η in ``W ← W − η ∂C/∂W``; must be finite and positive.
    batch_size : int or None
        Examples per step, from 1 to n_samples; None means the full batch. The last batch of
        an epoch is smaller when ``batch_size`` does not divide n_samples.
    seed : int
        Seed of the generator that shuffles the examples at the start of every epoch.
    shuffle : bool
        Whether to shuffle each epoch. Without it, batches follow the data's row order.
    snapshot_capacity : int
        How many parameter snapshots the history keeps; see `History`.
    """

    def __init__(
        self,
        network: Network,
        X: ArrayLike,
        y: ArrayLike,
        learning_rate: float,
        batch_size: int | None = None,
        seed: int = 0,
        shuffle: bool = False,
        snapshot_capacity: int = DEFAULT_SNAPSHOT_CAPACITY,
    ) -> None:
        self.network = network
        self.X = network._check_inputs(X).copy()
        self.y = network._check_targets(y, self.X.shape[0]).copy()
        if not (np.all(np.isfinite(self.X)) and np.all(np.isfinite(self.y))):
            raise ValueError("X and y must contain only finite numbers; remove or fill the others.")
        self.learning_rate = learning_rate
        self.seed = seed
        # Buffers for `run`'s fast path, one workspace per batch row count in use.
        self._workspaces: dict[int, GradientWorkspace] = {}
        self._rng = np.random.default_rng(seed)
        self.recent_steps = RecentSteps(network.n_parameters, self.X.shape[0])
        self.batch_size = batch_size
        self.shuffle = shuffle

        self.step_count = 0
        self.divergence: Divergence | None = None
        self.history = History(
            network.parameter_names(), network.parameters_vector(), snapshot_capacity
        )
        with np.errstate(all="ignore"):
            initial_cost = network.cost(self.X, self.y)
            # The cost of predicting 0 everywhere gives a scale when the initial fit is perfect.
            baseline = float(np.mean(self.y * self.y))
        self.reference_cost = max(initial_cost, baseline, 1e-12)

    # --- settings ----------------------------------------------------------------------------

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        """Change η; the next step uses it and training continues from the current weights."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"learning_rate must be a positive finite number, got {value!r}.")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"learning_rate must be a positive finite number, got {value!r}.")
        self._learning_rate = float(value)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        """Change the batch size; the next step starts a new epoch."""
        n_samples = self.X.shape[0]
        if value is None:
            value = n_samples
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"batch_size must be a whole number or None, got {value!r}.")
        if not 1 <= value <= n_samples:
            raise ValueError(f"batch_size must be between 1 and {n_samples}, got {value}.")
        self._batch_size = int(value)
        self._order = np.arange(n_samples)
        self._next_epoch_order: NDArray[np.int64] | None = None
        self._batches_done_in_epoch = self.batches_per_epoch
        self._epoch = getattr(self, "_epoch", 0)
        if hasattr(self, "recent_steps"):
            self.recent_steps.resize_for(self._batch_size)
        # A new batch size needs buffers of other sizes; drop the old ones.
        self._workspaces.clear()

    @property
    def shuffle(self) -> bool:
        return self._shuffle

    @shuffle.setter
    def shuffle(self, value: bool) -> None:
        """Turn per-epoch shuffling on or off from the next epoch on."""
        self._shuffle = bool(value)
        # An order drawn in advance for the next epoch followed the old setting.
        self._next_epoch_order = None

    @property
    def batches_per_epoch(self) -> int:
        return -(-self.X.shape[0] // self._batch_size)

    @property
    def epoch(self) -> int:
        """The epoch of the last step taken (0 before the first step)."""
        return self._epoch

    @property
    def stopped(self) -> bool:
        """True once training has diverged; `step` then refuses to continue."""
        return self.divergence is not None

    # --- training ----------------------------------------------------------------------------

    def step(self) -> StepRecord | None:
        """Make one gradient-descent update and return its record.

        Returns None, and sets `divergence`, when the step cannot be taken because the cost
        is not finite, has exploded, or the update would make a parameter not finite. The
        network then keeps its last finite parameters.

        After a successful step, the cost on all the data is checked at once, so a single
        Step that overshoots reports the divergence right away. `run` leaves that check to
        the next step's own cost, which saves a forward pass per step.
        """
        record = self._step(keep_record=True)
        if record is not None:
            cost = self.cost()
            reason = self._cost_divergence_reason(cost)
            if reason is not None:
                self._stop(reason, cost, record.learning_rate)
        return record

    def run(self, n_steps: int) -> int:
        """Make up to ``n_steps`` updates; stop early on divergence. Return the steps made.

        The steps are bit-for-bit those that `step` would make, computed without records
        into preallocated buffers (see `GradientWorkspace`).
        """
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
            raise ValueError(f"n_steps must be a whole number of at least 0, got {n_steps!r}.")
        if n_steps and self.divergence is not None:
            raise RuntimeError(
                "Training has diverged; build a new Trainer (Reset) before stepping again."
            )
        with np.errstate(all="ignore"):
            for done in range(n_steps):
                if not self._fast_step():
                    return done
        return n_steps

    def cost(self) -> float:
        """Compute the cost on all the data with the current parameters."""
        with np.errstate(all="ignore"):
            return self.network.cost(self.X, self.y)

    def next_batch(self) -> tuple[NDArray[np.int64], int]:
        """Return the example indices and the epoch of the next step, without taking it.

        Looking ahead draws no extra random numbers: an order drawn for the next epoch is
        kept and used when that epoch starts.
        """
        if self._batches_done_in_epoch == self.batches_per_epoch:
            if self._next_epoch_order is None:
                self._next_epoch_order = self._draw_epoch_order()
            order, epoch, position = self._next_epoch_order, self._epoch + 1, 0
        else:
            order, epoch, position = self._order, self._epoch, self._batches_done_in_epoch
        start = position * self._batch_size
        return order[start : start + self._batch_size].copy(), epoch

    def _draw_epoch_order(self) -> NDArray[np.int64]:
        n_samples = self.X.shape[0]
        # Shuffling a full batch only reorders the rows of a sum, so it is skipped.
        if self._shuffle and self._batch_size < n_samples:
            return self._rng.permutation(n_samples)
        return np.arange(n_samples)

    def _advance_batch(self) -> None:
        if self._batches_done_in_epoch == self.batches_per_epoch:
            if self._next_epoch_order is None:
                self._next_epoch_order = self._draw_epoch_order()
            self._order, self._next_epoch_order = self._next_epoch_order, None
            self._epoch += 1
            self._batches_done_in_epoch = 0
        self._batches_done_in_epoch += 1

    def _step(self, keep_record: bool) -> StepRecord | None | bool:
        if self.divergence is not None:
            raise RuntimeError(
                "Training has diverged; build a new Trainer (Reset) before stepping again."
            )
        network = self.network
        step = self.step_count + 1
        full_batch = self._batch_size == self.X.shape[0]
        indices, epoch = self.next_batch()
        # Indexing copies the rows, so a kept record never shares the trainer's data arrays.
        copy_needed = keep_record or not full_batch
        X = self.X[indices] if copy_needed else self.X
        y = self.y[indices] if copy_needed else self.y

        with np.errstate(all="ignore"):
            # forward
            forward = network.forward(X)

            # backward
            gradients = network.backward(forward, y)

            # update, into new arrays first so that a failed step changes nothing
            rate = self._learning_rate
            new_weights = [w - rate * g for w, g in zip(network.weights, gradients.grad_weights)]
            new_biases = [b - rate * g for b, g in zip(network.biases, gradients.grad_biases)]

        reason = self._divergence_reason(gradients.cost, new_weights, new_biases)
        if reason is not None:
            # A cost that exploded was caused by the previous step, so name that step's rate.
            blamed_rate = rate
            if reason != "parameters_not_finite" and len(self.history):
                blamed_rate = float(self.history.learning_rates[-1])
            self._stop(reason, gradients.cost, blamed_rate)
            return None if keep_record else False

        weights_before = [w.copy() for w in network.weights] if keep_record else []
        biases_before = [b.copy() for b in network.biases] if keep_record else []
        self.recent_steps.append(
            step, epoch, None if full_batch else indices, rate, network.parameters_vector()
        )
        self._advance_batch()
        for w, new_w in zip(network.weights, new_weights):
            w[...] = new_w
        for b, new_b in zip(network.biases, new_biases):
            b[...] = new_b
        self.step_count = step
        gradient_norms = [
            layer_gradient_norm(gw, gb)
            for gw, gb in zip(gradients.grad_weights, gradients.grad_biases)
        ]
        self.history.record(gradients.cost, epoch, rate, network.parameters_vector(), gradient_norms)

        if not keep_record:
            return True
        return StepRecord(
            step=step,
            epoch=epoch,
            batch_indices=np.array(indices),
            learning_rate=rate,
            cost=gradients.cost,
            forward=forward,
            gradients=gradients,
            weights_before=weights_before,
            biases_before=biases_before,
            weights_after=[w.copy() for w in network.weights],
            biases_after=[b.copy() for b in network.biases],
        )

    def _fast_step(self) -> bool:
        """Make one step as `_step` does, without a record; return False if training stopped.

        The caller ignores floating-point errors and checks that training has not diverged.
        Same operations as `_step`, so the same numbers: the gradients come from a workspace
        that reproduces `Network.backward` exactly, and the update is ``θ − η ∂C/∂θ`` elementwise.
        """
        network = self.network
        n_samples = self.X.shape[0]

        # batch: a full batch is the data itself, and each full-batch step starts an epoch
        if self._batch_size == n_samples:
            indices = None
            epoch = self._epoch + 1
            X, y = self.X, self.y
        else:
            indices, epoch = self.next_batch()
            X = np.take(self.X, indices, axis=0)
            y = np.take(self.y, indices, axis=0)
        workspace = self._workspaces.get(X.shape[0])
        if workspace is None or workspace.network is not network:
            workspace = GradientWorkspace(network, X.shape[0])
            self._workspaces[X.shape[0]] = workspace

        # forward and backward
        parameters = network._packed_parameters()
        cost = workspace.compute_gradients(X, y)

        # update, into a new vector first so that a failed step changes nothing
        rate = self._learning_rate
        parameters_before = parameters.copy()
        parameters_after = parameters_before - rate * workspace.gradient_vector

        reason = self._cost_divergence_reason(cost)
        if reason is None and not np.isfinite(parameters_after).all():
            reason = "parameters_not_finite"
        if reason is not None:
            # A cost that exploded was caused by the previous step, so name that step's rate.
            blamed_rate = rate
            if reason != "parameters_not_finite" and len(self.history):
                blamed_rate = float(self.history.learning_rates[-1])
            self._stop(reason, cost, blamed_rate)
            return False

        step = self.step_count + 1
        self.recent_steps.append(step, epoch, indices, rate, parameters_before)
        self._advance_batch()
        # The weights and biases are views into this vector, so one copy updates them all.
        np.copyto(parameters, parameters_after)
        self.step_count = step
        self.history.record(
            cost, epoch, rate, parameters_after, workspace.layer_gradient_norms()
        )
        return True

    def _stop(self, reason: str, cost: float, learning_rate: float) -> None:
        self.divergence = Divergence(
            step=self.step_count,
            reason=reason,
            cost=cost,
            reference_cost=self.reference_cost,
            learning_rate=learning_rate,
        )

    def _cost_divergence_reason(self, cost: float) -> str | None:
        if not math.isfinite(cost):
            return "cost_not_finite"
        if cost > EXPLOSION_FACTOR * self.reference_cost:
            return "cost_exploded"
        return None

    def _divergence_reason(
        self, cost: float, new_weights: list[FloatArray], new_biases: list[FloatArray]
    ) -> str | None:
        reason = self._cost_divergence_reason(cost)
        if reason is None and not all(np.isfinite(p).all() for p in (*new_weights, *new_biases)):
            reason = "parameters_not_finite"
        return reason
