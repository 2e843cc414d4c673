"""Greedy steps skip the top-p sort: every request of the step greedy means argmax, nothing else.

The loop applies each request's temperature and top-p in one batched pass, and a greedy request
is a top-p so small that only the likeliest token survives (batching.GREEDY_TOP_P). transformers'
per-request top-p sorts the whole vocabulary (49k tokens for SmolLM2) for every row, which cost
~7% of a CPU decode step even when no row samples. When every row of the step is greedy, the
likeliest token alone is kept, which is what the sort would have kept, without sorting.

Only on CPU: on an accelerator the sort is cheap, and the step must stay branch-free there
(CUDA graphs replay one fixed sequence of kernels).
"""

from __future__ import annotations

import torch
from transformers.generation.continuous_batching.cb_logits_processors import (
    ContinuousBatchingTopPLogitsWarper,
)


class GreedyAwareTopP(ContinuousBatchingTopPLogitsWarper):
    """Per-request top-p that keeps only the argmax, unsorted, when every row is greedy."""

    def __init__(self, library: ContinuousBatchingTopPLogitsWarper, greedy_top_p: float) -> None:
        self.top_p = library.top_p
        self.filter_value = library.filter_value
        self.min_tokens_to_keep = library.min_tokens_to_keep
        self.greedy_top_p = greedy_top_p

    def __call__(self, scores: torch.Tensor, tensor_arg: torch.Tensor) -> torch.Tensor:
        top_p = tensor_arg[: scores.size(0)].view(dtype=torch.float32)
        if bool((top_p <= self.greedy_top_p).all()):
            best = scores.amax(dim=-1, keepdim=True)
            return scores.masked_fill(scores < best, self.filter_value)
        return super().__call__(scores, tensor_arg)


def skip_sort_when_greedy(processors, greedy_top_p: float) -> bool:
    """Swap the library's per-request top-p in `processors` (a LogitsProcessorList) in place."""
    for index, processor in enumerate(processors):
        if type(processor) is ContinuousBatchingTopPLogitsWarper:
            processors[index] = GreedyAwareTopP(processor, greedy_top_p)
            return True
    return False
