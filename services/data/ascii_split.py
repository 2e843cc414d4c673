"""GPT-2's pre-tokenizer split of ASCII texts, done in numpy over their UTF-8 bytes.

word_counts.py counts a text's tokens as the sum of its words' counts. Splitting with the
`regex` module costs a str per word and runs at ~10 MB/s per core; on ASCII text the split is
a rule about neighbouring characters, so numpy finds every word start of a whole batch at once
and Arrow hashes the words. The rules, from GPT2_SPLIT's alternatives tried in order:

- a run of letters, of digits, or of other characters (not space, letter, digit) is a word;
- a whitespace run followed by a non-space leaves its last character to start a new word,
  which takes the following run with it when that character is a space (" word");
- at the start of a word, 's 't 'm 'd 're 've 'll are words of their own ("don" "'t").

Texts with a byte over 127 or an added token are left to the regex (`slow`). The character
classes come from the `regex` module itself, so both splits agree on every ASCII character;
tests/data/test_ascii_split.py holds the two splits side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

LETTER, NUMBER, OTHER, SPACE = 0, 1, 2, 3
APOSTROPHE = ord("'")
SHORT = np.frombuffer(b"stmd", dtype=np.uint8)  # 's 't 'm 'd
LONG = (b"re", b"ve", b"ll")  # 're 've 'll


def _classes() -> np.ndarray:
    table = np.full(256, OTHER, dtype=np.uint8)  # bytes over 127 only occur in `slow` texts
    for code in range(128):
        char = chr(code)
        if regex.fullmatch(r"\p{L}", char):
            table[code] = LETTER
        elif regex.fullmatch(r"\p{N}", char):
            table[code] = NUMBER
        elif regex.fullmatch(r"\s", char):
            table[code] = SPACE
    return table


CLASS = _classes()


@dataclass
class Split:
    """The words of a batch of texts, and which texts are left to the regex."""

    words: pa.Array  # binary; words of `slow` texts are there too, to be ignored
    owner: np.ndarray  # index of each word's text
    slow: np.ndarray  # bool per text: non-ASCII or holding an added token


def ascii_words(texts: pa.Array, added: list[str]) -> Split:
    """Split every ASCII text of `texts` (an Arrow string array) into its words."""
    if texts.null_count:
        texts = texts.fill_null("")
    offsets_type = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(texts.buffers()[1], dtype=offsets_type)
    offsets = offsets[texts.offset : texts.offset + len(texts) + 1].astype(np.int64)
    data = texts.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    text = raw[offsets[0] : offsets[-1]]
    bounds = offsets - offsets[0]  # start of each text in `text`, then its end
    slow = np.zeros(len(texts), dtype=bool)
    slow[_owners(bounds, np.flatnonzero(text >= 0x80))] = True
    firsts = np.frombuffer("".join({token[0] for token in added}).encode(), dtype=np.uint8)
    maybe = np.flatnonzero(~slow)
    if len(firsts):  # only texts with a first character of an added token (< mostly)
        maybe = np.intersect1d(maybe, _owners(bounds, np.flatnonzero(np.isin(text, firsts))))
    if len(maybe) and added:
        candidates = texts.take(pa.array(maybe))
        for token in added:
            found = np.asarray(pc.match_substring(candidates, token), dtype=bool)
            slow[maybe[found]] = True
    starts = _word_starts(text, bounds) if len(text) else np.empty(0, np.int64)
    per_text = np.diff(np.searchsorted(starts, bounds))
    owner = np.repeat(np.arange(len(texts)), per_text)
    # Each word is the bytes up to the next word's start: Arrow hashes them in place.
    word_offsets = np.append(starts, len(text))
    words = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(word_offsets), pa.py_buffer(text)]
    )
    return Split(words, owner, slow)


def _owners(bounds: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The texts holding byte `positions` (sorted), each once."""
    return np.unique(np.searchsorted(bounds, positions, side="right") - 1)


def _word_starts(text: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Positions in `text` (the texts' bytes end to end) where a word starts."""
    size = len(text)
    kind = CLASS[text]
    first = np.zeros(size + 2, dtype=bool)  # a text starts here (padded: no bounds checks)
    first[bounds] = True
    first[size:] = True
    start = np.empty(size, dtype=bool)
    start[0] = True
    np.not_equal(kind[1:], kind[:-1], out=start[1:])
    start |= first[:size]
    # Whitespace before a non-space of the same text: its last character starts a word; a
    # space takes the next run with it.
    last_space = np.zeros(size, dtype=bool)
    last_space[:-1] = (kind[:-1] == SPACE) & (kind[1:] != SPACE) & ~first[1:size]
    start |= last_space
    joins = np.flatnonzero(last_space & (text == 0x20)) + 1
    start[joins] = False
    # Contractions: an apostrophe that starts a word, then s t m d, or re ve ll.
    quote = np.flatnonzero(start & (text == APOSTROPHE))
    quote = quote[quote + 1 < size]
    quote = quote[~first[quote + 1]]
    second = text[quote + 1]
    short = np.isin(second, SHORT)
    long = np.zeros(len(quote), dtype=bool)
    fits = (quote + 2 < size) & ~first[quote + 1] & ~first[np.minimum(quote + 2, size)]
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
