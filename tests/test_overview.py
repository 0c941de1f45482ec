"""Questions about the documents as a whole, answered from each document's opening."""

from __future__ import annotations

import pytest

from rag.answer import answer_question
from rag.retrieve import Searcher
from rag.store import Index
from tests.fake_openai import FakeOpenAI
from tests.test_llm import KEY, cite

FRANCE = "004_f1f9acf72509a885.txt"
BBC = "000_6ea2d6230eff8e98.txt"


@pytest.mark.parametrize("question, kind", [
    ("What are these articles about?", "overview"),
    ("Summarise the documents", "overview"),
    ("What documents do you have?", "overview"),
    ("What's in these documents?", "overview"),
    ("What is this about?", "overview"),
    ("Give me an overview", "overview"),
    ("what are the key topics covered", "overview"),
    ("Which news outlets are these reports from?", "outlets"),
    ("Which news organisations reported on these developments?", "outlets"),
    ("Who wrote these articles?", "outlets"),
    # a topic, an entity or a claim to look for: searched as usual
    ("What did France reject?", None),
    ("What do the articles say about Dunkirk?", None),
    ("What did the BBC report?", None),
    ("Which sources say France is backing away?", None),
    ("Which newspaper published the diplomatic note?", None),
    ("What did the report say about fuel?", None),
    ("What is all this about?", "overview"),
    ("What do the two articles say?", "overview"),
    ("What are the two reports about?", "overview"),
    ("Which media outlets are quoted?", "outlets"),
    ("Who is reporting on this?", "outlets"),
    ("which news people are reporting on this", "outlets"),
    ("Who is reporting on the £480m?", None),
    ("Summarise each document in one sentence", "overview"),
    ("What are the headlines?", "overview"),
    ("Which news organisations are cited as sources across these reports?", "outlets"),
    ("which two news outlets are these reports based on / credited to?", "outlets"),
    ("Which outlets are these stories attributed to?", "outlets"),
    ("Which news organisations are behind these articles?", "outlets"),
    ("which news organisations do these two stories come from or mention?", "outlets"),
    ("Who are the articles credited to?", "outlets"),
    ("What sources are these articles based on?", "outlets"),
    ("What are the reports based on?", "outlets"),
    ("What do the articles mention?", "overview"),
    ("What topics do these reports mention?", "overview"),
    ("Which news outlets originally published these?", "outlets"),
    # a document the documents mention is something in them
    ("What note is mentioned?", None),
    ("Which report is mentioned in the article?", None),
    ("What do the articles mention about Dunkirk?", None),
    ("What is the media policy based on?", None),
    # a topic in words that could also describe the documents
    ("What was reported about the crossings?", None),
    ("What did the media say about the crossings?", None),
    ("What did the source say?", None),
    ("What sources are cited?", None),
    ("Who is quoted in the reports?", None),
    ("Which organisations are mentioned?", None),  # organisations, not news organisations
    ("What are the reports on Dunkirk?", None),
    ("Summarise what France said", None),
    # a detail of them: when, where, how many
    ("When were the articles published?", None),
    ("How many articles are there?", None),
])
def test_questions_about_the_documents_as_a_whole(question, kind):
    from rag.overview import collection_question

    assert collection_question(question) == kind


@pytest.mark.parametrize("question, names", [
    ("What is the BBC article about?", ["BBC"]),
    ("Summarise the Independent's report", ["Independent"]),
    ("What is the New York Times story about?", ["New York Times"]),
    ("What did the BBC article say?", ["BBC"]),
    ("What does the Independent report say?", ["Independent"]),
    ("Compare the BBC and Independent articles", ["BBC", "Independent"]),  # each name its own documents
    ("What did the BBC report?", []),  # a verb: what the BBC reported is searched for
    ("What do the articles say about Dunkirk?", []),  # a topic, not a document
    ("What does the Information Commissioner report say?", ["Information Commissioner"]),
])
def test_a_name_before_a_word_for_documents_picks_them_out(question, names):
    from rag.overview import collection_question, document_names

    assert document_names(question) == names
    assert (collection_question(question) == "overview") is bool(names)


def test_an_overview_of_the_document_a_name_picks_out(real_seed_settings):
    bbc = answer_question("What is the main point of the BBC article?", settings=real_seed_settings)
    assert [c.source for c in bbc.citations] == [BBC] and not bbc.notice
    independent = answer_question("Summarise the Independent's report", settings=real_seed_settings)
    assert [c.source for c in independent.citations] == [FRANCE]
    both = answer_question("Compare the BBC and Independent articles", settings=real_seed_settings)
    assert [c.source for c in both.citations] == [BBC, FRANCE]
    # a name no document has: searched as usual, and nothing answers it
    assert answer_question("What is the Guardian piece about?", settings=real_seed_settings).refused


def test_after_an_earlier_turn_a_pronoun_or_a_summary_points_at_it():
    from rag.overview import collection_question

    assert collection_question("What is it about?", follow_up=True) is None
    assert collection_question("Give me an overview", follow_up=True) is None
    assert collection_question("What are these articles about?", follow_up=True) == "overview"
    # a pointing word after an earlier turn points at it
    assert collection_question("Which articles cover it?") == "overview"
    assert collection_question("Which articles cover it?", follow_up=True) is None
    assert collection_question("Who reported it?", follow_up=True) is None
    # "they" may be the documents themselves
    assert collection_question("Which news outlets are they from?", follow_up=True) == "outlets"
    assert collection_question("Where do they come from?", follow_up=True) is None


@pytest.mark.parametrize("sentence, attributed", [
    ("France is backing away, according to multiple sources contacted by the BBC.", True),
    ("The diplomatic note, seen by The Independent, calls for force.", True),
    ("He told Reuters on Monday that it was over.", True),
    ("She told The Guardian newspaper it had ended.", True),
    ("According to the New York Times, it fell.", True),
    ("She told BBC Radio 4 that it was over.", True),
    ("The decision was first reported by the Daily Mirror.", True),
    ("He told the Reuters news agency that it was over.", True),
    # who was told or who said it is no outlet
    ("The chancellor told MPs that fuel duty would be frozen.", False),
    ("According to Dr Jane Smith, the river rose.", False),
    ("Funding was confirmed, the fundraising lead told the Board on Monday.", False),
    ("He told Channel 4 News on Monday.", True),
    # a name that describes what follows it is no one who reported anything
    ("Variables are set according to the CGI standard.", False),
    ("Numbers are handled according to IEEE rules.", False),
    ("Cookies are treated according to the RFC 2965 rules.", False),
    ("The council approved the budget.", False),
])
def test_who_reported_a_document(sentence, attributed):
    from rag.overview import attributes

    assert attributes(sentence) is attributed


def test_an_outlet_at_a_sentence_end_is_found_in_its_chunk():
    from rag.chunking import Chunk
    from rag.overview import opening

    text = "Rents rose by 9%, a spokesperson for the portal told Reuters. The shortage is expected to ease slowly."
    chunk = Chunk("c0", "rents.txt", "", 0, 0, len(text), text, 30)
    assert opening(chunk, "outlets").text.endswith("told Reuters.")


def test_a_name_picks_the_document_it_reported_first(tmp_path, fake_embedder):
    from rag.config import Settings
    from rag.ingest import ingest

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ft.txt").write_text("Markets fell sharply on Monday, the Financial Times reported, as rates rose.\n")
    (docs / "times.txt").write_text("Published 12 March 2024.\n\nRents in the city rose again last month, "
                                    "according to The Times.\n")
    (docs / "floods.txt").write_text("The river burst its banks overnight. A Times reader sent in photographs.\n")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=fake_embedder)
    searcher = Searcher(settings, embedder=fake_embedder)
    answer = answer_question("What is the Times article about?", settings=settings, searcher=searcher)
    assert [c.source for c in answer.citations] == ["times.txt"]
    assert answer.citations[0].quote.startswith("Rents in the city")  # not the dateline
    outlets = answer_question("Who reported the Times story?", settings=settings, searcher=searcher)
    assert [c.source for c in outlets.citations] == ["times.txt"]


def test_after_a_turn_they_are_the_documents_it_quoted(tmp_path, real_embedder):
    from rag.config import Settings
    from rag.ingest import ingest

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rents.txt").write_text("Rents in the city rose by 9% last year, a spokesperson for the property "
                                    "portal told Reuters. The shortage of homes is expected to ease only slowly.\n")
    (docs / "floods.txt").write_text("The river burst its banks overnight and flooded forty homes, according to "
                                     "the Yorkshire Post. Residents were moved to the town hall.\n")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=real_embedder)
    searcher = Searcher(settings, embedder=real_embedder)
    answer = answer_question("Which news outlets are they from?", settings=settings, searcher=searcher,
                             history=["What happened to rents in the city?"])
    assert [c.source for c in answer.citations] == ["rents.txt"] and "Reuters" in answer.answer
    everyone = answer_question("Which news outlets are these reports from?", settings=settings, searcher=searcher)
    assert [c.source for c in everyone.citations] == ["floods.txt", "rents.txt"]


def test_an_opening_is_a_statement(fake_embedder):
    from rag.chunking import Chunk
    from rag.overview import opening

    text = ("and contributes a lot to clarity, it is said. Why does Python use indentation? "
            "Indentation groups the statements of a block.")
    chunk = Chunk("c1", "faq.txt", "FAQ", 1, 500, 500 + len(text), text, 30)  # not the document's first
    assert opening(chunk, "overview").text == "Indentation groups the statements of a block."
    # a document may well begin in lower case
    lead = "eBay said on Monday it would cut 1,000 jobs. The cuts follow a fall in sales."
    assert opening(Chunk("c0", "ebay.txt", "", 0, 0, len(lead), lead, 20), "overview").text.startswith("eBay said")


def _verbatim(settings, answer):
    index = Index(settings)
    for c in answer.citations:
        assert index.document(c.source).text[c.start:c.end] == c.quote


def test_an_overview_quotes_each_documents_opening(real_seed_settings):
    answer = answer_question("What are these articles about?", settings=real_seed_settings)
    assert not answer.refused and answer.mode == "extractive"
    assert [c.source for c in answer.citations] == [BBC, FRANCE]
    assert answer.citations[0].quote.startswith("France is backing away from a recent commitment")
    # the headline is not a sentence: the lead paragraph's first sentence is quoted
    assert answer.citations[1].quote.startswith("In a dramatic escalation of diplomatic tensions")
    assert {r.source for r in answer.retrieved} == {BBC, FRANCE}
    assert not answer.notice  # every document is shown
    _verbatim(real_seed_settings, answer)


@pytest.mark.parametrize("question", [
    "Which news outlets are these reports from?",
    "Quick question: which news outlets published these reports?",
    "For my essay: which news outlets published these reports?",
    "Which media outlets are cited as the sources of information?",
])
def test_which_outlets_quotes_who_each_report_is_from(real_seed_settings, question):
    answer = answer_question(question, settings=real_seed_settings)
    assert not answer.refused
    assert "contacted by the BBC" in answer.citations[0].quote
    assert "seen by The Independent" in answer.citations[1].quote
    _verbatim(real_seed_settings, answer)


def test_a_follow_up_about_it_is_about_the_earlier_turn(real_seed_settings):
    answer = answer_question("Which articles cover it?", settings=real_seed_settings,
                             history=["What did France reject?"])
    assert answer.query != "Which articles cover it?"  # rewritten from the earlier turn and searched
    assert not answer.refused and "rejected the UK's demands" in answer.answer


def test_a_large_collection_shows_some_openings_and_says_so(tmp_path, fake_embedder):
    from rag.config import Settings
    from rag.ingest import ingest
    from rag.overview import MAX_DOCUMENTS

    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(MAX_DOCUMENTS + 2):
        (docs / f"note{n}.txt").write_text(f"Note {n} records the harbour tides of week {n}. It ends here.\n")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=fake_embedder)
    answer = answer_question("Summarise the documents", settings=settings,
                             searcher=Searcher(settings, embedder=fake_embedder))
    assert [c.source for c in answer.citations] == [f"note{n}.txt" for n in range(MAX_DOCUMENTS)]
    assert f"{MAX_DOCUMENTS} of {MAX_DOCUMENTS + 2} documents" in answer.notice
    # no sentence says who reported it: an outlets question has no passages of its own
    from rag.overview import collection_passages

    chunks = Index(settings).chunks()
    assert collection_passages(chunks, "outlets") == ([], MAX_DOCUMENTS + 2)
    assert len(collection_passages(chunks, "overview")[0]) == MAX_DOCUMENTS
    # no more passages than were asked for
    assert len(collection_passages(chunks, "overview", 2)[0]) == 2
    answer = answer_question("Summarise the documents", settings=settings, k=1,
                             searcher=Searcher(settings, embedder=fake_embedder))
    assert len(answer.citations) == 1 and f"1 of {MAX_DOCUMENTS + 2} documents" in answer.notice


def test_the_notice_counts_the_documents_quoted(tmp_path, fake_embedder):
    from rag.config import Settings
    from rag.ingest import ingest

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Harbour Notes\n\nThe harbour tides rose sharply this week, the master said.\n")
    (docs / "b.txt").write_text("Contents\n\nChapter One\n\nChapter Two\n")  # headings only: nothing to quote
    (docs / "c.txt").write_text("The ferry timetable changes on Monday, according to the Harbour Gazette.\n")
    settings = Settings.load(docs_dir=docs, index_dir=tmp_path / "index")
    ingest(settings, embedder=fake_embedder)
    searcher = Searcher(settings, embedder=fake_embedder)
    overview = answer_question("What are these documents about?", settings=settings, searcher=searcher)
    assert [c.source for c in overview.citations] == ["a.txt", "c.txt"]
    assert overview.citations[0].quote.startswith("The harbour tides")  # past the heading
    assert "2 of 3 documents" in overview.notice
    outlets = answer_question("Which news outlets are these from?", settings=settings, searcher=searcher)
    assert [c.source for c in outlets.citations] == ["c.txt"]
    assert outlets.notice.startswith("who reported 1 of 3 documents is shown")
    # the answer's token budget holds here too
    short = answer_question("What are these documents about?", settings=settings.replace(max_answer_tokens=5),
                            searcher=searcher)
    assert len(short.citations) == 1 and "1 of 3 documents" in short.notice


def test_a_language_model_is_given_the_openings(seed_index, fake_embedder):
    reply = cite("France is backing away", "The BBC reports that France is backing away from a commitment.")
    with FakeOpenAI([reply]) as server:
        settings = seed_index.replace(openai_base_url=server.base_url, openai_api_key=KEY, llm="openai")
        answer = answer_question("What are these articles about?", settings=settings,
                                 searcher=Searcher(settings, embedder=fake_embedder))
    assert answer.mode == "llm" and not answer.refused
    [request] = server.requests
    prompt = request.body["messages"][-1]["content"]
    assert prompt.count("<passage id=") == 2
    assert "France is backing away" in prompt and "In a dramatic escalation" in prompt
    assert answer.citations[0].source == BBC


@pytest.mark.parametrize("question, phrases", [
    ("Which minister is named in the BBC article, and which one in the Independent article?",
     [("in the BBC article,", "bbc"), ("in the Independent article", "independent")]),
    ("According to the BBC, why is France less focused on the sea?", [("According to the BBC,", "bbc")]),
    ("Who is fed up, according to the Independent piece?", [(", according to the Independent piece", "independent")]),
    ("What does the Independent's report say about the money?", [("the Independent's report", "independent")]),
    ("according to the bbc, who is frustrated?", [("according to the bbc,", "bbc")]),
    ("According to BBC News, who is frustrated?", [("According to BBC News,", "bbc")]),
    # two outlets in one phrase: one entry each
    ("How do the BBC and Independent articles differ?",
     [("the BBC and Independent articles", "bbc"), ("the BBC and Independent articles", "independent")]),
    # a verb, a place, a person, an office, a word of a title: no document picked out
    ("What did the BBC report?", []),
    ("How did the Home Secretary account for the spending?", []),
    ("What do the Channel reports say?", []),
    ("In the UK and France, who is impatient?", []),
    ("How many patrol boats does France have in the Channel?", []),
    ("According to Hewitt, what is wrong?", []),
    ("What does the Home Office report say?", []),
])
def test_the_documents_a_question_names(seed_index, fake_embedder, question, phrases):
    from rag.overview import named_documents

    chunks = Searcher(seed_index, embedder=fake_embedder).snapshot().chunks
    found = named_documents(question, chunks)
    outlet = {"bbc": {BBC}, "independent": {FRANCE}}
    assert [(question[a:b], set(s)) for a, b, s in found] == [(p, outlet[o]) for p, o in phrases]


def test_a_question_naming_a_document_in_each_part_is_answered_from_each(real_seed_settings):
    answer = answer_question("What does the BBC article say about the French minister, and what does the "
                             "Independent article say about him?", settings=real_seed_settings)
    assert not answer.refused
    assert [(c.source, "Interior Minister" in c.quote) for c in answer.citations[:2]] == [(BBC, True), (FRANCE, True)]


def test_the_document_a_question_names_is_quoted_first(real_seed_settings):
    answer = answer_question("According to the BBC, who is frustrated with the French?", settings=real_seed_settings)
    assert answer.citations[0].source == BBC
    assert "Martin Hewitt" in answer.citations[0].quote
    answer = answer_question("In the Independent's report, what did the French source say?",
                             settings=real_seed_settings)
    assert answer.citations[0].source == FRANCE
    assert "we do not intercept boats" in answer.citations[0].quote


def test_the_newspaper_asked_for_is_the_one_that_saw_it(real_seed_settings):
    answer = answer_question("Which newspaper saw the diplomatic note?", settings=real_seed_settings)
    assert not answer.refused
    assert "seen by The Independent" in answer.answer.split("[1]")[0]


@pytest.mark.parametrize("question, searched", [
    ("Who is frustrated, according to the BBC?", "Who is frustrated?"),
    ("Which minister is named in the BBC article, and which one in the Independent article?",
     "Which minister is named and which one?"),
    ("What does the Independent piece say about the money?", "What does it say about the money?"),
])
def test_a_named_document_is_not_searched_for(real_seed_settings, question, searched):
    assert answer_question(question, settings=real_seed_settings).query == searched


def test_a_short_question_naming_a_document_is_answered_from_it(real_seed_settings):
    answer = answer_question("Who is frustrated, according to the BBC?", settings=real_seed_settings)
    assert answer.citations[0].source == BBC and "Martin Hewitt" in answer.citations[0].quote
    assert not answer.notice
    answer = answer_question("Which French minister is named in the BBC article, and which one in the Independent "
                             "article?", settings=real_seed_settings)
    named = [(c.source, name) for c in answer.citations for name in ("Retailleau", "Darmanin") if name in c.quote]
    assert (BBC, "Retailleau") in named and (FRANCE, "Darmanin") in named


def test_a_named_document_that_does_not_answer_is_said_so(real_seed_settings):
    answer = answer_question("According to the BBC, what did the Home Secretary demand?", settings=real_seed_settings)
    assert answer.citations[0].source == FRANCE
    assert answer.notice == "the document named (the BBC) does not answer this; quoted from the others"


@pytest.mark.parametrize("question", ["Who saw the note?", "Which newspaper saw the note?",
                                      "What is known about the note?", "Which outlet has seen the note?"])
def test_a_verb_read_as_its_form_asks_about_something_in_the_documents(question):
    # "see" and "know" ask for an overview ("What do you see in them?"); "saw", "seen" and
    # "known" are what someone did
    from rag.overview import collection_question

    assert collection_question(question) is None


@pytest.mark.parametrize("question", [
    "Which news organisations are given as sources in the two articles?",
    "These two stories come from different news outlets - which two are mentioned?",
])
def test_outlets_asked_of_each_document_are_asked_about_the_documents(question):
    from rag.overview import collection_question

    assert collection_question(question) == "outlets"
