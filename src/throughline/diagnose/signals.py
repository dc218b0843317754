"""The signal table: every named signal a diagnostic may emit, what it means, and which
hypothesis it pushes (and how). Written once; the scorer's ``SPECS`` and ``COUNTERS``
(``constraint.py``), the hypothesis labels (``ranking.HYPOTHESES``) and
``docs/signals.md`` are derived from it.

A measured finding may carry ``signals``: named strengths in 0..1. The common contract is
*effect size scaled to 0..1 and discounted by sampling uncertainty*, so a signal is 0 when
the data do not show the effect at all (each family documents its formula next to the
signal). Roles:

* ``primary`` (weight 1) — the hypothesis' own evidence; a hypothesis without any scores 0;
* ``support`` (weight 0.5) — corroborates the primary evidence, never replaces it;
* ``requires`` — a co-signal the score is multiplied by (the measurement vacuum needs
  legible engineering);
* ``counter`` — "measured and clean": lowers the hypothesis (or one of its signals).

A diagnostic declares the signals it may emit (``@diagnostic(..., signals=...)``); a
finding emitting an undeclared name fails the run, and a declared name missing from this
table fails at registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

Role = Literal["primary", "support", "requires", "counter"]

HYPOTHESES: dict[str, str] = {
    "distribution": "Distribution (channel instability masquerading as execution)",
    "positioning": "Positioning (ICP drift masquerading as targeting)",
    "messaging": "Messaging (attribution failure masquerading as measurement)",
    "honesty": "Honesty (optimistic pipeline masquerading as a creative problem)",
    "architecture": "Architecture (flat pipeline despite activity: push vs pull)",
    "measurement_vacuum": "Measurement vacuum (engineering legible, GTM not)",
    "inventory": "Inventory accumulation / product clarity",
}


class Signal(StrEnum):
    """Every signal name a diagnostic may emit (the value is the name findings carry)."""

    channel_volatility = "channel_volatility"
    channel_dependency = "channel_dependency"
    channel_churn = "channel_churn"
    healthy_channel_stability = "healthy_channel_stability"
    icp_drift = "icp_drift"
    icp_divergence = "icp_divergence"
    healthy_icp_alignment = "healthy_icp_alignment"
    attribution_gap = "attribution_gap"
    messaging_incoherence = "messaging_incoherence"
    attribution_gap_trend = "attribution_gap_trend"
    messaging_unbacked_claims = "messaging_unbacked_claims"
    healthy_attribution = "healthy_attribution"
    stage_optimism = "stage_optimism"
    commit_slippage = "commit_slippage"
    close_date_pushes = "close_date_pushes"
    forecast_optimism = "forecast_optimism"
    positive_notes_stall = "positive_notes_stall"
    promises_unbacked = "promises_unbacked"
    feedback_loop_open = "feedback_loop_open"
    stated_vs_revealed = "stated_vs_revealed"
    healthy_stage_calibration = "healthy_stage_calibration"
    activity_pipeline_divergence = "activity_pipeline_divergence"
    pull_share_low = "pull_share_low"
    pull_share_declining = "pull_share_declining"
    healthy_pull_share = "healthy_pull_share"
    gtm_illegible = "gtm_illegible"
    engineering_legible = "engineering_legible"
    inventory_accumulation = "inventory_accumulation"
    slow_decided_to_spec = "slow_decided_to_spec"
    feature_pipeline_divergence = "feature_pipeline_divergence"


@dataclass(frozen=True)
class Feed:
    """One way a signal pushes one hypothesis. ``counters``: for a counter-signal, the
    signal it cancels (None: the whole hypothesis)."""

    hypothesis: str
    role: Role
    counters: Signal | None = None


@dataclass(frozen=True)
class SignalSpec:
    meaning: str
    feeds: tuple[Feed, ...]


def _f(hypothesis: str, role: Role, counters: Signal | None = None) -> tuple[Feed, ...]:
    return (Feed(hypothesis, role, counters),)


S = Signal
# Order matters: within a hypothesis and role, the scorer reads signals in table order.
SIGNALS: dict[Signal, SignalSpec] = {
    S.channel_volatility: SignalSpec(
        "channels' monthly shares of new pipeline swing beyond chance",
        _f("distribution", "primary")),
    S.channel_dependency: SignalSpec(
        "one channel carries most of the won revenue", _f("distribution", "primary")),
    S.channel_churn: SignalSpec(
        "channels appear and disappear from month to month", _f("distribution", "support")),
    S.healthy_channel_stability: SignalSpec(
        "channel shares measured and stable",
        _f("distribution", "counter", S.channel_volatility)),
    S.icp_drift: SignalSpec(
        "recent wins fall outside the revealed ICP more than earlier ones",
        _f("positioning", "primary")),
    S.icp_divergence: SignalSpec(
        "who is won differs from who retains and refers", _f("positioning", "primary")),
    S.healthy_icp_alignment: SignalSpec(
        "stated ICPs measured and in line with the revealed one",
        _f("positioning", "counter", S.stated_vs_revealed)),
    S.attribution_gap: SignalSpec(
        "deals and revenue with no known source", _f("messaging", "primary")),
    S.messaging_incoherence: SignalSpec(
        "website, deck, email and proposals tell different stories",
        _f("messaging", "primary")),
    S.attribution_gap_trend: SignalSpec(
        "the unattributed share of new deals is rising", _f("messaging", "support")),
    S.messaging_unbacked_claims: SignalSpec(
        "messaging names capabilities that are not generally available",
        _f("messaging", "support")),
    S.healthy_attribution: SignalSpec(
        "attribution measured and well kept",
        _f("messaging", "counter", S.attribution_gap)),
    S.stage_optimism: SignalSpec(
        "stated stage probabilities above realised stage-to-win conversion",
        _f("honesty", "primary")),
    S.commit_slippage: SignalSpec(
        "commit and late-stage deals lost or slipped", _f("honesty", "primary")),
    S.close_date_pushes: SignalSpec(
        "close dates pushed out again and again", _f("honesty", "primary")),
    S.forecast_optimism: SignalSpec(
        "forecasts above the bookings that followed", _f("honesty", "primary")),
    S.positive_notes_stall: SignalSpec(
        "deals with positive notes that stall or are lost", _f("honesty", "support")),
    S.promises_unbacked: SignalSpec(
        "deals sold on capabilities engineering has not signed off",
        _f("honesty", "support")),
    S.feedback_loop_open: SignalSpec(
        "losses and feedback nobody closes the loop on", _f("honesty", "support")),
    S.stated_vs_revealed: SignalSpec(
        "a function's stated ICP serves worse than the revealed one",
        (Feed("positioning", "primary"), Feed("honesty", "support"))),
    S.healthy_stage_calibration: SignalSpec(
        "stage probabilities measured and calibrated",
        _f("honesty", "counter", S.stage_optimism)),
    S.activity_pipeline_divergence: SignalSpec(
        "activity grows while new pipeline stays flat", _f("architecture", "primary")),
    S.pull_share_low: SignalSpec(
        "little of new pipeline comes from pull motions", _f("architecture", "primary")),
    S.pull_share_declining: SignalSpec(
        "the pull share of new pipeline is falling", _f("architecture", "support")),
    # Emitted by push_pull.mix as the counter of pull_share_low, but the scorer maps no
    # counter for it (its name does not follow ``healthy_<signal>``): reported, not scored.
    S.healthy_pull_share: SignalSpec(
        "pull motions bring clearly more than half of new deals (not scored)", ()),
    S.gtm_illegible: SignalSpec(
        "the GTM functions' data lets us measure little", _f("measurement_vacuum", "primary")),
    S.engineering_legible: SignalSpec(
        "engineering's data lets us measure it", _f("measurement_vacuum", "requires")),
    S.inventory_accumulation: SignalSpec(
        "shipped features with no sales play pile up", _f("inventory", "primary")),
    S.slow_decided_to_spec: SignalSpec(
        "decided features wait long before a spec", _f("inventory", "primary")),
    S.feature_pipeline_divergence: SignalSpec(
        "feature velocity rises while pipeline conversion does not",
        _f("inventory", "support")),
}


def signals_for(hypothesis: str, role: Role) -> tuple[str, ...]:
    """The signals of one role for a hypothesis, in table order (plain names)."""
    return tuple(str(s) for s, spec in SIGNALS.items()
                 for feed in spec.feeds if feed.hypothesis == hypothesis and feed.role == role)


def counters() -> dict[str, tuple[str, str]]:
    """Counter-signals: name → (hypothesis, the signal it counters)."""
    return {str(s): (feed.hypothesis, str(feed.counters or feed.hypothesis))
            for s, spec in SIGNALS.items() for feed in spec.feeds if feed.role == "counter"}


def unscored() -> frozenset[str]:
    """Signals findings carry that no hypothesis reads (listed, so never by accident)."""
    return frozenset(str(s) for s, spec in SIGNALS.items() if not spec.feeds)


def render_markdown() -> str:
    """``docs/signals.md``: the table above, one section per hypothesis."""
    out = ["# Signals", "",
           "Generated from `src/throughline/diagnose/signals.py` "
           "(`python -m throughline.diagnose.signals` rewrites it); a test keeps it in "
           "step. A signal is a strength in 0..1 that a measured finding carries; the "
           "binding-constraint scorer (`diagnose/constraint.py`) reads it for the hypotheses "
           "below.", "",
           "Roles: **primary** (weight 1), **support** (weight 0.5, corroborates primary "
           "evidence only), **requires** (the score is multiplied by it), **counter** "
           "(measured and clean: lowers the hypothesis or the signal named).", ""]
    for name, label in HYPOTHESES.items():
        out += [f"## {name}", "", label, "", "| signal | role | means |", "|---|---|---|"]
        for s, spec in SIGNALS.items():
            for feed in spec.feeds:
                if feed.hypothesis != name:
                    continue
                role = feed.role if feed.counters is None else f"counter of `{feed.counters}`"
                out.append(f"| `{s}` | {role} | {spec.meaning} |")
        out.append("")
    quiet = [s for s, spec in SIGNALS.items() if not spec.feeds]
    if quiet:
        out += ["## Reported, not scored", "", "| signal | means |", "|---|---|"]
        out += [f"| `{s}` | {SIGNALS[s].meaning} |" for s in quiet]
        out.append("")
    return "\n".join(out)


DOC = Path(__file__).resolve().parents[3] / "docs" / "signals.md"


if __name__ == "__main__":
    DOC.write_text(render_markdown(), encoding="utf-8")
