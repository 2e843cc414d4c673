"""The Demo page (AppTest): before a run, after a finished run, after a failed run."""

from __future__ import annotations

import dataclasses
import json
import os

from services.demo import EVENTS_FILE, RUN_FILE, STAGES, DemoEvent, demo_dir
from tests.app_helpers import open_page


def write_run(events: list[DemoEvent], error: dict | None = None) -> None:
    """A demo run that has ended (no live pid) with these events in its output."""
    folder = demo_dir()
    lines = [json.dumps(dataclasses.asdict(event)) for event in events]
    lines.insert(1, "2026/11/23 INFO mlflow: a library log line between events")
    if error:
        lines.append(json.dumps(error))
    (folder / EVENTS_FILE).write_text("\n".join(lines) + "\n")
    (folder / RUN_FILE).write_text(json.dumps({"pid": None, "stamp": "", "started_at": 0}))


def stage_boxes(at) -> list:
    return [block for block in at.main.get("status")]


def finished_events() -> list[DemoEvent]:
    events = []
    for stage, _ in STAGES:
        events += [DemoEvent(stage, f"{stage} begins"), DemoEvent(stage, "done", stage_done=True)]
    last = DemoEvent(
        "evaluate",
        "**Tuned beats base: perplexity 7.9 → 6.1, ROUGE-L +0.04** (8 rows)",
        stage_done=True,
        endpoint="demo-ep-v1",
        verdict="Tuned beats base: perplexity 7.9 → 6.1, ROUGE-L +0.04",
    )
    return events[:-1] + [last]


def test_before_any_run_the_page_offers_the_button():
    at = open_page("demo")
    assert not at.exception, at.exception
    start = at.button(key="demo_start")
    assert not start.disabled
    assert not at.success and not at.error


def test_a_finished_run_shows_every_stage_and_opens_the_chat_on_its_endpoint():
    write_run(finished_events())
    at = open_page("demo")
    assert not at.exception, at.exception
    assert [box.label for box in stage_boxes(at)] == [title for _, title in STAGES]
    assert STAGES[-1][0] == "evaluate"  # the demo ends on the verdict…
    verdict = stage_boxes(at)[-1].markdown[-1].value
    assert "Tuned beats base: perplexity 7.9 → 6.1" in verdict
    assert "demo-ep-v1" in at.success[0].value  # …then the chat
    at.button(key="demo_open_chat").click().run()
    assert at.session_state["chat_endpoint"] == "demo-ep-v1"


def test_a_failed_run_says_why_and_what_to_do():
    events = [DemoEvent("data", "writing"), DemoEvent("data", "ok", stage_done=True)]
    events.append(DemoEvent("train", "submitting"))
    write_run(events, {"error": "JobError", "message": "The job failed.", "hint": "Read its log."})
    at = open_page("demo")
    assert not at.exception, at.exception
    assert at.error[0].value == "The job failed."
    assert at.info[0].value == "Read its log."
    assert len(stage_boxes(at)) == 2  # data (complete) and train (failed); nothing after
    assert not at.button(key="demo_start").disabled


def stage_box_paths(at) -> list[tuple[int, ...]]:
    """Where each stage box sits in the page (child indices from the main area down)."""
    found = []

    def walk(node, path):
        if getattr(node, "type", "") == "status":
            found.append(path)
        for index, child in getattr(node, "children", {}).items():
            walk(child, (*path, index))

    walk(at.main, ())
    return found


def test_the_stage_boxes_stay_in_place_when_the_run_ends(monkeypatch):
    # Streamlit keeps a run's elements on screen until the next run replaces them: a box that
    # moved when the run ended showed twice for a moment (the browser journey saw it).
    events = finished_events()[:3]
    write_run(events)
    run_file = demo_dir() / RUN_FILE
    run_file.write_text(json.dumps({"pid": os.getpid(), "stamp": "", "started_at": 0}))
    running = open_page("demo")
    assert running.button(key="demo_start").disabled  # the run is live
    write_run(finished_events())
    finished = open_page("demo")
    assert not finished.button(key="demo_start").disabled
    assert stage_box_paths(running) == stage_box_paths(finished)[: len(stage_box_paths(running))]
