"""Streamlit helpers shared by the pages. The only module besides the pages that imports Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from backprop_core.config import CustomSetup, example_setup
from backprop_core.datasets import Dataset
from backprop_core.session import TrainingSession

PAGE_FILES = {
    "train": "pages/train.py",
    "inside": "pages/inside.py",
    "landscape": "pages/landscape.py",
    "learning_rate": "pages/learning_rate.py",
}


def require_entry_point(page: str) -> None:
    """Restart through app.py when Streamlit ran this page file on its own.

    Until a server has run ``st.navigation`` once, Streamlit 1.67 treats the ``pages/``
    folder as an old-style multipage app: the first session that opens a page's URL directly
    runs that file alone, without app.py's page setup and menu. The page then requests that app.py
    open it, which `open_requested_page` does once the navigation exists.
    """
    if st.session_state.get("navigation_ready"):
        return
    st.session_state.requested_page = (page, dict(st.query_params))
    st.switch_page("app.py")


def open_requested_page(pages: dict) -> None:
    """Mark the navigation as set up and open a page that asked for it, see `require_entry_point`."""
    st.session_state.navigation_ready = True
    requested = st.session_state.pop("requested_page", None)
    if requested is not None:
        page, query = requested
        st.switch_page(pages[page], query_params=query)


def plotly_config(filename: str) -> dict:
    """Plotly options: PNG export named for the chart, at a size fit for slides."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": 1600,
            "height": 900,
            "scale": 1,
        },
    }


def show_figure(figure: go.Figure, key: str, filename: str) -> None:
    """Draw a Plotly figure across the container's width."""
    st.plotly_chart(figure, key=key, width="stretch", config=plotly_config(filename))


def initialize_state(defaults: dict) -> None:
    """Set each key of ``defaults`` in session state unless the session already has it."""
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def custom_dataset(setup: CustomSetup) -> Dataset:
    return Dataset(
        name="Your own data",
        X=setup.X,
        y=setup.y,
        feature_names=setup.feature_names,
        target_names=setup.target_names,
        description=f"{setup.X.shape[0]} examples typed in or loaded from a setup file.",
    )


def start_custom(setup: CustomSetup) -> None:
    """Replace the session with one that trains ``setup``'s network on its data."""
    lab = TrainingSession.from_custom(
        custom_dataset(setup), setup.network, setup.learning_rate, setup.batch_size
    )
    st.session_state.lab = lab
    # The Train page adopts this session as it is until a sidebar setting changes.
    st.session_state.lab_key = "custom"
    st.session_state.playing = False
    st.session_state.lr_exact = setup.learning_rate
    st.session_state.pop("inside_parameter", None)


def current_lab() -> TrainingSession:
    """Return the session's training run, starting the 1-2-1 worked example if there is none."""
    if st.session_state.get("lab") is None:
        start_custom(example_setup())
        st.info(
            "No network has been trained in this session yet, so the page starts with a worked "
            "example: a 1-2-1 tanh network on x = 0…3, y = 2x + 1. Choose other data and "
            "networks on the Train page."
        )
    return st.session_state.lab
