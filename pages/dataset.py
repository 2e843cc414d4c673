"""Dataset page: pick a conversation dataset, preview it as chat, check its quality, prepare it.

Files are read once and cached by (path, mtime, size): reruns never re-read them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from pages.shared import state
from pages.shared.deferred import draw_after_first_paint
from pages.shared.entry import ensure_app_navigation
from pages.shared.errors import show_error
from pages.shared.preload import statistics_warm
from pages.shared.signin import current_caller, is_operator
from services.data import TokenCounter, inspect_dataset, open_dataset, prepare
from services.data.charts import tokens_histogram, turns_histogram
from services.data.demo import demo_file
from services.data.hub import ULTRACHAT_ID, fetch_hub_split, known_splits
from services.data.preparation import default_name
from services.data.prepared import list_prepared
from services.data.roots import resolve_in_roots
from services.data.uploads import save_upload
from services.errors import DatasetError, StudioError

ensure_app_navigation()

SEED = "dataset_seed"
HUB_PATH = "dataset_hub_path"
UPLOADED = "dataset_uploaded"  # (file_id, saved path) of the last upload
PREPARE_NAME = "dataset_prepare_name"
PREPARE_FOR = "dataset_prepare_for"  # the source the suggested name belongs to


@st.cache_resource(max_entries=4, show_spinner="Indexing the file…")
def _open(path: str, _mtime: float, _size: int):
    # A resource, not data: the index is shared read-only and never copied per rerun.
    return open_dataset(path, within_roots=True, caller=current_caller())


@st.cache_data(max_entries=4, show_spinner="Checking every row…")
def _inspect(path: str, mtime: float, size: int, tokenizer: str | None):
    counter = TokenCounter.from_file(tokenizer) if tokenizer else None
    return inspect_dataset(_open(path, mtime, size), counter)


@st.cache_resource(show_spinner="Loading the model's tokenizer…")
def _tokenizer_path() -> str | None:
    """The bundled model's tokenizer.json, or None (token counts are then estimated)."""
    try:
        from services.local import catalog

        return str(catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID))
    except Exception:  # any failure means: estimate the counts instead
        return None


class Source(NamedTuple):
    path: Path | None  # the file to show; None until one is chosen
    label: str = ""  # what to prepare: "demo", a path or a hub id
    hub_id: str | None = None  # set for a hub dataset (prepared split by split)


def pick_source() -> Source:
    names = list(SOURCES) if is_operator() else VIEWER_SOURCES
    source = st.radio("Source", names, horizontal=True, key="dataset_source")
    return SOURCES[source]()


def demo_source() -> Source:
    st.caption("Conversations written for this project: works offline, no files needed.")
    return Source(demo_file(), "demo")


def upload_source() -> Source:
    """The upload, saved once per file under STUDIO_HOME/uploads (services/data/uploads.py)."""
    upload = st.file_uploader(
        "Conversation file", type=["jsonl", "json", "parquet"], key="dataset_upload"
    )
    if upload is None:
        return Source(None)
    saved = st.session_state.get(UPLOADED)
    if not saved or saved[0] != upload.file_id:
        try:
            stored = save_upload(upload.name, upload.getvalue(), caller=current_caller())
            saved = (upload.file_id, str(stored))
        except StudioError as error:
            show_error(error)
            return Source(None)
        st.session_state[UPLOADED] = saved
    return Source(Path(saved[1]), saved[1])


def local_source() -> Source:
    text = st.text_input("Path to a .jsonl, .json or .parquet file", key="dataset_local_path")
    if not text.strip():
        return Source(None)
    try:
        path = resolve_in_roots(text.strip(), caller=current_caller())
    except StudioError as error:
        show_error(error)
        return Source(None)
    return Source(path, str(path))


def prepared_source() -> Source:
    """A prepared dataset's train split (the folders `prepare` wrote under STUDIO_HOME)."""
    prepared = list_prepared()
    if not prepared:
        st.info("No prepared dataset yet.")
        return Source(None)
    chosen = st.selectbox(
        "Prepared dataset", prepared, format_func=lambda p: p.name, key="dataset_prepared"
    )
    return Source(Path(chosen.train_file), chosen.train_file)


def hub_source() -> Source:
    hub_id = st.text_input("Dataset id", value=ULTRACHAT_ID, key="dataset_hub_id")
    split_col, pc_col = st.columns(2)
    split = split_col.selectbox("Split to preview", known_splits(hub_id), key="dataset_hub_split")
    split_pc = pc_col.number_input(
        "Percent of each split", 1, 100, value=5, step=1, key="dataset_split_pc"
    )
    if st.button("Load from the hub", key="dataset_hub_load"):
        try:
            with st.spinner(f"Loading {hub_id}…"):
                fetched = fetch_hub_split(hub_id, split, int(split_pc), caller=current_caller())
                st.session_state[HUB_PATH] = str(fetched)
        except StudioError as error:
            st.session_state.pop(HUB_PATH, None)
            show_error(error)
    hub_path = st.session_state.get(HUB_PATH)
    return Source(Path(hub_path) if hub_path else None, hub_id, hub_id)


SOURCES = {
    "Demo": demo_source,
    "Prepared": prepared_source,
    "Upload": upload_source,
    "Local path": local_source,
    "Hugging Face hub": hub_source,
}


VIEWER_SOURCES = ["Demo", "Prepared"]  # a viewer browses; no upload, no server path, no download


def show_sample(dataset, count: int, seed: int) -> None:
    for conversation in dataset.sample(count, seed=seed):
        with st.container(border=True):
            st.caption(f"Line {conversation.line}")
            for message in conversation.messages:
                with st.chat_message(message["role"]):
                    st.markdown(message["content"])


def show_statistics(report, max_seq_length: int, approximate_note: str) -> None:
    stats = report.stats
    columns = st.columns(5)
    columns[0].metric("Rows", f"{report.rows:,}")
    columns[1].metric("Valid", f"{report.valid:,}")
    columns[2].metric("Invalid", f"{len(report.invalid):,}")
    columns[3].metric("Mean turns", stats.summary(max_seq_length)["turns"]["mean"])
    columns[4].metric(
        f"Longer than {max_seq_length} tokens", f"{stats.share_longer_than(max_seq_length):.1%}"
    )
    left, right = st.columns(2)
    left.plotly_chart(turns_histogram(stats), key="dataset_turns_chart")
    right.plotly_chart(tokens_histogram(stats, max_seq_length), key="dataset_tokens_chart")
    if stats.tokens_approximate:
        st.caption(approximate_note)
    else:
        st.caption(f"Token counts are exact: all {len(stats.tokens):,} conversations counted.")
    if report.invalid:
        st.subheader(f"Invalid rows ({len(report.invalid):,})")
        st.caption("These rows are skipped; the valid rows stay usable.")
        st.dataframe(
            [{"line": row.line, "reason": row.reason} for row in report.invalid[:1000]],
            hide_index=True,
            key="dataset_invalid_rows",
        )


def show_prepare(source: Source) -> None:
    st.subheader("Prepare for training")
    if st.session_state.get(PREPARE_FOR) != source.label:  # a new source: suggest its own name
        st.session_state[PREPARE_FOR] = source.label
        st.session_state[PREPARE_NAME] = default_name(source.label)
    name = st.text_input("Name", key=PREPARE_NAME)
    test_fraction = 0.1
    if source.hub_id is None:  # a hub dataset comes with its own test split
        test_fraction = st.slider(
            "Test fraction", 0.05, 0.5, value=0.1, step=0.05, key="dataset_test_fraction"
        )
    if not st.button("Prepare for training", type="primary", key="dataset_prepare"):
        return
    try:
        with st.spinner("Writing the splits…"):
            prepared = prepare(
                source.label,
                name=name,
                split_pc=int(st.session_state.get("dataset_split_pc", 5)),
                test_fraction=test_fraction,
                within_roots=True,
                caller=current_caller(),
            )
    except StudioError as error:
        show_error(error)
        return
    st.session_state[state.PREPARED_DATASET] = prepared.folder
    splits = ", ".join(f"{s.name}.jsonl ({s.rows:,} rows)" for s in prepared.splits)
    st.success(f"Prepared in `{prepared.folder}`: {splits}. Pick it in Setup → Data.")


def open_chosen(path: Path):
    """The chosen file, indexed (cached by path, mtime and size); stops the page when unreadable."""
    if not path.is_file():
        st.error(f"{path} is not a file.")
        st.stop()
    try:
        stat = path.stat()
        return _open(str(path), stat.st_mtime, stat.st_size), stat
    except OSError as error:
        show_error(DatasetError(f"Cannot read {path}: {error.strerror or error}."))
    except StudioError as error:
        show_error(error)
    st.stop()


def sample_view(dataset) -> None:
    st.subheader("Sample")
    count_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    count = count_col.number_input("Conversations", 1, 20, value=3, key="dataset_sample_size")
    if button_col.button("New sample", key="dataset_new_sample"):
        st.session_state[SEED] = st.session_state.get(SEED, 0) + 1
    show_sample(dataset, int(count), st.session_state.setdefault(SEED, 0))


def statistics_and_prepare(source: Source, stat) -> None:
    max_seq_length = st.number_input(
        "max_seq_length", 64, 32768, value=2048, step=64, key="dataset_max_seq_length"
    )
    report = _inspect(str(source.path), stat.st_mtime, stat.st_size, _tokenizer_path())
    if report.valid == 0:
        st.error("No row of this file is a valid conversation; see the reasons below.")
    show_statistics(
        report,
        int(max_seq_length),
        "Token counts are estimated (about 4 characters per token): the model's tokenizer "
        "is not available.",
    )
    if report.valid >= 2 and is_operator():
        show_prepare(source)


st.title("Dataset")
source = pick_source()
if source.path is None:
    st.stop()
dataset, stat = open_chosen(source.path)
st.session_state[state.DATASET_PATH] = str(source.path)
sample_view(dataset)
# The sample draws at once; the statistics need the tokenizer and plotly's first figure,
# about a second in a cold server process: drawn right after the sample until it is warm.
st.subheader("Statistics")
draw_after_first_paint(
    "dataset",
    partial(statistics_and_prepare, source, stat),
    "Counting tokens and drawing the statistics…",
    warm=statistics_warm(),
)
