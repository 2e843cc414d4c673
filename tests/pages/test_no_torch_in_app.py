"""The Streamlit process never loads torch: every page renders in a fresh process without it.

A fresh child process, because other tests in this session build tiny models in-process.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120).run()
problems = [str(at.exception)] if at.exception else []
for page in ("dataset", "jobs", "metrics", "deploy", "chat", "demo"):
    at.switch_page(f"pages/{page}.py").run()
    if at.exception:
        problems.append(f"{page}: {at.exception}")
heavy = sorted(m for m in ("torch", "transformers", "peft") if m in sys.modules)
print(json.dumps({"heavy": heavy, "problems": problems}))
"""


def test_pages_render_without_loading_torch():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    assert result["heavy"] == [], f"the Streamlit process imported {result['heavy']}"
