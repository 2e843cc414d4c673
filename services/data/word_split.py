"""GPT-2's pre-tokenizer split, done in numpy over a batch of texts' UTF-8 bytes.

word_counts.py counts a text's tokens as the sum of its words' counts. Splitting with the
`regex` module costs a str per word and runs at ~10 MB/s per core; but the split is a rule
about neighbouring characters' classes, so numpy finds every word start of a whole batch at
once, and Arrow hashes the words where they lie. The rules, from GPT2_SPLIT's alternatives
tried in order, with letters, digits, whitespace and other characters as the classes:

- a run of letters, of digits, or of other characters is a word;
- a whitespace run followed by a non-space leaves its last character to start a new word,
  which takes the following run with it when that character is a space (" word");
- at the start of a word, 's 't 'm 'd 're 've 'll are words of their own ("don" "'t").

The classes come from the `regex` module itself (`\\p{L}`, `\\p{N}`, `\\s` over every code
point), so both splits agree character for character; tests/data/test_word_split.py holds
them side by side. Texts holding an added token are marked `slow`: the tokenizer matches those
before it splits, so word_counts.py encodes them whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

LETTER, NUMBER, OTHER, SPACE = 0, 1, 2, 3
APOSTROPHE = ord("'")
SHORT = np.frombuffer(b"stmd", dtype=np.uint8)  # 's 't 'm 'd
LONG = (b"re", b"ve", b"ll")  # 're 've 'll
CODE_POINTS = 0x110000


def _byte_classes() -> np.ndarray:
    """Classes of single bytes: ASCII characters' own; bytes over 127 get theirs in _kinds."""
    table = np.full(256, OTHER, dtype=np.uint8)
    for code in range(128):
        for kind, pattern in ((LETTER, r"\p{L}"), (NUMBER, r"\p{N}"), (SPACE, r"\s")):
            if regex.fullmatch(pattern, chr(code)):
                table[code] = kind
    return table


_BYTES = _byte_classes()


@cache
def classes() -> np.ndarray:
    """The class of every code point, as the `regex` module sees it (built once, ~0.2 s)."""
    table = np.full(CODE_POINTS, OTHER, dtype=np.uint8)
    every = "".join(map(chr, range(CODE_POINTS)))
    for kind, pattern in ((SPACE, r"\s+"), (NUMBER, r"\p{N}+"), (LETTER, r"\p{L}+")):
        for run in regex.finditer(pattern, every):
            table[run.start() : run.end()] = kind
    return table


@dataclass
class Split:
    """The words of a batch of texts, and the texts to encode whole."""

    words: pa.Array  # binary; words of `slow` texts are there too, to be ignored
    owner: np.ndarray  # index of each word's text
    slow: np.ndarray  # bool per text: it holds an added token


def split_words(texts: pa.Array, added: list[str]) -> Split:
    """Split every text of `texts` (an Arrow string array) into its words."""
    if texts.null_count:
        texts = texts.fill_null("")
    offsets_type = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(texts.buffers()[1], dtype=offsets_type)
    offsets = offsets[texts.offset : texts.offset + len(texts) + 1].astype(np.int64)
    data = texts.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    text = raw[offsets[0] : offsets[-1]]
    bounds = offsets - offsets[0]  # start of each text in `text`, then its end
    slow = _holding(texts, text, bounds, added)
    starts = _word_starts(text, bounds) if len(text) else np.empty(0, np.int64)
    owner = np.repeat(np.arange(len(texts)), np.diff(np.searchsorted(starts, bounds)))
    # Each word is the bytes up to the next word's start: Arrow hashes them in place.
    word_offsets = np.append(starts, len(text))
    words = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(word_offsets), pa.py_buffer(text)]
    )
    return Split(words, owner, slow)


def _holding(texts: pa.Array, text: np.ndarray, bounds: np.ndarray, added: list[str]):
    """Per text, whether it holds one of the `added` tokens."""
    slow = np.zeros(len(texts), dtype=bool)
    firsts = np.frombuffer("".join({token[0] for token in added}).encode(), dtype=np.uint8)
    if not len(firsts):
        return slow
    # Only texts with a first byte of an added token ("<" for most) are searched.
    maybe = np.unique(np.searchsorted(bounds, np.flatnonzero(np.isin(text, firsts)), "right") - 1)
    if len(maybe):
        candidates = texts.take(pa.array(maybe))
        for token in added:
            slow[maybe[np.asarray(pc.match_substring(candidates, token), dtype=bool)]] = True
    return slow


def _kinds(text: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The class of each byte (a character's class on all its bytes), and where characters
    of more than one byte start (None when the text is ASCII)."""
    kind = _BYTES[text]
    leads = np.flatnonzero(text >= 0xC0)
    if not len(leads):
        return kind, None
    lead = text[leads].astype(np.int64)
    size = len(text)
    extra = 1 + (lead >= 0xE0) + (lead >= 0xF0)  # continuation bytes of each character
    code = lead & (0x3F >> extra)  # the lead's payload bits
    for step in (1, 2, 3):
        more = extra >= step
        following = text[np.minimum(leads + step, size - 1)].astype(np.int64) & 0x3F
        code = np.where(more, (code << 6) | following, code)
    kind[leads] = classes()[code]
    for step in (1, 2, 3):
        more = leads[extra >= step]
        kind[more + step] = kind[more]
    return kind, leads


def _word_starts(text: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Positions in `text` (the texts' bytes end to end) where a word starts."""
    size = len(text)
    kind, leads = _kinds(text)
    first = np.zeros(size + 2, dtype=bool)  # a text starts here (padded: no bounds checks)
    first[bounds] = True
    first[size:] = True
    start = np.empty(size, dtype=bool)
    start[0] = True
    np.not_equal(kind[1:], kind[:-1], out=start[1:])
    start |= first[:size]
    # Whitespace before a non-space of the same text: its last character starts a word; a
    # space takes the next run with it.
    space = kind == SPACE
    last = np.zeros(size, dtype=bool)
    np.logical_and(space[:-1], ~space[1:], out=last[:-1])
    last[:-1] &= ~first[1:size]
    start |= last
    start[1:] &= ~(last[:-1] & (text[:-1] == 0x20))
    if leads is not None:  # a last character of several bytes starts at its first byte
        wide = np.flatnonzero(last & (text >= 0x80))
        start[wide] = False
        start[leads[np.searchsorted(leads, wide, side="right") - 1]] = True
    # Contractions: an apostrophe that starts a word, then s t m d, or re ve ll.
    quote = np.flatnonzero(start & (text == APOSTROPHE))
    quote = quote[quote + 1 < size]
    quote = quote[~first[quote + 1]]
    second = text[quote + 1]
    short = np.isin(second, SHORT)
    long = np.zeros(len(quote), dtype=bool)
    fits = (quote + 2 < size) & ~first[np.minimum(quote + 2, size)]
    pair = second.astype(np.uint16) << 8
    pair[fits] |= text[quote[fits] + 2]
    for letters in LONG:
        long |= fits & (pair == (letters[0] << 8 | letters[1]))
    for found, length in ((short, 2), (long, 3)):
        at = quote[found]
        start[at + 1] = False  # the letters after the apostrophe belong to it
        if length == 3:
            start[at + 2] = False
        after = at + length
        start[after[after < size]] = True  # what follows starts anew (mid-run too)
    return np.flatnonzero(start)
