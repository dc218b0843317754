"""A small synthetic company for the families-A tests: healthy by default, with optional
planted problems, so tests can check that signals fire when planted and stay quiet when not.

This is test scaffolding, not the product's sample generator: it plants each symptom in the
plainest way the diagnostics' definitions allow (see each ``plant`` branch).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import ibis
import numpy as np
import pandas as pd

from throughline.evidence import SCHEMA
from throughline.store import EvidenceStore

AS_OF = date(2025, 6, 30)
FIRST_MONTH = date(2023, 1, 1)
MONTHS = 30
CHANNELS = {"outbound_sdr": "outbound", "webinar": "inbound", "paid_search": "inbound",
            "customer_referral": "referral", "partners": "partner"}
BASE_SHARES = np.array([0.3, 0.2, 0.2, 0.15, 0.15])
STAGES = ["Qualify", "Discovery", "Proposal", "Negotiation"]
STATED = [25.0, 40.0, 60.0, 80.0]
SEGMENTS = ["smb", "mid_market", "enterprise"]
PLANTS = {"distribution", "honesty", "messaging", "architecture", "positioning"}


def _month(i: int) -> date:
    y, m = divmod(FIRST_MONTH.month - 1 + i, 12)
    return date(FIRST_MONTH.year + y, m + 1, 1)


def synthetic_frames(seed: int, plant: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
    plant = set(plant)
    unknown = plant - PLANTS
    if unknown:
        raise ValueError(f"unknown plant: {unknown}")
    rng = np.random.default_rng(seed)
    opps, hist, subs, nps, ttv, accounts = [], [], [], [], [], []
    # calibrated advance probabilities: P(win | reached S) equals the stated probability
    advance = [STATED[i] / STATED[i + 1] for i in range(3)] + [STATED[3] / 100]
    if "honesty" in plant:
        advance = [0.5, 0.5, 0.55, 0.45]
    names = list(CHANNELS)
    for mi in range(MONTHS):
        m0 = _month(mi)
        volume = 60 if "architecture" in plant else int(60 * 1.01 ** mi)
        n = int(rng.poisson(volume))
        if "distribution" in plant:
            shares = rng.dirichlet(BASE_SHARES * 4)
            if mi >= MONTHS // 2:
                shares[4] = 0.0  # partners die half-way
            shares = shares / shares.sum()
        elif "architecture" in plant:
            shares = np.array([0.8, 0.05, 0.05, 0.05, 0.05])
        else:
            shares = BASE_SHARES
        smb_p = 0.3 + (0.4 * mi / MONTHS if "positioning" in plant else 0.0)
        seg_p = np.array([smb_p, (1 - smb_p) * 0.6, (1 - smb_p) * 0.4])
        unknown_p = (0.1 + 0.45 * mi / MONTHS) if "messaging" in plant else 0.02
        for j in range(n):
            oid = f"o{mi}_{j}"
            aid = f"a{mi}_{j}"
            created = m0 + timedelta(days=int(rng.integers(0, 28)))
            ch = names[int(rng.choice(5, p=shares))]
            motion = CHANNELS[ch]
            if rng.random() < unknown_p:
                ch = "unknown"
            seg = SEGMENTS[int(rng.choice(3, p=seg_p))]
            accounts.append({"account_id": aid, "segment": seg,
                             "industry": ["fintech", "retail", "health", "logistics"][
                                 int(rng.integers(0, 4))],
                             "region": ["emea", "na", "apac"][int(rng.integers(0, 3))]})
            reached, won = 1, False
            while True:
                if rng.random() >= advance[reached - 1]:
                    break
                if reached == 4:
                    won = True
                    break
                reached += 1
            cycle = max(5, int(rng.gamma(4, 15)))
            close = created + timedelta(days=cycle)
            amount = float(round(rng.lognormal(10, 0.5), 2))
            is_closed = close <= AS_OF
            steps = [created + timedelta(days=int(cycle * k / (reached + 1)))
                     for k in range(reached)]
            if "honesty" in plant:
                first_close = created + timedelta(days=30)
                closes = [first_close + timedelta(days=25 * k) for k in range(reached)]
            else:  # one honest estimate, occasionally moved once in either direction
                closes = [close + timedelta(days=int(rng.normal(0, 2)))] * reached
                if reached > 1 and rng.random() < 0.2:
                    shift = timedelta(days=int(rng.choice([-10, 10])))
                    closes = closes[:1] + [c + shift for c in closes[1:]]
            for k in range(reached):
                if steps[k] > AS_OF:
                    break
                cat = "Commit" if k == 3 else ("Best Case" if k == 2 else "Pipeline")
                hist.append({"history_id": f"{oid}_{k}", "opportunity_id": oid,
                             "stage": STAGES[k], "changed_at": datetime.combine(
                                 steps[k], datetime.min.time()) + timedelta(hours=9),
                             "close_date": closes[k], "probability": STATED[k],
                             "forecast_category": cat, "amount": amount})
            if is_closed:
                hist.append({"history_id": f"{oid}_c", "opportunity_id": oid,
                             "stage": "Closed Won" if won else "Closed Lost",
                             "changed_at": datetime.combine(close, datetime.min.time())
                             + timedelta(hours=17), "close_date": close,
                             "probability": 100.0 if won else 0.0,
                             "forecast_category": "Closed" if won else "Omitted",
                             "amount": amount})
            stage = ("Closed Won" if won else "Closed Lost") if is_closed else \
                STAGES[max(0, sum(1 for s in steps if s <= AS_OF) - 1)]
            lost_like = is_closed and not won
            p_pos = (0.8 if lost_like else 0.3) if "honesty" in plant else \
                (0.2 if lost_like else 0.5)
            note = "Champion is excited, budget confirmed" if rng.random() < p_pos else \
                "Send security questionnaire"
            opps.append({"opportunity_id": oid, "account_id": aid, "channel": ch,
                         "lead_source": ch, "motion": motion, "segment": seg,
                         "persona": ["vp_sales", "cfo", "ops"][int(rng.integers(0, 3))],
                         "stage": stage, "amount": amount, "is_closed": is_closed,
                         "is_won": bool(won and is_closed), "created_date": created,
                         "close_date": close if is_closed else closes[-1],
                         "next_step": note})
            if won and is_closed:
                hazard = {"smb": 0.08, "mid_market": 0.01, "enterprise": 0.004}[seg] \
                    if "positioning" in plant else 0.006
                life = int(rng.geometric(hazard)) * 30
                end = close + timedelta(days=life)
                end_v = end if end <= AS_OF else None
                subs.append({"subscription_id": f"s{oid}", "account_id": aid,
                             "mrr": round(amount / 12, 2), "start_date": close,
                             "end_date": end_v})
                if rng.random() < 0.25:
                    exp_start = close + timedelta(days=int(rng.integers(60, 300)))
                    if exp_start <= AS_OF and (end_v is None or exp_start < end_v):
                        subs.append({"subscription_id": f"x{oid}", "account_id": aid,
                                     "mrr": round(amount / 40, 2), "start_date": exp_start,
                                     "end_date": end_v})
                answered = close + timedelta(days=90)
                if answered <= AS_OF and rng.random() < 0.6:
                    score = int(rng.choice([10, 9, 8, 7, 5, 3], p=[.3, .2, .15, .15, .1, .1]))
                    nps.append({"response_id": f"n{oid}", "account_id": aid,
                                "responded_at": answered, "score": score})
                fv = close + timedelta(days=int(rng.gamma(2, 10)))
                ttv.append({"account_id": aid, "signed_at": close,
                            "first_value_at": fv if fv <= AS_OF and rng.random() > 0.1
                            else None})
    o = pd.DataFrame(opps)
    activities = []
    for mi in range(MONTHS):
        base = 2000 * (1.06 ** mi if "architecture" in plant else 1.01 ** mi)
        activities.append({"activity_date": _month(mi), "owner": "team", "kind": "email",
                           "motion": "outbound", "count": int(rng.poisson(base))})
    won = o[o.is_won]
    q = pd.to_datetime(won.close_date).dt.to_period("Q")
    actual = won.groupby(q)["amount"].sum()
    forecasts = []
    for period, value in actual.items():
        start = period.start_time.date()
        end = (period + 1).start_time.date()
        if end > AS_OF + timedelta(days=1):
            continue
        factor = 1.4 if "honesty" in plant else 1.0
        forecasts.append({"period_start": start, "period_end": end,
                          "submitted_at": start + timedelta(days=7), "owner": "VP Sales",
                          "amount": float(value) * factor * float(rng.normal(1, 0.05)),
                          "category": "commit"})
    stated = [{"function": "sales", "attribute": "segment",
               "value": "smb" if "positioning" in plant else "mid_market"}]
    return {"opportunities": o, "stage_history": pd.DataFrame(hist),
            "subscriptions": pd.DataFrame(subs), "nps_responses": pd.DataFrame(nps),
            "time_to_value": pd.DataFrame(ttv), "accounts": pd.DataFrame(accounts),
            "activities": pd.DataFrame(activities), "forecasts": pd.DataFrame(forecasts),
            "stated_icp": pd.DataFrame(stated)}


def load(con: object, frames: dict[str, pd.DataFrame]) -> None:
    """Create the canonical tables on an Ibis backend and insert the frames."""
    for name, df in frames.items():
        schema = ibis.schema({c.name: _dtype(c.type.value) for c in SCHEMA[name].columns})
        con.create_table(name, schema=schema)  # type: ignore[attr-defined]
        if len(df):
            full = pd.DataFrame({c: (df[c] if c in df.columns else [None] * len(df))
                                 for c in schema.names}).astype(object)
            full = full.where(pd.notna(full), None)
            con.insert(name, ibis.memtable(full, schema=schema))  # type: ignore[attr-defined]


def _dtype(kind: str) -> str:
    return {"string": "string", "integer": "int64", "decimal": "float64",
            "boolean": "boolean", "date": "date", "timestamp": "timestamp"}[kind]


def synthetic_store(seed: int = 0, plant: Iterable[str] = ()) -> EvidenceStore:
    """An in-memory DuckDB store of the synthetic company (cached: diagnostics only read)."""
    return _cached_store(seed, tuple(sorted(set(plant))))


@functools.lru_cache(maxsize=16)
def _cached_store(seed: int, plant: tuple[str, ...]) -> EvidenceStore:
    con = ibis.duckdb.connect()
    load(con, synthetic_frames(seed, plant))
    return EvidenceStore(con, "duckdb://:memory:")
