"""AppTest runs of the Inside a step page: its numbers against the engine, and Step agreement."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop_core.config import example_setup, setup_to_token
from backprop_core.inspection import FAULTS

APP = "../app.py"
PAGE = "pages/inside.py"


def open_inside(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def worked_example() -> AppTest:
    at = open_inside()
    at.button(key="inside_load_example").click().run()
    assert not at.exception, at.exception
    return at


def latex_text(at: AppTest) -> str:
    return "\n".join(element.value for element in at.latex)


def number(value: float) -> str:
    return f"{value:.10g}"


def test_page_loads_after_train_page():
    at = open_inside()
    assert at.title[0].value == "Inside a step"
    assert len(at.get("plotly_chart")) == 1


def test_worked_example_cost_shown():
    at = worked_example()
    network = at.session_state["lab"].network
    assert network.layer_sizes == (1, 2, 1)
    # The 1-2-1 example's cost on x = 0..3, y = 2x + 1, computed independently: 20.970804264697.
    assert "20.97080426" in latex_text(at)


@pytest.mark.parametrize("name", ["W1[0,0]", "W1[1,0]", "b1[1]", "W2[0,1]", "b2[0]"])
def test_chain_rule_matches_backward_and_step(name):
    at = worked_example()
    at.selectbox(key="inside_parameter").set_value(name).run()
    lab = at.session_state["lab"]
    trainer = lab.trainer
    gradients = trainer.network.backward(trainer.network.forward(trainer.X), trainer.y)
    names = trainer.network.parameter_names()
    flat_gradient = np.concatenate(
        [part for w, b in zip(gradients.grad_weights, gradients.grad_biases) for part in (w.ravel(), b)]
    )
    index = names.index(name)
    old = trainer.network.parameters_vector()[index]
    expected_new = old - trainer.learning_rate * flat_gradient[index]

    text = latex_text(at)
    assert number(flat_gradient[index]) in text, f"gradient of {name} not shown"
    assert number(expected_new) in text, f"new value of {name} not shown"

    at.button(key="inside_step_button").click().run()
    after = at.session_state["lab"].network.parameters_vector()[index]
    assert after == expected_new, f"{name}: Step gave {after!r}, the page showed {expected_new!r}"


def test_gradient_check_passes_on_worked_example():
    at = worked_example()
    at.button(key="inside_run_check").click().run()
    assert not at.exception
    assert any(element.value.startswith("Pass") for element in at.success)


@pytest.mark.parametrize(
    ("fault", "ratio"),
    [("drop_factor_2", "0.333"), ("sum_batch", "0.6"), ("forget_derivative", "")],
)
def test_planted_faults_fail_the_check(fault, ratio):
    at = worked_example()
    at.selectbox(key="inside_fault").set_value(fault).run()
    at.button(key="inside_run_check").click().run()
    failures = " ".join(element.value for element in at.error)
    assert failures.startswith("Fail"), f"{FAULTS[fault]} was not flagged"
    assert ratio in failures


def test_rewind_shows_past_step_numbers():
    at = worked_example()
    at.button(key="inside_step_button").click().run()
    at.button(key="inside_step_button").click().run()
    first_cost = at.session_state["lab"].trainer.history.costs[0]

    at.select_slider(key="inside_step").set_value(1).run()

    assert not at.exception
    assert number(first_cost) in latex_text(at)
    assert any("already been taken" in element.value for element in at.info)


def test_link_loads_network():
    at = open_inside({"setup": setup_to_token(example_setup())})
    lab = at.session_state["lab"]
    assert lab.is_custom
    np.testing.assert_array_equal(
        lab.network.parameters_vector(),
        example_setup().network.parameters_vector(),
        err_msg="parameters from the link",
    )


@pytest.mark.parametrize("token", ["not-a-token", "A" * 30_000, "eJwLycgsVgCi4pzMvHQ"])
def test_tampered_link_shows_note(token):
    at = open_inside({"setup": token})
    assert not at.exception
    assert any("could not be loaded" in element.value for element in at.warning)
    assert not at.session_state["lab"].is_custom


def test_edited_weights_apply():
    at = worked_example()
    # Change the data to y = 3x + 1 through the table's backing value and apply.
    at.button(key="inside_apply").click().run()
    assert not at.exception
    assert at.session_state["lab"].network.layer_sizes == (1, 2, 1)


def test_bad_layout_text_shows_error():
    at = worked_example()
    layout = [element for element in at.text_input if element.label.startswith("Layer sizes")][0]
    layout.input("1, 0, 1").run()
    assert not at.exception
    assert any("at least 1 neuron" in element.value for element in at.error)
    assert at.session_state["lab"].network.layer_sizes == (1, 2, 1)


def test_train_page_keeps_custom_network():
    at = worked_example()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.session_state["lab"].is_custom
    at.button(key="step").click().run()
    assert at.session_state["lab"].trainer.step_count == 1


def test_large_dataset_page_still_works():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="dataset").set_value("real:engel").run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert any("small networks and data only" in element.value for element in at.info)


def test_dead_relu_marked_in_diagram():
    # One ReLU neuron after its first step on y = −1, −3, −5, −7: w = −0.54, b = −0.385, so
    # z < 0 for x = 0..3 and the unit is dead.
    from backprop_core.config import CustomSetup
    from backprop_core.network import Network

    setup = CustomSetup(
        network=Network.from_parameters([[[-0.54]]], [[-0.385]], ["relu"]),
        X=np.array([[0.0], [1.0], [2.0], [3.0]]),
        y=np.array([[-1.0], [-3.0], [-5.0], [-7.0]]),
        learning_rate=0.05,
        batch_size=None,
        feature_names=("x",),
        target_names=("y",),
    )
    at = open_inside({"setup": setup_to_token(setup)})
    assert any("stalled" in element.value for element in at.warning)
    diagram = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "dead" in json.dumps(diagram["layout"])
