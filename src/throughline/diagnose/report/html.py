"""The HTML report: one self-contained, printable file (no scripts, no network).

Layout and styling live in ``templates/report.html.j2``; content comes from
:func:`~throughline.diagnose.report.view.build_view`. Jinja autoescaping is on, so every
string from the data (statements, labels, SQL, caveats) is escaped. The only markup that
is inserted unescaped is the chart SVG that vl-convert produced from our own spec (Vega's
SVG renderer escapes the data text it draws).
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from throughline.core.text import visible_bidi

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.report.charts import finding_svg
from throughline.diagnose.report.finding_view import chart_finding
from throughline.diagnose.report.view import ReportMeta, build_view


@lru_cache(maxsize=None)
def html_environment(package: str) -> jinja2.Environment:
    """The Jinja environment of a document's ``templates/`` folder in ``package`` (the
    report's and the decision record's): autoescaping on, undefined names an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        finalize=visible_bidi,  # direction controls in untrusted text are shown, not obeyed
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(diagnosis: Diagnosis, meta: ReportMeta | None = None, *,
                charts: bool = True) -> str:
    """Render the diagnosis as one HTML document (``charts=False`` skips the SVGs)."""
    view = build_view(diagnosis, meta)
    chart_markup: dict[str, Markup] = {}
    if charts:
        for family in view.families:
            for f in family.findings:
                if f.measurable and f.series:
                    svg = finding_svg(chart_finding(f), view.currency)
                    if svg is not None:
                        chart_markup[f.id] = Markup(svg)
    template = html_environment("throughline.diagnose.report").get_template("report.html.j2")
    return template.render(v=view, charts=chart_markup)
