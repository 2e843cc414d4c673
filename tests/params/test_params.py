import pytest

from services.errors import ValidationError
from services.params import (
    GUIDE_DEFAULTS,
    PARAM_SPECS,
    coerce,
    display_name,
    parse_assignments,
    resolve_params,
)


def test_guide_defaults_reach_azure_unchanged():
    params = resolve_params(backend="azure", model_name="Phi-3-mini-4k-instruct", gpus=8)
    for name, value in GUIDE_DEFAULTS.items():
        assert params.values[name] == value, name
        assert params.sources[name] == "guide"


def test_layers_model_defaults_then_user_win():
    params = resolve_params(
        backend="azure",
        model_name="m",
        model_defaults={"learning_rate": "2e-5", "apply_deepspeed": "false"},
        overrides={"learning_rate": "1e-4"},
    )
    assert params.values["learning_rate"] == 1e-4
    assert params.sources["learning_rate"] == "you"
    assert params.values["apply_deepspeed"] is False
    assert params.sources["apply_deepspeed"] == "model"


def test_local_backend_has_no_deepspeed_and_lora_settings():
    params = resolve_params(backend="local", model_name="SmolLM2-135M-Instruct")
    assert params.values["apply_deepspeed"] is False
    assert params.values["lora_r"] == 8
    assert "-nods-lora-" in params.display_name


def test_display_name_matches_the_guide_format():
    values = {
        "per_device_train_batch_size": 2,
        "gradient_accumulation_steps": 4,
        "lr_scheduler_type": "cosine",
        "apply_deepspeed": "true",
        "deepspeed_stage": 2,
        "apply_lora": "true",
        "save_total_limit": 1,
        "max_seq_length": 2048,
    }
    name = display_name("Phi-3-mini-4k-instruct", values, gpus=8)
    assert name == "Phi-3-mini-4k-instruct-ultrachat-bs64-cosine-ds2-lora-save_limit1-seqlen2048"


def test_display_name_defaults_when_unset():
    assert (
        display_name("m", {}, gpus=0) == "m-ultrachat-bs1-linear-nods-nolora-save_limit-1-seqlen-1"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("learning_rate", "fast", "must be a number"),
        ("learning_rate", "0", "between"),
        ("num_train_epochs", "1.5", "integer"),
        ("per_device_train_batch_size", "0", "between"),
        ("apply_lora", "maybe", "true or false"),
        ("lr_scheduler_type", "exponential", "one of"),
        ("lora_dropout", "1.5", "between"),
    ],
)
def test_invalid_values_are_refused_with_the_reason(name, value, message):
    with pytest.raises(ValueError, match=message):
        coerce(name, value)


def test_resolve_lists_every_invalid_value():
    with pytest.raises(ValidationError) as caught:
        resolve_params(
            backend="local", model_name="m", overrides={"learning_rate": "x", "seed": "-1"}
        )
    assert len(caught.value.reasons) == 2
    assert all("(from you)" in reason for reason in caught.value.reasons)


def test_values_are_typed():
    assert coerce("apply_lora", True) is True
    assert coerce("apply_lora", "false") is False  # a form's or a model tag's word
    assert coerce("deepspeed_stage", "3") == 3
    assert coerce("max_steps", "20") == 20
    assert coerce("unknown_name", "kept") == "kept"


def test_parse_assignments():
    assert parse_assignments(["a=1", "b = x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ValidationError):
        parse_assignments(["novalue"])


def test_unknown_names_of_the_user_are_refused_with_the_closest_name():
    with pytest.raises(ValidationError) as caught:
        resolve_params(
            backend="local",
            model_name="m",
            overrides={"learnig_rate": "1e-4", "lora_dropuot": "0.1", "colour": "blue"},
        )
    reasons = caught.value.reasons
    assert reasons[0] == "unknown parameter 'learnig_rate': did you mean learning_rate?"
    assert reasons[1] == "unknown parameter 'lora_dropuot': did you mean lora_dropout?"
    assert reasons[2].startswith("unknown parameter 'colour'; known parameters: apply_deepspeed,")


def test_unknown_names_from_the_model_defaults_pass_through():
    # Azure model tags may name pipeline inputs we do not model; the backend filters them.
    params = resolve_params(
        backend="azure", model_name="m", model_defaults={"ignore_mismatched_sizes": "true"}
    )
    assert params.values["ignore_mismatched_sizes"] == "true"


@pytest.mark.parametrize(
    "name", [name for name, spec in PARAM_SPECS.items() if spec.kind in ("int", "float")]
)
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e999", float("nan")])
def test_non_finite_numbers_are_refused(name, value):
    with pytest.raises(ValueError, match="must be a finite number"):
        coerce(name, value)
