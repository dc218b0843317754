"""Accounts seen through their deals: the first won deal, the account profile (segment,
industry, size, region, acquisition channel, motion, persona) and joining it onto a table.

* **acquisition channel / motion / persona** of an account — those of its first won
  opportunity (earliest close date, then created date, then id).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from throughline.diagnose.context import DiagnoseContext
from throughline.diagnose.toolkit.columns import (
    ACCOUNT_ATTRIBUTES,
    UNKNOWN,
    deal_channel,
    label,
    label_or_null,
)


def first_won(opps: ir.Table) -> ir.Table:
    """One row per account: its first won opportunity, with channel/motion/persona/segment."""
    won = opps.filter(opps.is_won.fill_null(False) & opps.account_id.notnull())
    won = won.mutate(
        _channel=deal_channel(won),
        _motion=label(won.motion) if "motion" in won.columns else ibis.literal(UNKNOWN),
        _persona=label(won.persona) if "persona" in won.columns else ibis.literal(UNKNOWN),
        _segment=label_or_null(won.segment) if "segment" in won.columns else ibis.null("string"),
    )
    w = ibis.window(group_by=won.account_id,
                    order_by=[won.close_date.asc(nulls_first=False), won.created_date,
                              won.opportunity_id])
    ranked = won.mutate(_rn=ibis.row_number().over(w))
    first = ranked.filter(ranked._rn == 0)
    return first.select(
        account_id=first.account_id,
        channel=first._channel,
        motion=first._motion,
        persona=first._persona,
        deal_segment=first._segment,
        won_date=first.close_date,
        won_amount=first.amount,
    )

def account_profile(ctx: DiagnoseContext) -> ir.Table | None:
    """Per account: segment, industry, size_band, region (accounts) and channel, motion,
    persona (first won deal). Segment falls back to the deal's. None without either table.

    Accounts without a won deal get ``'unknown'`` channel, motion and persona. Several
    families cut by it, so it is a shared intermediate (computed once per run).
    """
    accounts = ctx.table("accounts")
    opps = ctx.table("opportunities")
    fw = first_won(opps) if opps is not None else None
    if accounts is None and fw is None:
        return None
    if accounts is None:
        assert fw is not None
        return fw.select(
            "account_id",
            segment=fw.deal_segment.fill_null(UNKNOWN),
            channel=fw.channel, motion=fw.motion, persona=fw.persona,
            won_date=fw.won_date,
        )
    acc = accounts.select(
        "account_id",
        **{a: label_or_null(accounts[a]) for a in ACCOUNT_ATTRIBUTES},
    )
    if fw is None:
        return acc.select(
            "account_id",
            **{a: acc[a].fill_null(UNKNOWN) for a in ACCOUNT_ATTRIBUTES},
            channel=ibis.literal(UNKNOWN), motion=ibis.literal(UNKNOWN),
            persona=ibis.literal(UNKNOWN), won_date=ibis.null("date"),
        )
    j = acc.left_join(fw, acc.account_id == fw.account_id)
    return ctx.shared(j.select(
        account_id=acc.account_id,
        segment=ibis.coalesce(j.segment, j.deal_segment, ibis.literal(UNKNOWN)),
        industry=j.industry.fill_null(UNKNOWN),
        size_band=j.size_band.fill_null(UNKNOWN),
        region=j.region.fill_null(UNKNOWN),
        channel=j.channel.fill_null(UNKNOWN),
        motion=j.motion.fill_null(UNKNOWN),
        persona=j.persona.fill_null(UNKNOWN),
        won_date=j.won_date,
    ))

def attach_profile(t: ir.Table, profile: ir.Table) -> ir.Table:
    """``t`` left-joined on account_id to the profile, whose columns arrive as ``by_<name>``
    (``'unknown'`` when the account has no profile row)."""
    cols = [c for c in profile.columns if c not in ("account_id", "won_date")]
    p = profile.select(_pid=profile.account_id, **{f"by_{c}": profile[c] for c in cols})
    j = t.left_join(p, t.account_id == p._pid)
    return j.mutate(**{f"by_{c}": j[f"by_{c}"].fill_null(UNKNOWN) for c in cols}).drop("_pid")
