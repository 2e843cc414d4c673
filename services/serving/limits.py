"""What one scoring request may ask of a local endpoint, and how long it may take.

Each limit is set by an environment variable of the server process (deploy passes its own
environment on), so an operator or a test can tighten them. A request over a limit is refused
before any work, with a message naming the limit and the variable that sets it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

# The guide's request_timeout_ms for managed online deployments (90000).
DEFAULT_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 1_000_000  # far above any chat a person types; 66 MB once took 10 GB
    max_messages: int = 256
    max_prompt_tokens: int = 8192  # also capped by the model's context (checked per request)
    max_new_tokens: int = 4096
    timeout_s: float = DEFAULT_TIMEOUT_S
    # KV cache shared by the requests generating at once, in tokens (SmolLM2 fp32: ~46 KB each,
    # so ~380 MB): one request of the bundled model's whole context fits, or many short ones.
    cache_tokens: int = 8192
    max_batch: int = 8  # requests generating together; the rest wait their turn

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, Any] = {}
        for name, variable in ENV_VARS.items():
            raw = os.environ.get(variable)
            if raw:
                kind = float if name == "timeout_s" else int
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise ValueError(f"{variable}={raw!r} is not a {kind.__name__}.") from None
                if not values[name] > 0:
                    raise ValueError(f"{variable}={raw!r} must be above 0.")
        return cls(**values)


ENV_VARS = {
    "max_body_bytes": "STUDIO_SERVE_MAX_BODY_BYTES",
    "max_messages": "STUDIO_SERVE_MAX_MESSAGES",
    "max_prompt_tokens": "STUDIO_SERVE_MAX_PROMPT_TOKENS",
    "max_new_tokens": "STUDIO_SERVE_MAX_NEW_TOKENS",
    "timeout_s": "STUDIO_SERVE_TIMEOUT_S",
    "cache_tokens": "STUDIO_SERVE_CACHE_TOKENS",
    "max_batch": "STUDIO_SERVE_MAX_BATCH",
}


def named(name: str, value) -> str:
    """How a message names a limit: 'max_messages = 256 (STUDIO_SERVE_MAX_MESSAGES)'."""
    return f"{name} = {value} ({ENV_VARS[name]})"
