"""A local job's record (job.json): one typed value, one atomic save, one defensive load.

The record is written by the process that submits the job and read by every look at it
(list, status, cancel, the pages). A record that cannot be read, whether unparseable or valid
JSON of another shape, raises UnreadableRecord naming the file and the reason, so a caller can
show that one job as unreadable and carry on with the others.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from services.atomic_files import write_json
from services.errors import JobError
from services.training.layout import JOB_FILE

# How a job whose job.json cannot be read is named in lists (its error gives path and reason).
UNREADABLE_RECORD = "unreadable record"


class UnreadableRecord(JobError):
    """job.json cannot be parsed or does not have a job record's shape."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{UNREADABLE_RECORD} {path}: {reason}",
            "Its worker can still be cancelled; remove the job folder once it has stopped.",
        )
        self.path = path
        self.reason = reason


@dataclass
class JobRecord:
    id: str
    run_id: str  # the job's MLflow run: its status is the job's status
    experiment_id: str = ""
    created_at: float = 0.0  # epoch seconds; also the job's place in the training queue
    spec: dict = field(default_factory=dict)  # JobSpec as a dict
    model_id: str = ""
    display_name: str = ""
    # The worker's identity, also kept in worker.pid (services.training.layout), which
    # survives a corrupt job.json. pid_stamp is its start time (services.processes).
    pid: int | None = None
    pid_stamp: str = ""
    cancel_requested: bool = False
    # The pre-flight estimate at submit (services.training.estimate.Estimate.to_dict());
    # None for records written before it existed or when it could not be made.
    estimate: dict | None = None
    # Fingerprints of the data and base model at submit (services.training.inputs): a resume
    # is refused when they changed. {} for records written before they existed.
    inputs: dict = field(default_factory=dict)
    # Resume links (services.training.resume): this job continues `resumed_from` from its
    # checkpoint folder `resume_checkpoint` at `resumed_from_step`; `resumed_by` lists the
    # jobs that continued this one.
    resumed_from: str = ""
    resumed_from_step: int | None = None
    resume_checkpoint: str = ""
    resumed_by: list = field(default_factory=list)


# The type each field must have in a file; bool is excluded where a number is expected.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "run_id": str,
    "experiment_id": str,
    "created_at": (int, float),
    "spec": dict,
    "model_id": str,
    "display_name": str,
    "pid": (int, type(None)),
    "pid_stamp": str,
    "cancel_requested": bool,
    "estimate": (dict, type(None)),
    "inputs": dict,
    "resumed_from": str,
    "resumed_from_step": (int, type(None)),
    "resume_checkpoint": str,
    "resumed_by": list,
}
_NUMBERS = ("created_at", "pid", "resumed_from_step")  # JSON true/false must not pass as 1/0
_REQUIRED = ("id", "run_id")


def load(folder: Path) -> JobRecord:
    """The record in `folder`; raises UnreadableRecord with the path and the reason."""
    path = folder / JOB_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableRecord(path, f"cannot be read ({error})") from None
    except ValueError as error:
        raise UnreadableRecord(path, f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise UnreadableRecord(path, f"a JSON {type(data).__name__}, not an object")
    missing = [name for name in _REQUIRED if name not in data]
    if missing:
        raise UnreadableRecord(path, f"missing {', '.join(missing)}")
    for name, expected in _TYPES.items():
        value = data.get(name)
        if name in data and (
            not isinstance(value, expected) or (isinstance(value, bool) and name in _NUMBERS)
        ):
            raise UnreadableRecord(path, f"{name} is {value!r}, of the wrong type")
    return JobRecord(**{name: data[name] for name in _TYPES if name in data})


def save(folder: Path, record: JobRecord) -> None:
    """Write the record atomically: a reader sees the old file or the new one, never half."""
    write_json(folder / JOB_FILE, dataclasses.asdict(record))


def recorded_worker(folder: Path) -> tuple[int, str] | None:
    """(pid, pid_stamp) as job.json holds them, read even when the rest of it is unreadable."""
    try:
        data = json.loads((folder / JOB_FILE).read_text())
        pid, stamp = data.get("pid"), data.get("pid_stamp", "")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 and isinstance(stamp, str):
        return pid, stamp
    return None
