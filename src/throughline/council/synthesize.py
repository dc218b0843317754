"""Synthesize: the record's sections from the debate, the findings and the forecasts.

Deterministic: the verdict takes the side the ranking supports, the action plan follows the
binding constraint's order of repairs, the future paths set "act on the constraint" against
"keep going" (and the runner-up as root cause), each milestone backed by a forecast or by
a sentence an advisor actually said. Numbers only enter as finding statements, forecast
statements or quotes, so the claim check can trace every one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from throughline.council.forecast import (
    INTERVAL,
    Omitted,
    Series,
    fit,
    horizon_date,
    interval,
    level_of,
    probability,
    steps_until,
    why_not,
)
from throughline.council.frame import LEVER_BY_KEY, join_options
from throughline.council.gather import (
    COVERAGE_ID,
    RANKING_ID,
    EvidencePack,
    OptionMeasure,
    binding_evidence_ids,
    excerpt,
)
from throughline.council.offline import wording as w
from throughline.council.offline.facts import Fact, assumption_test, finding_facts
from throughline.council.offline.grammar import Voice
from throughline.council.offline.phrasing import SYNTH
from throughline.council.personas import Persona
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.families.measure import SMALL_SAMPLE, num, pct
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.ranking import HYPOTHESES
from throughline.diagnose.report import trust
from throughline.record.decision import (
    ActionStep,
    Advisor,
    CannotSee,
    Citation,
    ConvictionPoint,
    DataTrust,
    EvidenceItem,
    Forecast,
    FuturePath,
    Intent,
    Milestone,
    OmittedForecast,
    PanelMember,
    Risk,
    RoundRecord,
    SourceItem,
    Sources,
    TiedHypothesis,
)

PRIMARY_SERIES: dict[str | None, list[str]] = {
    "honesty": ["forecast_overshoot", "win_rate"],
    "distribution": ["new_deals", "win_rate"],
    "positioning": ["win_rate", "new_deals"],
    "messaging": ["unknown_share", "win_rate"],
    "architecture": ["pull_share", "new_deals"],
    "measurement_vacuum": ["pr_cycle_hours", "win_rate"],
    "inventory": ["win_rate", "new_deals"],
    None: ["win_rate", "new_deals"],
}

class CitationBook:
    """Numbers citations in order of first use."""

    def __init__(self, pack: EvidencePack, forecasts: list[Forecast]) -> None:
        self.pack = pack
        self.forecasts = {f.id: f for f in forecasts}
        self.items: list[Citation] = []

    def cite(self, ref: str) -> int | None:
        for c in self.items:
            if c.ref == ref:
                return c.number
        n = len(self.items) + 1
        f = self.pack.finding(ref)
        if f is not None:
            self.items.append(Citation(number=n, kind="finding", ref=ref, title=f.title,
                                       excerpt=f.statement))
            return n
        p = self.pack.passage(ref)
        if p is not None:
            title = p.source.title + (f" — {p.heading}" if p.heading else "")
            self.items.append(Citation(number=n, kind="passage", ref=ref, title=title,
                                       excerpt=excerpt(p.text, 400), location=p.source.location))
            return n
        fc = self.forecasts.get(ref)
        if fc is not None:
            self.items.append(Citation(number=n, kind="forecast", ref=ref,
                                       title="Forecast", excerpt=fc.statement))
            return n
        return None

    def many(self, refs: list[str]) -> list[int]:
        return [n for r in refs if (n := self.cite(r)) is not None]


def _fmt(value: float, unit: str) -> str:
    if unit == "ratio":
        return pct(value)
    if unit == "hours":
        return f"{num(value)} hours"
    if unit == "days":
        return f"{num(value)} days"
    return num(value)


def _sentence_with(text: str, ids: set[str] | None = None) -> str:
    """The first full sentence of a statement (for quotes)."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“'\"])", flat)
    return parts[0] if parts else flat


def _own_sentence(text: str, round_: int) -> str:
    """The sentence of a statement that says the speaker's own point: from round 2 the
    first sentence answers a peer, so the second one (when there is one)."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“'\"])", flat)
    if round_ >= 2 and len(parts) > 1:
        return parts[1]
    return parts[0] if parts else flat


# -- forecasts ------------------------------------------------------------------------------


class ForecastPlan(BaseModel):
    """The forecasts made, and those the data could not support (with the reason)."""

    made: list[Forecast] = Field(default_factory=list)
    omitted: list[Omitted] = Field(default_factory=list)


def forecast_horizons(intent: Intent, *, options: bool = False) -> list[list[int]]:
    """Months after the as-of date, per series in order of preference: the question's own
    horizon (12 months unless the question names one) and a nearer look before it. For a
    question with options every series ends at the question's horizon."""
    h = max(1, intent.horizon_months)
    near, mid = min(3, h), min(6, h)
    if options:
        return [sorted({near, h}), sorted({near, h}), [h], [h]]
    return [sorted({near, h}), sorted({mid, h}), [mid]]


def option_series(intent: Intent) -> list[str]:
    """The series the options move (the declared mapping's ``series``), interleaved across
    options so each option gets its first series before any gets a second."""
    per: list[list[str]] = []
    for o in intent.option_frames:
        keys: list[str] = []
        for k in o.levers:
            lever = LEVER_BY_KEY.get(k)
            if lever is not None:
                keys += [x for x in lever.series if x not in keys]
        per.append(keys)
    out: list[str] = []
    for i in range(max((len(k) for k in per), default=0)):
        for keys in per:
            if i < len(keys) and keys[i] not in out:
                out.append(keys[i])
    return out


def plan_forecasts(pack: EvidencePack, series: list[Series], intent: Intent,
                   seats: list[tuple[Persona, Advisor]]) -> ForecastPlan:
    """Forecasts on the binding constraint's series (a near look and the question's horizon),
    on a second series (six months and the horizon) and a third (six months), each from the
    fitted trend with its uncertainty, inside the metric's domain and counted from the
    as-of date. A forecast the data cannot support is listed in ``omitted`` with why."""
    diagnosis = pack.diagnosis
    binding = diagnosis.ranking.binding
    primary = binding or (diagnosis.ranking.tied[0] if diagnosis.ranking.tied else None)
    by_key = {s.key: s for s in series}
    as_of = diagnosis.as_of
    # a question with options: forecasts on what the options move (enough history first)
    asked = option_series(intent)
    if not asked and pack.subject is not None:  # an open question: what its words name
        for k in pack.subject.levers:
            lever = LEVER_BY_KEY.get(k)
            asked += [x for x in (lever.series if lever else ()) if x not in asked]
    moved = [k for k in asked if k in by_key and why_not(by_key[k], as_of) is None]
    voice = Voice(f"forecasts\x1f{intent.question}\x1f{binding}", grammar=SYNTH)
    if moved:
        wanted = moved[:4]
        if len(wanted) < 2:
            wanted += [k for k in PRIMARY_SERIES.get(primary, PRIMARY_SERIES[None])
                       if k in by_key and k not in wanted][:1]
    else:
        wanted = [k for k in PRIMARY_SERIES.get(primary, PRIMARY_SERIES[None]) if k in by_key]
        for k in ("win_rate", "new_deals"):
            if k not in wanted and k in by_key:
                wanted.append(k)
    plan = ForecastPlan()
    for key, months in zip(wanted, forecast_horizons(
            intent, options=bool(moved) and bool(intent.option_frames)), strict=False):
        s = by_key[key]
        short = why_not(s, as_of)
        level = level_of(s, diagnosis)
        trend = fit(s.points, s.domain) if short is None else None
        if trend is None or level is None:
            plan.omitted.append(Omitted(
                key=key, name=s.short,
                reason=short or "no level to compare the trend with (its finding has none)"))
            continue
        threshold = 0.0 if key == "forecast_overshoot" else level
        side: Literal["below", "above"] = "above" if s.better == "lower" else "below"
        if key == "pr_cycle_hours":
            side = "below"  # engineering keeps getting faster while the rest stays dark
        owner = _owner(s.family, binding or primary, seats)
        for m in months:
            reason = why_not(s, as_of, m)
            if reason is not None:
                plan.omitted.append(Omitted(key=key, name=s.short, months=m, reason=reason))
                continue
            horizon = horizon_date(as_of, m)
            steps = steps_until(s, horizon)
            p, mean = probability(trend, steps, threshold, side)
            low, high = interval(trend, steps)
            month_label = horizon.strftime("%B %Y")
            shown = _fmt(threshold, s.unit)
            if key == "forecast_overshoot":
                what = voice.say("fc.gap", key, month=month_label).rstrip(".")
                resolution = (f"True if the forecast submitted for the period containing "
                              f"{month_label} is above the bookings won in it; false if not.")
            elif s.unit == "count" and "@" in key:
                ch = key.split("@", 1)[1].replace("_", " ")
                what = voice.say("fc.count", key, ch=ch, month=month_label, side=side,
                                 level=shown).rstrip(".")
                resolution = (f"True if the exports show {side} {shown} new {ch} deals "
                              f"created in {month_label}; false otherwise. Resolved after "
                              f"{horizon.isoformat()}.")
            else:
                basis = "its level over the last year" if key != "pr_cycle_hours" else \
                    "today's median"
                what = voice.say("fc.level", key, label=s.label, month=month_label, side=side,
                                 level=shown, basis=basis).rstrip(".")
                resolution = (f"True if the {s.label} computed from the exports for "
                              f"{month_label} is {side} {shown}; false otherwise. Resolved "
                              f"after {horizon.isoformat()}.")
            per = {"month": "months", "week": "weeks", "quarter": "quarters",
                   "period": "forecast periods"}[s.period]
            scale = {"rate": " on the logit scale", "count": " on the log scale",
                     "positive": " on the log scale", "gap": " on the log of the ratio",
                     "linear": ""}[s.domain]
            plan.made.append(Forecast(
                id=f"fc.{key.replace('@', '_')}.m{m}",
                statement=what[0].upper() + what[1:] + ".",
                probability=round(p, 4), horizon=horizon, resolution=resolution,
                owner=owner, finding_id=s.finding_id, metric=s.metric,
                current=round(level, 6), threshold=threshold, unit=s.unit,
                anchor=as_of, projected=round(mean, 6), low=round(low, 6),
                high=round(high, 6),
                method=(f"Least-squares trend{scale} over the last {trend.n} {per} "
                        f"(slope {trend.slope:+.4g} per period on that scale), prediction "
                        f"interval of a single period {steps:.1f} periods after the last one "
                        f"(Student t, {trend.n - 2} df), counted from the data's end "
                        f"({as_of.isoformat()}); projected value {_fmt(mean, s.unit)}, "
                        f"{INTERVAL:.0%} interval {_fmt(low, s.unit)} to "
                        f"{_fmt(high, s.unit)}."),
            ))
    return plan


def build_forecasts(pack: EvidencePack, series: list[Series], intent: Intent,
                    seats: list[tuple[Persona, Advisor]]) -> list[Forecast]:
    """The forecasts :func:`plan_forecasts` could make."""
    return plan_forecasts(pack, series, intent, seats).made


def _owner(family: str, binding: str | None, seats: list[tuple[Persona, Advisor]]) -> str:
    for p, _ in seats:
        if family in p.weighs.families and p.id not in ("auditor", "contrarian"):
            return p.id
    if binding:
        fams = set(SPECS[binding].families)
        for p, _ in seats:
            if fams & set(p.weighs.families):
                return p.id
    return "auditor"


def _outcome(i: int, title: str) -> str:
    """A milestone of the repair path as an outcome (the plan says the steps)."""
    texts = [
        f"The first repair has had a quarter to work, and “{title}” is read again on new data.",
        f"“{title}” has moved the right way — or the repair is changed, not defended.",
        f"What the repair was meant to change, “{title}”, holds its new level.",
        "Only now does the next investment make sense: it is judged on numbers that can be "
        "trusted.",
    ]
    return texts[min(i, len(texts) - 1)]


_SERIES_LABELS = {"win_rate": "monthly win rate", "new_deals": "count of new deals",
                  "forecast_overshoot": "gap between forecast and bookings",
                  "pull_share": "pull share of new deals",
                  "unknown_share": "share of deals with no known source",
                  "pr_cycle_hours": "PR cycle time"}


def _series_label(f: Forecast) -> str:
    """The series a forecast is made on, named for a sentence ('partner win rate')."""
    key = f.id.split(".")[1] if f.id.count(".") >= 2 else f.id
    for base, label in (("new_deals_", "count of new {} deals"), ("win_rate_", "{} win rate")):
        if key.startswith(base):
            return label.format(key[len(base):].replace("_", " "))
    return _SERIES_LABELS.get(key, key.replace("_", " "))


def _kind(metric: str) -> str:
    """A by-channel metric without its channel: 'win_rate_partner' → 'win_rate'."""
    for prefix in ("win_rate", "avg_deal_size", "median_cycle_days", "nrr", "grr",
                   "logo_churn", "nps", "survival_12m", "median_ttv_days", "expansion_rate"):
        if metric.startswith(prefix):
            return prefix
    return metric


def _bare(image: str) -> str:
    """An image as it may appear inside a sentence: lower case, no leading article."""
    low = " ".join(image.lower().split())
    return re.sub(r"^(?:a|an|the)\s+", "", low)


def _months_to(f: Forecast, as_of: date) -> int:
    """The forecast's horizon in months after the as-of date."""
    try:
        return int(f.id.rsplit(".m", 1)[1])
    except (IndexError, ValueError):
        return max(1, (f.horizon.year - as_of.year) * 12 + f.horizon.month - as_of.month)


def forecast_milestone(month: int, f: Forecast) -> Milestone:
    """A milestone that says the trend holds, backed by the forecast for that month."""
    return Milestone(month=month, text=f"The trend holds: {w.lower_first(f.statement)}",
                     backing=f.statement,
                     backing_kind="forecast", backing_ref=f.id)


def trend_milestones(by_month: dict[int, Forecast], months: tuple[int, ...]) -> list[Milestone]:
    return [forecast_milestone(m, by_month[m]) for m in months if m in by_month]


# -- the options of the question -----------------------------------------------------------

_DECIDING = ("win_rate", "avg_deal_size", "nrr", "nps", "logo_churn", "survival_12m",
             "grr", "median_cycle_days", "median_ttv_days")
_REMEDY_WORDS: dict[str, tuple[str, ...]] = {
    "outbound": ("hiring", "sequences", "pipeline generation", "signal volume", "volume"),
    "paid": ("signal volume", "content", "volume"),
    "events": ("signal volume", "content", "volume"),
    "content": ("content", "signal volume"),
    "marketing": ("content", "signal volume", "messaging", "creative"),
    "messaging": ("messaging", "creative", "positioning"),
    "measurement": ("attribution tool", "dashboard", "tool"),
    "pricing": ("price", "discount"),
}


_PREP: dict[str, tuple[str, str, str]] = {
    "partner": ("Head of Partnerships",
                "Name one owner for partners and the first three partners to sign, and tag "
                "every partner-sourced deal at creation so partner win rate, retention and NPS "
                "stay measured.",
                "Which three partners already bring us deals, and who owns each relationship?"),
    "outbound": ("Head of Sales",
                 "Before any seller is hired, write down the pipeline each new hire must create "
                 "and the win rate it must hold, and tag outbound deals at creation.",
                 "What pipeline, at what win rate, pays for one more seat in a quarter?"),
    "referral": ("Head of Customer Success",
                 "Ask the happiest accounts for introductions, and tag referred deals at "
                 "creation so referral win rate and retention stay measured.",
                 "Which ten customers would introduce us this month, and who asks them?"),
    "marketing": ("Head of Marketing",
                  "Make the source field mandatory on every new deal, so each marketing "
                  "channel's win rate and retention can be read next quarter.",
                  "Which channel would we cut first if we had to, and what number says so?"),
    "pricing": ("CFO with the Head of Sales",
                "Test the new price on a slice of new deals before changing the list, and "
                "record the discount on every deal.",
                "Which of last quarter's wins would we have lost at the new price?"),
    "forecast": ("Head of Sales with RevOps",
                 "Publish the stage exit criteria and score every open deal against them.",
                 "Which of our commit deals meets the new criteria today?"),
    "segment": ("Head of Sales with Customer Success",
                "List the accounts won and kept in the chosen segment last year, and what they "
                "had in common, before moving quota toward it.",
                "What did the accounts we kept in this segment have in common?"),
    "product": ("Head of Product",
                "Give every shipped feature a sales play and a named owner before the next "
                "one starts.",
                "Which shipped features still have no sales play, and who writes each?"),
}
for _k in ("paid", "events", "content"):
    _PREP[_k] = _PREP["marketing"]


class OptionCase(BaseModel):
    """How one option of the question fares against the evidence."""

    label: str
    stance: str
    levers: list[str]
    channel: str | None = None
    repairs_binding: bool = False
    feeds_binding: bool = False
    strengths: list[OptionMeasure] = Field(default_factory=list)
    weaknesses: list[OptionMeasure] = Field(default_factory=list)
    measures: list[OptionMeasure] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    finding_ids: list[str] = Field(default_factory=list)

    @property
    def score(self) -> float:
        return (3.0 * self.repairs_binding - 3.0 * self.feeds_binding
                + 0.5 * (len(self.strengths) - len(self.weaknesses)))


def option_cases(intent: Intent, pack: EvidencePack, binding: str | None) -> list[OptionCase]:
    by_label = {o.label: o for o in pack.options}
    out: list[OptionCase] = []
    for frame in intent.option_frames:
        ev = by_label.get(frame.label)
        levers = [LEVER_BY_KEY[k] for k in frame.levers if k in LEVER_BY_KEY]
        measures = list(ev.measures) if ev else []
        deciding = [m for m in measures if not m.small and m.side in ("better", "worse")
                    and m.metric.startswith(_DECIDING)]
        refrain = frame.stance in ("refrain", "hold", "later")
        case = OptionCase(
            label=frame.label, stance=frame.stance, levers=frame.levers, channel=frame.channel,
            repairs_binding=bool(binding) and any(binding in lv.repairs for lv in levers),
            feeds_binding=bool(binding) and any(binding in lv.wrong_when for lv in levers),
            strengths=[m for m in deciding if m.side == "better"],
            weaknesses=[m for m in deciding if m.side == "worse"],
            measures=measures, missing=list(ev.missing) if ev else [],
            needs=list(ev.needs) if ev else [], finding_ids=list(ev.finding_ids) if ev else [])
        if refrain:  # holding off is judged as the mirror of doing it
            case.repairs_binding, case.feeds_binding = case.feeds_binding, case.repairs_binding
            case.strengths, case.weaknesses = case.weaknesses, case.strengths
        out.append(case)
    return out


def rank_words(m: OptionMeasure) -> str:
    """'the highest of any channel', 'the second lowest', 'above the median channel'."""
    if m.rank is None or m.peers < 3:
        return ""
    best, worst = ("lowest", "highest") if m.lower_is_better else ("highest", "lowest")
    noun = m.peer_noun
    if m.rank == 1:
        return f"the {best} of any {noun}"
    if m.rank == m.peers:
        return f"the {worst} of any {noun}"
    if m.rank == 2:
        return f"the second {best} of the {noun}s"
    if m.rank == m.peers - 1:
        return f"the second {worst} of the {noun}s"
    return f"better than the median {noun}" if m.side == "better" else \
        f"worse than the median {noun}" if m.side == "worse" else f"near the median {noun}"


def measure_phrase(m: OptionMeasure, *, with_rank: bool = True) -> str:
    """'partner NPS is 50 (42 answers), the second highest of the channels'."""
    n = _n_phrase(m)
    rank = rank_words(m) if with_rank else ""
    return f"{m.label} is {m.shown}{n}" + (f", {rank}" if rank else "")


def _remedy_for(binding: str, levers: list[str]) -> str | None:
    """The diagnosis' named wrong remedy an option amounts to, when there is one."""
    words: list[str] = []
    for k in levers:
        words += list(_REMEDY_WORDS.get(k, ()))
    for wd in words:  # the lever's own words in order of preference
        for text in SPECS[binding].wrong_remedies:
            if wd in text.lower():
                return w.strip_period(re.split(r"[:—]", text)[0].strip().rstrip(","))
    return None


_N_NOUN = (("win_rate", "closed deals"), ("avg_deal_size", "won deals"),
           ("median_cycle_days", "won deals"), ("nrr", "accounts"), ("grr", "accounts"),
           ("logo_churn", "accounts"), ("expansion", "accounts"), ("survival", "accounts"),
           ("median_ttv", "accounts"), ("nps", "answers"), ("failed_share", "commit deals"),
           ("pushed_share", "deals"), ("pull_share", "new deals"))


def _n_phrase(m: OptionMeasure) -> str:
    if m.n is None:
        return ""
    noun = next((noun for prefix, noun in _N_NOUN if m.metric.startswith(prefix)), None)
    return f" ({m.n:,} {noun})" if noun else ""


# -- the sections ---------------------------------------------------------------------------


class Synthesis:
    def __init__(self, *, intent: Intent, pack: EvidencePack,
                 seats: list[tuple[Persona, Advisor]], rounds: list[RoundRecord],
                 forecasts: list[Forecast], omitted: list[Omitted] | None = None) -> None:
        self.intent = intent
        self.omitted = list(omitted or [])
        self.pack = pack
        self.seats = seats
        self.personas = {p.id: p for p, _ in seats}
        self.names = {a.id: a.name for _, a in seats}
        self.rounds = rounds
        self.forecasts = forecasts
        self.ranking = pack.diagnosis.ranking
        self.binding = self.ranking.binding
        self.runner = self.ranking.runner_up
        self.tied = [h for h in self.ranking.tied if h in SPECS] if self.binding is None else []
        self.binding_ids = binding_evidence_ids(pack.diagnosis, self.binding)
        self.runner_ids = binding_evidence_ids(pack.diagnosis, self.runner)
        self.book = CitationBook(pack, forecasts)
        self.statements = [s for r in rounds for s in r.statements]
        self.cases = option_cases(intent, pack, self.binding)
        self.choice = self._choose()
        self.subject = pack.subject if len(self.cases) < 2 else None
        self.voice = Voice(f"synthesis\x1f{intent.question}\x1f{self.binding}\x1f"
                           f"{self.runner}\x1f{intent.decision_type}", grammar=SYNTH)
        words = intent.question.strip().split()
        self.ask = "“" + " ".join(words[:12]).rstrip("?.!") + (" …" if len(words) > 12
                                                                else "") + "”"
        self.strength: dict[str, float] = {}
        self.raises: dict[str, str] = {}
        for sc in self.ranking.scores:
            for cpt in sc.raised_by:
                if cpt.value > self.strength.get(cpt.finding_id, -1.0):
                    self.strength[cpt.finding_id] = max(cpt.value, 0.0)
                    self.raises[cpt.finding_id] = sc.name

    # the question's lens ---------------------------------------------------------------

    def say(self, kind: str, key: str, **slots: str) -> str:
        return self.voice.say(kind, key, **slots)

    def facts_of(self, fid: str) -> list[Fact]:
        f = self.pack.finding(fid)
        if f is None:
            return []
        return finding_facts(f, strength=self.strength.get(f.id, 0.0),
                             hypothesis=self.raises.get(f.id))

    def problem_fact(self, ids: list[str], skip: int = 0) -> tuple[Fact, str] | None:
        """A number that reads as a problem from these findings (its phrase with its base
        and the finding's title), for paraphrasing a finding instead of quoting it whole."""
        found: list[tuple[Fact, str]] = []
        for fid in ids:
            f = self.pack.finding(fid)
            for x in self.facts_of(fid):
                if x.reading and x.problem and f is not None:
                    found.append((x, f.title))
                    break
        return found[min(skip, len(found) - 1)] if found else None

    def subject_measures(self) -> list[OptionMeasure]:
        if self.subject is None:
            return []
        return [m for m in self.subject.measures if not m.small][:3]

    def subject_name(self) -> str | None:
        """What an open question is about, as the record names it ('the win rate')."""
        ms = self.subject_measures()
        if not ms:
            return None
        label = ms[0].label
        return label if label[:1].isupper() and label[1:2].isupper() else "the " + label

    def wrong_remedy(self) -> str:
        assert self.binding is not None
        text = SPECS[self.binding].wrong_remedies[0]
        return w.lower_first(w.strip_period(re.split(r"[:—]", text)[0].strip().rstrip(",")))

    # the options ------------------------------------------------------------------------

    def _choose(self) -> OptionCase | None:
        """The option the evidence favours, or None when it cannot decide."""
        cases = self.cases
        if len(cases) < 2:
            return None
        ranked = sorted(cases, key=lambda c: -c.score)
        if ranked[0].score == ranked[1].score:
            if self.intent.form == "when" and self.binding:
                return next((c for c in cases if c.stance == "later"), None)
            return None
        return ranked[0]

    def _others(self) -> list[OptionCase]:
        return [c for c in self.cases if c is not self.choice]

    def _deciding_numbers(self) -> list[str]:
        """Sentences with the numbers that decide between the options."""
        out: list[str] = []
        chans = [c for c in self.cases if c.channel and c.measures]
        if len(chans) >= 2 and len({c.channel for c in chans}) >= 2:
            a, b = (self.choice, self._others()[0]) if self.choice in chans else chans[:2]
            for kind in ("win_rate", "avg_deal_size", "nrr", "nps", "logo_churn"):
                ma = next((m for m in a.measures if m.metric.startswith(kind)), None)
                mb = next((m for m in b.measures if m.metric.startswith(kind)), None)
                if ma is None or mb is None:
                    continue
                small = ", a small sample" if ma.small or mb.small else ""
                phrase = measure_phrase(ma)
                out.append(f"{phrase[0].upper()}{phrase[1:]}; "
                           f"{b.channel.replace('_', '-')}: {mb.shown}"
                           f"{_n_phrase(mb)}{small}.")
                if len(out) >= 4:
                    break
            return out
        for c in self.cases:
            if c.stance in ("refrain", "hold", "later"):
                continue
            shown = [m for m in (c.strengths + c.weaknesses) if not m.small][:3] or \
                [m for m in c.measures if not m.small][:3]
            for m in shown:
                phrase = measure_phrase(m)
                sentence = phrase[0].upper() + phrase[1:] + "."
                if sentence not in out:
                    out.append(sentence)
        return out[:4]

    def _missing_line(self) -> str:
        missing: list[str] = []
        needs: list[str] = []
        for c in self.cases:
            missing += [x for x in c.missing if x not in missing]
            needs += [x for x in c.needs if x not in needs]
        if not missing:
            return ""
        line = ("What would decide it is not measured here: " + w.join_names(missing[:4]) + ".")
        if needs:
            line += " To get it, export " + "; and ".join(needs[:2]) + ", and run the diagnosis again."
        return line

    # verdict --------------------------------------------------------------------------

    # the record's head: title, tie, what the data could not be trusted for -----------------

    def title(self) -> str:
        if len(self.cases) >= 2:  # the record's head answers the question asked
            c = self.choice
            labels = [x.label for x in self.cases]
            binds = f" while {w.short(self.binding)} binds" if self.binding else ""
            if c is None:
                return f"Not yet decidable: {join_options(labels, 'or')}"
            if c.stance in ("refrain", "hold", "later"):
                act = next((x.label for x in self.cases if x is not c), "it")
                return f"Not now: hold off on {act}{binds}"
            return f"Choose {c.label}" + (f", after the first {w.short(self.binding)} repair"
                                          if self.binding and not c.repairs_binding else "")
        if self.binding:
            return f"{HYPOTHESES[self.binding].split(' (')[0]} is the binding constraint"
        if self.tied:
            names = [HYPOTHESES.get(h, h).split(" (")[0] for h in self.tied]
            scores = [f"{trust.scores_of(self.ranking).get(h, 0.0):.2f}" for h in self.tied]
            if len(set(scores)) == 1:
                return f"Tie: {w.join_names(names)} at {scores[0]}"
            return "Tie: " + w.join_names([f"{n} ({sc})" for n, sc in zip(names, scores,
                                                                        strict=True)])
        return "No single constraint binds"

    def tied_hypotheses(self) -> list[TiedHypothesis]:
        scores = trust.scores_of(self.ranking)
        return [TiedHypothesis(name=h, label=HYPOTHESES.get(h, h), score=scores.get(h, 0.0))
                for h in self.tied]

    def tie_line(self) -> str:
        return trust.tie_sentence(self.ranking) if self.tied else ""

    def data_trust(self) -> DataTrust:
        d = self.pack.diagnosis
        return DataTrust(
            issues=list(d.data_quality), as_of=d.as_of, as_of_line=trust.as_of_line(d),
            currency_line=trust.currency_line(d),
            blocked=[trust.blocked_sentence(h, why)
                     for h, why in sorted(self.ranking.blocked.items())],
        )

    def omitted_forecasts(self) -> list[OmittedForecast]:
        return [OmittedForecast(name=o.name, months=o.months, reason=o.reason)
                for o in self.omitted]

    # verdict --------------------------------------------------------------------------

    def verdict(self) -> str:
        if len(self.cases) >= 2:
            return self._option_verdict()
        if self.tied:
            return self._tie_verdict()
        if self.binding is None:
            top = self.ranking.scores[0] if self.ranking.scores else None
            rank = self.pack.finding(RANKING_ID)
            parts = ["No single go-to-market constraint binds in this data, and that is the "
                     "answer to act on: do not bet the quarter on one repair."]
            if rank is not None:
                parts.append(rank.statement)
            if top is not None:
                parts.append(f"The closest candidate is {w.short(top.name)}; watch it, and "
                             "strengthen the measures the data lacks before choosing.")
            return " ".join(parts)
        return self._open_verdict()

    def _open_verdict(self) -> str:
        """An open question's verdict: the binding constraint read through what the question
        asks about, one number that carries it (paraphrased, not the finding quoted whole —
        the evidence section states the diagnosis once), the question's own measure, the
        remedy it rules out, the runner-up and the first step."""
        assert self.binding is not None
        h = w.short(self.binding)
        slots = dict(h=h, H=h[:1].upper() + h[1:], ask=self.ask)
        subject = self.subject_name()
        if subject is not None:
            _, real, passes = w.MASQUERADE[self.binding]
            parts = [self.say("v.head_subject", "verdict", subject=subject,
                              Subject=subject[:1].upper() + subject[1:], real=real,
                              passes=passes, **slots)]
        else:
            parts = [self.say("v.head", "verdict", **slots)]
        got = self.problem_fact(self.binding_ids[:3])
        if got is not None:
            parts.append(self.say("v.proof", "verdict", fact=got[0].with_n, title=got[1]))
        for m in self.subject_measures()[:1]:
            parts.append(self.say("v.subject", "verdict", measure=measure_phrase(m)))
        parts.append(self.say("v.wrong", "verdict", wrong=self.wrong_remedy(), **slots))
        if self.runner:
            r = w.short(self.runner)
            parts.append(self.say("v.runner", "verdict", runner=r,
                                  Runner=r[:1].upper() + r[1:], **slots))
        first = SPECS[self.binding].order_of_operations[0]
        parts.append(self.say("v.first", "verdict", step=w.lower_first(first)))
        return " ".join(parts)

    def _binding_clause(self) -> str:
        """The binding constraint (or the tie, or none) in one sentence with its number."""
        if self.binding:
            head = f"{w.short(self.binding).capitalize()} is the binding constraint"
            got = self.problem_fact(self.binding_ids[:3])  # paraphrased: stated in evidence
            return head + (f": {got[0].with_n} in “{got[1]}”." if got is not None else ".")
        if self.tied:
            return trust.tie_sentence(self.ranking)
        return "No single go-to-market constraint binds in this data."

    def _option_verdict(self) -> str:
        c = self.choice
        others = self._others()
        labels = [x.label for x in self.cases]
        parts: list[str] = []
        form = self.intent.form
        if c is None:
            parts.append(f"The evidence cannot yet decide between {join_options(labels)}.")
            parts += self._deciding_numbers()
            missing = self._missing_line()
            parts.append(missing or "Neither option touches the binding constraint, and the "
                         "measures the options move do not separate them.")
            parts.append(self._binding_clause())
            if self.binding:
                spec = SPECS[self.binding]
                parts.append(f"Start with this: {w.lower_first(spec.order_of_operations[0])}")
            return " ".join(parts)
        other = join_options([x.label for x in others], "or")
        act = next((x for x in self.cases if x.stance in ("act", "more", "now")), None)
        gate = (f"the first repair of {w.short(self.binding)} shows in its numbers"
                if self.binding else "the measures the data lacks exist")
        if form == "yes_no":
            head = (f"Yes — go ahead with {c.label}." if c.stance == "act"
                    else f"Not now — hold off on {act.label if act else other} until {gate}.")
        elif form == "how_much":
            head = (f"Choose {c.label}, not {other}." if c.stance == "more" else
                    f"Hold the level — choose {c.label} over {other} until {gate}.")
        elif form == "when":
            head = (f"Now: choose {c.label}, not {other}." if c.stance == "now" else
                    f"Later, not now: choose {c.label} — once {gate}.")
        else:
            head = f"Of {join_options(labels)}, choose {c.label}."
        parts.append(head)
        parts += self._deciding_numbers()
        loser_feeds = [x for x in others if x.feeds_binding and x.stance not in
                       ("refrain", "hold", "later")]
        if c.stance in ("refrain", "hold", "later") and self.binding and act is not None:
            remedy = _remedy_for(self.binding, act.levers)
            what = join_options([LEVER_BY_KEY[k].label for k in act.levers
                                 if k in LEVER_BY_KEY]) or "something else"
            if remedy:
                parts.append(f"While {w.short(self.binding)} binds, {act.label} amounts to the "
                             f"remedy the diagnosis warns against: {w.lower_first(remedy)}.")
            else:
                parts.append(f"{act.label[0].upper() + act.label[1:]} works on {what}; what "
                             f"binds is {w.short(self.binding)}.")
            loser_feeds = []
        for x in loser_feeds:
            remedy = _remedy_for(self.binding, x.levers) if self.binding else None
            if remedy:
                parts.append(f"{x.label[0].upper() + x.label[1:]} is the remedy the diagnosis "
                             f"warns against while {w.short(self.binding)} binds: "
                             f"{w.lower_first(remedy)}.")
        if c.repairs_binding and c.stance not in ("refrain", "hold", "later"):
            parts.append(f"It is the option that works on the binding constraint. "
                         + self._binding_clause())
        else:
            parts.append(self._binding_clause())
            if self.binding and c.stance not in ("refrain", "hold", "later"):
                parts.append(f"So {c.label} comes second to the first repair of "
                             f"{w.short(self.binding)}, not instead of it.")
        if self.binding:
            spec = SPECS[self.binding]
            parts.append(f"Start with this: {w.lower_first(spec.order_of_operations[0])}")
        return " ".join(parts)

    def _tie_verdict(self) -> str:
        names = w.join_names([w.short(h) for h in self.tied])
        parts = [f"{trust.tie_sentence(self.ranking)}",
                 f"Do not pick one of {names} by taste: the ranking cannot, and a quarter "
                 "bet on the wrong one repairs nothing."]
        for h in self.tied:
            ids = binding_evidence_ids(self.pack.diagnosis, h)
            f = self.pack.finding(ids[0]) if ids else None
            if f is not None:
                parts.append(f"For {w.short(h)}: {f.statement}")
        parts.append("Start with this: measure what would separate them, then act on the "
                     "one the next diagnosis names.")
        return " ".join(parts)

    # action plan --------------------------------------------------------------------------

    def action_plan(self) -> list[ActionStep]:
        run = self.intent.run_date
        steps: list[ActionStep] = []
        h = self.binding
        if self.tied:
            return self._tie_plan()
        if h is None:
            weakest = [f for f in self.pack.diagnosis.findings
                       if f.kind == FindingKind.not_measurable][:3]
            for i, f in enumerate(weakest):
                steps.append(ActionStep(
                    due=run + timedelta(days=w.WHEN_DAYS[i]), when=w.WHEN_LABELS[i],
                    who="RevOps", what=f"Make “{f.title}” measurable: " + "; ".join(f.needs),
                    citations=self.book.many([f.id])))
            steps.append(ActionStep(
                due=run + timedelta(days=60), when=w.WHEN_LABELS[4], who="Leadership team",
                what="Re-run the diagnosis on the new data and decide on the constraint it "
                     "names, if any.", citations=self.book.many([RANKING_ID])))
            return steps
        spec = SPECS[h]
        who = w.OWNER[h]
        openings = w.OPENING[h]
        cites = self.book.many(self.binding_ids[:1])
        if len(self.cases) >= 2:
            return self._question_plan()
        return self._open_plan(spec, who, openings, cites)

    def _open_plan(self, spec, who: str, openings: list[str], cites: list[int],
                   ) -> list[ActionStep]:  # type: ignore[no-untyped-def]
        """An open question's plan: the first repair (the diagnosis' own step), then the
        question's step — what it asks about, read before and after the repair, or, for a
        question about the constraint itself, the order of the later repairs with an owner
        each — the remedy the diagnosis rules out, said no to, the branches (runner-up,
        dark functions) and a review at the question's horizon that answers it again."""
        assert self.binding is not None
        run = self.intent.run_date
        h = self.binding
        hs = w.short(h)
        steps = [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[0]), when=w.WHEN_LABELS[0], who=who,
            what=spec.order_of_operations[0], opening_words=openings[0] if openings else None,
            citations=cites)]
        subject = self.subject_name()
        if subject is not None and self.subject is not None:
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who="RevOps",
                what=self.say("p.subject", "plan", subject=subject, ask=self.ask),
                opening_words=self.say("p.subject_open", "plan", subject=subject),
                citations=self.book.many(self.subject.finding_ids[:1])))
        elif len(spec.order_of_operations) > 1:
            rest = "; then ".join(w.lower_first(w.strip_period(x))
                                  for x in spec.order_of_operations[1:])
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who=who,
                what=self.say("p.order", "plan", rest=rest),
                opening_words=self.say("p.order_open", "plan")))
        wrong = self.wrong_remedy()
        steps.append(ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[2]), when=w.WHEN_LABELS[2], who="CEO",
            what=self.say("p.refuse", "plan", wrong=wrong, h=hs),
            opening_words=self.say("p.refuse_open", "plan", wrong=wrong)))
        if self.runner:
            rspec = SPECS[self.runner]
            r = w.short(self.runner)
            steps.append(ActionStep(
                due=run + timedelta(days=42), when=w.WHEN_LABELS[3], who=w.OWNER[self.runner],
                condition=self.say("p.switch_if", "plan", runner=r, h=hs),
                what=self.say("p.switch", "plan", runner=r,
                              step=w.lower_first(rspec.order_of_operations[0])),
                opening_words=self.say("p.switch_open", "plan", runner=r, ask=self.ask),
                citations=self.book.many(self.runner_ids[:1])))
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        if dark:
            steps.append(ActionStep(
                due=run + timedelta(days=30), when=w.WHEN_LABELS[2],
                who=w.OWNER["measurement_vacuum"],
                condition=self.say("p.dark_if", "plan", dark=w.join_names(dark)),
                what=self.say("p.dark", "plan"),
                opening_words=w.OPENING["measurement_vacuum"][0],
                citations=self.book.many([COVERAGE_ID])))
        months = self.intent.horizon_months
        what = (w.join_names([m.label for m in self.subject_measures()[:2]])
                or f"the {hs} evidence")
        steps.append(ActionStep(
            due=run + timedelta(days=max(30, round(months * 30.4))),
            when=f"At {months} months", who="Leadership team",
            what=self.say("p.review", "plan", what=what, ask=self.ask),
            opening_words=self.say("p.review_open", "plan", h=hs, ask=self.ask),
            citations=self.book.many([RANKING_ID])))
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))

    def _question_plan(self) -> list[ActionStep]:
        """The plan for a question with options: the first repair of the binding constraint
        (the rest of its order is in the diagnosis), then the question's own steps — prepare
        the chosen option so it stays measured, commit to it with one number, answer the
        other when it comes back — and a review at the question's horizon."""
        assert self.binding is not None
        run = self.intent.run_date
        h = self.binding
        spec = SPECS[h]
        steps = [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[0]), when=w.WHEN_LABELS[0], who=w.OWNER[h],
            what=spec.order_of_operations[0], opening_words=w.OPENING[h][0],
            citations=self.book.many(self.binding_ids[:1]))]
        c = self.choice
        if c is not None and c.stance not in ("refrain", "hold", "later"):
            lever = next((k for k in c.levers if k in _PREP), None)
            if lever is not None:
                who, what, opening = _PREP[lever]
                steps.append(ActionStep(
                    due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who=who,
                    what=what, opening_words=opening,
                    citations=self.book.many(c.finding_ids[:1])))
        steps += self._option_steps()
        gate = f"the first repair of {w.short(h)} shows in its numbers"
        for x in self._others():
            if x.stance in ("refrain", "hold", "later"):
                continue
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[3]), when=w.WHEN_LABELS[3], who="CEO",
                condition=f"If {x.label} is proposed again before {gate}",
                what=f"Ask what {x.label} would move that {c.label if c else 'the repair'} "
                     "does not, and for the number that would show it.",
                opening_words=f"Show me the number {x.label} moves, and where we measure it "
                              "today."))
        watched = join_options(list(dict.fromkeys(
            m.label for x in self.cases for m in x.measures[:2])) [:3])
        months = self.intent.horizon_months
        steps.append(ActionStep(
            due=run + timedelta(days=max(30, round(months * 30.4))),
            when=f"At {months} months", who="Leadership team",
            what=f"Read {watched or 'the measures the options move'} again on new data, resolve "
                 "the forecasts that are due, and confirm or reverse the choice.",
            opening_words=(f"Knowing what we know now, would we still choose {c.label}?"
                           if c is not None else
                           f"Can we now choose between {join_options([x.label for x in self.cases], 'and')}?"),
            citations=self.book.many([RANKING_ID])))
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))

    def _option_steps(self) -> list[ActionStep]:
        """The question's own steps: get the evidence that would decide, or commit to the
        option chosen with the number that will prove it right."""
        run = self.intent.run_date
        if len(self.cases) < 2:
            return []
        c = self.choice
        labels = join_options([x.label for x in self.cases])
        if c is None:
            needs = [n for x in self.cases for n in x.needs]
            return [ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who="RevOps",
                what="Get the evidence that would decide between " + labels + ": "
                     + ("export " + "; and ".join(dict.fromkeys(needs)) if needs else
                        "measure each option on win rate, deal size and retention")
                     + ", then run the diagnosis again.",
                opening_words="Which of these numbers do we already keep somewhere, and who "
                              "owns the export?")]
        watch = next((m for m in c.strengths + c.measures if not m.small), None)
        horizon = self.intent.horizon_months
        measure = (f"{watch.label} (today {watch.shown})" if watch is not None
                   else "the measure the option is meant to move")
        cites = self.book.many([watch.finding]) if watch is not None else []
        if c.stance in ("refrain", "hold", "later"):
            act = next((x for x in self.cases if x is not c), None)
            return [ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[2]), when=w.WHEN_LABELS[2], who="CEO",
                what=f"Say no for now to {act.label if act else 'the change'}, in writing, with "
                     f"the condition that reopens it: the first repair of "
                     f"{w.short(self.binding) if self.binding else 'the evidence'} shows in "
                     "its numbers.",
                opening_words=f"We are not saying never to {act.label if act else 'this'}; "
                              "we are saying not before the number that limits us has moved.",
                citations=self.book.many(self.binding_ids[:1]))]
        return [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[2]), when=w.WHEN_LABELS[2], who="CEO",
            what=f"Commit to {c.label} with one number to judge it by: {measure}, read "
                 f"again {horizon} months after the data's end.",
            opening_words=f"We are choosing {c.label}. Which number, by which date, would "
                          "tell us we chose well — and which would tell us to stop?",
            citations=cites)]

    def _tie_plan(self) -> list[ActionStep]:
        run = self.intent.run_date
        names = w.join_names([w.short(h) for h in self.tied])
        steps = [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[0]), when=w.WHEN_LABELS[0],
            who="RevOps with the owners of " + names,
            what="Name the measure that would separate " + names + ": "
                 + trust.separating_evidence(self.ranking) + ".",
            opening_words="Which number would move if one of these were the constraint and "
                          "stay put if it were the other?",
            citations=self.book.many([RANKING_ID]))]
        for i, h in enumerate(self.tied[:3], start=1):
            spec = SPECS[h]
            ids = binding_evidence_ids(self.pack.diagnosis, h)
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[min(i, 3)]), when=w.WHEN_LABELS[min(i, 3)],
                who=w.OWNER[h],
                condition=f"If the next diagnosis separates the tie in favour of {w.short(h)}",
                what=f"Start its repair: {w.lower_first(spec.order_of_operations[0])}",
                opening_words=w.OPENING[h][0], citations=self.book.many(ids[:1])))
        steps.append(ActionStep(
            due=run + timedelta(days=60), when=w.WHEN_LABELS[4], who="Leadership team",
            what="Re-run the diagnosis with the separating measure and act on the constraint "
                 "it names.", citations=self.book.many([RANKING_ID])))
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))

    # future paths -------------------------------------------------------------------------------

    def _quote(self, advisor_ids: list[str], rounds: list[int], must_cite: set[str] | None = None,
               ) -> tuple[str, str] | None:
        """(sentence, statement id): the renderers attribute it to the statement's advisor."""
        for rnd in rounds:
            for aid in advisor_ids:
                for s in self.statements:
                    if s.round == rnd and s.advisor_id == aid and not s.failed and \
                            (must_cite is None or must_cite & set(s.cites)):
                        return _own_sentence(s.text, rnd), s.id
        return None

    def _quote_containing(self, fragment: str, advisor_ids: list[str] | None = None,
                          ) -> tuple[str, str] | None:
        """An advisor's sentence that contains ``fragment`` (case-insensitive)."""
        frag = fragment.lower()
        for s in self.statements:
            if s.failed or (advisor_ids is not None and s.advisor_id not in advisor_ids):
                continue
            flat = " ".join(s.text.split())
            asked = " ".join(self.intent.question.split())[:40].rstrip("?.! ").lower()
            for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z“'\"])", flat):
                # a sentence that only repeats the question says nothing about the option
                if frag in sent.lower() and asked not in sent.lower():
                    return sent, s.id
        return None

    def _evidence_title(self, i: int) -> str:
        ids = self.binding_ids or [RANKING_ID]
        f = self.pack.finding(ids[i % len(ids)])
        return f.title if f is not None else "the binding constraint's evidence"

    def _champions(self, h: str | None) -> list[str]:
        ids = [p.id for p, _ in self.seats if h and h in p.champions]
        return ids + [p.id for p, _ in self.seats if p.id not in ids]

    def future_paths(self) -> list[FuturePath]:
        paths: list[FuturePath] = []
        by_month: dict[int, Forecast] = {}
        for f in self.forecasts:  # the primary series first, then the others fill gaps
            by_month.setdefault(int(f.id.rsplit(".m", 1)[1]), f)
        h = self.binding
        if len(self.cases) >= 2:
            return self._paths_options()
        if self.tied:
            return self._paths_tie(by_month)
        if h is None:
            return self._paths_none(by_month)
        return self._paths_open(h, by_month)

    def _trend_milestone(self, month: int, f: Forecast, key: str) -> Milestone:
        """Keep going: the forecast's series left to its trend (the forecast backs it; the
        milestone does not restate it)."""
        return Milestone(month=month, text=self.say("f.trend", key, label=_series_label(f)),
                         backing=f.statement, backing_kind="forecast", backing_ref=f.id)

    def _paths_open(self, h: str, by_month: dict[int, Forecast]) -> list[FuturePath]:
        """An open question's paths: repair the constraint (outcomes named by what the
        question asks about, else by the constraint's evidence), keep going (the forecasts'
        series left to their trend), and the runner-up as root cause."""
        paths: list[FuturePath] = []
        spec = SPECS[h]
        hs = w.short(h)
        champs = self._champions(h)
        act: list[Milestone] = []
        bind_set = set(self.binding_ids)
        watched = [f"the {m.label}" if not m.label[1:2].isupper() else m.label
                   for m in self.subject_measures()]
        titles = watched + [f"“{self._evidence_title(i)}”" for i in range(3)]
        used: set[str] = set()
        for i, month in enumerate((3, 6, 12)):
            q = self._quote(champs[i:] + champs[:i], [3, 2, 1], bind_set) or \
                self._quote(champs, [5, 4, 3, 2, 1])
            if q is None:
                continue
            title = next((t for t in titles if t not in used), titles[0])
            used.add(title)
            act.append(Milestone(month=month, text=self.say("f.act", "paths", title=title,
                                                            Title=title),
                                 backing=q[0], backing_kind="quote", backing_ref=q[1]))
        top = self.pack.finding(self.binding_ids[0]) if self.binding_ids else None
        if top is not None:
            act.append(Milestone(month=18 if act else 6, text=self.say(
                "f.clear", "paths", h=hs, H=hs[:1].upper() + hs[1:]),
                backing=top.statement, backing_kind="finding", backing_ref=top.id))
        paths.append(FuturePath(id="act", stance="act_on_constraint",
                                title=self.say("f.act_title", "paths", ask=self.ask, h=hs),
                                milestones=act))
        keep = [self._trend_milestone(m, by_month[m], "keep") for m in (3, 6, 12)
                if m in by_month][:2]
        seen, _, passes = w.MASQUERADE[h]
        q = self._quote_containing("the remedy to avoid") or self._quote(["contrarian"], [5, 3, 1])
        if q:
            keep.append(Milestone(month=18, text=self.say(
                "f.wrong", "paths", seen=seen, Seen=seen[:1].upper() + seen[1:], passes=passes),
                backing=q[0], backing_kind="quote", backing_ref=q[1]))
        q = self._quote(["auditor"], [3, 2, 4, 1])
        if q:
            keep.append(Milestone(month=24, text=self.say("f.dark", "paths"), backing=q[0],
                                  backing_kind="quote", backing_ref=q[1]))
        paths.append(FuturePath(id="keep_going", stance="keep_going",
                                title=self.say("f.keep_title", "paths", h=hs,
                                               wrong=self.wrong_remedy()),
                                milestones=keep))
        if self.runner:
            r = w.short(self.runner)
            alt: list[Milestone] = []
            q = self._quote(["contrarian"], [1, 3, 5])
            if q:
                alt.append(Milestone(month=3, text=self.say(
                    "f.runner_done", "paths", runner=r, Runner=r[:1].upper() + r[1:]),
                    backing=q[0], backing_kind="quote", backing_ref=q[1]))
            if top is not None:
                alt.append(Milestone(month=6, text=self.say(
                    "f.runner_still", "paths", h=hs, H=hs[:1].upper() + hs[1:]),
                    backing=top.statement, backing_kind="finding", backing_ref=top.id))
            if 12 in by_month:
                alt.append(self._trend_milestone(12, by_month[12], "runner"))
            if alt:
                paths.append(FuturePath(id="runner_up", stance="other",
                                        title=self.say("f.runner_title", "paths", runner=r,
                                                       h=hs),
                                        milestones=alt))
        return paths

    def _option_forecasts(self, c: OptionCase) -> list[Forecast]:
        keys: list[str] = []
        for k in c.levers:
            lever = LEVER_BY_KEY.get(k)
            if lever is not None:
                keys += [x.replace("@", "_") for x in lever.series]
        if c.channel:
            keys = [k for k in keys if k.endswith("_" + c.channel)] or keys
        return [f for f in self.forecasts if f.id.split(".")[1] in keys]

    def _paths_options(self) -> list[FuturePath]:
        """One path per option (the chosen first) and, when the chosen option does not work
        on the binding constraint, the path that repairs it first. Milestones are outcomes,
        each backed by a forecast, a finding or a sentence an advisor said — not the plan's
        steps again."""
        c = self.choice
        order = ([c] + self._others()) if c is not None else list(self.cases)
        order = [x for x in order if x.stance not in ("refrain", "hold")] or order
        paths: list[FuturePath] = []
        h = self.binding
        top = self.pack.finding(self.binding_ids[0]) if self.binding_ids else None
        for i, x in enumerate(order[:2]):
            ms: list[Milestone] = []
            for f in self._option_forecasts(x)[:1]:
                ms.append(Milestone(month=_months_to(f, self.pack.diagnosis.as_of),
                                    text=f"If the trend holds: {w.lower_first(f.statement)}",
                                    backing=f.statement, backing_kind="forecast",
                                    backing_ref=f.id))
            if x.strengths:
                m = x.strengths[0]
                f = self.pack.finding(m.finding)
                if f is not None:
                    ms.append(Milestone(month=6, text=f"What carries this path: "
                                        f"{measure_phrase(m)}.", backing=f.statement,
                                        backing_kind="finding", backing_ref=f.id))
            if x.weaknesses:
                m = x.weaknesses[0]
                f = self.pack.finding(m.finding)
                if f is not None:
                    ms.append(Milestone(month=12, text=f"What could stall it: "
                                        f"{measure_phrase(m)}.", backing=f.statement,
                                        backing_kind="finding", backing_ref=f.id))
            if h and x.feeds_binding and top is not None:
                ms.append(Milestone(month=12, text=f"{w.short(h).capitalize()} still binds, "
                                    f"and what {x.label} adds flows into it.",
                                    backing=top.statement, backing_kind="finding",
                                    backing_ref=top.id))
            q = self._quote_containing(x.channel.replace("_", "-") if x.channel else
                                       x.label.split(" ")[-1])
            if q is not None:
                ms.append(Milestone(month=18, text=f"What the panel said about {x.label} "
                                    "meets what actually happened.", backing=q[0],
                                    backing_kind="quote", backing_ref=q[1]))
            ms.sort(key=lambda m: m.month)
            if not ms:
                continue
            title = f"You choose {x.label}" + (
                f" while {w.short(h)} still binds." if h and not x.repairs_binding
                else ", which works on the binding constraint." if x.repairs_binding else ".")
            paths.append(FuturePath(id=f"option_{i + 1}",
                                    stance="act_on_constraint" if x.repairs_binding else "other",
                                    title=title, milestones=ms))
        if h and (c is None or not c.repairs_binding):
            rep: list[Milestone] = []
            champs = self._champions(h)
            q = self._quote(champs, [3, 2, 1], set(self.binding_ids)) or \
                self._quote(champs, [5, 4, 3, 2, 1])
            if q is not None and top is not None:
                rep.append(Milestone(month=3, text=f"“{top.title}” is measured again on new "
                                     "data, and the panel's reading of it is put to the test.",
                                     backing=q[0], backing_kind="quote", backing_ref=q[1]))
            if top is not None:
                rep.append(Milestone(
                    month=6, text=f"The next diagnosis no longer names {w.short(h)} as binding, "
                    f"and the choice between {join_options([x.label for x in self.cases])} "
                    "is made on numbers that can be trusted.",
                    backing=top.statement, backing_kind="finding", backing_ref=top.id))
            if self.runner and self.runner_ids:
                rf = self.pack.finding(self.runner_ids[0])
                if rf is not None:
                    rep.append(Milestone(month=12, text=f"If {w.short(self.runner)} rises in "
                                         "its place, it becomes the next repair.",
                                         backing=rf.statement, backing_kind="finding",
                                         backing_ref=rf.id))
            if rep:
                paths.append(FuturePath(
                    id="repair_first", stance="act_on_constraint" if not paths or
                    paths[0].stance != "act_on_constraint" else "other",
                    title=f"You repair {w.short(h)} first and decide the question after.",
                    milestones=rep))
        return paths

    def _paths_tie(self, by_month: dict[int, Forecast]) -> list[FuturePath]:
        paths: list[FuturePath] = []
        for h in self.tied:
            spec = SPECS[h]
            ids = binding_evidence_ids(self.pack.diagnosis, h)
            top = self.pack.finding(ids[0]) if ids else None
            act: list[Milestone] = []
            q = self._quote(self._champions(h), [3, 2, 1], set(ids)) or \
                self._quote(self._champions(h), [5, 4, 3, 2, 1])
            if q is not None:
                act.append(Milestone(
                    month=3, text=f"Done: {w.lower_first(spec.order_of_operations[0])}",
                    backing=q[0], backing_kind="quote", backing_ref=q[1]))
            if top is not None:
                act.append(Milestone(month=6, text=f"The {w.short(h)} evidence is the one to "
                                     "watch: if it moves and the other does not, the tie is "
                                     "broken.", backing=top.statement, backing_kind="finding",
                                     backing_ref=top.id))
            paths.append(FuturePath(
                id=f"tie_{h}", stance="act_on_constraint" if not paths else "other",
                title=f"You break the tie for {w.short(h)} and "
                      f"{w.lower_first(w.strip_period(spec.order_of_operations[0]))}.",
                milestones=act))
        keep = trend_milestones(by_month, (3, 6, 12))
        if keep:
            paths.append(FuturePath(id="keep_going", stance="keep_going",
                                    title="You keep going as now, with the tie unresolved.",
                                    milestones=keep))
        return paths

    def _paths_none(self, by_month: dict[int, Forecast]) -> list[FuturePath]:
        keep = trend_milestones(by_month, (3, 6, 12))
        measure: list[Milestone] = []
        q = self._quote(["auditor"], [1, 3])
        if q:
            measure.append(Milestone(month=3, text="The missing measures exist and the "
                                     "diagnosis is run again on them.", backing=q[0],
                                     backing_kind="quote", backing_ref=q[1]))
        paths = [FuturePath(id="measure", stance="act_on_constraint",
                            title="You treat the gaps in measurement as the first job and "
                                  "decide only when the data can name a constraint.",
                            milestones=measure)]
        if keep:
            paths.append(FuturePath(id="keep_going", stance="keep_going",
                                    title="You keep going as now.", milestones=keep))
        return paths

    # deeper story, evidence, risks -----------------------------------------------------------

    def _said_images(self) -> list[tuple[str, str, str]]:
        """(advisor name, image, statement id) for each seated advisor's image that one of
        its statements actually contains, in rounds that ran (first found per advisor)."""
        out: list[tuple[str, str, str]] = []
        for p, a in self.seats:
            images = [p.metaphor, *p.images]
            for st in self.statements:
                if st.advisor_id != p.id or st.failed:
                    continue
                low = " ".join(st.text.lower().split())
                hit = next((img for img in images if img and _bare(img) in low), None)
                if hit:
                    out.append((a.name, " ".join(hit.split()), st.id))
                    break
        return out

    def deeper_story(self) -> str:
        said = self._said_images()
        h = self.binding
        ran = max((r.number for r in self.rounds), default=0)
        parts: list[str] = []
        if said:
            parts.append("Each lens found its own image for the same pattern: "
                         + w.join_names([f"{name}'s {img}" for name, img, _ in said]) + ".")
        elif self.statements:
            quotes = self._story_quotes()
            if quotes:
                parts.append(f"In the {ran} round{'s' if ran != 1 else ''} that ran, the "
                             "argument came down to two lines: " + " and ".join(
                                 f"{name}'s “{q}”" for name, q in quotes) + ".")
        if h is not None:
            masq = w.lower_first(w.masquerade_sentence(h))
            parts.append(self.say("s.masq", "story", masq=masq))
            if said:
                protects = [p.protects for p, a in self.seats
                            if any(a.name == name for name, _, _ in said)][:3]
                if protects:
                    parts.append(self.say("s.protects", "story",
                                          protects=w.join_names(protects)))
            parts.append(self.say("s.better", "story", better=w.BETTER_STORY[h]))
            if len(self.cases) < 2:
                subject = self.subject_name()
                hs = w.short(h)
                if subject is not None:
                    parts.append(self.say("s.question", "story", ask=self.ask, h=hs,
                                          subject=subject,
                                          Subject=subject[:1].upper() + subject[1:]))
                else:
                    parts.append(self.say("s.question_open", "story", ask=self.ask))
        elif self.tied:
            parts.append("Two stories fit the data equally well: "
                         + w.join_names([w.lower_first(w.masquerade_sentence(t))
                                         for t in self.tied])
                         + ". Until a measure separates them, the honest story is the tie.")
        else:
            parts.append("No single story is strong enough in this data; the honest one for "
                         "now is the one the missing measures will tell.")
        if len(self.cases) >= 2:
            c = self.choice
            labels = join_options([x.label for x in self.cases], "or")
            if c is None:
                parts.append(f"Read this way, the question of {labels} is a question about "
                             "which evidence the company is willing to collect before it "
                             "spends.")
            elif h is not None and not c.repairs_binding:
                parts.append(f"Read this way, {labels} is a choice about what to build on top "
                             f"of {w.short(h)}: {c.label} is the better bet only once the "
                             "ground under it holds.")
            else:
                parts.append(f"Read this way, {c.label} is not one option among others: it is "
                             "the story's own repair.")
        return " ".join(parts)

    def _story_quotes(self) -> list[tuple[str, str]]:
        """Two sentences from the last round that ran, from different advisors, without
        digits (the story quotes what was said; numbers stay in the evidence)."""
        out: list[tuple[str, str]] = []
        last = self.rounds[-1].statements if self.rounds else []
        for st in last:
            if st.failed:
                continue
            flat = " ".join(st.text.split())
            for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z“'\"])", flat):
                if 40 <= len(sent) <= 220 and not re.search(r"\d", sent):
                    out.append((self.names.get(st.advisor_id, st.advisor_id),
                                sent.rstrip(".")))
                    break
            if len(out) == 2:
                break
        return out

    def evidence(self) -> list[EvidenceItem]:
        items: list[EvidenceItem] = []
        for h in self.tied:
            for fid in binding_evidence_ids(self.pack.diagnosis, h)[:2]:
                f = self.pack.finding(fid)
                if f is not None:
                    items.append(EvidenceItem(text=f"For {w.short(h)}: {f.statement}",
                                              citations=self.book.many([fid])))
        for m in self.subject_measures()[:2]:  # an open question: what it asks about
            items.append(EvidenceItem(text=self.say("e.subject", "evidence",
                                                    measure=measure_phrase(m)),
                                      citations=self.book.many([m.finding])))
        for c in self.cases:  # the question's options first: what bears on each
            if c.stance in ("refrain", "hold", "later"):
                continue
            shown = (c.strengths[:1] + c.weaknesses[:1]) or [m for m in c.measures
                                                            if not m.small][:2]
            for m in shown:
                items.append(EvidenceItem(text=f"On {c.label}: {measure_phrase(m)}.",
                                          citations=self.book.many([m.finding])))
        for fid in self.binding_ids[:2 if self.cases else 4]:
            f = self.pack.finding(fid)
            if f is not None:
                items.append(EvidenceItem(text=f.statement, citations=self.book.many([fid])))
        if self.runner_ids and not self.cases:  # with options, the risks carry it
            f = self.pack.finding(self.runner_ids[0])
            if f is not None:
                items.append(EvidenceItem(text=f"Against the lead: {f.statement}",
                                          citations=self.book.many([f.id])))
        rank = self.pack.finding(RANKING_ID)
        if rank is not None:
            items.append(EvidenceItem(text=rank.statement, citations=self.book.many([RANKING_ID])))
        cited_passages: list[str] = []
        for s in self.statements:
            for c in s.cites:
                if self.pack.passage(c) is not None and c not in cited_passages:
                    cited_passages.append(c)
        for pid in cited_passages[:3]:
            p = self.pack.passage(pid)
            assert p is not None
            items.append(EvidenceItem(
                text=self.say("e.passage", "evidence", title=p.source.title,
                              line=_sentence_with(p.text)),
                citations=self.book.many([pid])))
        items += self._failed_assumptions()
        return items

    def _failed_assumptions(self) -> list[EvidenceItem]:
        """Each seated advisor's own assumption tested against its metric (the persona's
        ``assumption``: a finding, a metric and the rule it must meet); those that fail,
        with the number that breaks them, attributed to the advisor who carried them —
        only for advisors whose assumption round ran."""
        if not any(r.number >= 4 for r in self.rounds):
            return []
        out: list[EvidenceItem] = []
        spoke = {s.advisor_id for s in self.statements if s.round == 4 and not s.failed}
        for p, a in self.seats:
            if p.id not in spoke or len(out) >= 3:
                continue
            test = assumption_test(self.pack, p, self.strength, self.raises)
            if test.holds is not False or test.fact is None or test.finding is None:
                continue
            out.append(EvidenceItem(
                text=self.say("e.assumption", "evidence", assumption=p.assumption.text,
                              fact=test.fact.phrase, title=test.finding.title,
                              meaning=p.assumption.meaning),
                citations=self.book.many([test.finding.id]), attribution=a.name))
        return out

    def risks(self) -> list[Risk]:
        """The strongest cases against the verdict, opening with what would have to be true
        for it to be wrong and the evidence that would show it."""
        risks: list[Risk] = [self._wrong_if()]
        c = self.choice
        if c is not None:
            for m in c.weaknesses[:2]:
                risks.append(Risk(text=f"The case against {c.label}: {measure_phrase(m)}.",
                                  citations=self.book.many([m.finding])))
            small = [m for m in c.measures if m.small and m.metric.startswith(_DECIDING)][:1]
            for m in small:
                risks.append(Risk(text=f"Part of the case for {c.label} rests on a small "
                                  f"sample: {measure_phrase(m, with_rank=False)}. Read it as a "
                                  "direction, not a size.",
                                  citations=self.book.many([m.finding])))
        opened_with_runner = not self.cases and bool(self.runner)
        if self.runner and self.runner_ids and not opened_with_runner:
            f = self.pack.finding(self.runner_ids[0])
            if f is not None:
                risks.append(Risk(text=f"The runner-up, {w.short(self.runner)}, may be the real "
                                  f"constraint: {f.statement}", raised_by="contrarian",
                                  citations=self.book.many([f.id])))
        if self.binding:
            score = next(s for s in self.ranking.scores if s.name == self.binding)
            for cpt in score.lowered_by[:2]:
                f = self.pack.finding(cpt.finding_id)
                fact = next((x for x in self.facts_of(cpt.finding_id) if x.reading), None)
                if f is not None and fact is not None:
                    risks.append(Risk(text=self.say("r.against", "risks",
                                                    h=w.short(self.binding),
                                                    fact=fact.with_n, title=f.title),
                                      citations=self.book.many([f.id])))
            for fid in self.binding_ids:
                f = self.pack.finding(fid)
                if f is not None and SMALL_SAMPLE in f.caveats:
                    risks.append(Risk(text=f"“{f.title}” rests on a small sample: read its "
                                      "interval, not its point value.",
                                      citations=self.book.many([fid])))
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        missing = [f for f in self.pack.diagnosis.findings if f.kind != FindingKind.measured]
        if dark or missing:
            what = (f"{w.join_names(dark)} cannot be seen at all" if dark else
                    "some diagnostics could not be computed")
            risks.append(Risk(text=self.say("r.coverage", "risks", what=what),
                              citations=self.book.many([COVERAGE_ID])))
        if self.tied:
            risks.append(Risk(text="The ranking is a tie: acting on one of "
                              + w.join_names([w.short(h) for h in self.tied])
                              + " before a measure separates them is a coin toss.",
                              citations=self.book.many([RANKING_ID])))
        unfit = [i for i in self.pack.diagnosis.data_quality if i.action == "unfit"]
        if unfit:
            risks.append(Risk(text="Some evidence rests on data we could not trust: "
                              + w.join_names([f"“{i.title}”" for i in unfit])
                              + "; the diagnostics that read it are not measurable here."))
        if self.binding and self.ranking.margin < 0.2:
            risks.append(Risk(text=self.say("r.narrow", "risks", h=w.short(self.binding),
                                            runner=w.short(self.runner)),
                              citations=self.book.many([RANKING_ID])))
        flagged = [s for s in self.statements if s.conformity_flag]
        if flagged:
            risks.append(Risk(text="Some convictions changed without naming a cause "
                              "(conformity); they are flagged in the debate."))
        return risks

    def _wrong_if(self) -> Risk:
        """'What would have to be true for this verdict to be wrong?' and what would show it."""
        ask = "What would have to be true for this verdict to be wrong?"
        c = self.choice
        others = self._others() if c is not None else []
        if c is not None and others:
            o = others[0]
            pair = None
            for m in c.strengths + c.measures:
                mo = next((x for x in o.measures if x.metric != m.metric and x.finding ==
                           m.finding and _kind(x.metric) == _kind(m.metric)), None)
                if mo is not None and not m.small:
                    pair = (m, mo)
                    break
            if c.stance in ("refrain", "hold", "later") and self.binding:
                top = self.pack.finding(self.binding_ids[0]) if self.binding_ids else None
                return Risk(text=f"{ask} That waiting costs more than the repair saves — that "
                            f"{w.short(self.binding)} is not what limits {o.label}. The evidence "
                            f"that would show it: the measures {o.label} moves improving while "
                            f"“{top.title if top else 'the binding evidence'}” does not.",
                            raised_by="contrarian",
                            citations=self.book.many(self.binding_ids[:1]))
            if pair is not None:
                m, mo = pair
                return Risk(text=f"{ask} That {o.label} would do better than {c.label} at a "
                            f"larger scale than today's. The evidence that would show it: "
                            f"{mo.label} rising past {m.label} — today {mo.shown} against "
                            f"{m.shown}.", raised_by="contrarian",
                            citations=self.book.many([m.finding]))
            return Risk(text=f"{ask} That {o.label} moves something this data cannot see. The "
                        "evidence that would show it: "
                        + (w.join_names(o.missing[:3]) if o.missing else
                           "a measure of what it moves, tracked from the day it starts")
                        + ".", raised_by="contrarian")
        if self.binding and self.runner and self.runner_ids:
            got = self.problem_fact(self.runner_ids[:3]) or next(
                ((x, f.title) for fid in self.runner_ids[:1]
                 if (f := self.pack.finding(fid)) is not None
                 for x in self.facts_of(fid) if x.reading), None)
            if got is not None:
                hs, r = w.short(self.binding), w.short(self.runner)
                watch = self.subject_name() or f"“{self._evidence_title(0)}”"
                return Risk(text=f"{ask} " + self.say("r.runner", "risks", runner=r, h=hs)
                            + " " + self.say("r.runner_show", "risks", fact=got[0].with_n,
                                             title=got[1], watch=watch),
                            raised_by="contrarian",
                            citations=self.book.many([got[0].finding_id]))
        if self.binding:
            return Risk(text=f"{ask} That {w.short(self.binding)} is a symptom, not the cause. "
                        "The evidence that would show it: its numbers improving after the "
                        "repair while growth does not.", raised_by="contrarian",
                        citations=self.book.many(self.binding_ids[:1]))
        return Risk(text=f"{ask} That one constraint does bind, hidden in what the data cannot "
                    "measure. The evidence that would show it: the diagnosis run again once "
                    "the missing measures exist.", raised_by="contrarian",
                    citations=self.book.many([COVERAGE_ID]))

    # panel, gaps, sources ------------------------------------------------------------------------

    def panel(self) -> list[PanelMember]:
        members: list[PanelMember] = []
        for _, a in self.seats:
            own = [s for s in self.statements if s.advisor_id == a.id]
            ok = [s for s in own if not s.failed]
            history = [ConvictionPoint(round=s.round, conviction=s.conviction,
                                       cause=s.conviction_cause,
                                       conformity_flag=s.conformity_flag) for s in ok]
            failed = len(own) - len(ok)
            status = "ok" if failed == 0 else ("failed" if not ok else "partly_failed")
            members.append(PanelMember(advisor=a, final_conviction=ok[-1].conviction if ok
                                       else None, history=history, failed_turns=failed,
                                       status=status))
        return members

    def cannot_see(self) -> CannotSee:
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        no_numbers = []
        for s in self.statements:
            if s.failed:
                continue
            measured = any((f := self.pack.finding(c)) is not None and f.metrics
                           and f.kind == FindingKind.measured for c in s.cites)
            if not measured and not re.search(r"\d", s.text):
                no_numbers.append(s.id)
        notes = [f.statement for f in self.pack.diagnosis.findings
                 if f.kind == FindingKind.not_measurable]
        if self.pack.library_note:
            notes.append(self.pack.library_note)
        notes.append("Legibility is not value: a function with more numbers is not thereby "
                     "doing better, and one with none is not thereby failing.")
        return CannotSee(functions_without_data=dark, claims_without_numbers=no_numbers,
                         notes=notes)

    def sources(self) -> Sources:
        consulted: list[SourceItem] = []
        seen: set[str] = set()
        for f in self.pack.findings:
            if f.id not in seen:
                seen.add(f.id)
                consulted.append(SourceItem(kind="finding", ref=f.id, title=f.title))
        for p in self.pack.passages():
            if p.id not in seen:
                seen.add(p.id)
                consulted.append(SourceItem(kind="passage", ref=p.id,
                                            title=p.source.title + (f" — {p.heading}"
                                                                    if p.heading else ""),
                                            location=p.source.location))
        used = {c.ref for c in self.book.items}
        for s in self.statements:
            used.update(s.cites)
        unused = [c for c in consulted if c.ref not in used]
        return Sources(cited=list(self.book.items), consulted=consulted,
                       unused_count=len(unused), unused=unused)


def as_of_note(pack: EvidencePack, run_date: date) -> str | None:
    gap = (run_date - pack.diagnosis.as_of).days
    if gap > 45:
        return (f"The data runs to {pack.diagnosis.as_of.isoformat()}; this record was written "
                f"on {run_date.isoformat()}, so forecasts reach further past the data than "
                "their horizon suggests.")
    return None
