"""The record's citation list: each piece of evidence numbered on its first use.
"""

from __future__ import annotations

from throughline.council.gather import EvidencePack, excerpt
from throughline.record.decision import Citation, Forecast


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


__all__ = ["CitationBook"]
