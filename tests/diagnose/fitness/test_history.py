"""Bulk-loaded stage history: both sides of each rule, counts by hand."""

from __future__ import annotations

from datetime import date

from tests.diagnose.fitness.helpers import gate, ids, one, opp
from throughline.diagnose.fitness.base import HISTORY_DIAGNOSTICS

OPPS = {"opportunities": [opp(f"o{i}") for i in range(50)], "stage_history": []}


def history(bulk: int, spread: int, at: str = "2025-03-03 03:00:00") -> tuple[str, ...]:
    """``bulk`` rows at one instant and ``spread`` rows one minute apart (other deals)."""
    return (
        f"INSERT INTO stage_history (history_id, opportunity_id, stage, changed_at) "
        f"SELECT 'b' || i, 'o' || (i % 50), 'Proposal', TIMESTAMP '{at}' "
        f"FROM range({bulk}) t(i)",
        f"INSERT INTO stage_history (history_id, opportunity_id, stage, changed_at) "
        f"SELECT 's' || i, 'o' || (i % 50), 'Proposal', "
        f"TIMESTAMP '2025-02-01 08:00:00' + i * INTERVAL 1 MINUTE FROM range({spread}) t(i)",
    )


def test_a_quarter_of_the_rows_at_one_instant_is_bulk() -> None:
    # 25 of 100 rows share 2025-03-03 03:00: 25% ≥ 25% and 25 ≥ 20 rows
    fit, ctx = gate(OPPS, sql=history(25, 75))
    dq = one(fit, "dq.bulk_timestamps.stage_history")
    assert dq.action == "corrected"
    assert (dq.rows_affected, dq.rows_total) == (25, 100)
    assert dq.statement.startswith("25 of 100 stage-history rows (25.0%, 25 deals) share one "
                                   "timestamp (2025-03-03 03:00:00)")
    assert ctx.execute(fit.views["stage_history"].count()) == 75
    assert fit.unfit_for("honesty.close_date_pushes") is None


def test_a_fifth_of_the_rows_is_not() -> None:
    # 20 of 100 rows: 20% < 25%, and 20 < 50 × (100 rows / 76 instants = 1.3)
    fit, _ = gate(OPPS, sql=history(20, 80))
    assert "dq.bulk_timestamps.stage_history" not in ids(fit)
    assert "stage_history" not in fit.views


def test_a_load_inside_a_live_history_is_bulk_by_the_factor() -> None:
    # 60 of 1,000 rows (6%) at one instant; mean rows per instant = 1,000 / 941 ≈ 1.06,
    # so 50× the mean ≈ 53 ≤ 60: bulk
    fit, _ = gate(OPPS, sql=history(60, 940))
    dq = one(fit, "dq.bulk_timestamps.stage_history")
    assert (dq.rows_affected, dq.rows_total) == (60, 1000)


def test_a_small_cluster_inside_a_live_history_is_not() -> None:
    # 45 of 1,000 rows (4.5%): 45 < 50 × (any mean ≥ 1)
    fit, _ = gate(OPPS, sql=history(45, 955))
    assert "dq.bulk_timestamps.stage_history" not in ids(fit)


def test_all_rows_bulk_makes_the_history_unfit() -> None:
    fit, _ = gate(OPPS, sql=history(40, 0))
    dq = one(fit, "dq.bulk_timestamps.stage_history")
    assert dq.action == "unfit" and dq.rows_affected == 40
    assert "No history row is left" in dq.statement
    for diagnostic in HISTORY_DIAGNOSTICS:
        assert fit.unfit_for(diagnostic) is dq


def test_the_load_instant_is_not_the_as_of_date() -> None:
    # deals created up to 2025-01-01, live changes in February, a load on 2025-06-01
    fit, _ = gate(OPPS, sql=history(40, 100, at="2025-06-01 02:00:00"))
    assert fit.as_of == date(2025, 2, 1)  # the last live change (08:00 + 99 minutes)
    assert fit.as_of_source is not None and "bulk-loaded rows excluded" in fit.as_of_source
