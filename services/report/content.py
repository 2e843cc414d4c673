"""What a run report says, gathered once: the job, its parameters, data, metrics, scorecard,
estimate against actual, who started it and which of its endpoints still run.

Every part but the job itself is optional: a part that cannot be read (an Azure job has no
local record, a deleted data file) is left out, and the report says what is missing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services import config
from services.backends.base import Backend, EndpointInfo, JobInfo
from services.errors import StudioError
from services.job_display import duration, format_duration, format_time, progress
from services.params import AZURE_DEFAULTS, GUIDE_DEFAULTS, LOCAL_DEFAULTS, coerce

logger = logging.getLogger(__name__)

# Parameters the job's setup gives (not fine-tune parameters with defaults).
SETUP_PARAMS = ("model_id", "train_file", "test_file", "compute", "gpus")


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    origin: str  # where the value came from, as far as the record tells


@dataclass(frozen=True)
class Split:
    name: str  # "train" or "test"
    path: str
    rows: int | None  # None: the file cannot be read any more


@dataclass(frozen=True)
class RunReport:
    job: JobInfo
    backend: str
    generated_at: float
    started_by: str
    parameters: list[Parameter]
    splits: list[Split]
    metrics: dict[str, list[tuple[int, float]]]
    estimate_lines: list[str] = field(default_factory=list)
    evaluation: dict[str, Any] | None = None  # verdict, comparator, rows, scorecard rows
    endpoints: list[EndpointInfo] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)  # "name:version" from this job

    @property
    def running(self) -> bool:
        return not self.job.is_terminal

    @property
    def duration(self) -> str:
        return format_duration(duration(self.job, self.generated_at)) or "unknown"

    @property
    def progress(self) -> str:
        shown = progress(self.job)
        return shown[1] if shown else ""

    @property
    def started(self) -> str:
        return format_time(self.job.started_at) or "unknown"

    @property
    def generated(self) -> str:
        return format_time(self.generated_at)


def build_report(backend: Backend, job_id: str) -> RunReport:
    """Everything the report shows; raises the backend's error for an unknown job."""
    job = backend.get_job(job_id)
    params = backend.get_params(job_id)
    from services.security.audit import started_by

    return RunReport(
        job=job,
        backend=backend.name,
        generated_at=time.time(),
        started_by=started_by("submit").get(job_id, "unknown (before the audit log)"),
        parameters=parameters(params, backend.name),
        splits=splits(params),
        metrics=backend.get_metrics(job_id),
        estimate_lines=estimate_lines(job),
        evaluation=evaluation(job_id) if backend.name == "local" else None,
        **endpoints(backend, job_id),
    )


def parameters(params: dict[str, str], backend: str) -> list[Parameter]:
    """Every parameter of the run, setup first, each with where its value came from.

    The record keeps values, not sources: a value equal to a default is taken to come from
    that default, any other from the job's setup (the user or the model's defaults).
    """
    backend_defaults = LOCAL_DEFAULTS if backend == "local" else AZURE_DEFAULTS
    rows = []
    for name in sorted(params, key=lambda n: (n not in SETUP_PARAMS, n)):
        value = params[name]
        if name in SETUP_PARAMS:
            origin = "job setup"
        elif _same(name, value, backend_defaults):
            origin = f"{backend} default"
        elif name not in backend_defaults and _same(name, value, GUIDE_DEFAULTS):
            origin = "guide default"
        else:
            origin = "set for this job"
        rows.append(Parameter(name, value, origin))
    return rows


def _same(name: str, value: str, defaults: dict) -> bool:
    if name not in defaults:
        return False
    try:
        return coerce(name, value) == coerce(name, defaults[name])
    except ValueError:
        return str(value) == str(defaults[name])


def splits(params: dict[str, str]) -> list[Split]:
    """Row counts of the training and test files, when they are on this machine."""
    from services.data import open_dataset

    found = []
    for name, key in (("train", "train_file"), ("test", "test_file")):
        path = params.get(key, "")
        if not path or not Path(path).is_file():
            continue
        try:
            rows: int | None = open_dataset(path).row_count
        except (StudioError, OSError, ValueError) as error:
            logger.info("report: %s unreadable: %s", path, error)
            rows = None
        found.append(Split(name, path, rows))
    return found


def estimate_lines(job: JobInfo) -> list[str]:
    """The pre-flight estimate against the actual run, or the estimate alone while it runs."""
    from services.training import job_record
    from services.training.estimate import Estimate, check_estimate

    if job.status == "finished" and (check := check_estimate(job.id)):
        return [check.line(), *check.estimate.lines()]
    try:
        record = job_record.load(config.jobs_dir() / job.id)
    except (StudioError, OSError):
        return []
    return Estimate.from_dict(record.estimate).lines() if record.estimate else []


def evaluation(job_id: str) -> dict[str, Any] | None:
    """The newest finished evaluation's scorecard, or None."""
    from services.evaluation.display import scorecard_rows
    from services.evaluation.evaluations import list_evaluations

    try:
        finished = [e for e in list_evaluations(job_id) if e.status == "finished" and e.scorecard]
    except (StudioError, OSError) as error:
        logger.info("report: no evaluations for %s: %s", job_id, error)
        return None
    if not finished:
        return None
    newest = finished[0]
    return {
        "verdict": newest.verdict,
        "comparator": newest.comparator,
        "rows": newest.rows,
        "when": format_time(newest.ended_at or newest.created_at),
        "table": scorecard_rows(newest.scorecard),
    }


def endpoints(backend: Backend, job_id: str) -> dict[str, list]:
    """The versions registered from this job, and their endpoints that have not stopped."""
    try:
        versions = {
            (m.name, m.version) for m in backend.list_registered_models() if m.source_job == job_id
        }
        running = [
            e
            for e in backend.list_endpoints()
            # a stopped or failed endpoint no longer bills; any other may
            if (e.model_name, e.model_version) in versions and not e.status.is_down
        ]
    except StudioError as error:
        logger.info("report: endpoints unreadable: %s", error)
        return {"registered": [], "endpoints": []}
    return {"registered": sorted(f"{n}:{v}" for n, v in versions), "endpoints": running}
