"""The cost guard: while endpoints hold resources, every page says so and offers to delete.

Azure endpoints bill by the hour until deleted (the guide's last step); local ones hold memory.
"""

from __future__ import annotations

import streamlit as st

from pages.shared.backend import current_backend
from pages.shared.errors import show_error
from pages.shared.listings import backend_key
from pages.shared.signin import is_operator
from services.backends.base import EndpointInfo
from services.config import studio_home
from services.errors import StudioError
from services.serving.display import holds_resources, price_text, uptime_text


@st.cache_data(ttl=20, show_spinner=False)
def _endpoints(key: str, home: str) -> list[EndpointInfo]:
    return current_backend().list_endpoints()


def active_endpoints() -> list[EndpointInfo]:
    """Endpoints that cost something now (cached briefly: this runs on every page)."""
    try:
        return [e for e in _endpoints(backend_key(), str(studio_home())) if holds_resources(e)]
    except StudioError:  # not connected (Azure): nothing to warn about yet
        return []


def refresh() -> None:
    """Call after deploying or deleting so the notice is current on the next run."""
    _endpoints.clear()


def render_cost_notice() -> None:
    endpoints = active_endpoints()
    if not endpoints:
        return
    prices = [e.hourly_price for e in endpoints if e.hourly_price is not None]
    total = f" · about ${sum(prices):.2f}/h" if prices else ""
    plural = "s" if len(endpoints) > 1 else ""
    st.warning(f"{len(endpoints)} endpoint{plural} running{total}", icon=":material/paid:")
    for endpoint in endpoints:
        text, delete = st.columns([3, 1], vertical_alignment="center")
        text.caption(
            f"`{endpoint.name}` · {endpoint.status} · {uptime_text(endpoint.started_at)} · "
            f"{price_text(endpoint)}"
        )
        if is_operator() and delete.button(
            "",
            key=f"cost_notice_delete_{endpoint.name}",
            icon=":material/delete:",
            help=f"Delete {endpoint.name}",
        ):
            try:
                with st.spinner(f"Deleting {endpoint.name}…"):
                    current_backend().delete_endpoint(endpoint.name)
            except StudioError as error:
                show_error(error, endpoint.name)
                return
            refresh()
            st.rerun()
