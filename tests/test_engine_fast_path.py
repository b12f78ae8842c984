"""Tests for the trainer's fast path: it must reproduce the reference path bit for bit.

`Trainer.step` computes each step with `Network.forward` and `Network.backward`, the
readable reference. `Trainer.run` computes the same steps in preallocated buffers
(`GradientWorkspace`, the in-place activation twins, parameters packed into one vector).
Every check here compares the two with exact equality, never a tolerance.
"""

from __future__ import annotations

import copy
import math
import pickle
from collections.abc import Callable

import numpy as np
import pytest

from backprop_core import ACTIVATIONS, Network, Trainer
from backprop_core.inspection import step_anatomy
from backprop_core.network import GradientWorkspace, layer_gradient_norm

ACTIVATION_NAMES = sorted(ACTIVATIONS)

# Ordinary values, both zeros, the tails where tanh and σ saturate, subnormals, infinities
# and NaN.
SPECIAL_Z = np.array(
    [-800.0, -20.0, -1.5, -1e-320, -0.0, 0.0, 1e-320, 0.7, 20.0, 800.0, np.inf, -np.inf, np.nan]
)


def problem(
    layer_sizes: tuple[int, ...],
    hidden: str,
    output: str,
    n_samples: int,
    seed: int = 0,
) -> tuple[Network, np.ndarray, np.ndarray]:
    """Return a seeded network and data of n_samples rows for it."""
    rng = np.random.default_rng(seed)
    activations = [hidden] * (len(layer_sizes) - 2) + [output]
    network = Network.initialize(layer_sizes, activations, seed=seed)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, layer_sizes[0]))
    y = rng.uniform(-1.0, 1.0, size=(n_samples, layer_sizes[-1]))
    return network, X, y


def twin_trainers(
    network: Network, X: np.ndarray, y: np.ndarray, **settings: object
) -> tuple[Trainer, Trainer]:
    """Return two trainers with equal settings on independent copies of the network."""
    return (
        Trainer(network.copy(), X, y, **settings),
        Trainer(network.copy(), X, y, **settings),
    )


def assert_same_training(run: Trainer, stepped: Trainer, label: str) -> None:
    """Assert that two trainers contain exactly the same parameters, history and batch state."""
    # parameters
    np.testing.assert_array_equal(
        run.network.parameters_vector(),
        stepped.network.parameters_vector(),
        err_msg=f"{label}: parameters",
    )
    for l, (w_run, w_stepped) in enumerate(zip(run.network.weights, stepped.network.weights)):
        np.testing.assert_array_equal(w_run, w_stepped, err_msg=f"{label}: weights[{l}]")
    for l, (b_run, b_stepped) in enumerate(zip(run.network.biases, stepped.network.biases)):
        np.testing.assert_array_equal(b_run, b_stepped, err_msg=f"{label}: biases[{l}]")

    # history
    assert run.step_count == stepped.step_count, f"{label}: step_count"
    assert run.epoch == stepped.epoch, f"{label}: epoch"
    np.testing.assert_array_equal(
        run.history.costs, stepped.history.costs, err_msg=f"{label}: costs"
    )
    np.testing.assert_array_equal(
        run.history.epochs, stepped.history.epochs, err_msg=f"{label}: epochs"
    )
    np.testing.assert_array_equal(
        run.history.learning_rates,
        stepped.history.learning_rates,
        err_msg=f"{label}: learning_rates",
    )
    np.testing.assert_array_equal(
        run.history.gradient_norms,
        stepped.history.gradient_norms,
        err_msg=f"{label}: gradient_norms",
    )
    np.testing.assert_array_equal(
        run.history.snapshot_values,
        stepped.history.snapshot_values,
        err_msg=f"{label}: snapshot_values",
    )

    # steps kept for rewinding
    assert run.recent_steps.steps == stepped.recent_steps.steps, f"{label}: recent steps kept"
    for number in run.recent_steps.steps:
        kept_run = run.recent_steps.get(number)
        kept_stepped = stepped.recent_steps.get(number)
        np.testing.assert_array_equal(
            kept_run.parameters_before,
            kept_stepped.parameters_before,
            err_msg=f"{label}: parameters before step {number}",
        )
        assert kept_run.epoch == kept_stepped.epoch, f"{label}: epoch of step {number}"
        assert (
            kept_run.learning_rate == kept_stepped.learning_rate
        ), f"{label}: learning rate of step {number}"
        if kept_stepped.batch_indices is None:
            assert kept_run.batch_indices is None, f"{label}: batch of step {number}"
        else:
            np.testing.assert_array_equal(
                kept_run.batch_indices,
                kept_stepped.batch_indices,
                err_msg=f"{label}: batch of step {number}",
            )

    # the batch and epoch of the next step, which also covers the shuffling generator
    run_next, run_epoch = run.next_batch()
    stepped_next, stepped_epoch = stepped.next_batch()
    np.testing.assert_array_equal(run_next, stepped_next, err_msg=f"{label}: next batch")
    assert run_epoch == stepped_epoch, f"{label}: epoch of the next batch"


# --- activation twins ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_function_into_matches_function(name: str) -> None:
    activation = ACTIVATIONS[name]
    z = SPECIAL_Z.reshape(-1, 1)
    expected = activation.function(z)

    with np.errstate(all="ignore"):
        separate = activation.function_into(z, np.empty_like(z))
        in_place = z.copy()
        activation.function_into(in_place, in_place)

    assert separate.tobytes() == expected.tobytes(), f"{name}: function_into into a new array"
    assert in_place.tobytes() == expected.tobytes(), f"{name}: function_into over z"


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_from_output_matches(name: str) -> None:
    activation = ACTIVATIONS[name]
    z = SPECIAL_Z.reshape(-1, 1)
    with np.errstate(all="ignore"):
        expected = activation.derivative(z)
        from_output = activation.derivative_from_output(activation.function(z), np.empty_like(z))

    assert from_output.tobytes() == expected.tobytes(), f"{name}: derivative from a = f(z)"


def test_only_linear_is_identity() -> None:
    identities = [name for name in ACTIVATION_NAMES if ACTIVATIONS[name].is_identity]
    assert identities == ["linear"], "activations marked as the identity"


# --- gradient workspace ----------------------------------------------------------------------


@pytest.mark.parametrize("hidden", ACTIVATION_NAMES)
@pytest.mark.parametrize("output", ACTIVATION_NAMES)
@pytest.mark.parametrize(
    ("layer_sizes", "n_samples"),
    [((1, 1), 1), ((1, 8, 8, 1), 100), ((3, 5, 2), 7), ((2, 16, 16, 1), 500), ((4, 6, 3, 2), 33)],
)
def test_workspace_matches_backward(
    hidden: str, output: str, layer_sizes: tuple[int, ...], n_samples: int
) -> None:
    network, X, y = problem(layer_sizes, hidden, output, n_samples, seed=n_samples)
    expected = network.backward(network.forward(X), y)

    workspace = GradientWorkspace(network, n_samples)
    cost = workspace.compute_gradients(X, y)

    assert cost == expected.cost, "cost"
    for l in range(len(network.weights)):
        np.testing.assert_array_equal(
            workspace.grad_weights[l], expected.grad_weights[l], err_msg=f"grad_weights[{l}]"
        )
        np.testing.assert_array_equal(
            workspace.grad_biases[l], expected.grad_biases[l], err_msg=f"grad_biases[{l}]"
        )


def test_workspace_vector_is_parameter_order() -> None:
    network, X, y = problem((2, 3, 2), "tanh", "linear", 4)
    workspace = GradientWorkspace(network, 4)
    workspace.compute_gradients(X, y)
    gradients = network.backward(network.forward(X), y)

    parts = []
    for gw, gb in zip(gradients.grad_weights, gradients.grad_biases):
        parts += [gw.ravel(), gb]
    expected = np.concatenate(parts)

    np.testing.assert_array_equal(workspace.gradient_vector, expected, err_msg="gradient_vector")


def test_workspace_repeated_calls_agree() -> None:
    # Buffers are reused, so a second call must not read anything left over from the first.
    network, X, y = problem((2, 4, 1), "sigmoid", "linear", 6)
    other_X = X[::-1].copy()
    workspace = GradientWorkspace(network, 6)
    first_cost = workspace.compute_gradients(X, y)
    first = workspace.gradient_vector.copy()

    workspace.compute_gradients(other_X, y)
    second_cost = workspace.compute_gradients(X, y)

    assert second_cost == first_cost, "cost after reuse"
    np.testing.assert_array_equal(
        workspace.gradient_vector, first, err_msg="gradients after reuse"
    )


def test_layer_gradient_norm_by_hand() -> None:
    # ∂C/∂w = -17 and ∂C/∂b = -8 (the hand-worked line step), so the size is √(289 + 64).
    norm = layer_gradient_norm(np.array([[-17.0]]), np.array([-8.0]))

    assert norm == math.sqrt(353.0), "gradient size of one layer"


def test_layer_gradient_norm_matches_sum() -> None:
    # One dot product over [W, b] groups the sum differently from ‖W‖² + ‖b‖², so the two
    # agree to rounding only.
    rng = np.random.default_rng(18)
    grad_weights = rng.normal(size=(64, 64))
    grad_biases = rng.normal(size=64)
    separate = math.sqrt(float(np.vdot(grad_weights, grad_weights)) + float(grad_biases @ grad_biases))

    np.testing.assert_allclose(
        layer_gradient_norm(grad_weights, grad_biases), separate, rtol=1e-14, err_msg="gradient size"
    )


def test_workspace_norms_match_layer_norm() -> None:
    network, X, y = problem((3, 7, 5, 2), "tanh", "linear", 13)
    workspace = GradientWorkspace(network, 13)
    workspace.compute_gradients(X, y)
    gradients = network.backward(network.forward(X), y)

    norms = workspace.layer_gradient_norms()

    for l, (gw, gb) in enumerate(zip(gradients.grad_weights, gradients.grad_biases)):
        assert norms[l] == layer_gradient_norm(gw, gb), f"gradient size of layer {l}"


# --- run() against step() --------------------------------------------------------------------


@pytest.mark.parametrize("hidden", ACTIVATION_NAMES)
@pytest.mark.parametrize(
    ("batch_size", "shuffle"),
    [(None, False), (None, True), (4, False), (4, True), (1, True)],
    ids=["full", "full-shuffle", "mini", "mini-shuffle", "single-shuffle"],
)
def test_run_matches_step_exactly(hidden: str, batch_size: int | None, shuffle: bool) -> None:
    # 11 rows in batches of 4 leave an uneven last batch of 3 in every epoch.
    network, X, y = problem((2, 5, 4, 1), hidden, "linear", 11, seed=3)
    run, stepped = twin_trainers(
        network, X, y, learning_rate=0.05, batch_size=batch_size, shuffle=shuffle, seed=9
    )

    run.run(25)
    for _ in range(25):
        stepped.step()

    assert_same_training(run, stepped, f"{hidden}, batch_size={batch_size}, shuffle={shuffle}")


@pytest.mark.parametrize("output", ACTIVATION_NAMES)
def test_run_matches_step_each_output(output: str) -> None:
    network, X, y = problem((1, 6, 2), "tanh", output, 9, seed=4)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.1, batch_size=5, shuffle=True)

    run.run(12)
    for _ in range(12):
        stepped.step()

    assert_same_training(run, stepped, f"output {output}")


def test_run_in_chunks_matches_step() -> None:
    network, X, y = problem((2, 8, 1), "tanh", "linear", 30, seed=5)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05, batch_size=7, shuffle=True)

    for chunk in (1, 3, 0, 5, 1):
        run.run(chunk)
    for _ in range(10):
        stepped.step()

    assert_same_training(run, stepped, "runs of 1, 3, 0, 5 and 1 steps")


def test_run_and_step_interleaved() -> None:
    network, X, y = problem((2, 8, 1), "tanh", "linear", 30, seed=6)
    mixed, stepped = twin_trainers(network, X, y, learning_rate=0.05)

    mixed.step()
    mixed.run(3)
    mixed.step()
    mixed.run(2)
    for _ in range(7):
        stepped.step()

    assert_same_training(mixed, stepped, "step, run(3), step, run(2)")


def test_run_after_learning_rate_change() -> None:
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=7)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05)

    run.run(4)
    run.learning_rate = 0.2
    run.run(4)
    for _ in range(4):
        stepped.step()
    stepped.learning_rate = 0.2
    for _ in range(4):
        stepped.step()

    assert_same_training(run, stepped, "learning rate 0.05 then 0.2")


def test_run_after_batch_size_changes() -> None:
    # Full batch, then mini-batches of two sizes, then full batch again: each change needs
    # buffers for other row counts.
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=8)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05, shuffle=True, seed=2)

    for batch_size in (None, 6, 3, None):
        run.batch_size = batch_size
        stepped.batch_size = batch_size
        run.run(5)
        for _ in range(5):
            stepped.step()

    assert_same_training(run, stepped, "batch sizes 20, 6, 3, 20")


def test_run_after_parameters_set() -> None:
    # As when a past step is restored: the parameters change between two runs.
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=9)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05)
    run.run(3)
    for _ in range(3):
        stepped.step()
    restored = run.recent_steps.get(2).parameters_before

    run.network.set_parameters_vector(restored)
    stepped.network.set_parameters_vector(restored)
    run.run(3)
    for _ in range(3):
        stepped.step()

    assert_same_training(run, stepped, "after set_parameters_vector")


def test_run_after_single_weight_written() -> None:
    # The landscape pages write one weight in place; the next run must see the new value.
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=10)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05)
    run.run(2)
    for _ in range(2):
        stepped.step()

    run.network.weights[0][1, 0] = 0.75
    stepped.network.weights[0][1, 0] = 0.75
    run.run(2)
    for _ in range(2):
        stepped.step()

    assert_same_training(run, stepped, "after writing weights[0][1, 0]")


def test_run_after_weight_array_replaced() -> None:
    # Replacing a whole entry breaks the packing into one vector; the next step repacks.
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=11)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05)
    replacement = np.full_like(run.network.weights[1], 0.25)

    run.network.weights[1] = replacement.copy()
    stepped.network.weights[1] = replacement.copy()
    run.run(3)
    for _ in range(3):
        stepped.step()

    assert_same_training(run, stepped, "after replacing weights[1]")
    assert run.network.weights[1].base is run.network._packed_parameters(), "weights[1] repacked"


def test_rewound_step_matches_after_run() -> None:
    # Rewinding recomputes a past step with the reference path from its kept record.
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=12)
    run, stepped = twin_trainers(network, X, y, learning_rate=0.05, batch_size=6, shuffle=True)
    run.run(8)
    records = [stepped.step() for _ in range(8)]

    for record in records[-4:]:
        anatomy = step_anatomy(run, record.step)
        for l in range(len(record.grad_weights)):
            np.testing.assert_array_equal(
                anatomy.gradients.grad_weights[l],
                record.grad_weights[l],
                err_msg=f"step {record.step}: grad_weights[{l}]",
            )
        assert anatomy.gradients.cost == record.cost, f"step {record.step}: cost"


def test_next_step_anatomy_matches_run() -> None:
    network, X, y = problem((2, 6, 1), "tanh", "linear", 20, seed=13)
    trainer = Trainer(network, X, y, learning_rate=0.05)
    trainer.run(3)
    anatomy = step_anatomy(trainer)

    trainer.run(1)

    assert trainer.history.costs[-1] == anatomy.gradients.cost, "cost of the previewed step"


# --- divergence on the fast path -------------------------------------------------------------


def test_run_diverges_like_step() -> None:
    network, X, y = problem((1, 4, 1), "tanh", "linear", 12, seed=14)
    run, stepped = twin_trainers(network, X, y, learning_rate=40.0)

    steps_made = run.run(200)
    # The reference path without records is what run() used before the fast path existed.
    for _ in range(200):
        if stepped._step(keep_record=False) is False:
            break

    assert run.stopped, "run did not stop"
    assert steps_made == run.step_count, "steps made"
    assert run.divergence == stepped.divergence, "divergence record"
    assert_same_training(run, stepped, "up to divergence")


def test_run_stops_before_parameters_overflow() -> None:
    # With w = 1e150, x = (1, 1.5) and y = 0 the cost is (1 + 2.25) · 1e300 / 2, finite, and
    # ∂C/∂w = (2 / 2) (1 · 1e150 + 1.5 · 1.5e150) = 3.25e150. With η = 1e200 the update
    # η ∂C/∂w overflows to inf, so the step must stop without changing w.
    network = Network.from_parameters([[[1e150]]], [[0.0]], ["linear"])
    X = np.array([[1.0], [1.5]])
    y = np.array([0.0, 0.0])
    trainer = Trainer(network, X, y, learning_rate=1e200)

    steps_made = trainer.run(3)

    assert steps_made == 0, "steps made"
    assert trainer.divergence is not None, "divergence"
    assert trainer.divergence.reason == "parameters_not_finite", "reason"
    assert network.weights[0][0, 0] == 1e150, "the failed update was applied"
    assert len(trainer.history) == 0, "the failed step was recorded"


def test_run_on_diverged_trainer() -> None:
    network, X, y = problem((1, 4, 1), "tanh", "linear", 12, seed=15)
    trainer = Trainer(network, X, y, learning_rate=40.0)
    trainer.run(200)

    assert trainer.run(0) == 0, "run(0) after divergence"
    with pytest.raises(RuntimeError, match="diverged"):
        trainer.run(1)


# --- parameters packed into one vector -------------------------------------------------------


def test_parameters_are_views_of_one_vector() -> None:
    network, _, _ = problem((2, 3, 2), "tanh", "linear", 1)
    packed = network._packed_parameters()
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        assert w.base is packed, f"weights[{l}] is not a view"
        assert b.base is packed, f"biases[{l}] is not a view"

    network.weights[1][0, 2] = 9.0
    offset = network.weights[0].size + network.biases[0].size + 2

    assert network.parameters_vector()[offset] == 9.0, "write through weights[1] not seen"


def test_parameters_vector_is_a_copy() -> None:
    network, _, _ = problem((2, 3, 1), "tanh", "linear", 1)
    before = network.parameters_vector()
    vector = network.parameters_vector()
    vector[:] = 123.0

    np.testing.assert_array_equal(
        network.parameters_vector(), before, err_msg="parameters_vector shares memory"
    )


def test_set_parameters_vector_updates_views() -> None:
    network, _, _ = problem((2, 3, 1), "tanh", "linear", 1)
    vector = np.arange(network.n_parameters, dtype=np.float64)

    network.set_parameters_vector(vector)

    np.testing.assert_array_equal(
        network.weights[0], [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], err_msg="weights[0]"
    )
    np.testing.assert_array_equal(network.biases[0], [6.0, 7.0, 8.0], err_msg="biases[0]")
    np.testing.assert_array_equal(network.weights[1], [[9.0, 10.0, 11.0]], err_msg="weights[1]")
    np.testing.assert_array_equal(network.biases[1], [12.0], err_msg="biases[1]")


def pickle_round_trip(network: Network) -> Network:
    return pickle.loads(pickle.dumps(network))


@pytest.mark.parametrize("duplicate", [copy.deepcopy, pickle_round_trip], ids=["deepcopy", "pickle"])
def test_duplicated_network_trains_alike(duplicate: Callable[[Network], Network]) -> None:
    # A deep copy or a pickle round trip copies the views as separate arrays, so the
    # packing is lost. The trainer repacks and must still train the copy correctly.
    network, X, y = problem((2, 5, 1), "tanh", "linear", 10, seed=16)
    original = network.parameters_vector()
    duplicated = duplicate(network)
    run = Trainer(duplicated, X, y, learning_rate=0.05)
    stepped = Trainer(network.copy(), X, y, learning_rate=0.05)

    duplicated.weights[0][0, 0] = 0.5
    stepped.network.weights[0][0, 0] = 0.5
    run.run(4)
    for _ in range(4):
        stepped.step()

    assert_same_training(run, stepped, "duplicated network")
    np.testing.assert_array_equal(
        network.parameters_vector(), original, err_msg="training the copy changed the original"
    )


def test_trainer_deepcopy_runs_alike() -> None:
    # A deep copy of a trainer that has run contains copies of its buffers. Those must still
    # be wired to the copy's own network and gradient vector.
    network, X, y = problem((2, 5, 1), "tanh", "linear", 12, seed=17)
    trainer = Trainer(network, X, y, learning_rate=0.05, batch_size=5, shuffle=True, seed=3)
    trainer.run(4)
    copied = copy.deepcopy(trainer)

    copied.run(6)
    trainer.run(6)

    assert_same_training(copied, trainer, "deep copy after 4 steps")
    assert copied.network.weights[0].base is copied.network._packed_parameters(), "copy packed"


def test_network_pickle_keeps_packing() -> None:
    network, _, _ = problem((2, 3, 1), "tanh", "linear", 1)
    restored = pickle.loads(pickle.dumps(network))
    packed = restored._packed_parameters()

    np.testing.assert_array_equal(
        restored.parameters_vector(), network.parameters_vector(), err_msg="parameters"
    )
    for l, (w, b) in enumerate(zip(restored.weights, restored.biases)):
        assert w.base is packed, f"weights[{l}] is not a view after unpickling"
        assert b.base is packed, f"biases[{l}] is not a view after unpickling"
