"""A RunReport as one self-contained HTML page: jinja2 for the page, plotly for the charts.

plotly.js is inlined once, with the first chart, so the file opens offline with no request
to the network; the later charts reuse it.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from services.charts import loss_figure
from services.report.content import RunReport

CHARTS = (("loss", "Training loss"), ("eval_loss", "Eval loss (held-out rows)"))
CHART_HEIGHT = 340
# No plotly logo link; the mode bar keeps zoom, pan and "download as png", which stay offline.
CHART_CONFIG = {"displaylogo": False, "responsive": True}

_environment = Environment(
    loader=PackageLoader("services.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def chart_html(report: RunReport) -> list[dict]:
    """[{"title", "html"}] per metric that has values; plotly.js goes with the first one."""
    charts: list[dict] = []
    label = report.job.display_name or report.job.id
    for metric, title in CHARTS:
        points = report.metrics.get(metric)
        if not points:
            continue
        figure = loss_figure({label: {metric: points}})
        figure.update_layout(height=CHART_HEIGHT, yaxis_title=metric, showlegend=False)
        html = figure.to_html(include_plotlyjs=not charts, full_html=False, config=CHART_CONFIG)
        charts.append({"title": title, "html": Markup(html)})  # noqa: S704 - plotly's own HTML
    return charts


def render_html(report: RunReport) -> str:
    return _environment.get_template("report.html.j2").render(
        report=report, job=report.job, charts=chart_html(report)
    )
