"""A value read from the chunks of an index generation, built once per list of chunks and
kept for the last few lists (the searcher's snapshot hands the same list out until the
index changes)."""
from __future__ import annotations

import threading
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")


class PerChunks(Generic[T]):
    """`build(chunks)`, once per list of chunks; `keep` lists remembered."""

    def __init__(self, build: Callable[[Sequence], T], keep: int = 4):
        self._build = build
        self._keep = keep
        self._lock = threading.Lock()
        self._values: dict[int, tuple[Sequence, T]] = {}

    def __call__(self, chunks: Sequence) -> T:
        with self._lock:
            cached = self._values.get(id(chunks))
            if cached is not None and cached[0] is chunks:
                return cached[1]
        value = self._build(chunks)
        with self._lock:
            if len(self._values) >= self._keep:
                self._values.clear()
            self._values[id(chunks)] = (chunks, value)
        return value
