"""The promise ledger: what was promised in deals, and whether the product can keep it.

Diagnostic ``promises.ledger`` (commitments; capabilities and opportunities optional)
--------------------------------------------------------------------------------------
Each commitment is matched to the capabilities list by its ``capability`` field, compared
lower-cased and trimmed with either the capability id or its name.

* **unsigned** — engineering sign-off is not recorded as true (blank counts as unsigned).
* **not GA** — it names a capability whose status is beta, roadmap or none, or one the
  capabilities list does not contain at all.
* **sold as if it exists** — not GA *and* unsigned: a promise of something the product
  does not do, made without engineering agreeing to build it.
* **custom one-off** — kind ``custom_config``.
* **overdue** — status ``missed``, or still open (status open or blank) with a due date
  before the as-of date.
* **revenue at stake** — ``amount_at_stake``, else the linked opportunity's amount.

**Signal** ``promises_unbacked`` = one-sided 95% Wilson lower bound of the share of
capability-naming commitments that are sold as if the capability exists. Without a
capabilities list GA status is unknown: the counts of unsigned promises are reported and
the signal is not emitted. The scorer counts it as corroborating evidence for *honesty*.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, counted, finding, metric, money, pct
from throughline.diagnose.findings import Evidence, Finding, Metric, Severity, Significance
from throughline.diagnose.registry import diagnostic

FAMILY = "promises"
NOT_GA = ("beta", "roadmap", "none")
COMMITMENT_NEEDS = ("a commitments export: promises made in deals with the capability "
                    "promised, engineering sign-off, due date, status and the amount at stake",
                    "a capabilities list (GA, beta, roadmap, none) to tell which promises "
                    "name something the product does not do")


def _capability_lookup(caps: ir.Table) -> ir.Table:
    """One row per match key (capability id or name, normalised): is any match GA?"""
    status = toolkit.label(caps.status)
    keyed = caps.select(_key=toolkit.norm(caps.capability_id), _status=status).union(
        caps.select(_key=toolkit.norm(caps.name), _status=status))
    keyed = keyed.filter(keyed._key.notnull() & (keyed._key != ""))
    return keyed.group_by("_key").aggregate(_ga=(keyed._status == "ga").any())


def _ledger(ctx: DiagnoseContext) -> tuple[ir.Table, bool]:
    c = ctx.require("commitments")
    caps = ctx.table("capabilities")
    opps = ctx.table("opportunities")
    base = c.mutate(_cap_key=toolkit.norm(c.capability))
    if opps is not None:
        o = opps.select(_oid=opps.opportunity_id, _opp_amount=opps.amount)
        j = base.left_join(o, base.opportunity_id == o._oid)
        base = toolkit.without(j.mutate(_stake=ibis.coalesce(j.amount_at_stake, j._opp_amount)),
                               "_oid", "_opp_amount")
    else:
        base = base.mutate(_stake=base.amount_at_stake)
    if caps is not None:
        lookup = _capability_lookup(caps)
        j = base.left_join(lookup, base._cap_key == lookup._key)
        base = toolkit.without(j.mutate(_known=j._key.notnull(), _is_ga=toolkit.truthy(j._ga)),
                               "_key", "_ga")
    else:
        base = base.mutate(_known=ibis.literal(False), _is_ga=ibis.literal(False))
    return base, caps is not None


@diagnostic(id="promises.ledger", needs_text=COMMITMENT_NEEDS)
def ledger(ctx: DiagnoseContext) -> list[Finding]:
    t, has_caps = _ledger(ctx)
    today = toolkit.date_lit(toolkit.as_of(ctx))
    names_cap = ~toolkit.blank(t.capability)
    signed = toolkit.truthy(t.engineering_signoff)
    not_ga = names_cap & ~t._is_ga
    sold_as_if = not_ga & ~signed
    status = toolkit.label(t.status)
    open_ = status.isin(("open", "unknown"))
    overdue = (status == "missed") | (open_ & t.due_date.notnull() & (t.due_date < today))
    custom = toolkit.label(t.kind) == "custom_config"
    stake = t._stake.fill_null(0.0)
    expr = t.aggregate(
        n=t.count(),
        unsigned=(~signed).sum(),
        names_cap=names_cap.sum(),
        unknown_cap=(names_cap & ~t._known).sum(),
        not_ga=not_ga.sum(),
        sold_as_if=sold_as_if.sum(),
        custom=custom.sum(),
        overdue=overdue.sum(),
        open=open_.sum(),
        stake_total=stake.sum(),
        stake_sold_as_if=stake.sum(where=sold_as_if),
        stake_overdue=stake.sum(where=overdue),
        stake_unsigned=stake.sum(where=~signed),
        stake_custom=stake.sum(where=custom),
    )
    row = toolkit.one_row(ctx, expr)
    n = toolkit.as_int(row["n"])
    if n == 0:
        raise unmeasurable("the commitments table is empty", COMMITMENT_NEEDS)
    k: dict[str, int] = {key: toolkit.as_int(row[key]) for key in (
        "unsigned", "names_cap", "unknown_cap", "not_ga", "sold_as_if", "custom", "overdue",
        "open")}
    money_at: dict[str, float] = {key: float(row[key] or 0.0) for key in (
        "stake_total", "stake_sold_as_if", "stake_overdue", "stake_unsigned", "stake_custom")}
    ev = [toolkit.evidence(ctx, "commitments", expr, n, "all commitments")]
    findings = [_unbacked(ctx, n, k, money_at, has_caps, ev)]
    findings.append(_exposure(ctx, n, k, money_at, ev))
    return findings


def _unbacked(ctx: DiagnoseContext, n: int, k: dict[str, int], money_at: dict[str, float],
              has_caps: bool, ev: list[Evidence]) -> Finding:
    share_unsigned, u_lo, u_hi = toolkit.share_interval(k["unsigned"], n)
    metrics: list[Metric] = [
        metric("commitments", n, "count"),
        metric("unsigned", k["unsigned"], "count", n=n,
               label="Without engineering sign-off"),
        metric("unsigned_share", share_unsigned, "ratio", n=n, low=u_lo, high=u_hi),
        metric("revenue_unsigned", money_at["stake_unsigned"], "currency",
               label="Revenue riding on unsigned promises"),
    ]
    statement = (f"{count(k['unsigned'])} of {counted(n, 'commitment')} "
                 f"({pct(share_unsigned or 0.0)}) lack engineering sign-off")
    signals: dict[str, float] = {}
    caveats: list[str] = []
    significance = None
    severity = Severity.info
    m = k["names_cap"]
    if has_caps and m:
        share, lo, hi = toolkit.share_interval(k["sold_as_if"], m)
        signal = stats.wilson_lower(k["sold_as_if"], m)
        signals["promises_unbacked"] = signal
        metrics += [
            metric("naming_a_capability", m, "count", n=n),
            metric("not_ga", k["not_ga"], "count", n=m,
                   label="Naming a capability that is not GA (or not in the list)"),
            metric("sold_as_if_exists", k["sold_as_if"], "count", n=m,
                   label="Not GA and no engineering sign-off"),
            metric("sold_as_if_exists_share", share, "ratio", n=m, low=lo, high=hi),
            metric("revenue_sold_as_if_exists", money_at["stake_sold_as_if"], "currency"),
        ]
        statement += (f"; {count(k['sold_as_if'])} of the {count(m)} that name a capability "
                      f"({pct(share or 0.0)}) promise one that is not GA without sign-off — "
                      f"sold as if it exists — with {money(money_at['stake_sold_as_if'])} "
                      "riding on them")
        significance = Significance(test="Wilson score interval (sold-as-if-exists share)",
                                    interval=(lo or 0.0, hi or 1.0), n=m)
        severity = (Severity.problem if signal >= 0.5 else
                    Severity.watch if signal > 0 else Severity.info)
        if k["unknown_cap"]:
            metrics.append(metric("capability_not_in_list", k["unknown_cap"], "count", n=m))
            caveats.append(f"{count(k['unknown_cap'])} commitment(s) name a capability the "
                           "capabilities list does not contain; they count as not GA.")
    elif not has_caps:
        caveats.append("No capabilities list: whether promised capabilities exist (GA) "
                       "cannot be checked, so 'sold as if it exists' is not measured.")
    else:
        caveats.append("No commitment names a capability.")
    return finding(
        ctx, slug="unbacked",
        title="Promises engineering has not backed", statement=statement + ".",
        metrics=metrics, n=m if (has_caps and m) else n, severity=severity,
        comparison="commitments vs engineering sign-off and capability status",
        significance=significance, evidence=ev, caveats=caveats, signals=signals)


def _exposure(ctx: DiagnoseContext, n: int, k: dict[str, int], money_at: dict[str, float],
              ev: list[Evidence]) -> Finding:
    overdue_share, lo, hi = toolkit.share_interval(k["overdue"], n)
    metrics = [
        metric("custom_configs", k["custom"], "count", n=n, label="Custom one-off configs"),
        metric("overdue", k["overdue"], "count", n=n, label="Missed or past due and open"),
        metric("overdue_share", overdue_share, "ratio", n=n, low=lo, high=hi),
        metric("open", k["open"], "count", n=n),
        metric("revenue_at_stake", money_at["stake_total"], "currency",
               label="Revenue riding on all commitments"),
        metric("revenue_overdue", money_at["stake_overdue"], "currency"),
        metric("revenue_custom", money_at["stake_custom"], "currency"),
    ]
    statement = (f"{count(k['overdue'])} of {counted(n, 'commitment')} overdue "
                 f"({money(money_at['stake_overdue'])} at stake) and "
                 f"{count(k['custom'])} are custom one-off configs; "
                 f"{money(money_at['stake_total'])} of revenue rides on the ledger.")
    severity = Severity.watch if k["overdue"] else Severity.info
    return finding(
        ctx, slug="exposure",
        title="Overdue and one-off promises", statement=statement, metrics=metrics, n=n,
        severity=severity, comparison="commitment status and due date vs the as-of date",
        evidence=ev,
        caveats=["Revenue at stake is the commitment's amount, else its deal's amount; a deal "
                 "with several promises is counted once per promise."])
