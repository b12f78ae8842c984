"""Settings shared by every test: Hypothesis profiles and repository paths."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parents[1]

# No per-example deadline: Hypothesis's default of 200 ms would make results
# depend on how busy the machine is. The "ci" profile also draws the same
# examples on every run, so a CI failure reproduces locally with
# `--hypothesis-profile=ci`.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """Absolute path of the repository root, for example to find app.py."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """The test-artifacts/ folder for screenshots and logs, created if missing."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
