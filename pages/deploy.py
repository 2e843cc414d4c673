"""Deploy page: Register a finished job and deploy it as an endpoint."""

import streamlit as st

st.title("Deploy")
st.info("Register a finished job and deploy it as an endpoint.")
