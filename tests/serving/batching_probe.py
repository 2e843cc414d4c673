"""Drive a BatchingEngine over the tiny model in a child process; print what happened as JSON.

    python -m tests.serving.batching_probe FOLDER

Run by tests/serving/test_batching.py in a subprocess so the test process never imports torch
(AppTests run pages there and must see no torch). It prints one JSON object:

- "together": three greedy streaming requests submitted at once; "deliveries" lists every
  output in the order the loop delivered it, as [request index, tokens generated so far].
- "greedy_alone", "greedy_beside_sampled", "generate": the same greedy reply's token ids
  from the engine alone, from the engine in the same steps as a sampled request, and from
  transformers' plain generate().
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from tests.tiny_model import make_tiny_model

GREEDY = {"max_new_tokens": 12, "do_sample": False, "temperature": 0.0, "top_p": 0.9}
SAMPLED = {"max_new_tokens": 12, "do_sample": True, "temperature": 0.9, "top_p": 0.9}
PROMPTS = ["What is 3 plus 4?", "What is 5 plus 2?", "What is 1 plus 6?"]


async def _drive(engine) -> dict:
    async def run(text: str, parameters: dict, *, stream: bool, log: list, index: int):
        generation = engine.submit(
            engine.prompt_ids([{"role": "user", "content": text}]), parameters, stream=stream
        )
        try:
            while True:
                output = await generation.next(30)
                if output is None:
                    raise RuntimeError("no output within 30 s")
                log.append([index, len(output.generated_tokens)])
                if output.is_finished():
                    return list(output.generated_tokens)
        finally:
            generation.close()

    deliveries: list = []
    await asyncio.gather(
        *(run(text, GREEDY, stream=True, log=deliveries, index=i) for i, text in enumerate(PROMPTS))
    )
    alone = await run(PROMPTS[0], GREEDY, stream=False, log=[], index=0)
    beside, _ = await asyncio.gather(
        run(PROMPTS[0], GREEDY, stream=False, log=[], index=0),
        run(PROMPTS[1], SAMPLED, stream=False, log=[], index=1),
    )
    return {
        "together": {"deliveries": deliveries},
        "greedy_alone": alone,
        "greedy_beside_sampled": beside,
    }


def main(folder: Path) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from services.serving.batching import BatchingEngine
    from services.serving.limits import Limits

    model_dir = make_tiny_model(folder)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": PROMPTS[0]}], add_generation_prompt=True, return_dict=True
    )["input_ids"]
    with torch.inference_mode():
        plain = model.generate(
            torch.tensor([list(ids)]), max_new_tokens=12, do_sample=False, eos_token_id=-1
        )[0][len(ids) :].tolist()
    engine = BatchingEngine(model, tokenizer, Limits(cache_tokens=2048))
    try:
        result = asyncio.run(_drive(engine))
    finally:
        engine.stop()
    return {**result, "generate": plain}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
