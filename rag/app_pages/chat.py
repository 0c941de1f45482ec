"""Chat page: questions in, streamed answers out, every marker backed by a source card."""

import logging
from itertools import chain

import streamlit as st

from rag import ui
from rag.errors import QuestionError, RagError
from rag.ui_session import LLM, Turn, base_settings, choices, history, questions_wait, shared_searcher

log = logging.getLogger("rag.app")

EXAMPLES = (
    "What are these documents about?",  # any collection: each document's opening
    "What did France reject?",
    "Why does France not intercept boats at sea?",
    "Who is the UK border security chief?",
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
    # A key of its own: the card stays open when its toggle reruns the page.
    icon = ":material/format_quote:" if citation.supports else ":material/warning:"
    with st.expander(ui.card_label(citation), icon=icon, key=f"card-{key}"):
        st.markdown(ui.passage_for(citation, answer.retrieved).markdown())
        st.caption(ui.escape_markdown(f"{citation.source} · characters {citation.start}–{citation.end}"))
        if st.toggle("Show the whole document", key=key):
            draw_document(citation)


def draw_document(citation) -> None:
    """The whole document under its card, the quote highlighted: named once (its own
    first line is usually its title), and said where to look."""
    try:
        doc = open_document(citation.source)
    except RagError as exc:
        st.error(ui.friendly_error(exc))
        return
    if doc is None:
        st.warning("This document is no longer in the index.")
        return
    where = f"Whole document: {citation.source}"
    if not ui.opens_with_title(doc.text, doc.title):
        where = f"Whole document: {doc.title} ({citation.source})"
    share = citation.start / max(len(doc.text), 1)
    st.caption(ui.escape_markdown(f"{where}. The quote is highlighted, about {share:.0%} of the way down."))
    with st.container(height=420):
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
                f"{flagged} highlighted sentence{'s' if flagged > 1 else ''} marked {ui.UNSUPPORTED_FLAG} "
                "could not be matched to the cited sources.", icon=":material/report:",
            )
    if answer.notice:
        st.info(ui.notice_markdown(answer.notice), icon=":material/info:")
    meta = [f"{answer.mode} answer"]
    if answer.timings_ms.get("total"):
        total = answer.timings_ms["total"]
        meta.append(f"{total / 1000:.1f} s" if total >= 1000 else f"{total:.0f} ms")  # not "0.0 s"
    if answer.query and " ".join(answer.query.split()) != " ".join(answer.question.split()):
        meta.append(f"searched for: {answer.query}")
    st.caption(ui.escape_markdown(" · ".join(meta)))
    for i, citation in enumerate(answer.citations):
        draw_card(f"doc-{n}-{i}", citation, answer)


def draw_turn(turn: Turn) -> None:
    with st.chat_message("user"):
        st.markdown(ui.question_echo(turn.question))
    with st.chat_message("assistant"):
        with st.empty().container():  # the same element tree as while it streamed
            draw_result(turn)


def draw_result(turn: Turn) -> None:
    if not turn.finished:
        draw_interrupted(turn)
        return
    if turn.answer is None:
        st.error(turn.error)
        return
    try:
        draw_answer(turn.id, turn.answer)
    except Exception:
        log.exception("drawing an answer failed")
        st.error("This answer could not be shown; the server log has the details.")


def draw_interrupted(turn: Turn) -> None:
    """A turn whose run stopped while it streamed (another question, a click elsewhere)."""
    if turn.partial.strip():
        st.markdown(ui.escape_markdown(turn.partial.strip()))
    later = turns[turns.index(turn) + 1:] if turn in turns else []
    # Asked again, now or since (the new turn has its own button if it is stopped too).
    if turn.question in sent or any(t.question == turn.question for t in later):
        st.caption("Interrupted; asked again below.")
        return
    st.warning("Interrupted: ask again. This answer stopped when the page was used while it was being written.",
               icon=":material/pause_circle:")
    st.button("Ask again", key=f"again-{turn.id}", on_click=pick_example, args=(turn.question,),
              icon=":material/replay:")


def ask(turn: Turn) -> None:
    """Answer a turn already in the history, streaming; the turn is filled in as it goes."""
    from rag.answer import stream_answer

    chosen = choices(settings)
    slot = st.empty()

    def shown(deltas):
        # Handed on a word at a time: an address split across deltas ("http", "://")
        # would be joined by the page into a live link before escaping could see it.
        pending = ""
        for delta in deltas:
            turn.partial += delta
            pending += delta
            cut = max(pending.rfind(" "), pending.rfind("\n")) + 1 or (len(pending) if len(pending) > 200 else 0)
            if cut:
                yield ui.escape_markdown(pending[:cut], line_start=False)
                pending = pending[cut:]
        if pending:
            yield ui.escape_markdown(pending, line_start=False)

    try:
        with slot.container():
            stream = stream_answer(
                turn.question, settings=settings,
                history=[t.question for t in turns if t.answer is not None and t is not turn],
                k=chosen.k, mode=chosen.mode, searcher=shared_searcher(settings),
                api_key=chosen.api_key if chosen.mode == LLM else None,
            )
            deltas = iter(stream)
            waiting = "Searching your documents and asking the language model…" if chosen.mode == LLM \
                else "Searching your documents…"
            with st.spinner(waiting):  # the first question may load the model
                first = next(deltas, "")
            st.write_stream(shown(chain([first], deltas)))
        turn.answer = stream.answer
    except Exception as exc:  # RagError: its own line; anything else: a generic one, logged
        if not isinstance(exc, RagError):
            log.exception("answering failed")
        too_long = ui.too_long(exc, turn.question) if isinstance(exc, QuestionError) else None
        turn.error = too_long or ui.friendly_error(exc, chosen.api_key)
    with slot.container():
        draw_result(turn)


def pick_example(question: str) -> None:
    st.session_state["pending"] = question


busy = questions_wait(settings)
# No max_chars: a question too long is answered with the reason, not dropped by the browser.
# Never disabled: a disabled box drops a question sent just before it turned disabled.
question = st.chat_input(PLACEHOLDER)
blank = question is not None and not question.strip()  # said once below, not kept as a turn
sent = [q for q in (None if blank else question, st.session_state.pop("pending", None)) if q]
held = st.session_state.setdefault("held", [])
if busy:
    # Held until the first build ends: searching a half-built index would mislead.
    held.extend(sent)
    sent = []
else:
    sent = held + sent
    held.clear()

# One slot, first on the page, for the welcome: once a question is sent, an empty slot
# replaces it at once, instead of its buttons lingering, faded, under the answer that
# streams in (elements a run has not drawn yet stay on the page until the run ends).
landing = st.empty()
if not turns and not sent and not held:
    landing = landing.container()
    landing.title("Ask your documents")
    landing.markdown(
        "Answers quote your documents word for word, and every marker like **\\[1\\]** "
        "opens the passage it came from. Try one of these:"
    )
    for example in EXAMPLES:
        landing.button(example, on_click=pick_example, args=(example,), icon=":material/arrow_forward:")

for turn in turns:
    draw_turn(turn)

if blank:
    st.warning("The question is empty: type a question about your documents.", icon=":material/edit:")

for waiting in held:
    with st.chat_message("user"):
        st.markdown(ui.question_echo(waiting))
    with st.chat_message("assistant"):
        st.info("The index is being built: this question is answered as soon as that ends.",
                icon=":material/hourglass_top:")
if busy and not held:
    st.info("The index is being built: a question asked now is answered as soon as that ends.",
            icon=":material/hourglass_top:")

# In the history before they stream: a rerun midway (another question, a click) stops
# this run, and an unanswered turn then shows as interrupted instead of vanishing.
new_turns = [Turn(q) for q in sent]
turns.extend(new_turns)
del turns[:-MAX_TURNS]  # a long session keeps its latest turns only
for turn in new_turns:
    with st.chat_message("user"):
        st.markdown(ui.question_echo(turn.question))
    with st.chat_message("assistant"):
        ask(turn)
