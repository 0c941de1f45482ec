"""Sentence vectors: each sentence of the index embedded once, kept in `sentences.db`.

Owns how a chunk is split into the sentences that are searched and quoted, the store of
their vectors (by model and text, shared by every process and index generation), and
embedding the new ones, directly or pooled from the chunk's own model run. It does not
search or rank; `retrieve.py` does, and `ingest.py` calls `embed_sentences` so that no
question has to wait for them.
"""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np

from .chunking import Chunk, split_sentences
from .config import Settings
from .embeddings import Embedder

SENTENCE_BATCH = 256
POOLED_TAG = "#pooled"  # sentence vectors pooled from chunk runs are stored as model + this


class SentenceVectors:
    """Sentence vectors kept beside the index (`sentences.db`), by model and text, so
    each sentence is embedded once, whichever process or generation needs it."""

    def __init__(self, settings: Settings):
        self.path = settings.index_dir / "sentences.db"
        self._memory: dict[str, np.ndarray] = {}  # where the file cannot be written
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key TEXT NOT NULL, "
                "vector BLOB NOT NULL, PRIMARY KEY (model, key))"
            )
            self.db.commit()
        except sqlite3.Error:
            self.db = None

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def missing(self, model: str, keys: list[str]) -> list[str]:
        """Those of `keys` that have no stored vector for `model`."""
        have = {k for k in keys if k in self._memory}
        if self.db is not None:
            try:
                for i in range(0, len(keys), 500):
                    part = keys[i : i + 500]
                    rows = self.db.execute(
                        f"SELECT key FROM vectors WHERE model=? AND key IN ({','.join('?' * len(part))})",
                        (model, *part),
                    ).fetchall()
                    have.update(k for (k,) in rows)
            except sqlite3.Error:
                pass
        return [k for k in keys if k not in have]

    def load(self, model: str, keys: set[str]) -> tuple[dict[str, np.ndarray], set[str]]:
        """The stored vectors of these keys, and the stored keys not among them."""
        found = {k: v for k, v in self._memory.items() if k in keys}
        stale: set[str] = set()
        if self.db is not None:
            try:
                rows = self.db.execute("SELECT key, vector FROM vectors WHERE model=?", (model,)).fetchall()
            except sqlite3.Error:
                rows = []
            for k, v in rows:
                if k in keys:
                    found[k] = np.frombuffer(v, dtype=np.float32)
                else:
                    stale.add(k)
        return found, stale

    def save(self, model: str, new: dict[str, np.ndarray], stale: set[str]) -> None:
        """Store new vectors, forget those of sentences no longer in the index."""
        if self.db is not None:
            try:
                with self.db:
                    self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                        [(model, k, v.astype(np.float32).tobytes()) for k, v in new.items()])
                    self.db.executemany("DELETE FROM vectors WHERE model=? AND key=?", [(model, k) for k in stale])
                return
            except sqlite3.Error:
                pass  # a read-only index folder: keep them for this process only
        self._memory.update(new)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where the sentences of a chunk's text are, as the searcher scores them."""
    return split_sentences(text) or [(0, len(text))]


def sentence_texts(text: str) -> list[str]:
    """The sentences of a chunk's text, as the searcher scores them."""
    return [text[s:e] for s, e in sentence_spans(text)]


def can_pool(embedder: Embedder) -> bool:
    """Whether this embedder (or the one a vector cache wraps) can pool span vectors
    from its chunk runs."""
    embedder = getattr(embedder, "embedder", embedder)  # VectorCache: the model behind it
    check = getattr(embedder, "can_pool", None)
    return bool(check and callable(getattr(embedder, "embed_pooled", None)) and check())


def sentence_model(settings: Settings, embedder: Embedder) -> str:
    """The model tag sentence vectors are stored under: the embedder's name, plus
    `POOLED_TAG` when the settings ask for pooled vectors and the embedder can make
    them, so that pooled and directly embedded vectors never mix in the store."""
    name = getattr(embedder, "name", "embedder")
    if settings.sentence_vectors == "pooled" and can_pool(embedder):
        return name + POOLED_TAG
    return name


def embed_batches(embedder: Embedder, todo: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    new: dict[str, np.ndarray] = {}
    for i in range(0, len(todo), SENTENCE_BATCH):
        part = todo[i : i + SENTENCE_BATCH]
        vectors = np.asarray(embedder.embed([t for _, t in part]), dtype=np.float32)
        new.update(zip((k for k, _ in part), vectors))
    return new


def embed_sentences(chunks: list[Chunk], embedder: Embedder, store: SentenceVectors, *,
                    model: str | None = None,
                    pooled: list[list[np.ndarray | None]] | None = None) -> tuple[int, int]:
    """Store a vector for each sentence of these chunks that has none under `model`
    yet, so the first search after an ingest does not have to embed it.

    `pooled`: per chunk, a vector per sentence (in `sentence_spans` order) pooled from
    the chunk's own run, or None where there is none; those sentences are embedded
    directly. Returns (sentences stored, of which embedded directly)."""
    model = model or getattr(embedder, "name", "embedder")
    texts: dict[str, str] = {}
    ready: dict[str, np.ndarray] = {}
    for n, c in enumerate(chunks):
        vectors = pooled[n] if pooled is not None else None
        for j, t in enumerate(sentence_texts(c.text)):
            key = SentenceVectors.key(t)
            texts.setdefault(key, t)
            if vectors is not None and j < len(vectors) and vectors[j] is not None:
                ready.setdefault(key, vectors[j])
    missing = store.missing(model, list(texts))
    new = {k: np.asarray(ready[k], dtype=np.float32) for k in missing if k in ready}
    direct = embed_batches(embedder, [(k, texts[k]) for k in missing if k not in ready])
    new.update(direct)
    if new:
        store.save(model, new, set())
    return len(new), len(direct)
