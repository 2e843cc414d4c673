"""The statistics figures: histogram bars and the max_seq_length line."""

from services.data import DatasetStats
from services.data.charts import MAX_LINE_NAME, tokens_histogram, turns_histogram

STATS = DatasetStats(
    turns=(2, 2, 4, 6),
    chars=(10, 20, 30, 40),
    tokens=(100, 300, 900, 2500),
    tokens_approximate=False,
    tokenizer="t",
)


def test_tokens_histogram_marks_max_seq_length():
    figure = tokens_histogram(STATS, max_seq_length=1024)
    [line] = [shape for shape in figure.layout.shapes if shape.name == MAX_LINE_NAME]
    assert line.x0 == line.x1 == 1024
    assert sum(figure.data[0].y) == 4
    assert "25% longer" in figure.layout.annotations[0].text
    assert "exact, every row" in figure.layout.title.text


def test_estimated_tokens_say_so():
    estimated = DatasetStats(turns=(2,), chars=(8,), tokens=(12,))
    assert "estimated" in tokens_histogram(estimated, 256).layout.title.text


def test_turns_histogram_counts_conversations_per_turn_count():
    figure = turns_histogram(STATS)
    assert list(figure.data[0].x) == [2, 4, 6]
    assert list(figure.data[0].y) == [2, 1, 1]
