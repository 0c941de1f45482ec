"""The in-memory side of an index generation: what a search needs besides the vectors.

Owns the `Snapshot` a `Searcher` holds (the chunks, their distinct sentences, both BM25
indexes) and its cache beside the index, `snapshot.npz`, so that a fresh process reads
the sentence table and the lexical indexes instead of splitting and tokenising every
chunk again (at 10,000 chunks that was most of a cold start). The cache is named by
its content, the chunks' ids and titles, and by the code that builds it, so an index
that changed, or a new version of the splitter or tokeniser, never reads a stale one.
It does not embed, search or write the index itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .chunking import Chunk
from .lexical import BM25, text_arrays, texts_from_arrays
from .sentences import sentence_texts

CACHE = "snapshot.npz"
_WORDS = re.compile(r"\w+")


@dataclass
class Snapshot:
    """Everything a search needs from one index generation, held in memory."""

    generation: tuple[int, int]  # the index's generation, and how many times it was opened
    chunks: list[Chunk]
    by_id: dict[str, int]
    sources: np.ndarray = field(repr=False)  # per chunk
    bm25: BM25 = field(repr=False)  # over chunks (title + text)
    sentence_bm25: BM25 = field(repr=False)  # over the distinct sentence texts (rows of `vectors`)
    rows: np.ndarray = field(repr=False)  # distinct sentence ids, chunk by chunk, in order
    first: np.ndarray = field(repr=False)  # per chunk, where its sentences start in `rows`
    vectors: np.ndarray | None = field(default=None, repr=False)  # per distinct sentence text
    distinct: dict[str, int] = field(default_factory=dict, repr=False)  # text -> row of `vectors`
    words: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)  # per chunk, filled on use
    cached: bool = False  # read from `snapshot.npz` rather than built

    def word_set(self, i: int) -> frozenset[str]:
        found = self.words.get(i)
        if found is None:
            found = self.words[i] = frozenset(_WORDS.findall(self.chunks[i].text.lower()))
        return found


def load(chunks: list[Chunk], generation: tuple[int, int], index_dir: Path) -> Snapshot:
    """The snapshot of these chunks (vectors not yet attached): from the cache when it
    was built from the same chunks by the same code, else built and cached."""
    key = _key(chunks)
    arrays = _read(index_dir / CACHE, key)
    if arrays is not None:
        distinct = texts_from_arrays(arrays, "sentences")
        return _snapshot(chunks, generation, distinct, arrays["rows"], arrays["first"],
                         BM25.from_arrays(arrays, "chunk_"), BM25.from_arrays(arrays, "sentence_"), cached=True)
    # One vector and one BM25 row per distinct sentence text: overlap windows repeat
    # sentences, and documentation repeats many ("Changed in version 3.8.").
    seen: dict[str, int] = {}
    rows: list[int] = []
    first = np.zeros(len(chunks), dtype=np.int64)
    for i, c in enumerate(chunks):
        first[i] = len(rows)
        for text in sentence_texts(c.text):
            rows.append(seen.setdefault(text, len(seen)))
    distinct = list(seen)
    snap = _snapshot(chunks, generation, distinct, np.array(rows, dtype=np.int64), first,
                     BM25([f"{c.title}\n{c.text}" for c in chunks]), BM25(distinct))
    _write(index_dir / CACHE, key, snap, distinct)
    return snap


def prepare(chunks: list[Chunk], index_dir: Path) -> None:
    """Write the cache for these chunks unless it is there already (after an ingest)."""
    try:
        with np.load(index_dir / CACHE, allow_pickle=False) as found:
            if str(found["key"]) == _key(chunks):
                return
    except Exception:  # noqa: BLE001 - absent or damaged: build it
        pass
    load(chunks, (0, 0), index_dir)


def _snapshot(chunks, generation, distinct, rows, first, bm25, sentence_bm25, cached=False) -> Snapshot:
    return Snapshot(
        generation=generation,
        chunks=chunks,
        by_id={c.chunk_id: i for i, c in enumerate(chunks)},
        sources=np.array([c.source for c in chunks], dtype=object),
        bm25=bm25,
        sentence_bm25=sentence_bm25,
        rows=rows,
        first=first,
        distinct={t: i for i, t in enumerate(distinct)},
        cached=cached,
    )


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A digest of the code whose output the cache holds: sentence splitting, tokenising
    and this module."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("chunking.py", "lexical.py", "sentences.py", "snapshot.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # no source beside the code (a zipped install): the version then
            from importlib.metadata import PackageNotFoundError, version

            try:
                digest.update(version("rag").encode())
            except PackageNotFoundError:
                pass
            break
    from .lexical import tokenize

    digest.update(" ".join(tokenize("Stemming changes running runs")).encode())  # with or without PyStemmer
    return digest.hexdigest()


def _key(chunks: list[Chunk]) -> str:
    digest = hashlib.sha256(_code_version().encode())
    for c in chunks:
        digest.update(f"{c.chunk_id}\t{c.title}\n".encode("utf-8"))
    return digest.hexdigest()


def _read(path: Path, key: str) -> dict[str, np.ndarray] | None:
    """The cached arrays, if the cache is there, readable and for this key."""
    try:
        with np.load(path, allow_pickle=False) as found:
            if str(found["key"]) != key:
                return None
            return {name: found[name] for name in found.files}
    except Exception:  # noqa: BLE001 - absent, half-written by a crash, damaged: build it instead
        return None


def _write(path: Path, key: str, snap: Snapshot, distinct: list[str]) -> None:
    """Write the cache in one rename, so a reader finds the old file or the new one.
    Where the folder cannot be written it is simply not cached."""
    arrays = {
        "key": np.array(key),
        **text_arrays("sentences", distinct),
        "rows": snap.rows,
        "first": snap.first,
        **snap.bm25.arrays("chunk_"),
        **snap.sentence_bm25.arrays("sentence_"),
    }
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".snapshot-", suffix=".tmp", delete=False) as out:
            np.savez(out, **arrays)
        try:  # readable by whoever can read the index (a temporary file starts private)
            os.chmod(out.name, stat.S_IMODE(os.stat(path.parent / "index.db").st_mode))
        except OSError:
            pass
        os.replace(out.name, path)
    except OSError:
        try:
            os.unlink(out.name)
        except (OSError, UnboundLocalError):
            pass
