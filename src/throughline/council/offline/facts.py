"""Quotable facts: a finding's numbers as an advisor can say them, and which way they cut.

A :class:`Fact` is one metric of one finding, shown through the diagnose formatters (so the
claim check traces it), with a short phrase a peer can quote back ("partner NPS of 26.3",
"“62.1% failed”"), its sample size and interval when it has them, and a judgement of
whether it is evidence of a problem or a strength. That judgement comes from the finding's
severity and the ranking's contributions (how strongly it raised a hypothesis), and, per
metric, from the metric's direction (a higher NRR is better, a higher churn is worse): a
healthy number is never offered as proof of a problem.

Option evidence comes from one matcher, the declared mapping of ``council.frame`` measured
by ``council.gather`` ("invest in a partner program" → ``nps_partner``, ``nrr_partner``,
``win_rate_partner``, ranked against the other channels): :func:`option_facts` only makes
those measures quotable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from throughline.council.gather import EvidencePack, OptionEvidence
from throughline.council.personas import Persona
from throughline.diagnose.findings import Finding, FindingKind, Metric, Severity
from throughline.diagnose.families.measure import show

# Metric-name fragments, checked in this order: "worse when higher" first (logo_churn,
# forecast_gap), then "better when higher".
_WORSE_UP = ("churn", "gap", "failed", "lost", "slipped", "pushed", "unknown", "not_sold",
             "unbacked", "open", "days_late", "cycle", "time_to_value", "ttv", "optimism",
             "stall", "mean_cv", "cv_", "excess_cv", "volatil", "dependency", "illegible",
             "divergence", "exposure", "without", "vacuum", "contraction", "age_")
_BETTER_UP = ("nps", "nrr", "grr", "win_rate", "expansion", "velocity", "avg_deal", "owned",
              "answered", "changed", "pull_share", "survival", "realised", "coverage",
              "retention", "conversion", "legible")

_SLOPE = re.compile(r"\b(?:change in|slope|per week|trend)\b|_slope|_trend", re.IGNORECASE)


def direction(metric: str) -> int:
    """+1 when a higher value is better, -1 when worse, 0 when the name does not say."""
    name = metric.lower()
    if any(k in name for k in _WORSE_UP):
        return -1
    if any(k in name for k in _BETTER_UP):
        return 1
    return 0


def shown(m: Metric) -> str:
    """A metric as statements print it; scores keep two decimals (0.98, not 1)."""
    if m.unit == "score" and m.value is not None:
        return f"{m.value:.2f}"
    return show(m)


def _with(m: Metric, value: float) -> str:
    return shown(m.model_copy(update={"value": value}))


_CLAUSE_SPLIT = re.compile(r";\s+|:\s+|,\s+(?!\d{3}\b)|\s+and\s+|\s+then\s+")


def clause_with(statement: str, text: str) -> str | None:
    """The clause of ``statement`` that carries ``text`` as a whole number, if any."""
    pat = re.compile(r"(?<![\d.,])" + re.escape(text) + r"(?![\d]|[.,]\d)")
    for part in _CLAUSE_SPLIT.split(statement):
        part = part.strip().rstrip(".")
        if not pat.search(part) or not 3 <= len(part.split()) <= 14:
            continue
        first = part.split()[0].lower()
        if first in _BAD_CLAUSE_START or not _balanced(part):
            return None
        return part
    return None


def _balanced(text: str) -> bool:
    bare = re.sub(r"\b'(?:s|t|re|ve|ll|d)\b", "", re.sub(r"(?<=[a-z])'(?=[a-z])", "", text))
    return (text.count("(") == text.count(")") and bare.count("'") % 2 == 0
            and text.count("“") == text.count("”"))


# a clause that opens like this is a window or a fragment, not a reading
_BAD_CLAUSE_START = {"has", "have", "had", "is", "are", "was", "were", "led", "then", "and",
                     "of", "over", "across", "in", "against", "with", "from", "to", "on",
                     "for", "by", "at"}
# labels that read as clauses ('With an accountable owner', 'A change was recorded')
_CLAUSE_LABEL = re.compile(r"^(?:with|without|answered|open|a|an|the|how|what|which|if)\b",
                           re.IGNORECASE)


_PER_GROUP = re.compile(r"^(.+?),\s*([a-z][a-z0-9_]*)$")


# labels that read as formulas, and how a person would say them
_READABLE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^stated minus realised", re.I),
     "the gap between stated and realised win rates"),
    (re.compile(r"^actual close minus first close date", re.I),
     "the close-date slip on closed deals"),
    (re.compile(r"^feature growth / conversion growth", re.I),
     "the gap between feature growth and conversion growth"),
    (re.compile(r"^moved on from (?P<stage>[a-z ]+)$", re.I), "the {stage} pass rate"),
    (re.compile(r"^realised win rate from (?P<stage>[a-z ]+)$", re.I),
     "the realised win rate from {stage}"),
)
_COHORT = re.compile(r"^(?P<head>[^,]+),\s*(?P<group>[A-Z][^,]*\s[^,]*)$")


def label_phrase(m: Metric) -> str | None:
    """'NPS, partner' → 'partner NPS'; a formula label said in words ('Stated minus
    realised …' → 'the gap between stated and realised win rates'); 'Win rate, Supplier
    portal: rules' → 'the ‘Supplier portal: rules’ cohort's win rate'; a short label
    lower-cased; None for long or none."""
    if not m.label:
        return None
    label = m.label.strip()
    for pat, say in _READABLE:
        hit = pat.match(label)
        if hit:
            return say.format(**{k: v.lower() for k, v in hit.groupdict().items()})
    cohort = _COHORT.match(label)
    if cohort and len(cohort.group("group").split()) <= 6:
        head = re.sub(r"\s*\([^)]*\)", "", cohort.group("head")).strip()
        head = head if (len(head) > 1 and head[1].isupper()) else head[:1].lower() + head[1:]
        return f"the ‘{cohort.group('group')}’ cohort's {head}"
    g = _PER_GROUP.match(label)
    if g:
        head = g.group(1)
        head = head if (len(head) > 1 and head[1].isupper()) else head[:1].lower() + head[1:]
        return f"{g.group(2).replace('_', ' ')} {head}"
    if len(label) > 60 or _CLAUSE_LABEL.match(label):
        return None
    return label if (len(label) > 1 and label[1].isupper()) else label[:1].lower() + label[1:]


@dataclass(frozen=True)
class Fact:
    """One number an advisor can state and a peer can quote back."""

    finding_id: str
    metric: str
    title: str
    shown: str
    what: str | None
    clause: str | None
    n: int | None
    low: str | None
    high: str | None
    polarity: int          # direction(): +1 higher is better, -1 worse, 0 unknown
    count: bool            # a count: context, never a reading on its own
    problem: bool          # the finding is evidence of a problem (supports a hypothesis)
    healthy: bool          # the finding reads as a strength
    hypothesis: str | None
    test: str | None
    small_value: bool = False  # a share of ten percent or less
    large_value: bool = False  # a share of one half or more

    @property
    def phrase(self) -> str:
        """How the number is named when quoted: 'partner NPS of 26.3' / '“62.1% failed”'."""
        if self.clause:
            return f"“{self.clause}”"
        if self.what and self.count:
            return f"{self.shown} {self.what}"
        if self.what:
            return f"{self.what} of {self.shown}"
        return f"{self.shown} in “{self.title}”"

    @property
    def with_n(self) -> str:
        """The phrase with its sample size when the phrase does not already show it."""
        if self.n and f"{self.n:,}" not in self.phrase and str(self.n) not in self.phrase:
            return f"{self.phrase} (n = {self.n:,})"
        return self.phrase

    @property
    def small(self) -> bool:
        return self.n is not None and self.n < 30

    @property
    def bad_reading(self) -> bool:
        """This number is offered as a sign that something is wrong (its finding is a
        problem); otherwise it reads as a strength or as context."""
        return self.problem

    @property
    def reads_well(self) -> bool:
        """Fit to be offered as a strength: a better-when-higher number of a healthy finding,
        or a worse-when-higher share that is small."""
        return self.healthy and not self.count and (
            (self.polarity > 0 and self.large_value) or (self.polarity < 0 and self.small_value))

    @property
    def reading(self) -> bool:
        """A number that carries a reading (a directional rate or amount, not a count)."""
        return not self.count and self.polarity != 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.finding_id, self.metric)


def make_fact(f: Finding, name: str, m: Metric, *, strength: float, hypothesis: str | None
              ) -> Fact | None:
    if m.value is None or f.kind != FindingKind.measured:
        return None
    text = shown(m)
    if re.match(r"^-?0(?:\.0+)?$", text) or (m.label and _SLOPE.search(m.label)) \
            or _SLOPE.search(name):
        return None  # a rounded-away slope or a trend rate is not a reading to quote
    clause = clause_with(f.statement, text)
    what = label_phrase(m)
    if what and m.label and _PER_GROUP.match(m.label.strip()):
        clause = None  # 'NPS, partner' names its group; a clause may not
    if what is None and clause is None:
        return None
    problem = f.severity == Severity.problem or strength >= 0.3
    healthy = not problem and (f.severity == Severity.info or strength < 0.1)
    low = _with(m, m.low) if m.low is not None and m.high is not None else None
    high = _with(m, m.high) if m.low is not None and m.high is not None else None
    test = f.significance.test if f.significance is not None and f.significance.test else None
    if low is None:
        test = None  # the test stands behind the metric with the interval, not its siblings
    return Fact(finding_id=f.id, metric=name, title=f.title, shown=text, what=what,
                clause=clause, n=m.n, low=low, high=high, polarity=direction(name),
                count=m.unit == "count", problem=problem, healthy=healthy,
                small_value=m.unit in ("ratio", "probability") and abs(m.value) <= 0.1,
                large_value=m.unit in ("ratio", "probability") and m.value >= 0.5,
                hypothesis=hypothesis, test=test)


def finding_facts(f: Finding, *, strength: float, hypothesis: str | None) -> list[Fact]:
    """The finding's quotable numbers, the ones that carry its reading first: for a problem,
    the metrics that are worse when higher; for a strength, those better when higher."""
    out = [x for name, m in f.metrics.items()
           if (x := make_fact(f, name, m, strength=strength, hypothesis=hypothesis))]
    want = -1 if (f.severity == Severity.problem or strength >= 0.3) else 1

    def order(x: Fact) -> tuple[int, int, int, int]:
        has_n = 0 if x.n else 1
        return (1 if x.count else 0,
                0 if x.polarity == want else (1 if x.polarity == 0 else 2), has_n,
                0 if x.clause else 1)

    return sorted(out, key=order)


# -- assumptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AssumptionTest:
    """A persona's assumption tested against its own metric: ``holds`` is None when the data
    cannot test it (no finding, not measured, no value)."""

    holds: bool | None
    finding: Finding | None
    fact: Fact | None


def assumption_test(pack: EvidencePack, persona: Persona, strength: dict[str, float],
                    raises: dict[str, str]) -> AssumptionTest:
    """Test ``persona.assumption`` (a finding, a metric and the rule it must meet) on the
    evidence pack; the number that decides it, quotable (named by its metric when it has
    no label and is not in the finding's statement)."""
    a = persona.assumption
    f = pack.finding(a.finding)
    if f is None or f.kind != FindingKind.measured:
        return AssumptionTest(None, f, None)
    m = f.metrics.get(a.metric)
    if m is None or m.value is None:
        return AssumptionTest(None, f, None)
    fact = make_fact(f, a.metric, m, strength=strength.get(f.id, 0.0),
                     hypothesis=raises.get(f.id))
    if fact is None:
        fact = Fact(finding_id=f.id, metric=a.metric, title=f.title, shown=shown(m),
                    what=label_phrase(m) or a.metric.replace("_", " "), clause=None, n=m.n,
                    low=None,
                    high=None, polarity=0, count=False, problem=False, healthy=False,
                    hypothesis=None, test=None)
    return AssumptionTest(a.holds(m.value), f, fact)


# -- options ------------------------------------------------------------------------------
#
# One matcher: the question's options are matched to metrics by the declared mapping
# (``council.levers.LEVERS``, through ``Intent.option_frames``), and gather measures each
# option (``EvidencePack.options``, ``EvidencePack.subject`` for an open question). The
# offline advisors quote those measures; nothing here matches words to metrics again.


@dataclass(frozen=True)
class OptionFact:
    """A number bearing on one option, ranked against its siblings when it has them."""

    option: str
    fact: Fact
    rank: str | None       # "best", "worst" or None (middle, or no siblings)
    term: str              # the channel or segment it is read for ('' when none)


def option_facts(evidence: OptionEvidence, findings: dict[str, Finding],
                 strength: dict[str, float]) -> list[OptionFact]:
    """The option's measures (gather's, from the declared mapping) as quotable facts: a
    measure with a sample of ten or more, not a count; ranked best or worst when it tops or
    tails its peers; ranked ones first. An option's number reads by its rank among its
    siblings, not by its finding's severity."""
    out: list[OptionFact] = []
    for m in evidence.measures:
        f = findings.get(m.finding)
        metric = f.metrics.get(m.metric) if f is not None else None
        if f is None or metric is None or m.small or metric.unit == "count":
            continue
        fact = make_fact(f, m.metric, metric, strength=strength.get(f.id, 0.0),
                         hypothesis=None)
        if fact is None:
            continue
        if m.peers > 0 or fact.clause is None:
            fact = replace(fact, what=m.label, clause=None)
        rank = None
        if m.rank is not None and m.peers >= 3:
            rank = "best" if m.rank == 1 else "worst" if m.rank == m.peers else None
        fact = replace(fact, problem=rank == "worst", healthy=rank == "best")
        out.append(OptionFact(option=evidence.label, fact=fact, rank=rank,
                              term=evidence.channel or ""))
    out.sort(key=lambda o: 0 if o.rank else 1)
    return out
