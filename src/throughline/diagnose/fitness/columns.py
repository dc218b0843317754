"""Inputs that are absent, empty of meaning, bulk-created or tiny.

* ``absent_column`` (unfit) — an input a family cuts by holds nothing on any row:
  - the deal **source**: no deal has a raw ``lead_source`` label and every ``channel`` is
    blank or ``unknown`` (the export had no LeadSource column, or it was never filled): a
    100% "unknown" share would be a measurement vacuum read as a gap, so attribution,
    channel stability and the warm-network check are *not measurable*;
  - the sales **motion**: no deal has a known motion (``unknown`` is not a motion), so the
    push/pull diagnostics are *not measurable*;
  - the deal **amount**: blank on every deal, so forecast against bookings is *not
    measurable* (bookings would read as zero).
* ``bulk_created`` (unfit) — at least ``BULK_CREATED_MIN`` deals and at least half of the
  deals with a created date share one created day (an import stamped them): monthly
  series built on created dates (channel shares, pull share, compounding, activity against
  pipeline) are *not measurable*.
* ``small_sample`` (warning) — fewer opportunities than ``min_n``: every finding on them is
  indicative (intervals, not verdicts).
"""

from __future__ import annotations

from typing import Any

import ibis

from throughline.core.format import plural
from throughline.diagnose.fitness.base import (
    CREATED_SERIES_DIAGNOSTICS,
    MOTION_DIAGNOSTICS,
    SOURCE_DIAGNOSTICS,
    Gate,
    n,
    nonblank,
)
from throughline.diagnose.quality import DataQualityIssue

NO_MOTION = ("unknown", "none", "n/a", "na", "null", "-", "?", "not set", "(not set)",
             "undefined", "blank")
BULK_CREATED_MIN = 20
BULK_CREATED_SHARE = 0.5


def opportunity_profile(gate: Gate) -> dict[str, Any] | None:
    """One aggregate over the stored opportunities: counts the checks of this module and of
    ``dates`` read (None without an opportunities table)."""
    o = gate.raw("opportunities")
    if o is None:
        return None
    closed = o.is_closed.fill_null(False)
    won = closed & o.is_won.fill_null(False)
    cols = set(o.columns)
    channel = o.channel.cast("string").strip().lower() if "channel" in cols else None
    labelled = nonblank(o.lead_source) if "lead_source" in cols else ibis.literal(False)
    if channel is not None:
        labelled = labelled | (nonblank(o.channel) & (channel != "unknown"))
    motion = o.motion.cast("string").strip().lower() if "motion" in cols else None
    today = ibis.literal(gate.today, type="date")  # later dates have not happened yet
    aggs: dict[str, Any] = dict(
        rows=o.count(),
        closed=closed.sum(),
        closed_no_close=(closed & o.close_date.isnull()).sum(),
        won_no_close=(won & o.close_date.isnull()).sum(),
        before_created=(closed & (o.close_date < o.created_date)).sum(),
        won_before_created=(won & (o.close_date < o.created_date)).sum(),
        won_no_created=(won & o.created_date.isnull()).sum(),
        created=o.created_date.notnull().sum(),
        max_created=o.created_date.max(where=o.created_date <= today),
        max_closed=o.close_date.max(where=closed & (o.close_date <= today)),
        labelled=labelled.sum(),
        channel_filled=(nonblank(o.channel).sum() if channel is not None
                        else ibis.literal(0)),
        amount_filled=o.amount.notnull().sum(),
        known_motion=(nonblank(o.motion) & ~motion.isin(NO_MOTION)).sum()
        if motion is not None else ibis.literal(0),
    )
    prof = gate.row(o.aggregate(**aggs))
    d = o.filter(o.created_date.notnull())
    top = gate.rows(d.group_by(day=d.created_date).aggregate(k=d.count())
                    .order_by([ibis.desc("k"), "day"]).limit(1))
    prof["top_created_day"], prof["top_created_n"] = (
        (top[0]["day"], n(top[0]["k"])) if top else (None, 0))
    return prof


def _absent(gate: Gate, rows: int, columns: list[str], title: str, statement: str,
            remedy: str, affects: list[str]) -> None:
    """``absent_column``: an opportunities input (named by ``columns[0]``) holds nothing on
    any of the ``rows`` deals, so the diagnostics it ``affects`` are unfit."""
    gate.add(DataQualityIssue(
        id=f"dq.absent_column.opportunities.{columns[0]}", check="absent_column",
        action="unfit", table="opportunities", columns=columns, title=title,
        statement=statement, remedy=remedy, rows_affected=rows, rows_total=rows,
        affects=affects))


def check(gate: Gate, prof: dict[str, Any] | None) -> None:
    if prof is None:
        return
    rows = n(prof["rows"])
    if rows == 0:
        return
    if n(prof["labelled"]) == 0:
        how = ("every deal's channel is 'unknown' and none carries a raw lead-source label"
               if n(prof["channel_filled"]) else
               "opportunities.channel and opportunities.lead_source are empty on every row")
        _absent(gate, rows, ["channel", "lead_source"], "No deal source recorded",
                (f"No deal records where it came from: {how} ({plural(rows, 'deal')}); "
                 "the export has no LeadSource column or it was never filled, which is "
                 "a missing measurement, not a 100% attribution gap."),
                ("Attribution, channel stability and the warm-network check are not "
                 "measurable and cannot raise any hypothesis; export the LeadSource "
                 "field (or map a source column) to measure them."),
                list(SOURCE_DIAGNOSTICS))
    if n(prof["known_motion"]) == 0:
        _absent(gate, rows, ["motion"], "No deal has a known sales motion",
                (f"None of {plural(rows, 'deal')} has a known sales motion (blank or "
                 "'unknown' everywhere); 'unknown' is not a motion."),
                ("The push/pull mix, the pull-share trend and pull compounding are not "
                 "measurable; record the motion (or a lead source the profile can map to "
                 "one) to measure them."),
                list(MOTION_DIAGNOSTICS))
    if n(prof["amount_filled"]) == 0:
        _absent(gate, rows, ["amount"], "No deal has an amount",
                f"opportunities.amount is empty on all {plural(rows, 'deal')}.",
                ("Forecast against bookings is not measurable (bookings would read as "
                 "zero); deal-size and velocity figures are left out."),
                ["honesty.forecast_accuracy"])
    created, top_n = n(prof["created"]), n(prof["top_created_n"])
    if top_n >= BULK_CREATED_MIN and created and top_n >= BULK_CREATED_SHARE * created:
        day = prof["top_created_day"]
        day_text = day.date().isoformat() if hasattr(day, "date") else str(day)[:10]
        gate.add(DataQualityIssue(
            id="dq.bulk_created.opportunities", check="bulk_created", action="unfit",
            table="opportunities", columns=["created_date"],
            title="Deals bulk-created on one day",
            statement=(f"{top_n:,} of {plural(created, 'deal')} with a created date "
                       f"({top_n / created:.1%}) were created on {day_text}: the created "
                       "dates record an import, not when the deals arose."),
            remedy=("Monthly series built on created dates (channel shares, pull share and "
                    "its compounding, activity against pipeline) are not measurable; export "
                    "the original created dates to measure them."),
            rows_affected=top_n, rows_total=created,
            affects=list(CREATED_SERIES_DIAGNOSTICS), details={"day": day_text}))
    min_n = gate.ctx.options.min_n
    if rows < min_n:
        gate.add(DataQualityIssue(
            id="dq.small_sample.opportunities", check="small_sample", action="warning",
            table="opportunities",
            title="Few deals",
            statement=(f"Only {plural(rows, 'deal')} in the export, fewer than the {min_n} "
                       "a verdict needs."),
            remedy=("Findings on deals are indicative: read their intervals, not the point "
                    "values."),
            rows_affected=rows, rows_total=rows))
