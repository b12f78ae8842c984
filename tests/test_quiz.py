"""Quiz questions: hand-worked answers, no side effects, truth equal to the real step, skips."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_core.config import example_setup
from backprop_core.datasets import REGRESSION_KINDS, Dataset, make_regression
from backprop_core.network import Network
from backprop_core.quiz import (
    FIT_AFTER_STEPS,
    FIT_LABELS,
    FIT_ROLES,
    MINUS,
    QUESTION_KINDS,
    Question,
    Score,
    make_question,
    next_question,
)
from backprop_core.session import NetworkSettings, TrainingSession


# --- sessions ----------------------------------------------------------------------------------


def _dataset(X, y) -> Dataset:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return Dataset(
        name="Quiz data",
        X=X,
        y=y,
        feature_names=tuple(f"x{i}" for i in range(X.shape[1])),
        target_names=tuple(f"y{i}" for i in range(y.shape[1])),
        description="Data made up for the quiz tests.",
    )


def _line_session(w, b, X, y, learning_rate, batch_size=None) -> TrainingSession:
    """A 1-1 linear network ŷ = w·x + b, trained in the data's own units."""
    network = Network.from_parameters([[[w]]], [[b]], ["linear"])
    return TrainingSession.from_custom(_dataset(X, y), network, learning_rate, batch_size)


def _example_session() -> TrainingSession:
    """The 1-2-1 worked example, built the way the app's pages build a typed-in setup."""
    setup = example_setup()
    dataset = _dataset(setup.X, setup.y)
    return TrainingSession.from_custom(dataset, setup.network, setup.learning_rate, setup.batch_size)


def _shuffled_session() -> TrainingSession:
    """Standardised sine data in shuffled mini-batches of 8, so the generator matters."""
    return TrainingSession(
        make_regression("sine", 40, 0.1, 2),
        NetworkSettings(hidden_sizes=(6,), seed=5),
        learning_rate=0.05,
        batch_size=8,
    )


def _format(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    return MINUS + text[1:] if text.startswith("-") else text


# Hand-worked 1-1 example: ŷ = w·x + b with w = 0.5, b = 0 on x = (1, 2), y = (2, 4), full batch.
#   ŷ = (0.5, 1.0), ŷ − y = (−1.5, −3.0), C = (2.25 + 9) / 2 = 5.625
#   ∂C/∂w = (2/n) Σ (ŷ − y) x = (−1.5·1 − 3.0·2) = −7.5,   ∂C/∂b = (−1.5 − 3.0) = −4.5
#   η = 0.05:  w = 0.5 + 0.375 = 0.875,  b = 0 + 0.225 = 0.225
#   ŷ = (1.1, 1.975), ŷ − y = (−0.9, −2.025), C = (0.81 + 4.100625) / 2 = 2.4553125
#   η = 1:     w = 8, b = 4.5, ŷ = (12.5, 20.5), ŷ − y = (10.5, 16.5), C = (110.25 + 272.25) / 2 = 191.25
LINE_X = [[1.0], [2.0]]
LINE_Y = [[2.0], [4.0]]


# --- hand-worked answers -----------------------------------------------------------------------


def test_cost_direction_hand_worked_down():
    session = _line_session(0.5, 0.0, LINE_X, LINE_Y, learning_rate=0.05)
    question = make_question(session, "cost_direction", seed=0)

    assert question is not None
    assert question.answer == "down"
    np.testing.assert_allclose(question.numbers["cost_before"], 5.625, rtol=1e-15, err_msg="cost_before")
    np.testing.assert_allclose(question.numbers["cost_after"], 2.4553125, rtol=1e-14, err_msg="cost_after")
    np.testing.assert_allclose(question.numbers["change"], -3.1696875, rtol=1e-14, err_msg="change")
    assert "went down from 5.625 to 2.45531" in question.reveal
    assert f"({MINUS}3.16969)" in question.reveal


def test_cost_direction_hand_worked_up():
    session = _line_session(0.5, 0.0, LINE_X, LINE_Y, learning_rate=1.0)
    question = make_question(session, "cost_direction", seed=0)

    assert question is not None
    assert question.answer == "up"
    np.testing.assert_allclose(question.numbers["cost_after"], 191.25, rtol=1e-14, err_msg="cost_after")
    assert "went up from 5.625 to 191.25 (+185.625)" in question.reveal
    assert "too large for the curvature" in question.reveal


def test_cost_direction_mini_batch_rise():
    # Same x, targets 1 and 3, ŷ = 2 for both: the full cost C = (1 + 1) / 2 = 1 is at its
    # minimum. The first batch is example 0 alone (no shuffling): ∂C/∂w = ∂C/∂b = 2 (2 − 1) = 2.
    # With η = 0.1: w = 1.8, b = −0.2, ŷ = 1.6. Batch cost (1.6 − 1)² = 0.36, but the full cost
    # becomes (0.36 + 1.96) / 2 = 1.16.
    session = _line_session(2.0, 0.0, [[1.0], [1.0]], [[1.0], [3.0]], learning_rate=0.1, batch_size=1)
    question = make_question(session, "cost_direction", seed=0)

    assert question is not None
    assert question.answer == "up"
    np.testing.assert_allclose(question.numbers["cost_after"], 1.16, rtol=1e-14, err_msg="cost_after")
    assert "mini-batch of 1 of the 2 examples" in question.reveal
    assert "from 1 to 0.36" in question.reveal


def test_gradient_sign_hand_worked():
    session = _line_session(0.5, 0.0, LINE_X, LINE_Y, learning_rate=0.05)
    question = make_question(session, "gradient_sign", seed=0)

    assert question is not None
    assert question.parameter == "W1[0,0]"
    assert question.parameter_index == (0, 0, 0)
    assert question.answer == MINUS
    np.testing.assert_allclose(question.numbers["gradient"], -7.5, rtol=1e-15, err_msg="∂C/∂w")
    np.testing.assert_allclose(question.numbers["value_before"], 0.5, rtol=0, err_msg="w before")
    np.testing.assert_allclose(question.numbers["value_after"], 0.875, rtol=1e-15, err_msg="w after")
    assert f"∂C/∂W1[0,0] = {MINUS}7.5" in question.reveal
    assert "moved W1[0,0] up by η × 7.5 = 0.05 × 7.5 = 0.375" in question.reveal
    assert "from 0.5 to 0.875" in question.reveal


def test_example_setup_questions():
    session = _example_session()
    cost_question = make_question(session, "cost_direction", seed=0)
    gradient_question = make_question(session, "gradient_sign", seed=0)
    fit_question = make_question(session, "fit_after", seed=0)

    assert cost_question is not None
    assert gradient_question is not None
    assert fit_question is not None
    np.testing.assert_allclose(
        cost_question.numbers["cost_before"], 20.9708042647, rtol=1e-10, err_msg="first cost"
    )
    assert cost_question.answer == "down"
    assert "20.9708" in cost_question.reveal
    assert fit_question.fit is not None
    assert fit_question.fit.roles[fit_question.answer] == "descent"


# --- the question's truth is the real step -----------------------------------------------------


@pytest.mark.parametrize("steps_first", [0, 4, 7])
def test_cost_direction_matches_real_step(steps_first):
    session = _shuffled_session()
    session.run(steps_first)
    question = make_question(session, "cost_direction", seed=1)
    assert question is not None

    cost_before = session.trainer.cost()
    session.step()
    assert question.numbers["cost_before"] == cost_before
    assert question.numbers["cost_after"] == session.trainer.cost()
    assert question.answer == ("up" if session.trainer.cost() > cost_before else "down")


@pytest.mark.parametrize("steps_first", [0, 4, 7])
def test_gradient_sign_matches_real_step(steps_first):
    session = _shuffled_session()
    session.run(steps_first)
    question = make_question(session, "gradient_sign", seed=3)
    assert question is not None
    layer, j, k = question.parameter_index

    record = session.step()
    assert record is not None
    assert question.numbers["gradient"] == record.grad_weights[layer][j, k]
    assert question.numbers["value_before"] == record.weights_before[layer][j, k]
    assert question.numbers["value_after"] == record.weights_after[layer][j, k]
    assert question.answer == ("+" if record.grad_weights[layer][j, k] > 0 else MINUS)


def test_gradient_sign_equals_backward_on_next_batch():
    session = _shuffled_session()
    session.run(5)
    question = make_question(session, "gradient_sign", seed=11)
    assert question is not None
    layer, j, k = question.parameter_index

    # Peek the batch on a copy: peeking the real trainer could draw the next epoch's order early.
    peek = copy.deepcopy(session.trainer)
    indices, _ = peek.next_batch()
    network = session.network
    gradients = network.backward(network.forward(peek.X[indices]), peek.y[indices])
    np.testing.assert_allclose(
        question.numbers["gradient"],
        gradients.grad_weights[layer][j, k],
        rtol=1e-12,
        atol=0,
        err_msg=f"∂C/∂{question.parameter} from backward vs the step",
    )


def test_trainer_copy_runs_identically():
    # Every question trains a deep copy of the trainer, so the copy must make the same steps.
    session = _shuffled_session()
    session.run(3)
    copied = copy.deepcopy(session.trainer)
    copied.run(20)
    session.run(20)
    assert copied.cost() == session.trainer.cost()
    np.testing.assert_array_equal(
        copied.network.parameters_vector(), session.network.parameters_vector(), err_msg="parameters"
    )


def test_fit_after_matches_real_run():
    session = _shuffled_session()
    session.run(3)
    question = make_question(session, "fit_after", seed=2)
    assert question is not None
    fit = question.fit
    current_label = fit.label_of("current")
    grid, current_curve = session.fit_curve()
    np.testing.assert_array_equal(fit.grid, grid, err_msg="grid")
    np.testing.assert_array_equal(fit.curves[current_label], current_curve, err_msg="current curve")

    steps_made = session.run(FIT_AFTER_STEPS)
    assert steps_made == FIT_AFTER_STEPS
    np.testing.assert_array_equal(fit.curves[question.answer], session.fit_curve()[1], err_msg="true fit")
    assert question.numbers["cost_descent"] == session.trainer.cost()
    assert fit.costs[question.answer] == session.trainer.cost()
    assert fit.steps[question.answer] == FIT_AFTER_STEPS


def test_fit_after_reveal_names_labels_and_costs():
    session = _example_session()
    question = make_question(session, "fit_after", seed=4)
    assert question is not None
    fit = question.fit

    assert sorted(fit.roles.values()) == sorted(FIT_ROLES)
    assert tuple(sorted(fit.curves)) == FIT_LABELS
    for label in FIT_LABELS:
        assert fit.curves[label].shape == fit.grid.shape
        assert np.all(np.isfinite(fit.curves[label])), f"curve {label} finite"
        assert _format(fit.costs[label], 6) in question.reveal, f"cost of {label} in the reveal"
    assert f"{fit.label_of('descent')} was the fit after {FIT_AFTER_STEPS} steps of gradient descent" in question.reveal
    assert f"{fit.label_of('current')} was the current fit" in question.reveal
    assert f"{fit.label_of('ascent')} was the fit after" in question.reveal
    np.testing.assert_array_equal(fit.data_x, session.dataset.X[:, 0], err_msg="data x")
    np.testing.assert_array_equal(fit.data_y, session.dataset.y[:, 0], err_msg="data y")
    assert fit.costs[fit.label_of("ascent")] > fit.costs[fit.label_of("current")]
    assert fit.costs[fit.label_of("descent")] < fit.costs[fit.label_of("current")]


def test_fit_after_reports_early_stop():
    # On LINE_X the largest curvature of C is 2 · 3.43 = 6.85, so any η above 2 / 6.85 = 0.29
    # diverges. With η = 0.35 the error grows by about 1.4 a step, and the cost passes a
    # million times its starting scale after about 20 steps, well inside the 100.
    session = _line_session(0.5, 0.0, LINE_X, LINE_Y, learning_rate=0.35)
    question = make_question(session, "fit_after", seed=0)

    assert question is not None
    descent_label = question.answer
    assert question.fit.steps[descent_label] < FIT_AFTER_STEPS
    assert "Training stopped early" in question.reveal
    assert "diverged" in question.reveal
    assert all(np.all(np.isfinite(c)) for c in question.fit.curves.values())


# --- no side effects ---------------------------------------------------------------------------


def _state(session: TrainingSession) -> dict:
    trainer = session.trainer
    return {
        "step_count": trainer.step_count,
        "epoch": trainer.epoch,
        "parameters": trainer.network.parameters_vector(),
        # The shuffling generator is private; its state is what the next epochs' orders come from.
        "rng": copy.deepcopy(trainer._rng.bit_generator.state),
        "next_epoch_order": None if trainer._next_epoch_order is None else trainer._next_epoch_order.copy(),
        "history_costs": trainer.history.costs.copy(),
        "cost": trainer.cost(),
        "last_step": session.last_step,
    }


@pytest.mark.parametrize("kind", QUESTION_KINDS)
@pytest.mark.parametrize("steps_first", [0, 5])
def test_question_leaves_session_unchanged(kind, steps_first):
    # At 0 and 5 steps the next step starts an epoch (5 batches of 8), so a peek at the real
    # trainer would draw the next shuffle.
    session = _shuffled_session()
    session.run(steps_first)
    before = _state(session)

    question = make_question(session, kind, seed=7)
    assert question is not None
    after = _state(session)

    assert after["step_count"] == before["step_count"]
    assert after["epoch"] == before["epoch"]
    np.testing.assert_array_equal(after["parameters"], before["parameters"], err_msg="parameters")
    assert after["rng"] == before["rng"]
    assert before["next_epoch_order"] is None
    assert after["next_epoch_order"] is None
    np.testing.assert_array_equal(after["history_costs"], before["history_costs"], err_msg="history")
    assert after["cost"] == before["cost"]
    assert after["last_step"] is before["last_step"]


def test_stepping_after_questions_is_unchanged():
    asked = _shuffled_session()
    untouched = _shuffled_session()
    for _ in range(12):
        for kind in QUESTION_KINDS:
            make_question(asked, kind, seed=0)
        asked.step()
        untouched.step()
        assert asked.trainer.cost() == untouched.trainer.cost()
    np.testing.assert_array_equal(
        asked.network.parameters_vector(), untouched.network.parameters_vector(), err_msg="parameters"
    )


# --- skipped kinds -----------------------------------------------------------------------------


def test_stopped_training_has_no_question():
    session = _line_session(0.5, 0.0, LINE_X, LINE_Y, learning_rate=50.0)
    for _ in range(50):
        if session.step() is None:
            break
    assert session.trainer.stopped

    for kind in QUESTION_KINDS:
        assert make_question(session, kind, seed=0) is None, kind
    assert next_question(session, seed=0) is None


def test_exact_fit_has_no_question():
    # y = 2x exactly and ŷ = 2x: every gradient is 0, the step changes nothing.
    session = _line_session(2.0, 0.0, LINE_X, LINE_Y, learning_rate=0.05)
    assert make_question(session, "cost_direction", seed=0) is None
    assert make_question(session, "gradient_sign", seed=0) is None
    assert make_question(session, "fit_after", seed=0) is None


def test_fit_after_skips_two_inputs():
    network = Network.from_parameters([[[0.3, -0.2]]], [[0.1]], ["linear"])
    dataset = _dataset([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [[1.0], [2.0], [0.5]])
    session = TrainingSession.from_custom(dataset, network, 0.05)
    assert make_question(session, "fit_after", seed=0) is None
    assert make_question(session, "cost_direction", seed=0) is not None


def test_fit_after_skips_two_outputs():
    network = Network.from_parameters([[[0.3], [-0.2]]], [[0.1, 0.0]], ["linear"])
    dataset = _dataset([[0.0], [1.0], [2.0]], [[1.0, 0.0], [2.0, 1.0], [0.5, 3.0]])
    session = TrainingSession.from_custom(dataset, network, 0.05)
    assert make_question(session, "fit_after", seed=0) is None
    assert make_question(session, "gradient_sign", seed=0) is not None


def test_fit_after_skips_invisible_change():
    # η = 1e-9 moves the line by about 1e-7 in 100 steps: three curves on top of each other.
    session = _line_session(0.5, 0.0, LINE_X, LINE_Y, learning_rate=1e-9)
    assert make_question(session, "fit_after", seed=0) is None


# --- determinism and rotation ------------------------------------------------------------------


def _assert_same_question(first: Question, second: Question) -> None:
    assert first.kind == second.kind
    assert first.prompt == second.prompt
    assert first.options == second.options
    assert first.answer == second.answer
    assert first.reveal == second.reveal
    assert first.step == second.step
    assert first.numbers == second.numbers
    assert first.parameter == second.parameter
    if first.fit is not None:
        assert first.fit.roles == second.fit.roles
        for label in FIT_LABELS:
            np.testing.assert_array_equal(first.fit.curves[label], second.fit.curves[label], err_msg=label)


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_same_seed_same_question(kind):
    first = make_question(_shuffled_session(), kind, seed=42)
    second = make_question(_shuffled_session(), kind, seed=42)
    assert first is not None
    _assert_same_question(first, second)


def test_seeds_vary_weight_and_labels():
    session = _example_session()
    parameters = {make_question(session, "gradient_sign", seed=seed).parameter for seed in range(30)}
    answers = {make_question(session, "fit_after", seed=seed).answer for seed in range(30)}
    assert parameters == {"W1[0,0]", "W1[1,0]", "W2[0,0]", "W2[0,1]"}
    assert answers == set(FIT_LABELS)


@pytest.mark.parametrize(
    ("previous", "expected"),
    [(None, "cost_direction"), ("cost_direction", "gradient_sign"),
     ("gradient_sign", "fit_after"), ("fit_after", "cost_direction")],
)
def test_next_question_rotates(previous, expected):
    question = next_question(_example_session(), seed=0, previous_kind=previous)
    assert question is not None
    assert question.kind == expected


def test_next_question_skips_kind_that_does_not_apply():
    network = Network.from_parameters([[[0.3, -0.2]]], [[0.1]], ["linear"])
    dataset = _dataset([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [[1.0], [2.0], [0.5]])
    session = TrainingSession.from_custom(dataset, network, 0.05)
    question = next_question(session, seed=0, previous_kind="gradient_sign")
    assert question is not None
    assert question.kind == "cost_direction"


# --- score and argument checks -----------------------------------------------------------------


def test_score_counts_answers():
    question = make_question(_line_session(0.5, 0.0, LINE_X, LINE_Y, 0.05), "cost_direction", seed=0)
    score = Score()
    assert score.record(question, "down") is True
    assert score.record(question, "up") is False
    assert score.asked == 2
    assert score.correct == 1


def test_score_rejects_unknown_choice():
    question = make_question(_line_session(0.5, 0.0, LINE_X, LINE_Y, 0.05), "cost_direction", seed=0)
    score = Score()
    with pytest.raises(ValueError, match="choice must be one of"):
        score.record(question, "sideways")
    assert score.asked == 0


@pytest.mark.parametrize(("asked", "correct"), [(1, 2), (0, -1), (-1, -1)])
def test_score_rejects_bad_counts(asked, correct):
    with pytest.raises(ValueError, match="correct <= asked"):
        Score(asked=asked, correct=correct)


@pytest.mark.parametrize(
    ("kind", "seed", "message"),
    [("cost", 0, "kind must be one of"), ("fit_after", -1, "seed must be"),
     ("fit_after", 1.5, "seed must be"), ("fit_after", True, "seed must be")],
)
def test_make_question_rejects_bad_arguments(kind, seed, message):
    with pytest.raises(ValueError, match=message):
        make_question(_example_session(), kind, seed)


def test_next_question_rejects_bad_previous_kind():
    with pytest.raises(ValueError, match="previous_kind must be one of"):
        next_question(_example_session(), seed=0, previous_kind="loss_direction")


# --- property: finite, consistent, never raises ------------------------------------------------


@settings(max_examples=40)
@given(
    kind=st.sampled_from(QUESTION_KINDS),
    seed=st.integers(0, 2**32 - 1),
    log_rate=st.floats(-3.0, 1.0),
    data_kind=st.sampled_from(sorted(REGRESSION_KINDS)),
    batch_size=st.one_of(st.none(), st.integers(1, 20)),
    steps_first=st.integers(0, 6),
)
def test_questions_always_finite(kind, seed, log_rate, data_kind, batch_size, steps_first):
    session = TrainingSession(
        make_regression(data_kind, 20, 0.1, seed % 1000),
        NetworkSettings(hidden_sizes=(4,), seed=seed % 1000),
        learning_rate=10.0**log_rate,
        batch_size=batch_size,
    )
    session.run(steps_first)
    step_count = session.trainer.step_count

    question = make_question(session, kind, seed)

    assert session.trainer.step_count == step_count
    if question is None:
        return
    assert question.kind == kind
    assert question.answer in question.options
    assert question.step == step_count
    assert question.reveal
    assert all(math.isfinite(value) for value in question.numbers.values()), question.numbers
    if question.fit is not None:
        assert np.all(np.isfinite(question.fit.grid))
        for label in FIT_LABELS:
            assert np.all(np.isfinite(question.fit.curves[label])), label
            assert math.isfinite(question.fit.costs[label]), label
