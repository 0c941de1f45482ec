"""Performance benchmarks: `rag bench ingest` and `rag bench ask`.

Owns measuring the pipeline as a user runs it and printing the figures: ingestion
throughput next to the raw throughput of the embedding model on the same chunks
(where the time that is not embedding goes), warm answer latency by stage, cold
start in a fresh process, and peak memory. Figures are printed, never asserted:
nothing here fails because a machine is slow. It does not change how anything runs.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .config import Settings, project_root
from .errors import DocumentsError, EvalError, IndexCorruptError, RagError

# Targets from the performance issue, shown next to the figures.
TARGET_RATIO = 0.8
TARGET_P50_MS = 100.0
TARGET_P95_MS = 250.0
TARGET_COLD_S = 8.0
TARGET_REINGEST_S = 10.0

# Questions about the seed corpus, for when no suite is given and evals/seed.jsonl is absent.
BUILTIN_QUESTIONS = (
    "What did France reject?",
    "What is France now retreating from?",
    "Where are the small boats setting off from?",
    "Who is the UK's border security chief?",
    "What did the UK government hope France would do at sea?",
    "Why has France changed its position?",
    "What is the capital of Australia?",
    "How many people crossed the Channel in small boats?",
)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _children_peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _disk_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / 1048576, 1)


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
    arr = np.asarray(values, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "mean": round(float(arr.mean()), 2),
    }


class _TimedEmbedder:
    """Passes calls through to an embedder and records the time and texts they took."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0
        self.texts: list[str] = []

    def embed(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts.extend(texts)

    def embed_query(self, text):
        return self.embed([text])[0]

    def can_pool(self) -> bool:
        from .retrieve import can_pool

        return can_pool(self.inner)

    def embed_pooled(self, texts, spans):
        started = time.perf_counter()
        try:
            return self.inner.embed_pooled(texts, spans)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts.extend(texts)


def _start_up(embedder) -> float:
    """Pay the once-per-process costs before anything is timed: the model (and its
    cached export), the tokenizer tables, the Chroma library. Cold start covers them."""
    from .chunking import encoding

    started = time.perf_counter()
    embedder.embed(["warm up"])
    encoding()
    import chromadb  # noqa: F401

    try:
        import chromadb.api.rust  # noqa: F401  (what the first embedded client imports)
    except ImportError:
        pass
    return time.perf_counter() - started


# -- ingest ----------------------------------------------------------------------
@dataclass
class IngestBench:
    corpus: str
    files: int
    chunks: int
    tokens: int
    sentences: int  # distinct sentences embedded for sentence-level search, in `seconds`
    seconds: float  # the whole ingest: read, clean, chunk, embed, store
    chunks_per_s: float
    raw_seconds: float  # the model alone, batch encode of the same chunk texts
    raw_chunks: int  # all of them, or the sample asked for
    raw_chunks_per_s: float
    ratio: float  # chunks_per_s / raw_chunks_per_s
    stages_s: dict[str, float]  # where the ingest's time went
    reingest_seconds: float  # the same corpus again, unchanged
    reingest_embedded: int
    index_mb: float
    startup_seconds: float  # model load and imports, once per process, not in `seconds`
    embedding_backend: str
    peak_rss_mb: float
    sentence_vectors: str = "direct"  # how they were made: RAG_SENTENCE_VECTORS
    sentences_direct: int = 0  # of `sentences`, embedded on their own (the rest pooled)
    targets: dict[str, dict] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        s = self.stages_s
        lines = [
            f"corpus          {self.corpus}",
            f"files, chunks   {self.files} files, {self.chunks} chunks, {self.tokens} tokens, "
            f"{self.sentences} sentences ({self.sentence_vectors}; {self.sentences_direct} embedded on their own)",
            f"ingest          {self.seconds:.1f} s = {self.chunks_per_s:.1f} chunks/s",
            f"model alone     {self.raw_chunks} chunks in {self.raw_seconds:.1f} s = {self.raw_chunks_per_s:.1f} chunks/s "
            f"({self.embedding_backend}, same chunks, batch encode)",
            f"ratio ours/raw  {self.ratio:.2f} (target >= {TARGET_RATIO})",
            "ingest stages   " + ", ".join(f"{k} {v:.1f} s" for k, v in s.items()),
            f"re-ingest       {self.reingest_seconds:.2f} s unchanged, {self.reingest_embedded} chunks embedded",
            f"index on disk   {self.index_mb:.1f} MB",
            f"start-up        {self.startup_seconds:.2f} s model load and imports, once per process (not above)",
            f"peak RSS        {self.peak_rss_mb:.0f} MB",
        ]
        return "\n".join(lines)


def _read_and_chunk(pairs: list[tuple[Path, Path]], settings: Settings) -> tuple[float, float, list[str]]:
    """Time reading+cleaning and chunking alone over the files; the chunk texts too
    (the very texts the ingest embeds: chunking is deterministic)."""
    from .chunking import chunk_document
    from .documents import SkipFile, load_document

    read = chunk = 0.0
    texts: list[str] = []
    for path, root in pairs:
        t0 = time.perf_counter()
        try:
            doc = load_document(path, root, settings.max_file_bytes)
        except SkipFile:
            continue
        t1 = time.perf_counter()
        texts.extend(c.text for c in chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap))
        read += t1 - t0
        chunk += time.perf_counter() - t1
    return read, chunk, texts


def bench_ingest(settings: Settings, path: Path | None = None, *, embedder=None,
                 keep_index: Path | None = None, raw_sample: int | None = None) -> IngestBench:
    """Ingest `path` (default: the documents folder) into a fresh index, then encode the
    same chunks with the model alone (or a seeded random `raw_sample` of them), and compare."""
    from .documents import find_files
    from .embeddings import get_embedder
    from .ingest import ingest
    from .retrieve import POOLED_TAG, sentence_model
    from .store import Index

    corpus = Path(path or settings.docs_dir).expanduser().resolve()
    if not corpus.exists():
        raise DocumentsError(f"no such file or folder: {corpus}")
    files = find_files(corpus)
    if not files:
        raise DocumentsError(f"no files to ingest in {corpus}")
    root = corpus if corpus.is_dir() else corpus.parent
    scratch = None
    if keep_index is None:
        scratch = tempfile.TemporaryDirectory(prefix="rag-bench-")
        index_dir = Path(scratch.name) / "index"
    else:
        index_dir = Path(keep_index).expanduser().resolve()
        if (index_dir / "index.db").exists():
            raise DocumentsError(f"{index_dir} already holds an index: give an empty folder")
    try:
        run = settings.replace(docs_dir=root, index_dir=index_dir, chroma_url=None)
        inner = embedder or get_embedder(run)
        startup_seconds = _start_up(inner)
        timed = _TimedEmbedder(inner)
        read, chunk, texts = _read_and_chunk([(f, root) for f in files], run)
        sample = texts
        if raw_sample and raw_sample < len(texts):
            picked = np.random.default_rng(0).choice(len(texts), raw_sample, replace=False)
            sample = [texts[i] for i in sorted(picked)]

        # The model alone, half before and half after the ingest, so that a machine
        # getting busier or quieter during the run weighs on both figures alike.
        started = time.perf_counter()
        inner.embed(sample[0::2])
        raw_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report = ingest(run, [corpus], embedder=timed)
        seconds = time.perf_counter() - started

        started = time.perf_counter()
        inner.embed(sample[1::2])
        raw_seconds += time.perf_counter() - started

        started = time.perf_counter()
        again = ingest(run, [corpus], embedder=_TimedEmbedder(inner))
        reingest_seconds = time.perf_counter() - started

        index = Index(run)
        try:
            tokens = sum(c.tokens for c in index.chunks())
        finally:
            index.close()
        index_mb = _disk_mb(index_dir)
    finally:
        if scratch is not None:
            scratch.cleanup()

    chunks = report.embedded
    rate = chunks / seconds if seconds else 0.0
    raw_rate = len(sample) / raw_seconds if raw_seconds else 0.0
    ratio = rate / raw_rate if raw_rate else 0.0
    # Sentence vectors are embedded during the ingest too (so the first search does not
    # wait for them): real work of ours that the model-alone figure, on chunks, leaves out.
    stages = {
        "read_and_clean": read,
        "chunk": chunk,
        "embed_chunks": timed.seconds - report.sentence_seconds,
        "embed_sentences": report.sentence_seconds,
        "store_and_other": max(0.0, seconds - timed.seconds - read - chunk),
    }
    return IngestBench(
        corpus=str(corpus),
        files=len(report.added) + len(report.updated) + len(report.unchanged),
        chunks=chunks,
        tokens=tokens,
        sentences=report.sentences,
        seconds=round(seconds, 3),
        chunks_per_s=round(rate, 2),
        raw_seconds=round(raw_seconds, 3),
        raw_chunks=len(sample),
        raw_chunks_per_s=round(raw_rate, 2),
        ratio=round(ratio, 3),
        stages_s={k: round(v, 3) for k, v in stages.items()},
        reingest_seconds=round(reingest_seconds, 3),
        reingest_embedded=again.embedded,
        index_mb=index_mb,
        startup_seconds=round(startup_seconds, 3),
        embedding_backend=getattr(inner, "backend", type(inner).__name__),
        peak_rss_mb=peak_rss_mb(),
        sentence_vectors="pooled" if sentence_model(run, inner).endswith(POOLED_TAG) else "direct",
        sentences_direct=report.sentences_direct,
        targets={
            "ratio": {"target": TARGET_RATIO, "met": ratio >= TARGET_RATIO},
            "reingest_seconds": {"target": TARGET_REINGEST_S, "met": reingest_seconds < TARGET_REINGEST_S},
        },
    )


# -- ask -------------------------------------------------------------------------
def load_questions(suite: Path | None) -> tuple[str, list[str]]:
    """(where the questions came from, the questions): a JSONL suite with a `question`
    per line, a text file with one question per line, evals/seed.jsonl, or built-ins."""
    if suite is None:
        default = project_root() / "evals" / "seed.jsonl"
        if not default.is_file():
            return "built-in", list(BUILTIN_QUESTIONS)
        suite = default
    suite = Path(suite)
    try:
        lines = [line.strip() for line in suite.read_text(encoding="utf-8").splitlines()]
    except OSError as exc:
        raise EvalError(f"cannot read the suite {suite}: {exc.strerror or exc}") from None
    questions = []
    for n, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        if suite.suffix == ".jsonl":
            try:
                question = json.loads(line).get("question")
            except (ValueError, AttributeError):
                raise EvalError(f"{suite}:{n} is not a JSON object") from None
            if not isinstance(question, str) or not question.strip():
                raise EvalError(f"{suite}:{n} has no 'question'")
            questions.append(question)
        else:
            questions.append(line)
    if not questions:
        raise EvalError(f"the suite {suite} has no questions")
    return str(suite), questions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """Ask a server we started to stop; kill it if it does not within `timeout`."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_heartbeat(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise IndexCorruptError(f"the Chroma server exited with {proc.returncode} before it answered")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise IndexCorruptError(f"the Chroma server at {url} did not answer within {timeout:.0f} s")


@contextmanager
def served_copy(settings: Settings) -> Iterator[Settings]:
    """The configured embedded index, served by a `chroma run` on loopback: its vectors
    copied into the server and its SQLite file alongside, nothing embedded again."""
    from .store import Index

    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        raise RagError("the `chroma` command is not installed (it comes with the chromadb package)")
    source = Index(settings)
    source.check_settings()
    with tempfile.TemporaryDirectory(prefix="rag-bench-server-") as tmp:
        port = _free_port()
        proc = subprocess.Popen(
            [exe, "run", "--path", str(Path(tmp) / "server"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_heartbeat(url, proc)
            served = settings.replace(index_dir=Path(tmp) / "index", chroma_url=url)
            served.index_dir.mkdir()
            with sqlite3.connect(str(served.index_dir / "index.db")) as copy:
                source.db.backup(copy)
            for extra in settings.index_dir.glob("*.db"):  # what search keeps beside the index
                if extra.name != "index.db":
                    with sqlite3.connect(str(extra)) as db, sqlite3.connect(str(served.index_dir / extra.name)) as copy:
                        db.backup(copy)
            target = Index(served)
            origin, dest = source.collection(), target.collection()
            total, page = origin.count(), 2000
            for offset in range(0, total, page):
                got = origin.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
                dest.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                            metadatas=got["metadatas"])
            source.close()
            target.close()
            yield served
        finally:
            stop_process(proc)


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
    cold_start_seconds: float | None
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
    env = _child_env(settings)
    cold, imports, bare = [], [], []
    with tempfile.TemporaryDirectory(prefix="rag-cold-") as tmp:
        report = Path(tmp) / "modules.json"
        for _ in range(runs):
            seconds, done = _wall([sys.executable, "-c", _COLD_SCRIPT, question, str(report)], env)
            if done.returncode != 0:
                last = (done.stderr or "").strip().splitlines()
                raise RagError(f"the cold-start run failed: {last[-1] if last else done.returncode}")
            cold.append(seconds)
        modules = [m for m in json.loads(report.read_text())["modules"] if m.isidentifier()]
        importer = "import importlib\nfor m in %r:\n    try: importlib.import_module(m)\n    except Exception: pass\n"
        for _ in range(runs):
            imports.append(_wall([sys.executable, "-c", importer % modules])[0])
            bare.append(_wall([sys.executable, "-c", "pass"])[0])
    return {
        "cold_start_seconds": round(float(np.median(cold)), 3),
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
        import_seconds=cold.get("import_seconds"),
        python_startup_seconds=cold.get("python_startup_seconds"),
        cold_runs=cold_runs,
        embedding_backend=getattr(embedder, "backend", type(embedder).__name__),
        chroma="server" if settings.chroma_url else "embedded",
        peak_rss_mb=peak_rss_mb(),
        cold_peak_rss_mb=cold.get("cold_peak_rss_mb"),
        targets=targets,
    )


# -- command line ------------------------------------------------------------------
def _emit(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.summary())


def cmd_bench_ingest(args, settings: Settings) -> int:
    keep = Path(args.keep_index) if args.keep_index else None
    result = bench_ingest(settings, Path(args.path) if args.path else None, keep_index=keep,
                          raw_sample=args.raw_sample)
    _emit(result, args.json)
    return 0


def cmd_bench_ask(args, settings: Settings) -> int:
    suite = Path(args.suite) if args.suite else None
    if args.chroma_server:
        with served_copy(settings) as served:
            result = bench_ask(served, suite, cold_runs=args.cold_runs)
    else:
        result = bench_ask(settings, suite, cold_runs=args.cold_runs)
    _emit(result, args.json)
    return 0


def register_bench(bench_subparsers) -> None:
    """Add `ingest` and `ask` to the `rag bench` subcommands."""
    p = bench_subparsers.add_parser("ingest", help="ingest throughput against the embedding model alone")
    p.add_argument("path", nargs="?", metavar="PATH", help="corpus (default: the documents folder)")
    p.add_argument("--keep-index", metavar="DIR", help="build the index in this empty folder and keep it")
    p.add_argument("--raw-sample", type=int, metavar="N",
                   help="time the model alone on a random N of the chunks (default: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_ingest)

    p = bench_subparsers.add_parser("ask", help="warm answer latency by stage, cold start, memory")
    p.add_argument("suite", nargs="?", metavar="SUITE",
                   help="questions: JSONL with 'question', or one per line (default: evals/seed.jsonl)")
    p.add_argument("--cold-runs", type=int, default=3, help="fresh processes for the cold start (0: skip)")
    p.add_argument("--chroma-server", action="store_true",
                   help="serve a copy of the index from a `chroma run` on loopback and search through it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench_ask)

