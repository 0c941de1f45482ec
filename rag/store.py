"""The index on disk: SQLite for documents, chunks and state, beside Chroma's vectors.

Owns what is kept and keeping it consistent:
- `index_dir/index.db` (SQLite) holds the cleaned text of every document, every
  chunk's text and offsets (the lexical index is built from it), the settings that
  built the index, and a generation number bumped on every change so readers can
  tell when to reload.
- `Index` writes and reads it together with the Chroma collection that holds one
  record per chunk (its vector, text and metadata), searches those vectors, and
  follows a rebuild: when index.db is replaced under it, it reopens.
- `ingest_lock`: one writer per index.
Each document is written to Chroma first and committed to SQLite second, so a run
killed in between leaves at most orphan vectors, which the next ingest removes.
It does not reach Chroma itself (clients, the lock their calls take turns under, the
server's collections: `chroma.py`), build a rebuild beside the index or swap one in
(`rebuild.py`), and it does not embed, chunk or rank.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chroma import _CHROMA, SWAP_WAIT_S, _chroma_client, _exists, _replaced, _Serialised, _unreachable
from .chunking import Chunk
from .config import Settings
from .documents import CLEANING_VERSION, Document
from .errors import (ConfigError, IndexAccessError, IndexBusyError, IndexCorruptError, IndexMismatchError,
                     IndexMissingError)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, title TEXT NOT NULL, sha256 TEXT NOT NULL,
    text TEXT NOT NULL, ingested_at REAL NOT NULL,
    file_size INTEGER NOT NULL DEFAULT -1, file_mtime INTEGER NOT NULL DEFAULT -1);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, source TEXT NOT NULL, chunk_index INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, tokens INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks(source, chunk_index);
"""
REBUILD_HINT = "run `rag ingest --rebuild`"
REMAKING = "remaking_chunk_vectors"  # meta key while an ingest remakes them (`start_remake`)


def _cannot_write(folder: Path, why: str) -> str:
    return (f"the index folder {folder} cannot be written ({why}): give this user write access "
            "to it, or set RAG_INDEX_DIR to a folder it can write")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexAccessError(_cannot_write(folder, exc.strerror or str(exc))) from None


def _file_id(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device and inode), or None when there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def fingerprint(settings: Settings) -> dict[str, object]:
    """What must match between the index and the settings that query or extend it."""
    return {
        "embeddings": settings.embeddings,
        "embedding_model": settings.embedding_model,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
        "cleaning": CLEANING_VERSION,
        "chunk_vectors": settings.chunk_vectors,
    }


@dataclass(frozen=True)
class IndexStats:
    documents: int
    chunks: int
    vectors: int
    embedding_model: str
    updated_at: float | None
    generation: int


class Index:
    """An open index. Cheap to open; Chroma is connected on first use."""

    def __init__(self, settings: Settings, create: bool = False):
        self.settings = settings
        self.path = settings.index_dir / "index.db"
        if not self.path.exists():
            if not create:
                raise IndexMissingError(
                    f"no index at {settings.index_dir}: run `rag ingest` first"
                )
            _make_folder(settings.index_dir)
        self._create = create  # a writer may create the Chroma collection; a reader waits for it
        self._db_lock = threading.RLock()
        self.opened = 0  # how many times the file was (re)opened: see `generation`
        self._open()

    def _open(self) -> None:
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            # Two connections setting up a new file at once (the first ingest creating it,
            # the app reading its status) can find it locked without SQLite's busy wait:
            # switching to WAL does not wait. Short retries, then the error.
            for attempt in range(100):
                try:
                    self.db.execute("PRAGMA journal_mode=WAL")
                    self.db.executescript(SCHEMA)
                    self.db.commit()
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 99:
                        raise
                    time.sleep(0.05)
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc) or "unable to open" in str(exc):
                raise IndexAccessError(_cannot_write(self.settings.index_dir, str(exc))) from None
            raise IndexCorruptError(
                f"the index at {self.settings.index_dir} is damaged ({exc}): {REBUILD_HINT}"
            ) from None
        self._file = _file_id(self.path)
        self._collection = None
        self._verified: int | None = None
        self._vectors: tuple[int, list[str], np.ndarray, np.ndarray] | None = None
        self.opened += 1

    def _follow(self) -> None:
        """Reopen when index.db is no longer the file this index opened: `rag ingest
        --rebuild` in another process deleted it and wrote a new index, and an open
        connection would go on reading the deleted one."""
        if _file_id(self.path) == self._file:
            return
        with self._db_lock:
            if _file_id(self.path) == self._file:
                return
            if not self.path.exists():
                raise IndexMissingError(
                    f"the index at {self.settings.index_dir} was deleted (a rebuild may be running): "
                    "try again when `rag ingest` ends"
                )
            self.db.close()
            self._open()
        self.check_settings()

    # -- settings ---------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return row[0][0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def _settings_diff(self) -> tuple[dict[str, tuple[object, object]], bool]:
        """What the index was built with that these settings change (name -> (built,
        wanted)), and whether its chunk vectors are remade in place by an ingest: they
        predate the setting (whole-chunk ones, made before the default changed) or a
        remake was stopped midway. A kind recorded on purpose changes only with a
        rebuild, so that a stray RAG_CHUNK_VECTORS never converts a shared index."""
        stored = self.meta("fingerprint")
        if stored is None:
            return {}, False
        built = json.loads(stored)
        remaking = self.meta(REMAKING) is not None
        remakable = remaking or "chunk_vectors" not in built
        built.setdefault("chunk_vectors", "direct")  # indexes from before the setting
        if remaking:
            built["chunk_vectors"] = "partly remade"  # never read as either kind
        diff = {k: (built.get(k), v) for k, v in fingerprint(self.settings).items() if built.get(k) != v}
        return diff, remakable and "chunk_vectors" in diff

    def remakes_vectors(self) -> bool:
        """Whether an ingest remakes this index's chunk vectors in place (`_settings_diff`)."""
        return self._settings_diff()[1]

    def check_settings(self, allow: frozenset[str] = frozenset()) -> None:
        """Stop with a clear message when the index was built with other settings
        (other than those in `allow`, which the caller puts right)."""
        diff, remakable = self._settings_diff()
        changed = {k: v for k, v in diff.items() if k not in allow}
        if not changed:
            return
        if set(changed) == {"chunk_vectors"} and remakable:
            if changed["chunk_vectors"][0] == "partly remade":
                raise IndexMismatchError("the index's chunk vectors are being remade, or a remake stopped midway: "
                                         "run `rag ingest` to finish it (or wait for the one running)", rebuild=False)
            raise IndexMismatchError("the index was built by an earlier version, with chunk vectors embedded whole: "
                                     "run `rag ingest` to remake them (no document is read again)", rebuild=False)
        diffs = "; ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in changed.items())
        raise IndexMismatchError(f"the index was built with other settings ({diffs}): {REBUILD_HINT}")

    # -- reading ----------------------------------------------------------------
    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        self._follow()
        try:
            with self._db_lock:
                return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(
                f"the index at {self.settings.index_dir} is damaged ({exc}): {REBUILD_HINT}"
            ) from None

    def generation(self) -> int:
        """Bumped by every change; readers reload what they hold when it moves, and when
        `opened` does (the index was rebuilt under them)."""
        value = self.meta("generation")
        return int(value) if value else 0

    def files(self) -> dict[str, tuple[str, int, int]]:
        """source -> (sha256 of its cleaned text, file size, file mtime in ns)."""
        rows = self._query("SELECT source, sha256, file_size, file_mtime FROM documents")
        return {source: (sha, size, mtime) for source, sha, size, mtime in rows}

    def document(self, source: str) -> Document | None:
        rows = self._query("SELECT source, title, text, sha256 FROM documents WHERE source=?", (source,))
        return Document(*rows[0]) if rows else None

    def chunks(self) -> list[Chunk]:
        rows = self._query(
            "SELECT c.chunk_id, c.source, d.title, c.chunk_index, c.start, c.end, c.text, c.tokens "
            "FROM chunks c JOIN documents d USING(source) ORDER BY c.source, c.chunk_index"
        )
        return [Chunk(*row) for row in rows]

    def stats(self) -> IndexStats:
        docs = self._query("SELECT COUNT(*), MAX(ingested_at) FROM documents")[0]
        changed = self.meta("changed_at")
        chunks = self._query("SELECT COUNT(*) FROM chunks")[0][0]
        try:
            vectors = self.collection().count()
        except IndexCorruptError:
            vectors = -1
        return IndexStats(
            documents=docs[0],
            chunks=chunks,
            vectors=vectors,
            embedding_model=self.meta("embedding_model") or self.settings.embedding_model,
            updated_at=float(changed) if changed else docs[1],
            generation=self.generation(),
        )

    # -- Chroma -----------------------------------------------------------------
    def collection(self, fresh: bool = False):
        """The Chroma collection. Embedded, each open gets its own client state: a
        cached one would not see what another process wrote since (and can fail
        reading it), so readers reopen when the index generation changes."""
        if self._collection is None or fresh:
            try:
                found = self._await_swap() if self.settings.chroma_url and not self._create else None
                with _CHROMA:
                    if not self.settings.chroma_url:
                        from chromadb.api.client import SharedSystemClient

                        SharedSystemClient.clear_system_cache()
                    self._collection = _Serialised(found or _chroma_client(self.settings).get_or_create_collection(
                        self.settings.collection,
                        metadata={"hnsw:space": "cosine"},
                        embedding_function=None,
                    ))
            except (ConfigError, IndexCorruptError):
                raise
            except Exception as exc:
                where = self.settings.chroma_url or self.settings.index_dir / "chroma"
                if self.settings.chroma_url:
                    raise _unreachable(self.settings, exc) from None
                raise IndexCorruptError(f"the vector index at {where} could not be opened ({exc}): {REBUILD_HINT}") from None
        return self._collection

    def _await_swap(self):
        """The server's collection, or None where there is none to read. A rebuild on a
        server renames the live collection away, then the new one in: a reader asking in
        between would create an empty one under the name (and keep the new one from
        taking it). So while the old one is away, a reader waits."""
        from chromadb.errors import NotFoundError

        deadline = time.monotonic() + SWAP_WAIT_S
        while True:
            with _CHROMA:
                client = _chroma_client(self.settings)
                try:
                    return client.get_collection(self.settings.collection, embedding_function=None)
                except NotFoundError:
                    if not _exists(client, _replaced(self.settings.collection)):
                        return None  # no swap under way: no index built yet, or a server emptied
            if time.monotonic() > deadline:
                return None  # a swap stopped midway: the next ingest puts the old collection back
            time.sleep(0.02)

    def verify(self) -> None:
        """Stop with a clear message when the index changed under these settings (its
        chunk vectors remade for another kind) or chunks lack their vectors (a deleted
        or damaged vector store). The count is skipped while an ingest is writing,
        since counts legitimately differ mid-write."""
        from filelock import FileLock, Timeout

        generation = self.generation()
        if self._verified == generation:
            return
        self.check_settings()
        lock = FileLock(str(self.settings.index_dir / "ingest.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return
        try:
            chunks = self._query("SELECT COUNT(*) FROM chunks")[0][0]
            vectors = self.collection().count()
        finally:
            lock.release()
        if vectors < chunks:
            raise IndexCorruptError(
                f"the index is incomplete ({vectors} of {chunks} chunks have vectors): "
                "run `rag ingest` to repair it, or `rag ingest --rebuild`"
            )
        self._verified = generation

    def dense_search(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) for the k nearest chunks.

        Embedded: an exact search over the vectors held in memory, reloaded from
        Chroma whenever the index generation changes. (A long-lived embedded Chroma
        client does not see vectors that another process added, so a serving app
        would otherwise miss what a separate `rag ingest` wrote.) Server: Chroma's
        own query, since one server process sees every write.
        """
        self.verify()
        if not self.settings.chroma_url:
            return self._exact_search(vector, k, where)
        collection = self.collection()
        try:
            n = min(k, max(1, collection.count()))
            result = collection.query(
                query_embeddings=[vector.tolist()], n_results=n, where=where, include=["distances"]
            )
        except Exception as exc:
            self._collection = None  # deleted under it, perhaps: the next search opens it by name again
            raise IndexCorruptError(f"the vector index could not be searched ({exc}): {REBUILD_HINT}") from None
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0])]

    def _matrix(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        generation = self.generation()
        cached = self._vectors
        if cached is None or cached[0] != generation:
            with self._db_lock:
                try:
                    fresh = cached is not None
                    got = self.collection(fresh=fresh).get(include=["embeddings", "metadatas"])
                except IndexCorruptError:
                    raise
                except Exception as exc:
                    raise IndexCorruptError(f"the vector index could not be read ({exc}): {REBUILD_HINT}") from None
                ids = list(got["ids"])
                matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(ids), -1)
                sources = np.array([m.get("source", "") for m in got["metadatas"]], dtype=object)
                cached = (generation, ids, matrix, sources)
                self._vectors = cached
        return cached[1], cached[2], cached[3]

    def _exact_search(self, vector: np.ndarray, k: int, where: dict | None) -> list[tuple[str, float]]:
        ids, matrix, sources = self._matrix()
        if not ids:
            return []
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        if where:
            wanted = where["source"]
            allowed = wanted["$in"] if isinstance(wanted, dict) else [wanted]
            sims = np.where(np.isin(sources, allowed), sims, -np.inf)
        k = min(k, len(ids))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(ids[i], float(sims[i])) for i in top if np.isfinite(sims[i])]

    # -- writing (callers hold the ingest lock) ---------------------------------
    def begin(self) -> None:
        """Record the settings this index is built with (first ingest)."""
        self._set_meta("fingerprint", json.dumps(fingerprint(self.settings), sort_keys=True))
        self._set_meta("embedding_model", self.settings.embedding_model)
        self.db.commit()

    def _bump(self) -> None:
        self._set_meta("generation", str(self.generation() + 1))
        self._set_meta("changed_at", repr(time.time()))  # a removal changes the index too

    def put_document(
        self, doc: Document, chunks: list[Chunk], vectors: np.ndarray, stat: tuple[int, int] = (-1, -1)
    ) -> None:
        collection = self.collection()
        ids = [c.chunk_id for c in chunks]
        for i in range(0, len(chunks), 1000):
            part = slice(i, i + 1000)
            collection.upsert(
                ids=ids[part],
                embeddings=vectors[part],
                documents=[c.text for c in chunks[part]],
                metadatas=[c.metadata() for c in chunks[part]],
            )
        stale = set(self._chroma_ids(doc.source)) - set(ids)
        if stale:
            collection.delete(ids=sorted(stale))
        with self._db_lock:
            self.db.execute("DELETE FROM chunks WHERE source=?", (doc.source,))
            self.db.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(c.chunk_id, c.source, c.index, c.start, c.end, c.tokens, c.text) for c in chunks],
            )
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.source, doc.title, doc.sha256, doc.text, time.time(), *stat),
            )
            self._bump()
            self.db.commit()

    def start_remake(self) -> None:
        """Mark the chunk vectors as being remade: until `finish_remake`, the index reads
        as neither kind, so a remake stopped midway is never searched and the next
        ingest, with either setting, remakes them all."""
        with self._db_lock:
            self._set_meta(REMAKING, self.settings.chunk_vectors)
            self._bump()
            self.db.commit()

    def set_vectors(self, ids: list[str], vectors: np.ndarray) -> None:
        """Replace the vectors of these chunks; their text and metadata stay."""
        collection = self.collection()
        for i in range(0, len(ids), 1000):
            collection.update(ids=ids[i : i + 1000], embeddings=vectors[i : i + 1000])

    def finish_remake(self) -> None:
        with self._db_lock:
            self.db.execute("DELETE FROM meta WHERE key=?", (REMAKING,))
            self._set_meta("fingerprint", json.dumps(fingerprint(self.settings), sort_keys=True))
            self._bump()
            self.db.commit()

    def touch_document(self, source: str, stat: tuple[int, int]) -> None:
        """Record a new size and mtime for a file whose text did not change."""
        with self._db_lock:
            self.db.execute(
                "UPDATE documents SET file_size=?, file_mtime=? WHERE source=?", (*stat, source)
            )
            self.db.commit()

    def remove_document(self, source: str) -> None:
        ids = self._chroma_ids(source)
        if ids:
            self.collection().delete(ids=ids)
        with self._db_lock:
            self.db.execute("DELETE FROM chunks WHERE source=?", (source,))
            self.db.execute("DELETE FROM documents WHERE source=?", (source,))
            self._bump()
            self.db.commit()

    def _chroma_ids(self, source: str) -> list[str]:
        return self.collection().get(where={"source": source}, include=[])["ids"]

    def reconcile(self) -> set[str]:
        """Repair what an interrupted ingest left: orphan vectors are deleted, and
        the sources whose chunks lack vectors are returned to be embedded again."""
        collection = self.collection()
        in_chroma = set(collection.get(include=[])["ids"])
        rows = self._query("SELECT chunk_id, source FROM chunks")
        in_db = {cid for cid, _ in rows}
        orphans = in_chroma - in_db
        if orphans:
            ordered = sorted(orphans)
            for i in range(0, len(ordered), 5000):
                collection.delete(ids=ordered[i : i + 5000])
        return {source for cid, source in rows if cid not in in_chroma}

    def close(self) -> None:
        with self._db_lock:
            self.db.close()


@contextmanager
def ingest_lock(settings: Settings, timeout: float | None = None):
    """Only one writer per index; a second waits up to `timeout` seconds, then stops."""
    from filelock import FileLock, Timeout

    _make_folder(settings.index_dir)
    path = settings.index_dir / "ingest.lock"
    try:  # a lock file that cannot be opened would read as another ingest holding it
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        raise IndexAccessError(_cannot_write(settings.index_dir, exc.strerror or str(exc))) from None
    lock = FileLock(str(path))
    wait = settings.lock_timeout if timeout is None else timeout
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise IndexBusyError(
            f"another ingest is running on {settings.index_dir}; waited {wait:.0f} s, try again when it ends"
        ) from None
    try:
        yield
    finally:
        lock.release()
