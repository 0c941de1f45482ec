"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused into one ranking.

Owns finding the chunks for a query: the `Searcher` engine (no LlamaIndex import on
the hot path) and `HybridRetriever`, a LlamaIndex `BaseRetriever` over it that any
LlamaIndex app can plug in. It does not write the index or compose answers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .chunking import Chunk
from .config import Settings
from .embeddings import Embedder, get_embedder
from .errors import QuestionError
from .lexical import BM25
from .store import Index

CANDIDATES = 30  # taken from each of dense and lexical before fusion
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    dense: float | None = None  # cosine similarity, when the chunk was a dense candidate
    lexical: float | None = None  # BM25 score, when it was a lexical candidate


@dataclass
class SearchTimings:
    embed_ms: float = 0.0
    dense_ms: float = 0.0
    lexical_ms: float = 0.0
    fusion_ms: float = 0.0


@dataclass
class _Snapshot:
    generation: int
    chunks: list[Chunk]
    by_id: dict[str, int]
    bm25: BM25
    sources: np.ndarray = field(repr=False)


class Searcher:
    """Searches one index. Thread-safe; reloads the lexical side when the index changes."""

    def __init__(self, settings: Settings, index: Index | None = None, embedder: Embedder | None = None):
        self.settings = settings
        self.index = index or Index(settings)
        self.index.check_settings()
        self.embedder = embedder or get_embedder(settings)
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> _Snapshot:
        generation = self.index.generation()
        snap = self._snapshot
        if snap is None or snap.generation != generation:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.generation != generation:
                    chunks = self.index.chunks()
                    snap = _Snapshot(
                        generation=generation,
                        chunks=chunks,
                        by_id={c.chunk_id: i for i, c in enumerate(chunks)},
                        bm25=BM25([f"{c.title}\n{c.text}" for c in chunks]),
                        sources=np.array([c.source for c in chunks], dtype=object),
                    )
                    self._snapshot = snap
        return snap

    def search(
        self, query: str, k: int | None = None, sources: list[str] | None = None,
        timings: SearchTimings | None = None,
    ) -> list[Hit]:
        query = " ".join(query.split())
        if not query:
            raise QuestionError("the question is empty")
        k = k or self.settings.top_k
        timings = timings or SearchTimings()
        snap = self.snapshot()
        if not snap.chunks:
            return []

        t0 = time.perf_counter()
        vector = self.embedder.embed_query(query)
        t1 = time.perf_counter()
        where = None
        if sources:
            where = {"source": sources[0]} if len(sources) == 1 else {"source": {"$in": list(sources)}}
        dense = self.index.dense_search(vector, CANDIDATES, where)
        t2 = time.perf_counter()
        mask = np.isin(snap.sources, sources) if sources else None
        lexical = snap.bm25.top(query, CANDIDATES, mask)
        t3 = time.perf_counter()
        hits = self._fuse(snap, dense, lexical, k)
        t4 = time.perf_counter()
        timings.embed_ms += (t1 - t0) * 1000
        timings.dense_ms += (t2 - t1) * 1000
        timings.lexical_ms += (t3 - t2) * 1000
        timings.fusion_ms += (t4 - t3) * 1000
        return hits

    def _fuse(self, snap: _Snapshot, dense, lexical, k: int) -> list[Hit]:
        scores: dict[int, float] = {}
        dense_sim: dict[int, float] = {}
        lex_score: dict[int, float] = {}
        for rank, (cid, sim) in enumerate(dense):
            i = snap.by_id.get(cid)
            if i is None:
                continue  # a vector whose chunk is gone (interrupted ingest)
            dense_sim[i] = sim
            scores[i] = scores.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, (i, score) in enumerate(lexical):
            lex_score[i] = score
            scores[i] = scores.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        ranked = sorted(scores, key=lambda i: -scores[i])
        hits = []
        for i in ranked[:k]:
            hits.append(Hit(snap.chunks[i], scores[i], dense_sim.get(i), lex_score.get(i)))
        return hits


def hit_to_node(hit: Hit):
    from llama_index.core.schema import NodeWithScore, TextNode

    c = hit.chunk
    node = TextNode(
        id_=c.chunk_id,
        text=c.text,
        metadata={
            "source": c.source, "title": c.title, "chunk_id": c.chunk_id,
            "chunk_index": c.index, "start": c.start, "end": c.end,
        },
        start_char_idx=c.start,
        end_char_idx=c.end,
    )
    return NodeWithScore(node=node, score=hit.score)


def get_retriever(settings: Settings | None = None, *, k: int | None = None, sources: list[str] | None = None,
                  searcher: Searcher | None = None):
    """A LlamaIndex `BaseRetriever` over the configured index.

    >>> retriever = get_retriever(k=5)
    >>> nodes = retriever.retrieve("What did France reject?")
    """
    from llama_index.core.retrievers import BaseRetriever

    class HybridRetriever(BaseRetriever):
        """Dense + BM25 retrieval over a `rag` index, as a LlamaIndex retriever."""

        def __init__(self, searcher: Searcher, k: int, sources: list[str] | None):
            super().__init__()
            self.searcher, self.k, self.sources = searcher, k, sources

        def _retrieve(self, query_bundle):
            hits = self.searcher.search(query_bundle.query_str, self.k, self.sources)
            return [hit_to_node(h) for h in hits]

    settings = settings or Settings.load()
    searcher = searcher or Searcher(settings)
    return HybridRetriever(searcher, k or settings.top_k, sources)
