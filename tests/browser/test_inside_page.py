"""The Inside a step page in a real browser: picking a weight, and the projector-sized view."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .helpers import EXCEPTION_SELECTOR, screenshot, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
PARAMETER_SELECT = '[data-testid="stSelectbox"]:has-text("Parameter")'


def parameter_box(page: Page):
    return page.get_by_role("combobox", name="Parameter (or click a weight or a neuron in the diagram)")


def scroll_main_to(page: Page, selector: str) -> None:
    page.locator(selector).first.scroll_into_view_if_needed()


def test_pick_weight_and_step(page_factory) -> None:
    page: Page = page_factory(viewport={"width": 1280, "height": 720})
    page.goto("/inside")
    wait_for_app(page)
    wait_for_charts(page, 1)
    # Without a trained network, the page starts with the 1-2-1 worked example.
    expect(page.get_by_text("starts with a worked example")).to_be_visible()
    # Opened directly, even as a fresh server's first session, the page has the app's menu.
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("Inside a step")
    expect(page.locator('[data-testid="stSidebarNav"]')).not_to_contain_text("app")

    box = parameter_box(page)
    box.click()
    box.fill("W2[0,1]")
    box.press("Enter")
    expect(parameter_box(page)).to_have_value("W2[0,1]", timeout=TIMEOUT_MS)
    # W2[0,1] = 0.4 with ∂C/∂W2[0,1] = 3.446796443 at η = 0.05 gives 0.4 − 0.1723398221.
    expect(page.locator(".katex").filter(has_text="0.2276601779").first).to_be_attached(timeout=TIMEOUT_MS)

    assert page.locator(".katex-error").count() == 0, "a formula failed to render"

    scroll_main_to(page, '[data-testid="stPlotlyChart"]')
    page.wait_for_timeout(500)
    assert page.locator(EXCEPTION_SELECTOR).count() == 0
    screenshot(page, "inside-w2-01-1280x720")


def test_click_edge_selects_weight(page: Page) -> None:
    page.goto("/inside")
    wait_for_app(page)
    wait_for_charts(page, 1)
    expect(parameter_box(page)).to_have_value("W1[0,0]")

    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    # The edge midpoints are one scatter trace whose points carry the weight names. Hover
    # text lists the name, so find the point of W1[1,0] by hovering each point in turn.
    points = chart.locator(".scatterlayer .trace .points path")
    selected = None
    for index in range(points.count()):
        point = points.nth(index)
        point.hover(force=True)
        page.wait_for_timeout(150)
        hover_text = page.locator(".hoverlayer").text_content(timeout=2_000) or ""
        if "W1[1,0]" in hover_text:
            selected = point
            break
    assert selected is not None, "no diagram point shows W1[1,0] on hover"
    selected.click(force=True)
    expect(parameter_box(page)).to_have_value("W1[1,0]", timeout=TIMEOUT_MS)
