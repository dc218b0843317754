"""``honesty.positive_notes_stall``: deals with positive notes that stall.
"""

from __future__ import annotations

from datetime import timedelta

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.honesty import common
from throughline.diagnose.families.measure import count, finding, metric, pct, severity_for
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import as_of, evidence, records, require_filled

NOTES_NEEDS = ("deal notes or next steps (opportunities.next_step)",
               "stage history dates to tell a stalled deal from a moving one")


POSITIVE_PATTERN = "|".join(common.POSITIVE_MARKERS)


def positive_note(col: ir.StringValue) -> ir.BooleanValue:
    return col.lower().re_search(POSITIVE_PATTERN).fill_null(False)


@diagnostic(id="honesty.positive_notes_stall", needs_text=NOTES_NEEDS)
def positive_notes_stall(ctx: DiagnoseContext) -> list[Finding]:
    title = "Positive notes that stall"
    o = ctx.require("opportunities")
    rows = require_filled(ctx, o, ["next_step"], "no deal has notes or a next step", NOTES_NEEDS)
    d1 = as_of(ctx)
    lit = ibis.literal(d1, type="date")
    cutoff = ibis.literal(d1 - timedelta(days=common.STALL_DAYS), type="date")
    hist = ctx.table("stage_history")
    t = o.filter(o.created_date.isnull() | (o.created_date <= cutoff))
    if hist is not None:
        last = hist.group_by(_oid=hist.opportunity_id).aggregate(
            last_change=hist.changed_at.max().cast("date"))
        t = t.left_join(last, t.opportunity_id == last._oid)
        moved = ibis.coalesce(t.last_change, t.created_date)
    else:
        moved = t.created_date
    closed = t.is_closed.fill_null(False)
    lost = closed & ~t.is_won.fill_null(False)
    idle = ~closed & (moved.isnull() | (moved < cutoff)
                      | (t.close_date.notnull() & (t.close_date < lit)))
    t = t.mutate(_pos=positive_note(t.next_step), _stalled=lost | idle)
    expr = t.group_by("_pos").aggregate(deals=t.count(), stalled=t._stalled.sum())
    got = {bool(r["_pos"]): r for r in records(ctx.execute(expr))}
    pos = got.get(True)
    if pos is None or int(pos["deals"]) == 0:
        raise unmeasurable("no deal old enough to judge has positive notes", NOTES_NEEDS)
    n_pos, s_pos = int(pos["deals"]), int(pos["stalled"] or 0)
    other = got.get(False)
    n_oth, s_oth = (int(other["deals"]), int(other["stalled"] or 0)) if other else (0, 0)
    rate_pos = s_pos / n_pos
    metrics = [metric("stall_rate_positive", rate_pos, "ratio", n_pos,
                      ci=stats.wilson_interval(s_pos, n_pos)),
               metric("positive_stalled", s_pos, "count"),
               metric("positive_deals", n_pos, "count")]
    caveats = ["Positive language is matched by key phrases in the next-step text."]
    if n_oth:
        rate_oth = s_oth / n_oth
        z, p = stats.two_proportion_test(s_pos, n_pos, s_oth, n_oth)
        effect = rate_pos - rate_oth
        strength = stats.gated_strength(effect, common.STALL_REFERENCE, p, common.ALPHA)
        metrics.append(metric("stall_rate_other", rate_oth, "ratio", n_oth,
                              ci=stats.wilson_interval(s_oth, n_oth)))
        statement = (f"{pct(rate_pos)} of {count(n_pos)} deals with positive notes stalled or "
                     f"were lost, against {pct(rate_oth)} of {count(n_oth)} other deals.")
        significance = Significance(test="two-proportion z-test", statistic=z, p_value=p,
                                    n=n_pos + n_oth, effect_size=effect,
                                    effect_measure="difference in stall rate")
    else:
        strength = 0.0
        statement = (f"{pct(rate_pos)} of {count(n_pos)} deals with positive notes stalled or "
                     "were lost; every judged deal has positive notes, so there is nothing to "
                     "compare them with.")
        significance = None
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n_pos + n_oth, severity=severity_for(strength),
        comparison=f"deals created at least {common.STALL_DAYS} days before as-of; stalled = "
                   "lost, or open with no change in that time or past its close date",
        significance=significance,
        evidence=[evidence(ctx, "opportunities", expr, rows, "deals old enough to judge")],
        caveats=caveats, signals={"positive_notes_stall": strength},
    )]
