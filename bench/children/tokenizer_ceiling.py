"""How fast word splitting can go here: `python -m bench.children.tokenizer_ceiling TOK`.

On the message texts of the shared ultrachat rows (the rows the dataset part's files repeat),
in MB of UTF-8 text per CPU-second: the tokenizer's own pre-tokenization (its ByteLevel
regex, in Rust, through encode_batch_fast with a one-entry stand-in model so no BPE merge
runs: the split alone, plus a look-up per word), and the product's split and exact count
(services/data/word_split.py, word_counts.py; words already remembered, as on a long pass).
A full pass cannot split faster than its splitter, so text MB / (rate x cores) is a floor on
an exact count's time.
"""

from __future__ import annotations

import json
import sys
import time

from bench.children import report
from bench.common import SHARED_ULTRACHAT

REPEATS = 3


def main(tokenizer_file: str) -> None:
    import pyarrow as pa
    from tokenizers import Tokenizer

    from services.data.word_counts import WordCounts
    from services.data.word_split import split_words

    rows = [json.loads(line) for line in SHARED_ULTRACHAT.read_text().splitlines() if line]
    texts = [message["content"] for row in rows for message in row["messages"]]
    text_mb = sum(len(text.encode()) for text in texts) / 1e6
    tokenizer = Tokenizer.from_file(tokenizer_file)
    config = json.loads(tokenizer.to_str())
    config.update(added_tokens=[], post_processor=None, decoder=None)
    config["model"] = {"type": "WordLevel", "vocab": {"<unk>": 0}, "unk_token": "<unk>"}
    split_only = Tokenizer.from_str(json.dumps(config))
    array = pa.array(texts, pa.string())
    words = WordCounts.for_tokenizer(tokenizer)
    assert words is not None, "the bundled tokenizer is byte-level BPE"
    words.sizes(array)  # remember the words first: a long pass has seen most of them

    def rate(work) -> tuple[float, float]:
        """MB per CPU-second and per wall second (the latter with every core it uses)."""
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(REPEATS):
            work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return text_mb * REPEATS / cpu, text_mb * REPEATS / wall

    pre_cpu, pre_wall = rate(lambda: split_only.encode_batch_fast(texts, add_special_tokens=False))
    split_cpu, _ = rate(lambda: split_words(array, []))
    count_cpu, _ = rate(lambda: words.sizes(array))
    report(
        rows=len(rows),
        text_mb=text_mb,
        pretokenize_mb_per_cpu_s=pre_cpu,
        pretokenize_mb_per_s=pre_wall,
        split_mb_per_cpu_s=split_cpu,
        count_mb_per_cpu_s=count_cpu,
    )


if __name__ == "__main__":
    main(sys.argv[1])
