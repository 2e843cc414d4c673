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
from typing import TYPE_CHECKING, cast

import numpy as np
import regex

from services.data.ascii_split import ascii_words

if TYPE_CHECKING:
    import pyarrow as pa

# The split of tokenizers' ByteLevel pre-tokenizer (use_regex=True), itself GPT-2's.
GPT2_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PLAIN_BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True}
MISSING = -2  # not remembered (yet)
MAX_WORDS = 2_000_000  # remembered words (~200 MB at most); forgotten all at once beyond


class WordCounts:
    """Token counts of texts for one tokenizer; `for_tokenizer` says if it qualifies.

    Threads may share one: the split releases the GIL, dict updates are atomic."""

    def __init__(self, tokenizer, added: list[str]) -> None:
        self._tokenizer = tokenizer
        self._split = regex.compile(GPT2_SPLIT)
        self._added = regex.compile("|".join(map(regex.escape, added))) if added else None
        self._added_starts = {token[0] for token in added if token}  # a cheap first filter
        self._added_tokens = [token for token in added if token]
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

    def sizes(self, texts: list[str] | pa.Array) -> list[int]:
        """Tokens of each text, as `tokenizer.encode(text, add_special_tokens=False)`.

        ASCII texts (most of an English dataset) are split in numpy over their UTF-8 bytes
        (ascii_split.py), their words counted through Arrow's hashing: no str per word. The
        others (non-ASCII, or holding an added token) take the regex, text by text."""
        import pyarrow as pa

        array = texts if isinstance(texts, pa.Array) else pa.array(texts, pa.string())
        split = ascii_words(array, self._added_tokens)
        sizes = np.zeros(len(array), dtype=np.int64)
        if len(split.words):
            encoded = split.words.dictionary_encode()
            indices = np.asarray(encoded.indices, dtype=np.int64)
            keep = ~split.slow[split.owner]
            needed = np.flatnonzero(np.bincount(indices[keep], minlength=len(encoded.dictionary)))
            known = np.zeros(len(encoded.dictionary), dtype=np.int64)
            known[needed] = self._known(encoded.dictionary.take(pa.array(needed)).to_pylist())
            counts = known[indices]
            split.slow[split.owner[keep & (counts < 0)]] = True  # the tokenizer splits it
            sizes += np.bincount(split.owner, weights=counts, minlength=len(array)).astype(np.int64)
        slow = np.flatnonzero(split.slow)
        if len(slow):
            sizes[slow] = self._sizes_by_regex(array.take(pa.array(slow)).to_pylist())
        return sizes.tolist()

    def _known(self, words: list[bytes]) -> np.ndarray:
        """Token counts of ASCII words (-1: not one word to the tokenizer), learning new ones."""
        text = [word.decode("ascii") for word in words]
        # Copied out of the shared dict: another thread may make it forget words meanwhile.
        found = {word: self._counts.get(word, MISSING) for word in text}
        new = [word for word, count in found.items() if count is MISSING]
        if new:
            found.update(self._learn(new))
        counts = (found[word] for word in text)
        return np.array([-1 if count is None else count for count in counts], dtype=np.int64)

    def _sizes_by_regex(self, texts: list[str]) -> list[int]:
        """Tokens of each text, split into words by the regex module, text by text."""
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
            words = {word for words in unknown.values() for word in words}
            self._learn([word for word in words if word not in self._counts])
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

    def _learn(self, words: list[str]) -> dict[str, int | None]:
        """Count `words` (None: not one word to the tokenizer) and remember them."""
        if len(self._counts) + len(words) > MAX_WORDS:
            self._counts.clear()
        split = self._tokenizer.pre_tokenizer.pre_tokenize_str
        encoded = self._tokenizer.encode_batch_fast(words, add_special_tokens=False)
        learned: dict[str, int | None] = {}
        for word, encoding in zip(words, encoded, strict=True):
            learned[word] = len(encoding) if len(split(word)) == 1 else None
        self._counts.update(learned)
        return learned
