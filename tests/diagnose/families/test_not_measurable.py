"""Every handoff, legibility, feedback, promises and messaging diagnostic says plainly
when it cannot measure: on a store with no tables and on one whose tables are empty."""

from __future__ import annotations

from datetime import date

import pytest

from tests.diagnose.stores import context, run
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.registry import diagnostics
from throughline.evidence import SCHEMA

FAMILIES = ("handoff", "legibility", "feedback", "promises", "messaging")
IDS = sorted(d.id for d in diagnostics() if d.family in FAMILIES)


def test_the_families_register_their_diagnostics() -> None:
    assert IDS == [
        "feedback.loop_closure", "feedback.loss_reasons",
        "handoff.feature_pipeline_divergence", "handoff.inventory", "handoff.stage_times",
        "legibility.map", "legibility.pr_cycle_time", "legibility.pr_step_change",
        "legibility.pr_throughput",
        "messaging.coherence", "messaging.unbacked_claims",
        "promises.ledger",
    ]


@pytest.mark.parametrize("diagnostic_id", IDS)
def test_no_tables(diagnostic_id: str) -> None:
    findings = run(diagnostic_id, context({}, change_date=date(2025, 3, 1)))
    assert len(findings) == 1
    (f,) = findings
    assert f.kind is FindingKind.not_measurable
    assert f.id == f"{diagnostic_id}.not_measurable"
    assert f.needs and not f.signals


@pytest.mark.parametrize("diagnostic_id", IDS)
def test_empty_tables(diagnostic_id: str) -> None:
    findings = run(diagnostic_id, context({name: [] for name in SCHEMA},
                                          change_date=date(2025, 3, 1)))
    assert [f.kind for f in findings] == [FindingKind.not_measurable]
    assert findings[0].needs
