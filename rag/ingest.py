"""Ingestion: documents folder -> cleaned documents -> chunks -> vectors -> index.

Owns deciding what changed since the last run (added, updated, unchanged, removed,
skipped), embedding only what changed, and the summary. Reading and cleaning live in
`documents.py`, chunking in `chunking.py`, storage in `store.py`, building a
`--rebuild` beside the live index in `rebuild.py`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .chunking import Chunk, chunk_document
from .config import Settings
from .documents import Document, SkipFile, find_files, load_document, source_name, why_unreadable
from .embeddings import Embedder, get_embedder
from .errors import DocumentsError
from .sentences import SentenceVectors, embed_sentences, sentence_model
from .rebuild import recover, staging, swap_in
from .store import Index, ingest_lock

Progress = Callable[[int, int, str], None]
log = logging.getLogger("rag.ingest")
EMBED_BATCH_CHUNKS = 256


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0  # in the index after this run
    embedded: int = 0  # chunks embedded by this run
    sentences: int = 0  # sentence vectors stored by this run, for sentence-level search
    sentence_seconds: float = 0.0  # the time they took (with the chunk vectors made from them)
    chunk_seconds: float = 0.0  # embedding chunks whole (RAG_CHUNK_VECTORS=direct)
    remade: int = 0  # chunks whose vectors were remade for another RAG_CHUNK_VECTORS
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        out["skipped"] = [asdict(s) for s in self.skipped]
        out["seconds"] = round(self.seconds, 3)
        out["sentence_seconds"] = round(self.sentence_seconds, 3)
        out["chunk_seconds"] = round(self.chunk_seconds, 3)
        return out

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.removed)} removed",
            f"{len(self.skipped)} skipped",
        ]
        lines = [f"{', '.join(parts)}; {self.chunks} chunks in the index; {self.seconds:.1f} s"]
        if not self.chunks:
            lines.append("The index holds no documents: " + ("every file was skipped (see why below)."
                                                             if self.skipped else "no files were found."))
        elif not self.embedded:
            changed = self.removed or self.updated or self.added or self.remade
            lines.append("No chunks were embedded." if changed else "Nothing changed: no chunks were embedded.")
        else:
            lines.append(f"Embedded {self.embedded} chunks and {self.sentences} new sentences.")
        if self.remade:
            lines.append(f"Remade the vectors of {self.remade} indexed chunks, as RAG_CHUNK_VECTORS asks "
                         "(the index was built by an earlier version, or a remake had stopped).")
        lines.extend(f"  skipped {s.path}: {s.reason}" for s in self.skipped)
        return "\n".join(lines)


def _scan(settings: Settings, paths: Iterable[Path] | None, unlisted: list[tuple[str, str]] | None = None,
          ) -> tuple[list[tuple[Path, Path]], list[str]]:
    """(file, root) pairs to read, and the source prefixes whose deleted files are removed
    ("": the whole documents folder, files from elsewhere left out). Subfolders that
    cannot be listed go to `unlisted` as (source prefix, reason)."""
    docs = settings.docs_dir.resolve()
    targets = [Path(p).resolve() for p in paths] if paths else [docs]
    pairs: list[tuple[Path, Path]] = []
    scopes: list[str] = []
    whole = False
    for target in targets:
        if not target.exists():
            raise DocumentsError(f"no such file or folder: {target}")
        inside = target == docs or docs in target.parents
        # Files from outside the documents folder are known by their absolute path: a
        # relative name could be that of a document in the folder.
        root = docs if inside else Path(target.anchor)
        unreadable: list[tuple[Path, str]] = []
        files = find_files(target, unreadable)
        for folder, reason in unreadable:
            if folder == target:
                raise DocumentsError(f"cannot read the folder {target} ({reason})")
            if unlisted is not None:
                unlisted.append((source_name(folder, root) + "/", reason))
        if target.is_dir() and not files and not unreadable:
            raise DocumentsError(f"the documents folder {target} is empty")
        pairs.extend((f, root) for f in files)
        if target.is_dir():
            if target == docs:
                whole = True
            else:
                scopes.append(source_name(target, root) + "/")
    if not paths and not docs.is_dir():
        raise DocumentsError(f"the documents folder {docs} does not exist")
    return pairs, ([""] if whole else []) + scopes


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def ingest(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    *,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in step with the documents. Safe to run again at any time."""
    started = time.perf_counter()
    if not paths and not settings.docs_dir.is_dir():
        raise DocumentsError(f"the documents folder {settings.docs_dir} does not exist")
    unlisted: list[tuple[str, str]] = []
    pairs, scopes = _scan(settings, list(paths) if paths else None, unlisted)
    embedder = embedder or get_embedder(settings)
    report = IngestReport()
    report.skipped.extend(Skipped(folder, f"unreadable folder ({reason}); its indexed files are kept")
                          for folder, reason in unlisted)
    with ingest_lock(settings):
        recover(settings)
        if rebuild:
            # Built beside the old index and swapped in when complete: until then the
            # old one keeps answering, and a rebuild stopped midway leaves it as it was.
            _update(staging(settings), pairs, scopes, unlisted, embedder, progress, report)
            swap_in(settings)
        else:
            _update(settings, pairs, scopes, unlisted, embedder, progress, report)
        _prepare_search(settings)
    report.seconds = time.perf_counter() - started
    return report


def _prepare_search(settings: Settings) -> None:
    """Write the searchers' snapshot cache (sentence table, BM25 indexes) now, so the
    first question after an ingest does not build it (at 10,000 chunks, 3 s). Nothing
    is done when it is up to date; a failure only leaves it to the first search."""
    from .snapshot import prepare

    try:
        index = Index(settings)
        try:
            prepare(index.chunks(), settings.index_dir)
        finally:
            index.close()
    except Exception:  # noqa: BLE001 - a cache: the search builds it if it must
        log.warning("the search cache could not be prepared", exc_info=True)


def _remake_vectors(index: Index, embedder: Embedder, sentence_store: SentenceVectors, whole: bool,
                    report: IngestReport) -> None:
    """Replace the vector of every chunk that has one with the kind the settings ask
    for (chunks without one are embedded by the ingest itself). No file is read: the
    chunks' text is in the index, and most sentence vectors are already stored."""
    have = set(index.collection().get(include=[])["ids"])
    chunks = [c for c in index.chunks() if c.chunk_id in have]
    for i in range(0, len(chunks), EMBED_BATCH_CHUNKS):
        part = chunks[i : i + EMBED_BATCH_CHUNKS]
        started = time.perf_counter()
        stored, vectors = embed_sentences(part, embedder, sentence_store, chunk_vectors=not whole)
        report.sentences += stored
        report.sentence_seconds += time.perf_counter() - started
        if whole:
            started = time.perf_counter()
            vectors = embedder.embed([c.text for c in part])
            report.chunk_seconds += time.perf_counter() - started
        index.set_vectors([c.chunk_id for c in part], vectors)
        report.remade += len(part)
    sentence_store.forget_models_but(sentence_model(embedder))


def _update(settings: Settings, pairs: list[tuple[Path, Path]], scopes: list[str],
            unlisted: list[tuple[str, str]], embedder: Embedder, progress: Progress | None,
            report: IngestReport) -> None:
    """The ingest proper, into the index of `settings`, under the caller's lock."""
    index = Index(settings, create=True)
    sentence_store = None
    try:
        # Whole-chunk vectors of an index from before the setting (or a remake stopped
        # midway) are remade from the chunks the index holds; any other change of
        # settings needs a rebuild.
        remake = index.remakes_vectors()
        index.check_settings(allow=frozenset({"chunk_vectors"}) if remake else frozenset())
        if not remake:
            index.begin()
        known = index.files()
        needs_vectors = index.reconcile()
        seen: set[str] = set()
        sentence_store = SentenceVectors(settings)
        whole = settings.chunk_vectors == "direct"  # else made from the sentence vectors
        if remake:
            index.start_remake()
            _remake_vectors(index, embedder, sentence_store, whole, report)
            index.finish_remake()
        pending: list[tuple[Document, list[Chunk], tuple[int, int], list[str]]] = []

        def flush() -> None:
            flat = [c for _, chunks, _, _ in pending for c in chunks]
            vectors = None
            if whole:
                started = time.perf_counter()
                vectors = embedder.embed([c.text for c in flat])
                report.chunk_seconds += time.perf_counter() - started
            # Sentence vectors before the chunks are visible: a search of the new
            # index generation then finds them all stored.
            started = time.perf_counter()
            stored, means = embed_sentences(flat, embedder, sentence_store, chunk_vectors=not whole)
            vectors = means if vectors is None else vectors
            report.sentences += stored
            report.sentence_seconds += time.perf_counter() - started
            at = 0
            for doc, chunks, stat, bucket in pending:
                index.put_document(doc, chunks, vectors[at : at + len(chunks)], stat)
                at += len(chunks)
                bucket.append(doc.source)
                report.embedded += len(chunks)
            pending.clear()

        for n, (path, root) in enumerate(pairs, 1):
            source = source_name(path, root)
            if progress:
                progress(n, len(pairs), source)
            try:
                stat = _stat(path)
            except OSError as exc:  # gone or unreadable for now: an indexed version is kept
                report.skipped.append(Skipped(source, why_unreadable(path, exc)))
                seen.add(source)
                continue
            old = known.get(source)
            if old and old[1:] == stat and source not in needs_vectors:
                report.unchanged.append(source)
                seen.add(source)
                continue
            try:
                doc = load_document(path, root, settings.max_file_bytes)
            except SkipFile as exc:
                seen.add(source)
                if old and exc.emptied:
                    # Emptied on purpose, most likely: what the index holds of it is no
                    # longer in the file, so it must not be quoted any more.
                    report.skipped.append(Skipped(source, f"{exc}; removed from the index"))
                    index.remove_document(source)
                    report.removed.append(source)
                elif old:
                    report.skipped.append(Skipped(source, f"{exc}; its last indexed version is kept"))
                else:
                    report.skipped.append(Skipped(source, str(exc)))
                continue
            seen.add(source)
            if old and old[0] == doc.sha256 and source not in needs_vectors:
                index.touch_document(source, stat)
                report.unchanged.append(source)
                continue
            chunks = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap)
            pending.append((doc, chunks, stat, report.updated if old else report.added))
            if sum(len(c) for _, c, _, _ in pending) >= EMBED_BATCH_CHUNKS:
                flush()
        if pending:
            flush()
        for source in sorted(set(known) - seen):
            # Scope "" is the whole documents folder: not the files from elsewhere.
            in_scope = any(source.startswith(s) and not (s == "" and source.startswith("/"))
                           for s in scopes)
            listed = not any(source.startswith(folder) for folder, _ in unlisted)
            if in_scope and listed:
                index.remove_document(source)
                report.removed.append(source)
        report.chunks = index.stats().chunks
    finally:
        index.close()
        if sentence_store is not None:
            sentence_store.close()

