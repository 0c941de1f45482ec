"""Reports: run files, comparisons between runs, tables, and the `rag eval` command.

Owns what happens to a `Run` once scored (see `rag.evaluation`): writing it as JSON and
Markdown, comparing two runs (per-metric deltas and the cases that flipped), the
terminal table, floors and ceilings for CI, and the `rag eval` / `rag eval compare`
commands. It does not score answers.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .errors import EvalError
from .evaluation import METRICS, UNITS, _LATENCY, CaseResult, Run, aggregate, read_run, run_suite
from .suites import load_suite


# -- run files ---------------------------------------------------------------------
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
        limit = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected METRIC=VALUE, got {raw!r}") from None
    if not math.isfinite(limit):  # nothing is below NaN: the gate would never fail
        raise argparse.ArgumentTypeError(f"{raw!r}: the limit must be a finite number")
    return name.strip(), limit


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
    problem = run.problem()
    if problem is not None and problem[1]:
        raise EvalError(problem[0])  # nothing answered: no run to write or to compare with
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
    if problem is not None:
        print(f"eval: note: {problem[0]}", file=sys.stderr)
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
