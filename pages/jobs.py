"""Jobs page: Fine-tuning jobs with live logs."""

import streamlit as st

st.title("Jobs")
st.info("Fine-tuning jobs with live logs.")
