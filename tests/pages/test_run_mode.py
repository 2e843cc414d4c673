"""`streamlit run app.py` serves in run mode: no file watcher, loopback only, no full garbage
collection after every run (config.toml).

Read by Streamlit's own config loader, in a fresh process started in the project folder as
`make run` starts it, so a misspelt option or section fails here rather than silently.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
names = ("server.fileWatcherType", "server.runOnSave", "server.address", "server.headless",
         "browser.gatherUsageStats", "runner.postScriptGC")
print(json.dumps({name: config.get_option(name) for name in names}))
"""


def test_the_project_config_turns_dev_mode_off():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    options = json.loads(done.stdout.strip().splitlines()[-1])
    assert options == {
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "server.address": "localhost",
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "runner.postScriptGC": False,
    }
