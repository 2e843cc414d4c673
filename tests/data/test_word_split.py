"""The numpy split (word_split.py) against the regex it implements, word for word."""

import itertools
import random

import pyarrow as pa
import regex

from services.data.word_counts import GPT2_SPLIT
from services.data.word_split import split_words

SPLIT = regex.compile(GPT2_SPLIT)
# The characters the rules turn on: apostrophes and contraction letters, spaces of one and
# several bytes, digits and numbers beyond ASCII, letters of two to four bytes, punctuation.
PIECES = [chr(code) for code in range(128)] + [
    *"aas  \n'stmdrevl",
    *("'s", "'re", "'ll", "'ve", "'d", " '", "\n ", "  ", "\r\n"),
    *("\u3000", "\xa0", "\x85", "\u2028", "²", "½", "Ⅻ", "é", "文字", "🙂", " \u3000", "é'll"),
]


def words_of(texts: list[str], added: list[str] | None = None) -> list[list[str] | None]:
    """Each text's words by the numpy split; None for a text it leaves to the tokenizer."""
    split = split_words(pa.array(texts, pa.string()), added or [])
    every = [word.decode() for word in split.words.to_pylist()]
    found = [every[begin:end] for begin, end in itertools.pairwise(split.firsts)]
    return [None if slow else words for words, slow in zip(found, split.slow, strict=True)]


def test_random_texts_split_as_the_regex_splits_them():
    rng = random.Random(7)
    for _ in range(3000):
        texts = [
            "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 14)))
            for _ in range(rng.randrange(1, 6))  # several texts a batch: no word spans two
        ]
        assert words_of(texts) == [SPLIT.findall(text) for text in texts], texts


def test_any_code_point_is_classed_as_the_regex_classes_it():
    rng = random.Random(11)
    points = [code for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    texts = [
        "".join(chr(rng.choice(points)) + rng.choice(PIECES) for _ in range(6)) for _ in range(4000)
    ]
    assert words_of(texts) == [SPLIT.findall(text) for text in texts]


def test_texts_with_an_added_token_are_left_to_the_tokenizer():
    texts = ["a <|im_end|> b", "a <|im_end b", "", "<|im_start|>"]
    assert words_of(texts, ["<|im_end|>", "<|im_start|>"]) == [
        None,
        ["a", " <|", "im", "_", "end", " b"],
        [],
        None,
    ]


def test_a_slice_of_an_arrow_array_splits_only_its_own_texts():
    array = pa.array(["before", "it's  here\n", "after"]).slice(1, 1)
    split = split_words(array, [])
    assert [word.decode() for word in split.words.to_pylist()] == ["it", "'s", " ", " here", "\n"]


def test_real_rows_split_where_the_tokenizer_splits_them(ultrachat_sample):
    """Word boundaries (character offsets) against the tokenizer's own pre-tokenizer."""
    import json

    from tokenizers import Tokenizer

    from services.local import catalog

    tokenizer = Tokenizer.from_file(str(catalog.tokenizer_file(catalog.BUNDLED_MODEL_ID)))
    rows = [json.loads(line) for line in ultrachat_sample.read_text().splitlines() if line]
    texts = [message["content"] for row in rows for message in row["messages"]]
    assert any(not text.isascii() for text in texts)  # the rows hold non-ASCII text too
    for text, words in zip(texts, words_of(texts), strict=True):
        assert words is not None
        ends = list(itertools.accumulate(len(word) for word in words))
        theirs = [span for _, span in tokenizer.pre_tokenizer.pre_tokenize_str(text)]
        assert list(zip([0, *ends][: len(ends)], ends, strict=True)) == theirs
