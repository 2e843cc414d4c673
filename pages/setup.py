"""Setup page: The wizard: connect → model → compute → data → parameters → review."""

import streamlit as st

st.title("Setup")
st.info("The wizard: connect → model → compute → data → parameters → review.")
