"""Retrieval: hybrid ranking, the LlamaIndex retriever, source filters, near-duplicates,
and a lexical side that follows incremental ingests without re-reading documents."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from rag.chunking import chunk_document
from rag.documents import load_document
from rag.errors import QuestionError
from rag.ingest import ingest
from rag.retrieve import Searcher, get_retriever
from rag.store import Index

from .conftest import FRANCE_SOURCE, ROOT

FRANCE_PASSAGE = "French officials have swiftly rejected the UK's demands"
OTHER_SOURCE = "000_6ea2d6230eff8e98.txt"


def test_search_ranks_the_passage_that_answers_first(seed_index, fake_embedder):
    hits = Searcher(seed_index, embedder=fake_embedder).search("What did France reject?", 3)
    assert hits[0].chunk.source == FRANCE_SOURCE and FRANCE_PASSAGE in hits[0].chunk.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].dense is not None and hits[0].lexical > 0


def test_an_empty_question_is_refused(seed_index, fake_embedder):
    with pytest.raises(QuestionError):
        Searcher(seed_index, embedder=fake_embedder).search("  \n ")


def test_retriever_is_a_llamaindex_retriever_with_offsets(seed_index, fake_embedder):
    from llama_index.core.retrievers import BaseRetriever

    from rag.retrieve import HybridRetriever

    retriever = get_retriever(seed_index, k=3, searcher=Searcher(seed_index, embedder=fake_embedder))
    assert isinstance(retriever, HybridRetriever) and isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve("What did France reject?")
    assert 1 <= len(nodes) <= 3
    assert nodes[0].score >= nodes[-1].score
    index = Index(seed_index)
    for n in nodes:
        meta = n.node.metadata
        assert {"source", "title", "chunk_id", "start", "end"} <= set(meta)
        assert n.node.node_id == meta["chunk_id"]
        assert index.document(meta["source"]).text[meta["start"] : meta["end"]] == n.node.text
    assert nodes[0].node.metadata["source"] == FRANCE_SOURCE


def test_importing_rag_does_not_import_llamaindex():
    code = "import sys, rag; print(any(m.startswith('llama_index.core') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_source_filter_keeps_to_the_named_files(seed_index, fake_embedder):
    searcher = Searcher(seed_index, embedder=fake_embedder)
    hits = searcher.search("What did France reject?", 5, sources=[OTHER_SOURCE])
    assert hits and {h.chunk.source for h in hits} == {OTHER_SOURCE}
    nodes = get_retriever(seed_index, k=5, sources=[FRANCE_SOURCE], searcher=searcher).retrieve("boats")
    assert nodes and {n.node.metadata["source"] for n in nodes} == {FRANCE_SOURCE}
    assert searcher.search("What did France reject?", 5, sources=["no-such-file.txt"]) == []


def test_a_document_ingested_twice_does_not_crowd_the_results(seed_index, fake_embedder):
    shutil.copy(seed_index.docs_dir / FRANCE_SOURCE, seed_index.docs_dir / "copy-of-france.txt")
    ingest(seed_index, embedder=fake_embedder)
    hits = Searcher(seed_index, embedder=fake_embedder).search("What did France reject?", 4)
    texts = [h.chunk.text for h in hits]
    assert len(texts) == len(set(texts)) == 4  # filled with other passages, not the copy
    assert sum(FRANCE_PASSAGE in t for t in texts) == 1


def test_a_window_that_is_mostly_overlap_does_not_crowd_the_results(settings, fake_embedder):
    settings = settings.replace(chunk_tokens=64, chunk_overlap=24)
    sentences = [f"Note {n} lists plain facts about item {n} here." for n in range(1, 7)]
    sentences[3] = "The quokka smiles at the harbour wall."
    sentences[4] = "A quokka naps by the harbour wall."
    (settings.docs_dir / "animals.txt").write_text(" ".join(sentences) + "\n")
    ingest(settings, embedder=fake_embedder)
    chunks = chunk_document(load_document(settings.docs_dir / "animals.txt", settings.docs_dir, 10**6), 64, 24)
    both = [c for c in chunks if "quokka smiles" in c.text and "quokka naps" in c.text]
    assert len(both) == 2  # the case under test: two windows share both quokka sentences
    a, b = both
    assert min(a.end, b.end) - max(a.start, b.start) >= 0.5 * min(a.end - a.start, b.end - b.start)

    hits = Searcher(settings, embedder=fake_embedder).search("quokka harbour wall", 3)
    assert hits[0].chunk.source == "animals.txt" and "quokka" in hits[0].chunk.text
    assert sum(h.chunk.chunk_id in {a.chunk_id, b.chunk_id} for h in hits) == 1


def test_the_lexical_side_follows_incremental_ingests(seed_index, fake_embedder):
    searcher = Searcher(seed_index, embedder=fake_embedder)
    note = seed_index.docs_dir / "zoo.txt"
    assert all(h.chunk.source != "zoo.txt" for h in searcher.search("quokka sanctuary", 3))

    note.write_text("The quokka sanctuary opens at nine.\n")
    ingest(seed_index, embedder=fake_embedder)
    top = searcher.search("quokka sanctuary", 3)[0]
    assert top.chunk.source == "zoo.txt" and top.lexical > 0

    note.write_text("The wombat burrow opens at noon.\n")
    ingest(seed_index, embedder=fake_embedder)
    assert all("quokka" not in h.chunk.text for h in searcher.search("quokka sanctuary", 5))
    top = searcher.search("wombat burrow", 3)[0]
    assert top.chunk.source == "zoo.txt" and "wombat" in top.chunk.text and top.lexical > 0

    note.unlink()
    ingest(seed_index, embedder=fake_embedder)
    assert all(h.chunk.source != "zoo.txt" for h in searcher.search("wombat burrow", 5))


def test_questions_do_not_reread_the_index_or_re_embed_sentences(seed_index, fake_embedder, monkeypatch):
    reads = []
    original = Index.chunks
    monkeypatch.setattr(Index, "chunks", lambda self: reads.append(1) or original(self))
    monkeypatch.setattr(Index, "document", lambda self, source: pytest.fail("a document was re-read"))
    searcher = Searcher(seed_index, embedder=fake_embedder)
    assert searcher.prepare() == 0  # the ingest stored every sentence vector already
    for question in ("What did France reject?", "boats", "How much has Britain paid?"):
        searcher.search(question, 3)
    assert len(reads) == 1

    again = Searcher(seed_index, embedder=fake_embedder)  # another process, same index
    assert again.prepare() == 0
    (seed_index.docs_dir / "zoo.txt").write_text("The quokka sanctuary opens at nine.\n")
    assert ingest(seed_index, embedder=fake_embedder).sentences == 1  # only the new file's one sentence
    assert again.prepare() == 0
    assert len(reads) == 4  # each searcher once, the ingest's search cache, the reload after it
    assert again.search("quokka sanctuary", 1)[0].chunk.source == "zoo.txt"


def test_sentence_vectors_lost_from_the_index_folder_are_embedded_again(seed_index, fake_embedder):
    (seed_index.index_dir / "sentences.db").unlink()
    searcher = Searcher(seed_index, embedder=fake_embedder)
    redone = searcher.prepare()
    assert redone > 0 and Searcher(seed_index, embedder=fake_embedder).prepare() == 0
    top = searcher.search("What did France reject?", 3)
    assert any("rejected the UK" in h.chunk.text for h in top)


@pytest.mark.slow
def test_real_model_puts_what_france_rejected_in_the_top_3(real_seed_settings, real_embedder):
    nodes = get_retriever(real_seed_settings, k=3).retrieve("What did France reject?")
    assert any(
        n.node.metadata["source"] == FRANCE_SOURCE and FRANCE_PASSAGE in n.node.text for n in nodes[:3]
    )


def test_a_sentence_repeated_across_documents_is_held_once(seed_index, fake_embedder):
    for n in range(3):
        (seed_index.docs_dir / f"release-{n}.txt").write_text(
            f"Release {n} notes\n\nThe ferry timetable gained route {n}. Changed in version 3.8.\n"
        )
    ingest(seed_index, embedder=fake_embedder)
    searcher = Searcher(seed_index, embedder=fake_embedder)
    snap = searcher.snapshot()
    assert sum(c.text.count("Changed in version 3.8.") for c in snap.chunks) == 3
    row = snap.distinct["Changed in version 3.8."]
    assert (snap.rows == row).sum() == 3  # three chunks point at one vector
    assert snap.vectors.shape[0] == len(snap.distinct) == len(set(snap.rows.tolist()))
    top = searcher.search("ferry timetable route 2", 3)[0]
    assert top.chunk.source == "release-2.txt"


# -- the snapshot cache beside the index ------------------------------------------------
QUESTIONS = ["What did France reject?", "How much has Britain paid?", "Who is the border security chief?"]


def _ranked(searcher):
    return [[(h.chunk.chunk_id, round(h.score, 5)) for h in searcher.search(q, 5)] for q in QUESTIONS]


def test_a_fresh_searcher_reads_the_sentence_table_and_lexical_indexes_from_the_cache(seed_index, fake_embedder):
    from rag.snapshot import CACHE

    (seed_index.index_dir / CACHE).unlink()  # as if the ingest could not write it
    first = Searcher(seed_index, embedder=fake_embedder)
    assert not first.snapshot().cached and (seed_index.index_dir / CACHE).exists()
    second = Searcher(seed_index, embedder=fake_embedder)
    snap = second.snapshot()
    assert snap.cached
    built = first.snapshot()
    assert list(snap.distinct) == list(built.distinct) and (snap.rows == built.rows).all()
    assert _ranked(second) == _ranked(first)


def test_a_cache_of_other_chunks_or_other_code_is_not_read(seed_index, fake_embedder, monkeypatch):
    import rag.snapshot

    from rag.snapshot import CACHE

    cache = seed_index.index_dir / CACHE
    old = cache.read_bytes()  # the cache of the index as it was
    (seed_index.docs_dir / "new.txt").write_text("A new note\n\nThe ferry to Calais was cancelled by fog.\n")
    ingest(seed_index, embedder=fake_embedder)
    cache.write_bytes(old)
    searcher = Searcher(seed_index, embedder=fake_embedder)
    assert not searcher.snapshot().cached
    assert searcher.search("Why was the ferry cancelled?", 1)[0].chunk.source == "new.txt"
    assert Searcher(seed_index, embedder=fake_embedder).snapshot().cached
    # a new sentence splitter or tokeniser: the same chunks are split and tokenised anew
    rag.snapshot._code_version.cache_clear()
    monkeypatch.setattr(rag.snapshot, "_code_version", lambda: "another version")
    assert not Searcher(seed_index, embedder=fake_embedder).snapshot().cached


@pytest.mark.parametrize("damage", [b"", b"not a numpy file", b"PK\x03\x04 cut short"])
def test_a_damaged_cache_is_built_again(seed_index, fake_embedder, damage):
    from rag.snapshot import CACHE

    expected = _ranked(Searcher(seed_index, embedder=fake_embedder))
    (seed_index.index_dir / CACHE).write_bytes(damage)
    searcher = Searcher(seed_index, embedder=fake_embedder)
    assert not searcher.snapshot().cached and _ranked(searcher) == expected
    assert Searcher(seed_index, embedder=fake_embedder).snapshot().cached  # and written again


def test_an_ingest_leaves_the_cache_ready_for_the_first_question(settings, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    assert Searcher(settings, embedder=fake_embedder).snapshot().cached  # built by the ingest, not the search
    (settings.docs_dir / "new.txt").write_text("A new note\n\nThe ferry to Calais was cancelled by fog.\n")
    ingest(settings, embedder=fake_embedder)
    searcher = Searcher(settings, embedder=fake_embedder)
    assert searcher.snapshot().cached and searcher.search("Why was the ferry cancelled?", 1)[0].chunk.source == "new.txt"
    ingest(settings, rebuild=True, embedder=fake_embedder)
    assert Searcher(settings, embedder=fake_embedder).snapshot().cached
