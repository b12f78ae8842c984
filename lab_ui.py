"""Streamlit helpers shared by the pages. The only module besides the pages that imports Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

PAGE_FILES = {"train": "pages/train.py", "inside": "pages/inside.py"}


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
