"""Bulk-loaded stage history: many rows sharing one ``changed_at`` (a data load or CRM
migration), read as behaviour, make every deal look pushed and thousands of days late.

Definition. An *instant* is one exact ``changed_at`` value. It is **bulk** when it holds at
least ``MIN_ROWS`` (20) rows and either

* at least ``SHARE`` (25%) of all history rows, or
* at least ``FACTOR`` (50) times the mean number of rows per distinct instant (rows /
  distinct instants; the distinct count is the engine's approximate one) — a load inside
  an otherwise live history.

To stay cheap on millions of rows, instants are looked for only inside the busiest days:
days with at least ``MIN_ROWS`` rows that are among the ``TOP_DAYS`` busiest or hold at
least twice the median day's rows (a bulk instant makes its day one of those). Three
queries: a one-row profile, rows per day, and rows per instant inside the candidate days.

Correction. Rows at bulk instants are left out of the history every diagnostic reads
(pushes, time in stage, slippage, stage reach), and out of the as-of date. When nothing is
left, the history-based diagnostics are *not measurable* (``unfit``).
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

import ibis

from throughline.core.format import plural
from throughline.diagnose.fitness.base import HISTORY_DIAGNOSTICS, Gate, n
from throughline.diagnose.quality import DataQualityIssue

MIN_ROWS = 20
SHARE = 0.25
FACTOR = 50.0
TOP_DAYS = 5


def bulk_instants(gate: Gate) -> dict[str, Any] | None:
    """Profile of the history and its bulk instants (None without a history table)."""
    h = gate.raw("stage_history")
    if h is None:
        return None
    h = h.filter(h.changed_at.notnull())
    today = ibis.literal(gate.today, type="date")  # later changes have not happened yet
    prof = gate.row(h.aggregate(rows=h.count(), instants=h.changed_at.approx_nunique(),
                                latest=h.changed_at.max(where=h.changed_at.cast("date")
                                                        <= today)))
    rows = n(prof["rows"])
    out: dict[str, Any] = {"rows": rows, "latest": prof["latest"], "instants": [],
                           "bulk_rows": 0, "bulk_deals": 0}
    if rows < MIN_ROWS:
        return out
    distinct = max(1, min(rows, n(prof["instants"])))
    mean = rows / distinct
    days = gate.rows(h.group_by(day=h.changed_at.cast("date")).aggregate(k=h.count()))
    counts = sorted((n(r["k"]) for r in days), reverse=True)
    median = statistics.median(counts) if counts else 0
    floor = counts[TOP_DAYS - 1] if len(counts) >= TOP_DAYS else 0
    candidates = sorted(r["day"] for r in days
                        if n(r["k"]) >= MIN_ROWS and (n(r["k"]) >= floor
                                                      or n(r["k"]) >= 2 * median))
    if not candidates:
        return out
    dd = h.filter(h.changed_at.cast("date").isin([_day(d) for d in candidates]))
    found = gate.rows(dd.group_by("changed_at").aggregate(
        k=dd.count(), deals=dd.opportunity_id.nunique()).filter(ibis._.k >= MIN_ROWS))
    bulk = sorted((r for r in found if n(r["k"]) >= SHARE * rows or n(r["k"]) >= FACTOR * mean),
                  key=lambda r: r["changed_at"])
    if not bulk:
        return out
    out["instants"] = [_instant(r["changed_at"]) for r in bulk]
    out["bulk_rows"] = sum(n(r["k"]) for r in bulk)
    out["bulk_deals"] = sum(n(r["deals"]) for r in bulk)
    out["per_instant"] = {_instant(r["changed_at"]).isoformat(sep=" "): n(r["k"]) for r in bulk}
    out["mean_per_instant"] = round(mean, 3)
    kept = h.filter(~h.changed_at.isin(out["instants"]))
    out["latest"] = gate.row(kept.aggregate(latest=kept.changed_at.max(
        where=kept.changed_at.cast("date") <= today)))["latest"]
    return out


def check(gate: Gate, found: dict[str, Any] | None) -> None:
    if not found or not found["instants"]:
        return
    h = gate.raw("stage_history")
    assert h is not None
    rows, bulk_rows = found["rows"], found["bulk_rows"]
    left = rows - bulk_rows
    instants = found["instants"]
    when = ", ".join(t.isoformat(sep=" ") for t in instants[:3]) + (
        f" and {len(instants) - 3} more" if len(instants) > 3 else "")
    statement = (f"{bulk_rows:,} of {plural(rows, 'stage-history row')} "
                 f"({bulk_rows / rows:.1%}, {plural(found['bulk_deals'], 'deal')}) share "
                 f"{'one timestamp' if len(instants) == 1 else f'{len(instants)} timestamps'}"
                 f" ({when}): a data load or migration, not changes made one by one.")
    gate.views["stage_history"] = h.filter(h.changed_at.isnull()
                                           | ~h.changed_at.isin(instants))
    details: dict[str, object] = {"instants": found["per_instant"],
                                  "mean_rows_per_instant": found["mean_per_instant"]}
    if left == 0:
        gate.add(DataQualityIssue(
            id="dq.bulk_timestamps.stage_history", check="bulk_timestamps", action="unfit",
            table="stage_history", columns=["changed_at"],
            title="Stage history bulk-loaded",
            statement=statement + " No history row is left once they are set aside.",
            remedy=("Close-date pushes, commit slippage, stage optimism and stage "
                    "conversion are not measurable; export the history with the original "
                    "change times (Salesforce OpportunityHistory / OpportunityFieldHistory) "
                    "to measure them."),
            rows_affected=bulk_rows, rows_total=rows, affects=list(HISTORY_DIAGNOSTICS),
            details=details))
        return
    gate.add(DataQualityIssue(
        id="dq.bulk_timestamps.stage_history", check="bulk_timestamps", action="corrected",
        table="stage_history", columns=["changed_at"],
        title="Stage history partly bulk-loaded",
        statement=statement,
        remedy=(f"Those rows are left out of every history metric (pushes, time in stage, "
                f"slippage, stage reach) and of the as-of date; {left:,} rows remain."),
        rows_affected=bulk_rows, rows_total=rows,
        affects=[*HISTORY_DIAGNOSTICS, "honesty.positive_notes_stall"], details=details))


def _instant(value: Any) -> datetime:
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value  # type: ignore[no-any-return]


def _day(value: Any) -> Any:
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value
