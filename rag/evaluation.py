"""Evaluation: suites of reference questions, offline metrics, run files, comparisons.

Owns measuring the assistant on a suite (JSONL, one case per line, in `evals/`):
parsing and validating suites, scoring each answer without any LLM, averaging the
scores (over the whole suite and per tag), writing a run as JSON and Markdown,
comparing two runs, and the `rag eval` command. Every metric is a ratio of counts
taken in suite order, so two runs over the same answers score the same; a metric
with nothing to score is `None` ("n/a"), never NaN or 0. The optional LLM judge
lives in `rag.judge`. It does not retrieve or answer: it calls `rag.answer`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .errors import EvalError, RagError

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

# -- suites -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    answerable: bool
    expected_sources: tuple[str, ...] = ()
    must_include: tuple[tuple[str, ...], ...] = ()  # every group needs one alternative
    reference_answer: str = ""
    history: tuple[str, ...] = ()  # earlier questions, oldest first
    tags: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Suite:
    path: str
    sha256: str
    cases: tuple[Case, ...]

    @property
    def name(self) -> str:
        return Path(self.path).stem


_REQUIRED = ("id", "question", "answerable", "expected_sources", "must_include", "reference_answer")
_OPTIONAL = ("history", "tags")


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _strings(value, name: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"field '{name}' must be a list of strings, got {_kind(value)}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"field '{name}' must hold non-empty strings, got {_kind(item)}")
    return tuple(value)


def _case(obj, line: int) -> Case:
    if not isinstance(obj, dict):
        raise ValueError(f"a case must be a JSON object, got {_kind(obj)}")
    unknown = sorted(set(obj) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field '{unknown[0]}'")
    for name in _REQUIRED:
        if name not in obj:
            raise ValueError(f"missing field '{name}'")
    for name in ("id", "question", "reference_answer"):
        if not isinstance(obj[name], str):
            raise ValueError(f"field '{name}' must be a string, got {_kind(obj[name])}")
    for name in ("id", "question"):
        if not obj[name].strip():
            raise ValueError(f"field '{name}' is empty")
    if not isinstance(obj["answerable"], bool):
        raise ValueError(f"field 'answerable' must be true or false, got {_kind(obj['answerable'])}")
    sources = _strings(obj["expected_sources"], "expected_sources")
    groups = obj["must_include"]
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise ValueError("field 'must_include' must be a list of lists of strings")
    must = tuple(_strings(g, "must_include") for g in groups)
    if any(not g for g in must):
        raise ValueError("field 'must_include' has an empty group")
    history = obj.get("history", [])
    if not isinstance(history, list):
        raise ValueError(f"field 'history' must be a list of {{\"question\": ...}} objects, got {_kind(history)}")
    for turn in history:
        if not isinstance(turn, dict) or set(turn) != {"question"} or not isinstance(turn["question"], str):
            raise ValueError("field 'history' must be a list of {\"question\": ...} objects")
    if obj["answerable"] and not sources:
        raise ValueError("an answerable case needs at least one expected source")
    if not obj["answerable"] and (sources or must):
        raise ValueError("an unanswerable case must have empty 'expected_sources' and 'must_include'")
    return Case(
        id=obj["id"], question=obj["question"], answerable=obj["answerable"], expected_sources=sources,
        must_include=must, reference_answer=obj["reference_answer"],
        history=tuple(t["question"] for t in history), tags=_strings(obj.get("tags", []), "tags"), line=line,
    )


def parse_suite(text: str, path: str = "<suite>", sha256: str | None = None) -> Suite:
    """Cases from JSONL text; a malformed line stops with its line number and the problem."""
    cases: list[Case] = []
    first_line: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path} line {n}: bad JSON ({exc.msg} at column {exc.colno})") from None
        try:
            case = _case(obj, n)
        except ValueError as exc:
            raise EvalError(f"{path} line {n}: {exc}") from None
        if case.id in first_line:
            raise EvalError(f"{path} line {n}: duplicate id '{case.id}' (first on line {first_line[case.id]})")
        first_line[case.id] = n
        cases.append(case)
    if not cases:
        raise EvalError(f"{path} holds no cases")
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Suite(path=path, sha256=digest, cases=tuple(cases))


def load_suite(path) -> Suite:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EvalError(f"cannot read the suite {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EvalError(f"{path} is not UTF-8 text") from None
    return parse_suite(text, str(path), hashlib.sha256(data).hexdigest())


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


def run_suite(suite: Suite, settings=None, *, progress: Callable[[int, int], None] | None = None,
              judge: bool = False, searcher=None) -> Run:
    """Answer every case of the suite and score it. `searcher` defaults to the shared one."""
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


def write_run(run: Run, out_dir) -> tuple[Path, Path]:
    """Write `<suite>-<time>.json` and `.md` into `out_dir`; returns both paths."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        stem = f"{Path(run.suite).stem}-{run.started_at.replace('-', '').replace(':', '')}"
        n, name = 1, stem
        while (out / f"{name}.json").exists():
            n += 1
            name = f"{stem}-{n}"
        json_path, md_path = out / f"{name}.json", out / f"{name}.md"
        json_path.write_text(json.dumps(run.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        md_path.write_text(markdown_report(run), encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"cannot write the run into {out}: {exc.strerror or exc}") from None
    return json_path, md_path


# -- comparing runs -------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    same_suite: bool
    deltas: dict[str, tuple[float | None, float | None, float | None]]  # metric -> (a, b, b - a)
    flipped: tuple[tuple[str, bool, bool], ...]  # (case id, passed in a, passed in b)
    only_a: tuple[str, ...] = ()
    only_b: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "a": self.a, "b": self.b, "same_suite": self.same_suite,
            "deltas": {m: {"a": a, "b": b, "delta": d} for m, (a, b, d) in self.deltas.items()},
            "flipped": [{"id": i, "a": pa, "b": pb} for i, pa, pb in self.flipped],
            "only_a": list(self.only_a), "only_b": list(self.only_b),
        }

    def render(self) -> str:
        lines = [f"comparing {self.a} -> {self.b}"]
        if not self.same_suite:
            lines.append("note: the runs used different suites (hashes differ)")
        width = max(map(len, self.deltas), default=6)
        for m, (a, b, d) in self.deltas.items():
            ms = m.startswith("latency_")
            sign = "" if d is None else (f"{d:+.1f}" if ms else f"{d:+.4f}")
            lines.append(f"  {m.ljust(width)}  {_fmt(a, ms).rjust(8)} -> {_fmt(b, ms).rjust(8)}  {sign}".rstrip())
        if self.flipped:
            lines.append("flipped cases:")
            for case_id, pa, pb in self.flipped:
                lines.append(f"  {case_id}: {'pass' if pa else 'fail'} -> {'pass' if pb else 'fail'}")
        else:
            lines.append("no case flipped")
        for label, ids in (("only in A", self.only_a), ("only in B", self.only_b)):
            if ids:
                lines.append(f"{label}: {', '.join(ids)}")
        return "\n".join(lines)


def compare_runs(a: Run, b: Run, labels: tuple[str, str] | None = None) -> Comparison:
    ma, mb = a.metrics, b.metrics
    deltas = {}
    for m in list(ma) + [m for m in mb if m not in ma]:
        va, vb = ma.get(m), mb.get(m)
        deltas[m] = (va, vb, None if va is None or vb is None else round(vb - va, 4))
    passed_a = {r.id: r.passed for r in a.results}
    passed_b = {r.id: r.passed for r in b.results}
    flipped = tuple((i, passed_a[i], passed_b[i]) for i in passed_a if i in passed_b and passed_a[i] != passed_b[i])
    return Comparison(
        a=labels[0] if labels else f"{a.suite} @ {a.started_at}", b=labels[1] if labels else f"{b.suite} @ {b.started_at}",
        same_suite=a.suite_sha256 == b.suite_sha256, deltas=deltas, flipped=flipped,
        only_a=tuple(i for i in passed_a if i not in passed_b), only_b=tuple(i for i in passed_b if i not in passed_a),
    )


# -- reports --------------------------------------------------------------------------


def _fmt(value: float | None, latency: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if latency else f"{value:.4f}"


def _over(name: str, count: int) -> str:
    return f"{count} {UNITS.get(name, 'cases')}"


def _latency(metrics: dict) -> dict[str, dict[str, float | None]]:
    """stage -> {"p50": ms, "p95": ms} from the flat latency metrics."""
    out: dict[str, dict[str, float | None]] = {}
    for name, value in metrics.items():
        m = _LATENCY.fullmatch(name)
        if m:
            out.setdefault(m.group(1), {})[f"p{m.group(2)}"] = value
    return out


def metrics_table(run: Run) -> str:
    metrics, counts = aggregate(run.results)
    width = max(map(len, METRICS))
    lines = [f"suite {run.suite}: {len(run.results)} cases, mode {run.mode}, sha256 {run.suite_sha256[:12]}"]
    for m, v in metrics.items():
        if not m.startswith("latency_"):
            lines.append(f"  {m.ljust(width)}  {_fmt(v).rjust(8)}  over {_over(m, counts[m])}")
    latency = _latency(metrics)
    if latency:
        lines.append(f"  {'latency (ms)'.ljust(width)}  {'p50'.rjust(8)}  {'p95'.rjust(8)}")
        for stage, p in latency.items():
            lines.append(f"  {('  ' + stage).ljust(width)}  {_fmt(p.get('p50'), True).rjust(8)}  {_fmt(p.get('p95'), True).rjust(8)}")
    tags = run.by_tag
    if tags:
        cols = [m for m in METRICS if any(m in t["metrics"] for t in tags.values())]
        tag_width = max(len("tag"), *map(len, tags))
        lines.append("")
        lines.append("  " + "tag".ljust(tag_width) + "  cases  " + "  ".join(cols))
        for tag, t in tags.items():
            cells = "  ".join(_fmt(t["metrics"].get(c)).rjust(len(c)) for c in cols)
            lines.append(f"  {tag.ljust(tag_width)}  {str(t['cases']).rjust(5)}  {cells}")
    failed = [r for r in run.results if not r.passed]
    if failed:
        lines.append("")
        lines.append(f"failed cases ({len(failed)}):")
        lines.extend(f"  {r.id}: {_why(r)}" for r in failed)
    return "\n".join(lines)


def _why(r: CaseResult) -> str:
    reasons = []
    if r.error:
        reasons.append(f"error: {r.error}")
    elif r.answerable and r.refused:
        reasons.append("refused an answerable question")
    elif not r.answerable and not r.refused:
        reasons.append("answered instead of refusing")
    elif r.answerable and not r.answer.strip():
        reasons.append("empty answer")
    if r.missing:
        reasons.append("missing " + "; ".join(" | ".join(g) for g in r.missing))
    reasons.extend(r.citation_problems)
    return ", ".join(reasons) or "ok"


def markdown_report(run: Run) -> str:
    metrics, counts = aggregate(run.results)
    answerable = sum(r.answerable for r in run.results)
    out = [
        f"# Evaluation of `{run.suite}`", "",
        f"- time: {run.started_at} ({run.duration_s:.1f} s)",
        f"- mode: {run.mode}; embedding model: {run.models.get('embedding')}; LLM: {run.models.get('llm') or 'none'}"
        + (f"; judge: {run.models.get('judge')}" if run.models.get("judge") else ""),
        f"- cases: {len(run.results)} ({answerable} answerable, {len(run.results) - answerable} unanswerable)",
        f"- suite sha256: `{run.suite_sha256}`", "",
        "## Metrics", "", "| metric | value | over |", "| --- | ---: | ---: |",
    ]
    out += [f"| {m} | {_fmt(v)} | {_over(m, counts[m])} |" for m, v in metrics.items() if not m.startswith("latency_")]
    latency = _latency(metrics)
    if latency:
        out += ["", "## Latency (ms)", "", "| stage | p50 | p95 |", "| --- | ---: | ---: |"]
        out += [f"| {st} | {_fmt(p.get('p50'), True)} | {_fmt(p.get('p95'), True)} |" for st, p in latency.items()]
    if run.judge:
        out += ["", f"Judge: {run.judge.get('scored', 0)} scored, {run.judge.get('not_scored', 0)} not scored "
                f"(prompt {run.judge.get('prompt_version')}, model {run.judge.get('model')})."]
    tags = run.by_tag
    if tags:
        cols = [m for m in METRICS if any(m in t["metrics"] for t in tags.values())]
        out += ["", "## By tag", "", "| tag | cases | " + " | ".join(cols) + " |",
                "| --- | ---: | " + " | ".join("---:" for _ in cols) + " |"]
        out += [f"| {tag} | {t['cases']} | " + " | ".join(_fmt(t["metrics"].get(c)) for c in cols) + " |"
                for tag, t in tags.items()]
    failed = [r for r in run.results if not r.passed]
    out += ["", f"## Failed cases ({len(failed)})", ""]
    for r in failed:
        out += [f"### {r.id}: {r.question}", "", f"- {_why(r)}", "- answer: " + (_quote_md(r.answer) or "(empty)"), ""]
    out += ["## All cases", "", "| id | tags | result | refused | hit@5 | answer |", "| --- | --- | --- | --- | ---: | --- |"]
    for r in run.results:
        out.append(f"| {r.id} | {', '.join(r.tags)} | {'pass' if r.passed else 'FAIL'} | {'yes' if r.refused else 'no'} "
                   f"| {_fmt(r.score('hit@5'))} | {_quote_md(r.answer)[:160]} |")
    return "\n".join(out) + "\n"


def _quote_md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- command line ---------------------------------------------------------------------


def _threshold(raw: str) -> tuple[str, float]:
    import argparse

    name, sep, value = raw.rpartition("=")
    try:
        if not sep or not name:
            raise ValueError
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected METRIC=VALUE, got {raw!r}") from None


def check_limits(metrics: dict, floors: Sequence[tuple[str, float]], ceilings: Sequence[tuple[str, float]]) -> list[str]:
    """One line per metric that misses its floor or ceiling; n/a misses both."""
    problems = []
    for name, limit, low in [(n, v, True) for n, v in floors] + [(n, v, False) for n, v in ceilings]:
        value = metrics.get(name)
        if value is None:
            problems.append(f"{name} is n/a (nothing to score), so it cannot meet {limit:g}")
        elif (value < limit) if low else (value > limit):
            problems.append(f"{name} {_fmt(value, name.startswith('latency_'))} is {'below its floor' if low else 'above its ceiling'} {limit:g}")
    return problems


def _check_names(limits: Sequence[tuple[str, float]]) -> None:
    for name, _ in limits:
        if name not in METRICS and not _LATENCY.fullmatch(name):
            raise EvalError(f"unknown metric '{name}'; known: {', '.join(METRICS)}, latency_<stage>_p50_ms, latency_<stage>_p95_ms")


def cmd_eval(args, settings) -> int:
    targets = args.suite
    if targets[0] == "compare" and not Path("compare").is_file():
        if len(targets) != 3:
            raise EvalError("usage: rag eval compare RUN_A.json RUN_B.json")
        comparison = compare_runs(read_run(targets[1]), read_run(targets[2]), (targets[1], targets[2]))
        print(json.dumps(comparison.to_json(), indent=2) if args.json else comparison.render())
        return 0
    if len(targets) != 1:
        raise EvalError("give one suite file (or: rag eval compare RUN_A.json RUN_B.json)")
    _check_names(args.fail_under + args.fail_over)
    suite = load_suite(targets[0])
    baseline = read_run(args.baseline) if args.baseline else None
    progress, bar = _progress_bar(len(suite.cases))
    try:
        run = run_suite(suite, settings, progress=progress, judge=args.judge)
    finally:
        if bar is not None:
            bar.close()
    json_path, md_path = write_run(run, args.out)
    comparison = compare_runs(baseline, run, (str(args.baseline), str(json_path))) if baseline else None
    if args.json:
        summary = run.summary() | {"run_file": str(json_path), "report": str(md_path)}
        if comparison:
            summary["comparison"] = comparison.to_json()
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(metrics_table(run))
        if comparison:
            print()
            print(comparison.render())
        print(f"\nrun written to {json_path} (report {md_path})")
    problems = check_limits(run.metrics, args.fail_under, args.fail_over)
    for line in problems:
        print(f"eval: {line}", file=sys.stderr)
    return 1 if problems else 0


def _progress_bar(total: int):
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="case", file=sys.stderr, leave=False)

    def update(done: int, _total: int) -> None:
        bar.n = done
        bar.refresh()

    return update, bar


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "eval", help="score the assistant on a suite of reference questions, or compare two runs",
        usage="rag eval SUITE [--out DIR] [--json] [--baseline RUN.json] [--fail-under METRIC=VALUE ...]\n"
              "                [--fail-over METRIC=VALUE ...] [--judge]\n"
              "       rag eval compare RUN_A.json RUN_B.json [--json]",
        description="Answer every case of a suite (JSONL), print the metrics and write the run as JSON "
                    "and Markdown. Metrics: " + ", ".join(METRICS[:-2]) + ", latency_<stage>_p50_ms/p95_ms.",
    )
    p.add_argument("suite", nargs="+", metavar="SUITE", help="the suite file, or `compare RUN_A.json RUN_B.json`")
    p.add_argument("--out", type=Path, default=Path("evals/runs"), metavar="DIR",
                   help="where the run JSON and Markdown report go (default evals/runs/)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.add_argument("--baseline", type=Path, metavar="RUN.json", help="compare with an earlier run")
    p.add_argument("--fail-under", nargs="+", action="extend", type=_threshold, default=[], metavar="METRIC=VALUE",
                   help="exit non-zero when a metric is below VALUE")
    p.add_argument("--fail-over", nargs="+", action="extend", type=_threshold, default=[], metavar="METRIC=VALUE",
                   help="exit non-zero when a metric is above VALUE (false_refusal_rate, unsupported_rate, latency)")
    p.add_argument("--judge", action="store_true",
                   help="also score faithfulness and correctness with the configured LLM (cached)")
    p.set_defaults(func=cmd_eval)
