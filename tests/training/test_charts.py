"""Loss chart and params table builders (AppTest cannot look inside plotly charts)."""

import pytest

from services.charts import latest_values, loss_figure, params_diff, smooth

RUN = {
    "loss": [(1, 4.0), (2, 2.0), (3, 3.0), (4, 1.0)],
    "eval_loss": [(0, 5.0), (4, 2.5)],
    "learning_rate": [(1, 1e-4)],
}


def test_loss_and_eval_loss_on_one_figure():
    figure = loss_figure({"run-a": RUN})
    by_name = {trace.name: trace for trace in figure.data}
    assert set(by_name) == {"run-a · loss", "run-a · eval_loss"}
    assert list(by_name["run-a · loss"].y) == [4.0, 2.0, 3.0, 1.0]
    assert list(by_name["run-a · eval_loss"].x) == [0, 4]
    assert figure.layout.xaxis.title.text == "step"
    assert figure.layout.yaxis.type == "linear"


def test_smoothing_keeps_raw_values_faint_behind():
    figure = loss_figure({"run-a": RUN}, smoothing=0.5)
    smoothed = next(t for t in figure.data if t.name == "run-a · loss")
    raw = next(t for t in figure.data if t.name == "run-a · loss (raw)")
    assert list(raw.y) == [4.0, 2.0, 3.0, 1.0]
    assert list(smoothed.y) == pytest.approx(smooth([4.0, 2.0, 3.0, 1.0], 0.5))
    assert list(smoothed.y) != list(raw.y)
    assert raw.opacity < 1


def test_log_scale_and_overlay_of_runs():
    figure = loss_figure({"a": RUN, "b": {"loss": [(1, 1.0)]}}, log_scale=True)
    assert figure.layout.yaxis.type == "log"
    assert {t.name for t in figure.data} == {"a · loss", "a · eval_loss", "b · loss"}
    colour = {t.name: t.line.color for t in figure.data}
    assert colour["a · loss"] == colour["a · eval_loss"] != colour["b · loss"]


def test_smooth_is_corrected_at_the_start():
    assert smooth([2.0, 2.0, 2.0], 0.9) == pytest.approx([2.0, 2.0, 2.0])
    assert smooth([1.0, 3.0], 0.0) == [1.0, 3.0]
    assert smooth([1.0, 3.0], 0.5) == pytest.approx([1.0, (0.5 * 0.5 + 0.5 * 3.0) / 0.75])
    with pytest.raises(ValueError):
        smooth([1.0], 1.0)


def test_params_diff_shows_only_differing_params():
    table = params_diff(
        {
            "a": {"learning_rate": "0.0002", "seed": "42", "lora_r": "8"},
            "b": {"learning_rate": "0.0001", "seed": "42"},
        }
    )
    assert list(table.columns) == ["a", "b"]
    assert table.to_dict(orient="index") == {
        "learning_rate": {"a": "0.0002", "b": "0.0001"},
        "lora_r": {"a": "8", "b": ""},
    }


def test_params_diff_of_one_run_lists_all_and_latest_values():
    assert list(params_diff({"a": {"x": "1", "y": "2"}}).index) == ["x", "y"]
    assert latest_values(RUN) == {"loss": 1.0, "eval_loss": 2.5, "learning_rate": 1e-4}
