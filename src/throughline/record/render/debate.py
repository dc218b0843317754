"""The debate as the record shows it: rounds and their statements (who spoke, which move,
what they cite, how their conviction moved and why), and the claim check of every number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from throughline.record.decision import DecisionRecord, RoundRecord, Statement
from throughline.record.render.formatting import (
    DASH,
    Bar,
    CiteRef,
    SourceLink,
    anchor,
    paragraphs,
    pct,
)
from throughline.record.render.index import RecordIndex

MOVES = {
    "WARN": "warns of a risk",
    "SHARE": "shares evidence or experience",
    "REFRAME": "reframes the question",
    "FACTCHECK": "checks a claim against the evidence",
    "CHALLENGE": "challenges a peer",
}
_CLAIM_ORDER = {"contradicted": 0, "unsupported": 1, "verified": 2}


@dataclass(frozen=True)
class StatementView:
    id: str
    anchor: str
    advisor: str
    advisor_anchor: str
    role: str
    move: str
    move_help: str
    text: str
    paragraphs: list[str]
    addressed: list[str]
    cites: list[CiteRef]
    conviction: str
    previous: str | None
    cause: SourceLink | None
    conformity: bool
    failed: bool
    failure: str | None
    dropped_cites: list[str] = field(default_factory=list)
    takes_up: SourceLink | None = None
    claim: str | None = None


@dataclass(frozen=True)
class RoundView:
    number: int
    anchor: str
    title: str
    purpose: str
    summary: str
    statements: list[StatementView]
    failed: int


@dataclass(frozen=True)
class ClaimView:
    id: str
    status: str
    kind: str
    text: str
    location: SourceLink
    matched: str | None
    expected: str | None
    note: str
    unfit: bool = False

    @property
    def matched_parts(self) -> list[str]:
        """'finding.id#metric' → ['finding.id', '#metric'] so a line can break between."""
        if not self.matched:
            return []
        head, sep, tail = self.matched.partition("#")
        return [head, sep + tail] if sep else [head]


@dataclass(frozen=True)
class ClaimCheckView:
    verified: int
    unsupported: int
    contradicted: int
    total: int
    share: str
    unfit: int
    bars: list[tuple[str, Bar]]
    claims: list[ClaimView]

    @property
    def problems(self) -> list[ClaimView]:
        return [c for c in self.claims if c.status != "verified"]

    @property
    def verified_claims(self) -> list[ClaimView]:
        return [c for c in self.claims if c.status == "verified"]


def round_view(r: RoundRecord, ix: RecordIndex) -> RoundView:
    return RoundView(number=r.number, anchor=f"round-{r.number}", title=r.title,
                     purpose=r.purpose, summary=r.summary,
                     statements=[_statement(s, ix) for s in r.statements],
                     failed=sum(1 for s in r.statements if s.failed))


def _previous_conviction(s: Statement, ix: RecordIndex) -> str | None:
    """The advisor's conviction at its last successful turn before this one, if it differs."""
    best: Statement | None = None
    for other in ix.statements.values():
        if (other.advisor_id == s.advisor_id and not other.failed and other.round < s.round
                and (best is None or other.round > best.round)):
            best = other
    if best is None or s.failed:
        return None
    before, now = pct(best.conviction), pct(s.conviction)
    return before if before != now else None


def _statement(s: Statement, ix: RecordIndex) -> StatementView:
    a = ix.advisors.get(s.advisor_id)
    return StatementView(
        id=s.id, anchor=anchor("st", s.id), advisor=ix.name(s.advisor_id),
        advisor_anchor=ix.advisor_anchor(s.advisor_id), role=a.role if a else "",
        move=s.move.value, move_help=MOVES.get(s.move.value, ""), text=s.text,
        paragraphs=paragraphs(s.text), addressed=[ix.name(x) for x in s.addressed],
        cites=ix.cite_ids(s.cites), conviction=pct(s.conviction),
        previous=_previous_conviction(s, ix),
        cause=ix.statement_link(s.conviction_cause), conformity=s.conformity_flag,
        failed=s.failed, failure=s.failure, dropped_cites=list(s.dropped_cites),
        takes_up=ix.statement_link(s.responds_to),
        claim=s.claim.strip().strip("“”\"").strip() if s.claim else s.claim,  # quoted once
    )


def claim_check_view(record: DecisionRecord, ix: RecordIndex) -> ClaimCheckView:
    """The claim check's counts, and its claims with problems first."""
    cc = record.claim_check
    total = cc.total
    return ClaimCheckView(
        verified=cc.verified, unsupported=cc.unsupported, contradicted=cc.contradicted,
        total=total, unfit=cc.unfit,
        share=pct(cc.verified_share) if cc.verified_share is not None else DASH,
        bars=[(k, Bar(n / total if total else 0.0)) for k, n in
              (("verified", cc.verified), ("unsupported", cc.unsupported),
               ("contradicted", cc.contradicted))],
        claims=[ClaimView(
            id=c.id, status=c.status, kind=c.kind, text=c.text,
            location=ix.location_link(c.location), matched=c.matched, expected=c.expected,
            note=c.note, unfit=c.unfit)
            for c in sorted(cc.claims, key=lambda c: _CLAIM_ORDER[c.status])],
    )
