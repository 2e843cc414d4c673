"""Figures and tables for the Metrics page: loss curves of one or several runs, params diff.

Inputs are what Backend.get_metrics / get_params return, so Azure and local runs chart alike.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

LOSS_METRICS = ("loss", "eval_loss")
PALETTE = pio.templates["plotly"].layout.colorway


def smooth(values: list[float], weight: float) -> list[float]:
    """Exponential moving average with TensorBoard's start-up correction.

    weight 0 leaves the values as they are; 0.9 averages over roughly the last 10 points.
    The correction keeps the first points from being pulled toward zero.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"smoothing weight must be in [0, 1), not {weight}")
    smoothed, average = [], 0.0
    for count, value in enumerate(values, start=1):
        average = average * weight + (1 - weight) * value
        smoothed.append(average / (1 - weight**count))
    return smoothed


def loss_figure(
    runs: dict[str, dict[str, list[tuple[int, float]]]],
    *,
    smoothing: float = 0.0,
    log_scale: bool = False,
) -> go.Figure:
    """`loss` (smoothed, raw values faint behind) and `eval_loss` against step, per run.

    `runs` maps a label to the run's metric histories. A run has one colour; eval loss is
    dashed with markers, since it is measured only every eval_steps.
    """
    figure = go.Figure()
    for index, (label, metrics) in enumerate(runs.items()):
        colour = PALETTE[index % len(PALETTE)]
        loss = metrics.get("loss", [])
        if loss:
            steps, values = zip(*loss, strict=True)
            if smoothing > 0:
                figure.add_trace(
                    go.Scatter(
                        x=steps,
                        y=values,
                        mode="lines",
                        line={"color": colour, "width": 1},
                        opacity=0.25,
                        name=f"{label} · loss (raw)",
                        showlegend=False,
                        hoverinfo="skip",
                    )
                )
            figure.add_trace(
                go.Scatter(
                    x=steps,
                    y=smooth(list(values), smoothing),
                    mode="lines",
                    line={"color": colour},
                    name=f"{label} · loss",
                )
            )
        eval_loss = metrics.get("eval_loss", [])
        if eval_loss:
            steps, values = zip(*eval_loss, strict=True)
            figure.add_trace(
                go.Scatter(
                    x=steps,
                    y=values,
                    mode="lines+markers",
                    line={"color": colour, "dash": "dash"},
                    name=f"{label} · eval_loss",
                )
            )
    figure.update_layout(
        xaxis_title="step",
        yaxis_title="loss",
        yaxis_type="log" if log_scale else "linear",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hovermode="x unified",
    )
    return figure


def params_diff(params_by_run: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The parameters whose values differ between runs: one row each, one column per run.

    With a single run, every parameter is shown. A missing parameter reads as "".
    """
    names = sorted({name for params in params_by_run.values() for name in params})
    rows = {}
    for name in names:
        values = [str(params.get(name, "")) for params in params_by_run.values()]
        if len(params_by_run) == 1 or len(set(values)) > 1:
            rows[name] = values
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(params_by_run))
    frame.index.name = "parameter"
    return frame


def latest_values(metrics: dict[str, list[tuple[int, float]]]) -> dict[str, float]:
    """The last logged value of each metric."""
    return {name: points[-1][1] for name, points in metrics.items() if points}
