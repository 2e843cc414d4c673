"""Conversation datasets: load, validate, sample, count, prepare for training.

    dataset = open_dataset("train.jsonl")          # indexes lines; parses nothing yet
    dataset.sample(5, seed=1)                      # a few valid conversations, fast
    report = inspect_dataset(dataset, TokenCounter.from_file("tokenizer.json"))
    prepare("demo") / prepare("file.jsonl") / prepare("HuggingFaceH4/ultrachat_200k")
    list_prepared()                                # what training can use

Modules: validation (what a valid row is), files (reading; parquet by row group), report
(full pass: invalid rows and statistics), columns (parquet batches proven valid in Arrow),
tokens, word_counts and word_split (exact counts of every row), hub, writing (atomic),
output_folder (where prepare may write), preparation, prepared, demo, charts (plotly).
"""

from services.data.demo import demo_file
from services.data.files import Conversation, DatasetFile, open_dataset
from services.data.preparation import prepare, prepare_demo
from services.data.prepared import PreparedDataset, SplitFile, list_prepared, read_prepared
from services.data.report import DatasetReport, DatasetStats, inspect_dataset
from services.data.tokens import TokenCounter
from services.data.validation import InvalidRow

__all__ = [
    "Conversation",
    "DatasetFile",
    "DatasetReport",
    "DatasetStats",
    "InvalidRow",
    "PreparedDataset",
    "SplitFile",
    "TokenCounter",
    "demo_file",
    "inspect_dataset",
    "list_prepared",
    "open_dataset",
    "prepare",
    "prepare_demo",
    "read_prepared",
]
