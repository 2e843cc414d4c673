"""The pre-flight estimate on Azure: the VM size's hourly price from list_sizes × nodes × hours."""

from __future__ import annotations

import pytest

from services.backends.base import JobSpec, ModelInfo
from services.training.estimate import estimate_for
from tests.training.tiny import conversations, write_jsonl

MODEL = ModelInfo(
    id="azureml://registries/azureml/models/Phi-3.5-mini-instruct/versions/6",
    name="Phi-3.5-mini-instruct",
    source="azureml-registry",
    parameters=3_800_000_000,
)


def test_cost_uses_the_clusters_hourly_price_and_its_nodes(backend, workspace, tmp_path):
    workspace.add_compute("a100", "Standard_NC24ads_A100_v4", max_nodes=2)
    train_file = write_jsonl(tmp_path / "train.jsonl", conversations(20))
    spec = JobSpec(
        MODEL.id,
        str(train_file),
        "",
        "a100",
        1,
        {"num_train_epochs": "3", "per_device_train_batch_size": "1", "num_nodes_finetune": "2"},
        "phi-estimate",
    )

    estimate = estimate_for(backend, spec, MODEL)

    assert estimate.hourly_price == pytest.approx(3.67)  # estimatedVMPrices, Linux dedicated
    assert estimate.nodes == 2
    assert estimate.cost == pytest.approx(3.67 * 2 * estimate.seconds / 3600)
    assert estimate.source.startswith("no earlier run")  # Azure runs never train here
    assert "characters/4" in estimate.tokens_note  # no tokenizer of a registry model on disk
    shown = " ".join(estimate.lines())
    assert "$3.67/h × 2 nodes" in shown and "queue time" in shown and "storage" in shown
