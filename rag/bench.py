"""Benchmarks: `rag bench SUBCOMMAND`, measurements that are commands, not timed tests.

Owns `rag bench retrieval SQUAD_JSON`: building a corpus from a SQuAD 2.0 file the way
`shared/bench/README.md` defines it (each article one document, its paragraphs joined
by a blank line; an answerable question's gold spans are its answers' offsets in that
document), ingesting it into a temporary index through the real ingest, and measuring
our retriever next to LlamaIndex's default (`VectorStoreIndex(...).as_retriever(
similarity_top_k=10)`, the same chunks and the same embedding model): hit@1, hit@5,
MRR@10 and warm latency. A retrieved chunk is a hit when its [start, end) span holds
a gold span. More benchmarks plug in as entries of `BENCHES`.
It does not change the configured index.
"""

from __future__ import annotations

import difflib
import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .config import Settings
from .errors import EvalError

TOP_K = 10  # retrieved per question: MRR@10
WARMUP = 20  # questions searched before the timed pass (caches, lazy imports)


@dataclass(frozen=True)
class BenchQuestion:
    id: str
    question: str
    source: str  # the document (file name) its article became
    spans: tuple[tuple[int, int], ...]  # gold answer spans in the document


@dataclass(frozen=True)
class SquadCorpus:
    documents: dict[str, str]  # file name -> text, as written before cleaning
    questions: tuple[BenchQuestion, ...]  # answerable only
    unanswerable: int


def load_squad(path: Path) -> SquadCorpus:
    """Documents and answerable questions of a SQuAD 2.0 file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        articles = data["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvalError(f"{path} is not a SQuAD JSON file ({type(exc).__name__}: {exc})") from None
    documents: dict[str, str] = {}
    questions: list[BenchQuestion] = []
    unanswerable = 0
    try:
        for n, article in enumerate(articles, 1):
            name = _file_name(str(article.get("title") or f"article_{n}"), documents)
            parts, offset = [], 0
            for paragraph in article["paragraphs"]:
                context = paragraph["context"]
                for qa in paragraph.get("qas", []):
                    answers = qa.get("answers") or []
                    if qa.get("is_impossible") or not answers:
                        unanswerable += 1
                        continue
                    spans = sorted({(offset + a["answer_start"], offset + a["answer_start"] + len(a["text"]))
                                    for a in answers})
                    questions.append(BenchQuestion(str(qa.get("id", len(questions))), qa["question"], name,
                                                   tuple(spans)))
                parts.append(context)
                offset += len(context) + 2
            documents[name] = "\n\n".join(parts)
    except (KeyError, TypeError, AttributeError) as exc:
        raise EvalError(f"{path} is not in SQuAD format ({type(exc).__name__}: {exc})") from None
    if not questions:
        raise EvalError(f"{path} has no answerable questions")
    return SquadCorpus(documents, tuple(questions), unanswerable)


def _file_name(title: str, taken: dict[str, str]) -> str:
    stem = re.sub(r"[^\w.-]+", "_", title).strip("._")[:100] or "article"
    name, n = f"{stem}.txt", 2
    while name in taken:
        name, n = f"{stem}_{n}.txt", n + 1
    return name


def offset_map(raw: str, cleaned: str) -> Callable[[int], int]:
    """Maps an offset in `raw` to the same place in `cleaned` (ingest cleans text:
    NFKC, invisible characters, ...), so gold spans stay on their words."""
    if raw == cleaned:
        return lambda i: i
    blocks = difflib.SequenceMatcher(None, raw, cleaned, autojunk=False).get_matching_blocks()
    starts = [b.a for b in blocks]

    def shift(i: int) -> int:
        at = max(0, np.searchsorted(starts, i, side="right") - 1)
        b = blocks[at]
        return b.b + min(i - b.a, b.size)

    return shift


# -- metrics -------------------------------------------------------------------------
def is_hit(source: str, start: int, end: int, question: BenchQuestion) -> bool:
    return source == question.source and any(start <= s and e <= end for s, e in question.spans)


def score_rankings(rankings: Sequence[Sequence[bool]], latencies_ms: Sequence[float]) -> dict[str, float]:
    """hit@1, hit@5, MRR@10 over the questions' hit lists, and latency percentiles."""
    first = [next((r for r, hit in enumerate(ranks[:TOP_K], 1) if hit), None) for ranks in rankings]
    n = max(1, len(first))
    return {
        "hit@1": round(sum(1 for r in first if r == 1) / n, 4),
        "hit@5": round(sum(1 for r in first if r and r <= 5) / n, 4),
        "mrr@10": round(sum(1 / r for r in first if r) / n, 4),
        "p50_ms": round(float(np.percentile(latencies_ms, 50)), 2) if len(latencies_ms) else None,
        "p95_ms": round(float(np.percentile(latencies_ms, 95)), 2) if len(latencies_ms) else None,
    }


def _measure(search: Callable[[str], list[tuple[str, int, int]]], questions: Sequence[BenchQuestion]):
    """Each question once, timed, after an untimed warm-up pass."""
    for q in questions[:WARMUP]:
        search(q.question)
    rankings, latencies = [], []
    for q in questions:
        t0 = time.perf_counter()
        found = search(q.question)
        latencies.append((time.perf_counter() - t0) * 1000)
        rankings.append([is_hit(source, s, e, q) for source, s, e in found])
    return score_rankings(rankings, latencies)


# -- the LlamaIndex baseline ---------------------------------------------------------
def llama_embedding(embedder):
    """Our embedder as a LlamaIndex `BaseEmbedding` (same model, same vectors)."""
    from llama_index.core.embeddings import BaseEmbedding

    class RagEmbedding(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

    return RagEmbedding(model_name=getattr(embedder, "name", "rag"), embed_batch_size=64)


def baseline_retriever(index, embedder):
    """`VectorStoreIndex(...).as_retriever(similarity_top_k=10)` over the index's own
    chunks, which LlamaIndex embeds itself, whole, with the same model (our index may
    hold chunk vectors made from sentence vectors: RAG_CHUNK_VECTORS). Components are
    passed explicitly: LlamaIndex's global `Settings` (its LLM above all) are never
    consulted."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    nodes = [
        TextNode(id_=c.chunk_id, text=c.text,
                 metadata={"source": c.source, "start": c.start, "end": c.end},
                 excluded_embed_metadata_keys=["source", "start", "end"],
                 excluded_llm_metadata_keys=["source", "start", "end"])
        for c in index.chunks()
    ]
    vector_index = VectorStoreIndex(nodes, embed_model=llama_embedding(embedder))
    return vector_index.as_retriever(similarity_top_k=TOP_K)


# -- the retrieval benchmark ---------------------------------------------------------
def bench_retrieval(path: Path, settings: Settings, embedder=None, progress: Callable[[str], None] | None = None):
    """Ingest the SQuAD file's corpus into a temporary index and measure both retrievers."""
    from .embeddings import get_embedder
    from .ingest import ingest
    from .retrieve import Searcher
    from .store import Index

    say = progress or (lambda message: None)
    corpus = load_squad(path)
    embedder = embedder or get_embedder(settings)
    with tempfile.TemporaryDirectory(prefix="rag-bench-", ignore_cleanup_errors=True) as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for name, text in corpus.documents.items():
            (docs / name).write_text(text, encoding="utf-8")
        # Never the configured index, nor a configured Chroma server.
        local = settings.replace(docs_dir=docs, index_dir=Path(tmp) / "index", chroma_url=None,
                                 collection="rag_bench")
        say(f"ingesting {len(corpus.documents)} documents")
        t0 = time.perf_counter()
        report = ingest(local, embedder=embedder)
        t1 = time.perf_counter()
        index = Index(local)
        searcher = Searcher(local, index=index, embedder=embedder)
        searcher.prepare()  # loads the index; its sentence vectors were stored by the ingest
        t2 = time.perf_counter()
        questions = _gold_in_index(corpus, index)
        if not questions:
            raise EvalError(f"no article of {path} could be ingested: {report.summary()}")
        chunks = index.chunks()

        def ours(question: str):
            return [(h.chunk.source, h.chunk.start, h.chunk.end) for h in searcher.search(question, TOP_K)]

        say(f"searching {len(questions)} questions")
        our_metrics = _measure(ours, questions)
        baseline = baseline_retriever(index, embedder)

        def theirs(question: str):
            nodes = baseline.retrieve(question)
            return [(n.node.metadata["source"], n.node.metadata["start"], n.node.metadata["end"]) for n in nodes]

        say("searching with the baseline")
        base_metrics = _measure(theirs, questions)
        index.close()
    return {
        "ours": our_metrics,
        "baseline": base_metrics,
        "documents": len(corpus.documents),
        "chunks": len(chunks),
        "mean_chunk_tokens": round(float(np.mean([c.tokens for c in chunks])), 1) if chunks else 0.0,
        "questions": len(questions),
        "unanswerable": corpus.unanswerable,
        "skipped_documents": [s.path for s in report.skipped],
        "ingest_s": round(t1 - t0, 2),
        "sentence_vectors_s": round(report.sentence_seconds, 2),  # part of ingest_s, chunk vectors made from them included
        "load_s": round(t2 - t1, 2),
        "settings": {"chunk_tokens": local.chunk_tokens, "chunk_overlap": local.chunk_overlap,
                     "chunk_vectors": local.chunk_vectors, "embedding_model": local.embedding_model,
                     "top_k": TOP_K},
    }


def _gold_in_index(corpus: SquadCorpus, index) -> list[BenchQuestion]:
    """The questions with their gold spans moved onto the cleaned documents ingest stored."""
    maps = {}
    for name, raw in corpus.documents.items():
        doc = index.document(name)
        if doc is not None:
            maps[name] = offset_map(raw, doc.text)
    return [
        BenchQuestion(q.id, q.question, q.source, tuple((maps[q.source](s), maps[q.source](e)) for s, e in q.spans))
        for q in corpus.questions
        if q.source in maps
    ]


def format_report(result: dict) -> str:
    rows = [("", "hit@1", "hit@5", "MRR@10", "p50 ms", "p95 ms")]
    for name, label in (("ours", "ours (hybrid)"), ("baseline", "LlamaIndex VectorStoreIndex")):
        m = result[name]
        rows.append((label, f"{m['hit@1']:.3f}", f"{m['hit@5']:.3f}", f"{m['mrr@10']:.3f}",
                     f"{m['p50_ms']:.1f}", f"{m['p95_ms']:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    s = result["settings"]
    lines += [
        "",
        f"corpus: {result['documents']} documents, {result['chunks']} chunks "
        f"(mean {result['mean_chunk_tokens']} tokens; chunk_tokens {s['chunk_tokens']}, overlap {s['chunk_overlap']}), "
        f"{result['questions']} answerable questions ({result['unanswerable']} unanswerable left out)",
        f"ingest {result['ingest_s']} s (of which sentence vectors {result['sentence_vectors_s']} s), "
        f"load {result.get('load_s', 0.0)} s; "
        f"latency: warm, per question, top {s['top_k']}",
    ]
    return "\n".join(lines)


def cmd_retrieval(args, settings: Settings) -> int:
    import sys

    path = Path(args.squad_json)
    if not path.is_file():
        raise EvalError(f"no such file: {path}")
    progress = (lambda m: print(f"... {m}", file=sys.stderr)) if sys.stderr.isatty() else None
    result = bench_retrieval(path, settings, progress=progress)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0


def _retrieval_arguments(p) -> None:
    p.add_argument("squad_json", metavar="SQUAD_JSON", help="a file in SQuAD 2.0 format")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


# name -> (help, add arguments, command); `rag bench NAME ...`
BENCHES: dict[str, tuple[str, Callable, Callable]] = {
    "retrieval": ("hit@1/hit@5/MRR@10 and latency of our retriever and LlamaIndex's default on SQuAD",
                  _retrieval_arguments, cmd_retrieval),
}
# Modules that add their own `rag bench` subcommands through `register_bench(subparsers)`.
_BENCH_EXTENSIONS = ["rag.perf", "rag.bench_app"]


def register_cli(subparsers) -> None:
    import importlib

    p = subparsers.add_parser("bench", help="measure the pipeline (retrieval quality, speed)")
    sub = p.add_subparsers(dest="bench", required=True, metavar="BENCHMARK")
    for name, (help_text, add_arguments, command) in BENCHES.items():
        q = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(q)
        q.set_defaults(func=command)
    for name in _BENCH_EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register_bench(sub)
