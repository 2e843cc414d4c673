"""Each page draws without importing what it does not need: mlflow and azure-ai-ml load only
where a page uses them (torch never: test_no_torch_in_app.py), so the first paint is fast.

One fresh child process per page, since sys.modules only grows. The background preload
(pages/shared/preload.py) is off in the child: this checks what each page imports by itself.
Jobs are listed from their files (status.json, services.training.status_file), so Jobs,
Metrics and Deploy draw without MLflow also with a finished job in STUDIO_HOME; Metrics and
Deploy show a placeholder where their MLflow parts go, Dataset where its statistics go
(pages/shared/deferred.py).
"""

import json
import time
from pathlib import Path

import pytest

from tests.app_helpers import run_in_fresh_process

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from tests.app_helpers import open_page
at = open_page(sys.argv[1])
problems = [str(e.value) for e in at.exception]
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"mlflow", "torch"})
loaded += [name for name in ("azure.ai.ml", "azure.identity") if name in sys.modules]
figures = "plotly.graph_objs._figure" in sys.modules  # plotly's first figure: ~0.5 s
texts = [e.value for e in at.caption] + [str(e.value) for e in at.dataframe]
print(json.dumps({"loaded": loaded, "problems": problems, "texts": texts, "figures": figures}))
"""
JOB_ID = "job-20250101-000000-abcdef"
RUN_ID = "0123456789abcdef0123456789abcdef"
# What each page shows of the finished job without MLflow: its listing, or the placeholder.
SHOWN_WITHOUT_MLFLOW = {
    "jobs": JOB_ID,
    "metrics": "Reading metrics from MLflow",
    "deploy": "Reading registered models from MLflow",
}

PAGES = ("setup", "dataset", "jobs", "metrics", "deploy", "chat", "demo")


def _draw_cold(page: str, home: Path) -> dict:
    result = run_in_fresh_process(SCRIPT, [page], home)
    assert result["problems"] == []
    return result


@pytest.mark.parametrize("page", PAGES)
def test_a_page_draws_without_mlflow_or_azure(page, tmp_path):
    result = _draw_cold(page, tmp_path)
    assert result["loaded"] == [], f"the {page} page imported {result['loaded']} at first paint"
    if page == "dataset":  # the demo data's sample first; its statistics after the first paint
        assert "Counting tokens and drawing the statistics…" in " ".join(result["texts"])
        assert not result["figures"]


def _home_with_a_finished_job(home: Path) -> None:
    """A job as the worker leaves it; its MLflow store is absent, so reading it would fail."""
    folder = home / "jobs" / JOB_ID
    folder.mkdir(parents=True)
    now = time.time()
    record = {"id": JOB_ID, "run_id": RUN_ID, "created_at": now - 60, "model_id": "tiny"}
    (folder / "job.json").write_text(json.dumps(record))
    status = {"run_id": RUN_ID, "status": "FINISHED", "ended_at": now}
    (folder / "status.json").write_text(json.dumps(status))
    (folder / "train.log").write_text("training finished\n")


@pytest.mark.parametrize("page", sorted(SHOWN_WITHOUT_MLFLOW))
def test_job_pages_draw_a_finished_job_without_mlflow(page, tmp_path):
    _home_with_a_finished_job(tmp_path)
    result = _draw_cold(page, tmp_path)
    assert result["loaded"] == [], f"the {page} page imported {result['loaded']} at first paint"
    assert any(SHOWN_WITHOUT_MLFLOW[page] in text for text in result["texts"]), result["texts"]
