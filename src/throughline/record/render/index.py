"""Lookups every section of the record shares: advisors by id, statements by id,
citations by number and by reference, forecasts by id; and links to them.
"""

from __future__ import annotations

from throughline.core import format as fmt
from throughline.record.decision import Citation, DecisionRecord, Forecast, Statement
from throughline.record.render.formatting import DASH, CiteRef, SourceLink, anchor

_SYNTHESIS_ANCHORS = {
    "verdict": "verdict", "predictions": "predictions", "action_plan": "action-plan",
    "future_paths": "future-paths", "deeper_story": "deeper-story", "evidence": "evidence",
    "risks": "risks",
}


class RecordIndex:
    """Lookups the sections share: advisors, statements, citations, forecasts."""

    def __init__(self, record: DecisionRecord) -> None:
        self.advisors = {m.advisor.id: m.advisor for m in record.panel}
        self.statements: dict[str, Statement] = {}
        for r in record.rounds:
            for s in r.statements:
                self.statements.setdefault(s.id, s)
        self.by_number: dict[int, Citation] = {}
        for c in record.citations + record.sources.cited:
            self.by_number.setdefault(c.number, c)
        self.by_ref: dict[str, int] = {}
        for c in record.citations + record.sources.cited:
            self.by_ref.setdefault(c.ref, c.number)
        self.forecasts: dict[str, Forecast] = {f.id: f for f in record.predictions}

    def name(self, advisor_id: str | None) -> str:
        if advisor_id is None:
            return DASH
        a = self.advisors.get(advisor_id)
        return a.name if a is not None else advisor_id

    def advisor_anchor(self, advisor_id: str | None) -> str:
        return anchor("adv", advisor_id) if advisor_id in self.advisors else ""

    def cite_numbers(self, numbers: list[int]) -> list[CiteRef]:
        out = []
        for n in numbers:
            c = self.by_number.get(n)
            out.append(CiteRef(n, c.ref if c else str(n), c.title if c else ""))
        return out

    def cite_ids(self, ids: list[str]) -> list[CiteRef]:
        out = []
        for ref in ids:
            n = self.by_ref.get(ref)
            c = self.by_number.get(n) if n is not None else None
            out.append(CiteRef(n, ref, c.title if c else ""))
        return out

    def statement_link(self, statement_id: str | None) -> SourceLink | None:
        if not statement_id:
            return None
        s = self.statements.get(statement_id)
        if s is None:
            return SourceLink(statement_id)
        return SourceLink(f"{self.name(s.advisor_id)}, round {s.round}",
                          anchor("st", s.id))

    def location_link(self, location: str) -> SourceLink:
        """A claim location: a statement id, or 'synthesis.<section>[.<i>]'."""
        if location in self.statements:
            link = self.statement_link(location)
            assert link is not None
            return link
        if location.startswith("synthesis."):
            parts = location.split(".")[1:]
            section = parts[0] if parts else ""
            label = "Synthesis · " + fmt.humanize(section) if section else "Synthesis"
            if len(parts) > 1 and parts[1].isdigit():
                label += f" #{int(parts[1]) + 1}"
            return SourceLink(label, _SYNTHESIS_ANCHORS.get(section, ""))
        return SourceLink(location)
