"""The healthy company's behaviour: its knobs and monthly shape, before any problem is planted.

``baseline`` draws the healthy company's monthly shape (pipeline volume, lead-source mix,
segment mix, activity noise) and its behavioural knobs (``Knobs``); a scenario's planter
(:mod:`throughline.sample.planters`) then changes a few of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from throughline.sample import vocabulary as V
from throughline.sample.company import Company
from throughline.sample.seeding import dirichlet_around, stream, uniform

Arrays = dict[str, np.ndarray]
"""The monthly shape: ``volume``, ``source``, ``segment``, ``activity_noise`` (and
``activity`` when a planter sets it)."""


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


def season(month_starts: np.ndarray) -> np.ndarray:
    """A month's weight in the year: quiet December and August, quarter-end pushes."""
    moy = month_starts.astype("datetime64[M]").astype(int) % 12  # 0 = January
    factor = np.ones(len(moy))
    factor[moy == 11] = 0.82  # December
    factor[moy == 7] = 0.9  # August
    factor[np.isin(moy, (2, 5, 8))] *= 1.05  # quarter-end pushes
    return factor


def monthly_volume(company: Company, growth: float, rng: np.random.Generator) -> np.ndarray:
    """New pipeline per month, relative: compounding ``growth``, the season, noise and the
    month's length."""
    m = company.months
    starts, ends = company.month_bounds()
    days = (ends - starts).astype(float)
    return ((1 + growth) ** np.arange(m) * season(company.month_starts)
            * np.exp(rng.normal(0, 0.05, m)) * days / 30.44)


def baseline(company: Company) -> tuple[Knobs, Arrays]:
    """The healthy company's knobs and monthly shape, drawn from its own stream."""
    rng = stream(company.seed, "baseline")
    m = company.months
    growth = uniform(rng, 0.012, 0.035)
    volume = monthly_volume(company, growth, rng)
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
