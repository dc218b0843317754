"""Renderers of the decision record: one self-contained HTML file, Markdown and JSON.

All three read the one typed structure, :class:`~throughline.record.decision.DecisionRecord`,
and nothing else: they compute no number of their own, read no clock and draw no random
id, so the same record renders to byte-identical text every time. Every string in the
record is untrusted (the question, documents, model replies): HTML escapes it through
Jinja's autoescaping, Markdown escapes ``<``, ``>`` and ``&``.

``write_record`` picks the format from the file suffix when none is given and writes
atomically (a half-written record never replaces a good one).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from throughline.record.decision import DecisionRecord

RecordFormat = Literal["html", "md", "json"]
FORMATS: tuple[RecordFormat, ...] = ("html", "md", "json")
EXTENSIONS: dict[str, RecordFormat] = {
    ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
}


def render_record(record: DecisionRecord, fmt: RecordFormat = "html") -> str:
    """The record as text in ``fmt`` ("html", "md" or "json")."""
    if fmt == "json":
        from throughline.record.render.json_record import render_json

        return render_json(record)
    if fmt == "md":
        from throughline.record.render.markdown import render_markdown

        return render_markdown(record)
    if fmt == "html":
        from throughline.record.render.html import render_html

        return render_html(record)
    raise ValueError(f"unknown record format {fmt!r}; expected one of {', '.join(FORMATS)}")


def format_for(path: Path | str) -> RecordFormat:
    """The format a file name asks for by its suffix (``.html``, ``.md``, ``.json`` …)."""
    suffix = Path(path).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        raise ValueError(
            f"cannot tell the record format from {str(path)!r}; use a .html, .md or .json "
            "file name or name the format"
        ) from None


def write_record(record: DecisionRecord, path: Path | str,
                 fmt: RecordFormat | None = None) -> Path:
    """Render ``record`` and write it to ``path`` atomically; returns the path.

    Without ``fmt`` the format comes from the suffix of ``path``.
    """
    path = Path(path)
    text = render_record(record, fmt or format_for(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # plain open: honours umask
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


__all__ = ["EXTENSIONS", "FORMATS", "RecordFormat", "format_for", "render_record",
           "write_record"]
