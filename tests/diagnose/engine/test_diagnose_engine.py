"""The engine: order, events, determinism, not-measurable conversion, crash wrapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.diagnose.engine.diagnose_fakes import count_diagnostic, fake_rank, make_diagnostic
from throughline.core.errors import InputError, NotMeasurable, ThroughlineError, UsageError
from throughline.core.settings import load_settings
from throughline.diagnose import DiagnoseOptions, diagnose, run_diagnose
from throughline.diagnose.findings import Finding, FindingKind, Metric, Severity
from throughline.diagnose.registry import DiagnoseContext
from throughline.diagnose.run import DiagnoseEvent, DiagnosticFailed
from throughline.store import EvidenceStore


def _finding(id: str, family: str = "pipeline", **kw: object) -> Finding:
    base: dict[str, object] = {"id": id, "diagnostic": id.rsplit(".", 1)[0], "family": family,
                                   "title": f"T {id}", "statement": f"S {id}."}
    base.update(kw)
    return Finding.model_validate(base)


def test_runs_in_id_order_and_emits_events(store: EvidenceStore) -> None:
    units = [count_diagnostic("pipeline.zeta"), count_diagnostic("channels.alpha",
                                                                    family="channels"),
             count_diagnostic("honesty.mid", family="honesty")]
    events: list[DiagnoseEvent] = []
    d = diagnose(store, on_event=events.append, diagnostics=units, ranker=fake_rank)

    assert [f.diagnostic for f in d.findings] == ["channels.alpha", "honesty.mid",
                                                  "pipeline.zeta"]
    kinds = [(e.kind, e.diagnostic) for e in events]
    assert kinds == [
        ("begin", None), ("gate", None),
        ("start", "channels.alpha"), ("finish", "channels.alpha"),
        ("start", "honesty.mid"), ("finish", "honesty.mid"),
        ("start", "pipeline.zeta"), ("finish", "pipeline.zeta"),
        ("rank", None), ("end", None),
    ]
    finishes = [e for e in events if e.kind == "finish"]
    assert [e.index for e in finishes] == [1, 2, 3]
    assert all(e.total == 3 and e.findings == 1 and e.duration_s is not None
               and e.duration_s >= 0 for e in finishes)
    assert events[-1].findings == 3


def test_diagnosis_carries_tables_backend_and_evidence_sql(store: EvidenceStore) -> None:
    d = diagnose(store, diagnostics=[count_diagnostic("pipeline.count")], ranker=fake_rank)
    assert d.backend == "duckdb"
    assert d.tables == {"accounts": 2, "opportunities": 12, "pull_requests": 1}
    f = d.finding("pipeline.count.rows")
    assert f.metric("rows") == 12
    assert "opportunities" in f.evidence[0].query
    assert d.duration_s is not None


def test_same_store_same_diagnosis(store: EvidenceStore) -> None:
    units = [count_diagnostic("pipeline.a", signal="honesty"),
             count_diagnostic("channels.b", "accounts", family="channels",
                              signal="distribution")]
    one = diagnose(store, diagnostics=units, ranker=fake_rank)
    two = diagnose(store, diagnostics=list(reversed(units)), ranker=fake_rank)
    assert one.model_dump(exclude={"duration_s"}) == two.model_dump(exclude={"duration_s"})
    assert one.ranking.binding == "distribution" or one.ranking.binding == "honesty"


def test_as_of_defaults_to_latest_event_in_data(store: EvidenceStore) -> None:
    seen: list[date | None] = []

    def spy(ctx: DiagnoseContext) -> list[Finding]:
        seen.append(ctx.options.as_of)
        return []

    d = diagnose(store, diagnostics=[make_diagnostic("x.spy", spy)], ranker=fake_rank)
    # the latest CRM event: deal o11 closed on 2025-03-01 + 99 days (created 2025-04-10 is
    # earlier); the pull request of 2025-04-20 is not a CRM event
    assert d.as_of == date(2025, 6, 8) == seen[0]
    assert d.as_of_source is not None and "closed" in d.as_of_source

    d2 = diagnose(store, DiagnoseOptions(as_of=date(2025, 1, 31),
                                         change_date=date(2025, 1, 1)),
                  diagnostics=[make_diagnostic("x.spy", spy)], ranker=fake_rank)
    assert d2.as_of == date(2025, 1, 31) == seen[1]
    assert d2.as_of_source == "given with --as-of"


def test_not_measurable_exception_becomes_a_finding(store: EvidenceStore) -> None:
    def thin(ctx: DiagnoseContext) -> list[Finding]:
        raise NotMeasurable("only 12 closed deals; at least 30 are needed")

    unit = make_diagnostic("honesty.thin", thin, family="honesty",
                           needs_text=("at least 30 closed opportunities",))
    events: list[DiagnoseEvent] = []
    d = diagnose(store, diagnostics=[unit], ranker=fake_rank, on_event=events.append)

    [f] = d.findings
    assert f.kind is FindingKind.not_measurable
    assert f.id == "honesty.thin.not_measurable" and f.family == "honesty"
    assert "only 12 closed deals" in f.statement
    assert f.needs == ["at least 30 closed opportunities"]
    assert [e.not_measurable for e in events if e.kind == "finish"] == [True]
    assert any("at least 30 closed opportunities" in s for s in d.cannot_see)


def test_missing_table_is_not_measurable(store: EvidenceStore) -> None:
    d = diagnose(store, diagnostics=[count_diagnostic("promises.ledger", "commitments",
                                                      family="promises")],
                 ranker=fake_rank)
    [f] = d.findings
    assert f.kind is FindingKind.not_measurable
    assert "a commitments export" in f.needs


def test_crash_is_wrapped_naming_the_diagnostic(store: EvidenceStore) -> None:
    def broken(ctx: DiagnoseContext) -> list[Finding]:
        return [_finding("pipeline.broken.x", statement=str(1 / 0))]

    with pytest.raises(DiagnosticFailed) as info:
        diagnose(store, diagnostics=[count_diagnostic("a.fine"),
                                     make_diagnostic("pipeline.broken", broken)],
                 ranker=fake_rank)
    err = info.value
    assert isinstance(err, ThroughlineError)
    assert err.exit_code == 1
    assert err.diagnostic == "pipeline.broken"
    assert "pipeline.broken" in str(err) and "ZeroDivisionError" in str(err)
    assert isinstance(err.__cause__, ZeroDivisionError)


def test_library_errors_inside_a_diagnostic_keep_their_exit_code(
        store: EvidenceStore) -> None:
    def bad_input(ctx: DiagnoseContext) -> list[Finding]:
        raise InputError("stage labels are not mapped", file="mapping.yaml")

    with pytest.raises(DiagnosticFailed) as info:
        diagnose(store, diagnostics=[make_diagnostic("honesty.x", bad_input)],
                 ranker=fake_rank)
    assert info.value.exit_code == 2
    assert "honesty.x" in str(info.value) and "mapping.yaml" in str(info.value)


@pytest.mark.parametrize("returned", [None, [object()], ("tuple",)])
def test_wrong_return_type_fails(store: EvidenceStore, returned: object) -> None:
    unit = make_diagnostic("pipeline.odd", lambda ctx: returned)  # type: ignore[arg-type,return-value]
    with pytest.raises(DiagnosticFailed, match=r"pipeline\.odd.*list\[Finding\]"):
        diagnose(store, diagnostics=[unit], ranker=fake_rank)


def test_duplicate_finding_ids_fail(store: EvidenceStore) -> None:
    a = make_diagnostic("a.one", lambda ctx: [_finding("same.id")])
    b = make_diagnostic("b.two", lambda ctx: [_finding("same.id")])
    with pytest.raises(DiagnosticFailed, match=r"b\.two.*same\.id.*a\.one"):
        diagnose(store, diagnostics=[a, b], ranker=fake_rank)


def test_duplicate_diagnostic_ids_fail(store: EvidenceStore) -> None:
    with pytest.raises(ThroughlineError, match="share the id"):
        diagnose(store, diagnostics=[count_diagnostic("a.x"), count_diagnostic("a.x")],
                 ranker=fake_rank)


def test_ranker_failure_is_wrapped(store: EvidenceStore) -> None:
    def bad_rank(findings: list[Finding]) -> object:
        raise KeyError("hypothesis")

    with pytest.raises(DiagnosticFailed, match="constraint ranking"):
        diagnose(store, diagnostics=[], ranker=bad_rank)  # type: ignore[arg-type]


def test_legibility_map_and_blind_spots(store: EvidenceStore) -> None:
    series = [
        {"function": "engineering", "metrics": ["pr_cycle_time"], "missing": []},
        {"function": "marketing", "metrics": [], "missing": ["campaign records"]},
        {"function": "customer_success", "metrics": []},
    ]

    def legibility(ctx: DiagnoseContext) -> list[Finding]:
        return [
            _finding("legibility.map.x", family="legibility", series=series,
                     severity=Severity.watch,
                     metrics={"v": Metric(name="v", value=2, unit="count")}),
            _finding("legibility.pr.y", family="legibility",
                     caveats=["Bots excluded.", "Drafts excluded."]),
            _finding("pipeline.win.z", caveats=["Bots excluded."]),
        ]

    d = diagnose(store, diagnostics=[make_diagnostic("legibility.map", legibility),
                                     count_diagnostic("promises.ledger", "commitments")],
                 ranker=fake_rank)
    assert [(r.function, r.vacuum) for r in d.legibility] == [
        ("engineering", False), ("marketing", True), ("customer_success", True)]
    assert d.legibility[1].missing == ["campaign records"]
    text = "\n".join(d.cannot_see)
    assert d.cannot_see[0].startswith("Marketing: a measurement vacuum")
    assert "campaign records" in d.cannot_see[0]
    assert d.cannot_see[1].startswith("Customer success: a measurement vacuum")
    assert "Rows in commitments: not measurable; needs a commitments export" in text
    assert "Caveat on T legibility.pr.y, T pipeline.win.z: Bots excluded." in text
    assert text.count("Bots excluded.") == 1


def test_unscored_hypotheses_are_blind_spots(store: EvidenceStore) -> None:
    def rank(findings: list[Finding]):  # type: ignore[no-untyped-def]
        r = fake_rank(findings)
        r.scores[0].measurable = False
        return r

    d = diagnose(store, diagnostics=[], ranker=rank)
    assert any("could not be scored" in s for s in d.cannot_see)


def test_malformed_legibility_map_fails(store: EvidenceStore) -> None:
    bad = [{"function": "sales", "metrics": "win_rate"}]
    unit = make_diagnostic("legibility.map",
                           lambda ctx: [_finding("legibility.map.x", family="legibility",
                                                 series=bad)])
    with pytest.raises(DiagnosticFailed, match="malformed legibility map"):
        diagnose(store, diagnostics=[unit], ranker=fake_rank)


def test_run_diagnose_on_empty_workspace_is_usage_error(workspace: Path) -> None:
    with pytest.raises(UsageError, match="nothing ingested yet") as info:
        run_diagnose(load_settings(workspace=workspace))
    assert info.value.exit_code == 2


def test_run_diagnose_uses_the_registry(filled_workspace: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from throughline.diagnose import run as engine

    monkeypatch.setattr(engine, "registered_diagnostics",
                        lambda: [count_diagnostic("pipeline.count", signal="honesty")])
    monkeypatch.setattr(engine, "rank", fake_rank)
    events: list[DiagnoseEvent] = []
    d = run_diagnose(load_settings(workspace=filled_workspace), on_event=events.append)
    assert d.ranking.binding == "honesty"
    assert events[0].kind == "begin"
