"""Building measured findings: metric wording and small-sample handling.

Statements are assembled from the metrics they cite, through the formatters below, so a
statement never carries a number its metrics do not hold: ratios as percentages with one
decimal (0.4167 → "41.7%"), currency with thousands separators, counts as integers,
days and points with at most one decimal. Category labels are quoted ('webinar').
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from throughline.diagnose.context import DiagnoseContext
from throughline.diagnose.findings import Evidence, Finding, Metric, Severity, Significance, Unit

SMALL_SAMPLE = ("The sample is below the minimum size set for verdicts (min_n): read the "
                "interval, not the point value, and treat this as indicative.")


# -- wording ----------------------------------------------------------------------------


def pct(v: float) -> str:
    """A fraction as a percentage with one decimal."""
    return f"{v * 100:.1f}%"


def pp(v: float) -> str:
    """A difference of fractions as percentage points with one decimal."""
    return f"{v * 100:.1f} percentage points"


def money(v: float) -> str:
    """Currency with thousands separators; cents only below 100."""
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a >= 100:
        return f"{sign}{a:,.0f}"
    return sign + _trim(f"{a:,.2f}")


def count(v: float) -> str:
    return f"{int(round(v)):,}"


def num(v: float) -> str:
    """A plain number with at most one decimal and separators; a value that one decimal
    would show as 0 keeps two significant digits (a slope of 0.0439 is '0.044', not '0')."""
    if v and abs(v) < 0.05:
        return _trim(f"{v:.{1 - math.floor(math.log10(abs(v)))}f}")
    return _trim(f"{v:,.1f}")


def days(v: float) -> str:
    text = num(v)
    return f"{text} day" if text == "1" else f"{text} days"


# how statements print a value of each unit (any other unit: num)
SHOWN: dict[str, Callable[[float], str]] = {
    "ratio": pct, "probability": pct, "percent": num, "currency": money,
    "currency_per_day": lambda v: money(v) + " per day", "count": count, "days": days,
    "per_month": lambda v: num(v) + " per month",
}


def show(m: Metric) -> str:
    """A metric's value as statements print it."""
    return "n/a" if m.value is None else SHOWN.get(m.unit, num)(m.value)


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 feature', '3 features' (thousands separators as the statements use)."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{int(n):,} {word}"


def quote(text: object) -> str:
    return f"'{text}'"


def slug(text: object) -> str:
    """An id-safe slug of a label ('Closed Won' → 'closed_won')."""
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return s or "blank"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- metrics and findings ---------------------------------------------------------------


Interval = tuple[float | None, float | None]


def metric(
    name: str, value: float | None, unit: Unit, n: int | None = None,
    low: float | None = None, high: float | None = None, label: str | None = None,
    *, ci: Interval | None = None,
) -> Metric:
    """A metric; ``ci`` = (low, high) is a shorthand for the interval. Non-finite numbers
    become None (no interval is better than an infinite one)."""
    if ci is not None:
        low, high = ci
    def _f(x: float | None) -> float | None:
        if x is None:
            return None
        v = float(x)
        return v if math.isfinite(v) else None

    return Metric(name=name, value=_f(value), unit=unit, n=None if n is None else int(n),
                  low=_f(low), high=_f(high), label=label)


def finding(
    ctx: DiagnoseContext,
    *,
    slug: str,
    title: str,
    statement: str,
    metrics: Sequence[Metric],
    n: int | None,
    severity: Severity = Severity.info,
    comparison: str | None = None,
    significance: Significance | None = None,
    evidence: Iterable[Evidence] = (),
    caveats: Iterable[str] = (),
    signals: dict[str, float] | None = None,
    series: list[dict[str, object]] | None = None,
) -> Finding:
    """A measured finding of the diagnostic running (its id and family come from its
    declaration, ``ctx.current``); below ``ctx.options.min_n`` the severity drops to
    ``info`` and a small-sample caveat is added (an interval, not a verdict)."""
    declared = ctx.declared
    notes = list(caveats)
    if n is not None and n < ctx.options.min_n:
        severity = Severity.info
        notes.append(SMALL_SAMPLE)
    return Finding(
        id=f"{declared.id}.{slug}",
        diagnostic=declared.id,
        family=declared.family,
        title=title,
        severity=severity,
        statement=statement,
        metrics={m.name: m for m in metrics},
        comparison=comparison,
        significance=significance,
        evidence=list(evidence),
        caveats=notes,
        signals={k: round(float(v), 4) for k, v in (signals or {}).items()},
        series=series,
    )


def severity_for(strength: float) -> Severity:
    """Severity of a finding that carries a symptom signal: problem from 0.5, watch from 0.2
    (weaker signals are reported, not flagged)."""
    if strength >= 0.5:
        return Severity.problem
    if strength >= 0.2:
        return Severity.watch
    return Severity.info


def worst(*severities: Severity) -> Severity:
    order = [Severity.info, Severity.watch, Severity.problem]
    return max(severities, key=order.index)
