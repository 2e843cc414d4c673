"""One benchmark run: its scratch folder, its own STUDIO_HOME, and what parts share.

The run's STUDIO_HOME lives in the scratch folder (removed at the end), so benchmark jobs,
registered models and endpoints never appear in the user's own store. Only the converted
bundled model is shared: it is converted once into the user's STUDIO_HOME, as the app itself
would do, and linked into the run's home, so each run does not pay the ~45 s conversion.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT

BUNDLED = "SmolLM2-135M-Instruct"
SMALL_JOB_STEPS = 2


@dataclass
class Context:
    scratch: Path
    repeats: int = 3
    started: float = field(default_factory=time.monotonic)
    finished_job: str | None = None  # a finished local job the endpoint part can register
    user_home: str | None = field(default_factory=lambda: os.environ.get("STUDIO_HOME"))

    @property
    def home(self) -> Path:
        return self.scratch / "studio"

    def activate(self) -> None:
        """Point this process (and the children it starts) at the run's STUDIO_HOME."""
        self.home.mkdir(parents=True, exist_ok=True)
        os.environ["STUDIO_HOME"] = str(self.home)
        for name, value in _offline().items():
            os.environ.setdefault(name, value)
        pythonpath = os.environ.get("PYTHONPATH", "")
        if str(ROOT) not in pythonpath.split(os.pathsep):
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), pythonpath]))

    def progress(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[bench {elapsed:6.0f} s] {message}", file=sys.stderr, flush=True)

    def model_folder(self) -> Path:
        """The converted bundled model, linked into the run's home; converted once if needed."""
        from services.local import catalog

        with self._user_store():
            source = catalog.model_path(BUNDLED)
        link = self.home / "models" / BUNDLED / "model"
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(source, target_is_directory=True)
        return link

    def tokenizer_file(self) -> Path:
        from services.local import catalog

        with self._user_store():
            return catalog.tokenizer_file(BUNDLED)

    def train_file(self, rows: int) -> Path:
        """The first `rows` shared ultrachat rows as a training file."""
        from bench.common import SHARED_ULTRACHAT, Skipped

        if not SHARED_ULTRACHAT.exists():
            raise Skipped(f"{SHARED_ULTRACHAT} is absent")
        path = self.scratch / f"train_{rows}.jsonl"
        if not path.exists():
            lines = SHARED_ULTRACHAT.read_text(encoding="utf-8").splitlines(keepends=True)
            path.write_text("".join(lines[:rows]), encoding="utf-8")
        return path

    def small_job(self) -> str:
        """A finished local job (trained for a couple of steps) when no part left one."""
        if self.finished_job:
            return self.finished_job
        from services.backends.base import JobSpec
        from services.training import jobs

        self.model_folder()
        self.progress(f"training a {SMALL_JOB_STEPS}-step job to register")
        params = {
            "max_steps": SMALL_JOB_STEPS,
            "per_device_train_batch_size": 1,
            "max_seq_length": 128,
            "max_eval_samples": 1,
            "eval_steps": 1000,
        }
        spec = JobSpec(BUNDLED, str(self.train_file(16)), "", "cpu", 0, params, "bench-small")
        job = jobs.submit_job(spec)
        deadline = time.monotonic() + 600
        while not (info := jobs.get_job(job.id)).is_terminal:
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job.id} did not finish within 600 s")
            time.sleep(0.5)
        if info.status != "finished":
            raise RuntimeError(f"job {job.id} {info.status}: {info.error}")
        self.finished_job = job.id
        return job.id

    @contextmanager
    def _user_store(self) -> Iterator[None]:
        """The user's own STUDIO_HOME, where the converted model is cached."""
        current = os.environ.get("STUDIO_HOME")
        if self.user_home:
            os.environ["STUDIO_HOME"] = self.user_home
        else:
            os.environ.pop("STUDIO_HOME", None)
        try:
            yield
        finally:
            if current is not None:
                os.environ["STUDIO_HOME"] = current


def _offline() -> dict[str, str]:
    return {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
