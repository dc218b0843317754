"""The HTML record: one self-contained, printable file (inline CSS and SVG, no scripts).

Layout lives in ``templates/record.html.j2`` and ``templates/record.css`` (the diagnosis
report's palette and type, so the two documents read as one product); content comes from
:func:`~throughline.record.render.view.build_view`. Autoescaping is on and no value from
the record is ever marked safe: the question, documents and model replies are untrusted
text. The only markup the template draws itself is the conviction sparklines, whose
coordinates are numbers and whose labels go through the same escaping.
"""

from __future__ import annotations

from throughline.diagnose.report import html_environment
from throughline.record.decision import DecisionRecord
from throughline.record.render.facts import sections_line
from throughline.record.render.view import build_view


def render_html(record: DecisionRecord) -> str:
    """Render the record as one HTML document."""
    v = build_view(record)
    return html_environment("throughline.record.render").get_template("record.html.j2").render(
        v=v, sections_line=sections_line(v.run.written_by_model, v.run.written_by_rules))
