"""The report's formatting: :mod:`throughline.core.format` plus the helpers that read a
finding's ``Metric`` and ``Significance``.

Every number the report shows goes through here, so no raw float reaches a page. Values
follow the ``Metric`` convention: ratios, shares and probabilities are fractions
(0.42 → "42.0%"); ``percent`` values are already percentages. Intervals are clipped to
the metric's domain, and metrics that hold p-values print as "p < 0.001".
"""

from __future__ import annotations

from throughline.core.format import (
    ACRONYMS,
    DASH,
    clip,
    currency,
    domain,
    humanize,
    humanize_quoted,
    integer,
    interval,
    is_p_value,
    label,
    long_date,
    missing,
    number,
    p_value,
    percent,
    plural,
    sample,
    score,
    slope,
    statistic,
)
from throughline.core.format import value as _value
from throughline.diagnose.findings import Metric, Significance


def value(v: float | None, unit: str, *, currency_symbol: str = "", name: str = "") -> str:
    """A metric value in its unit, ready to print (``currency_symbol``: 'USD', '€' or '')."""
    return _value(v, unit, currency_code=currency_symbol, name=name)


def metric_value(m: Metric, currency_symbol: str = "") -> str:
    return _value(m.value, m.unit, currency_code=currency_symbol, name=m.name)


def metric_interval(m: Metric, currency_symbol: str = "") -> str:
    """'33.0%–50.1%' when the metric carries an interval (clipped to its domain), else ''."""
    if is_p_value(m.name):
        return ""
    return interval(m.low, m.high, m.unit, name=m.name, currency_code=currency_symbol)


def significance(s: Significance) -> str:
    """One line: test, statistic, p, interval, n, effect size."""
    parts = [s.test]
    if s.statistic is not None:
        parts.append(f"statistic {statistic(s.statistic)}")
    if s.p_value is not None:
        parts.append(p_value(s.p_value))
    if s.interval is not None:
        conf = f"{s.confidence * 100:.0f}% " if s.confidence else ""
        parts.append(f"{conf}interval {statistic(s.interval[0])} to {statistic(s.interval[1])}")
    if s.n is not None:
        parts.append(sample(s.n))
    if s.effect_size is not None:
        parts.append(f"{s.effect_measure or 'effect size'} {statistic(s.effect_size)}")
    return " · ".join(parts)


__all__ = [
    "ACRONYMS", "DASH", "clip", "currency", "domain", "humanize", "humanize_quoted", "integer",
    "is_p_value", "label", "long_date", "metric_interval", "metric_value", "missing",
    "number", "p_value", "percent", "plural", "sample", "score", "significance",
    "slope", "statistic", "value", "interval",
]
