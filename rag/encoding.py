"""Reading text in a legacy encoding: which one a file that is not UTF-8 is in.

Owns choosing among the encodings a file could be in, by how the text each gives reads.
Byte-order marks, UTF-8 and binary files are `documents.py`'s; this is what is left.
"""

from __future__ import annotations

import codecs
import re
import unicodedata


def decode_legacy(data: bytes) -> str | None:
    """The text of a file that is not UTF-8, in its most plausible encoding; None where
    none reads as writing."""
    for encoding in _likely_encodings(data):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


# On short text charset_normalizer's guess is close to a coin toss between code pages that
# all decode without errors: "The \x93falcon\x94" comes out as "The ōfalconö" in cp775.
# So its candidates are judged by how the text they give reads. Windows-1252, by far the
# usual legacy encoding, is kept unless another reads clearly better; so is a charset the
# file declares (HTML meta, XML declaration).
_DECLARED = re.compile(
    rb"""<(?:meta|\?xml)[^>]*?(?:charset|encoding)\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE
)
_SAMPLE_BYTES = 50_000  # how much of a file is judged
_WORD = re.compile(r"\w*(?:(?![\x00-\x7f])\w)\w*")  # a run of word characters, not all ASCII
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_IN_WORD_OK = set("’'´`·-‐‑–—\u00ad")  # "It’s", "It´s", "col·lecció", "fast—he"
_GLUED_OK = _IN_WORD_OK | set("‘’‚“”„‹›«»\"…¿¡¹²³¼½¾°ºª®™©†‡*€£¥¢$%‰")
_EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"}


def _likely_encodings(data: bytes) -> list[str]:
    """Encodings to try, most plausible first: the declared one, then Windows-1252, unless
    one charset_normalizer detects reads better by a clear margin."""
    from charset_normalizer import from_bytes

    sample = data[:_SAMPLE_BYTES]
    high = len(sample.translate(None, bytes(range(128))))  # bytes that are not ASCII
    preferred = _declared_encoding(data) + ["cp1252"]
    detected = [r.encoding for r in from_bytes(data[:1_000_000]) if r.chaos <= 0.2]
    scored, seen = [], set()
    for rank, encoding in enumerate(preferred + detected):
        is_preferred = rank < len(preferred)
        try:
            if is_preferred:  # must fit the whole file
                text = data.decode(encoding)[: len(sample)]
            else:
                text = sample.decode(encoding, errors="ignore")
        except (UnicodeDecodeError, LookupError):
            continue
        if text in seen:
            continue
        score = _implausibility(unicodedata.normalize("NFC", text))
        if is_preferred:
            if not detected and score > high // 10:
                continue  # reads as garbage, and the detector found nothing either
            score -= high // 50 + 0.5  # another must read better by at least 1 + 2% of `high`
        seen.add(text)
        scored.append((score, rank, encoding))
    return [encoding for _, _, encoding in sorted(scored)]


def _declared_encoding(data: bytes) -> list[str]:
    match = _DECLARED.search(data[:4096])
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name if match else "utf"
    except LookupError:
        return []
    if name.startswith("utf"):  # not UTF-8 (that failed), and an ASCII tag is not UTF-16
        return []
    # as browsers do: a page that says Latin-1 or ASCII is read as Windows-1252
    return ["cp1252" if name in ("iso8859-1", "ascii") else name]


def _script(ch: str) -> str:
    script = unicodedata.name(ch, "?").split(" ")[0]
    return "LATIN" if script in ("MASCULINE", "FEMININE", "MICRO") else script


def _implausibility(text: str) -> int:
    """How many spots in `text` no writer produces: a control character, a symbol inside a
    word ("Za¿ó³æ") or stuck to one ("¶νοιξη"), a word mixing alphabets, a Latin word made
    only of accented letters ("Ìîñêâà"), a case flip at an accented letter ("jaŸñ")."""
    points = 0
    for m in _NON_ASCII.finditer(text):
        ch, i = m.group(), m.start()
        kind = unicodedata.category(ch)
        if ch.isalpha() or ch.isspace() or kind[0] == "M":
            continue
        if kind in ("Cc", "Cn", "Co", "Cs") or ch == "\ufffd":
            points += 1
        elif ord(ch) < 0x370 or 0x2000 <= ord(ch) < 0x2C00:  # not a script's own punctuation
            letters = text[i - 1 : i].isalpha() + text[i + 1 : i + 2].isalpha()
            points += (letters == 2 and ch not in _IN_WORD_OK) or (letters == 1 and ch not in _GLUED_OK)
    for m in _WORD.finditer(text):
        for word in "".join(c if c.isalpha() else " " for c in m.group()).split():
            scripts = {_script(c) for c in word} - _EAST_ASIAN
            points += len(scripts) > 1
            points += scripts == {"LATIN"} and len(word) > 1 and not any(c.isascii() for c in word)
            points += any(
                a.islower() and b.isupper() and not (a + b).isascii() for a, b in zip(word, word[1:])
            )
    return points
