"""Questions about the documents as a whole: "What are these articles about?",
"Summarise the documents", "Which news outlets are these reports from?".

Such a question names no topic, so searching for its words finds nothing that answers
it. It is answered from each document's opening instead (for an overview), or from
the sentence of each document that says who reported it (for its outlets). This module
tells such questions apart and picks those passages; `answer.py` quotes or generates
from them like any others.
"""

from __future__ import annotations

import re
import threading
from typing import Sequence

from .lexical import STOPWORDS
from .lexical import tokenize as _tokenize


def tokenize(text: str) -> list[str]:
    """Words as they are asked: "saw" is not "see", which asks for an overview ("What do
    you see in these articles?") where "Who saw the note?" asks about something in them."""
    return _tokenize(text, verbs=False)


# How many documents an overview quotes, one sentence each, in the order of their names.
MAX_DOCUMENTS = 4

# Words that name the documents themselves (stemmed).
_COLLECTION = frozenset(tokenize(
    "document documents doc docs article articles report reports text texts file files story stories piece "
    "pieces paper papers collection corpus material materials coverage content contents reporting news page "
    "pages faq faqs minutes notes"))
# A word for the documents themselves, in a pattern.
_DOCUMENT_NOUN = r"(?:articles?|reports?|pieces?|story|stories|coverage|documents?|docs|texts?|papers?)"
# A question about who published them: a medium, or who wrote or reported them.
_OUTLET_Q = re.compile(
    r"\b(?:(?:news|press)\s+(?:organi[sz]ations?|sources?|agency|agencies|outlets?|sites?|services?)|outlets?|"
    r"publications?|newspapers?|broadcasters?|media|publishers?|journalists?|reporters?|authors?|websites?|"
    r"(?:who|which\s+[\w-]+)\s+(?:wrote|published|reported|wrote up|covered)|news\s+people|"
    r"(?:who|which\s+(?:[\w-]+\s+)?[\w-]+)\s+(?:is|are|was|were)\s+(?:reporting|covering|writing\s+about))\b"
    # "Who are the articles credited to?", "What are these reports based on?"
    r"|^\s*(?:who|what|which)(?:\s+[\w-]+)?\s+(?:are|is|were|was)\s+(?:the|these|those|this|both)\s+(?:two\s+)?"
    r"(?:news\s+)?" + _DOCUMENT_NOUN + r"\s+(?:credited\s+to|attributed\s+to|based\s+on|from)\b",
    re.I)
_OUTLET_TERMS = frozenset(tokenize(
    "organisation organisations organization organizations source sources agency agencies outlet outlets site "
    "sites service services publication publications newspaper newspapers broadcaster broadcasters media "
    "publisher publishers journalist journalists reporter reporters author authors wrote written published "
    "quote quoted website websites base based credit credited attribute attributed come came behind originate "
    "originally people reporting covering"))
# "Which outlets are cited as the sources of information?": asked about outlets only
_SOURCE_WORDS = frozenset(tokenize("information info"))
# "Mention" asks about the documents where they do the mentioning ("What do the articles
# mention?"); "What note is mentioned?" asks about something in them.
_MENTION = frozenset(tokenize("mention mentions mentioned"))
_DOCUMENTS_MENTION = re.compile(
    r"\b(?:" + _DOCUMENT_NOUN + r"|they|these|those)\s+"
    r"(?:(?:all|both|also|ever|actually|even|each|two)\s+)*(?:mention|mentions|mentioned)\b", re.I)
# The rest of what such a question may say: how it asks, and nothing about a topic.
_ASKING = frozenset(tokenize(
    "summarise summarize summary summaries overview gist sum main key points point topics topic theme themes "
    "headline headlines tldr cover covers covered covering say says discuss discusses describe describes list "
    "show tell give gave have has available indexed loaded see read search answer know brief briefly short "
    "quick quickly general generally overall whole entire basically mostly please write wrote written "
    "publish published report reported cite cited develop developments across sentence sentences line lines "
    "paragraph paragraphs word words one few two three four five compare contrast given different separate "
    "respective respectively each"))
# Words that ask for an overview without naming the documents ("Give me an overview",
# "What are the main points?"): of the documents only where no earlier turn gives a topic.
_SUMMARY = frozenset(tokenize("summarise summarize summary overview gist topics themes points headlines tldr"))
# "What is this about?", "what's it all about": a topic only where no earlier turn gives one.
_PRONOUN_ABOUT = re.compile(r"^\s*what(?:'s|’s| is| are)\s+(?:all\s+)?(?:this|it|that|these|they)\s+(?:all\s+)?"
                            r"about\s*\??\s*$", re.I)
# Asking when, where or how much is asking about something in them.
_DETAIL_Q = re.compile(r"^\s*(?:when|where|why|how\s+(?:many|much|long|often|old))\b", re.I)
# After an earlier turn, "Which articles cover it?" asks about that turn's topic; "they"
# may be the documents themselves ("Which news outlets are they from?").
_POINTING = re.compile(r"\b(?:it|that|this|there|he|she|him|her|its|his)\b", re.I)
_POINTING_PLURAL = re.compile(r"\b(?:they|them|their)\b", re.I)
# Who reported a document: an outlet after a verb of reporting ("contacted by the BBC",
# "seen by The Independent", "told Reuters on Monday"). An outlet's name carries a word
# media names carry, or a broadcaster's or agency's initials; "told MPs", "according to
# Dr Jane Smith" name no outlet, and a name that describes a noun after it ("according
# to the CGI standard") is no one's. A name stops at a sentence's end ("told Reuters.").
_REPORTING = (r"(?i:according to|contacted by|seen by|reported by|obtained by|quoted by|revealed to|confirmed to|"
              r"published by|speaking to|spoke to|told|said to|in an interview with|in a statement to)")
_ATTRIBUTION = re.compile(
    r"\b" + _REPORTING + r"\s+(?:the\s+|The\s+)?(?P<name>[A-Z][\w&'’-]*(?:\s+(?:[A-Z][\w&'’-]*|\d+))*)"
    r"(?P<after>\s+[\w-]+)?", re.UNICODE)
_MEDIA_NAME_WORDS = frozenset(
    "times news post press journal herald gazette guardian telegraph mirror independent observer express mail "
    "standard chronicle tribune reuters bloomberg radio tv television channel sky economist financial monde "
    "figaro spiegel zeit politico axios associated".split())
_MEDIA_INITIALS = frozenset("BBC CNN ABC NBC CBS AFP AP ITV RTE RTÉ CBC NPR PBS RFI DW NHK ZDF ARD RAI TF1 LCI FT "
                            "WSJ NYT".split())


def collection_question(question: str, follow_up: bool = False) -> str | None:
    """"overview" or "outlets" when the question asks about the documents as a whole;
    None when it names anything to search for, asks for a detail (when, where, how
    many), or, after an earlier turn, points back at it."""
    if _PRONOUN_ABOUT.match(question):
        return None if follow_up else "overview"
    if _DETAIL_Q.match(question):
        return None
    named = set(tokenize(" ".join(document_names(question))))
    words = [w for w in tokenize(question) if w not in named]
    outlets = _OUTLET_Q.search(question) is not None
    if named and not any(w in _COLLECTION for w in words):
        return None
    if follow_up and (_POINTING.search(question) or (
            _POINTING_PLURAL.search(question) and not outlets and not any(w in _COLLECTION for w in words))):
        return None
    mentioning = outlets or _DOCUMENTS_MENTION.search(question) is not None
    if not words or any(w not in _COLLECTION and w not in _ASKING
                        and not (outlets and (w in _OUTLET_TERMS or w in _SOURCE_WORDS))
                        and not (mentioning and w in _MENTION) for w in words):
        return None
    if not outlets and not any(w in _COLLECTION for w in words) and (
            follow_up or not any(w in _SUMMARY for w in words)):
        return None
    return "outlets" if outlets else "overview"


# A name that picks documents out: right before a word for them ("What is the BBC
# article about?", "Summarise the Independent's report").
_NAME_WORDS = r"[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)*"
_NAMED_DOCUMENT = re.compile(
    r"\b(?P<name>" + _NAME_WORDS + r"(?:(?:'s|’s)?(?:\s*,\s*|\s+(?:and|or|&)\s+)(?:the\s+)?" + _NAME_WORDS + r")*)"
    r"(?:'s|’s)?\s+"
    r"(?P<noun>" + _DOCUMENT_NOUN + r")\b(?P<rest>[^?.!]*)")
_AUXILIARY_BEFORE = re.compile(r"\b(?:did|does|do|has|have|will|would|can|could)\s+(?:the\s+)?$", re.I)
_SAYING = re.compile(r"\b(?:say|says|said|mention|mentions|claim|claims|cover|covers|tell|tells|suggest|"
                     r"suggests|describe|describes|state|states|report|reports|conclude|concludes)\b", re.I)


def document_names(question: str) -> list[str]:
    """The names in a question that pick documents out ("BBC" in "What did the BBC
    article say?", both in "Compare the BBC and Independent articles"); not the subject
    of a verb ("What did the BBC report?")."""
    text = question.strip()
    names = []
    for m in _NAMED_DOCUMENT.finditer(text):
        if (m.group("noun").lower().startswith("report") and _AUXILIARY_BEFORE.search(text[:m.start("name")])
                and not _SAYING.search(m.group("rest"))):
            continue  # "What did the BBC report?": a verb
        for n, part in enumerate(re.split(r"(?:'s|’s)?(?:\s*,\s*|\s+(?:and|or|&)\s+)(?:the\s+)?", m.group("name"))):
            words = part.split()
            if n == 0 and m.start("name") == 0:
                words = words[1:]  # the question's first word is capitalised anyway
            while words and set(tokenize(words[0])) <= (_COLLECTION | _ASKING | _OUTLET_TERMS):
                words = words[1:]  # "Summarise The Articles"
            if words:
                names.append(" ".join(words))
    return names


_MEDIA_NOUNS = frozenset("newspaper paper website site programme program agency broadcaster magazine "
                         "channel network show podcast news".split())


def outlet_named(m: re.Match) -> bool:
    """Whether an attribution match names an outlet that ends where its name ends."""
    words = m.group("name").split()
    after = (m.group("after") or "").strip()
    media = after.lower() in _MEDIA_NOUNS or any(
        w in _MEDIA_INITIALS or re.sub(r"['’]s$", "", w).lower() in _MEDIA_NAME_WORDS for w in words)
    return media and (not after or (after.islower() and (after in STOPWORDS or after in _MEDIA_NOUNS)))


def attributes(text: str) -> bool:
    """Whether a sentence says who reported what it tells ("... contacted by the BBC")."""
    return any(outlet_named(m) for m in _ATTRIBUTION.finditer(text))


def opening(chunk, kind: str):
    """The sentence of a chunk an answer about the whole quotes: its first statement
    (an overview), or its first saying who reported it (outlets); None if it has none."""
    from .citations import chunk_sentences

    if kind == "outlets" and not attributes(chunk.text):  # most chunks: no need to split them
        return None
    return next((s for s in chunk_sentences(chunk)
                 if _statement(s, chunk) and (kind != "outlets" or attributes(s.text))), None)


def _statement(sentence, chunk) -> bool:
    """A whole sentence that tells: not a heading, a question, or the fragment a chunk
    other than a document's first starts with ("and contributes a lot...")."""
    text = sentence.text.strip()
    fragment = text[:1].islower() and sentence.start == chunk.start and chunk.start > 0
    return (not sentence.heading and len(text.split()) >= 4 and not fragment
            and len(re.findall(r"\b[a-z]{2,}\b", text)) >= 3  # not "Published 12 March 2024." or a list of names
            and not text.rstrip("\"'”’)").endswith("?"))


def _named(chunks: Sequence, names: Sequence[str]) -> set[str]:
    """The documents that names pick out, each name its own: those that say the name
    reported them ("the BBC article": "contacted by the BBC"), else those whose first
    chunk has it, else any that mention it. Case aside, a name is matched as a whole
    phrase ("Times" is not "Financial Times" in the first of these)."""
    patterns = [re.compile(r"\b" + r"\s+".join(map(re.escape, n.split())) + r"\b", re.I) for n in names]
    tiers: list[list[set[str]]] = [[set(), set(), set()] for _ in patterns]
    for chunk in chunks:
        outlets = None
        for i, p in enumerate(patterns):
            if not p.search(chunk.text):
                continue
            if outlets is None:  # only where a name is mentioned
                outlets = [m.group("name") for m in _ATTRIBUTION.finditer(chunk.text) if outlet_named(m)]
            tiers[i][2].add(chunk.source)
            if chunk.index == 0:
                tiers[i][1].add(chunk.source)
            if any(p.fullmatch(o) for o in outlets):
                tiers[i][0].add(chunk.source)
    return set().union(*(next((t for t in name if t), set()) for name in tiers))


def points_back(question: str) -> bool:
    """Whether a question about the documents says "they" or "them" ("Which outlets are
    they from?"): after an earlier turn, the documents that turn found."""
    return _POINTING_PLURAL.search(question) is not None


def collection_passages(chunks: Sequence, kind: str, limit: int = MAX_DOCUMENTS,
                        names: Sequence[str] = (), sources: set[str] | None = None) -> tuple[list, int]:
    """(The chunks to answer from, how many documents they are chosen from.)

    Per document, in order of their names, the first chunk with an `opening` of this
    kind, for at most `MAX_DOCUMENTS` documents (or `limit`, if fewer). With `names`,
    only the documents they name (see `_named`); with `sources`, only those.
    """
    limit = max(1, min(limit, MAX_DOCUMENTS))
    if sources is not None:
        chunks = [c for c in chunks if c.source in sources]
    if names:
        wanted = _named(chunks, names)
        chunks = [c for c in chunks if c.source in wanted]
    seen: set[str] = set()
    chosen: dict[str, object] = {}
    for chunk in chunks:  # in order of source, then position
        seen.add(chunk.source)
        if len(chosen) < limit and chunk.source not in chosen and opening(chunk, kind) is not None:
            chosen[chunk.source] = chunk
    return list(chosen.values()), len(seen)


# -- questions about one document -----------------------------------------------------
# "Which minister is named in the BBC article?", "According to the BBC, why...", "the
# Independent's report": a document picked out by the outlet that reported it. The
# question is read without those words, and that document's sentences are quoted first
# (see `answer.extract`); where two are named ("...in the BBC article, and which one in
# the Independent article?", "the BBC and Independent articles"), each is quoted, and each
# part of the question answered from its own.
_OUTLET_NAMES = r"(?:[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)*|[a-z][\w&-]*)"  # "according to the bbc" too
_NAME_LIST = (_NAME_WORDS + r"(?:(?:'s|’s)?\s+(?:and|or|&)\s+(?:the\s+|The\s+)?" + _NAME_WORDS + r")*")
_SCOPE = re.compile(
    r"(?:[,;]\s*)?\b(?:(?P<lead>(?i:in|from|by|of|within|for))\s+)?(?:the\s+|The\s+)?(?P<name>" + _NAME_LIST + r")"
    r"(?:'s|’s)?\s+(?P<noun>" + _DOCUMENT_NOUN + r")\b(?:\s*,)?"
    r"|(?:[,;]\s*)?\b(?P<according>(?i:according\s+to|per|for|in))\s+(?:the\s+|The\s+)?(?P<outlet>" + _OUTLET_NAMES +
    r"(?:(?:'s|’s)?\s+(?:and|or|&)\s+(?:the\s+|The\s+)?" + _OUTLET_NAMES + r")*)(?:'s|’s)?\b"
    r"(?:\s+" + _DOCUMENT_NOUN + r"\b)?(?:\s*,)?")
_LIST_SPLIT = re.compile(r"(?:'s|’s)?\s+(?:and|or|&)\s+(?:the\s+)?", re.I)

_INDEX_LOCK = threading.Lock()
_DOCUMENT_INDEX: dict = {}  # id of a list of chunks: (that list, the outlets of each document)


def _outlets(chunks: Sequence) -> dict[str, frozenset[str]]:
    """For each document, the outlets it says reported it, in lower case. Built once per
    list of chunks (an index generation's): reading every chunk takes some 400 ms at
    10,000 chunks."""
    with _INDEX_LOCK:
        cached = _DOCUMENT_INDEX.get(id(chunks))
        if cached is not None and cached[0] is chunks:
            return cached[1]
    outlets: dict[str, set[str]] = {}
    for chunk in chunks:
        outlets.setdefault(chunk.source, set()).update(
            " ".join(m.group("name").lower().split()) for m in _ATTRIBUTION.finditer(chunk.text) if outlet_named(m))
    index = {source: frozenset(named) for source, named in outlets.items()}
    with _INDEX_LOCK:
        if len(_DOCUMENT_INDEX) >= 4:
            _DOCUMENT_INDEX.clear()
        _DOCUMENT_INDEX[id(chunks)] = (chunks, index)
    return index


def _reported_by(chunks: Sequence, name: str) -> set[str]:
    """The documents the outlet `name` reported ("contacted by the BBC"); "BBC News" is
    the BBC. None where the name is only mentioned ("in the Channel", "Hewitt")."""
    index = _outlets(chunks)
    words = name.lower().split()
    while words:
        wanted = " ".join(words)
        found = {source for source, named in index.items() if wanted in named}
        if found:
            return found
        words = words[:-1]
    return set()


def named_documents(question: str, chunks: Sequence) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, documents) for each outlet that a phrase of `question` names to pick
    out its documents ("in the BBC article", "according to the BBC"; a phrase naming two,
    "the BBC and Independent articles", gives one entry each); none where a phrase names
    no outlet or picks out every document."""
    if not _SCOPE.search(question):
        return []
    everything = {c.source for c in chunks}
    found = []
    for m in _SCOPE.finditer(question):
        names = m.group("name") or m.group("outlet")
        if m.group("noun") and m.group("noun").lower().startswith("report") and (
                _AUXILIARY_BEFORE.search(question[:m.start("name")]) and not _SAYING.search(question[m.end():])):
            continue  # "What did the BBC report?": a verb
        picked = []
        for name in _LIST_SPLIT.split(names):
            words = name.split()
            while words and set(tokenize(words[0])) <= (_COLLECTION | _ASKING | _OUTLET_TERMS | STOPWORDS):
                words = words[1:]  # "Which", "The"
            sources = _reported_by(chunks, " ".join(words)) if words else set()
            if not sources:
                picked = []  # a list with a name that is no outlet picks out nothing
                break
            picked.append(frozenset(sources))
        for sources in dict.fromkeys(picked):
            if len(picked) > 1 or sources != everything:
                found.append((m.start(), m.end(), sources))
    return found


def without_named_documents(question: str, found: Sequence[tuple[int, int, frozenset[str]]]) -> str:
    """The question without the phrases `named_documents` found: "Who is frustrated,
    according to the BBC?" asks "Who is frustrated?"; a named document that is the
    subject or object is "it" ("What does the Independent piece say about the money?")."""
    spans = sorted({(start, end) for start, end, _ in found})
    if not spans:
        return question
    rest, at = [], 0
    for start, end in spans:
        if start < at:
            continue
        phrase = question[start:end]
        rest.append(question[at:start])
        led = re.match(r"\W*(?:according\s+to|in|from|by|of|within|for)\b", phrase, re.I)
        rest.append(("," if phrase.rstrip().endswith(",") and not led else "") + (" " if led else " it "))
        at = end
    rest.append(question[at:])
    text = " ".join("".join(rest).split())
    text = re.sub(r"\s+([?.!,;])", r"\1", text)
    text = re.sub(r"^[,;\s]+|[,;]+(?=\s*[?.!]|$)", "", text).strip()
    return text[:1].upper() + text[1:] if text else question
