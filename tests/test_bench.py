"""`rag bench retrieval`: the SQuAD corpus and gold spans, the metrics, the command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.bench import bench_retrieval, load_squad, offset_map, score_rankings
from rag.cli import main
from rag.config import Settings

from .conftest import HashEmbedder

PARAGRAPHS = {
    "Volcanoes": [
        "Mount Etna is an active stratovolcano on the east coast of Sicily. It is one of the tallest "
        "active volcanoes in Europe and erupts often.",
        "The caldera of Santorini was formed by the Minoan eruption about 3600 years ago. Pumice "
        "from that eruption covers the island.",
        "Lava flows from Kilauea reached the ocean in 2018, adding new land to the island of Hawaii.",
    ],
    "Bridges": [
        "The Golden Gate Bridge opened in 1937 and spans the strait between San Francisco Bay and the "
        "Pacific Ocean. Its colour is called international orange.",
        "The Millau Viaduct in France is the tallest bridge in the world, with one mast reaching 343 "
        "metres above the base of its structure.",
    ],
}
QUESTIONS = [  # (article, paragraph, question, answer)
    ("Volcanoes", 0, "Where is the stratovolcano Mount Etna?", "Sicily"),
    ("Volcanoes", 1, "Which eruption formed the Santorini caldera?", "Minoan eruption"),
    ("Volcanoes", 2, "When did Kilauea lava flows reach the ocean?", "2018"),
    ("Bridges", 0, "What is the colour of the Golden Gate Bridge called?", "international orange"),
    ("Bridges", 1, "How tall is the mast of the Millau Viaduct?", "343 metres"),
]


def squad_file(tmp_path):
    data = []
    for title, paragraphs in PARAGRAPHS.items():
        items = []
        for n, context in enumerate(paragraphs):
            qas = [
                {"id": f"{title}-{n}-{i}", "question": q, "is_impossible": False,
                 "answers": [{"text": a, "answer_start": context.index(a)}]}
                for i, (t, p, q, a) in enumerate(QUESTIONS) if t == title and p == n
            ]
            qas.append({"id": f"{title}-{n}-x", "question": "Who painted the bridge blue?", "is_impossible": True,
                        "answers": [], "plausible_answers": [{"text": "x", "answer_start": 0}]})
            items.append({"context": context, "qas": qas})
        data.append({"title": title, "paragraphs": items})
    path = tmp_path / "tiny-squad.json"
    path.write_text(json.dumps({"version": "v2.0", "data": data}))
    return path


def test_corpus_is_one_document_per_article_with_gold_spans(tmp_path):
    corpus = load_squad(squad_file(tmp_path))
    assert set(corpus.documents) == {"Volcanoes.txt", "Bridges.txt"}
    assert corpus.documents["Bridges.txt"] == "\n\n".join(PARAGRAPHS["Bridges"])
    assert len(corpus.questions) == 5 and corpus.unanswerable == 5
    for q in corpus.questions:
        (start, end), = q.spans
        answer = next(a for _, _, question, a in QUESTIONS if question == q.question)
        assert corpus.documents[q.source][start:end] == answer


def test_gold_spans_follow_the_cleaning_of_the_text():
    raw = "A 12\u2033 pipe\u200b, then the Minoan eruption."
    cleaned = "A 12\u2032\u2032 pipe, then the Minoan eruption."
    shift = offset_map(raw, cleaned)
    start = raw.index("Minoan")
    assert cleaned[shift(start) : shift(start + len("Minoan eruption"))] == "Minoan eruption"
    assert offset_map("same", "same")(3) == 3


def test_metrics_are_hit_at_1_and_5_and_mrr_at_10():
    rankings = [[True], [False, True], [False] * 5 + [True], [False] * 12]
    m = score_rankings(rankings, [1.0, 2.0, 3.0, 4.0])
    assert m["hit@1"] == 0.25 and m["hit@5"] == 0.5
    assert m["mrr@10"] == round((1 + 1 / 2 + 1 / 6) / 4, 4)
    assert m["p50_ms"] == 2.5


def test_bench_measures_ours_and_the_llamaindex_baseline(tmp_path):
    from llama_index.core import Settings as LlamaSettings

    settings = Settings.load(chunk_tokens=32, chunk_overlap=4)
    result = bench_retrieval(squad_file(tmp_path), settings, embedder=HashEmbedder())
    assert result["documents"] == 2 and result["questions"] == 5 and result["chunks"] >= 5
    assert 0 < result["mean_chunk_tokens"] <= 32
    assert result["ours"]["hit@1"] == 1.0  # every question shares rare words with its answer
    for name in ("ours", "baseline"):
        m = result[name]
        assert 0 <= m["hit@1"] <= m["hit@5"] <= 1 and 0 <= m["mrr@10"] <= 1
        assert 0 < m["p50_ms"] <= m["p95_ms"]
    assert LlamaSettings._llm is None  # the baseline never reached for an LLM


def test_the_baseline_embeds_each_chunk_whole_as_llamaindex_does(settings, fake_embedder):
    # Our index holds chunk vectors made from sentence vectors; LlamaIndex's default
    # pipeline embeds the chunk text itself, and so does the baseline.
    from rag.bench import baseline_retriever
    from rag.ingest import ingest
    from rag.store import Index

    ingest(settings, embedder=fake_embedder)
    index = Index(settings)
    try:
        chunk = max(index.chunks(), key=lambda c: len(c.text))
        top = baseline_retriever(index, fake_embedder).retrieve(chunk.text)[0]
        ours = index.collection().get(ids=[chunk.chunk_id], include=["embeddings"])["embeddings"][0]
    finally:
        index.close()
    assert top.node.node_id == chunk.chunk_id and top.score == pytest.approx(1.0, abs=1e-5)
    assert float(np.dot(ours, fake_embedder.embed_query(chunk.text))) < 0.99  # a mean, not the same


def test_bench_command_prints_the_contracted_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("rag.embeddings.get_embedder", lambda settings: HashEmbedder())
    assert main(["bench", "retrieval", str(squad_file(tmp_path)), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"ours", "baseline", "chunks", "mean_chunk_tokens"} <= set(result)
    for name in ("ours", "baseline"):
        assert set(result[name]) == {"hit@1", "hit@5", "mrr@10", "p50_ms", "p95_ms"}

    assert main(["bench", "retrieval", str(squad_file(tmp_path))]) == 0
    assert "LlamaIndex" in capsys.readouterr().out


@pytest.mark.parametrize("content", ["not json", '{"data": [{"title": "x"}]}', '{"data": []}'])
def test_a_file_that_is_not_squad_is_one_clear_error(tmp_path, capsys, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["bench", "retrieval", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
