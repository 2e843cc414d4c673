"""Continuous batching for a local endpoint: one generation loop steps every active request.

transformers' continuous batching (`model.init_continuous_batching`) owns the model in one
background thread. Each step runs one forward pass over every request in flight, so a request
that arrives while others generate joins at the next step (its prompt is prefilled alongside
their decoding) instead of waiting for them to finish; requests that arrive together start one
a step (scheduling.py), so the first one's first token does not wait for all their prompts.
Each request keeps its own max_new_tokens and sampling parameters (per-request temperature and
top-p processors; greedy is a top-p so small that only the likeliest token is kept, without
sorting the vocabulary when the whole step is greedy: sampling.py), and can be cancelled at any
step: the loop drops it and frees its cache.

Requests are driven from the server's event loop: `submit` returns a `Generation` whose
outputs arrive on an asyncio queue (the library calls back on the loop thread-safely).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from typing import Any

from services.serving import scheduling
from services.serving.limits import Limits
from services.serving.prompt import prompt_token_ids
from services.serving.sampling import skip_sort_when_greedy

log = logging.getLogger(__name__)

# Tokens per KV-cache block. Small: prefix sharing reuses whole blocks only, and a chat's shared
# prefix (the system prompt, the conversation so far) is rarely a multiple of a big page.
PAGE_SIZE = 16
MAX_BATCH_TOKENS = 512  # tokens per forward pass: a long prompt is prefilled in chunks of this
# Greedy as a top-p: the cut rounds to 1.0 in float32, so only the likeliest token is kept.
GREEDY_TOP_P = 1e-9


class BatchingEngine:
    """The model's one generation loop, shared by every request of the endpoint."""

    def __init__(self, model, tokenizer, limits: Limits) -> None:
        from transformers import GenerationConfig
        from transformers.generation.configuration_utils import ContinuousBatchingConfig

        self.tokenizer = tokenizer
        self.context_tokens = _context_length(model)
        self._ids = itertools.count(1)
        model_config = getattr(model, "generation_config", None)
        self.eos_token_id = _eos_token_id(model_config, tokenizer)
        # The defaults only decide which processors exist (temperature, top-p): every
        # request then passes its own values.
        generation_config = GenerationConfig(
            do_sample=True,
            temperature=0.6,
            top_p=0.9,
            top_k=0,  # no top-k: its full-vocabulary sort cost ~8% of a CPU step
            max_new_tokens=limits.max_new_tokens,
            eos_token_id=self.eos_token_id,
            pad_token_id=tokenizer.pad_token_id
            if tokenizer.pad_token_id is not None
            else self.eos_token_id,
        )
        batching_config = ContinuousBatchingConfig(
            page_size=PAGE_SIZE,
            num_blocks=math.ceil(limits.cache_tokens / PAGE_SIZE),
            max_batch_tokens=MAX_BATCH_TOKENS,
            max_requests_per_batch=limits.max_batch,
            per_request_processors=True,
            scheduler_type=scheduling.register(),  # one new prompt a step: see scheduling.py
        )
        self.manager = model.init_continuous_batching(
            generation_config=generation_config, continuous_batching_config=batching_config
        )
        if model.device.type == "cpu":  # before start: the loop reads this list at every step
            skip_sort_when_greedy(self.manager.logit_processor.logits_processor, GREEDY_TOP_P)
        self.manager.start()

    def prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        return prompt_token_ids(self.tokenizer, messages)

    def submit(
        self, prompt_ids: list[int], parameters: dict[str, Any], *, stream: bool
    ) -> Generation:
        """Queue one request; call from the event loop (its outputs are delivered there)."""
        generation = Generation(self, f"request-{next(self._ids)}")
        self.manager.register_result_handler(generation.id, generation.queue.put_nowait)
        self.manager.add_request(
            prompt_ids,
            request_id=generation.id,
            max_new_tokens=int(parameters["max_new_tokens"]),
            streaming=stream,
            eos_token_id=self.eos_token_id,
            **self._sampling(parameters),
        )
        return generation

    def text(self, token_ids: list[int]) -> str:
        return self.tokenizer.decode(token_ids, skip_special_tokens=True)

    def is_running(self) -> bool:
        return self.manager.is_running()

    def generations(self) -> int:
        """Requests the loop holds now: generating, or queued for the next step."""
        # The scheduler's own tables, not ours: a cancelled request counts until the loop has
        # really dropped it (which is what "the model is free" means).
        scheduler = getattr(self.manager.batch_processor, "scheduler", None)
        held = len(scheduler.active_requests) + len(scheduler.waiting_requests) if scheduler else 0
        return held + self.manager.input_queue.qsize()

    def stop(self) -> None:
        if self.manager.is_running():
            self.manager.stop(block=True, timeout=10, hard_stop=True)

    def _sampling(self, parameters: dict[str, Any]) -> dict[str, Any]:
        temperature = float(parameters["temperature"])
        if not parameters["do_sample"] or temperature <= 0:
            return {"temperature": 1.0, "top_p": GREEDY_TOP_P}
        return {"temperature": temperature, "top_p": float(parameters["top_p"])}

    def _forget(self, generation: Generation, *, cancel: bool) -> None:
        if cancel:
            self.manager.cancel_request(generation.id)
        # A cancelled request never delivers a last output, so its handler would stay forever.
        router = self.manager.output_router
        with router._lock:
            router.result_handlers.pop(generation.id, None)


class Generation:
    """One request in the loop: await `next` for its outputs; `close` when done with it."""

    def __init__(self, engine: BatchingEngine, request_id: str) -> None:
        self.engine = engine
        self.id = request_id
        self.queue: asyncio.Queue = asyncio.Queue()
        self.finished = False

    async def next(self, wait_s: float):
        """The next output (a GenerationOutput), or None when none came within `wait_s`."""
        try:
            output = await asyncio.wait_for(self.queue.get(), wait_s)
        except TimeoutError:
            return None
        self.finished = output.is_finished()
        return output

    def close(self) -> bool:
        """Stop generating (if it still is) and forget the request; True if it was stopped."""
        stopped = not self.finished
        self.engine._forget(self, cancel=stopped)
        self.finished = True
        return stopped


def _context_length(model) -> int:
    config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else None
    return int(getattr(config or model.config, "max_position_embeddings", 2048))


def _eos_token_id(model_config, tokenizer) -> int | list[int]:
    eos = getattr(model_config, "eos_token_id", None)
    if eos is None:
        eos = tokenizer.eos_token_id
    return -1 if eos is None else eos
