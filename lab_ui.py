"""Streamlit helpers shared by the pages. The only module besides the pages that imports Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


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
