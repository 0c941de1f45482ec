"""`rag bench ingest`: ingestion throughput against the embedding model alone.

Owns ingesting a corpus into a fresh index as a user runs it and timing where the
time goes (read and clean, chunk, embed chunks, embed sentences, store), encoding the
same chunks with the model alone to compare, re-ingesting the unchanged corpus, and
the size of the index on disk. Figures are printed, never asserted: nothing here
fails because a machine is slow. It does not change how ingestion runs; its command
line and peak memory come from `perf.py`.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .config import Settings
from .errors import DocumentsError
from .perf import peak_rss_mb

# Targets from the performance issue, shown next to the figures.
TARGET_RATIO = 0.8
TARGET_REINGEST_S = 10.0


def _disk_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / 1048576, 1)


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
    chunk_vectors: str = "sentences"  # how chunk vectors were made: RAG_CHUNK_VECTORS
    targets: dict[str, dict] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        s = self.stages_s
        lines = [
            f"corpus          {self.corpus}",
            f"files, chunks   {self.files} files, {self.chunks} chunks, {self.tokens} tokens, "
            f"{self.sentences} sentences",
            "chunk vectors   " + ("the mean of their sentences' (no model run of their own)"
                                  if self.chunk_vectors == "sentences" else "each chunk embedded whole"),
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
    (the very chunks the ingest makes: chunking is deterministic)."""
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
        report = ingest(run, [corpus], embedder=inner)
        seconds = time.perf_counter() - started

        started = time.perf_counter()
        inner.embed(sample[1::2])
        raw_seconds += time.perf_counter() - started

        started = time.perf_counter()
        again = ingest(run, [corpus], embedder=inner)
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
    # wait for them), and by default the chunk vectors are made from them, so that
    # "embed_chunks" is 0 (RAG_CHUNK_VECTORS=direct embeds the chunks whole as well).
    embedding = report.chunk_seconds + report.sentence_seconds
    stages = {
        "read_and_clean": read,
        "chunk": chunk,
        "embed_chunks": report.chunk_seconds,
        "embed_sentences": report.sentence_seconds,
        "store_and_other": max(0.0, seconds - embedding - read - chunk),
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
        chunk_vectors=run.chunk_vectors,
        targets={
            "ratio": {"target": TARGET_RATIO, "met": ratio >= TARGET_RATIO},
            "reingest_seconds": {"target": TARGET_REINGEST_S, "met": reingest_seconds < TARGET_REINGEST_S},
        },
    )
