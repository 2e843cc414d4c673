"""The registered model: a chat model = base model + LoRA adapter, as an MLflow pyfunc.

Logged as "models from code": MLflow stores this file with the model and runs it on load, so a
registered version holds only the adapter (a few MB) plus a pointer to the base model. It loads
offline with `mlflow.pyfunc.load_model("models:/<name>/<version>")`; local endpoints load it that
way and batch requests over its `model` and `tokenizer` (services/serving/batching.py). Heavy
imports happen in `load`, never at import.

Why not mlflow.transformers: logging an un-merged PeftModel over a local base loses the LoRA
weights on load (see ../shared/DESIGN.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow
from mlflow.pyfunc import PythonModel

DEFAULTS = {"temperature": 0.6, "top_p": 0.9, "do_sample": True, "max_new_tokens": 200}


class ChatModel(PythonModel):
    """Generates the assistant's next turn for a list of {"role", "content"} messages."""

    model: Any = None
    tokenizer: Any = None

    def load_context(self, context) -> None:
        config = context.model_config or {}
        self.load(_base_model_path(config), context.artifacts.get("adapter"))

    def load(self, base_path: str | Path, adapter_path: str | Path | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        tokenizer_source = adapter_path if _has_tokenizer(adapter_path) else base_path
        self.tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_source))
        model = AutoModelForCausalLM.from_pretrained(str(base_path), dtype=torch.float32)
        if adapter_path:
            from peft import PeftModel

            # Merged once at load: same output as the adapter, faster per token.
            model = PeftModel.from_pretrained(model, str(adapter_path)).merge_and_unload()
        self.model = model.to(self.device).eval()

    def predict(self, context, model_input, params=None):
        """pyfunc entry point: a scoring-contract body (or a message list) in, {"output"} out."""
        data = model_input.get("input_data", model_input) if isinstance(model_input, dict) else {}
        messages = data.get("input_string", model_input) if data else model_input
        parameters = {**(data.get("parameters") or {} if data else {}), **(params or {})}
        return {"output": self.generate(list(messages), parameters)}

    def generate(self, messages: list[dict[str, str]], parameters: dict[str, Any]) -> str:
        """The reply text, one request at a time (endpoints batch: services.serving.batching)."""
        import torch

        prompt = self._prompt_ids(messages)
        kwargs = _generation_kwargs({**DEFAULTS, **parameters}, self.tokenizer)
        with torch.inference_mode():
            output = self.model.generate(**prompt, tokenizer=self.tokenizer, **kwargs)
        new_tokens = output[0][prompt["input_ids"].shape[1] :]
        return self.tokenizer.decode(new_tokens, skip_special_tokens=True).strip()

    def _prompt_ids(self, messages: list[dict[str, str]]) -> dict:
        import torch

        from services.serving.prompt import prompt_token_ids

        ids = torch.tensor([prompt_token_ids(self.tokenizer, messages)], device=self.device)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}


def _generation_kwargs(parameters: dict[str, Any], tokenizer) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"max_new_tokens": int(parameters["max_new_tokens"])}
    sample = bool(parameters["do_sample"]) and float(parameters["temperature"]) > 0
    kwargs["do_sample"] = sample
    if sample:
        kwargs["temperature"] = float(parameters["temperature"])
        kwargs["top_p"] = float(parameters["top_p"])
    else:  # greedy: leave the sampling knobs unset so generate does not warn about them
        kwargs["temperature"] = None
        kwargs["top_p"] = None
        kwargs["top_k"] = None
    if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
        kwargs["pad_token_id"] = tokenizer.eos_token_id
    return kwargs


def _has_tokenizer(folder: str | Path | None) -> bool:
    return bool(folder) and (Path(folder or "") / "tokenizer_config.json").exists()


def _base_model_path(config: dict[str, Any]) -> Path:
    """The base model folder recorded at registration, else the catalog's folder for its id."""
    recorded = config.get("base_model_path")
    if recorded and Path(recorded).is_dir():
        return Path(recorded)
    from services.local.catalog import model_path

    return model_path(config["base_model_id"])


mlflow.models.set_model(ChatModel())
