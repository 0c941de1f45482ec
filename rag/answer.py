"""Answers with citations: the answer type shared by every mode.

(The extractive and LLM answerers are being built on top of these types.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    marker: int
    source: str
    chunk_id: str
    quote: str  # verbatim: document.text[start:end] == quote
    start: int
    end: int
    title: str = ""


@dataclass(frozen=True)
class Retrieved:
    chunk_id: str
    source: str
    score: float
    start: int
    end: int
    title: str = ""
    text: str = ""


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    markers: tuple[int, ...]
    supported: bool = True


@dataclass(frozen=True)
class Answer:
    question: str
    query: str  # the standalone query actually searched
    answer: str  # text with [n] markers
    refused: bool
    mode: str  # "extractive" or "llm"
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Retrieved, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)  # retrieve, answer, total (+ stages)
    sentences: tuple[AnswerSentence, ...] = ()
    notice: str = ""  # e.g. "LLM unreachable: extractive answer shown"
    lead: Citation | None = None  # for a refusal: the closest passage, not an answer

    def to_json(self) -> dict[str, object]:
        out = {
            "question": self.question,
            "query": self.query,
            "answer": self.answer,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [
                {k: v for k, v in asdict(c).items() if k != "title"} for c in self.citations
            ],
            "retrieved": [
                {k: getattr(r, k) for k in ("chunk_id", "source", "score", "start", "end")}
                for r in self.retrieved
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "unsupported": [s.text for s in self.sentences if not s.supported],
        }
        if self.notice:
            out["notice"] = self.notice
        if self.lead is not None:
            out["lead"] = asdict(self.lead)
        return out
