"""The record's small pieces: how its numbers, dates and paragraphs are written, and the
value types every section uses (a citation reference, an in-page link, a share bar).

Numbers and dates go through :mod:`throughline.core.format`, the same formatter as the
diagnosis report, so the two documents print a value the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from throughline.core import format as fmt

DASH = fmt.DASH


@dataclass(frozen=True)
class CiteRef:
    """A pointer to the citation list ([n]) or, when the id is not there, the raw id."""

    number: int | None
    ref: str
    title: str = ""

    @property
    def label(self) -> str:
        return f"[{self.number}]" if self.number is not None else self.ref

    @property
    def anchor(self) -> str:
        return f"cite-{self.number}" if self.number is not None else ""


@dataclass(frozen=True)
class SourceLink:
    """Who or what backs a milestone, a cause or a claim: a label and an in-page anchor."""

    label: str
    anchor: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Bar:
    """A horizontal share bar: the width is the record's own fraction, clamped to 0..1."""

    fraction: float

    @property
    def pct(self) -> str:
        f = self.fraction if math.isfinite(self.fraction) else 0.0
        return f"{max(0.0, min(1.0, f)) * 100:.1f}"


def pct(fraction: float | None) -> str:
    """Probabilities and convictions as whole percentages: 0.64 → '64%'."""
    return fmt.percent(fraction, digits=0)


def day(d: date | None) -> str:
    return fmt.long_date(d)


def moment(dt: datetime | None) -> str:
    """'13 Apr 2026, 09:14 UTC' (aware times in UTC; naive times as written)."""
    if dt is None:
        return DASH
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
        return f"{fmt.long_date(dt)}, {dt:%H:%M} UTC"
    return f"{fmt.long_date(dt)}, {dt:%H:%M}"


def duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return DASH
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def usd(value: float) -> str:
    if not math.isfinite(value):
        return DASH
    if value == 0:
        return "$0.00"
    if abs(value) < 0.01:
        return f"${value:.4f}"
    return f"${value:,.2f}"


def anchor(prefix: str, ident: str) -> str:
    return prefix + "-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", ident).strip("-") or "x")


def paragraphs(text: str) -> list[str]:
    """Split on blank lines; single newlines inside a paragraph become spaces."""
    parts = [re.sub(r"\s*\n\s*", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in parts if p] or [""]


def if_clause(condition: str | None) -> str | None:
    """A branch condition reads 'If …' whatever the synthesiser wrote."""
    if condition is None:
        return None
    c = condition.strip()
    if not c:
        return None
    return c if re.match(r"(?i)^if\b", c) else "If " + c
