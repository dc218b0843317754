"""Reports of a Diagnosis: one self-contained HTML file, Markdown and JSON.

All three are built from the same view (``report.view``), so they say the same things in
the same order; ``write_report`` picks the renderer from the format and writes atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.report.view import ReportMeta

ReportFormat = Literal["html", "md", "json"]
FORMATS: tuple[ReportFormat, ...] = ("html", "md", "json")
EXTENSIONS: dict[str, ReportFormat] = {
    ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
}


def render(diagnosis: Diagnosis, format: ReportFormat = "html",
           meta: ReportMeta | None = None) -> str:
    """The report as text in the given format."""
    if format == "html":
        from throughline.diagnose.report.html import render_html

        return render_html(diagnosis, meta)
    if format == "md":
        from throughline.diagnose.report.markdown import render_markdown

        return render_markdown(diagnosis, meta)
    if format == "json":
        from throughline.diagnose.report.json_report import render_json

        return render_json(diagnosis, meta)
    raise ValueError(f"unknown report format {format!r}; expected one of {', '.join(FORMATS)}")


def write_report(diagnosis: Diagnosis, path: Path, format: ReportFormat = "html",
                 meta: ReportMeta | None = None) -> Path:
    """Render and write atomically (a half-written report never replaces a good one)."""
    text = render(diagnosis, format, meta)
    path = Path(path)
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


__all__ = ["EXTENSIONS", "FORMATS", "ReportFormat", "ReportMeta", "render", "write_report"]
