"""Charts for findings that carry a ``series``: Altair specs rendered to inline SVG.

Why SVG and not the Vega JavaScript runtime: the report must be one file that opens
offline, prints, and can be mailed. Embedding vega + vega-lite + vega-embed costs about
900 KB of JavaScript per report before the first chart; a rendered chart costs 5–20 KB of
SVG, needs no script at all, prints sharply, and renders the same on every run. What we
give up is interactivity (hover tooltips), which a board document does not need.

The chart is inferred from the shape of ``Finding.series`` (a list of flat dicts), so
diagnostics only describe data, never drawing:

* **x**: the first of ``month, period, week, quarter, date, day, days, t, time, tenure…,
  stage, bucket`` present, else the first date-like column, else the first text column.
  Date-like values (``2025-03``, ``2025-03-01``, dates) become a time axis.
* **colour**: a text column other than x with 2–12 distinct values, preferring
  ``channel, group, series, segment, motion, cohort, source, phase, measure…``.
* **y**: a numeric column, preferring ``share, survival, value, rate, median…``. Without a
  colour column, up to four numeric columns are drawn side by side (e.g. a stage's
  ``stated_probability`` beside its ``realised_rate``).
* ``low``/``high`` (or ``lower``/``upper``, ``ci_low``/``ci_high``) draw an interval band;
  a y column named like ``survival`` draws step lines (Kaplan–Meier curves).
* Shares, rates and probabilities get a percent axis; no axis uses SI prefixes below 1
  (0.2 is never "200m"), large numbers read 25k or 2.5M, money axes name the currency.
* One axis holds one kind of number: each numeric column is a rate, a duration, money, a
  count, a p-value or other; the chart draws the first kind present in that order and
  leaves the rest to the tables (counts 0–27 beside rates 0–1 would flatten the rates).
  Measures of one kind whose scales differ tenfold are not drawn on one axis either.
  P-values and sample sizes are never drawn.
* Categories that would not fit under the axis (many, or long names) become horizontal
  bars; more than 40 categories, or rows that repeat an (x, colour) pair, get no chart.
* Interval bands are drawn only for up to three curves (more would hide each other).

Series whose rows carry ``function`` and ``metrics`` (the legibility map) are tables, not
charts, and get none. Values are rounded to four significant digits before drawing.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from throughline.diagnose.findings import Finding
from throughline.diagnose.report import formatting as fmt

PALETTE = ["#1f3a5f", "#c4622d", "#4f8a8b", "#c9a227", "#7a6c9d", "#8a8f98", "#5b8c5a",
           "#b56576", "#2f6f9f", "#9c6b3f", "#3d405b", "#81b29a"]
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
WIDTH, HEIGHT = 690, 210
MAX_ROWS = 5000
MAX_CATEGORIES = 40
MAX_BANDS = 3
BAR_STEP = 18  # pixels per category of a horizontal bar chart
KIND_ORDER = ("rate", "duration", "money", "other", "count")

_X_NAMES = ("month", "period", "week", "quarter", "date", "day", "days", "t", "time",
            "tenure", "tenure_days", "tenure_months", "months", "x", "stage", "bucket")
_GROUP_NAMES = ("channel", "group", "series", "segment", "motion", "cohort", "stratum",
                "source", "phase", "measure", "kind", "persona", "label", "name")
_Y_HINTS = ("share", "survival", "value", "rate", "median", "p50", "cycle", "probability",
            "realised", "realized", "actual", "count")
_INTERVALS = (("low", "high"), ("lower", "upper"), ("ci_low", "ci_high"))
_AUX = {"n", "n_at_risk", "at_risk", "events", "sample_size"}
_COUNTISH = ("count", "records", "deals", "accounts", "closed", "won", "lost", "open",
             "reached", "decided", "mature", "revealed", "respondents", "answers", "merged",
             "activities", "installed_base", "features", "sentences", "artifacts", "kinds",
             "claims", "due", "prs", "pushes", "n_")
_MONEYISH = ("deal_size", "revenue", "pipeline", "mrr", "arr", "forecast", "actual",
             "amount", "velocity", "acv", "bookings", "value_usd")
_DURATIONISH = ("days", "hours", "cycle", "median", "age", "weeks", "months", "ttv")
_PERCENTISH = ("share", "rate", "probability", "survival", "conversion", "pct", "ratio",
               "retention", "churn", "grr", "nrr", "win")
_X_TITLES = {"t": None, "days": "Days", "months": "Months", "tenure_days": "Tenure (days)",
             "tenure_months": "Tenure (months)"}
_IDENT_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_SNAKE_RE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PAIR_RE = re.compile(r"^[a-z][a-z0-9_]*: [a-z][a-z0-9_]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T].*)?$")


def chart_spec(finding: Finding, *, validate: bool = True,
               currency: str = "") -> dict[str, Any] | None:
    """A Vega-Lite spec (as a dict) for the finding's series, or None when not chartable.

    ``validate`` checks the spec against the Vega-Lite JSON schema (Altair's check). The
    report skips it: the tests validate the spec of every chartable finding of generated
    companies, and validating again on each render was 40 % of the HTML render's time.
    """
    rows = [r for r in finding.series or [] if isinstance(r, dict)]
    if len(rows) < 2 or len(rows) > MAX_ROWS:
        return None
    if all("function" in r and "metrics" in r for r in rows):
        return None  # the legibility map: rendered as a table
    kinds = _column_kinds(rows)
    x = _pick_x(kinds)
    if x is None:
        return None
    band = next(((lo, hi) for lo, hi in _INTERVALS
                 if kinds.get(lo) == "number" and kinds.get(hi) == "number"), None)
    x = _better_label(rows, kinds, x)
    taken = {x, *(band or ())}
    group = _pick_group(rows, kinds, taken)
    numeric = [k for k, kind in kinds.items() if kind == "number" and k not in taken
               and k != group and not fmt.is_p_value(k)]
    candidates = [k for k in numeric if k not in _AUX]
    if not candidates:
        return None
    kind_of = {k: _measure_kind(k, rows) for k in candidates}
    best = next(kd for kd in KIND_ORDER if kd in kind_of.values())
    candidates = [k for k in candidates if kind_of[k] == best]
    if len(candidates) > 2:  # shares of a whole beside a rate within each group: shares
        suffix = candidates[0].rsplit("_", 1)[-1]
        alike = [k for k in candidates if k.rsplit("_", 1)[-1] == suffix]
        candidates = alike if len(alike) >= 2 else candidates
    x_kind = kinds[x]
    if x_kind == "date" and group is None and len({r.get(x) for r in rows}) < 3:
        return None  # one line through two points: the table says it better
    if x_kind == "text" and len({r.get(x) for r in rows}) > MAX_CATEGORIES:
        return None
    keys = [(r.get(x), r.get(group)) if group else (r.get(x),) for r in rows]
    if len(set(keys)) != len(keys):
        return None  # several rows per bar or point: not one chart
    labels = [k for k in (x, group) if k is not None and kinds.get(k) == "text"]
    data = [_clean_row(r, labels) for r in rows]
    if group is None and len(candidates) > 1:
        ys = _same_scale(candidates[:4], rows)
    else:
        ys = [_pick_y(candidates)]
    if group is None and len(ys) > 1:
        data = [
            {x: r.get(x), "measure": fmt.humanize(y), "value": r.get(y)}
            for r in data for y in ys
        ]
        group, y, band = "measure", "value", None
        y_title = ""
    else:
        y = ys[0]
        y_title = fmt.humanize(y)
    percentish = best == "rate"
    if best == "money" and currency:
        y_title = f"{y_title}, {currency}" if y_title else currency
    elif best == "duration" and y_title and not re.search(r"day|hour|week|month", y_title,
                                                          re.I):
        unit = _duration_unit(finding, ys)
        y_title = f"{y_title} ({unit})" if unit else y_title
    if band and group and len({r.get(group) for r in rows}) > MAX_BANDS:
        band = None
    return _spec(data, x=x, x_kind=x_kind, y=y, y_title=y_title, group=group, band=band,
                 percentish=percentish, step="surviv" in y.lower(), validate=validate)


def _measure_kind(name: str, rows: list[dict[str, Any]]) -> str:
    """rate, duration, money, count or other: which numbers may share an axis."""
    low = name.lower()
    if _is_percentish(name, rows):
        return "rate"
    if any(h in low for h in _MONEYISH):
        return "money"
    if any(h in low for h in _DURATIONISH):
        return "duration"
    values = [r.get(name) for r in rows if isinstance(r.get(name), (int, float))]
    if any(h in low for h in _COUNTISH) or (
            values and all(float(v).is_integer() for v in values)):  # type: ignore[arg-type]
        return "count"
    return "other"


def _same_scale(names: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """The measures that can share an axis with the first: within a factor of ten."""
    def top(k: str) -> float:
        vals = [abs(float(r[k])) for r in rows if isinstance(r.get(k), (int, float))]
        return max(vals, default=0.0)
    first = top(names[0])
    return [names[0]] + [k for k in names[1:]
                         if first > 0 and top(k) > 0 and 0.1 <= top(k) / first <= 10]


def _duration_unit(finding: Finding, ys: list[str]) -> str:
    """'days' when the finding's metrics named like the plotted column are in days."""
    units = {m.unit for m in finding.metrics.values()
             if any(y in m.name for y in ys) and m.unit in ("days", "hours", "months")}
    return units.pop() if len(units) == 1 else ""


def _better_label(rows: list[dict[str, Any]], kinds: dict[str, str], x: str) -> str:
    """A readable text column in place of an id column ('name' beside 'feature' = f-104)."""
    if kinds.get(x) != "text":
        return x
    for alt in ("name", "title", "label"):
        if alt != x and kinds.get(alt) == "text" and \
                len({r.get(alt) for r in rows}) == len({r.get(x) for r in rows}):
            return alt
    return x


def render_svg(spec: dict[str, Any], *, ident: str = "c") -> str:
    """Render a spec to an SVG string for inline use (ids namespaced by ``ident``)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    # Vega numbers clip paths with a process-wide counter (clip1, clip7...): rename every
    # id in order of appearance so the SVG is the same on every run and unique in the page.
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", ident)
    names: dict[str, str] = {}
    for old in re.findall(r'\bid="([^"]+)"', svg):
        names.setdefault(old, f"{prefix}-{len(names) + 1}")
    if names:
        svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{names[m.group(1)]}"', svg)
        svg = re.sub(r"url\(#([^)]+)\)",
                     lambda m: f"url(#{names.get(m.group(1), m.group(1))})", svg)
        svg = re.sub(r'((?:xlink:)?href)="#([^"]+)"',
                     lambda m: f'{m.group(1)}="#{names.get(m.group(2), m.group(2))}"', svg)
    return svg


def finding_svg(finding: Finding, currency: str = "") -> str | None:
    """The finding's chart as inline SVG, or None (``currency`` titles money axes)."""
    spec = chart_spec(finding, validate=False, currency=currency)
    return None if spec is None else render_svg(spec, ident="chart-" + finding.id)


# -- inference -------------------------------------------------------------------------


def _column_kinds(rows: list[dict[str, Any]]) -> dict[str, str]:
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    kinds: dict[str, str] = {}
    for k in keys:
        values = [r.get(k) for r in rows if r.get(k) is not None]
        if not values:
            continue
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            kinds[k] = "number"
        elif all(isinstance(v, (date, datetime)) or (isinstance(v, str) and _DATE_RE.match(v))
                 for v in values):
            kinds[k] = "date"
        elif all(isinstance(v, str) for v in values):
            kinds[k] = "text"
    return kinds


def _pick_x(kinds: dict[str, str]) -> str | None:
    for name in _X_NAMES:
        if name in kinds:
            return name
    for wanted in ("date", "text"):
        for k, kind in kinds.items():
            if kind == wanted:
                return k
    return None


def _pick_group(rows: list[dict[str, Any]], kinds: dict[str, str],
                taken: set[str]) -> str | None:
    texts = [k for k, kind in kinds.items() if kind == "text" and k not in taken]
    ordered = [k for k in _GROUP_NAMES if k in texts] + [k for k in texts
                                                         if k not in _GROUP_NAMES]
    for k in ordered:
        distinct = {r.get(k) for r in rows if r.get(k) is not None}
        if 2 <= len(distinct) <= 12:
            return k
    return None


def _pick_y(candidates: list[str]) -> str:
    for hint in _Y_HINTS:
        for k in candidates:
            if hint in k.lower():
                return k
    return candidates[0]


def _is_percentish(name: str, rows: list[dict[str, Any]]) -> bool:
    if not any(h in name.lower() for h in _PERCENTISH):
        return False
    values = [r.get(name) for r in rows if isinstance(r.get(name), (int, float))]
    # NRR and other ratios of money run past 100% (112%); they are still percentages
    return bool(values) and all(-5.0 <= float(v) <= 5.0 for v in values)  # type: ignore[arg-type]


def _clean_row(row: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """Round floats, ISO-format dates, and make identifier labels readable."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k in labels and isinstance(v, str) and _IDENT_RE.match(v):
            out[k] = fmt.humanize(v)
        elif isinstance(v, float):
            out[k] = None if not math.isfinite(v) else float(f"{v:.4g}")
        elif isinstance(v, datetime):
            out[k] = v.date().isoformat()
        elif isinstance(v, date):
            out[k] = v.isoformat()
        elif k in labels and isinstance(v, str) and _PAIR_RE.match(v):
            head, _, tail = v.partition(": ")  # 'channel: founder_network'
            out[k] = f"{fmt.label(head)}: {fmt.label(tail)}"
        elif k in labels and isinstance(v, str) and _SNAKE_RE.search(v):
            out[k] = _SNAKE_RE.sub(lambda m: fmt.humanize(m.group(0)).lower()
                                   if m.group(0).split("_")[0] not in fmt.ACRONYMS
                                   else fmt.humanize(m.group(0)), v)
        elif isinstance(v, str) and _DATE_RE.match(v) and len(v) == 7:
            out[k] = v + "-01"
        else:
            out[k] = v
    return out


# -- drawing ---------------------------------------------------------------------------


def _spec(data: list[dict[str, Any]], *, x: str, x_kind: str, y: str, y_title: str,
          group: str | None, band: tuple[str, str] | None, percentish: bool,
          step: bool, validate: bool) -> dict[str, Any]:
    import altair as alt

    categories = list(dict.fromkeys(r.get(x) for r in data))
    longest = max((len(str(c)) for c in categories), default=0)
    horizontal = x_kind == "text" and (len(categories) > 12
                                       or len(categories) * (longest * 6.5 + 8) > WIDTH)
    if x_kind == "date":
        monthly = all(str(r.get(x, ""))[8:10] in ("", "01") for r in data)
        dates = sorted(str(r.get(x)) for r in data if r.get(x))
        long_span = bool(dates) and (date.fromisoformat(dates[-1][:10])
                                     - date.fromisoformat(dates[0][:10])).days > 120
        x_enc = alt.X(f"{x}:T", title=None,
                      timeUnit="utcyearmonth" if monthly else "utcyearmonthdate",
                      axis=alt.Axis(format="%b %Y" if monthly or long_span else "%d %b %Y",
                                    labelAngle=0, tickCount=6, grid=False,
                                    labelOverlap=True))
    elif x_kind == "number":
        x_enc = alt.X(f"{x}:Q", title=_X_TITLES.get(x, fmt.humanize(x)),
                      axis=alt.Axis(grid=False, labelExpr=_COMPACT))
    elif horizontal:
        x_enc = alt.Y(f"{x}:N", title=None, sort=None,
                      scale=alt.Scale(paddingInner=0.25, paddingOuter=0.2),
                      axis=alt.Axis(labelLimit=260))
    else:
        x_enc = alt.X(f"{x}:N", title=None, sort=None,
                      scale=alt.Scale(paddingInner=0.3, paddingOuter=0.2),
                      axis=alt.Axis(labelAngle=0, labelLimit=120))
    ticks = {"tickCount": 6} if horizontal else {}
    y_axis = (alt.Axis(format=".0%", **ticks) if percentish
              else alt.Axis(labelExpr=_COMPACT, **ticks))
    y_enc = (alt.X if horizontal else alt.Y)(f"{y}:Q", title=y_title or None, axis=y_axis)
    color = (alt.Color(f"{group}:N", title=None, sort=None,
                       scale=alt.Scale(range=PALETTE),
                       legend=alt.Legend(orient="bottom", direction="horizontal", columns=6,
                                         symbolType="square" if x_kind == "text"
                                         else "stroke", symbolStrokeWidth=3,
                                         symbolOpacity=1))
             if group else alt.value(PALETTE[0]))
    base = alt.Chart(alt.Data(values=data))
    if x_kind == "text":
        per_x = len(data) / max(1, len(categories))
        offset: dict[str, Any] = {}
        if group and per_x > 1:  # several bars per category: side by side
            offset = ({"yOffset": alt.YOffset(f"{group}:N", sort=None)} if horizontal
                      else {"xOffset": alt.XOffset(f"{group}:N", sort=None)})
        chart: Any = base.mark_bar(cornerRadiusEnd=2).encode(
            **({"y": x_enc, "x": y_enc} if horizontal else {"x": x_enc, "y": y_enc}),
            color=color, **offset,
        )
    else:
        points = len(data) / max(1, len({r.get(group) for r in data}) if group else 1)
        line = base.mark_line(
            interpolate="step-after" if step else "linear", strokeWidth=2,
            point=alt.OverlayMarkDef(size=18, filled=True) if points <= 24 and not step
            else False,
        ).encode(x=x_enc, y=y_enc, color=color)
        chart = line
        if band:
            area = base.mark_area(
                opacity=0.14, interpolate="step-after" if step else "linear",
            ).encode(x=x_enc, y=alt.Y(f"{band[0]}:Q"), y2=alt.Y2(f"{band[1]}:Q"),
                     color=color)
            chart = alt.layer(area, line)
    if horizontal:
        step = BAR_STEP if not offset else max(8, BAR_STEP * 2 // 3)
        bars = len(data) if offset else len(categories)
        # label widths are measured with the renderer's font; a reader's may be wider
        chart = chart.properties(width=WIDTH - 240, height=max(80, step * bars),
                                 padding={"left": 36, "top": 4, "right": 8, "bottom": 4})
        return _configure(chart, validate)
    height = HEIGHT - 30 if x_kind == "text" else HEIGHT
    return _configure(chart.properties(width=WIDTH, height=height), validate)


# Axis labels without SI prefixes below one ('200m'): 0.2, 25k, 2.5M.
_COMPACT = ("abs(datum.value) >= 1e9 ? format(datum.value / 1e9, '.3~r') + 'B' : "
            "abs(datum.value) >= 1e6 ? format(datum.value / 1e6, '.3~r') + 'M' : "
            "abs(datum.value) >= 1e4 ? format(datum.value / 1e3, '.3~r') + 'k' : "
            "format(datum.value, ',.4~r')")


def _configure(chart: Any, validate: bool) -> dict[str, Any]:
    chart = chart.configure(
        font=FONT, background="white", aria=False,
    ).configure_view(stroke=None).configure_axis(
        labelColor="#4a5262", titleColor="#4a5262", domainColor="#c9ced6",
        tickColor="#c9ced6", gridColor="#eceef2", labelFontSize=11, titleFontSize=11,
        titleFontWeight="normal",
    ).configure_legend(labelColor="#4a5262", labelFontSize=11, labelLimit=160,
                       columnPadding=22, symbolOffset=4)
    return chart.to_dict(validate=validate)  # type: ignore[no-any-return]
