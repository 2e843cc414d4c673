"""The evaluation's error type (a StudioError: it carries what to do next)."""

from __future__ import annotations

from services.errors import StudioError


class EvaluationError(StudioError):
    """An evaluation cannot start, be found or be cancelled."""
