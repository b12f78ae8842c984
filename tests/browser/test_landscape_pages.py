"""The Cost landscape and Learning-rate lab pages in a real browser, at projector size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .helpers import EXCEPTION_SELECTOR, screenshot, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
TIMEOUT_MS = 30_000


def test_landscape_page_draws_both_charts(page_factory) -> None:
    page: Page = page_factory(viewport=PROJECTOR)
    page.goto("/landscape")
    wait_for_app(page)
    wait_for_charts(page, 2)
    assert page.locator(EXCEPTION_SELECTOR).count() == 0

    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_text("Step 1 ·")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_charts(page, 2)
    page.locator('[data-testid="stPlotlyChart"]').first.scroll_into_view_if_needed()
    screenshot(page, "landscape-slice-1280x720")
    page.locator('[data-testid="stPlotlyChart"]').nth(1).scroll_into_view_if_needed()
    screenshot(page, "landscape-contour-1280x720")


def test_learning_rate_lab_draws_comparison(page_factory) -> None:
    page: Page = page_factory(viewport=PROJECTOR)
    page.goto("/learning_rate")
    wait_for_app(page)
    wait_for_charts(page, 2)
    expect(page.get_by_text("Largest Hessian eigenvalue λ")).to_be_visible()
    assert page.locator(EXCEPTION_SELECTOR).count() == 0
    screenshot(page, "learning-rate-lab-1280x720")

    page.get_by_role("button", name="Run the sweep").click()
    wait_for_charts(page, 3)
    page.locator('[data-testid="stPlotlyChart"]').nth(2).scroll_into_view_if_needed()
    screenshot(page, "learning-rate-sweep-1280x720")
