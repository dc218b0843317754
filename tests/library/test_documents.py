"""Loading: Markdown front matter, HTML visible text, PDF, encodings, limits, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from throughline.core.errors import InputError
from throughline.library.documents import load_bytes, load_path
from throughline.library.htmltext import parse_html

from .helpers import make_pdf

LIMIT = 1_000_000


def test_markdown_front_matter_and_headings(docs: Path) -> None:
    f = docs / "note.md"
    f.write_text(
        "---\ntitle: Retention, defined\nauthor: A. Writer\ndate: 2024-05-01\n"
        "url: https://example.com/retention\ntags: [Metrics, retention]\n---\n"
        "# Heading one\n\nFirst paragraph.\n\n## Sub\n\nSecond paragraph.\n"
        "<!-- a comment that is not rendered -->\n", encoding="utf-8")
    doc = load_path(f, max_bytes=LIMIT)
    assert (doc.title, doc.author, doc.date) == ("Retention, defined", "A. Writer", "2024-05-01")
    assert doc.url == "https://example.com/retention"
    assert doc.tags == ["metrics", "retention"]
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Heading one"), ("paragraph", "First paragraph."),
        ("heading", "Sub"), ("paragraph", "Second paragraph.")]
    assert len(doc.content_hash) == 64 and doc.kind == "markdown"


def test_markdown_title_falls_back_to_heading_then_filename(docs: Path) -> None:
    (docs / "a.md").write_text("Intro text.\n\nSetext title\n============\n\nBody.\n")
    (docs / "push_vs-pull.md").write_text("Only text, no heading.\n")
    assert load_path(docs / "a.md", max_bytes=LIMIT).title == "Setext title"
    assert load_path(docs / "push_vs-pull.md", max_bytes=LIMIT).title == "push vs pull"


def test_markdown_fenced_code_is_not_split_by_headings(docs: Path) -> None:
    (docs / "code.md").write_text("# T\n\n```\n# not a heading\n\nstill code\n```\n\nAfter.\n")
    blocks = load_path(docs / "code.md", max_bytes=LIMIT).blocks
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph"]
    assert "# not a heading" in blocks[1].text


def test_front_matter_only_keeps_scalars(docs: Path) -> None:
    (docs / "x.md").write_text("---\ntitle: {nested: map}\nauthor: [a, b]\nurl: javascript:x\n"
                               "---\nText.\n")
    doc = load_path(docs / "x.md", max_bytes=LIMIT)
    assert doc.title == "x" and doc.author == "a, b" and doc.url is None


def test_html_visible_text_only() -> None:
    html = """<!doctype html><html><head><title>Channel  notes</title>
    <meta name="author" content="Ann Lee"><meta property="article:published_time"
    content="2023-02-03T10:00:00Z"><link rel="canonical" href="https://ex.com/channels">
    <style>body { color: red } .churn {}</style><script>var secret = "SCRIPTWORD";</script>
    </head><body><h1>Channels</h1><p>Visible &amp; kept.</p>
    <script type="module">import("x"); document.write("SCRIPTWORD2")</script>
    <template><p>TEMPLATEWORD</p></template><noscript>NOSCRIPTWORD</noscript>
    <div hidden>HIDDENWORD</div><p style="display: none">STYLEHIDDEN</p>
    <span aria-hidden="true">ARIAHIDDEN</span><svg><title>SVGTITLE</title></svg>
    <h2>Second</h2><ul><li>one</li><li>two</li></ul><p>Tail <b>bold</b> text</p>
    </body></html>"""
    parsed = parse_html(html)
    text = " ".join(b.text for b in parsed.blocks)
    for hidden in ("SCRIPTWORD", "TEMPLATEWORD", "NOSCRIPTWORD", "HIDDENWORD", "STYLEHIDDEN",
                   "ARIAHIDDEN", "SVGTITLE", "color", "import"):
        assert hidden not in text
    assert "Visible & kept." in text and "Tail bold text" in text
    assert [(b.kind, b.text) for b in parsed.blocks if b.kind == "heading"] == [
        ("heading", "Channels"), ("heading", "Second")]
    assert parsed.title == "Channel notes"
    assert (parsed.author, parsed.date) == ("Ann Lee", "2023-02-03T10:00:00Z")
    assert parsed.url == "https://ex.com/channels"


def test_html_line_breaks_inside_a_heading_keep_it_whole() -> None:
    parsed = parse_html("<h2>Retention<br>and <div>churn</div></h2><p>One<br>Two</p>")
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("heading", "Retention and churn"), ("paragraph", "One"), ("paragraph", "Two")]


def test_html_without_closing_head_still_has_a_body() -> None:
    parsed = parse_html("<html><head><title>T</title><body><p>Body text.</p>")
    assert [b.text for b in parsed.blocks] == ["Body text."]


def test_html_file_with_declared_charset(docs: Path) -> None:
    f = docs / "page.html"
    f.write_bytes('<meta charset="windows-1252"><p>Caf\u00e9 cr\u00e8me \u2013 ok</p>'
                  .encode("cp1252"))
    doc = load_path(f, max_bytes=LIMIT)
    assert doc.blocks[0].text == "Caf\u00e9 cr\u00e8me \u2013 ok"
    assert doc.encoding == "windows-1252"


def test_latin1_text_file_is_detected(docs: Path) -> None:
    f = docs / "latin.txt"
    body = ("Le caf\u00e9 de la gar\u00e7onni\u00e8re servait une cr\u00e8me br\u00fbl\u00e9e "
            "d\u00e9licieuse. Les r\u00e9sum\u00e9s na\u00effs \u00e9taient \u00e0 "
            "c\u00f4t\u00e9 de la fa\u00e7ade.\n\nDeuxi\u00e8me paragraphe, tr\u00e8s "
            "s\u00fbr.\n")
    f.write_bytes(body.encode("latin-1"))
    doc = load_path(f, max_bytes=LIMIT)
    assert "caf\u00e9" in doc.blocks[0].text and "br\u00fbl\u00e9e" in doc.blocks[0].text
    assert doc.encoding and doc.encoding != "utf-8"
    assert doc.title == "latin"


def test_utf16_with_bom(docs: Path) -> None:
    f = docs / "wide.txt"
    f.write_bytes(b"\xff\xfe" + "Wide text \u00fc.".encode("utf-16-le"))
    assert load_path(f, max_bytes=LIMIT).blocks[0].text == "Wide text \u00fc."


def test_binary_disguised_as_text_is_refused(docs: Path) -> None:
    f = docs / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\xff\xfe\xfd" * 20)
    with pytest.raises(InputError) as err:
        load_path(f, max_bytes=LIMIT)
    assert err.value.exit_code == 2 and "image.txt" in str(err.value)


def test_control_and_invisible_characters_are_removed(docs: Path) -> None:
    f = docs / "ctl.txt"
    f.write_text("Bell\x07 and escape \x1b[31mred\u200b word\U000e0041 end.\r\n", encoding="utf-8")
    doc = load_path(f, max_bytes=LIMIT)
    assert doc.blocks[0].text == "Bell and escape [31mred word end."
    assert doc.hidden_removed == 4


def test_size_limit_names_file_size_limit_and_setting(docs: Path) -> None:
    f = docs / "big.md"
    f.write_text("x " * 600)
    with pytest.raises(InputError) as err:
        load_path(f, max_bytes=1000)
    message = str(err.value)
    assert "big.md" in message and "1,200 bytes" in message and "1,000 bytes" in message
    assert "max_library_file_bytes" in message and err.value.exit_code == 2


def test_unsupported_extension(docs: Path) -> None:
    f = docs / "deck.pptx"
    f.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="unsupported file type '.pptx'"):
        load_path(f, max_bytes=LIMIT)


def test_empty_documents_are_refused(docs: Path) -> None:
    (docs / "empty.md").write_text("---\ntitle: x\n---\n# Only a heading\n")
    with pytest.raises(InputError, match="no text to index"):
        load_path(docs / "empty.md", max_bytes=LIMIT)


def test_pdf_text_and_metadata(docs: Path) -> None:
    f = docs / "report.pdf"
    f.write_bytes(make_pdf(
        [["Net revenue retention adds expansion to what you keep.",
          "Churned revenue and contraction reduce it."], ["Second page about chan-", "nels."]],
        title="Retention Report", author="Dana", created="D:20240102120000Z"))
    doc = load_path(f, max_bytes=LIMIT)
    assert (doc.kind, doc.title, doc.author, doc.date) == (
        "pdf", "Retention Report", "Dana", "2024-01-02")
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Page 1", "Page 2"]
    assert "Churned revenue and contraction reduce it." in doc.blocks[1].text
    assert doc.blocks[3].text == "Second page about channels."


def test_pdf_without_title_uses_file_name(docs: Path) -> None:
    f = docs / "board_memo.pdf"
    f.write_bytes(make_pdf([["Some words on a page."]]))
    assert load_path(f, max_bytes=LIMIT).title == "board memo"


def test_pdf_with_no_text_is_refused(docs: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    f = docs / "scan.pdf"
    with f.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="no text to index") as err:
        load_path(f, max_bytes=LIMIT)
    assert "OCR" in str(err.value)


def test_corrupt_pdf_is_bad_input(docs: Path) -> None:
    f = docs / "broken.pdf"
    f.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(InputError) as err:
        load_path(f, max_bytes=LIMIT)
    assert "broken.pdf" in str(err.value)


def test_same_bytes_same_identity_and_hash() -> None:
    data = b"# T\n\nSome text.\n"
    a = load_bytes(data, kind="markdown", source_key="k", path="k", name="t.md")
    b = load_bytes(data.replace(b"\n", b"\r\n"), kind="markdown", source_key="k", path="k",
                   name="t.md")
    assert a.id == b.id and a.content_hash == b.content_hash


def test_a_repaired_pdf_writes_nothing_to_stderr(capfd) -> None:
    """pypdf logs its repairs ("EOF marker not found"); they must not reach the terminal."""
    import io
    import logging

    from pypdf import PdfWriter

    from throughline.library.pdftext import parse_pdf

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    broken = buf.getvalue().replace(b"%%EOF", b"")
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()  # as in the CLI: no handler, so Python's last resort prints WARNINGs
    try:
        capfd.readouterr()
        try:
            parse_pdf(broken, file="memo.pdf")
        except Exception:  # an unreadable page is refused; what matters here is stderr
            pass
        assert capfd.readouterr().err == ""
    finally:
        root.handlers[:] = saved
