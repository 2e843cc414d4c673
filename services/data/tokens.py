"""Count tokens per conversation: with a model's tokenizer.json, or an honest estimate.

Uses the `tokenizers` library only (Rust, no torch), so the Streamlit process can count every
row of a 200k-row file: byte-level BPE tokenizers (SmolLM2's) are counted a word at a time
with remembered words (services/data/word_counts.py), others with the batch API.
The chat template wraps each message in a few marker tokens (for SmolLM2:
`<|im_start|>role\\n ... <|im_end|>\\n`); MESSAGE_OVERHEAD stands for them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from services.errors import ModelError

MESSAGE_OVERHEAD = 5  # template tokens around each message
CHARS_PER_TOKEN = 4.0  # the usual rule of thumb for English text with BPE tokenizers

if TYPE_CHECKING:
    import pyarrow as pa

Texts = Union[list[str], "pa.StringArray"]  # pyarrow is imported only where parquet is read


class TokenCounter:
    """Counts tokens of conversations. `approximate` is True for the character estimate."""

    def __init__(self, tokenizer=None, name: str = "estimate") -> None:
        self._tokenizer = tokenizer
        self.name = name
        self._words = None  # byte-level BPE tokenizers: exact counts a word at a time
        if tokenizer is not None:
            from services.data.word_counts import WordCounts

            self._words = WordCounts.for_tokenizer(tokenizer)

    @property
    def approximate(self) -> bool:
        return self._tokenizer is None

    @classmethod
    def from_file(cls, path: str | Path) -> TokenCounter:
        """A counter over a tokenizer.json file (loaded offline)."""
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as error:  # tokenizers raises a bare Exception for bad files
            raise ModelError(
                f"Cannot load the tokenizer {path}: {error}.",
                "Point to a tokenizer.json file, or count tokens approximately.",
            ) from error
        return cls(tokenizer, name=str(path))

    @classmethod
    def estimate(cls) -> TokenCounter:
        return cls()

    def count(self, conversations: list[list[dict]]) -> list[int]:
        """Tokens of each conversation, chat-template markers included."""
        texts = [message["content"] for messages in conversations for message in messages]
        return self.count_texts(texts, [len(messages) for messages in conversations])

    def count_texts(self, texts: Texts, messages: Sequence[int]) -> list[int]:
        """Tokens of each conversation, given the contents of all their messages in order and
        how many messages each conversation has. `texts`: a list of str, or an Arrow string
        array (parquet's contents: counted from their bytes, no str per message)."""
        sizes: Sequence[int] | np.ndarray
        if self._tokenizer is None:
            if not isinstance(texts, list):  # utf8_length counts code points, as len(str) does
                import pyarrow.compute as pc

                lengths = np.asarray(pc.utf8_length(texts).fill_null(0), dtype=np.int64)
                sizes = -(-lengths // int(CHARS_PER_TOKEN))  # ceil, in integers
            else:
                sizes = [math.ceil(len(text) / CHARS_PER_TOKEN) for text in texts]
        elif self._words is not None:
            sizes = self._words.sizes(texts)
        else:
            if not isinstance(texts, list):
                texts = texts.to_pylist()
            # encode_batch_fast skips character offsets we don't need (~1.7x faster), and
            # len(encoding) does not build the list of ids (~2x faster again).
            encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
            sizes = [len(encoding) for encoding in encode(texts, add_special_tokens=False)]
        per_message = np.asarray(sizes, dtype=np.int64) + MESSAGE_OVERHEAD
        owner = np.repeat(np.arange(len(messages)), messages)
        return np.bincount(owner, weights=per_message, minlength=len(messages)).astype(int).tolist()
