"""Product: capabilities, the feature delivery log, deal↔feature links, NPS, time-to-value.

Features move decided → spec-ready → shipped → enablement-ready; a feature gets a sales
play when enablement is ready. A healthy company turns decisions into specs in about two
weeks and equips sales for nearly every shipped feature, and its shipping rate grows
with its pipeline. The inventory scenario slows decided → spec to many weeks, leaves
most shipped features without a play, and compounds the shipping rate several-fold
while pipeline conversion stays flat. Capability status (ga/beta/roadmap) follows the
features: a capability whose features have not shipped is on the roadmap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from throughline.sample import vocabulary as V
from throughline.sample.billing import Tenure
from throughline.sample.crm import Deals
from throughline.sample.plan import Plan
from throughline.sample.seeding import categorical_rows, stream
from throughline.sample.writer import dates, pick


@dataclass
class Catalogue:
    """Capabilities and features (small: built once per company)."""

    cap_status: list[str]  # per domain capability: ga, beta or roadmap
    feature_ids: list[str]
    feature_cap: np.ndarray
    decided: np.ndarray
    spec: np.ndarray
    shipped: np.ndarray  # NaN when not shipped by the reference date
    enabled: np.ndarray
    play: list[str | None]
    names: list[str]

    @property
    def n(self) -> int:
        return len(self.feature_ids)


def _lognormal(rng: np.random.Generator, median: float, n: int, sigma: float = 0.5
               ) -> np.ndarray:
    return median * np.exp(rng.normal(0, sigma, n))


def catalogue(plan: Plan) -> Catalogue:
    """Draw the feature log and derive capability status from it.

    Shipping dates are drawn first, from a rate that grows by ``feature_growth`` across
    the window (so throughput is exactly what the plan says); spec and decision dates are
    worked back from them. A fifth of the features are still in progress at the export
    date, mostly on the roadmap capabilities.
    """
    c, k = plan.company, plan.knobs
    rng = stream(c.seed, "product:" + plan.scenario.name)
    caps = c.domain.capabilities
    n = k.n_features
    n_done = round(n * 0.8)
    t0, ref = float(c.start_day), float(c.ref_day)
    span = ref - 1 - t0
    rate = np.log(max(k.feature_growth, 1e-3)) / max(span - 91, 1)
    u = np.sort(rng.random(n_done))
    if abs(rate) < 1e-9:
        shipped_done = t0 + u * span
    else:
        shipped_done = t0 + np.log1p(u * np.expm1(rate * span)) / rate
    shipped_done = np.floor(shipped_done)
    spec_done = shipped_done - np.ceil(_lognormal(rng, k.spec_to_ship, n_done))
    decided_done = spec_done - np.ceil(_lognormal(rng, k.decided_to_spec, n_done))
    n_open = n - n_done
    decided_open = np.floor(ref - rng.uniform(5, 150, n_open))
    spec_open = decided_open + np.ceil(_lognormal(rng, k.decided_to_spec, n_open))
    decided = np.concatenate([decided_done, decided_open])
    spec = np.concatenate([spec_done, spec_open])
    shipped = np.concatenate([shipped_done, np.full(n_open, np.nan)])
    order = np.argsort(decided, kind="stable")
    decided, spec, shipped = decided[order], spec[order], shipped[order]
    done = np.isfinite(shipped)
    roadmap = set(rng.choice(len(caps), 3, replace=False).tolist())
    weight = 1.0 / (1 + np.arange(len(caps))) ** 0.6
    live_w = np.where(np.isin(np.arange(len(caps)), list(roadmap)), 0.0, weight)
    open_w = np.where(np.isin(np.arange(len(caps)), list(roadmap)), weight * 4, weight)
    cap = np.where(done, rng.choice(len(caps), n, p=live_w / live_w.sum()),
                   rng.choice(len(caps), n, p=open_w / open_w.sum()))
    has_play = rng.random(n) < k.play_coverage
    enabled = np.where(has_play, shipped + np.ceil(_lognormal(rng, k.ship_to_enable, n)),
                       np.nan)
    spec = np.where(spec < ref, spec, np.nan)
    enabled = np.where(enabled < ref, enabled, np.nan)
    status = []
    for i in range(len(caps)):
        done = shipped[(cap == i) & np.isfinite(shipped)]
        if i in roadmap or len(done) == 0:
            status.append("roadmap")
        elif done.min() > ref - 90:
            status.append("beta")
        else:
            status.append("ga")
    names, plays = [], []
    used: dict[int, int] = {}
    for i in range(n):
        cap_name = caps[int(cap[i])].name
        j = used.get(int(cap[i]), int(rng.integers(len(V.FEATURE_SUFFIXES))))
        used[int(cap[i])] = j + 1
        suffix = V.FEATURE_SUFFIXES[j % len(V.FEATURE_SUFFIXES)]
        extra = f" ({j // len(V.FEATURE_SUFFIXES) + 1})" if j >= len(V.FEATURE_SUFFIXES) else ""
        names.append(f"{cap_name}: {suffix}{extra}")
        pattern = V.PLAY_PATTERNS[int(rng.integers(len(V.PLAY_PATTERNS)))]
        plays.append(pattern.format(cap=cap_name) if np.isfinite(enabled[i]) else None)
    return Catalogue(cap_status=status, feature_ids=[f"F-{101 + i}" for i in range(n)],
                     feature_cap=cap, decided=decided, spec=spec, shipped=shipped,
                     enabled=enabled, play=plays, names=names)


def capabilities_table(plan: Plan, cat: Catalogue) -> pa.Table:
    caps = plan.company.domain.capabilities
    return pa.table({
        "capability_id": [cp.cid for cp in caps],
        "name": [cp.name for cp in caps],
        "status": cat.cap_status,
        "description": [cp.description for cp in caps],
    })


def features_table(plan: Plan, cat: Catalogue) -> pa.Table:
    caps = plan.company.domain.capabilities
    return pa.table({
        "feature_id": cat.feature_ids,
        "name": cat.names,
        "capability_id": [caps[int(i)].cid for i in cat.feature_cap],
        "decided_at": dates(cat.decided),
        "spec_ready_at": dates(cat.spec),
        "shipped_at": dates(cat.shipped),
        "enablement_ready_at": dates(cat.enabled),
        "sales_play": pa.array(cat.play, type=pa.string()),
    })


def opportunity_features_table(rng: np.random.Generator, cat: Catalogue, d: Deals,
                               opp_ids: pa.Array) -> pa.Table:
    """Deals mention features that had shipped before they were created; features with
    no sales play come up far less often (nobody is equipped to sell them)."""
    shipped = np.flatnonzero(np.isfinite(cat.shipped))
    order = shipped[np.argsort(cat.shipped[shipped], kind="stable")]
    ship_days = cat.shipped[order]
    links = np.minimum(rng.poisson(0.7, len(d)), 3)
    opp = np.repeat(np.arange(len(d)), links)
    available = np.searchsorted(ship_days, d.created[opp])
    idx = np.floor(rng.random(len(opp)) * available).astype(np.int64)
    ok = available > 0
    opp, feat = opp[ok], order[np.minimum(idx[ok], len(order) - 1)]
    no_play = np.array([p is None for p in cat.play])[feat]
    keep = ~no_play | (rng.random(len(feat)) < 0.25)
    opp, feat = opp[keep], feat[keep]
    key = np.unique(opp.astype(np.int64) * 10_000 + feat)
    opp, feat = key // 10_000, key % 10_000
    return pa.table({
        "opportunity_id": opp_ids.take(pa.array(opp)),
        "feature_id": pick(cat.feature_ids, feat),
    })


def nps_table(rng: np.random.Generator, plan: Plan, nb: Deals, ten: Tenure,
              account_ids: pa.Array, new_ids) -> pa.Table:
    """Surveys about twice a year per customer; scores sag before an account churns."""
    k = plan.knobs
    ref = float(plan.company.ref_day)
    cust = np.flatnonzero(ten.customer)
    t0 = ten.live_from[cust] + 30
    t1 = np.minimum(ten.live_to[cust], ref)
    span = np.maximum(t1 - t0, 0)
    count = np.minimum(rng.poisson(span / 170.0), 6)
    who = np.repeat(np.arange(len(cust)), count)
    when = np.floor(t0[who] + rng.random(len(who)) * span[who])
    seg = nb.segment[cust][who]
    soon = (ten.live_to[cust][who] - when) < 120
    mu = k.nps_mean[seg] - np.where(soon, 2.8, 0.0)
    score = np.clip(np.round(rng.normal(mu, 1.7)), 0, 10).astype(np.int64)
    persona = categorical_rows(rng, np.asarray(V.SEGMENT_PERSONA)[seg])
    band = np.where(score >= 9, 0, np.where(score >= 7, 1, 2))
    bank = V.NPS_COMMENTS["promoter"] + V.NPS_COMMENTS["passive"] + V.NPS_COMMENTS["detractor"]
    offset = np.array([0, len(V.NPS_COMMENTS["promoter"]),
                       len(V.NPS_COMMENTS["promoter"]) + len(V.NPS_COMMENTS["passive"])])
    size = np.array([len(V.NPS_COMMENTS[b]) for b in ("promoter", "passive", "detractor")])
    comment = offset[band] + np.floor(rng.random(len(who)) * size[band]).astype(np.int64)
    order = np.lexsort((when, who))
    who, when, score, persona, comment = (who[order], when[order], score[order],
                                          persona[order], comment[order])
    silent = rng.random(len(who)) < 0.55
    return pa.table({
        "response_id": new_ids(len(who)),
        "account_id": account_ids.take(pa.array(nb.account[cust][who])),
        "responded_at": dates(when),
        "score": pa.array(score),
        "persona": pick(V.PERSONAS, persona),
        "comment": pick(bank, comment, null=silent),
    })


def time_to_value_table(rng: np.random.Generator, plan: Plan, nb: Deals, ten: Tenure,
                        account_ids: pa.Array) -> pa.Table:
    """Signed → first value per customer; a few never get there."""
    k = plan.knobs
    ref = float(plan.company.ref_day)
    cust = np.flatnonzero(ten.customer)
    seg = nb.segment[cust]
    signed = nb.close_day[cust]
    first = signed + np.ceil(rng.gamma(2.0, k.ttv_days[seg] / 2.0))
    never = rng.random(len(cust)) < 0.05
    first = np.where(never | (first >= ref) | (first >= ten.live_to[cust]), np.nan, first)
    milestones = plan.company.domain.milestones
    return pa.table({
        "account_id": account_ids.take(pa.array(nb.account[cust])),
        "signed_at": dates(signed),
        "first_value_at": dates(first),
        "milestone": pick(milestones, rng.integers(0, len(milestones), len(cust))),
    })
