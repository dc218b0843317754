"""PR cycle time (pickup/review split), throughput, the step change and the legibility
map, on a handful of pull requests whose numbers can be checked by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from scipy import stats as st

from tests.diagnose.stores import context, only, run, value

T = datetime

# created → first review → merged (hours): p1 2/10, p2 4/24, p3 –/6, p4 1/4, p5 open
PRS = [
    dict(pr_id="a#1", created_at=T(2025, 1, 6, 9), first_review_at=T(2025, 1, 6, 11),
         merged_at=T(2025, 1, 6, 19)),
    dict(pr_id="a#2", created_at=T(2025, 1, 7, 9), first_review_at=T(2025, 1, 7, 13),
         merged_at=T(2025, 1, 8, 9)),
    dict(pr_id="a#3", created_at=T(2025, 1, 8, 9), merged_at=T(2025, 1, 8, 15)),
    dict(pr_id="a#4", created_at=T(2025, 1, 9, 9), first_review_at=T(2025, 1, 9, 10),
         merged_at=T(2025, 1, 9, 13)),
    dict(pr_id="a#5", created_at=T(2025, 1, 10, 9), state="open"),
]


def test_cycle_time_median_and_pickup_review_split() -> None:
    f = only(run("legibility.pr_cycle_time", context({"pull_requests": PRS})), "summary")
    assert value(f, "median_cycle_hours") == 8  # cycles 4, 6, 10, 24
    assert f.metrics["median_cycle_hours"].n == 4  # the open PR is not counted
    assert value(f, "median_pickup_hours") == 2  # pickups 1, 2, 4
    assert value(f, "median_review_hours") == 8  # reviews 3, 8, 20
    assert value(f, "reviewed_prs") == 3
    assert f.statement.startswith("Median PR cycle time (created → merged) is 8 hours over 4")
    assert any("pull_requests" in e.query for e in f.evidence)


def test_throughput_counts_empty_weeks() -> None:
    prs = [*PRS, dict(pr_id="a#6", created_at=T(2025, 1, 20, 9), merged_at=T(2025, 1, 20, 12))]
    f = only(run("legibility.pr_throughput", context({"pull_requests": prs})), "weekly")
    # weeks of 6 Jan (4 merged), 13 Jan (0) and 20 Jan (1)
    assert value(f, "merged_prs") == 5
    assert value(f, "weeks_spanned") == 3
    assert value(f, "merged_per_week") == pytest.approx(5 / 3)
    assert value(f, "merged_per_week_slope") == pytest.approx(-1.5)


def test_cycle_trend_needs_three_weeks() -> None:
    findings = run("legibility.pr_cycle_time", context({"pull_requests": PRS}))
    assert [f.id for f in findings] == ["legibility.pr_cycle_time.summary"]


def test_step_change_matches_scipy_mann_whitney() -> None:
    before = [10, 24, 6, 4, 12]
    after = [3, 5, 2, 6, 1]  # one tie (6 h) across the change date
    prs = []
    for i, hours in enumerate(before):
        c = T(2025, 1, 5 + i, 9)
        prs.append(dict(pr_id=f"b#{i}", created_at=c, merged_at=c + timedelta(hours=hours)))
    for i, hours in enumerate(after):
        c = T(2025, 2, 5 + i, 9)
        prs.append(dict(pr_id=f"c#{i}", created_at=c, merged_at=c + timedelta(hours=hours)))
    ctx = context({"pull_requests": prs}, change_date=date(2025, 2, 1))
    f = only(run("legibility.pr_step_change", ctx), "before_after")
    ref = st.mannwhitneyu(after, before, method="asymptotic", use_continuity=True)
    assert f.significance is not None
    assert f.significance.statistic == pytest.approx(ref.statistic)  # U of the after group
    assert f.significance.p_value == pytest.approx(ref.pvalue)
    assert value(f, "median_before_hours") == 10
    assert value(f, "median_after_hours") == 3
    assert value(f, "median_change") == pytest.approx(-0.7)
    assert value(f, "rank_biserial") == pytest.approx(2 * ref.statistic / 25 - 1)
    assert "fell 70.0%, from 10 hours" in f.statement


def test_step_change_without_a_date_is_not_measurable() -> None:
    (f,) = run("legibility.pr_step_change", context({"pull_requests": PRS}))
    assert f.kind.value == "not_measurable"
    assert any("--change-date" in n for n in f.needs)


def test_map_with_only_pull_requests() -> None:
    (f,) = run("legibility.map", context({"pull_requests": PRS}))
    rows = {r["function"]: r for r in f.series or []}
    assert list(rows) == ["engineering", "product", "marketing", "sales", "customer_success"]
    assert rows["engineering"]["metrics"] == ["pr_cycle_time", "pr_pickup_time",
                                              "pr_review_time", "pr_throughput"]
    for fn in ("product", "marketing", "sales", "customer_success"):
        assert rows[fn]["metrics"] == []
        assert rows[fn]["missing"]
    assert value(f, "vacuum_functions") == 4
    assert f.signals == {"gtm_illegible": 1.0, "engineering_legible": 1.0}
    assert f.severity.value == "problem"


def test_map_reads_filled_columns_not_just_tables() -> None:
    prs = [dict(pr_id="a#1", created_at=T(2025, 1, 6, 9), merged_at=T(2025, 1, 6, 19))]
    opps = [dict(opportunity_id="o1", stage="Closed Won", is_closed=True, is_won=True,
                 created_date=date(2025, 1, 1), close_date=date(2025, 2, 1),
                 channel="unknown", lead_source=" ", motion=None)]
    (f,) = run("legibility.map", context({"pull_requests": prs, "opportunities": opps}))
    rows = {r["function"]: r for r in f.series or []}
    # no first-review times: pickup and review are not computable
    assert rows["engineering"]["metrics"] == ["pr_cycle_time", "pr_throughput"]
    assert rows["sales"]["metrics"] == ["win_rate", "sales_cycle_days"]
    assert rows["marketing"]["metrics"] == []  # an 'unknown' channel is no channel
    # product, marketing and customer success are dark; sales computes 2 of its 7
    assert f.signals["gtm_illegible"] == pytest.approx((1 + 1 + 5 / 7 + 1) / 4, abs=1e-4)
    assert f.signals["engineering_legible"] == pytest.approx(2 / 4)


def test_flat_weekly_series_has_no_trend() -> None:
    prs = [dict(pr_id=f"f#{i}", created_at=T(2025, 1, 6, 9) + timedelta(weeks=i),
                merged_at=T(2025, 1, 6, 15) + timedelta(weeks=i)) for i in range(4)]
    ctx = context({"pull_requests": prs})
    throughput = only(run("legibility.pr_throughput", ctx), "weekly")
    assert value(throughput, "merged_per_week") == 1
    assert throughput.significance is not None and throughput.significance.p_value == 1.0
    assert "with no clear trend" in throughput.statement
    trend = only(run("legibility.pr_cycle_time", ctx), "trend")
    assert value(trend, "cycle_hours_slope_per_week") == 0
    assert "no clear trend" in trend.statement
