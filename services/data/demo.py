"""The bundled demo dataset: ultrachat-format conversations written by the project.

Hand-written conversations (demo_content) plus families generated from templates whose
answers are computed, so they are always correct: arithmetic, unit conversions, capitals,
word puzzles and small Python functions. Generation is seeded, so the file is the same on
every machine. The app and the tests use it when there is no network and no file.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from services import config
from services.atomic_files import write_text
from services.data.demo_content import CONCISE, CONVERSATIONS, TEACHER

SEED = 7
FILE_NAME = "ultrachat_demo.jsonl"

CAPITALS = [
    ("France", "Paris", "Europe"),
    ("Japan", "Tokyo", "Asia"),
    ("Kenya", "Nairobi", "Africa"),
    ("Canada", "Ottawa", "North America"),
    ("Brazil", "Brasília", "South America"),
    ("Australia", "Canberra", "Oceania"),
    ("Egypt", "Cairo", "Africa"),
    ("Norway", "Oslo", "Europe"),
    ("India", "New Delhi", "Asia"),
    ("Mexico", "Mexico City", "North America"),
    ("Peru", "Lima", "South America"),
    ("Portugal", "Lisbon", "Europe"),
]
WORDS = [
    "planet",
    "garden",
    "river",
    "window",
    "rocket",
    "puzzle",
    "banana",
    "orange",
    "silver",
    "camera",
    "forest",
    "castle",
]
PYTHON_TASKS = [
    ("returns the square of a number", "square", "n", "return n * n", "square(4)", "16"),
    ("checks whether a number is even", "is_even", "n", "return n % 2 == 0", "is_even(7)", "False"),
    ("reverses a string", "reverse", "text", "return text[::-1]", 'reverse("abc")', "'cba'"),
    (
        "returns the largest item of a list",
        "largest",
        "items",
        "return max(items)",
        "largest([3, 9, 2])",
        "9",
    ),
    (
        "counts the vowels in a string",
        "count_vowels",
        "text",
        'return sum(1 for ch in text.lower() if ch in "aeiou")',
        'count_vowels("Banana")',
        "3",
    ),
    (
        "adds up a list of numbers",
        "total",
        "numbers",
        "return sum(numbers)",
        "total([1, 2, 3])",
        "6",
    ),
    (
        "converts Celsius to Fahrenheit",
        "to_fahrenheit",
        "celsius",
        "return celsius * 9 / 5 + 32",
        "to_fahrenheit(100)",
        "212.0",
    ),
    (
        "returns the first n even numbers",
        "first_evens",
        "n",
        "return [2 * i for i in range(n)]",
        "first_evens(4)",
        "[0, 2, 4, 6]",
    ),
]


def arithmetic(rng: random.Random) -> tuple[str | None, list[str]]:
    a, b, k = rng.randint(12, 99), rng.randint(3, 60), rng.randint(2, 9)
    if rng.random() < 0.5:
        first, result = f"What is {a} + {b}?", a + b
        answer = f"{a} + {b} = {result}."
    else:
        first, result = f"What is {a} minus {b}?", a - b
        answer = f"{a} − {b} = {result}."
    return (TEACHER if rng.random() < 0.3 else None), [
        first,
        answer,
        f"And if I multiply that by {k}?",
        f"{result} × {k} = {result * k}.",
    ]


def conversion(celsius: int, rng: random.Random) -> tuple[str | None, list[str]]:
    km, kg = rng.randint(2, 42), rng.randint(2, 90)
    fahrenheit = celsius * 9 / 5 + 32
    turns = [
        f"Convert {celsius} °C to Fahrenheit.",
        f"{celsius} °C is {fahrenheit:g} °F: multiply by 9/5, then add 32.",
        f"How many miles is {km} km?",
        f"{km} km is about {km * 0.621371:.1f} miles (1 km ≈ 0.621 miles).",
    ]
    if rng.random() < 0.5:
        turns += [f"And {kg} kg in pounds?", f"{kg} kg is about {kg * 2.20462:.1f} lb."]
    return (CONCISE if rng.random() < 0.3 else None), turns


def capital(country: str, city: str, continent: str) -> tuple[str | None, list[str]]:
    return None, [
        f"What is the capital of {country}?",
        f"The capital of {country} is {city}.",
        "Which continent is that on?",
        f"{country} is in {continent}.",
    ]


def word_puzzle(word: str, rng: random.Random) -> tuple[str | None, list[str]]:
    vowels = sum(1 for ch in word if ch in "aeiou")
    others = rng.sample([w for w in WORDS if w != word], 3)
    listed = ", ".join([word, *others])
    return (CONCISE if rng.random() < 0.4 else None), [
        f"Spell the word '{word}' backwards.",
        f"'{word}' backwards is '{word[::-1]}'.",
        "How many letters and vowels does it have?",
        f"'{word}' has {len(word)} letters, {vowels} of them vowels.",
        f"Sort these words alphabetically: {listed}.",
        ", ".join(sorted([word, *others])) + ".",
    ]


def python_function(task: tuple[str, ...]) -> tuple[str | None, list[str]]:
    what, name, arg, body, call, result = task
    code = f"```python\ndef {name}({arg}):\n    {body}\n```"
    return "You are a helpful programming assistant.", [
        f"Write a Python function that {what}.",
        f"Here is a short version:\n\n{code}",
        f"What does {call} return?",
        f"It returns {result}.",
    ]


def demo_conversations() -> list[dict]:
    """Every demo conversation as an ultrachat row (prompt, prompt_id, messages), shuffled."""
    rng = random.Random(SEED)
    drafts = list(CONVERSATIONS)
    drafts += [arithmetic(rng) for _ in range(15)]
    drafts += [conversion(celsius, rng) for celsius in rng.sample(range(-20, 41), 12)]
    drafts += [capital(*entry) for entry in CAPITALS]
    drafts += [word_puzzle(word, rng) for word in WORDS[:10]]
    drafts += [python_function(task) for task in PYTHON_TASKS]
    rng.shuffle(drafts)
    return [_row(system, turns) for system, turns in drafts]


def demo_file() -> Path:
    """The demo dataset as a .jsonl under STUDIO_HOME, (re)written only when it changed."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in demo_conversations())
    path = config.studio_home() / "demo" / FILE_NAME
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_text(path, text)
    return path


def _row(system: str | None, turns: list[str]) -> dict:
    messages = [{"content": system, "role": "system"}] if system else []
    roles = ("user", "assistant")
    messages += [{"content": text, "role": roles[i % 2]} for i, text in enumerate(turns)]
    prompt = turns[0]
    return {
        "prompt": prompt,
        "prompt_id": hashlib.sha256(prompt.encode("utf-8")).hexdigest(),
        "messages": messages,
    }
