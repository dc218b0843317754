"""Helpers for the record renderer tests: normalising goldens and reading HTML as text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from throughline.record.decision import DecisionRecord
from throughline.record.render.formatting import moment

ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def normalise(text: str, record: DecisionRecord) -> str:
    """Replace the run id and the run's clock times with placeholders.

    The renderers are deterministic anyway; this keeps the goldens stable when a fixture
    (or a stored run) carries another id or start time.
    """
    text = text.replace(record.run_id, "{{RUN_ID}}")
    if record.run.run_id != record.run_id:
        text = text.replace(record.run.run_id, "{{RUN_ID}}")
    for dt in (record.run.started_at, record.run.finished_at):
        text = text.replace(moment(dt), "{{TIME}}")
    return ISO_DATETIME.sub("{{TIME}}", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in ("style", "title"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML document (entities decoded), whitespace squashed."""
    p = _Text()
    p.feed(html)
    return squash("".join(p.parts))


def html_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    p = _Text()
    p.feed(html)
    return p.tags


def md_text(md: str) -> str:
    """Markdown with the renderer's escaping (backslash escapes of punctuation, entities)
    undone, whitespace squashed."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)
    return squash(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
