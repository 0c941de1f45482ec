"""Late pooling: sentence vectors pooled from the chunk's own model run
(RAG_SENTENCE_VECTORS=pooled), their fallbacks, and their separate place in the store."""

from __future__ import annotations

import numpy as np
import pytest

import rag.embeddings
from rag.config import Settings
from rag.errors import ConfigError
from rag.ingest import ingest
from rag.retrieve import Searcher
from rag.sentences import POOLED_TAG, SentenceVectors, sentence_model, sentence_spans, sentence_texts

from .conftest import HashEmbedder

MODEL = HashEmbedder.name


class PoolingEmbedder(HashEmbedder):
    """The fake embedder with span vectors: each the hash vector of the span's text
    turned a little, so a pooled vector is never mistaken for a direct one. Spans
    starting past `cutoff` characters get None, like text past truncation."""

    def __init__(self, cutoff: int = 10**9):
        super().__init__()
        self.cutoff = cutoff
        self.pooled_spans = 0

    def can_pool(self):
        return True

    def embed_pooled(self, texts, spans):
        out = []
        for text, ranges in zip(texts, spans):
            row = []
            for s, e in ranges:
                if e > self.cutoff:
                    row.append(None)
                    continue
                v = self._vector(text[s:e])
                v = np.roll(v, 1) * 0.2 + v
                row.append(v / np.linalg.norm(v))
                self.pooled_spans += 1
            out.append(row)
        return self.embed(texts), out


def _tags(settings) -> dict[str, int]:
    store = SentenceVectors(settings)
    try:
        return dict(store.db.execute("SELECT model, COUNT(*) FROM vectors GROUP BY model").fetchall())
    finally:
        store.close()


def test_the_setting_defaults_to_direct_and_is_checked(monkeypatch):
    monkeypatch.delenv("RAG_SENTENCE_VECTORS", raising=False)
    assert Settings.load().sentence_vectors == "direct"
    monkeypatch.setenv("RAG_SENTENCE_VECTORS", " Pooled ")
    assert Settings.load().sentence_vectors == "pooled"
    monkeypatch.setenv("RAG_SENTENCE_VECTORS", "late")
    with pytest.raises(ConfigError, match="RAG_SENTENCE_VECTORS"):
        Settings.load()


def test_pooled_vectors_are_stored_under_their_own_tag(settings):
    pooled = settings.replace(sentence_vectors="pooled")
    embedder = PoolingEmbedder()
    report = ingest(pooled, embedder=embedder)
    assert report.sentences > 0 and report.sentences_direct == 0
    assert embedder.pooled_spans >= report.sentences
    assert _tags(settings) == {MODEL + POOLED_TAG: report.sentences}

    # The searcher of the same settings finds them all; one of the direct setting
    # embeds its own, under the plain name, and neither touches the other's.
    assert Searcher(pooled, embedder=embedder).prepare() == 0
    direct = Searcher(settings, embedder=embedder)
    assert direct.sentence_model == MODEL and direct.prepare() == report.sentences
    assert _tags(settings) == {MODEL + POOLED_TAG: report.sentences, MODEL: report.sentences}
    assert Searcher(pooled, embedder=embedder).prepare() == 0


def test_sentences_missing_from_the_store_are_embedded_and_kept_under_the_pooled_tag(settings):
    pooled = settings.replace(sentence_vectors="pooled")
    embedder = PoolingEmbedder()
    stored = ingest(pooled, embedder=embedder).sentences
    (settings.index_dir / "sentences.db").unlink()
    searcher = Searcher(pooled, embedder=embedder)
    assert searcher.sentence_model == MODEL + POOLED_TAG
    assert searcher.prepare() == stored  # embedded directly, as no chunk run is at hand
    assert _tags(settings) == {MODEL + POOLED_TAG: stored}
    assert Searcher(pooled, embedder=embedder).prepare() == 0


def test_spans_the_model_could_not_pool_are_embedded_directly(settings):
    pooled = settings.replace(sentence_vectors="pooled")
    report = ingest(pooled, embedder=PoolingEmbedder(cutoff=200))
    assert 0 < report.sentences_direct < report.sentences
    assert _tags(settings) == {MODEL + POOLED_TAG: report.sentences}
    assert Searcher(pooled, embedder=PoolingEmbedder()).prepare() == 0


def test_an_embedder_that_cannot_pool_keeps_the_plain_tag(settings, fake_embedder):
    pooled = settings.replace(sentence_vectors="pooled")
    assert sentence_model(pooled, fake_embedder) == MODEL
    report = ingest(pooled, embedder=fake_embedder)
    assert report.sentences == report.sentences_direct > 0
    assert _tags(settings) == {MODEL: report.sentences}


# -- the real model ------------------------------------------------------------------
@pytest.mark.slow
def test_a_one_sentence_text_pools_to_its_own_vector(real_embedder):
    assert real_embedder.can_pool()  # the project installs ONNX Runtime and the exporter
    texts = ["  The ferry to Calais leaves every morning at nine.\n",
             "Officials in Paris rejected the demands. The talks resume next week."]
    vectors, pooled = real_embedder.embed_pooled(texts, [sentence_spans(t) for t in texts])
    np.testing.assert_allclose(vectors, real_embedder.embed(texts), atol=1e-5)
    [one] = pooled[0]  # the span is over the text as given, before the encoder strips it
    direct = real_embedder.embed([texts[0].strip()])[0]
    assert float(one @ direct) > 0.98
    assert len(pooled[1]) == 2 and all(abs(float(np.linalg.norm(v)) - 1) < 1e-5 for v in pooled[1])
    # In context, each sentence still lands nearest its own direct vector.
    own = real_embedder.embed(sentence_texts(texts[1]))
    sims = np.stack(pooled[1]) @ own.T
    assert list(sims.argmax(axis=1)) == [0, 1]


@pytest.mark.slow
def test_sentences_past_truncation_fall_back(real_embedder):
    assert real_embedder.can_pool()  # the project installs ONNX Runtime and the exporter
    text = " ".join(f"Sentence number {n} tells of the harbour." for n in range(60))  # > 256 word pieces
    spans = sentence_spans(text)
    _, [pooled] = real_embedder.embed_pooled([text], [spans])
    assert len(pooled) == len(spans) == 60
    assert pooled[0] is not None and pooled[-1] is None
    kept = [v is not None for v in pooled]
    assert kept == sorted(kept, reverse=True)  # a prefix is pooled, the rest falls back
    assert 10 < sum(kept) < 40


@pytest.mark.slow
def test_real_pooled_ingest_stores_every_sentence(settings, real_embedder):
    assert real_embedder.can_pool()  # the project installs ONNX Runtime and the exporter
    pooled = settings.replace(sentence_vectors="pooled")
    report = ingest(pooled, embedder=real_embedder)
    assert report.sentences > report.sentences_direct
    searcher = Searcher(pooled, embedder=real_embedder)
    assert searcher.sentence_model == real_embedder.name + POOLED_TAG and searcher.prepare() == 0
    assert searcher.search("What did France reject?", 3)


def test_answers_never_score_pooled_vectors(settings):
    """Pooled vectors serve the search only: the answerer's scores and refusal threshold
    are those of sentences embedded on their own, so it is handed none."""
    embedder = PoolingEmbedder()
    pooled = settings.replace(sentence_vectors="pooled")
    ingest(pooled, embedder=embedder)
    texts = [t for c in Searcher(settings, embedder=embedder).index.chunks() for t in sentence_texts(c.text)]
    searcher = Searcher(pooled, embedder=embedder)
    searcher.prepare()
    assert searcher.stored_vectors(texts) == {}
    direct = Searcher(settings, embedder=embedder)
    direct.prepare()
    assert set(direct.stored_vectors(texts)) == set(texts)


def test_a_rebuild_pools_every_sentence_afresh(settings):
    """Switching an index to pooled vectors: the searcher first embeds the sentences it
    lacks directly; `rag ingest --rebuild` then replaces them all with pooled ones."""
    embedder = PoolingEmbedder()
    stored = ingest(settings, embedder=embedder).sentences
    pooled = settings.replace(sentence_vectors="pooled")
    assert Searcher(pooled, embedder=embedder).prepare() == stored  # embedded directly
    report = ingest(pooled, rebuild=True, embedder=embedder)
    assert report.sentences == stored and report.sentences_direct == 0
    assert _tags(settings) == {MODEL + POOLED_TAG: stored}


def test_the_answering_searcher_reads_the_pooled_vectors_the_ingest_stored(settings, monkeypatch):
    """`get_searcher` wraps the model in a vector cache: it must still load the pooled
    vectors, not embed every sentence again under the plain name."""
    import rag.answer
    from rag.citations import VectorCache

    embedder = PoolingEmbedder()
    pooled = settings.replace(sentence_vectors="pooled")
    stored = ingest(pooled, embedder=embedder).sentences
    monkeypatch.setattr(rag.embeddings, "get_embedder", lambda s: embedder)
    monkeypatch.setattr(rag.answer, "_searchers", {})
    searcher = rag.answer.get_searcher(pooled)
    assert isinstance(searcher.embedder, VectorCache)
    assert searcher.sentence_model == MODEL + POOLED_TAG
    assert searcher.prepare() == 0 and _tags(settings) == {MODEL + POOLED_TAG: stored}
