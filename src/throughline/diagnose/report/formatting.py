"""Numbers as a board reader expects them: percent to 1 dp, money with separators.

Every number a report shows goes through here, so no raw float (0.41666667) ever
reaches a page. Values follow the ``Metric`` convention: ratios, shares and
probabilities are fractions (0.42 → "42.0%"); ``percent`` values are already percentages.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from throughline.diagnose.findings import Metric, Significance

DASH = "—"

_UNIT_WORDS = {
    "days": ("day", "days"),
    "months": ("month", "months"),
    "hours": ("hour", "hours"),
}


def number(value: float | None, *, digits: int = 1) -> str:
    """A plain number: separators, at most ``digits`` decimals, trailing zeros dropped;
    small magnitudes keep three significant digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    v = float(value)
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return _trim(f"{v:,.{digits}f}")
    return _trim(f"{v:.{max(digits, 2 - math.floor(math.log10(abs(v))))}f}")


def integer(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    return f"{round(float(value)):,}"


def percent(fraction: float | None, *, digits: int = 1) -> str:
    """A fraction as a percentage with one decimal: 0.41666 → '41.7%'."""
    if fraction is None or not math.isfinite(fraction):
        return DASH
    return f"{fraction * 100:.{digits}f}%"


def currency(value: float | None, symbol: str = "") -> str:
    """Money with thousands separators; cents only below 100."""
    if value is None or not math.isfinite(value):
        return DASH
    sign = "-" if value < 0 else ""
    v = abs(value)
    body = f"{v:,.0f}" if v >= 100 or float(v).is_integer() else f"{v:,.2f}"
    return f"{sign}{symbol}{body}"


def value(v: float | None, unit: str, *, currency_symbol: str = "") -> str:
    """A metric value in its unit, ready to print."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return DASH
    if unit in ("ratio", "probability"):
        return percent(v)
    if unit == "percent":
        return f"{v:.1f}%"
    if unit == "count":
        return integer(v) if float(v).is_integer() else number(v)
    if unit == "currency":
        return currency(v, currency_symbol)
    if unit == "currency_per_day":
        return currency(v, currency_symbol) + "/day"
    if unit == "per_month":
        return number(v) + "/month"
    if unit in _UNIT_WORDS:
        one, many = _UNIT_WORDS[unit]
        text = number(v)
        return f"{text} {one if text == '1' else many}"
    if unit == "statistic":
        return statistic(v)
    return number(v)  # score and anything new


def statistic(v: float | None) -> str:
    """Test statistics and effect sizes: three significant digits."""
    if v is None or not math.isfinite(v):
        return DASH
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return _trim(f"{v:.{max(0, 2 - math.floor(math.log10(abs(v))))}f}")


def p_value(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return DASH
    if p < 0.001:
        return "p < 0.001"
    if p < 0.1:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def score(v: float | None) -> str:
    """Hypothesis scores (0..1) with two decimals."""
    return DASH if v is None or not math.isfinite(v) else f"{v:.2f}"


def metric_value(m: Metric, currency_symbol: str = "") -> str:
    return value(m.value, m.unit, currency_symbol=currency_symbol)


def metric_interval(m: Metric, currency_symbol: str = "") -> str:
    """'33.0%–50.1%' when the metric carries an interval, else ''."""
    if m.low is None and m.high is None:
        return ""
    low = value(m.low, m.unit, currency_symbol=currency_symbol)
    high = value(m.high, m.unit, currency_symbol=currency_symbol)
    return f"{low}–{high}"


def sample(n: int | None) -> str:
    return "" if n is None else f"n = {n:,}"


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


_ACRONYMS = {
    "ae": "AE", "ai": "AI", "acv": "ACV", "arr": "ARR", "cac": "CAC", "crm": "CRM",
    "csm": "CSM", "cv": "CV", "emea": "EMEA", "apac": "APAC", "ga": "GA", "grr": "GRR",
    "gtm": "GTM", "hhi": "HHI", "icp": "ICP", "id": "ID", "js": "JS", "km": "KM",
    "ltv": "LTV", "mrr": "MRR", "nps": "NPS", "nrr": "NRR", "p50": "P50", "p75": "P75",
    "p90": "P90", "pr": "PR", "prs": "PRs", "roi": "ROI", "sdr": "SDR", "smb": "SMB",
    "sql": "SQL", "ttv": "TTV",
}


def humanize(name: str) -> str:
    """'win_rate_closed' → 'Win rate closed'; 'nrr' → 'NRR'."""
    words = re.sub(r"[_\s]+", " ", name).strip().split(" ")
    words = [_ACRONYMS.get(w.lower(), w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def long_date(d: date | datetime | None) -> str:
    if d is None:
        return DASH
    return f"{d.day} {d.strftime('%b %Y')}"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text
