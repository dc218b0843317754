"""Diagnose tells the truth on the shapes real exports have (issue 12, diagnose side).

Each test writes a tiny company as canonical CSV files (one per table, schema column names),
ingests it through the CLI and runs ``diagnose --format json``; then it checks the
corrected behaviour: a visible data-quality issue, a *not measurable* finding, numbers
equal to what the fixture gives by hand, and the ranking. Every fixture also passes the
common checks: no rate outside [0, 1] and no binding constraint resting on unfit evidence.

The base company (``Company``): 60 deals created every 6 days over a year ending a few
days before today (so the data are fresh), channels cycling website / events / referral /
outbound; deals 0-47 closed 30 days after creation, every third won; deals 48-59 open. Each
deal has a history row when created and one when it closed (or, while open, moved on 3
days later), each at its own time.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import Finding, FindingKind

CHANNELS = (("website", "Web", "inbound"), ("events", "Webinar", "inbound"),
            ("referral", "Customer Referral", "referral"), ("outbound", "Cold Call", "outbound"))
DEALS, CLOSED = 60, 48


def fresh_ref() -> date:
    return date.today() - timedelta(days=10)


@dataclass
class Company:
    """The base company as rows per table (canonical column names); tests edit the rows."""

    ref: date = field(default_factory=fresh_ref)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        opps, hist = [], []
        for i in range(DEALS):
            channel, source, motion = CHANNELS[i % 4]
            created = self.ref - timedelta(days=360 - 6 * i)
            closed, won = i < CLOSED, i < CLOSED and i % 3 == 0
            close = created + timedelta(days=30)
            opps.append({
                "opportunity_id": f"o{i:02d}", "account_id": f"a{i:02d}",
                "lead_source": source, "channel": channel, "motion": motion,
                "stage": ("Closed Won" if won else "Closed Lost") if closed else "Proposal",
                "amount": 1000.0 + 100 * i, "currency": "USD",
                "is_closed": closed, "is_won": won, "created_date": created,
                "close_date": close,
            })
            t0 = datetime.combine(created, datetime.min.time()) + timedelta(hours=9, minutes=i)
            hist.append({"history_id": f"h{i:02d}a", "opportunity_id": f"o{i:02d}",
                         "stage": "Prospecting", "changed_at": t0, "close_date": close,
                         "probability": 10.0, "forecast_category": "Pipeline"})
            if closed:
                hist.append({"history_id": f"h{i:02d}b", "opportunity_id": f"o{i:02d}",
                             "stage": opps[-1]["stage"],
                             "changed_at": t0 + timedelta(days=30, hours=2),
                             "close_date": close, "probability": 100.0 if won else 0.0,
                             "forecast_category": "Closed" if won else "Omitted"})
            else:
                hist.append({"history_id": f"h{i:02d}b", "opportunity_id": f"o{i:02d}",
                             "stage": "Proposal", "changed_at": t0 + timedelta(days=3),
                             "close_date": close, "probability": 50.0,
                             "forecast_category": "Best Case"})
        self.tables = {"opportunities": opps, "stage_history": hist}

    @property
    def opps(self) -> list[dict[str, Any]]:
        return self.tables["opportunities"]

    def write(self, folder: Path, drop: dict[str, tuple[str, ...]] | None = None) -> Path:
        """One canonical CSV per table; ``drop`` leaves columns out (an export without them)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in self.tables.items():
            if not rows:
                continue
            cols = [c for c in rows[0] if c not in (drop or {}).get(name, ())]
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(cols)
                for r in rows:
                    w.writerow([_cell(r.get(c)) for c in cols])
        return folder


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def diagnose(cli: Any, tmp_path: Path, company: Company,
             drop: dict[str, tuple[str, ...]] | None = None) -> Diagnosis:
    data = company.write(tmp_path / "data", drop)
    ws, out = tmp_path / "ws", tmp_path / "d.json"
    r = cli("--workspace", ws, "ingest", data)
    assert r.code == 0, r.out + r.err
    r = cli("--workspace", ws, "diagnose", "--format", "json", "--out", out)
    assert r.code == 0, r.out + r.err
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc.pop("report", None)
    d = Diagnosis.model_validate(doc)
    assert_truthful(d)
    return d


RATE_WORDS = ("rate", "share")
NOT_RATES = ("slope", "change", "growth", "per_year", "gap", "divergence")


def assert_truthful(d: Diagnosis) -> None:
    """The checks every fixture must pass."""
    for f in d.findings:
        for name, m in f.metrics.items():
            if m.value is None or m.unit not in ("ratio", "probability"):
                continue
            if any(w in name for w in RATE_WORDS) and not any(w in name for w in NOT_RATES):
                assert 0.0 <= m.value <= 1.0, (f.id, name, m.value)
    unfit = {i.id for i in d.data_quality if i.action == "unfit"}
    r = d.ranking
    assert r.binding is None or r.binding not in r.blocked
    if r.binding is not None:
        score = next(s for s in r.scores if s.name == r.binding)
        for c in score.raised_by:
            if c.value > 0 and c.finding_id in {f.id for f in d.findings}:
                assert not set(d.finding(c.finding_id).quality) & unfit, c
    for f in d.findings:  # a finding made not measurable by the gate says which issue
        if f.kind is FindingKind.not_measurable and f.quality:
            assert set(f.quality) <= {i.id for i in d.data_quality}


def issue(d: Diagnosis, issue_id: str) -> Any:
    found = [i for i in d.data_quality if i.id == issue_id]
    assert found, [i.id for i in d.data_quality]
    return found[0]


def findings_of(d: Diagnosis, diagnostic: str) -> list[Finding]:
    return [f for f in d.findings if f.diagnostic == diagnostic]


def in_window(d: Diagnosis, day: date) -> bool:
    """Inside the 12 months to as-of that the mechanics count (as_of − 12 months, as_of]."""
    from throughline.diagnose.toolkit import add_months

    return add_months(d.as_of, -12) < day <= d.as_of


# -- bulk-loaded history (item 6) --------------------------------------------------------


def test_bulk_loaded_history_is_not_read_as_pushes(cli, tmp_path: Path) -> None:
    c = Company()
    load = datetime.combine(c.ref - timedelta(days=2), datetime.min.time()) + timedelta(hours=3)
    for k, h in enumerate(c.tables["stage_history"]):
        h["changed_at"] = load  # a migration: every row stamped with the load time
        h["close_date"] = c.ref - timedelta(days=2000) + timedelta(days=k)  # "pushed" each row
    d = diagnose(cli, tmp_path, c)
    pushes = findings_of(d, "honesty.close_date_pushes")
    assert [f.kind for f in pushes] == [FindingKind.not_measurable]
    dq = issue(d, "dq.bulk_timestamps.stage_history")
    assert dq.action == "unfit" and dq.rows_affected == dq.rows_total == 120
    assert pushes[0].quality == [dq.id] and "120 of 120" in pushes[0].statement
    assert d.ranking.binding != "honesty"
    assert "honesty" in d.ranking.blocked
    # the load instant is not a CRM event: as-of is the last deal created, not the load day
    assert d.as_of == c.ref - timedelta(days=6)


# -- currencies (item 3) -----------------------------------------------------------------

MIX = {"EUR": 0.5, "MXN": 20.0, "COP": 4000.0}


def _four_currencies() -> Company:
    c = Company()
    for i, o in enumerate(c.opps):  # 24 deals stay USD; the others in EUR, MXN, COP
        if i % 5 in (1, 2, 3):
            code = ("EUR", "MXN", "COP")[i % 5 - 1]
            o["currency"] = code
            o["amount"] = o["amount"] * MIX[code]
    return c


def test_four_currencies_without_rates_are_never_added(cli, tmp_path: Path) -> None:
    c = _four_currencies()
    d = diagnose(cli, tmp_path, c)
    usd_won = [o["amount"] for o in c.opps if o["is_won"] and o["currency"] == "USD"
               and in_window(d, o["close_date"])]
    velocity = d.finding("pipeline.velocity.overall")
    assert velocity.metric("avg_deal_size") == pytest.approx(sum(usd_won) / len(usd_won))
    assert d.reporting_currency == "USD"
    dq = issue(d, "dq.currency.mixed")
    assert dq.action == "corrected" and dq.rows_affected == 36
    assert all(code in dq.statement for code in ("EUR", "MXN", "COP"))
    won = [o for o in c.opps if o["is_won"] and in_window(d, o["close_date"])]
    closed = [o for o in c.opps if o["is_closed"] and in_window(d, o["close_date"])]
    assert velocity.metric("win_rate") == pytest.approx(len(won) / len(closed))  # all count
    assert dq.id in velocity.quality


def test_four_currencies_with_rates_are_converted(cli, tmp_path: Path) -> None:
    c = _four_currencies()
    c.tables["fx_rates"] = [{"currency": "USD", "rate": 1.0, "is_reporting": True}] + [
        {"currency": k, "rate": v, "is_reporting": False} for k, v in MIX.items()]
    d = diagnose(cli, tmp_path, c)
    won = [o["amount"] / (MIX.get(o["currency"], 1.0)) for o in c.opps
           if o["is_won"] and in_window(d, o["close_date"])]
    assert d.finding("pipeline.velocity.overall").metric("avg_deal_size") == pytest.approx(
        sum(won) / len(won))
    assert d.reporting_currency == "USD"
    dq = issue(d, "dq.currency.converted")
    assert dq.action == "corrected" and dq.rows_affected == 36


# -- forecast roll-ups (item 5) ----------------------------------------------------------


def test_manager_rollup_is_not_double_counted(cli, tmp_path: Path) -> None:
    c = Company()
    rows = []
    for q in range(4):  # four completed quarters, forecasts equal to what was booked
        start = _quarter_start(c.ref, -(q + 1))
        end = _quarter_start(c.ref, -q)
        booked = sum(o["amount"] for o in c.opps
                     if o["is_won"] and start <= o["close_date"] < end)
        if not booked:
            continue
        team = [round(booked * s, 2) for s in (0.45, 0.35)]  # no rep = the sum of two
        team.append(round(booked - sum(team), 2))
        for who, amount in zip(("Rep A", "Rep B", "Rep C"), team, strict=True):
            rows.append({"period_start": start, "period_end": end,
                         "submitted_at": start + timedelta(days=7), "owner": who,
                         "amount": amount, "category": "commit"})
        rows.append({"period_start": start, "period_end": end,
                     "submitted_at": start + timedelta(days=7), "owner": "Sales Manager",
                     "amount": round(sum(team), 2), "category": "commit"})
    assert len(rows) >= 12
    c.tables["forecasts"] = rows
    d = diagnose(cli, tmp_path, c)
    f = d.finding("honesty.forecast_accuracy.summary")
    assert f.metric("forecast_to_actual") == pytest.approx(1.0, abs=1e-6)
    assert f.signals["forecast_optimism"] == 0.0
    dq = issue(d, "dq.forecast_rollups.forecasts")
    assert dq.action == "corrected" and dq.details["owners"] == ["Sales Manager"]
    assert dq.id in f.quality
    assert d.ranking.binding != "honesty"


def _quarter_start(d: date, offset: int) -> date:
    q = (d.month - 1) // 3 + offset
    year = d.year + q // 4
    return date(year, (q % 4) * 3 + 1, 1)


# -- lost deals without a close date (item 7) ------------------------------------------------


def test_lost_deals_without_close_date_still_count(cli, tmp_path: Path) -> None:
    c = Company()
    lost = [o for o in c.opps if o["is_closed"] and not o["is_won"]]
    for o in lost:
        o["close_date"] = None  # the export leaves CloseDate blank on lost deals
    no_history = {o["opportunity_id"] for o in lost[:4]}
    c.tables["stage_history"] = [h for h in c.tables["stage_history"]
                                 if h["opportunity_id"] not in no_history]
    d = diagnose(cli, tmp_path, c)
    v = d.finding("pipeline.velocity.overall")
    won = sum(1 for o in c.opps if o["is_won"] and in_window(d, o["close_date"]))
    assert v.metric("win_rate") < 1.0
    assert v.metric("closed_deals") == won + 32  # every lost deal counts
    assert v.metric("win_rate") == pytest.approx(won / (won + 32))
    dq = issue(d, "dq.closed_without_close_date.opportunities")
    assert dq.rows_affected == len(lost) == 32
    assert dq.details == {"dated_from_history": 28, "undated": 4}


# -- the deal source (items 1, 2, 13) -------------------------------------------------------


def test_absent_source_column_is_a_vacuum_not_a_gap(cli, tmp_path: Path) -> None:
    d = diagnose(cli, tmp_path, Company(),
                 drop={"opportunities": ("channel", "lead_source", "motion")})
    assert "messaging" in d.ranking.blocked and d.ranking.binding != "messaging"
    dq = issue(d, "dq.absent_column.opportunities.channel")
    assert dq.action == "unfit"
    [cov] = findings_of(d, "attribution.coverage")
    assert cov.kind is FindingKind.not_measurable and cov.quality == [dq.id]
    assert "100.0%" not in cov.statement
    assert [f.kind for f in findings_of(d, "channels.stability")] == [
        FindingKind.not_measurable]
    marketing = next(r for r in d.legibility if r.function == "marketing")
    assert "channel_mix" not in marketing.metrics
    assert any("channel" in m for m in marketing.missing)
    # unknown motion is not a motion (item 11)
    motion = issue(d, "dq.absent_column.opportunities.motion")
    [comp] = findings_of(d, "push_pull.compounding")
    assert comp.kind is FindingKind.not_measurable and comp.quality == [motion.id]
    assert "Pull-sourced deals" not in comp.statement


def test_unmapped_labels_are_their_own_channels(cli, tmp_path: Path) -> None:
    c = Company()
    odd = ("G2 Review", "Gestión directa", "Website Chat", "Socios")
    for i, o in enumerate(c.opps):
        if i < 50:  # the profile did not know these labels and wrote a catch-all
            o["lead_source"], o["channel"] = odd[i % 4], "other"
        else:  # truly blank
            o["lead_source"], o["channel"] = None, "unknown"
    d = diagnose(cli, tmp_path, c)
    share = d.finding("attribution.coverage.share")
    assert share.metric("unknown_deals") == 10 and share.metric("deals") == 60
    assert share.metric("unknown_share_deals") == pytest.approx(10 / 60)
    assert not [i for i in d.data_quality if i.id.startswith("dq.absent_column.opportunities.ch")]
    assert d.ranking.binding != "messaging"


def test_a_source_that_died_inside_a_channel_is_seen(cli, tmp_path: Path) -> None:
    c = Company()
    ref = c.ref.replace(day=1)  # 12 complete months before ref's month, 10 deals each
    opps, k = [], 0
    for m in range(12, 0, -1):
        first = _add_months(ref, -m)
        for j in range(10):
            channel, source, motion = CHANNELS[j % 4]
            if channel == "events":  # Webinar in the first half, Trade Show in the second
                source = "Webinar" if m > 6 else "Trade Show"
            created = first + timedelta(days=2 * j)
            opps.append({"opportunity_id": f"s{k:03d}", "lead_source": source,
                         "channel": channel, "motion": motion, "stage": "Closed Lost",
                         "amount": 1000.0, "is_closed": True, "is_won": False,
                         "created_date": created, "close_date": created + timedelta(days=5)})
            k += 1
    c.tables = {"opportunities": opps}
    d = diagnose(cli, tmp_path, c)
    assert d.finding("channels.stability.churn").metric("channels_died") == 0
    src = d.finding("channels.stability.source_churn")
    assert src.metric("channels_died") == 1 and src.metric("channels_appeared") == 1
    assert "'webinar'" in src.statement and "'trade show'" in src.statement


def _add_months(d: date, months: int) -> date:
    from throughline.diagnose.toolkit import add_months

    return add_months(d, months)


# -- stale data, closed before created (items 8, 12) ----------------------------------------


def test_stale_data_is_said_and_fresh_data_is_not(cli, tmp_path: Path) -> None:
    stale = diagnose(cli, tmp_path / "stale", Company(ref=date(2019, 6, 30)))
    assert stale.as_of_source == ("latest CRM event: the latest stage change "
                                  "(stage_history.changed_at)")
    dq = issue(stale, "dq.stale_data")
    assert dq.action == "warning" and dq.details["as_of"] == "2019-06-27"
    assert dq.details["days_behind"] == (date.today() - date(2019, 6, 27)).days
    assert stale.as_of == date(2019, 6, 27)
    assert stale.as_of_source == ("latest CRM event: the latest stage change "
                                  "(stage_history.changed_at)")
    fresh = diagnose(cli, tmp_path / "fresh", Company())
    assert not [i for i in fresh.data_quality if i.check == "stale_data"]


def test_as_of_ignores_subscriptions_starting_after_the_export(cli, tmp_path: Path) -> None:
    c = Company()
    c.tables["subscriptions"] = [{"subscription_id": "s1", "account_id": "a00", "mrr": 100.0,
                                  "start_date": c.ref + timedelta(days=5)}]
    c.opps[5]["close_date"] = c.ref + timedelta(days=3)  # a closed deal's close counts
    d = diagnose(cli, tmp_path, c)
    assert d.as_of == c.ref + timedelta(days=3)
    assert "closed" in (d.as_of_source or "")


def test_closed_before_created_has_the_right_caveat(cli, tmp_path: Path) -> None:
    c = Company()
    won = [o for o in c.opps if o["is_won"]]
    for o in won:  # every won deal backdated: closed 10 days before it was created
        o["close_date"] = o["created_date"] - timedelta(days=10)
    d = diagnose(cli, tmp_path, c)
    v = d.finding("pipeline.velocity.overall")
    caveats = " ".join(v.caveats)
    assert "No won deal has a created date" not in caveats
    dq = issue(d, "dq.closed_before_created.opportunities")
    assert dq.rows_affected == len(won) == 16
    n_won = int(v.metric("won_deals") or 0)
    assert f"{n_won} of {n_won} won deals are left out of the sales cycle: {n_won} closed " \
           "before they were created." in caveats
    assert v.metric("median_cycle_days") is None
