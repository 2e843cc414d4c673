"""Fine-Tune Studio: frames the app and routes to the pages, in the order of the flow."""

import streamlit as st

from pages.shared.sidebar import render_sidebar

st.set_page_config(page_title="Fine-Tune Studio", page_icon=":material/tune:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/setup.py", title="Setup", icon=":material/tune:", default=True),
        st.Page("pages/dataset.py", title="Dataset", icon=":material/forum:"),
        st.Page("pages/jobs.py", title="Jobs", icon=":material/terminal:"),
        st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
        st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:"),
        st.Page("pages/deploy.py", title="Deploy", icon=":material/rocket_launch:"),
        st.Page("pages/chat.py", title="Chat", icon=":material/chat:"),
        st.Page("pages/demo.py", title="Demo", icon=":material/play_circle:"),
    ]
)
render_sidebar()
navigation.run()
