"""The planters: each scenario's problem written into the healthy company.

A planter changes the baseline (:mod:`throughline.sample.knobs`) in one way and returns the
parameters it drew, which go to ``truth.json``. Every planted parameter is drawn from a
range with the seeded generator, so effect sizes, dates and channel choices differ across
seeds and a detector has to rely on statistics rather than on this file's constants.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from throughline.sample import vocabulary as V
from throughline.sample.company import Company
from throughline.sample.knobs import Arrays, Knobs, monthly_volume
from throughline.sample.seeding import dirichlet_around, uniform
from throughline.sample.writer import day_string

Planter = Callable[[Company, Knobs, Arrays, np.random.Generator], dict[str, object]]


def _month(company: Company, index: int) -> str:
    return str(company.month_starts[int(np.clip(index, 0, company.months - 1))])[:7]


def _plant_healthy(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    return {}


def _plant_distribution(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    """One channel is poured into: it surges to dominate new pipeline, then collapses to
    almost nothing, and month-to-month shares get noisy. The channel's lead sources rise
    and fall together; other channels keep their absolute volume, so the surge shows as
    extra pipeline that later disappears. It all happens in the last ~15 months."""
    m = c.months
    channel = V.SURGE_CHANNELS[int(rng.integers(len(V.SURGE_CHANNELS)))]
    members = np.array([s.group == channel for s in V.LEAD_SOURCES])
    ramp, hold, fall = (int(rng.integers(2, 4)), int(rng.integers(3, 6)),
                        int(rng.integers(1, 3)))
    last_onset = m - 4 - (ramp + hold + fall)
    onset = int(rng.integers(max(2, m - 15), max(m - 14, last_onset + 1)))
    peak = uniform(rng, 0.45, 0.62)
    residual = uniform(rng, 0.003, 0.012)
    concentration = uniform(rng, 60, 160)
    base = a["source"][:, members].sum(axis=1)
    share = base.copy()
    t = np.arange(m)
    up = (t >= onset) & (t < onset + ramp)
    share[up] = base[up] + (peak - base[up]) * (t[up] - onset + 1) / ramp
    top = (t >= onset + ramp) & (t < onset + ramp + hold)
    share[top] = peak * np.exp(rng.normal(0, 0.05, top.sum()))
    end_hold = onset + ramp + hold
    down = (t >= end_hold) & (t < end_hold + fall)
    share[down] = peak * (1 - (t[down] - end_hold + 1) / (fall + 1)) + residual
    share[t >= end_hold + fall] = residual
    share = np.clip(share, 0.001, 0.8)
    inside = a["source"][:, members].mean(axis=0)
    inside /= inside.sum()
    rest = np.where(members[None, :], 0.0, a["source"])
    rest /= rest.sum(axis=1, keepdims=True)
    mix = rest * (1 - share[:, None])
    mix[:, members] = share[:, None] * inside[None, :]
    a["source"] = np.stack([dirichlet_around(rng, mix[i], concentration) for i in range(m)])
    a["volume"] = a["volume"] * (1 - base) / (1 - a["source"][:, members].sum(axis=1))
    labels = [s.label for s, inn in zip(V.LEAD_SOURCES, members) if inn]
    return {"surge_channel": channel, "surge_sources": labels,
            "surge_start_month": _month(c, onset), "peak_month": _month(c, onset + ramp),
            "collapse_month": _month(c, end_hold + fall), "peak_share": peak,
            "residual_share": residual, "share_noise_concentration": concentration}


def _plant_positioning(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    """Wins drift toward a segment that is easy to close but churns and never expands;
    the segment that retains best (the revealed ICP) loses share. Sales, marketing and
    the executive team state the drifting segment as the ICP."""
    m = c.months
    home = c.home_segment
    others = [s for s in range(3) if s != home]
    drift = others[int(rng.choice(2, p=[0.6, 0.4] if others[0] == 0 else [0.5, 0.5]))]
    onset = int(rng.integers(int(0.1 * m), int(0.25 * m)))
    end_share = uniform(rng, 0.62, 0.78)
    home_end = uniform(rng, 0.08, 0.15)
    full = round(0.8 * (m - 1))  # the drift is complete months before the export
    t = np.clip((np.arange(m) - onset) / max(full - onset, 1), 0, 1)
    start = a["segment"][0] / a["segment"][0].sum()
    target = np.zeros(3)
    target[drift], target[home] = end_share, home_end
    third = 3 - drift - home
    target[third] = 1 - end_share - home_end
    seg = start[None, :] * (1 - t[:, None]) + target[None, :] * t[:, None]
    a["segment"] = seg * np.exp(rng.normal(0, 0.03, seg.shape))
    k.churn = k.churn.copy()
    k.churn[drift] = uniform(rng, 0.028, 0.045)
    k.churn[home] = uniform(rng, 0.003, 0.006)
    k.upsell_rate = k.upsell_rate.copy()
    k.upsell_rate[drift] *= 0.35
    k.upsell_rate[home] *= 1.6
    k.nps_mean = k.nps_mean.copy()
    k.nps_mean[drift] = uniform(rng, 6.6, 7.4)
    k.segment_quality = k.segment_quality.copy()
    k.segment_quality[drift] *= uniform(rng, 1.15, 1.35)
    k.stated_segment = {"sales": drift, "marketing": drift, "executive": drift,
                        "product": drift, "customer_success": home}
    return {"drift_segment": V.SEGMENTS[drift], "revealed_icp_segment": V.SEGMENTS[home],
            "drift_start_month": _month(c, onset), "drift_segment_final_share": end_share,
            "revealed_segment_final_share": home_end,
            "drift_segment_monthly_churn": float(k.churn[drift]),
            "revealed_segment_monthly_churn": float(k.churn[home])}


def _plant_messaging(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    """Lead source stops being recorded: blank and "Other" climb from a few percent to
    a third or more of new pipeline. The four messaging artifacts lead with different
    claims and two of them sell capabilities that are not generally available."""
    m = c.months
    start, end = uniform(rng, 0.06, 0.12), uniform(rng, 0.35, 0.55)
    blank_part = uniform(rng, 0.5, 0.7)
    curve = np.linspace(0, 1, m) ** uniform(rng, 0.8, 1.6)
    unknown = start + (end - start) * curve + rng.normal(0, 0.015, m)
    src = a["source"].copy()
    src[:, [V.OTHER_SOURCE, V.BLANK_SOURCE]] = 0
    src /= src.sum(axis=1, keepdims=True)
    src *= (1 - unknown)[:, None]
    src[:, V.BLANK_SOURCE] = unknown * blank_part
    src[:, V.OTHER_SOURCE] = unknown * (1 - blank_part)
    a["source"] = src
    k.coherent_messaging = False
    return {"unknown_share_start": start, "unknown_share_end": end,
            "blank_part_of_unknown": blank_part, "artifacts_coherent": False}


def _plant_honesty(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    """Stages overstate reality: the CRM keeps its 60/80% probabilities while deals past
    Discovery win far less; first close dates are optimistic and get pushed again and
    again; dead late-stage deals stay open with upbeat notes; forecasts run hot."""
    # stage inflation: deals are moved into Proposal too easily, then rarely close
    factors = np.array([uniform(rng, 1.0, 1.15), uniform(rng, 1.1, 1.3),
                        uniform(rng, 1.05, 1.2), uniform(rng, 0.55, 0.72),
                        uniform(rng, 0.5, 0.68)])
    k.stage_factor = np.round(k.stage_factor * factors, 4)
    k.optimism = uniform(rng, 0.35, 0.55)
    k.zombie_share = uniform(rng, 0.3, 0.5)
    k.positive_stall_notes = uniform(rng, 0.75, 0.92)
    k.edit_rate = round(k.edit_rate * uniform(rng, 1.1, 1.4), 4)
    k.close_edit_share = uniform(rng, 0.75, 0.9)
    k.clip_close_dates = False
    k.forecast_bias = uniform(rng, 1.35, 1.8)
    calibrated = np.array([0.5, 0.5, 2 / 3, 0.75, 0.8])
    real = calibrated * k.stage_factor
    return {"stage_advance_factors": factors.round(4).tolist(),
            "expected_win_rate_from_proposal": round(float(real[3] * real[4]), 4),
            "expected_win_rate_from_negotiation": round(float(real[4]), 4),
            "close_date_optimism": k.optimism, "zombie_share": k.zombie_share,
            "positive_notes_on_stalled": k.positive_stall_notes,
            "forecast_bias": k.forecast_bias}


def _plant_architecture(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    """The team pushes harder every month — activity multiplies — while new pipeline stays
    flat; outbound is most of the pipeline and its share grows, so pull sources fade."""
    m = c.months
    k.growth = uniform(rng, -0.003, 0.003)
    a["volume"] = monthly_volume(c, k.growth, rng)
    out_start, out_end = uniform(rng, 0.58, 0.66), uniform(rng, 0.74, 0.84)
    outbound = np.array([s.motion == "outbound" for s in V.LEAD_SOURCES])
    target = np.linspace(out_start, out_end, m)
    src = a["source"].copy()
    src[:, outbound] *= (target / src[:, outbound].sum(axis=1))[:, None]
    src[:, ~outbound] *= ((1 - target) / src[:, ~outbound].sum(axis=1))[:, None]
    a["source"] = src
    ramp = uniform(rng, 2.5, 4.0)
    k.activity_ramp = ramp
    a["activity"] = ramp ** np.linspace(0, 1, m) * np.exp(rng.normal(0, 0.05, m))  # explicit
    k.feature_growth = round(float(rng.uniform(0.95, 1.15)), 4)
    return {"pipeline_monthly_growth": k.growth, "activity_ramp": ramp,
            "outbound_share_start": out_start, "outbound_share_end": out_end,
            "pull_share_start": round(1 - out_start, 4), "pull_share_end": round(1 - out_end, 4)}


def _plant_measurement_vacuum(c: Company, k: Knobs, a: Arrays,
                              rng: np.random.Generator) -> dict:
    """Engineering is fully legible — every PR with reviews, and a clear cycle-time step
    change after an AI tooling rollout — while GTM keeps little. Sales has its CRM
    (opportunities and their history) and marketing its documents and lead sources, but
    product keeps no delivery log and customer success no billing export, NPS or
    onboarding record; there is no activity log; loss reasons, personas and next steps
    are blank; only the executive team states an ICP. Which of the other field records
    survive — forecasts, promise records, feedback — is drawn per seed (each kept with
    probability 1/4), so how dark GTM is varies from company to company."""
    m = c.months
    roll = int(rng.integers(int(0.45 * m), int(0.7 * m)))
    starts, _ = c.month_bounds()
    day = int(starts[roll] + rng.integers(0, 20))
    k.ai_rollout_day = day
    k.cycle_time_drop = uniform(rng, 0.3, 0.5)
    k.throughput_gain = uniform(rng, 0.3, 0.6)
    optional = ("field/feedback.csv", "field/forecasts.csv", "field/commitments.csv")
    kept = [rel for rel in optional if rng.random() < 0.25]
    k.omit = tuple(rel for rel in optional if rel not in kept) + (
        "field/activities.csv", "product/nps_responses.csv",
        "product/time_to_value.csv", "billing/subscriptions.csv",
        "product/features.csv", "product/opportunity_features.csv",
        "product/capabilities.csv")
    k.blank_loss_reason = 1.0
    k.blank_persona = True
    k.blank_next_step = True
    k.stated_functions = ("executive",)
    return {"ai_rollout_date": day_string(day), "cycle_time_drop": k.cycle_time_drop,
            "throughput_gain": k.throughput_gain, "omitted_files": list(k.omit),
            "kept_field_files": kept,
            "blanked_fields": ["Opportunity.Loss_Reason__c", "Opportunity.Primary_Persona__c",
                               "Opportunity.NextStep"]}


def _plant_inventory(c: Company, k: Knobs, a: Arrays, rng: np.random.Generator) -> dict:
    """Engineering output compounds — the shipping rate triples or more — but decisions
    take weeks to become specs, most shipped features never get a sales play, and
    pipeline conversion stays flat, so shipped work piles up unsold."""
    k.growth = uniform(rng, -0.002, 0.006)
    a["volume"] = monthly_volume(c, k.growth, rng)
    k.n_features = int(rng.integers(95, 121))
    k.decided_to_spec = uniform(rng, 35, 70)
    k.play_coverage = uniform(rng, 0.18, 0.4)
    k.ship_to_enable = uniform(rng, 60, 150)
    k.feature_growth = uniform(rng, 3.2, 4.5)
    return {"n_features": k.n_features, "decided_to_spec_median_days": k.decided_to_spec,
            "sales_play_coverage": k.play_coverage,
            "shipped_to_enablement_median_days": k.ship_to_enable,
            "feature_throughput_growth": k.feature_growth,
            "pipeline_monthly_growth": k.growth}


PLANTERS: dict[str, Planter] = {
    "healthy": _plant_healthy, "distribution": _plant_distribution,
    "positioning": _plant_positioning, "messaging": _plant_messaging,
    "honesty": _plant_honesty, "architecture": _plant_architecture,
    "measurement-vacuum": _plant_measurement_vacuum, "inventory": _plant_inventory,
}
