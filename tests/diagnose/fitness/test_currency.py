"""Currencies: the reporting currency, what is excluded or converted, and never a sum of two."""

from __future__ import annotations

from tests.diagnose.fitness.helpers import gate, ids, one, opp, records_of


def deals() -> list[dict[str, object]]:
    # USD 100, 200, 300, (blank) 400; EUR 1,000, 2,000; COP 4,000,000
    cur = ["USD", "USD", "USD", None, "EUR", "EUR", "COP"]
    amt = [100.0, 200.0, 300.0, 400.0, 1000.0, 2000.0, 4_000_000.0]
    return [opp(f"o{i}", currency=c, amount=a) for i, (c, a) in enumerate(zip(cur, amt))]


SUBS = [{"subscription_id": "s1", "account_id": "a", "mrr": 10.0, "currency": "USD",
         "start_date": "2025-01-01"},
        {"subscription_id": "s2", "account_id": "a", "mrr": 50.0, "currency": "EUR",
         "start_date": "2025-01-01"}]


def amounts(ctx, fit, table: str = "opportunities", col: str = "amount") -> dict:
    t = fit.views[table]
    key = "opportunity_id" if table == "opportunities" else "subscription_id"
    return {r[key]: r[col] for r in records_of(ctx, t.select(key, col))}


def test_without_rates_the_dominant_currency_is_kept_and_the_rest_excluded() -> None:
    fit, ctx = gate({"opportunities": deals(), "subscriptions": SUBS})
    assert fit.reporting_currency == "USD"  # 3 deals in USD against 2 in EUR, 1 in COP
    dq = one(fit, "dq.currency.mixed")
    assert dq.action == "corrected"
    assert dq.rows_affected == 4 and dq.rows_total == 9  # 2 EUR + 1 COP deals, 1 EUR line
    assert dq.details["excluded"] == {"opportunities": {"EUR": 2, "COP": 1},
                                      "subscriptions": {"EUR": 1}}
    assert "3 deals and 1 subscription line in COP, EUR" in dq.statement
    got = amounts(ctx, fit)
    assert got == {"o0": 100.0, "o1": 200.0, "o2": 300.0, "o3": 400.0,  # blank = reporting
                   "o4": None, "o5": None, "o6": None}
    assert amounts(ctx, fit, "subscriptions", "mrr") == {"s1": 10.0}


def test_with_rates_every_amount_is_converted() -> None:
    fx = [{"currency": "USD", "rate": 1.0, "is_reporting": True},
          {"currency": "EUR", "rate": 0.5, "is_reporting": False}]  # 1 USD = 0.5 EUR
    fit, ctx = gate({"opportunities": deals(), "subscriptions": SUBS, "fx_rates": fx})
    assert fit.reporting_currency == "USD"
    dq = one(fit, "dq.currency.converted")
    assert "1 USD = 0.5 EUR" in dq.statement
    assert "1 row in COP has no rate and is left out" in dq.statement
    got = amounts(ctx, fit)
    assert got == {"o0": 100.0, "o1": 200.0, "o2": 300.0, "o3": 400.0,
                   "o4": 2000.0, "o5": 4000.0, "o6": None}  # COP has no rate
    assert amounts(ctx, fit, "subscriptions", "mrr") == {"s1": 10.0, "s2": 100.0}


def test_rates_relative_to_another_base_are_rebased() -> None:
    # rates quoted per EUR (EUR marked reporting): 1 EUR = 2 USD
    fx = [{"currency": "EUR", "rate": 1.0, "is_reporting": True},
          {"currency": "USD", "rate": 2.0, "is_reporting": False}]
    fit, ctx = gate({"opportunities": deals()[:6], "fx_rates": fx})
    assert fit.reporting_currency == "EUR"
    got = amounts(ctx, fit)
    assert got["o0"] == 50.0 and got["o4"] == 1000.0
    assert got["o3"] == 400.0  # blank currency is the reporting currency


def test_one_named_currency_needs_nothing() -> None:
    rows = [opp("o1", currency="MXN"), opp("o2", currency=None)]
    fit, _ = gate({"opportunities": rows})
    assert fit.reporting_currency == "MXN"
    assert not [i for i in ids(fit) if i.startswith("dq.currency")]
    assert "opportunities" not in fit.views


def test_no_currency_at_all_names_none() -> None:
    fit, _ = gate({"opportunities": [opp("o1")]})
    assert fit.reporting_currency is None
