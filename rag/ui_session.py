"""What the app shares between sessions and what it keeps per session.

Shared, once per process (`st.cache_resource`): the searcher, which holds the
embedding model and the index. Per browser session (`st.session_state` only): the
chat history and the user's choices (answer mode, API key, passages). Nothing here
answers questions or draws widgets; `app.py` and `rag/app_pages/` do that.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import streamlit as st

from .answer import Answer
from .config import Settings

log = logging.getLogger("rag.app")

EXTRACTIVE, LLM = "extractive", "llm"


@dataclass
class Turn:
    """One question in a session's chat and what came back for it."""

    question: str
    answer: Answer | None = None
    error: str = ""  # one friendly line when no answer came back


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
