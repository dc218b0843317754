"""Forecasts computed from the data: a trend with its uncertainty → a probability.

Each forecast is fitted on a monthly (or per-period) series: ordinary least squares of the
value on time over the last ``WINDOW`` complete periods, and the *prediction* interval of a
single future period's value (Student t with n − 2 degrees of freedom, standard error
``s·√(1 + 1/n + (x₀ − x̄)²/Sxx)``). The probability is that this value falls on the stated
side of a threshold the data also gives (the last year's level of the same metric). With
fewer than ``MIN_POINTS`` periods no forecast is made — the record says so.

The series come from the store through Ibis (monthly win rate and new deals, aggregated in
the engine) and from the diagnose findings that already carry a series (pull share,
unattributed share, weekly PR cycle time, forecast against actual per period).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Literal

import ibis
from pydantic import BaseModel, Field
from scipy import stats as sps

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.expr import add_months, complete_months, month, records, to_date

WINDOW = 18
MIN_POINTS = 6
P_FLOOR = 0.01  # probabilities are reported within [1%, 99%]: a trend never proves certainty


class Point(BaseModel):
    period: date
    value: float
    n: int | None = None


class Series(BaseModel):
    key: str
    label: str = Field(description="What the value is, e.g. 'monthly win rate (won / closed)'.")
    unit: Literal["ratio", "count", "hours", "days"]
    period: Literal["month", "week", "quarter", "period"] = "month"
    points: list[Point]
    family: str
    finding_id: str | None = Field(default=None, description="Finding stating the level.")
    metric: str | None = None
    level: float | None = Field(default=None, description="The level the threshold uses.")
    better: Literal["higher", "lower"] = "higher"


class Trend(BaseModel):
    n: int
    slope: float
    intercept: float
    resid_sd: float
    x_mean: float
    sxx: float

    def predict(self, x: float) -> tuple[float, float, int]:
        """Mean and standard error of one future observation at ``x``, and the df."""
        mean = self.intercept + self.slope * x
        se = self.resid_sd * math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        return mean, se, self.n - 2


def fit(points: list[Point]) -> Trend | None:
    pts = points[-WINDOW:]
    n = len(pts)
    if n < MIN_POINTS:
        return None
    xs = list(range(n))
    ys = [p.value for p in pts]
    xm = sum(xs) / n
    ym = sum(ys) / n
    sxx = sum((x - xm) ** 2 for x in xs)
    slope = sum((x - xm) * (y - ym) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = ym - slope * xm
    resid = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    sd = math.sqrt(sum(r * r for r in resid) / (n - 2))
    return Trend(n=n, slope=slope, intercept=intercept, resid_sd=max(sd, 1e-12), x_mean=xm,
                 sxx=sxx)


def probability(trend: Trend, steps_ahead: float, threshold: float,
                side: Literal["below", "above"]) -> tuple[float, float]:
    """P(value ``steps_ahead`` periods after the last point is below/above ``threshold``)
    and the predicted mean."""
    x = (trend.n - 1) + steps_ahead
    mean, se, df = trend.predict(x)
    below = float(sps.t.cdf((threshold - mean) / se, df))
    p = below if side == "below" else 1.0 - below
    return min(1 - P_FLOOR, max(P_FLOOR, p)), mean


# -- series -----------------------------------------------------------------------------


def store_series(store: Any, as_of: date) -> list[Series]:
    """Monthly win rate and new deals from the opportunities table (aggregated in the engine)."""
    opp = store.table("opportunities")
    if opp is None:
        return []
    start, end = complete_months(as_of, WINDOW)
    lo, hi = ibis.literal(start, type="date"), ibis.literal(end, type="date")
    out: list[Series] = []
    if "close_date" in opp.columns:
        closed = opp.filter(opp.is_closed & opp.close_date.notnull()
                            & (opp.close_date.cast("date") >= lo)
                            & (opp.close_date.cast("date") < hi))
        expr = closed.group_by(m=month(closed.close_date)).aggregate(
            closed=closed.count(), won=closed.is_won.cast("int64").sum())
        rows = records(store.con.execute(expr))
        pts = sorted((Point(period=to_date(r["m"]) or start,
                            value=float(r["won"] or 0) / float(r["closed"]),
                            n=int(r["closed"])) for r in rows if r["closed"]),
                     key=lambda p: p.period)
        out.append(Series(key="win_rate", label="monthly win rate (won / closed)",
                          unit="ratio", points=pts, family="pipeline",
                          finding_id="pipeline.velocity.overall", metric="win_rate"))
    if "created_date" in opp.columns:
        created = opp.filter(opp.created_date.notnull()
                             & (opp.created_date.cast("date") >= lo)
                             & (opp.created_date.cast("date") < hi))
        expr = created.group_by(m=month(created.created_date)).aggregate(n=created.count())
        rows = records(store.con.execute(expr))
        pts = sorted((Point(period=to_date(r["m"]) or start, value=float(r["n"]),
                            n=int(r["n"])) for r in rows), key=lambda p: p.period)
        level = sum(p.value for p in pts[-12:]) / max(1, len(pts[-12:])) if pts else None
        out.append(Series(key="new_deals", label="new deals created per month", unit="count",
                          points=pts, family="pipeline", level=level))
    return out


def finding_series(diagnosis: Diagnosis) -> list[Series]:
    out: list[Series] = []

    def fnd(fid: str) -> Any:
        for f in diagnosis.findings:
            if f.id == fid and f.series:
                return f
        return None

    f = fnd("push_pull.pull_trend.summary")
    if f:
        pts = [Point(period=to_date(r["month"] + "-01") or date.min, value=float(r["share"]),
                     n=int(r["n"])) for r in f.series if r.get("share") is not None]
        out.append(Series(key="pull_share", label="pull share of new deals", unit="ratio",
                          points=pts, family="push_pull", finding_id="push_pull.mix.summary",
                          metric="pull_share_deals"))
    f = fnd("attribution.coverage.trend")
    if f:
        pts = [Point(period=to_date(r["month"] + "-01") or date.min, value=float(r["share"]),
                     n=int(r["n"])) for r in f.series if r.get("share") is not None]
        out.append(Series(key="unknown_share", label="share of new deals with no known source",
                          unit="ratio", points=pts, family="attribution",
                          finding_id="attribution.coverage.share", metric="unknown_share_deals",
                          better="lower"))
    f = fnd("legibility.pr_cycle_time.trend")
    if f:
        pts = [Point(period=to_date(r["week"]) or date.min, value=float(r["median_hours"]),
                     n=int(r["merged"])) for r in f.series if r.get("median_hours") is not None]
        out.append(Series(key="pr_cycle_hours", label="weekly median PR cycle time",
                          unit="hours", period="week", points=pts, family="legibility",
                          finding_id="legibility.pr_cycle_time.summary",
                          metric="median_cycle_hours", better="lower"))
    f = fnd("honesty.forecast_accuracy.summary")
    if f:
        pts = [Point(period=to_date(r["period"]) or date.min,
                     value=float(r["forecast"]) / float(r["actual"]) - 1.0)
               for r in f.series if r.get("actual")]
        out.append(Series(key="forecast_overshoot", label="forecast above won bookings",
                          unit="ratio", period="period", points=pts, family="honesty",
                          finding_id="honesty.forecast_accuracy.summary", metric="forecast_gap",
                          better="lower"))
    return out


def level_of(series: Series, diagnosis: Diagnosis) -> float | None:
    if series.level is not None:
        return series.level
    if series.finding_id and series.metric:
        for f in diagnosis.findings:
            if f.id == series.finding_id:
                return f.metric(series.metric)
    return None


def steps_until(series: Series, horizon: date) -> float:
    """Periods from the series' last point to ``horizon``."""
    last = series.points[-1].period
    days = (horizon - last).days
    per = {"month": 30.4375, "week": 7.0, "quarter": 91.3125, "period": None}[series.period]
    if per is None:  # irregular periods: use the mean spacing of the series
        pts = series.points
        span = (pts[-1].period - pts[0].period).days
        per = span / max(1, len(pts) - 1) or 30.4375
    return max(1.0, days / per)


def month_end(d: date) -> date:
    first_next = add_months(date(d.year, d.month, 1), 1)
    return date.fromordinal(first_next.toordinal() - 1)
