"""Fine-Tune Studio: frames the app and routes to the pages, in the order of the flow."""

import streamlit as st

from pages.shared.errors import errors_shown
from pages.shared.exposure import refuse_unless_safe
from pages.shared.preload import start_preload
from pages.shared.sidebar import render_sidebar
from pages.shared.signin import require_sign_in
from services.security.audit import acting_as

refuse_unless_safe()  # a non-loopback address needs sign-in or STUDIO_TRUSTED_NETWORK=1
st.set_page_config(page_title="Fine-Tune Studio", page_icon=":material/tune:", layout="wide")
caller = require_sign_in()  # with [auth] in secrets.toml: the sign-in screen until signed in

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
# The audit log names the signed-in person for whatever this run does (audit.acting_as).
with acting_as(caller.actor):
    render_sidebar(caller)
    try:
        with errors_shown():  # an error no page handled: shown and logged, the session kept
            navigation.run()
    finally:  # also when the page stops or reruns: the page has drawn what it had to
        start_preload()
