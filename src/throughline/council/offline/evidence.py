"""What the panel's evidence says, as the offline advisors read it: the findings and their
quotable facts, each persona's lens (what it measures and what it cannot see), which findings
raise which hypothesis and how strongly, and where each advisor's belief should settle.
"""

from __future__ import annotations

from throughline.council.gather import EvidencePack, binding_evidence_ids
from throughline.council.offline.facts import Fact, assumption_test, finding_facts
from throughline.council.offline.statements import clamp
from throughline.council.personas import Persona
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.findings import Finding, FindingKind, Severity


class PanelEvidence:
    """The evidence pack read for a panel: lookups every round of the offline debate uses."""

    def __init__(self, pack: EvidencePack, personas: dict[str, Persona]) -> None:
        self.pack = pack
        self.personas = personas
        self.ranking = pack.diagnosis.ranking
        self.binding = self.ranking.binding
        self.runner = self.ranking.runner_up
        self.scores = {s.name: s for s in self.ranking.scores}
        self.binding_ids = binding_evidence_ids(pack.diagnosis, self.binding)
        self.runner_ids = binding_evidence_ids(pack.diagnosis, self.runner)
        self.tied = [h for h in self.ranking.tied if h in SPECS] if self.binding is None else []
        # strongest contribution of each finding to any hypothesis, and to which
        self.strength: dict[str, float] = {}
        self.raises: dict[str, str] = {}
        for s in self.ranking.scores:
            for c in s.raised_by:
                v = c.value * c.weight if c.weight else c.value
                if c.value > 0 and v > self.strength.get(c.finding_id, -1.0):
                    self.strength[c.finding_id] = max(c.value, 0.0)
                    self.raises[c.finding_id] = s.name

    # -- evidence helpers ---------------------------------------------------------------------

    def finding(self, fid: str) -> Finding | None:
        return self.pack.finding(fid)

    def facts(self, f: Finding) -> list[Fact]:
        return finding_facts(f, strength=self.strength.get(f.id, 0.0),
                             hypothesis=self.raises.get(f.id))

    def lens(self, p: Persona) -> list[Finding]:
        return [f for f in self.pack.lens_findings(p.weighs.families)
                if f.family != "data_quality"]

    def dark(self, p: Persona) -> list[Finding]:
        return self.pack.lens_findings(p.weighs.families, measured=False)

    def is_problem(self, f: Finding) -> bool:
        return f.severity == Severity.problem or self.strength.get(f.id, 0.0) >= 0.3

    def lens_support(self, p: Persona) -> float:
        if self.binding is None:
            return 0.0
        fams = set(p.weighs.families)
        best = 0.0
        for c in self.scores[self.binding].raised_by:
            f = self.finding(c.finding_id)
            if f is not None and f.family in fams:
                best = max(best, c.value * c.weight)
        return best

    def target(self, p: Persona) -> float:
        """Where this advisor's belief in its own answer settles, given the evidence."""
        top = self.ranking.scores[0].score if self.ranking.scores else 0.0
        if self.binding is None:
            if p.id == "contrarian":
                return clamp(0.3 + 0.4 * top)
            return clamp(0.35 + 0.5 * (1.0 - top))
        score = self.scores[self.binding].score
        if p.id == "contrarian":  # belief in the other reading falls as the margin grows
            return clamp(0.6 - 0.5 * self.ranking.margin, 0.1, 0.9)
        if p.id == "auditor":
            findings = self.pack.diagnosis.findings
            measured = sum(1 for f in findings if f.kind == FindingKind.measured)
            share = measured / len(findings) if findings else 0.0
            return clamp(0.3 + 0.6 * score * share)
        return clamp(0.35 + 0.5 * score * (0.55 + 0.45 * self.lens_support(p)))

    def assumption_fact(self, p: Persona) -> tuple[bool | None, Finding | None, Fact | None]:
        t = assumption_test(self.pack, p, self.strength, self.raises)
        return t.holds, t.finding, t.fact
