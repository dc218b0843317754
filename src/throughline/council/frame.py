"""Frame: the user's question → an :class:`~throughline.record.decision.Intent`.

The offline framer is deterministic: it reads the decision type from the verbs of the
question, the form of the choice and its options ("A or B", "A before B", "should we X?",
"how much …?", "when …?"), and a horizon from "next quarter" / "in N months" / "by Qn
YYYY". Options are rendered as noun phrases ("hire four more SDRs" → "hiring four more
SDRs"; "invest in a partner program" → "a partner program") so they read in any sentence.

Each option is mapped to what it would move through :data:`LEVERS`, a declared table from
option terms to diagnostic families and the metrics (finding id, metric name) that bear on
it: the evidence pack, casting and the forecasts read it. A model-backed framer fills the
same object (:func:`align_options` maps its options); either way the intent is stored with
the run and shown on the record.
"""

from __future__ import annotations

import re
from datetime import date

from dataclasses import dataclass, field

from throughline.core.errors import UsageError
from throughline.record.decision import DecisionType, Intent, OptionFrame, OptionStance, QuestionForm

DEFAULT_QUESTION = ("What is our binding go-to-market constraint, and what should we do "
                    "first?")
MAX_QUESTION_CHARS = 2_000

# Ordered: the first type whose cue appears wins (pivot before invest: "pivot our spend").
_CUES: list[tuple[DecisionType, tuple[str, ...]]] = [
    ("diagnose", ("binding", "constraint", "bottleneck", "diagnos")),
    ("pivot", ("pivot", "change direction", "new market", "reposition", "new segment",
               "move upmarket", "move downmarket", "abandon")),
    ("hire", ("hire", "hiring", "headcount", "recruit", "sdr", "account executive",
              "team of")),
    ("price", ("price", "pricing", "discount", "packaging", "plan tier", "monetis",
               "monetiz")),
    ("invest", ("invest", "spend", "budget", "tooling", "buy ", "allocate", "fund ",
                "funding", "double down")),
    ("prioritise", ("prioriti", "focus on", "first", "order of", "which should",
                    "sequence")),
    ("diagnose", ("why", "what is", "what's", "what is wrong", "imbalanced",
                  "advantage")),
]

_STAKES: dict[str, str] = {
    "diagnose": "Acting on the wrong constraint spends a quarter fixing what was not binding "
                "while the real one compounds.",
    "invest": "Money and attention spent on a remedy the data does not support, and a "
              "binding constraint left untouched.",
    "prioritise": "Doing the right things in the wrong order: later steps fail because "
                  "the first one was skipped.",
    "pivot": "Abandoning a motion that works, or keeping one that does not, on the "
             "strength of a story rather than evidence.",
    "hire": "Headcount that adds cost without relieving the constraint that limits growth.",
    "price": "Revenue lost to a price change that treats a symptom of the real constraint.",
    "other": "A decision taken on impressions where evidence was available.",
}

_MUST: dict[str, list[str]] = {
    "diagnose": ["the binding constraint and the evidence for it",
                 "the order of repairs", "what the data cannot show"],
    "invest": ["where the money should go first and what it should not go to",
               "the evidence that would change the answer"],
    "prioritise": ["an order of work with the first step dated",
                   "what to stop doing"],
    "pivot": ["whether the current motion is failing or unmeasured",
              "the evidence that would justify the change"],
    "hire": ["which constraint a hire would relieve, if any", "what to do before hiring"],
    "price": ["whether price is the constraint or a symptom", "what to test first"],
    "other": ["the binding constraint and the evidence for it"],
}

_COMMON_MUST = ["a dated first step within two weeks", "forecasts that can be scored later"]


def _decision_type(q: str) -> DecisionType:
    low = q.lower()
    for kind, cues in _CUES:
        if any(cue in low for cue in cues):
            return kind
    return "other"


# -- the declared mapping: option terms → families and metrics ---------------------------


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
    Lever("paid", "paid acquisition",
          (r"\bpaid\b", r"\bads\b", r"\badvertis", r"\bppc\b", r"\bsem\b"),
          ("channels", "attribution", "push_pull"), (*_CHANNEL_SET, _UNKNOWN),
          channel="paid", series=("new_deals@paid", "unknown_share", "win_rate"),
          query="paid acquisition advertising demand generation",
          repairs=("distribution",), wrong_when=("honesty", "messaging"),
          needs="the source of every deal, paid campaigns named in the CRM's source field"),
    Lever("events", "events and conferences",
          (r"\bevents?\b", r"\bconferences?\b", r"trade ?shows?", r"\bfield marketing"),
          ("channels", "attribution", "push_pull"), (*_CHANNEL_SET, _UNKNOWN),
          channel="events", series=("new_deals@events", "win_rate@events", "unknown_share"),
          query="events conferences field marketing pipeline",
          repairs=("distribution",), wrong_when=("honesty", "messaging"),
          needs="event-sourced deals tagged as such at creation"),
    Lever("content", "content and search",
          (r"\bcontent\b", r"\bseo\b", r"\bblog", r"\bwebinars?\b"),
          ("channels", "attribution", "messaging"), (*_CHANNEL_SET, _UNKNOWN),
          channel="content", series=("new_deals@content", "unknown_share", "win_rate"),
          query="content marketing SEO inbound demand",
          repairs=("architecture",), wrong_when=("honesty", "messaging"),
          needs="the first-touch source of every deal"),
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
          (_SIZE, _WIN, _NRR,
           MetricRef("post_sale.retention.overall", "logo_churn", "logo churn"),
           MetricRef("pipeline.velocity.overall", "median_cycle_days", "sales cycle")),
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
           MetricRef("honesty.stage_optimism.summary", "weighted_gap", "stage optimism"),
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
           MetricRef("icp.stated_vs_revealed.summary", "gap",
                     "gap between stated and revealed ICP")),
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
          (MetricRef("icp.stated_vs_revealed.summary", "gap",
                     "gap between stated and revealed ICP"),
           MetricRef("icp.won_vs_retained.summary", "js_segment",
                     "divergence of won and retained segments"),
           MetricRef("post_sale.retention.by_segment", "nrr_enterprise", "enterprise NRR"),
           MetricRef("post_sale.retention.by_segment", "nrr_mid_market", "mid-market NRR"),
           MetricRef("post_sale.retention.by_segment", "nrr_smb", "SMB NRR"),
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
          (_NRR, MetricRef("post_sale.retention.overall", "grr", "gross revenue retention"),
           MetricRef("post_sale.retention.overall", "logo_churn", "logo churn"),
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
           MetricRef("honesty.stage_optimism.summary", "weighted_gap", "stage optimism"),
           MetricRef("pipeline.velocity.overall", "median_cycle_days", "sales cycle"), _SIZE),
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


# -- options as noun phrases --------------------------------------------------------------

_MODAL = re.compile(r"^(?:so,?\s+)?(?:should|shall|do|does|can|could|would|must|will)\s+"
                    r"(?:we|i|the company|our (?:team|company))\s+(?:rather\s+|instead\s+)?",
                    re.IGNORECASE)
_BETTER = re.compile(r"^(?:is|would)\s+it\s+(?:be\s+)?(?:better|smarter|wiser|worth\s+it|"
                     r"right|time)\s+(?:for us\s+)?to\s+", re.IGNORECASE)
_OBJECT_VERBS = re.compile(
    r"^(?:invest(?:ing)?|put(?:ting)?\s+(?:more\s+)?(?:money|budget|resources)|focus(?:ing)?|"
    r"doubl(?:e|ing)\s+down|bet(?:ting)?|go(?:ing)?\s+all\s+in)\s+(?:more\s+|heavily\s+)?"
    r"(?:in|on|into)\s+(?P<obj>.+)$", re.IGNORECASE)
_DETERMINERS = {"a", "an", "the", "our", "more", "fewer", "less", "some", "new", "one", "two",
                "three", "four", "five", "six", "seven", "eight", "nine", "ten", "another",
                "each", "every", "this", "that", "these", "those", "its", "their", "no"}
_VERBS = {
    "hire", "invest", "spend", "build", "launch", "raise", "lower", "cut", "fix", "add",
    "expand", "enter", "open", "move", "keep", "stop", "start", "grow", "double", "focus",
    "hold", "delay", "pause", "wait", "buy", "sell", "go", "shift", "switch", "replace",
    "outsource", "create", "run", "test", "try", "pilot", "change", "rework", "redesign",
    "rebuild", "increase", "decrease", "reduce", "drop", "discount", "price", "target",
    "pivot", "prioritise", "prioritize", "fund", "staff", "sign", "push", "bring", "make",
    "take", "put", "get", "set", "use", "adopt", "implement", "introduce", "consolidate",
    "restructure", "reorganise", "reorganize", "train", "retain", "upsell", "repackage",
    "rewrite", "clean", "tighten", "redefine", "instrument", "measure", "partner", "scale",
    "hire", "recruit", "kill", "sunset", "charge", "offer", "ship", "plan", "revamp",
    "refocus", "rebrand", "reposition", "automate", "double", "triple", "halve",
}
_DOUBLED = {"cut", "stop", "run", "put", "plan", "get", "set", "shut", "drop", "ship", "sit",
            "begin", "hit", "swap", "bet", "admit", "commit", "quit", "trim", "scrap"}


def gerund(verb: str) -> str:
    """'hire' → 'hiring', 'cut' → 'cutting', 'focus' → 'focusing'."""
    v = verb.lower()
    if v.endswith("ing"):
        return verb
    if v in _DOUBLED:
        return verb + verb[-1] + "ing"
    if v.endswith("ie"):
        return verb[:-2] + "ying"
    if v.endswith("e") and not v.endswith(("ee", "ye", "oe")) and len(v) > 2:
        return verb[:-1] + "ing"
    return verb + "ing"


def _clean(text: str) -> str:
    t = " ".join(text.split()).strip(" ,;:")
    t = re.sub(r"^(?:to|we|i)\s+", "", t, flags=re.IGNORECASE)
    t = re.sub(r"^(?:should|shall|do|can|could|would|must|will)\s+we\s+", "", t,
               flags=re.IGNORECASE)
    t = re.sub(r"\s+(?:instead|first|now)$", "", t, flags=re.IGNORECASE)
    return t.strip(" ,;:")


def noun_phrase(words: str, *, verb_led: bool) -> str:
    """An option in the question's words as a noun phrase: a verb-led option becomes a
    gerund ('hire four more SDRs' → 'hiring four more SDRs'), 'invest in X' becomes X."""
    t = _clean(words)
    if not t:
        return t
    obj = _OBJECT_VERBS.match(t)
    if obj:
        return obj.group("obj").strip()
    first, _, rest = t.partition(" ")
    low = first.lower()
    if low in _VERBS or (verb_led and low not in _DETERMINERS and low.isalpha()
                         and not first[:1].isupper()):
        return (gerund(first) + (" " + rest if rest else "")).strip()
    return t


def _verb_led(text: str) -> bool:
    first = _clean(text).split(" ", 1)[0].lower()
    return first in _VERBS


def _split_or(body: str) -> list[str]:
    """'A, B or C' / 'A or B' → parts (None when no 'or' joins two real options)."""
    body = re.sub(r",?\s+or\s+not$", "", body, flags=re.IGNORECASE)
    parts = re.split(r",?\s+or\s+(?:should we\s+|do we\s+|we\s+)?", body, flags=re.IGNORECASE)
    if len(parts) == 2 and "," in parts[0]:
        head = [p for p in re.split(r",\s+", parts[0]) if p]
        if 2 <= len(head) <= 2:
            parts = head + parts[1:]
    return [p for p in (x.strip(" ,;:") for x in parts) if p]


@dataclass
class _Framed:
    form: QuestionForm
    options: list[OptionFrame]


def _frame_options(q: str) -> _Framed:
    text = q.strip().rstrip("?.! ")
    last = re.split(r"(?<=[.?!])\s+", text)[-1].rstrip("?.! ")
    # how much / how many
    m = re.match(r"^how\s+(?P<what>much|many)\s+(?P<obj>.*?)\s*(?:should|shall|do|can|must)\s+"
                 r"we\s+(?P<rest>.+)$", last, flags=re.IGNORECASE)
    if m:
        rest = _clean(m.group("rest"))
        verb, _, tail = rest.partition(" ")
        obj = m.group("obj").strip()
        g = gerund(verb) if verb else "spending"
        tail_words = f"{obj} {tail}".strip()
        words = " ".join(x for x in (verb, tail_words) if x)
        more = " ".join(x for x in (g, "more", tail_words) if x)
        hold = " ".join(x for x in (g, "no more", tail_words) if x) + " than today"
        return _Framed("how_much", [option_frame(more, words, "more", last),
                                    option_frame(hold, words, "hold", last)])
    # when
    m = re.match(r"^when\s+(?:should|shall|do|can|must|will)\s+we\s+(?P<rest>.+)$", last,
                 flags=re.IGNORECASE)
    if m:
        rest = _clean(m.group("rest"))
        np = noun_phrase(rest, verb_led=True)
        return _Framed("when", [option_frame(f"{np} now", rest, "now", last),
                                option_frame(f"{np} later", rest, "later", last)])
    lead = _MODAL.match(last) or _BETTER.match(last)
    body = last[lead.end():] if lead else last
    verb_led = bool(lead)
    if not lead:  # 'which first: X or Y' / 'X or Y?'
        body = re.sub(r"^.*?(?:between|:)\s+", "", body, count=1, flags=re.IGNORECASE)
    # A before B
    m = re.match(r"^(?P<a>.+?)\s+before\s+(?:we\s+)?(?P<b>.+)$", body, flags=re.IGNORECASE)
    if m and verb_led and " or " not in body.lower():
        a = noun_phrase(m.group("a"), verb_led=True)
        b = noun_phrase(m.group("b"), verb_led=True)
        return _Framed("either_or", [option_frame(f"{a} first", m.group("a"), "alternative", last),
                                     option_frame(f"{b} first", m.group("b"), "alternative", last)])
    parts = _split_or(body)
    if len(parts) >= 2 and all(len(p) <= 80 for p in parts):
        parts = parts[:3]
        first_led = verb_led or _verb_led(parts[0])
        frames = []
        for i, p in enumerate(parts):
            led = first_led if i == 0 else (first_led and (_verb_led(p) or not (
                p.split(" ", 1)[0].lower() in _DETERMINERS)))
            # 'invest in A or in B': the second keeps the first's verb
            if i > 0 and re.match(r"^(?:in|on|into)\s+", p, flags=re.IGNORECASE):
                p_np = re.sub(r"^(?:in|on|into)\s+", "", p, flags=re.IGNORECASE)
            else:
                p_np = noun_phrase(p, verb_led=led)
            words = re.sub(r"^(?:in|on|into)\s+", "", _clean(p), flags=re.IGNORECASE) \
                if i > 0 else _clean(p)
            frames.append(option_frame(p_np, words, "alternative", last))
        return _Framed("either_or", frames)
    if lead and len(body) <= 120:
        np = noun_phrase(body, verb_led=True)
        if np:
            return _Framed("yes_no", [option_frame(np, _clean(body), "act", last),
                                      option_frame(f"holding off on {np}", _clean(body),
                                                   "refrain", last)])
    return _Framed("open", [])


def _options(q: str) -> list[str]:
    """The options as noun phrases ('Invest in GTM tooling or in product clarity?' →
    ['GTM tooling', 'product clarity'])."""
    return [o.label for o in _frame_options(q).options]


def align_options(intent: Intent) -> Intent:
    """An intent whose ``options`` were set by someone else (a model framer, in the
    question's words): its option frames rebuilt from them, labels as noun phrases."""
    if not intent.options:
        return intent.model_copy(update={"option_frames": [], "form": intent.form})
    ruled = _frame_options(intent.question)
    if [o.words for o in ruled.options] == intent.options or \
            [o.label for o in ruled.options] == intent.options:
        return intent.model_copy(update={"option_frames": ruled.options, "form": ruled.form,
                                         "options": [o.label for o in ruled.options]})
    frames = [option_frame(noun_phrase(o, verb_led=_verb_led(o)), o, "alternative",
                           intent.question) for o in intent.options]
    return intent.model_copy(update={"option_frames": frames, "form": "either_or",
                                     "options": [f.label for f in frames]})


def join_options(labels: list[str], conj: str = "and") -> str:
    if len(labels) <= 1:
        return "".join(labels)
    if len(labels) == 2:
        return f"{labels[0]} {conj} {labels[1]}"
    return ", ".join(labels[:-1]) + f", {conj} {labels[-1]}"


def _horizon_months(q: str) -> int:
    low = q.lower()
    m = re.search(r"\b(?:in|within|next|over)\s+(\d{1,2})\s+months?\b", low)
    if m:
        return max(1, min(36, int(m.group(1))))
    if re.search(r"\b(?:this|next)\s+quarter\b", low):
        return 3
    if re.search(r"\b(?:this|next)\s+year\b", low):
        return 12
    return 12


def _constraints(q: str) -> list[str]:
    low = q.lower()
    out: list[str] = []
    if re.search(r"\bwithout\s+(?:hiring|adding headcount)\b", low):
        out.append("no new headcount")
    if re.search(r"\b(?:flat|same|fixed)\s+budget\b", low):
        out.append("budget held flat")
    m = re.search(r"\bby\s+(q[1-4]\s+\d{4})\b", low)
    if m:
        out.append(f"deadline {m.group(1).upper()}")
    return out


def frame_question(question: str, run_date: date) -> Intent:
    """Frame a question deterministically (the offline framer)."""
    q = " ".join(question.split())
    if not q:
        raise UsageError("the question is empty", hint='Ask e.g. throughline ask "'
                         + DEFAULT_QUESTION + '"')
    if len(q) > MAX_QUESTION_CHARS:
        raise UsageError(f"the question is longer than {MAX_QUESTION_CHARS:,} characters",
                         hint="Put background in a document and add it with "
                              "`throughline library add`.")
    kind = _decision_type(q)
    framed = _frame_options(q)
    options = [o.label for o in framed.options]
    if framed.form == "yes_no":
        choice = f"Decide whether to go ahead with {options[0]}, or hold off."
    elif framed.form == "how_much":
        choice = f"Decide between {options[0]} and {options[1]}."
    elif framed.form == "when":
        choice = f"Decide between {options[0]} and {options[1]}."
    elif options:
        choice = f"Choose between {join_options(options)}, or neither first."
    elif kind == "diagnose":
        choice = "Name the binding go-to-market constraint and the first repair."
    else:
        choice = f"Decide ({kind}) on the basis of the company's own evidence."
    return Intent(
        question=question.strip(),
        choice=choice,
        options=options,
        form=framed.form,
        option_frames=framed.options,
        stakes=_STAKES[kind],
        constraints=_constraints(q),
        decision_type=kind,
        run_date=run_date,
        horizon_months=_horizon_months(q),
        must_contain=_MUST[kind] + _COMMON_MUST,
        framed_by="offline",
    )
