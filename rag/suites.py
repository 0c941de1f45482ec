"""Suites of reference questions: the JSONL format, parsing and validation.

Owns reading a suite (one case per line, in `evals/`) into `Case` values, with a
one-line error naming the line number and the problem for a malformed line, and the
suite's hash so a run records exactly what it measured. It does not answer or score:
that is `rag.evaluation`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import EvalError

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
