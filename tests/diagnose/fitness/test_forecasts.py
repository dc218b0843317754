"""Forecast roll-ups: a manager equal to the team's sum is dropped; coincidences are not."""

from __future__ import annotations

from datetime import date

from tests.diagnose.fitness.helpers import gate, ids, one, records_of


def sub(period: str, owner: str, amount: float, submitted: str | None = None,
        category: str = "commit") -> dict[str, object]:
    start = date.fromisoformat(period)
    return {"period_start": start, "submitted_at": date.fromisoformat(submitted or period),
            "owner": owner, "amount": amount, "category": category}


def team(period: str, a: float, b: float, c: float, manager_delta: float = 0.0) -> list:
    return [sub(period, "Ana", a), sub(period, "Ben", b), sub(period, "Cy", c),
            sub(period, "Mgr", a + b + c + manager_delta)]


def test_manager_equal_to_the_team_is_dropped() -> None:
    rows = team("2025-01-01", 50, 30, 20) + team("2025-04-01", 60, 25, 15, manager_delta=0.4)
    fit, ctx = gate({"forecasts": rows})  # 100.4 vs 100: within 0.5%
    dq = one(fit, "dq.forecast_rollups.forecasts")
    assert dq.action == "corrected" and dq.details["owners"] == ["Mgr"]
    assert (dq.rows_affected, dq.rows_total) == (2, 8)
    assert "'Mgr' = 3 other owners in 2 of 2 submissions" in dq.statement
    assert dq.details["teams"] == {"Mgr": ["Ana", "Ben", "Cy"]}
    assert "leaf level (3 owners)" in dq.remedy
    kept = records_of(ctx, fit.views["forecasts"].select("owner"))
    assert sorted(r["owner"] for r in kept) == ["Ana", "Ana", "Ben", "Ben", "Cy", "Cy"]


def test_a_manager_over_two_teams_and_a_vp_over_the_managers() -> None:
    # VP = M1 + M2; M1 = r1 + r2; M2 = r3 + r4 + r5; figures change every quarter
    rows = []
    for q, (r1, r2, r3, r4, r5) in enumerate([(10, 17, 3, 5, 41), (12, 15, 4, 9, 30),
                                               (20, 11, 6, 2, 33), (14, 14, 8, 7, 25),
                                               (9, 21, 5, 6, 28), (16, 13, 2, 11, 35),
                                               (18, 19, 7, 3, 22), (11, 10, 9, 4, 39)]):
        p = f"{2024 + q // 4}-{1 + 3 * (q % 4):02d}-01"  # eight quarters, seven others
        rows += [sub(p, "r1", r1), sub(p, "r2", r2), sub(p, "r3", r3), sub(p, "r4", r4),
                 sub(p, "r5", r5), sub(p, "M1", r1 + r2), sub(p, "M2", r3 + r4 + r5),
                 sub(p, "VP", r1 + r2 + r3 + r4 + r5)]
    fit, _ = gate({"forecasts": rows})
    dq = one(fit, "dq.forecast_rollups.forecasts")
    assert dq.details["owners"] == ["M1", "M2", "VP"]
    assert dq.details["teams"] == {"M1": ["r1", "r2"], "M2": ["r3", "r4", "r5"],
                                   "VP": ["r1", "r2", "r3", "r4", "r5"]}
    assert (dq.rows_affected, dq.rows_total) == (24, 64)


def test_round_figures_that_add_up_by_chance_are_not_rollups() -> None:
    # Ana = Ben + Cy in two of four quarters (round figures), never the same in the others
    figures = [(500, 300, 200), (400, 100, 300), (600, 250, 300), (300, 200, 150)]
    rows = [sub(f"2025-{1 + 3 * q:02d}-01", who, amount)
            for q, trio in enumerate(figures) for who, amount in zip(("Ana", "Ben", "Cy"), trio)]
    fit, _ = gate({"forecasts": rows})
    assert "dq.forecast_rollups.forecasts" not in ids(fit)  # 2 of 4 < 80%


def test_outside_the_tolerance_is_not_a_rollup() -> None:
    rows = team("2025-01-01", 50, 30, 20, manager_delta=0.6) + team(
        "2025-04-01", 60, 25, 15, manager_delta=0.6)  # 100.6 vs 100: 0.6% > 0.5%
    fit, _ = gate({"forecasts": rows})
    assert "dq.forecast_rollups.forecasts" not in ids(fit)


def test_one_coincidence_is_not_a_manager() -> None:
    # Ana = Ben + Cy in the first period only (1 of 3 submissions)
    rows = [sub("2025-01-01", "Ana", 50), sub("2025-01-01", "Ben", 30),
            sub("2025-01-01", "Cy", 20),
            sub("2025-04-01", "Ana", 50), sub("2025-04-01", "Ben", 31),
            sub("2025-04-01", "Cy", 27),
            sub("2025-07-01", "Ana", 40), sub("2025-07-01", "Ben", 35),
            sub("2025-07-01", "Cy", 22)]
    fit, _ = gate({"forecasts": rows})
    assert "dq.forecast_rollups.forecasts" not in ids(fit)


def test_different_submissions_and_categories_are_not_compared() -> None:
    # the manager's best case is submitted a day later: not the same submission
    rows = [sub("2025-01-01", "Ana", 50), sub("2025-01-01", "Ben", 30),
            sub("2025-01-01", "Cy", 25),
            sub("2025-01-01", "Mgr", 105, submitted="2025-01-02", category="best_case")]
    fit, _ = gate({"forecasts": rows})
    assert "dq.forecast_rollups.forecasts" not in ids(fit)  # (1 of 1 would be enough)
    # the same figure in the same submission is a roll-up
    rows[-1] = sub("2025-01-01", "Mgr", 105)
    fit, _ = gate({"forecasts": rows})
    assert one(fit, "dq.forecast_rollups.forecasts").details["owners"] == ["Mgr"]
