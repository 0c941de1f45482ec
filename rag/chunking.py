"""Sentence-aware, token-sized chunks with exact character offsets.

Owns splitting cleaned text into sentences and packing them into chunks of at most
`chunk_tokens` tiktoken tokens, with `overlap` tokens of whole sentences repeated
between neighbours. Every chunk's text is exactly `document.text[start:end]`.
It does not read files or embed anything.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from .documents import Document

# cl100k_base ships inside llama-index-core, so token counting works offline.
_spec = importlib.util.find_spec("llama_index.core")
if _spec and _spec.submodule_search_locations:
    os.environ.setdefault(
        "TIKTOKEN_CACHE_DIR",
        os.path.join(_spec.submodule_search_locations[0], "_static", "tiktoken_cache"),
    )


@lru_cache(maxsize=1)
def encoding():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    title: str
    index: int
    start: int
    end: int
    text: str
    tokens: int

    def metadata(self) -> dict[str, object]:
        return {
            "source": self.source,
            "title": self.title,
            "chunk_index": self.index,
            "start": self.start,
            "end": self.end,
            "tokens": self.tokens,
        }


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co",
    "corp", "no", "vol", "fig", "gen", "gov", "sen", "rep", "rev", "capt", "col", "lt",
    "sgt", "mt", "approx", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "a.m", "p.m", "cf", "al",
}
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, space.
_BOUNDARY = re.compile(r"[.!?…。！？]+[\"'”’)\]]*(?=\s+)")
_NEXT_STARTS = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ\u4e00-\u9fff]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) over `text`; lines are always boundaries."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        offset, body = line.start(), line.group()
        start = 0
        for m in _BOUNDARY.finditer(body):
            end = m.end()
            if not _NEXT_STARTS.match(body, end):
                continue
            word = re.search(r"([\w.]+)[.!?…]*[\"'”’)\]]*$", body[start:end])
            token = word.group(1).rstrip(".").lower() if word else ""
            if body[m.start()] == "." and (token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())):
                continue
            spans.append((offset + start, offset + end))
            start = end
            while start < len(body) and body[start].isspace():
                start += 1
        rest = body[start:].rstrip()
        if rest.strip():
            lead = len(rest) - len(rest.lstrip())
            spans.append((offset + start + lead, offset + start + len(rest)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_long(text: str, start: int, end: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Token windows over one sentence longer than a chunk."""
    enc = encoding()
    tokens = enc.encode(text[start:end], disallowed_special=())
    _, offsets = enc.decode_with_offsets(tokens)
    pieces = []
    step = max(1, size - overlap)
    for i in range(0, len(tokens), step):
        a = start + offsets[i]
        j = min(i + size, len(tokens))
        b = start + offsets[j] if j < len(tokens) else end
        piece = text[a:b].strip()
        if piece:
            lead = len(text[a:b]) - len(text[a:b].lstrip())
            pieces.append((a + lead, a + lead + len(piece)))
        if j >= len(tokens):
            break
    return pieces


def chunk_document(doc: Document, chunk_tokens: int, overlap: int) -> list[Chunk]:
    """Pack sentences into chunks of at most `chunk_tokens` tokens."""
    text = doc.text
    units: list[tuple[int, int, int]] = []  # start, end, tokens
    for s, e in split_sentences(text):
        n = count_tokens(text[s:e])
        if n <= chunk_tokens:
            units.append((s, e, n))
        else:
            for a, b in _split_long(text, s, e, chunk_tokens, overlap):
                units.append((a, b, count_tokens(text[a:b])))

    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        # +1 per joint approximates the separator between sentences.
        while j < len(units) and total + units[j][2] + (1 if j > i else 0) <= chunk_tokens:
            total += units[j][2] + (1 if j > i else 0)
            j += 1
        j = max(j, i + 1)
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Step back over whole sentences worth at most `overlap` tokens.
        k, back = j, 0
        while k - 1 > i and back + units[k - 1][2] <= overlap:
            back += units[k - 1][2]
            k -= 1
        i = k

    chunks = []
    for index, (s, e) in enumerate(spans):
        body = text[s:e]
        digest = hashlib.sha256(f"{doc.source}\x00{s}\x00{e}\x00{body}".encode("utf-8")).hexdigest()
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id[:8]}-{digest[:16]}",
                source=doc.source,
                title=doc.title,
                index=index,
                start=s,
                end=e,
                text=body,
                tokens=count_tokens(body),
            )
        )
    return chunks
