"""Smoke test of the browser fixtures: the app starts, connects and shows no error."""

import pytest
from playwright.sync_api import Page

from .helpers import APP_SELECTOR, EXCEPTION_SELECTOR, screenshot, wait_for_app


@pytest.mark.browser
def test_app_loads_without_exception(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app(page)

    app = page.locator(APP_SELECTOR)
    assert app.get_attribute("data-test-connection-state") == "CONNECTED", "app is not connected"
    exception_count = page.locator(EXCEPTION_SELECTOR).count()
    assert exception_count == 0, f"app shows {exception_count} exception box(es)"

    path = screenshot(page, "smoke-app-loaded")
    assert path.stat().st_size > 0, f"screenshot {path} is empty"
