"""Untrusted text stays text: questions, documents, model replies and advisor names."""

from __future__ import annotations

import json
import re

import pytest

from tests.record.fixture import make_record
from tests.record.helpers import html_tags, html_text, md_text
from throughline.record.decision import DecisionRecord
from throughline.record.render import render_record

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
QUOTE = "\" onmouseover=\"alert(1)"  # breaks out of an attribute if one were unescaped
PAYLOADS = [SCRIPT, IMG]

# Tags the template itself draws; anything else in the output came from the data.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "section", "div",
    "span", "p", "h1", "h2", "h3", "a", "b", "i", "q", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "code",
    "article", "footer", "svg", "title", "rect", "line", "path", "circle", "g", "text", "nav", "details", "summary",
}


def _poisoned(payload: str) -> DecisionRecord:
    """The fixture with the payload in every kind of untrusted string."""
    r = make_record()
    r.intent.question = f"Should we hire? {payload}"
    r.title = f"Title {payload}"
    r.verdict = f"Verdict {payload}"
    r.rounds[0].statements[0].text = f"Statement {payload}"
    r.rounds[0].summary = f"Summary {payload}"
    r.citations[0].excerpt = f"Excerpt {payload}"
    r.citations[5].title = f"Passage {payload}"
    r.citations[5].location = f"https://example.com/{payload}"
    r.sources.cited = r.citations
    r.panel[2].advisor.name = f"Dana {payload}"
    r.panel[2].advisor.role = f"Role {payload}{QUOTE}"
    r.panel[2].advisor.model = f"ollama:{payload}"
    r.action_plan[0].opening_words = f"Open {payload}"
    r.action_plan[3].condition = f"If {payload}"
    r.future_paths[0].milestones[0].backing = f"Backing {payload}"
    r.evidence[6].attribution = f"Advisor {payload}"
    r.claim_check.claims[0].text = f"Claim {payload}"
    r.claim_check.claims[0].matched = f"finding#{payload}"
    r.run.failures.append(f"Failure {payload}")
    r.deeper_story = f"Story {payload}"
    r.predictions[0].statement = f"Forecast {payload}"
    return r


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_contains_payloads_only_escaped(payload: str) -> None:
    html = render_record(_poisoned(payload), "html")
    low = html.lower()
    assert "<script" not in low
    assert "<img" not in low
    assert payload.replace("<", "&lt;").replace(">", "&gt;") in html
    # the text a reader sees holds the payload literally, once per poisoned field at least
    assert html_text(html).count(payload) >= 15


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_has_no_foreign_tags_or_event_attributes(payload: str) -> None:
    tags = html_tags(render_record(_poisoned(payload), "html"))
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    for tag, attrs in tags:
        for name, _value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "srcdoc", "formaction")


def test_attribute_breakout_is_escaped() -> None:
    html = render_record(_poisoned(SCRIPT), "html")
    assert 'onmouseover="alert(1)' not in html
    for _tag, attrs in html_tags(html):
        assert "onmouseover" not in {n for n, _ in attrs}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_escapes_markup(payload: str) -> None:
    md = render_record(_poisoned(payload), "md")
    assert "<script" not in md.lower() and "<img" not in md.lower()
    assert md_text(md).count(payload) >= 15


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_keeps_the_text_and_no_markup(payload: str) -> None:
    record = _poisoned(payload)
    text = render_record(record, "json")
    assert "<" not in text
    assert json.loads(text)["intent"]["question"] == record.intent.question


def test_markdown_text_cannot_open_a_block() -> None:
    r = make_record()
    r.verdict = "# Not a heading\n\n- not a list\n\n```\nnot a fence"
    md = render_record(r, "md")
    assert "\n# Not a heading" not in md
    assert "\n- not a list" not in md
    assert "\n```" not in md
    assert "\\# Not a heading" in md


MD_PAYLOADS = ["[click](javascript:alert(1))", "![x](http://evil.example/p.png)",
               "**loud** _and_ `code` | cell ~~gone~~"]


@pytest.mark.parametrize("payload", MD_PAYLOADS)
def test_markdown_syntax_from_untrusted_text_is_shown_not_run(payload: str) -> None:
    """No link, image, emphasis, code span, table cell or heading can come from the data."""
    md = render_record(_poisoned(payload), "md")
    outside_code = re.sub(r"`[^`\n]*`", "", md)  # inside a code span markup is inert
    assert payload not in outside_code  # never emitted raw
    assert payload in md_text(md)  # but shown as written once the escapes are read


def test_bidi_controls_are_made_visible_in_html_and_markdown() -> None:
    r = make_record()
    r.intent.question = "Approve invoice\u202egnp.exe?"
    r.rounds[0].statements[0].text = "See file\u2066 here\u2069."
    for fmt in ("md", "html"):
        out = render_record(r, fmt)
        assert "\u202e" not in out and "\u2066" not in out and "\u2069" not in out
        assert "(U+202E)" in out


def test_untrusted_text_cannot_open_a_markdown_block() -> None:
    r = make_record()
    r.verdict = "# Heading from the data"
    r.rounds[0].statements[0].text = "- a list item from the data"
    r.rounds[0].summary = "> a quote from the data"
    md = render_record(r, "md")
    for raw in ("# Heading from the data", "- a list item from the data",
                "> a quote from the data"):
        assert not re.search(rf"^\s*{re.escape(raw)}", md, flags=re.M), raw
        assert raw in md_text(md)
