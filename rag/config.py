"""Settings: one frozen object, resolved explicit argument -> environment -> default.

This module owns reading the environment. Nothing else in the package calls
`os.environ` for a setting; it receives a `Settings` instead.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

LOCAL_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
OPENAI_EMBEDDING_MODEL = "text-embedding-3-small"
DEFAULT_LLM_MODEL = "gpt-4o-mini"


def project_root() -> Path:
    """The checkout this package lives in, or the working directory when installed."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else None


def _as_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _as_float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


# name -> (environment variable, converter); defaults live on the dataclass.
_ENV = {
    "docs_dir": ("RAG_DOCS_DIR", Path),
    "index_dir": ("RAG_INDEX_DIR", Path),
    "chroma_url": ("RAG_CHROMA_URL", str),
    "collection": ("RAG_COLLECTION", str),
    "embeddings": ("RAG_EMBEDDINGS", str),
    "embedding_model": ("RAG_EMBEDDING_MODEL", str),
    "sentence_vectors": ("RAG_SENTENCE_VECTORS", str),
    "chunk_tokens": ("RAG_CHUNK_TOKENS", int),
    "chunk_overlap": ("RAG_CHUNK_OVERLAP", int),
    "max_file_mb": ("RAG_MAX_FILE_MB", float),
    "top_k": ("RAG_TOP_K", int),
    "lock_timeout": ("RAG_LOCK_TIMEOUT", float),
    "llm": ("RAG_LLM", str),
    "llm_model": ("RAG_LLM_MODEL", str),
    "llm_timeout": ("RAG_LLM_TIMEOUT", float),
    "llm_retries": ("RAG_LLM_RETRIES", int),
    "max_question_tokens": ("RAG_MAX_QUESTION_TOKENS", int),
    "max_answer_tokens": ("RAG_MAX_ANSWER_TOKENS", int),
    "openai_api_key": ("OPENAI_API_KEY", str),
    "openai_base_url": ("OPENAI_BASE_URL", str),
}


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline can be told. Build it with `Settings.load()`."""

    docs_dir: Path = field(default_factory=lambda: project_root() / "docs")
    index_dir: Path = field(default_factory=lambda: project_root() / ".rag")
    chroma_url: str | None = None
    collection: str = "rag_chunks"
    embeddings: str = "local"
    embedding_model: str | None = None
    # How sentence vectors (sentence-level dense search, extractive answers) are made:
    # "direct", each sentence embedded on its own; "pooled", the mean of the chunk's
    # token states over the sentence (no extra model run; local ONNX model only).
    sentence_vectors: str = "direct"
    chunk_tokens: int = 256
    chunk_overlap: int = 32
    max_file_mb: float = 20.0
    top_k: int = 5
    lock_timeout: float = 60.0
    llm: str | None = None
    llm_model: str = DEFAULT_LLM_MODEL
    llm_timeout: float = 30.0
    llm_retries: int = 3
    max_question_tokens: int = 512
    max_answer_tokens: int = 512
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Resolve each setting: explicit keyword, else environment, else default."""
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values = {}
        for name, (var, convert) in _ENV.items():
            if overrides.get(name) is not None:
                values[name] = overrides[name]
                continue
            raw = _env(var)
            if raw is None:
                continue
            if convert is int:
                values[name] = _as_int(var, raw)
            elif convert is float:
                values[name] = _as_float(var, raw)
            else:
                values[name] = convert(raw)
        for name, value in overrides.items():
            if name not in _ENV and value is not None:
                values[name] = value
        return cls(**values).validated()

    def validated(self) -> "Settings":
        changes = {}
        for name in ("docs_dir", "index_dir"):
            path = Path(getattr(self, name)).expanduser()
            changes[name] = path if path.is_absolute() else Path.cwd() / path
        embeddings = self.embeddings.strip().lower()
        if embeddings not in ("local", "openai"):
            raise ConfigError(f"RAG_EMBEDDINGS must be 'local' or 'openai', got {self.embeddings!r}")
        changes["embeddings"] = embeddings
        sentence_vectors = self.sentence_vectors.strip().lower()
        if sentence_vectors not in ("direct", "pooled"):
            raise ConfigError(
                f"RAG_SENTENCE_VECTORS must be 'direct' or 'pooled', got {self.sentence_vectors!r}"
            )
        changes["sentence_vectors"] = sentence_vectors
        if self.embedding_model is None:
            changes["embedding_model"] = (
                LOCAL_EMBEDDING_MODEL if embeddings == "local" else OPENAI_EMBEDDING_MODEL
            )
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]", self.collection):
            raise ConfigError(
                "RAG_COLLECTION must be 3-512 characters of letters, digits, '.', '_' or '-', "
                f"starting and ending with a letter or digit, got {self.collection!r}"
            )
        if not 16 <= self.chunk_tokens <= 512:
            raise ConfigError(f"RAG_CHUNK_TOKENS must be between 16 and 512, got {self.chunk_tokens}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError(
                f"RAG_CHUNK_OVERLAP must be at least 0 and below half of RAG_CHUNK_TOKENS, got {self.chunk_overlap}"
            )
        if self.top_k < 1 or self.top_k > 50:
            raise ConfigError(f"RAG_TOP_K must be between 1 and 50, got {self.top_k}")
        if self.max_file_mb <= 0:
            raise ConfigError(f"RAG_MAX_FILE_MB must be positive, got {self.max_file_mb}")
        llm = (self.llm or ("openai" if self.openai_api_key else "none")).strip().lower()
        if llm not in ("none", "openai"):
            raise ConfigError(f"RAG_LLM must be 'none' or 'openai', got {self.llm!r}")
        changes["llm"] = llm
        return dataclasses.replace(self, **changes)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes).validated()

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def describe(self) -> dict[str, object]:
        """The resolved settings for display; an API key shows only whether it is set."""
        out: dict[str, object] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "openai_api_key":
                value = mask_secret(value)
            elif isinstance(value, Path):
                value = str(value)
            out[f.name] = value
        return out


def mask_secret(value: str | None) -> str:
    if not value:
        return "(not set)"
    return "(set, hidden)"
