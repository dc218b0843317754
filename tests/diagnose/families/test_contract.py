"""Every families-A diagnostic: not measurable without data, never raising on blank optional
columns, deterministic, and statements that only cite their metrics."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from tests.diagnose.families.tiny import context, make_store, run
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.registry import diagnostics
from throughline.evidence import SCHEMA

FAMILIES = {"post_sale", "icp", "honesty", "pipeline", "push_pull", "channels", "attribution"}
IDS = sorted(d.id for d in diagnostics() if d.family in FAMILIES)


def test_all_families_registered():
    assert {d.split(".")[0] for d in IDS} == FAMILIES
    assert len(IDS) >= 20


@pytest.mark.parametrize("diagnostic_id", IDS)
def test_not_measurable_without_tables(diagnostic_id):
    store = make_store({})
    (f,) = run(context(store, date(2025, 1, 1)), diagnostic_id)
    assert f.kind is FindingKind.not_measurable
    assert f.needs and f.id == f"{diagnostic_id}.not_measurable"


@pytest.mark.parametrize("diagnostic_id", IDS)
def test_not_measurable_on_empty_tables(diagnostic_id):
    store = make_store({}, empty=list(SCHEMA))
    (f,) = run(context(store, date(2025, 1, 1)), diagnostic_id)
    assert f.kind is FindingKind.not_measurable
    assert f.needs


def required_only_store(n: int = 60):
    """Every canonical table with only its required columns filled (the rest all null)."""
    base = date(2023, 1, 1)
    tables: dict[str, list[dict]] = {name: [] for name in SCHEMA}
    for i in range(n):
        d = base + timedelta(days=11 * i)
        ts = datetime.combine(d, datetime.min.time())
        oid, aid = f"o{i}", f"a{i % 17}"
        tables["accounts"].append({"account_id": aid}) if i < 17 else None
        tables["opportunities"].append({"opportunity_id": oid, "stage": f"S{i % 4}",
                                        "is_closed": i % 3 != 0, "is_won": i % 3 == 1,
                                        "created_date": d})
        tables["stage_history"].append({"history_id": f"h{i}", "opportunity_id": oid,
                                        "stage": f"S{i % 4}", "changed_at": ts})
        tables["subscriptions"].append({"subscription_id": f"s{i}", "account_id": aid,
                                        "mrr": 100.0 + i, "start_date": d})
        tables["nps_responses"].append({"response_id": f"r{i}", "account_id": aid,
                                        "responded_at": d, "score": i % 11})
        tables["activities"].append({"activity_date": d, "owner": "x", "kind": "email",
                                     "motion": "outbound", "count": 10 + i})
        tables["forecasts"].append({"period_start": d, "submitted_at": d, "owner": "x",
                                    "amount": 1000.0})
        tables["opportunity_features"].append({"opportunity_id": oid, "feature_id": "F1"})
    tables["time_to_value"] = [{"account_id": f"a{i}", "signed_at": base} for i in range(17)]
    tables["features"] = [{"feature_id": "F1", "name": "One"}]
    tables["stated_icp"] = [{"function": "sales", "attribute": "segment", "value": "smb"}]
    for name in ("pull_requests", "feedback", "commitments", "capabilities",
                 "messaging_artifacts"):
        tables.pop(name)
    return make_store(tables)


@pytest.mark.parametrize("diagnostic_id", IDS)
def test_blank_optional_columns_do_not_raise(diagnostic_id):
    findings = run(context(required_only_store(), date(2024, 10, 1)), diagnostic_id)
    assert findings
    for f in findings:
        assert f.id.startswith(diagnostic_id + ".")
        for v in f.signals.values():
            assert 0.0 <= v <= 1.0


NUMBER = re.compile(r"(?<![\w'])-?\d[\d,]*(?:\.\d+)?")


def statement_numbers_are_metrics(f) -> list[str]:
    """Numbers in the statement that match no metric value (or n) as the statement prints
    them; quoted labels are skipped."""
    text = re.sub(r"'[^']*'", "", f.statement)
    allowed: set[float] = set()
    for m in f.metrics.values():
        for v in (m.value, m.n, m.low, m.high):
            if v is None:
                continue
            allowed |= {round(v, 1), round(abs(v), 1), round(v * 100, 1),
                        round(abs(v) * 100, 1), float(round(v)), float(round(abs(v)))}
    bad = []
    for tok in NUMBER.findall(text):
        v = float(tok.replace(",", ""))
        if round(abs(v), 1) not in allowed and float(round(abs(v))) not in allowed:
            bad.append(tok)
    return bad


@pytest.mark.parametrize("diagnostic_id", IDS)
def test_statements_cite_only_metrics_and_are_deterministic(diagnostic_id):
    from tests.diagnose.families.synth import synthetic_store

    store = synthetic_store(seed=3)
    first = run(context(store, date(2025, 6, 30)), diagnostic_id)
    again = run(context(store, date(2025, 6, 30)), diagnostic_id)
    assert [f.model_dump() for f in first] == [f.model_dump() for f in again]
    for f in first:
        if f.kind is FindingKind.measured:
            assert statement_numbers_are_metrics(f) == [], (f.id, f.statement)
            assert f.evidence and all(e.query for e in f.evidence)
