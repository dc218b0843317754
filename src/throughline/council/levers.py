"""The declared mapping from option terms to what they move: :data:`LEVERS`.

Each :class:`Lever` names the words that cue it, the diagnostic families that bear on it,
the metrics it moves (finding id, metric name; ``{channel}`` stands for the lever's
channel), the monthly series its forecasts are made on, the hypotheses it repairs and those
under which it is a named wrong remedy. :func:`option_frame` turns an option's words into
an :class:`~throughline.record.decision.OptionFrame`; the evidence pack, casting and the
forecasts read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from throughline.record.decision import OptionFrame, OptionStance

@dataclass(frozen=True)
class MetricRef:
    """A measure an option moves: a metric of a diagnose finding. ``{channel}`` in the
    metric name stands for the lever's channel ("win_rate_{channel}" → "win_rate_partner")."""

    finding: str
    metric: str
    label: str


@dataclass(frozen=True)
class Lever:
    """One entry of the mapping: the words that name it, the families that bear on it, the
    metrics it moves (in the order they decide), the channel value it names in the data,
    and the monthly series its forecasts are made on (``@`` a channel: that channel's
    deals only)."""

    key: str
    label: str
    cues: tuple[str, ...]
    families: tuple[str, ...]
    metrics: tuple[MetricRef, ...]
    channel: str | None = None
    series: tuple[str, ...] = ()
    query: str = ""
    repairs: tuple[str, ...] = field(default=())
    """Hypotheses (``diagnose.ranking.HYPOTHESES``) this lever works on."""
    wrong_when: tuple[str, ...] = field(default=())
    """Hypotheses under which this lever is a named wrong remedy (it feeds the constraint)."""
    needs: str = ""
    """What to export or record so the metrics can be measured, when they cannot."""
    values: tuple[tuple[str, str], ...] = field(default=())
    """(cue, value): the value of ``{channel}`` read from the option's words (a segment)."""


def _by_channel(*names: str) -> tuple[MetricRef, ...]:
    table = {
        "win_rate": ("pipeline.velocity.by_channel", "win_rate_{channel}", "{channel} win rate"),
        "deal_size": ("pipeline.velocity.by_channel", "avg_deal_size_{channel}",
                      "{channel} average won deal"),
        "cycle": ("pipeline.velocity.by_channel", "median_cycle_days_{channel}",
                  "{channel} sales cycle"),
        "nrr": ("post_sale.retention.by_channel", "nrr_{channel}", "{channel} net revenue "
                "retention"),
        "churn": ("post_sale.retention.by_channel", "logo_churn_{channel}",
                  "{channel} logo churn"),
        "nps": ("post_sale.nps.by_channel", "nps_{channel}", "{channel} NPS"),
        "survival": ("post_sale.survival.by_channel", "survival_12m_{channel}",
                     "{channel} 12-month account survival"),
        "ttv": ("post_sale.time_to_value.by_channel", "median_ttv_days_{channel}",
                "{channel} time to value"),
    }
    return tuple(MetricRef(*table[n]) for n in names)


_CHANNEL_SET = _by_channel("win_rate", "deal_size", "nrr", "churn", "nps", "survival",
                           "cycle", "ttv")
_MIX = MetricRef("push_pull.mix.summary", "pull_share_deals", "pull share of new deals")
_DEPENDENCY = MetricRef("channels.stability.dependency", "largest_share",
                        "largest channel's share of deals")
_UNKNOWN = MetricRef("attribution.coverage.share", "unknown_share_deals",
                     "share of deals with no known source")
_WIN = MetricRef("pipeline.velocity.overall", "win_rate", "win rate")
_SIZE = MetricRef("pipeline.velocity.overall", "avg_deal_size", "average won deal")
_NRR = MetricRef("post_sale.retention.overall", "nrr", "net revenue retention")
_CHURN = MetricRef("post_sale.retention.overall", "logo_churn", "logo churn")
_CYCLE = MetricRef("pipeline.velocity.overall", "median_cycle_days", "sales cycle")
_STAGE_OPTIMISM = MetricRef("honesty.stage_optimism.summary", "weighted_gap", "stage optimism")
_ICP_GAP = MetricRef("icp.stated_vs_revealed.summary", "gap", "gap between stated and revealed ICP")
_SEGMENT_NRR = tuple(MetricRef("post_sale.retention.by_segment", f"nrr_{segment}", f"{name} NRR")
                     for segment, name in (("enterprise", "enterprise"),
                                           ("mid_market", "mid-market"), ("smb", "SMB")))


def _sourced(key: str, label: str, family: str, repairs: tuple[str, ...],
             cues: tuple[str, ...], series: tuple[str, ...], query: str, needs: str) -> Lever:
    """A channel marketing buys or earns (paid, events, content): its deals read against
    the other channels' and the share with no known source; a named wrong remedy when the
    constraint is honesty or messaging (more pipeline into a funnel that misreads it)."""
    return Lever(key, label, cues, ("channels", "attribution", family),
                 (*_CHANNEL_SET, _UNKNOWN), channel=key, series=series, query=query,
                 repairs=repairs, wrong_when=("honesty", "messaging"), needs=needs)


LEVERS: tuple[Lever, ...] = (
    Lever("outbound", "outbound selling and SDR headcount",
          (r"\b[sb]drs?\b", r"\boutbound\b", r"\bcold (?:call|email|outreach)", r"sales development",
           r"\b(?:sellers|salespeople|sales reps?|reps|account executives|aes)\b",
           r"sales (?:headcount|team|capacity)", r"\bquota"),
          ("push_pull", "pipeline", "channels"),
          (*_by_channel("win_rate", "deal_size", "nrr", "nps", "cycle"), _MIX,
           MetricRef("push_pull.activity_vs_pipeline.summary", "activity_growth_per_year",
                     "growth of sales activity"),
           MetricRef("push_pull.activity_vs_pipeline.summary", "pipeline_growth_per_year",
                     "growth of new deals")),
          channel="outbound", series=("new_deals@outbound", "win_rate@outbound", "pull_share"),
          query="outbound SDR sales development pipeline activity quota",
          repairs=("distribution",), wrong_when=("honesty", "architecture"),
          needs="the channel of every deal (LeadSource or Original Source) and sales activity by rep and month"),
    Lever("partner", "a partner or channel program",
          (r"\bpartner", r"channel (?:program|partner|sales)", r"\bresell", r"\balliances?\b",
           r"\bmarketplaces?\b", r"system integrators?", r"\bvars?\b"),
          ("channels", "post_sale", "pipeline"), (*_CHANNEL_SET, _MIX, _DEPENDENCY),
          channel="partner", series=("new_deals@partner", "win_rate@partner", "pull_share"),
          query="partner program channel partners co-selling resellers",
          repairs=("distribution", "architecture"),
          needs="deals tagged with their partner channel, and NPS and subscriptions joined to the account's acquisition channel"),
    Lever("referral", "referrals and customer advocacy",
          (r"\breferr", r"word of mouth", r"\badvoca", r"\bcommunity\b"),
          ("channels", "post_sale", "push_pull"), (*_CHANNEL_SET, _MIX),
          channel="referral", series=("new_deals@referral", "win_rate@referral", "pull_share"),
          query="referral program customer advocacy word of mouth",
          repairs=("architecture", "distribution"),
          needs="deals tagged Referral at creation, and NPS answers joined to accounts"),
    _sourced("paid", "paid acquisition", "push_pull", ("distribution",),
             (r"\bpaid\b", r"\bads\b", r"\badvertis", r"\bppc\b", r"\bsem\b"),
             ("new_deals@paid", "unknown_share", "win_rate"),
             "paid acquisition advertising demand generation",
             "the source of every deal, paid campaigns named in the CRM's source field"),
    _sourced("events", "events and conferences", "push_pull", ("distribution",),
             (r"\bevents?\b", r"\bconferences?\b", r"trade ?shows?", r"\bfield marketing"),
             ("new_deals@events", "win_rate@events", "unknown_share"),
             "events conferences field marketing pipeline",
             "event-sourced deals tagged as such at creation"),
    _sourced("content", "content and search", "messaging", ("architecture",),
             (r"\bcontent\b", r"\bseo\b", r"\bblog", r"\bwebinars?\b"),
             ("new_deals@content", "unknown_share", "win_rate"),
             "content marketing SEO inbound demand", "the first-touch source of every deal"),
    Lever("marketing", "marketing and demand generation",
          (r"\bmarketing\b", r"demand gen", r"\bcampaigns?\b", r"\binbound\b", r"\bwebsite\b",
           r"\bbrand awareness"),
          ("channels", "attribution", "push_pull", "messaging"),
          (_UNKNOWN, _MIX, _DEPENDENCY,
           *_by_channel("win_rate", "nrr", "nps")),
          channel="website", series=("unknown_share", "pull_share", "new_deals"),
          query="marketing demand generation inbound attribution",
          repairs=("distribution", "architecture"), wrong_when=("honesty", "messaging"),
          needs="the source of every deal and the channel of every account"),
    Lever("pricing", "price and packaging",
          (r"\bpric", r"\bdiscount", r"\bpackag", r"\btiers?\b", r"\bmoneti[sz]"),
          ("pipeline", "post_sale"),
          (_SIZE, _WIN, _NRR, _CHURN, _CYCLE),
          series=("win_rate", "new_deals"), query="pricing packaging discounting win rate",
          repairs=("positioning",), wrong_when=("honesty", "inventory"),
          needs="won amounts with list price and discount, and subscriptions by account"),
    Lever("forecast", "forecast and pipeline discipline",
          (r"\bforecast", r"pipeline (?:discipline|hygiene|reviews?)", r"\bstage (?:definitions?|"
           r"criteria|exit)", r"\bcommit\b", r"\bqualif", r"crm hygiene", r"deal reviews?"),
          ("honesty", "pipeline"),
          (MetricRef("honesty.forecast_accuracy.summary", "forecast_gap",
                     "forecast above won bookings"),
           MetricRef("honesty.commit_slippage.summary", "failed_share",
                     "commit deals lost or slipped"),
           _STAGE_OPTIMISM,
           MetricRef("honesty.close_date_pushes.summary", "pushed_share",
                     "deals with a pushed close date")),
          series=("forecast_overshoot", "win_rate"),
          query="forecast accuracy pipeline discipline stage definitions",
          repairs=("honesty",),
          needs="forecast submissions per period and the stage history of every deal"),
    Lever("product", "product and roadmap",
          (r"\bproduct\b(?!-led| led)", r"\broadmap", r"\bfeatures?\b", r"\bengineering\b",
           r"\bship", r"\bplatform\b", r"\bbuild\b"),
          ("handoff", "legibility", "promises"),
          (MetricRef("handoff.inventory.unsold", "share_not_sold_in_time",
                     "shipped features with no sales play"),
           MetricRef("handoff.stage_times.deciding_vs_building", "decide_build_ratio",
                     "deciding against building time"),
           MetricRef("promises.ledger.unbacked", "unsigned_share",
                     "promises engineering has not signed off"),
           MetricRef("legibility.pr_cycle_time.summary", "median_cycle_hours",
                     "PR cycle time")),
          series=("pr_cycle_hours", "win_rate"),
          query="product roadmap sales enablement handoff feature adoption",
          repairs=("inventory", "measurement_vacuum"),
          needs="feature decision, spec, ship and enablement dates, and pull requests"),
    Lever("segment", "a customer segment",
          (r"\benterprise\b", r"\bmid-?market\b", r"\bsmb\b", r"small business"),
          ("icp", "post_sale"),
          (MetricRef("post_sale.retention.by_segment", "nrr_{channel}", "{channel} NRR"),
           MetricRef("post_sale.retention.by_segment", "logo_churn_{channel}",
                     "{channel} logo churn"),
           MetricRef("post_sale.nps.by_segment", "nps_{channel}", "{channel} NPS"),
           MetricRef("post_sale.time_to_value.by_segment", "median_ttv_days_{channel}",
                     "{channel} time to value"),
           _ICP_GAP),
          series=("win_rate", "new_deals"), query="ideal customer profile segment retention",
          repairs=("positioning",),
          needs="the segment of every account and subscriptions over at least a year",
          values=((r"\benterprise\b", "enterprise"), (r"\bmid-?market\b", "mid_market"),
                  (r"\bsmb\b|small business", "smb"))),
    Lever("icp", "the target segment (ICP)",
          (r"\bicp\b", r"\bsegments?\b", r"\bup-?market\b", r"\bdown-?market\b",
           r"\benterprise\b", r"\bmid-?market\b", r"\bsmb\b", r"\bverticals?\b", r"\bindustr",
           r"ideal customer", r"\bpersonas?\b"),
          ("icp", "post_sale"),
          (_ICP_GAP, MetricRef("icp.won_vs_retained.summary", "js_segment",
                               "divergence of won and retained segments"),
           *_SEGMENT_NRR,
           MetricRef("post_sale.nps.by_segment", "nps_enterprise", "enterprise NPS")),
          series=("win_rate", "new_deals"), query="ideal customer profile segment retention",
          repairs=("positioning",),
          needs="the segment of every account and subscriptions over at least a year"),
    Lever("messaging", "messaging and positioning",
          (r"\bmessag", r"\bposition", r"\bnarrative", r"\bbrand\b", r"\bpitch",
           r"value prop", r"\bstory\b"),
          ("messaging", "attribution"),
          (MetricRef("messaging.coherence.pairwise", "mean_similarity",
                     "messaging coherence across artifacts"),
           MetricRef("messaging.unbacked_claims.capabilities", "unbacked_share",
                     "messaging that names capabilities not generally available"),
           _UNKNOWN),
          series=("unknown_share", "win_rate"), query="messaging positioning narrative coherence",
          repairs=("messaging", "positioning"), wrong_when=("honesty",),
          needs="the website, deck, email and proposal texts as messaging artifacts"),
    Lever("retention", "customer success and retention",
          (r"customer success", r"\bretention", r"\bchurn", r"\bonboard", r"\bexpansion",
           r"\brenewals?\b", r"\bcsms?\b", r"account management", r"\bupsell"),
          ("post_sale", "feedback"),
          (_NRR, MetricRef("post_sale.retention.overall", "grr", "gross revenue retention"), _CHURN,
           MetricRef("post_sale.time_to_value.overall", "median_ttv_days", "time to value"),
           MetricRef("post_sale.nps.overall", "nps", "NPS")),
          series=("win_rate", "new_deals"), query="customer success retention churn onboarding",
          repairs=("positioning",),
          needs="subscriptions with start and end dates, and onboarding milestones"),
    Lever("measurement", "measurement and instrumentation",
          (r"\binstrument", r"\bdashboards?\b", r"\banalytics\b", r"\bmeasur", r"\battribution",
           r"data team", r"\btracking\b", r"\brevops\b", r"\btool(?:ing|s)\b"),
          ("legibility", "attribution"),
          (MetricRef("legibility.map.functions", "gtm_illegible_share",
                     "share of go-to-market functions with no metric"), _UNKNOWN),
          series=("unknown_share", "win_rate"),
          query="measurement instrumentation attribution dashboards",
          repairs=("measurement_vacuum",), wrong_when=("messaging",),
          needs="the exports each function keeps, so each has at least one metric"),
    Lever("conversion", "win rate and pipeline conversion",
          (r"\bwin[- ]rates?\b", r"\bclose rates?\b", r"\bconversion\b",
           r"\bpipeline\b(?! (?:discipline|hygiene|reviews?))", r"\bdeals? (?:stall|slip)",
           r"\bsales cycle"),
          ("pipeline", "honesty", "push_pull"),
          (_WIN, MetricRef("push_pull.activity_vs_pipeline.summary", "pipeline_growth_per_year",
                           "yearly growth of new deals"),
           _STAGE_OPTIMISM, _CYCLE, _SIZE),
          series=("win_rate", "new_deals"), query="win rate pipeline conversion stage exit",
          repairs=("honesty", "positioning"),
          needs="closed deals with their stage history and close dates"),
)
LEVER_BY_KEY = {lv.key: lv for lv in LEVERS}


def levers_in(text: str) -> list[Lever]:
    """The levers whose cues appear in ``text``, in the order they first appear."""
    low = text.lower()
    hits: list[tuple[int, int, Lever]] = []
    for order, lv in enumerate(LEVERS):
        spots = [m.start() for c in lv.cues if (m := re.search(c, low))]
        if spots:
            hits.append((min(spots), order, lv))
    return [lv for _, _, lv in sorted(hits, key=lambda t: (t[0], t[1]))]


def lever_value(lever: Lever, words: str) -> str | None:
    """The ``{channel}`` of a lever for these words: its fixed channel, or the value its
    words name ('mid-market' → 'mid_market')."""
    if lever.channel:
        return lever.channel
    low = words.lower()
    return next((v for cue, v in lever.values if re.search(cue, low)), None)


def metric_name(ref: MetricRef, channel: str | None) -> str:
    return ref.metric.replace("{channel}", channel or "")


def metric_label(ref: MetricRef, channel: str | None) -> str:
    return ref.label.replace("{channel}", (channel or "").replace("_", " ")).strip()


def option_frame(label: str, words: str, stance: OptionStance, context: str = "",
                 ) -> OptionFrame:
    """The option's levers (from its words, else from the whole question), the families
    they read and the metrics they move (by name)."""
    levers = levers_in(words) or levers_in(context)
    if any(lv.key == "segment" for lv in levers):  # a named segment: not the generic ICP
        levers = [lv for lv in levers if lv.key != "icp"]
    fams: list[str] = []
    metrics: list[str] = []
    channel = next((lever_value(lv, words) for lv in levers if lever_value(lv, words)), None)
    for lv in levers:
        fams += [f for f in lv.families if f not in fams]
        for ref in lv.metrics:
            name = metric_label(ref, lever_value(lv, words))
            if name not in metrics:
                metrics.append(name)
    return OptionFrame(label=label, words=words, stance=stance, levers=[lv.key for lv in levers],
                       families=fams, metrics=metrics, channel=channel)


def subject_frame(question: str) -> OptionFrame | None:
    """What an open question (no options) is about, as an option frame: the levers its
    words name ('Why is our win rate so low …' → win rate and pipeline conversion), the
    families and the metrics they move. None when its words name no lever (then the
    question is about the binding constraint itself). The record frames its sections
    through it; the offline advisors read its numbers (``EvidencePack.subject``)."""
    levers = levers_in(question)
    if not levers:
        return None
    return option_frame(levers[0].label, question, "act")
