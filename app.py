"""Backprop Lab: the Streamlit entry point. Run with `streamlit run app.py`."""

import streamlit as st

from lab_ui import (
    PAGE_FILES,
    classroom_switches,
    open_requested_page,
    read_link_once,
    show_link_notes,
    wants_presenter_view,
)

st.set_page_config(
    page_title="Backprop Lab",
    page_icon="🧮",
    layout="wide",
    # The presenter view starts with the sidebar closed, so the charts get the whole screen.
    initial_sidebar_state="collapsed" if wants_presenter_view() else "auto",
)

pages = {
    "train": st.Page(PAGE_FILES["train"], title="Train", icon=":material/show_chart:", url_path="train", default=True),
    "inside": st.Page(PAGE_FILES["inside"], title="Inside a step", icon=":material/search:", url_path="inside"),
    "landscape": st.Page(PAGE_FILES["landscape"], title="Cost landscape", icon=":material/landscape:", url_path="landscape"),
    "learning_rate": st.Page(
        PAGE_FILES["learning_rate"], title="Learning-rate lab", icon=":material/speed:", url_path="learning_rate"
    ),
}
navigation = st.navigation(list(pages.values()))
read_link_once()
classroom_switches()
open_requested_page(pages)
show_link_notes()
navigation.run()
