"""Loading the base and tuned models, held-out loss, batched generation. Worker-only (torch).

Both models see exactly the same token ids: each row is tokenized once, the way training
tokenized it (services.training.examples: chat template, labels on assistant tokens only, cut
at the job's max_seq_length), and the same tensors go through both models. With a LoRA job
the base weights are loaded once and the tuned model is base + adapter; the base model is the
same object with the adapter switched off, so memory holds one copy of the weights.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from services.evaluation.rows import EvalRow
from services.local import catalog
from services.training.checkpoints import has_adapter
from services.training.examples import IGNORE_INDEX, PadToLongest, tokenize_conversation
from services.training.layout import ADAPTER_DIR, MODEL_DIR

Progress = Callable[[int], None]  # called with how many rows were just done


@dataclass(frozen=True)
class Sampling:
    max_new_tokens: int = 128
    temperature: float = 0.0  # 0: greedy, so a rerun gives the same replies
    top_p: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class Generated:
    text: str
    new_tokens: int
    cut_off: bool


class Models:
    """The tokenizer, and a way to run the base or the tuned model (`with models.use("base")`).

    With `comparator_dir` (another job of the same base model), "base" is that job's model;
    with `checkpoint` (a kept checkpoint folder), "tuned" is that checkpoint, not the final one.
    """

    def __init__(
        self,
        job_dir: Path,
        model_id: str,
        device: str,
        comparator_dir: Path | None = None,
        checkpoint: Path | None = None,
    ) -> None:
        base_folder = catalog.model_path(model_id)
        self.device = device
        self.dtype = torch.bfloat16 if device == "cuda" else torch.float32
        self.tokenizer = AutoTokenizer.from_pretrained(base_folder)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        adapter, whole = _weights(job_dir, checkpoint)
        self.tuned = self._job_model(adapter, whole, base_folder)
        self.base = None  # None: the tuned model with its adapter disabled
        if comparator_dir is not None:
            self.base = self._job_model(*_weights(comparator_dir), base_folder)
        elif not (adapter and adapter.is_dir()):
            self.base = self._load(base_folder)

    def _load(self, folder: Path):
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=self.dtype)
        return model.to(self.device).eval()

    def _job_model(self, adapter: Path | None, whole: Path | None, base_folder: Path):
        """A fine-tuned model: base + its LoRA adapter, or its full weights."""
        if adapter and adapter.is_dir():
            from peft import PeftModel

            return PeftModel.from_pretrained(self._load(base_folder), adapter).eval()
        if whole and whole.is_dir():
            return self._load(whole)
        looked = adapter or whole
        where = looked.parent if looked is not None else "the job"
        raise FileNotFoundError(f"{where} holds neither {ADAPTER_DIR}/ nor {MODEL_DIR}/")

    @contextlib.contextmanager
    def use(self, which: str):
        if which == "tuned":
            yield self.tuned
        elif self.base is not None:
            yield self.base
        else:
            with self.tuned.disable_adapter():
                yield self.tuned

    def stop_ids(self) -> set[int]:
        ids = {self.tokenizer.eos_token_id}
        configured = self.tuned.generation_config.eos_token_id
        ids.update(configured if isinstance(configured, list) else [configured])
        return {i for i in ids if i is not None}


def _weights(job_dir: Path, checkpoint: Path | None = None) -> tuple[Path | None, Path | None]:
    """(adapter folder, whole-model folder) of a job, or of one checkpoint it kept (which holds
    one or the other)."""
    if checkpoint is not None:
        return (checkpoint, None) if has_adapter(checkpoint) else (None, checkpoint)
    return job_dir / ADAPTER_DIR, job_dir / MODEL_DIR


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@torch.inference_mode()
def assistant_losses(
    models: Models,
    which: str,
    rows: list[EvalRow],
    max_seq_length: int,
    batch_size: int,
    progress: Progress,
) -> list[tuple[float, int]]:
    """(mean loss per assistant token, token count) of prompt + reference, per row.

    A row whose assistant tokens all fall beyond max_seq_length has no loss: (0.0, 0), which
    the token-weighted mean leaves out.
    """
    tokenizer = models.tokenizer
    examples = [
        tokenize_conversation(
            tokenizer,
            [*row.prompt, {"role": "assistant", "content": row.reference}],
            max_seq_length,
        )
        for row in rows
    ]
    collate = PadToLongest(tokenizer.pad_token_id)
    results: list[tuple[float, int]] = []
    with models.use(which) as model:
        for batch in _batches(examples, batch_size):
            kept = [example for example in batch if example is not None]
            sums = iter(_loss_sums(model, collate(kept), models.device) if kept else [])
            for example in batch:
                results.append(next(sums) if example is not None else (0.0, 0))
            progress(len(batch))
    return results


def _loss_sums(model, batch: dict, device: str) -> list[tuple[float, int]]:
    batch = {key: value.to(device) for key, value in batch.items()}
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"][:, 1:]
    losses = torch.nn.functional.cross_entropy(
        logits[:, :-1].float().transpose(1, 2), labels, ignore_index=IGNORE_INDEX, reduction="none"
    )
    counts = (labels != IGNORE_INDEX).sum(dim=1)
    return [
        (float(total) / max(int(count), 1), int(count))
        for total, count in zip(losses.sum(dim=1), counts, strict=True)
    ]


@contextlib.contextmanager
def _cut_on_the_left(tokenizer):
    """Pad and cut prompts on the left while generating (keep each prompt's end), then put the
    tokenizer back: the next model's held-out loss must tokenize rows as training did (cut on
    the right), or base and tuned would be scored on different tokens of a long row."""
    saved = tokenizer.padding_side, tokenizer.truncation_side
    tokenizer.padding_side, tokenizer.truncation_side = "left", "left"
    try:
        yield
    finally:
        tokenizer.padding_side, tokenizer.truncation_side = saved


@torch.inference_mode()
def generate(
    models: Models,
    which: str,
    rows: list[EvalRow],
    sampling: Sampling,
    max_seq_length: int,
    batch_size: int,
    progress: Progress,
) -> list[Generated]:
    """Each row's reply, generated in batches of prompts of similar length, padded and cut on
    the left (_cut_on_the_left) so each prompt keeps its end."""
    tokenizer = models.tokenizer
    prompts = [
        tokenizer.apply_chat_template(row.prompt, tokenize=False, add_generation_prompt=True)
        for row in rows
    ]
    lengths = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    order = sorted(range(len(prompts)), key=lengths.__getitem__)  # less padding per batch
    stop_ids = models.stop_ids()
    replies: dict[int, Generated] = {}
    torch.manual_seed(sampling.seed)
    options: dict[str, object] = {
        "max_new_tokens": sampling.max_new_tokens,
        "do_sample": sampling.temperature > 0,
    }
    if sampling.temperature > 0:
        options.update(temperature=sampling.temperature, top_p=sampling.top_p)
    with models.use(which) as model, _cut_on_the_left(tokenizer):
        for indices in _batches(order, batch_size):
            encoded = tokenizer(
                [prompts[i] for i in indices],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=max_seq_length,
                add_special_tokens=False,
            ).to(models.device)
            output = model.generate(
                **encoded,
                **options,
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=sorted(stop_ids),
            )
            for index, tokens in zip(
                indices, output[:, encoded["input_ids"].shape[1] :], strict=True
            ):
                replies[index] = _reply(tokenizer, tokens.tolist(), stop_ids)
            progress(len(indices))
    return [replies[index] for index in range(len(rows))]


def _reply(tokenizer, tokens: list[int], stop_ids: set[int]) -> Generated:
    stop = next((i for i, token in enumerate(tokens) if token in stop_ids), None)
    kept = tokens if stop is None else tokens[:stop]
    text = tokenizer.decode(kept, skip_special_tokens=True).strip()
    return Generated(text=text, new_tokens=len(kept), cut_off=stop is None)
