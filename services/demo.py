"""The stakeholder demo: demo data → a short fine-tune of the bundled model → a chat endpoint,
with a small evaluation against the base model whose verdict the demo ends on.

`run_demo()` is a generator of DemoEvent: the CLI prints them, the Demo page draws them as
st.status boxes, so both show the same stages with the same words. It uses the local backend
and the bundled SmolLM2 (offline, one machine); a run takes a few minutes on two CPU cores,
most of it converting the bundled model once and loading it twice (training, serving).

The evaluation starts as soon as training ends and runs (a detached worker) while the model is
registered and deployed, so the verdict costs the demo little more than the deploy itself; its
stage comes last and its closing event carries both the verdict and the endpoint to chat with.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from services import config, processes
from services.atomic_files import read_json, write_json
from services.backends import create_backend
from services.backends.base import Backend, JobInfo, ModelInfo
from services.errors import JobError
from services.evaluation import evaluations
from services.evaluation.display import progress_text
from services.evaluation.evaluations import EvaluationInfo
from services.job_display import format_duration, progress
from services.params import resolve_params
from services.security.audit import actor_env
from services.security.roles import Caller, require_operator
from services.wizard import build_job_spec

logger = logging.getLogger(__name__)


DEMO_MODEL_ID = "SmolLM2-135M-Instruct"
MODEL_ENV = "STUDIO_DEMO_MODEL"  # another model id for the demo (the browser tests' tiny model)
# Small enough to finish in about a minute on CPU, long enough to log a loss curve and
# two evaluations.
DEMO_MAX_STEPS = 8
DEMO_PARAMS = {
    "max_steps": DEMO_MAX_STEPS,
    # Each step learns from 4 conversations, not 1: 8 single-conversation steps left the
    # model where it was, and the evaluation's ROUGE-L moved either way by chance (ultrachat,
    # 50 rows: -0.002); 32 conversations lower perplexity further and keep ROUGE-L (+0.000).
    "gradient_accumulation_steps": 4,
    "eval_steps": 4,
    "max_seq_length": 256,
    "learning_rate": 2e-4,
    "lr_scheduler_type": "linear",
}
TRAIN_TIMEOUT_S = 1800.0
# A small evaluation keeps the demo short: 8 held-out rows, 64 new tokens per reply.
DEMO_EVAL_ROWS = 8
DEMO_EVAL_MAX_NEW_TOKENS = 64
EVAL_TIMEOUT_S = 900.0

# (stage id, what a person reads), in order.
STAGES = (
    ("data", "Prepare the demo data"),
    ("train", "Fine-tune the model briefly"),
    ("register", "Register the fine-tuned model"),
    ("deploy", "Deploy it as a chat endpoint"),
    ("evaluate", "Evaluate it against the base model"),
)
STAGE_TITLES = dict(STAGES)


@dataclass(frozen=True)
class DemoEvent:
    """One line of demo progress. `stage_done` closes a stage; the last event has `endpoint`
    (and `verdict`, when the evaluation ran)."""

    stage: str  # a STAGES id
    message: str
    stage_done: bool = False
    fraction: float | None = None  # progress within the stage, when known
    job_id: str = ""
    model_name: str = ""
    model_version: str = ""
    endpoint: str = ""  # the ready endpoint's name (last event only)
    verdict: str = ""  # the evaluation's verdict line (last event only)


def run_demo(
    backend: Backend | None = None,
    *,
    model_id: str | None = None,
    max_steps: int = DEMO_MAX_STEPS,
    poll_s: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[DemoEvent]:
    """Run every stage, yielding progress; raises StudioError (with a hint) when one fails."""
    backend = backend or create_backend("local")

    yield DemoEvent("data", "Writing the demo conversations as train/test splits…")
    from services.data.prepared import prepare_demo

    dataset = prepare_demo()
    rows = ", ".join(f"{name} {count}" for name, count in sorted(dataset.rows.items()))
    yield DemoEvent("data", f"Prepared `{dataset.folder}` ({rows} rows).", stage_done=True)

    model = backend.get_model(model_id or demo_model_id())
    yield DemoEvent("train", f"Submitting a {max_steps}-step LoRA fine-tune of {model.name}…")
    spec = _demo_spec(backend, model, dataset.train_file, dataset.test_file, max_steps)
    job = backend.submit_job(spec)
    yield DemoEvent("train", f"Job `{job.id}` submitted.", job_id=job.id, fraction=0.0)
    job = yield from _follow(backend, job.id, poll_s=poll_s, clock=clock)
    if job.status != "finished":
        raise JobError(
            f"The demo fine-tune {job.id} ended {job.status}.",
            f"Read its log: python -m services jobs logs {job.id}",
        )
    yield DemoEvent(
        "train",
        f"Job `{job.id}` finished in {_took(job)}.",
        stage_done=True,
        fraction=1.0,
        job_id=job.id,
    )

    # Started now, it scores while the model is registered and deployed.
    evaluation = evaluations.start_evaluation(
        job.id, rows=DEMO_EVAL_ROWS, max_new_tokens=DEMO_EVAL_MAX_NEW_TOKENS
    )
    try:
        yield DemoEvent("register", "Registering the trained adapter…", job_id=job.id)
        registered = backend.register_model(job.id)
        yield DemoEvent(
            "register",
            f"Registered `{registered.name}` version {registered.version}.",
            stage_done=True,
            job_id=job.id,
            model_name=registered.name,
            model_version=registered.version,
        )

        yield DemoEvent("deploy", "Starting a local endpoint and loading the model…")
        endpoint = backend.deploy(registered.name, registered.version)
        yield DemoEvent(
            "deploy",
            f"Endpoint `{endpoint.name}` is {endpoint.status} at {endpoint.scoring_uri}.",
            stage_done=True,
            job_id=job.id,
            model_name=registered.name,
            model_version=registered.version,
        )

        yield DemoEvent(
            "evaluate",
            f"Scoring {DEMO_EVAL_ROWS} held-out rows, tuned vs base (evaluation "
            f"`{evaluation.id}`, started when training ended)…",
            job_id=job.id,
        )
        evaluation = yield from _follow_evaluation(evaluation, poll_s=poll_s, clock=clock)
    except BaseException:
        evaluations.cancel_evaluation(job.id, evaluation.id)  # nothing left running
        raise
    yield DemoEvent(
        "evaluate",
        _evaluation_message(evaluation),
        stage_done=True,
        fraction=1.0,
        job_id=job.id,
        model_name=registered.name,
        model_version=registered.version,
        endpoint=endpoint.name,
        verdict=evaluation.verdict,
    )


def _follow_evaluation(
    evaluation: EvaluationInfo, *, poll_s: float, clock: Callable[[], float]
) -> Generator[DemoEvent, None, EvaluationInfo]:
    """Yield the evaluation's progress as it changes; return it once it has ended."""
    deadline = clock() + EVAL_TIMEOUT_S
    last = None
    while True:
        info = evaluations.get_evaluation(evaluation.job_id, evaluation.id)
        if info.is_terminal:
            return info
        if info.total and (info.stage, info.done) != last:
            last = (info.stage, info.done)
            fraction, message = progress_text(info)
            yield DemoEvent("evaluate", message, fraction=fraction, job_id=info.job_id)
        if clock() > deadline:
            return evaluations.cancel_evaluation(info.job_id, info.id)
        time.sleep(poll_s)


def _evaluation_message(info: EvaluationInfo) -> str:
    """The verdict, or why there is none: the chat is ready either way."""
    if info.status == "finished":
        return f"**{info.verdict}** ({info.rows} rows; details on the Evaluate page)."
    reason = (info.error.strip().splitlines() or [info.status])[-1]
    return (
        f"The evaluation `{info.id}` ended {info.status} ({reason}); the endpoint is ready "
        "anyway. Run it again on the Evaluate page."
    )


def _demo_spec(backend: Backend, model: ModelInfo, train_file: str, test_file: str, max_steps: int):
    overrides = {**DEMO_PARAMS, "max_steps": max_steps}
    params = resolve_params(
        backend=backend.name,
        model_name=model.name,
        gpus=0,
        model_defaults=model.model_specific_defaults,
        overrides=overrides,
    )
    spec = build_job_spec(
        model=model,
        compute="cpu",
        gpus=0,
        train_file=train_file,
        test_file=test_file,
        params=params,
    )
    return type(spec)(**{**spec.__dict__, "display_name": f"demo-{model.name}"})


def _follow(
    backend: Backend, job_id: str, *, poll_s: float, clock: Callable[[], float]
) -> Generator[DemoEvent, None, JobInfo]:
    """Yield a progress event whenever the job's status or step changes; return the ended job."""
    deadline = clock() + TRAIN_TIMEOUT_S
    last = None
    while True:
        job = backend.get_job(job_id)
        if job.is_terminal:
            return job
        shown = progress(job)
        message = shown[1] if shown else _waiting_message(job)
        if message != last:
            last = message
            yield DemoEvent("train", message, fraction=shown[0] if shown else None, job_id=job_id)
        if clock() > deadline:
            backend.cancel_job(job_id)
            raise JobError(
                f"The demo fine-tune {job_id} did not end within {TRAIN_TIMEOUT_S / 60:.0f} min.",
                "The machine may be busy: try again, or read the job's log on the Jobs page.",
            )
        time.sleep(poll_s)


def _waiting_message(job: JobInfo) -> str:
    if job.status == "queued":
        return "Starting the training worker…"
    return "Loading the model (the first run converts the bundled model, about a minute)…"


def _took(job: JobInfo) -> str:
    if job.started_at and job.ended_at:
        return format_duration(job.ended_at - job.started_at)
    return "a moment"


# The app runs the demo as a detached `python -m services demo --json` process, so a page
# rerun, a closed tab or a Streamlit restart never interrupts it; the page reads its events.
EVENTS_FILE = "events.jsonl"
RUN_FILE = "run.json"


@dataclass(frozen=True)
class DemoRun:
    """What a background demo has done so far."""

    events: tuple[DemoEvent, ...]
    running: bool
    error: str = ""  # set when it stopped without reaching an endpoint
    hint: str = ""

    @property
    def endpoint(self) -> str:
        return next((e.endpoint for e in reversed(self.events) if e.endpoint), "")

    @property
    def verdict(self) -> str:
        return next((e.verdict for e in reversed(self.events) if e.verdict), "")

    @property
    def finished(self) -> bool:
        """Nothing more will happen: the endpoint is ready (the process may still be exiting),
        or the process has ended."""
        return bool(self.endpoint) or not self.running


def demo_dir() -> Path:
    path = config.studio_home() / "demo"
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_model_id() -> str:
    """The model the demo fine-tunes: the bundled SmolLM2 unless STUDIO_DEMO_MODEL names one."""
    return os.environ.get(MODEL_ENV) or DEMO_MODEL_ID


def start_demo(
    model_id: str | None = None, max_steps: int = DEMO_MAX_STEPS, *, caller: Caller | None = None
) -> None:
    """Start the demo in the background; JobError if one is already running.

    Operators only: it trains and deploys (a viewer `caller` is refused).
    """
    require_operator(caller, "demo")
    current = read_demo()
    if current is not None and current.running:
        raise JobError("The demo is already running.", "Follow it on the Demo page.")
    folder = demo_dir()
    (folder / EVENTS_FILE).unlink(missing_ok=True)
    command = [sys.executable, "-m", "services", "demo", "--json"]
    command += ["--model", model_id or demo_model_id(), "--max-steps", str(max_steps)]
    # Its submit, deploy and evaluate lines in the audit log name the person who started it.
    acting = actor_env(caller.actor) if caller is not None else {}
    pid, stamp = processes.start(command, folder / EVENTS_FILE, extra_env=acting)
    run = {"pid": pid, "stamp": stamp, "started_at": time.time()}
    write_json(folder / RUN_FILE, run)


def read_demo() -> DemoRun | None:
    """The background demo's progress; None when none was started in this STUDIO_HOME."""
    folder = demo_dir()
    run = read_json(folder / RUN_FILE)
    if not run:
        return None
    events, error, hint = [], "", ""
    events_path = folder / EVENTS_FILE
    lines = events_path.read_text(errors="replace").splitlines() if events_path.exists() else []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # library log lines share the file
        if isinstance(record, dict) and "stage" in record:
            events.append(DemoEvent(**record))
        elif isinstance(record, dict) and "error" in record:
            error, hint = record.get("message", ""), record.get("hint", "")
    running = processes.is_alive(run.get("pid"), run.get("stamp", ""))
    reached = any(event.endpoint for event in events)
    if not running and not reached and not error:
        error = "The demo stopped before its endpoint was ready."
        hint = f"Its output is in {events_path}."
    return DemoRun(tuple(events), running=running, error=error, hint=hint)
