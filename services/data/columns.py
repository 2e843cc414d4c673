"""Prove a parquet batch's conversations valid in Arrow, without a Python dict per row.

A full pass over a parquet file spent most of its time turning rows into Python objects.
Most rows are valid, and Arrow alone can prove it (the rules of validation.check_messages,
vectorised) and give their figures. Rows it cannot prove valid go through validate_row, which
stays the one place that says why a row is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.data.validation import ROLES

SYSTEM, USER, ASSISTANT = (ROLES.index(role) for role in ("system", "user", "assistant"))
# str.strip() removes exactly the characters for which str.isspace() is true (all below 0x3001).
_PY_WHITESPACE = "".join(f"\\x{{{code:x}}}" for code in range(0x3001) if chr(code).isspace())
HAS_TEXT = f"[^{_PY_WHITESPACE}]"  # content with one of these survives .strip()


@dataclass(frozen=True)
class CheckedBatch:
    """Per row: `proven` valid; for those rows, turns, characters and message texts."""

    proven: np.ndarray  # bool per row
    turns: np.ndarray  # messages other than system, per row
    chars: np.ndarray  # characters of all contents, per row
    messages: np.ndarray  # messages per row
    contents: pa.Array  # the contents of every message of the batch, in order

    def texts(self, rows: np.ndarray) -> pa.Array:
        """Contents of the messages of the rows where `rows` (bool per row) is True, kept in
        Arrow: counting needs their lengths or their bytes, not a Python str per message."""
        if rows.all():
            return self.contents
        return self.contents.filter(pa.array(np.repeat(rows, self.messages)))


def check_batch(batch: pa.RecordBatch) -> CheckedBatch | None:
    """Proof of validity per row; None when `messages` is not a list of role/content strings
    (then every row is checked in Python)."""
    index = batch.schema.get_field_index("messages")
    if index < 0:
        return None
    column = batch.column(index)
    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        return None
    item = column.type.value_type
    if not pa.types.is_struct(item) or not all(
        item.get_field_index(name) >= 0 and pa.types.is_string(item.field(name).type)
        for name in ("role", "content")
    ):
        return None
    offsets = np.asarray(column.offsets, dtype=np.int64)
    items = column.values.slice(offsets[0], offsets[-1] - offsets[0])
    messages = np.diff(offsets)
    roles = pc.index_in(items.field("role"), value_set=pa.array(ROLES))
    contents = items.field("content")
    message_ok = _filled(
        pc.and_kleene(
            pc.and_kleene(items.is_valid(), pc.is_valid(roles)),
            pc.match_substring_regex(contents, HAS_TEXT),
        )
    )
    code = np.asarray(roles.fill_null(-1), dtype=np.int64)
    row_of = np.repeat(np.arange(len(column)), messages)
    position = np.arange(len(code)) - np.repeat(offsets[:-1] - offsets[0], messages)
    system_first = np.zeros(len(column), dtype=bool)
    starts = np.flatnonzero(messages > 0)
    system_first[starts] = code[offsets[starts] - offsets[0]] == SYSTEM
    turn = position - system_first[row_of]  # -1 for a leading system message
    expected = np.where(turn % 2 == 0, USER, ASSISTANT)
    message_ok &= (turn == -1) | (code == expected)
    bad = np.bincount(row_of, weights=~message_ok, minlength=len(column))
    turns = messages - system_first
    # A user turn then alternation: two non-system messages mean an assistant turn.
    proven = _filled(column.is_valid()) & (bad == 0) & (turns >= 2)
    lengths = np.asarray(pc.utf8_length(contents).fill_null(0), dtype=np.int64)
    chars = np.bincount(row_of, weights=lengths, minlength=len(column)).astype(np.int64)
    return CheckedBatch(proven, turns, chars, messages, contents)


def _filled(mask) -> np.ndarray:
    """A boolean Arrow array as numpy, null as False."""
    return np.asarray(mask.fill_null(False), dtype=bool)
