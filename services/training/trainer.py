"""The training itself: model + LoRA + tokenized conversations into transformers' Trainer.

Imported only inside the worker process (it loads torch, transformers and peft).
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from mlflow.entities import Param
from peft import LoraConfig, get_peft_model
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PrinterCallback,
    Trainer,
    TrainingArguments,
)
from transformers.utils import logging as hf_logging

from services.local import catalog
from services.training.callbacks import StudioCallback
from services.training.examples import PadToLongest, tokenize_all
from services.training.layout import ADAPTER_DIR, CHECKPOINTS_DIR, MODEL_DIR, say
from services.training.settings import TrainSettings, settings_from_params

logger = logging.getLogger(__name__)
hf_logging.disable_progress_bar()  # tqdm bars redraw with \r: unreadable in a log file


class Examples(torch.utils.data.Dataset):
    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict:
        return self.rows[index]


def _uses_cuda(spec: dict) -> bool:
    return int(spec.get("gpus") or 0) > 0 and torch.cuda.is_available()


def _training_arguments(
    job_dir: Path, settings: TrainSettings, spec: dict, has_eval: bool, resuming: bool = False
):
    cuda = _uses_cuda(spec)
    bf16 = cuda and torch.cuda.is_bf16_supported()
    return TrainingArguments(
        output_dir=str(job_dir / CHECKPOINTS_DIR),
        num_train_epochs=settings.num_train_epochs,
        max_steps=settings.max_steps if settings.max_steps > 0 else -1,
        per_device_train_batch_size=settings.per_device_train_batch_size,
        per_device_eval_batch_size=settings.per_device_eval_batch_size,
        gradient_accumulation_steps=settings.gradient_accumulation_steps,
        learning_rate=settings.learning_rate,
        lr_scheduler_type=settings.lr_scheduler_type,
        warmup_steps=settings.warmup_steps,
        logging_steps=settings.logging_steps,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=settings.eval_steps,
        # An eval at step 0, so the chart shows where eval loss began; a resumed run's chart
        # already has one (from the job it continues).
        eval_on_start=has_eval and not resuming,
        prediction_loss_only=True,
        save_strategy="steps",
        save_steps=settings.eval_steps,
        save_total_limit=settings.save_total_limit if settings.save_total_limit > 0 else None,
        seed=settings.seed,
        report_to="none",  # the callback logs to MLflow (Trainer's own would end the run)
        disable_tqdm=True,  # progress bars make unreadable log files; the callback prints lines
        train_sampling_strategy="group_by_length",  # less padding per batch
        include_num_input_tokens_seen="non_padding",
        use_cpu=not cuda,
        bf16=bf16,
        ddp_find_unused_parameters=False,
        remove_unused_columns=False,
        dataloader_pin_memory=cuda,
    )


def train(
    job_dir: Path,
    spec: dict,
    conversations: tuple[list, list],
    client,
    run_id: str,
    *,
    is_main: bool,
    resume_checkpoint: str = "",
) -> Path | None:
    """Train; return the folder saved at the end (adapter/ or model/) on the main process.

    `resume_checkpoint`: a checkpoint folder of an earlier job to continue from
    (services.training.resume): weights, optimizer, scheduler, RNG state and step count.
    """
    settings = settings_from_params(spec.get("params") or {})
    train_rows, eval_rows = conversations

    model_folder = catalog.model_path(spec["model_id"])  # converts the bundled model once
    say(f"loading model from {model_folder}")
    tokenizer = AutoTokenizer.from_pretrained(model_folder)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    dtype = torch.bfloat16 if _uses_cuda(spec) and torch.cuda.is_bf16_supported() else None
    model = AutoModelForCausalLM.from_pretrained(model_folder, dtype=dtype or torch.float32)
    if settings.apply_lora:
        lora = LoraConfig(
            r=settings.lora_r,
            lora_alpha=settings.lora_alpha,
            lora_dropout=settings.lora_dropout,
            target_modules=list(settings.lora_target_modules),
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
        trainable, total = model.get_nb_trainable_parameters()
        say(f"LoRA: {trainable:,} trainable of {total:,} parameters")

    train_examples = tokenize_all(tokenizer, train_rows, settings.max_seq_length)
    eval_examples = tokenize_all(tokenizer, eval_rows, settings.max_seq_length)
    if not train_examples:
        raise ValueError("no training conversation has an assistant turn to learn from")
    tokens = sum(len(example["input_ids"]) for example in train_examples)
    say(f"tokenized: {len(train_examples)} examples, {tokens:,} tokens")
    if client:
        extra = {"train_examples": len(train_examples), "eval_examples": len(eval_examples)}
        client.log_batch(run_id, params=[Param(k, str(v)) for k, v in extra.items()])

    trainer = Trainer(
        model=model,
        args=_training_arguments(
            job_dir, settings, spec, has_eval=bool(eval_examples), resuming=bool(resume_checkpoint)
        ),
        data_collator=PadToLongest(tokenizer.pad_token_id),
        train_dataset=Examples(train_examples),
        eval_dataset=Examples(eval_examples) if eval_examples else None,
        processing_class=tokenizer,
        callbacks=[StudioCallback(job_dir, client, run_id)],
    )
    trainer.remove_callback(PrinterCallback)  # the callback prints its own progress lines
    if resume_checkpoint:
        say(f"resuming from {resume_checkpoint}")
    trainer.train(resume_from_checkpoint=resume_checkpoint or None)
    if not is_main:
        return None
    output = job_dir / (ADAPTER_DIR if settings.apply_lora else MODEL_DIR)
    trainer.model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    say(f"saved {output}")
    return output
