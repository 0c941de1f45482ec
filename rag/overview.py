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
from typing import Sequence

from .lexical import tokenize

# How many documents an overview quotes, one sentence each, in the order of their names.
MAX_DOCUMENTS = 4

# Words that name the documents themselves (stemmed).
_COLLECTION = frozenset(tokenize(
    "document documents doc docs article articles report reports text texts file files source sources story "
    "stories piece pieces paper papers collection corpus material materials coverage content contents "
    "reporting news outlet outlets organisation organisations organization organizations publication "
    "publications newspaper newspapers broadcaster broadcasters media publisher publishers journalist "
    "journalists author authors"))
# Words that ask about who published them, rather than what they say.
_OUTLET_WORDS = frozenset(tokenize(
    "outlet outlets organisation organisations organization organizations publication publications newspaper "
    "newspapers broadcaster broadcasters media publisher publishers journalist journalists author authors "
    "wrote written published"))
# The rest of what such a question may say: how it asks, and nothing about a topic.
_ASKING = frozenset(tokenize(
    "summarise summarize summary summaries overview gist sum main key points point topics topic theme themes "
    "cover covers covered covering say says discuss discusses describe describes list show tell give gave "
    "have has available indexed loaded see read search answer know brief briefly short quick quickly "
    "general generally overall whole entire basically mostly please write wrote written publish published "
    "report reported cite cited quote quoted develop developments come came cross across behind two three "
    "mention mentioned name named"))
# Words that ask for an overview without naming the documents ("Give me an overview",
# "What are the main points?"): of the documents only where no earlier turn gives a topic.
_SUMMARY = frozenset(tokenize("summarise summarize summary overview gist topics themes points"))
# "What is this about?", "what's it all about": a topic only where no earlier turn gives one.
_PRONOUN_ABOUT = re.compile(r"^\s*what(?:'s|’s| is| are)\s+(?:this|it|that|these|they)\s+(?:all\s+)?about\s*\??\s*$",
                            re.I)
# Who reported a document: "contacted by the BBC", "seen by The Independent", "told Reuters".
_ATTRIBUTION = re.compile(
    r"\b(?:according to|contacted by|seen by|reported by|obtained by|quoted by|revealed to|confirmed to|"
    r"speaking to|spoke to|told|said to|in an interview with|in a statement to)\s+(?:the\s+|The\s+)?"
    r"(?:[A-Z][\w&'’.-]*)", re.UNICODE)


def collection_question(question: str, follow_up: bool = False) -> str | None:
    """"overview" or "outlets" when the question asks about the documents as a whole;
    None when it names anything to search for."""
    if _PRONOUN_ABOUT.match(question):
        return None if follow_up else "overview"
    words = tokenize(question)
    if not words or any(w not in _COLLECTION and w not in _ASKING for w in words):
        return None
    if not any(w in _COLLECTION for w in words) and (follow_up or not any(w in _SUMMARY for w in words)):
        return None
    return "outlets" if any(w in _OUTLET_WORDS for w in words) else "overview"


def attributes(text: str) -> bool:
    """Whether a sentence says who reported what it tells ("... contacted by the BBC")."""
    return _ATTRIBUTION.search(text) is not None


def collection_passages(chunks: Sequence, kind: str, limit: int = MAX_DOCUMENTS) -> tuple[list, int]:
    """(The chunks to answer from, how many documents there are.)

    An overview takes each document's first chunk, for the first `MAX_DOCUMENTS`
    documents (or `limit`, if fewer); an outlets question, the first chunk of each
    document with a sentence that attributes it to someone, for as many documents.
    """
    from .citations import chunk_sentences

    limit = max(1, min(limit, MAX_DOCUMENTS))
    first: dict[str, object] = {}
    attributed: dict[str, object] = {}
    for chunk in chunks:  # in order of source, then position
        first.setdefault(chunk.source, chunk)
        if kind == "outlets" and len(attributed) < limit and chunk.source not in attributed and any(
                attributes(s.text) for s in chunk_sentences(chunk)):
            attributed[chunk.source] = chunk
    chosen = attributed if kind == "outlets" else first
    return list(chosen.values())[:limit], len(first)
