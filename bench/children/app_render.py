"""Render an app with Streamlit's AppTest in a cold process, as the benchmarks' app part needs.

    python -m bench.children.app_render APP_FILE REPEATS [PAGE ...]

Reports the time from process start to the first page rendered, each page's render times
(switch_page + run, REPEATS rounds), exceptions shown on pages, which heavy libraries ended up
imported into the process, and the process's peak memory.
"""

from __future__ import annotations

import sys
import time

STARTED = time.perf_counter()

from bench.children import report  # noqa: E402

HEAVY = ("torch", "transformers", "peft", "trl", "mlflow", "azure.ai.ml", "pandas")


def main(app: str, repeats: int, pages: list[str]) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app, default_timeout=300)
    at.run()
    first_s = time.perf_counter() - STARTED
    renders: dict[str, list[float]] = {page: [] for page in pages}
    errors: dict[str, str] = {}
    for _ in range(repeats):
        for page in pages:
            began = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            renders[page].append(time.perf_counter() - began)
            if at.exception:
                errors[page] = str(at.exception[0].value)[:300]
    heavy = [name for name in HEAVY if name in sys.modules]
    report(first_s=first_s, renders=renders, errors=errors, heavy=heavy)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
