"""Evaluate page: did the fine-tune make the model better than its base?

Pick a finished job, what to compare it against (its base model, another registered version,
an endpoint) and optionally a judge, start an evaluation (a detached worker scores both models
on a seeded sample of the job's test split), follow it live, then read the verdict, the
scorecard and the per-example table. The job and the evaluation are in the URL, so a refresh
finds them again. On a backend without local evaluation (Azure ML) the models answer from
endpoints instead (services/evaluation/through_endpoints.py).
"""

import streamlit as st

from pages.shared.backend import current_backend
from pages.shared.entry import ensure_app_navigation
from pages.shared.errors import show_error
from pages.shared.job_picker import pick_job
from pages.shared.signin import current_caller, is_operator
from services.errors import StudioError
from services.evaluation import azure_runs, comparators, evaluations, through_endpoints
from services.evaluation.display import (
    evaluation_rows,
    example_summary_rows,
    judge_line,
    progress_text,
    scorecard_rows,
)
from services.evaluation.evaluations import EvaluationInfo
from services.evaluation.start import (
    ENDPOINT_JUDGE,
    JUDGE_KINDS,
    URL_JUDGE,
    JudgeChoice,
    start_with_judge,
)
from services.training.jobs import mlflow_ui_command

ensure_app_navigation()

REFRESH_S = 2
JOB = "evaluate_job"
SHOWN = "evaluate_shown"
AZURE_RESULT = "evaluate_azure_result"


def put_job_in_url() -> None:
    st.query_params["job"] = st.session_state[JOB]
    st.query_params.pop("evaluation", None)


def show_chosen() -> None:
    st.query_params["evaluation"] = st.session_state[SHOWN]


def judge_fields(judge_kind: str) -> None:
    """The fields of the chosen judge kind, inside the form."""
    if judge_kind == ENDPOINT_JUDGE:
        endpoints = [e.name for e in backend.list_endpoints() if e.status == "running"]
        st.selectbox("Judge endpoint", endpoints, key="evaluate_judge_endpoint")
    elif judge_kind == URL_JUDGE:
        url, model = st.columns(2)
        url.text_input(
            "Judge URL", placeholder="https://api.openai.com/v1", key="evaluate_judge_url"
        )
        model.text_input("Judge model", placeholder="gpt-4o-mini", key="evaluate_judge_model")
        st.text_input(
            "Judge API key",
            type="password",
            key="evaluate_judge_key",
            help="Passed to the evaluation's worker only; never saved or logged.",
        )


def start_form(job_id: str, base_model_id: str) -> None:
    judge_kind = st.radio(
        "Pairwise judge (optional)",
        JUDGE_KINDS,
        horizontal=True,
        key="evaluate_judge_kind",
        help="A chat model that picks the better reply of each pair, asked in both orders.",
    )
    with st.form("evaluate_form"):
        rows, tokens, seed = st.columns(3)
        rows.number_input("Test rows", 1, 1000, evaluations.DEFAULT_ROWS, key="evaluate_rows")
        tokens.number_input(
            "Max new tokens", 1, 2048, evaluations.DEFAULT_MAX_NEW_TOKENS, key="evaluate_tokens"
        )
        seed.number_input("Seed", 0, 2**31 - 1, 0, key="evaluate_seed")
        st.selectbox(
            "Compare against",
            comparators.choices(backend, job_id, base_model_id),
            key="evaluate_against",
            help="The base model, another registered fine-tune of it (perplexity compared), or "
            "a running endpoint (replies only: an endpoint returns no token scores).",
        )
        judge_fields(judge_kind)
        started = st.form_submit_button("Start evaluation", type="primary", key="evaluate_start")
    if started:
        start(job_id, judge_kind)


def start(job_id: str, judge_kind: str) -> None:
    form = st.session_state
    judge = JudgeChoice(
        judge_kind,
        endpoint=form.get("evaluate_judge_endpoint") or "",
        url=form.get("evaluate_judge_url", ""),
        key=form.get("evaluate_judge_key", ""),
        model=form.get("evaluate_judge_model", ""),
    )
    try:
        with st.spinner("Checking the comparator and the judge…"):
            info = start_with_judge(
                backend,
                job_id,
                judge,
                caller=current_caller(),
                rows=int(form["evaluate_rows"]),
                max_new_tokens=int(form["evaluate_tokens"]),
                seed=int(form["evaluate_seed"]),
                against=form["evaluate_against"],
            )
    except StudioError as error:
        show_error(error)
        return
    st.query_params["evaluation"] = info.id
    st.rerun()


def live_view(job_id: str, evaluation_id: str, refreshing: bool) -> None:
    info = evaluations.get_evaluation(job_id, evaluation_id)
    if refreshing and info.is_terminal:
        st.rerun()  # redraw the whole page with the results, no more refreshing
    fraction, text = progress_text(info)
    st.progress(fraction, text=f"{info.status}: {text}")
    if is_operator() and st.button(
        "Cancel evaluation", key="evaluate_cancel", icon=":material/stop_circle:"
    ):
        try:  # a fragment's rerun is outside the page run's catch (app.py)
            with st.spinner("Stopping the evaluation…"):
                evaluations.cancel_evaluation(job_id, evaluation_id, caller=current_caller())
        except StudioError as error:
            show_error(error)
            return
        st.rerun()


def _measured(value) -> str:
    return f"{value:.2f}" if value is not None else "n/a"


def headline(info: EvaluationInfo) -> None:
    """The verdict, then perplexity, ROUGE-L and chrF of the tuned model with their changes."""
    if info.improved:
        st.success(info.verdict, icon=":material/trending_up:")
    else:
        st.warning(info.verdict, icon=":material/trending_flat:")
    base, tuned = info.scorecard["base"], info.scorecard["tuned"]
    perplexity, rouge, chrf = st.columns(3)
    measured = base["perplexity"] is not None and tuned["perplexity"] is not None
    change = tuned["perplexity"] - base["perplexity"] if measured else None
    perplexity.metric(
        "Perplexity (tuned)",
        _measured(tuned["perplexity"]),
        f"{change:+.2f} vs {info.comparator}" if change is not None else None,
        delta_color="inverse",
    )
    rouge.metric(
        "ROUGE-L (tuned)", f"{tuned['rouge_l']:.3f}", f"{tuned['rouge_l'] - base['rouge_l']:+.3f}"
    )
    chrf.metric("chrF (tuned)", f"{tuned['chrf']:.3f}", f"{tuned['chrf'] - base['chrf']:+.3f}")


def example(versus: str, example: dict) -> None:
    """One row: prompt, reference and both replies side by side, folded."""
    title = f"Row {example['row']}: ROUGE-L {example['rouge_l_change']:+.2f}"
    title += f" · judge: {example['judge']}" if "judge" in example else ""
    with st.expander(title, key=f"evaluate_example_{example['row']}"):
        st.markdown(f"**Prompt** ({example['earlier_turns']} earlier turns)")
        st.text(example["prompt"])
        st.markdown("**Reference**")
        st.text(example["reference"])
        left, right = st.columns(2)
        left.markdown(f"**{versus}** · ROUGE-L {example['base_rouge_l']:.2f}")
        left.text(example["base_reply"] or "(empty)")
        right.markdown(f"**Tuned** · ROUGE-L {example['tuned_rouge_l']:.2f}")
        right.text(example["tuned_reply"] or "(empty)")


def results(info: EvaluationInfo) -> None:
    headline(info)
    judged = judge_line(info.scorecard)
    if judged:
        st.info(judged, icon=":material/gavel:")
    st.dataframe(scorecard_rows(info.scorecard), hide_index=True, key="evaluate_scorecard")
    per_example(info, info.examples)


def through_endpoints_view(job_id: str) -> None:
    """Azure: the tuned deployment against an endpoint or the base model deployed for it; past
    evaluations are read back from the workspace's MLflow runs."""
    st.caption(
        "On Azure ML the models answer from endpoints: the job's deployment, and the base model "
        "deployed from the azureml registry for this evaluation (or another endpoint). "
        f"{through_endpoints.NO_BASE_LOSS}"
    )
    running = [e.name for e in backend.list_endpoints() if e.status == "running"]
    if running:
        through_endpoints_form(job_id, running)
    else:
        st.info("Deploy the job's registered model first (Deploy page), then evaluate it here.")
    through_endpoints_shown(job_id)


def through_endpoints_form(job_id: str, running: list[str]) -> None:
    tuned = st.selectbox("Tuned endpoint", running, key="evaluate_tuned_endpoint")
    test_file = st.text_input(
        "Test split (JSONL on this machine)",
        key="evaluate_test_file",
        help="The test_sft file the job was trained with (Dataset page → prepared splits).",
    )
    against = st.selectbox(
        "Compare against",
        through_endpoints.comparator_choices(running, tuned),
        key="evaluate_azure_against",
    )
    deploy_base = against == through_endpoints.DEPLOYED_BASE
    offer = None
    if deploy_base:
        try:
            offer = through_endpoints.base_offer(backend, job_id)
        except StudioError as error:
            show_error(error)
            return
        st.checkbox(offer.describe(), key="evaluate_accept_base")
    rows = st.number_input("Test rows", 1, 1000, evaluations.DEFAULT_ROWS, key="evaluate_rows")
    ready = bool(test_file) and (not deploy_base or st.session_state.get("evaluate_accept_base"))
    if st.button("Start evaluation", type="primary", key="evaluate_start", disabled=not ready):
        options = dict(against="" if deploy_base else against, base_offer=offer, rows=int(rows))
        evaluate_through_endpoints(job_id, tuned, test_file, options)


def evaluate_through_endpoints(job_id: str, tuned: str, test_file: str, options: dict) -> None:
    try:
        with st.status("Evaluating through endpoints…", expanded=True) as status:
            result = through_endpoints.evaluate(
                backend, job_id, tuned, test_file, on_progress=status.write, **options
            )
            status.update(label="Evaluation done", state="complete")
    except StudioError as error:
        show_error(error)
        return
    # The run holds the scorecard; this session also keeps the per-example rows it just scored.
    st.session_state[AZURE_RESULT] = result
    st.query_params["evaluation"] = result["run_id"]


def through_endpoints_shown(job_id: str) -> None:
    """The evaluation in the URL (else the newest) from the workspace's MLflow runs, then the
    job's evaluations to pick another."""
    try:
        past = azure_runs.list_evaluations(backend, job_id)
    except StudioError as error:
        st.caption(f"Past evaluations cannot be listed: {error}")
        return
    if not past:
        return
    info = shown_evaluation(past)
    st.subheader(f"Evaluation {info.id}")
    if info.status == "finished":
        through_endpoints_results(info)
    else:
        st.error(f"The evaluation {info.status}. {info.error}")
    evaluation_picker(past, info.id)
    st.caption("Each evaluation is an MLflow run beside its training job in Azure ML studio.")


def shown_evaluation(past: list[EvaluationInfo]) -> EvaluationInfo:
    """The evaluation the URL names, else the newest."""
    wanted = st.query_params.get("evaluation")
    return next((e for e in past if e.id == wanted), past[0])


def evaluation_picker(past: list[EvaluationInfo], shown_id: str) -> None:
    st.subheader("This job's evaluations")
    st.dataframe(evaluation_rows(past), hide_index=True, key="evaluate_past")
    st.session_state[SHOWN] = shown_id
    st.selectbox("Show evaluation", [e.id for e in past], key=SHOWN, on_change=show_chosen)


def through_endpoints_results(info: EvaluationInfo) -> None:
    card = info.scorecard
    (st.success if card["improved"] else st.warning)(card["verdict"])
    held_out = card["held_out"]
    if held_out["tuned_eval_loss"] is not None:
        st.metric(
            "Held-out eval_loss (tuned, logged by the job)", f"{held_out['tuned_eval_loss']:.3f}"
        )
    st.caption(held_out["note"])
    judged = judge_line(card)
    if judged:
        st.info(judged, icon=":material/gavel:")
    st.dataframe(scorecard_rows(card), hide_index=True, key="evaluate_scorecard")
    session = st.session_state.get(AZURE_RESULT) or {}
    examples = session.get("examples", []) if session.get("run_id") == info.id else []
    if examples:
        per_example(info, examples)


def per_example(info: EvaluationInfo, examples: list[dict]) -> None:
    st.subheader("Per example, largest change first")
    st.dataframe(example_summary_rows(examples), hide_index=True, key="evaluate_examples")
    for shown in examples:
        example("Base" if info.comparator == "base" else info.comparator, shown)


def evaluation_shown(job_id: str) -> None:
    """The evaluation in the URL (else the newest): live, its results, or why it stopped;
    then the job's evaluations to pick another."""
    past = evaluations.list_evaluations(job_id)
    if not past:
        return
    info = shown_evaluation(past)
    st.subheader(f"Evaluation {info.id}")
    if not info.is_terminal:
        st.fragment(live_view, run_every=REFRESH_S)(job_id, info.id, refreshing=True)
    elif info.status == "finished":
        results(info)
    else:
        st.error(f"The evaluation {info.status}. {info.error}")
    evaluation_picker(past, info.id)
    st.caption("Evaluation runs sit beside their training run in the MLflow UI:")
    st.code(mlflow_ui_command(), language="bash")


st.title("Evaluate")
backend = current_backend()
finished = [job for job in backend.list_jobs() if job.status == "finished"]
if not finished:
    st.info("No finished fine-tuning job yet: evaluate one once it has finished (Jobs page).")
    st.stop()
job_id = pick_job("Finished job", finished, JOB, on_change=put_job_in_url)
if not backend.capabilities.evaluate:
    if is_operator():  # it may deploy the base model: an operator's decision
        through_endpoints_view(job_id)
    else:
        st.info("Only an operator can evaluate through endpoints.")
    st.stop()
st.caption(
    "Scores the tuned model and its comparator (by default its base model) on the same sampled "
    "rows of the job's test split: held-out perplexity on the reference replies, and ROUGE-L / "
    "chrF of greedy replies."
)
if is_operator():
    start_form(job_id, next(job.model_id for job in finished if job.id == job_id))
evaluation_shown(job_id)
