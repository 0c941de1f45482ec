"""Ingestion into a real embedded Chroma: incremental runs, bad input, settings, lock."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rag.cli import main
from rag.errors import ConfigError, DocumentsError, IndexBusyError, IndexMismatchError
from rag.ingest import ingest
from rag.store import Index

from .conftest import FRANCE_SOURCE


def index_state(settings):
    index = Index(settings)
    try:
        chunks = index.chunks()
        vectors = index.collection().get(include=["metadatas", "embeddings"])
        return chunks, vectors
    finally:
        index.close()


def test_seed_ingest_stores_chunks_vectors_and_clean_text(seed_index, fake_embedder):
    chunks, vectors = index_state(seed_index)
    assert {c.source for c in chunks} == {"000_6ea2d6230eff8e98.txt", FRANCE_SOURCE}
    assert sorted(vectors["ids"]) == sorted(c.chunk_id for c in chunks)
    index = Index(seed_index)
    for c in chunks:
        doc = index.document(c.source)
        assert doc.text[c.start : c.end] == c.text
    meta = {m["source"] for m in vectors["metadatas"]}
    assert meta == {c.source for c in chunks}
    assert index.document(FRANCE_SOURCE).title.startswith("UK Home Secretary Demands")
    # Each distinct sentence once (for sentence-level search); a chunk's vector is the
    # normalised mean of its sentences' vectors, with no model run of its own.
    from rag.sentences import sentence_texts

    sentences = {t for c in chunks for t in sentence_texts(c.text)}
    assert fake_embedder.texts_embedded == len(sentences)
    stored = dict(zip(vectors["ids"], vectors["embeddings"]))
    for c in chunks:
        mean = fake_embedder.embed(sentence_texts(c.text)).sum(axis=0)
        assert np.allclose(stored[c.chunk_id], mean / np.linalg.norm(mean), atol=1e-6)


def whole_and_mean(fake_embedder, chunks, stored) -> tuple[int, int]:
    """How many stored chunk vectors are whole-chunk ones, and how many sentence means."""
    from rag.sentences import sentence_texts

    whole = mean = 0
    for c in chunks:
        m = fake_embedder.embed(sentence_texts(c.text)).sum(axis=0)
        if np.allclose(stored[c.chunk_id], fake_embedder.embed([c.text])[0], atol=1e-6):
            whole += 1
        elif np.allclose(stored[c.chunk_id], m / np.linalg.norm(m), atol=1e-6):
            mean += 1
    return whole, mean


def stored_vectors(settings):
    chunks, vectors = index_state(settings)
    return chunks, dict(zip(vectors["ids"], vectors["embeddings"]))


def as_before_the_setting(settings):
    """The index as the version before RAG_CHUNK_VECTORS left it: whole-chunk vectors,
    and no chunk_vectors in its fingerprint."""
    import sqlite3

    db = sqlite3.connect(settings.index_dir / "index.db")
    built = json.loads(db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()[0])
    del built["chunk_vectors"]
    db.execute("UPDATE meta SET value=? WHERE key='fingerprint'", (json.dumps(built),))
    db.commit()
    db.close()


def test_chunks_embedded_whole_on_request_and_another_kind_needs_a_rebuild(settings, fake_embedder, monkeypatch):
    from rag.config import Settings
    from rag.retrieve import Searcher

    whole = settings.replace(chunk_vectors="direct")
    report = ingest(whole, embedder=fake_embedder)
    chunks, stored = stored_vectors(whole)
    assert fake_embedder.texts_embedded == report.embedded + report.sentences and report.chunk_seconds > 0
    assert whole_and_mean(fake_embedder, chunks, stored) == (len(chunks), 0)
    # A kind chosen on purpose is never converted by a stray setting: never mixed either.
    rebuild = r"chunk_vectors 'direct' -> 'sentences'\): run `rag ingest --rebuild`$"
    with pytest.raises(IndexMismatchError, match=rebuild):
        Searcher(settings, embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match=rebuild):
        ingest(settings, embedder=fake_embedder)
    assert whole_and_mean(fake_embedder, chunks, stored_vectors(whole)[1]) == (len(chunks), 0)
    assert ingest(settings, rebuild=True, embedder=fake_embedder).embedded == len(chunks)
    assert whole_and_mean(fake_embedder, chunks, stored_vectors(settings)[1]) == (0, len(chunks))
    monkeypatch.setenv("RAG_CHUNK_VECTORS", "Direct ")
    assert Settings.load(docs_dir=settings.docs_dir, index_dir=settings.index_dir).chunk_vectors == "direct"
    monkeypatch.setenv("RAG_CHUNK_VECTORS", "pooled")
    with pytest.raises(ConfigError, match="RAG_CHUNK_VECTORS must be 'sentences' or 'direct'"):
        Settings.load()


def test_an_index_from_before_the_setting_gets_its_vectors_remade_in_place(settings, fake_embedder, monkeypatch):
    from rag.retrieve import Searcher

    whole = settings.replace(chunk_vectors="direct")
    ingest(whole, embedder=fake_embedder)
    as_before_the_setting(settings)
    old = Searcher(whole, embedder=fake_embedder)  # a process that still reads it as it was
    assert old.search("France", 3)
    with pytest.raises(IndexMismatchError, match=r"built by an earlier version.*: run `rag ingest` to remake them") as err:
        Searcher(settings, embedder=fake_embedder)
    assert err.value.rebuild is False
    with monkeypatch.context() as m:
        m.setattr("rag.ingest.load_document", lambda *a, **k: pytest.fail("the remake read a file"))
        again = ingest(settings, embedder=fake_embedder)
    chunks, stored = stored_vectors(settings)
    assert again.remade == len(chunks) and again.embedded == 0 and "Remade the vectors of" in again.summary()
    assert whole_and_mean(fake_embedder, chunks, stored) == (0, len(chunks))
    assert Searcher(settings, embedder=fake_embedder).search("France", 3)
    with pytest.raises(IndexMismatchError):  # the open searcher notices the change
        old.search("France", 3)
    assert ingest(settings, embedder=fake_embedder).remade == 0


def test_a_remake_stopped_midway_is_never_searched_and_is_done_again(settings, fake_embedder, monkeypatch):
    from rag.retrieve import Searcher
    from rag.store import Index

    whole = settings.replace(chunk_vectors="direct")
    ingest(whole, embedder=fake_embedder)
    as_before_the_setting(settings)
    calls = []

    def stops(self, ids, vectors):
        if calls:
            raise KeyboardInterrupt
        calls.append(ids)
        original(self, ids, vectors)

    original = Index.set_vectors
    monkeypatch.setattr("rag.ingest.EMBED_BATCH_CHUNKS", 2)
    with monkeypatch.context() as m:
        m.setattr(Index, "set_vectors", stops)
        with pytest.raises(KeyboardInterrupt):
            ingest(settings, embedder=fake_embedder)
    chunks, stored = stored_vectors(settings)
    assert whole_and_mean(fake_embedder, chunks, stored) == (len(chunks) - 2, 2)  # mixed
    for either in (settings, whole):
        with pytest.raises(IndexMismatchError, match="being remade, or a remake stopped midway: run `rag ingest`"):
            Searcher(either, embedder=fake_embedder)
    # Even with the old setting, the next ingest remakes them all.
    assert ingest(whole, embedder=fake_embedder).remade == len(chunks)
    assert whole_and_mean(fake_embedder, chunks, stored_vectors(whole)[1]) == (len(chunks), 0)
    assert Searcher(whole, embedder=fake_embedder).search("France", 3)


def test_reingest_of_unchanged_files_embeds_nothing(seed_index, fake_embedder):
    before = fake_embedder.texts_embedded
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.embedded == 0 and fake_embedder.texts_embedded == before
    assert sorted(report.unchanged) == ["000_6ea2d6230eff8e98.txt", FRANCE_SOURCE]
    assert "no chunks were embedded" in report.summary()


def test_touched_but_identical_file_is_unchanged(seed_index, fake_embedder):
    path = seed_index.docs_dir / FRANCE_SOURCE
    path.write_bytes(path.read_bytes())  # new mtime, same text
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.embedded == 0 and FRANCE_SOURCE in report.unchanged


def test_changed_added_and_deleted_files(seed_index, fake_embedder):
    docs = seed_index.docs_dir
    (docs / FRANCE_SOURCE).write_text("Changed Headline\n\nOnly one short paragraph remains now.\n")
    (docs / "000_6ea2d6230eff8e98.txt").unlink()
    (docs / "sub").mkdir()
    (docs / "sub" / "new.md").write_text("# New notes\n\nThe ferry left Calais at dawn.\n")
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.updated == [FRANCE_SOURCE]
    assert report.added == ["sub/new.md"]
    assert report.removed == ["000_6ea2d6230eff8e98.txt"]
    assert report.embedded == 2  # one chunk each for the two new texts
    chunks, vectors = index_state(seed_index)
    assert sorted(c.source for c in chunks) == [FRANCE_SOURCE, "sub/new.md"]
    assert sorted(vectors["ids"]) == sorted(c.chunk_id for c in chunks)
    assert report.chunks == 2
    # a run that only removes a file changed the index, though it embedded nothing
    (docs / "sub" / "new.md").unlink()
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.removed == ["sub/new.md"] and report.embedded == 0
    assert report.summary().splitlines()[1] == "No chunks were embedded."
    assert ingest(seed_index, embedder=fake_embedder).summary().splitlines()[1] == \
        "Nothing changed: no chunks were embedded."


def test_bad_files_are_skipped_and_nothing_indexed_is_lost(seed_index, fake_embedder):
    docs = seed_index.docs_dir
    before, _ = index_state(seed_index)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (docs / "latin.txt").write_bytes("Calais: le préfet a été clair.".encode("latin-1"))
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    # a file that was indexed turns into garbage: its old chunks stay
    (docs / FRANCE_SOURCE).write_bytes(b"\x00" * 64)
    report = ingest(seed_index, embedder=fake_embedder)
    skipped = {s.path: s.reason for s in report.skipped}
    assert set(skipped) == {"empty.txt", "binary.txt", "photo.jpg", "broken.pdf", FRANCE_SOURCE}
    assert "empty" in skipped["empty.txt"] and "binary" in skipped["binary.txt"]
    assert report.added == ["latin.txt"]
    after, _ = index_state(seed_index)
    assert {c.chunk_id for c in before} <= {c.chunk_id for c in after}
    assert any("préfet" in c.text for c in after)


def test_a_broken_link_is_reported_and_hidden_files_are_left_out(seed_index, fake_embedder):
    docs = seed_index.docs_dir
    (docs / "gone.txt").symlink_to(docs / "no-such-target.txt")
    (docs / ".notes.txt").write_text("A hidden file is not a document.")
    report = ingest(seed_index, embedder=fake_embedder)
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("gone.txt", f"broken link (its target {docs / 'no-such-target.txt'} does not exist)")]
    assert report.unchanged and not report.added


def test_a_file_marked_with_a_byte_order_mark_it_does_not_follow_is_no_crash(settings, fake_embedder):
    docs = settings.docs_dir
    (docs / "bom_latin.txt").write_bytes(b"\xef\xbb\xbfLe pr\xe9fet de Calais a \xe9t\xe9 clair sur les bateaux.")
    (docs / "cut16.txt").write_bytes(b"\xff\xfeA\x00B")  # UTF-16 cut mid-character
    report = ingest(settings, embedder=fake_embedder)
    skipped = {s.path: s.reason for s in report.skipped}
    assert skipped == {"cut16.txt": "marked as UTF-16 but not valid UTF-16 (damaged or cut short)"}
    assert sorted(report.added) == sorted(["000_6ea2d6230eff8e98.txt", FRANCE_SOURCE, "bom_latin.txt"])
    chunks, _ = index_state(settings)
    assert any("préfet" in c.text for c in chunks)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n"])
def test_an_emptied_file_is_removed_from_the_index(seed_index, fake_embedder, content):
    (seed_index.docs_dir / FRANCE_SOURCE).write_bytes(content)
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.removed == [FRANCE_SOURCE]
    assert [s.path for s in report.skipped] == [FRANCE_SOURCE]
    assert report.skipped[0].reason.endswith("; removed from the index")
    chunks, vectors = index_state(seed_index)
    assert {c.source for c in chunks} == {"000_6ea2d6230eff8e98.txt"}
    assert sorted(vectors["ids"]) == sorted(c.chunk_id for c in chunks)


def test_a_subfolder_that_cannot_be_listed_keeps_its_documents(seed_index, fake_embedder, monkeypatch):
    import os

    sub = seed_index.docs_dir / "sub"
    sub.mkdir()
    (sub / "ferry.txt").write_text("Ferry\n\nThe ferry left Calais at dawn.\n")
    assert ingest(seed_index, embedder=fake_embedder).added == ["sub/ferry.txt"]
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(sub):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.removed == []
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("sub/", "unreadable folder (Permission denied); its indexed files are kept")]
    assert "sub/ferry.txt" in {c.source for c in index_state(seed_index)[0]}
    monkeypatch.setattr(os, "scandir", real)
    (sub / "ferry.txt").unlink()
    assert ingest(seed_index, embedder=fake_embedder).removed == ["sub/ferry.txt"]


def test_a_link_cycle_in_the_documents_folder_ends(settings, fake_embedder):
    (settings.docs_dir / "loop").symlink_to(settings.docs_dir, target_is_directory=True)
    report = ingest(settings, embedder=fake_embedder)
    assert len(report.added) == 2 and report.skipped == []


def test_files_from_outside_the_documents_folder_keep_their_own_names(seed_index, fake_embedder, tmp_path):
    docs = seed_index.docs_dir
    (docs / "new.md").write_text("Hedgehogs\n\nThe hedgehog lives under the shed.\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "new.md").write_text("Walruses\n\nThe walrus named Wally lives in Svalbard.\n")
    (other / "seal.md").write_text("Seals\n\nA seal sleeps on the rocks at Calais.\n")
    assert ingest(seed_index, embedder=fake_embedder).added == ["new.md"]
    outside = f"{other.resolve().as_posix()}/new.md"
    report = ingest(seed_index, [other / "new.md"], embedder=fake_embedder)
    assert report.added == [outside] and report.updated == []
    index = Index(seed_index)
    assert "hedgehog" in index.document("new.md").text and "walrus" in index.document(outside).text
    index.close()
    # A run over the documents folder does not remove what was ingested from elsewhere...
    assert ingest(seed_index, embedder=fake_embedder).removed == []
    assert ingest(seed_index, [other], embedder=fake_embedder).added == [f"{other.resolve().as_posix()}/seal.md"]
    # ...and a run over that folder removes its deleted files, and nothing of the documents folder.
    (other / "new.md").unlink()
    assert ingest(seed_index, [other], embedder=fake_embedder).removed == [outside]
    assert "new.md" in {c.source for c in index_state(seed_index)[0]}


def test_size_cap(settings, fake_embedder):
    (settings.docs_dir / "huge.txt").write_text("boats " * 400_000)  # ~2.4 MB
    report = ingest(settings.replace(max_file_mb=1), embedder=fake_embedder)
    assert [s.path for s in report.skipped] == ["huge.txt"]
    assert "too large" in report.skipped[0].reason and len(report.added) == 2


def test_unreadable_file_is_skipped(settings, fake_embedder, monkeypatch):
    from pathlib import Path

    real = Path.read_bytes

    def read_bytes(self):
        if self.name == FRANCE_SOURCE:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = ingest(settings, embedder=fake_embedder)
    assert report.skipped[0].path == FRANCE_SOURCE and "Permission denied" in report.skipped[0].reason


def test_missing_or_empty_documents_folder(tmp_path, fake_embedder):
    from rag.config import Settings

    missing = Settings.load(docs_dir=tmp_path / "nope", index_dir=tmp_path / "i")
    with pytest.raises(DocumentsError, match="does not exist"):
        ingest(missing, embedder=fake_embedder)
    (tmp_path / "empty").mkdir()
    empty = Settings.load(docs_dir=tmp_path / "empty", index_dir=tmp_path / "i")
    with pytest.raises(DocumentsError, match="is empty"):
        ingest(empty, embedder=fake_embedder)


def test_other_chunk_settings_need_a_rebuild(seed_index, fake_embedder):
    other = seed_index.replace(chunk_tokens=128)
    with pytest.raises(IndexMismatchError, match=r"chunk_tokens 256 -> 128.*rag ingest --rebuild"):
        ingest(other, embedder=fake_embedder)
    from rag.retrieve import Searcher

    with pytest.raises(IndexMismatchError):
        Searcher(other, embedder=fake_embedder)
    report = ingest(other, rebuild=True, embedder=fake_embedder)
    assert len(report.added) == 2 and report.chunks > 5
    chunks, vectors = index_state(other)
    assert all(c.tokens <= 130 for c in chunks) and len(vectors["ids"]) == len(chunks)


def test_a_second_ingest_waits_then_stops_while_the_lock_is_held(seed_index, fake_embedder):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from filelock import FileLock
            with FileLock({str(seed_index.index_dir / 'ingest.lock')!r}):
                print('locked', flush=True)
                time.sleep(30)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError, match="another ingest is running"):
            ingest(seed_index.replace(lock_timeout=0.5), embedder=fake_embedder)
    finally:
        holder.kill()
        holder.wait()
    assert ingest(seed_index, embedder=fake_embedder).embedded == 0  # usable afterwards


def test_cli_ingest_json_and_config(settings, monkeypatch, capsys):
    monkeypatch.setenv("RAG_DOCS_DIR", str(settings.docs_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET-value")
    monkeypatch.setenv("RAG_LLM", "none")
    import rag.embeddings as embeddings
    from .conftest import HashEmbedder

    monkeypatch.setattr(embeddings, "get_embedder", lambda s: HashEmbedder())
    monkeypatch.setattr("rag.ingest.get_embedder", lambda s: HashEmbedder())
    assert main(["ingest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"added", "updated", "unchanged", "removed", "skipped", "chunks", "seconds"}
    assert len(out["added"]) == 2 and out["chunks"] > 0
    assert main(["config"]) == 0
    printed = capsys.readouterr().out
    assert "SECRET" not in printed and "(set, hidden)" in printed
    assert str(settings.index_dir) in printed


def test_cli_reports_a_missing_index_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "none"))
    assert main(["retrieve", "What did France reject?"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "run `rag ingest` first" in err


def test_bad_setting_is_one_line_error(monkeypatch, capsys):
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "lots")
    assert main(["config"]) == 1
    assert capsys.readouterr().err.strip() == "error: RAG_CHUNK_TOKENS must be a whole number, got 'lots'"


@pytest.mark.slow
def test_real_model_end_to_end_finds_what_france_rejected(real_seed_settings, real_embedder):
    from rag.retrieve import Searcher

    hits = Searcher(real_seed_settings, embedder=real_embedder).search("What did France reject?", 3)
    top3 = [h.chunk for h in hits[:3]]
    assert any(
        c.source == FRANCE_SOURCE and "French officials have swiftly rejected the UK's demands" in c.text
        for c in top3
    )


def test_a_200_mb_file_is_skipped_without_being_read(seed_index, fake_embedder):
    with open(seed_index.docs_dir / "dump.txt", "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    report = ingest(seed_index, embedder=fake_embedder)
    assert [(s.path, s.reason) for s in report.skipped] == [("dump.txt", "too large (200.0 MB, limit 20 MB)")]
    assert report.embedded == 0 and len(report.unchanged) == 2


def test_hidden_characters_in_a_document_do_not_reach_the_index(settings, fake_embedder):
    (settings.docs_dir / "tricky.txt").write_text(
        "Hidden\u200b text\u202e with \U000E0049\U000E0047tags and \x07control\x1b chars.\n"
    )
    ingest(settings, embedder=fake_embedder)
    doc = Index(settings).document("tricky.txt")
    assert doc.text == "Hidden text with tags and control chars."


def test_a_file_that_cannot_be_examined_keeps_its_indexed_version(seed_index, fake_embedder, monkeypatch):
    import rag.ingest

    real = rag.ingest._stat

    def stat(path):
        if path.name == FRANCE_SOURCE:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(rag.ingest, "_stat", stat)
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.removed == [] and [s.path for s in report.skipped] == [FRANCE_SOURCE]
    assert FRANCE_SOURCE in {c.source for c in index_state(seed_index)[0]}


def test_the_last_change_is_when_the_index_last_changed_a_removal_included(seed_index, fake_embedder):
    import time

    from rag.store import Index

    def last_change():
        index = Index(seed_index)
        try:
            return index.stats().updated_at
        finally:
            index.close()

    (seed_index.docs_dir / "note.txt").write_text("A note\n\nThe ferry left Calais at dawn.\n")
    ingest(seed_index, embedder=fake_embedder)
    added = last_change()
    time.sleep(0.05)
    (seed_index.docs_dir / "note.txt").unlink()
    ingest(seed_index, embedder=fake_embedder)
    removed = last_change()
    assert removed > added  # before, the newest remaining document's time: earlier
    assert ingest(seed_index, embedder=fake_embedder).summary().startswith("0 added")
    assert last_change() == removed  # a run that changed nothing is no change
