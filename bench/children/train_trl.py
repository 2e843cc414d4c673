"""Baseline of the training part: TRL's SFTTrainer with LoRA on the same model and data.

    python -m bench.children.train_trl MODEL_DIR TRAIN_JSONL SETTINGS_JSON

SETTINGS_JSON holds the settings the product job uses (steps, batch, sequence length, LoRA).
Tokens per second are counted the way the product's worker counts them: non-padding input
tokens (Trainer's num_input_tokens_seen) over the time spent in training steps only.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

from bench.children import report


def main(model_dir: str, train_file: str, settings: dict) -> None:
    import torch
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    class StepClock(TrainerCallback):
        def __init__(self) -> None:
            # (seconds in the step, tokens seen after it, process CPU seconds after it)
            self.steps: list[tuple[float, int, float]] = []
            self.began = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            self.began = time.monotonic()

        def on_step_end(self, args, state, control, **kwargs):
            seen = int(getattr(state, "num_input_tokens_seen", 0))
            cpu = os.times()
            self.steps.append((time.monotonic() - self.began, seen, cpu.user + cpu.system))

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    data = load_dataset("json", data_files=train_file, split="train")
    # ../shared/DESIGN.md: with prompt/prompt_id present TRL treats rows as prompt/completion pairs.
    data = data.remove_columns([c for c in ("prompt", "prompt_id") if c in data.column_names])
    lora = LoraConfig(
        r=settings["lora_r"],
        lora_alpha=settings["lora_alpha"],
        lora_dropout=settings["lora_dropout"],
        target_modules=settings["lora_target_modules"],
        task_type="CAUSAL_LM",
    )
    with tempfile.TemporaryDirectory() as output:
        config = SFTConfig(
            output_dir=output,
            max_steps=settings["max_steps"],
            per_device_train_batch_size=settings["per_device_train_batch_size"],
            max_length=settings["max_seq_length"],
            learning_rate=settings["learning_rate"],
            lr_scheduler_type=settings["lr_scheduler_type"],
            seed=settings["seed"],
            logging_steps=1,
            save_strategy="no",
            report_to="none",
            disable_tqdm=True,
            # The product trains without these; TRL turns them on by default.
            gradient_checkpointing=False,
            bf16=False,
            use_cpu=True,
            dataloader_pin_memory=False,
            include_num_input_tokens_seen="non_padding",
        )
        clock = StepClock()
        trainer = SFTTrainer(
            model=model,
            args=config,
            train_dataset=data,
            processing_class=tokenizer,
            peft_config=lora,
            callbacks=[clock],
        )
        started = time.monotonic()
        trainer.train()
        train_s = time.monotonic() - started
    report(steps=clock.steps, train_s=train_s)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
