"""What every section of the rule-based synthesis reads (:class:`SynthesisBase`): the
question, the evidence, the seated advisors and their statements, the ranking and the
options weighed; and the helpers the sections share (the question's lens, the option the
evidence favours, an advisor's own sentence to quote).
"""

from __future__ import annotations

import re

from throughline.council.forecast import Omitted
from throughline.council.gather import (
    RANKING_ID,
    EvidencePack,
    OptionMeasure,
    binding_evidence_ids,
)
from throughline.council.offline import wording as w
from throughline.council.offline.facts import Fact, finding_facts
from throughline.council.offline.grammar import Voice
from throughline.council.offline.phrasing import SYNTH
from throughline.council.personas import Persona
from throughline.council.synthesis.citations import CitationBook
from throughline.council.synthesis.options import OptionCase, option_cases, remedy_name
from throughline.diagnose.constraint import SPECS
from throughline.record.decision import Advisor, Forecast, Intent, RoundRecord


SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z“'\"])")
"""Where one sentence of a statement ends and the next begins."""


def sentences(text: str) -> list[str]:
    """A text's sentences, its whitespace flattened (never empty: ``[""]`` for none)."""
    return SENTENCE_BREAK.split(" ".join(text.split()))


def _own_sentence(text: str, round_: int) -> str:
    """The sentence of a statement that says the speaker's own point: from round 2 the
    first sentence answers a peer, so the second one (when there is one)."""
    parts = sentences(text)
    if round_ >= 2 and len(parts) > 1:
        return parts[1]
    return parts[0]


class SynthesisBase:
    """What every section reads: the question, the evidence pack, the seated advisors and
    what they said, the ranking, the options weighed, the citation book — and the helpers
    the sections share (the question's lens, the option chosen, quotes from the debate)."""

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
        return w.lower_first(remedy_name(SPECS[self.binding].wrong_remedies[0]))

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

    # quotes from the debate ---------------------------------------------------------------

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
            asked = " ".join(self.intent.question.split())[:40].rstrip("?.! ").lower()
            for sent in sentences(s.text):
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


__all__ = ["SENTENCE_BREAK", "SynthesisBase", "sentences"]
