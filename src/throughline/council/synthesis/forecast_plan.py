"""Which forecasts a record makes: the series the question's options move (or the binding
constraint's), at a near look and at the question's horizon, each fitted from the data
(:mod:`throughline.council.forecast`) and owned by a seated advisor; a forecast the data
cannot support is listed with the reason.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from throughline.council.forecast import (
    INTERVAL,
    Omitted,
    Series,
    fit,
    horizon_date,
    interval,
    level_of,
    probability,
    steps_until,
    why_not,
)
from throughline.council.frame import LEVER_BY_KEY
from throughline.council.gather import EvidencePack
from throughline.council.offline.grammar import Voice
from throughline.council.offline.phrasing import SYNTH
from throughline.council.personas import Persona
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.families.measure import num, pct
from throughline.record.decision import Advisor, Forecast, Intent


PRIMARY_SERIES: dict[str | None, list[str]] = {
    "honesty": ["forecast_overshoot", "win_rate"],
    "distribution": ["new_deals", "win_rate"],
    "positioning": ["win_rate", "new_deals"],
    "messaging": ["unknown_share", "win_rate"],
    "architecture": ["pull_share", "new_deals"],
    "measurement_vacuum": ["pr_cycle_hours", "win_rate"],
    "inventory": ["win_rate", "new_deals"],
    None: ["win_rate", "new_deals"],
}


def _fmt(value: float, unit: str) -> str:
    if unit == "ratio":
        return pct(value)
    if unit == "hours":
        return f"{num(value)} hours"
    if unit == "days":
        return f"{num(value)} days"
    return num(value)


class ForecastPlan(BaseModel):
    """The forecasts made, and those the data could not support (with the reason)."""

    made: list[Forecast] = Field(default_factory=list)
    omitted: list[Omitted] = Field(default_factory=list)


def forecast_horizons(intent: Intent, *, options: bool = False) -> list[list[int]]:
    """Months after the as-of date, per series in order of preference: the question's own
    horizon (12 months unless the question names one) and a nearer look before it. For a
    question with options every series ends at the question's horizon."""
    h = max(1, intent.horizon_months)
    near, mid = min(3, h), min(6, h)
    if options:
        return [sorted({near, h}), sorted({near, h}), [h], [h]]
    return [sorted({near, h}), sorted({mid, h}), [mid]]


def option_series(intent: Intent) -> list[str]:
    """The series the options move (the declared mapping's ``series``), interleaved across
    options so each option gets its first series before any gets a second."""
    per: list[list[str]] = []
    for o in intent.option_frames:
        keys: list[str] = []
        for k in o.levers:
            lever = LEVER_BY_KEY.get(k)
            if lever is not None:
                keys += [x for x in lever.series if x not in keys]
        per.append(keys)
    out: list[str] = []
    for i in range(max((len(k) for k in per), default=0)):
        for keys in per:
            if i < len(keys) and keys[i] not in out:
                out.append(keys[i])
    return out


def plan_forecasts(pack: EvidencePack, series: list[Series], intent: Intent,
                   seats: list[tuple[Persona, Advisor]]) -> ForecastPlan:
    """Forecasts on the binding constraint's series (a near look and the question's horizon),
    on a second series (six months and the horizon) and a third (six months), each from the
    fitted trend with its uncertainty, inside the metric's domain and counted from the
    as-of date. A forecast the data cannot support is listed in ``omitted`` with why."""
    diagnosis = pack.diagnosis
    binding = diagnosis.ranking.binding
    primary = binding or (diagnosis.ranking.tied[0] if diagnosis.ranking.tied else None)
    by_key = {s.key: s for s in series}
    as_of = diagnosis.as_of
    # a question with options: forecasts on what the options move (enough history first)
    asked = option_series(intent)
    if not asked and pack.subject is not None:  # an open question: what its words name
        for k in pack.subject.levers:
            lever = LEVER_BY_KEY.get(k)
            asked += [x for x in (lever.series if lever else ()) if x not in asked]
    moved = [k for k in asked if k in by_key and why_not(by_key[k], as_of) is None]
    voice = Voice(f"forecasts\x1f{intent.question}\x1f{binding}", grammar=SYNTH)
    if moved:
        wanted = moved[:4]
        if len(wanted) < 2:
            wanted += [k for k in PRIMARY_SERIES.get(primary, PRIMARY_SERIES[None])
                       if k in by_key and k not in wanted][:1]
    else:
        wanted = [k for k in PRIMARY_SERIES.get(primary, PRIMARY_SERIES[None]) if k in by_key]
        for k in ("win_rate", "new_deals"):
            if k not in wanted and k in by_key:
                wanted.append(k)
    plan = ForecastPlan()
    for key, months in zip(wanted, forecast_horizons(
            intent, options=bool(moved) and bool(intent.option_frames)), strict=False):
        s = by_key[key]
        short = why_not(s, as_of)
        level = level_of(s, diagnosis)
        trend = fit(s.points, s.domain) if short is None else None
        if trend is None or level is None:
            plan.omitted.append(Omitted(
                key=key, name=s.short,
                reason=short or "no level to compare the trend with (its finding has none)"))
            continue
        threshold = 0.0 if key == "forecast_overshoot" else level
        side: Literal["below", "above"] = "above" if s.better == "lower" else "below"
        if key == "pr_cycle_hours":
            side = "below"  # engineering keeps getting faster while the rest stays dark
        owner = _owner(s.family, binding or primary, seats)
        for m in months:
            reason = why_not(s, as_of, m)
            if reason is not None:
                plan.omitted.append(Omitted(key=key, name=s.short, months=m, reason=reason))
                continue
            horizon = horizon_date(as_of, m)
            steps = steps_until(s, horizon)
            p, mean = probability(trend, steps, threshold, side)
            low, high = interval(trend, steps)
            month_label = horizon.strftime("%B %Y")
            shown = _fmt(threshold, s.unit)
            if key == "forecast_overshoot":
                what = voice.say("fc.gap", key, month=month_label).rstrip(".")
                resolution = (f"True if the forecast submitted for the period containing "
                              f"{month_label} is above the bookings won in it; false if not.")
            elif s.unit == "count" and "@" in key:
                ch = key.split("@", 1)[1].replace("_", " ")
                what = voice.say("fc.count", key, ch=ch, month=month_label, side=side,
                                 level=shown).rstrip(".")
                resolution = (f"True if the exports show {side} {shown} new {ch} deals "
                              f"created in {month_label}; false otherwise. Resolved after "
                              f"{horizon.isoformat()}.")
            else:
                basis = "its level over the last year" if key != "pr_cycle_hours" else \
                    "today's median"
                what = voice.say("fc.level", key, label=s.label, month=month_label, side=side,
                                 level=shown, basis=basis).rstrip(".")
                resolution = (f"True if the {s.label} computed from the exports for "
                              f"{month_label} is {side} {shown}; false otherwise. Resolved "
                              f"after {horizon.isoformat()}.")
            per = {"month": "months", "week": "weeks", "quarter": "quarters",
                   "period": "forecast periods"}[s.period]
            scale = {"rate": " on the logit scale", "count": " on the log scale",
                     "positive": " on the log scale", "gap": " on the log of the ratio",
                     "linear": ""}[s.domain]
            plan.made.append(Forecast(
                id=f"fc.{key.replace('@', '_')}.m{m}",
                statement=what[0].upper() + what[1:] + ".",
                probability=round(p, 4), horizon=horizon, resolution=resolution,
                owner=owner, finding_id=s.finding_id, metric=s.metric,
                current=round(level, 6), threshold=threshold, unit=s.unit,
                anchor=as_of, projected=round(mean, 6), low=round(low, 6),
                high=round(high, 6),
                method=(f"Least-squares trend{scale} over the last {trend.n} {per} "
                        f"(slope {trend.slope:+.4g} per period on that scale), prediction "
                        f"interval of a single period {steps:.1f} periods after the last one "
                        f"(Student t, {trend.n - 2} df), counted from the data's end "
                        f"({as_of.isoformat()}); projected value {_fmt(mean, s.unit)}, "
                        f"{INTERVAL:.0%} interval {_fmt(low, s.unit)} to "
                        f"{_fmt(high, s.unit)}."),
            ))
    return plan


def _owner(family: str, binding: str | None, seats: list[tuple[Persona, Advisor]]) -> str:
    for p, _ in seats:
        if family in p.weighs.families and p.id not in ("auditor", "contrarian"):
            return p.id
    if binding:
        fams = set(SPECS[binding].families)
        for p, _ in seats:
            if fams & set(p.weighs.families):
                return p.id
    return "auditor"


__all__ = ["PRIMARY_SERIES", "ForecastPlan", "forecast_horizons", "option_series",
           "plan_forecasts"]
