"""Plotly figures of dataset statistics (built here so tests can check them directly)."""

from __future__ import annotations

import plotly.graph_objects as go

from services.data.report import DatasetStats

MAX_LINE_NAME = "max_seq_length"


def turns_histogram(stats: DatasetStats) -> go.Figure:
    """How many conversations have how many turns (messages other than system)."""
    figure = go.Figure(go.Histogram(x=list(stats.turns), name="conversations"))
    figure.update_layout(
        title="Turns per conversation",
        xaxis_title="turns",
        yaxis_title="conversations",
        bargap=0.05,
        height=320,
        margin={"t": 40, "b": 40},
    )
    return figure


def tokens_histogram(stats: DatasetStats, max_seq_length: int) -> go.Figure:
    """Tokens per conversation, with a vertical line where training truncates."""
    title = "Tokens per conversation" + (" (estimated)" if stats.tokens_approximate else "")
    figure = go.Figure(go.Histogram(x=list(stats.tokens), nbinsx=50, name="conversations"))
    share = stats.share_longer_than(max_seq_length)
    figure.add_vline(
        x=max_seq_length,
        line_dash="dash",
        line_color="crimson",
        name=MAX_LINE_NAME,
        annotation_text=f"max_seq_length {max_seq_length} ({share:.0%} longer)",
        annotation_position="top right",
    )
    figure.update_layout(
        title=title,
        xaxis_title="tokens",
        yaxis_title="conversations",
        bargap=0.05,
        height=320,
        margin={"t": 40, "b": 40},
    )
    return figure
