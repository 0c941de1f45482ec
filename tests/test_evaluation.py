"""The evaluation harness: metrics on hand-built answers, suite parsing, run files,
comparisons, the LLM judge against a local OpenAI-compatible server, and the smoke
suite through the real pipeline with `rag eval`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rag.answer import Answer, AnswerSentence, Citation, Retrieved
from rag.errors import EvalError
from rag.evaluation import Case, Run, aggregate, by_tag, percentile, read_run, score_case
from rag.reports import check_limits, compare_runs, markdown_report, write_run
from rag.suites import load_suite, parse_suite
from tests.fake_openai import FakeOpenAI, Status

ROOT = Path(__file__).resolve().parent.parent
DOC_A, DOC_B = "a.txt", "b.txt"
TEXTS = {
    DOC_A: "Britain has paid France about £480 million. The money funds patrols.",
    DOC_B: "Martin Hewitt is the border security chief. He is frustrated by delays.",
}


def text_of(source):
    return TEXTS.get(source)


def ret(chunk_id, source):
    return Retrieved(chunk_id, source, 0.5, 0, len(TEXTS.get(source, "")))


def cite(marker, source, quote, chunk_id, start=None):
    start = TEXTS[source].index(quote) if start is None else start
    return Citation(marker, source, chunk_id, quote, start, start + len(quote))


def answer(text, refused=False, citations=(), retrieved=(), sentences=None, timings=None):
    if sentences is None:
        sentences = tuple(AnswerSentence(s, (1,), True) for s in [text] if text and not refused)
    return Answer("q", "q", text, refused, "extractive", tuple(citations), tuple(retrieved),
                  timings or {"retrieve": 10.0, "total": 20.0}, tuple(sentences))


def case(answerable=True, must=(), sources=(DOC_A,), tags=("single-doc",), id="c1"):
    return Case(id=id, question="q", answerable=answerable, expected_sources=tuple(sources) if answerable else (),
                must_include=tuple(tuple(g) for g in must), tags=tuple(tags))


# -- retrieval metrics ---------------------------------------------------------


def test_hit_and_mrr_follow_the_rank_of_the_first_expected_source():
    ranking = [ret("x1", DOC_B), ret("x2", DOC_B), ret("a1", DOC_A)]
    r = score_case(case(), answer("£480 million [1]"), ranking, text_of)
    assert r.score("hit@5") == 1.0
    assert r.score("mrr@10") == pytest.approx(1 / 3)

    far = [ret(f"x{i}", DOC_B) for i in range(6)] + [ret("a1", DOC_A)]
    r = score_case(case(), answer("£480 million [1]"), far, text_of)
    assert r.score("hit@5") == 0.0  # rank 7 is outside the top 5
    assert r.score("mrr@10") == pytest.approx(1 / 7)


def test_duplicate_chunk_ids_count_once_in_the_ranking():
    dup = [ret("x1", DOC_B)] * 5 + [ret("a1", DOC_A)]
    r = score_case(case(), answer("£480 million [1]"), dup, text_of)
    assert r.score("hit@5") == 1.0  # the repeats collapse, so the expected source is second
    assert r.score("mrr@10") == 0.5
    assert r.ranked == (DOC_B, DOC_A)


def test_no_retrieved_chunks_and_fewer_than_k_results():
    r = score_case(case(), answer("£480 million [1]"), [], text_of)
    assert (r.score("hit@5"), r.score("mrr@10")) == (0.0, 0.0)  # scored, and a miss
    r = score_case(case(), answer("£480 million [1]"), [ret("a1", DOC_A)], text_of)
    assert (r.score("hit@5"), r.score("mrr@10")) == (1.0, 1.0)
    # retrieval is not scored for unanswerable cases
    r = score_case(case(answerable=False), answer("", refused=True), [ret("a1", DOC_A)], text_of)
    assert r.score("hit@5") is None and r.score("mrr@10") is None


# -- answers and refusals ------------------------------------------------------


def test_answer_match_needs_one_alternative_of_every_group_ignoring_case_markers_and_dashes():
    c = case(must=[["£480 million", "480m"], ["Life-threatening"]])
    ok = score_case(c, answer("Paid £480 [1] MILLION only in life threatening cases [2]."), [], text_of)
    assert ok.score("answer_match") == 1.0 and ok.missing == ()
    partial = score_case(c, answer("Paid 480m in total [1]."), [], text_of)
    assert partial.score("answer_match") == 0.0
    assert partial.missing == (("Life-threatening",),)
    assert not partial.passed


def test_refusals_score_refusal_accuracy_and_false_refusal_rate():
    refusal = answer("The documents do not say.", refused=True)
    right = score_case(case(answerable=False), refusal, [], text_of)
    assert right.score("refusal_accuracy") == 1.0 and right.passed
    assert right.score("answer_match") is None and right.score("false_refusal_rate") is None

    wrong = score_case(case(answerable=False), answer("A made-up figure [1]."), [], text_of)
    assert wrong.score("refusal_accuracy") == 0.0 and not wrong.passed

    false_refusal = score_case(case(must=[["480"]]), refusal, [ret("a1", DOC_A)], text_of)
    assert false_refusal.score("false_refusal_rate") == 1.0
    assert false_refusal.score("answer_match") == 0.0
    assert false_refusal.score("citation_coverage") is None  # a refusal has no answer sentences


def test_an_empty_answer_never_matches_and_has_nothing_to_cover():
    r = score_case(case(must=()), answer("", sentences=()), [ret("a1", DOC_A)], text_of)
    assert r.score("answer_match") == 0.0
    assert r.score("citation_coverage") is None and r.score("citation_validity") is None
    assert r.score("unsupported_rate") is None


# -- citations -----------------------------------------------------------------


def test_citation_validity_checks_quote_offsets_and_retrieval():
    good = cite(1, DOC_A, "The money funds patrols.", "a1")
    shifted = Citation(2, DOC_A, "a1", "The money funds patrols.", good.start + 1, good.end + 1)
    unretrieved = cite(3, DOC_B, "He is frustrated by delays.", "b9")
    empty = Citation(4, DOC_A, "a1", "", 0, 0)
    unknown = Citation(5, "gone.txt", "g1", "text", 0, 4)
    retrieved = [ret("a1", DOC_A), ret("a1", DOC_A), ret("b1", DOC_B)]
    a = answer("Patrols [1][2][3][4][5].", citations=[good, shifted, unretrieved, empty, unknown], retrieved=retrieved)
    r = score_case(case(), a, retrieved, text_of)
    assert r.tallies["citation_validity"] == (1.0, 5)
    assert len(r.citation_problems) == 4
    assert any("not found at" in p for p in r.citation_problems)
    assert any("b9 was not retrieved" in p for p in r.citation_problems)
    assert any("empty quote" in p for p in r.citation_problems)
    assert any("not in the index" in p for p in r.citation_problems)
    assert not r.passed  # invalid citations fail a case even when the answer matches


def test_coverage_and_unsupported_count_answer_sentences():
    sentences = (
        AnswerSentence("Britain paid £480 million.", (1,), True),
        AnswerSentence("It funds patrols.", (), True),
        AnswerSentence("France will refund it.", (2,), False),
    )
    r = score_case(case(), answer("...", sentences=sentences), [], text_of)
    assert r.tallies["citation_coverage"] == (2.0, 3)
    assert r.tallies["unsupported_rate"] == (1.0, 3)
    assert r.unsupported == ("France will refund it.",)
    # without per-sentence data the markers are read from the text, support is unknown
    r = score_case(case(), answer("Paid £480 million [1]. It funds patrols.", sentences=()), [], text_of)
    assert r.tallies["citation_coverage"] == (1.0, 2)
    assert r.score("unsupported_rate") is None


# -- averaging -------------------------------------------------------------------


def test_metrics_without_eligible_cases_are_none_with_a_zero_count_never_nan():
    results = [score_case(case(must=[["480"]], id="a"), answer("£480 million [1]"), [ret("a1", DOC_A)], text_of)]
    metrics, counts = aggregate(results)
    assert metrics["answer_match"] == 1.0 and counts["answer_match"] == 1
    assert metrics["refusal_accuracy"] is None and counts["refusal_accuracy"] == 0
    assert metrics["citation_validity"] is None and counts["citation_validity"] == 0
    assert "faithfulness" not in metrics  # judge metrics only appear in judged runs
    json.dumps(metrics, allow_nan=False)


def test_averages_per_suite_and_per_tag_and_latency_percentiles():
    results = []
    for i in range(4):
        results.append(score_case(case(must=[["480"]], id=f"a{i}", tags=("single-doc",)),
                                  answer("£480 million [1]" if i else "nothing useful", timings={"total": 10.0 * (i + 1)}),
                                  [ret("a1", DOC_A)], text_of))
    results.append(score_case(case(answerable=False, id="u", tags=("unanswerable",)),
                              answer("The documents do not say.", refused=True, timings={"total": 1000.0}), [], text_of))
    metrics, counts = aggregate(results)
    assert metrics["answer_match"] == 0.75 and counts["answer_match"] == 4
    assert metrics["refusal_accuracy"] == 1.0 and counts["refusal_accuracy"] == 1
    assert metrics["latency_total_p50_ms"] == 30.0  # nearest rank over 10, 20, 30, 40, 1000
    assert metrics["latency_total_p95_ms"] == 1000.0
    tags = by_tag(results)
    assert tags["single-doc"]["cases"] == 4 and tags["single-doc"]["metrics"]["answer_match"] == 0.75
    assert tags["single-doc"]["metrics"]["refusal_accuracy"] is None
    assert tags["unanswerable"]["metrics"]["refusal_accuracy"] == 1.0
    assert percentile([], 50) is None


def test_limits_report_floors_ceilings_and_na():
    metrics = {"answer_match": 0.8, "false_refusal_rate": 0.1, "refusal_accuracy": None}
    assert check_limits(metrics, [("answer_match", 0.8)], [("false_refusal_rate", 0.1)]) == []
    problems = check_limits(metrics, [("answer_match", 0.9), ("refusal_accuracy", 0.5)], [("false_refusal_rate", 0.05)])
    assert len(problems) == 3
    assert "below its floor" in problems[0] and "n/a" in problems[1] and "above its ceiling" in problems[2]


# -- suites --------------------------------------------------------------------

GOOD = {"id": "x", "question": "How much?", "answerable": True, "expected_sources": ["a.txt"],
        "must_include": [["480"]], "reference_answer": "£480 million"}


def suite_text(*objs):
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs)


@pytest.mark.parametrize("bad_line, problem", [
    ('{"id": "y", "question": ', "bad JSON"),
    ({k: v for k, v in GOOD.items() if k != "answerable"} | {"id": "y"}, "missing field 'answerable'"),
    (GOOD | {"id": "y", "answerable": "yes"}, "'answerable' must be true or false"),
    (GOOD | {"id": "y", "must_include": ["480"]}, "'must_include' must be a list of lists"),
    (GOOD | {"id": "y", "history": ["earlier?"]}, "'history' must be a list of"),
    (GOOD | {"id": "y", "tags": "multi-doc"}, "'tags' must be a list of strings"),
    (GOOD | {"id": "y", "mustinclude": []}, "unknown field 'mustinclude'"),
    (GOOD | {"id": "y", "answerable": False}, "unanswerable case must have empty"),
    (GOOD, "duplicate id 'x' (first on line 1)"),
])
def test_a_malformed_line_stops_with_its_number_and_the_problem(bad_line, problem):
    with pytest.raises(EvalError) as err:
        parse_suite(suite_text(GOOD, "", bad_line), "s.jsonl")
    assert str(err.value).startswith("s.jsonl line 3: ")
    assert problem in str(err.value)


def test_shipped_suites_parse_and_cover_what_the_issue_asks_for():
    seed = load_suite(ROOT / "evals" / "seed.jsonl")
    tags = [t for c in seed.cases for t in c.tags]
    assert len(seed.cases) >= 40
    assert sum(not c.answerable for c in seed.cases) >= 10
    assert sum(bool(c.history) for c in seed.cases) >= 5
    assert tags.count("injection") >= 3 and tags.count("multi-doc") >= 1
    sources = {s for c in seed.cases for s in c.expected_sources}
    assert sources == {p.name for p in (ROOT / "docs").glob("*.txt")}
    assert len(load_suite(ROOT / "evals" / "smoke.jsonl").cases) >= 5
    holdout = load_suite(ROOT / "evals" / "holdout.jsonl")
    assert {c.question for c in holdout.cases}.isdisjoint(c.question for c in seed.cases)
    assert all("holdout" in c.tags for c in holdout.cases)


# -- runs and comparisons --------------------------------------------------------


def make_run(results, when="2026-01-01T00:00:00Z"):
    return Run(suite="s.jsonl", suite_sha256="abc", started_at=when, duration_s=1.0, mode="extractive",
               models={"embedding": "m", "llm": None, "judge": None}, settings={"top_k": 5}, results=tuple(results))


def test_run_files_round_trip_and_compare_shows_deltas_and_flips(tmp_path):
    good = score_case(case(must=[["480"]], id="money"), answer("£480 million [1]"), [ret("a1", DOC_A)], text_of)
    bad = score_case(case(must=[["480"]], id="money"), answer("It was expensive [1]"), [ret("b1", DOC_B)], text_of)
    refused = score_case(case(answerable=False, id="canal"), answer("No.", refused=True), [], text_of)
    before = make_run([good, refused])
    json_path, md_path = write_run(before, tmp_path)
    loaded = read_run(json_path)
    assert loaded.summary() == before.summary()
    assert "## Metrics" in md_path.read_text() and "answer_match" in md_path.read_text()
    data = json.loads(json_path.read_text())
    assert {"suite", "cases", "metrics", "by_tag", "settings", "models", "suite_sha256", "started_at", "results"} <= set(data)

    after = make_run([bad, refused], "2026-01-02T00:00:00Z")
    comparison = compare_runs(loaded, after)
    assert comparison.deltas["answer_match"] == (1.0, 0.0, -1.0)
    assert comparison.deltas["refusal_accuracy"] == (1.0, 1.0, 0.0)
    assert comparison.flipped == (("money", True, False),)
    assert "money: pass -> fail" in comparison.render()
    assert "FAIL" in markdown_report(after)


def test_cli_compare_and_bad_run_files(tmp_path, capsys):
    from rag.cli import main

    good = score_case(case(must=[["480"]], id="money"), answer("£480 million [1]"), [ret("a1", DOC_A)], text_of)
    bad = score_case(case(must=[["480"]], id="money"), answer("Costly [1]"), [ret("a1", DOC_A)], text_of)
    a, _ = write_run(make_run([good]), tmp_path)
    b, _ = write_run(make_run([bad]), tmp_path)
    assert main(["eval", "compare", str(a), str(b), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["deltas"]["answer_match"] == {"a": 1.0, "b": 0.0, "delta": -1.0}
    assert out["flipped"] == [{"id": "money", "a": True, "b": False}]

    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    assert main(["eval", "compare", str(a), str(junk)]) == 1
    assert "is not a run file" in capsys.readouterr().err
    assert main(["eval", str(ROOT / "evals" / "smoke.jsonl"), "--fail-under", "acuracy=0.9"]) == 1
    assert "unknown metric 'acuracy'" in capsys.readouterr().err


# -- the judge, against a local OpenAI-compatible server -------------------------


def verdict(body: dict) -> str:
    """A good verdict when the graded answer mentions £480 million, an unusable one otherwise."""
    graded = body["messages"][-1]["content"].split("Answer to grade:")[-1]
    return '{"faithfulness": 5, "correctness": 4, "reason": "supported"}' if "480" in graded else "I would rather not say."


def test_judge_scores_counts_unparsable_verdicts_and_caches(seed_index, fake_embedder):
    from rag.evaluation import run_suite
    from rag.retrieve import Searcher

    source = "004_f1f9acf72509a885.txt"
    suite = parse_suite(suite_text(
        GOOD | {"id": "money", "question": "Britain has committed approximately how much to France over recent years?",
                "expected_sources": [source], "must_include": [["480"]]},
        GOOD | {"id": "rejection", "question": "What did the senior French government source say about intercepting boats?",
                "expected_sources": [source], "must_include": [["dangerous"]]},
    ), "judge.jsonl")
    with FakeOpenAI([verdict]) as server:
        settings = seed_index.replace(llm="none", openai_base_url=server.base_url, openai_api_key="sk-test",
                                      llm_model="judge-model", llm_retries=0)
        searcher = Searcher(settings, embedder=fake_embedder)
        run = run_suite(suite, settings, judge=True, searcher=searcher)
        by_id = {r.id: r for r in run.results}
        assert not by_id["money"].refused and "480" in by_id["money"].answer
        assert by_id["money"].judge["status"] == "scored"
        assert by_id["rejection"].judge["status"] == "not scored"
        assert run.judge["scored"] == 1 and run.judge["not_scored"] == 1
        metrics, counts = aggregate(run.results)
        assert metrics["faithfulness"] == 1.0 and metrics["correctness"] == 0.75
        assert counts["faithfulness"] == 1  # the unscored case is left out, not counted as 0
        assert all(r.body["temperature"] == 0 and r.body["model"] == "judge-model" for r in server.requests)
        assert run.models["judge"] == "judge-model" and run.mode == "extractive"
        assert "sk-test" not in json.dumps(run.to_json())

        calls = len(server.requests)
        again = run_suite(suite, settings, judge=True, searcher=searcher)
        assert len(server.requests) == calls + 1  # only the unscored answer is asked again
        assert again.judge["cached"] == 1 and aggregate(again.results)[0]["faithfulness"] == 1.0


def test_a_failed_judge_call_is_not_scored(seed_index, tmp_path):
    from rag.judge import Judge

    with FakeOpenAI([Status(500)]) as server:
        settings = seed_index.replace(llm="none", openai_base_url=server.base_url, openai_api_key="sk-test",
                                      llm_retries=0)
        judge = Judge(settings, tmp_path / "cache")
        verdict_ = judge.grade(case(), answer("£480 million [1]"))
    assert verdict_["status"] == "not scored" and verdict_["faithfulness"] is None
    assert "judge call failed" in verdict_["reason"]
    assert judge.describe()["not_scored"] == 1 and not list((tmp_path / "cache").glob("*"))


def test_judge_without_an_llm_stops_with_a_message(seed_index):
    from rag.judge import Judge

    with pytest.raises(EvalError, match="--judge needs an LLM"):
        Judge(seed_index, seed_index.index_dir / "judge-cache")


# -- end to end, through the real pipeline ----------------------------------------


@pytest.mark.slow
def test_rag_eval_runs_the_smoke_suite_writes_the_run_and_gates(real_seed_settings, monkeypatch, tmp_path, capsys):
    from rag.cli import main

    monkeypatch.setenv("RAG_DOCS_DIR", str(real_seed_settings.docs_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(real_seed_settings.index_dir))
    smoke = str(ROOT / "evals" / "smoke.jsonl")
    out = tmp_path / "runs"

    code = main(["eval", smoke, "--out", str(out), "--json", "--fail-under", "citation_validity=1.0", "hit@5=0.5"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["cases"] == len(load_suite(smoke).cases)
    assert {"suite", "cases", "metrics", "by_tag"} <= set(summary)
    for name in ("hit@5", "mrr@10", "answer_match", "refusal_accuracy", "false_refusal_rate",
                 "citation_validity", "citation_coverage", "unsupported_rate", "latency_total_p95_ms"):
        assert name in summary["metrics"]
        assert summary["metrics"][name] is None or not math.isnan(summary["metrics"][name])
    assert summary["metrics"]["hit@5"] >= 0.5
    run_file = Path(summary["run_file"])
    data = json.loads(run_file.read_text())
    assert data["mode"] == "extractive" and data["models"]["embedding"] == "all-MiniLM-L6-v2"
    assert data["suite_sha256"] == load_suite(smoke).sha256
    assert len(data["results"]) == summary["cases"]
    money = next(r for r in data["results"] if r["id"] == "ind-money")
    assert "480" in money["answer"] and money["passed"]
    assert Path(summary["report"]).read_text().startswith("# Evaluation of")

    code = main(["eval", smoke, "--out", str(out), "--baseline", str(run_file), "--fail-under", "answer_match=1.01"])
    captured = capsys.readouterr()
    assert code == 1
    assert "answer_match" in captured.err and "below its floor 1.01" in captured.err
    assert "comparing" in captured.out and "no case flipped" in captured.out
    assert len(list(out.glob("*.json"))) == 2
