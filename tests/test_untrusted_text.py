"""Untrusted text stays text: no live Markdown, no bidirectional tricks."""

from __future__ import annotations

import pytest

from throughline.core.text import md_inline, md_paragraph, neutralise_bidi


@pytest.mark.parametrize(("raw", "shown"), [
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
    ("![img](http://evil/p.png)", r"!\[img\](http://evil/p.png)"),
    ("**bold** and _em_", r"\*\*bold\*\* and \_em\_"),
    ("a | b", r"a \| b"),
    ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
    ("`code`", r"\`code\`"),
    ("~~gone~~", r"\~\~gone\~\~"),
])
def test_inline_markdown_syntax_is_escaped(raw: str, shown: str) -> None:
    assert md_inline(raw) == shown


@pytest.mark.parametrize("raw", ["# Heading", "- item", "1. item", "> quote", "```", "---"])
def test_a_paragraph_cannot_open_a_block(raw: str) -> None:
    assert md_paragraph(raw).lstrip().startswith("\\") or md_paragraph(raw).startswith("&gt;")


def test_bidi_controls_are_made_visible() -> None:
    assert neutralise_bidi("invoice\u202etxt.exe") == "invoice(U+202E)txt.exe"
    assert "\u202e" not in md_inline("a\u202eb") and "(U+202E)" in md_inline("a\u202eb")
    assert neutralise_bidi("plain") == "plain"
