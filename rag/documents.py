"""Reading files into clean text: formats, encodings, cleaning, titles.

Owns turning a file on disk into a `Document` whose `text` is the cleaned text that
chunks, offsets and quotes refer to. It does not chunk, embed or store anything.
A file that cannot be used raises `SkipFile` with the reason shown to the user.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .encoding import decode_legacy

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
CLEANING_VERSION = 1


class SkipFile(Exception):
    """A file that ingestion leaves out; the message says why.

    `emptied`: the file holds no text (empty, or nothing left after cleaning), so an
    earlier indexed version of it is removed. Any other reason (unreadable, binary,
    too large) may be a passing state or damage, so an earlier version is kept."""

    def __init__(self, reason: str, emptied: bool = False):
        super().__init__(reason)
        self.emptied = emptied


@dataclass(frozen=True)
class Document:
    source: str  # path relative to the documents folder, with forward slashes
    title: str
    text: str  # cleaned text
    sha256: str  # of the cleaned text

    @property
    def doc_id(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]


# Characters of Unicode category Cf (zero-width, bidi controls, tag characters, soft
# hyphen, BOM ...) are invisible and only confuse matching, so they are removed.
_KEEP_CONTROLS = {"\n", "\t"}
_BLANK_RUNS = re.compile(r"\n{3,}")


# Cyrillic and Greek letters that look like Latin ones. A word that mixes them with
# Latin letters is a spoofing trick (or a typo), never real text, so it is folded to
# Latin; words written wholly in Cyrillic or Greek are left alone.
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅοανιΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwABEKMHOPCTXIJSoaviABEZHIKMNOPTYX",
)
_MIXED_WORD = re.compile(r"\w*[A-Za-z]\w*")


def _fold_homoglyphs(text: str) -> str:
    def fold(m: re.Match) -> str:
        word = m.group()
        folded = word.translate(_HOMOGLYPHS)
        return folded if folded != word else word

    return _MIXED_WORD.sub(fold, text)


def clean_text(raw: str) -> str:
    """NFKC, invisible format and control characters removed, mixed-script
    homoglyph words folded to Latin, blank runs collapsed."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        ch
        for ch in text
        if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co")
    )
    text = _fold_homoglyphs(text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


def clean_question(raw: str) -> str:
    """The same cleaning for a question, on one line."""
    return " ".join(clean_text(raw).split())


_SENTENCE_END = (".", "!", ";", ":", ",")


def make_title(text: str, fallback: str) -> str:
    """The first line when it reads as a headline, else the file name."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    words = first.split()
    if not words or len(words) > 20 or len(first) > 160:
        return fallback
    if first.endswith(_SENTENCE_END) and not first.endswith("..."):
        return fallback
    if first.startswith(("#",)):
        first = first.lstrip("#").strip() or fallback
    letters = [w for w in words if w[:1].isalpha()]
    if not letters:
        return fallback
    return first


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            data = data[3:]  # marked UTF-8 but is not: detect its encoding as for any other
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SkipFile("marked as UTF-16 but not valid UTF-16 (damaged or cut short)") from None
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = decode_legacy(data)
    if text is None:
        raise SkipFile("not UTF-8 and its encoding could not be detected reliably")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(
        1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t\f"
    )
    return bad / len(sample) > 0.05


_DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "svg")


def _html_text(markup: str) -> str:
    """The text of an HTML page, one line per text node, without scripts, styles and the
    head. lxml parses it (about 15 times faster than BeautifulSoup's html.parser on the
    Python documentation, with the same text); what lxml refuses goes to BeautifulSoup."""
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(markup)
    except (ValueError, lxml.etree.ParserError):  # e.g. an XML declaration in text, no content
        return _html_text_bs4(markup)
    for el in list(doc.iter(*_DROPPED_TAGS, lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        el.drop_tree()  # keeps the text that follows it
    title_el = doc.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    body = "\n".join(doc.itertext())
    return f"{title}\n\n{body}" if title and title not in body[:500] else body


def _html_text_bs4(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(list(_DROPPED_TAGS)):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.get_text("\n")
    return f"{title}\n\n{body}" if title and title not in body[:500] else body


def _pdf_text(path: Path) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError, AttributeError) as exc:
        raise SkipFile(f"unreadable PDF ({type(exc).__name__})") from None
    except Exception as exc:  # pypdf raises many internal types on damaged files
        raise SkipFile(f"unreadable PDF ({type(exc).__name__})") from None
    return "\n\n".join(pages)


def why_unreadable(path: Path, exc: OSError) -> str:
    """The reason a file could not be read, as the ingest report gives it."""
    try:
        if path.is_symlink() and not path.exists():
            return f"broken link (its target {os.readlink(path)} does not exist)"
    except OSError:
        pass
    return f"unreadable ({exc.strerror or exc})"


def read_text(path: Path, max_bytes: int) -> str:
    """The raw text of a supported file, or SkipFile with the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"unsupported file type '{suffix or '(none)'}'")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SkipFile(why_unreadable(path, exc)) from None
    if size > max_bytes:
        raise SkipFile(f"too large ({size / 1048576:.1f} MB, limit {max_bytes / 1048576:.0f} MB)")
    if size == 0:
        raise SkipFile("empty file", emptied=True)
    if suffix == ".pdf":
        return _pdf_text(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"unreadable ({exc.strerror or exc})") from None
    text = _decode(data)
    if _looks_binary(text):
        raise SkipFile("binary file (not text)")
    if suffix in (".html", ".htm"):
        text = _html_text(text)
    return text


def source_name(path: Path, root: Path) -> str:
    """How the index names a file: its path relative to `root` (the documents folder),
    with forward slashes; absolute ("/data/x.txt") where `root` is the filesystem root."""
    relative = path.relative_to(root).as_posix()
    return "/" + relative if root == Path(root.anchor) else relative


def load_document(path: Path, root: Path, max_bytes: int) -> Document:
    """Read, clean and title one file. Raises SkipFile."""
    source = source_name(path, root)
    text = clean_text(read_text(path, max_bytes))
    if not text.strip():
        raise SkipFile("no text after cleaning", emptied=True)
    return Document(
        source=source,
        title=make_title(text, path.name),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def find_files(root: Path, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every file under the documents folder, hidden ones left out, in a stable order.
    Folders that cannot be listed are added to `unreadable` (folder, reason); links to
    folders are not followed (a link cycle would never end)."""
    if root.is_file():
        return [root]

    def failed(exc: OSError) -> None:
        if unreadable is not None and exc.filename:
            unreadable.append((Path(exc.filename), exc.strerror or str(exc)))

    found = []
    for folder, dirs, files in os.walk(root, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / f for f in files if not f.startswith("."))
    return sorted(p for p in found if p.is_file() or p.is_symlink())  # a broken link is reported
