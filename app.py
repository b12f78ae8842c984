"""Backprop Lab: the Streamlit entry point. Run with `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/train.py", title="Train", icon=":material/show_chart:", url_path="train", default=True),
        st.Page("pages/inside.py", title="Inside a step", icon=":material/search:", url_path="inside"),
    ]
)
navigation.run()
