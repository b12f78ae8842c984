"""Visiting pages and using display-only controls never retrains the network behind the user's back.

After 100 steps on the Train page, each action below only changes what is drawn. The cost
history, the parameter snapshots, the current parameters and the step count must stay
bit-identical through all of them, and no page may raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from streamlit.testing.v1 import AppTest

APP = "../app.py"
TRAIN, INSIDE, LANDSCAPE, LEARNING_RATE = (
    "pages/train.py",
    "pages/inside.py",
    "pages/landscape.py",
    "pages/learning_rate.py",
)
STEPS_BEFORE = 100


@dataclass(frozen=True)
class TrainedState:
    """Copies of everything that training changes."""

    step_count: int
    costs: np.ndarray
    snapshot_steps: np.ndarray
    snapshot_values: np.ndarray
    parameters: np.ndarray
    lab_id: int

    @classmethod
    def of(cls, at: AppTest) -> TrainedState:
        lab = at.session_state["lab"]
        history = lab.trainer.history
        return cls(
            step_count=lab.trainer.step_count,
            costs=np.array(history.costs, copy=True),
            snapshot_steps=np.array(history.snapshot_steps, copy=True),
            snapshot_values=np.array(history.snapshot_values, copy=True),
            parameters=np.array(lab.network.parameters_vector(), copy=True),
            lab_id=id(lab),
        )


def assert_unchanged(at: AppTest, before: TrainedState, action: str) -> None:
    assert not at.exception, f"after {action}: {at.exception}"
    after = TrainedState.of(at)
    assert after.lab_id == before.lab_id, f"after {action}: the training session was replaced"
    assert after.step_count == before.step_count, (
        f"after {action}: step count {after.step_count}, expected {before.step_count}"
    )
    assert np.array_equal(after.costs, before.costs), f"after {action}: the cost history changed"
    assert np.array_equal(after.snapshot_steps, before.snapshot_steps), (
        f"after {action}: the snapshot steps changed"
    )
    assert np.array_equal(after.snapshot_values, before.snapshot_values), (
        f"after {action}: the snapshot values changed"
    )
    assert np.array_equal(after.parameters, before.parameters), f"after {action}: the parameters changed"


def parameter_names(at: AppTest) -> list[str]:
    return at.session_state["lab"].network.parameter_names()


# Each action takes the AppTest on the page it expects and runs it. Each name gives the page,
# the control and the value set.
Action = tuple[str, Callable[[AppTest], object]]

TRAIN_ACTIONS: list[Action] = [
    ("Train page rerun", lambda at: at.run()),
    ("Train log scale on", lambda at: at.checkbox(key="log_cost").check().run()),
    ("Train log scale off", lambda at: at.checkbox(key="log_cost").uncheck().run()),
    ("Train parameters to draw: two", lambda at: at.multiselect(key="weights_shown").set_value(parameter_names(at)[:2]).run()),
    ("Train parameters to draw: none", lambda at: at.multiselect(key="weights_shown").set_value([]).run()),
]

INSIDE_ACTIONS: list[Action] = [
    ("open Inside a step", lambda at: at.switch_page(INSIDE).run()),
    ("Inside example 3", lambda at: at.number_input(key="inside_example").set_value(3).run()),
    ("Inside view all examples", lambda at: at.radio(key="inside_view").set_value("All examples").run()),
    ("Inside view one example", lambda at: at.radio(key="inside_view").set_value("One example").run()),
    ("Inside parameter W2[0,1]", lambda at: at.selectbox(key="inside_parameter").set_value("W2[0,1]").run()),
    ("Inside parameter b1[2]", lambda at: at.selectbox(key="inside_parameter").set_value("b1[2]").run()),
    ("Inside gradients toggle on", lambda at: at.toggle(key="inside_show_gradients").set_value(True).run()),
    ("Inside gradients toggle off", lambda at: at.toggle(key="inside_show_gradients").set_value(False).run()),
    ("Inside rewind to step 1", lambda at: at.select_slider(key="inside_step").set_value(1).run()),
    ("Inside rewind to step 60", lambda at: at.select_slider(key="inside_step").set_value(60).run()),
    ("Inside back to the next step", lambda at: at.select_slider(key="inside_step").set_value(STEPS_BEFORE + 1).run()),
    ("Inside gradient check", lambda at: at.button(key="inside_run_check").click().run()),
    ("Inside planted fault", lambda at: at.selectbox(key="inside_fault").set_value("sum_batch").run()),
    ("Inside gradient check with fault", lambda at: at.button(key="inside_run_check").click().run()),
]

LANDSCAPE_ACTIONS: list[Action] = [
    ("open Cost landscape", lambda at: at.switch_page(LANDSCAPE).run()),
    ("landscape parameter b2[0]", lambda at: at.selectbox(key="landscape_parameter").set_value("b2[0]").run()),
    ("landscape x axis W1[2,0]", lambda at: at.selectbox(key="landscape_first").set_value("W1[2,0]").run()),
    ("landscape y axis W2[0,2]", lambda at: at.selectbox(key="landscape_second").set_value("W2[0,2]").run()),
    ("landscape same parameter twice", lambda at: at.selectbox(key="landscape_second").set_value("W1[2,0]").run()),
    ("landscape y axis b1[0]", lambda at: at.selectbox(key="landscape_second").set_value("b1[0]").run()),
    ("landscape preview on", lambda at: at.toggle(key="landscape_two_only").set_value(True).run()),
    ("landscape preview 200 steps", lambda at: at.number_input(key="landscape_preview_steps").set_value(200).run()),
    ("landscape preview off", lambda at: at.toggle(key="landscape_two_only").set_value(False).run()),
]

LEARNING_RATE_ACTIONS: list[Action] = [
    ("open Learning-rate lab", lambda at: at.switch_page(LEARNING_RATE).run()),
    ("lab log scale off", lambda at: at.checkbox(key="lr_lab_log").uncheck().run()),
    ("lab log scale on", lambda at: at.checkbox(key="lr_lab_log").check().run()),
    ("lab rates with divergence", lambda at: at.text_input(key="lr_lab_rates").input("0.01, 0.3, 5").run()),
    ("lab 50 steps", lambda at: at.number_input(key="lr_lab_steps").set_value(50).run()),
    ("lab sweep", lambda at: at.button(key="lr_lab_sweep_run").click().run()),
]

RETURN_ACTIONS: list[Action] = [
    ("back to Train", lambda at: at.switch_page(TRAIN).run()),
    ("Train log scale on again", lambda at: at.checkbox(key="log_cost").check().run()),
]


def trained_app() -> AppTest:
    """Open the app on the Train page (Tiny data, one hidden layer of 3) and make 100 steps."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    at.number_input(key="n_steps").set_value(STEPS_BEFORE).run()
    at.button(key="step_many").click().run()
    assert not at.exception, at.exception
    return at


def test_trained_state_starts_as_expected():
    at = trained_app()
    state = TrainedState.of(at)
    assert state.step_count == STEPS_BEFORE
    assert state.costs.size == STEPS_BEFORE
    # The default network is 1-3-1, so W1[2,0], W2[0,2] and b1[2] exist for the actions below.
    assert at.session_state["lab"].network.layer_sizes == (1, 3, 1)
    # A parameter that never moved would hide a change, so training must have moved them.
    assert not np.array_equal(state.snapshot_values[0], state.parameters)


def test_display_controls_keep_trained_state():
    at = trained_app()
    before = TrainedState.of(at)
    actions = TRAIN_ACTIONS + INSIDE_ACTIONS + LANDSCAPE_ACTIONS + LEARNING_RATE_ACTIONS + RETURN_ACTIONS
    for action, perform in actions:
        perform(at)
        assert_unchanged(at, before, action)


# The only actions that should show an error message, and a part of that message.
EXPECTED_ERRORS = {
    "landscape same parameter twice": "two different parameters",
    "Inside gradient check with fault": "Fail",
}


def test_display_controls_show_no_error():
    at = trained_app()
    actions = TRAIN_ACTIONS + INSIDE_ACTIONS + LANDSCAPE_ACTIONS + LEARNING_RATE_ACTIONS + RETURN_ACTIONS
    for action, perform in actions:
        perform(at)
        messages = [element.value for element in at.error]
        if action in EXPECTED_ERRORS:
            assert any(EXPECTED_ERRORS[action] in message for message in messages), f"{action}: {messages}"
        else:
            assert not messages, f"after {action}: {messages}"


def test_step_after_visits_continues():
    # The next Step after all the visits continues from step 100, as if no page was visited.
    at = trained_app()
    reference = trained_app()
    actions = TRAIN_ACTIONS + INSIDE_ACTIONS + LANDSCAPE_ACTIONS + LEARNING_RATE_ACTIONS + RETURN_ACTIONS
    for _, perform in actions:
        perform(at)

    at.button(key="step").click().run()
    reference.button(key="step").click().run()

    assert at.session_state["lab"].trainer.step_count == STEPS_BEFORE + 1
    np.testing.assert_array_equal(
        at.session_state["lab"].network.parameters_vector(),
        reference.session_state["lab"].network.parameters_vector(),
        err_msg="parameters after step 101, with and without the page visits",
    )
