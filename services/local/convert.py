"""Convert a GGUF chat model into folders `from_pretrained` can load. Runs as a subprocess.

    python -m services.local.convert model --gguf FILE --out DIR
    python -m services.local.convert tokenizer --folder MODEL_DIR --out DIR

transformers loads a GGUF (dequantizing it) but refuses to save it again ("quantized with
gguf, not serializable"), so the weights move into a plain model built from the same config
minus its quantization_config. services.local.model_cache runs this in a child process, so
the process that asks never imports torch, into a temporary folder it renames once this exits
cleanly. (A GGUF's tokenizer alone needs no torch: services.local.gguf_tokenizer.)
"""

from __future__ import annotations

import argparse
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


def convert_folder_tokenizer(folder: Path, out: Path) -> None:
    """A folder with only a slow tokenizer (tokenizer.model, vocab.json): write its fast form."""
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(str(folder)).save_pretrained(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.local.convert")
    parser.add_argument("what", choices=("model", "tokenizer"))
    parser.add_argument("--gguf", type=Path, help="model: the GGUF file to convert")
    parser.add_argument("--folder", type=Path, help="tokenizer: the model folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.what == "model" and args.gguf:
        convert_model(args.gguf, args.out)
    elif args.what == "tokenizer" and args.folder:
        convert_folder_tokenizer(args.folder, args.out)
    else:
        parser.error("use: model --gguf FILE, or tokenizer --folder DIR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
