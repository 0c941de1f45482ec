"""Answers with citations: the answer type shared by every mode, and the extractive mode.

Owns turning a question (plus the earlier questions of a conversation) into an
`Answer`: question hygiene, the cached searcher, the offline extractive answerer and
its refusal rule, streaming, and the `rag ask` command. Quotes, markers and support
checks live in `citations.py`; what kind of answer a question asks for (a number, a
name, ...) in `answer_types.py`; the language model in `llm.py`; follow-up rewriting in
`chat.py`. It does not ingest or rank chunks.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Collection, Generator, Iterator, Sequence

from .chat import PERSON_PRONOUN  # "I gather Retailleau has gone. Who took over from him?"
from .config import Settings
from .errors import ConfigError, QuestionError, RagError

REFUSAL = "The documents don't answer this."
# The best sentence's score (cosine + lexical coverage + chunk similarity, less an
# answer-type penalty) below which the documents are taken not to answer. Measured on
# evals/seed.jsonl (60 cases, 16 unanswerable) and SQuAD 2.0 dev (950, 477 unanswerable),
# with chunk vectors embedded whole: 0.70 refused 94% / 10.1% of the unanswerable and
# 4.5% / 1.7% of the answerable questions. A grid over the lexical and chunk weights and
# this threshold found nothing better on both sets: higher thresholds cost more
# answerable questions than they catch unanswerable ones (SQuAD's unanswerable
# questions reuse their passage's words). Chunk vectors made from sentence vectors (the
# default) are closer to a question, by 0.06 cosine at the median on SQuAD, so the chunk
# term adds 0.036 more: the threshold moves with it, to 0.73 (seed: the same 94% / 4.5%;
# SQuAD: 9.4% / 1.9%).
REFUSAL_THRESHOLD = 0.73
DIRECT_CHUNKS_SHIFT = -0.03  # RAG_CHUNK_VECTORS=direct: 0.70
LEAD_THRESHOLD = 0.45  # a refusal offers the closest passage only above this
KEEP_MARGIN = 0.3  # further sentences must score within this of the best
SECOND_MARGIN = 0.05  # asked what each document says: a second sentence of one, within this of its first
MAX_SENTENCES = 4
CHUNK_WEIGHT = 0.6  # weight of the whole chunk's similarity to the query
REDUNDANT = 0.85  # cosine between two sentences above which the second adds nothing
# A sentence that opens by referring back ("This stance...", "It...", or "The
# extraordinary request was delivered to Darmanin" after "Cleverly demanded that...") is
# about what the sentence before it says: it is ranked as if it held that sentence's
# words too, at this share of their weight. "The" refers back only before a word that
# names what was said or done (request, move, decision), within a few words.
CONTEXT_WEIGHT = 0.7
_SHELL_NOUNS = (r"request|demand|call|move|decision|plan|proposal|statement|note|letter|measures?|policy|step|"
                r"announcement|expenditure|spending|investment|payment|funding|situation|rebuttal|response|reply|"
                r"stance|position|claim|comments?|remarks?|warning|threat|agreement|deal|report|findings?|"
                r"development|change|incident|attack|escalation|clash|row|dispute|tensions?|controversy|"
                r"criticism|pressure|exchange|refusal|rejection|offer|pledge|promise|commitment|scheme|effort")
_REFERS_BACK = re.compile(r"(?i)(?:this|that|these|those|such|it|he|she|they|his|her|its|their)\b"
                          r"|the\s+(?:[\w'’-]+\s+){0,2}(?:" + _SHELL_NOUNS + r")\b")
# A chunk whose distinct content words are under this share of its content words is a
# list of repeated keywords, not prose (news and SQuAD paragraphs measure 0.44 and up;
# text stuffed with a question's words to hijack answers, under 0.05): it may be
# retrieved, but its sentences are not quoted as the answer.
MIN_WORD_VARIETY = 0.2
MIN_WORDS_FOR_VARIETY = 40
# A question naming someone or something the retrieved passages never mention is about
# something else ("Are boats leaving from Belgium?" over passages about France): the
# best sentence then needs this much more to count as an answer, which in practice it
# never has.
UNMENTIONED_NAME_PENALTY = 1.0
# A word for the outlet a question asks for ("Which newspaper saw the note?"), which a
# sentence that names the outlet need not have.
_OUTLET_NOUN = re.compile(r"\b(?:news\s+)?(?:newspapers?|papers?|outlets?|broadcasters?|publications?|news\s+"
                          r"(?:organi[sz]ations?|agenc(?:y|ies)|sites?))\b", re.I)
# What a question that asks only which outlets reported says besides the outlet:
# "credited", "named as sources", "of the reporting"
_OUTLET_ONLY_WORDS = frozenset(
    "which what who named name credited credit cited cite mentioned mention given sources source reporting reported "
    "report reports actually exactly behind responsible information story stories obtained break broke broken "
    "original originally got get gets hold".split())


def _asks_only_the_outlets(question: str) -> bool:
    """Whether a question about outlets asks nothing but which ones ("Which news
    organisations are credited as the source of reporting?"), not what they reported
    ("Which paper saw the note?")."""
    from .chat import content_words, without_document_references

    # (the outlets asked for by "which" or "what": "Who gets named in the papers?" asks for people)
    if not re.search(r"\b(?:which|what)\s+(?:[\w'’-]+\s+){0,2}?" + _OUTLET_NOUN.pattern, question, re.I):
        return False
    rest = _OUTLET_NOUN.sub(" ", re.sub(r"\bin\s+the\s+first\s+place\b", " ", without_document_references(question),
                                        flags=re.I))
    return not [w for w in content_words(rest) if w.lower() not in _OUTLET_ONLY_WORDS]


# A sentence that says word for word a phrase the question quotes (two words or more):
# it ranks first, and, asked about the quotation, counts as answering where it comes
# this close.
QUOTED_PHRASE_BONUS = 0.3
# How far below the refusal threshold a part asked of one named document may still be
# quoted, where the question as a whole is answered.
NAMED_DOCUMENT_PART_SHIFT = 0.1
# Ranking only: a sentence of a document other than the one the question names.
OTHER_DOCUMENT_PENALTY = 0.5


@dataclass(frozen=True)
class Citation:
    marker: int
    source: str
    chunk_id: str
    quote: str  # verbatim: document.text[start:end] == quote
    start: int
    end: int
    title: str = ""
    supports: bool = True  # False: the closest sentence of a passage that does not hold the claim (LLM mode)


@dataclass(frozen=True)
class Retrieved:
    chunk_id: str
    source: str
    score: float
    start: int
    end: int
    title: str = ""
    text: str = ""


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    markers: tuple[int, ...]
    supported: bool = True


@dataclass(frozen=True)
class Answer:
    question: str
    query: str  # the standalone query actually searched
    answer: str  # text with [n] markers
    refused: bool
    mode: str  # "extractive" or "llm"
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Retrieved, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)  # retrieve, answer, total (+ stages)
    sentences: tuple[AnswerSentence, ...] = ()
    notice: str = ""  # e.g. "LLM unreachable: extractive answer shown"
    lead: Citation | None = None  # for a refusal: the closest passage, not an answer
    dropped_markers: int = 0  # markers in a generated answer that pointed at no passage

    def to_json(self) -> dict[str, object]:
        out = {
            "question": self.question,
            "query": self.query,
            "answer": self.answer,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [
                {k: v for k, v in asdict(c).items() if k != "title"} for c in self.citations
            ],
            "retrieved": [
                {k: getattr(r, k) for k in ("chunk_id", "source", "score", "start", "end")}
                for r in self.retrieved
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "unsupported": [s.text for s in self.sentences if not s.supported],
        }
        if self.notice:
            out["notice"] = self.notice
        if self.lead is not None:
            out["lead"] = asdict(self.lead)
        if self.dropped_markers:
            out["dropped_markers"] = self.dropped_markers
        return out


# -- the searcher, once per process --------------------------------------------
_searchers: dict[tuple, object] = {}
_searchers_lock = threading.Lock()


def get_searcher(settings: Settings):
    """The process-wide `Searcher` for these settings (index and embedder loaded once)."""
    from .citations import vector_cache
    from .embeddings import get_embedder
    from .retrieve import Searcher

    key = (str(settings.index_dir), settings.chroma_url, settings.collection, settings.embeddings,
           settings.embedding_model, settings.chunk_tokens, settings.chunk_overlap, settings.chunk_vectors,
           settings.top_k,
           settings.openai_base_url if settings.embeddings == "openai" else None)
    with _searchers_lock:
        searcher = _searchers.get(key)
        if searcher is None:
            searcher = Searcher(settings, embedder=vector_cache(get_embedder(settings)))
            _searchers[key] = searcher
        return searcher


def clean(question: str, settings: Settings) -> str:
    """The question cleaned, or QuestionError when it is empty or too long."""
    from .chunking import count_tokens
    from .documents import clean_question

    text = clean_question(question or "")
    if not text:
        raise QuestionError("the question is empty")
    tokens = count_tokens(text)
    if tokens > settings.max_question_tokens:
        raise QuestionError(
            f"the question is too long ({tokens} tokens; the limit is {settings.max_question_tokens}, "
            "set by RAG_MAX_QUESTION_TOKENS)", tokens=tokens, limit=settings.max_question_tokens
        )
    return text


# -- extractive mode -----------------------------------------------------------
@dataclass(frozen=True)
class Extract:
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    sentences: tuple[AnswerSentence, ...]
    lead: Citation | None
    best: float  # the best sentence's score, what the refusal rule looks at
    # names a question checking a claim gives that the passages never mention, where it is
    # answered with what they say instead ("Is it true they leave from Calais?")
    unmentioned: tuple[str, ...] = ()


def _outermost(sentences: list, context: list[float]) -> tuple[list, list[float]]:
    """Each passage of text once: overlapping chunks repeat sentences, and a quotation
    that a chunk boundary cuts is, in that chunk, only its first (or last) sentences.
    A unit inside another of the same source (the whole quotation, from the chunk that
    holds it all) is dropped, so that half a quotation with an opening mark and no end
    is never quoted; a repeated unit keeps its best chunk similarity. Order is kept."""
    first: dict[tuple[str, int, int], int] = {}
    best: dict[tuple[str, int, int], float] = {}
    for i, s in enumerate(sentences):
        span = (s.source, s.start, s.end)
        first.setdefault(span, i)
        best[span] = max(best.get(span, context[i]), context[i])
    inside, reach = set(), {}
    for span in sorted(first, key=lambda sp: (sp[0], sp[1], -sp[2])):  # by start, longest first
        if reach.get(span[0], -1) >= span[2]:  # an earlier-starting unit ends at or after it
            inside.add(span)
        reach[span[0]] = max(reach.get(span[0], -1), span[2])
    kept = sorted((i, span) for span, i in first.items() if span not in inside)
    return [sentences[i] for i, _ in kept], [best[span] for _, span in kept]


def refusal_threshold(settings: Settings) -> float:
    """The extractive refusal threshold for how the index's chunk vectors are made."""
    return REFUSAL_THRESHOLD + (DIRECT_CHUNKS_SHIFT if settings.chunk_vectors == "direct" else 0.0)


def extract(query: str, hits: Sequence, embedder, max_tokens: int = 512,
            threshold: float | None = None, question: str | None = None,
            stored: Callable[[list[str]], dict] | None = None, across: bool = False,
            parts: Sequence[str] = (), part_sources: Sequence = (), preferred: Collection[str] | None = None,
            pointed_from: str = "") -> Extract:
    """The best few non-redundant sentences of the retrieved chunks, or a refusal.

    For a follow-up, `question` (as asked) is scored alongside the standalone `query`,
    so the new part of the question weighs as much as the context borrowed for it.
    `across`: the question asks what each document says ("What do the two reports
    give as reasons..."), so each source whose best sentence would answer on its own is
    quoted, even where another source's sentences score higher.
    `parts`: the questions a question asks where it asks several ("What are residents
    seeing, and how do they feel about it?"): the best sentence for each that would
    answer on its own is quoted, even where the whole question ranks others higher.
    `part_sources`: for each part, the documents it is asked of (None: any).
    `preferred`: the documents the question names ("according to the BBC"), whose
    sentences are quoted before others; whether it is answered is decided as without it.
    `stored` gives the vectors the searcher already holds for sentences, if any.
    `pointed_from`: what the question said before it pointed back to a place in it (see
    `place_pointed_to`), whose names it asks about.
    """
    import numpy as np

    from .chunking import count_tokens
    from .answer_types import (TYPE_PENALTY, answer_type_penalty, asked_to_hold, asks_about_the_quote, asks_for_a_name,
                               asks_about_speech,
                               claim_checked, is_yes_or_no, quotes_word_for_word, respelled,
                               seats_as_countries, stated_by, asks_nothing_else, unmentioned_events,
                               significance_put_plainly, unmentioned_names, without_asking_scene,
                               without_guess, asked_verbatim, quotes_anyone)
    from .chat import first_part_alone, office_asked, topic_put_back, who_is_the_label, without_other_answer
    from .citations import (LEXICAL_WEIGHT, chunk_sentences, coverage_with_context, in_their_words, score_units,
                            unit_texts, vector_cache)
    from .lexical import tokenize

    cache = vector_cache(embedder)
    sentences, context = [], []
    before: dict[tuple[str, int, int], str] = {}  # a referring sentence's span: the sentence before it
    for hit in hits:
        words = tokenize(hit.chunk.text)
        if len(words) >= MIN_WORDS_FOR_VARIETY and len(set(words)) < MIN_WORD_VARIETY * len(words):
            continue
        prev = None
        for s in chunk_sentences(hit.chunk):
            if not s.heading and len(s.text.split()) >= 4:
                sentences.append(s)
                context.append(hit.dense or 0.0)
                if prev is not None and _REFERS_BACK.match(s.text) and "\n\n" not in hit.chunk.text[
                        prev.end - hit.chunk.start:s.start - hit.chunk.start]:
                    before.setdefault((s.source, s.start, s.end), prev.text)
            prev = s
    sentences, context = _outermost(sentences, context)
    answerable = sentences
    if not answerable:
        return Extract(REFUSAL, True, (), (), None, 0.0)
    if stored is not None:
        cache.remember(stored([t for s in answerable for t in unit_texts(s)]))
    passages = [hit.chunk.text for hit in hits]
    # "who did clevverly send it to?" is read with the name as the passages spell it
    spelt = respelled(query, passages)
    question = spelt if question == query else question and respelled(question, passages)
    query = spelt
    follow_up = question if question and question != query else None
    scores = score_units(query, answerable, cache, asking=follow_up)
    # "I like to know where these stories come from. Which newspaper saw the note?": the
    # statements before a question dilute it; a sentence answers where it answers either.
    closing = closing_question(query)
    # "Which paper saw the note, was it the Telegraph?" is answered where "Which paper saw
    # the note?" is: the passages need not share the asker's guess
    closing = without_guess(closing) or closing
    # "Did the Home Office say anything when the press came asking?" is answered where
    # "Did the Home Office say anything?" is
    # "Where are the dinghies setting off from?" is answered where "Where are the
    # inflatables setting off from?" is (and so are a follow-up and each part below);
    # "How did Paris react?" where "How did France react?" is; "Who is Bruno Retailleau
    # and what's his deal in this?" where "Who is Bruno Retailleau" is, and so "Retailleau -
    # what's his deal?"; "french interior minister - who is it?" where "who is french
    # interior minister?" is, and so "Both pieces mention a French interior minister. Who
    # is named in each?"; "Did the Home Office say anything useful, or was it the usual
    # line?" where its first half is
    offered = without_other_answer(closing) or query
    readings = (closing, without_asking_scene(query), without_asking_scene(closing),
                seats_as_countries(query, passages), first_part_alone(query) or query,
                who_is_the_label(query) or query, topic_put_back(query, passages) or query, office_asked(query) or query,
                offered, without_asking_scene(offered), significance_put_plainly(query) or query)
    for reading in dict.fromkeys(readings + tuple(in_their_words(r, passages) for r in (query,) + readings)):
        if reading != query:
            scores = np.maximum(scores, score_units(reading, answerable, cache, asking=follow_up))
    if _OUTLET_NOUN.search(query):
        # "Which newspaper saw the note?": the outlet is asked for, and a sentence that says
        # who reported it ("seen by The Independent") need not say "newspaper" too
        from .overview import attributes

        told = np.array([attributes(s.text) for s in answerable])
        if told.any():
            plain = score_units(_OUTLET_NOUN.sub(" ", closing), answerable, cache, asking=follow_up)
            scores = np.where(told, np.maximum(scores, plain), scores)
    chunk_context = CHUNK_WEIGHT * np.asarray(context, dtype=np.float32)
    # A question about something the passages never name is not answered by them; one
    # that checks a claim naming it ("Is it true they set off from a canal outside
    # Calais?") is answered with what they say instead, and the answer says so.
    # Only where every such name is in the claim checked: not one an earlier turn asked
    # about, nor one in another question asked beside it ("...? What did Belgium say?").
    unnamed = tuple(dict.fromkeys([*unmentioned_names(without_asker_clauses(query), passages),
                                   *(unmentioned_names(pointed_from, passages) if pointed_from else ())]))
    claim = claim_checked(follow_up or query) if unnamed else None
    told_in_claim = unmentioned_events(claim, passages) if claim else []  # "a threat", as the claim puts it
    correcting = claim is not None and all(name in claim or name in told_in_claim for name in unnamed)
    missing = bool(unnamed) and not correcting
    context = chunk_context - (UNMENTIONED_NAME_PENALTY if missing else 0.0)
    standalone = float((scores + context).max())
    if follow_up and len(tokenize(follow_up)) >= 2:
        scores = (scores + _either(follow_up, in_their_words(follow_up, passages), answerable, cache)) / 2
    scores = scores + context
    # A phrase the question quotes is asked about where it is said word for word: that
    # sentence ranks first, and, asked who said it or for the quotation ("Who said it was
    # 'much blah-blah'?"), answers where it gives what is asked for ("When did the
    # insider say 'much blah-blah'?" is not answered by a sentence without a time).
    quoting = [i for i, s in enumerate(answerable) if quotes_word_for_word(follow_up or query, s.text)]
    deciding: list[int] = []
    if quoting and len(quoting) < len(answerable) and asks_about_the_quote(query, follow_up):
        vocabulary = frozenset(t for s in answerable for t in tokenize(s.text))
        deciding = [i for i in quoting
                    if answer_type_penalty(query, answerable[i].text, vocabulary, follow_up) == 0]
        scores = scores.copy()
        scores[deciding] += QUOTED_PHRASE_BONUS
    naming = asks_for_a_name(query, follow_up)
    borrowed = np.zeros(len(answerable), dtype=np.float32)  # what referring sentences gain from the one before
    if before:
        own, read_on = coverage_with_context(
            tokenize(query), [tokenize(s.text) for s in answerable],
            [tokenize(before.get((s.source, s.start, s.end), "")) for s in answerable])
        borrowed = LEXICAL_WEIGHT * np.maximum(0.0, CONTEXT_WEIGHT * read_on - own)
        # Asked who received or did something, a sentence that tells who, but names what
        # it is about only as "the request" ("...delivered directly to French Interior
        # Minister Gerald Darmanin"), answers with the words it borrows ("Who did Cleverly
        # send his demand to?"); other questions are decided without them (below).
        if naming:
            standalone = max(standalone, float((scores + borrowed).max()))
    threshold = REFUSAL_THRESHOLD if threshold is None else threshold
    # Asked what someone named said ("What line is the Home Office giving out?"), a sentence
    # in which they make a statement answers, however little else it shares with the
    # question, where nothing else is asked that the passages lack (nor who said it).
    asked = without_asking_scene(follow_up or query)
    said = [stated_by(asked, s.text) for s in answerable] if not naming else []
    # (asked for their words verbatim, a sentence that quotes them: "Hewitt's exact words" are
    # not "Hewitt has expressed frustration")
    verbatim = asked_verbatim(asked)
    stating = [i for i, who in enumerate(said) if who and not (verbatim and not quotes_anyone(answerable[i].text))]
    if stating and len(stating) < len(answerable) and asks_nothing_else(
            asked, said[stating[0]], frozenset(t for s in answerable for t in tokenize(s.text))):
        scores = scores.copy()
        scores[stating] = np.maximum(scores[stating], threshold)
    # Asked only which outlets the reporting is credited to ("Which news organisations are
    # named as sources across these two articles?"), the sentences that credit one answer.
    if _OUTLET_NOUN.search(query) and _asks_only_the_outlets(closing):
        from .overview import attributes

        told = [i for i, s in enumerate(answerable) if attributes(s.text)]
        if told and len(told) < len(answerable):
            scores = scores.copy()
            scores[told] = np.maximum(scores[told], threshold)
    decided = scores  # each sentence's score as the decision reads it
    order = np.argsort(-scores, kind="stable")
    # A follow-up's own words rank the sentences, but they say little alone ("How often
    # do they set off from there?"): it is answered when either it or its standalone
    # query is, with the answer-type checks of the standalone query still applying.
    best = float(scores[order[0]])
    decisive = max(best, standalone)
    top = answerable[order[0]]
    # Each part of a question that asks several things ranks the sentences on its own: its
    # best sentence is quoted where it would answer alone, and a question whose parts are
    # each answered ("Who is James Cleverly? Who is Gerald Darmanin?") is not refused
    # because the two together match no one sentence.
    part_best = []
    open_parts = 0  # unanswered parts that leave the others asked: see below
    for n, part in enumerate(parts):  # each part names someone the passages do not mention, or not
        unmentioned = bool(unmentioned_names(part, passages))
        part_scores = _either(part, in_their_words(part, passages), answerable, cache) + chunk_context - (
            UNMENTIONED_NAME_PENALTY if unmentioned else 0.0)
        asked_of = part_sources[n] if n < len(part_sources) else None
        bar = threshold
        if asked_of is not None:  # a part asked of one document: its sentences only
            part_scores = np.where([s.source in asked_of for s in answerable], part_scores, -np.inf)
            # and, where the whole question is answered, its best one a little below the bar
            # ("...and which one in the Independent article?" asks that it be quoted)
            bar = threshold - (NAMED_DOCUMENT_PART_SHIFT if decisive >= threshold else 0.0)
        i = int(np.argmax(part_scores))
        if part_scores[i] >= bar:
            part_best.append((i, float(part_scores[i])))
        elif is_yes_or_no(part) and not unmentioned and not missing:
            open_parts += 1
    whole_answers = decisive >= threshold
    # Answered from its parts only where every part is: a part the documents do not answer
    # leaves the others to be read without what it asked ("Are boats leaving from Belgium,
    # and what is the Belgian government doing about it?"). A yes-or-no question beside them
    # about nothing the passages lack ("Is there any evidence, or is it all spin? What do
    # the locals say they see?") is answered by what the others find, or left open.
    if not whole_answers and parts and part_best and len(part_best) + open_parts == len(parts):
        decisive = min(score for _, score in part_best)
    elif not whole_answers:
        part_best = []
    if decisive < threshold:
        lead = None
        if best >= LEAD_THRESHOLD:
            lead = Citation(0, top.source, top.chunk_id, top.text, top.start, top.end, top.title)
        return Extract(REFUSAL, True, (), (), lead, decisive)

    if before:
        # Which sentences answer is ranked with the words a referring sentence borrows from
        # the one before it; whether the documents answer at all is decided without them
        # (but for the names asked for, above).
        scores = scores + borrowed
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
    # Asked who is unhappy with something, a sentence that tells no one's feeling or doubt
    # ranks below one that does ("Britain has committed £480 million" below "...raised
    # questions, particularly among Conservative backbenchers"); asked how someone
    # responded, one that tells no response below one that does. Whether the documents
    # answer is decided without this.
    wanted = asked_to_hold(follow_up or query)
    unfelt = [i for i, s in enumerate(answerable) if not wanted.search(s.text)] if wanted is not None else []
    if unfelt and len(unfelt) < len(answerable):
        scores = scores.copy()
        scores[unfelt] -= TYPE_PENALTY
    if quoting and len(quoting) < len(answerable):  # and, ranking only, the rest of them
        scores = scores.copy()
        scores[[i for i in quoting if i not in deciding]] += QUOTED_PHRASE_BONUS
    # The named document's sentences first, where one of them would answer on its own;
    # else the others answer as they rank (and the answer says so: see `_steps`).
    elsewhere = [i for i, s in enumerate(answerable) if preferred and s.source not in preferred]
    if elsewhere and max((decided[i] for i, s in enumerate(answerable) if s.source in preferred),
                         default=-np.inf) >= threshold:
        scores = scores.copy()
        scores[elsewhere] -= OTHER_DOCUMENT_PENALTY
    if any(0 < len(found) < len(answerable) for found in (unfelt, quoting, elsewhere)):
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
    vectors = cache.embed([s.text for s in answerable])
    chosen: list[int] = []
    tokens = 0
    candidates = order[:12] if whole_answers else []  # else the parts' sentences alone
    for i in candidates:
        if len(chosen) >= MAX_SENTENCES or scores[i] < best - KEEP_MARGIN:
            break
        if any(float(vectors[i] @ vectors[j]) > REDUNDANT for j in chosen):
            continue
        n = count_tokens(answerable[i].text)
        if chosen and tokens + n > max_tokens:
            break
        chosen.append(int(i))
        tokens += n
    picked: list[int] = []  # the parts' sentences, which later ones do not displace
    for i, _ in part_best:
        if i in chosen or any(float(vectors[i] @ vectors[j]) > REDUNDANT for j in chosen):
            continue
        n = count_tokens(answerable[i].text)
        # room is made from the whole question's lowest-ranked sentences, never its first,
        # and only where it can be made
        spare = [j for j in chosen[1:] if j not in picked]
        drop: list[int] = []
        freed = 0
        while len(drop) < len(spare) and (len(chosen) - len(drop) >= MAX_SENTENCES
                                          or tokens - freed + n > max_tokens):
            drop.append(spare[-1 - len(drop)])
            freed += count_tokens(answerable[drop[-1]].text)
        if len(chosen) - len(drop) >= MAX_SENTENCES or (chosen and tokens - freed + n > max_tokens):
            continue
        for j in drop:
            chosen.remove(j)
        chosen.append(i)
        picked.append(i)
        tokens += n - freed
    if across:
        quoted = [answerable[i].source for i in chosen]
        for i in order:
            src = answerable[i].source
            # would answer on its own: as decided, before the ranking's type checks ("Which
            # officials are annoyed, in both articles?" quotes the other's demand)
            if src in quoted or decided[i] < threshold:
                continue
            quoted.append(src)  # this source's best sentence: quoted, or none of it is
            if any(float(vectors[i] @ vectors[j]) > REDUNDANT for j in chosen):
                continue
            n = count_tokens(answerable[i].text)
            # It takes the place of a source's second sentence where the count or the
            # token budget is full.
            while len(chosen) >= MAX_SENTENCES or tokens + n > max_tokens:
                spare = [j for j in chosen if j not in picked and
                         sum(answerable[k].source == answerable[j].source for k in chosen) > 1]
                if not spare:
                    break
                chosen.remove(spare[-1])
                tokens -= count_tokens(answerable[spare[-1]].text)
            if len(chosen) < MAX_SENTENCES and tokens + n <= max_tokens:
                chosen.append(int(i))
                tokens += n
        # each document's second sentence, where there is room: what each says is seldom
        # all in one sentence
        for i in order:
            src = answerable[i].source
            if (len(chosen) >= MAX_SENTENCES or i in chosen or decided[i] < threshold
                    or sum(answerable[j].source == src for j in chosen) != 1
                    or scores[i] < max(scores[j] for j in chosen if answerable[j].source == src) - SECOND_MARGIN
                    or any(float(vectors[i] @ vectors[j]) > REDUNDANT for j in chosen)):
                continue
            n = count_tokens(answerable[i].text)
            if tokens + n <= max_tokens:
                chosen.append(int(i))
                tokens += n
        chosen.sort(key=lambda j: -scores[j])
    if quoting or asks_about_speech(follow_up or query):  # the quotation whole, over the sentence count
        chosen = _with_the_rest_of_the_quote(chosen, answerable)
    quoted = _quoting([answerable[i] for i in chosen], decisive)
    return replace(quoted, unmentioned=unnamed) if correcting else quoted


QUOTE_PART_WORDS = 10  # at most, in the sentence whose speaker the next one tells


def _with_the_rest_of_the_quote(chosen: list[int], sentences: Sequence) -> list[int]:
    """The chosen sentences, the first with the other part of a quotation it is part of
    beside it: a short sentence that tells no speaker, and the next in the same paragraph
    (one space between them) that tells the speaker after the quoted words ("...,
    remarked an insider"). For questions about who said something or in whose words; it
    displaces none of the chosen."""
    from .answer_types import speaker_told, speaker_told_after

    if not chosen:
        return chosen
    first = chosen[0]
    s = sentences[first]
    same = [j for j, t in enumerate(sentences) if t.chunk_id == s.chunk_id and t is not s]
    after = next((j for j in same if sentences[j].start - s.end == 1), None)
    before = next((j for j in same if s.start - sentences[j].end == 1), None)
    if (after is not None and len(s.text.split()) <= QUOTE_PART_WORDS and not speaker_told(s.text)
            and speaker_told_after(sentences[after].text)):
        pair = [first, after]
    elif (before is not None and speaker_told_after(s.text)
          and len(sentences[before].text.split()) <= QUOTE_PART_WORDS and not speaker_told(sentences[before].text)):
        pair = [before, first]
    else:
        return chosen
    return list(dict.fromkeys(pair + chosen[1:]))


# Statements about the asker ("I like to know where these stories come from") do not
# narrow the question after them; statements about the world ("Germany sent a note
# too. Who delivered it?") do.
_ABOUT_THE_ASKER = re.compile(r"\b(?:i|i['’](?:m|d|ve|ll)|me|my|we|we['’]re|our|us)\b", re.I)


def _either(text: str, reworded: str, units: Sequence, cache):
    """Each unit's score against a text, or against it put in the passages' words where that is higher."""
    import numpy as np

    from .citations import score_units

    scores = score_units(text, units, cache)
    return scores if reworded == text else np.maximum(scores, score_units(reworded, units, cache))


# "Thirty years I ran ferries out of Dover, so give it to me straight: are the French
# backing off?": what the asker says of themselves, before what they ask; unless what they
# ask points back to it ("I live in Calais: do boats leave from here?")
_CLAUSE_BREAK = re.compile(r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<=[.!?:;])\s+|\s+[-–—]\s+")
_POINTS_TO_A_PLACE = re.compile(
    r"\b(?:here|(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bwere\s)there"  # not "is there any..."
    r"(?!\s+(?:is|are|was|were|be|been|any|anything|seems?)\b|['’])|(?:this|that)\s+(?:place|town|city|area|port)|"
    r"nearby|locally|round\s+here|near\s+(?:me|us))\b", re.I)
# What the asker says they do or did ("I ran ferries out of Dover", "we live near Deal"),
# not what they want to know ("I want to know about Belgium") nor a claim they pass on
# ("I read in the Guardian that Belgium refused")
_ASKER_DESCRIBED = re.compile(
    r"\b(?:i|we)(?:['’](?:m|ve|d)|\s+(?:\w+\s+){0,2}?(?:live[sd]?|living|work(?:s|ed|ing)?|ran|run|running|am|was|were|"
    r"are|grew|retired|spent|served|sailed|drove|drive|driven|teach|taught|volunteer\w*|used\s+to|have\s+been|been))\b"
    r"|^\W*as\s+an?\b", re.I)
_REPORTS = re.compile(r"\b(?:read|heard|hear|told|tells|saw|seen|see|gather|think|thought|believe|understand|"
                      r"reckon|says?|said|claims?|claimed|reported|apparently|that|know|want|wonder|ask|asking|about)\b",
                      re.I)


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(text.strip()) if c.strip()]


def place_pointed_to(text: str) -> str:
    """What a question says before a last clause that points to a place in it ("I live in
    Ostend. Do boats leave from here?": "I live in Ostend."), whose names are asked about
    however the question is cut; else ""."""
    clauses = _clauses(text)
    if len(clauses) < 2 or not _POINTS_TO_A_PLACE.search(clauses[-1]):
        return ""
    return " ".join(clauses[:-1])


def without_asker_clauses(text: str) -> str:
    """The question without the clauses that open it about the asker, whose names are
    not what is asked about ("I ran ferries out of Dover: are the French backing off?");
    else the text."""
    clauses = _clauses(text)
    if len(clauses) < 2 or _POINTS_TO_A_PLACE.search(clauses[-1]):
        return text
    n = 0
    while (n < len(clauses) - 1 and not clauses[n].rstrip().endswith("?") and _ASKER_DESCRIBED.search(clauses[n])
           and not _REPORTS.search(clauses[n])):
        n += 1
    return " ".join(clauses[n:]) if n else text


def closing_question(text: str) -> str:
    """The question a text closes with, after statements about the asker that open it
    ("I like to know where these stories come from. Which newspaper saw the note?");
    else the text."""
    from .chunking import split_sentences

    sentences = [text[a:b].strip() for a, b in split_sentences(text)]
    if len(sentences) < 2 or not sentences[-1].endswith("?") or PERSON_PRONOUN.search(sentences[-1]) or any(
            x.endswith("?") or not _ABOUT_THE_ASKER.search(x) for x in sentences[:-1]):
        return text
    return sentences[-1]


def _quoting(sentences: Sequence, best: float) -> Extract:
    """An answer that quotes these sentences in order, each with its marker."""
    citations = tuple(Citation(n, s.source, s.chunk_id, s.text, s.start, s.end, s.title)
                      for n, s in enumerate(sentences, 1))
    return Extract(" ".join(f"{c.quote} [{c.marker}]" for c in citations), False, citations,
                   tuple(AnswerSentence(c.quote, (c.marker,), True) for c in citations), None, best)


# -- answering -----------------------------------------------------------------
class AnswerStream:
    """Text deltas of an answer as they come; `.answer` holds the `Answer` afterwards."""

    def __init__(self, steps: Generator[str, None, Answer]):
        self._steps = steps
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._steps


def _retrieved(hits) -> tuple[Retrieved, ...]:
    return tuple(
        Retrieved(h.chunk.chunk_id, h.chunk.source, round(float(h.score), 6), h.chunk.start, h.chunk.end,
                  h.chunk.title, h.chunk.text)
        for h in hits
    )


def _steps(question, settings, history, k, mode, searcher, api_key) -> Generator[str, None, Answer]:
    from .chat import (asks_across_documents, claims_pointed_into, content_words, question_parts, spelled_out,
                       standalone_query, without_asides, without_document_references, without_instructions,
                       without_label)
    from .answer_types import amounts_as_written, unmentioned_names
    from .overview import named_documents
    from .retrieve import SearchTimings
    from .spelling import corrected

    t0 = time.perf_counter()
    settings = settings or Settings.load()
    if api_key:
        settings = settings.replace(openai_api_key=api_key, llm="openai")
    mode = mode or ("llm" if settings.llm == "openai" else "extractive")
    if mode not in ("llm", "extractive"):
        raise ConfigError(f"unknown answer mode {mode!r}: use 'llm' or 'extractive'")
    question = clean(question, settings)
    # An earlier turn's asides never narrow this question. This question's own claims
    # after what it asks are left out; those before it may set it up ("We know the UK
    # paid £480m. What has the money been spent on?"), and either may narrow it ("The
    # French one i think"): the other readings are tried where this one finds nothing.
    searcher = searcher or get_searcher(settings)
    chunks = searcher.snapshot().chunks
    # searched and read spelled out, with sums of money as the documents write them ("the
    # 480m": "the £480 million"); shown as asked
    earlier = [without_document_references(_without_claims(without_label(without_instructions(
        amounts_as_written(corrected(spelled_out(q), chunks), chunks))))) for q in (clean_question_or_none(h) for h in history)
        if q]
    typed = amounts_as_written(corrected(spelled_out(question), chunks), chunks)
    unlabelled = without_label(without_instructions(typed))
    stated = without_asides(unlabelled, claims="after")
    # "in the BBC article", "according to the Independent": where one document is named,
    # its sentences are quoted first; where several are, each is quoted (`across`), and
    # each part of the question is answered from its own.
    named = named_documents(stated, chunks)
    picked = {sources for _, _, sources in named}
    only = next(iter(picked)) if len(picked) == 1 else None

    asked = _bare(stated, chunks, named)  # what is searched and scored
    query = standalone_query(asked, earlier, settings if mode == "llm" else None)
    t1 = time.perf_counter()
    search_timings = SearchTimings()
    whole = _about_the_documents(without_asides(unlabelled, claims="all"), earlier, searcher, k or settings.top_k,
                                 settings)
    if whole is not None:  # "What are these articles about?": no topic to search for
        kind, hits, total = whole
        query = without_asides(unlabelled, claims="all")
    else:
        hits = searcher.search(query, k or settings.top_k, timings=search_timings)
    t2 = time.perf_counter()
    timings = {"rewrite": (t1 - t0) * 1000, "retrieve": (t2 - t1) * 1000,
               "embed": search_timings.embed_ms, "dense": search_timings.dense_ms,
               "lexical": search_timings.lexical_ms}

    notice = ""
    if mode == "llm":
        from .llm import LLMUnavailable, generate_answer

        try:
            answer = yield from generate_answer(question, query, hits, settings, searcher.embedder)
        except LLMUnavailable as exc:
            notice = f"{exc}; extractive answer shown instead"
            yield f"\n[{notice}]\n"
        else:
            timings["answer"] = (time.perf_counter() - t2) * 1000
            timings["total"] = (time.perf_counter() - t0) * 1000
            partial = _partial_notice(kind, len(hits), total) if whole is not None and not answer.refused else ""
            return _with(answer, query=query, retrieved=_retrieved(hits), timings_ms=timings,
                         notice=answer.notice or partial)

    threshold = refusal_threshold(settings)
    if whole is not None:
        ex = _quote_openings(kind, hits, settings.max_answer_tokens)
        partial = _partial_notice(kind, len(ex.citations), total)
        notice = f"{notice} ({partial})" if notice and partial else (notice or partial)
    else:
        # asked of the question whole: "the two reports", "in the BBC article, and in the Independent's"
        across = asks_across_documents(typed) or len(picked) > 1
        pointed_from = place_pointed_to(unlabelled)

        def answer_from(searched: str, passages: list, as_asked: str | None = None,
                        reading: str | None = None) -> Extract:
            follow_up = searched != (as_asked or searched)
            if len(picked) > 1 and reading:
                parts, part_sources = _parts_by_document(reading, follow_up, chunks)
            else:
                parts, part_sources = question_parts(as_asked or searched, follow_up=follow_up), []
            return extract(searched, passages, searcher.embedder, settings.max_answer_tokens, question=as_asked,
                           threshold=threshold, stored=getattr(searcher, "stored_vectors", None),
                           across=across, parts=parts, part_sources=part_sources, preferred=only,
                           pointed_from=pointed_from)

        ex = answer_from(query, hits, asked, stated)
        if ex.refused and query != asked and len(content_words(asked)) >= 2:
            # Read as a follow-up, the question found nothing; it may stand alone after all
            # (a new topic after a refused turn, a pronoun that points into itself).
            alone = searcher.search(asked, k or settings.top_k, timings=search_timings)
            by_itself = answer_from(asked, alone, reading=stated)
            if not by_itself.refused:  # its time counts in "answer"
                ex, hits, query = by_itself, alone, asked
        if ex.refused:
            # The other readings of what the asker thinks they know (see `asked`); none
            # but the one read already where the question has no such sentence.
            # A question that points back ("Who has taken over from him?") is not read without
            # the sentence before it that it points to ("I gather Retailleau has gone now."),
            # unless that names someone the passages never mention ("My friend Sarah says the
            # police just watch. Are they allowed to intervene?").
            pointed = claims_pointed_into(unlabelled)
            kinds = ("none",) if pointed and not unmentioned_names(pointed, [h.chunk.text for h in hits]) else (
                "all", "none")
            readings = {_bare(r, chunks): r for r in (without_asides(unlabelled, claims=claims) for claims in kinds)}
            for reading, whole_reading in [(r, w) for r, w in readings.items() if r != asked]:
                retry = standalone_query(reading, earlier)
                found = searcher.search(retry, k or settings.top_k, timings=search_timings)
                other = answer_from(retry, found, reading, whole_reading)
                if not other.refused:
                    ex, hits, query = other, found, retry
                    break
    if ex.unmentioned and not ex.refused:
        # a phrase the question quotes is shown quoted ("we will never stop")
        names = " or ".join(f"“{n}”" if re.search(r"[\"'“‘]" + re.escape(n), question) else n for n in ex.unmentioned)
        notice = "; ".join(filter(None, (notice, f"the documents don't mention {names}; what they say is quoted")))
    if whole is None and only and not ex.refused and ex.citations[0].source not in only:
        phrase = re.sub(r"(?i)^(?:according\s+to|in|from|by|of|within|for)\s+", "",
                        next(stated[a:b] for a, b, _ in named).strip(" ,;"))
        notice = "; ".join(filter(None, (notice, f"the document named ({phrase}) does not answer this; "
                                                  "quoted from the others")))
    for n, s in enumerate(ex.sentences):
        yield ("" if n == 0 else " ") + f"{s.text} [{s.markers[0]}]"
    if ex.refused:
        yield ex.text
    t3 = time.perf_counter()
    timings["answer"] = (t3 - t2) * 1000
    timings["total"] = (t3 - t0) * 1000
    return Answer(question, query, ex.text, ex.refused, "extractive", ex.citations, _retrieved(hits),
                  timings, ex.sentences, notice, ex.lead)


def _without_claims(turn: str) -> str:
    """An earlier turn without its asides and claims, save the claims its question points
    into ("I gather France agreed a new approach at sea. What was it to involve?")."""
    from .chat import claims_pointed_into, without_asides  # imported when first asked, as in `_steps`

    return without_asides(turn, claims="after" if claims_pointed_into(turn) else "all")


def _bare(text: str, chunks, named=None) -> str:
    """A reading of a question without the phrases that point at the documents, named
    (`named`, as `overview.named_documents` finds them) or not: what is searched."""
    from .chat import without_document_references
    from .overview import named_documents, without_named_documents

    found = named_documents(text, chunks) if named is None else named
    return without_document_references(without_named_documents(text, found))


def _parts_by_document(question: str, follow_up: bool, chunks) -> tuple[list[str], list]:
    """The parts of a question that names a document in each ("Which minister is named in
    the BBC article, and which one in the Independent article?"): each without the words
    that name it, with the documents it is asked of (None: all). A part left with too
    little to ask ("and which one?") asks what the part before it asked."""
    from .chat import content_words, question_parts
    from .overview import named_documents

    parts, sources = [], []
    for part in question_parts(question, follow_up=follow_up):
        named = named_documents(part, chunks)
        text = _bare(part, chunks, named)
        if parts and len(content_words(text)) < 2:
            text = parts[-1]
        picked = {s for _, _, s in named}
        parts.append(text)
        sources.append(next(iter(picked)) if len(picked) == 1 else None)
    return parts, sources


def _about_the_documents(question: str, earlier: Sequence[str], searcher, k: int,
                         settings: Settings) -> tuple[str, list, int] | None:
    """For a question about the documents as a whole: (its kind, the passages to answer
    from, at most `k`, how many documents there are); else None. After an earlier turn,
    "they" ("Which outlets are they from?") is the documents that turn's answer quoted."""
    from .chat import standalone_history
    from .overview import collection_passages, collection_question, document_names, points_back
    from .retrieve import Hit

    kind = collection_question(question, bool(earlier))
    if kind is None:
        return None
    sources = None
    if earlier and points_back(question):
        previous = standalone_history(earlier)
        hits = searcher.search(previous, k)
        ex = extract(previous, hits, searcher.embedder, settings.max_answer_tokens,
                     threshold=refusal_threshold(settings), stored=getattr(searcher, "stored_vectors", None))
        sources = {c.source for c in ex.citations} or {hit.chunk.source for hit in hits[:1]}
    chunks, total = collection_passages(searcher.snapshot().chunks, kind, k, document_names(question), sources)
    return (kind, [Hit(c, 0.0) for c in chunks], total) if chunks else None


def _partial_notice(kind: str, shown: int, total: int) -> str:
    """What an answer about the documents as a whole leaves out, if anything."""
    if shown >= total:
        return ""
    if kind == "overview":
        return f"the openings of {shown} of {total:,} documents are shown: ask about a topic to search them all"
    return f"who reported {shown} of {total:,} documents is shown: ask about a topic to search them all"


def _quote_openings(kind: str, hits: Sequence, max_tokens: int) -> Extract:
    """One sentence of each passage: its first (an overview), or the first that says who
    reported it (outlets), within the answer's token budget."""
    from .chunking import count_tokens
    from .overview import opening

    quoted, tokens = [], 0
    for hit in hits:
        s = opening(hit.chunk, kind)
        if s is None:
            continue
        n = count_tokens(s.text)
        if quoted and tokens + n > max_tokens:
            break
        quoted.append(s)
        tokens += n
    return _quoting(quoted, 1.0) if quoted else Extract(REFUSAL, True, (), (), None, 0.0)


def clean_question_or_none(text: str) -> str | None:
    from .documents import clean_question

    return clean_question(text or "") or None


def _with(answer: Answer, **changes) -> Answer:
    return replace(answer, **changes)


def stream_answer(question: str, *, settings: Settings | None = None, history: Sequence[str] | str = (),
                  k: int | None = None, mode: str | None = None, searcher=None,
                  api_key: str | None = None) -> AnswerStream:
    """Answer a question, streaming: iterate for text, then read `.answer`.

    The arguments are those of `answer_question`, and checked the same way, here.
    """
    from .config import check_top_k

    if question is not None and not isinstance(question, str):  # None: "the question is empty"
        raise TypeError(f"question must be a string, got {type(question).__name__}")
    if isinstance(history, str):
        history = [history]  # one earlier question, not a sequence of characters
    elif history is None:
        history = []
    else:
        try:
            history = list(history)
        except TypeError:
            raise TypeError(
                f"history must be a list of earlier questions (strings), got {type(history).__name__}"
            ) from None
        bad = next((h for h in history if h is not None and not isinstance(h, str)), None)
        if bad is not None:
            raise TypeError(f"history must hold earlier questions as strings, got a {type(bad).__name__}")
    if k is not None:
        k = check_top_k(k, "k")
    return AnswerStream(_steps(question, settings, history, k, mode, searcher, api_key))


def answer_question(question: str, *, settings: Settings | None = None, history: Sequence[str] | str = (),
                    k: int | None = None, mode: str | None = None, searcher=None,
                    api_key: str | None = None) -> Answer:
    """Answer a question with cited quotes, or refuse when the documents don't answer it.

    `history`: the earlier questions of the conversation, oldest first (a list of
    strings); a single string is taken as one earlier question. `k`: passages to
    retrieve, 1 to 50 like RAG_TOP_K (default `settings.top_k`); another value raises
    ConfigError. A question or history that is not text raises TypeError.
    """
    stream = stream_answer(question, settings=settings, history=history, k=k, mode=mode,
                           searcher=searcher, api_key=api_key)
    for _ in stream:
        pass
    return stream.answer


# -- command line --------------------------------------------------------------
def format_details(answer: Answer, streamed: str = "") -> str:
    """What follows the answer text on a terminal: sources, flags, notices (those not
    already in the `streamed` text)."""
    lines = []
    if answer.query != answer.question:
        lines.append(f"(searched: {answer.query})")
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.marker}] {c.source} (chars {c.start}-{c.end}): \"{c.quote}\"")
    if answer.lead is not None:
        lines.append("Closest passage (not an answer):")
        lines.append(f"  {answer.lead.source} (chars {answer.lead.start}-{answer.lead.end}): \"{answer.lead.quote}\"")
    for s in answer.sentences:
        if not s.supported:
            why = "its cited passage does not support it" if s.markers else "it cites no passage"
            lines.append(f"UNSUPPORTED ({why}): {s.text}")
    if answer.dropped_markers:
        lines.append(f"Removed {answer.dropped_markers} citation marker(s) that pointed at no passage.")
    if answer.notice and answer.notice not in streamed:
        lines.append(f"Note: {answer.notice}")
    return "\n".join(lines)


def cmd_ask(args, settings: Settings) -> int:
    import json
    import sys

    if args.json:
        answer = answer_question(args.question, settings=settings, k=args.k)
        print(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return 0
    stream = stream_answer(args.question, settings=settings, k=args.k)
    streamed = "".join(_echo(stream))
    answer = stream.answer
    if answer.mode == "llm" and answer.dropped_markers:
        print("\nAnswer with checked citations:\n" + answer.answer)
    details = format_details(answer, streamed)
    if details:
        print("\n" + details)
    sys.stdout.flush()
    return 0


def _echo(stream: AnswerStream) -> Iterator[str]:
    import sys

    for delta in stream:
        sys.stdout.write(delta)
        sys.stdout.flush()
        yield delta
    sys.stdout.write("\n")


def register_cli(subparsers) -> None:
    p = subparsers.add_parser("ask", help="answer a question with cited quotes")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=None, help="passages to retrieve (1 to 50)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)


__all__ = ["Answer", "AnswerSentence", "AnswerStream", "Citation", "RagError", "Retrieved",
           "answer_question", "get_searcher", "stream_answer"]
