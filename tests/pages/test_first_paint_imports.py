"""The app's first paint (app.py and Setup's first screen, Connect) imports only what it draws.

In a cold server process every module imported on the path to the first page is paid for
before the browser shows anything (issue 11: first paint under 3 s). Setup imports a wizard
step's module when it draws the step, and the sidebar's Azure offer reads a config file
without the Azure backend; these are the modules that used to ride along (each with a heavy
library behind it: numpy, the tokenizers library, the whole Azure backend).

A fresh child process, since sys.modules only grows; the background preload is off, as in
test_import_budget.py.
"""

from tests.app_helpers import run_in_fresh_process

SCRIPT = """
import json, sys
from tests.app_helpers import open_page
at = open_page("setup")
print(json.dumps({
    "problems": [str(e.value) for e in at.exception],
    "headers": [h.value for h in at.subheader],
    "loaded": sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[1:]))),
}))
"""
NOT_ON_THE_FIRST_SCREEN = (
    "services.data.files",  # numpy: the Data step
    "services.training.estimate",  # the dataset readers: the Review step
    "pages.wizard.review",
    "services.backends.azure.backend",  # only once someone connects to Azure
    "tokenizers",  # the local backend's catalog converts a GGUF tokenizer with it, once
)


def test_setup_first_screen_imports_no_later_step_nor_the_azure_backend(tmp_path):
    result = run_in_fresh_process(SCRIPT, list(NOT_ON_THE_FIRST_SCREEN), tmp_path)
    assert result["problems"] == []
    assert result["headers"] == ["1. Connect"]
    assert result["loaded"] == [], f"Setup's first screen imported {result['loaded']}"
