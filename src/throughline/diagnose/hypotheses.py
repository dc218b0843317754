"""The hypotheses the binding-constraint scorer ranks: which signals raise each (from the
signal table, :mod:`throughline.diagnose.signals`), which diagnostics carry its primary
evidence, and what to do — and not do — about it when it binds."""

from __future__ import annotations

from dataclasses import dataclass

from throughline.diagnose.signals import signals_for

PRIMARY_WEIGHT = 1.0
SUPPORT_WEIGHT = 0.5


# The diagnostics whose findings carry each hypothesis' primary signals.
PRIMARY_DIAGNOSTICS: dict[str, tuple[str, ...]] = {
    "distribution": ("channels.stability",),
    "positioning": ("icp.drift", "icp.stated_vs_revealed", "icp.won_vs_retained"),
    "messaging": ("attribution.coverage", "messaging.coherence"),
    "honesty": ("honesty.close_date_pushes", "honesty.commit_slippage",
                "honesty.forecast_accuracy", "honesty.stage_optimism"),
    "architecture": ("push_pull.activity_vs_pipeline", "push_pull.mix"),
    "measurement_vacuum": ("legibility.map",),
    "inventory": ("handoff.inventory", "handoff.stage_times"),
}


@dataclass(frozen=True)
class Hypothesis:
    """How one hypothesis reads the signals, and what to do (and not do) about it."""

    primary: tuple[str, ...]
    support: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    order_of_operations: tuple[str, ...] = ()
    wrong_remedies: tuple[str, ...] = ()

    def weight(self, signal: str) -> float | None:
        if signal in self.primary:
            return PRIMARY_WEIGHT
        if signal in self.support:
            return SUPPORT_WEIGHT
        return None


SPECS: dict[str, Hypothesis] = {
    "distribution": Hypothesis(
        primary=signals_for("distribution", "primary"),
        support=signals_for("distribution", "support"),
        families=("channels",),
        order_of_operations=(
            "Map where new pipeline really came from month by month and name the channels "
            "that carry it.",
            "Build a second dependable channel before scaling spend in the dominant one: "
            "stabilise the mix before optimising inside it.",
            "Only then tune execution — sequences, rep capacity, conversion — inside the "
            "channels that hold.",
        ),
        wrong_remedies=(
            "Hiring reps or tightening sales execution: the motion is not what swings, the "
            "channels under it are.",
            "Pouring budget into whichever channel spiked last month, which deepens the "
            "dependency and the swings.",
        ),
    ),
    "positioning": Hypothesis(
        primary=signals_for("positioning", "primary"),
        families=("icp", "post_sale"),
        order_of_operations=(
            "Profile the customers who retain, expand and refer, and set that revealed "
            "profile beside the profile of recent wins.",
            "Rewrite the ICP and positioning around the revealed profile; stop pursuing "
            "the segments that churn.",
            "Only then rebuild target lists, scoring and enrichment on the new ICP.",
        ),
        wrong_remedies=(
            "A lead-scoring model trained on closed-won deals: it learns who you could "
            "convince, not who you serve well.",
            "Sharper targeting data for the current segments: precision aimed at the wrong "
            "profile makes the drift faster.",
        ),
    ),
    "messaging": Hypothesis(
        primary=signals_for("messaging", "primary"),
        support=signals_for("messaging", "support"),
        families=("attribution", "messaging"),
        order_of_operations=(
            "Agree one message architecture: the few claims every artifact must carry, each "
            "backed by a capability that is GA.",
            "Rewrite website, deck, sequences and proposals from it, removing claims about "
            "what is not generally available.",
            "Then make source capture mandatory on every deal and read attribution again.",
        ),
        wrong_remedies=(
            "Buying an attribution tool or a multi-touch model: unknown sources are a "
            "symptom of buyers meeting several stories, not of missing tracking.",
            "Producing more content in the current, inconsistent voices.",
        ),
    ),
    "honesty": Hypothesis(
        primary=signals_for("honesty", "primary"),
        support=signals_for("honesty", "support"),
        families=("honesty", "promises", "feedback"),
        order_of_operations=(
            "Redefine stages with exit criteria the buyer verifies, and let commit mean a "
            "signed path to close.",
            "Re-baseline stage probabilities and the forecast on realised conversion.",
            "Close the loss-review loop: a named owner and an answer within two weeks for "
            "every loss, and no promise of a capability engineering has not signed off.",
            "Only then add signal volume, enrichment or automation.",
        ),
        wrong_remedies=(
            "Adding signal volume — enrichment, intent data, more sequences — feeds more "
            "flattering inputs into a pipeline that already overstates itself.",
            "Reworking messaging or creative: the words are not what misleads, the "
            "feedback is.",
            "Hiring more pipeline generation before the forecast can be trusted.",
        ),
    ),
    "architecture": Hypothesis(
        primary=signals_for("architecture", "primary"),
        support=signals_for("architecture", "support"),
        families=("push_pull",),
        order_of_operations=(
            "Measure which motions compound with the installed base (referral, partner, "
            "product-led) and which only grow with effort.",
            "Give one pull loop an owner and a budget — referrals, integrations and "
            "partners, or in-product sharing.",
            "Then rebalance push effort toward seeding pull rather than replacing it.",
        ),
        wrong_remedies=(
            "More activity — sequences, SDRs, touches: activity is already up while "
            "pipeline stays flat.",
            "Optimising outbound conversion: a better push machine still grows only in "
            "proportion to the effort fed into it.",
        ),
    ),
    "measurement_vacuum": Hypothesis(
        primary=signals_for("measurement_vacuum", "primary"),
        requires=signals_for("measurement_vacuum", "requires"),
        families=("legibility",),
        order_of_operations=(
            "Instrument the dark functions with a minimum set: pipeline by source, win "
            "rate, retention and handoff dates.",
            "Review those measures beside engineering's, in the same meeting, with named "
            "owners on both sides.",
            "Only then decide where the engineering productivity gain is reinvested.",
        ),
        wrong_remedies=(
            "Reading engineering's improving numbers as company progress: what can be "
            "measured is not thereby what creates value.",
            "Reinvesting the engineering dividend in still more engineering velocity while "
            "the rest of the company cannot be seen.",
        ),
    ),
    "inventory": Hypothesis(
        primary=signals_for("inventory", "primary"),
        support=signals_for("inventory", "support"),
        families=("handoff",),
        order_of_operations=(
            "Limit work in progress: start no new feature until shipped ones have a sales "
            "play.",
            "Clear the shipped-but-unsold backlog with enablement and a narrative per "
            "feature.",
            "Shorten decided → spec with a named product owner and a decision deadline.",
            "Only then push engineering throughput further.",
        ),
        wrong_remedies=(
            "Shipping faster: engineering speed is not the bottleneck, and more output "
            "only adds to the unsold pile.",
            "More demand generation for features the sales team cannot yet explain.",
        ),
    ),
}
