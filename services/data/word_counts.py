"""Exact token counts of a byte-level BPE tokenizer, a word at a time, remembered.

A byte-level BPE tokenizer (GPT-2's kind, SmolLM2's) first splits text into words with a fixed
regular expression, then merges each word's bytes on its own: a text's token count is the sum
of its words' counts. Words repeat (a few hundred thousand distinct words cover millions of
messages), so each distinct word goes through the tokenizer once; a batch of texts costs a
split in numpy over its bytes (word_split.py, the regex's rules) and one Arrow hash of its
words, with no Python str per word or per text.

Exactness guards: only tokenizers whose config is exactly that kind are counted this way (no
normalizer, a plain ByteLevel pre-tokenizer, a BPE model); every new word must be one word to
the tokenizer's own pre-tokenizer (else its texts are encoded whole); texts holding an added
token (`<|im_start|>`, which the tokenizer matches before splitting) are encoded whole.
"""

from __future__ import annotations

import json
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

# The split of tokenizers' ByteLevel pre-tokenizer (use_regex=True), itself GPT-2's.
# word_split.py implements it; the tests hold the two side by side.
GPT2_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PLAIN_BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True}
NOT_ONE_WORD = -1  # the tokenizer's pre-tokenizer splits it further: encode its text whole
MISSING = -2  # not remembered (yet)
MAX_WORDS = 2_000_000  # remembered words (~200 MB at most); forgotten all at once beyond


class WordCounts:
    """Token counts of texts for one tokenizer; `for_tokenizer` says if it qualifies.

    Threads may share one: numpy, Arrow and the tokenizer release the GIL for the long
    parts, and the remembered counts are copied out of the shared dict before use."""

    def __init__(self, tokenizer, added: list[str]) -> None:
        self._tokenizer = tokenizer
        self._added = [token for token in added if token]
        self._counts: dict[bytes, int] = {}  # UTF-8 word -> tokens, or NOT_ONE_WORD

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

        `texts`: a list of str, or an Arrow string array (parquet's, used as it lies)."""
        import pyarrow as pa

        from services.data.word_split import split_words

        array = texts if isinstance(texts, pa.Array) else pa.array(texts, pa.string())
        if not len(array):
            return []
        split = split_words(array, self._added)
        sizes = np.zeros(len(array), dtype=np.int64)
        if len(split.words):
            encoded = split.words.dictionary_encode()
            indices = np.asarray(encoded.indices)
            counts = self._known(encoded.dictionary.to_pylist())[indices]
            # A word the tokenizer would split further: its text is encoded whole instead.
            split_further = np.flatnonzero(counts == NOT_ONE_WORD)
            split.slow[np.searchsorted(split.firsts, split_further, side="right") - 1] = True
            # Words lie in text order: each text's sum is one stretch of `counts`.
            firsts = split.firsts[:-1]
            worded = firsts < split.firsts[1:]  # an empty text has no word (and no stretch)
            sizes[worded] = np.add.reduceat(counts, firsts[worded])
        whole = np.flatnonzero(split.slow)
        if len(whole):
            encodings = self._tokenizer.encode_batch_fast(
                array.take(pa.array(whole)).to_pylist(), add_special_tokens=False
            )
            sizes[whole] = [len(encoding) for encoding in encodings]
        return sizes.tolist()

    def _known(self, words: list[bytes]) -> np.ndarray:
        """Token counts of words (int32; NOT_ONE_WORD: the tokenizer splits it), learning new
        ones. Words of `slow` texts are learned too: harmless, and cheaper than leaving them out."""
        # Copied out of the shared dict: another thread may make it forget words meanwhile.
        get = self._counts.get
        counts = np.fromiter(map(get, words, repeat(MISSING)), dtype=np.int32, count=len(words))
        new = np.flatnonzero(counts == MISSING)
        if len(new):
            learned = self._learn([words[index] for index in new])
            counts[new] = [learned[words[index]] for index in new]
        return counts

    def _learn(self, words: list[bytes]) -> dict[bytes, int]:
        """Count `words` (UTF-8) and remember them."""
        if len(self._counts) + len(words) > MAX_WORDS:
            self._counts.clear()
        texts = [word.decode("utf-8") for word in words]
        split = self._tokenizer.pre_tokenizer.pre_tokenize_str
        encoded = self._tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        learned = {
            word: len(encoding) if len(split(text)) == 1 else NOT_ONE_WORD
            for word, text, encoding in zip(words, texts, encoded, strict=True)
        }
        self._counts.update(learned)
        return learned
