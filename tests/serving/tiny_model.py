"""A tiny finished local job for serving tests: the tiny model, a LoRA adapter, job.json.

Built in a subprocess (`python -m tests.serving.tiny_model HOME`) so the test process never
imports torch: AppTests run pages in the test process and must see no torch there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.tiny_model import make_tiny_model

ROOT = Path(__file__).resolve().parents[2]
JOB_ID = "job-tiny-1"
MODEL_ID = "tiny-llama"


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


def _write(home: Path) -> None:
    import mlflow
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, LlamaForCausalLM

    from services import config

    base_dir = make_tiny_model(home / "models" / MODEL_ID)
    model = LlamaForCausalLM.from_pretrained(base_dir)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)

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
