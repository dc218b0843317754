"""Dates: closed deals without a close date, deals closed before they were created, the
as-of date and how stale it is.

* ``closed_without_close_date`` (corrected) — closed is closed: a closed deal with no close
  date gets the date of its last stage change (history without bulk-loaded rows) when it
  has one; the others still count as closed in win rates (placed in the 12-month window by
  their created date) and are left out of cycle times.
* ``closed_before_created`` (corrected) — close date earlier than the created date
  (imports, backdating): counted in win rates, left out of sales-cycle metrics.
* **as-of** — the user's ``--as-of``; else the latest CRM event: a deal created, a deal
  closed (close dates of *closed* deals only; an open deal's close date is an
  expectation), or a stage change (bulk-loaded instants excluded). Dates after today are
  ignored (a close date in the future has not happened). Without CRM data, the latest
  recorded event of the other exports (subscription start dates last, since billing
  schedules lines ahead of the export); today only when nothing is dated.
* ``stale_data`` (warning) — the as-of date is more than ``STALE_DAYS`` (90) before today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from throughline.core.format import plural
from throughline.diagnose.fitness.base import CLOSE_DATE_DIAGNOSTICS, Gate, n
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.values import to_date as as_date

STALE_DAYS = 90

# Recorded events of the other exports, used when the store has no CRM data.
OTHER_EVENTS: tuple[tuple[str, str], ...] = (
    ("nps_responses", "responded_at"),
    ("time_to_value", "signed_at"),
    ("features", "shipped_at"),
    ("pull_requests", "created_at"),
    ("pull_requests", "merged_at"),
    ("activities", "activity_date"),
    ("feedback", "recorded_at"),
    ("commitments", "made_at"),
    ("forecasts", "submitted_at"),
)
LAST_RESORT: tuple[tuple[str, str], ...] = (("subscriptions", "start_date"),)


def resolve_as_of(gate: Gate, user: date | None, opp: dict[str, Any] | None,
                  history: dict[str, Any] | None) -> tuple[date, str]:
    """(as-of date, how it was chosen)."""
    if user is not None:
        return user, "given with --as-of"
    candidates: list[tuple[date, str]] = []
    if opp is not None:
        candidates += [(d, what) for d, what in (
            (as_date(opp.get("max_created")), "the latest deal created "
                                               "(opportunities.created_date)"),
            (as_date(opp.get("max_closed")), "the latest deal closed "
                                              "(opportunities.close_date of closed deals)"),
        ) if d is not None]
    if history is not None:
        d = as_date(history.get("latest"))
        if d is not None:
            candidates.append((d, "the latest stage change (stage_history.changed_at"
                               + (", bulk-loaded rows excluded)" if history.get("instants")
                                  else ")")))
    chosen = _latest(gate, candidates)
    if chosen is not None:
        return chosen[0], "latest CRM event: " + chosen[1]
    for columns, how in ((OTHER_EVENTS, "latest recorded event (no CRM data): "),
                         (LAST_RESORT, "latest subscription start (no other dated data): ")):
        found = _latest(gate, _events(gate, columns))
        if found is not None:
            return found[0], how + found[1]
    return gate.today, "today (no dated rows in the store)"


def _latest(gate: Gate, candidates: list[tuple[date, str]]) -> tuple[date, str] | None:
    usable = [c for c in candidates if c[0] <= gate.today]
    return max(usable, key=lambda c: c[0]) if usable else None


def _events(gate: Gate, columns: tuple[tuple[str, str], ...]) -> list[tuple[date, str]]:
    by_table: dict[str, list[str]] = {}
    for table, column in columns:
        t = gate.raw(table)
        if t is not None and column in t.columns:
            by_table.setdefault(table, []).append(column)
    out: list[tuple[date, str]] = []
    for table, cols in by_table.items():
        t = gate.raw(table)
        assert t is not None
        today = ibis.literal(gate.today, type="date")
        row = gate.row(t.aggregate(**{c: t[c].max(where=t[c].cast("date") <= today)
                                      for c in cols}))
        for c in cols:
            d = as_date(row[c])
            if d is not None:
                out.append((d, f"{table}.{c}"))
    return out


def check_closed(gate: Gate, opp: dict[str, Any] | None) -> None:
    if opp is None:
        return
    missing, before = n(opp["closed_no_close"]), n(opp["before_created"])
    closed = n(opp["closed"])
    if missing:
        _date_from_history(gate, missing, n(opp["won_no_close"]), closed)
    if before:
        won = n(opp["won_before_created"])
        gate.add(DataQualityIssue(
            id="dq.closed_before_created.opportunities", check="closed_before_created",
            action="corrected", table="opportunities", columns=["created_date", "close_date"],
            title="Deals closed before they were created",
            statement=(f"{before:,} of {plural(closed, 'closed deal')} ({won:,} won) have a "
                       "close date earlier than their created date (imports or backdating)."),
            remedy=("They count in win rates and deal counts but are left out of "
                    "sales-cycle metrics (a negative cycle is not a cycle)."),
            rows_affected=before, rows_total=closed,
            affects=["pipeline.feature_cohorts", "pipeline.velocity"]))


def _date_from_history(gate: Gate, missing: int, won: int, closed: int) -> None:
    o = gate.view("opportunities")
    assert o is not None
    h = gate.view("stage_history")
    undated = o.is_closed.fill_null(False) & o.close_date.isnull()
    dated = 0
    if h is not None:
        last = h.filter(h.changed_at.notnull()).group_by(_oid="opportunity_id").aggregate(
            _last=h.changed_at.max().cast("date"))
        j = o.left_join(last, o.opportunity_id == last._oid)
        fixed = j.mutate(close_date=ibis.ifelse(undated, j._last, j.close_date)) \
            .select(*o.columns)
        dated = n(gate.row(j.aggregate(k=(undated & j._last.notnull()).sum()))["k"])
        if dated:
            gate.views["opportunities"] = gate.ctx.shared(fixed)
    rest = missing - dated
    statement = (f"{missing:,} of {plural(closed, 'closed deal')} ({won:,} won, "
                 f"{missing - won:,} lost) have no close date.")
    remedy = "Closed is closed: "
    if dated:
        remedy += (f"{plural(dated, 'deal')} take the date of their last stage change"
                   + ("; " if rest else "."))
    if rest:
        remedy += (f"{plural(rest, 'deal')} with no stage history still count as closed in "
                   "win rates (placed in time by their created date) but are left out of "
                   "cycle times and anything dated by the close.")
    gate.add(DataQualityIssue(
        id="dq.closed_without_close_date.opportunities", check="closed_without_close_date",
        action="corrected", table="opportunities", columns=["is_closed", "close_date"],
        title="Closed deals without a close date",
        statement=statement, remedy=remedy, rows_affected=missing, rows_total=closed,
        affects=list(CLOSE_DATE_DIAGNOSTICS),
        details={"dated_from_history": dated, "undated": rest}))


def check_stale(gate: Gate, as_of: date) -> None:
    behind = (gate.today - as_of).days
    if behind <= STALE_DAYS:
        return
    years = behind / 365.25
    span = f"{years:.1f} years" if years >= 1 else f"{behind / 30.44:.1f} months"
    gate.add(DataQualityIssue(
        id="dq.stale_data", check="stale_data", action="warning",
        title="The data are stale",
        statement=(f"The data end on {as_of.isoformat()}, {behind:,} days ({span}) before "
                   f"today ({gate.today.isoformat()})."),
        remedy=("Every finding describes the company as of that date: windows, trends and "
                "horizons are anchored there, not today. Export fresh data to see it now."),
        details={"as_of": as_of.isoformat(), "today": gate.today.isoformat(),
                 "days_behind": behind}))
