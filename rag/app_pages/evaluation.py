"""Evaluation page: run a suite of reference questions, read its metrics, compare runs."""

import json
import logging
from pathlib import Path

import streamlit as st

from rag import ui
from rag.config import project_root
from rag.errors import RagError
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
        st.error("The uploaded suite is not UTF-8 text.")
        return None
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
    return ui.friendly_text(message, chosen.api_key), empty


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


def cases_table(result) -> None:
    import pandas as pd

    from rag.evaluation import METRICS

    shown = [m for m in METRICS if any(m in r.tallies for r in result.results)]
    rows = []
    for r in result.results:
        valid, cited = r.tallies.get("citation_validity", (0.0, 0))
        row = {"id": r.id, "result": "pass" if r.passed else "FAIL", "question": r.question,
               "answer": r.error or r.answer, "citations": f"{int(valid)}/{cited} valid"}
        row.update({m: mark(m, r.score(m)) for m in shown})
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
        "question": st.column_config.TextColumn(width="medium"),
        "answer": st.column_config.TextColumn(width="large"),
    })
    failed = [r for r in result.results if not r.passed]
    for r in failed:
        with st.expander(ui.escape_markdown(f"FAIL {r.id}: {r.question}"), icon=":material/error:"):
            st.markdown(ui.escape_markdown(r.error or r.answer or "(empty answer)"))
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
            for line in details:
                st.caption(ui.escape_markdown(line))


def compare(result) -> None:
    import pandas as pd

    from rag.evaluation import read_run
    from rag.reports import compare_runs

    saved = sorted(RUNS.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if RUNS.is_dir() else []
    previous = st.session_state.get("eval_previous")
    options = ([PREVIOUS] if previous is not None else []) + [p.name for p in saved]
    if not options:
        st.caption("Nothing to compare with yet: run again, or save this run to compare later runs with it.")
        return
    name = st.selectbox("Earlier run", options, help="Saved runs live in evals/runs/.")
    earlier = previous if name == PREVIOUS else read_run(RUNS / name)
    comparison = compare_runs(earlier, result, labels=(name, "this run"))
    if not comparison.same_suite:
        st.warning("The two runs used different suites; deltas compare different questions.")
    rows = []
    for metric, (a, b, delta) in comparison.deltas.items():
        better = None if not delta else (delta < 0) == lower_is_better(metric)
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


def save_and_download(result) -> None:
    from rag.reports import markdown_report, write_run

    stem = f"{Path(result.suite).stem}-{result.started_at.replace(':', '').replace('-', '')}"
    a, b, c = st.columns(3)
    a.download_button("Download JSON", json.dumps(result.to_json(), indent=2, ensure_ascii=False),
                      file_name=f"{stem}.json", mime="application/json", icon=":material/download:")
    b.download_button("Download Markdown", markdown_report(result), file_name=f"{stem}.md",
                      mime="text/markdown", icon=":material/download:")
    if c.button("Save to evals/runs/", icon=":material/save:"):
        json_path, _ = write_run(result, RUNS)
        st.success(ui.escape_markdown(f"Saved {json_path.relative_to(project_root())} and its .md report"))


st.title("Evaluation")
st.caption(
    "Runs every question of a suite through the same pipeline as the chat, with the sidebar's answer mode "
    f"({chosen.mode}) and {chosen.k} passages, and scores it without any LLM."
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
    if result is not None:
        problem = run_problem(result)
        if problem is not None:
            st.error(problem[0], icon=":material/warning:")
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
