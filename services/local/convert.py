"""Convert a GGUF chat model into folders `from_pretrained` can load. Runs as a subprocess.

    python -m services.local.convert model --gguf FILE --out DIR
    python -m services.local.convert tokenizer --gguf FILE --out DIR
    python -m services.local.convert tokenizer --folder MODEL_DIR --out DIR

transformers loads a GGUF (dequantizing it) but refuses to save it again ("quantized with
gguf, not serializable"), so the weights move into a plain model built from the same config
minus its quantization_config. The caller (services.local.model_cache) runs this in a child
process, so the process that asks never imports torch, and writes into a temporary folder
that it renames once this exits cleanly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def convert_model(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf.parent), gguf.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    quantized = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    config_dict = quantized.config.to_dict()
    config_dict.pop("quantization_config", None)
    config = AutoConfig.for_model(**config_dict)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(quantized.state_dict(), assign=True)
    model.tie_weights()
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)


def convert_gguf_tokenizer(gguf: Path, out: Path) -> None:
    """Only the tokenizer: ~3 s, against ~8 s through AutoTokenizer (which reads the tensors)."""
    try:
        from transformers.integrations.gguf.gguf_tokenizer_mapping import (
            convert_gguf_tokenizer as build,
        )
        from transformers.integrations.gguf.gguf_tokenizer_mapping import get_gguf_tokenizer
    except ImportError:  # transformers moved its GGUF internals: take the slower public path
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        tokenizer.save_pretrained(out)
        return
    architecture, tokenizer_dict, tokenizer_config = get_gguf_tokenizer(str(gguf))
    backend, _ = build(architecture, tokenizer_dict)
    out.mkdir(parents=True, exist_ok=True)
    backend.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))


def convert_folder_tokenizer(folder: Path, out: Path) -> None:
    """A folder with only a slow tokenizer (tokenizer.model, vocab.json): write its fast form."""
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(str(folder)).save_pretrained(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.local.convert")
    parser.add_argument("what", choices=("model", "tokenizer"))
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--gguf", type=Path)
    source.add_argument("--folder", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.what == "model":
        if args.gguf is None:
            parser.error("model conversion needs --gguf")
        convert_model(args.gguf, args.out)
    elif args.gguf is not None:
        convert_gguf_tokenizer(args.gguf, args.out)
    else:
        convert_folder_tokenizer(args.folder, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
