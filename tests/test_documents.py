"""Reading and cleaning files, titles, and sentence-aware chunking."""

from __future__ import annotations


import pytest

from rag.chunking import chunk_document, count_tokens, split_sentences
from rag.documents import SkipFile, clean_text, load_document, make_title, read_text

from .conftest import SEED_DOCS


def make_pdf(text: str) -> bytes:
    """A minimal one-page PDF with a real text layer."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_cleaning_removes_invisible_characters_and_collapses_blank_runs():
    raw = "Ｆｕｌｌ\u200bwidth\u202e text \U000E0041tag  \r\n\r\n\r\n\r\nnext\t  \n\n\n\n"
    assert clean_text(raw) == "Fullwidth text tag\n\nnext"


def test_cleaning_keeps_real_text_that_looks_odd():
    text = "The Home Secretary's强硬 stance — £480 million"
    assert clean_text(text) == text


def test_seed_documents_clean_without_losing_content():
    trailing = load_document(SEED_DOCS / "000_6ea2d6230eff8e98.txt", SEED_DOCS, 10**7)
    assert trailing.text.endswith("tied to maritime law.")  # the long blank tail is gone
    assert trailing.title == "000_6ea2d6230eff8e98.txt"  # first line is a sentence, not a headline
    headline = load_document(SEED_DOCS / "004_f1f9acf72509a885.txt", SEED_DOCS, 10**7)
    assert headline.title.startswith("UK Home Secretary Demands France Halt Small Boat Crossings")
    assert "Secretary's强硬 stance" in headline.text
    # the repeated headline is real text and stays
    assert headline.text.count("UK demands France stop all migrant boat crossings") == 1


@pytest.mark.parametrize(
    "first_line, expected",
    [
        ("Budget 2025: What Changes", "Budget 2025: What Changes"),
        ("# Release notes", "Release notes"),
        ("This is an ordinary opening sentence of a long article, which ends in a period.", "f.txt"),
        ("", "f.txt"),
    ],
)
def test_title_is_a_headline_or_the_file_name(first_line, expected):
    assert make_title(first_line + "\nbody text.", "f.txt") == expected


def test_formats(tmp_path):
    (tmp_path / "a.md").write_text("# Heading\n\nSome *markdown* text.\n")
    (tmp_path / "b.html").write_text(
        "<html><head><title>T</title><style>p{color:red}</style></head>"
        "<body><script>alert('x')</script><p>Visible words.</p></body></html>"
    )
    (tmp_path / "c.pdf").write_bytes(make_pdf("Text inside a PDF"))
    assert "Some *markdown* text." in read_text(tmp_path / "a.md", 10**6)
    html = clean_text(read_text(tmp_path / "b.html", 10**6))
    assert "Visible words." in html and "alert" not in html and "color" not in html
    assert "Text inside a PDF" in read_text(tmp_path / "c.pdf", 10**6)


HTML_PAGES = [
    "<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Title</h1>"
    "<p>One <b>bold</b> word.<br>Next line</p><!-- a comment --><ul><li>first</li><li>second</li></ul>"
    "<script>alert('x')</script><noscript>no script</noscript><svg><text>drawn</text></svg>after</body></html>",
    '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>X</title>'
    "</head><body><p>An XHTML page.</p></body></html>",  # lxml refuses the declaration in text
    "<p>A fragment, <i>no</i> html or body</p>",
    "<html><body><title>Stray title</title><p>Body text.</p></body></html>",
    "plain words with no tags",
]


@pytest.mark.parametrize("markup", HTML_PAGES)
def test_html_text_is_what_beautifulsoup_reads(markup):
    """lxml reads HTML for speed; its cleaned text is BeautifulSoup's (the reference)."""
    from rag.documents import _html_text, _html_text_bs4

    assert clean_text(_html_text(markup)) == clean_text(_html_text_bs4(markup))
    text = clean_text(_html_text(markup))
    assert not any(hidden in text for hidden in ("alert", "color", "a comment", "drawn", "no script"))


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"\n\n  \n", "no text after cleaning"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type '.png'"),
        ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf", "unreadable PDF"),
    ],
)
def test_unusable_files_are_skipped_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SkipFile, match=reason):
        load_document(path, tmp_path, 10**6)


@pytest.mark.parametrize("text, encoding", [
    ("Le ministre a refusé la demande du Royaume-Uni à Calais, été comme hiver.", "latin-1"),
    ("Café crème: the ferry café at Calais opens at six, naïve visitors are told.", "latin-1"),
    ("Größe und Übermaß: die Fähre nach Dover fährt früh.", "cp1252"),
    ("Zażółć gęślą jaźń: the ferry at Gdańsk and Łódź.", "cp1250"),
])
def test_legacy_single_byte_files_are_decoded(tmp_path, text, encoding):
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    assert load_document(path, tmp_path, 10**6).text.strip() == text


# Windows-1252 with curly quotes, apostrophes and dashes but no accented letter: on its own
# charset_normalizer read the first as cp775 ("The ōfalconö is called Freddie Ś") and the
# second as cp852 ("Itĺs the committeeĺs view that the ônew rulesö").
SMART_SHORT = "The “falcon” is called Freddie — he flies fast.\n"
SMART_PARAGRAPH = (
    "It’s the committee’s view that the “new rules” won’t work. The report’s authors didn’t agree. "
    "Members say they’re sure it’s a mistake. What’s changed is the tone. The members’ view: it’s "
    "“too soon”. There’s no date for a vote. Nobody’s said what’s next. She’d like a “fresh start”, "
    "she’s said. The board’s chief wasn’t there. Ministers haven’t said when they’ll respond. "
    "That’s what’s at stake — and they know it. The minister’s office didn’t reply."
)


@pytest.mark.parametrize("text", [SMART_SHORT, SMART_PARAGRAPH], ids=["short", "paragraph"])
def test_windows_1252_quotes_and_dashes_are_not_read_as_another_code_page(tmp_path, text):
    path = tmp_path / "smart.txt"
    path.write_bytes(text.encode("cp1252"))
    assert read_text(path, 10**6) == text


@pytest.mark.parametrize("name", ["000_6ea2d6230eff8e98.txt", "004_f1f9acf72509a885.txt"])
def test_a_windows_1252_article_is_read_as_windows_1252(tmp_path, name):
    text = (SEED_DOCS / name).read_text("utf-8").replace("强硬", "")  # dashes and pounds stay
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    assert read_text(path, 10**6) == text  # not "｣480" (Shift-JIS) for "£480"


@pytest.mark.parametrize("text, encoding", [
    ("crème brûlée", "latin-1"),
    ("Москва — столица России. Город стоит на реке Москве. "
     "«Мы не можем ждать», — сказал министр.", "cp1251"),
    ("Привет, мир!", "cp1251"),
    ("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. Η πόλη έχει μακρά ιστορία. "
     "Πολλοί τουρίστες την επισκέπτονται κάθε χρόνο.", "cp1253"),
    ("Άνοιξη στην Αθήνα. Ο καιρός είναι ζεστός και οι δρόμοι γεμάτοι. "
     "Ένας φίλος μου λέει ότι θα βρέξει αύριο.", "iso8859_7"),  # Ά is ¶ in cp1253
    ("Rząd przyjął nowe przepisy dotyczące podatków. Minister finansów powiedział, "
     "że zmiany wejdą w życie w przyszłym roku.", "cp1250"),
    ("東京は日本の首都です。多くの人が住んでいます。", "shift_jis"),
    ("It’s “Привет” and 東京 — with a byte order mark.", "utf-16"),
], ids=["latin-1", "cp1251", "cp1251-short", "cp1253", "iso8859-7", "cp1250", "shift-jis", "utf-16"])
def test_other_encodings_are_still_read_as_themselves(tmp_path, text, encoding):
    path = tmp_path / "other.txt"
    path.write_bytes(text.encode(encoding))
    assert read_text(path, 10**6) == text


@pytest.mark.parametrize("charset, encoding, words", [
    ("windows-1251", "cp1251", "Москва — столица России."),
    ("shift_jis", "shift_jis", "東京は日本の首都です。"),
    ("iso-8859-1", "cp1252", "It’s the “new rules” — crème brûlée."),  # as browsers read it
], ids=["windows-1251", "shift-jis", "iso-8859-1"])
def test_an_html_page_is_read_in_the_charset_it_declares(tmp_path, charset, encoding, words):
    page = f'<html><head><meta charset="{charset}"></head><body><p>{words}</p></body></html>'
    path = tmp_path / "page.html"
    path.write_bytes(page.encode(encoding))
    assert words in read_text(path, 10**6)


def test_oversized_file_is_skipped(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 5000)
    with pytest.raises(SkipFile, match="too large"):
        load_document(path, tmp_path, 1000)


def test_sentences_respect_abbreviations_and_lines():
    text = "Dr. Smith met Mr. Jones in the U.K. yesterday. They talked.\nHeadline without stop\nLast one!"
    spans = [text[s:e] for s, e in split_sentences(text)]
    assert spans == [
        "Dr. Smith met Mr. Jones in the U.K. yesterday.",
        "They talked.",
        "Headline without stop",
        "Last one!",
    ]


@pytest.mark.parametrize("size, overlap", [(256, 32), (64, 16), (16, 0)])
def test_chunks_are_exact_slices_within_the_token_budget(size, overlap):
    for path in sorted(SEED_DOCS.iterdir()):
        doc = load_document(path, SEED_DOCS, 10**7)
        chunks = chunk_document(doc, size, overlap)
        assert chunks and [c.index for c in chunks] == list(range(len(chunks)))
        covered = set()
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert c.tokens == count_tokens(c.text) <= size + 2  # joints may add a token
            covered.update(range(c.start, c.end))
        letters = {i for i, ch in enumerate(doc.text) if not ch.isspace()}
        assert letters <= covered  # nothing is dropped
        assert len({c.chunk_id for c in chunks}) == len(chunks)
        # ids are stable across runs
        assert [c.chunk_id for c in chunk_document(doc, size, overlap)] == [c.chunk_id for c in chunks]


def test_a_sentence_longer_than_a_chunk_is_split(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(" ".join(f"word{i}" for i in range(400)) + ".")
    doc = load_document(path, tmp_path, 10**6)
    chunks = chunk_document(doc, 64, 8)
    assert len(chunks) > 3
    assert all(c.tokens <= 66 and doc.text[c.start : c.end] == c.text for c in chunks)


def test_homoglyph_spoofed_words_are_folded_but_real_cyrillic_is_kept():
    spoofed = "Wh\u0430t did Fr\u0430nce r\u0435ject?"  # Cyrillic a and e inside Latin words
    assert clean_text(spoofed) == "What did France reject?"
    assert clean_text("Москва и Париж") == "Москва и Париж"
