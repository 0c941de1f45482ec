"""What the app shares between sessions and what it keeps per session.

Shared, once per process (`st.cache_resource`): the searcher, which holds the
embedding model and the index; and the re-index running in the background (one per
index), which outlives the script run that started it. Per browser session
(`st.session_state` only): the chat history and the user's choices (answer mode, API
key, passages). Nothing here answers questions or draws widgets; `app.py` and
`rag/app_pages/` do that.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass, field

import streamlit as st

from .answer import Answer
from .config import Settings
from .errors import RagError

log = logging.getLogger("rag.app")

EXTRACTIVE, LLM = "extractive", "llm"


_turn_ids = itertools.count(1)


@dataclass
class Turn:
    """One question in a session's chat and what came back for it.

    Recorded before its answer streams: a turn with neither `answer` nor `error` after
    its run was interrupted (the user did something else while it streamed), and
    `partial` holds what had arrived by then.
    """

    question: str
    answer: Answer | None = None
    error: str = ""  # one friendly line when no answer came back
    partial: str = ""  # the streamed text so far
    id: int = field(default_factory=lambda: next(_turn_ids))  # stable widget keys

    @property
    def finished(self) -> bool:
        return self.answer is not None or bool(self.error)


@dataclass(frozen=True)
class Choices:
    """One session's answering choices, read from its sidebar widgets."""

    mode: str
    api_key: str | None
    k: int


def base_settings() -> Settings:
    """Settings from the environment; the same for every session."""
    return Settings.load()


def choices(settings: Settings) -> Choices:
    state = st.session_state
    mode = state.get("mode") or (LLM if settings.llm == "openai" else EXTRACTIVE)
    typed = (state.get("api_key") or "").strip()
    return Choices(mode=mode, api_key=typed or None, k=int(state.get("k") or settings.top_k))


def run_settings(settings: Settings, chosen: Choices) -> Settings:
    """Settings for work that takes one settings object (an evaluation run)."""
    if chosen.mode == LLM:
        return settings.replace(llm="openai", openai_api_key=chosen.api_key or settings.openai_api_key, top_k=chosen.k)
    return settings.replace(llm="none", top_k=chosen.k)


def history() -> list[Turn]:
    return st.session_state.setdefault("history", [])


@st.cache_resource(show_spinner=False)
def shared_searcher(settings: Settings):
    """The process-wide searcher: model and index loaded once, shared by sessions.

    An error (no index yet) is not cached, so the next question tries again.
    """
    from .answer import get_searcher

    return get_searcher(settings)


@st.cache_resource(show_spinner=False)
def warm_up(settings: Settings) -> threading.Thread:
    """Load the model and index in the background so the first page draws at once."""

    def load() -> None:
        try:
            from .answer import get_searcher

            get_searcher(settings).embedder.embed_query("warm up")
        except Exception as exc:  # the first question reports it properly
            log.info("warm-up skipped: %s", exc)

    thread = threading.Thread(target=load, name="rag-warm-up", daemon=True)
    thread.start()
    return thread


# -- re-indexing in the background ---------------------------------------------------
class IngestJob:
    """One run of `ingest` in a thread of its own: a rerun or a closed tab does not
    stop it midway (which would leave a partial index), and every session can follow it."""

    _ids = itertools.count(1)

    def __init__(self, rebuild: bool, answerable: bool = False):
        self.id = next(self._ids)
        self.rebuild = rebuild
        # Whether the index could answer when it began: then it goes on answering (an
        # update commits document by document, a rebuild is swapped in when complete).
        self.answerable = answerable
        self.done = 0
        self.total = 0
        self.source = ""
        self.report = None  # the IngestReport, once it succeeded
        self.error: BaseException | None = None
        self.finished = threading.Event()

    @property
    def running(self) -> bool:
        return not self.finished.is_set()

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def progress(self, done: int, total: int, source: str) -> None:
        self.done, self.total, self.source = done, total, source

    def run(self, settings: Settings) -> None:
        from .ingest import ingest

        try:
            self.report = ingest(settings, rebuild=self.rebuild, progress=self.progress)
        except RagError as exc:
            self.error = exc
        except Exception as exc:
            log.exception("re-index failed")
            self.error = exc
        finally:
            self.finished.set()


_jobs: dict[tuple, IngestJob] = {}
_jobs_lock = threading.Lock()


def _job_key(settings: Settings) -> tuple:
    return (str(settings.index_dir), settings.chroma_url, settings.collection)


def ingest_job(settings: Settings) -> IngestJob | None:
    """The latest re-index of this index started from the app (running or finished), or None."""
    with _jobs_lock:
        return _jobs.get(_job_key(settings))


def indexing(settings: Settings) -> bool:
    """Whether a re-index of this index is running now (evaluations wait until it ends)."""
    job = ingest_job(settings)
    return job is not None and job.running


def questions_wait(settings: Settings) -> bool:
    """Whether questions wait for the running re-index: only while it builds an index
    that could not answer before (none, empty, damaged, or built with other settings)."""
    job = ingest_job(settings)
    return job is not None and job.running and not job.answerable


def _answerable(settings: Settings) -> bool:
    from .store import Index

    try:
        index = Index(settings)
        try:
            index.check_settings()
            return bool(index.files())
        finally:
            index.close()
    except RagError:
        return False


def start_ingest(settings: Settings, rebuild: bool = False) -> IngestJob:
    """Start re-indexing (`rebuild`: from scratch) in the background, or return the
    re-index already running on this index."""
    with _jobs_lock:
        key = _job_key(settings)
        job = _jobs.get(key)
        if job is not None and job.running:
            return job
        job = IngestJob(rebuild, answerable=_answerable(settings))
        _jobs[key] = job
        threading.Thread(target=job.run, args=(settings,), name="rag-ingest", daemon=True).start()
        return job
