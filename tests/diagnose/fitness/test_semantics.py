"""Real-world semantics inside the families and the engine (with and without the gate)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.diagnose.fitness.helpers import opp, records_of
from tests.diagnose.stores import build_store, context, only, run
from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.registry import DiagnoseContext, DiagnoseOptions, diagnostics
from throughline.diagnose.run import diagnose
from throughline.diagnose.toolkit import deal_channel, is_unattributed


def test_a_catch_all_channel_gives_way_to_the_raw_label() -> None:
    rows = [opp("o1", channel="other", lead_source="G2 Review"),
            opp("o2", channel="other", lead_source=None),
            opp("o3", channel="unknown", lead_source="Other"),
            opp("o4", channel=None, lead_source="Socios"),
            opp("o5", channel="events", lead_source="Webinar")]
    ctx = context({"opportunities": rows})
    o = ctx.table("opportunities")
    got = {r["opportunity_id"]: (r["ch"], r["un"]) for r in records_of(ctx, o.select(
        "opportunity_id", ch=deal_channel(o), un=is_unattributed(deal_channel(o))))}
    assert got == {"o1": ("g2 review", False), "o2": ("other", True),
                   "o3": ("unknown", True), "o4": ("socios", False),
                   "o5": ("events", False)}


def _won_monthly(motion: str | None) -> list[dict[str, object]]:
    rows = []
    for i in range(36):  # three won deals a month for a year before 2025-06-30
        created = date(2024, 6, 1) + timedelta(days=10 * i)
        rows.append(opp(f"o{i}", motion=motion, is_closed=True, is_won=True,
                        created_date=created, close_date=created + timedelta(days=5),
                        account_id=f"a{i}"))
    return rows


def test_unknown_motion_never_reads_as_pull_that_does_not_grow() -> None:
    [f] = run("push_pull.compounding", context({"opportunities": _won_monthly("unknown")}))
    assert f.kind is FindingKind.not_measurable
    assert "known sales motion" in f.statement and "Pull-sourced" not in f.statement
    measured = run("push_pull.compounding", context({"opportunities": _won_monthly("referral")}))
    assert measured[0].kind is FindingKind.measured


def test_win_rate_counts_closed_deals_without_a_close_date() -> None:
    # 4 won (dated), 4 lost without a close date and no history: 4 / 8, no cycle for them
    rows = [opp(f"w{i}", is_closed=True, is_won=True, created_date=date(2025, 1, 1),
                close_date=date(2025, 2, 1)) for i in range(4)]
    rows += [opp(f"l{i}", is_closed=True, is_won=False, created_date=date(2025, 1, 1),
                 close_date=None) for i in range(4)]
    f = only(run("pipeline.velocity", context({"opportunities": rows})), "overall")
    assert f.metric("win_rate") == pytest.approx(0.5)
    assert f.metric("closed_deals") == 8 and f.metric("median_cycle_days") == 31


def test_cycle_caveat_names_what_is_wrong() -> None:
    rows = [opp("w1", is_closed=True, is_won=True, created_date=date(2025, 3, 1),
                close_date=date(2025, 2, 1)),
            opp("w2", is_closed=True, is_won=True, created_date=None,
                close_date=date(2025, 2, 1)),
            opp("w3", is_closed=True, is_won=True, created_date=date(2025, 1, 1),
                close_date=date(2025, 2, 1))]
    f = only(run("pipeline.velocity", context({"opportunities": rows})), "overall")
    assert f.caveats[0] == ("2 of 3 won deals are left out of the sales cycle: 1 closed "
                            "before they were created, 1 have no created date.")


def _engine(tables: dict[str, list[dict[str, object]]], ids: tuple[str, ...]) -> object:
    units = [d for d in diagnostics() if d.id in ids]
    return diagnose(build_store(tables), DiagnoseOptions(), diagnostics=units)


def test_an_unfit_input_makes_its_diagnostics_not_measurable_with_the_reason() -> None:
    rows = [opp(f"o{i}", channel=None, lead_source=None, created_date=date(2025, 1, 1)
                + timedelta(days=7 * i)) for i in range(40)]
    d = _engine({"opportunities": rows}, ("attribution.coverage", "pipeline.velocity"))
    [cov] = [f for f in d.findings if f.diagnostic == "attribution.coverage"]
    assert cov.kind is FindingKind.not_measurable
    assert cov.quality == ["dq.absent_column.opportunities.channel"]
    assert cov.statement.startswith("Not measurable: No deal records where it came from")
    assert d.data_quality[0].id == "dq.absent_column.opportunities.channel"  # unfit first


def test_findings_with_amounts_name_the_currency_issue() -> None:
    rows = [opp(f"o{i}", is_closed=True, is_won=i % 2 == 0, created_date=date(2025, 1, 1),
                close_date=date(2025, 2, 1) + timedelta(days=i), amount=100.0 * (i + 1),
                currency="USD" if i < 6 else "EUR") for i in range(10)]
    d = _engine({"opportunities": rows}, ("pipeline.velocity",))
    assert d.reporting_currency == "USD"
    overall: Finding = next(f for f in d.findings if f.id == "pipeline.velocity.overall")
    assert overall.quality == ["dq.currency.mixed"]
    # won USD deals o0, o2, o4: (100 + 300 + 500) / 3; EUR o6, o8 excluded from the mean
    assert overall.metric("avg_deal_size") == pytest.approx(300.0)
    assert overall.metric("won_deals") == 5  # but counted as won


def test_context_without_the_gate_reads_stored_tables() -> None:
    ctx = DiagnoseContext(store=build_store({"opportunities": [opp("o1", currency="EUR")]}))
    assert ctx.table("opportunities") is not None
    assert records_of(ctx, ctx.table("opportunities").select("amount")) == [{"amount": 100.0}]


def test_every_gate_query_compiles_for_postgres() -> None:
    from tests.diagnose.stores import PostgresCheckedContext
    from throughline.diagnose.fitness import inspect

    opps = [opp(f"o{i}", currency=("USD", "EUR")[i % 2], is_closed=True, is_won=i % 3 == 0,
                close_date=None if i % 4 == 0 else date(2025, 2, 1),
                created_date=date(2025, 1, 1), channel=None, lead_source=None, motion=None)
            for i in range(24)]
    hist = [{"history_id": f"h{i}", "opportunity_id": f"o{i}", "stage": "Closed Lost",
             "changed_at": date(2025, 3, 1)} for i in range(24)]
    fc = [{"period_start": date(2025, 1, 1), "submitted_at": date(2025, 1, 5), "owner": o,
           "amount": a, "category": "commit"} for o, a in (("A", 1.0), ("B", 2.0),
                                                            ("C", 4.0), ("M", 7.0))]
    fx = [{"currency": "USD", "rate": 1.0, "is_reporting": True},
          {"currency": "EUR", "rate": 0.9, "is_reporting": False}]
    store = build_store({"opportunities": opps, "stage_history": hist, "forecasts": fc,
                         "fx_rates": fx})
    ctx = PostgresCheckedContext(store=store)
    fit = inspect(ctx, today=date(2025, 7, 1))
    checks = {i.check for i in fit.issues}
    assert {"absent_column", "bulk_timestamps", "bulk_created", "currencies",
            "forecast_rollups", "closed_without_close_date", "small_sample",
            "stale_data"} <= checks
    assert ctx.compiled >= 10
