"""The end of a job's log as a page follows it: each refresh reads only what was written since
the last one (Backend.read_logs offsets) and keeps a bounded tail, so a long run's log costs
the same to show at its end as at its start."""

from __future__ import annotations

from dataclasses import dataclass

from services.backends.base import Backend

KEPT_CHARS = 20_000  # the tail kept between refreshes: enough for the lines shown and more
SHOWN_LINES = 40  # the newest lines, so no scrolling is needed to follow a job
NO_OUTPUT = "(no log output yet)"


@dataclass(frozen=True)
class LogTail:
    """What was read of one job's log so far: the kept tail and where reading goes on."""

    job_id: str
    text: str = ""
    offsets: dict | None = None

    def shown(self) -> str:
        """The newest SHOWN_LINES lines, or a note that the job wrote nothing yet."""
        return "\n".join(self.text.splitlines()[-SHOWN_LINES:]) or NO_OUTPUT


def follow(backend: Backend, job_id: str, previous: LogTail | None = None) -> LogTail:
    """`previous` (when it is this job's) with what the log gained since; read from the start
    for another job or none. Raises what Backend.read_logs raises."""
    seen = previous if previous is not None and previous.job_id == job_id else LogTail(job_id)
    chunk = backend.read_logs(job_id, seen.offsets)
    return LogTail(job_id, (seen.text + chunk.text)[-KEPT_CHARS:], chunk.offsets)
