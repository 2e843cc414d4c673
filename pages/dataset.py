"""Dataset page: Pick a conversation dataset, preview it as chat, check its quality."""

import streamlit as st

st.title("Dataset")
st.info("Pick a conversation dataset, preview it as chat, check its quality.")
