"""The run report: one self-contained HTML file about one job, for a stakeholder.

content.py   gathers what the report says from the backend and the job's files
render.py    turns it into HTML (jinja2 template, plotly charts with plotly.js inlined)
templates/   the page, with its print stylesheet
"""

from services.report.content import RunReport, build_report
from services.report.render import render_html


def report_html(backend, job_id: str) -> str:
    """The job's report as one HTML page that needs no network to open."""
    return render_html(build_report(backend, job_id))


__all__ = ["RunReport", "build_report", "render_html", "report_html"]
