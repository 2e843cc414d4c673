"""Exact token counts of a byte-level BPE tokenizer, a word at a time, remembered.

A byte-level BPE tokenizer (GPT-2's kind, SmolLM2's) first splits text into words with a fixed
regular expression, then merges each word's bytes on its own: a text's token count is the sum
of its words' counts. Words repeat (a few hundred thousand distinct words cover millions of
messages), so each distinct word goes through the tokenizer once and later texts cost a regex
split and dictionary look-ups, ~5x faster than encoding every text.

Exactness guards: only tokenizers whose config is exactly that kind are counted this way (no
normalizer, a plain ByteLevel pre-tokenizer, a BPE model); every new word must be one word to
the tokenizer's own pre-tokenizer; texts holding an added token (`<|im_start|>`, which the
tokenizer matches before splitting) are encoded whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

import regex

# The split of tokenizers' ByteLevel pre-tokenizer (use_regex=True), itself GPT-2's.
GPT2_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PLAIN_BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True}
MAX_WORDS = 2_000_000  # remembered words (~200 MB at most); forgotten all at once beyond


class WordCounts:
    """Token counts of texts for one tokenizer; `for_tokenizer` says if it qualifies.

    Threads may share one: the split releases the GIL, dict updates are atomic."""

    def __init__(self, tokenizer, added: list[str]) -> None:
        self._tokenizer = tokenizer
        self._split = regex.compile(GPT2_SPLIT)
        self._added = regex.compile("|".join(map(regex.escape, added))) if added else None
        self._added_starts = {token[0] for token in added if token}  # a cheap first filter
        self._counts: dict[str, int | None] = {}  # None: not one word to the tokenizer

    @classmethod
    def for_tokenizer(cls, tokenizer) -> WordCounts | None:
        config = json.loads(tokenizer.to_str())
        pre = dict(config.get("pre_tokenizer") or {})
        pre.pop("trim_offsets", None)  # offsets only
        model = config.get("model") or {}
        if config.get("normalizer") or pre != PLAIN_BYTE_LEVEL or model.get("type") != "BPE":
            return None
        if model.get("dropout"):  # random merges: no count is exact
            return None
        return cls(tokenizer, [token["content"] for token in config.get("added_tokens", [])])

    def sizes(self, texts: list[str]) -> list[int]:
        """Tokens of each text, as `tokenizer.encode(text, add_special_tokens=False)`."""
        sizes: list[int] = [0] * len(texts)
        unknown: dict[int, list[str]] = {}  # only these texts' words are kept
        whole = [index for index, text in enumerate(texts) if self._has_added(text)]
        # A None count (not one word to the tokenizer) fails the sum with TypeError, on purpose.
        lookup = cast(Callable[[str], int], self._counts.__getitem__)
        for index, text in enumerate(texts):
            words = self._split.findall(text, concurrent=True)
            try:
                sizes[index] = sum(map(lookup, words))
            except (KeyError, TypeError):  # a new word, or one to encode in its text
                unknown[index] = words
        if unknown:
            self._learn({word for words in unknown.values() for word in words})
        for index, words in unknown.items():
            try:
                sizes[index] = sum(map(lookup, words))
            except (KeyError, TypeError):  # KeyError: another thread made us forget words
                whole.append(index)
        if whole:
            whole = sorted(set(whole))
            encoded = self._tokenizer.encode_batch_fast(
                [texts[i] for i in whole], add_special_tokens=False
            )
            for index, encoding in zip(whole, encoded, strict=True):
                sizes[index] = len(encoding)
        return sizes

    def _has_added(self, text: str) -> bool:
        if self._added is None or not any(start in text for start in self._added_starts):
            return False
        return self._added.search(text, concurrent=True) is not None

    def _learn(self, words: set[str]) -> None:
        new = [word for word in words if word not in self._counts]
        if len(self._counts) + len(new) > MAX_WORDS:
            self._counts.clear()
            new = list(words)
        split = self._tokenizer.pre_tokenizer.pre_tokenize_str
        encoded = self._tokenizer.encode_batch_fast(new, add_special_tokens=False)
        for word, encoding in zip(new, encoded, strict=True):
            self._counts[word] = len(encoding) if len(split(word)) == 1 else None
