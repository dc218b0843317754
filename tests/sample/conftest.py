"""Sample companies generated once per test session, and DuckDB over their files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from throughline.sample import generate

CSV_VIEWS = {
    "account": "crm/Account.csv", "opp": "crm/Opportunity.csv",
    "hist": "crm/OpportunityHistory.csv", "subs": "billing/subscriptions.csv",
    "nps": "product/nps_responses.csv", "ttv": "product/time_to_value.csv",
    "features": "product/features.csv", "opp_features": "product/opportunity_features.csv",
    "capabilities": "product/capabilities.csv", "feedback": "field/feedback.csv",
    "commitments": "field/commitments.csv", "activities": "field/activities.csv",
    "forecasts": "field/forecasts.csv", "icp": "icp/stated_icp.csv",
}


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``company(scenario, seed, scale=1.0)`` → folder, generated once per session."""
    made: dict[tuple[str, int, float], Path] = {}

    def get(scenario: str, seed: int, scale: float = 1.0) -> Path:
        key = (scenario, seed, scale)
        if key not in made:
            out = tmp_path_factory.mktemp(f"{scenario}-{seed}")
            generate(scenario, seed, scale, out)
            made[key] = out
        return made[key]

    return get


class Files:
    """DuckDB views over one sample folder (strings stay strings: no type guessing)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.con = duckdb.connect()
        for view, rel in CSV_VIEWS.items():
            if (root / rel).exists():
                self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_csv("
                                 f"'{root / rel}', header=true, all_varchar=true)")
        self.con.execute(f"CREATE VIEW prs AS SELECT * FROM read_json("
                         f"'{root / 'engineering/pull_requests.json'}')")

    def one(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        assert row is not None
        return row[0] if len(row) == 1 else row

    def all(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()


@pytest.fixture(scope="session")
def files(company: Callable[..., Path]) -> Callable[..., Files]:
    cache: dict[tuple[str, int], Files] = {}

    def get(scenario: str, seed: int) -> Files:
        if (scenario, seed) not in cache:
            cache[(scenario, seed)] = Files(company(scenario, seed))
        return cache[(scenario, seed)]

    return get
