"""A real local endpoint over the tiny finished job, shared by the tests of one module.

Starting a server takes ~10-15 s on 2 cores (torch, transformers, mlflow imports), so a module
deploys once. Tests that call services.serving functions point STUDIO_HOME at `home`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.backends.base import EndpointInfo, RegisteredModel, ScoringTarget
from tests.serving.tiny_model import JOB_ID, build_finished_job


@dataclass(frozen=True)
class Deployed:
    home: Path
    job: dict
    versions: tuple[RegisteredModel, ...]
    endpoint: EndpointInfo
    target: ScoringTarget


@contextmanager
def studio_home_at(home: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDIO_HOME", str(home))
        yield


@contextmanager
def deployed_tiny_model(home: Path) -> Iterator[Deployed]:
    """Register the tiny job twice (versions 1 and 2), deploy the latest, delete it after."""
    from services.serving import local_endpoints, local_registry

    with studio_home_at(home):
        job = build_finished_job(home)
        versions = (
            local_registry.register_model(JOB_ID),
            local_registry.register_model(JOB_ID),
        )
        endpoint = local_endpoints.deploy(versions[0].name, timeout_s=180)
        try:
            target = local_endpoints.scoring_target(endpoint.name)
        except Exception:
            local_endpoints.delete_endpoint(endpoint.name)
            raise
    try:
        yield Deployed(home, job, versions, endpoint, target)
    finally:
        with studio_home_at(home):
            for info in local_endpoints.list_endpoints():
                local_endpoints.delete_endpoint(info.name)
