"""Numbers and labels as a board reader expects them, decided in one place.

Every number a report or record shows goes through here, so the same value reads the
same everywhere and no raw float (0.41666667, 4.25e-106 written out in 90 digits)
reaches a page. Conventions:

* fractions (ratios, shares, probabilities) print as percentages with one decimal:
  0.41666 → ``41.7%``;
* p-values: ``p < 0.001``, ``p = 0.042``, ``p = 0.42``;
* money carries the reporting currency: ``USD 24,000`` (a symbol such as ``€`` is
  written ``€24,000``); cents only below 100;
* counts with thousands separators; days and hours with at most one decimal and the
  unit word, singular for exactly one;
* small magnitudes keep three significant digits (a slope of 0.0439 never prints as
  ``0``), and very small ones are written as powers of ten;
* intervals are clipped to the domain of the metric (a rate's interval never leaves
  0–100%, an NRR's never goes below 0);
* identifiers become labels: ``head_of_cs`` → ``Head of CS``, ``mid_market`` →
  ``Mid-market``.

This module imports nothing from throughline (it is the package's base layer).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

DASH = "—"
EN_DASH = "–"
MINUS = "-"

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_UNIT_WORDS = {
    "days": ("day", "days"),
    "months": ("month", "months"),
    "hours": ("hour", "hours"),
    "weeks": ("week", "weeks"),
}
FRACTION_UNITS = ("ratio", "probability")


def missing(v: object) -> bool:
    """None, NaN or infinite: shown as a dash."""
    if v is None:
        return True
    try:
        return not math.isfinite(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


# -- plain numbers -------------------------------------------------------------------------


def number(value: float | None, *, digits: int = 1, significant: int = 3) -> str:
    """A plain number: separators, at most ``digits`` decimals from 1 upwards (trailing
    zeros dropped), ``significant`` significant digits below 1, powers of ten below 1e-4.

    >>> number(1234.5), number(29.59), number(0.0439), number(0.41666), number(4.2e-9)
    ('1,234', '29.6', '0.0439', '0.417', '4.2 × 10⁻⁹')
    """
    if missing(value):
        return DASH
    v = float(value)  # type: ignore[arg-type]
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 1:
        return _trim(f"{v:,.{digits}f}")
    if a < 1e-4:
        return scientific(v)
    decimals = max(digits, significant - 1 - math.floor(math.log10(a)))
    return _trim(f"{v:.{decimals}f}")


def scientific(v: float, significant: int = 2) -> str:
    """4.25e-106 → '4.3 × 10⁻¹⁰⁶' (never a run of ninety zeros)."""
    mantissa, _, exponent = f"{v:.{significant - 1}e}".partition("e")
    return f"{_trim(mantissa)} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def integer(value: float | None) -> str:
    """A count with separators: 1240 → '1,240'."""
    if missing(value):
        return DASH
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


count = integer


def statistic(v: float | None) -> str:
    """Test statistics and effect sizes: three significant digits, separators from 1,000."""
    if missing(v):
        return DASH
    x = float(v)  # type: ignore[arg-type]
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) < 1e-4:
        return scientific(x)
    return _trim(f"{x:.{max(0, 2 - math.floor(math.log10(abs(x))))}f}")


def signed(v: float | None, text: str | None = None) -> str:
    """A change with its sign: '+0.0439', '-1.2%' (``text`` is the already formatted
    magnitude, default :func:`number`)."""
    if missing(v):
        return DASH
    x = float(v)  # type: ignore[arg-type]
    body = text if text is not None else number(abs(x))
    body = body.lstrip("-")
    return ("+" if x > 0 else MINUS if x < 0 else "") + body


def slope(v: float | None, per: str = "") -> str:
    """A rate of change with enough significant digits to be seen: 0.0439 → '+0.0439 per
    week'; never '0' for a slope that is not zero."""
    text = signed(v)
    return f"{text} per {per}" if per and text != DASH else text


# -- shares, money, durations ----------------------------------------------------------------


def percent(fraction: float | None, *, digits: int = 1) -> str:
    """A fraction as a percentage: 0.41666 → '41.7%'."""
    if missing(fraction):
        return DASH
    return f"{float(fraction) * 100:.{digits}f}%"  # type: ignore[arg-type]


def points(diff: float | None, *, digits: int = 1) -> str:
    """A difference of fractions in percentage points: 0.181 → '18.1 pp'."""
    if missing(diff):
        return DASH
    return f"{float(diff) * 100:.{digits}f} pp"  # type: ignore[arg-type]


def currency(value: float | None, code: str | None = "") -> str:
    """Money with thousands separators and the currency: 'USD 24,000', '€1,234', '42.50'.

    ``code`` is an ISO code (written before the amount with a space), a symbol (written
    directly before it) or empty (the amount alone)."""
    if missing(value):
        return DASH
    v = float(value)  # type: ignore[arg-type]
    sign = MINUS if v < 0 else ""
    a = abs(v)
    body = f"{a:,.0f}" if a >= 100 or a.is_integer() else f"{a:,.2f}"
    code = (code or "").strip()
    if not code:
        return sign + body
    if code.isalpha():
        return f"{code} {sign}{body}"
    return f"{sign}{code}{body}"


def duration(v: float | None, unit: str = "days") -> str:
    """'34 days', '1 day', '38.3 hours' (the unit word singular for exactly one)."""
    if missing(v):
        return DASH
    one, many = _UNIT_WORDS.get(unit, (unit, unit))
    text = number(v)
    return f"{text} {one if text in ('1', '-1') else many}"


def days(v: float | None) -> str:
    return duration(v, "days")


def p_value(p: float | None) -> str:
    """'p < 0.001', 'p = 0.042', 'p = 0.42'."""
    if missing(p):
        return DASH
    x = float(p)  # type: ignore[arg-type]
    if x < 0.001:
        return "p < 0.001"
    if x < 0.1:
        return f"p = {x:.3f}"
    return f"p = {x:.2f}"


def score(v: float | None) -> str:
    """Scores on 0..1 with two decimals."""
    return DASH if missing(v) else f"{float(v):.2f}"  # type: ignore[arg-type]


# -- a value in its unit -------------------------------------------------------------------


def is_p_value(name: str) -> bool:
    """Whether a metric or column name holds a p-value ('p_value', 'chi_square_p',
    'bonferroni_p', 'logrank_p', 'p')."""
    n = name.lower()
    return n in ("p", "pvalue", "p_value") or n.endswith(("_p", "_p_value", "_pvalue")) \
        or n.startswith("p_value") or "_p_" in f"_{n}_".replace("_p_value_", "_p_")


def value(v: float | None, unit: str, *, currency_code: str = "", name: str = "") -> str:
    """A value in its unit (the units of a finding's ``Metric``), ready to print."""
    if missing(v):
        return DASH
    x = float(v)  # type: ignore[arg-type]
    if name and is_p_value(name):
        return p_value(x)
    if unit in FRACTION_UNITS:
        return percent(x)
    if unit == "percent":
        if name.lower().startswith("nps"):
            return number(x)  # a score from -100 to 100, not a percentage
        return f"{x:.1f}%"
    if unit == "count":
        return integer(x) if x.is_integer() else number(x)
    if unit == "currency":
        return currency(x, currency_code)
    if unit == "currency_per_day":
        return currency(x, currency_code) + "/day"
    if unit == "per_month":
        return number(x) + "/month"
    if unit in _UNIT_WORDS:
        return duration(x, unit)
    if unit == "statistic":
        return statistic(x)
    return number(x)  # score and anything new


# -- intervals clipped to the metric's domain ----------------------------------------------

_SIGNED = {"slope", "change", "gap", "divergence", "diff", "difference", "delta", "growth",
           "excess", "elasticity", "effect", "lift", "trend"}
_UNBOUNDED_ABOVE = {"nrr", "expansion", "to"}  # NRR 112%, forecast_to_actual 133%
_BOUNDED = {"share", "rate", "churn", "grr", "survival", "probability", "conversion",
            "retention", "win", "coverage", "accuracy", "pct", "proportion", "fraction",
            "realised", "realized", "stated", "allowed", "failure", "closure"}


def domain(name: str, unit: str) -> tuple[float | None, float | None]:
    """The values a metric can take: ``(0, 1)`` for a rate or share, ``(0, None)`` for NRR,
    counts and durations, ``(-100, 100)`` for NPS, ``(None, None)`` for changes and gaps."""
    tokens = set(re.split(r"[^a-z0-9]+", name.lower())) - {""}
    if tokens & _SIGNED:
        return (None, None)
    if unit in FRACTION_UNITS:
        if tokens & _UNBOUNDED_ABOVE:
            return (0.0, None)
        if tokens & _BOUNDED or unit == "probability":
            return (0.0, 1.0)
        return (None, None)
    if unit == "percent":
        return (-100.0, 100.0) if "nps" in tokens else (0.0, 100.0)
    if unit in ("count", "days", "hours", "months", "weeks", "per_month"):
        return (0.0, None)
    return (None, None)


def clip(v: float | None, bounds: tuple[float | None, float | None]) -> float | None:
    if missing(v):
        return None
    x = float(v)  # type: ignore[arg-type]
    lo, hi = bounds
    if lo is not None and x < lo:
        x = lo
    if hi is not None and x > hi:
        x = hi
    return x


def interval(low: float | None, high: float | None, unit: str, *, name: str = "",
             currency_code: str = "") -> str:
    """'33.0%–50.1%' with both ends clipped to the metric's domain, or '' without one.

    >>> interval(-0.2908, 0.647, "ratio", name="nrr_founder")
    '0.0%–64.7%'
    """
    if missing(low) and missing(high):
        return ""
    bounds = domain(name, unit)
    lo = value(clip(low, bounds), unit, currency_code=currency_code)
    hi = value(clip(high, bounds), unit, currency_code=currency_code)
    if unit == "percent" and name.lower().startswith("nps"):
        lo, hi = number(clip(low, bounds)), number(clip(high, bounds))
    return f"{lo}{EN_DASH}{hi}"


def sample(n: int | None) -> str:
    return "" if n is None else f"n = {n:,}"


# -- words ---------------------------------------------------------------------------------


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 problem', '2 problems', '0 findings' (with separators)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# Acronyms as written, found by their lower-case form.
ACRONYMS = {word.lower(): word for word in """
    AE AI ACV API ARR B2B CAC CEO CFO CIO CMO COO CPO CRO CRM CS CSM CSV CTO CV EMEA APAC LATAM
    AMER EU UK US USA ERP GA GRR GTM HHI HR ICP ID IT JS KM KPI LTV MQL MRR NPS NRR OLS P50 P75
    P90 POC PR PRs QBR RevOps ROI RFP SaaS SDR BDR SEO SLA SMB SME SQL SSO TTV UI UX VP SVP EVP
    MOFU TOFU BOFU
""".split()}
COMPOUNDS = {
    ("mid", "market"): "mid-market", ("product", "led"): "product-led",
    ("sales", "led"): "sales-led", ("self", "serve"): "self-serve",
    ("self", "service"): "self-service", ("co", "sell"): "co-sell",
    ("e", "commerce"): "e-commerce", ("e", "invoicing"): "e-invoicing",
    ("follow", "up"): "follow-up", ("add", "on"): "add-on", ("up", "sell"): "upsell",
    ("cross", "sell"): "cross-sell", ("re", "engaged"): "re-engaged",
    ("closed", "won"): "closed won", ("closed", "lost"): "closed lost",
}
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z][a-z0-9]*$")


def humanize(name: str) -> str:
    """An identifier as a label: 'head_of_cs' → 'Head of CS', 'mid_market' → 'Mid-market',
    'product_led' → 'Product-led', 'nrr_by_channel' → 'NRR by channel', 'cfo' → 'CFO'.
    Text that is already a label ('Closed Won', 'EU data residency') keeps its case."""
    text = str(name).strip()
    if not text:
        return text
    words = re.sub(r"[_\s]+", " ", text).split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = (words[i].lower(), words[i + 1].lower()) if i + 1 < len(words) else None
        if pair in COMPOUNDS and words[i].islower():
            out.append(COMPOUNDS[pair])  # type: ignore[index]
            i += 2
            continue
        w = words[i]
        out.append(ACRONYMS.get(w.lower(), w) if w.islower() or w.isupper() and len(w) <= 1
                   else w)
        i += 1
    label = " ".join(out)
    return label[:1].upper() + label[1:]


def label(value: object) -> str:
    """A category value from the data as a label: identifiers ('head_of_cs', 'cfo') are
    humanised, anything else ('Closed Won', 'united states') is shown as given."""
    text = str(value)
    return humanize(text) if IDENTIFIER.match(text) else text


_QUOTED_IDENT = re.compile(r"'([a-z][a-z0-9]*(?:_[a-z0-9]+)*)'")


def humanize_quoted(text: str) -> str:
    """Quoted identifiers inside a sentence made readable: "for 'head_of_cs' at 22.2%" →
    "for 'Head of CS' at 22.2%", "'cto'" → "'CTO'" (only snake_case words and known
    acronyms in quotes; other words and every number are left as they are)."""
    def one(m: re.Match[str]) -> str:
        word = m.group(1)
        if "_" in word or word in ACRONYMS:
            return f"'{humanize(word)}'"
        return m.group(0)
    return _QUOTED_IDENT.sub(one, text)


def long_date(d: date | datetime | None) -> str:
    """'25 Oct 2025'."""
    if d is None:
        return DASH
    return f"{d.day} {d.strftime('%b %Y')}"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


__all__ = [
    "ACRONYMS", "DASH", "EN_DASH", "clip", "count", "currency", "days", "domain", "duration",
    "humanize", "humanize_quoted", "integer", "interval", "is_p_value", "label", "long_date",
    "missing", "number", "p_value", "percent", "plural", "points", "sample", "scientific",
    "score", "signed", "slope", "statistic", "value",
]
