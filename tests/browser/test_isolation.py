"""Two browser sessions train at the same time, and neither can read the other's network.

One context trains a 1-8-1 network on the Sine data, the other a single neuron on the Tiny
data. Their steps are interleaved on one server. After every action, each page must show its
own dataset caption, its own step count, its own parameters, and the cost that an independent
`TrainingSession` with the same settings reaches after the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from backprop_core.datasets import make_regression, make_tiny
from backprop_core.session import NetworkSettings, TrainingSession

from .helpers import EXCEPTION_SELECTOR, wait_for_app, wait_for_charts, wait_for_rerun

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
METRIC = '[data-testid="stMetric"]'
CAPTION = '[data-testid="stCaptionContainer"]'
# The Train page's defaults (pages/train.py): 60 points with noise 0.1, seed 0, η = 0.05.
DEFAULT_LEARNING_RATE = 0.05


@dataclass
class Learner:
    """One browser session, the settings it chose, and a reference run of the same settings."""

    name: str
    page: Page
    dataset_label: str
    dataset_name: str
    hidden_text: str
    reference: TrainingSession
    # What "Parameters to draw" selects at first: every parameter of a network with at most
    # 20, else the first three weights and the first bias of each layer.
    shown_names: list[str]
    foreign_names: list[str] = field(default_factory=list)


def metric_value(page: Page, label: str):
    return page.locator(METRIC).filter(has_text=label).locator('[data-testid="stMetricValue"]').first


def choose_dataset(page: Page, label: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
    page.get_by_role("option", name=label).click()
    wait_for_rerun(page)


def set_hidden_sizes(page: Page, text: str) -> None:
    field_input = page.locator('[data-testid="stTextInput"]').filter(has_text="Hidden layer sizes").locator("input")
    field_input.fill(text)
    field_input.press("Enter")
    wait_for_rerun(page)


def click_button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    wait_for_rerun(page)


def check_learner(learner: Learner, other: Learner, action: str) -> None:
    """Assert that the page shows only its own data, network, step count and cost."""
    page, reference = learner.page, learner.reference
    where = f"{learner.name} after {action}"

    expect(metric_value(page, "Step"), where).to_have_text(f"{reference.trainer.step_count:,}", timeout=TIMEOUT_MS)
    expect(metric_value(page, "Cost (all data)"), where).to_have_text(f"{reference.trainer.cost():.6g}")
    expect(metric_value(page, "Learning rate"), where).to_have_text(f"{DEFAULT_LEARNING_RATE:g}")

    captions = page.locator(CAPTION)
    expect(captions.filter(has_text=f"{learner.dataset_name}:"), where).to_have_count(1)
    expect(captions.filter(has_text=f"{other.dataset_name}:"), where).to_have_count(0)
    expect(page.get_by_role("combobox", name="Dataset"), where).to_have_value(learner.dataset_label)
    hidden_input = page.locator('[data-testid="stTextInput"]').filter(has_text="Hidden layer sizes").locator("input")
    expect(hidden_input, where).to_have_value(learner.hidden_text)

    chosen = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Parameters to draw")
    for name in learner.shown_names:
        expect(chosen, where).to_contain_text(name)
    for name in learner.foreign_names:
        expect(chosen, where).not_to_contain_text(name)
    assert page.locator(EXCEPTION_SELECTOR).count() == 0, f"{where}: the page shows an exception"


def check_both(learners: list[Learner], action: str) -> None:
    first, second = learners
    check_learner(first, second, action)
    check_learner(second, first, action)


def test_two_sessions_stay_apart(page_factory) -> None:
    sine = Learner(
        name="Sine session",
        page=page_factory(),
        dataset_label="Sine: y = sin(x)",
        dataset_name="Sine",
        hidden_text="8",
        reference=TrainingSession(
            make_regression("sine", 60, 0.1, 0),
            NetworkSettings(hidden_sizes=(8,), seed=0),
            learning_rate=DEFAULT_LEARNING_RATE,
        ),
        shown_names=["W1[0,0]", "W1[1,0]", "W1[2,0]", "b1[0]", "W2[0,0]", "W2[0,1]", "W2[0,2]", "b2[0]"],
        # The Tiny session's W1[0,0] and b1[0] also belong to this network, so none is foreign.
    )
    tiny = Learner(
        name="Tiny session",
        page=page_factory(),
        dataset_label="Tiny: 4 points on y = 2x + 1",
        dataset_name="Tiny (4 examples)",
        hidden_text="",
        reference=TrainingSession(
            make_tiny(), NetworkSettings(hidden_sizes=(), seed=0), learning_rate=DEFAULT_LEARNING_RATE
        ),
        shown_names=["W1[0,0]", "b1[0]"],
        # Parameters of the Sine session's 1-8-1 network that a single neuron lacks.
        foreign_names=["W1[1,0]", "W2[0,0]", "b2[0]", "b1[1]"],
    )
    learners = [sine, tiny]

    # Both pages open at once, then each chooses its own data and network.
    for learner in learners:
        learner.page.goto("/")
    for learner in learners:
        wait_for_app(learner.page)
        wait_for_charts(learner.page, 3)

    choose_dataset(sine.page, sine.dataset_label)
    set_hidden_sizes(tiny.page, "")
    set_hidden_sizes(sine.page, "8")
    check_both(learners, "choosing the settings")

    # Interleaved training: each action moves one session and its reference by the same steps.
    plan = [
        (sine, "Step", 1),
        (tiny, "Step", 1),
        (tiny, "Step", 1),
        (sine, "Step ×100", 100),
        (tiny, "Step ×100", 100),
        (sine, "Step", 1),
        (tiny, "Step", 1),
    ]
    for learner, button, n_steps in plan:
        click_button(learner.page, button)
        if n_steps == 1:
            learner.reference.step()
        else:
            learner.reference.run(n_steps)
        check_both(learners, f"{learner.name} pressed {button}")

    # A rerun of each page draws what its server session now holds, not what it showed before.
    for learner in learners:
        learner.page.get_by_text("Log scale", exact=True).click()
        wait_for_rerun(learner.page)
        wait_for_charts(learner.page, 3)
    check_both(learners, "turning on the log scale in both")
