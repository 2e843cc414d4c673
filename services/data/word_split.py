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

The classes come from the `regex` module itself (`\\p{L}`, `\\p{N}`, `\\s`, asked once per
code point met), so both splits agree character for character; tests/data/test_word_split.py
holds them side by side. Texts holding an added token are marked `slow`: the tokenizer matches
those before it splits, so word_counts.py encodes them whole.
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
UNKNOWN = 255  # a code point's class, not looked up yet


def _class_of(char: str) -> int:
    """The class of one character, as the `regex` module sees it."""
    for kind, pattern in ((LETTER, r"\p{L}"), (NUMBER, r"\p{N}"), (SPACE, r"\s")):
        if regex.fullmatch(pattern, char):
            return kind
    return OTHER


# Classes of single bytes: ASCII characters' own; bytes over 127 get theirs in _kinds.
_BYTES = np.array([_class_of(chr(code)) if code < 128 else OTHER for code in range(256)], np.uint8)
# Classes of byte pairs, for texts read two bytes at a time (~3x faster than byte by byte):
# the pair (first, second), read as one little-endian uint16, gives both classes in order.
_PAIRS = (_BYTES[None, :].astype(np.uint16) | _BYTES[:, None].astype(np.uint16) << 8).ravel()
# Classes of the code points met so far (a text's own alphabet is a few hundred at most).
_CODE_POINTS = np.full(0x110000, UNKNOWN, dtype=np.uint8)


def _classes_of(codes: np.ndarray) -> np.ndarray:
    """The class of each code point of `codes`, learning those not met before. Threads may
    share it: a code point's class is written whole, and always the same."""
    found = _CODE_POINTS[codes]
    new = np.unique(codes[found == UNKNOWN])
    if len(new):
        _CODE_POINTS[new] = [_class_of(chr(code)) for code in new]
        found = _CODE_POINTS[codes]
    return found


@dataclass
class Split:
    """The words of a batch of texts, and the texts to encode whole."""

    words: pa.Array  # binary; words of `slow` texts are there too, to be ignored
    firsts: np.ndarray  # index of each text's first word, then the number of words
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
    firsts = np.searchsorted(starts, bounds)
    # Each word is the bytes up to the next word's start: Arrow hashes them in place.
    word_offsets = np.append(starts, len(text))
    words = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(word_offsets), pa.py_buffer(text)]
    )
    return Split(words, firsts, slow)


def _holding(texts: pa.Array, text: np.ndarray, bounds: np.ndarray, added: list[str]):
    """Per text, whether it holds one of the `added` tokens."""
    slow = np.zeros(len(texts), dtype=bool)
    first_bytes = {token.encode()[0] for token in added}
    if not first_bytes:
        return slow
    # Only texts with a first byte of an added token ("<" for most) are searched.
    found = np.zeros(len(text), dtype=bool)
    for first in first_bytes:  # one comparison each: faster than np.isin for a byte or two
        found |= text == first
    maybe = np.unique(np.searchsorted(bounds, np.flatnonzero(found), "right") - 1)
    if len(maybe):
        candidates = texts.take(pa.array(maybe))
        for token in added:
            slow[maybe[np.asarray(pc.match_substring(candidates, token), dtype=bool)]] = True
    return slow


def _kinds(text: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The class of each byte (a character's class on all its bytes), and where characters
    of more than one byte start (None when the text is ASCII)."""
    even = text if len(text) % 2 == 0 else np.append(text, np.uint8(0))
    kind = _PAIRS[even.view(np.uint16)].view(np.uint8)[: len(text)]
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
    kind[leads] = _classes_of(code)
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
