"""Backprop Lab: the Streamlit entry point. Run with `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")

navigation = st.navigation(
    [st.Page("pages/train.py", title="Train", icon="📉", url_path="train", default=True)]
)
navigation.run()
