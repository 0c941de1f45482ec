"""Twenty sessions at once on one shared searcher, as the app serves them.

Each thread is a session with its own history, calling `stream_answer` with the
process-wide searcher the way the chat page does. Each gets the answer it gets alone,
no session's history leaks into another's query, and the index and model are loaded
once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import rag.answer
import rag.embeddings
import rag.retrieve
from rag.answer import get_searcher, stream_answer
from rag.chat import content_words, spelled_out, standalone_query

# (history, question): standalone questions and follow-ups that only make sense with
# their own history.
SESSIONS = [
    ([], "What did France reject?"),
    ([], "Who is the UK's border security chief?"),
    ([], "How much has Britain paid France to help police the Channel?"),
    ([], "Why does France say it will not intercept the boats?"),
    ([], "What stance did Bruno Retailleau take on the Channel crossings?"),
    ([], "Who won the last UK general election?"),
    ([], "Where are the small boats leaving from?"),
    ([], "What did James Cleverly demand from France?"),
    (["What did France reject?"], "Why?"),
    (["Who is the UK's border security chief?"], "What has he complained about?"),
    (["Where are the small boats leaving from?"], "How often do they set off from there?"),
    (["What did James Cleverly demand from France?"], "And how did the French respond to it?"),
    (["How much has Britain paid France?"], "What is it for?"),
    (["What stance did Bruno Retailleau take?"], "Why?"),
    (["Who is the UK's border security chief?"], "When was he appointed to that job?"),
    (["What did the French maritime prefecture say?"], "Why?"),
    (["What doctrine is being studied?"], "Who is studying it?"),
    (["What did France reject?", "Who is the UK's border security chief?"], "What has he complained about?"),
    (["Why does France say it will not intercept the boats?"], "And what about the UK?"),
    (["How do smugglers operate near Dunkirk?"], "What do they charge?"),
]


def ask(settings, history, question):
    stream = stream_answer(question, settings=settings, history=history, searcher=get_searcher(settings))
    text = "".join(stream)
    answer = stream.answer
    assert text == answer.answer or answer.refused
    out = answer.to_json()
    out.pop("timings_ms")
    return out


def test_twenty_sessions_at_once_get_their_own_answers(real_seed_settings, monkeypatch):
    # Count what gets built: searchers, and requests for the embedding model.
    monkeypatch.setattr(rag.answer, "_searchers", {})
    built, fetched = [], []

    class CountingSearcher(rag.retrieve.Searcher):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    real_get_embedder = rag.embeddings.get_embedder

    def counting_get_embedder(settings):
        fetched.append(1)
        return real_get_embedder(settings)

    monkeypatch.setattr(rag.retrieve, "Searcher", CountingSearcher)
    monkeypatch.setattr(rag.embeddings, "get_embedder", counting_get_embedder)
    models_before = len(rag.embeddings._cache)

    alone = [ask(real_seed_settings, h, q) for h, q in SESSIONS]
    assert len(set(a["answer"] for a in alone)) > 8  # different questions, different answers
    assert sum(not a["refused"] for a in alone) >= 10

    start = threading.Barrier(len(SESSIONS))

    def session(i):
        history, question = SESSIONS[i]
        start.wait()  # all twenty ask at the same moment
        return ask(real_seed_settings, list(history), question)

    with ThreadPoolExecutor(max_workers=len(SESSIONS)) as pool:
        together = list(pool.map(session, range(len(SESSIONS))))

    for (history, question), a, b in zip(SESSIONS, alone, together):
        assert b == a, question
        # searched as spelled out ("set off from" is "leave from")
        assert b["query"] == standalone_query(spelled_out(question), [spelled_out(h) for h in history])
        # a follow-up's query holds its own history's words and nobody else's
        own = {w.lower() for text in [*history, question] for w in content_words(spelled_out(text))}
        assert {w.lower() for w in content_words(b["query"])} <= own

    # loaded once: one searcher in the cache, built once, one model for all sessions
    assert len(rag.answer._searchers) == 1
    assert len(built) == 1 and len(fetched) == 1
    assert len(rag.embeddings._cache) == models_before
