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
