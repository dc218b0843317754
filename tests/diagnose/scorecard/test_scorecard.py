"""The alignment scorecard, against hand-built findings with hand-computed scores."""

from __future__ import annotations

from throughline.diagnose.findings import Finding, not_measurable
from throughline.diagnose.registry import diagnostics
from throughline.diagnose.scorecard import CAPABILITIES, alignment_scorecard


def _f(diagnostic: str, signals: dict[str, float], statement: str = "x") -> Finding:
    return Finding(id=f"{diagnostic}.x", diagnostic=diagnostic, family=diagnostic.split(".")[0],
                   title="t", statement=statement, signals=signals)


def test_each_capability_is_scored_from_its_strongest_problem_signal() -> None:
    findings = [
        _f("honesty.stage_optimism", {"stage_optimism": 0.25}),
        _f("honesty.forecast_accuracy", {"forecast_optimism": 0.8}, "Forecast beat bookings"),
        _f("feedback.loop_closure", {"feedback_loop_open": 0.1}),
        _f("messaging.coherence", {}),
    ]
    card = {c.id: c for c in alignment_scorecard(findings)}
    thinking = card["critical_thinking"]
    assert (thinking.score, thinking.rating) == (0.2, "weak")  # 1 - 0.8
    assert thinking.driver == "honesty.forecast_accuracy.x"
    assert thinking.driver_statement == "Forecast beat bookings"
    assert thinking.findings == ["honesty.stage_optimism.x", "honesty.forecast_accuracy.x"]
    assert (card["feedback"].score, card["feedback"].rating) == (0.9, "strong")
    assert (card["messaging"].score, card["messaging"].rating) == (1.0, "strong")  # no problem
    assert card["enablement"].rating == "not_measurable" and card["enablement"].score is None


def test_not_measurable_names_the_data_that_would_make_it_so() -> None:
    nm = not_measurable(diagnostic="feedback.loop_closure", family="feedback", title="t",
                        missing=["feedback"], needs=["a win/loss or debrief export"])
    card = {c.id: c for c in alignment_scorecard([nm])}
    assert card["feedback"].rating == "not_measurable"
    assert card["feedback"].needs == ["a win/loss or debrief export"]
    assert [c.id for c in alignment_scorecard([])] == [c.id for c in CAPABILITIES]


def test_every_diagnostic_the_scorecard_reads_exists() -> None:
    known = {d.id for d in diagnostics()}
    for cap in CAPABILITIES:
        assert set(cap.diagnostics) <= known, cap.id
