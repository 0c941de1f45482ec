"""Evaluation page: run a suite of reference questions, read its metrics, compare runs."""

import json
import logging
from pathlib import Path

import streamlit as st

from rag import ui
from rag.config import project_root
from rag.errors import EvalError, RagError
from rag.ui_session import LLM, base_settings, choices, indexing, run_settings, shared_searcher

log = logging.getLogger("rag.app")

EVALS = project_root() / "evals"
RUNS = EVALS / "runs"
PREVIOUS = "previous run in this session"

settings = base_settings()
chosen = choices(settings)


def pick_suite():
    """The chosen suite, parsed, or None (the reason is shown)."""
    from rag.suites import load_suite, parse_suite

    source = st.radio("Suite", ["From evals/", "Upload a JSONL file"], horizontal=True, label_visibility="collapsed")
    if source == "From evals/":
        files = sorted(EVALS.glob("*.jsonl"))
        if not files:
            st.info("No suites in evals/ yet: upload one in the suite format.")
            return None
        names = [f.name for f in files]
        default = names.index("smoke.jsonl") if "smoke.jsonl" in names else 0
        name = st.selectbox("Suite file", names, index=default)
        return load_suite(EVALS / name)
    upload = st.file_uploader("Suite (JSONL, one case per line)", type=["jsonl", "json", "txt"])
    if upload is None:
        return None
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        # Raised like a malformed line: one error, and no results of another suite below it.
        raise EvalError(f"{upload.name} is not UTF-8 text: save the suite as UTF-8 and upload it again.") from None
    return parse_suite(text, upload.name)


def run(suite, judge: bool):
    """The run of the suite, and the judge's notes (answers it could not score)."""
    from rag.evaluation import run_suite

    bar = st.progress(0.0, text=f"0/{len(suite.cases)} cases")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} cases")

    notes: list[str] = []
    try:
        result = run_suite(suite, run_settings(settings, chosen), progress=progress, judge=judge,
                           searcher=shared_searcher(settings), notify=notes.append)
    finally:
        bar.empty()  # an error is shown instead, not under a bar stuck at 0
    return result, notes


def run_problem(result) -> tuple[str, bool] | None:
    """`Run.problem`, in the app's words (the API key never shown)."""
    problem = result.problem()
    if problem is None:
        return None
    message, empty = problem
    message = message.rstrip()
    return ui.friendly_text(message if message.endswith((".", "!", "?")) else message + ".", chosen.api_key), empty


def metrics_tables(result) -> None:
    import pandas as pd

    counts = result.counts
    rows = [{"metric": m, "value": v, "over": counts.get(m)} for m, v in result.metrics.items()]
    quality = pd.DataFrame([r for r in rows if not r["metric"].startswith("latency_")])
    latency = pd.DataFrame([r for r in rows if r["metric"].startswith("latency_")])
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(quality, hide_index=True, column_config={
            "value": st.column_config.NumberColumn(format="%.3f"),
        })
    with right:
        chart = quality.dropna(subset=["value"]).set_index("metric")[["value"]]
        if not chart.empty:
            st.bar_chart(chart, horizontal=True, height=300)
    tags = result.by_tag
    if tags:
        with st.expander("By tag"):
            st.dataframe(pd.DataFrame(
                [{"tag": tag, "cases": t["cases"], **t["metrics"]} for tag, t in tags.items()]
            ), hide_index=True)
    if not latency.empty:
        with st.expander("Latency (ms)"):
            st.dataframe(latency, hide_index=True)


def lower_is_better(metric: str) -> bool:
    from rag.evaluation import LOWER_IS_BETTER

    return metric in LOWER_IS_BETTER or metric.startswith("latency_")


def mark(metric: str, score) -> str:
    """pass/fail for a case's 0-or-1 score, the number otherwise."""
    if score is None:
        return ""
    if score in (0.0, 1.0):
        good = score == (0.0 if lower_is_better(metric) else 1.0)
        return "pass" if good else "fail"
    return f"{score:.2f}"


# Short column names, so the pass/fail of every metric fits beside the id without
# scrolling sideways; the full name and its meaning are in each column's help.
METRIC_COLUMNS = {
    "hit@5": ("hit@5", "hit@5: an expected source is among the first 5 passages retrieved"),
    "mrr@10": ("mrr@10", "mrr@10: 1 / rank of the first expected source in the top 10"),
    "answer_match": ("match", "answer_match: the answer holds what the suite says it must (answerable cases)"),
    "refusal_accuracy": ("refusal", "refusal_accuracy: refused, as it should (unanswerable cases)"),
    "false_refusal_rate": ("answered", "false_refusal_rate: pass when an answerable question was answered, not refused"),
    "citation_validity": ("validity", "citation_validity: citations quoted word for word from a retrieved passage"),
    "citation_coverage": ("coverage", "citation_coverage: answer sentences that carry a marker"),
    "unsupported_rate": ("supported", "unsupported_rate: pass when no sentence was flagged as unsupported"),
    "faithfulness": ("faithful", "faithfulness (LLM judge): the answer's claims are in the passages"),
    "correctness": ("correct", "correctness (LLM judge): the answer agrees with the reference answer"),
}
METRIC_WIDTH = 76  # pixels: "pass", "fail" or "0.50" and a short heading


def case_details(r) -> list[str]:
    """Why a case came out as it did, one line each."""
    details = []
    if r.answerable and r.refused:
        details.append("refused an answerable question")
    if not r.answerable and not r.refused:
        details.append("answered instead of refusing")
    if r.missing:
        details.append("missing: " + "; ".join(" or ".join(g) for g in r.missing))
    details += list(r.citation_problems) + [f"unsupported: {s}" for s in r.unsupported]
    if r.query and r.query != r.question:
        details.append(f"searched for: {r.query}")
    if r.ranked:
        details.append("retrieved: " + ", ".join(dict.fromkeys(r.ranked)))
    return details


def cases_table(result) -> None:
    import pandas as pd

    from rag.evaluation import METRICS

    shown = [m for m in METRICS if any(m in r.tallies for r in result.results)]
    rows = []
    for r in result.results:
        valid, cited = r.tallies.get("citation_validity", (0.0, 0))
        row = {"id": r.id, "result": "pass" if r.passed else "FAIL"}
        row.update({m: mark(m, r.score(m)) for m in shown})
        row.update({"citations": f"{int(valid)}/{cited} valid", "question": r.question,
                    "answer": r.error or r.answer})
        rows.append(row)
    config = {
        "id": st.column_config.TextColumn(width=120, pinned=True),
        "result": st.column_config.TextColumn(width=60, pinned=True),
        "citations": st.column_config.TextColumn(width=90),
        "question": st.column_config.TextColumn(width="medium"),
        "answer": st.column_config.TextColumn(width="large"),
    }
    for m in shown:
        label, help_text = METRIC_COLUMNS.get(m, (m, m))
        config[m] = st.column_config.TextColumn(label, help=help_text, width=METRIC_WIDTH)
    frame = pd.DataFrame(rows)
    st.dataframe(frame.style.map(_failure_colour, subset=["result", *shown]), hide_index=True,
                 column_config=config)
    case_in_full(result)


def _failure_colour(value: object) -> str:
    """A failed case, or a failed metric of one, stands out from the passes."""
    return "color: #d62728; font-weight: 600" if value in ("FAIL", "fail") else ""


def case_in_full(result) -> None:
    """One case's question, answer and scores in full: the table cuts long text."""
    by_id = {r.id: r for r in result.results}
    failed = [r.id for r in result.results if not r.passed]
    # Failed cases first: they are the ones worth reading.
    order = failed + [i for i in by_id if i not in failed]
    chosen_id = st.selectbox(
        "Read a case in full", order, key=f"case-{result.started_at}",
        format_func=lambda i: ui.one_line(f"{'FAIL' if i in failed else 'pass'} · {i}: {by_id[i].question}", 110),
    )
    r = by_id[chosen_id]
    with st.container(border=True):
        st.markdown("**Question:** " + ui.escape_markdown(r.question, line_start=False))
        st.markdown("**Answer:** " + ui.escape_markdown(r.error or r.answer or "(empty answer)", line_start=False))
        scores = [f"{m} {mark(m, r.score(m))}" for m in r.tallies]
        st.caption(ui.escape_markdown(" · ".join(scores)))
        for line in case_details(r):
            st.caption(ui.escape_markdown(line))


def run_stem(result) -> str:
    """The file name (without extension) a run is saved under in evals/runs/."""
    return f"{Path(result.suite).stem}-{result.started_at.replace(':', '').replace('-', '')}"


def compare(result) -> None:
    import pandas as pd

    from rag.evaluation import read_run
    from rag.reports import compare_runs

    saved = sorted(RUNS.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if RUNS.is_dir() else []
    this = saved_as(result)  # this run itself, once saved: not an earlier run to compare with
    previous = st.session_state.get("eval_previous")
    options = ([PREVIOUS] if previous is not None else []) + [p.name for p in saved if p.name != Path(this or "").name]
    # An earlier run of the same suite is the comparison that means something: first.
    stem = Path(result.suite).stem + "-"
    same = [o for o in options if (previous.suite == result.suite if o == PREVIOUS else o.startswith(stem))]
    options = same + [o for o in options if o not in same]
    if not options:
        if this:
            st.caption(ui.escape_markdown(
                f"Nothing to compare with yet: this run is saved as {this}, so the next run "
                "(in this session or a later one) can be compared with it."))
        else:
            st.caption("Nothing to compare with yet: run again, or save this run to compare later runs with it.")
        return
    name = st.selectbox("Earlier run", options, help="Saved runs live in evals/runs/; runs of this suite come first.",
                        format_func=lambda o: f"{PREVIOUS} ({Path(previous.suite).name})" if o == PREVIOUS else o)
    earlier = previous if name == PREVIOUS else read_run(RUNS / name)
    comparison = compare_runs(earlier, result, labels=(name, "this run"))
    if not comparison.same_suite:
        st.warning("The two runs used different suites; deltas compare different questions, "
                   "so none is called better or worse.")
    rows = []
    for metric, (a, b, delta) in comparison.deltas.items():
        better = None if not delta or not comparison.same_suite else (delta < 0) == lower_is_better(metric)
        rows.append({"metric": metric, "earlier": a, "now": b, "delta": delta,
                     "": "" if better is None else ("better" if better else "worse")})
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
        "delta": st.column_config.NumberColumn(format="%+.4f"),
    })
    if comparison.flipped:
        for case_id, before, now in comparison.flipped:
            text = f"{case_id}: {'pass' if before else 'fail'} → {'pass' if now else 'fail'}"
            (st.success if now else st.error)(ui.escape_markdown(text))
    else:
        st.caption("No case changed between pass and fail.")


def saved_as(result) -> str | None:
    """Where this run was saved from this page (relative to the project), if it was."""
    saved = st.session_state.get("eval_saved")
    # The run itself, not its file name: two runs started within a second share one.
    return saved[1] if saved is not None and saved[0] is result else None


def save_run(result) -> None:
    """Button callback: runs before the page is drawn, so the comparison above the
    button already knows the saved run."""
    from rag.reports import write_run

    try:
        json_path, _ = write_run(result, RUNS)
    except (OSError, RagError) as exc:
        st.session_state["eval_saved"] = (result, None, ui.one_line(exc))
        return
    st.session_state["eval_saved"] = (result, str(json_path.relative_to(project_root())), "")


def save_and_download(result) -> None:
    from rag.reports import markdown_report

    stem = run_stem(result)
    done = saved_as(result)
    a, b, c = st.columns(3)
    a.download_button("Download JSON", json.dumps(result.to_json(), indent=2, ensure_ascii=False),
                      file_name=f"{stem}.json", mime="application/json", icon=":material/download:")
    b.download_button("Download Markdown", markdown_report(result), file_name=f"{stem}.md",
                      mime="text/markdown", icon=":material/download:")
    c.button("Save to evals/runs/", icon=":material/save:", on_click=save_run, args=(result,),
             disabled=bool(done), help="Saved already" if done else None)
    saved = st.session_state.get("eval_saved")
    if done:
        st.success(ui.escape_markdown(f"Saved {done} and its .md report."))
    elif saved is not None and saved[0] is result:
        st.error(ui.friendly_text(f"The run could not be saved: {saved[2]}"))


def matches(result, suite) -> bool:
    """Whether a run is of this suite (same content, wherever it came from)."""
    return suite is not None and result.suite_sha256 == suite.sha256


st.title("Evaluation")
st.caption(
    "Runs every question of a suite through the same pipeline as the chat. The answers come from the "
    f"answer mode chosen in the sidebar ({'LLM' if chosen.mode == LLM else 'extractive'}, {chosen.k} passages); "
    "the metrics are computed from those answers and the suite's references without an LLM."
)
failed = False
try:
    suite = pick_suite()
    if suite is not None:
        st.caption(ui.escape_markdown(f"{len(suite.cases)} cases in {Path(suite.path).name}"))
        judge = st.checkbox("Also grade with the LLM judge", disabled=chosen.mode != LLM,
                            help="Needs LLM mode and an API key; faithfulness and correctness are added.")
        busy = indexing(settings)
        if busy:
            st.info("The documents are being re-indexed: run the evaluation when that ends.")
        if st.button("Run evaluation", type="primary", icon=":material/play_arrow:", disabled=busy):
            fresh, notes = run(suite, judge and chosen.mode == LLM)
            problem = run_problem(fresh)
            if problem is not None and problem[1]:
                # Nothing was answered: no scores to show or to compare later runs with
                # (the run before it stays the one to compare with).
                st.error(problem[0])
                failed = True
            else:
                st.session_state["eval_previous"] = st.session_state.get("eval_run")
                st.session_state["eval_run"] = fresh
                st.session_state["eval_notes"] = notes
    result = None if failed else st.session_state.get("eval_run")
    if result is not None and not matches(result, suite):
        # The last run was of another suite: not shown as if it were this one's.
        if suite is not None:
            st.caption(ui.escape_markdown(
                f"The last run in this session was of {Path(result.suite).name}; run this suite to see its scores."))
        result = None
    if result is not None:
        problem = run_problem(result)
        if problem is not None:  # a warning about the run, its scores below
            st.warning(problem[0], icon=":material/warning:")
        for note in st.session_state.get("eval_notes", []):
            st.warning(ui.friendly_text(note, chosen.api_key))
        st.subheader(ui.escape_markdown(f"{Path(result.suite).name}: {len(result.results)} cases, "
                                        f"{sum(r.passed for r in result.results)} passed"))
        st.caption(ui.escape_markdown(f"{result.started_at} · mode {result.mode} · {result.duration_s:.1f} s"))
        metrics_tables(result)
        st.subheader("Cases")
        cases_table(result)
        st.subheader("Compare with an earlier run")
        compare(result)
        st.subheader("Report")
        save_and_download(result)
except RagError as exc:
    st.error(ui.friendly_error(exc, chosen.api_key))
except Exception:
    log.exception("evaluation page failed")
    st.error("The evaluation failed unexpectedly; the server log has the details.")
