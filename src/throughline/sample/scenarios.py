"""Scenarios: a healthy baseline, and one planted go-to-market problem per scenario.

``build_plan`` draws the healthy company's monthly shape (pipeline volume, lead-source
mix, segment mix, sales activity) and its behavioural knobs, then lets the scenario's
planter change a few of them. Every planted parameter is drawn from a range with the
seeded generator, so effect sizes, dates and channel choices differ across seeds and a
detector has to rely on statistics rather than on this file's constants. What was drawn
goes to ``truth.json`` (``Plan.parameters``) with the evidence a diagnosis should cite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from throughline.core.errors import UsageError
from throughline.sample import vocabulary as V
from throughline.sample.company import Company, Staff, rep_count, staff
from throughline.sample.ids import instance_code, salesforce_ids
from throughline.sample.seeding import dirichlet_around, stream, uniform
from throughline.sample.writer import day_string


@dataclass(frozen=True)
class Scenario:
    name: str
    constraint: str | None  # hypothesis name used by diagnose (None: healthy)
    summary: str


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("healthy", None, "no planted problem: stable channels, honest stages, coherent "
             "messaging, closed feedback loops"),
    Scenario("distribution", "distribution", "channel instability: one lead source surges, "
             "dominates new pipeline, then dies"),
    Scenario("positioning", "positioning", "ICP drift: wins drift to a segment that churns, "
             "away from the one that retains and expands"),
    Scenario("messaging", "messaging", "attribution failure: rising unknown lead source, "
             "artifacts that disagree and claim unreleased capabilities"),
    Scenario("honesty", "honesty", "optimistic pipeline: late stages win far below CRM "
             "probability, close dates pushed, forecasts above actuals"),
    Scenario("architecture", "architecture", "push without pull: sales activity climbs "
             "while new pipeline stays flat and outbound dominates"),
    Scenario("measurement-vacuum", "measurement_vacuum", "engineering fully instrumented "
             "(PR cycle time step change after an AI rollout), GTM data missing"),
    Scenario("inventory", "inventory", "features ship without sales plays, slow decide-to-"
             "spec, feature output outgrows pipeline conversion"),
)}


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def require_scenario(name: str) -> Scenario:
    if name not in SCENARIOS:
        raise UsageError(f"unknown scenario {name!r}",
                         hint="choose one of: " + ", ".join(SCENARIOS) + " (or 'list')")
    return SCENARIOS[name]


@dataclass
class Knobs:
    """Behaviour of the company; the baseline draws healthy values, planters change some."""

    growth: float  # monthly growth of new pipeline
    stage_factor: np.ndarray  # (5,) multiplier on the calibrated stage-advance probabilities
    segment_quality: np.ndarray  # (3,) multiplier on first qualification by segment
    optimism: float  # share of the true cycle the first close date leaves out
    zombie_share: float  # share of late-stage losses left open, pushed month after month
    positive_stall_notes: float  # P(upbeat NextStep | the deal has stalled)
    edit_rate: float  # close-date / amount edits per 30 open days
    close_edit_share: float  # share of those edits that move the close date
    clip_close_dates: bool  # reps keep close dates in the future while a deal is open
    forecast_bias: float  # forecast ÷ actual bookings
    churn: np.ndarray  # (3,) monthly logo-churn hazard by segment
    upsell_rate: np.ndarray  # (3,) upsell opportunities per account-month
    price_up: float  # seat/price increases per account-month
    price_down: float  # contractions per account-month
    nps_mean: np.ndarray  # (3,) mean NPS score by segment
    ttv_days: np.ndarray  # (3,) mean days signed → first value
    n_features: int
    decided_to_spec: float  # median days
    spec_to_ship: float
    ship_to_enable: float
    play_coverage: float  # share of shipped features that get a sales play
    feature_growth: float  # shipping rate, last quarter ÷ first quarter
    ai_rollout_day: int | None = None
    cycle_time_drop: float = 0.0
    throughput_gain: float = 0.0
    omit: tuple[str, ...] = ()
    blank_loss_reason: float = 0.06
    blank_persona: bool = False
    blank_next_step: bool = False
    coherent_messaging: bool = True
    feedback_owner: float = 0.9
    feedback_response: float = 0.85
    feedback_change: float = 0.3
    commitment_signoff: float = 0.9
    commitment_roadmap: float = 0.08
    activity_ramp: float = 1.0
    stated_segment: dict[str, int] = field(default_factory=dict)
    stated_functions: tuple[str, ...] = ("sales", "marketing", "product", "customer_success",
                                         "executive")


@dataclass
class Plan:
    """Everything the table generators need: company, knobs, monthly shape, staff."""

    company: Company
    scenario: Scenario
    knobs: Knobs
    volume: np.ndarray  # (M,) share of new-business opportunities created per month
    source_share: np.ndarray  # (M, L) lead-source mix of new pipeline per month
    segment_weight: np.ndarray  # (M, 3) segment mix of new pipeline per month
    activity: np.ndarray  # (M,) activity per rep-day, relative to the first months
    staff: Staff
    parameters: dict[str, object]
    evidence: list[dict[str, object]]


def _season(month_starts: np.ndarray) -> np.ndarray:
    moy = month_starts.astype("datetime64[M]").astype(int) % 12  # 0 = January
    factor = np.ones(len(moy))
    factor[moy == 11] = 0.82  # December
    factor[moy == 7] = 0.9  # August
    factor[np.isin(moy, (2, 5, 8))] *= 1.05  # quarter-end pushes
    return factor


def _baseline(company: Company) -> tuple[Knobs, dict[str, np.ndarray]]:
    rng = stream(company.seed, "baseline")
    m = company.months
    starts, ends = company.month_bounds()
    days = (ends - starts).astype(float)
    growth = uniform(rng, 0.012, 0.035)
    volume = ((1 + growth) ** np.arange(m) * _season(company.month_starts)
              * np.exp(rng.normal(0, 0.05, m)) * days / 30.44)
    pull = np.array([s.motion in ("referral", "partner", "product_led") for s in
                     V.LEAD_SOURCES])
    trend = 1 + 0.15 * np.outer(np.linspace(0, 1, m), pull)  # referrals compound slowly
    mean = company.source_base[None, :] * trend
    mean /= mean.sum(axis=1, keepdims=True)
    source = np.stack([dirichlet_around(rng, mean[i], 2500.0) for i in range(m)])
    segment = company.segment_base[None, :] * np.exp(rng.normal(0, 0.03, (m, 3)))
    activity_noise = np.exp(rng.normal(0, 0.04, m))
    # a healthy company serves its home segment best; the others churn a little more
    churn = np.array([uniform(rng, 0.009, 0.012), uniform(rng, 0.007, 0.01),
                      uniform(rng, 0.006, 0.009)])
    churn[company.home_segment] = round(float(churn.min() * rng.uniform(0.8, 0.95)), 5)
    knobs = Knobs(
        growth=growth,
        # honest stages, with noise; Negotiation runs slightly above its 80% because
        # some committed deals slip a quarter before they close
        stage_factor=np.round(np.append(rng.uniform(0.96, 1.05, 4), rng.uniform(1.02, 1.08)),
                              4),
        segment_quality=np.round(rng.uniform(0.92, 1.08, 3), 4),
        optimism=uniform(rng, 0.0, 0.1),
        zombie_share=uniform(rng, 0.03, 0.07),
        positive_stall_notes=uniform(rng, 0.1, 0.25),
        edit_rate=uniform(rng, 2.0, 2.6),
        close_edit_share=uniform(rng, 0.3, 0.45),
        clip_close_dates=True,
        forecast_bias=uniform(rng, 0.94, 1.04),
        churn=np.round(churn, 5),
        upsell_rate=np.round(np.array([0.036, 0.05, 0.065]) * rng.uniform(0.85, 1.15), 5),
        price_up=uniform(rng, 0.012, 0.02),
        price_down=uniform(rng, 0.004, 0.008),
        nps_mean=np.round(rng.uniform(8.4, 8.9, 3), 3),
        ttv_days=np.round(np.array([11.0, 24.0, 45.0]) * rng.uniform(0.8, 1.2, 3), 2),
        n_features=int(rng.integers(45, 76)),
        decided_to_spec=uniform(rng, 7, 14),
        spec_to_ship=uniform(rng, 20, 40),
        ship_to_enable=uniform(rng, 5, 14),
        play_coverage=uniform(rng, 0.9, 0.97),
        feature_growth=round(float((1 + growth) ** m * rng.uniform(0.9, 1.1)), 4),
        blank_loss_reason=uniform(rng, 0.03, 0.09),
        feedback_owner=uniform(rng, 0.85, 0.95),
        feedback_response=uniform(rng, 0.86, 0.95),
        feedback_change=uniform(rng, 0.25, 0.4),
        commitment_signoff=uniform(rng, 0.86, 0.96),
        commitment_roadmap=uniform(rng, 0.04, 0.1),
        stated_segment={f: company.home_segment for f in
                        ("sales", "marketing", "product", "customer_success", "executive")},
    )
    return knobs, {"volume": volume, "source": source, "segment": segment,
                   "activity_noise": activity_noise}


# --- planters: each changes the baseline in one way and returns its drawn parameters -------

Arrays = dict[str, np.ndarray]
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
    starts, ends = c.month_bounds()
    days = (ends - starts).astype(float)
    k.growth = uniform(rng, -0.003, 0.003)
    a["volume"] = ((1 + k.growth) ** np.arange(m) * _season(c.month_starts)
                   * np.exp(rng.normal(0, 0.05, m)) * days / 30.44)
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
    m = c.months
    starts, ends = c.month_bounds()
    days = (ends - starts).astype(float)
    k.growth = uniform(rng, -0.002, 0.006)
    a["volume"] = ((1 + k.growth) ** np.arange(m) * _season(c.month_starts)
                   * np.exp(rng.normal(0, 0.05, m)) * days / 30.44)
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

EVIDENCE: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {
    "healthy": [],
    "distribution": [
        ("channels", "channel_volatility", ("opportunities",),
         ("month-over-month share of new pipeline of the surge source: high coefficient "
          "of variation")),
        ("channels", "channel_dependency", ("opportunities",),
         "largest single-channel share / HHI of new pipeline during the surge"),
        ("channels", "channel_churn", ("opportunities",), "the surge channel dies"),
    ],
    "positioning": [
        ("icp", "icp_drift", ("opportunities", "accounts"),
         "won-segment mix drifts toward the drift segment over time"),
        ("icp", "icp_divergence", ("accounts", "opportunities", "subscriptions"),
         "closed-won cohort vs retained/expanding cohort differ on segment"),
        ("icp", "stated_vs_revealed", ("stated_icp", "subscriptions"),
         "stated ICP (sales, marketing, executive) names the segment that churns"),
        ("post_sale", "retention_by_segment", ("subscriptions", "nps_responses"),
         "GRR/NRR and NPS much lower in the drift segment"),
    ],
    "messaging": [
        ("attribution", "attribution_gap", ("opportunities",),
         "share of opportunities with blank or 'Other' lead source"),
        ("attribution", "attribution_gap_trend", ("opportunities",),
         "that share rises over time"),
        ("messaging", "messaging_incoherence", ("messaging_artifacts",),
         "low pairwise similarity, claims that appear in one artifact only"),
        ("messaging", "messaging_unbacked_claims", ("messaging_artifacts", "capabilities"),
         "deck and proposal name capabilities with status roadmap/beta"),
    ],
    "honesty": [
        ("honesty", "stage_optimism", ("opportunities", "stage_history"),
         "realised win rate from Proposal/Negotiation far below the CRM's 60/80%"),
        ("honesty", "commit_slippage", ("stage_history", "opportunities"),
         "Commit deals lost or slipping past quarter end"),
        ("honesty", "close_date_pushes", ("stage_history",),
         "repeated close-date pushes per deal"),
        ("honesty", "forecast_optimism", ("forecasts", "opportunities"),
         "quarterly commit forecasts well above won bookings"),
        ("honesty", "positive_notes_stall", ("opportunities",),
         "upbeat NextStep notes on deals stalled for months"),
    ],
    "architecture": [
        ("push_pull", "activity_pipeline_divergence", ("activities", "opportunities"),
         "activity counts rise several-fold while new pipeline per month is flat"),
        ("push_pull", "pull_share_low", ("opportunities",),
         "inbound+referral+partner+product-led share of new pipeline is low"),
        ("push_pull", "pull_share_declining", ("opportunities",), "and falling"),
    ],
    "measurement-vacuum": [
        ("legibility", "engineering_legible", ("pull_requests",),
         "PR cycle time, pickup/review split and a step change at the AI rollout date"),
        ("legibility", "gtm_illegible", ("feedback", "activities", "forecasts",
                                         "nps_responses", "time_to_value", "commitments"),
         "GTM tables missing; loss reasons, personas and next steps blank"),
    ],
    "inventory": [
        ("handoff", "inventory_accumulation", ("features",),
         "shipped features with no sales play after 45+ days"),
        ("handoff", "slow_decided_to_spec", ("features",),
         "median decided → spec-ready measured in weeks"),
        ("handoff", "feature_pipeline_divergence", ("features", "opportunities"),
         "feature throughput growth > 2× pipeline conversion growth"),
    ],
}


def build_plan(company: Company, scenario_name: str) -> Plan:
    """The company's monthly shape and knobs with the scenario's problem planted."""
    scenario = require_scenario(scenario_name)
    knobs, arrays = _baseline(company)
    rng = stream(company.seed, "plant:" + scenario.name)
    params = PLANTERS[scenario.name](company, knobs, arrays, rng)
    if "activity" not in arrays:  # activity follows the pipeline unless planted otherwise
        starts, ends = company.month_bounds()
        per_day = arrays["volume"] / (ends - starts)
        arrays["activity"] = per_day / per_day[:3].mean() * arrays["activity_noise"]
    volume = arrays["volume"] / arrays["volume"].sum()
    source = arrays["source"] / arrays["source"].sum(axis=1, keepdims=True)
    segment = arrays["segment"] / arrays["segment"].sum(axis=1, keepdims=True)
    outbound = np.array([s.motion == "outbound" for s in V.LEAD_SOURCES])
    out_share = float((source[:, outbound].sum(axis=1) * volume).sum())
    n_reps = rep_count(company)
    serials = 62**4 * 3 + np.arange(n_reps) * 37 + company.seed % 997
    users = np.asarray(salesforce_ids("user", instance_code(company.seed), serials)
                       .to_pylist(), dtype=object)
    evidence: list[dict[str, object]] = [
        {"family": f, "signal": s, "tables": list(t), "expect": e}
        for f, s, t, e in EVIDENCE[scenario.name]]
    return Plan(company=company, scenario=scenario, knobs=knobs, volume=volume,
                source_share=source, segment_weight=segment, activity=arrays["activity"],
                staff=staff(company, out_share, users), parameters=params, evidence=evidence)
