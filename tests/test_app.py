"""The Streamlit app, driven by `AppTest` against a real index and the real model.

Also the Markdown safety of everything the app shows: document and model text is
checked by parsing the app's Markdown with a CommonMark parser, which is what decides
whether a browser would get an `<img>` or a `<script>`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import FRANCE_SOURCE, ROOT

pytestmark = pytest.mark.slow

HOSTILE_DOC = (
    "Harbour log\n\n"
    "The lighthouse keeper logged a violent storm at midnight <script>alert('owned')</script> "
    "and closed the harbour until dawn.\n"
    "The lighthouse keeper also logged <img src=x onerror=alert(1)> a broken lamp "
    "![tracker](http://203.0.113.7/pixel.png) in the north tower.\n"
)


def plain(markdown: str) -> str:
    """What a reader sees of escaped Markdown (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def app(monkeypatch, settings):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RAG_DOCS_DIR", str(settings.docs_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()


def ask(at, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at.chat_message[-1]


def card_labels(message) -> list[str]:
    return [plain(e.label) for e in message.expander]


# -- Markdown safety (no app run) -----------------------------------------------
@pytest.mark.parametrize("text", [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "![tracker](http://203.0.113.7/pixel.png) and [a link](javascript:alert(1))",
    "# heading\n    indented code\n* item\n> quote | table |\n\n:red[colour] $x^2$ **bold** `code`",
])
def test_document_text_renders_as_the_same_text(text):
    markdown_it = pytest.importorskip("markdown_it")
    from html import unescape

    from rag.ui import escape_markdown, highlight

    for markdown in (escape_markdown(text), highlight(text, 3, len(text) - 2)):
        html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(markdown)
        assert "<img" not in html and "<script" not in html and "<a " not in html
        assert "<h1" not in html and "<pre" not in html and "<li" not in html
        shown = unescape(re.sub(r"<[^>]+>", "", html))
        assert " ".join(shown.split()) == " ".join(text.split())


def test_quote_is_bold_inside_its_passage():
    from rag.answer import Citation, Retrieved
    from rag.ui import passage_for

    text = 'France said: "we do not intercept boats". Talks go on.'
    quote = '"we do not intercept boats".'
    start = text.index(quote)
    citation = Citation(1, "a.txt", "c1", quote, 100 + start, 100 + start + len(quote), "A")
    retrieved = (Retrieved("c1", "a.txt", 0.5, 100, 100 + len(text), "A", text),)
    markdown = passage_for(citation, retrieved).markdown()
    assert plain(markdown) == 'France said: **"we do not intercept boats".** Talks go on.'
    # Without the chunk at hand, the passage comes from the whole document.
    document = "x " * 500 + text + " y" * 500
    citation = Citation(1, "a.txt", "c1", quote, 1000 + start, 1000 + start + len(quote), "A")
    passage = passage_for(citation, (), document)
    assert passage.text[passage.start:passage.end] == quote
    assert passage.clipped_before and passage.clipped_after


# -- the chat -------------------------------------------------------------------
@pytest.fixture
def chat(monkeypatch, real_seed_settings):
    return app(monkeypatch, real_seed_settings)


def test_first_visit_offers_examples_and_index_status(chat):
    assert "What did France reject?" in [b.label for b in chat.button]
    status = " ".join(plain(m.value) for m in chat.sidebar.markdown)
    assert "2 documents" in status.replace("*", "") and "all-MiniLM-L6-v2" in status


def test_first_page_draws_while_the_model_is_still_loading(monkeypatch, real_seed_settings):
    import threading

    import rag.answer

    loading, release, loaded = threading.Event(), threading.Event(), threading.Event()
    original = rag.answer.get_searcher

    def slow_load(settings):
        loading.set()
        release.wait(120)
        try:
            return original(settings)
        finally:
            loaded.set()

    monkeypatch.setattr(rag.answer, "get_searcher", slow_load)
    try:
        monkeypatch.setenv("RAG_LOCK_TIMEOUT", "61")  # settings no other test has: a warm-up of its own
        at = app(monkeypatch, real_seed_settings)
        assert loading.wait(30)  # the background warm-up has begun loading the model and index
        assert not loaded.is_set()  # ... and the page below was drawn without waiting for it
        assert not at.exception
        assert "What did France reject?" in [b.label for b in at.button]
        assert at.chat_input
    finally:
        release.set()


def test_answer_cites_its_source_and_follow_up_shows_query(chat):
    message = ask(chat, "What did France reject?")
    answer = plain(message.markdown[0].value)
    assert "rejected" in answer and "[1]" in answer
    labels = card_labels(message)
    assert labels and any(FRANCE_SOURCE in label for label in labels)
    card = next(e for e in message.expander if FRANCE_SOURCE in plain(e.label))
    passage = plain(card.markdown[0].value)
    assert "**French officials have swiftly rejected" in passage  # quote highlighted in its passage

    card.toggle[0].set_value(True).run()
    card = next(e for e in chat.chat_message[-1].expander if FRANCE_SOURCE in plain(e.label))
    whole = " ".join(plain(m.value) for m in card.markdown)
    assert "UK Home Secretary Demands France" in whole and "**French officials" in whole

    message = ask(chat, "Why did they reject it?")
    captions = " ".join(plain(c.value) for c in message.caption)
    assert "searched for:" in captions and "France" in captions
    assert len(chat.chat_message) == 4  # both turns kept in this session's history


def test_unanswerable_question_is_refused(chat):
    message = ask(chat, "What is the population of Tokyo in 1850?")
    assert message.warning and "don't answer" in plain(message.warning[0].value)
    assert not message.expander or "not an answer" in plain(message.expander[0].label)


def test_example_button_asks_it(chat):
    next(b for b in chat.button if b.label == "What did France reject?").click().run()
    assert not chat.exception
    assert any(FRANCE_SOURCE in label for label in card_labels(chat.chat_message[-1]))
    chat.sidebar.button[-1].click().run()  # clear chat
    assert not chat.chat_message


def test_sessions_keep_separate_histories(monkeypatch, real_seed_settings):
    first = app(monkeypatch, real_seed_settings)
    second = app(monkeypatch, real_seed_settings)
    ask(first, "What did France reject?")
    ask(second, "Who is the UK border security chief?")
    assert "Hewitt" in plain(second.chat_message[-1].markdown[0].value)
    assert len(first.chat_message) == len(second.chat_message) == 2
    assert "rejected" in plain(first.chat_message[-1].markdown[0].value)


# -- hostile text and faults ----------------------------------------------------
@pytest.fixture
def hostile_settings(tmp_path, real_embedder):
    from rag.config import Settings
    from rag.ingest import ingest

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=real_embedder)
    return settings


def test_html_and_remote_images_in_answers_are_shown_as_text(monkeypatch, hostile_settings):
    markdown_it = pytest.importorskip("markdown_it")
    at = app(monkeypatch, hostile_settings)
    message = ask(at, "What did the lighthouse keeper log?")
    drawn = [m.value for m in message.markdown] + [e.label for e in message.expander]
    shown = " ".join(plain(m) for m in drawn)
    assert "<script>alert('owned')</script>" in shown or "<img src=x onerror=alert(1)>" in shown
    for markdown in drawn:
        html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(markdown)
        assert "<script" not in html and "<img" not in html


def test_llm_fault_keeps_the_app_usable_and_the_key_hidden(monkeypatch, real_seed_settings):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("RAG_LLM_RETRIES", "0")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "3")
    at = app(monkeypatch, real_seed_settings)
    at.sidebar.radio[0].set_value("llm").run()
    secret = "sk-test-secret-key-1234567890"
    at.sidebar.text_input[0].set_value(secret).run()
    message = ask(at, "What did France reject?")
    page = " ".join(plain(e.value) for e in [*message.markdown, *message.info, *message.error, *message.caption])
    assert secret not in page
    assert message.info or message.error  # the fault is stated, not hidden
    at.sidebar.radio[0].set_value("extractive").run()
    message = ask(at, "What did France reject?")
    assert any(FRANCE_SOURCE in label for label in card_labels(message))


def llm_app(monkeypatch, settings, server):
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("RAG_LLM_RETRIES", "0")
    at = app(monkeypatch, settings)
    at.sidebar.radio[0].set_value("llm").run()
    return at


def test_unsupported_llm_sentences_are_flagged(monkeypatch, real_seed_settings):
    from .fake_openai import FakeOpenAI, Reply

    invented = "France also agreed to pay the UK five billion euros for new warships [1]."
    reply = Reply("French officials have swiftly rejected the UK's demands [1]. " + invented)
    with FakeOpenAI([reply]) as server:
        at = llm_app(monkeypatch, real_seed_settings, server)
        at.sidebar.text_input[0].set_value("sk-test").run()
        message = ask(at, "What did France reject?")
    answer = plain(message.markdown[0].value)
    assert "⚠️ _France also agreed to pay" in answer  # the invented sentence carries the flag
    assert "⚠️ _French officials" not in answer
    assert message.warning and "could not be matched" in plain(message.warning[0].value)
    assert any(FRANCE_SOURCE in label for label in card_labels(message))


def test_rejected_key_is_one_message_without_the_key(monkeypatch, real_seed_settings):
    from .fake_openai import FakeOpenAI, Status

    secret = "sk-wrong-key-0123456789abcdef"
    with FakeOpenAI([Status(401)]) as server:
        at = llm_app(monkeypatch, real_seed_settings, server)
        at.sidebar.text_input[0].set_value(secret).run()
        message = ask(at, "What did France reject?")
        assert len(message.error) == 1 and "401" in plain(message.error[0].value)
        assert secret not in str(at._tree)
    at.sidebar.radio[0].set_value("extractive").run()
    message = ask(at, "What did France reject?")  # the session carries on
    assert any(FRANCE_SOURCE in label for label in card_labels(message))


def test_missing_index_is_one_friendly_message(monkeypatch, tmp_path):
    from rag.config import Settings

    at = app(monkeypatch, Settings.load(docs_dir=tmp_path / "docs", index_dir=tmp_path / "none"))
    assert "No index yet" in plain(at.sidebar.warning[0].value)
    message = ask(at, "What did France reject?")
    assert len(message.error) == 1 and "rag ingest" in plain(message.error[0].value)


# -- the evaluation page --------------------------------------------------------
def cases_table(at):
    return next(d.value for d in at.dataframe if "result" in d.value.columns)


def test_evaluation_page_runs_a_suite_and_compares_runs(chat):
    suite = ROOT / "evals" / "smoke.jsonl"
    if not suite.exists():
        pytest.skip("evals/smoke.jsonl is not in this checkout")
    cases = sum(1 for line in suite.read_text(encoding="utf-8").splitlines() if line.strip())
    at = chat.switch_page("rag/app_pages/evaluation.py").run()
    assert at.selectbox[0].value == "smoke.jsonl"
    run_button = next(b for b in at.button if b.label == "Run evaluation")
    run_button.click().run()
    assert not at.exception and not at.error
    metrics = at.dataframe[0].value
    assert {"hit@5", "answer_match", "refusal_accuracy", "citation_validity"} <= set(metrics["metric"])
    assert metrics.set_index("metric").loc["hit@5", "value"] > 0
    table = cases_table(at)
    assert len(table) == cases and set(table["result"]) <= {"pass", "FAIL"}
    assert {"question", "answer", "citations", "hit@5"} <= set(table.columns)

    next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert at.selectbox[-1].value == "previous run in this session"
    deltas = next(d.value for d in at.dataframe if "delta" in d.value.columns)
    assert deltas.set_index("metric").loc["answer_match", "delta"] == 0  # same suite, same answers
    assert {"Download JSON", "Download Markdown"} <= {b.label for b in at.get("download_button")}


def test_uploaded_suite_runs_and_a_bad_one_is_one_message(chat):
    at = chat.switch_page("rag/app_pages/evaluation.py").run()
    at.radio[0].set_value("Upload a JSONL file").run()
    bad = b'{"id": "a", "question": "What did France reject?"}\nnot json\n'
    at.file_uploader[0].set_value(("broken.jsonl", bad, "application/jsonl")).run()
    assert not at.exception and len(at.error) == 1 and "line 1" in plain(at.error[0].value)

    suite = "\n".join(json.dumps(case) for case in [
        {"id": "france", "question": "What did France reject?", "answerable": True,
         "expected_sources": [FRANCE_SOURCE], "must_include": [["rejected"]], "reference_answer": "The UK demands."},
        {"id": "tokyo", "question": "What is the population of Tokyo in 1850?", "answerable": False,
         "expected_sources": [], "must_include": [], "reference_answer": ""},
    ])
    at.file_uploader[0].set_value(("mine.jsonl", suite.encode(), "application/jsonl")).run()
    next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert not at.exception and not at.error
    metrics = at.dataframe[0].value.set_index("metric")["value"]
    assert metrics["answer_match"] == 1.0 and metrics["refusal_accuracy"] == 1.0
    assert list(cases_table(at)["result"]) == ["pass", "pass"]


def test_reindex_button_adds_new_documents(monkeypatch, hostile_settings):
    at = app(monkeypatch, hostile_settings)
    assert "1 document ·" in plain(at.sidebar.markdown[0].value).replace("*", "")
    shutil.copy(ROOT / "docs" / FRANCE_SOURCE, hostile_settings.docs_dir / FRANCE_SOURCE)
    next(b for b in at.sidebar.button if b.label == "Re-index documents").click().run()
    assert not at.exception
    assert "1 added" in plain(at.sidebar.success[0].value)
    assert "2 documents" in plain(at.sidebar.markdown[0].value).replace("*", "")
    message = ask(at, "What did France reject?")
    assert any(FRANCE_SOURCE in label for label in card_labels(message))
