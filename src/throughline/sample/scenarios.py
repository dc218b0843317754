"""The scenarios: a healthy baseline and one planted go-to-market problem each.

What each scenario plants (``SCENARIOS``: the hypothesis a correct diagnosis names) and the
evidence a diagnosis should cite for it (``EVIDENCE``, written to ``truth.json``). How a
problem is planted lives in :mod:`throughline.sample.planters`; the healthy company they
change in :mod:`throughline.sample.knobs`; the two are put together in
:mod:`throughline.sample.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core.errors import UsageError

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
