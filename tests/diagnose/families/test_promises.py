"""The promise ledger on five commitments: sign-off, GA status, overdue, money at stake."""

from __future__ import annotations

from datetime import date

import pytest

from tests.diagnose.stores import (
    context,
    only,
    run,
    value,
    wilson_lower_95_one_sided,
)

D = date

CAPABILITIES = [
    dict(capability_id="cap_sso", name="Single sign-on", status="ga"),
    dict(capability_id="cap_ai", name="AI forecasting", status="roadmap"),
    dict(capability_id="cap_api", name="Public API", status="beta"),
]
COMMITMENTS = [
    # GA, unsigned, delivered: backed by the product
    dict(commitment_id="c1", made_at=D(2025, 1, 1), kind="feature", capability="cap_sso",
         engineering_signoff=False, due_date=D(2025, 3, 1), status="delivered",
         amount_at_stake=10000.0),
    # roadmap (matched by name, any case), unsigned, open and past due: sold as if it exists
    dict(commitment_id="c2", made_at=D(2025, 1, 1), kind="feature", capability="AI Forecasting",
         engineering_signoff=False, due_date=D(2025, 5, 1), status="open",
         amount_at_stake=20000.0),
    # beta but engineering signed: not sold as if it exists; money from the deal
    dict(commitment_id="c3", made_at=D(2025, 1, 1), kind="feature", capability="cap_api",
         engineering_signoff=True, due_date=D(2025, 9, 1), status="open", opportunity_id="o1"),
    # custom config, missed
    dict(commitment_id="c4", made_at=D(2025, 1, 1), kind="custom_config",
         status="missed", amount_at_stake=5000.0),
    # names a capability the list does not have, blank sign-off: sold as if it exists
    dict(commitment_id="c5", made_at=D(2025, 1, 1), kind="integration", capability="cap_sap",
         status="open", amount_at_stake=7000.0),
]
OPPS = [dict(opportunity_id="o1", stage="Proposal", is_closed=False, is_won=False,
             created_date=D(2025, 1, 1), amount=30000.0)]


def ledger() -> list:
    return run("promises.ledger", context({"commitments": COMMITMENTS,
                                           "capabilities": CAPABILITIES,
                                           "opportunities": OPPS}))


def test_unbacked_promises() -> None:
    f = only(ledger(), "unbacked")
    assert value(f, "commitments") == 5
    assert value(f, "unsigned") == 4  # all but c3
    assert value(f, "revenue_unsigned") == 42000  # 10k + 20k + 5k + 7k
    assert value(f, "naming_a_capability") == 4
    assert value(f, "not_ga") == 3  # c2 roadmap, c3 beta, c5 unknown
    assert value(f, "sold_as_if_exists") == 2  # c2, c5
    assert value(f, "revenue_sold_as_if_exists") == 27000
    assert value(f, "capability_not_in_list") == 1
    assert f.signals["promises_unbacked"] == pytest.approx(wilson_lower_95_one_sided(2, 4),
                                                           abs=1e-4)
    assert "27,000 riding on them" in f.statement


def test_exposure_overdue_custom_and_revenue() -> None:
    f = only(ledger(), "exposure")
    assert value(f, "overdue") == 2  # c2 past due and open, c4 missed
    assert value(f, "revenue_overdue") == 25000
    assert value(f, "custom_configs") == 1
    assert value(f, "revenue_at_stake") == 72000  # c3 takes its deal's 30,000
    assert value(f, "open") == 3


def test_without_capabilities_no_signal() -> None:
    f = only(run("promises.ledger", context({"commitments": COMMITMENTS})), "unbacked")
    assert "promises_unbacked" not in f.signals
    assert any("No capabilities list" in c for c in f.caveats)
    assert value(f, "revenue_unsigned") == 42000  # c3 is the signed one
