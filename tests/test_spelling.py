"""Slips of spelling read as the words they were typed for, against the seed documents'
words and an English dictionary; real words, and names the documents lack, left alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from rag.answer import answer_question
from rag.spelling import _Vocabulary, corrected, nearest_word

SEED_DOCS = Path(__file__).resolve().parent.parent / "docs"


class _Chunk:
    def __init__(self, text: str):
        self.text = text


@pytest.fixture(scope="module")
def chunks():
    return [_Chunk(p.read_text(encoding="utf-8")) for p in sorted(SEED_DOCS.glob("*.txt"))]


@pytest.mark.parametrize("typed, read", [
    # words of the documents, by edits
    ("what did the home ofice spokesperson say", "what did the home office spokesperson say"),
    ("which newspapper saw the diplomatik note?", "which newspaper saw the diplomatic note?"),
    ("when are polise alowed to step in", "when are police allowed to step in"),
    ("which uk oficials are pushing france", "which uk officials are pushing france"),
    # by sound before the documents' rarer words ("worded" is theirs, once)
    ("why are pepole worred about it", "why are people worried about it"),
    # the documents' word they use throughout, before a word of the same sound
    ("why is frace backing off", "why is france backing off"),
    # names, kept in the case they were typed in
    ("What did Cleverley demand?", "What did Cleverly demand?"),
    ("Cleverley's letter?", "Cleverly's letter?"),
    ("Why did Retaylo leave?", "Why did Retailleau leave?"),
    ("Hewett frustration?", "Hewitt frustration?"),
    # a real word the documents lack, for their word that sounds the same and is far commoner
    ("where do the bots leave from", "where do the boats leave from"),
])
def test_slips_are_read_as_the_words_they_were_typed_for(chunks, typed, read):
    assert corrected(typed, chunks) == read


@pytest.mark.parametrize("typed", [
    # real words, British spellings, slang the dictionary has
    "who has been grumbling about the money?",
    "what did the Home Office bods say",
    "who is getting twitchy about all that money?",
    "where are these overloaded rubber dinghies putting to sea from?",
    "how does The Independent characterise the colour of the exchange?",
    # a commoner word than the documents' one that sounds the same ("see", not "sea")
    "did anyone see the note?",
    # names the documents lack stay names they lack, in either case, even where a word or
    # one of the documents' names is near
    "What did Suella Braverman say?",
    "Is Starmer mentioned?",
    "what did braverman say about the boats",
    "what did barnier say about the boats",
    "What did Valls say about the boats?",
    "What did Hume say about the Channel?",
    "Did Gerrard comment on the crossings?",
    # real words near the documents' words ("boat") that are no slips of them
    "Did the UK get the boot?",
    "Did France beat the deadline?",
    # another language's words, a title-case heading's word
    "sagt die Boote",
    # short words, initials, numbers
    "wat abt the UK and the 480m",
])
def test_real_words_and_names_the_documents_lack_are_left_as_typed(chunks, typed):
    assert corrected(typed, chunks) == typed


def test_nothing_is_read_without_documents():
    assert corrected("what did the home ofice say", []) == "what did the home ofice say"


def test_an_even_choice_or_a_short_word_is_left_as_typed():
    assert nearest_word("blorf", _Vocabulary([_Chunk("blorg " * 5 + "blorn " * 5)])) is None
    assert nearest_word("blorf", _Vocabulary([_Chunk("blorg " * 5 + "blorn " * 3)])) == "blorg"
    assert nearest_word("blo", _Vocabulary([_Chunk("blog " * 5)])) is None  # three letters: too short to tell


@pytest.mark.parametrize("question, quoted", [
    ("what did the home ofice spokesperson say", "shared challenge"),
    ("which newspapper saw the diplomatik note?", "The Independent"),
    ("Who did Cleverley send his demand to?", "Gerald Darmanin"),
    ("why did Retaylo leave his post?", "reshuffles"),
    ("where do the bots leeve from?", "tidal canal"),
])
def test_questions_typed_with_slips_are_answered(real_seed_settings, question, quoted):
    answer = answer_question(question, settings=real_seed_settings)
    assert not answer.refused and quoted in answer.answer, answer.answer
    assert answer.question == question  # shown as typed


@pytest.mark.parametrize("question", [
    "What did Suella Braverman say about the boats?",
    "What did Cleverley's successor say?",
    "what did braverman say about the boats",
    "What did Valls say about the boats?",
    "What did Hume say about the Channel?",
    "Did the UK get the boot?",
])
def test_slips_do_not_make_a_question_the_documents_cannot_answer_answerable(real_seed_settings, question):
    assert answer_question(question, settings=real_seed_settings).refused
