"""The panel as the record shows it: each advisor, its seat, and its conviction round by
round (a table row, a timeline and a sparkline whose labels are the record's values).
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.record.decision import DecisionRecord, PanelMember, Statement
from throughline.record.render.formatting import DASH, Bar, SourceLink, anchor, pct
from throughline.record.render.index import RecordIndex

STATUS = {"ok": "seated", "partly_failed": "some turns failed", "failed": "failed"}


@dataclass(frozen=True)
class HistoryPoint:
    round: int
    conviction: str
    cause: SourceLink | None
    conformity: bool


@dataclass(frozen=True)
class RoundMark:
    """One round of an advisor's conviction history: a value, a failed turn, or nothing."""

    round: int
    conviction: str | None
    conformity: bool = False
    failed: bool = False

    @property
    def label(self) -> str:
        if self.failed:
            return f"R{self.round} failed turn"
        return f"R{self.round} {self.conviction}" + (" (conformity)" if self.conformity else "")


@dataclass(frozen=True)
class Spark:
    """Geometry of a conviction sparkline (drawing only; every label is a record value)."""

    width: int
    height: int
    top: float
    bottom: float
    mid: float
    xs: list[float]
    segments: list[tuple[float, float, float, float, bool]]  # x1, y1, x2, y2, across a gap
    dots: list[tuple[float, float, bool, bool]]  # x, y, is_last, conformity
    rounds: list[int]
    labels: list[tuple[float, str, str]]  # x, text, kind: "value" | "flag" | "failed"
    value_y: float
    round_y: float
    summary: str


@dataclass(frozen=True)
class MemberView:
    id: str
    anchor: str
    name: str
    role: str
    lens: str
    background: str
    weighs: list[str]
    always_seated: bool
    model: str
    model_reason: str
    cast_reason: str
    final: str
    bar: Bar | None
    status: str
    status_label: str
    failed_turns: int
    history: list[HistoryPoint]
    timeline: list[RoundMark]
    spark: Spark


def panel_views(record: DecisionRecord, ix: RecordIndex) -> list[MemberView]:
    """Every advisor in seating order, each with its own statements and the run's rounds."""
    statements_by_advisor: dict[str, list[Statement]] = {}
    for r in record.rounds:
        for s in r.statements:
            statements_by_advisor.setdefault(s.advisor_id, []).append(s)
    round_numbers = [r.number for r in record.rounds] or sorted(
        {p.round for m in record.panel for p in m.history})
    return [member_view(m, ix, statements_by_advisor.get(m.advisor.id, []), round_numbers)
            for m in record.panel]


def member_view(m: PanelMember, ix: RecordIndex, statements: list[Statement],
                round_numbers: list[int]) -> MemberView:
    a = m.advisor
    history = [HistoryPoint(p.round, pct(p.conviction), ix.statement_link(p.cause),
                            p.conformity_flag) for p in m.history]
    failed_rounds = sorted({s.round for s in statements if s.failed})
    return MemberView(
        id=a.id, anchor=anchor("adv", a.id), name=a.name, role=a.role, lens=a.lens,
        background=a.background, weighs=list(a.weighs), always_seated=a.always_seated,
        model=a.model, model_reason=a.model_reason, cast_reason=a.cast_reason,
        final=pct(m.final_conviction) if m.final_conviction is not None else DASH,
        bar=Bar(m.final_conviction) if m.final_conviction is not None else None,
        status=m.status, status_label=STATUS.get(m.status, m.status),
        failed_turns=m.failed_turns, history=history,
        timeline=_timeline(m, failed_rounds),
        spark=_spark(m, round_numbers, failed_rounds),
    )


def _timeline(m: PanelMember, failed_rounds: list[int]) -> list[RoundMark]:
    marks = {p.round: RoundMark(p.round, pct(p.conviction), p.conformity_flag)
             for p in m.history}
    for r in failed_rounds:
        marks.setdefault(r, RoundMark(r, None, failed=True))
    return [marks[r] for r in sorted(marks)]


SPARK_W, SPARK_PLOT, SPARK_PAD = 250, 40, 14


def _spark(m: PanelMember, round_numbers: list[int], failed_rounds: list[int]) -> Spark:
    rounds = sorted(set(round_numbers) | {p.round for p in m.history} | set(failed_rounds))
    w, pad = SPARK_W, SPARK_PAD
    top, bottom = 6, 6 + SPARK_PLOT
    value_y, round_y = bottom + 16, bottom + 29
    h = round(round_y + 4)
    if not rounds:
        rounds = [1]
    span = max(1, len(rounds) - 1)
    x_of = {r: round(pad + (w - 2 * pad) * i / span, 1) for i, r in enumerate(rounds)}

    def y(c: float) -> float:
        c = max(0.0, min(1.0, c))
        return round(bottom - (bottom - top) * c, 1)

    points = sorted(m.history, key=lambda p: p.round)
    coords = [(x_of[p.round], y(p.conviction)) for p in points]
    position = {r: i for i, r in enumerate(rounds)}
    segments = [
        (a[0], a[1], b[0], b[1], position[q.round] - position[p.round] > 1)
        for (a, p), (b, q) in zip(zip(coords, points, strict=True),
                                  zip(coords[1:], points[1:], strict=True), strict=False)
    ]
    dots = [(x, yy, i == len(coords) - 1, p.conformity_flag)
            for i, ((x, yy), p) in enumerate(zip(coords, points, strict=True))]
    timeline = _timeline(m, failed_rounds)
    labels = [(x_of[t.round], "✕" if t.failed else (t.conviction or DASH),
               "failed" if t.failed else ("flag" if t.conformity else "value"))
              for t in timeline]
    return Spark(width=w, height=h, top=top, bottom=bottom, mid=y(0.5),
                 xs=[x_of[r] for r in rounds], segments=segments, dots=dots,
                 rounds=rounds, labels=labels,
                 value_y=value_y, round_y=round_y,
                 summary=", ".join(t.label for t in timeline) or "no turns")
