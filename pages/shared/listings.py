"""Cached listings from the active backend (models, computes). Job status is never cached."""

from __future__ import annotations

import streamlit as st

from pages.shared.backend import connection, current_backend
from services.backends.base import ComputeInfo, ModelInfo


def backend_key() -> str:
    """Identifies the active backend and its connection, for cache keys."""
    return ":".join(connection())


@st.cache_data(ttl=300, show_spinner="Listing models…")
def _models(key: str) -> list[ModelInfo]:
    return current_backend().list_models()


@st.cache_data(ttl=300, show_spinner="Listing compute…")
def _computes(key: str) -> list[ComputeInfo]:
    return current_backend().list_computes()


def list_models() -> list[ModelInfo]:
    return _models(backend_key())


def list_computes() -> list[ComputeInfo]:
    return _computes(backend_key())


def clear() -> None:
    _models.clear()
    _computes.clear()
