"""Unit tests of the council's parts: framing, personas, casting, forecasts, the debate."""

from __future__ import annotations

import asyncio
import math
from datetime import date

import pytest
from scipy import stats as sps

from tests.council.workspace import Company
from throughline.council.cast import cast_panel
from throughline.council.debate import run_debate
from throughline.council.forecast import Point, fit, probability
from throughline.council.frame import DEFAULT_QUESTION, frame_question
from throughline.council.gather import gather
from throughline.council.personas import builtin_catalog, load_catalog
from throughline.core.seams import CallInfo, TurnReply, TurnRequest
from throughline.core.errors import ModelError, UsageError
from throughline.record.decision import Move

RUN = date(2026, 11, 21)


@pytest.mark.parametrize(("question", "kind", "options", "months"), [
    (DEFAULT_QUESTION, "diagnose", [], 12),
    ("Sales is flat. Invest in GTM tooling or in product clarity?", "invest",
     ["GTM tooling", "product clarity"], 12),
    # yes/no: do it or hold off, as noun phrases
    ("Should we hire five SDRs in the next 6 months?", "hire",
     ["hiring five SDRs in the next 6 months",
      "holding off on hiring five SDRs in the next 6 months"], 6),
    # verb-led options become gerunds, so they read in any sentence
    ("Should we move upmarket or stay in SMB?", "pivot", ["moving upmarket", "staying in SMB"],
     12),
    ("How should we change pricing this quarter?", "price", [], 3),
])
def test_frame_reads_type_options_and_horizon(question, kind, options, months) -> None:
    intent = frame_question(question, RUN)
    assert (intent.decision_type, intent.options, intent.horizon_months) == (kind, options,
                                                                             months)
    assert intent.run_date == RUN and intent.must_contain and intent.stakes
    assert intent.question == question


def test_frame_refuses_an_empty_question() -> None:
    with pytest.raises(UsageError):
        frame_question("   ", RUN)


def test_catalog_has_eight_complete_personas_with_auditor_and_contrarian() -> None:
    cat = builtin_catalog()
    assert len(cat.advisors) >= 8
    ids = [p.id for p in cat.advisors]
    assert len(set(ids)) == len(ids)
    assert cat.get("auditor").always_seated and cat.get("contrarian").always_seated
    for p in cat.advisors:
        assert p.name and p.role and p.lens and p.background and p.metaphor
        assert p.assumption.finding and p.assumption.metric
        assert not any(ch.isdigit() for ch in p.assumption.meaning)  # wording stays checkable


def test_panel_file_replaces_and_adds(tmp_path) -> None:
    f = tmp_path / "panel.yaml"
    base = builtin_catalog().get("revops").model_dump()
    base["name"] = "Someone Else"
    import yaml

    f.write_text(yaml.safe_dump({"advisors": [base]}))
    cat, ids = load_catalog(f)
    assert ids == ["revops"] and cat.get("revops").name == "Someone Else"
    assert len(cat.advisors) == len(builtin_catalog().advisors)


def test_casting_seats_four_to_seven_and_explains(company: Company) -> None:
    cat = builtin_catalog()
    intent = frame_question(DEFAULT_QUESTION, RUN)
    pack = gather(company.diagnosis, question=intent.question, personas=cat.advisors,
                  search=None, capabilities=[], library_documents=0)
    for size in (4, 6, 7):
        seats = cast_panel(cat, intent, pack, size=size)
        ids = [s.persona.id for s in seats]
        assert len(ids) == size and ids[:2] == ["auditor", "contrarian"]
        assert all(s.reason for s in seats)
    seats = cast_panel(cat, intent, pack)
    champions = [s for s in seats if company.diagnosis.ranking.binding in s.persona.champions]
    assert champions and "binding constraint" in champions[0].reason
    with pytest.raises(UsageError):
        cast_panel(cat, intent, pack, size=8)


def test_forecast_matches_the_textbook_prediction_interval() -> None:
    ys = [0.20, 0.18, 0.21, 0.17, 0.16, 0.18, 0.15, 0.14]
    pts = [Point(period=date(2025, m, 1), value=v) for m, v in enumerate(ys, start=1)]
    trend = fit(pts)
    assert trend is not None
    lr = sps.linregress(range(len(ys)), ys)
    assert trend.slope == pytest.approx(lr.slope) and trend.intercept == pytest.approx(
        lr.intercept)
    n = len(ys)
    resid = [y - (lr.intercept + lr.slope * x) for x, y in enumerate(ys)]
    s = math.sqrt(sum(r * r for r in resid) / (n - 2))
    x0 = n - 1 + 3
    xbar = (n - 1) / 2
    sxx = sum((x - xbar) ** 2 for x in range(n))
    se = s * math.sqrt(1 + 1 / n + (x0 - xbar) ** 2 / sxx)
    mean = lr.intercept + lr.slope * x0
    expected = sps.t.cdf((0.18 - mean) / se, n - 2)
    p, m = probability(trend, 3, 0.18, "below")
    assert m == pytest.approx(mean) and p == pytest.approx(expected)
    p_above, _ = probability(trend, 3, 0.18, "above")
    assert p + p_above == pytest.approx(1.0)


def test_too_few_periods_make_no_forecast() -> None:
    pts = [Point(period=date(2025, m, 1), value=1.0) for m in range(1, 5)]
    assert fit(pts) is None


class Recorder:
    """A scripted engine that records what each advisor was shown."""

    name = "recorder"

    def __init__(self) -> None:
        self.requests: list[TurnRequest] = []

    async def turn(self, request: TurnRequest):
        self.requests.append(request)
        conviction = 0.5 if request.round.number < 3 else 0.8  # changes in round 3
        cause = None if request.advisor.id == "contrarian" else (
            request.visible[0].id if request.visible else None)
        return (TurnReply(move=Move.SHARE, text=f"{request.advisor.name} speaks.",
                          cites=["no.such.id"], conviction=conviction,
                          conviction_cause=cause),
                CallInfo(role="advisor", engine="fake", model="fake", reason="test"))

    async def summarize(self, round_, statements, panel, intent):
        return f"round {round_.number}", CallInfo(role="summariser", engine="fake",
                                                  model="fake", reason="test")


def test_round_one_is_blind_and_later_rounds_see_summaries_not_transcripts(
        company: Company) -> None:
    cat = builtin_catalog()
    intent = frame_question(DEFAULT_QUESTION, RUN)
    pack = gather(company.diagnosis, question=intent.question, personas=cat.advisors,
                  search=None, capabilities=[], library_documents=0)
    seats = [(s.persona, s.persona.advisor()) for s in cast_panel(cat, intent, pack)]
    engine = Recorder()
    rounds = asyncio.run(run_debate(engine, run_id="t", seats=seats, intent=intent,
                                    pack=pack, rounds=4))
    by_round: dict[int, list[TurnRequest]] = {}
    for r in engine.requests:
        by_round.setdefault(r.round.number, []).append(r)
    assert all(not r.visible for r in by_round[1])
    for n in (2, 3, 4):
        for r in by_round[n]:
            # round n sees round n-1 in full; its summary runs beside round n
            assert len(r.summaries) == n - 2
            assert {s.round for s in r.visible} == {n - 1}
    r3 = {s.advisor_id: s for s in rounds[2].statements}
    assert r3["contrarian"].conformity_flag  # changed conviction and named nothing
    assert not r3["auditor"].conformity_flag and r3["auditor"].conviction_cause
    assert all(s.cites == [] for rd in rounds for s in rd.statements)  # unknown ids dropped


class Failing(Recorder):
    async def turn(self, request: TurnRequest):
        if request.advisor.id == "auditor":
            raise ModelError("timed out three times")
        return await super().turn(request)


def test_a_failing_advisor_is_recorded_as_failed_not_dropped(company: Company) -> None:
    cat = builtin_catalog()
    intent = frame_question(DEFAULT_QUESTION, RUN)
    pack = gather(company.diagnosis, question=intent.question, personas=cat.advisors,
                  search=None, capabilities=[], library_documents=0)
    seats = [(s.persona, s.persona.advisor()) for s in cast_panel(cat, intent, pack)]
    rounds = asyncio.run(run_debate(Failing(), run_id="t", seats=seats, intent=intent,
                                    pack=pack, rounds=2))
    for rd in rounds:
        auditor = next(s for s in rd.statements if s.advisor_id == "auditor")
        assert auditor.failed and "timed out" in (auditor.failure or "")
        assert len(rd.statements) == len(seats)
