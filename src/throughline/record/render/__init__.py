"""Renderers of the decision record: one self-contained HTML file, Markdown and JSON.

All three read the one typed structure, :class:`~throughline.record.decision.DecisionRecord`,
and nothing else: they compute no number of their own, read no clock and draw no random
id, so the same record renders to byte-identical text every time. Every string in the
record is untrusted (the question, documents, model replies): HTML escapes it through
Jinja's autoescaping, Markdown escapes ``<``, ``>`` and ``&``.

``write_record`` picks the format from the file suffix when none is given and writes
through the one atomic writer (:mod:`throughline.core.output`): a half-written record
never replaces a good one.

Where things live:

* ``view.py`` — ``build_view``: the record as plain, formatted pieces, put together from
  ``quality.py`` (what we could not trust, the scorecard), ``synthesis.py`` (predictions,
  action plan, future paths, evidence, risks), ``panel.py`` (advisors, conviction
  sparklines), ``debate.py`` (rounds, statements, claim check) and ``facts.py`` (sources,
  run facts); ``index.py`` resolves ids to names and citation numbers;
  ``formatting.py`` writes numbers, dates and paragraphs.
* ``html.py`` (with ``templates/``), ``markdown.py``, ``json_record.py`` — the renderers.
"""

from __future__ import annotations

from pathlib import Path

from throughline.core.output import (
    EXTENSIONS,
    FORMATS,
    OutputFormat,
    unknown_format,
    write_text,
)
from throughline.core.output import format_for as _format_for
from throughline.record.decision import DecisionRecord
from throughline.record.render.html import render_html
from throughline.record.render.json_record import render_json
from throughline.record.render.markdown import render_markdown

RecordFormat = OutputFormat


def render_record(record: DecisionRecord, fmt: RecordFormat = "html") -> str:
    """The record as text in ``fmt`` ("html", "md" or "json")."""
    if fmt == "json":
        return render_json(record)
    if fmt == "md":
        return render_markdown(record)
    if fmt == "html":
        return render_html(record)
    raise unknown_format(fmt, "record")


def format_for(path: Path | str) -> RecordFormat:
    """The format a file name asks for by its suffix (``.html``, ``.md``, ``.json`` …)."""
    return _format_for(path, "record")


def write_record(record: DecisionRecord, path: Path | str,
                 fmt: RecordFormat | None = None) -> Path:
    """Render ``record`` and write it to ``path`` atomically; returns the path.

    Without ``fmt`` the format comes from the suffix of ``path``.
    """
    path = Path(path)
    return write_text(path, render_record(record, fmt or format_for(path)))


__all__ = ["EXTENSIONS", "FORMATS", "RecordFormat", "format_for", "render_html", "render_json",
           "render_markdown", "render_record", "write_record"]
