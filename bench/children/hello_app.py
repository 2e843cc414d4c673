"""The floor the app part compares against: the smallest Streamlit app there is."""

import streamlit as st

st.title("Hello")
