"""Field data: feedback, promises made in deals, sales activity, quarterly forecasts.

* Feedback: win/loss notes on a sample of closed deals, debriefs after late-stage
  losses, community posts. A healthy company gives most an owner, answers within two
  weeks and records a change for some.
* Commitments: promises made once a deal reaches Proposal. Healthy: engineering signs
  off nearly all, few name roadmap capabilities.
* Activities: daily counts per rep and kind. Healthy: they follow the pipeline; in the
  architecture scenario they climb several-fold while pipeline stays flat.
* Forecasts: commit (and best case) per quarter, by the VP and segment managers, against
  the bookings the CRM actually records; the honesty scenario runs them hot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from throughline.sample import vocabulary as V
from throughline.sample.crm import Deals
from throughline.sample.plan import Plan
from throughline.sample.seeding import categorical, stream
from throughline.sample.writer import dates, pick

NewIds = Callable[[int], pa.Array]
FEEDBACK_KINDS = ("win_loss", "debrief", "community")
LOSS_DETAIL = ("Buyer said the timing was wrong", "They compared us line by line",
               "Champion left mid-cycle", "Procurement asked for a discount we could not give",
               "Security review stalled", "They kept their spreadsheet process")
WIN_DETAIL = ("Fast pilot convinced the team", "Reference call sealed it",
              "Integration worked on day one", "Clear pricing helped")
COMMUNITY_TOPICS = ("How do I export {cap} data?", "Feature request: more {cap} options",
                    "Tips for rolling out {cap}", "Bug? {cap} slow this week",
                    "Best practice for {cap} permissions")
COMMIT_KINDS = ("feature", "custom_config", "integration", "sla", "other")
COMMIT_KIND_WEIGHT = (0.45, 0.2, 0.2, 0.1, 0.05)
MADE_BY = ("AE", "SE", "VP Sales", "Founder")
ACTIVITY_KINDS = ("email", "call", "sequence_step", "meeting")
ACTIVITY_BASE = {"outbound": (22.0, 9.0, 35.0, 1.6), "inbound": (18.0, 6.0, 0.0, 3.2)}
MANAGERS = ("Manager SMB", "Manager Mid-Market", "Manager Enterprise")


def _responses(rng: np.random.Generator, plan: Plan, recorded: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner index or -1, responded day or NaN, change recorded) per feedback item."""
    k = plan.knobs
    ref = float(plan.company.ref_day)
    n = len(recorded)
    owned = rng.random(n) < k.feedback_owner
    owner = np.where(owned, rng.integers(0, len(V.PM_OWNERS), n), -1)
    prompt = owned & (rng.random(n) < k.feedback_response)
    late = owned & ~prompt & (rng.random(n) < 0.5)
    responded = np.where(prompt, recorded + np.ceil(rng.gamma(2.0, 2.5, n)),
                         np.where(late, recorded + rng.integers(20, 60, n), np.nan))
    responded = np.where(responded < ref, responded, np.nan)
    change = np.isfinite(responded) & (rng.random(n) < k.feedback_change / k.feedback_response)
    return owner, responded, change


def feedback_table(rng: np.random.Generator, plan: Plan, d: Deals, reason: np.ndarray,
                   opp_ids: pa.Array, account_ids: pa.Array, new_ids: NewIds) -> pa.Table:
    """Win/loss notes on ~18% of closed new-business deals, debriefs after some
    late-stage losses."""
    ref = float(plan.company.ref_day)
    n = len(d)
    lost = d.closed & ~d.won
    wl = d.closed & ~d.upsell & (rng.random(n) < 0.18)
    debrief = lost & (d.last >= 3) & (rng.random(n) < 0.25)
    rows = np.concatenate([np.flatnonzero(wl), np.flatnonzero(debrief)])
    kind = np.concatenate([np.zeros(wl.sum(), np.int64), np.ones(debrief.sum(), np.int64)])
    recorded = np.floor(d.exit[rows]) + rng.integers(2, 22, len(rows))
    keep = recorded < ref
    rows, kind, recorded = rows[keep], kind[keep], recorded[keep]
    order = np.lexsort((kind, recorded))
    rows, kind, recorded = rows[order], kind[order], recorded[order]
    won = d.won[rows]
    owner, responded, change = _responses(rng, plan, recorded)
    m = len(rows)
    r = reason[rows]
    text_idx = np.where(won, rng.integers(0, len(WIN_DETAIL), m),
                        len(WIN_DETAIL) + rng.integers(0, len(LOSS_DETAIL), m))
    win_reason = rng.integers(0, len(V.WIN_REASONS), m)
    labels = V.WIN_REASONS + V.LOSS_REASONS
    reason_idx = np.where(won, win_reason, len(V.WIN_REASONS) + np.maximum(r, 0))
    return pa.table({
        "feedback_id": new_ids(m),
        "kind": pick(FEEDBACK_KINDS, kind),
        "opportunity_id": opp_ids.take(pa.array(rows)),
        "account_id": account_ids.take(pa.array(rows)),
        "recorded_at": dates(recorded),
        "outcome": pick(("lost", "won"), won.astype(np.int64)),
        "reason": pick(labels, reason_idx, null=~won & (r < 0)),
        "text": pick(WIN_DETAIL + LOSS_DETAIL, text_idx),
        "owner": pick(V.PM_OWNERS, np.maximum(owner, 0), null=owner < 0),
        "responded_at": dates(responded),
        "change_recorded": pa.array(change),
    })


def community_table(plan: Plan, new_ids: NewIds) -> pa.Table:
    """Community posts, a few a week, about the product's capabilities."""
    c = plan.company
    rng = stream(c.seed, "community:" + plan.scenario.name)
    span = c.ref_day - c.start_day
    n = int(rng.poisson(span / 7 * 2.5 * max(c.scale, 0.1) ** 0.5))
    day = np.sort(c.start_day + np.floor(rng.random(n) * span))
    caps = c.domain.capabilities
    cap = rng.integers(0, len(caps), n)
    topic = rng.integers(0, len(COMMUNITY_TOPICS), n)
    text = [COMMUNITY_TOPICS[t].format(cap=caps[i].name) for t, i in zip(topic.tolist(),
                                                                          cap.tolist())]
    owner, responded, change = _responses(rng, plan, day)
    return pa.table({
        "feedback_id": new_ids(n),
        "kind": pa.array(["community"] * n, type=pa.string()),
        "opportunity_id": pa.nulls(n, pa.string()),
        "account_id": pa.nulls(n, pa.string()),
        "recorded_at": dates(day),
        "outcome": pa.nulls(n, pa.string()),
        "reason": pa.nulls(n, pa.string()),
        "text": pa.array(text, type=pa.string()),
        "owner": pick(V.PM_OWNERS, np.maximum(owner, 0), null=owner < 0),
        "responded_at": dates(responded),
        "change_recorded": pa.array(change),
    })


def commitments_table(rng: np.random.Generator, plan: Plan, d: Deals, cap_status: list[str],
                      opp_ids: pa.Array, account_ids: pa.Array, new_ids: NewIds) -> pa.Table:
    """Promises made after a deal reached Proposal (about one deal in eight)."""
    k = plan.knobs
    ref = float(plan.company.ref_day)
    caps = plan.company.domain.capabilities
    status = np.asarray(cap_status)
    roadmap = np.flatnonzero(status != "ga")
    ga = np.flatnonzero(status == "ga")
    if len(ga) == 0:
        ga = np.arange(len(caps))
    if len(roadmap) == 0:
        roadmap = ga
    rows = np.flatnonzero((d.last >= 3) & (rng.random(len(d)) < 0.13))
    made = np.floor(d.entry[rows, 3]) + rng.integers(0, 10, len(rows))
    rows, made = rows[made < ref], made[made < ref]
    m = len(rows)
    kind = categorical(rng, COMMIT_KIND_WEIGHT, m)
    on_roadmap = rng.random(m) < k.commitment_roadmap
    cap = np.where(on_roadmap, roadmap[rng.integers(0, len(roadmap), m)],
                   ga[rng.integers(0, len(ga), m)])
    signoff = rng.random(m) < k.commitment_signoff
    due = made + rng.integers(30, 150, m)
    lost = d.closed[rows] & ~d.won[rows]
    u = rng.random(m)
    state = np.where(due >= ref, 0, np.where(u < 0.85, 1, np.where(u < 0.95, 2, 3)))
    state = np.where(lost, 3, state)
    cap_name = np.asarray([cp.name for cp in caps])[cap]
    what = np.asarray(["delivered for their rollout", "configured for their team",
                       "connected to their stack", "backed by a response-time SLA",
                       "included at no extra cost"])[kind]
    return pa.table({
        "commitment_id": new_ids(m),
        "opportunity_id": opp_ids.take(pa.array(rows)),
        "account_id": account_ids.take(pa.array(rows)),
        "made_by": pick(MADE_BY, categorical(rng, (0.6, 0.25, 0.1, 0.05), m)),
        "made_at": dates(made),
        "kind": pick(COMMIT_KINDS, kind),
        "capability": pick([cp.cid for cp in caps], cap),
        "description": pa.array(np.char.add(np.char.add(cap_name, " "), what).tolist(),
                                type=pa.string()),
        "engineering_signoff": pa.array(signoff),
        "due_date": dates(due),
        "status": pick(("open", "delivered", "missed", "cancelled"), state),
        "amount_at_stake": pa.array(d.amount[rows]),
    })


def activity_tables(plan: Plan, block: int = 100) -> Iterator[pa.Table]:
    """Daily activity counts per rep, kind and motion, yielded in blocks of reps."""
    c = plan.company
    starts, _ = c.month_bounds()
    all_days = np.arange(c.start_day, c.ref_day)
    dow = (all_days + 3) % 7
    days = all_days[dow < 5]
    month = np.searchsorted(starts, days, side="right") - 1
    md = (days.astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12,
          (days - days.astype("datetime64[D]").astype("datetime64[M]")
           .astype("datetime64[D]").astype(np.int64)))
    holiday = ((md[0] == 11) & (md[1] >= 23)) | ((md[0] == 0) & (md[1] == 0))
    intensity = plan.activity[month] * np.where(holiday, 0.2, 1.0)
    n_reps = len(plan.staff.ids)
    for b0 in range(0, n_reps, block):
        reps = np.arange(b0, min(b0 + block, n_reps))
        rng = stream(c.seed, "activities:" + plan.scenario.name, b0)
        factor = np.exp(rng.normal(0, 0.25, len(reps)))
        out = plan.staff.outbound[reps]
        base = np.where(out[:, None], np.asarray(ACTIVITY_BASE["outbound"]),
                        np.asarray(ACTIVITY_BASE["inbound"]))  # (reps, kinds)
        lam = (factor[:, None, None] * base[:, None, :] * intensity[None, :, None])
        counts = rng.poisson(lam)  # (reps, days, kinds)
        r, t, kk = np.nonzero(counts)
        yield pa.table({
            "activity_date": dates(days[t]),
            "owner": pa.array(plan.staff.ids[reps[r]].tolist(), type=pa.string()),
            "kind": pick(ACTIVITY_KINDS, kk),
            "motion": pick(("inbound", "outbound"), out[r].astype(np.int64)),
            "count": pa.array(counts[r, t, kk]),
        })


def forecasts_table(plan: Plan, bookings: np.ndarray, quarter_starts: np.ndarray) -> pa.Table:
    """Commit forecasts three times a quarter by each segment manager (they add up to the
    company's commit; owners do not overlap) plus the VP's best case early in the quarter.
    ``bookings[q, segment]`` is what the CRM shows as won in each quarter."""
    c, k = plan.company, plan.knobs
    rng = stream(c.seed, "forecasts:" + plan.scenario.name)
    ref = c.ref_day
    rows: list[tuple[int, int, int, str, float, str]] = []
    for q in range(1, len(quarter_starts) - 1):
        q0, q1 = int(quarter_starts[q]), int(quarter_starts[q + 1])
        if q0 >= ref:
            break
        elapsed = (min(ref, q1) - q0) / (q1 - q0)
        actual = bookings[q] / max(elapsed, 0.05)
        for i, offset in enumerate((6, 34, 62)):
            sub = q0 + offset
            if sub >= ref:
                break
            if k.forecast_bias > 1.2:  # optimistic: stays hot all quarter
                bias = k.forecast_bias * (1 - 0.03 * i) * np.exp(rng.normal(0, 0.05))
            else:  # calibrated: converges on the outcome as the quarter runs
                bias = (1 + (k.forecast_bias - 1) * (1 - 0.3 * i)) * np.exp(
                    rng.normal(0, 0.06 / (i + 1)))
            commits = 0.0
            for s, who in enumerate(MANAGERS):
                amount = round(float(actual[s] * bias * np.exp(rng.normal(0, 0.08))), -2)
                commits += amount
                rows.append((q0, q1, sub, who, amount, "commit"))
            if i == 0:
                rows.append((q0, q1, sub + 1, "VP Sales",
                             round(commits * (1.18 + 0.1 * rng.random()), -2), "best_case"))
    cols: list[tuple[Any, ...]] = list(zip(*rows)) if rows else [() for _ in range(6)]
    return pa.table({
        "period_start": dates(np.asarray(cols[0], dtype=float)),
        "period_end": dates(np.asarray(cols[1], dtype=float)),
        "submitted_at": dates(np.asarray(cols[2], dtype=float)),
        "owner": pa.array(list(cols[3]), type=pa.string()),
        "amount": pa.array(np.asarray(cols[4], dtype=float)),
        "category": pa.array(list(cols[5]), type=pa.string()),
    })
