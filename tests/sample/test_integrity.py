"""Referential integrity of the written files, checked with DuckDB."""

from __future__ import annotations

import json

import pytest

from throughline.sample import SCENARIOS


@pytest.mark.parametrize("scenario", ["healthy", "honesty", "positioning"])
def test_every_reference_resolves(files, scenario: str) -> None:
    f = files(scenario, 11)
    assert f.one("SELECT count(*) FROM hist h ANTI JOIN opp o ON o.Id = h.OpportunityId") == 0
    assert f.one("SELECT count(*) FROM opp o ANTI JOIN account a ON a.Id = o.AccountId") == 0
    assert f.one("SELECT count(*) FROM opp_features x ANTI JOIN opp o "
                 "ON o.Id = x.opportunity_id") == 0
    assert f.one("SELECT count(*) FROM opp_features x ANTI JOIN features ft "
                 "USING (feature_id)") == 0
    for view in ("subs", "nps", "ttv"):
        assert f.one(f"SELECT count(*) FROM {view} x ANTI JOIN account a "
                     "ON a.Id = x.account_id") == 0, view
    assert f.one("SELECT count(*) FROM feedback x ANTI JOIN opp o ON o.Id = x.opportunity_id "
                 "WHERE x.opportunity_id IS NOT NULL") == 0
    assert f.one("SELECT count(*) FROM commitments x ANTI JOIN opp o "
                 "ON o.Id = x.opportunity_id") == 0
    assert f.one("SELECT count(*) FROM commitments x ANTI JOIN capabilities c "
                 "ON c.capability_id = x.capability") == 0
    assert f.one("SELECT count(*) FROM features x ANTI JOIN capabilities c "
                 "USING (capability_id)") == 0
    assert f.one("SELECT count(*) FROM activities x ANTI JOIN "
                 "(SELECT DISTINCT OwnerId FROM opp) o ON o.OwnerId = x.owner") == 0


@pytest.mark.parametrize("scenario", ["healthy", "inventory"])
def test_keys_are_unique(files, scenario: str) -> None:
    f = files(scenario, 11)
    checks = {"account": "Id", "opp": "Id", "hist": "Id", "subs": "subscription_id",
              "nps": "response_id", "ttv": "account_id", "features": "feature_id",
              "feedback": "feedback_id", "commitments": "commitment_id",
              "opp_features": "opportunity_id, feature_id",
              "activities": "activity_date, owner, kind, motion",
              "forecasts": "period_start, submitted_at, owner",
              "icp": "function, attribute, value"}
    for view, key in checks.items():
        dupes = f.one(f"SELECT count(*) FROM (SELECT {key} FROM {view} GROUP BY ALL "
                      "HAVING count(*) > 1)")
        assert dupes == 0, view


def test_billing_is_mostly_won_accounts(files) -> None:
    f = files("healthy", 11)
    won = f.one("SELECT count(DISTINCT s.account_id) FROM subs s JOIN opp o "
                "ON o.AccountId = s.account_id AND o.IsWon = 'true' "
                "AND o.Type = 'New Business'")
    assert won == f.one("SELECT count(DISTINCT account_id) FROM subs")
    assert f.one("SELECT count(*) FROM subs WHERE end_date IS NOT NULL "
                 "AND end_date::DATE <= start_date::DATE") == 0


def test_history_follows_the_deal(files) -> None:
    f = files("healthy", 11)
    # the first history row is the creation, the latest carries the current stage & close
    bad_first = f.one("""
        SELECT count(*) FROM (SELECT OpportunityId, min(CreatedDate) AS created FROM hist
                              GROUP BY 1) h JOIN opp o ON o.Id = h.OpportunityId
        WHERE h.created <> o.CreatedDate""")
    assert bad_first == 0
    bad_last = f.one("""
        SELECT count(*) FROM (SELECT OpportunityId, arg_max(StageName, CreatedDate || Id) st,
                                     arg_max(CloseDate, CreatedDate || Id) cd
                              FROM hist GROUP BY 1) h
        JOIN opp o ON o.Id = h.OpportunityId WHERE h.st <> o.StageName OR h.cd <> o.CloseDate""")
    assert bad_last == 0


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_dates_stay_before_the_reference_date(company, files, scenario: str) -> None:
    f = files(scenario, 11)
    ref = json.loads((company(scenario, 11) / "truth.json").read_text())["reference_date"]
    assert f.one("SELECT max(CreatedDate[:10]) FROM opp") < ref
    assert f.one("SELECT max(CreatedDate[:10]) FROM hist") < ref
    if (company(scenario, 11) / "billing/subscriptions.csv").exists():
        assert f.one("SELECT max(start_date) FROM subs") < ref
    assert str(f.one("SELECT max(createdAt) FROM prs"))[:10] < ref
    assert f.one(f"SELECT count(*) FROM opp WHERE IsClosed = 'true' "
                 f"AND CloseDate >= '{ref}'") == 0


def test_chunked_generation_keeps_ids_unique_and_references_whole(monkeypatch, tmp_path
                                                                  ) -> None:
    """Large runs are generated in chunks; ids continue across them."""
    from tests.sample.conftest import Files
    from throughline.sample import generate, generator

    monkeypatch.setattr(generator, "CHUNK", 250)
    result = generate("positioning", 8, 0.5, tmp_path)
    assert result.files["crm/Account.csv"] > 2 * 300  # three chunks or more
    f = Files(tmp_path)
    for view, key in {"account": "Id", "opp": "Id", "hist": "Id", "subs": "subscription_id",
                      "feedback": "feedback_id", "nps": "response_id"}.items():
        assert f.one(f"SELECT count(*) - count(DISTINCT {key}) FROM {view}") == 0, view
    assert f.one("SELECT count(*) FROM hist h ANTI JOIN opp o ON o.Id = h.OpportunityId") == 0
    assert f.one("SELECT count(*) FROM opp o ANTI JOIN account a ON a.Id = o.AccountId") == 0
    assert f.one("SELECT count(*) FROM subs s ANTI JOIN account a ON a.Id = s.account_id") == 0
