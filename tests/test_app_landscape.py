"""AppTest runs of the Cost landscape and Learning-rate lab pages."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop_core.config import CustomSetup, setup_to_token
from backprop_core.network import Network

APP = "../app.py"
X_LINE = np.array([[0.0], [1.0], [2.0], [3.0]])
Y_LINE = np.array([[1.0], [3.0], [5.0], [7.0]])


def linear_neuron_token(learning_rate: float) -> str:
    """A link token for one linear neuron with w = b = 0 on x = 0..3, y = 2x + 1."""
    setup = CustomSetup(
        network=Network.from_parameters([[[0.0]]], [[0.0]], ["linear"]),
        X=X_LINE,
        y=Y_LINE,
        learning_rate=learning_rate,
        batch_size=None,
        feature_names=("x",),
        target_names=("y",),
    )
    return setup_to_token(setup)


def open_page(page: str, learning_rate: float = 0.2) -> AppTest:
    """Start the linear neuron through the Inside a step link, then open ``page``."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["setup"] = linear_neuron_token(learning_rate)
    at.run()
    at.switch_page("pages/inside.py").run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_landscape_page_loads_default():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/landscape.py").run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 2


def test_tangent_slope_matches_backward():
    at = open_page("pages/landscape.py")
    lab = at.session_state["lab"]
    gradients = lab.network.backward(lab.network.forward(lab.trainer.X), lab.trainer.y)
    # One linear neuron at w = b = 0 on y = 2x + 1: ∂C/∂w = −17.
    assert gradients.grad_weights[0][0, 0] == -17.0
    text = " ".join(element.value for element in at.markdown)
    assert "∂C/∂W1[0,0] = **-17**" in text
    # One step at η = 0.2 lands at 0 − 0.2 × (−17) = 3.4.
    assert "**3.4**" in text


def test_landscape_step_zigzags_w():
    at = open_page("pages/landscape.py")
    ws = []
    for _ in range(4):
        at.button(key="landscape_step").click().run()
        ws.append(at.session_state["lab"].network.weights[0][0, 0])
    # At η = 0.2, w goes 3.4, 1.08, 2.656, 1.5792 (worked out in the landscape tests).
    np.testing.assert_allclose(ws, [3.4, 1.08, 2.656, 1.5792], rtol=1e-12, err_msg="w")


def test_two_parameter_contour_and_preview():
    at = open_page("pages/landscape.py")
    at.button(key="landscape_step_many").click().run()
    at.toggle(key="landscape_two_only").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    assert at.session_state["lab"].trainer.step_count == 10


def test_same_parameter_twice_explained():
    at = open_page("pages/landscape.py")
    at.selectbox(key="landscape_second").set_value("W1[0,0]").run()
    assert any("two different parameters" in element.value for element in at.error)


def test_learning_rate_page_stability_estimate():
    at = open_page("pages/learning_rate.py")
    # The Hessian is [[7, 3], [3, 2]]; its largest eigenvalue is (9 + √61) / 2 = 8.40512.
    values = {element.label: element.value for element in at.metric}
    assert values["Largest Hessian eigenvalue λ"] == "8.40512"
    assert values["Stable learning rates, full batch"] == "η < 0.23795"


def test_learning_rate_comparison_marks_divergence():
    at = open_page("pages/learning_rate.py")
    at.text_input(key="lr_lab_rates").input("0.05, 0.2, 0.25, 0.5").run()
    assert not at.exception
    captions = " ".join(element.value for element in at.caption)
    assert "η = 0.5" in captions
    assert "diverged" in captions


@pytest.mark.parametrize(
    ("text", "message"),
    [("0.1, 0.2", "3 to 6"), ("0.1, x, 0.3", "not a number"), ("0.1, 0, 0.3", "greater than 0"), ("1,2,3,4,5,6,7", "3 to 6")],
)
def test_bad_rate_lists_explained(text, message):
    at = open_page("pages/learning_rate.py")
    at.text_input(key="lr_lab_rates").input(text).run()
    assert not at.exception
    assert any(message in element.value for element in at.error)


def test_sweep_runs():
    at = open_page("pages/learning_rate.py")
    at.button(key="lr_lab_sweep_run").click().run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3
