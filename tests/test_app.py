"""The Streamlit app, driven by `AppTest` against a real index and the real model.

Also the Markdown safety of everything the app shows: document and model text is
checked by parsing the app's Markdown with a CommonMark parser, which is what decides
whether a browser would get an `<img>` or a `<script>`.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from .conftest import FRANCE_SOURCE, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _own_evals_folder(monkeypatch, tmp_path_factory):
    """The app's evals/ is a copy of the project's suites with no saved runs, so runs a
    developer saved in evals/runs/ are not what these tests compare with (a test may
    point it elsewhere itself)."""
    import rag.config

    root = tmp_path_factory.mktemp("project")
    (root / "evals").mkdir()
    for suite in (ROOT / "evals").glob("*.jsonl"):
        shutil.copy(suite, root / "evals")
    monkeypatch.setattr(rag.config, "project_root", lambda: root)

HOSTILE_DOC = (
    "Harbour log\n\n"
    "The lighthouse keeper logged a violent storm at midnight <script>alert('owned')</script> "
    "and closed the harbour until dawn.\n"
    "The lighthouse keeper also logged <img src=x onerror=alert(1)> a broken lamp "
    "![tracker](http://203.0.113.7/pixel.png) in the north tower.\n"
    "The lighthouse keeper noted *the pier* and _the dock_ flooded, see [the chart](http://203.0.113.7/x.png), "
    "http://203.0.113.7/report, www.example.com and keeper@example.com for <b>details</b>.\n"
)
# What Streamlit's Markdown (remark-gfm's autolink literals) turns into links in any
# text node, escaped or not: the patterns from its bundle.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I | re.A)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.A)


def plain(markdown: str) -> str:
    """What a reader sees of escaped Markdown: code spans' text, backslash escapes removed."""
    spans = re.split(r"(`+) ?(.*?) ?\1", markdown)  # text, fence, code, text, fence, code, ...
    return "".join(re.sub(r"\\(.)", r"\1", part) if n % 3 == 0 else part if n % 3 == 2 else ""
                   for n, part in enumerate(spans))


def live_links(markdown: str) -> list[str]:
    """The links a browser would get from this Markdown in Streamlit: CommonMark links
    and images, and addresses that remark-gfm links in its text."""
    from html import unescape

    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(markdown)
    found = re.findall(r"<(?:a|img)\b[^>]*>", html)
    # remark-gfm links addresses in text, not in code spans
    for text in re.split(r"<[^>]+>", re.sub(r"<code>.*?</code>", " ", html, flags=re.S)):
        text = unescape(text)
        found += [m.group() for m in GFM_URL.finditer(text)] + [m.group() for m in GFM_EMAIL.finditer(text)]
    return found


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


def finish_reindex(at, timeout: float = 120):
    """Wait for the app's background re-index to end, then draw the page again."""
    from rag import ui_session

    for job in list(ui_session._jobs.values()):
        assert job.finished.wait(timeout), "the re-index did not end"
    return at.run()


def sidebar_button(at, label: str):
    return next(b for b in at.sidebar.button if b.label == label)


# -- Markdown safety (no app run) -----------------------------------------------
@pytest.mark.parametrize("text", [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "![tracker](http://203.0.113.7/pixel.png) and [a link](javascript:alert(1))",
    "# heading\n    indented code\n* item\n> quote | table |\n\n:red[colour] $x^2$ **bold** `code`",
    "[link](http://example.com/x.png), http://example.com/a, HTTPS://example.com/b, www.example.com, "
    "me@example.com, <b>bold</b>, *stars* and _underscores_",
])
def test_document_text_renders_as_the_same_text(text):
    markdown_it = pytest.importorskip("markdown_it")
    from html import unescape

    from rag.answer import Citation
    from rag.ui import document_markdown, escape_markdown, highlight

    quote = text[3:len(text) - 2]
    whole = document_markdown(text, Citation(1, "a.txt", "c1", quote, 3, len(text) - 2))
    for markdown in (escape_markdown(text), highlight(text, 3, len(text) - 2), whole):
        markdown = re.sub(r":yellow-background\[(\*\*.*?\*\*)\]", r"\1", markdown)  # Streamlit's highlight
        html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(markdown)
        assert "<img" not in html and "<script" not in html and "<a " not in html
        assert "<h1" not in html and "<pre" not in html and "<li" not in html
        assert not live_links(markdown)  # nothing clickable, nothing fetched
        shown = unescape(re.sub(r"<[^>]+>", "", html))
        assert " ".join(shown.split()) == " ".join(text.split())


@pytest.mark.parametrize("document, title, repeats", [
    ("Harbour log\n\nThe tide rose.", "Harbour log", False),
    ("# Harbour log\n\nThe tide rose.", "Harbour log", False),  # a Markdown heading is the title too
    ("The tide rose at dawn.\n\nMore.", "Harbour log", True),
])
def test_the_whole_document_is_named_once(document, title, repeats):
    from rag.ui import opens_with_title

    assert opens_with_title(document, title) is not repeats


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


def test_card_labels_name_an_untitled_document_once_and_differ_by_quote():
    from rag.answer import Citation
    from rag.ui import card_label

    untitled = Citation(1, "000_x.txt", "c1", "Boats left at dawn.", 0, 19, "")
    assert plain(card_label(untitled)) == "[1] “Boats left at dawn.” · 000_x.txt"
    titled = Citation(1, "a.txt", "c1", "Boats left at dawn.", 0, 19, "Harbour news")
    assert plain(card_label(titled)) == "[1] “Boats left at dawn.” · Harbour news · a.txt"
    other = Citation(1, "a.txt", "c1", "Patrols went out again at night and on the following days, said the crew.",
                     40, 99, "Harbour news")
    # Two quotes from passage [1]: told apart by what comes first, not at the end of a long line.
    assert plain(card_label(other)).startswith("[1] “Patrols went out again at night and on the following days…” · ")
    unsupported = Citation(1, "a.txt", "c1", "Boats left at dawn.", 0, 19, "Harbour news", supports=False)
    assert plain(card_label(unsupported)).startswith("[1] ⚠️ closest passage, does not support the flagged sentence: “Boats")


def test_each_flag_belongs_to_its_sentence():
    """A flagged sentence is highlighted with one flag and its markers inside: the flag
    cannot be read as the neighbour's, and flagged neighbours do not run their flags together."""
    from rag.answer import Answer, AnswerSentence
    from rag.ui import answer_markdown

    answer = Answer("q", "q", "A holds [1]. B is made up [2].", False, "llm", sentences=(
        AnswerSentence("A holds.", (1,)), AnswerSentence("B is made up.", (2,), supported=False)))
    assert plain(answer_markdown(answer)) == "A holds. [1] :orange-background[⚠️ _B is made up._ [2]]"
    every = Answer("q", "q", "", False, "llm", sentences=(
        AnswerSentence("A is made up.", (1,), supported=False), AnswerSentence("B too.", (1,), supported=False),
        AnswerSentence("C holds.", (1,))))
    shown = plain(answer_markdown(every))
    assert shown == ":orange-background[⚠️ _A is made up._ [1]] :orange-background[⚠️ _B too._ [1]] C holds. [1]"
    assert shown.count("⚠️") == shown.count("-background[⚠️") == 2  # one flag each, opening its highlight


def test_error_lines_speak_the_apps_language_and_keep_file_names():
    from rag.errors import EvalError, IndexCorruptError, IndexMissingError, QuestionError
    from rag.ui import friendly_error

    assert plain(friendly_error(EvalError("bad.jsonl line 1: not JSON"))).startswith("bad.jsonl line 1")
    assert plain(friendly_error(QuestionError("the question is empty"))) == "The question is empty."  # a sentence
    missing = plain(friendly_error(IndexMissingError("no index at /x: run `rag ingest` first")))
    assert missing == "No index at /x: press Re-index documents first."
    damaged = plain(friendly_error(IndexCorruptError("the index at /x is damaged (junk): run `rag ingest --rebuild`")))
    assert damaged.endswith(": press Rebuild index.") and "`" not in damaged


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
    # The whole document: named once (its first line is its title), the quote highlighted.
    view = " ".join(plain(m.value) for m in [*card.markdown[1:], *card.caption])
    assert view.count("UK Home Secretary Demands France Halt") == 1
    assert ":yellow-background[**French officials have swiftly rejected" in view
    assert "The quote is highlighted" in view

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


def test_the_overview_example_quotes_every_document(chat):
    next(b for b in chat.button if b.label == "What are these documents about?").click().run()
    assert not chat.exception
    labels = card_labels(chat.chat_message[-1])
    assert any(FRANCE_SOURCE in label for label in labels)
    assert any("000_6ea2d6230eff8e98.txt" in label for label in labels)


def test_sessions_keep_separate_histories(monkeypatch, real_seed_settings):
    first = app(monkeypatch, real_seed_settings)
    second = app(monkeypatch, real_seed_settings)
    ask(first, "What did France reject?")
    ask(second, "Who is the UK border security chief?")
    assert "Hewitt" in plain(second.chat_message[-1].markdown[0].value)
    assert len(first.chat_message) == len(second.chat_message) == 2
    assert "rejected" in plain(first.chat_message[-1].markdown[0].value)


def test_question_interrupted_while_streaming_stays_in_the_history(monkeypatch, chat):
    """A click or a second question while an answer streams stops the run at its next
    UI call (Streamlit raises StopException or RerunException there): the question
    stays, drawn as interrupted with what had arrived, and can be asked again."""
    import rag.answer
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    original = rag.answer.stream_answer

    def interrupted(question, **kwargs):
        stream = original(question, **kwargs)

        def deltas():
            it = iter(stream)
            yield next(it)
            raise StopException()  # what Streamlit does to this run when the page is used

        class Interrupted:
            answer = None

            def __iter__(self):
                return deltas()

        return Interrupted()

    monkeypatch.setattr(rag.answer, "stream_answer", interrupted)
    chat.chat_input[0].set_value("What did France reject?").run()
    monkeypatch.setattr(rag.answer, "stream_answer", original)
    chat.run()  # the next run, as after the click that stopped it
    assert not chat.exception
    assert len(chat.chat_message) == 2  # the question was not lost
    user, assistant = chat.chat_message
    assert plain(user.markdown[0].value) == "What did France reject?"
    assert "Interrupted: ask again" in plain(assistant.warning[0].value)
    assert assistant.markdown and plain(assistant.markdown[0].value).strip()  # what had arrived
    next(b for b in assistant.button if b.label == "Ask again").click().run()
    assert not chat.exception
    assert len(chat.chat_message) == 4
    assert any(FRANCE_SOURCE in label for label in card_labels(chat.chat_message[-1]))
    # the first try stays, without its button once it has been asked again and answered
    assert plain(chat.chat_message[1].markdown[0].value).strip()
    assert "Interrupted; asked again below." in plain(chat.chat_message[1].caption[0].value)
    assert not [b for b in chat.chat_message[1].button if b.label == "Ask again"]


def test_blank_message_is_not_kept_as_a_turn(chat):
    chat.chat_input[0].set_value("    ").run()
    assert not chat.exception
    assert not chat.chat_message  # no empty user bubble
    assert len(chat.warning) == 1 and "question is empty" in plain(chat.warning[0].value)
    chat.run()
    assert not chat.warning  # said once


def test_long_question_gets_the_reason_instead_of_being_dropped(chat):
    assert not chat.chat_input[0].proto.max_chars  # the browser would drop a longer paste silently
    pasted = "The French maritime prefecture said the doctrine was being studied. " * 400  # 27,200 characters
    chat.chat_input[0].set_value(pasted).run()
    assert not chat.exception
    user, message = chat.chat_message
    echo = plain(user.markdown[0].value)
    assert len(echo) < 500 and echo.endswith("… (27,199 characters)")  # not the whole paste
    error = plain(message.error[0].value)
    assert len(message.error) == 1 and error.startswith("This question is too long to answer: it has 27,199 characters")
    assert "Please ask a shorter question." in error and "tokens;" not in error
    assert error.endswith("set by RAG_MAX_QUESTION_TOKENS.)")  # the setting, a hint after the message
    assert "`RAG_MAX_QUESTION_TOKENS`" in message.error[0].value  # as code


def test_whole_document_toggle_keeps_its_card(chat):
    """The card is keyed: the frontend keeps it open when the toggle reruns the page,
    where it is drawn from the history instead of the stream."""
    ask(chat, "What did France reject?")
    keys = [e.key for e in chat.chat_message[-1].expander]
    assert keys and all(keys)
    card = chat.chat_message[-1].expander[0]
    card.toggle[0].set_value(True).run()
    assert [e.key for e in chat.chat_message[-1].expander] == keys


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
    message.expander[0].toggle[0].set_value(True).run()  # and the whole document
    message = at.chat_message[-1]
    drawn = [m.value for m in message.markdown] + [e.label for e in message.expander]
    shown = " ".join(plain(m) for m in drawn)
    assert "<script>alert('owned')</script>" in shown or "<img src=x onerror=alert(1)>" in shown
    # Links, images, bare addresses, HTML and emphasis in a document show as typed.
    for literal in ("![tracker](http://203.0.113.7/pixel.png)", "[the chart](http://203.0.113.7/x.png)",
                    "http://203.0.113.7/report", "www.example.com", "keeper@example.com", "<b>details</b>",
                    "*the pier*", "_the dock_"):
        assert literal in shown
    for markdown in drawn:
        html = markdown_it.MarkdownIt("commonmark", {"html": True}).render(markdown)
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert not live_links(markdown)


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
    # The fault is stated as a sentence, the address as code (not a link).
    assert plain(message.info[0].value) == ("The LLM server at http://127.0.0.1:9/v1 could not be reached, "
                                            "so the extractive answer is shown instead.")
    assert "`http://127.0.0.1:9/v1`" in message.info[0].value
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
    from .fake_openai import FakeOpenAI

    invented = "France also agreed to pay the UK five billion euros for new warships"

    def reply(body):  # two sentences held by the France passage, one it does not hold, all citing it
        prompt = body["messages"][-1]["content"]
        n = next(n for n, text in re.findall(r'<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S)
                 if "swiftly rejected" in text)
        return (f"French officials have swiftly rejected the UK's demands [{n}]. "
                f"France says intercepting boats creates a dangerous situation for migrants and officers [{n}]. "
                f"{invented} [{n}].")

    with FakeOpenAI([reply]) as server:
        at = llm_app(monkeypatch, real_seed_settings, server)
        at.sidebar.text_input[0].set_value("sk-test").run()
        message = ask(at, "What did France reject?")
    answer = plain(message.markdown[0].value)
    assert ":orange-background[⚠️ _France also agreed to pay" in answer  # the invented sentence carries the flag
    assert "⚠️ _French officials" not in answer
    marker = re.search(r"demands\. (\[\d\])", answer).group(1)
    assert answer.count(marker) == 3  # every sentence keeps its marker, the flagged one too
    assert message.warning and "could not be matched" in plain(message.warning[0].value)
    labels = card_labels(message)
    assert len({label[:40] for label in labels}) == len(labels)  # cards of one marker told apart at a glance
    assert all(label.startswith(marker) and FRANCE_SOURCE in label for label in labels)
    quotes = " ".join(plain(m.value) for card in message.expander for m in card.markdown)
    assert "swiftly rejected" in quotes and "dangerous situation" in quotes
    # The card for the invented sentence says it is no evidence for it.
    unsupported = [label for label in labels if "does not support" in label]
    assert len(labels) - len(unsupported) == 2 and len(unsupported) == 1


def test_llm_mode_with_a_local_server_needs_no_key(monkeypatch, real_seed_settings):
    """Without a key, questions go to OPENAI_BASE_URL anyway (a local server needs
    none), and the sidebar says so instead of asking for a key."""
    from .fake_openai import FakeOpenAI, Reply

    with FakeOpenAI([Reply("French officials have swiftly rejected the UK's demands [1].")]) as server:
        at = llm_app(monkeypatch, real_seed_settings, server)
        hint = " ".join(plain(c.value) for c in at.sidebar.caption)
        assert "needs an API key" not in hint and f"go to {server.base_url} without one" in hint
        assert any(f"`{server.base_url}`" in c.value for c in at.sidebar.caption)  # as code, not a link
        message = ask(at, "What did France reject?")
        assert len(server.requests) >= 1 and not message.error and not message.info
        assert "llm answer" in plain(message.caption[0].value)
    monkeypatch.delenv("OPENAI_BASE_URL")
    at = app(monkeypatch, real_seed_settings)
    at.sidebar.radio[0].set_value("llm").run()
    assert "LLM mode needs an API key" in " ".join(plain(c.value) for c in at.sidebar.caption)


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
    # The app's own words, as in the sidebar: a button to press, not a command in backticks.
    assert len(message.error) == 1 and "press Re-index documents" in plain(message.error[0].value)
    assert "`" not in plain(message.error[0].value) and "rag ingest" not in plain(message.error[0].value)


# -- the evaluation page --------------------------------------------------------
def cases_table(at):
    return next(d.value for d in at.dataframe if "result" in d.value.columns)


TWO_CASES = "\n".join(json.dumps(case) for case in [
    {"id": "france", "question": "What did France reject?", "answerable": True,
     "expected_sources": [FRANCE_SOURCE], "must_include": [["rejected"]], "reference_answer": "The UK demands."},
    {"id": "tokyo", "question": "What is the population of Tokyo in 1850?", "answerable": False,
     "expected_sources": [], "must_include": [], "reference_answer": ""},
])


def run_uploaded_suite(at):
    at = at.switch_page("rag/app_pages/evaluation.py").run()
    at.radio[0].set_value("Upload a JSONL file").run()
    at.file_uploader[0].set_value(("mine.jsonl", TWO_CASES.encode(), "application/jsonl")).run()
    next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert not at.exception
    return at


def test_evaluation_with_an_unreachable_llm_says_so(monkeypatch, real_seed_settings):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("RAG_LLM_RETRIES", "0")
    at = app(monkeypatch, real_seed_settings)
    at.sidebar.radio[0].set_value("llm").run()
    at.sidebar.text_input[0].set_value("sk-test").run()
    at = run_uploaded_suite(at)
    # One clear warning above the scores (not a quiet "mode extractive", nor an error: the run worked).
    assert not at.error and len(at.warning) == 1
    assert "LLM could not be used" in plain(at.warning[0].value) and "extractive" in plain(at.warning[0].value)
    assert at.dataframe  # the scores, below it
    # Answers from the chosen mode, metrics without an LLM: said without a contradiction.
    intro = plain(at.caption[0].value)
    assert "answers come from the answer mode chosen in the sidebar (LLM, " in intro
    assert "metrics are computed from those answers" in intro and "without an LLM" in intro


def test_evaluation_with_a_rejected_key_is_one_message_and_no_scores(monkeypatch, real_seed_settings):
    from .fake_openai import FakeOpenAI, Status

    secret = "sk-wrong-key-0123456789abcdef"
    with FakeOpenAI([Status(401)]) as server:
        at = llm_app(monkeypatch, real_seed_settings, server)
        at.sidebar.text_input[0].set_value(secret).run()
        at = run_uploaded_suite(at)
    assert len(at.error) == 1 and "401" in plain(at.error[0].value)
    assert "no scores" in plain(at.error[0].value)
    assert not at.dataframe and not at.expander  # no "2 cases, 0 passed" table of failures
    assert secret not in str(at._tree)


def test_evaluation_without_an_index_leaves_no_progress_bar(monkeypatch, tmp_path):
    from rag.config import Settings

    at = app(monkeypatch, Settings.load(docs_dir=tmp_path / "docs", index_dir=tmp_path / "none"))
    at = run_uploaded_suite(at)
    assert len(at.error) == 1 and "press Re-index documents" in plain(at.error[0].value)
    assert not at.main.get("progress")  # not a bar stuck at 0/2 cases


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
    assert next(b for b in at.selectbox if b.label == "Earlier run").value == "previous run in this session"
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


def test_failed_cases_and_metrics_stand_out_in_the_cases_table(monkeypatch, real_seed_settings):
    failing = {"id": "zebra", "question": "What did France reject?", "answerable": True,
               "expected_sources": [FRANCE_SOURCE], "must_include": [["zebra"]], "reference_answer": ""}
    at = app(monkeypatch, real_seed_settings).switch_page("rag/app_pages/evaluation.py").run()
    at.radio[0].set_value("Upload a JSONL file").run()
    suite = TWO_CASES + "\n" + json.dumps(failing)
    at.file_uploader[0].set_value(("mine.jsonl", suite.encode(), "application/jsonl")).run()
    next(b for b in at.button if b.label == "Run evaluation").click().run()
    frame = next(d for d in at.dataframe if "result" in d.value.columns)
    table = frame.value
    assert list(table["result"]) == ["pass", "pass", "FAIL"]
    # The cells styled red: the failed case's result and its failed metric, nothing else.
    rules = re.findall(r"([^{}]*)\{([^}]*)\}", frame.proto.arrow_data.styler.styles)
    styled = [cell for where, body in rules if "#d62728" in body for cell in re.findall(r"row(\d+)_col(\d+)", where)]
    columns = list(table.columns)
    assert sorted((int(r), columns[int(c)]) for r, c in styled) == [(2, "answer_match"), (2, "result")]
    config = json.loads(frame.proto.columns)
    # Headings that fit their column, unlike "false refusal" and "unsupported".
    assert config["false_refusal_rate"]["label"] == "answered" and config["unsupported_rate"]["label"] == "supported"


def test_cases_table_shows_pass_fail_per_metric_without_scrolling(monkeypatch, real_seed_settings):
    at = run_uploaded_suite(app(monkeypatch, real_seed_settings))
    frame = next(d for d in at.dataframe if "result" in d.value.columns)
    columns = list(frame.value.columns)
    metrics = columns[2:columns.index("citations")]
    # id and result, then one pass/fail column per metric; the long text after them.
    assert columns == ["id", "result", *metrics, "citations", "question", "answer"]
    assert {"hit@5", "mrr@10", "answer_match", "refusal_accuracy", "citation_validity"} <= set(metrics)
    assert set(frame.value["answer_match"]) == {"pass", ""}
    config = json.loads(frame.proto.columns)
    widths = [config[c]["width"] for c in ["id", "result", *metrics]]
    assert all(isinstance(w, int) for w in widths)
    assert sum(widths) <= 800  # what the page gives the table in a 1280-pixel window
    # The question and answer the table cuts, in full.
    assert at.selectbox[-1].label == "Read a case in full" and at.selectbox[-1].value == "france"
    shown = " ".join(plain(m.value) for m in at.markdown)
    answer = frame.value.set_index("id").loc["france", "answer"]
    assert "**Question:** What did France reject?" in shown and f"**Answer:** {answer}" in shown


def test_a_bad_upload_is_one_error_without_the_last_runs_scores(monkeypatch, real_seed_settings):
    at = run_uploaded_suite(app(monkeypatch, real_seed_settings))
    assert at.dataframe
    for name, content in (("latin1.jsonl", '{"question": "Où est né Zola ?"}'.encode("latin-1")),
                          ("broken.jsonl", b"not json\n")):
        at.file_uploader[0].set_value((name, content, "application/jsonl")).run()
        assert not at.exception and len(at.error) == 1 and name in plain(at.error[0].value)
        assert not at.dataframe and not at.get("download_button")  # mine.jsonl's scores are not shown as its
    one_case = TWO_CASES.splitlines()[0].encode()
    at.file_uploader[0].set_value(("other.jsonl", one_case, "application/jsonl")).run()
    assert not at.error and not at.dataframe  # another good suite: not yet run
    assert "The last run in this session was of mine.jsonl" in " ".join(plain(c.value) for c in at.caption)
    at.file_uploader[0].set_value(("mine.jsonl", TWO_CASES.encode(), "application/jsonl")).run()
    assert at.dataframe and not at.error  # back to the suite that was run: its scores


def test_a_saved_run_is_what_the_comparison_offers(monkeypatch, real_seed_settings, tmp_path):
    import rag.config

    monkeypatch.setattr(rag.config, "project_root", lambda: tmp_path)  # evals/runs/ in a temp dir
    at = run_uploaded_suite(app(monkeypatch, real_seed_settings))
    captions = lambda: " ".join(plain(c.value) for c in at.caption)  # noqa: E731
    assert "Nothing to compare with yet: run again, or save this run" in captions()
    next(b for b in at.button if b.label == "Save to evals/runs/").click().run()
    saved = [p.name for p in (tmp_path / "evals" / "runs").glob("*.json")]
    assert len(saved) == 1
    # Right after Save, the comparison knows it: it names the saved run, not "save this run".
    assert "run again, or save this run" not in captions()
    assert f"this run is saved as evals/runs/{saved[0]}, so the next run" in captions()
    assert f"Saved evals/runs/{saved[0]}" in plain(at.success[0].value)
    assert next(b for b in at.button if b.label == "Save to evals/runs/").disabled  # not saved twice
    next(b for b in at.button if b.label == "Run evaluation").click().run()
    earlier = next(b for b in at.selectbox if b.label == "Earlier run")
    assert earlier.options == ["previous run in this session (mine.jsonl)", saved[0]]


def test_the_comparison_offers_a_run_of_the_same_suite_first(monkeypatch, real_seed_settings, tmp_path):
    import rag.config

    monkeypatch.setattr(rag.config, "project_root", lambda: tmp_path)  # evals/ and evals/runs/ in a temp dir
    (tmp_path / "evals").mkdir()
    shutil.copy(ROOT / "evals" / "smoke.jsonl", tmp_path / "evals")
    at = app(monkeypatch, real_seed_settings).switch_page("rag/app_pages/evaluation.py").run()
    run = lambda: next(b for b in at.button if b.label == "Run evaluation").click().run()  # noqa: E731
    at.selectbox[0].set_value("smoke.jsonl").run()
    run()
    next(b for b in at.button if b.label == "Save to evals/runs/").click().run()
    saved = [p.name for p in (tmp_path / "evals" / "runs").glob("*.json")]
    run_uploaded_suite(at)  # another suite, now the previous run in this session
    at.radio[0].set_value("From evals/").run()
    at.selectbox[0].set_value("smoke.jsonl").run()
    run()
    earlier = next(b for b in at.selectbox if b.label == "Earlier run")
    assert earlier.options == [saved[0], "previous run in this session (mine.jsonl)"]
    assert earlier.value == saved[0] and not at.warning  # before: the other suite's run, "worse"
    earlier.set_value("previous run in this session").run()
    assert "different suites" in at.warning[0].value
    deltas = next(d.value for d in at.dataframe if "delta" in d.value.columns)
    assert set(deltas[""]) == {""}  # nothing called better or worse across suites


def test_reindex_button_adds_new_documents(monkeypatch, hostile_settings):
    at = app(monkeypatch, hostile_settings)
    assert "1 document ·" in plain(at.sidebar.markdown[0].value).replace("*", "")
    shutil.copy(ROOT / "docs" / FRANCE_SOURCE, hostile_settings.docs_dir / FRANCE_SOURCE)
    sidebar_button(at, "Re-index documents").click().run()
    finish_reindex(at)
    assert not at.exception
    assert "1 added" in plain(at.sidebar.success[0].value)
    assert "2 documents" in plain(at.sidebar.markdown[0].value).replace("*", "")
    message = ask(at, "What did France reject?")
    assert any(FRANCE_SOURCE in label for label in card_labels(message))


def _held_ingest(monkeypatch):
    """Make the app's re-index wait at its first file until the returned event is set."""
    import threading

    import rag.ingest

    release = threading.Event()
    original = rag.ingest.ingest

    def held_ingest(settings, *args, progress=None, **kwargs):
        def slow(done, total, source):
            release.wait(120)  # the first file waits until the test has asked its question (set in finally)
            if progress:
                progress(done, total, source)

        return original(settings, *args, progress=slow, **kwargs)

    monkeypatch.setattr(rag.ingest, "ingest", held_ingest)
    return release


def test_a_first_build_goes_on_in_the_background_and_holds_questions(monkeypatch, tmp_path, real_embedder):
    """Re-indexing outlives the script run that started it (a question asked a moment
    later used to stop it midway, leaving a partial index); while it builds the first
    index, questions wait for it."""
    from rag.config import Settings

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    release = _held_ingest(monkeypatch)
    at = app(monkeypatch, settings)
    try:
        # The click and a question sent right after it, before the page could change.
        at.chat_input[0].set_value("What did France reject?")
        sidebar_button(at, "Re-index documents").click().run()
        assert not at.exception
        assert sidebar_button(at, "Re-index documents").disabled
        assert at.sidebar.get("progress")
        # The question is held, not lost, nor answered from a half-built index.
        from rag import ui_session

        job = ui_session.ingest_job(settings)
        assert job.running, job.error
        assert len(at.chat_message) == 2
        assert "answered as soon as" in plain(at.chat_message[-1].info[0].value)
        # The box stays usable (a disabled one would drop what was sent as it turned
        # disabled); another question, in another run while it goes on, waits too.
        assert job.running, job.error
        message = ask(at, "Why does France not intercept boats at sea?")
        assert len(at.chat_message) == 4
        assert "answered as soon as" in plain(message.info[0].value)
        assert at.sidebar.get("progress")
    finally:
        release.set()
    finish_reindex(at)
    assert not at.exception
    assert "2 added" in plain(at.sidebar.success[0].value)
    assert not at.sidebar.get("progress")
    # The held questions were answered, in order, once the index was complete.
    assert len(at.chat_message) == 4
    assert any(FRANCE_SOURCE in label for label in card_labels(at.chat_message[1]))
    assert not at.chat_message[1].info
    assert "dangerous" in plain(at.chat_message[3].markdown[0].value)


def test_questions_during_a_reindex_are_answered_from_the_index_as_it_stands(monkeypatch, hostile_settings):
    release = _held_ingest(monkeypatch)
    at = app(monkeypatch, hostile_settings)
    shutil.copy(ROOT / "docs" / FRANCE_SOURCE, hostile_settings.docs_dir / FRANCE_SOURCE)
    try:
        sidebar_button(at, "Re-index documents").click().run()
        assert at.sidebar.get("progress")
        message = ask(at, "What did the lighthouse keeper log?")
        assert not message.info and card_labels(message)  # answered now, not held
        assert at.sidebar.get("progress")  # and the re-index goes on
    finally:
        release.set()
    finish_reindex(at)
    assert "1 added" in plain(at.sidebar.success[0].value)
    assert "2 documents" in plain(at.sidebar.markdown[0].value).replace("*", "")


def test_empty_index_says_so(monkeypatch, tmp_path):
    from rag.config import Settings
    from rag.store import Index

    settings = Settings.load(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    Index(settings, create=True).close()  # an index with nothing in it
    at = app(monkeypatch, settings)
    assert "index is empty: press Re-index documents" in plain(at.sidebar.warning[0].value).replace("*", "")
    message = ask(at, "What did France reject?")
    assert len(message.error) == 1 and "holds no documents: add readable documents to" in plain(message.error[0].value)
    assert "and press Re-index documents" in plain(message.error[0].value)


def test_a_misspelt_setting_is_named_in_the_sidebar(monkeypatch, real_seed_settings):
    monkeypatch.setenv("RAG_TOPK", "10")
    at = app(monkeypatch, real_seed_settings)
    warnings = [plain(w.value) for w in at.sidebar.warning]
    assert "RAG_TOPK is not a setting and is ignored (did you mean RAG_TOP_K?)" in warnings
    monkeypatch.setenv("RAG_*x*", "1")  # shown as written, not as Markdown
    at = app(monkeypatch, real_seed_settings)
    assert any(w.value.startswith("RAG\\_\\*x\\*") for w in at.sidebar.warning)
    assert not at.exception and not ask(at, "What did France reject?").error


def test_damaged_index_is_rebuilt_from_the_app(monkeypatch, hostile_settings):
    (hostile_settings.index_dir / "index.db").write_bytes(b"this is not a database " * 100)
    at = app(monkeypatch, hostile_settings)
    assert len(at.sidebar.error) == 1 and "damaged" in plain(at.sidebar.error[0].value)
    assert "Rebuild index" in plain(at.sidebar.error[0].value)  # the app's button, not a command
    # Re-index cannot repair it: the same error once, no progress bar left behind.
    sidebar_button(at, "Re-index documents").click().run()
    finish_reindex(at)
    assert not at.exception
    assert len(at.sidebar.error) == 1 and not at.sidebar.get("progress")
    sidebar_button(at, "Rebuild index").click().run()
    finish_reindex(at)
    assert not at.exception and not at.sidebar.error
    assert "1 added" in plain(at.sidebar.success[0].value)
    assert "1 document ·" in plain(at.sidebar.markdown[0].value).replace("*", "")
    message = ask(at, "What did the lighthouse keeper log?")
    assert any("harbour.txt" in label for label in card_labels(message))


def test_an_index_from_an_earlier_version_is_put_right_by_re_index(monkeypatch, tmp_path, real_embedder):
    from rag.config import Settings
    from rag.ingest import ingest

    from .test_ingest import as_before_the_setting

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings.replace(chunk_vectors="direct"), embedder=real_embedder)
    as_before_the_setting(settings)  # whole-chunk vectors, as an earlier version built them
    at = app(monkeypatch, settings)
    error = plain(at.sidebar.error[0].value)
    assert len(at.sidebar.error) == 1 and error.startswith("The index was built by an earlier version")
    assert "press Re-index documents to remake them" in error
    assert not any(b.label == "Rebuild index" for b in at.sidebar.button)  # not what it needs
    sidebar_button(at, "Re-index documents").click().run()
    finish_reindex(at)
    assert not at.exception and not at.sidebar.error
    assert any("were remade from their sentences'" in plain(c.value) for c in at.sidebar.caption)
    message = ask(at, "What did the lighthouse keeper log?")
    assert any("harbour.txt" in label for label in card_labels(message))


def test_index_built_with_other_settings_is_rebuilt_from_the_app(monkeypatch, hostile_settings):
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "128")  # the index was built with 256
    at = app(monkeypatch, hostile_settings)
    assert len(at.sidebar.error) == 1 and "other settings" in plain(at.sidebar.error[0].value)
    sidebar_button(at, "Rebuild index").click().run()
    finish_reindex(at)
    assert not at.exception and not at.sidebar.error
    assert "1 document ·" in plain(at.sidebar.markdown[0].value).replace("*", "")
    message = ask(at, "What did the lighthouse keeper log?")
    assert any("harbour.txt" in label for label in card_labels(message))
