"""The Jobs page's log tail: each refresh reads only what is new, keeps a bounded tail, and
starts over for another job (on the local backend, over real job folders)."""

from __future__ import annotations

from services import config
from services.backends.local import LocalBackend
from services.log_tail import KEPT_CHARS, NO_OUTPUT, SHOWN_LINES, LogTail, follow
from services.training.layout import JOB_FILE, LOG_FILE


def _job_with_log(job_id: str, text: str):
    folder = config.jobs_dir() / job_id
    folder.mkdir(parents=True)
    (folder / JOB_FILE).write_text("{}")  # unreadable as a record: listed, no worker alive
    (folder / LOG_FILE).write_text(text)
    return folder / LOG_FILE


def test_a_refresh_reads_only_what_was_written_since():
    log = _job_with_log("a", "one\n")
    backend = LocalBackend()
    first = follow(backend, "a")
    assert first.text == "one\n"
    with open(log, "a") as file:
        file.write("two\n")
    second = follow(backend, "a", first)
    assert second.text == "one\ntwo\n" and second.offsets == {LOG_FILE: len("one\ntwo\n")}
    log.write_text("one\ntwo\n")  # same size: nothing new is read, nothing is doubled
    assert follow(backend, "a", second).text == "one\ntwo\n"


def test_another_job_starts_from_its_own_beginning():
    _job_with_log("a", "from a\n")
    _job_with_log("b", "from b\n")
    backend = LocalBackend()
    assert follow(backend, "b", follow(backend, "a")).text == "from b\n"


def test_the_tail_is_bounded_and_shows_the_newest_lines():
    lines = [f"line {n:05d}" for n in range(5000)]
    _job_with_log("long", "\n".join(lines) + "\n")
    tail = follow(LocalBackend(), "long")
    assert len(tail.text) == KEPT_CHARS and tail.text.endswith("line 04999\n")
    assert tail.shown().splitlines() == lines[-SHOWN_LINES:]
    assert LogTail("quiet").shown() == NO_OUTPUT
