"""The signal table is the one source: every declared signal is consumed by the scorer,
every emitted one is declared, a typo fails, and docs/signals.md is its rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.diagnose.engine.diagnose_fakes import count_diagnostic
from tests.diagnose.stores import build_store
from throughline.core.settings import load_settings
from throughline.diagnose import DiagnosticFailed, diagnose, run_diagnose, signals
from throughline.diagnose.constraint import COUNTERS, SPECS
from throughline.diagnose.registry import Diagnostic, diagnostic, diagnostics

ROOT = Path(__file__).resolve().parents[2]


def scorer_reads() -> set[str]:
    read = set(COUNTERS)
    for spec in SPECS.values():
        read |= {*spec.primary, *spec.support, *spec.requires}
    return read


def test_docs_signals_md_is_the_rendered_table() -> None:
    assert (ROOT / "docs" / "signals.md").read_text(encoding="utf-8") == \
        signals.render_markdown(), "stale: run `python -m throughline.diagnose.signals`"


def test_every_signal_in_the_table_is_consumed_by_the_scorer() -> None:
    # One known exception, listed in the table as reported-not-scored: push_pull.mix's
    # counter-signal, which the scorer maps to nothing (changing that changes rankings).
    assert signals.unscored() == {"healthy_pull_share"}
    assert {str(s) for s in signals.Signal} - signals.unscored() == scorer_reads()


def test_every_declared_signal_is_consumed_and_every_signal_is_declared() -> None:
    assert all(d.signals is not None for d in diagnostics())  # every built-in declares
    declared = {s for d in diagnostics() for s in (d.signals or ())}
    assert declared <= scorer_reads() | signals.unscored()
    assert declared == {str(s) for s in signals.Signal}  # none orphaned either way


def test_a_typo_fails_at_registration() -> None:
    with pytest.raises(ValueError, match="signal table does not know: chanel_volatility"):
        diagnostic(id="test.typo", title="Typo", signals=("chanel_volatility",))


def test_an_undeclared_signal_fails_at_emission() -> None:
    store = build_store({"opportunities": [{"opportunity_id": "o1"}]})
    fake = count_diagnostic("pipeline.count", signal="attribution_gap")
    declared = Diagnostic(fake.id, fake.family, fake.title, fake.needs, fake.optional,
                          fake.needs_text, fake.fn, signals=())
    with pytest.raises(DiagnosticFailed, match="does not declare: attribution_gap"):
        diagnose(store, diagnostics=[declared])


def test_signals_emitted_on_a_sample_company_are_declared(cli, tmp_path: Path) -> None:
    """Every diagnostic on a generated company: each finding's signals are declared by its
    diagnostic (the runner enforces it; this shows it on realistic data)."""
    sample, ws = tmp_path / "sample", tmp_path / "ws"
    assert cli("sample", "--scenario", "honesty", "--seed", "11", "--scale", "1",
               "--out", str(sample)).code == 0
    assert cli("--workspace", str(ws), "ingest", str(sample)).code == 0
    declared = {d.id: set(d.signals or ()) for d in diagnostics()}
    emitted = [f for f in run_diagnose(load_settings(workspace=ws)).findings if f.signals]
    assert emitted, "the sample company should move some hypothesis"
    for f in emitted:
        assert set(f.signals) <= declared[f.diagnostic], f.id
