"""Hybrid retrieval: dense and lexical evidence, at chunk and sentence level, fused.

Owns finding the chunks for a query: the `Searcher` engine (no LlamaIndex import on
the hot path), near-duplicate suppression, and `HybridRetriever`, a LlamaIndex
`BaseRetriever` over it that any LlamaIndex app can plug in. The sentence vectors it
scores with are kept by `sentences.py`. It does not write the index or compose answers.

How a chunk is scored (each choice measured with `rag bench retrieval`, see README):
four signals, each z-normalised over the candidate pool and summed with equal weight:
the chunk's cosine similarity (Chroma), the best cosine of any one of its sentences,
its BM25 score, and the best BM25 score of any one of its sentences. Sentence-level
evidence is what lifts a 256-token chunk whose one relevant sentence is drowned out
by the rest of it. The candidate pool is the union of each signal's top `CANDIDATES`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import Chunk
from .config import Settings
from .embeddings import Embedder, get_embedder
from .errors import DocumentsError, IndexMissingError, QuestionError
from .lexical import tokenize
from .sentences import SentenceVectors, embed_batches, sentence_model
from .snapshot import Snapshot
from .snapshot import load as load_snapshot
from .store import Index

CANDIDATES = 40  # each signal's top chunks that enter fusion (at least twice k)
# Near-duplicates: a hit is dropped when an already-kept hit of the same source covers
# this share of its span or the kept one's (a short last window that is mostly the
# overlap), or when a kept hit from any source has nearly the same words (the same
# file ingested under two names).
SAME_SOURCE_OVERLAP = 0.5
SAME_TEXT = 0.9  # Jaccard similarity of the two chunks' word sets


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused: the sum of the signals' z-scores over the candidates
    dense: float | None = None  # the chunk's cosine similarity, when Chroma returned it
    lexical: float | None = None  # the chunk's BM25 score


@dataclass
class SearchTimings:
    embed_ms: float = 0.0
    dense_ms: float = 0.0
    lexical_ms: float = 0.0
    fusion_ms: float = 0.0


class Searcher:
    """Searches one index. Thread-safe; reloads its in-memory side when the index changes."""

    def __init__(self, settings: Settings, index: Index | None = None, embedder: Embedder | None = None):
        self.settings = settings
        self.index = index or Index(settings)
        self.index.check_settings()
        self.embedder = embedder or get_embedder(settings)
        self.sentence_vectors = SentenceVectors(settings)
        self.embedded_sentences = 0  # sentences this searcher had to embed
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    # -- the in-memory side, one per index generation ------------------------------
    def snapshot(self) -> Snapshot:
        generation = self.index.generation(), self.index.opened
        snap = self._snapshot
        if snap is None or snap.generation != generation:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.generation != generation:
                    if snap is not None and snap.generation[1] != generation[1]:
                        # A rebuild replaced the index files: sentences.db too.
                        self.sentence_vectors.close()
                        self.sentence_vectors = SentenceVectors(self.settings)
                    snap = self._snapshot = self._load(generation)
        return snap

    def prepare(self) -> int:
        """Load the index and embed its sentences not seen before (what the first
        search after an ingest would do); returns how many were embedded."""
        before = self.embedded_sentences
        self.snapshot()
        return self.embedded_sentences - before

    def _load(self, generation: tuple[int, int]) -> Snapshot:
        chunks = self.index.chunks()  # the chunk table in index.db: no document is re-read
        snap = load_snapshot(chunks, generation, self.settings.index_dir)
        snap.vectors = self._embed_sentences(list(snap.distinct))
        return snap

    def stored_vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors this searcher holds for any of these sentence texts (those of its
        chunks), so an answer need not embed them again."""
        snap = self._snapshot
        if snap is None or snap.vectors is None:
            return {}
        rows = {t: snap.distinct[t] for t in texts if t in snap.distinct}
        return {t: snap.vectors[i] for t, i in rows.items()}

    def _embed_sentences(self, texts: list[str]) -> np.ndarray | None:
        if not texts:
            return None
        model = sentence_model(self.embedder)
        keys = [SentenceVectors.key(t) for t in texts]
        found, stale = self.sentence_vectors.load(model, set(keys))
        missing = {k: t for k, t in zip(keys, texts) if k not in found}
        new = embed_batches(self.embedder, list(missing.items()))
        if new or stale:
            self.sentence_vectors.save(model, new, stale)
        self.embedded_sentences += len(new)
        found.update(new)
        vectors = [found[k] for k in keys]
        if len({v.shape for v in vectors}) != 1:
            return None  # vectors of another model under this name: score without them
        return np.stack(vectors)

    # -- searching -------------------------------------------------------------------
    def search(
        self, query: str, k: int | None = None, sources: list[str] | None = None,
        timings: SearchTimings | None = None,
    ) -> list[Hit]:
        """The k best chunks for `query`, near-duplicates left out; optionally only
        chunks of the given source files."""
        query = " ".join(query.split())
        if not query:
            raise QuestionError("the question is empty")
        k = k or self.settings.top_k
        timings = timings or SearchTimings()
        snap = self.snapshot()
        if not snap.chunks:
            # Not "the documents don't answer this": there are none (every file was
            # skipped or removed, or an ingest was stopped before its first document).
            raise IndexMissingError(f"the index at {self.settings.index_dir} holds no documents: add readable "
                                    f"documents to {self.settings.docs_dir} and run `rag ingest` (its report "
                                    "says why files were skipped)")

        t0 = time.perf_counter()
        vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        t1 = time.perf_counter()
        where = None
        if sources:
            where = {"source": sources[0]} if len(sources) == 1 else {"source": {"$in": list(sources)}}
        dense = np.full(len(snap.chunks), np.nan, dtype=np.float32)
        depth = max(CANDIDATES, 2 * k)
        for cid, sim in self.index.dense_search(vector, depth, where):
            i = snap.by_id.get(cid)
            if i is not None:  # else a vector whose chunk is gone (interrupted ingest)
                dense[i] = sim
        sentence_dense = None
        if snap.vectors is not None and snap.vectors.shape[1] == vector.shape[0]:
            sentence_dense = snap.vectors @ vector
        t2 = time.perf_counter()
        terms = tokenize(query)
        lexical = snap.bm25.scores(terms)
        sentence_lexical = snap.sentence_bm25.scores(terms)
        t3 = time.perf_counter()
        allowed = np.isin(snap.sources, sources) if sources else None
        hits = self._fuse(snap, k, depth, allowed, dense, sentence_dense, lexical, sentence_lexical)
        t4 = time.perf_counter()
        timings.embed_ms += (t1 - t0) * 1000
        timings.dense_ms += (t2 - t1) * 1000
        timings.lexical_ms += (t3 - t2) * 1000
        timings.fusion_ms += (t4 - t3) * 1000
        return hits

    @staticmethod
    def _fuse(snap: Snapshot, k: int, depth: int, allowed, dense, sentence_dense, lexical, sentence_lexical):
        # Per chunk, the best of its sentences; each signal's top chunks join the pool.
        sentence_signals = [s for s in (sentence_dense, sentence_lexical) if s is not None]
        best = [np.maximum.reduceat(s[snap.rows], snap.first) for s in sentence_signals]
        pool = set(np.flatnonzero(~np.isnan(dense)).tolist())
        pool.update(_top(lexical, depth, allowed, positive=True))
        pool.update(_top(best[-1], depth, allowed, positive=True))
        if sentence_dense is not None:
            pool.update(_top(best[0], depth, allowed, positive=False))
        cand = np.array(sorted(pool), dtype=np.int64)
        if allowed is not None:
            cand = cand[allowed[cand]]
        if not len(cand):
            return []
        chunk_dense = dense[cand]
        known = ~np.isnan(chunk_dense)
        # Chroma did not return it, so its similarity is at most the lowest one it did.
        chunk_dense = np.where(known, chunk_dense, chunk_dense[known].min() if known.any() else 0.0)
        fused = sum(_zscore(c) for c in (chunk_dense, lexical[cand], *(b[cand] for b in best)))
        kept: list[tuple[int, Hit]] = []
        for j in np.argsort(-fused, kind="stable"):
            i = int(cand[j])
            if any(_redundant(snap, i, other) for other, _ in kept):
                continue
            hit = Hit(snap.chunks[i], float(fused[j]), float(dense[i]) if known[j] else None, float(lexical[i]))
            kept.append((i, hit))
            if len(kept) >= k:
                break
        return [hit for _, hit in kept]


def _top(signal: np.ndarray, n: int, allowed, positive: bool) -> list[int]:
    """The indices of the n highest values (only those above 0 when `positive`)."""
    if allowed is not None:
        signal = np.where(allowed, signal, -np.inf)
    n = min(n, len(signal))
    top = np.argpartition(-signal, n - 1)[:n]
    keep = signal[top] > 0 if positive else np.isfinite(signal[top])
    return top[keep].tolist()


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def _redundant(snap: Snapshot, i: int, kept: int) -> bool:
    """Whether chunk i adds nothing to the already-kept chunk `kept`."""
    chunk, other = snap.chunks[i], snap.chunks[kept]
    if chunk.source == other.source:
        overlap = min(chunk.end, other.end) - max(chunk.start, other.start)
        shorter = min(chunk.end - chunk.start, other.end - other.start)
        if overlap > 0 and overlap >= SAME_SOURCE_OVERLAP * shorter:
            return True
    if chunk.text == other.text:
        return True
    a, b = snap.word_set(i), snap.word_set(kept)
    return bool(a or b) and len(a & b) / len(a | b) >= SAME_TEXT


# -- LlamaIndex -----------------------------------------------------------------------
def hit_to_node(hit: Hit):
    """A LlamaIndex `NodeWithScore` for a hit: metadata source, title, chunk_id,
    chunk_index, start, end (character offsets in the cleaned document)."""
    from llama_index.core.schema import NodeWithScore, TextNode

    c = hit.chunk
    node = TextNode(
        id_=c.chunk_id,
        text=c.text,
        metadata={
            "source": c.source, "title": c.title, "chunk_id": c.chunk_id,
            "chunk_index": c.index, "start": c.start, "end": c.end,
        },
        excluded_llm_metadata_keys=["chunk_id", "chunk_index", "start", "end"],
        excluded_embed_metadata_keys=["source", "title", "chunk_id", "chunk_index", "start", "end"],
        start_char_idx=c.start,
        end_char_idx=c.end,
    )
    return NodeWithScore(node=node, score=hit.score)


def _retriever_class():
    from llama_index.core.retrievers import BaseRetriever

    class HybridRetriever(BaseRetriever):
        """Dense + BM25 retrieval over a `rag` index, as a LlamaIndex retriever."""

        def __init__(self, searcher: Searcher, k: int = 5, sources: list[str] | None = None):
            super().__init__()
            self.searcher, self.k, self.sources = searcher, k, list(sources) if sources else None

        def _retrieve(self, query_bundle):
            hits = self.searcher.search(query_bundle.query_str, self.k, self.sources)
            return [hit_to_node(h) for h in hits]

    HybridRetriever.__module__ = __name__
    HybridRetriever.__qualname__ = "HybridRetriever"
    return HybridRetriever


def __getattr__(name: str):
    # `HybridRetriever` subclasses a LlamaIndex class: defined on first use, so that
    # `import rag` does not import LlamaIndex.
    if name == "HybridRetriever":
        if "HybridRetriever" not in globals():
            globals()["HybridRetriever"] = _retriever_class()
        return globals()["HybridRetriever"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def indexed_sources(given: list[str], index, settings: Settings, label: str = "source") -> list[str]:
    """The `sources` given (`--source` on the command line) as the index names them:
    file paths relative to the documents folder, where a path to a file inside that
    folder is turned into its name there. DocumentsError for one the index does not
    hold, which would only ever find nothing."""
    import difflib

    indexed = index.files()
    out, unknown = [], []
    for raw in given:
        name = raw if raw in indexed else relative_to_docs(raw, settings.docs_dir)
        if name in indexed:
            out.append(name)
        else:
            unknown.append(raw)
    if unknown:
        names = sorted(indexed)
        close = difflib.get_close_matches(unknown[0], names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if names:
            more = ", ..." if len(names) > 5 else ""
            held = f"the index holds {len(names)} document(s): {', '.join(names[:5])}{more}"
        else:
            held = "the index holds no documents: run `rag ingest` first"
        raise DocumentsError(
            f"{label} {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not in the index: "
            f"give a file path relative to the documents folder{hint}; {held}"
        )
    return out


def relative_to_docs(raw: str, docs_dir: Path) -> str | None:
    try:
        path = (Path.cwd() / Path(raw).expanduser()).resolve()
        return path.relative_to(Path(docs_dir).resolve()).as_posix()
    except (OSError, RuntimeError, ValueError):
        return None


def get_retriever(settings: Settings | None = None, *, k: int | None = None,
                  sources: list[str] | str | None = None, searcher: Searcher | None = None):
    """A LlamaIndex `BaseRetriever` (`HybridRetriever`) over the configured index.

    `k`: nodes per query, 1 to 50 like RAG_TOP_K (default `settings.top_k`; another
    value raises ConfigError); `sources`: only chunks of these files (paths relative to
    the documents folder; a single string is one file).

    >>> retriever = get_retriever(k=5)
    >>> nodes = retriever.retrieve("What did France reject?")
    """
    from .config import check_top_k

    if k is not None:
        k = check_top_k(k, "k")
    if isinstance(sources, str):
        sources = [sources]  # one file, not a sequence of characters
    elif sources is not None:
        try:
            sources = list(sources)
        except TypeError:
            raise TypeError(f"sources must be a list of file names, got {type(sources).__name__}") from None
        bad = [s for s in sources if not isinstance(s, str)]
        if bad:
            raise TypeError(f"sources must hold file names as strings, got a {type(bad[0]).__name__}")
    settings = settings or Settings.load()
    searcher = searcher or Searcher(settings)
    if sources:  # a name the index does not hold would only ever find nothing
        sources = indexed_sources(sources, searcher.index, settings)
    return __getattr__("HybridRetriever")(searcher, k or settings.top_k, sources)
