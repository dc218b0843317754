"""Roll-up owners in forecasts: a manager whose forecast is the sum of the team's (as
hierarchical forecasting exports have) would be added on top of the team and double the
forecast.

Definition. Forecast rows are grouped by *submission*: (period_start, submitted_at,
category). In a submission with at least three owners, owner A **matches** when its
amount equals, within ``TOLERANCE`` (0.5%) of A's amount, the sum of

* all the other owners' amounts (one manager over the whole team), or
* two other owners' amounts, or three (teams of two or three; triples are looked for in
  submissions of at most ``MAX_TRIPLE_OWNERS`` owners).

An owner is a **roll-up** when it matches in more than half of the submissions it takes
part in with at least two others, and in at least two of them when it takes part in two or
more (one coincidence does not make a manager). Roll-up owners' rows are dropped, so only
the leaf level is counted. One query (self-joins of the forecast rows by submission).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from throughline.diagnose.fitness.base import Gate, n, plural
from throughline.diagnose.quality import DataQualityIssue

TOLERANCE = 0.005
MAX_TRIPLE_OWNERS = 40
KEY = ("period_start", "submitted_at", "_cat")


def rollup_owners(f: ir.Table) -> ir.Table:
    """Per owner: submissions with ≥ 2 others (``groups``) and those it matches in
    (``matched``)."""
    base = f.filter(f.amount.notnull() & f.owner.notnull() & f.period_start.notnull())
    base = base.select("period_start", "owner", "amount",
                       submitted_at=base.submitted_at.cast("string").fill_null(""),
                       _cat=base.category.cast("string").strip().lower().fill_null(""))
    w = ibis.window(group_by=list(KEY))
    g = base.mutate(_total=base.amount.sum().over(w), _owners=base.count().over(w))
    g = g.filter(g._owners >= 3)

    def close(a: ir.Value, total: ir.Value) -> ir.BooleanValue:
        return (a - total).abs() <= TOLERANCE * a.abs()

    whole = g.filter(close(g.amount, g._total - g.amount)).select(*KEY, "owner")
    b = base.select(*KEY, _ob="owner", _ab="amount")
    c = base.select(*KEY, _oc="owner", _ac="amount")
    pairs = g.join(b, list(KEY)).join(c, list(KEY))
    pairs = pairs.filter((pairs._ob < pairs._oc) & (pairs._ob != pairs.owner)
                         & (pairs._oc != pairs.owner)
                         & close(pairs.amount, pairs._ab + pairs._ac)).select(*KEY, "owner")
    small = g.filter(g._owners <= MAX_TRIPLE_OWNERS)
    d = base.select(*KEY, _od="owner", _ad="amount")
    tri = small.join(b, list(KEY)).join(c, list(KEY)).join(d, list(KEY))
    tri = tri.filter((tri._ob < tri._oc) & (tri._oc < tri._od) & (tri._ob != tri.owner)
                     & (tri._oc != tri.owner) & (tri._od != tri.owner)
                     & close(tri.amount, tri._ab + tri._ac + tri._ad)).select(*KEY, "owner")
    matched = whole.union(pairs).union(tri).distinct()
    m = matched.group_by("owner").aggregate(matched=matched.count())
    groups = g.group_by(_o="owner").aggregate(groups=g.count())
    j = groups.left_join(m, groups._o == m.owner)
    return j.select(owner=j._o, groups=j.groups, matched=j.matched.fill_null(0))


def check(gate: Gate) -> None:
    f = gate.view("forecasts")
    if f is None:
        return
    per = gate.rows(rollup_owners(f))
    rollups = sorted(str(r["owner"]) for r in per
                     if n(r["matched"]) > 0.5 * n(r["groups"])
                     and n(r["matched"]) >= min(2, n(r["groups"])))
    if not rollups:
        return
    stats = gate.row(f.aggregate(rows=f.count(), dropped=f.owner.isin(rollups).sum(),
                                 owners=f.owner.nunique()))
    rows, dropped, owners = n(stats["rows"]), n(stats["dropped"]), n(stats["owners"])
    matched = {str(r["owner"]): (n(r["matched"]), n(r["groups"])) for r in per
               if str(r["owner"]) in rollups}
    who = "; ".join(f"'{o}' in {matched[o][0]} of {plural(matched[o][1], 'submission')}"
                    for o in rollups)
    gate.views["forecasts"] = f.filter(f.owner.isnull() | ~f.owner.isin(rollups))
    gate.add(DataQualityIssue(
        id="dq.forecast_rollups.forecasts", check="forecast_rollups", action="corrected",
        table="forecasts", columns=["owner", "amount"],
        title="Forecast roll-ups dropped",
        statement=(f"{plural(len(rollups), 'forecast owner')} submit the sum of other owners' "
                   f"forecasts for the same period and submission ({who}): they are "
                   "roll-ups of their team's figures, which adding them would count twice."),
        remedy=(f"Their {plural(dropped, 'row')} are dropped and only the leaf level "
                f"({plural(owners - len(rollups), 'owner')}) is compared with bookings."),
        rows_affected=dropped, rows_total=rows, affects=["honesty.forecast_accuracy"],
        details={"owners": rollups}))
