"""Write the tokenizer a GGUF describes as tokenizer.json, with only the `tokenizers` library.

The Dataset page counts tokens on its first render, so this must be fast and torch-free:
~0.5 s here, against ~3 s for transformers' GGUF tokenizer code in a child process (which
imports torch) and ~8 s through AutoTokenizer. It mirrors what transformers does for a
byte-level BPE vocabulary (`tokenizer.ggml.model` "gpt2", as in SmolLM2): the vocabulary
re-spelled in the byte alphabet, the file's merges, GPT-2's byte-level pre-tokenizer and
decoder, and the control tokens kept whole as special tokens. The bundled model's tests check
it encodes exactly as the converted model's tokenizer does.
"""

from __future__ import annotations

import json
from pathlib import Path

from services.errors import ModelError
from services.local.gguf_metadata import read_gguf_summary

_ARRAYS = ("tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.token_type")
_CONTROL, _USER_DEFINED = 3, 4  # llama.cpp token types
_SPECIAL_IDS = {
    "bos_token": "tokenizer.ggml.bos_token_id",
    "eos_token": "tokenizer.ggml.eos_token_id",
    "unk_token": "tokenizer.ggml.unknown_token_id",
    "pad_token": "tokenizer.ggml.padding_token_id",
}


def write_gguf_tokenizer(gguf: Path, out: Path) -> None:
    """tokenizer.json and tokenizer_config.json (chat template, special tokens) into `out`."""
    # Here, not at the top: the local backend imports this module (its catalog), and every
    # page's first paint builds the backend; the conversion runs once per machine.
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    metadata = read_gguf_summary(gguf, keep_arrays=_ARRAYS).metadata
    kind = metadata.get("tokenizer.ggml.model")
    if kind != "gpt2":
        raise ModelError(
            f"{gguf.name} has a {kind!r} tokenizer; only byte-level BPE ('gpt2') is supported.",
            hint="Convert the model to a Hugging Face folder and add the folder instead.",
        )
    tokens = metadata["tokenizer.ggml.tokens"]
    types = metadata.get("tokenizer.ggml.token_type") or [0] * len(tokens)
    alphabet = _bytes_to_unicode()
    spelled = set(alphabet.values())

    def in_byte_alphabet(token: str) -> str:
        if set(token) <= spelled:
            return token
        return "".join(alphabet[byte] for byte in token.encode("utf-8"))

    vocab = {in_byte_alphabet(token): index for index, token in enumerate(tokens)}
    merges = [tuple(merge.split(" ", 1)) for merge in metadata["tokenizer.ggml.merges"]]
    tokenizer = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges,
            continuing_subword_prefix="",
            end_of_word_suffix="",
            fuse_unk=False,
        )
    )
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.TemplateProcessing(single="$A:0", pair="$A:0 $B:1")
    # Control tokens (<|im_start|>...) stay whole; one spelled outside the byte alphabet is a
    # llama.cpp mislabel that would grow the vocabulary past the model's, so it is skipped.
    tokenizer.add_special_tokens(
        [
            AddedToken(token, normalized=False, special=True)
            for token, kind in zip(tokens, types, strict=False)
            if kind == _CONTROL and set(token) <= spelled
        ]
    )
    tokenizer.add_tokens(
        [
            AddedToken(token, normalized=False, special=False)
            for token, kind in zip(tokens, types, strict=False)
            if kind == _USER_DEFINED and token in vocab
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "add_bos_token": bool(metadata.get("tokenizer.ggml.add_bos_token", False)),
        "chat_template": metadata.get("tokenizer.chat_template"),
        **{
            name: tokens[metadata[key]]
            for name, key in _SPECIAL_IDS.items()
            if isinstance(metadata.get(key), int) and metadata[key] < len(tokens)
        },
    }
    (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's map from bytes to printable characters (the byte-level BPE alphabet)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    codes = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes), strict=True))
