"""The warm-up's import gate (pages/shared/preload.py): a page run goes on beside a warm-up
step and waits only to import what is not loaded yet, so no two threads import at once."""

from __future__ import annotations

import builtins
import importlib
import sys
import threading
import types

import pytest

from pages.shared import preload

WAIT_S = 30


@pytest.fixture
def new_module(tmp_path, monkeypatch):
    """A module no thread has imported; it records whether a warm-up step was running."""
    (tmp_path / "gate_new.py").write_text(
        "from pages.shared import preload\nDURING_STEP = preload._step_running\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "gate_new"
    sys.modules.pop("gate_new", None)


def beside_a_step(thread_name: str, run, monkeypatch) -> list[str]:
    """Run `run` in a thread named `thread_name` while a warm-up step runs; the step ends once
    that thread waits at the gate or has ended. The names it waited to import."""
    waited, waiting = [], threading.Event()
    gate_wait = preload._wait_for_step

    def recorded_wait(name: str) -> None:
        waited.append(name)
        waiting.set()
        gate_wait(name)

    monkeypatch.setattr(preload, "_wait_for_step", recorded_wait)
    step_may_end, step_started = threading.Event(), threading.Event()

    def step() -> None:
        step_started.set()
        step_may_end.wait(WAIT_S)

    with preload._import_gate():
        warm_up = threading.Thread(target=preload._alone, args=(step,))
        warm_up.start()
        assert step_started.wait(WAIT_S)
        page = threading.Thread(target=run, name=thread_name)
        page.start()
        while not waiting.wait(0.01) and page.is_alive():  # either state ends the step
            pass
        step_may_end.set()
        page.join(WAIT_S)
        warm_up.join(WAIT_S)
    return waited


def test_a_page_run_imports_loaded_modules_beside_a_step_and_waits_for_new_ones(
    new_module, monkeypatch
):
    seen = {}

    def page_run() -> None:
        import json  # noqa: F401  (loaded: no wait)

        seen["loaded_beside_step"] = preload._step_running
        seen["new_beside_step"] = importlib.import_module(new_module).DURING_STEP

    waited = beside_a_step(preload.SCRIPT_THREAD, page_run, monkeypatch)
    assert seen == {"loaded_beside_step": True, "new_beside_step": False}
    assert waited == [new_module]


def test_the_servers_own_threads_never_wait(new_module, monkeypatch):
    seen = {}

    def server_work() -> None:  # a server that waited would stall every session
        seen["new_beside_step"] = importlib.import_module(new_module).DURING_STEP

    waited = beside_a_step("AnyIO worker thread", server_work, monkeypatch)
    assert seen == {"new_beside_step": True}
    assert waited == []


def test_the_gate_is_gone_after_the_warm_up():
    before = builtins.__import__, importlib.import_module
    with preload._import_gate():
        assert builtins.__import__ is not before[0]
    assert (builtins.__import__, importlib.import_module) == before


def test_a_module_is_loaded_only_when_every_package_above_it_is_done(monkeypatch):
    package = types.ModuleType("gate_pkg")
    package.__spec__ = types.SimpleNamespace(_initializing=True)  # still being imported
    child = types.ModuleType("gate_pkg.child")
    child.thing = 1
    monkeypatch.setitem(sys.modules, "gate_pkg", package)
    monkeypatch.setitem(sys.modules, "gate_pkg.child", child)
    assert not preload._loaded("gate_pkg.child", ("thing",), 0)
    package.__spec__ = types.SimpleNamespace(_initializing=False)
    assert preload._loaded("gate_pkg.child", ("thing",), 0)
    assert not preload._loaded("gate_pkg.child", ("other",), 0)  # a submodule to import
    assert not preload._loaded("child", (), 1)  # relative: not known
