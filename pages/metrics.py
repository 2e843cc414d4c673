"""Metrics page: Training and eval loss from MLflow."""

import streamlit as st

st.title("Metrics")
st.info("Training and eval loss from MLflow.")
