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
    assert dq.action == "corrected" and dq.details == {"owners": ["Mgr"]}
    assert (dq.rows_affected, dq.rows_total) == (2, 8)
    assert "'Mgr' in 2 of 2 submissions" in dq.statement
    assert "leaf level (3 owners)" in dq.remedy
    kept = records_of(ctx, fit.views["forecasts"].select("owner"))
    assert sorted(r["owner"] for r in kept) == ["Ana", "Ana", "Ben", "Ben", "Cy", "Cy"]


def test_a_manager_over_two_small_teams() -> None:
    # VP = M1 + M2 (pair); M1 = r1 + r2 (pair); M2 = r3 + r4 + r5 (triple)
    def period(p: str) -> list:
        return [sub(p, "r1", 10), sub(p, "r2", 17), sub(p, "r3", 3), sub(p, "r4", 5),
                sub(p, "r5", 41), sub(p, "M1", 27), sub(p, "M2", 49), sub(p, "VP", 76)]
    fit, _ = gate({"forecasts": period("2025-01-01") + period("2025-04-01")})
    assert one(fit, "dq.forecast_rollups.forecasts").details == {"owners": ["M1", "M2", "VP"]}


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
    assert one(fit, "dq.forecast_rollups.forecasts").details == {"owners": ["Mgr"]}
