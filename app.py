"""Ask your documents: the Streamlit app (chat and evaluation pages, shared sidebar).

Run with `streamlit run app.py`. Widgets and session state only; the pipeline is `rag`.
"""

import streamlit as st

from rag import ui
from rag.config import unknown_variables
from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, RagError
from rag.ui_session import EXTRACTIVE, LLM, base_settings, history, ingest_job, start_ingest, warm_up

st.set_page_config(page_title="Ask your documents", layout="wide")  # default icon: served locally

try:
    settings = base_settings()
except RagError as exc:
    st.error(ui.friendly_error(exc))
    st.stop()

warm_up(settings)
for line in unknown_variables():
    st.sidebar.warning(ui.escape_markdown(line), icon=":material/warning:")


def start_reindex(rebuild: bool = False) -> None:
    """Button callback: re-index (or rebuild) in the background and follow it here."""
    job = start_ingest(settings, rebuild=rebuild)
    st.session_state["ingest_watch"] = job.id


def rebuild_button(key: str, busy: bool) -> None:
    st.button("Rebuild index", key=key, on_click=start_reindex, args=(True,), disabled=busy, type="primary",
              icon=":material/build:", width="stretch",
              help=ui.escape_markdown(f"Delete the index and build it again from {settings.docs_dir}"))


@st.fragment(run_every=0.5)
def ingest_progress(job_id: int) -> None:
    """The running re-index's progress, redrawn twice a second; the whole page once it ends."""
    job = ingest_job(settings)
    if job is None or job.id != job_id or not job.running:
        st.rerun()  # the index status, the chat and the outcome change with it
    what = "Rebuilding the index" if job.rebuild else "Re-indexing"
    text = f"{what}: {job.done}/{job.total} · {job.source[-40:]}" if job.total else f"{what}: reading documents…"
    st.progress(job.fraction, text=ui.escape_markdown(text))
    if job.answerable:
        st.caption("Questions are answered from the index as it stands; this goes on if you leave the page.")
    else:
        st.caption("Questions wait until it ends; it goes on if you leave this page.")


def ingest_outcome(job, shown: str | None) -> None:
    """How the re-index this session followed ended, once; `shown`: the error the
    index status already shows (not repeated)."""
    if job is None or job.running or st.session_state.get("ingest_watch") != job.id:
        return
    del st.session_state["ingest_watch"]
    if job.error is None:
        report = job.report
        st.success(ui.escape_markdown(report.summary().splitlines()[0]))
        if report.remade:
            st.caption(f"The vectors of {report.remade} indexed chunks were remade from their sentences' "
                       "(an index from an earlier version).")
        for skipped in report.skipped:
            st.caption(ui.escape_markdown(f"Skipped {skipped.path}: {skipped.reason}"))
        return
    if not isinstance(job.error, RagError):
        st.error("Re-indexing failed unexpectedly; the server log has the details.")
        return
    message = ui.friendly_error(job.error)
    if message == shown:
        return
    st.error(message)
    if isinstance(job.error, IndexCorruptError) or getattr(job.error, "rebuild", False):
        rebuild_button("rebuild-after-reindex", busy=False)


def index_status(box, busy: bool) -> str | None:
    """Draw what the index holds (or what is wrong with it); return the error shown, if any."""
    from rag.store import Index

    try:
        index = Index(settings)
        try:
            index.check_settings()
            stats = index.stats()
        finally:
            index.close()
    except IndexMissingError:
        if busy:
            box.info("Building the index…")
        else:
            box.warning("No index yet: press **Re-index documents** to build it.")
        return None
    except (IndexCorruptError, IndexMismatchError) as exc:
        message = ui.friendly_error(exc)
        box.error(message)
        if getattr(exc, "rebuild", True):  # else Re-index documents puts it right
            with box:
                rebuild_button("rebuild", busy)
        return message
    except RagError as exc:
        message = ui.friendly_error(exc)
        box.error(message)
        return message
    if stats.chunks == 0 and not busy:
        box.warning("The index is empty: press **Re-index documents** to build it.")
    box.markdown(
        f"**{stats.documents}** document{'' if stats.documents == 1 else 's'} · "
        f"**{stats.chunks}** chunk{'' if stats.chunks == 1 else 's'}  \n"
        f"Embedding model: {ui.escape_markdown(stats.embedding_model)}  \n"
        f"Last ingested: {ui.format_time(stats.updated_at)}"
    )
    return None


with st.sidebar:
    st.subheader("Index")
    status = st.container()
    job = ingest_job(settings)
    busy = job is not None and job.running
    st.button("Re-index documents", icon=":material/refresh:", width="stretch", on_click=start_reindex,
              disabled=busy, help=ui.escape_markdown(f"Read new and changed files in {settings.docs_dir}"))
    if busy:
        ingest_progress(job.id)
    ingest_outcome(job, index_status(status, busy))

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
            if settings.openai_base_url:  # sent without a key: local servers need none
                st.caption(f"No key: questions go to {ui.code(settings.openai_base_url)} without one, which "
                           "suits a local server (Ollama, llama.cpp). Enter a key if that server needs one.")
            else:
                st.caption("LLM mode needs an API key: enter it here or set OPENAI_API_KEY. "
                           "A local server (Ollama, llama.cpp) needs none: set OPENAI_BASE_URL to its address.")
    st.slider("Passages to search", 1, 10, value=min(settings.top_k, 10), key="k")
    st.button("Clear chat", icon=":material/delete:", on_click=lambda: history().clear(), width="stretch")

# No page icons: Streamlit turns them into favicons fetched from a font CDN, and the app stays offline.
page = st.navigation([
    st.Page("rag/app_pages/chat.py", title="Chat", default=True),
    st.Page("rag/app_pages/evaluation.py", title="Evaluation"),
])
page.run()
