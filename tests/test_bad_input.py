"""Bad input through the entry points a user hits: `answer_question`, `ingest`, the `rag` CLI.

Each row of the README's "Bad input" table that other modules do not already cover:
what the user sees, and that what was indexed before is still there afterwards.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from rag.answer import answer_question
from rag.cli import main
from rag.errors import QuestionError
from rag.ingest import ingest
from rag.retrieve import Searcher
from rag.store import Index

from .conftest import FRANCE_SOURCE, ROOT

QUESTION = "What did France reject?"


def indexed(settings) -> list[tuple[str, str]]:
    """(chunk id, text) of every chunk in the index."""
    index = Index(settings)
    try:
        return sorted((c.chunk_id, c.text) for c in index.chunks())
    finally:
        index.close()


@pytest.fixture
def cli(seed_index, fake_embedder, monkeypatch):
    """`rag ...` in-process over the seed index, with the fake embedder as the process model."""
    import rag.embeddings
    import rag.retrieve

    monkeypatch.setattr(rag.embeddings, "get_embedder", lambda settings: fake_embedder)
    monkeypatch.setattr(rag.retrieve, "get_embedder", lambda settings: fake_embedder)
    monkeypatch.setenv("RAG_DOCS_DIR", str(seed_index.docs_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(seed_index.index_dir))
    return lambda *argv: main(list(argv))


def same_answer(a, b) -> None:
    assert a.answer == b.answer and a.refused == b.refused
    assert [(c.source, c.start, c.end) for c in a.citations] == [(c.source, c.start, c.end) for c in b.citations]
    assert [r.chunk_id for r in a.retrieved] == [r.chunk_id for r in b.retrieved]


# -- the question ---------------------------------------------------------------
@pytest.mark.parametrize("question, message", [
    ("", r"error: the question is empty"),
    (" \t\u200b\u2060 \n ", r"error: the question is empty"),
    (("boats " * 20_000)[:100_000],
     r"error: the question is too long \(\d+ tokens; the limit is 512, set by RAG_MAX_QUESTION_TOKENS\)"),
])
def test_unusable_question_is_one_line_and_loses_nothing(cli, seed_index, capsys, question, message):
    before = indexed(seed_index)
    assert cli("ask", question) == 1
    assert cli("ask", "--json", question) == 1
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.split("\n")
    assert len(lines) == 3 and lines[2] == "" and all(re.fullmatch(message, line) for line in lines[:2])
    assert indexed(seed_index) == before


def test_a_100000_character_question_is_refused_before_any_search(seed_index, fake_embedder):
    question = ("Where do the boats leave from? " * 3300)[:100_000]
    assert len(question) == 100_000
    embedded = fake_embedder.texts_embedded
    with pytest.raises(QuestionError, match=r"too long \(\d+ tokens; the limit is 512"):
        answer_question(question, settings=seed_index, searcher=Searcher(seed_index, embedder=fake_embedder))
    assert fake_embedder.texts_embedded == embedded  # nothing was embedded for it


@pytest.mark.parametrize("dirty", [
    "What\u200b did Fra\u200dnce re\ufeffject?",  # zero-width space, joiner, BOM
    "What did \u202eFrance\u202c reject\u2066?\u2069",  # bidi override and isolates
    "What did France reject?\U000e0049\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065",  # tag characters
    "What\x00 did\x07 France\x08 re\x1bject?\x7f",  # control characters
    "What did Fr\u0430nce r\u0435ject?",  # Cyrillic a and e inside Latin words
])
def test_hidden_and_look_alike_characters_give_the_clean_answer(real_seed_settings, dirty):
    before = indexed(real_seed_settings)
    clean = answer_question(QUESTION, settings=real_seed_settings)
    assert not clean.refused and clean.citations[0].source == FRANCE_SOURCE
    answer = answer_question(dirty, settings=real_seed_settings)
    assert answer.question == QUESTION
    same_answer(answer, clean)
    assert indexed(real_seed_settings) == before


def test_control_characters_on_the_command_line(real_seed_settings, monkeypatch, capsys):
    monkeypatch.setenv("RAG_DOCS_DIR", str(real_seed_settings.docs_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(real_seed_settings.index_dir))
    assert main(["ask", QUESTION]) == 0
    clean = capsys.readouterr().out
    assert "rejected the UK's demands" in clean
    assert main(["ask", "What\x07 did\x1b France\r\nreject?\x00"]) == 0
    assert capsys.readouterr().out == clean


def test_a_question_in_french_is_answered_or_refused(real_seed_settings):
    before = indexed(real_seed_settings)
    answer = answer_question("Qu'est-ce que la France a rejeté ?", settings=real_seed_settings)
    assert answer.question == "Qu'est-ce que la France a rejeté ?" and answer.retrieved
    if not answer.refused:  # whatever it says is a verbatim quote from the documents
        index = Index(real_seed_settings)
        assert answer.citations and all(
            index.document(c.source).text[c.start:c.end] == c.quote for c in answer.citations)
    assert indexed(real_seed_settings) == before


# -- the documents ----------------------------------------------------------------
def test_the_same_document_under_two_names_is_shown_once(seed_index, fake_embedder):
    before = indexed(seed_index)
    shutil.copy(seed_index.docs_dir / FRANCE_SOURCE, seed_index.docs_dir / "copy-of-france.txt")
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.added == ["copy-of-france.txt"]
    assert set(before) <= set(indexed(seed_index))
    index = Index(seed_index)
    assert index.document("copy-of-france.txt").text == index.document(FRANCE_SOURCE).text

    searcher = Searcher(seed_index, embedder=fake_embedder)
    hits = searcher.search(QUESTION, 5)
    texts = [h.chunk.text for h in hits]
    assert len(texts) == len(set(texts))  # the copy's passages do not repeat the original's
    assert hits[0].chunk.source in (FRANCE_SOURCE, "copy-of-france.txt")
    # both copies are indexed and searchable on their own
    assert searcher.search(QUESTION, 1, ["copy-of-france.txt"])[0].chunk.text == hits[0].chunk.text


STUFFED = (
    "France reject rejected rejection. What did France reject? France rejected. "
    "Reject France. France reject demands rejected. " * 40
)


@pytest.fixture
def stuffed(tmp_path, real_embedder):
    """The seed corpus plus a document stuffed with the words of "What did France reject?"."""
    from rag.config import Settings

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=real_embedder)
    before = indexed(settings)
    (docs / "zz-stuffed.txt").write_text("Unrelated notes\n\n" + STUFFED, encoding="utf-8")
    assert ingest(settings, embedder=real_embedder).added == ["zz-stuffed.txt"]
    assert set(before) <= set(indexed(settings))
    return settings, Searcher(settings, embedder=real_embedder)


def test_keyword_stuffing_does_not_push_the_real_passage_out(stuffed):
    settings, searcher = stuffed
    hits = searcher.search(QUESTION, settings.top_k)
    real = [h for h in hits if h.chunk.source == FRANCE_SOURCE]
    assert real and any("rejected the UK's demands" in h.chunk.text for h in real)
    assert sum(h.chunk.source == "zz-stuffed.txt" for h in hits) <= 2  # it cannot fill the top-k


def test_keyword_stuffing_does_not_take_over_the_answer(stuffed):
    settings, searcher = stuffed
    assert any(h.chunk.source == "zz-stuffed.txt" for h in searcher.search(QUESTION, settings.top_k))
    answer = answer_question(QUESTION, settings=settings, searcher=searcher)
    assert not answer.refused and answer.citations[0].source == FRANCE_SOURCE
    assert "rejected the UK's demands" in answer.answer
    assert all(c.source != "zz-stuffed.txt" for c in answer.citations)


def test_a_stuffed_document_alone_is_refused_not_quoted(tmp_path, real_embedder):
    from rag.config import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "stuffed.txt").write_text("Unrelated notes\n\n" + STUFFED, encoding="utf-8")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=real_embedder)
    answer = answer_question(QUESTION, settings=settings, searcher=Searcher(settings, embedder=real_embedder))
    assert answer.refused and not answer.citations


def test_corrupt_pdf_is_one_skip_line_on_the_command_line(cli, seed_index, capsys):
    before = indexed(seed_index)
    (seed_index.docs_dir / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer garbage")
    assert cli("ingest") == 0
    out = capsys.readouterr().out
    assert "1 skipped" in out and "  skipped broken.pdf: unreadable PDF" in out
    assert indexed(seed_index) == before


def test_missing_documents_folder_is_one_line_and_keeps_the_index(cli, seed_index, monkeypatch, capsys):
    before = indexed(seed_index)
    shutil.rmtree(seed_index.docs_dir)
    assert cli("ingest") == 1
    err = capsys.readouterr().err
    assert err == f"error: the documents folder {seed_index.docs_dir} does not exist\n"
    assert indexed(seed_index) == before
    assert cli("retrieve", QUESTION) == 0  # the index still serves
    assert FRANCE_SOURCE in capsys.readouterr().out


def test_missing_index_is_one_line_for_ask(cli, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "never-built"))
    assert cli("ask", QUESTION) == 1
    assert cli("ask", "--json", QUESTION) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") and "run `rag ingest` first" in line for line in err)
    assert not (tmp_path / "never-built").exists()  # asking created nothing


def test_a_misspelt_setting_is_named_and_the_command_still_runs(cli, monkeypatch, capsys):
    monkeypatch.setenv("RAG_TOPK", "10")
    assert cli("retrieve", QUESTION) == 0
    captured = capsys.readouterr()
    assert captured.err == "warning: RAG_TOPK is not a setting and is ignored (did you mean RAG_TOP_K?)\n"
    assert FRANCE_SOURCE in captured.out


def test_unknown_variables_lists_only_what_no_setting_reads():
    from rag.config import unknown_variables

    assert unknown_variables({"RAG_TOP_K": "5", "RAG_LLM": "none", "PATH": "/bin", "OPENAI_API_KEY": "x"}) == []
    lines = unknown_variables({"RAG_SENTENCE_VECTORS": "1", "RAG_INDEXDIR": "/tmp/i", "RAG_OPENAI_API_KEY": "k",
                               "rag_top_k": "3", "RAG_LLM_MODE": "none", "RAG_FOO": "1"})
    assert lines == [
        "RAG_FOO is not a setting and is ignored (`rag config` lists the settings)",
        "RAG_INDEXDIR is not a setting and is ignored (did you mean RAG_INDEX_DIR?)",
        "RAG_LLM_MODE is not a setting and is ignored (did you mean RAG_LLM_MODEL or RAG_LLM_TIMEOUT or RAG_LLM?)",
        "RAG_OPENAI_API_KEY is not a setting and is ignored (did you mean OPENAI_API_KEY?)",
        "RAG_SENTENCE_VECTORS is no longer a setting and is ignored: sentence vectors are always made one way now; "
        "chunk vectors are RAG_CHUNK_VECTORS",
        "rag_top_k is not a setting and is ignored (did you mean RAG_TOP_K?)",
    ]


def test_a_misspelt_setting_is_named_even_when_the_settings_stop_the_command(cli, monkeypatch, capsys):
    monkeypatch.setenv("RAG_TOPK", "3")
    monkeypatch.setenv("RAG_TOP_K", "0")
    assert cli("config") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "warning: RAG_TOPK is not a setting and is ignored (did you mean RAG_TOP_K?)"
    assert err[1].startswith("error: RAG_TOP_K")


# -- the reader of the output -------------------------------------------------------
PIPED = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    import rag.embeddings
    import rag.retrieve
    from tests.conftest import HashEmbedder  # it clears RAG_* from the environment
    os.environ.update(RAG_DOCS_DIR={docs!r}, RAG_INDEX_DIR={index!r})
    rag.embeddings.get_embedder = lambda settings: HashEmbedder()
    from rag.cli import main
    sys.exit(main({argv!r}))
""")


@pytest.mark.parametrize("argv", [["ask", "--json", QUESTION], ["ask", QUESTION], ["config", "--json"]])
def test_a_reader_that_hangs_up_early_gets_no_traceback(seed_index, argv):
    """`rag ask --json ... | head -c 10`: the pipe closes before rag writes."""
    script = PIPED.format(root=str(ROOT), docs=str(seed_index.docs_dir), index=str(seed_index.index_dir), argv=argv)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()  # the reader is gone before the first byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert err == "", err[-600:]


# -- settings -------------------------------------------------------------------------
@pytest.mark.parametrize("var, value, message", [
    ("RAG_MAX_FILE_MB", "nan", "RAG_MAX_FILE_MB must be a finite number, got nan"),
    ("RAG_MAX_FILE_MB", "inf", "RAG_MAX_FILE_MB must be a finite number, got inf"),
    ("RAG_MAX_FILE_MB", "0", "RAG_MAX_FILE_MB must be above 0 and at most 1048576, got 0"),
    ("RAG_LOCK_TIMEOUT", "nan", "RAG_LOCK_TIMEOUT must be a finite number, got nan"),
    ("RAG_LOCK_TIMEOUT", "-inf", "RAG_LOCK_TIMEOUT must be a finite number, got -inf"),
    ("RAG_LOCK_TIMEOUT", "-1", "RAG_LOCK_TIMEOUT must be between 0 and 86400, got -1"),
    ("RAG_LLM_TIMEOUT", "-5", "RAG_LLM_TIMEOUT must be above 0 and at most 3600, got -5"),
    ("RAG_LLM_TIMEOUT", "0", "RAG_LLM_TIMEOUT must be above 0 and at most 3600, got 0"),
    ("RAG_LLM_TIMEOUT", "nan", "RAG_LLM_TIMEOUT must be a finite number, got nan"),
    ("RAG_LLM_RETRIES", "-1", "RAG_LLM_RETRIES must be between 0 and 10, got -1"),
    ("RAG_LLM_RETRIES", "1000", "RAG_LLM_RETRIES must be between 0 and 10, got 1000"),
    ("RAG_MAX_QUESTION_TOKENS", "0", "RAG_MAX_QUESTION_TOKENS must be between 1 and 32768, got 0"),
    ("RAG_MAX_ANSWER_TOKENS", "0", "RAG_MAX_ANSWER_TOKENS must be between 1 and 32768, got 0"),
    ("RAG_TOP_K", "0", "RAG_TOP_K must be between 1 and 50, got 0"),
])
def test_an_unusable_number_setting_is_one_line_naming_it(cli, seed_index, monkeypatch, capsys, var, value, message):
    from rag.config import Settings
    from rag.errors import ConfigError

    before = indexed(seed_index)
    monkeypatch.setenv(var, value)
    for command in (["config"], ["ingest"], ["ask", QUESTION], ["retrieve", QUESTION]):
        assert cli(*command) == 1
        out = capsys.readouterr()
        assert out.out == "" and out.err == f"error: {message}\n"
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.load()
    assert indexed(seed_index) == before


def test_number_settings_at_their_limits_are_accepted(monkeypatch):
    from rag.config import Settings

    for var, value in [("RAG_LLM_RETRIES", "0"), ("RAG_LOCK_TIMEOUT", "0"), ("RAG_LLM_TIMEOUT", "0.5"),
                       ("RAG_MAX_QUESTION_TOKENS", "1"), ("RAG_MAX_ANSWER_TOKENS", "1"), ("RAG_MAX_FILE_MB", "0.01")]:
        monkeypatch.setenv(var, value)
    s = Settings.load()
    assert (s.llm_retries, s.lock_timeout, s.llm_timeout, s.max_question_tokens) == (0, 0.0, 0.5, 1)


def test_an_index_folder_that_cannot_be_a_folder_is_one_line(cli, seed_index, tmp_path, monkeypatch, capsys):
    before = indexed(seed_index)
    a_file = tmp_path / "passwd"
    a_file.write_text("root:x:0:0\n")
    cases = [
        (a_file, f"error: RAG_INDEX_DIR must be a folder, but {a_file} is a file, not a folder"),
        (a_file / "index",
         f"error: RAG_INDEX_DIR cannot be created at {a_file / 'index'}: {a_file} is a file, not a folder"),
        ("/proc/rag-index",
         "error: RAG_INDEX_DIR must be a folder that can be written, not under /proc: got /proc/rag-index"),
    ]
    for path, message in cases:
        monkeypatch.setenv("RAG_INDEX_DIR", str(path))
        for command in (["ingest"], ["ask", QUESTION]):
            assert cli(*command) == 1
            out = capsys.readouterr()
            assert out.err == message + "\n"
    assert a_file.read_text() == "root:x:0:0\n"
    assert indexed(seed_index) == before


# -- the command line's flags -----------------------------------------------------------
@pytest.mark.parametrize("command", ["ask", "retrieve"])
@pytest.mark.parametrize("k", ["0", "-1", "51"])
def test_k_out_of_range_names_the_flag(cli, seed_index, capsys, command, k):
    assert cli(command, QUESTION, "--k", k) == 1
    out = capsys.readouterr()
    assert out.out == "" and out.err == f"error: --k must be a whole number between 1 and 50, got {k}\n"


def test_k_one_retrieves_one_passage(cli, capsys):
    import json

    assert cli("retrieve", "--json", QUESTION, "--k", "1") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert cli("ask", "--json", QUESTION, "--k", "1") == 0
    assert len(json.loads(capsys.readouterr().out)["retrieved"]) == 1


@pytest.mark.parametrize("question", ["", ("boats " * 20_000)[:100_000]])
def test_retrieve_checks_the_question_as_ask_does(cli, fake_embedder, capsys, question):
    assert cli("ask", question) == 1
    asked = capsys.readouterr().err
    embedded = fake_embedder.texts_embedded
    assert cli("retrieve", question) == 1
    out = capsys.readouterr()
    assert out.out == "" and out.err == asked and asked.startswith("error: the question is")
    assert fake_embedder.texts_embedded == embedded  # refused before any search


def test_retrieve_from_a_source_not_in_the_index_says_so(cli, seed_index, capsys):
    import json

    assert cli("retrieve", QUESTION, "--source", "nonexist.txt") == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert re.fullmatch(r"error: --source 'nonexist\.txt' is not in the index: give a file path relative to the "
                        r"documents folder; the index holds \d+ document\(s\): .*\n", out.err)
    assert FRANCE_SOURCE in out.err
    # a near miss gets a suggestion; one bad name among good ones is still an error
    assert cli("retrieve", QUESTION, "--source", FRANCE_SOURCE, "--source", FRANCE_SOURCE[:-4]) == 1
    assert f"(did you mean '{FRANCE_SOURCE}'?)" in capsys.readouterr().err
    # the name as indexed, or the file's path inside the documents folder
    for given in (FRANCE_SOURCE, str(seed_index.docs_dir / FRANCE_SOURCE)):
        assert cli("retrieve", "--json", QUESTION, "--source", given) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows and {r["source"] for r in rows} == {FRANCE_SOURCE}


# -- the Python API -------------------------------------------------------------------
def test_history_given_as_one_string_is_one_earlier_question(seed_index, fake_embedder):
    searcher = Searcher(seed_index, embedder=fake_embedder)
    as_string = answer_question("Why?", settings=seed_index, history=QUESTION, searcher=searcher)
    as_list = answer_question("Why?", settings=seed_index, history=[QUESTION], searcher=searcher)
    assert as_string.query == as_list.query == f"{QUESTION} Why?"
    same_answer(as_string, as_list)
    with pytest.raises(TypeError, match="history must hold earlier questions as strings"):
        answer_question("Why?", settings=seed_index, history=[1, 2], searcher=searcher)


@pytest.mark.parametrize("k", [0, -1, 51, 1000, 2.5, True])
def test_api_k_is_checked_like_rag_top_k(seed_index, fake_embedder, k):
    from rag.errors import ConfigError
    from rag.retrieve import get_retriever

    searcher = Searcher(seed_index, embedder=fake_embedder)
    with pytest.raises(ConfigError, match=r"^k must be a whole number between 1 and 50, got "):
        get_retriever(seed_index, k=k, searcher=searcher)
    with pytest.raises(ConfigError, match=r"^k must be a whole number between 1 and 50, got "):
        answer_question(QUESTION, settings=seed_index, k=k, searcher=searcher)


def test_retriever_sources_given_as_one_string_is_one_source(seed_index, fake_embedder):
    from rag.retrieve import get_retriever

    searcher = Searcher(seed_index, embedder=fake_embedder)
    nodes = get_retriever(seed_index, k=5, sources=FRANCE_SOURCE, searcher=searcher).retrieve("boats")
    assert nodes and {n.node.metadata["source"] for n in nodes} == {FRANCE_SOURCE}
    listed = get_retriever(seed_index, k=5, sources=[FRANCE_SOURCE], searcher=searcher).retrieve("boats")
    assert [n.node.node_id for n in nodes] == [n.node.node_id for n in listed]
    assert len(get_retriever(seed_index, k=1, searcher=searcher).retrieve("boats")) == 1


def test_retriever_source_not_in_the_index_is_an_error_not_an_empty_result(seed_index, fake_embedder):
    from rag.errors import DocumentsError
    from rag.retrieve import get_retriever

    searcher = Searcher(seed_index, embedder=fake_embedder)
    with pytest.raises(DocumentsError, match=r"^source 'nope\.txt' is not in the index: .*the index holds 2"):
        get_retriever(seed_index, sources=["nope.txt"], searcher=searcher)
    # a path to the file inside the documents folder names it
    nodes = get_retriever(seed_index, sources=[str(seed_index.docs_dir / FRANCE_SOURCE)],
                          searcher=searcher).retrieve("boats")
    assert nodes and {n.node.metadata["source"] for n in nodes} == {FRANCE_SOURCE}


# -- usage mistakes ---------------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["ask"], "rag ask: the following arguments are required: question"),
    (["retrieve", "boats", "--k", "abc"], "rag retrieve: argument --k: invalid int value: 'abc'"),
    (["bogus"], "rag: argument command: invalid choice: 'bogus'"),
    # NaN is below nothing: as a floor it would switch the gate off
    (["eval", "evals/smoke.jsonl", "--fail-under", "answer_match=nan"], "the limit must be a finite number"),
    (["eval", "evals/smoke.jsonl", "--fail-over", "latency_p95_ms=inf"], "the limit must be a finite number"),
])
def test_a_usage_mistake_is_one_line_naming_the_help(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err and "--help`)" in err


# -- evaluation --------------------------------------------------------------------------
def test_eval_judge_against_an_unreachable_server_says_why_nothing_was_scored(cli, seed_index, tmp_path,
                                                                               monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-unreachable")
    monkeypatch.setenv("RAG_LLM", "none")
    monkeypatch.setenv("RAG_LLM_RETRIES", "0")
    suite = tmp_path / "suite.jsonl"
    suite.write_text(
        '{"id": "money", "question": "Britain has committed approximately how much to France over recent years?", '
        f'"answerable": true, "expected_sources": ["{FRANCE_SOURCE}"], "must_include": [["480"]], '
        '"reference_answer": "About £480 million."}\n',
        encoding="utf-8")
    assert cli("eval", str(suite), "--judge", "--out", str(tmp_path / "runs")) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("judge:")]
    assert err == ["judge: 1 of 1 answer(s) not scored (first reason: judge call failed: "
                   "the LLM server at http://127.0.0.1:9/v1 could not be reached)"]


def _money_suite(tmp_path):
    suite = tmp_path / "suite.jsonl"
    suite.write_text(
        '{"id": "money", "question": "How much has Britain committed to France?", "answerable": true, '
        f'"expected_sources": ["{FRANCE_SOURCE}"], "must_include": [["480"]], "reference_answer": "£480m."}}\n',
        encoding="utf-8")
    return suite


def test_eval_with_a_rejected_key_is_one_error_and_no_run(cli, seed_index, tmp_path, monkeypatch, capsys):
    from .fake_openai import FakeOpenAI, Status

    suite = _money_suite(tmp_path)
    with FakeOpenAI([Status(401)] * 3) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-rejected")
        assert cli("eval", str(suite), "--out", str(tmp_path / "runs")) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no case could be answered, so this run has no scores: the LLM server at")
    assert "401" in err and "sk-test-rejected" not in err and "\n" not in err
    assert not (tmp_path / "runs").exists()  # no run of zeros to compare later runs with


def test_eval_whose_llm_answers_fell_back_says_so(cli, seed_index, tmp_path, monkeypatch, capsys):
    suite = _money_suite(tmp_path)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-unreachable")
    monkeypatch.setenv("RAG_LLM_RETRIES", "0")
    assert cli("eval", str(suite), "--out", str(tmp_path / "runs")) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("eval: note:")]
    assert notes == ["eval: note: the LLM could not be used (unreachable, too slow or failing), so every case "
                     "was answered in extractive mode: these are extractive scores, not LLM scores"]
