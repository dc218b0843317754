"""Reports of a Diagnosis: one self-contained HTML file, Markdown and JSON.

All three are built from the same view, so they say the same things in the same order;
``write_report`` picks the renderer from the format and writes through the one atomic
writer (:mod:`throughline.core.output`).

Where things live:

* ``view.py`` — ``build_view``: the whole report as plain, formatted pieces
  (``ReportMeta``, ``ReportView``, the data-quality and scorecard sections);
  ``verdict.py`` — the binding constraint, its evidence and the hypothesis scores;
  ``families.py`` — the twelve diagnostic families and their order;
  ``finding_view.py`` — one finding as shown (metrics, evidence, exclusions);
  ``groups.py`` — metrics that repeat per group, folded into one table.
* ``trust.py`` — the sentences every face shares: data-quality lines, currency, as-of,
  ties and hypotheses that may not be named binding.
* ``formatting.py`` — every number the report prints; ``charts.py`` — series as SVG.
* ``html.py`` (with ``templates/``), ``markdown.py``, ``json_report.py`` — the renderers;
  ``md_blocks.py`` — Markdown pieces the decision record draws too.

The decision record (``throughline.record``) imports only the names in ``__all__``.
"""

from __future__ import annotations

from pathlib import Path

from throughline.core.output import EXTENSIONS, FORMATS, OutputFormat, unknown_format, write_text
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.report.html import html_environment, render_html
from throughline.diagnose.report.json_report import render_json
from throughline.diagnose.report.markdown import render_markdown
from throughline.diagnose.report.md_blocks import issue_table, markdown_document, section
from throughline.diagnose.report.trust import IssueLine, issue_line
from throughline.diagnose.report.verdict import split_label
from throughline.diagnose.report.view import ReportMeta

ReportFormat = OutputFormat


def render(diagnosis: Diagnosis, format: ReportFormat = "html",
           meta: ReportMeta | None = None) -> str:
    """The report as text in the given format."""
    if format == "html":
        return render_html(diagnosis, meta)
    if format == "md":
        return render_markdown(diagnosis, meta)
    if format == "json":
        return render_json(diagnosis, meta)
    raise unknown_format(format, "report")


def write_report(diagnosis: Diagnosis, path: Path, format: ReportFormat = "html",
                 meta: ReportMeta | None = None) -> Path:
    """Render and write atomically (a half-written report never replaces a good one)."""
    return write_text(path, render(diagnosis, format, meta))


__all__ = ["EXTENSIONS", "FORMATS", "IssueLine", "ReportFormat", "ReportMeta",
           "html_environment", "issue_line", "issue_table", "markdown_document", "render",
           "render_html", "render_json", "render_markdown", "section", "split_label",
           "write_report"]
