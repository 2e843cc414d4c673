"""Pre-flight estimate of a fine-tuning job: tokens to train, duration and, on Azure, cost.

Tokens come from the training file, each conversation cut at max_seq_length; a file of more
than SAMPLE_ROWS rows is counted on a random sample and scaled (the estimate says so).
Throughput comes from this machine's last finished local runs of the same model and shape
(tokens/s of their training steps, counted as this module counts them: _counted_speed);
without one, from a rough
figure that says where it comes from. Duration counts training steps only: what it leaves
out is listed in NOT_COUNTED. Cost = the VM size's hourly price × nodes × hours.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from services import config
from services.backends.base import Backend, JobSpec, ModelInfo
from services.data import TokenCounter, inspect_dataset, open_dataset
from services.params import effective_batch_size, wire_value
from services.training import job_record, status_file
from services.training.layout import JOB_FILE, PROGRESS_FILE

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 1000  # a bigger training file is counted on this many random rows
EARLIER_RUNS = 3  # the newest finished runs of the same shape that set the throughput
# Shape: what changes tokens/s for a model on a device (besides the data).
SHAPE_PARAMS = ("per_device_train_batch_size", "max_seq_length", "apply_lora", "lora_r")
# Rough figures when this machine has no earlier run: parameters × tokens per second per
# device. CPU: SmolLM2-135M trained at ~150 tok/s on 2 cores (../shared/DESIGN.md, measured here).
FALLBACK_CPU = ("150 tok/s for a 135M-parameter model on 2 CPU cores", 150 * 135e6)
FALLBACK_GPU = ("an assumed 100x that CPU figure per GPU", 100 * 150 * 135e6)
ASSUMED_PARAMETERS = 135e6  # when the model does not say how big it is
NOT_COUNTED = (
    "queue time",
    "model loading or import",
    "evaluation steps",
    "checkpoint saving",
    "storage",
)


@dataclass(frozen=True)
class TokenCount:
    """Tokens per training conversation after truncation, as counted."""

    mean_tokens: float  # per conversation, cut at max_seq_length
    conversations: int  # valid rows of the whole file (scaled from the sample when sampled)
    counted: int  # rows whose tokens were counted
    sampled: bool  # counted on a random sample of the rows, not every row
    approximate: bool  # characters / 4 instead of the model's tokenizer

    @property
    def note(self) -> str:
        how = "characters/4" if self.approximate else "the model's tokenizer"
        if self.sampled:
            return (
                f"from a sample of {self.counted:,} rows of {self.conversations:,} "
                f"(whole-file statistics not computed), counted with {how}"
            )
        return f"every row counted with {how}"


@dataclass(frozen=True)
class Estimate:
    """What a job is expected to take; `source` says where the throughput came from."""

    tokens: int  # tokens the job will train on (all epochs or max_steps)
    steps: int  # optimizer steps
    tokens_per_second: float
    seconds: float  # training steps only (see not_counted)
    source: str
    tokens_note: str
    nodes: int = 1
    hourly_price: float | None = None  # per node; None when unknown (local: free)
    cost: float | None = None
    not_counted: tuple[str, ...] = NOT_COUNTED

    def to_dict(self) -> dict:
        return {**asdict(self), "not_counted": list(self.not_counted)}

    @classmethod
    def from_dict(cls, data: dict) -> Estimate:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["not_counted"] = tuple(known.get("not_counted", NOT_COUNTED))
        return cls(**known)

    def lines(self) -> list[str]:
        """The estimate as a few lines for a person."""
        from services.job_display import format_duration

        lines = [
            f"Tokens to train: {self.tokens:,} in {self.steps:,} steps ({self.tokens_note}).",
            f"Expected duration: {format_duration(self.seconds)} at "
            f"{self.tokens_per_second:,.0f} tokens/s ({self.source}).",
        ]
        if self.cost is not None:
            lines.append(
                f"Cost: ${self.cost:,.2f} (${self.hourly_price:,.2f}/h × {self.nodes} "
                f"node{'s' if self.nodes > 1 else ''} × {self.seconds / 3600:.2f} h)."
            )
        lines.append(f"Not counted: {', '.join(self.not_counted)}.")
        return lines


def count_tokens(
    path: str | Path,
    max_seq_length: int,
    counter: TokenCounter | None = None,
    *,
    sample_rows: int = SAMPLE_ROWS,
) -> TokenCount:
    """Mean tokens per conversation of a training file after truncation to max_seq_length."""
    counter = counter or TokenCounter.estimate()
    dataset = open_dataset(path)
    if dataset.row_count <= sample_rows:
        report = inspect_dataset(dataset, counter)
        counts, conversations, sampled = list(report.stats.tokens), report.valid, False
    else:
        picked = dataset.sample(sample_rows)
        counts = counter.count([conversation.messages for conversation in picked])
        # Every row counts as a conversation: invalid rows (skipped in training) are not
        # known without reading the whole file, which is what sampling avoids.
        conversations = dataset.row_count
        sampled = True
    truncated = [min(count, max_seq_length) for count in counts]
    mean = sum(truncated) / len(truncated) if truncated else 0.0
    return TokenCount(mean, conversations, len(counts), sampled, counter.approximate)


def training_size(count: TokenCount, params: dict, gpus: int) -> tuple[int, int]:
    """(tokens, optimizer steps): max_steps × batch × tokens per example when max_steps is
    set, else every conversation × num_train_epochs."""
    batch = effective_batch_size(params, gpus)
    max_steps = int(params.get("max_steps", -1))
    if max_steps > 0:
        return round(max_steps * batch * count.mean_tokens), max_steps
    epochs = float(params.get("num_train_epochs", 1))
    steps = math.ceil(math.ceil(count.conversations / batch) * epochs)
    return round(count.conversations * epochs * count.mean_tokens), steps


def cost(hourly_price: float | None, nodes: int, seconds: float) -> float | None:
    """The VM size's hourly price × nodes × hours; None when the price is unknown."""
    if hourly_price is None:
        return None
    return hourly_price * nodes * seconds / 3600


def _same_shape(spec: dict, earlier: dict) -> bool:
    if (spec.get("model_id"), spec.get("compute"), spec.get("gpus")) != (
        earlier.get("model_id"),
        earlier.get("compute"),
        earlier.get("gpus"),
    ):
        return False
    mine, theirs = spec.get("params") or {}, earlier.get("params") or {}
    # wire_value: records written before values were typed hold apply_lora as "true".
    return all(wire_value(mine.get(name)) == wire_value(theirs.get(name)) for name in SHAPE_PARAMS)


def earlier_throughput(spec: JobSpec) -> tuple[float, str] | None:
    """(tokens/s, source) from the newest finished local runs of the same model and shape."""
    wanted = asdict(spec)
    found: list[tuple[float, str, float]] = []
    for job_file in config.jobs_dir().glob(f"*/{JOB_FILE}"):
        folder = job_file.parent
        try:
            record = job_record.load(folder)
            progress = json.loads((folder / PROGRESS_FILE).read_text())
        except (job_record.UnreadableRecord, OSError, ValueError):
            continue
        finished = status_file.read(folder, record.run_id)
        speed = _counted_speed(record, progress) if isinstance(progress, dict) else None
        if (
            finished is None
            or finished.status != "FINISHED"
            or not isinstance(speed, int | float)
            or speed <= 0
            or not _same_shape(wanted, record.spec)
        ):
            continue
        found.append((record.created_at, record.id, float(speed)))
    if not found:
        return None
    newest = sorted(found, reverse=True)[:EARLIER_RUNS]
    speed = sum(speed for _, _, speed in newest) / len(newest)
    names = ", ".join(job_id for _, job_id, _ in newest)
    runs = "run" if len(newest) == 1 else "runs"
    return speed, f"the last {len(newest)} finished {runs} of this model and shape here: {names}"


def _counted_speed(record: job_record.JobRecord, progress: dict) -> float | None:
    """An earlier run's speed in the tokens this module counts: its estimated tokens over the
    time its training steps took. The count differs from what the trainer tokenizes by what
    the chat template adds beyond MESSAGE_OVERHEAD (SmolLM2's template inserts a default
    system prompt: ~16 tokens a conversation, 20% of the short demo rows), the same for every
    run of one model, so it cancels out. The trainer's own tokens/s when the run has no
    estimate (or did not run the steps it estimated)."""
    steps, per_step = progress.get("step"), progress.get("seconds_per_step")
    estimate = record.estimate or {}
    if (
        estimate.get("tokens")
        and isinstance(steps, int)
        and estimate.get("steps") == steps
        and isinstance(per_step, int | float)
        and per_step > 0
    ):
        return estimate["tokens"] / (steps * per_step)
    return progress.get("tokens_per_second")


def fallback_throughput(parameters: int | None, gpus: int, nodes: int) -> tuple[float, str]:
    """(tokens/s, source) when no earlier run says: a rough figure scaled by model size."""
    size = parameters or ASSUMED_PARAMETERS
    what, rate = FALLBACK_GPU if gpus > 0 else FALLBACK_CPU
    devices = max(gpus, 1) * max(nodes, 1)
    speed = rate / size * devices
    sized = "" if parameters else f", model size unknown: assumed {ASSUMED_PARAMETERS / 1e6:.0f}M"
    return speed, f"no earlier run: rough figure from {what}, scaled by model size{sized}"


def estimate_job(
    spec: JobSpec,
    *,
    parameters: int | None = None,
    hourly_price: float | None = None,
    counter: TokenCounter | None = None,
    local_runs: bool = True,
    sample_rows: int = SAMPLE_ROWS,
) -> Estimate:
    """The estimate of `spec`. `local_runs`: its runs would run on this machine, so its
    finished runs set the throughput. Raises DatasetError when the training file is unusable."""
    params = spec.params
    max_seq_length = int(params.get("max_seq_length", 512))
    count = count_tokens(spec.train_file, max_seq_length, counter, sample_rows=sample_rows)
    tokens, steps = training_size(count, params, spec.gpus)
    nodes = int(params.get("num_nodes_finetune", 1))
    measured = earlier_throughput(spec) if local_runs else None
    speed, source = measured or fallback_throughput(parameters, spec.gpus, nodes)
    seconds = tokens / speed
    return Estimate(
        tokens=tokens,
        steps=steps,
        tokens_per_second=speed,
        seconds=seconds,
        source=source,
        tokens_note=count.note,
        nodes=nodes,
        hourly_price=hourly_price,
        cost=cost(hourly_price, nodes, seconds),
    )


def estimate_for(backend: Backend, spec: JobSpec, model: ModelInfo) -> Estimate:
    """The estimate of `spec` on `backend` for `model`: the compute's hourly price, the
    model's tokenizer when it is on disk. Raises DatasetError, or AzureError from listing."""
    price = next((c.hourly_price for c in backend.list_computes() if c.name == spec.compute), None)
    return estimate_job(
        spec,
        parameters=model.parameters,
        hourly_price=price,
        counter=model_counter(model),
        local_runs=backend.capabilities.mlflow_ui,  # its runs train on this machine
    )


def estimate_local_job(spec: JobSpec) -> Estimate:
    """The estimate of a job of the local backend (the one kept in its record at submit)."""
    from services.errors import StudioError
    from services.local import catalog

    try:
        model = catalog.get_model(spec.model_id)
    except StudioError:  # e.g. a hub id offline: the rough figure then says the size is unknown
        return estimate_job(spec)
    return estimate_job(spec, parameters=model.parameters, counter=model_counter(model))


def model_counter(model: ModelInfo) -> TokenCounter | None:
    """The model's own tokenizer when it is on this machine; None: count characters / 4."""
    if model.source not in ("bundled", "folder"):
        return None
    from services.errors import StudioError
    from services.local import catalog

    try:
        return TokenCounter.from_file(catalog.tokenizer_file(model.id))
    except StudioError as error:
        logger.info("estimate: counting characters, no tokenizer for %s: %s", model.id, error)
        return None


@dataclass(frozen=True)
class EstimateCheck:
    """A finished local job's estimate against what it took."""

    estimate: Estimate
    actual_seconds: float  # its training steps (what the estimate counts)
    wall_seconds: float | None  # submit to end: queue, loading and evaluation included

    @property
    def error(self) -> float:
        """(estimate - actual) / actual of the training steps."""
        return (self.estimate.seconds - self.actual_seconds) / self.actual_seconds

    def line(self) -> str:
        from services.job_display import format_duration

        wall = (
            f"; {format_duration(self.wall_seconds)} from submit to end"
            if self.wall_seconds
            else ""
        )
        return (
            f"Estimate {format_duration(self.estimate.seconds)} of training against "
            f"{format_duration(self.actual_seconds)} actual ({self.error:+.0%}){wall}."
        )


def check_estimate(job_id: str) -> EstimateCheck | None:
    """A finished local job's estimate against its actual training time; None when it has
    no recorded estimate, has not finished, or is not a local job."""
    folder = config.jobs_dir() / job_id
    try:
        record = job_record.load(folder)
        progress = json.loads((folder / PROGRESS_FILE).read_text())
    except (job_record.UnreadableRecord, OSError, ValueError):
        return None
    finished = status_file.read(folder, record.run_id)
    if not record.estimate or finished is None or finished.status != "FINISHED":
        return None
    steps, per_step = progress.get("step"), progress.get("seconds_per_step")
    if not isinstance(steps, int) or not isinstance(per_step, int | float) or steps <= 0:
        return None
    wall = finished.ended_at - record.created_at if finished.ended_at else None
    return EstimateCheck(Estimate.from_dict(record.estimate), steps * per_step, wall)
