"""Backprop Lab: the Streamlit entry point. Run with `streamlit run app.py`."""

import streamlit as st

from lab_ui import PAGE_FILES, open_requested_page

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")

pages = {
    "train": st.Page(PAGE_FILES["train"], title="Train", icon=":material/show_chart:", url_path="train", default=True),
    "inside": st.Page(PAGE_FILES["inside"], title="Inside a step", icon=":material/search:", url_path="inside"),
}
navigation = st.navigation(list(pages.values()))
open_requested_page(pages)
navigation.run()
