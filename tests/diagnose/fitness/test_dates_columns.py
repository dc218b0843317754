"""Undated closed deals, closed before created, the as-of date, staleness, absent inputs,
bulk-created deals and small samples: hand-counted fixtures, both sides of each rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.diagnose.fitness.helpers import TODAY, gate, ids, one, opp, records_of
from throughline.diagnose.fitness.base import SOURCE_DIAGNOSTICS


def closed(oid: str, won: bool, close: date | None, created: date = date(2025, 1, 1),
           **kw: object) -> dict[str, object]:
    return opp(oid, is_closed=True, is_won=won, close_date=close, created_date=created,
               stage="Closed Won" if won else "Closed Lost", **kw)


def change(hid: str, oid: str, at: str) -> dict[str, object]:
    return {"history_id": hid, "opportunity_id": oid, "stage": "Closed Lost",
            "changed_at": datetime.fromisoformat(at)}


def test_closed_deals_without_a_close_date_are_dated_from_their_history() -> None:
    opps = [closed("o1", True, date(2025, 3, 1)), closed("o2", False, None),
            closed("o3", False, None), closed("o4", True, None), opp("o5")]
    hist = [change("h1", "o2", "2025-02-10 10:00:00"), change("h2", "o2", "2025-02-20 11:00:00"),
            change("h3", "o4", "2025-03-05 09:00:00")]
    fit, ctx = gate({"opportunities": opps, "stage_history": hist})
    dq = one(fit, "dq.closed_without_close_date.opportunities")
    assert (dq.rows_affected, dq.rows_total) == (3, 4)
    assert dq.statement == "3 of 4 closed deals (1 won, 2 lost) have no close date."
    assert dq.details == {"dated_from_history": 2, "undated": 1}
    got = {r["opportunity_id"]: r["close_date"] for r in records_of(
        ctx, fit.views["opportunities"].select("opportunity_id", "close_date"))}
    assert {k: (v.date() if v is not None else None) for k, v in got.items()} == {
        "o1": date(2025, 3, 1), "o2": date(2025, 2, 20), "o3": None,
        "o4": date(2025, 3, 5), "o5": None}


def test_closed_before_created_is_counted() -> None:
    opps = [closed("o1", True, date(2024, 12, 1)), closed("o2", False, date(2024, 11, 1)),
            closed("o3", True, date(2025, 2, 1))]  # created 2025-01-01
    fit, _ = gate({"opportunities": opps})
    dq = one(fit, "dq.closed_before_created.opportunities")
    assert (dq.rows_affected, dq.rows_total) == (2, 3)
    assert dq.statement.startswith("2 of 3 closed deals (1 won) have a close date earlier "
                                   "than their created date")


def test_as_of_is_the_latest_crm_event() -> None:
    opps = [closed("o1", True, date(2025, 5, 20)),  # a closed deal's close date counts
            opp("o2", created_date=date(2025, 4, 1), close_date=date(2025, 9, 1)),  # open
            closed("o3", False, date(2031, 1, 1))]  # after today: has not happened
    subs = [{"subscription_id": "s1", "account_id": "a", "mrr": 1.0,
             "start_date": date(2025, 6, 1)}]  # billing ahead of the export
    prs = [{"pr_id": "p1", "created_at": datetime(2025, 6, 15, 9, 0)}]
    fit, _ = gate({"opportunities": opps, "subscriptions": subs, "pull_requests": prs})
    assert fit.as_of == date(2025, 5, 20)
    assert fit.as_of_source == ("latest CRM event: the latest deal closed "
                                "(opportunities.close_date of closed deals)")


def test_as_of_without_crm_data() -> None:
    subs = [{"subscription_id": "s1", "account_id": "a", "mrr": 1.0,
             "start_date": date(2025, 6, 1)}]
    prs = [{"pr_id": "p1", "created_at": datetime(2025, 5, 15, 9, 0)}]
    fit, _ = gate({"subscriptions": subs, "pull_requests": prs})
    assert fit.as_of == date(2025, 5, 15)
    assert fit.as_of_source == "latest recorded event (no CRM data): pull_requests.created_at"
    fit, _ = gate({"subscriptions": subs})
    assert fit.as_of == date(2025, 6, 1)
    fit, _ = gate({"accounts": [{"account_id": "a"}]})
    assert fit.as_of == TODAY and fit.as_of_source == "today (no dated rows in the store)"


def test_staleness_both_sides_of_90_days() -> None:
    opps = [opp("o1", created_date=TODAY - timedelta(days=90))]
    fit, _ = gate({"opportunities": opps})
    assert "dq.stale_data" not in ids(fit)
    opps = [opp("o1", created_date=TODAY - timedelta(days=91))]
    fit, _ = gate({"opportunities": opps})
    dq = one(fit, "dq.stale_data")
    assert dq.action == "warning" and dq.details["days_behind"] == 91
    assert "91 days (3.0 months) before today (2025-07-15)" in dq.statement


def test_an_absent_source_is_unfit_an_explicit_unknown_is_not() -> None:
    for rows in ([opp(f"o{i}", channel=None, lead_source=None) for i in range(3)],
                 [opp(f"o{i}", channel="unknown", lead_source=None) for i in range(3)]):
        fit, _ = gate({"opportunities": rows})
        dq = one(fit, "dq.absent_column.opportunities.channel")
        assert dq.action == "unfit" and dq.rows_affected == 3
        for diagnostic in SOURCE_DIAGNOSTICS:
            assert fit.unfit_for(diagnostic) is dq
    labelled = [opp(f"o{i}", channel="unknown", lead_source="Unknown") for i in range(3)]
    fit, _ = gate({"opportunities": labelled})  # the CRM says "Unknown": a measured gap
    assert "dq.absent_column.opportunities.channel" not in ids(fit)


def test_unknown_motion_is_not_a_motion() -> None:
    fit, _ = gate({"opportunities": [opp("o1", motion="unknown"), opp("o2", motion=None)]})
    assert one(fit, "dq.absent_column.opportunities.motion").action == "unfit"
    assert fit.unfit_for("push_pull.compounding") is not None
    fit, _ = gate({"opportunities": [opp("o1", motion="unknown"), opp("o2")]})
    assert "dq.absent_column.opportunities.motion" not in ids(fit)


def test_bulk_created_deals_both_sides() -> None:
    day, other = date(2025, 1, 1), date(2025, 2, 1)
    rows = [opp(f"o{i}", created_date=day if i < 20 else other + timedelta(days=i))
            for i in range(40)]  # 20 of 40 on one day: 50%
    fit, _ = gate({"opportunities": rows})
    dq = one(fit, "dq.bulk_created.opportunities")
    assert (dq.rows_affected, dq.rows_total, dq.action) == (20, 40, "unfit")
    assert fit.unfit_for("channels.stability") is dq
    rows = [opp(f"o{i}", created_date=day if i < 19 else other + timedelta(days=i))
            for i in range(38)]  # 19 on one day: below 20 deals
    fit, _ = gate({"opportunities": rows})
    assert "dq.bulk_created.opportunities" not in ids(fit)


def test_small_sample_is_a_warning() -> None:
    fit, _ = gate({"opportunities": [opp(f"o{i}") for i in range(29)]})
    assert one(fit, "dq.small_sample.opportunities").action == "warning"
    fit, _ = gate({"opportunities": [opp(f"o{i}") for i in range(30)]})
    assert "dq.small_sample.opportunities" not in ids(fit)
