"""Chat page: questions in, streamed answers out, every marker backed by a source card."""

import logging
from itertools import chain

import streamlit as st

from rag import ui
from rag.errors import RagError
from rag.ui_session import LLM, Turn, base_settings, choices, history, shared_searcher

log = logging.getLogger("rag.app")

EXAMPLES = (
    "What did France reject?",
    "Why does France not intercept boats at sea?",
    "Who is the UK border security chief?",
    "What did the UK Home Secretary demand?",
)
PLACEHOLDER = "Ask a question about your documents"
MAX_TURNS = 50

settings = base_settings()
turns = history()


def open_document(source: str):
    from rag.store import Index

    index = Index(settings)
    try:
        return index.document(source)
    finally:
        index.close()


def draw_card(key: str, citation, answer) -> None:
    with st.expander(ui.card_label(citation), icon=":material/format_quote:"):
        st.markdown(ui.passage_for(citation, answer.retrieved).markdown())
        st.caption(ui.escape_markdown(f"{citation.source} · characters {citation.start}–{citation.end}"))
        if st.toggle("Show the whole document", key=key):
            try:
                doc = open_document(citation.source)
            except RagError as exc:
                st.error(ui.friendly_error(exc))
                return
            if doc is None:
                st.warning("This document is no longer in the index.")
                return
            with st.container(height=420):
                st.markdown(f"**{ui.escape_markdown(doc.title)}**")
                st.markdown(ui.document_markdown(doc.text, citation))


def draw_answer(n: int, answer) -> None:
    if answer.refused:
        st.warning(ui.escape_markdown(answer.answer), icon=":material/block:")
        if answer.lead is not None:
            with st.expander("Closest passage found (not an answer)", icon=":material/search:"):
                st.markdown(ui.passage_for(answer.lead, answer.retrieved).markdown())
                st.caption(ui.escape_markdown(answer.lead.source))
    else:
        st.markdown(ui.answer_markdown(answer))
        flagged = ui.unsupported_count(answer)
        if flagged:
            st.warning(
                f"{flagged} sentence{'s' if flagged > 1 else ''} marked {ui.UNSUPPORTED_FLAG} "
                "could not be matched to the cited sources.", icon=":material/report:",
            )
    if answer.notice:
        st.info(ui.escape_markdown(answer.notice), icon=":material/info:")
    meta = [f"{answer.mode} answer"]
    if answer.timings_ms.get("total"):
        meta.append(f"{answer.timings_ms['total'] / 1000:.1f} s")
    if answer.query and " ".join(answer.query.split()) != " ".join(answer.question.split()):
        meta.append(f"searched for: {answer.query}")
    st.caption(ui.escape_markdown(" · ".join(meta)))
    for i, citation in enumerate(answer.citations):
        draw_card(f"doc-{n}-{i}", citation, answer)


def draw_turn(n: int, turn: Turn) -> None:
    with st.chat_message("user"):
        st.markdown(ui.escape_markdown(turn.question))
    with st.chat_message("assistant"):
        draw_result(n, turn)


def draw_result(n: int, turn: Turn) -> None:
    if turn.answer is None:
        st.error(turn.error)
        return
    try:
        draw_answer(n, turn.answer)
    except Exception:
        log.exception("drawing an answer failed")
        st.error("This answer could not be shown; the server log has the details.")


def ask(question: str) -> Turn:
    from rag.answer import stream_answer

    chosen = choices(settings)
    turn = Turn(question)
    slot = st.empty()
    try:
        with slot.container():
            stream = stream_answer(
                question, settings=settings, history=[t.question for t in turns if t.answer is not None],
                k=chosen.k, mode=chosen.mode, searcher=shared_searcher(settings),
                api_key=chosen.api_key if chosen.mode == LLM else None,
            )
            deltas = iter(stream)
            with st.spinner("Searching your documents…"):  # the first question may load the model
                first = next(deltas, "")
            st.write_stream(ui.escape_markdown(d, line_start=False) for d in chain([first], deltas))
        turn.answer = stream.answer
    except Exception as exc:  # RagError: its own line; anything else: a generic one, logged
        if not isinstance(exc, RagError):
            log.exception("answering failed")
        turn.error = ui.friendly_error(exc, chosen.api_key)
    with slot.container():
        draw_result(len(turns), turn)
    return turn


def pick_example(question: str) -> None:
    st.session_state["pending"] = question


question = st.chat_input(PLACEHOLDER, max_chars=4000)
question = question or st.session_state.pop("pending", None)

if not turns and not question:
    st.title("Ask your documents")
    st.markdown(
        "Answers quote your documents word for word, and every marker like **\\[1\\]** "
        "opens the passage it came from. Try one of these:"
    )
    for example in EXAMPLES:
        st.button(example, on_click=pick_example, args=(example,), icon=":material/arrow_forward:")

for n, turn in enumerate(turns):
    draw_turn(n, turn)

if question:
    with st.chat_message("user"):
        st.markdown(ui.escape_markdown(question))
    with st.chat_message("assistant"):
        turns.append(ask(question))
    del turns[:-MAX_TURNS]  # a long session keeps its latest turns only
