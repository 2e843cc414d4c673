"""The evaluate and evaluations verbs, through the CLI's own entry point."""

from __future__ import annotations

import json

from services import config
from services.cli import main


def test_evaluate_prints_the_verdict_as_json_and_exits_0(finished_job, capsys):
    code = main(["evaluate", finished_job, "--rows", "2", "--max-new-tokens", "4", "--json"])
    output = json.loads(capsys.readouterr().out)
    assert code == 0, output
    assert output["status"] == "finished"
    assert output["verdict"].startswith(("Tuned beats base", "Tuned did not improve"))
    assert output["improved"] in (True, False)
    assert output["scorecard"]["rows"] == 2 and len(output["examples"]) == 2
    assert {"perplexity", "rouge_l", "chrf"} <= set(output["scorecard"]["tuned"])

    assert main(["evaluations", "list", finished_job, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in listed] == [output["id"]]
    assert listed[0]["verdict"] == output["verdict"] and "examples" not in listed[0]


def test_evaluate_refuses_a_job_without_a_test_split_with_a_hint(finished_job, capsys):
    job_file = config.jobs_dir() / finished_job / "job.json"
    record = json.loads(job_file.read_text())
    record["spec"]["test_file"] = ""
    job_file.write_text(json.dumps(record))

    code = main(["evaluate", finished_job, "--json"])

    error = json.loads(capsys.readouterr().out)
    assert code == 2
    assert error["error"] == "EvaluationError"
    assert "no test split" in error["message"] and "dataset prepare" in error["hint"]


def test_unknown_job_is_an_error_naming_what_to_do(capsys):
    assert main(["evaluations", "list", "job-nope", "--json"]) == 2
    assert "jobs list" in json.loads(capsys.readouterr().out)["hint"]
