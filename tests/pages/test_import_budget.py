"""Each page draws without importing what it does not need: mlflow and azure-ai-ml load only
where a page uses them (torch never: test_no_torch_in_app.py), so the first paint is fast.

One fresh child process per page, since sys.modules only grows. The background preload
(pages/shared/preload.py) is off in the child: this checks what each page imports by itself.
The STUDIO_HOME is empty: a page that lists jobs needs MLflow only once there are jobs.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from tests.app_helpers import open_page
at = open_page(sys.argv[1])
problems = [str(e.value) for e in at.exception]
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"mlflow", "torch"})
loaded += [name for name in ("azure.ai.ml", "azure.identity") if name in sys.modules]
print(json.dumps({"loaded": loaded, "problems": problems}))
"""

PAGES = ("setup", "dataset", "jobs", "metrics", "deploy", "chat", "demo")


@pytest.mark.parametrize("page", PAGES)
def test_a_page_draws_without_mlflow_or_azure(page, tmp_path):
    env = {**os.environ, "STUDIO_HOME": str(tmp_path), "STUDIO_PRELOAD": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, page],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    assert result["loaded"] == [], f"the {page} page imported {result['loaded']} at first paint"
