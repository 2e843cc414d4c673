"""A tiny finished local job for serving tests: a random Llama model, a LoRA adapter, job.json.

Built in a subprocess (`python -m tests.serving.tiny_model HOME`) so the test process never
imports torch: AppTests run pages in the test process and must see no torch there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOB_ID = "job-tiny-1"
MODEL_ID = "tiny-llama"

# Chat template in the ChatML style SmolLM2 uses.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_finished_job(home: Path) -> dict:
    """Write a tiny base model and a finished job under `home` (a STUDIO_HOME); return job.json."""
    subprocess.run(
        [sys.executable, "-m", "tests.serving.tiny_model", str(home)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads((home / "jobs" / JOB_ID / "job.json").read_text())


def _byte_level_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {symbol: index for index, symbol in enumerate(sorted(alphabet))}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|im_end|>",
        unk_token="<|im_end|>",
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def _write(home: Path) -> None:
    import mlflow
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    from services import config

    torch.manual_seed(0)
    tokenizer = _byte_level_tokenizer()
    base_dir = home / "models" / MODEL_ID
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=4,
            max_position_embeddings=512,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    model.save_pretrained(base_dir)
    tokenizer.save_pretrained(base_dir)

    job_dir = home / "jobs" / JOB_ID
    peft_model = get_peft_model(
        model,
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False),
    )
    peft_model.save_pretrained(job_dir / "adapter")
    tokenizer.save_pretrained(job_dir / "adapter")

    mlflow.set_tracking_uri(config.mlflow_tracking_uri())
    experiment = f"chat_completion_{MODEL_ID}"
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(
            experiment, artifact_location=config.mlflow_artifact_root().as_uri()
        )
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name="tiny-finetune") as run:
        mlflow.log_metric("loss", 5.0, step=1)
    job = {
        "id": JOB_ID,
        "model_id": str(base_dir),
        "run_id": run.info.run_id,
        "status": "finished",
        "spec": {"model_id": str(base_dir), "display_name": "tiny-finetune"},
    }
    (job_dir / "job.json").write_text(json.dumps(job))


if __name__ == "__main__":
    import os

    os.environ["STUDIO_HOME"] = sys.argv[1]
    _write(Path(sys.argv[1]))
