"""Shared fixtures: isolated settings, a content-dependent fake embedder, seed indexes.

The fake embedder hashes word unigrams and bigrams into a vector, so texts that share
words land near each other and ranking tests mean something. One test module per
stage also runs the real all-MiniLM-L6-v2 model (`real_embedder`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCS = ROOT / "docs"
FRANCE_SOURCE = "004_f1f9acf72509a885.txt"

# Tests never reach for a network or a user's key, and no setting of the developer's
# shell changes what they see.
for var in [v for v in os.environ if v.upper().startswith("RAG_")] + ["OPENAI_API_KEY", "OPENAI_BASE_URL"]:
    os.environ.pop(var, None)
os.environ["HF_HUB_OFFLINE"] = "1"


class HashEmbedder:
    """Deterministic bag-of-words vectors: different text, different vector."""

    name = "all-MiniLM-L6-v2"  # poses as the default model so settings match
    dim = 256

    def __init__(self):
        self.calls = 0
        self.texts_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        words = re.findall(r"\w+", text.lower())
        v = np.zeros(self.dim, dtype=np.float32)
        for gram in words + [a + " " + b for a, b in zip(words, words[1:])]:
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 20) & 1 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed(self, texts):
        self.calls += 1
        self.texts_embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def fake_embedder():
    return HashEmbedder()


@pytest.fixture
def settings(tmp_path):
    from rag.config import Settings

    docs = tmp_path / "docs"
    shutil.copytree(SEED_DOCS, docs)
    return Settings.load(docs_dir=docs, index_dir=tmp_path / "index", lock_timeout=2)


@pytest.fixture
def seed_index(settings, fake_embedder):
    """The seed corpus ingested with the fake embedder."""
    from rag.ingest import ingest

    ingest(settings, embedder=fake_embedder)
    return settings


@pytest.fixture(scope="session")
def real_embedder():
    from rag.config import Settings
    from rag.embeddings import get_embedder

    return get_embedder(Settings.load())


@pytest.fixture(scope="session")
def real_seed_settings(tmp_path_factory, real_embedder):
    """The seed corpus ingested once with the real model, shared read-only by tests."""
    from rag.config import Settings
    from rag.ingest import ingest

    base = tmp_path_factory.mktemp("real-seed")
    docs = base / "docs"
    shutil.copytree(SEED_DOCS, docs)
    settings = Settings.load(docs_dir=docs, index_dir=base / "index")
    ingest(settings, embedder=real_embedder)
    return settings
