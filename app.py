"""Ask your documents: the Streamlit app (chat and evaluation pages, shared sidebar).

Run with `streamlit run app.py`. Widgets and session state only; the pipeline is `rag`.
"""

import logging

import streamlit as st

from rag import ui
from rag.errors import IndexMissingError, RagError
from rag.ui_session import EXTRACTIVE, LLM, base_settings, history, warm_up

log = logging.getLogger("rag.app")

st.set_page_config(page_title="Ask your documents", layout="wide")  # default icon: served locally

try:
    settings = base_settings()
except RagError as exc:
    st.error(ui.friendly_error(exc))
    st.stop()

warm_up(settings)


def reindex() -> None:
    from rag.ingest import ingest

    bar = st.sidebar.progress(0.0, text="Reading documents…")

    def progress(done: int, total: int, source: str) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} · {source[-40:]}")

    try:
        report = ingest(settings, progress=progress)
    except RagError as exc:
        st.sidebar.error(ui.friendly_error(exc))
    except Exception:
        log.exception("re-index failed")
        st.sidebar.error("Re-indexing failed unexpectedly; the server log has the details.")
    else:
        bar.progress(1.0, text="Done")
        st.sidebar.success(ui.escape_markdown(report.summary().splitlines()[0]))
        for skipped in report.skipped:
            st.sidebar.caption(ui.escape_markdown(f"Skipped {skipped.path}: {skipped.reason}"))


def index_status(box) -> None:
    from rag.store import Index

    try:
        index = Index(settings)
        try:
            stats = index.stats()
        finally:
            index.close()
    except IndexMissingError:
        box.warning("No index yet: press **Re-index documents** to build it.")
        return
    except RagError as exc:
        box.error(ui.friendly_error(exc))
        return
    box.markdown(
        f"**{stats.documents}** document{'' if stats.documents == 1 else 's'} · "
        f"**{stats.chunks}** chunk{'' if stats.chunks == 1 else 's'}  \n"
        f"Embedding model: {ui.escape_markdown(stats.embedding_model)}  \n"
        f"Last ingested: {ui.format_time(stats.updated_at)}"
    )


with st.sidebar:
    st.subheader("Index")
    status = st.container()
    if st.button("Re-index documents", icon=":material/refresh:", width="stretch",
                 help=ui.escape_markdown(f"Read new and changed files in {settings.docs_dir}")):
        reindex()
    index_status(status)

    st.subheader("Answers")
    st.radio(
        "Answer mode", [EXTRACTIVE, LLM], key="mode",
        index=1 if settings.llm == "openai" else 0,
        format_func={EXTRACTIVE: "Extractive (offline, quotes only)", LLM: "LLM (OpenAI-compatible)"}.get,
    )
    if st.session_state.get("mode") == LLM:
        st.text_input(
            "API key", key="api_key", type="password",
            placeholder="from OPENAI_API_KEY" if settings.openai_api_key else "sk-…",
            help="Kept in this browser session only. Leave empty to use OPENAI_API_KEY.",
        )
        if not settings.openai_api_key and not st.session_state.get("api_key"):
            st.caption("LLM mode needs a key here or in OPENAI_API_KEY (or OPENAI_BASE_URL for a local server).")
    st.slider("Passages to search", 1, 10, value=min(settings.top_k, 10), key="k")
    st.button("Clear chat", icon=":material/delete:", on_click=lambda: history().clear(), width="stretch")

# No page icons: Streamlit turns them into favicons fetched from a font CDN, and the app stays offline.
page = st.navigation([
    st.Page("rag/app_pages/chat.py", title="Chat", default=True),
    st.Page("rag/app_pages/evaluation.py", title="Evaluation"),
])
page.run()
