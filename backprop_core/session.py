"""One learner's training run: the data, its scaling, the network and its trainer.

The Train page keeps one `TrainingSession` in Streamlit's session state. This module has no
Streamlit in it, so the same object can be driven by tests and scripts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS
from .datasets import Dataset, Standardizer
from .initializers import INITIALIZERS
from .network import Network
from .training import StepRecord, Trainer

FloatArray = NDArray[np.float64]

MAX_HIDDEN_LAYERS = 6
MAX_UNITS_PER_LAYER = 32
MAX_SEED = 2**32 - 1
FIT_CURVE_POINTS = 200


class SettingsError(ValueError):
    """An invalid setting typed by the user. The message states what is wrong and how to fix it."""


@dataclass(frozen=True)
class NetworkSettings:
    """The settings that define a network; changing any of them starts training again.

    Attributes
    ----------
    hidden_sizes : tuple of int
        Units in each hidden layer, 0 to `MAX_HIDDEN_LAYERS` layers of 1 to `MAX_UNITS_PER_LAYER`.
    hidden_activation, output_activation : str
        Keys of ``ACTIVATIONS``.
    init : str
        ``"auto"`` or a key of ``INITIALIZERS``.
    seed : int
        Seed of the initial weights and of the per-epoch shuffling.
    standardize : bool
        Whether inputs and targets are scaled to mean 0 and standard deviation 1 for training.
    scale_targets_to_output : bool
        Whether targets are instead mapped linearly into the middle 80 % of a bounded output
        activation's range (0.1 to 0.9 for sigmoid, −0.8 to 0.8 for tanh), so that every
        target can be reached. Ignored for unbounded outputs.
    """

    hidden_sizes: tuple[int, ...] = (4,)
    hidden_activation: str = "tanh"
    output_activation: str = "linear"
    init: str = "auto"
    seed: int = 0
    standardize: bool = True
    scale_targets_to_output: bool = False

    def __post_init__(self) -> None:
        if len(self.hidden_sizes) > MAX_HIDDEN_LAYERS:
            raise SettingsError(
                f"{len(self.hidden_sizes)} hidden layers is too many: the lab allows at most "
                f"{MAX_HIDDEN_LAYERS}, which is already deep enough to see gradients vanish."
            )
        for size in self.hidden_sizes:
            if not 1 <= size <= MAX_UNITS_PER_LAYER:
                raise SettingsError(
                    f"A hidden layer of {size} neurons is outside the allowed range 1 to "
                    f"{MAX_UNITS_PER_LAYER}."
                )
        for name in (self.hidden_activation, self.output_activation):
            if name not in ACTIVATIONS:
                raise SettingsError(f"Unknown activation {name!r}; choose one of {list(ACTIVATIONS)}.")
        if self.init != "auto" and self.init not in INITIALIZERS:
            raise SettingsError(f"Unknown initialiser {self.init!r}; choose auto or one of {list(INITIALIZERS)}.")
        if not 0 <= self.seed <= MAX_SEED:
            raise SettingsError(f"The seed must be a whole number from 0 to {MAX_SEED}, got {self.seed}.")


def parse_hidden_sizes(text: str) -> tuple[int, ...]:
    """Read hidden layer sizes typed as whole numbers separated by commas or spaces.

    An empty text means no hidden layer. Raises SettingsError, with a message for the user,
    for anything that is not such a list or breaks the limits.
    """
    tokens = text.replace(",", " ").split()
    sizes = []
    for token in tokens:
        try:
            size = int(token)
        except ValueError:
            raise SettingsError(
                f"Hidden layer sizes must be whole numbers separated by commas, such as "
                f"“8, 8”; “{token[:20]}” is not a whole number."
            ) from None
        if size < 1:
            raise SettingsError(
                f"A hidden layer needs at least 1 neuron, got {size}. To remove a layer, "
                f"delete its number; leave the field empty for no hidden layer."
            )
        if size > MAX_UNITS_PER_LAYER:
            shown = str(size) if len(str(size)) <= 12 else f"{len(str(size))}-digit number of"
            raise SettingsError(
                f"A hidden layer of {shown} neurons is too large: the lab allows 1 to "
                f"{MAX_UNITS_PER_LAYER}, enough to fit any of its datasets and still draw."
            )
        sizes.append(size)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise SettingsError(
            f"{len(sizes)} hidden layers is too many: the lab allows 0 to {MAX_HIDDEN_LAYERS}."
        )
    return tuple(sizes)


def parse_learning_rate(value: float) -> float:
    """Check a learning rate typed by the user; raise SettingsError unless it is finite and > 0."""
    if not np.isfinite(value) or value <= 0:
        raise SettingsError(
            f"The learning rate must be greater than 0, got {value:g}. Gradient descent moves "
            f"against the gradient by η times its size, so η = 0 never moves and a negative η "
            f"climbs the cost. Try 0.01 to 0.1."
        )
    return float(value)


@dataclass
class TrainingSession:
    """A dataset, its scalers, a network built from `NetworkSettings`, and its `Trainer`.

    Attributes
    ----------
    dataset : Dataset
        The data in original units.
    settings : NetworkSettings
        What the network was built from.
    x_scaler, y_scaler : Standardizer
        Maps between original units and the units the network trains in.
    initial_network : Network
        The network before the first step; Reset returns to it.
    trainer : Trainer
        Trains a copy of ``initial_network`` on the scaled data.
    last_step : StepRecord or None
        The record of the most recent single step (not kept for Step ×N and Play).
    custom_network : Network or None
        Given initial parameters (a network typed in by the user) instead of seeded ones.
        Its layer sizes must fit the data, and its activations override ``settings``.
    """

    dataset: Dataset
    settings: NetworkSettings
    learning_rate: float = 0.05
    batch_size: int | None = None
    shuffle: bool = True
    custom_network: Network | None = None
    x_scaler: Standardizer = field(init=False)
    y_scaler: Standardizer = field(init=False)
    initial_network: Network = field(init=False)
    trainer: Trainer = field(init=False)
    last_step: StepRecord | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.x_scaler = Standardizer.fit(self.dataset.X, self.settings.standardize)
        self.y_scaler = self._target_scaler()
        if self.custom_network is not None:
            self.initial_network = self._checked_custom_network()
            self.reset()
            return
        layer_sizes = (self.dataset.X.shape[1], *self.settings.hidden_sizes, self.dataset.y.shape[1])
        activations = [self.settings.hidden_activation] * len(self.settings.hidden_sizes)
        activations.append(self.settings.output_activation)
        self.initial_network = Network.initialize(
            layer_sizes, activations, init=self.settings.init, seed=self.settings.seed
        )
        self.reset()

    def _target_scaler(self) -> Standardizer:
        low, high = ACTIVATIONS[self.settings.output_activation].output_range
        if not (self.settings.scale_targets_to_output and np.isfinite(low) and np.isfinite(high)):
            return Standardizer.fit(self.dataset.y, self.settings.standardize)
        # Map each target column's [min, max] onto the middle 80 % of [low, high]:
        # (y − mean) / scale = inner_low + (y − y_min) · (inner_high − inner_low) / (y_max − y_min).
        margin = 0.1 * (high - low)
        inner_low, inner_high = low + margin, high - margin
        y_min, y_max = self.dataset.y.min(axis=0), self.dataset.y.max(axis=0)
        spread = np.where(y_max > y_min, y_max - y_min, 1.0)
        scale = spread / (inner_high - inner_low)
        return Standardizer(mean=y_min - inner_low * scale, scale=scale)

    def reachable_range(self) -> tuple[float, float] | None:
        """Return the interval of the first target, in original units, that the output can produce.

        None when the output activation is unbounded on both sides.
        """
        low, high = ACTIVATIONS[self.network.activations[-1]].output_range
        if not (np.isfinite(low) or np.isfinite(high)):
            return None
        mean, scale = float(self.y_scaler.mean[0]), float(self.y_scaler.scale[0])
        return (low * scale + mean, high * scale + mean)

    def _checked_custom_network(self) -> Network:
        network = self.custom_network.copy()
        sizes = network.layer_sizes
        if sizes[0] != self.dataset.X.shape[1] or sizes[-1] != self.dataset.y.shape[1]:
            raise SettingsError(
                f"The network takes {sizes[0]} input(s) and gives {sizes[-1]} output(s), but the "
                f"data has {self.dataset.X.shape[1]} input column(s) and "
                f"{self.dataset.y.shape[1]} target column(s). Make them match."
            )
        return network

    @classmethod
    def from_custom(
        cls,
        dataset: Dataset,
        network: Network,
        learning_rate: float,
        batch_size: int | None = None,
    ) -> TrainingSession:
        """Build a session that trains the given network on the given data, in their own units."""
        hidden = network.activations[:-1]
        settings = NetworkSettings(
            hidden_sizes=tuple(network.layer_sizes[1:-1]),
            hidden_activation=hidden[0] if hidden else "tanh",
            output_activation=network.activations[-1],
            standardize=False,
        )
        return cls(
            dataset,
            settings,
            learning_rate=parse_learning_rate(learning_rate),
            batch_size=batch_size,
            shuffle=False,
            custom_network=network,
        )

    @property
    def is_custom(self) -> bool:
        return self.custom_network is not None

    # --- training ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Start again from the initial weights, keeping the learning rate and batch size."""
        self.trainer = Trainer(
            self.initial_network.copy(),
            self.x_scaler.transform(self.dataset.X),
            self.y_scaler.transform(self.dataset.y),
            learning_rate=self.learning_rate,
            batch_size=self._clamped_batch_size(),
            seed=self.settings.seed,
            shuffle=self.shuffle,
        )
        self.last_step = None

    def set_learning_rate(self, value: float) -> None:
        """Use a new learning rate from the next step on, continuing from the current weights."""
        self.learning_rate = parse_learning_rate(value)
        self.trainer.learning_rate = self.learning_rate

    def set_batching(self, batch_size: int | None, shuffle: bool) -> None:
        """Change the batch size or shuffling; the next step starts a new epoch."""
        if batch_size == self.batch_size and shuffle == self.shuffle:
            return
        self.batch_size, self.shuffle = batch_size, shuffle
        self.trainer.shuffle = shuffle
        self.trainer.batch_size = self._clamped_batch_size()

    def step(self) -> StepRecord | None:
        """Make one update and return its record, or None if training has stopped or stops now."""
        if self.trainer.stopped:
            return None
        self.last_step = self.trainer.step()
        return self.last_step

    def run(self, n_steps: int, on_progress: Callable[[int], None] | None = None) -> int:
        """Make up to ``n_steps`` updates in chunks, calling ``on_progress(steps_done)`` after each.

        Returns the number of steps made, fewer than asked if training diverged.
        """
        done = 0
        chunk = max(1, n_steps // 50)
        while done < n_steps and not self.trainer.stopped:
            done += self.trainer.run(min(chunk, n_steps - done))
            if on_progress is not None:
                on_progress(done)
        if done:
            self.last_step = None
        return done

    def run_for(self, max_steps: int, seconds: float) -> int:
        """Make up to ``max_steps`` updates, stopping once about ``seconds`` have passed.

        Steps run in growing chunks between clock readings, so a fast network makes many
        steps per reading. Returns the number of steps made.
        """
        deadline = time.perf_counter() + seconds
        done, chunk = 0, 1
        while done < max_steps and not self.trainer.stopped:
            done += self.trainer.run(min(chunk, max_steps - done))
            if time.perf_counter() >= deadline:
                break
            chunk = min(chunk * 2, 1000)
        if done:
            self.last_step = None
        return done

    def _clamped_batch_size(self) -> int:
        n_samples = self.dataset.X.shape[0]
        if self.batch_size is None:
            return n_samples
        return int(min(max(self.batch_size, 1), n_samples))

    # --- views in original units -------------------------------------------------------------

    @property
    def network(self) -> Network:
        return self.trainer.network

    def predict(self, X: FloatArray) -> FloatArray:
        """Predictions in original units for inputs X in original units, ``(n, n_outputs)``."""
        # A network on its way to diverging can overflow; the charts leave such values out.
        with np.errstate(all="ignore"):
            scaled = self.network.predict(self.x_scaler.transform(X))
            return self.y_scaler.inverse_transform(scaled)

    def fit_curve(self) -> tuple[FloatArray, FloatArray]:
        """For one input: x across the data's range (5 % margin) and the prediction there."""
        x = self.dataset.X[:, 0]
        margin = 0.05 * (x.max() - x.min())
        grid = np.linspace(x.min() - margin, x.max() + margin, FIT_CURVE_POINTS)
        return grid, self.predict(grid.reshape(-1, 1))[:, 0]

    def cost_series(self) -> tuple[NDArray[np.int64], FloatArray]:
        """(steps taken, cost) for the cost chart, ending with the current full-data cost.

        ``costs[i]`` of the history was measured before step i+1, that is after i steps.
        """
        costs = self.trainer.history.costs
        steps = np.arange(len(costs) + 1)
        return steps, np.append(costs, self.trainer.cost())

    def parameter_series(self) -> tuple[NDArray[np.int64], FloatArray]:
        """(steps, values) of the kept parameter snapshots plus the current parameters."""
        history = self.trainer.history
        steps, values = history.snapshot_steps, history.snapshot_values
        if steps[-1] != self.trainer.step_count:
            steps = np.append(steps, self.trainer.step_count)
            values = np.vstack([values, self.network.parameters_vector()])
        return steps, values
