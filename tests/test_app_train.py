"""AppTest runs of the Train page: buttons, settings, bad input, and that nothing is lost."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop_core.session import TrainingSession

APP = "../app.py"


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def lab(at: AppTest) -> TrainingSession:
    return at.session_state["lab"]


def metric(at: AppTest, label: str) -> str:
    for element in at.metric:
        if element.label == label:
            return element.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def errors(at: AppTest) -> str:
    return " ".join(element.value for element in at.error)


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def decoded_numbers(node) -> list[float]:
    """Every number in a figure's JSON, base64 arrays included."""
    numbers: list[float] = []
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            numbers += np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"]).tolist()
        else:
            for value in node.values():
                numbers += decoded_numbers(value)
    elif isinstance(node, list):
        for value in node:
            numbers += decoded_numbers(value)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        numbers.append(float(node))
    return numbers


def test_page_loads_with_four_charts():
    at = open_app()
    assert metric(at, "Step") == "0"
    # Cost, fit, weight trajectories and gradient size per layer.
    assert len(at.get("plotly_chart")) == 4
    assert not at.error


def test_step_advances_counter_and_changes_weights():
    at = open_app()
    before = lab(at).network.parameters_vector()

    at.button(key="step").click().run()

    assert not at.exception
    assert metric(at, "Step") == "1"
    after = lab(at).network.parameters_vector()
    assert not np.array_equal(before, after)


def test_reset_restores_initial_weights():
    at = open_app()
    initial = lab(at).network.parameters_vector()
    at.button(key="step").click().run()
    at.button(key="step").click().run()

    at.button(key="reset").click().run()

    assert metric(at, "Step") == "0"
    np.testing.assert_array_equal(lab(at).network.parameters_vector(), initial, err_msg="weights after Reset")


def test_same_seed_gives_same_initial_weights():
    first = lab(open_app()).network.parameters_vector()
    second = lab(open_app()).network.parameters_vector()
    np.testing.assert_array_equal(first, second, err_msg="initial weights of two sessions")


def test_learning_rate_change_keeps_history():
    at = open_app()
    at.button(key="step").click().run()
    at.button(key="step").click().run()
    weights = lab(at).network.parameters_vector()
    costs = np.array(lab(at).trainer.history.costs)

    at.number_input(key="lr_exact").set_value(0.2).run()

    assert not at.exception
    assert metric(at, "Step") == "2"
    assert metric(at, "Learning rate η") == "0.2"
    np.testing.assert_array_equal(lab(at).network.parameters_vector(), weights, err_msg="weights")
    np.testing.assert_array_equal(lab(at).trainer.history.costs, costs, err_msg="cost history")
    at.button(key="step").click().run()
    assert lab(at).trainer.history.learning_rates.tolist() == [0.05, 0.05, 0.2]


def test_learning_rate_slider_sets_exact_value():
    at = open_app()
    at.select_slider(key="lr_slider").set_value(0.3).run()
    assert at.number_input(key="lr_exact").value == 0.3
    assert lab(at).trainer.learning_rate == 0.3


def test_step_many_runs_n_steps():
    at = open_app()
    at.number_input(key="n_steps").set_value(300).run()
    at.button(key="step_many").click().run()
    assert not at.exception
    assert metric(at, "Step") == "300"


def test_long_run_shows_progress_and_finishes():
    at = open_app()
    at.number_input(key="n_steps").set_value(20_000).run()
    at.button(key="step_many").click().run()

    # A long run advances a chunk per screen update, with a progress bar, the charts still
    # drawn and the Play button turned into Stop. AppTest runs no timer, so rerun by hand.
    assert not at.exception
    assert at.get("progress"), "no progress bar during a long run"
    assert len(at.get("plotly_chart")) == 4
    assert at.button(key="play").label == "Stop"
    assert len(at.get("plotly_chart")) == 4
    for _ in range(200):
        if lab(at).trainer.step_count >= 20_000:
            break
        at.run()
    assert lab(at).trainer.step_count == 20_000
    at.run()
    assert at.button(key="play").label == "Play"


def test_stop_ends_long_run():
    at = open_app()
    at.number_input(key="n_steps").set_value(50_000).run()
    at.button(key="step_many").click().run()
    at.button(key="play").click().run()
    stopped_at = lab(at).trainer.step_count
    at.run()
    assert 0 < stopped_at < 50_000
    assert lab(at).trainer.step_count == stopped_at


@pytest.mark.parametrize("value", [0, -5, 100_001])
def test_bad_step_count_explained(value):
    at = open_app()
    at.number_input(key="n_steps").set_value(value).run()
    assert not at.exception
    assert "1 to 100,000 steps" in errors(at)
    assert at.button(key="step_many").disabled


def test_bad_batch_size_keeps_previous():
    at = open_app()
    at.checkbox(key="full_batch").uncheck().run()
    at.number_input(key="batch_size").set_value(2).run()
    at.number_input(key="batch_size").set_value(0).run()
    assert not at.exception
    assert "at least 1" in errors(at)
    assert lab(at).trainer.batch_size == 2


def test_bad_seed_keeps_network():
    at = open_app()
    at.button(key="step").click().run()
    at.number_input(key="seed").set_value(-1).run()
    assert not at.exception
    assert "seed must be a whole number" in errors(at)
    assert metric(at, "Step") == "1"


def test_csv_without_header_warns():
    at = open_app()
    upload(at, "noheader.csv", b"0.5,2.1\n1.5,4.2\n2.5,6.1\n3.5,8.3\n")
    assert not at.exception
    assert any("no header row" in element.value for element in at.warning)


def test_single_step_divergence_names_rate():
    at = open_app()
    at.number_input(key="lr_exact").set_value(10.0).run()
    at.button(key="step").click().run()
    at.button(key="step").click().run()
    assert "learning rate 10" in errors(at)
    assert at.button(key="step").disabled


def test_data_change_resets_and_says_so():
    at = open_app()
    at.button(key="step").click().run()

    at.selectbox(key="dataset").set_value("generated:sine").run()

    assert not at.exception
    assert metric(at, "Step") == "0"
    assert any("restarted at step 0" in info.value for info in at.info)


def test_architecture_change_resets():
    at = open_app()
    at.button(key="step").click().run()
    at.text_input(key="hidden_text").input("5, 5").run()
    assert metric(at, "Step") == "0"
    assert lab(at).network.layer_sizes == (1, 5, 5, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "at least 1 neuron"),
        ("-3", "at least 1 neuron"),
        ("abc", "not a whole number"),
        ("4, x", "not a whole number"),
        ("2.5", "not a whole number"),
        ("1,1,1,1,1,1,1", "too many"),
        ("64", "too large"),
        ("__import__('os')", "not a whole number"),
    ],
)
def test_bad_layer_sizes_keep_trained_state(text, expected):
    at = open_app()
    at.button(key="step").click().run()
    trained = lab(at).network.parameters_vector()

    at.text_input(key="hidden_text").input(text).run()

    assert not at.exception
    assert expected in errors(at)
    assert metric(at, "Step") == "1"
    np.testing.assert_array_equal(lab(at).network.parameters_vector(), trained, err_msg="weights")
    at.button(key="step").click().run()
    assert metric(at, "Step") == "2"


@pytest.mark.parametrize("rate", [0.0, -0.1])
def test_bad_learning_rate_keeps_previous(rate):
    at = open_app()
    at.button(key="step").click().run()

    at.number_input(key="lr_exact").set_value(rate).run()

    assert not at.exception
    assert "greater than 0" in errors(at)
    assert metric(at, "Step") == "1"
    assert lab(at).trainer.learning_rate == 0.05


def test_no_hidden_layer_fits_line_exactly():
    at = open_app()
    at.text_input(key="hidden_text").input("").run()
    at.number_input(key="n_steps").set_value(500).run()
    at.button(key="step_many").click().run()
    assert lab(at).network.layer_sizes == (1, 1)
    assert lab(at).trainer.cost() < 1e-10


def diverging_app() -> AppTest:
    """The linear neuron of the first lesson at η = 0.5, in raw units: it diverges."""
    at = open_app()
    at.text_input(key="hidden_text").input("").run()
    at.checkbox(key="standardize").uncheck().run()
    at.selectbox(key="init").set_value("zeros").run()
    at.number_input(key="lr_exact").set_value(0.5).run()
    at.button(key="step_many").click().run()
    return at


def test_divergence_stops_with_message():
    at = diverging_app()

    assert not at.exception
    message = errors(at)
    assert "diverged" in message
    assert "learning rate 0.5" in message
    assert "step 6" in message
    # 2 / 8.40512, the largest eigenvalue of the Hessian [[7, 3], [3, 2]] at w = b = 0.
    assert "below about 0.238" in message
    assert metric(at, "Step") == "6"
    assert at.button(key="step").disabled
    assert np.all(np.isfinite(lab(at).network.parameters_vector()))


def test_divergence_charts_stay_finite():
    at = diverging_app()
    for spec in chart_specs(at):
        text = json.dumps(spec)
        assert "NaN" not in text
        assert "Infinity" not in text
        assert all(np.isfinite(decoded_numbers(spec)))


def test_reset_after_divergence_trains_again():
    at = diverging_app()
    at.number_input(key="lr_exact").set_value(0.05).run()
    at.button(key="reset").click().run()
    at.button(key="step").click().run()
    assert metric(at, "Step") == "1"
    assert not at.button(key="step").disabled
    # One linear neuron, w = b = 0, η = 0.05 on y = 2x + 1: w = 0.85, b = 0.4 after one step.
    np.testing.assert_allclose(lab(at).network.parameters_vector(), [0.85, 0.4], err_msg="w, b")


def test_mini_batch_settings_continue_training():
    at = open_app()
    at.button(key="step").click().run()
    at.checkbox(key="full_batch").uncheck().run()
    at.number_input(key="batch_size").set_value(2).run()
    at.button(key="step").click().run()
    assert metric(at, "Step") == "2"
    assert lab(at).trainer.batch_size == 2


def test_real_dataset_trains():
    at = open_app()
    at.selectbox(key="dataset").set_value("real:engel").run()
    at.number_input(key="n_steps").set_value(200).run()
    at.button(key="step_many").click().run()
    assert not at.exception
    assert metric(at, "Step") == "200"
    costs = lab(at).trainer.history.costs
    assert costs[-1] < costs[0]


def test_multi_input_dataset_shows_scatter():
    at = open_app()
    at.selectbox(key="dataset").set_value("real:stackloss").run()
    assert not at.exception
    assert lab(at).network.layer_sizes[0] == 3
    assert len(at.get("plotly_chart")) == 4


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    """Put a file where the uploader stores it, then choose the upload option."""
    at.session_state["csv_file"] = (name, data)
    return at.selectbox(key="dataset").set_value("upload").run()


def test_csv_upload_trains():
    at = open_app()
    rows = "\n".join(f"{x},{3 * x - 2}" for x in range(20))
    upload(at, "line.csv", f"x,y\n{rows}\n".encode())
    assert not at.exception
    assert lab(at).network.layer_sizes == (1, 3, 1)
    at.button(key="step_many").click().run()
    assert metric(at, "Step") == "100"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"x,y\n", "no data rows"),
        (b"x,y\n1,2\n", "row"),
        (b"x,y\n1,2\n2,oops\n3,4\n", "non-numeric"),
        (b"x,y\n1,2\n2,\n3,4\n", "missing"),
        (b"x,y\n1,5\n2,5\n3,5\n", "constant"),
        (b"x,y\n1e300,1\n2e300,2\n3e300,4\n", "large"),
        ("x,y\n1,2\n2,3\né,4\n".encode("latin-1"), "UTF-8"),
        (b"a,b\nfoo,bar\nbaz,qux\n", "numeric"),
        (b"x,y\n1,2\ninf,3\n3,4\n", "infinite"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
    ],
)
def test_bad_csv_keeps_trained_state(data, expected):
    at = open_app()
    at.button(key="step").click().run()
    trained = lab(at).network.parameters_vector()

    upload(at, "bad.csv", data)

    assert not at.exception
    assert expected.lower() in errors(at).lower()
    assert metric(at, "Step") == "1"
    np.testing.assert_array_equal(lab(at).network.parameters_vector(), trained, err_msg="weights")


def test_oversized_csv_rejected():
    at = open_app()
    upload(at, "big.csv", b"x,y\n" + b"1,2\n" * 1_300_000)
    assert not at.exception
    assert "size" in errors(at).lower() or "mb" in errors(at).lower()


def warnings_and_infos(at: AppTest) -> str:
    return " ".join(element.value for element in [*at.warning, *at.info])


def test_sigmoid_output_warns_and_fixes():
    # Targets 3..6 can never come out of a sigmoid, whose outputs lie between 0 and 1.
    at = open_app()
    upload(at, "line.csv", b"x,y\n1,3\n2,4\n3,5\n4,6\n")
    at.text_input(key="hidden_text").input("").run()
    at.selectbox(key="output_activation").set_value("sigmoid").run()
    assert "sigmoid" in warnings_and_infos(at)

    fix = [button for button in at.button if button.label == "Use a linear output"]
    assert fix, "no one-click fix offered"
    fix[0].click().run()
    assert lab(at).network.activations == ("linear",)


def test_scaled_targets_fix_reaches_targets():
    at = open_app()
    upload(at, "line.csv", b"x,y\n1,3\n2,4\n3,5\n4,6\n")
    at.text_input(key="hidden_text").input("").run()
    at.selectbox(key="output_activation").set_value("sigmoid").run()
    scale = [button for button in at.button if button.label == "Scale the targets into the output's range"]
    scale[0].click().run()
    assert lab(at).settings.scale_targets_to_output
    trained = lab(at).trainer.y[:, 0]
    np.testing.assert_allclose([trained.min(), trained.max()], [0.1, 0.9], err_msg="scaled targets")


def test_zero_initial_weights_get_symmetry_note():
    at = open_app()
    at.selectbox(key="init").set_value("zeros").run()
    at.button(key="step_many").click().run()
    assert "the same incoming weights" in warnings_and_infos(at)


def test_dead_relu_output_reports_stall():
    # x = 0..3, y = −1, −3, −5, −7, one ReLU neuron with w = 0.5, b = 0.1, η = 0.05: the first
    # step sends w to −0.54 and b to −0.385, after which z < 0 for every example.
    at = open_app()
    upload(at, "down.csv", b"x,y\n0,-1\n1,-3\n2,-5\n3,-7\n")
    at.text_input(key="hidden_text").input("").run()
    at.selectbox(key="output_activation").set_value("relu").run()
    at.checkbox(key="standardize").uncheck().run()
    session = lab(at)
    session.trainer.network.weights[0][...] = 0.5
    session.trainer.network.biases[0][...] = 0.1
    at.button(key="step").click().run()
    np.testing.assert_allclose(session.network.parameters_vector(), [-0.54, -0.385], err_msg="w, b")
    at.button(key="step").click().run()
    text = warnings_and_infos(at)
    assert "stalled" in text
    assert session.trainer.cost() == 21.0


def test_play_trains_one_batch_per_player_request():
    at = open_app()
    at.button(key="play").click().run()
    assert not at.exception
    first_batch = lab(at).trainer.step_count
    assert first_batch == 16 * 10, "16 frames of 10 steps"
    at.run()
    assert lab(at).trainer.step_count == first_batch, "no training until the player asks"
    session_id = at.session_state["player_session"]
    at.session_state["live_player"] = {"want": 2, "session": session_id}
    at.run()
    assert lab(at).trainer.step_count == 2 * first_batch
    at.session_state["live_player"] = {"want": 3, "session": "an old player"}
    at.run()
    assert lab(at).trainer.step_count == 2 * first_batch, "a request from an old player is ignored"
    at.button(key="play").click().run()
    assert at.button(key="play").label == "Play"
    assert len(at.get("plotly_chart")) == 4, "pausing brings back every chart"


def test_play_ends_when_training_stops():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lr": "50", "standardize": "0"})
    at.run()
    at.button(key="play").click().run()
    assert lab(at).trainer.stopped
    assert at.session_state["playing"], "the player first shows the frames up to the stop"
    at.session_state["live_player"] = {"want": 2, "session": at.session_state["player_session"]}
    at.run()
    assert not at.session_state["playing"]
    assert "stopped" in errors(at) or "diverg" in errors(at).lower(), errors(at)
