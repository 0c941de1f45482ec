"""`rag bench ask`: warm answer latency by stage, cold start, and memory.

Owns asking a suite's questions of a warm searcher (extractive answers, as in a
running app) and timing each answer by stage, the first answer in this process, and
the cold start: `rag ask` in fresh processes to its first answer, beside the imports
it needs and the interpreter alone. Figures are printed, never asserted: nothing here
fails because a machine is slow. It does not change how anything is answered; the
questions, peak memory, a served copy of the index and the command line come from
`perf.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .config import Settings
from .errors import RagError
from .perf import _children_peak_rss_mb, load_questions, peak_rss_mb

# Targets from the performance issue, shown next to the figures.
TARGET_P50_MS = 100.0
TARGET_P95_MS = 250.0
TARGET_COLD_S = 8.0


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
    arr = np.asarray(values, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "mean": round(float(arr.mean()), 2),
    }


class _StageSearcher:
    """A searcher that keeps the stage timings of its last search."""

    def __init__(self, inner):
        self.inner = inner
        self.embedder = inner.embedder
        self.settings = inner.settings
        self.last = None

    def search(self, query, k=None, sources=None, timings=None):
        from .retrieve import SearchTimings

        timings = timings or SearchTimings()
        hits = self.inner.search(query, k, sources, timings=timings)
        self.last = timings
        return hits

    def __getattr__(self, name):
        return getattr(self.inner, name)


@dataclass
class AskBench:
    suite: str
    questions: int
    index_chunks: int
    latency_ms: dict[str, float]
    stages_ms: dict[str, dict[str, float]]
    refused: int
    first_answer_seconds: float  # in this process: index loaded, anything new embedded
    sentences_embedded: int  # by that first answer (new sentences since the last search)
    cold_start_seconds: float | None  # the median, the snapshot cache in place
    uncached_start_seconds: float | None  # a start without the snapshot cache, which builds it
    import_seconds: float | None
    python_startup_seconds: float | None
    cold_runs: int
    embedding_backend: str
    chroma: str
    peak_rss_mb: float
    cold_peak_rss_mb: float | None
    targets: dict[str, dict] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        lat = self.latency_ms
        lines = [
            f"suite           {self.suite} ({self.questions} questions, {self.refused} refused)",
            f"index           {self.index_chunks} chunks, {self.chroma}, {self.embedding_backend} embeddings",
            f"warm answer     p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms "
            f"(targets {TARGET_P50_MS:.0f} / {TARGET_P95_MS:.0f} ms)",
        ]
        lines.append(f"first answer    {self.first_answer_seconds:.2f} s in this process "
                     f"({self.sentences_embedded} new sentences embedded)")
        for stage, figures in self.stages_ms.items():
            lines.append(f"  {stage:<13} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f} ms")
        if self.cold_start_seconds is not None:
            lines.append(
                f"cold start      {self.cold_start_seconds:.2f} s to the first answer "
                f"(target {TARGET_COLD_S:.0f} s; median of {self.cold_runs})"
            )
            lines.append(f"  without the snapshot cache {self.uncached_start_seconds:.2f} s (builds it)")
            lines.append(f"  imports       {self.import_seconds:.2f} s "
                         f"(python alone {self.python_startup_seconds:.2f} s)")
            lines.append(f"  peak RSS      {self.cold_peak_rss_mb:.0f} MB")
        lines.append(f"peak RSS        {self.peak_rss_mb:.0f} MB (this process, after every answer)")
        return "\n".join(lines)


_COLD_SCRIPT = """
import sys, time
started = time.time()
from rag.cli import main
code = main(["ask", sys.argv[1], "--json"])
import json
names = sorted({m.split(".")[0] for m in sys.modules if not m.startswith("_")})
with open(sys.argv[2], "w") as fh:
    json.dump({"code": code, "modules": names}, fh)
"""


def _child_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process these settings' index."""
    env = dict(os.environ)
    env.update(RAG_INDEX_DIR=str(settings.index_dir), RAG_DOCS_DIR=str(settings.docs_dir),
               RAG_COLLECTION=settings.collection)
    env.pop("RAG_CHROMA_URL", None)
    if settings.chroma_url:
        env["RAG_CHROMA_URL"] = settings.chroma_url
    return env


def _wall(cmd: list[str], env=None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    return time.perf_counter() - started, done


def cold_start(settings: Settings, question: str, runs: int = 3) -> dict[str, float]:
    """Fresh processes: `rag ask` to its first answer, the imports it needed alone, and
    the interpreter alone. Medians over `runs`."""
    from .snapshot import CACHE

    env = _child_env(settings)
    cold, imports, bare = [], [], []
    with tempfile.TemporaryDirectory(prefix="rag-cold-") as tmp:
        report = Path(tmp) / "modules.json"
        # One start without the snapshot cache (an ingest writes it; this is a folder it
        # could not be written to), then starts that read it.
        (settings.index_dir / CACHE).unlink(missing_ok=True)
        for _ in range(runs + 1):
            seconds, done = _wall([sys.executable, "-c", _COLD_SCRIPT, question, str(report)], env)
            if done.returncode != 0:
                last = (done.stderr or "").strip().splitlines()
                raise RagError(f"the cold-start run failed: {last[-1] if last else done.returncode}")
            cold.append(seconds)
        uncached = cold.pop(0)
        modules = [m for m in json.loads(report.read_text())["modules"] if m.isidentifier()]
        importer = "import importlib\nfor m in %r:\n    try: importlib.import_module(m)\n    except Exception: pass\n"
        for _ in range(runs):
            imports.append(_wall([sys.executable, "-c", importer % modules])[0])
            bare.append(_wall([sys.executable, "-c", "pass"])[0])
    return {
        "cold_start_seconds": round(float(np.median(cold)), 3),
        "uncached_start_seconds": round(uncached, 3),
        "import_seconds": round(float(np.median(imports)), 3),
        "python_startup_seconds": round(float(np.median(bare)), 3),
        "cold_peak_rss_mb": _children_peak_rss_mb(),
    }


def bench_ask(settings: Settings, suite: Path | None = None, *, cold_runs: int = 3,
              searcher=None) -> AskBench:
    """Warm extractive answers over a suite's questions, by stage; then the cold start."""
    from .answer import answer_question, get_searcher

    source, questions = load_questions(suite)
    inner = searcher or get_searcher(settings)
    staged = _StageSearcher(inner)
    # Warm: model, index vectors and lexical index loaded, as in a running app. The
    # first answer also pays for whatever search prepares once per index generation.
    before = getattr(inner, "embedded_sentences", 0)
    started = time.perf_counter()
    answer_question(questions[0], settings=settings, mode="extractive", searcher=staged)
    first_answer_seconds = time.perf_counter() - started
    prepared = getattr(inner, "embedded_sentences", 0) - before
    totals: list[float] = []
    stages: dict[str, list[float]] = {k: [] for k in ("embed", "dense", "lexical", "fusion", "retrieval", "answer")}
    refused = 0
    for question in questions:
        started = time.perf_counter()
        answer = answer_question(question, settings=settings, mode="extractive", searcher=staged)
        totals.append((time.perf_counter() - started) * 1000)
        t = staged.last
        stages["embed"].append(t.embed_ms)
        stages["dense"].append(t.dense_ms)
        stages["lexical"].append(t.lexical_ms)
        stages["fusion"].append(t.fusion_ms)
        stages["retrieval"].append(t.embed_ms + t.dense_ms + t.lexical_ms + t.fusion_ms)
        stages["answer"].append(float(answer.timings_ms.get("answer", 0.0)))
        refused += bool(answer.refused)
    latency = _percentiles(totals)
    cold = cold_start(settings, questions[0], cold_runs) if cold_runs > 0 else {}
    embedder = getattr(inner.embedder, "embedder", inner.embedder)  # behind a vector cache
    chunks = len(inner.snapshot().chunks)
    targets = {
        "p50_ms": {"target": TARGET_P50_MS, "met": latency["p50"] <= TARGET_P50_MS},
        "p95_ms": {"target": TARGET_P95_MS, "met": latency["p95"] <= TARGET_P95_MS},
    }
    if cold:
        targets["cold_start_seconds"] = {"target": TARGET_COLD_S, "met": cold["cold_start_seconds"] <= TARGET_COLD_S}
    return AskBench(
        suite=source,
        questions=len(questions),
        index_chunks=chunks,
        latency_ms=latency,
        stages_ms={k: _percentiles(v) for k, v in stages.items()},
        refused=refused,
        first_answer_seconds=round(first_answer_seconds, 3),
        sentences_embedded=prepared,
        cold_start_seconds=cold.get("cold_start_seconds"),
        uncached_start_seconds=cold.get("uncached_start_seconds"),
        import_seconds=cold.get("import_seconds"),
        python_startup_seconds=cold.get("python_startup_seconds"),
        cold_runs=cold_runs,
        embedding_backend=getattr(embedder, "backend", type(embedder).__name__),
        chroma="server" if settings.chroma_url else "embedded",
        peak_rss_mb=peak_rss_mb(),
        cold_peak_rss_mb=cold.get("cold_peak_rss_mb"),
        targets=targets,
    )
