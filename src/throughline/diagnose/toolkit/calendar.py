"""Calendar arithmetic on Python dates fed to expressions, and the run's as-of date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from throughline.diagnose.context import DiagnoseContext
from throughline.diagnose.fitness.runner import resolve_as_of


def as_of(ctx: DiagnoseContext) -> date:
    """The as-of date: the user's, else the latest event date in the store (cached; see
    :func:`throughline.diagnose.fitness.runner.resolve_as_of`)."""
    if ctx.options.as_of is not None:
        return ctx.options.as_of
    if ctx._as_of is None:
        ctx._as_of = resolve_as_of(ctx.store)
    return ctx._as_of


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later (or earlier), clamped to the month's last day."""
    total = d.year * 12 + (d.month - 1) + months
    year, mon = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, mon + 1)[1])
    return date(year, mon + 1, day)

def first_of_month(d: date) -> date:
    return d.replace(day=1)

def first_incomplete_month(as_of_date: date) -> date:
    """The first month not fully observed by ``as_of`` (its month, unless as-of is its last day)."""
    return first_of_month(as_of_date + timedelta(days=1))

def complete_months(as_of_date: date, months: int) -> tuple[date, date]:
    """[start, end) covering the last ``months`` complete months before ``as_of``."""
    end = first_incomplete_month(as_of_date)
    return add_months(end, -months), end

def month_index(d: date, origin: date) -> int:
    return (d.year - origin.year) * 12 + d.month - origin.month

def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"
