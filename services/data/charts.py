"""Plotly figures of dataset statistics (built here so tests can check them directly).

Counts are binned here, so a figure of 200k conversations sends ~50 bars to the browser,
not 200k points.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import plotly.graph_objects as go

from services.data.report import DatasetStats

MAX_LINE_NAME = "max_seq_length"
TOKEN_BINS = 50


def turns_histogram(stats: DatasetStats) -> go.Figure:
    """How many conversations have how many turns (messages other than system)."""
    counts = sorted(Counter(stats.turns).items())
    figure = go.Figure(
        go.Bar(x=[turns for turns, _ in counts], y=[n for _, n in counts], name="conversations")
    )
    _layout(figure, "Turns per conversation", "turns")
    figure.update_xaxes(dtick=1)
    return figure


def tokens_histogram(stats: DatasetStats, max_seq_length: int) -> go.Figure:
    """Tokens per conversation, with a vertical line where training truncates."""
    counts, edges = np.histogram(np.asarray(stats.tokens or (0,)), bins=TOKEN_BINS)
    figure = go.Figure(
        go.Bar(
            x=((edges[:-1] + edges[1:]) / 2).tolist(),
            y=counts.tolist(),
            width=float(edges[1] - edges[0]),
            name="conversations",
        )
    )
    share = stats.share_longer_than(max_seq_length)
    figure.add_vline(
        x=max_seq_length,
        line_dash="dash",
        line_color="crimson",
        name=MAX_LINE_NAME,
        annotation_text=f"max_seq_length {max_seq_length} ({share:.0%} longer)",
        annotation_position="top left",
    )
    if stats.tokens_approximate:
        note = " (estimated)"
    elif stats.tokens_sampled:
        note = f" (random sample of {len(stats.tokens):,})"
    else:
        note = " (exact, every row)"
    _layout(figure, f"Tokens per conversation{note}", "tokens")
    return figure


def _layout(figure: go.Figure, title: str, x_title: str) -> None:
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title="conversations",
        bargap=0.05,
        height=320,
        margin={"t": 40, "b": 40},
    )
