"""Which requests the endpoint's generation loop steps next: decoding first, one new prompt a step.

transformers' FIFO scheduler puts every waiting prompt into the next step. When several
requests arrive together (four people pressing Send at once), their prompts are prefilled in
one forward pass, so each one's first token waits for the prefill of all of them: on CPU a
prefill costs about its token count, so the fourth prompt's wait becomes everyone's wait.

Here a step carries every decoding request plus at most one new prompt, oldest first: the
first arrival's first token comes after its own prefill, the second's one step later, and so
on. The decoding requests ride along in each of those steps (a decode token costs almost
nothing beside a prefill), so no work is wasted. A later prompt also finds the earlier ones'
finished cache blocks, so a shared prefix (system prompt, the conversation so far) is not
prefilled twice (prefix sharing matches whole blocks only, so it needs small pages).
"""

from __future__ import annotations

from transformers.generation.continuous_batching.requests import RequestState, RequestStatus
from transformers.generation.continuous_batching.scheduler import SCHEDULER_MAPPING, FIFOScheduler

NAME = "studio-one-prompt-per-step"


class OnePromptPerStepScheduler(FIFOScheduler):
    """FIFO, but a step starts at most one new prompt, and none while a long one is split."""

    def _get_waiting_candidates(self) -> list[RequestState]:
        waiting = super()._get_waiting_candidates()
        # A prompt over the step's token budget is prefilled in chunks over several steps:
        # the next one waits until it is done.
        if any(s.status == RequestStatus.PREFILLING for s in self.active_requests.values()):
            return []
        return waiting[:1]


def register() -> str:
    """Make the scheduler known to transformers (by name, as its config asks); its name."""
    SCHEDULER_MAPPING.setdefault(NAME, OnePromptPerStepScheduler)
    return NAME
