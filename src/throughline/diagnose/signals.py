"""The signal table: every named signal a diagnostic may emit, what it means, and which
hypothesis it pushes (and how). Written once, as data in ``signals.yaml`` beside this file
(the names also as the :class:`Signal` enum, for diagnostics to declare; the two are
checked to agree on import); the scorer's ``SPECS`` and ``COUNTERS`` (``constraint.py``),
the hypothesis labels (``ranking.HYPOTHESES``) and ``docs/signals.md`` are derived from it.

A measured finding may carry ``signals``: named strengths in 0..1. The common contract is
*effect size scaled to 0..1 and discounted by sampling uncertainty*, so a signal is 0 when
the data do not show the effect at all (each family documents its formula next to the
signal). Roles:

* ``primary`` (weight 1) — the hypothesis' own evidence; a hypothesis without any scores 0;
* ``support`` (weight 0.5) — corroborates the primary evidence, never replaces it;
* ``requires`` — a co-signal the score is multiplied by (the measurement vacuum needs
  legible engineering);
* ``counter`` — "measured and clean": lowers the hypothesis (or one of its signals).

A diagnostic declares the signals it may emit (a built-in in ``catalogue.yaml``, a plugin
with ``@diagnostic(..., signals=...)``); a finding emitting an undeclared name fails the
run, and a declared name missing from this table fails at registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal, cast

from throughline.core.datafiles import packaged_yaml

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


ROLES: tuple[Role, ...] = ("primary", "support", "requires", "counter")


def _feed(text: str) -> Feed:
    """One ``feeds`` entry of ``signals.yaml``: "<hypothesis> <role> [<countered signal>]"."""
    hypothesis, role, *counters = text.split()
    if hypothesis not in HYPOTHESES or role not in ROLES or len(counters) > 1 \
            or (counters and role != "counter"):
        raise ValueError(f"signals.yaml: bad feed {text!r}")
    return Feed(hypothesis, cast(Role, role), Signal(counters[0]) if counters else None)


def _load_signals() -> dict[Signal, SignalSpec]:
    """The table in ``signals.yaml``, checked against :class:`Signal` (same names, same order)."""
    declared = packaged_yaml("throughline.diagnose", "signals.yaml")
    if list(declared) != [str(s) for s in Signal]:
        raise ValueError("signals.yaml must list the Signal enum's names, in its order")
    return {Signal(name): SignalSpec(spec["means"], tuple(_feed(f) for f in spec["feeds"]))
            for name, spec in declared.items()}


# Order matters: within a hypothesis and role, the scorer reads signals in table order.
SIGNALS: dict[Signal, SignalSpec] = _load_signals()


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
