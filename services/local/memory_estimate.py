"""How much memory a fine-tuning run needs, from the model's shape and the batch shape.

An estimate, not a measurement. Calibrated on this project's CPU worker: SmolLM2-135M, LoRA r=8
on q_proj/v_proj, batch 2 x 256 tokens peaks at ~2.2 GB resident (see tests/local and the
design card outside this repository, ../shared/DESIGN.md). Each part is reported so a refusal
can say what dominates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

GB = 1e9
LORA_RANK = 8
# Resident memory before the model loads: the interpreter with torch, transformers, peft and
# mlflow imported (CPU), or the CUDA context and kernels (per GPU).
RUNTIME_OVERHEAD_GB = {"cpu": 0.7, "gpu": 0.8}


@dataclass(frozen=True)
class ModelShape:
    """The sizes of a decoder-only transformer that memory depends on."""

    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    vocab_size: int
    head_dim: int
    tied_embeddings: bool = True
    parameters: int = 0  # 0: derive from the sizes

    def __post_init__(self) -> None:
        if not self.parameters:
            object.__setattr__(self, "parameters", self._count_parameters())

    @classmethod
    def from_config(cls, config: dict) -> ModelShape:
        """From a Hugging Face config.json (llama-style keys, with GPT-2-style fallbacks)."""
        c = config.get("text_config") or config
        hidden = c.get("hidden_size") or c.get("n_embd") or c.get("d_model") or 768
        heads = c.get("num_attention_heads") or c.get("n_head") or max(1, hidden // 64)
        return cls(
            hidden_size=hidden,
            num_layers=c.get("num_hidden_layers") or c.get("n_layer") or 12,
            num_heads=heads,
            num_kv_heads=c.get("num_key_value_heads") or heads,
            intermediate_size=c.get("intermediate_size") or c.get("n_inner") or 4 * hidden,
            vocab_size=c.get("vocab_size") or 32000,
            head_dim=c.get("head_dim") or hidden // heads,
            tied_embeddings=bool(c.get("tie_word_embeddings", config.get("tie_word_embeddings"))),
        )

    @classmethod
    def from_gguf_metadata(cls, metadata: dict, parameters: int) -> ModelShape:
        arch = metadata.get("general.architecture", "llama")
        hidden = metadata.get(f"{arch}.embedding_length", 768)
        heads = metadata.get(f"{arch}.attention.head_count", max(1, hidden // 64))
        return cls(
            hidden_size=hidden,
            num_layers=metadata.get(f"{arch}.block_count", 12),
            num_heads=heads,
            num_kv_heads=metadata.get(f"{arch}.attention.head_count_kv", heads),
            intermediate_size=metadata.get(f"{arch}.feed_forward_length", 4 * hidden),
            vocab_size=metadata.get(f"{arch}.vocab_size")
            or metadata.get("tokenizer.ggml.tokens", 32000),
            head_dim=metadata.get(f"{arch}.rope.dimension_count", hidden // heads),
            parameters=parameters,
        )

    def with_parameters(self, parameters: int) -> ModelShape:
        return replace(self, parameters=parameters)

    def lora_parameters(self, rank: int = LORA_RANK) -> int:
        """LoRA on q_proj and v_proj (the worker's targets): rank x (in + out) each."""
        q = rank * (self.hidden_size + self.num_heads * self.head_dim)
        v = rank * (self.hidden_size + self.num_kv_heads * self.head_dim)
        return self.num_layers * (q + v)

    def _count_parameters(self) -> int:
        h, kv = self.hidden_size, self.num_kv_heads * self.head_dim
        attention = h * self.num_heads * self.head_dim * 2 + h * kv * 2
        mlp = 3 * h * self.intermediate_size
        embeddings = self.vocab_size * h * (1 if self.tied_embeddings else 2)
        return embeddings + self.num_layers * (attention + mlp + 2 * h) + h


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes per device, in GB, by part."""

    weights_gb: float
    trainable_state_gb: float  # trainable weights' gradients and AdamW moments (+ fp32 copy)
    activations_gb: float
    logits_gb: float
    runtime_gb: float
    trainable_parameters: int
    dtype: str

    @property
    def total_gb(self) -> float:
        return (
            self.weights_gb
            + self.trainable_state_gb
            + self.activations_gb
            + self.logits_gb
            + self.runtime_gb
        )

    def to_dict(self) -> dict:
        parts = {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}
        return {**parts, "total_gb": round(self.total_gb, 3)}


def estimate_training_memory(
    shape: ModelShape, *, device: str, batch_size: int, max_seq_length: int, apply_lora: bool
) -> MemoryEstimate:
    """Peak memory of one device ("cpu" or "gpu") for a per-device batch of full sequences.

    As services.training.trainer does: float32 on the CPU, bfloat16 weights on a GPU (peft
    keeps LoRA adapters in float32). Data-parallel GPUs each hold all of it.
    """
    on_gpu = device == "gpu"
    tokens = batch_size * max_seq_length
    weight_bytes = activation_bytes = 2 if on_gpu else 4
    if apply_lora:
        trainable = shape.lora_parameters()
        # float32 adapter weights (4) + gradient (4) + AdamW moments (8)
        trainable_bytes = trainable * 16
    else:
        trainable = shape.parameters
        # gradient + two AdamW moments in the weights' dtype; the weights are counted above
        trainable_bytes = trainable * 3 * weight_bytes
    h, kv = shape.hidden_size, shape.num_kv_heads * shape.head_dim
    # Tensors each layer keeps for the backward pass, per token: norm inputs and outputs, q/k/v,
    # attention output, residual sums, LoRA dropout inputs (~8 h + 2 kv), and the gated MLP's
    # gate, up, SiLU input and output and product (5 I). Fitted to measured peaks on the CPU.
    per_token_per_layer = 8 * h + 2 * kv + 5 * shape.intermediate_size
    activations = tokens * per_token_per_layer * shape.num_layers * activation_bytes
    if not on_gpu:
        # CPU attention materialises the heads x seq x seq probabilities (GPUs use fused kernels).
        activations += batch_size * shape.num_heads * max_seq_length**2 * shape.num_layers * 4
    # Logits in float32, their log-softmax and its gradient: three tokens x vocab tensors.
    logits = tokens * shape.vocab_size * 4 * 3
    return MemoryEstimate(
        weights_gb=shape.parameters * weight_bytes / GB,
        trainable_state_gb=trainable_bytes / GB,
        activations_gb=activations / GB,
        logits_gb=logits / GB,
        runtime_gb=RUNTIME_OVERHEAD_GB["gpu" if on_gpu else "cpu"],
        trainable_parameters=trainable,
        dtype="bfloat16" if weight_bytes == 2 else "float32",
    )
