"""The audit trail: one JSON line per action, its outcome, who, and safe concurrent appends."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
from datetime import datetime

import pytest

from services.errors import JobError, ValidationError
from services.security import audit


def lines(home) -> list[dict]:
    text = (home / "audit.log").read_text()
    return [json.loads(line) for line in text.splitlines()]


def test_each_outcome_is_one_line_with_when_who_what_and_which(studio_home):
    with audit.audited("submit", "my-run", backend="local") as action:
        action.resource = "job-1"
    with pytest.raises(ValidationError), audit.audited("submit", "bad-run"):
        raise ValidationError("learning_rate must be positive")
    with pytest.raises(JobError), audit.audited("cancel", "job-404"):
        raise JobError("No job job-404.")

    ok, refused, failed = lines(studio_home)
    assert ok["action"] == "submit" and ok["resource"] == "job-1" and ok["outcome"] == "ok"
    assert ok["backend"] == "local"
    assert ok["who"] == {"name": getpass.getuser(), "source": "local"}
    assert datetime.fromisoformat(ok["when"]).tzinfo is not None
    assert (refused["outcome"], refused["error"]) == ("refused", "ValidationError")
    assert (failed["outcome"], failed["error"]) == ("failed", "JobError")
    assert "job-404." not in json.dumps(failed)  # the class, not the message
    assert (studio_home / "audit.log").stat().st_mode & 0o077 == 0


def test_a_signed_in_user_is_who(studio_home):
    with audit.acting_as(audit.Actor("ada@example.com", "oidc")):
        audit.append("delete", "ep-1", "ok")
    audit.append("delete", "ep-2", "ok")
    first, second = lines(studio_home)
    assert first["who"] == {"name": "ada@example.com", "source": "oidc"}
    assert second["who"]["source"] == "local"


def test_started_by_reads_who_started_each_resource(studio_home):
    audit.append("deploy", "ep-1", "ok", who=audit.Actor("ada@example.com", "oidc"))
    audit.append("deploy", "ep-2", "failed", error="EndpointError")
    audit.append("deploy", "ep-3", "ok")
    assert audit.started_by("deploy") == {
        "ep-1": "ada@example.com (oidc)",
        "ep-3": getpass.getuser(),
    }


WRITER = """
import sys
from services.security import audit
for number in range(int(sys.argv[2])):
    audit.append("submit", f"{sys.argv[1]}-{number}", "ok", padding="x" * 3000)
"""


def test_two_processes_appending_at_once_keep_one_json_object_per_line(studio_home):
    count = 300
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, name, str(count)]) for name in ("a", "b")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    entries = lines(studio_home)  # json.loads fails on an interleaved line
    assert len(entries) == 2 * count
    assert {e["resource"] for e in entries} == {f"{w}-{n}" for w in "ab" for n in range(count)}
