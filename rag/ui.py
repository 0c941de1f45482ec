"""Turning answers and documents into safe Markdown for the app.

Owns how text reaches the page: every piece of document or model text is escaped so
that Markdown and HTML in it show literally (no `<script>` runs, no remote image is
fetched, no address becomes a link), and only the formatting added here (highlighted
quotes, flagged sentences, addresses in code) is live. It does not import Streamlit,
answer questions or touch the index; `app.py` and `rag/app_pages/` draw.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime, timezone

from .answer import Answer, Citation, Retrieved

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it turns off
# emphasis, links, images, HTML, tables, headings, lists, math and Streamlit directives.
_PUNCTUATION = set(string.punctuation)
PASSAGE_WINDOW = 280  # characters of context kept on each side of a quote
DOCUMENT_WINDOW = 30_000  # "the whole document" stops here on each side, to keep the page light
UNSUPPORTED_FLAG = "⚠️"
FLAG_COLOUR = "orange"  # background of a sentence its sources do not support
QUOTE_COLOUR = "yellow"  # background of the quote in the whole-document view
ECHO_LIMIT = 300  # characters of a very long question echoed in its bubble
# Streamlit's Markdown (remark-gfm) links bare addresses after parsing, escapes or not:
# an invisible word joiner after "http", "www" or "@" keeps them plain text.
# Addresses Streamlit's Markdown would make links of, even escaped (remark-gfm links
# them in any text): a scheme's, a www., an e-mail. They are shown as code, which is
# never linked and copies as written.
_LINKABLE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s<>`]+|\bwww\.[^\s<>`]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")
_TRAILING = ".,:;!?'\")]}*_~"  # a sentence's own punctuation after an address
_BLANK_LINES = re.compile(r"(?:  \n){2,}")
_LINE_BREAKS = re.compile(r"(  \n|\n\n)")


def escape_markdown(text: str, line_start: bool = True) -> str:
    """Text that Markdown shows exactly as written, line breaks kept.

    `line_start=False` for a piece that continues a line: its leading spaces are kept.
    """
    pieces, pos = [], 0
    for found in _LINKABLE.finditer(text):
        address = found.group().rstrip(_TRAILING)
        pieces.append("".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text[pos:found.start()]))
        pieces.append(code(address))
        pos = found.start() + len(address)
    pieces.append("".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text[pos:]))
    escaped = "".join(pieces)
    # Leading spaces would start a code block; a single newline would be joined.
    lines = escaped.split("\n")
    lines = [line if (n == 0 and not line_start) else line.lstrip(" \t") for n, line in enumerate(lines)]
    return _BLANK_LINES.sub("\n\n", "  \n".join(lines))


def _wrap(text: str, before: str, after: str) -> str:
    """Wrap already-escaped text in `before`…`after`, line by line (emphasis and
    highlights cannot span lines); the spaces around each line stay outside."""
    parts = []
    for piece in _LINE_BREAKS.split(text):
        core = piece.strip()
        if not core or _LINE_BREAKS.fullmatch(piece):
            parts.append(piece)
            continue
        lead = piece[: len(piece) - len(piece.lstrip())]
        trail = piece[len(piece.rstrip()):]
        parts.append(f"{lead}{before}{core}{after}{trail}")
    return "".join(parts)


def _bold(text: str) -> str:
    return _wrap(text, "**", "**")


def _highlighted(text: str) -> str:
    """Bold on a coloured background, like a highlighter pen: easy to find in a long text."""
    return _wrap(text, f":{QUOTE_COLOUR}-background[**", "**]")


def highlight(text: str, start: int, end: int, mark=_bold) -> str:
    """Markdown of `text` with `text[start:end]` marked (bold by default), everything else escaped."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    before, quote, after = text[:start], text[start:end], text[end:]
    # Spaces stay outside the bold markers, or Markdown ignores them.
    stripped = quote.lstrip()
    before += quote[: len(quote) - len(stripped)]
    quote = stripped
    stripped = quote.rstrip()
    after = quote[len(stripped):] + after
    quote = stripped
    if not quote:
        return escape_markdown(text)
    return (
        escape_markdown(before)
        + mark(escape_markdown(quote, line_start=not before or before.endswith("\n")))
        + escape_markdown(after, line_start=False)
    )


@dataclass(frozen=True)
class Passage:
    """The text around a quote, and where the quote sits in it."""

    text: str
    start: int
    end: int
    clipped_before: bool = False
    clipped_after: bool = False

    def markdown(self, mark=_bold) -> str:
        body = highlight(self.text, self.start, self.end, mark)
        return ("… " if self.clipped_before else "") + body + (" …" if self.clipped_after else "")


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+|\n+")


def _window(text: str, start: int, end: int, window: int = PASSAGE_WINDOW) -> Passage:
    """About `window` characters either side of text[start:end], cut between
    sentences where one ends nearby, else between words."""
    lo, hi = max(0, start - window), min(len(text), end + window)
    if lo > 0:
        cut = next((m.end() for m in _SENTENCE_END.finditer(text, lo, start) if m.end() <= start), None)
        if cut is None:
            space = text.find(" ", lo, start)
            cut = space + 1 if space >= 0 else start
        lo = cut
    if hi < len(text):
        ends = [m.start() + len(m.group().rstrip()) for m in _SENTENCE_END.finditer(text, end, hi)]
        cut = max(ends) if ends else text.rfind(" ", end, hi)
        hi = cut if cut >= end else end
    return Passage(text[lo:hi], start - lo, end - lo, lo > 0, hi < len(text))


def passage_for(citation: Citation, retrieved: tuple[Retrieved, ...] = (), document: str | None = None) -> Passage:
    """The passage a citation's quote came from, with the quote located in it.

    From the retrieved chunk when it is at hand, else from the whole document; at
    worst the quote alone. Long passages are cut to a window around the quote.
    """
    for r in retrieved:
        if r.chunk_id != citation.chunk_id or not r.text:
            continue
        start = citation.start - r.start
        if start < 0 or r.text[start:start + len(citation.quote)] != citation.quote:
            start = r.text.find(citation.quote)
        if start >= 0:
            return _window(r.text, start, start + len(citation.quote))
    if document:
        start = citation.start
        if document[start:citation.end] != citation.quote:
            start = document.find(citation.quote)
        if start >= 0:
            return _window(document, start, start + len(citation.quote))
    return Passage(citation.quote, 0, len(citation.quote))


def document_markdown(document: str, citation: Citation) -> str:
    """A whole cleaned document with the cited quote highlighted (a long one is cut to
    DOCUMENT_WINDOW characters either side of the quote)."""
    start, end = citation.start, citation.end
    if document[start:end] != citation.quote:
        start = document.find(citation.quote)
        if start < 0:
            return escape_markdown(document[: 2 * DOCUMENT_WINDOW])
        end = start + len(citation.quote)
    return _window(document, start, end, DOCUMENT_WINDOW).markdown(_highlighted)


def opens_with_title(document: str, title: str) -> bool:
    """Whether the document's first line is its title (then the view need not repeat it)."""
    first = document.lstrip().partition("\n")[0].lstrip("#").strip()  # a Markdown heading too
    return not title.strip() or " ".join(first.split()) == " ".join(title.split())


def _snippet(quote: str, limit: int = 48) -> str:
    """The start of a quote, cut between words, for a card's label."""
    text = " ".join(quote.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def card_label(citation: Citation) -> str:
    """`[1] “the quote's first words…” · Title · file.txt`, escaped for an expander label;
    a quote that does not support its sentence (LLM mode) says so first.

    The quote comes first: it is what tells apart cards of one marker (several
    sentences quoted from one passage), whose titles and files are the same; an
    untitled document is named once, by its file name.
    """
    title = " ".join((citation.title or "").split())
    parts = [f"[{citation.marker}]"]
    if not citation.supports:
        parts.append(f"{UNSUPPORTED_FLAG} closest passage, does not support the flagged sentence:")
    if citation.quote.strip():
        parts.append(f"“{_snippet(citation.quote, 60)}” ·")
    if title and title != citation.source:
        parts.append(f"{_snippet(title, 40)} ·")
    parts.append(citation.source)
    return escape_markdown(" ".join(" ".join(parts).split()))


def _markers(markers) -> str:
    return "".join(f" [{m}]" for m in markers)


def answer_markdown(answer: Answer) -> str:
    """The answer text with its [n] markers; each sentence the sources do not support
    is highlighted with one flag, its markers inside the highlight, so the flag
    plainly belongs to it and not to a neighbour."""
    if answer.sentences and any(not s.supported for s in answer.sentences):
        parts = []
        for s in answer.sentences:
            if s.supported:
                parts.append(escape_markdown(s.text + _markers(s.markers)))
                continue
            # The markers stay outside the emphasis: they name the passages, flagged or not.
            text = _wrap(escape_markdown(s.text), "_", "_")
            markers = escape_markdown(_markers(s.markers), line_start=False)
            parts.append(_wrap(f"{UNSUPPORTED_FLAG} {text}{markers}", f":{FLAG_COLOUR}-background[", "]"))
        return " ".join(parts)
    return escape_markdown(answer.answer)


def unsupported_count(answer: Answer) -> int:
    return sum(1 for s in answer.sentences if not s.supported)


def question_echo(question: str, limit: int = ECHO_LIMIT) -> str:
    """Markdown of a question for its bubble: a very long paste is cut to its first
    words and says how long it was."""
    text = question.strip()
    if len(text) <= 2 * limit:
        return escape_markdown(text)
    cut = text.rfind(" ", 0, limit)
    head = text[: cut if cut > limit // 2 else limit].rstrip()
    return escape_markdown(head) + escape_markdown(f" … ({len(text):,} characters)", line_start=False)


def too_long(error: BaseException, question: str) -> str | None:
    """A question too long to search (`QuestionError` with `tokens`) in the reader's
    words: how long it is, about how long it may be, what to do; None for other errors."""
    tokens, limit = getattr(error, "tokens", None), getattr(error, "limit", None)
    if not tokens or not limit:
        return None
    chars = len(question.strip())
    allowed = limit * chars / tokens  # this text's own characters per token
    allowed = int(allowed // 100 * 100 if allowed >= 200 else allowed // 10 * 10)
    text = escape_markdown(
        f"This question is too long to answer: it has {chars:,} characters, and the limit is about "
        f"{allowed:,}. Please ask a shorter question.")
    return (text + escape_markdown(f" (The limit is {limit:,} tokens, set by ", line_start=False)
            + code("RAG_MAX_QUESTION_TOKENS") + ".)")


def code(text: str) -> str:
    """Inline code: shown exactly as written and never made a link."""
    text = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def notice_markdown(notice: object, api_key: str | None = None) -> str:
    """A notice about an answer (the LLM could not be used) as a sentence: capital
    letter, full stop, the server's address as code."""
    text = str(notice)
    if api_key:
        text = text.replace(api_key, "***")
    text = _SECRET.sub("***", app_message(text))
    text = text.replace("; extractive answer shown instead", ", so the extractive answer is shown instead")
    if not text.endswith((".", "!", "?")):
        text += "."
    return escape_markdown(text)  # addresses as code


def format_time(timestamp: float | None) -> str:
    if not timestamp:
        return "never"
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def one_line(message: object, limit: int = 300) -> str:
    """An error message as one short line of plain text."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SECRET = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,})")

# The pipeline's messages name CLI commands; the app has buttons for them.
_APP_HINTS = (
    (re.compile(r"try again when `rag ingest` ends"), "try again when the re-index ends"),
    (re.compile(r"run `rag ingest --rebuild`"), "press Rebuild index"),
    (re.compile(r"run `rag ingest`"), "press Re-index documents"),
    (re.compile(r"`rag ingest --rebuild`"), "Rebuild index"),
    (re.compile(r"`rag ingest`"), "Re-index documents"),
    (re.compile(r"check OPENAI_API_KEY"), "check the API key in the sidebar (or OPENAI_API_KEY)"),
)
# A first word that is a plain lowercase word (not a file name, path or identifier).
_PLAIN_FIRST_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?(?=[ ,])")


def app_message(message: object, sentence_start: bool = True) -> str:
    """A pipeline message as one line for the app: CLI hints turned into the app's
    buttons, a leading plain word capitalised (a file name keeps its case)."""
    text = one_line(message)
    for pattern, replacement in _APP_HINTS:
        text = pattern.sub(replacement, text)
    if sentence_start and _PLAIN_FIRST_WORD.match(text):
        text = text[:1].upper() + text[1:]
        if not text.endswith((".", "!", "?", "…", ")")):
            text += "."  # shown as a sentence
    return text


def friendly_text(message: object, api_key: str | None = None, sentence_start: bool = True) -> str:
    """`app_message`, escaped for Markdown, with no API key in it."""
    text = str(message)
    if api_key:
        text = text.replace(api_key, "***")
    return escape_markdown(_SECRET.sub("***", app_message(text, sentence_start)))


def friendly_error(exc: BaseException, api_key: str | None = None) -> str:
    """One line for the page: the message of an expected error, never a key."""
    from .errors import RagError

    if isinstance(exc, RagError):
        return friendly_text(exc, api_key)
    return friendly_text(
        "Something went wrong while answering. Please try again; if it keeps happening, check the server log.",
        api_key)
