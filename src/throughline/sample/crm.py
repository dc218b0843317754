"""CRM: accounts, opportunities and their stage history (Salesforce exports), per chunk.

A deal walks the stage ladder Prospecting → Qualification → Discovery → Proposal →
Negotiation → Closed Won, advancing from each stage with a probability. In a healthy
company those probabilities are *calibrated*: of the deals that reach a stage, the share
eventually won equals the probability the CRM shows for it (10/20/40/60/80%). Lead
quality (motion, segment) only acts at the deal's first qualification step, so the
calibration of later stages holds whatever the channel mix. The honesty scenario keeps
the CRM's labels but lowers the later advance probabilities, makes first close dates
optimistic and leaves dead late-stage deals open ("zombies") with upbeat notes.

History rows are what Salesforce's OpportunityHistory records: one row when the deal is
created and one at each stage change, plus rows when the close date or amount is edited.
Close date and amount move from the rep's first estimate to the final value across the
edits, so an optimistic first estimate shows as a run of pushes.

All of it is vectorised over the deals of one chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from throughline.sample import vocabulary as V
from throughline.sample.plan import Plan
from throughline.sample.seeding import categorical, categorical_rows, group_starts, segment_cumsum
from throughline.sample.writer import dates, flags, money, pick, sf_datetime

CALIBRATED_ADVANCE = np.array([0.5, 0.5, 2 / 3, 0.75, 0.8])
START_STAGE_BY_MOTION = {  # P(created in Prospecting, Qualification, Discovery)
    "outbound": (0.75, 0.25, 0.0), "inbound": (0.3, 0.55, 0.15),
    "referral": (0.0, 0.5, 0.5), "partner": (0.0, 0.6, 0.4),
    "product_led": (0.4, 0.5, 0.1), "unknown": (0.5, 0.4, 0.1),
}
MOTIONS = tuple(dict.fromkeys(s.motion for s in V.LEAD_SOURCES))
SOURCE_MOTION = np.array([MOTIONS.index(s.motion) for s in V.LEAD_SOURCES])
SOURCE_PULL = np.array([s.motion in V.PULL_MOTIONS for s in V.LEAD_SOURCES])
PRODUCTS = ("Platform", "Growth Plan", "Enterprise Suite", "Team Plan", "Add-on")


@dataclass
class Deals:
    """One chunk's opportunities as parallel arrays (days are fractional day numbers)."""

    created: np.ndarray
    start: np.ndarray  # first stage (0..4)
    last: np.ndarray  # last open stage reached (0..4)
    won: np.ndarray
    entry: np.ndarray  # (n, 5) day each open stage was entered; NaN if never
    exit: np.ndarray  # day the deal closes (may lie beyond the reference date)
    closed: np.ndarray
    stage: np.ndarray  # current stage index into V.STAGES
    close_day: np.ndarray  # CloseDate in the export (actual or currently expected)
    first_close: np.ndarray  # the rep's first close-date estimate
    amount: np.ndarray
    first_amount: np.ndarray
    zombie: np.ndarray
    source: np.ndarray
    segment: np.ndarray
    persona: np.ndarray
    owner: np.ndarray
    account: np.ndarray  # index into the chunk's accounts
    upsell: np.ndarray

    def __len__(self) -> int:
        return len(self.created)

    def take(self, order: np.ndarray) -> Deals:
        return Deals(**{k: v[order] for k, v in vars(self).items()})

    @staticmethod
    def concat(a: Deals, b: Deals) -> Deals:
        return Deals(**{k: np.concatenate([v, getattr(b, k)]) for k, v in vars(a).items()})


@dataclass
class Accounts:
    """The chunk's new-business accounts (one per new-business deal)."""

    created: np.ndarray
    segment: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    country: np.ndarray
    source: np.ndarray


def _workday(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """Move most weekend days to the nearest weekday (offices create deals on weekdays)."""
    dow = (np.floor(day).astype(np.int64) + 3) % 7  # 0 = Monday
    shift = np.where(dow == 5, -1, np.where(dow == 6, 1, 0))
    move = rng.random(len(day)) < 0.92
    return day + np.where(move, shift, 0)


def office_time(day: np.ndarray) -> np.ndarray:
    """Map a fractional day onto 08:00–18:00 of the same date (monotone)."""
    whole = np.floor(day)
    return whole + 8 / 24 + (day - whole) * 10 / 24


def simulate(rng: np.random.Generator, plan: Plan, created: np.ndarray, start: np.ndarray,
             quality: np.ndarray, segment: np.ndarray) -> dict[str, np.ndarray]:
    """Walk each deal up the stages; return stage entries, outcome and timing."""
    k = plan.knobs
    n = len(created)
    ref = float(plan.company.ref_day)
    cols = np.arange(5)[None, :]
    adv_p = np.tile(CALIBRATED_ADVANCE * k.stage_factor, (n, 1))
    rows = np.arange(n)
    adv_p[rows, start] *= quality
    adv_p = np.clip(adv_p, 0.0, 0.97)
    adv = (rng.random((n, 5)) < adv_p) | (cols < start[:, None])
    reached = np.cumprod(adv, axis=1).sum(axis=1)  # index of the first failed step
    won = reached == 5
    last = np.minimum(reached, 4)
    mean = np.asarray(V.SEGMENT_STAGE_DAYS)[segment][:, None] * np.asarray(V.STAGE_WEIGHT)
    dur = rng.gamma(2.0, mean / 2.0)
    dur[cols < start[:, None]] = 0.0
    lost = ~won
    linger = np.where(lost, rng.uniform(1.0, 2.5, n), 1.0)
    zombie = lost & (last >= 3) & (rng.random(n) < k.zombie_share)
    linger = np.where(zombie, rng.uniform(4.0, 9.0, n), linger)
    dur[rows, last] *= linger
    dur[cols > last[:, None]] = 0.0
    csum = np.cumsum(dur, axis=1)
    before = np.concatenate([np.zeros((n, 1)), csum[:, :-1]], axis=1)
    entry = created[:, None] + before
    entry[(cols < start[:, None]) | (cols > last[:, None])] = np.nan
    exit_day = created + csum[:, 4]
    closed = exit_day < ref
    entered = np.nan_to_num(entry, nan=np.inf) <= ref
    current = np.where(closed, np.where(won, V.WON, V.LOST),
                       start + entered.sum(axis=1) - 1)
    cycle = exit_day - created
    first_close = created + cycle * (1 - k.optimism) * np.exp(rng.normal(0, 0.15, n))
    open_ = ~closed
    expected = ref + (exit_day - ref) * (1 - k.optimism) + rng.normal(0, 4, n)
    expected = np.where(zombie, ref + rng.uniform(-20, 35, n), expected)
    if k.clip_close_dates:
        expected = np.maximum(expected, ref + rng.uniform(1, 20, n))
        first_close = np.maximum(first_close, created + 7)
    close_day = np.floor(np.where(open_, expected, exit_day))
    return {"start": start, "last": last, "won": won, "entry": entry, "exit": exit_day,
            "closed": closed, "stage": current.astype(np.int64), "close_day": close_day,
            "first_close": np.floor(first_close), "zombie": zombie & open_}


def _amounts(rng: np.random.Generator, segment: np.ndarray, scale: float = 1.0
             ) -> tuple[np.ndarray, np.ndarray]:
    """(final, first) amounts: log-normal ACV per segment, rounded like reps round."""
    acv = np.asarray(V.SEGMENT_ACV)[segment] * scale * np.exp(rng.normal(0, 0.45, len(segment)))
    step = np.where(acv < 20_000, 100.0, 500.0)
    final = np.maximum(np.round(acv / step) * step, 500.0)
    first = np.maximum(np.round(final * rng.uniform(0.85, 1.25, len(segment)) / step) * step,
                       500.0)
    return final, first


def _owners(rng: np.random.Generator, plan: Plan, outbound: np.ndarray) -> np.ndarray:
    out_reps = np.flatnonzero(plan.staff.outbound)
    in_reps = np.flatnonzero(~plan.staff.outbound)
    pick_out = out_reps[rng.integers(0, len(out_reps), len(outbound))]
    pick_in = in_reps[rng.integers(0, len(in_reps), len(outbound))]
    return np.where(outbound, pick_out, pick_in)


def new_business(rng: np.random.Generator, plan: Plan, n: int) -> tuple[Deals, Accounts]:
    """``n`` new-business deals (one new account each), following the monthly plan."""
    c = plan.company
    starts, ends = c.month_bounds()
    per_month = rng.multinomial(n, plan.volume)
    month = np.repeat(np.arange(c.months), per_month)
    day = starts[month] + rng.random(n) * (ends[month] - starts[month])
    day = np.minimum(_workday(rng, day), c.ref_day - 0.5)
    order = np.argsort(day, kind="stable")
    day, month = day[order], month[order]
    source = categorical_rows(rng, plan.source_share[month])
    motion = SOURCE_MOTION[source]
    tilt = np.array([V.MOTION_SEGMENT_TILT[m] for m in MOTIONS])[motion]
    segment = categorical_rows(rng, plan.segment_weight[month] * tilt)
    start_p = np.array([START_STAGE_BY_MOTION[m] + (0.0, 0.0) for m in MOTIONS])[motion]
    start = categorical_rows(rng, start_p)
    q = (np.array([V.MOTION_QUALITY[m] for m in MOTIONS])[motion]
         * plan.knobs.segment_quality[segment] * np.exp(rng.normal(0, 0.15, n)))
    q /= q.mean()
    sim = simulate(rng, plan, day, start, q, segment)
    amount, first_amount = _amounts(rng, segment)
    persona = categorical_rows(rng, np.asarray(V.SEGMENT_PERSONA)[segment])
    owner = _owners(rng, plan, motion == MOTIONS.index("outbound"))
    deals = Deals(created=day, amount=amount, first_amount=first_amount, source=source,
                  segment=segment, persona=persona, owner=owner, account=np.arange(n),
                  upsell=np.zeros(n, dtype=bool), **sim)
    industry = categorical_rows(rng, c.industry_by_segment[segment])
    lo = np.log(np.array([r[0] for r in V.SEGMENT_EMPLOYEES]))[segment]
    hi = np.log(np.array([r[1] for r in V.SEGMENT_EMPLOYEES]))[segment]
    employees = np.round(np.exp(lo + rng.random(n) * (hi - lo))).astype(np.int64)
    acc_created = np.maximum(day - rng.exponential(30, n) - rng.random(n),
                             c.start_day - 400 + rng.random(n))
    accounts = Accounts(created=acc_created, segment=segment, industry=industry,
                        employees=employees, country=categorical(rng, V.COUNTRY_WEIGHT, n),
                        source=source)
    return deals, accounts


def upsells(rng: np.random.Generator, plan: Plan, nb: Deals, live_from: np.ndarray,
            live_to: np.ndarray, base_mrr: np.ndarray) -> Deals:
    """Existing-business deals on won accounts while they are customers.

    ``live_from``/``live_to`` are per new-business deal (NaN when not a customer); the
    upsell inherits the account's lead source, as most CRMs copy it from the account.
    """
    k = plan.knobs
    ref = float(plan.company.ref_day)
    span = np.nan_to_num(np.minimum(live_to, ref) - live_from - 45, nan=0.0)
    span = np.maximum(span, 0.0)
    rate = k.upsell_rate[nb.segment] * span / 30.44
    count = rng.poisson(rate)
    acct = np.repeat(np.arange(len(nb)), count)
    m = len(acct)
    created = live_from[acct] + 45 + rng.random(m) * span[acct]
    created = np.minimum(_workday(rng, created), ref - 0.5)
    segment = nb.segment[acct]
    start = np.where(rng.random(m) < 0.7, 2, 3)
    sim = simulate(rng, plan, created, start, np.ones(m), segment)
    acv = base_mrr[acct] * 12 * rng.uniform(0.15, 0.5, m)
    step = np.where(acv < 20_000, 100.0, 500.0)
    amount = np.maximum(np.round(acv / step) * step, 500.0)
    first = np.maximum(np.round(amount * rng.uniform(0.9, 1.2, m) / step) * step, 500.0)
    deals = Deals(created=created, amount=amount, first_amount=first,
                  source=nb.source[acct], segment=segment,
                  persona=categorical_rows(rng, np.asarray(V.SEGMENT_PERSONA)[segment]),
                  owner=_owners(rng, plan, np.zeros(m, dtype=bool)),
                  account=nb.account[acct], upsell=np.ones(m, dtype=bool), **sim)
    return deals


# --- tables ------------------------------------------------------------------------------


def account_table(accounts: Accounts, ids: pa.Array, rng: np.random.Generator,
                  customer: np.ndarray, churned: np.ndarray) -> pa.Table:
    """Account.csv rows (Salesforce API names)."""
    n = len(accounts.created)
    pre = rng.integers(0, len(V.ACCOUNT_PREFIX), n)
    suf = rng.integers(0, len(V.ACCOUNT_SUFFIX), n)
    corp = rng.integers(0, len(V.ACCOUNT_CORP), n)
    names = np.char.add(np.asarray(V.ACCOUNT_PREFIX)[pre], np.asarray(V.ACCOUNT_SUFFIX)[suf])
    names = np.char.add(np.char.add(names, " "),
                        np.asarray(V.INDUSTRY_WORD)[accounts.industry])
    names = np.char.add(np.char.add(names, " "), np.asarray(V.ACCOUNT_CORP)[corp])
    revenue = np.round(accounts.employees * rng.uniform(60_000, 320_000, n), -4)
    channel = V.LEAD_SOURCES[V.SOURCE_LABELS.index("Partner Referral")]
    partner = np.asarray([s.label == channel.label for s in V.LEAD_SOURCES])[accounts.source]
    kind = np.where(churned, 3, np.where(customer, np.where(partner, 2, 1), 0))
    types = ("Prospect", "Customer - Direct", "Customer - Channel", "Former Customer")
    return pa.table({
        "Id": ids,
        "Name": pa.array(names.tolist(), type=pa.string()),
        "Industry": pick(V.INDUSTRIES, accounts.industry),
        "NumberOfEmployees": pa.array(accounts.employees),
        "BillingCountry": pick(V.COUNTRIES, accounts.country),
        "AnnualRevenue": money(revenue),
        "Type": pick(types, kind),
        "CreatedDate": sf_datetime(office_time(accounts.created)),
        "Segment__c": pick(V.SEGMENTS, accounts.segment),
    })


def _next_steps(rng: np.random.Generator, plan: Plan, d: Deals) -> pa.Array:
    k = plan.knobs
    n = len(d)
    ref = float(plan.company.ref_day)
    open_ = ~d.closed
    cur = np.clip(d.stage, 0, 4)
    since = ref - np.nan_to_num(d.entry[np.arange(n), cur], nan=ref)
    stalled = open_ & (since > 2.5 * np.asarray(V.SEGMENT_STAGE_DAYS)[d.segment] + 20)
    p_pos = np.where(stalled, k.positive_stall_notes, 0.35)
    positive = rng.random(n) < p_pos
    bank = V.NEXT_STEP_POSITIVE + V.NEXT_STEP_NEUTRAL
    idx = np.where(positive, rng.integers(0, len(V.NEXT_STEP_POSITIVE), n),
                   len(V.NEXT_STEP_POSITIVE) + rng.integers(0, len(V.NEXT_STEP_NEUTRAL), n))
    blank = (d.closed & (rng.random(n) < 0.75)) | (open_ & (rng.random(n) < 0.08))
    if k.blank_next_step:
        blank[:] = True
    return pick(bank, idx, null=blank)


def loss_reasons(rng: np.random.Generator, plan: Plan, d: Deals) -> np.ndarray:
    """Index into ``V.LOSS_REASONS`` per deal; -1 when not lost or left blank. Outbound
    deals die of indecision and silence more often than referred ones."""
    n = len(d)
    weights = np.tile(np.asarray(V.LOSS_WEIGHT), (n, 1))
    outbound = SOURCE_MOTION[d.source] == MOTIONS.index("outbound")
    weights[outbound, 1] *= 1.6
    weights[outbound, 6] *= 1.8
    reason = categorical_rows(rng, weights)
    lost = d.closed & ~d.won
    blank = ~lost | (rng.random(n) < plan.knobs.blank_loss_reason)
    return np.where(blank, -1, reason)


def opportunity_table(rng: np.random.Generator, plan: Plan, d: Deals, reason: np.ndarray,
                      ids: pa.Array, account_ids: pa.Array, account_names: pa.Array
                      ) -> pa.Table:
    """Opportunity.csv rows (Salesforce API names, current state at the export date)."""
    n = len(d)
    no_reason = reason < 0
    product = np.where(d.upsell, 4, np.minimum(d.segment + rng.integers(0, 2, n), 3))
    names = pc.binary_join_element_wise(account_names, pick(PRODUCTS, product), " - ")
    return pa.table({
        "Id": ids,
        "AccountId": account_ids,
        "Name": names,
        "StageName": pick(V.STAGES, d.stage),
        "Amount": money(d.amount),
        "Probability": pa.array(np.asarray(V.STAGE_PROBABILITY)[d.stage]),
        "ForecastCategoryName": pick(V.FORECAST_CATEGORY, d.stage),
        "CloseDate": dates(d.close_day),
        "CreatedDate": sf_datetime(office_time(d.created)),
        "LeadSource": pick(V.SOURCE_LABELS, d.source, null=d.source == V.BLANK_SOURCE),
        "IsClosed": flags(d.closed, as_text=True),
        "IsWon": flags(d.won & d.closed, as_text=True),
        "Type": pick(("New Business", "Existing Business"), d.upsell.astype(np.int64)),
        "OwnerId": pa.array(plan.staff.ids[d.owner].tolist(), type=pa.string()),
        "NextStep": _next_steps(rng, plan, d),
        "Loss_Reason__c": pick(V.LOSS_REASONS, np.maximum(reason, 0), null=no_reason),
        "Primary_Persona__c": pick(V.PERSONAS, d.persona,
                                   null=np.full(n, plan.knobs.blank_persona)),
        "Segment__c": pick(V.SEGMENTS, d.segment),
    })


def history_table(rng: np.random.Generator, plan: Plan, d: Deals, opp_ids: pa.Array,
                  new_ids: Callable[[int], pa.Array]) -> pa.Table:
    """OpportunityHistory.csv: creation, stage changes, close-date/amount edits, close."""
    k = plan.knobs
    n = len(d)
    ref = float(plan.company.ref_day)
    entered = np.isfinite(d.entry) & (np.nan_to_num(d.entry, nan=np.inf) < ref)
    s_opp, s_stage = np.nonzero(entered)
    s_time = d.entry[s_opp, s_stage]
    c_opp = np.flatnonzero(d.closed)
    c_time = d.exit[c_opp]
    c_stage = d.stage[c_opp]
    live_end = np.minimum(d.exit, ref - 0.01)
    open_days = np.maximum(live_end - d.created, 0)
    late = np.where(d.last >= 3, 1.5, 1.0) if not k.clip_close_dates else 1.0
    edits = np.minimum(rng.poisson(k.edit_rate * late * open_days / 30.0), 15)
    e_opp = np.repeat(np.arange(n), edits)
    e_time = d.created[e_opp] + rng.random(len(e_opp)) * open_days[e_opp]
    e_entries = np.nan_to_num(d.entry[e_opp], nan=np.inf)
    e_stage = d.start[e_opp] + (e_entries <= e_time[:, None]).sum(axis=1) - 1
    e_stage = np.maximum(e_stage, d.start[e_opp])
    opp = np.concatenate([s_opp, e_opp, c_opp])
    time = np.concatenate([s_time, e_time, c_time])
    stage = np.concatenate([s_stage, e_stage, c_stage])
    kind = np.concatenate([np.zeros(len(s_opp)), np.ones(len(e_opp)), np.full(len(c_opp), 2)])
    order = np.lexsort((kind, time, opp))
    opp, time, stage, kind = opp[order], time[order], stage[order], kind[order]
    m = len(opp)
    # each edit moves either the close date or the amount one step toward its final value
    moves_close = (kind == 1) & (rng.random(m) < k.close_edit_share)
    moves_amount = (kind == 1) & ~moves_close
    starts = group_starts(opp)
    n_close = np.bincount(opp, weights=moves_close, minlength=n)
    n_amount = np.bincount(opp, weights=moves_amount, minlength=n)
    frac_close = segment_cumsum(moves_close.astype(float), starts) / np.maximum(n_close[opp], 1)
    frac_amount = (segment_cumsum(moves_amount.astype(float), starts)
                   / np.maximum(n_amount[opp], 1))
    close = np.floor(d.first_close[opp] + (d.close_day[opp] - d.first_close[opp]) * frac_close)
    if k.clip_close_dates:
        close = np.where(kind == 2, close, np.maximum(close, np.floor(time) + 1))
    close = np.where(kind == 2, np.floor(d.exit[opp]), close)
    amount = d.first_amount[opp] + (d.amount[opp] - d.first_amount[opp]) * frac_amount
    amount = np.where(kind == 2, d.amount[opp], np.round(amount / 100) * 100)
    # the latest row always carries the deal's current close date and amount
    latest = np.append(opp[1:] != opp[:-1], True) if m else np.zeros(0, dtype=bool)
    close = np.where(latest, d.close_day[opp], close)
    amount = np.where(latest, d.amount[opp], amount)
    return pa.table({
        "Id": new_ids(m),
        "OpportunityId": opp_ids.take(pa.array(opp)),
        "StageName": pick(V.STAGES, stage),
        "Amount": money(amount),
        "CloseDate": dates(close),
        "Probability": pa.array(np.asarray(V.STAGE_PROBABILITY)[stage]),
        "ForecastCategory": pick(V.FORECAST_CATEGORY, stage),
        "CreatedDate": sf_datetime(office_time(time)),
    })
