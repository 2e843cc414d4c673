"""The per-example table: each row's prompt, reference and both replies, largest change first.

The change is the tuned reply's ROUGE-L minus the comparator's; ties are broken by the change
in held-out loss, so the rows where fine-tuning mattered most come first either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.evaluation import metrics
from services.evaluation.rows import EvalRow
from services.evaluation.scorecard import Reply


@dataclass(frozen=True)
class ExampleRow:
    row: int  # position in the test split
    prompt: str  # the last user turn
    earlier_turns: int  # messages before it (context the models also saw)
    reference: str
    base_reply: str
    tuned_reply: str
    base_rouge_l: float
    tuned_rouge_l: float
    rouge_l_change: float
    base_loss: float | None  # None: no assistant token within the job's max_seq_length
    tuned_loss: float | None


def example_rows(rows: list[EvalRow], base: list[Reply], tuned: list[Reply]) -> list[ExampleRow]:
    table = []
    for row, base_reply, tuned_reply in zip(rows, base, tuned, strict=True):
        base_rouge = metrics.rouge_l(base_reply.text, row.reference)
        tuned_rouge = metrics.rouge_l(tuned_reply.text, row.reference)
        table.append(
            ExampleRow(
                row=row.index,
                prompt=str(row.prompt[-1]["content"]),
                earlier_turns=len(row.prompt) - 1,
                reference=row.reference,
                base_reply=base_reply.text,
                tuned_reply=tuned_reply.text,
                base_rouge_l=round(base_rouge, 4),
                tuned_rouge_l=round(tuned_rouge, 4),
                rouge_l_change=round(tuned_rouge - base_rouge, 4),
                base_loss=round(base_reply.loss, 4) if base_reply.loss_tokens else None,
                tuned_loss=round(tuned_reply.loss, 4) if tuned_reply.loss_tokens else None,
            )
        )
    table.sort(key=lambda e: (abs(e.rouge_l_change), _loss_change(e)), reverse=True)
    return table


def _loss_change(example: ExampleRow) -> float:
    if example.base_loss is None or example.tuned_loss is None:
        return 0.0
    return abs(example.tuned_loss - example.base_loss)
