"""Settings: one frozen object, resolved explicit argument -> environment -> default.

This module owns reading the environment. Nothing else in the package calls
`os.environ` for a setting; it receives a `Settings` instead.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
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


# The accepted range of each numeric setting: (low, high), both inclusive; for a float,
# low may be exclusive (see `_EXCLUSIVE_LOW`). Bounds are sanity limits: past them a
# value is a typo (or NaN/infinity) that would fail later, far from its cause.
TOP_K_RANGE = (1, 50)
_RANGES: dict[str, tuple[float, float]] = {
    "chunk_tokens": (16, 512),
    "top_k": TOP_K_RANGE,
    "max_file_mb": (0, 1024 * 1024),  # above 0, at most 1 TB
    "lock_timeout": (0, 86_400),  # seconds; 0 = do not wait
    "llm_timeout": (0, 3_600),  # seconds, above 0
    "llm_retries": (0, 10),
    "max_question_tokens": (1, 32_768),
    "max_answer_tokens": (1, 32_768),
}
_EXCLUSIVE_LOW = frozenset({"max_file_mb", "llm_timeout"})

# Folders of virtual file systems: an index there can never be written.
_VIRTUAL_ROOTS = (Path("/proc"), Path("/sys"))


def check_top_k(value, name: str = "RAG_TOP_K") -> int:
    """`value` as a number of passages (1 to 50, like RAG_TOP_K), or ConfigError naming
    `name` (the setting, flag or argument the value came from)."""
    low, high = TOP_K_RANGE
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number between {low} and {high}, got {value!r}")
    return int(value)


def _check_number(name: str, var: str, value, integer: bool) -> None:
    low, high = _RANGES[name]
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "a whole number" if integer else "a number"
        raise ConfigError(f"{var} must be {what}, got {value!r}")
    if not integer and not math.isfinite(value):
        raise ConfigError(f"{var} must be a finite number, got {value!r}")
    above = low < value if name in _EXCLUSIVE_LOW else low <= value
    if not above or value > high:
        lower = f"above {_plain(low)}" if name in _EXCLUSIVE_LOW else f"between {_plain(low)}"
        upper = f"and at most {_plain(high)}" if name in _EXCLUSIVE_LOW else f"and {_plain(high)}"
        raise ConfigError(f"{var} must be {lower} {upper}, got {_plain(value)}")


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _check_index_dir(path: Path) -> None:
    """ConfigError when the index folder can never be a folder (a file is in the way)
    or lives in a virtual file system."""
    var = "RAG_INDEX_DIR"
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ConfigError(f"{var} cannot be used: {path} ({exc})") from None
    for root in _VIRTUAL_ROOTS:
        if resolved == root or root in resolved.parents:
            raise ConfigError(f"{var} must be a folder that can be written, not under {root}: got {path}")
    try:
        for where in (resolved, *resolved.parents):
            if where.exists():
                if not where.is_dir():
                    what = "a file, not a folder" if where.is_file() else "not a folder"
                    if where == resolved:
                        raise ConfigError(f"{var} must be a folder, but {path} is {what}")
                    raise ConfigError(f"{var} cannot be created at {path}: {where} is {what}")
                break
    except OSError as exc:  # e.g. a name too long
        raise ConfigError(f"{var} cannot be used: {path} ({exc.strerror or exc})") from None


# name -> (environment variable, converter); defaults live on the dataclass.
_ENV = {
    "docs_dir": ("RAG_DOCS_DIR", Path),
    "index_dir": ("RAG_INDEX_DIR", Path),
    "chroma_url": ("RAG_CHROMA_URL", str),
    "collection": ("RAG_COLLECTION", str),
    "embeddings": ("RAG_EMBEDDINGS", str),
    "embedding_model": ("RAG_EMBEDDING_MODEL", str),
    "chunk_vectors": ("RAG_CHUNK_VECTORS", str),
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


# Settings an earlier version read, and what says the same now.
_REMOVED = {"RAG_SENTENCE_VECTORS": "sentence vectors are always made one way now; chunk vectors are RAG_CHUNK_VECTORS"}


def unknown_variables(environ=None) -> list[str]:
    """One line for each `RAG_` variable in the environment (in any case) that is no
    setting: a typo such as RAG_TOPK, or one an earlier version read. It would be
    ignored silently."""
    import difflib

    environ = os.environ if environ is None else environ
    known = sorted(var for var, _ in _ENV.values())
    lines = []
    for name in sorted(n for n in environ if n.upper().startswith("RAG_") and n not in known):
        if name.upper() in _REMOVED:
            lines.append(f"{name} is no longer a setting and is ignored: {_REMOVED[name.upper()]}")
            continue
        close = difflib.get_close_matches(name.upper(), known, n=3, cutoff=0.7)
        if name.upper() in known:
            close = [name.upper()]  # names are case-sensitive: rag_top_k is not RAG_TOP_K
        hint = f"did you mean {' or '.join(close)}?" if close else "`rag config` lists the settings"
        lines.append(f"{name} is not a setting and is ignored ({hint})")
    return lines


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline can be told. Build it with `Settings.load()`."""

    docs_dir: Path = field(default_factory=lambda: project_root() / "docs")
    index_dir: Path = field(default_factory=lambda: project_root() / ".rag")
    chroma_url: str | None = None
    collection: str = "rag_chunks"
    embeddings: str = "local"
    embedding_model: str | None = None
    # How the chunk vectors of the dense search are made: "sentences", the normalised
    # mean of the chunk's sentence vectors (no model run of its own: an ingest embeds
    # each sentence once and nothing else); "direct", the chunk embedded whole as well.
    chunk_vectors: str = "sentences"
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
        chunk_vectors = self.chunk_vectors.strip().lower()
        if chunk_vectors not in ("sentences", "direct"):
            raise ConfigError(
                f"RAG_CHUNK_VECTORS must be 'sentences' or 'direct', got {self.chunk_vectors!r}"
            )
        changes["chunk_vectors"] = chunk_vectors
        if self.embedding_model is None:
            changes["embedding_model"] = (
                LOCAL_EMBEDDING_MODEL if embeddings == "local" else OPENAI_EMBEDDING_MODEL
            )
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]", self.collection):
            raise ConfigError(
                "RAG_COLLECTION must be 3-512 characters of letters, digits, '.', '_' or '-', "
                f"starting and ending with a letter or digit, got {self.collection!r}"
            )
        for name in _RANGES:
            _check_number(name, _ENV[name][0], getattr(self, name), _ENV[name][1] is int)
        if isinstance(self.chunk_overlap, bool) or not isinstance(self.chunk_overlap, numbers.Integral):
            raise ConfigError(f"RAG_CHUNK_OVERLAP must be a whole number, got {self.chunk_overlap!r}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError(
                f"RAG_CHUNK_OVERLAP must be at least 0 and below half of RAG_CHUNK_TOKENS, got {self.chunk_overlap}"
            )
        _check_index_dir(changes["index_dir"])
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
