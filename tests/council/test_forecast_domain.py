"""Forecasts stay inside what the data can say (issue 12, item 9).

A rate is fitted on the logit scale, a count on log(v + ½), a forecast-over-bookings gap on
log(1 + v), and the point and interval are transformed back, so no projection leaves the
metric's domain; horizons count from the diagnosis' as-of date, reach at most half the
history, and a series with fewer than six points gives no forecast — the plan says why.
Expected values are computed by hand below (the fitted scale is exactly linear where the
series is built that way, so the trend is known without a regression).
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats as sps

from throughline.council.forecast import (
    MIN_POINTS,
    Point,
    Series,
    fit,
    from_scale,
    horizon_date,
    interval,
    probability,
    to_scale,
    why_not,
)
from throughline.council.gather import EvidencePack
from throughline.council.synthesis import plan_forecasts
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import Finding, Metric, Severity
from throughline.diagnose.ranking import ConstraintRanking
from throughline.diagnose.report import trust
from throughline.record.decision import Intent


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def expit(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def monthly(values: list[float], start: date = date(2016, 1, 1), n: int | None = None,
            ) -> list[Point]:
    out = []
    y, m = start.year, start.month
    for v in values:
        out.append(Point(period=date(y, m, 1), value=v, n=n))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# -- the scales ---------------------------------------------------------------------------


def test_scales_by_hand() -> None:
    assert to_scale(0.9, "rate") == pytest.approx(math.log(9))
    # the empirical logit: 3 won of 3 closed is log(3.5 / 0.5), not infinity
    assert to_scale(1.0, "rate", n=3) == pytest.approx(math.log(7))
    assert to_scale(0.0, "rate", n=3) == pytest.approx(-math.log(7))
    assert to_scale(9.5, "count") == pytest.approx(math.log(10))
    assert to_scale(0.0, "count") == pytest.approx(math.log(0.5))
    assert to_scale(-0.5, "gap") == pytest.approx(math.log(0.5))
    for domain, v in (("rate", 0.37), ("count", 12.0), ("positive", 46.5), ("gap", 1.04)):
        assert from_scale(to_scale(v, domain), domain) == pytest.approx(v)  # type: ignore[arg-type]


def test_a_win_rate_near_95_percent_trending_up_never_exceeds_one() -> None:
    # logit of the rate rises by exactly 0.25 a month from logit(0.90): no residual
    a, b = logit(0.90), 0.25
    values = [expit(a + b * t) for t in range(12)]  # 0.90 … 0.985
    trend = fit(monthly(values), "rate")
    assert trend is not None
    assert trend.slope == pytest.approx(b) and trend.intercept == pytest.approx(a)
    for steps in (1, 6, 24, 120):
        _, projected = probability(trend, steps, 0.95, "below")
        assert projected == pytest.approx(expit(a + b * (11 + steps)))
        low, high = interval(trend, steps)
        assert 0 < low <= projected <= high < 1
    # the straight line on the raw values would have left [0, 1] within two years
    raw = fit(monthly(values))
    assert raw is not None
    assert raw.intercept + raw.slope * (11 + 24) > 1


def test_a_falling_win_rate_is_not_projected_below_zero() -> None:
    # the '-97.3%' of the issue: 96% falling fast on the raw scale goes negative
    values = [0.97, 0.96, 0.97, 0.95, 0.96, 0.94, 0.95, 0.60, 0.40, 0.30]
    pts = monthly(values, n=40)
    raw = fit(pts)
    assert raw is not None and raw.intercept + raw.slope * (9 + 12) < 0
    trend = fit(pts, "rate")
    assert trend is not None
    _, projected = probability(trend, 12, 0.9, "below")
    low, high = interval(trend, 12)
    assert 0 <= low <= projected <= high <= 1


def test_counts_and_gaps_stay_in_their_domain() -> None:
    # new deals halving every month: log(v + 1/2) falls by log 2 a month exactly
    values = [2 ** (10 - t) - 0.5 for t in range(8)]  # 1023.5 … 7.5
    trend = fit(monthly(values), "count")
    assert trend is not None and trend.slope == pytest.approx(-math.log(2))
    _, projected = probability(trend, 2, 100.0, "below")
    assert projected == pytest.approx(2 ** (10 - 9) - 0.5)  # 1.5 deals, by hand
    _, projected = probability(trend, 6, 100.0, "below")
    assert projected == 0.0  # 2^-3 − ½ < 0: the count stops at zero, never below
    assert interval(trend, 6)[0] >= 0
    # forecast / bookings − 1 shrinking towards −100%: never below it
    trend = fit(monthly([0.5, 0.2, -0.1, -0.4, -0.6, -0.75, -0.85]), "gap")
    assert trend is not None
    low, _ = interval(trend, 8)
    assert low > -1 and probability(trend, 8, 0.0, "above")[1] > -1


def test_probability_is_the_same_on_either_scale() -> None:
    values = [0.30, 0.28, 0.33, 0.27, 0.25, 0.29, 0.24, 0.22]
    trend = fit(monthly(values), "rate")
    assert trend is not None
    ys = [logit(v) for v in values]
    lr = sps.linregress(range(8), ys)
    resid = [y - (lr.intercept + lr.slope * x) for x, y in enumerate(ys)]
    s = math.sqrt(sum(r * r for r in resid) / 6)
    x0 = 7 + 3
    se = s * math.sqrt(1 + 1 / 8 + (x0 - 3.5) ** 2 / sum((x - 3.5) ** 2 for x in range(8)))
    mean = lr.intercept + lr.slope * x0
    p, projected = probability(trend, 3, 0.25, "below")
    assert p == pytest.approx(sps.t.cdf((logit(0.25) - mean) / se, 6))
    assert projected == pytest.approx(expit(mean))


# -- which forecasts can be made ----------------------------------------------------------


def test_fewer_than_six_points_give_no_forecast_and_say_so() -> None:
    s = Series(key="win_rate", label="monthly win rate (won / closed)", unit="ratio",
               points=monthly([0.2, 0.3, 0.25, 0.22]), family="pipeline", domain="rate",
               name="win rate")
    assert MIN_POINTS == 6 and fit(s.points, "rate") is None
    assert f"{s.short}: {why_not(s, date(2016, 5, 1))}" == (
        "win rate: 4 monthly points, fewer than the 6 a trend needs")


def test_the_horizon_is_at_most_half_the_history() -> None:
    # 14 monthly points from Jan 2016, data to 15 Mar 2017 inclusive: 440 days, 14.5 months
    # of 30.4375 days
    s = Series(key="new_deals", label="new deals created per month", unit="count",
               points=monthly([10.0 + t for t in range(14)]), family="pipeline",
               domain="count", name="new deals")
    as_of = date(2017, 3, 15)
    assert why_not(s, as_of, 6) is None
    assert why_not(s, as_of, 7) is None  # 7 ≤ 14.5 / 2
    assert why_not(s, as_of, 12) == (
        "12 months ahead is more than half of its 14.5 months of history before 2017-03-15")


def _pack(as_of: date, win_rates: list[float]) -> EvidencePack:
    overall = Finding(
        id="pipeline.velocity.overall", diagnostic="pipeline.velocity", family="pipeline",
        title="Pipeline velocity", severity=Severity.info, statement="Win rate is 95.0%.",
        metrics={"win_rate": Metric(name="win_rate", value=0.95, unit="ratio")})
    d = Diagnosis(as_of=as_of, backend="duckdb", tables={"opportunities": 500},
                  findings=[overall],
                  ranking=ConstraintRanking(scores=[], binding=None, threshold=0.5,
                                            rationale="None found."))
    return EvidencePack(diagnosis=d, findings=[overall])


def _win_rate_series(values: list[float], end: date) -> Series:
    start_month = (end.year * 12 + end.month - 1) - len(values) + 1
    start = date(start_month // 12, start_month % 12 + 1, 1)
    return Series(key="win_rate", label="monthly win rate (won / closed)", unit="ratio",
                  points=monthly(values, start=start, n=30), family="pipeline",
                  finding_id="pipeline.velocity.overall", metric="win_rate", domain="rate",
                  name="win rate")


def test_a_series_ending_years_ago_is_forecast_from_its_own_end() -> None:
    # data to 31 May 2017; the record is written in November 2026 (8.5 years later)
    as_of = date(2017, 5, 31)
    values = [0.94, 0.95, 0.96, 0.95, 0.96, 0.97, 0.96, 0.97, 0.96, 0.97, 0.97, 0.96,
              0.97, 0.96, 0.97, 0.97, 0.96, 0.97, 0.97, 0.96, 0.97, 0.97, 0.96, 0.97]
    series = _win_rate_series(values, as_of)
    intent = Intent(question="Q?", choice="What first", stakes="s", decision_type="diagnose",
                    run_date=date(2026, 11, 21), horizon_months=12)
    plan = plan_forecasts(_pack(as_of, values), [series], intent, [])
    assert [f.id for f in plan.made] == ["fc.win_rate.m3", "fc.win_rate.m12"]
    three, twelve = plan.made
    assert three.horizon == horizon_date(as_of, 3) == date(2017, 8, 31)
    assert twelve.horizon == date(2018, 5, 31)
    assert three.anchor == as_of and "counted from the data's end (2017-05-31)" in three.method
    # 3 months after the last complete month (May 2017 is complete on its last day)
    assert "3.0 periods after the last one" in three.method
    for f in plan.made:
        assert f.low is not None and f.high is not None and f.projected is not None
        assert 0 <= f.low <= f.projected <= f.high <= 1
    assert plan.omitted == []


def test_the_question_horizon_and_short_histories_are_respected() -> None:
    as_of = date(2017, 5, 31)
    values = [0.3, 0.32, 0.31, 0.33, 0.3, 0.34, 0.32, 0.33]  # 8 months of history
    intent = Intent(question="Q in the next 6 months?", choice="c", stakes="s",
                    decision_type="hire", run_date=date(2026, 11, 21), horizon_months=6)
    plan = plan_forecasts(_pack(as_of, values), [_win_rate_series(values, as_of)], intent, [])
    # 3 months fits in half of 8 months of history; the question's 6 does not
    assert [f.id for f in plan.made] == ["fc.win_rate.m3"]
    assert [o.text for o in plan.omitted] == [
        "win rate: 6 months ahead is more than half of its 8 months of history before "
        "2017-05-31"]
    few = plan_forecasts(_pack(as_of, values[:4]), [_win_rate_series(values[:4], as_of)],
                         intent, [])
    assert few.made == [] and [o.text for o in few.omitted] == [
        "win rate: 4 monthly points, fewer than the 6 a trend needs"]


def test_tie_wording_names_both_with_the_score() -> None:
    from throughline.diagnose.ranking import HypothesisScore

    r = ConstraintRanking(
        scores=[HypothesisScore(name="honesty", label="Honesty (x)", score=1.0),
                HypothesisScore(name="messaging", label="Messaging (y)", score=1.0)],
        binding=None, threshold=0.5, rationale="", tied=["honesty", "messaging"])
    line = trust.tie_sentence(r)
    assert line.startswith("Tie: honesty and messaging at 1.00 — the data does not separate "
                           "them; the evidence that would is")
    assert "attribution gap or messaging incoherence for messaging" in line
