"""Local compute: listing CPU and GPUs, GPU-count validation, the memory check."""

from __future__ import annotations

import os
import stat

import pytest

from services.backends.base import ModelInfo
from services.local import catalog, devices, hardware
from services.local.memory_estimate import estimate_training_memory

# nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.free --format=csv,noheader,nounits
TWO_GPUS = (
    "0, GPU-aaaa1111, NVIDIA H100 80GB HBM3, 81559, 80000\n"
    "1, GPU-bbbb2222, NVIDIA GeForce RTX 3060, 12288, 1024\n"
)


@pytest.fixture
def bundled() -> ModelInfo:
    return catalog.get_model(catalog.BUNDLED_MODEL_ID)


@pytest.fixture
def no_gpus(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no nvidia-smi to find


@pytest.fixture
def two_gpus(monkeypatch, tmp_path):
    """A fake nvidia-smi on PATH answering for two GPUs, and a CUDA build of torch."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "nvidia-smi"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{TWO_GPUS}EOF\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(hardware, "torch_has_cuda", lambda: True)
    monkeypatch.setattr(devices, "torch_has_cuda", lambda: True)


@pytest.fixture
def small_ram(monkeypatch):
    monkeypatch.setattr(devices, "ram_gb", lambda: (8.0, 4.0))


def check(model, compute="", **overrides):
    shape = {"gpus": 0, "batch_size": 1, "max_seq_length": 256, "apply_lora": True}
    return devices.check_compute(model, compute, **{**shape, **overrides})


def test_cpu_is_listed_with_its_memory(no_gpus):
    computes = devices.list_computes()
    assert [c.name for c in computes] == ["cpu"]
    assert computes[0].kind == "cpu" and computes[0].memory_gb > 0


def test_visible_gpus_are_listed_with_name_and_memory(two_gpus):
    computes = devices.list_computes()
    assert [(c.name, c.kind, c.gpus, c.description) for c in computes[1:]] == [
        ("cuda:0", "gpu", 1, "NVIDIA H100 80GB HBM3"),
        ("cuda:1", "gpu", 1, "NVIDIA GeForce RTX 3060"),
    ]
    assert computes[1].memory_gb == pytest.approx(85.5, abs=0.1)  # 81559 MiB


@pytest.mark.parametrize(
    ("visible", "names"),
    [
        ("1", ["NVIDIA GeForce RTX 3060"]),
        ("GPU-bbbb", ["NVIDIA GeForce RTX 3060"]),
        ("1,0", ["NVIDIA GeForce RTX 3060", "NVIDIA H100 80GB HBM3"]),
        ("", []),
        ("-1", []),
        ("0,7,1", ["NVIDIA H100 80GB HBM3"]),
    ],
)
def test_cuda_visible_devices_is_honoured(two_gpus, monkeypatch, visible, names):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    gpus = hardware.visible_gpus()
    assert [g.name for g in gpus] == names
    assert [g.compute_name for g in gpus] == [f"cuda:{i}" for i in range(len(names))]


def test_bundled_model_on_cpu_is_accepted_with_the_numbers(bundled, no_gpus, small_ram):
    result = check(bundled, "cpu", batch_size=2, max_seq_length=256)
    assert result.ok and result.reasons == ()
    assert result.gpus == 0
    assert result.available_memory_gb == 4.0
    assert 2.0 < result.required_memory_gb < 3.0  # measured peak RSS: 2.49 GB
    estimate = result.details["estimate"]
    assert estimate["dtype"] == "float32" and estimate["trainable_parameters"] == 460_800
    assert set(estimate) >= {"weights_gb", "trainable_state_gb", "activations_gb", "logits_gb"}


def test_gpus_on_a_machine_without_gpus_are_refused(bundled, no_gpus):
    result = check(bundled, gpus=1)
    assert not result.ok
    assert result.reasons == ("Asked for 1 GPU, but this machine has 0 GPUs visible.",)
    assert result.hints == ("Train on the CPU: compute 'cpu' with 0 GPUs.",)


def test_more_gpus_than_visible_are_refused(bundled, two_gpus):
    result = check(bundled, "cuda:0", gpus=3)
    assert not result.ok
    assert "Asked for 3 GPUs, but this machine has 2 GPUs visible (cuda:0, cuda:1)." in (
        result.reasons
    )
    assert result.hints == ("Use between 1 and 2 GPUs, or compute 'cpu' with 0 GPUs.",)
    assert not check(bundled, "cuda:1", gpus=2).ok  # from cuda:1 on there is only one


def test_negative_gpus_are_refused(bundled, no_gpus):
    result = check(bundled, gpus=-1)
    assert not result.ok and "cannot be negative" in result.reasons[0]


def test_gpu_compute_with_zero_gpus_or_unknown_name_is_refused(bundled, two_gpus):
    assert "0 GPUs means compute 'cpu'" in check(bundled, "cuda:0", gpus=0).reasons[0]
    assert "Unknown compute 'cuda:5'" in check(bundled, "cuda:5", gpus=1).reasons[0]
    assert "runs without GPUs" in check(bundled, "cpu", gpus=1).reasons[0]


def test_gpus_are_checked_against_the_tightest_gpus_free_memory(bundled, two_gpus):
    alone = check(bundled, "cuda:0", gpus=1, batch_size=1, max_seq_length=256)
    assert alone.ok and alone.gpus == 1
    assert alone.available_memory_gb == pytest.approx(83.9, abs=0.1)  # 80000 MiB free
    assert alone.details["estimate"]["dtype"] == "bfloat16"
    both = check(bundled, "cuda:0", gpus=2, batch_size=1, max_seq_length=256)
    assert not both.ok  # each GPU holds the whole run, and cuda:1 has 1024 MiB free
    assert both.available_memory_gb == pytest.approx(1.07, abs=0.01)
    assert both.reasons == (
        f"Will not fit: the run needs about {both.required_memory_gb:.1f} GB on each GPU, "
        "cuda:1 (NVIDIA GeForce RTX 3060) has 1.1 GB free.",
    )


def test_cpu_only_torch_cannot_use_gpus(bundled, two_gpus, monkeypatch):
    monkeypatch.setattr(devices, "torch_has_cuda", lambda: False)
    result = check(bundled, "cuda:0", gpus=1)
    assert not result.ok and "CPU-only build" in result.reasons[0]


def test_a_batch_that_cannot_fit_is_refused_with_hints(bundled, no_gpus, small_ram):
    result = check(bundled, "cpu", batch_size=16, max_seq_length=256)
    assert not result.ok
    assert result.reasons[0].startswith("Will not fit: the run needs about")
    assert "this machine has 4.0 GB free" in result.reasons[0]
    assert result.required_memory_gb > result.available_memory_gb == 4.0
    assert result.hints[0].startswith("Use a smaller batch: batch size ")
    assert result.hints[1].startswith("Use shorter sequences: max_seq_length ")
    suggested_batch = int(result.hints[0].split("batch size ")[1].split()[0])
    assert check(bundled, "cpu", batch_size=suggested_batch, max_seq_length=256).ok
    assert not check(bundled, "cpu", batch_size=suggested_batch * 2, max_seq_length=256).ok


def test_full_fine_tuning_that_cannot_fit_suggests_lora(bundled, no_gpus, monkeypatch):
    monkeypatch.setattr(devices, "ram_gb", lambda: (4.0, 3.0))
    result = check(bundled, "cpu", batch_size=1, max_seq_length=256, apply_lora=False)
    assert not result.ok
    assert "Turn LoRA on: only small adapter matrices are trained, and that fits." in (result.hints)


def test_sequences_longer_than_the_context_are_refused(bundled, no_gpus):
    result = check(bundled, "cpu", max_seq_length=9000)
    assert not result.ok and "context of 8192 tokens" in result.reasons[0]
    assert "at least 1" in check(bundled, "cpu", batch_size=0).reasons[0]


def test_a_model_the_catalog_cannot_open_is_refused(no_gpus):
    stranger = ModelInfo(id="/no/such/folder", name="folder", source="folder")
    result = check(stranger, "cpu")
    assert not result.ok and "is not a folder" in result.reasons[0]


def test_estimate_grows_with_batch_and_sequence_and_full_tuning():
    shape = catalog.model_shape(catalog.BUNDLED_MODEL_ID)

    def total(**kwargs):
        args = {"device": "cpu", "batch_size": 2, "max_seq_length": 256, "apply_lora": True}
        return estimate_training_memory(shape, **{**args, **kwargs}).total_gb

    assert total(batch_size=4) > total()
    assert total(max_seq_length=512) > total()
    assert total(apply_lora=False) > total() + 1.5  # gradients and AdamW for 135M weights
    assert total(device="gpu") < total()  # bfloat16 weights and activations
