"""Each kind of bad row is reported with its line number and reason; good rows stay usable."""

import pytest

from services.data import inspect_dataset
from tests.data.conftest import chat, write_lines

BAD_ROWS = [
    ("not_json", '{"messages": [', "not JSON"),
    ("not_object", "[1, 2]", "not a JSON object"),
    ("no_messages", {"text": "hi"}, "no `messages`"),
    ("no_messages", {"messages": []}, "non-empty list"),
    ("missing_role", {"messages": [{"content": "hi"}]}, "message 1 has no role"),
    ("missing_content", {"messages": [{"role": "user"}]}, "message 1 has no content"),
    (
        "unknown_role",
        {"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "yo"}]},
        "message 2 has an unknown role 'bot'",
    ),
    ("empty_content", chat("hi", "   "), "message 2 has empty content"),
    (
        "not_alternating",
        {
            "messages": [
                {"role": "user", "content": "a"},
                {"role": "user", "content": "b"},
                {"role": "assistant", "content": "c"},
            ]
        },
        "does not alternate",
    ),
    ("not_alternating", {"messages": [{"role": "assistant", "content": "first"}]}, "expected user"),
    (
        "not_alternating",
        {
            "messages": [
                {"role": "user", "content": "a"},
                {"role": "system", "content": "late system"},
                {"role": "assistant", "content": "c"},
            ]
        },
        "message 2 is system",
    ),
    ("no_assistant", chat("only a question"), "no assistant turn"),
    ("not_text", {"messages": [{"role": "user", "content": 5}]}, "not text"),
]


@pytest.mark.parametrize(("code", "row", "reason"), BAD_ROWS)
def test_each_bad_row_is_reported_by_line(tmp_path, code, row, reason):
    path = write_lines(tmp_path / "d.jsonl", [chat("q", "a"), row, chat("q2", "a2")])
    report = inspect_dataset(path)
    assert report.rows == 3
    assert report.valid == 2
    [invalid] = report.invalid
    assert invalid.line == 2
    assert invalid.code == code
    assert reason in invalid.reason


def test_leading_system_message_is_fine(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [chat("q", "a", "q2", "a2", system="Be brief.")])
    report = inspect_dataset(path)
    assert report.invalid == ()
    assert report.stats.turns == (4,)  # the system message is not a turn


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('\n{"bad"\n\n' + '{"messages": [{"role": "user", "content": "q"}]}\n')
    report = inspect_dataset(path)
    assert [(row.line, row.code) for row in report.invalid] == [
        (2, "not_json"),
        (4, "no_assistant"),
    ]


def test_invalid_utf8_is_a_bad_row_not_a_crash(tmp_path):
    path = tmp_path / "d.jsonl"
    good = write_lines(tmp_path / "g.jsonl", [chat("q", "a")]).read_bytes()
    path.write_bytes(good + b'{"messages": "\xff\xfe"}\n' + good)
    report = inspect_dataset(path)
    assert report.valid == 2
    assert report.invalid[0].line == 2
