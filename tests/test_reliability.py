"""Faults the index must survive: a Chroma server restart, a killed ingest, damage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from rag.cli import main
from rag.errors import IndexCorruptError
from rag.ingest import ingest
from rag.retrieve import Searcher
from rag.store import Index

from .conftest import FRANCE_SOURCE, ROOT, HashEmbedder
from .servers import ChromaServer


def consistent(settings) -> list[str]:
    """Chunk ids, after checking SQLite and Chroma hold exactly the same ones."""
    index = Index(settings)
    try:
        in_db = [c.chunk_id for c in index.chunks()]
        in_chroma = index.collection().get(include=[])["ids"]
    finally:
        index.close()
    assert len(in_db) == len(set(in_db)), "duplicate chunks"
    assert sorted(in_db) == sorted(in_chroma)
    return sorted(in_db)


@pytest.mark.slow
def test_chroma_server_mode_survives_a_restart(settings, fake_embedder, tmp_path):
    server = ChromaServer(tmp_path / "chroma-data").start()
    try:
        remote = settings.replace(chroma_url=server.url)
        report = ingest(remote, embedder=fake_embedder)
        assert len(report.added) == 2
        assert not (remote.index_dir / "chroma").exists()  # vectors live on the server
        before = [h.chunk.chunk_id for h in Searcher(remote, embedder=fake_embedder).search("What did France reject?", 3)]
        ids = consistent(remote)
        server.stop()
        server.start()
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        assert consistent(remote) == ids
        after = [h.chunk.chunk_id for h in Searcher(remote, embedder=fake_embedder).search("What did France reject?", 3)]
        assert after == before and before
        assert ingest(remote, embedder=fake_embedder).embedded == 0
    finally:
        server.stop()


@pytest.mark.parametrize("rebuild", [False, True])
def test_unreachable_chroma_server_is_one_clear_error(rebuild, settings, fake_embedder):
    from .servers import free_port

    remote = settings.replace(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(IndexCorruptError, match=r"^the Chroma server at \S+ is not reachable: is it running, and "
                                                r"are RAG_CHROMA_URL's host and port right\?$"):
        ingest(remote, rebuild=rebuild, embedder=fake_embedder)


SLOW_INGEST = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import rag.ingest
    from rag.config import Settings
    from tests.conftest import HashEmbedder

    class Slow(HashEmbedder):
        def embed(self, texts):
            time.sleep(0.3)
            return super().embed(texts)

    rag.ingest.EMBED_BATCH_CHUNKS = 1
    settings = Settings.load(docs_dir={docs!r}, index_dir={index!r})
    rag.ingest.ingest(settings, embedder=Slow(),
                      progress=lambda n, total, src: print(n, flush=True))
""")


def test_ingest_killed_midway_completes_on_the_next_run(seed_index, fake_embedder):
    docs = seed_index.docs_dir
    original = consistent(seed_index)
    for i in range(30):
        (docs / f"note{i:02d}.txt").write_text(f"Note {i}\n\nPatrol boat {i} sighted near Calais at dawn.\n")
    script = SLOW_INGEST.format(root=str(ROOT), docs=str(docs), index=str(seed_index.index_dir))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if int(line) >= 12:  # a dozen files in: some committed, one mid-write
                break
        time.sleep(0.15)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = Index(seed_index).stats().documents
    assert 2 < partial < 32  # really stopped midway

    report = ingest(seed_index, embedder=fake_embedder)
    assert len(report.added) == 32 - partial
    ids = consistent(seed_index)
    assert set(original) <= set(ids)  # nothing lost from before
    assert Index(seed_index).stats().documents == 32
    assert ingest(seed_index, embedder=fake_embedder).embedded == 0


def test_damaged_database_says_to_rebuild(seed_index, fake_embedder, monkeypatch, capsys):
    (seed_index.index_dir / "index.db").write_bytes(b"this is not a database" * 100)
    for name in ("index.db-wal", "index.db-shm"):
        (seed_index.index_dir / name).unlink(missing_ok=True)
    with pytest.raises(IndexCorruptError, match="rag ingest --rebuild"):
        Searcher(seed_index, embedder=fake_embedder)
    monkeypatch.setenv("RAG_INDEX_DIR", str(seed_index.index_dir))
    monkeypatch.setenv("RAG_DOCS_DIR", str(seed_index.docs_dir))
    assert main(["retrieve", "What did France reject?"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "rag ingest --rebuild" in err and "Traceback" not in err
    report = ingest(seed_index, rebuild=True, embedder=fake_embedder)
    assert len(report.added) == 2
    consistent(seed_index)


def test_deleted_vector_store_is_repaired_by_the_next_ingest(seed_index, fake_embedder):
    import shutil

    from chromadb.api.client import SharedSystemClient

    ids = consistent(seed_index)
    SharedSystemClient.clear_system_cache()
    shutil.rmtree(seed_index.index_dir / "chroma")
    with pytest.raises(IndexCorruptError, match="rag ingest"):
        Searcher(seed_index, embedder=fake_embedder).search("What did France reject?")
    SharedSystemClient.clear_system_cache()
    report = ingest(seed_index, embedder=fake_embedder)
    assert report.embedded == len(ids)
    assert consistent(seed_index) == ids


def test_a_serving_searcher_sees_what_another_process_ingested(seed_index, fake_embedder):
    searcher = Searcher(seed_index, embedder=fake_embedder)
    assert all(h.chunk.source != "zoo.txt" for h in searcher.search("zebra giraffe safari", 3))
    (seed_index.docs_dir / "zoo.txt").write_text("Zebra and giraffe safari notes.\n")
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from rag.config import Settings
        from rag.ingest import ingest
        from tests.conftest import HashEmbedder
        s = Settings.load(docs_dir={str(seed_index.docs_dir)!r}, index_dir={str(seed_index.index_dir)!r})
        print(ingest(s, embedder=HashEmbedder()).added)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "zoo.txt" in out
    hits = searcher.search("zebra giraffe safari", 3)
    assert hits[0].chunk.source == "zoo.txt" and hits[0].dense > 0.5


@pytest.mark.parametrize("where", ["embedded", pytest.param("server", marks=pytest.mark.slow)])
def test_a_serving_searcher_follows_a_rebuild_by_another_process(where, settings, fake_embedder, tmp_path):
    server = ChromaServer(tmp_path / "chroma-data").start() if where == "server" else None
    try:
        _follows_a_rebuild(settings.replace(chroma_url=server.url) if server else settings, fake_embedder)
    finally:
        if server:
            server.stop()


def _follows_a_rebuild(seed_index, fake_embedder):
    ingest(seed_index, embedder=fake_embedder)
    searcher = Searcher(seed_index, embedder=fake_embedder)
    assert searcher.search("What did France reject?", 3)[0].chunk.source == FRANCE_SOURCE
    before = Index(seed_index).generation()
    for path in seed_index.docs_dir.iterdir():
        path.unlink()
    (seed_index.docs_dir / "bees.txt").write_text("Bees\n\nA queen bee lays up to two thousand eggs a day.\n")
    (seed_index.docs_dir / "ants.txt").write_text("Ants\n\nLeafcutter ants farm a fungus on chewed leaves.\n")
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from rag.config import Settings
        from rag.ingest import ingest
        from tests.conftest import HashEmbedder
        s = Settings.load(docs_dir={str(seed_index.docs_dir)!r}, index_dir={str(seed_index.index_dir)!r},
                          chroma_url={seed_index.chroma_url!r})
        print(ingest(s, rebuild=True, embedder=HashEmbedder()).added)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "bees.txt" in out and "ants.txt" in out
    # The new index counts the same generation as the old one: only the file is new.
    assert Index(seed_index).generation() == before
    embedded = searcher.embedded_sentences
    assert searcher.search("How many eggs does a queen bee lay?", 3)[0].chunk.source == "bees.txt"
    sources = {h.chunk.source for h in searcher.search("What did France reject?", 5)}
    assert sources == {"bees.txt", "ants.txt"}
    # It reads the sentence vectors the rebuild stored in the new sentences.db, instead
    # of missing them in the deleted one and embedding them again.
    assert searcher.embedded_sentences == embedded


def test_an_empty_index_says_so_instead_of_refusing(settings, fake_embedder, monkeypatch, capsys):
    from rag.errors import IndexMissingError

    for path in settings.docs_dir.iterdir():
        path.write_bytes(b"")  # every file skipped: an index with no documents
    report = ingest(settings, embedder=fake_embedder)
    assert report.chunks == 0 and len(report.skipped) == 2
    assert "The index holds no documents: every file was skipped (see why below)." in report.summary()
    with pytest.raises(IndexMissingError, match="holds no documents: add readable documents to .* and run `rag ingest`"):
        Searcher(settings, embedder=fake_embedder).search("What did France reject?")
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RAG_DOCS_DIR", str(settings.docs_dir))
    assert main(["retrieve", "What did France reject?"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"error: the index at {settings.index_dir} holds no documents: add readable documents to "
        f"{settings.docs_dir} and run `rag ingest` (its report says why files were skipped)")


def _without_write_permission() -> list[str]:
    """The command prefix that runs a process which file permissions apply to."""
    if os.geteuid() != 0:
        return []
    import shutil

    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permissions cannot be made to apply")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_an_index_folder_that_cannot_be_written_says_so(seed_index):
    for path in [seed_index.index_dir, *seed_index.index_dir.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from rag.cli import main
        from rag.config import Settings
        from rag.retrieve import Searcher
        from rag.errors import RagError
        from tests.conftest import HashEmbedder
        s = Settings.load(docs_dir={str(seed_index.docs_dir)!r}, index_dir={str(seed_index.index_dir)!r})
        try:
            Searcher(s, embedder=HashEmbedder()).search("What did France reject?")
        except RagError as exc:
            print(type(exc).__name__, exc)
        sys.argv = ["rag", "ingest"]
        import os; os.environ.update(RAG_INDEX_DIR=str(s.index_dir), RAG_DOCS_DIR=str(s.docs_dir))
        sys.exit(main(["ingest"]))
    """)
    try:
        done = subprocess.run([*_without_write_permission(), sys.executable, "-c", code],
                              capture_output=True, text=True, timeout=120)
    finally:
        for path in [seed_index.index_dir, *seed_index.index_dir.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert done.stdout.startswith(f"IndexAccessError the index folder {seed_index.index_dir} cannot be written")
    assert done.returncode == 1
    err = done.stderr.strip()
    assert err.startswith("error: the index folder") and "RAG_INDEX_DIR" in err
    assert "\n" not in err and "damaged" not in err and "Traceback" not in err


def stop_a_rebuild(settings, at_call: int, before_stopping=lambda: None) -> None:
    """`rag ingest --rebuild` stopped by Ctrl-C at the embedder's `at_call`th batch of one chunk."""
    import rag.ingest

    class Interrupted(HashEmbedder):
        def embed(self, texts):
            if self.calls >= at_call:
                before_stopping()
                raise KeyboardInterrupt
            return super().embed(texts)

    with pytest.MonkeyPatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(rag.ingest, "EMBED_BATCH_CHUNKS", 1)
        ingest(settings, rebuild=True, embedder=Interrupted())


def test_a_rebuild_stopped_midway_leaves_the_old_index_answering(seed_index, fake_embedder):
    ids = consistent(seed_index)
    searcher = Searcher(seed_index, embedder=fake_embedder)
    for i in range(6):
        (seed_index.docs_dir / f"note{i}.txt").write_text(f"Note {i}\n\nPatrol boat {i} sighted near Calais.\n")

    stop_a_rebuild(seed_index, at_call=2)
    assert consistent(seed_index) == ids  # the old index, untouched
    assert searcher.search("What did France reject?", 3)[0].chunk.source == FRANCE_SOURCE
    report = ingest(seed_index, rebuild=True, embedder=fake_embedder)
    assert len(report.added) == 8 and report.removed == []
    assert len(consistent(seed_index)) == len(ids) + 6
    assert searcher.search("Patrol boat 3 sighted near Calais", 3)[0].chunk.source == "note3.txt"
    assert sorted(p.name for p in seed_index.index_dir.iterdir() if p.name.startswith(".")) == []


@pytest.fixture
def served(settings, fake_embedder, tmp_path):
    """The seed corpus ingested through a real `chroma run` on loopback."""
    server = ChromaServer(tmp_path / "chroma-data").start()
    try:
        remote = settings.replace(chroma_url=server.url)
        ingest(remote, embedder=fake_embedder)
        yield remote
    finally:
        server.stop()


def collections_on(settings) -> list[str]:
    import chromadb
    from urllib.parse import urlparse

    url = urlparse(settings.chroma_url)
    return sorted(c.name for c in chromadb.HttpClient(host=url.hostname, port=url.port).list_collections())


def new_documents(settings) -> None:
    """Replace the documents: a rebuild's index then has nothing in common with the old."""
    for path in settings.docs_dir.iterdir():
        path.unlink()
    (settings.docs_dir / "bees.txt").write_text("Bees\n\nA queen bee lays up to two thousand eggs a day.\n")
    (settings.docs_dir / "ants.txt").write_text("Ants\n\nLeafcutter ants farm a fungus on chewed leaves.\n")


@pytest.mark.slow
def test_a_server_rebuild_leaves_the_old_collection_answering_until_it_completes(served, fake_embedder):
    ids = consistent(served)
    searcher = Searcher(served, embedder=fake_embedder)
    new_documents(served)
    during = []
    # stopped once the rebuild has written its first batch, after a search meanwhile
    stop_a_rebuild(served, at_call=1,
                   before_stopping=lambda: during.append(searcher.search("What did France reject?", 3)[0].chunk.source))
    assert during == [FRANCE_SOURCE]  # answered from the old collection while the new one was built
    assert consistent(served) == ids  # the old index, untouched
    assert searcher.search("What did France reject?", 3)[0].chunk.source == FRANCE_SOURCE

    report = ingest(served, rebuild=True, embedder=fake_embedder)
    assert sorted(report.added) == ["ants.txt", "bees.txt"]
    assert not set(consistent(served)) & set(ids)  # the old chunks gone, from SQLite and the server
    assert {c.source for c in Index(served).chunks()} == {"ants.txt", "bees.txt"}
    assert {h.chunk.source for h in searcher.search("What did France reject?", 5)} == {"ants.txt", "bees.txt"}
    assert searcher.search("How many eggs does a queen bee lay?", 3)[0].chunk.source == "bees.txt"
    assert collections_on(served) == [served.collection]  # the interrupted run's staging is gone
    assert not (served.index_dir / ".rebuild").exists()


@pytest.mark.slow
def test_a_reader_opening_the_collection_mid_swap_waits_for_the_new_one(served, fake_embedder, monkeypatch):
    import threading

    import rag.rebuild

    new_documents(served)
    rename, seen = rag.rebuild._rename, []

    def slow_rename(client, name, new_name):
        if new_name == served.collection:  # the live one is away, the new one not yet in
            reader = threading.Thread(target=lambda: seen.append(Index(served).collection().count()))
            reader.start()
            time.sleep(0.5)
            rename(client, name, new_name)
            reader.join(30)
        else:
            rename(client, name, new_name)

    monkeypatch.setattr(rag.rebuild, "_rename", slow_rename)
    report = ingest(served, rebuild=True, embedder=fake_embedder)
    assert seen == [report.chunks] and report.chunks > 0  # not an empty collection of its own making
    assert collections_on(served) == [served.collection]


@pytest.mark.slow
def test_a_server_rebuild_stopped_mid_swap_gets_the_old_collection_back(served, fake_embedder, monkeypatch):
    import rag.rebuild

    ids = consistent(served)
    new_documents(served)
    rename = rag.rebuild._rename

    def interrupted(client, name, new_name):
        if new_name == served.collection:
            raise KeyboardInterrupt  # Ctrl-C between the two renames
        rename(client, name, new_name)

    monkeypatch.setattr(rag.rebuild, "_rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(served, rebuild=True, embedder=fake_embedder)
    monkeypatch.setattr(rag.rebuild, "_rename", rename)
    assert served.collection not in collections_on(served)  # the gap a reader would wait out
    rag.rebuild.recover(served)  # what the next ingest does first
    assert consistent(served) == ids
    assert collections_on(served) == [served.collection]
    report = ingest(served, rebuild=True, embedder=fake_embedder)
    assert sorted(report.added) == ["ants.txt", "bees.txt"] and not set(consistent(served)) & set(ids)


def test_an_ingest_in_one_thread_survives_readers_opening_the_index_in_others(settings):
    """The app re-indexes in a background thread while every page run reads the index's
    status: a reader opening Chroma afresh must not break the ingest's Chroma calls."""
    import threading

    for i in range(40):
        (settings.docs_dir / f"note{i:02d}.txt").write_text(f"Note {i}\n\nPatrol boat {i} sighted near Calais.\n")

    class Slow(HashEmbedder):
        def embed(self, texts):
            time.sleep(0.005)
            return super().embed(texts)

    import rag.ingest

    old_batch, rag.ingest.EMBED_BATCH_CHUNKS = rag.ingest.EMBED_BATCH_CHUNKS, 1
    done, failures = threading.Event(), []

    def read() -> None:
        while not done.is_set():
            try:
                index = Index(settings)
            except Exception:  # not created yet
                continue
            try:
                index.stats()
            except Exception as exc:
                failures.append(exc)
            finally:
                index.close()
            time.sleep(0.01)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        report = ingest(settings, embedder=Slow())
    finally:
        done.set()
        for t in readers:
            t.join()
        rag.ingest.EMBED_BATCH_CHUNKS = old_batch
    assert len(report.added) == 42 and failures == []
    assert len(consistent(settings)) == report.chunks
