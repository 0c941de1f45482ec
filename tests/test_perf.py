"""Performance tooling: the bench commands run and print their figures, the ONNX
embeddings give the same vectors as sentence-transformers, unchanged files are not
embedded again. No assertion here depends on how fast the machine is."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from rag import perf
from rag.cli import main
from rag.ingest import ingest

from .conftest import SEED_DOCS

INGEST_KEYS = {
    "corpus", "files", "chunks", "tokens", "sentences", "seconds", "chunks_per_s", "raw_seconds", "raw_chunks_per_s",
    "ratio", "stages_s", "reingest_seconds", "reingest_embedded", "index_mb", "startup_seconds",
    "embedding_backend", "peak_rss_mb", "targets",
}
ASK_KEYS = {
    "suite", "questions", "index_chunks", "latency_ms", "stages_ms", "refused", "cold_start_seconds",
    "uncached_start_seconds",
    "import_seconds", "python_startup_seconds", "cold_runs", "embedding_backend", "chroma", "peak_rss_mb",
    "first_answer_seconds", "sentences_embedded",
    "cold_peak_rss_mb", "targets",
}
STAGES = {"embed", "dense", "lexical", "fusion", "retrieval", "answer"}


@pytest.fixture
def fake_model(monkeypatch, fake_embedder):
    """Every part of the pipeline gets the fake embedder instead of the real model."""
    monkeypatch.setattr("rag.embeddings.get_embedder", lambda settings: fake_embedder)
    return fake_embedder


def _settings_env(monkeypatch, settings):
    monkeypatch.setenv("RAG_DOCS_DIR", str(settings.docs_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))


def test_bench_ingest_prints_every_figure(settings, fake_model, monkeypatch, capsys):
    _settings_env(monkeypatch, settings)
    assert main(["bench", "ingest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert INGEST_KEYS <= set(out)
    assert out["files"] == 2 and out["chunks"] >= 2 and out["tokens"] > out["chunks"]
    assert out["raw_chunks_per_s"] > 0 and out["ratio"] > 0
    assert set(out["stages_s"]) == {"read_and_clean", "chunk", "embed_chunks", "embed_sentences", "store_and_other"}
    assert out["reingest_embedded"] == 0
    # The raw pass encoded the chunks, nothing more; the ingest embedded each distinct
    # sentence once and made the chunk vectors from them, and the re-ingest nothing.
    assert out["sentences"] > out["chunks"]
    assert fake_model.texts_embedded == 1 + out["chunks"] + out["sentences"]
    assert out["chunk_vectors"] == "sentences" and out["stages_s"]["embed_chunks"] == 0
    # A temporary index: the configured one was never created.
    assert not settings.index_dir.exists()


def test_bench_ingest_human_summary_and_kept_index(settings, fake_model, tmp_path, capsys):
    keep = tmp_path / "kept"
    main(["bench", "ingest", str(settings.docs_dir), "--keep-index", str(keep)])
    text = capsys.readouterr().out
    assert "ratio ours/raw" in text and "chunks/s" in text and "peak RSS" in text
    assert (keep / "index.db").exists()
    assert main(["bench", "ingest", str(settings.docs_dir), "--keep-index", str(keep)]) == 1
    assert "already holds an index" in capsys.readouterr().err


def test_bench_ingest_missing_corpus_is_one_line(settings, fake_model, tmp_path, capsys):
    assert main(["bench", "ingest", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no such file or folder") and err.count("\n") == 1


def test_bench_ask_prints_latency_by_stage(seed_index, fake_model, monkeypatch, tmp_path, capsys):
    _settings_env(monkeypatch, seed_index)
    suite = tmp_path / "questions.txt"
    suite.write_text("What did France reject?\n# a comment\nWho is the UK's border security chief?\n")
    assert main(["bench", "ask", str(suite), "--cold-runs", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert ASK_KEYS <= set(out)
    assert out["questions"] == 2 and out["index_chunks"] >= 2 and out["chroma"] == "embedded"
    assert set(out["stages_ms"]) == STAGES
    assert all(set(v) == {"p50", "p95", "mean"} for v in out["stages_ms"].values())
    assert 0 < out["latency_ms"]["p50"] <= out["latency_ms"]["p95"]
    assert out["cold_start_seconds"] is None and out["cold_runs"] == 0


def test_bench_ask_default_suite_is_the_seed_suite(seed_index, fake_model, monkeypatch, capsys):
    _settings_env(monkeypatch, seed_index)
    source, questions = perf.load_questions(None)
    assert questions
    assert main(["bench", "ask", "--cold-runs", "0"]) == 0
    text = capsys.readouterr().out
    assert f"{len(questions)} questions" in text and "warm answer" in text and "p95" in text


def test_bench_ask_bad_suite_is_one_line(seed_index, fake_model, monkeypatch, tmp_path, capsys):
    _settings_env(monkeypatch, seed_index)
    suite = tmp_path / "bad.jsonl"
    suite.write_text('{"id": "x"}\n')
    assert main(["bench", "ask", str(suite), "--cold-runs", "0"]) == 1
    assert capsys.readouterr().err.strip() == f"error: {suite}:1 has no 'question'"


@pytest.mark.slow
def test_bench_ask_through_a_chroma_server(seed_index, fake_model, monkeypatch, capsys):
    _settings_env(monkeypatch, seed_index)
    assert main(["bench", "ask", "--chroma-server", "--cold-runs", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["chroma"] == "server" and out["index_chunks"] >= 2
    assert out["stages_ms"]["dense"]["p50"] > 0


@pytest.mark.slow
def test_bench_ask_cold_start_in_a_fresh_process(real_seed_settings, monkeypatch, capsys):
    _settings_env(monkeypatch, real_seed_settings)
    assert main(["bench", "ask", "--cold-runs", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert min(out["cold_start_seconds"], out["import_seconds"], out["python_startup_seconds"]) > 0
    assert out["uncached_start_seconds"] > 0
    assert out["cold_peak_rss_mb"] > 0 and out["embedding_backend"] == "onnx"
    assert set(out["targets"]) == {"p50_ms", "p95_ms", "cold_start_seconds"}


def test_reingesting_unchanged_files_embeds_nothing(settings, fake_embedder):
    first = ingest(settings, embedder=fake_embedder)
    embedded = fake_embedder.texts_embedded
    # Only the sentences are embedded: the chunk vectors are made from theirs.
    assert first.sentences == embedded and first.embedded > 0
    (settings.docs_dir / "new.txt").write_text("A new file about lighthouses on the northern coast.\n")
    for doc in settings.docs_dir.glob("0*.txt"):
        os.utime(doc)  # touched, same text
    again = ingest(settings, embedder=fake_embedder)
    assert again.added == ["new.txt"]
    assert again.embedded == again.sentences == 1
    assert fake_embedder.texts_embedded - embedded == 1  # the new chunk's one sentence
    assert ingest(settings, embedder=fake_embedder).embedded == 0
    assert fake_embedder.texts_embedded - embedded == 1


# -- the ONNX Runtime embeddings against sentence-transformers ---------------------
@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):
    """A fresh cache folder: the ONNX export is made by the test session itself."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    yield cache
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


TEXTS = [
    "What did France reject?",
    "  Leading and trailing spaces, UPPER case and accents: Ünïcödé café.  ",
    "",
    "word " * 400,  # longer than the model's 256 tokens: truncated the same way
    "The quick brown fox jumps over the lazy dog.",
]


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(onnx_cache):
    from rag.embeddings import LocalEmbedder

    lines = [line for doc in sorted(SEED_DOCS.glob("*.txt")) for line in doc.read_text().splitlines() if line]
    texts = TEXTS + lines
    onnx = LocalEmbedder("all-MiniLM-L6-v2", batch_size=8)
    fast = onnx.embed(texts)
    assert onnx.backend == "onnx"
    torch = LocalEmbedder("all-MiniLM-L6-v2", backend="torch").embed(texts)
    assert fast.dtype == np.float32 and fast.shape == torch.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cosine = (fast * torch).sum(axis=1)
    assert float(cosine.min()) > 1 - 1e-5
    # Batching and order do not change a vector.
    assert np.allclose(onnx.embed_query(texts[3]), fast[3], atol=1e-5)


@pytest.mark.slow
def test_onnx_export_is_cached_and_repaired(onnx_cache):
    from rag.embeddings import LocalEmbedder, cache_dir

    LocalEmbedder("all-MiniLM-L6-v2").embed(["warm"])
    exports = list((cache_dir() / "onnx").glob("*/model.onnx"))
    assert len(exports) == 1 and cache_dir().is_relative_to(onnx_cache)
    exports[0].write_bytes(b"not a model")  # damaged
    embedder = LocalEmbedder("all-MiniLM-L6-v2")
    vector = embedder.embed_query("lighthouse")
    assert embedder.backend == "onnx" and exports[0].stat().st_size > 1_000_000
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_models_other_than_bert_mean_pooling_stay_on_sentence_transformers(tmp_path):
    from rag.embeddings import local_model_path, onnx_compatible

    assert onnx_compatible(local_model_path("all-MiniLM-L6-v2"))
    folder = tmp_path / "model"
    shutil.copytree(local_model_path("all-MiniLM-L6-v2"), folder, ignore=shutil.ignore_patterns("*.safetensors"))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert not onnx_compatible(str(folder))


def test_batches_pad_no_text_to_more_than_twice_its_length():
    from types import SimpleNamespace

    from rag.embeddings import MAX_BATCH, MIN_FILL, OnnxEncoder

    lengths = [56, 52, 41, 41, 40, 36, 35, 27, 26, 24, 19, 15, 11, 10, 7] + [30] * 40 + [256, 250, 3]
    encodings = [SimpleNamespace(ids=[0] * n) for n in lengths]
    batches = list(OnnxEncoder._batches(SimpleNamespace(max_length=256), encodings, 16))
    picked = [i for rows, _ in batches for i in rows]
    assert sorted(picked) == list(range(len(lengths)))  # each text once
    assert [lengths[i] for i in picked] == sorted(lengths, reverse=True)  # longest first
    for rows, width in batches:
        assert width == max(lengths[i] for i in rows)
        assert len(rows) <= MAX_BATCH and len(rows) * width <= 16 * 256
        assert all(lengths[i] >= MIN_FILL * width for i in rows)
    # Texts of like length still share batches.
    assert max(len(rows) for rows, _ in batches) == MAX_BATCH
