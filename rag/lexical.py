"""Lexical search: BM25 over chunk texts, with English stemming and stop words.

Owns tokenising text for matching and scoring chunks by BM25. The index is built in
memory from the chunk table in `index.db` (no documents are re-read) and rebuilt only
when the index generation changes. It does not know about vectors.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Sequence

import numpy as np

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t don didn doesn isn wasn weren aren won""".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)
# Irregular verb forms, read as the verb ("seen by The Independent" answers "Which
# newspaper saw the note?"); the stemmer unifies only regular ones. Not the light verbs
# (take, get, make, give, come, go, keep, say, tell), whose meaning is in the words
# they go with ("took over"), nor forms that are mostly other words (left, met, rose,
# found).
_IRREGULAR = {form: verb for verb, forms in (
    ("see", "saw seen"), ("pay", "paid"), ("send", "sent"), ("know", "knew known"), ("think", "thought"),
    ("bring", "brought"), ("buy", "bought"), ("catch", "caught"), ("teach", "taught"), ("seek", "sought"),
    ("hold", "held"), ("run", "ran"), ("begin", "began begun"), ("write", "wrote written"),
    ("speak", "spoke spoken"), ("break", "broke broken"), ("choose", "chose chosen"),
    ("drive", "drove driven"), ("fly", "flew flown"), ("grow", "grew grown"), ("throw", "threw thrown"),
    ("fall", "fell fallen"), ("lose", "lost"), ("sell", "sold"), ("build", "built"), ("spend", "spent"),
    ("lead", "led"), ("fight", "fought"), ("stand", "stood"), ("understand", "understood"),
    ("withdraw", "withdrew withdrawn"), ("strike", "struck"), ("hide", "hid hidden"), ("draw", "drew drawn"),
    ("forbid", "forbade forbidden"), ("sink", "sank sunk"), ("feel", "felt"), ("deal", "dealt"),
    ("mean", "meant"), ("hear", "heard"), ("lend", "lent"), ("swim", "swam swum"),
    ("undertake", "undertook undertaken"), ("overtake", "overtook overtaken"), ("forget", "forgot forgotten"),
    ("freeze", "froze frozen"), ("steal", "stole stolen"), ("wake", "woke woken"), ("bear", "bore borne"),
    ("tear", "tore torn"), ("wear", "wore worn"), ("weep", "wept"), ("sweep", "swept"), ("flee", "fled"),
    ("bleed", "bled"), ("breed", "bred"), ("sing", "sang sung"), ("ring", "rang rung"),
    ("drink", "drank drunk"), ("shrink", "shrank shrunk"), ("arise", "arose arisen"),
    ("forgive", "forgave forgiven"), ("foresee", "foresaw foreseen"), ("oversee", "oversaw overseen"),
    ("mislead", "misled"), ("uphold", "upheld"), ("withhold", "withheld"),
) for form in forms.split()}
# An amount written short ("£480m", "2bn", "$5k") says the same as one written out
# ("£480 million"): its number and its word are matched apart. "m", "b" and "k" only
# after a currency sign ("100m of the shore" is a distance).
_SHORT_AMOUNT = re.compile(r"(?:(?<=[£$€])|(?<=[£$€]\s))(\d+)(m|b|k)\b|\b(\d+)(mn|bn|tn)\b")
_DIGIT = re.compile(r"\d")
_AMOUNT_WORDS = {"m": "million", "mn": "million", "b": "billion", "bn": "billion", "k": "thousand",
                 "tn": "trillion"}


def _amounts_written_out(text: str) -> str:
    return _SHORT_AMOUNT.sub(lambda m: f"{m.group(1) or m.group(3)} {_AMOUNT_WORDS[m.group(2) or m.group(4)]}", text)


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # PyStemmer is optional; matching still works unstemmed
        return lambda w: w


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _stemmer()(word)


def tokenize(text: str, verbs: bool = True) -> list[str]:
    """Lower-cased, stemmed word tokens without stop words; with `verbs`, irregular verb
    forms read as their verb ("saw" as "see")."""
    text = text.lower()
    if _DIGIT.search(text):
        text = _amounts_written_out(text)
    irregular = _IRREGULAR if verbs else {}
    return [_stem(irregular.get(w, w)) for w in _WORD.findall(text) if w not in STOPWORDS and w != "_"]


class BM25:
    """Okapi BM25 over a fixed list of texts."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.size = len(texts)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(self.size, dtype=np.float32)
        for i, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                postings[term].append((i, tf))
        avg = float(lengths.mean()) if self.size else 1.0
        self._norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self._postings = {
            term: (np.array([i for i, _ in p], dtype=np.int32), np.array([tf for _, tf in p], dtype=np.float32))
            for term, p in postings.items()
        }
        self._idf = {
            term: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()
        }

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The index as flat arrays (for `np.savez`), names starting with `prefix`."""
        terms = list(self._postings)
        ids = [self._postings[t][0] for t in terms]
        return {
            **text_arrays(prefix + "terms", terms),
            prefix + "indptr": np.cumsum([0, *map(len, ids)], dtype=np.int64),
            prefix + "ids": np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32),
            prefix + "tfs": (np.concatenate([self._postings[t][1] for t in terms]) if terms
                             else np.zeros(0, dtype=np.float32)),
            prefix + "idf": np.array([self._idf[t] for t in terms], dtype=np.float64),
            prefix + "norm": self._norm,
            prefix + "params": np.array([self.k1, self.b, self.size], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> "BM25":
        """The index `arrays(prefix)` gave, without tokenising anything again."""
        bm25 = cls.__new__(cls)
        k1, b, size = arrays[prefix + "params"].tolist()
        bm25.k1, bm25.b, bm25.size = k1, b, int(size)
        bm25._norm = arrays[prefix + "norm"]
        terms = texts_from_arrays(arrays, prefix + "terms")
        indptr, ids, tfs = arrays[prefix + "indptr"], arrays[prefix + "ids"], arrays[prefix + "tfs"]
        bm25._postings = {t: (ids[indptr[i]:indptr[i + 1]], tfs[indptr[i]:indptr[i + 1]]) for i, t in enumerate(terms)}
        bm25._idf = dict(zip(terms, arrays[prefix + "idf"].tolist()))
        return bm25

    def scores(self, query: str | Sequence[str]) -> np.ndarray:
        """Every text's score; `query` is a string or its `tokenize`d terms."""
        out = np.zeros(self.size, dtype=np.float32)
        terms = tokenize(query) if isinstance(query, str) else query
        for term in set(terms):
            if term not in self._postings:
                continue
            ids, tf = self._postings[term]
            out[ids] += self._idf[term] * tf * (self.k1 + 1) / (tf + self._norm[ids])
        return out

    def top(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, self.size)
        if k <= 0:
            return []
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(int(i), float(scores[i])) for i in idx if scores[i] > 0]


def text_arrays(name: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Strings as two flat arrays (UTF-8 bytes and offsets), which `np.load` reads
    without pickle."""
    encoded = [t.encode("utf-8") for t in texts]
    return {name: np.frombuffer(b"".join(encoded), dtype=np.uint8),
            name + "_at": np.cumsum([0, *map(len, encoded)], dtype=np.int64)}


def texts_from_arrays(arrays, name: str) -> list[str]:
    data, at = arrays[name].tobytes(), arrays[name + "_at"].tolist()
    return [data[a:b].decode("utf-8") for a, b in zip(at, at[1:])]
