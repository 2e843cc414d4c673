"""Chat page: Chat with a deployed endpoint."""

import streamlit as st

st.title("Chat")
st.info("Chat with a deployed endpoint.")
