"""The Dataset page on the demo data: chat bubbles, a new sample, statistics, prepare."""

import pytest
import streamlit as st

from pages.shared import state
from services.local import catalog
from tests.app_helpers import open_page


@pytest.fixture(autouse=True)
def fresh_caches():
    # Streamlit caches live for the whole test process; each test has its own STUDIO_HOME.
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def no_tokenizer(monkeypatch):
    def unavailable(model_id):
        raise RuntimeError("no tokenizer here")

    monkeypatch.setattr(catalog, "tokenizer_file", unavailable)


def sample_lines(at) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("Line ")]


def test_demo_shows_chat_messages_and_new_sample_changes_them(no_tokenizer):
    at = open_page("dataset")
    assert not at.exception, at.exception
    roles = {message.name for message in at.chat_message}
    assert {"user", "assistant"} <= roles
    first = sample_lines(at)
    assert len(first) == 3
    assert at.session_state[state.DATASET_PATH].endswith("ultrachat_demo.jsonl")

    at.button(key="dataset_new_sample").click().run()
    assert not at.exception, at.exception
    second = sample_lines(at)
    assert len(second) == 3 and second != first

    at.number_input(key="dataset_sample_size").set_value(5).run()
    assert len(sample_lines(at)) == 5


def test_statistics_show_with_estimated_tokens(no_tokenizer):
    at = open_page("dataset")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert int(metrics["Rows"]) >= 60
    assert metrics["Invalid"] == "0"
    assert "Longer than 2048 tokens" in metrics
    assert any("estimated" in c.value for c in at.caption)


def test_statistics_use_the_model_tokenizer_when_there_is_one(monkeypatch, tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    monkeypatch.setattr(catalog, "tokenizer_file", lambda model_id: tmp_path / "tokenizer.json")
    at = open_page("dataset")
    assert not at.exception, at.exception
    assert not any("estimated" in c.value for c in at.caption)


def test_invalid_rows_are_listed_and_prepare_writes_splits(no_tokenizer, studio_home):
    good = '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}'
    path = studio_home / "incoming" / "mixed.jsonl"  # under a data root (services/data/roots.py)
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([good, "not json", good, good, '{"messages": []}']) + "\n")
    at = open_page("dataset")
    at.radio(key="dataset_source").set_value("Local path").run()
    at.text_input(key="dataset_local_path").input(str(path)).run()
    assert not at.exception, at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    assert (metrics["Rows"], metrics["Valid"], metrics["Invalid"]) == ("5", "3", "2")
    [table] = [frame.value for frame in at.dataframe]
    assert list(table["line"]) == [2, 5]

    at.button(key="dataset_prepare").click().run()
    assert not at.exception, at.exception
    folder = studio_home / "datasets" / "mixed"
    assert at.session_state[state.PREPARED_DATASET] == str(folder)
    assert sorted(p.name for p in folder.glob("*.jsonl")) == ["test.jsonl", "train.jsonl"]
    assert any(str(folder) in s.value for s in at.success)


def test_missing_local_file_says_so(no_tokenizer, studio_home):
    at = open_page("dataset")
    at.radio(key="dataset_source").set_value("Local path").run()
    at.text_input(key="dataset_local_path").input(str(studio_home / "nope.jsonl")).run()
    assert not at.exception, at.exception
    assert "is not a file" in at.error[0].value


def test_hub_offline_points_to_the_demo(no_tokenizer):
    at = open_page("dataset")
    at.radio(key="dataset_source").set_value("Hugging Face hub").run()
    at.button(key="dataset_hub_load").click().run()
    assert not at.exception, at.exception
    assert "not reachable" in at.error[0].value
    assert "demo" in at.info[0].value
