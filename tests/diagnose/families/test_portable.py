"""The row work stays in the engine and runs on any Ibis backend: every expression these
families execute also compiles for PostgreSQL, and the engine wires them together."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.diagnose.families import test_feedback, test_handoff, test_legibility, test_promises
from tests.diagnose.stores import PostgresCheckedContext, build_store
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.registry import DiagnoseOptions, diagnostics
from throughline.diagnose.run import diagnose

FAMILIES = ("handoff", "legibility", "feedback", "promises", "messaging")


def full_tables() -> dict[str, list[dict[str, object]]]:
    prs = list(test_legibility.PRS)
    for i in range(6):  # three more weeks and PRs after the change date
        c = datetime(2025, 2, 3, 9) + timedelta(days=4 * i)
        prs.append(dict(pr_id=f"z#{i}", created_at=c, first_review_at=c + timedelta(hours=1),
                        merged_at=c + timedelta(hours=3 + i)))
    opps = [*test_feedback.OPPS, *test_promises.OPPS]
    opps += [dict(opportunity_id=f"h{i}", stage="Closed", is_closed=True, is_won=i % 2 == 0,
                  created_date=date(2024, 6, 1), close_date=date(2024, 9, 1) + timedelta(
                      days=60 * i), channel="events", motion="inbound") for i in range(6)]
    return {
        "features": [*test_handoff.FEATURES,
                     dict(feature_id="F0", name="Old", shipped_at=date(2024, 9, 1))],
        "pull_requests": prs,
        "feedback": test_feedback.FEEDBACK,
        "opportunities": opps,
        "commitments": test_promises.COMMITMENTS,
        "capabilities": test_promises.CAPABILITIES,
        "messaging_artifacts": [
            dict(artifact_id="w", kind="website", text="Close the books in two days."),
            dict(artifact_id="d", kind="deck", text="Single sign-on. Two days to close."),
        ],
    }


@pytest.mark.parametrize("diagnostic", [d for d in diagnostics() if d.family in FAMILIES],
                         ids=lambda d: d.id)
def test_expressions_compile_for_postgres(diagnostic) -> None:  # type: ignore[no-untyped-def]
    ctx = PostgresCheckedContext(store=build_store(full_tables()),
                                 options=DiagnoseOptions(as_of=date(2025, 6, 30),
                                                         change_date=date(2025, 2, 1)))
    findings = diagnostic.run(ctx)
    assert findings
    measured = [f for f in findings if f.kind is FindingKind.measured]
    assert measured, [f.statement for f in findings]
    assert ctx.compiled > 0
    for f in measured:
        assert f.evidence and all(e.query.strip() for e in f.evidence)


def test_the_engine_reads_the_map_and_ranks_with_this_scorer() -> None:
    store = build_store({"pull_requests": test_legibility.PRS})
    ours = [d for d in diagnostics() if d.family in FAMILIES]
    result = diagnose(store, DiagnoseOptions(as_of=date(2025, 6, 30)), diagnostics=ours)
    assert [row.function for row in result.legibility] == [
        "engineering", "product", "marketing", "sales", "customer_success"]
    assert [row.vacuum for row in result.legibility] == [False, True, True, True, True]
    assert result.ranking.binding == "measurement_vacuum"
    assert result.ranking.scores[0].score == pytest.approx(1.0)
    assert any("measurement vacuum" in line for line in result.cannot_see)
