"""How endpoints are described to people (pages and CLI share these)."""

from __future__ import annotations

import time

from services.backends.base import EndpointInfo


def uptime_text(started_at: float | None, now: float | None = None) -> str:
    """ "2h05m", "3m20s" or "" when unknown."""
    if not started_at:
        return ""
    seconds = max(0, int((now or time.time()) - started_at))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def holds_resources(endpoint: EndpointInfo) -> bool:
    """True while the endpoint costs something (the cost guard lists these): memory while a
    local server process lives; billed instances for as long as an Azure endpoint exists, even
    a failed one."""
    return endpoint.backend != "local" or not endpoint.status.is_down


def price_text(endpoint: EndpointInfo) -> str:
    if endpoint.hourly_price is not None:
        return f"${endpoint.hourly_price:.2f}/h"
    return "this machine, no charge" if endpoint.backend == "local" else "price unknown"


def endpoint_rows(endpoints: list[EndpointInfo]) -> list[dict]:
    """One table row per endpoint: what the Deploy page and `endpoints list` show."""
    return [
        {
            "name": e.name,
            "model": e.model_name,
            "version": e.model_version,
            "status": e.status,
            "port": e.port,
            "uptime": uptime_text(e.started_at),
            "cost": price_text(e),
        }
        for e in endpoints
    ]
