"""Billing: subscription lines per customer (MRR with start and end dates).

A won new-business deal becomes a customer a few days after it closes, on a base line
worth the deal's amount ÷ 12. Small customers pay monthly and can leave any month; larger
ones sign annual contracts and leave at a renewal. While a customer stays, seat true-ups
and downgrades end the current base line and open a new one at the new price (price
changes); won upsell deals add add-on lines, a few of which are later removed
(contraction). Churn ends every open line. The scenario sets the churn hazard,
expansion and contraction rates per segment — the post-sale truth the ICP and
retention diagnostics compare against who was won.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from throughline.sample.crm import Deals
from throughline.sample.plan import Plan
from throughline.sample.seeding import group_starts, segment_cumsum
from throughline.sample.writer import dates, money, pick

BASE_PLANS = ("starter", "growth", "business", "enterprise")
ADDON_PLANS = ("addon_seats", "addon_analytics", "addon_api")
ANNUAL_SHARE = (0.1, 0.55, 0.95)  # share of annual contracts by segment


@dataclass
class Tenure:
    """Per new-business deal: when it became a customer and when it left (NaN / inf)."""

    live_from: np.ndarray  # NaN if never a customer (before the reference date)
    live_to: np.ndarray  # inf while still a customer
    base_mrr: np.ndarray

    @property
    def customer(self) -> np.ndarray:
        return np.isfinite(self.live_from)


def tenure(rng: np.random.Generator, plan: Plan, nb: Deals) -> Tenure:
    """Draw start and churn day for every won new-business deal."""
    k = plan.knobs
    ref = float(plan.company.ref_day)
    n = len(nb)
    won = nb.closed & nb.won
    start = nb.close_day + rng.integers(0, 10, n)
    customer = won & (start < ref)
    h = np.clip(k.churn[nb.segment], 1e-4, 0.5)
    monthly = start + rng.exponential(30.44 / h)
    p_year = 1 - (1 - h) ** 12
    annual_end = start + 365.0 * rng.geometric(p_year)
    annual = rng.random(n) < np.asarray(ANNUAL_SHARE)[nb.segment]
    end = np.where(annual, annual_end, monthly)
    end = np.where(end < ref, np.floor(end), np.inf)
    return Tenure(live_from=np.where(customer, start, np.nan),
                  live_to=np.where(customer, end, np.nan),
                  base_mrr=np.round(nb.amount / 12.0, 2))


def subscription_table(rng: np.random.Generator, plan: Plan, nb: Deals, ten: Tenure,
                       ups: Deals, account_ids: pa.Array,
                       new_ids: Callable[[int], pa.Array]) -> pa.Table:
    """Base lines with price changes, then add-on lines from won upsells."""
    k = plan.knobs
    ref = float(plan.company.ref_day)
    cust = np.flatnonzero(ten.customer)
    t0 = ten.live_from[cust]
    t1 = np.minimum(ten.live_to[cust], ref)
    months = np.maximum(t1 - t0, 0) / 30.44
    changes = np.where(t1 - t0 > 30, rng.poisson((k.price_up + k.price_down) * months), 0)
    # base chain: line 0 starts at t0, every change ends one line and starts the next
    owner = np.repeat(np.arange(len(cust)), changes + 1)
    first = np.concatenate(([0], np.cumsum(changes + 1)[:-1])) if len(cust) else owner
    is_first = np.zeros(len(owner), dtype=bool)
    is_first[first] = True
    when = np.where(is_first, t0[owner],
                    np.floor(t0[owner] + 20 + rng.random(len(owner))
                             * np.maximum(t1[owner] - t0[owner] - 21, 0)))
    order = np.lexsort((when, owner))
    owner, when = owner[order], when[order]
    is_first = is_first[order]
    up = rng.random(len(owner)) < k.price_up / (k.price_up + k.price_down)
    factor = np.where(up, rng.uniform(1.08, 1.5, len(owner)), rng.uniform(0.6, 0.92,
                                                                        len(owner)))
    factor[is_first] = 1.0
    logf = segment_cumsum(np.log(factor), group_starts(owner))
    mrr = np.round(ten.base_mrr[cust][owner] * np.exp(logf), 2)
    nxt = np.append(when[1:], np.inf)
    last_of = np.append(owner[1:] != owner[:-1], True)
    churn = ten.live_to[cust][owner]
    end = np.where(last_of, churn, nxt)
    keep = end > when  # a change on the churn day leaves no line
    seg = nb.segment[cust][owner]
    base_plan = np.clip(seg + (rng.random(len(owner)) < 0.5), 0, 3)
    base_plan = np.where(seg == 2, 3, base_plan)
    acct = nb.account[cust][owner]
    # add-on lines from won upsells that closed while the account was a customer
    u = np.flatnonzero(ups.closed & ups.won)
    u_start = ups.close_day[u] + rng.integers(0, 7, len(u))
    nb_index = ups.account[u]  # == index of the new-business deal
    u_churn = ten.live_to[nb_index]
    ok = (u_start < ref) & (u_start < u_churn)
    u, u_start, u_churn, nb_index = u[ok], u_start[ok], u_churn[ok], nb_index[ok]
    removed = rng.random(len(u)) < 0.12
    cut = np.floor(u_start + 30 + rng.random(len(u)) * np.maximum(ref - u_start - 30, 1))
    u_end = np.where(removed & (cut < np.minimum(u_churn, ref)), cut, u_churn)
    acct_all = np.concatenate([acct[keep], ups.account[u]])
    start_all = np.concatenate([when[keep], u_start])
    end_all = np.concatenate([end[keep], u_end])
    mrr_all = np.concatenate([mrr[keep], np.round(ups.amount[u] / 12.0, 2)])
    plan_all = np.concatenate([base_plan[keep],
                               len(BASE_PLANS) + rng.integers(0, len(ADDON_PLANS), len(u))])
    order = np.lexsort((start_all, acct_all))
    acct_all, start_all = acct_all[order], start_all[order]
    end_all, mrr_all, plan_all = end_all[order], mrr_all[order], plan_all[order]
    return pa.table({
        "subscription_id": new_ids(len(acct_all)),
        "account_id": account_ids.take(pa.array(acct_all)),
        "plan": pick(BASE_PLANS + ADDON_PLANS, plan_all),
        "mrr": money(mrr_all, cents=True),
        "start_date": dates(start_all),
        "end_date": dates(end_all),
    })
