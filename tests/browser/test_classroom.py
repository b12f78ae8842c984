"""Classroom flows in a real browser: a copied link, a replay, and the presenter view."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .helpers import (
    DEFAULT_VIEWPORT,
    EXCEPTION_SELECTOR,
    WIDE_VIEWPORT,
    install_run_counter,
    screenshot,
    wait_for_app,
    wait_for_charts,
    wait_for_rerun,
)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
METRIC_VALUE = '[data-testid="stMetricValue"]'


@pytest.fixture
def clipboard_contexts(browser: Browser, app_url: str) -> Iterator[list[BrowserContext]]:
    """Two browser contexts, which share no cookies or storage, allowed to use the clipboard."""
    contexts = []
    for _ in range(2):
        context = browser.new_context(
            viewport=DEFAULT_VIEWPORT,
            base_url=app_url,
            permissions=["clipboard-read", "clipboard-write"],
            accept_downloads=True,
        )
        install_run_counter(context)
        contexts.append(context)
    yield contexts
    for context in contexts:
        context.close()


def open_share_panel(page: Page) -> None:
    page.get_by_role("button", name="Share and save").click()
    expect(page.get_by_text("Link to this setup")).to_be_visible(timeout=TIMEOUT_MS)


def close_share_panel(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_text("Link to this setup")).to_be_hidden(timeout=TIMEOUT_MS)


def copy_link(page: Page) -> str:
    """Copy the share panel's first link with its copy button and return the clipboard."""
    open_share_panel(page)
    code = page.locator('[data-testid="stCode"]').first
    code.hover()
    code.get_by_role("button", name="Copy to clipboard").click()
    link = page.evaluate("navigator.clipboard.readText()")
    close_share_panel(page)
    return link


def field(page: Page, key: str):
    """The input of the widget with the given key."""
    return page.locator(f".st-key-{key} input")


def set_number(page: Page, key: str, value: str) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(value)
    field.press("Enter")
    wait_for_rerun(page)


def train_ten_steps(page: Page) -> list[str]:
    """Make 10 steps with Step ×N and return the history CSV's cost column, as written."""
    set_number(page, "n_steps", "10")
    page.get_by_role("button", name="Step ×10", exact=True).click()
    expect(page.locator(METRIC_VALUE).first).to_have_text("10", timeout=TIMEOUT_MS)
    open_share_panel(page)
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name="History (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8")
    close_share_panel(page)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["step"] for row in rows] == [str(step) for step in range(11)]
    return [row["cost_before_step"] for row in rows[1:]]


def test_copied_link_same_costs(clipboard_contexts) -> None:
    teacher = clipboard_contexts[0].new_page()
    teacher.goto("/")
    wait_for_app(teacher)
    teacher.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
    teacher.get_by_role("option", name="Sine: y = sin(x)").click()
    wait_for_rerun(teacher)
    set_number(teacher, "seed", "11")
    set_number(teacher, "hidden_text", "5, 4")
    set_number(teacher, "lr_exact", "0.07")

    link = copy_link(teacher)
    for part in ("dataset=sine", "seed=11", "hidden=5,4", "lr=0.07"):
        assert part in link, link
    assert link.startswith("http://127.0.0.1:")

    student = clipboard_contexts[1].new_page()
    student.goto(link)
    wait_for_app(student)
    wait_for_charts(student, 4)
    assert field(student, "seed").input_value() == "11"
    assert field(student, "hidden_text").input_value() == "5,4"

    teacher_costs = train_ten_steps(teacher)
    student_costs = train_ten_steps(student)
    assert len(teacher_costs) == 10
    assert student_costs == teacher_costs, "the same link must give the same costs, digit for digit"
    for page in (teacher, student):
        assert page.locator(EXCEPTION_SELECTOR).count() == 0


def test_tampered_link_note(page: Page) -> None:
    page.goto("/?points=abc&lr=-1&hidden=" + ",".join(["9"] * 400) + "&colour=red")
    wait_for_app(page)
    wait_for_charts(page, 4)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="could not be used")
    expect(alert).to_be_visible(timeout=TIMEOUT_MS)
    for text in ("points value “abc”", "lr value “-1”", "hidden value", "“colour” is unknown"):
        expect(alert).to_contain_text(text)
    assert field(page, "hidden_text").input_value() == "3"
    assert page.locator(EXCEPTION_SELECTOR).count() == 0
    assert "colour" not in page.url
    screenshot(page, "train-tampered-link")


def test_student_link_hides_controls(page: Page) -> None:
    page.goto("/?seed=5&hidden=6&hide=data,network")
    wait_for_app(page)
    wait_for_charts(page, 4)
    expect(page.get_by_text("fixes the data and network settings")).to_be_visible()
    assert field(page, "hidden_text").count() == 0
    assert field(page, "seed").count() == 0
    expect(field(page, "lr_exact")).to_be_visible()
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(METRIC_VALUE).first).to_have_text("1", timeout=TIMEOUT_MS)
    screenshot(page, "train-student-link")


@pytest.mark.parametrize(("viewport", "name"), [(None, "1280x720"), (WIDE_VIEWPORT, "1920x1080")])
def test_presenter_view_screenshots(page_factory, viewport, name) -> None:
    page = page_factory(viewport=viewport or {"width": 1280, "height": 720})
    page.goto("/?presenter=1&dataset=sine&hidden=8")
    wait_for_app(page)
    wait_for_charts(page, 4)
    page.get_by_role("button", name="Step ×100", exact=True).click()
    expect(page.locator(METRIC_VALUE).first).to_have_text("100", timeout=TIMEOUT_MS)
    wait_for_charts(page, 4)
    # The presenter view enlarges the page's text: the root font is 21 px instead of 16.
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 21
    # The sidebar starts closed, so the charts have the screen.
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    assert page.locator(EXCEPTION_SELECTOR).count() == 0
    screenshot(page, f"presenter-{name}")
    page.locator('[data-testid="stPlotlyChart"]').first.scroll_into_view_if_needed()
    screenshot(page, f"presenter-{name}-charts")


REPLAY_SLIDER_POSITION = """
() => {
  const chart = document.querySelector('.st-key-replay_chart .js-plotly-plot');
  return chart && chart._fullLayout.sliders.length ? chart._fullLayout.sliders[0].active : null;
}
"""


def test_replay_plays_in_browser(page: Page) -> None:
    page.goto("/?dataset=sine&hidden=8")
    wait_for_app(page)
    page.get_by_role("button", name="Step ×100", exact=True).click()
    expect(page.locator(METRIC_VALUE).first).to_have_text("100", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Build the replay").click()
    chart = page.locator(".st-key-replay_chart .js-plotly-plot")
    expect(chart).to_be_visible(timeout=TIMEOUT_MS)
    chart.scroll_into_view_if_needed()
    page.wait_for_function(f"({REPLAY_SLIDER_POSITION})() === 0", timeout=TIMEOUT_MS)
    runs_before = page.evaluate("window.__backpropLabRuns")

    chart.locator(".updatemenu-button").filter(has_text="Play").click()
    page.wait_for_function(f"({REPLAY_SLIDER_POSITION})() >= 3", timeout=TIMEOUT_MS)
    first = page.evaluate(REPLAY_SLIDER_POSITION)
    page.wait_for_function(f"({REPLAY_SLIDER_POSITION})() > {first}", timeout=TIMEOUT_MS)
    chart.locator(".updatemenu-button").filter(has_text="Pause").click()
    screenshot(page, "train-replay-playing")
    # The frames play in the browser: the app's script did not run while they advanced.
    assert page.evaluate("window.__backpropLabRuns") == runs_before
    assert page.locator(EXCEPTION_SELECTOR).count() == 0


def test_first_visit_deep_link_with_switches(browser: Browser, fresh_app_url: str) -> None:
    # The first session of a fresh server that opens a page's URL is sent through app.py once,
    # and the link's switches and notes must survive that detour.
    context = browser.new_context(viewport=DEFAULT_VIEWPORT, base_url=fresh_app_url)
    install_run_counter(context)
    try:
        page = context.new_page()
        page.goto("/inside?presenter=1&colour=red")
        wait_for_app(page)
        wait_for_charts(page, 1)
        assert page.locator(EXCEPTION_SELECTOR).count() == 0
        expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("Inside a step")
        expect(page.get_by_text("“colour” is unknown")).to_be_visible(timeout=TIMEOUT_MS)
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 21
    finally:
        context.close()
