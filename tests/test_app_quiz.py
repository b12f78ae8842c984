"""AppTest runs of the quiz: predict the next step, see the answer with its numbers, keep score."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

APP = "../app.py"


def open_quiz(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"quiz": "true", **query})
    at.run()
    assert not at.exception, at.exception
    return at


def question_radio(at: AppTest):
    radios = [radio for radio in at.radio if radio.key and radio.key.startswith("quiz_choice_")]
    assert len(radios) == 1, "one question at a time"
    return radios[0]


def score(at: AppTest) -> str:
    return next(metric.value for metric in at.metric if metric.label == "Your score")


def test_quiz_off_by_default():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not [radio for radio in at.radio if (radio.key or "").startswith("quiz_choice_")]
    at.toggle(key="quiz").set_value(True).run()
    assert question_radio(at) is not None


def test_answer_runs_step_and_reveals():
    at = open_quiz({"dataset": "sine", "hidden": "8"})
    lab = at.session_state["lab"]
    question = at.session_state["quiz_question"]
    assert question.kind == "cost_direction"
    cost_before = lab.trainer.cost()
    question_radio(at).set_value(question.answer).run()
    at.button(key="quiz_answer").click().run()
    assert not at.exception
    lab = at.session_state["lab"]
    assert lab.trainer.step_count == 1, "the answer runs one step"
    cost_after = lab.trainer.cost()
    assert (cost_after < cost_before) == (question.answer == "down")
    assert at.success, "a right answer is shown in green"
    assert f"{cost_before:.6g}" in at.success[0].value
    assert f"{cost_after:.6g}" in at.success[0].value
    assert score(at) == "1 of 1"


def test_wrong_answer_counted():
    at = open_quiz({"dataset": "sine", "hidden": "8"})
    question = at.session_state["quiz_question"]
    wrong = next(option for option in question.options if option != question.answer)
    question_radio(at).set_value(wrong).run()
    at.button(key="quiz_answer").click().run()
    assert at.error and f"the answer was {question.answer}" in at.error[0].value
    assert score(at) == "0 of 1"
    at.button(key="quiz_next").click().run()
    next_question = at.session_state["quiz_question"]
    assert next_question.kind != question.kind, "the kinds take turns"
    assert next_question.step == 1


def test_quiz_kinds_take_turns():
    at = open_quiz({"dataset": "sine", "hidden": "8", "lr": "0.1"})
    kinds = []
    for _ in range(3):
        question = at.session_state["quiz_question"]
        kinds.append(question.kind)
        steps_before = at.session_state["lab"].trainer.step_count
        question_radio(at).set_value(question.answer).run()
        at.button(key="quiz_answer").click().run()
        assert not at.exception
        ran = at.session_state["lab"].trainer.step_count - steps_before
        assert ran == (100 if question.kind == "fit_after" else 1), question.kind
        at.button(key="quiz_next").click().run()
    assert sorted(kinds) == ["cost_direction", "fit_after", "gradient_sign"]
    assert score(at) == "3 of 3"


def test_lock_in_waits_for_choice():
    at = open_quiz({})
    assert at.button(key="quiz_answer").disabled


def test_score_kept_and_reset():
    at = open_quiz({})
    question = at.session_state["quiz_question"]
    question_radio(at).set_value(question.answer).run()
    at.button(key="quiz_answer").click().run()
    at.switch_page("pages/inside.py").run()
    at.switch_page("pages/train.py").run()
    assert score(at) == "1 of 1"
    at.button(key="quiz_reset_score").click().run()
    assert score(at) == "0 of 0"


@pytest.mark.parametrize("lr", ["50"])
def test_quiz_after_divergence(lr):
    at = open_quiz({"lr": lr})
    at.button(key="step_many").click().run()
    assert at.session_state["lab"].trainer.stopped
    assert any("no next step" in info.value for info in at.info)
