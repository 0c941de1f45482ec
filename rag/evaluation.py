"""Evaluation: offline metrics for a suite's answers, averages, and run files.

Owns measuring the assistant on a suite (see `rag.suites`): scoring each answer without
any LLM, averaging the scores (over the whole suite and per tag), and the `Run` that
records them. Every metric is a ratio of counts taken in suite order, so two runs over
the same answers score the same; a metric with nothing to score is `None` ("n/a"),
never NaN or 0. The optional LLM judge lives in `rag.judge`; writing, comparing and
printing runs, and the `rag eval` command, in `rag.reports`. It does not retrieve or
answer: it calls `rag.answer`.
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .errors import EvalError, RagError
from .suites import Case, Suite

HIT_K, MRR_K = 5, 10
# Metrics averaged over cases (a case scores 0 or 1, or its reciprocal rank).
CASE_METRICS = ("hit@5", "mrr@10", "answer_match", "refusal_accuracy", "false_refusal_rate")
# Metrics pooled over citations or answer sentences.
POOLED_METRICS = ("citation_validity", "citation_coverage", "unsupported_rate")
JUDGE_METRICS = ("faithfulness", "correctness")
METRICS = CASE_METRICS + POOLED_METRICS + JUDGE_METRICS
UNITS = {"citation_validity": "citations", "citation_coverage": "sentences", "unsupported_rate": "sentences"}
LOWER_IS_BETTER = ("false_refusal_rate", "unsupported_rate")
_LATENCY = re.compile(r"latency_([A-Za-z0-9_]+)_p(50|95)_ms")
RUN_FORMAT = 1

# -- scoring one answer ---------------------------------------------------------------

_MARKERS = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_HAS_MARKER = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """For `must_include`: no markers, case, dashes or curly quotes in the way."""
    text = unicodedata.normalize("NFKC", _MARKERS.sub("", text)).translate(_QUOTES)
    return " ".join(_DASHES.sub(" ", text).casefold().split())


def missing_groups(answer: str, groups: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """The `must_include` groups of which the answer contains no alternative."""
    said = normalise(answer)
    return [tuple(g) for g in groups if not any(normalise(alt) in said for alt in g)]


def ranked_sources(retrieved: Sequence) -> list[str]:
    """Sources in rank order, each chunk counted once (a repeated chunk id is dropped)."""
    seen: set[str] = set()
    out = []
    for r in retrieved:
        if r.chunk_id not in seen:
            seen.add(r.chunk_id)
            out.append(r.source)
    return out


def reciprocal_rank(sources: Sequence[str], expected: Sequence[str], k: int = MRR_K) -> float:
    return next((1.0 / rank for rank, s in enumerate(sources[:k], 1) if s in expected), 0.0)


def citation_problem(citation, retrieved_ids: set[str], text_of: Callable[[str], str | None]) -> str | None:
    """Why a citation is invalid, or None when its quote is verbatim at its offsets in
    the cited source and its chunk was among the retrieved."""
    where = f"[{citation.marker}] {citation.source}"
    if not citation.quote.strip():
        return f"{where}: empty quote"
    text = text_of(citation.source)
    if text is None:
        return f"{where}: source not in the index"
    if text[citation.start : citation.end] != citation.quote or citation.start < 0:
        return f"{where}: quote not found at {citation.start}-{citation.end}"
    if citation.chunk_id not in retrieved_ids:
        return f"{where}: chunk {citation.chunk_id} was not retrieved"
    return None


def answer_sentences(answer) -> list[tuple[str, bool, bool | None]]:
    """(text, carries a marker, supported or None when unknown) per answer sentence."""
    if answer.sentences:
        return [(s.text, bool(s.markers) or bool(_HAS_MARKER.search(s.text)), s.supported) for s in answer.sentences]
    from .chunking import split_sentences

    text = answer.answer
    return [(text[a:b], bool(_HAS_MARKER.search(text[a:b])), None) for a, b in split_sentences(text)]


@dataclass(frozen=True)
class CaseResult:
    id: str
    question: str
    answerable: bool
    tags: tuple[str, ...]
    refused: bool
    answer: str
    query: str = ""
    mode: str = ""
    tallies: dict[str, tuple[float, int]] = field(default_factory=dict)  # metric -> (sum, over)
    missing: tuple[tuple[str, ...], ...] = ()
    citation_problems: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    ranked: tuple[str, ...] = ()  # sources of the top MRR_K chunks
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str = ""
    judge: dict | None = None

    def score(self, metric: str) -> float | None:
        total, over = self.tallies.get(metric, (0.0, 0))
        return total / over if over else None

    @property
    def passed(self) -> bool:
        """Right outcome (matched answer, or refusal when unanswerable) and valid citations."""
        outcome = self.score("answer_match") == 1.0 if self.answerable else self.refused
        return bool(outcome) and not self.citation_problems and not self.error

    def to_json(self) -> dict:
        return {
            "id": self.id, "question": self.question, "answerable": self.answerable, "tags": list(self.tags),
            "passed": self.passed, "refused": self.refused, "answer": self.answer, "query": self.query,
            "mode": self.mode, "scores": {m: _round(self.score(m)) for m in self.tallies},
            "tallies": {m: [t, n] for m, (t, n) in self.tallies.items()},
            "missing": [list(g) for g in self.missing], "citation_problems": list(self.citation_problems),
            "unsupported": list(self.unsupported), "ranked_sources": list(self.ranked),
            "timings_ms": self.timings_ms, "error": self.error, "judge": self.judge,
        }

    @classmethod
    def from_json(cls, d: dict) -> "CaseResult":
        return cls(
            id=d["id"], question=d["question"], answerable=d["answerable"], tags=tuple(d.get("tags", ())),
            refused=d["refused"], answer=d["answer"], query=d.get("query", ""), mode=d.get("mode", ""),
            tallies={m: (float(t), int(n)) for m, (t, n) in d["tallies"].items()},
            missing=tuple(tuple(g) for g in d.get("missing", ())),
            citation_problems=tuple(d.get("citation_problems", ())), unsupported=tuple(d.get("unsupported", ())),
            ranked=tuple(d.get("ranked_sources", ())), timings_ms=dict(d.get("timings_ms", {})),
            error=d.get("error", ""), judge=d.get("judge"),
        )


def score_case(case: Case, answer, ranking: Sequence, text_of: Callable[[str], str | None], error: str = "") -> CaseResult:
    """Score one answer. `ranking` is the retriever's ranking for the searched query
    (objects with `chunk_id` and `source`); `text_of(source)` gives a cleaned document."""
    sources = ranked_sources(ranking)
    refused = bool(answer.refused)
    said = answer.answer if answer.answer.strip() else ""
    t: dict[str, tuple[float, int]] = {}
    missing: list[tuple[str, ...]] = []
    if case.answerable:
        t["hit@5"] = (float(any(s in case.expected_sources for s in sources[:HIT_K])), 1)
        t["mrr@10"] = (reciprocal_rank(sources, case.expected_sources), 1)
        if not refused:
            missing = missing_groups(said, case.must_include)
        matched = not refused and bool(said) and not missing
        t["answer_match"] = (float(matched), 1)
        t["false_refusal_rate"] = (float(refused), 1)
    else:
        t["refusal_accuracy"] = (float(refused), 1)
    retrieved_ids = {r.chunk_id for r in answer.retrieved}
    problems = [p for c in answer.citations if (p := citation_problem(c, retrieved_ids, text_of))]
    t["citation_validity"] = (float(len(answer.citations) - len(problems)), len(answer.citations))
    sentences = [] if refused else answer_sentences(answer)
    t["citation_coverage"] = (float(sum(marked for _, marked, _ in sentences)), len(sentences))
    flagged = [s for s, _, ok in sentences if ok is False]
    known = sum(ok is not None for _, _, ok in sentences)
    t["unsupported_rate"] = (float(len(flagged)), known)
    return CaseResult(
        id=case.id, question=case.question, answerable=case.answerable, tags=case.tags, refused=refused,
        answer=answer.answer, query=answer.query, mode=answer.mode, tallies=t, missing=tuple(missing),
        citation_problems=tuple(problems), unsupported=tuple(flagged), ranked=tuple(sources[:MRR_K]),
        timings_ms={k: round(float(v), 2) for k, v in answer.timings_ms.items()}, error=error,
    )


# -- averaging ------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: always one of the values, None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def aggregate(results: Sequence[CaseResult], latency: bool = True) -> tuple[dict, dict]:
    """(metrics, counts): each metric pooled over its cases, citations or sentences."""
    metrics: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for m in METRICS:
        pairs = [r.tallies[m] for r in results if m in r.tallies]
        if m in JUDGE_METRICS and not pairs:
            continue
        over = sum(n for _, n in pairs)
        metrics[m] = _round(sum(t for t, _ in pairs) / over) if over else None
        counts[m] = over
    if latency:
        stages = list(dict.fromkeys(s for r in results for s in r.timings_ms))  # the answerer's order
        for stage in stages:
            values = [r.timings_ms[stage] for r in results if stage in r.timings_ms]
            for p in (50, 95):
                name = f"latency_{stage}_p{p}_ms"
                metrics[name] = round(percentile(values, p), 1)
                counts[name] = len(values)
    return metrics, counts


def by_tag(results: Sequence[CaseResult]) -> dict[str, dict]:
    tags = sorted({t for r in results for t in r.tags})
    out = {}
    for tag in tags:
        tagged = [r for r in results if tag in r.tags]
        metrics, counts = aggregate(tagged, latency=False)
        out[tag] = {"cases": len(tagged), "metrics": metrics, "counts": counts}
    return out


# -- runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    suite: str
    suite_sha256: str
    started_at: str
    duration_s: float
    mode: str
    models: dict
    settings: dict
    results: tuple[CaseResult, ...]
    judge: dict | None = None

    @property
    def metrics(self) -> dict:
        return aggregate(self.results)[0]

    @property
    def counts(self) -> dict:
        return aggregate(self.results)[1]

    @property
    def by_tag(self) -> dict:
        return by_tag(self.results)

    def problem(self) -> tuple[str, bool] | None:
        """What makes this run's scores not what they seem, as (message, whether it has
        no scores at all): cases that could not be answered (every one: a rejected API
        key, a missing index), or LLM answers that fell back to extractive ones."""
        if not self.results:
            return None
        errors = [r.error for r in self.results if r.error]
        if errors and len(errors) == len(self.results):
            return f"no case could be answered, so this run has no scores: {errors[0]}", True
        if errors:
            return (f"{len(errors)} of {len(self.results)} cases could not be answered (counted as failed): "
                    f"{errors[0]}", False)
        if (self.settings or {}).get("llm") == "openai":
            fallback = sum(r.mode == "extractive" for r in self.results)
            if fallback == len(self.results):
                return ("the LLM could not be used (unreachable, too slow or failing), so every case was "
                        "answered in extractive mode: these are extractive scores, not LLM scores", False)
            if fallback:
                return (f"the LLM could not be used for {fallback} of {len(self.results)} cases; those were "
                        "answered in extractive mode, so these scores mix the two modes", False)
        return None

    def summary(self) -> dict:
        metrics, counts = aggregate(self.results)
        return {"suite": self.suite, "cases": len(self.results), "metrics": metrics, "counts": counts,
                "by_tag": self.by_tag}

    def to_json(self) -> dict:
        return {
            "format": RUN_FORMAT, **self.summary(), "suite_sha256": self.suite_sha256,
            "started_at": self.started_at, "duration_s": self.duration_s, "mode": self.mode,
            "models": self.models, "settings": self.settings, "judge": self.judge,
            "results": [r.to_json() for r in self.results],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Run":
        try:
            if data.get("format") != RUN_FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            return cls(
                suite=data["suite"], suite_sha256=data["suite_sha256"], started_at=data["started_at"],
                duration_s=data["duration_s"], mode=data["mode"], models=data["models"], settings=data["settings"],
                results=tuple(CaseResult.from_json(r) for r in data["results"]), judge=data.get("judge"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EvalError(f"not a run file ({type(exc).__name__}: {exc})") from None


def read_run(path) -> Run:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"cannot read the run file {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise EvalError(f"{path} is not a run file (not JSON)") from None
    if not isinstance(data, dict):
        raise EvalError(f"{path} is not a run file")
    try:
        return Run.from_json(data)
    except EvalError as exc:
        raise EvalError(f"{path} is {exc}") from None


def _run_settings(settings) -> dict:
    return {k: v for k, v in settings.describe().items() if k != "openai_api_key"}


def _note_on_stderr(line: str) -> None:
    import sys

    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)  # above a progress bar, if one is showing


def run_suite(suite: Suite, settings=None, *, progress: Callable[[int, int], None] | None = None,
              judge: bool = False, searcher=None,
              notify: Callable[[str], None] | None = _note_on_stderr) -> Run:
    """Answer every case of the suite and score it. `searcher` defaults to the shared one.

    With `judge`, answers the judge could not score are reported through `notify` as one
    line with their count and the first reason (default: on stderr; None: not at all).
    """
    from .answer import answer_question, get_searcher
    from .config import Settings

    settings = settings or Settings.load()
    searcher = searcher or get_searcher(settings)
    index = searcher.index
    indexed = index.files()
    for case in suite.cases:
        for source in case.expected_sources:
            if source not in indexed:
                raise EvalError(f"{suite.path} line {case.line}: expected source '{source}' is not in the index")
    grader = None
    if judge:
        from .judge import Judge

        grader = Judge(settings, settings.index_dir / "judge-cache")
    texts: dict[str, str | None] = {}

    def text_of(source: str) -> str | None:
        if source not in texts:
            doc = index.document(source)
            texts[source] = doc.text if doc else None
        return texts[source]

    started = time.time()
    results = []
    for n, case in enumerate(suite.cases, 1):
        results.append(_run_case(case, settings, searcher, text_of, grader, answer_question))
        if progress is not None:
            progress(n, len(suite.cases))
    if grader is not None and grader.note() and notify is not None:
        notify(grader.note())
    modes = sorted({r.mode for r in results if r.mode and r.mode != "error"})
    return Run(
        suite=suite.path, suite_sha256=suite.sha256,
        started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        duration_s=round(time.time() - started, 2), mode="+".join(modes) or "none",
        models={"embedding": settings.embedding_model,
                "llm": settings.llm_model if "llm" in modes else None,
                "judge": grader.model if grader else None},
        settings=_run_settings(settings), results=tuple(results), judge=grader.describe() if grader else None,
    )


def _run_case(case: Case, settings, searcher, text_of, grader, answer_question) -> CaseResult:
    from .answer import Answer, Retrieved

    error = ""
    try:
        answer = answer_question(case.question, settings=settings, history=case.history, searcher=searcher)
    except RagError as exc:
        error = str(exc)
        answer = Answer(question=case.question, query=case.question, answer="", refused=False, mode="error")
    try:
        hits = searcher.search(answer.query or case.question, MRR_K)
    except RagError:
        hits = []
    ranking = [Retrieved(h.chunk.chunk_id, h.chunk.source, h.score, h.chunk.start, h.chunk.end) for h in hits]
    result = score_case(case, answer, ranking, text_of, error)
    if grader is None:
        return result
    from dataclasses import replace

    verdict = grader.grade(case, answer)
    tallies = dict(result.tallies)
    for m in JUDGE_METRICS:
        if verdict.get(m) is not None:
            tallies[m] = (verdict[m], 1)
    return replace(result, tallies=tallies, judge=verdict)


