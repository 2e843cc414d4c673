"""The one percentile of the project: nearest rank, so the value is one of the samples."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

Number = TypeVar("Number", int, float)


def percentile(values: Iterable[Number], share: float) -> Number | float:
    """Nearest-rank percentile (`share` in 0..1); NaN for no values.

    Small samples give their largest values: the p95 of 20 latencies is the 19th.
    """
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]
