"""The options of the question weighed against the evidence: which option repairs or feeds
the binding constraint, its stronger and weaker measures, and how a measure is said.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from throughline.council.frame import LEVER_BY_KEY
from throughline.council.gather import EvidencePack, OptionMeasure
from throughline.council.offline import wording as w
from throughline.diagnose.constraint import SPECS
from throughline.record.decision import Intent


DECIDING = ("win_rate", "avg_deal_size", "nrr", "nps", "logo_churn", "survival_12m",
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


PREP: dict[str, tuple[str, str, str]] = {
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
    PREP[_k] = PREP["marketing"]


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
                    and m.metric.startswith(DECIDING)]
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
    n = n_phrase(m)
    rank = rank_words(m) if with_rank else ""
    return f"{m.label} is {m.shown}{n}" + (f", {rank}" if rank else "")


def remedy_name(text: str) -> str:
    """A wrong remedy of the diagnosis named without its explanation ('Hiring reps or
    tightening sales execution')."""
    return w.strip_period(re.split(r"[:—]", text)[0].strip().rstrip(","))


def remedy_for(binding: str, levers: list[str]) -> str | None:
    """The diagnosis' named wrong remedy an option amounts to, when there is one."""
    words: list[str] = []
    for k in levers:
        words += list(_REMEDY_WORDS.get(k, ()))
    for wd in words:  # the lever's own words in order of preference
        for text in SPECS[binding].wrong_remedies:
            if wd in text.lower():
                return remedy_name(text)
    return None


_N_NOUN = (("win_rate", "closed deals"), ("avg_deal_size", "won deals"),
           ("median_cycle_days", "won deals"), ("nrr", "accounts"), ("grr", "accounts"),
           ("logo_churn", "accounts"), ("expansion", "accounts"), ("survival", "accounts"),
           ("median_ttv", "accounts"), ("nps", "answers"), ("failed_share", "commit deals"),
           ("pushed_share", "deals"), ("pull_share", "new deals"))


def n_phrase(m: OptionMeasure) -> str:
    if m.n is None:
        return ""
    noun = next((noun for prefix, noun in _N_NOUN if m.metric.startswith(prefix)), None)
    return f" ({m.n:,} {noun})" if noun else ""


__all__ = ["DECIDING", "PREP", "OptionCase", "measure_phrase", "n_phrase",
           "option_cases", "rank_words", "remedy_for", "remedy_name"]
