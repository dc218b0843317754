"""Visible text and metadata from HTML, with the standard library's ``html.parser``.

Dropped: ``script``, ``style``, ``template``, ``noscript`` and other non-rendered or
embedded content (``head`` apart from ``<title>``, ``svg``, ``iframe``, ``object``,
``canvas``), and elements hidden from readers (``hidden``, ``aria-hidden="true"``,
inline ``display:none`` / ``visibility:hidden``). Headings ``h1``–``h6`` become heading
blocks; block-level elements end paragraphs. Links are text only; nothing is fetched.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from throughline.library.blocks import Block, Parsed

SKIP = frozenset({"script", "style", "template", "noscript", "head", "svg", "math",
                  "iframe", "object", "embed", "canvas", "audio", "video", "select"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr", "keygen"})
BLOCK = frozenset({"p", "div", "section", "article", "main", "header", "footer", "nav",
                   "aside", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody",
                   "tfoot", "tr", "blockquote", "pre", "figure", "figcaption", "form",
                   "fieldset", "address", "details", "summary", "hr", "br", "caption",
                   "body", "html"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_DATE_META = ("article:published_time", "datepublished", "date", "dc.date", "dcterms.date",
              "dc.date.issued", "citation_publication_date", "pubdate", "publish-date")
_AUTHOR_META = ("author", "article:author", "dc.creator", "citation_author", "byl")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.title_parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self._hidden = 0
        self._in_title = False
        self._buf: list[str] = []
        self._heading: int | None = None

    # structure -----------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            self._meta(a)
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = self.canonical or a.get("href")
        if tag == "title" and not self.title_parts and not self._hidden_by_parent_except_head():
            self._in_title = True
        if (tag == "body" or tag in BLOCK or tag in HEADINGS) and any(
            t == "head" for t, _ in self._stack
        ):
            self.handle_endtag("head")  # the head ends implicitly where the body begins
        if tag in VOID:
            if tag in ("br", "hr"):
                self._break_or_space()
            return
        hides = tag in SKIP or self._hidden_attr(a)
        self._stack.append((tag, hides))
        self._hidden += hides
        if tag in HEADINGS and not self._hidden:
            self._break()
            self._heading = HEADINGS[tag]
        elif tag in BLOCK:
            self._break_or_space()
        elif tag in ("td", "th"):
            self._buf.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self.handle_starttag(tag, attrs)
        else:  # <div/> in HTML is an open tag; treat it as empty
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if not any(t == tag for t, _ in self._stack):
            return  # stray end tag
        while self._stack:
            t, hides = self._stack.pop()
            self._hidden -= hides
            if t == tag:
                break
        if tag in HEADINGS:
            self._break()
        elif tag in BLOCK:
            self._break_or_space()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if not self._hidden:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._break()

    # helpers -------------------------------------------------------------------------
    def _hidden_by_parent_except_head(self) -> bool:
        return any(hides and t != "head" for t, hides in self._stack)

    @staticmethod
    def _hidden_attr(a: dict[str, str]) -> bool:
        return ("hidden" in a or a.get("aria-hidden", "").lower() == "true"
                or bool(_HIDDEN_STYLE.search(a.get("style", "")))
                or (a.get("type", "").lower() == "hidden"))

    def _meta(self, a: dict[str, str]) -> None:
        key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower().strip()
        content = a.get("content", "").strip()
        if key and content and key not in self.meta:
            self.meta[key] = content

    def _break_or_space(self) -> None:
        """End the paragraph — unless inside a heading, where a block only adds a space."""
        if self._heading is not None:
            self._buf.append(" ")
        else:
            self._break()

    def _break(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
        self._buf.clear()
        if self._heading is not None:
            if text:
                self.blocks.append(Block("heading", text, self._heading))
            self._heading = None
        elif text:
            self.blocks.append(Block("paragraph", text))


def parse_html(text: str) -> Parsed:
    """Visible blocks plus title (``<title>``, else ``og:title``), canonical URL, author,
    date and keywords from ``<meta>`` tags."""
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    meta = parser.meta
    title = re.sub(r"\s+", " ", "".join(parser.title_parts)).strip() or meta.get("og:title")
    return Parsed(
        blocks=parser.blocks,
        title=title or None,
        url=parser.canonical or meta.get("og:url"),
        author=next((meta[k] for k in _AUTHOR_META if k in meta), None),
        date=next((meta[k] for k in _DATE_META if k in meta), None),
        tags=[t for t in meta.get("keywords", "").split(",") if t.strip()],
    )
