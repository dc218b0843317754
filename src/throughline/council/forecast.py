"""Forecasts computed from the data: a trend with its uncertainty → a probability.

Each forecast is fitted on a monthly (or per-period) series: ordinary least squares of the
value on time over the last ``WINDOW`` periods, and the *prediction* interval of a single
future period's value (Student t with n − 2 degrees of freedom, standard error
``s·√(1 + 1/n + (x₀ − x̄)²/Sxx)``). The probability is that this value falls on the stated
side of a threshold the data also gives (the last year's level of the same metric).

Forecasts stay inside what the data can say:

* **the metric's domain** — the trend is fitted on a scale where every value is possible
  and the result is transformed back: rates on the logit scale (a win rate near 95% and
  rising stays below 100%), counts, amounts and durations on the log scale (never below
  0), a forecast-over-bookings gap on the log of the ratio (never below −100%). The point
  and both ends of the interval are back-transformed, so none leaves the domain;
* **the data's own clock** — horizons are counted from the diagnosis' as-of date (the end
  of the data), never from today;
* **the history it has** — a horizon may reach at most half the series' history (in its
  own periods), and no trend is fitted on fewer than ``MIN_POINTS`` periods.

A forecast that cannot be made is omitted and said (:class:`Omitted`).

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
from throughline.diagnose.toolkit import add_months, first_incomplete_month, month, records, to_date

WINDOW = 18
MIN_POINTS = 6
P_FLOOR = 0.01  # probabilities are reported within [1%, 99%]: a trend never proves certainty
INTERVAL = 0.8  # the prediction interval the method line reports (central 80%)

Domain = Literal["linear", "rate", "count", "positive", "gap"]
"""The scale a series is fitted on: ``rate`` (0..1) → logit, ``count`` → log(v + ½),
``positive`` (amounts, durations) → log, ``gap`` (a ratio minus one, > −1) → log(1 + v),
``linear`` → as is (only for series with no bound)."""

_RATE_CLIP = 1e-4  # a rate of exactly 0 or 1 with no sample size is read as 0.01% / 99.99%
_POSITIVE_FLOOR = 1e-6
_PER_DAYS = {"month": 30.4375, "week": 7.0, "quarter": 91.3125}
_PERIOD_WORD = {"month": "monthly", "week": "weekly", "quarter": "quarterly",
                "period": "forecast-period"}


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
    domain: Domain = Field(default="linear", description="Scale the trend is fitted on.")
    name: str = Field(default="", description="Short name for messages, e.g. 'win rate'.")

    @property
    def short(self) -> str:
        return self.name or self.label


def to_scale(value: float, domain: Domain, n: int | None = None) -> float:
    """A value on the scale its domain is fitted on (see :data:`Domain`)."""
    if domain == "rate":
        if n:  # the empirical logit: a month with 3 of 3 won is not a certainty
            k = min(max(value, 0.0), 1.0) * n
            return math.log((k + 0.5) / (n - k + 0.5))
        p = min(max(value, _RATE_CLIP), 1.0 - _RATE_CLIP)
        return math.log(p / (1.0 - p))
    if domain == "count":
        return math.log(max(value, 0.0) + 0.5)
    if domain == "positive":
        return math.log(max(value, _POSITIVE_FLOOR))
    if domain == "gap":
        return math.log(max(1.0 + value, _POSITIVE_FLOOR))
    return value


def from_scale(z: float, domain: Domain) -> float:
    """The inverse of :func:`to_scale` (back into the metric's domain)."""
    if domain == "rate":
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    if domain == "count":
        return max(0.0, _exp(z) - 0.5)
    if domain == "positive":
        return _exp(z)
    if domain == "gap":
        return _exp(z) - 1.0
    return z


def _exp(z: float) -> float:
    return math.exp(min(z, 700.0))


class Trend(BaseModel):
    n: int
    slope: float
    intercept: float
    resid_sd: float
    x_mean: float
    sxx: float
    domain: Domain = "linear"

    def predict(self, x: float) -> tuple[float, float, int]:
        """Mean and standard error of one future observation at ``x`` (on the fitted
        scale), and the df."""
        mean = self.intercept + self.slope * x
        se = self.resid_sd * math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        return mean, se, self.n - 2


def fit(points: list[Point], domain: Domain = "linear") -> Trend | None:
    """The least-squares trend of the last ``WINDOW`` points on the domain's scale, or None
    with fewer than ``MIN_POINTS`` usable points."""
    pts = [p for p in points if math.isfinite(p.value)][-WINDOW:]
    n = len(pts)
    if n < MIN_POINTS:
        return None
    xs = list(range(n))
    ys = [to_scale(p.value, domain, p.n) for p in pts]
    xm = sum(xs) / n
    ym = sum(ys) / n
    sxx = sum((x - xm) ** 2 for x in xs)
    slope = sum((x - xm) * (y - ym) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = ym - slope * xm
    resid = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    sd = math.sqrt(sum(r * r for r in resid) / (n - 2))
    return Trend(n=n, slope=slope, intercept=intercept, resid_sd=max(sd, 1e-12), x_mean=xm,
                 sxx=sxx, domain=domain)


def probability(trend: Trend, steps_ahead: float, threshold: float,
                side: Literal["below", "above"]) -> tuple[float, float]:
    """P(value ``steps_ahead`` periods after the last point is below/above ``threshold``)
    and the predicted value (back in the metric's domain). The threshold is moved to the
    fitted scale by the same monotone transform, so the probability is the same on both."""
    x = (trend.n - 1) + steps_ahead
    mean, se, df = trend.predict(x)
    z = to_scale(threshold, trend.domain)
    below = float(sps.t.cdf((z - mean) / se, df))
    p = below if side == "below" else 1.0 - below
    return min(1 - P_FLOOR, max(P_FLOOR, p)), from_scale(mean, trend.domain)


def interval(trend: Trend, steps_ahead: float, level: float = INTERVAL) -> tuple[float, float]:
    """The central ``level`` prediction interval of one period ``steps_ahead`` after the last
    point, back in the metric's domain (so both ends stay inside it)."""
    x = (trend.n - 1) + steps_ahead
    mean, se, df = trend.predict(x)
    q = float(sps.t.ppf(0.5 + level / 2, df))
    return from_scale(mean - q * se, trend.domain), from_scale(mean + q * se, trend.domain)


# -- series -----------------------------------------------------------------------------


def store_series(store: Any, as_of: date) -> list[Series]:
    """Monthly win rate and new deals from the opportunities table (aggregated in the engine),
    every complete month up to the as-of date: the trend reads the last ``WINDOW`` of them,
    the horizon rule the whole history."""
    opp = store.table("opportunities")
    if opp is None:
        return []
    end = first_incomplete_month(as_of)
    hi = ibis.literal(end, type="date")
    out: list[Series] = []
    if "close_date" in opp.columns:
        closed = opp.filter(opp.is_closed & opp.close_date.notnull()
                            & (opp.close_date.cast("date") < hi))
        expr = closed.group_by(m=month(closed.close_date)).aggregate(
            closed=closed.count(), won=closed.is_won.cast("int64").sum())
        rows = records(store.con.execute(expr))
        pts = sorted((Point(period=to_date(r["m"]) or end,
                            value=float(r["won"] or 0) / float(r["closed"]),
                            n=int(r["closed"])) for r in rows if r["closed"]),
                     key=lambda p: p.period)
        out.append(Series(key="win_rate", label="monthly win rate (won / closed)",
                          unit="ratio", points=pts, family="pipeline",
                          finding_id="pipeline.velocity.overall", metric="win_rate",
                          domain="rate", name="win rate"))
    if "created_date" in opp.columns:
        created = opp.filter(opp.created_date.notnull()
                             & (opp.created_date.cast("date") < hi))
        expr = created.group_by(m=month(created.created_date)).aggregate(n=created.count())
        rows = records(store.con.execute(expr))
        pts = sorted((Point(period=to_date(r["m"]) or end, value=float(r["n"]),
                            n=int(r["n"])) for r in rows), key=lambda p: p.period)
        level = sum(p.value for p in pts[-12:]) / max(1, len(pts[-12:])) if pts else None
        out.append(Series(key="new_deals", label="new deals created per month", unit="count",
                          points=pts, family="pipeline", level=level, domain="count",
                          name="new deals"))
    if "channel" in opp.columns:
        out += channel_series(opp, store, hi, end)
    return out


def channel_series(opp: Any, store: Any, hi: Any, end: date) -> list[Series]:
    """Per channel (``new_deals@partner``, ``win_rate@partner``): the same monthly series
    for one channel's deals — what an option that is a channel moves. One grouped query
    each, in the engine; months with no deal of a channel count 0 new deals."""
    out: list[Series] = []
    ch = opp.channel
    if "created_date" in opp.columns:
        created = opp.filter(opp.created_date.notnull() & ch.notnull()
                             & (opp.created_date.cast("date") < hi))
        expr = created.group_by(c=created.channel, m=month(created.created_date)).aggregate(
            n=created.count())
        rows = records(store.con.execute(expr))
        months = sorted({to_date(r["m"]) or end for r in rows})
        by: dict[str, dict[date, int]] = {}
        for r in rows:
            by.setdefault(str(r["c"]), {})[to_date(r["m"]) or end] = int(r["n"])
        for name in sorted(by):
            counts = by[name]
            first = min(counts)
            pts = [Point(period=mo, value=float(counts.get(mo, 0)), n=counts.get(mo, 0))
                   for mo in months if mo >= first]
            level = sum(p.value for p in pts[-12:]) / max(1, len(pts[-12:])) if pts else None
            label = name.replace("_", " ")
            out.append(Series(key=f"new_deals@{name}",
                              label=f"new {label} deals created per month", unit="count",
                              points=pts, family="channels", level=level, domain="count",
                              name=f"new {label} deals"))
    if "close_date" in opp.columns:
        closed = opp.filter(opp.is_closed & opp.close_date.notnull() & ch.notnull()
                            & (opp.close_date.cast("date") < hi))
        expr = closed.group_by(c=closed.channel, m=month(closed.close_date)).aggregate(
            closed=closed.count(), won=closed.is_won.cast("int64").sum())
        rows = records(store.con.execute(expr))
        grouped: dict[str, list[Point]] = {}
        for r in rows:
            if r["closed"]:
                grouped.setdefault(str(r["c"]), []).append(Point(
                    period=to_date(r["m"]) or end,
                    value=float(r["won"] or 0) / float(r["closed"]), n=int(r["closed"])))
        for name in sorted(grouped):
            label = name.replace("_", " ")
            out.append(Series(key=f"win_rate@{name}",
                              label=f"monthly win rate of {label} deals (won / closed)",
                              unit="ratio", points=sorted(grouped[name], key=lambda p: p.period),
                              family="channels", finding_id="pipeline.velocity.by_channel",
                              metric=f"win_rate_{name}", domain="rate",
                              name=f"{label} win rate"))
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
                          metric="pull_share_deals", domain="rate", name="pull share"))
    f = fnd("attribution.coverage.trend")
    if f:
        pts = [Point(period=to_date(r["month"] + "-01") or date.min, value=float(r["share"]),
                     n=int(r["n"])) for r in f.series if r.get("share") is not None]
        out.append(Series(key="unknown_share", label="share of new deals with no known source",
                          unit="ratio", points=pts, family="attribution",
                          finding_id="attribution.coverage.share", metric="unknown_share_deals",
                          better="lower", domain="rate", name="unattributed share"))
    f = fnd("legibility.pr_cycle_time.trend")
    if f:
        pts = [Point(period=to_date(r["week"]) or date.min, value=float(r["median_hours"]),
                     n=int(r["merged"])) for r in f.series if r.get("median_hours") is not None]
        out.append(Series(key="pr_cycle_hours", label="weekly median PR cycle time",
                          unit="hours", period="week", points=pts, family="legibility",
                          finding_id="legibility.pr_cycle_time.summary",
                          metric="median_cycle_hours", better="lower", domain="positive",
                          name="PR cycle time"))
    f = fnd("honesty.forecast_accuracy.summary")
    if f:
        pts = [Point(period=to_date(r["period"]) or date.min,
                     value=float(r["forecast"]) / float(r["actual"]) - 1.0)
               for r in f.series if r.get("actual") and r.get("forecast") is not None]
        out.append(Series(key="forecast_overshoot", label="forecast above won bookings",
                          unit="ratio", period="period", points=pts, family="honesty",
                          finding_id="honesty.forecast_accuracy.summary", metric="forecast_gap",
                          better="lower", domain="gap", name="forecast above bookings"))
    return out


def level_of(series: Series, diagnosis: Diagnosis) -> float | None:
    if series.level is not None:
        return series.level
    if series.finding_id and series.metric:
        for f in diagnosis.findings:
            if f.id == series.finding_id:
                return f.metric(series.metric)
    return None


def period_days(series: Series) -> float:
    """Days in one period of the series (irregular periods: the mean spacing)."""
    per = _PER_DAYS.get(series.period)
    if per is not None:
        return per
    pts = series.points
    if len(pts) < 2:
        return _PER_DAYS["month"]
    span = (pts[-1].period - pts[0].period).days
    return span / (len(pts) - 1) or _PER_DAYS["month"]


def steps_until(series: Series, horizon: date) -> float:
    """Periods from the series' last point to the one that holds ``horizon`` (a monthly
    series counts calendar months: May's point to August is 3)."""
    last = series.points[-1].period
    if series.period == "month":
        return max(1.0, float((horizon.year - last.year) * 12 + horizon.month - last.month))
    return max(1.0, (horizon - last).days / period_days(series))


def history_periods(series: Series, as_of: date) -> float:
    """How much history the series has, in its own periods: from its first point to the end
    of the as-of date (the end of the data, inclusive)."""
    if not series.points:
        return 0.0
    return max(0.0, (as_of - series.points[0].period).days + 1) / period_days(series)


def month_end(d: date) -> date:
    first_next = add_months(date(d.year, d.month, 1), 1)
    return date.fromordinal(first_next.toordinal() - 1)


def horizon_date(as_of: date, months: int) -> date:
    """The end of the month ``months`` after the as-of date: forecasts count from the data's
    end, never from the day the record is written."""
    return month_end(add_months(as_of, months))


class Omitted(BaseModel):
    """A forecast the data could not support, and why ("win rate: 4 monthly points, fewer
    than the 6 a trend needs")."""

    key: str
    name: str
    months: int | None = Field(default=None, description="The horizon it would have had.")
    reason: str

    @property
    def text(self) -> str:
        return f"{self.name}: {self.reason}"


def _plural(n: float, word: str) -> str:
    shown = f"{n:.0f}" if abs(n - round(n)) < 0.05 else f"{n:.1f}"
    return f"{shown} {word}" + ("" if shown == "1" else "s")


def why_not(series: Series, as_of: date, months: int | None = None) -> str | None:
    """Why no forecast can be made on ``series`` (``months`` after the as-of date), or None
    when one can: too few points, or a horizon longer than half the history."""
    pts = [p for p in series.points if math.isfinite(p.value)]
    word = _PERIOD_WORD[series.period]
    if len(pts) < MIN_POINTS:
        return (f"{len(pts)} {word} point{'' if len(pts) == 1 else 's'}, fewer than the "
                f"{MIN_POINTS} a trend needs")
    if months is None:
        return None
    unit = series.period if series.period != "period" else "forecast period"
    history = history_periods(series, as_of)
    ahead = months * _PER_DAYS["month"] / period_days(series)
    if ahead > history / 2 + 1e-9:
        span = _plural(months, "month") + (
            "" if series.period == "month" else f" ({_plural(ahead, unit)})")
        return (f"{span} ahead is more than half of its {_plural(history, unit)} of history "
                f"before {as_of.isoformat()}")
    return None
