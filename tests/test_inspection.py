"""The step anatomy, the chain rule of one parameter, and the gradient check with its faults."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_core import Network, Trainer
from backprop_core.inspection import (
    FAULTS,
    ParameterRef,
    chain_rule,
    fault_layer,
    gradient_check,
    parameter_refs,
    relative_difference,
    step_anatomy,
)

X_LINE = np.array([[0.0], [1.0], [2.0], [3.0]])
Y_LINE = np.array([[1.0], [3.0], [5.0], [7.0]])


def worked_network() -> Network:
    """The 1-2-1 example: tanh hidden, linear output."""
    return Network.from_parameters(
        [[[0.1], [-0.2]], [[0.3, 0.4]]], [[0.05, -0.05], [0.1]], ["tanh", "linear"]
    )


def test_worked_example_cost_and_gradients():
    trainer = Trainer(worked_network(), X_LINE, Y_LINE, learning_rate=0.05)
    anatomy = step_anatomy(trainer)
    gradients = anatomy.gradients
    # Values computed independently of this code, to 1e-8.
    np.testing.assert_allclose(gradients.cost, 20.970804264697, atol=1e-9, err_msg="cost")
    np.testing.assert_allclose(gradients.grad_weights[0], [[-4.64652675], [-5.03630469]], atol=1e-8, err_msg="dC/dW1")
    np.testing.assert_allclose(gradients.grad_biases[0], [-2.20781856, -2.50321065], atol=1e-8, err_msg="dC/db1")
    np.testing.assert_allclose(gradients.grad_weights[1], [[-2.03615894, 3.44679644]], atol=1e-8, err_msg="dC/dW2")
    np.testing.assert_allclose(gradients.grad_biases[1], [-7.94066856], atol=1e-8, err_msg="dC/db2")


def test_worked_example_gradient_check_passes():
    check = gradient_check(worked_network(), X_LINE, Y_LINE)
    assert check.passed, check.relative_difference
    assert check.relative_difference < 1e-7


def test_drop_factor_two_gives_one_third():
    # Backprop then returns g/2 against the true g: |g/2 − g| / (|g/2| + |g|) = 1/3.
    check = gradient_check(worked_network(), X_LINE, Y_LINE, fault="drop_factor_2")
    assert not check.passed
    np.testing.assert_allclose(check.relative_difference, 1 / 3, atol=1e-8, err_msg="overall")
    np.testing.assert_allclose(check.relative_differences, 1 / 3, atol=1e-6, err_msg="per parameter")


def test_sum_batch_gives_three_fifths():
    # Summing over n = 4 examples gives 4g against g: |4g − g| / (4|g| + |g|) = 3/5.
    check = gradient_check(worked_network(), X_LINE, Y_LINE, fault="sum_batch")
    assert not check.passed
    np.testing.assert_allclose(check.relative_difference, 3 / 5, atol=1e-8, err_msg="overall")


def test_forget_derivative_is_flagged():
    check = gradient_check(worked_network(), X_LINE, Y_LINE, fault="forget_derivative")
    assert not check.passed
    assert check.fault_layer == 0


def test_forget_derivative_on_linear_network_changes_nothing():
    network = Network.from_parameters([[[0.0]]], [[0.0]], ["linear"])
    assert fault_layer(network) is None
    assert gradient_check(network, X_LINE, Y_LINE, fault="forget_derivative").passed


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_fault_flagged_on_deeper_network(fault):
    rng = np.random.default_rng(5)
    network = Network.initialize((2, 4, 3, 1), ["sigmoid", "tanh", "linear"], seed=5)
    X = rng.normal(size=(6, 2))
    y = rng.normal(size=(6, 1))
    assert gradient_check(network, X, y).passed
    assert not gradient_check(network, X, y, fault=fault).passed


def test_relative_difference_is_zero_for_two_zeros():
    np.testing.assert_array_equal(relative_difference(np.array([0.0, 1.0]), np.array([0.0, 1.0])), [0.0, 0.0])


def test_check_leaves_network_unchanged():
    network = worked_network()
    before = network.parameters_vector()
    gradient_check(network, X_LINE, Y_LINE, fault="sum_batch")
    np.testing.assert_array_equal(network.parameters_vector(), before, err_msg="parameters")


@pytest.mark.parametrize("ref", parameter_refs(worked_network()), ids=lambda ref: ref.name)
def test_chain_rule_contributions_average_to_gradient(ref):
    trainer = Trainer(worked_network(), X_LINE, Y_LINE, learning_rate=0.05)
    chain = chain_rule(step_anatomy(trainer), ref)
    np.testing.assert_allclose(chain.contributions.mean(), chain.gradient, rtol=1e-12, err_msg=ref.name)
    np.testing.assert_allclose(
        chain.contributions, chain.upstream * chain.activation_slope * chain.input_value, err_msg="product"
    )


def test_chain_rule_output_factors_by_hand():
    # For W2[0,1] (output layer, linear): ∂Lᵢ/∂ŷ = 2(ŷᵢ − yᵢ), ∂a/∂z = 1, ∂z/∂w = a1ᵢ[1].
    trainer = Trainer(worked_network(), X_LINE, Y_LINE, learning_rate=0.05)
    anatomy = step_anatomy(trainer)
    chain = chain_rule(anatomy, ParameterRef(layer=1, row=0, column=1))
    y_hat = anatomy.forward.output[:, 0]
    np.testing.assert_allclose(chain.upstream, 2 * (y_hat - Y_LINE[:, 0]), err_msg="upstream")
    np.testing.assert_array_equal(chain.activation_slope, np.ones(4), err_msg="linear slope")
    np.testing.assert_allclose(chain.input_value, np.tanh(-0.2 * X_LINE[:, 0] - 0.05), err_msg="input")


@pytest.mark.parametrize("ref", parameter_refs(worked_network()), ids=lambda ref: ref.name)
def test_shown_new_value_is_what_step_gives(ref):
    trainer = Trainer(worked_network(), X_LINE, Y_LINE, learning_rate=0.05)
    shown = chain_rule(step_anatomy(trainer), ref).new_value
    trainer.step()
    assert ref.value(trainer.network) == shown, ref.name


def test_next_step_anatomy_matches_shuffled_minibatch_step():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(10, 1))
    y = rng.normal(size=(10, 1))
    trainer = Trainer(Network.initialize((1, 3, 1), ["tanh", "linear"], seed=2), X, y, 0.1, batch_size=3, shuffle=True, seed=2)
    for _ in range(7):
        anatomy = step_anatomy(trainer)
        record = trainer.step()
        np.testing.assert_array_equal(anatomy.batch_indices, record.batch_indices, err_msg="batch")
        assert anatomy.gradients.cost == record.cost
        assert anatomy.epoch == record.epoch


def test_peeking_does_not_change_training():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(9, 1))
    y = rng.normal(size=(9, 1))

    def train(peek: bool) -> np.ndarray:
        network = Network.initialize((1, 2, 1), ["tanh", "linear"], seed=4)
        trainer = Trainer(network, X, y, 0.1, batch_size=2, shuffle=True, seed=4)
        for _ in range(12):
            if peek:
                step_anatomy(trainer)
            trainer.step()
        return network.parameters_vector()

    np.testing.assert_array_equal(train(peek=True), train(peek=False), err_msg="parameters")


def test_past_step_recomputed_exactly():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(8, 1))
    y = rng.normal(size=(8, 1))
    trainer = Trainer(Network.initialize((1, 3, 1), ["tanh", "linear"], seed=6), X, y, 0.1, batch_size=3, shuffle=True, seed=6)
    records = [trainer.step() for _ in range(5)]
    for record in records:
        past = step_anatomy(trainer, record.step)
        assert past.gradients.cost == record.cost, record.step
        np.testing.assert_array_equal(past.batch_indices, record.batch_indices, err_msg=f"batch of {record.step}")
        for l, grad in enumerate(record.grad_weights):
            np.testing.assert_array_equal(past.gradients.grad_weights[l], grad, err_msg=f"step {record.step} W{l + 1}")


def test_rewind_window_is_bounded():
    trainer = Trainer(Network.initialize((1, 8, 8, 1), ["tanh", "tanh", "linear"], seed=1), X_LINE, Y_LINE, 0.01)
    trainer.run(2_000)
    kept = trainer.recent_steps
    assert len(kept) == kept.capacity == 500
    assert kept.steps[0] == 1_501
    assert kept.steps[-1] == 2_000
    with pytest.raises(KeyError):
        step_anatomy(trainer, 1_000)
