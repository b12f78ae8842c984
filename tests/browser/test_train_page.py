"""The Train page in a real browser: stepping, uploading a CSV, playing, and bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import EXCEPTION_SELECTOR, screenshot, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser

METRIC_VALUE = '[data-testid="stMetricValue"]'
TIMEOUT_MS = 30_000


def step_counter(page: Page):
    """The value of the "Step" metric, the first metric on the page."""
    return page.locator(METRIC_VALUE).first


def click_button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def choose_dataset(page: Page, label: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
    page.get_by_role("option", name=label).click()


def write_csv(path: Path, n_rows: int) -> Path:
    # y = 2 x1 − x2 + 3 on a small grid: two inputs, one target.
    lines = ["x1,x2,y"]
    for i in range(n_rows):
        x1, x2 = i / 10, (i % 7) / 3
        lines.append(f"{x1:.3f},{x2:.3f},{2 * x1 - x2 + 3:.3f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_step_upload_and_train(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    wait_for_app(page)
    wait_for_charts(page, 4)
    expect(step_counter(page)).to_have_text("0")

    for expected in ("1", "2", "3"):
        click_button(page, "Step")
        expect(step_counter(page)).to_have_text(expected, timeout=TIMEOUT_MS)
    wait_for_charts(page, 4)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(4, timeout=TIMEOUT_MS)
    screenshot(page, "train-after-three-steps", full_page=True)

    choose_dataset(page, "Upload a CSV file…")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        write_csv(tmp_path / "plane.csv", 60)
    )
    # A new dataset resets the network to step 0 and the page states it.
    expect(page.get_by_text("training restarted at step 0")).to_be_visible(timeout=TIMEOUT_MS)
    expect(step_counter(page)).to_have_text("0")

    click_button(page, "Step ×100")
    expect(step_counter(page)).to_have_text("100", timeout=TIMEOUT_MS)
    wait_for_charts(page, 4)
    assert page.locator(EXCEPTION_SELECTOR).count() == 0
    screenshot(page, "train-csv-after-100-steps", full_page=True)


PLAYER_FRAME = "live_player"


def player(page: Page):
    """The live player's frame, once Play has drawn it."""
    page.wait_for_selector('iframe[src*="live_player"]', timeout=TIMEOUT_MS)
    for _ in range(100):
        for frame in page.frames:
            if PLAYER_FRAME in frame.url and frame.evaluate("typeof window.__backpropLabFramesDrawn") == "number":
                return frame
        page.wait_for_timeout(100)
    raise AssertionError("the live player did not load")


def test_play_animates_in_the_browser_then_pauses(page: Page) -> None:
    page.goto("/")
    wait_for_app(page)

    click_button(page, "Play")
    frame = player(page)
    frame.wait_for_function("window.__backpropLabFramesDrawn >= 2", timeout=TIMEOUT_MS)
    runs_before = page.evaluate("window.__backpropLabRuns")
    drawn_before = frame.evaluate("window.__backpropLabFramesDrawn")
    page.wait_for_timeout(4000)
    drawn = frame.evaluate("window.__backpropLabFramesDrawn") - drawn_before
    runs = page.evaluate("window.__backpropLabRuns") - runs_before
    # One server run trains a batch of 16 frames, so the browser draws many frames per run.
    assert drawn >= 12, f"only {drawn} frames in 4 s"
    assert runs <= drawn / 4, f"{runs} server runs for {drawn} frames"
    expect(frame.locator("#step")).not_to_have_text("0")
    screenshot(page, "train-playing")

    click_button(page, "Pause")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_charts(page, 4)
    paused_at = step_counter(page).inner_text()
    assert re.fullmatch(r"[1-9][\d,]*", paused_at), paused_at
    page.wait_for_timeout(1500)
    assert step_counter(page).inner_text() == paused_at, "once paused, the counter stops moving"


def test_oversized_upload_is_rejected(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    wait_for_app(page)
    click_button(page, "Step")
    expect(step_counter(page)).to_have_text("1", timeout=TIMEOUT_MS)

    choose_dataset(page, "Upload a CSV file…")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x,y\n" + b"1.000000,2.000000\n" * 330_000)  # about 5.9 MB
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(big)

    # The page, not only the uploader's icon, states what is wrong and what to do.
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="over the limit of 5,000,000 bytes")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    # The network trained before the upload is still there.
    expect(step_counter(page)).to_have_text("1")
    assert page.locator(EXCEPTION_SELECTOR).count() == 0
    screenshot(page, "train-oversized-upload", full_page=True)
