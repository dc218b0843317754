"""The council on a real CRM export (Maven CRM through its mapping): most functions are
dark, so the record must say so — with every number it does state traced."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import ROOT
from throughline.council.convene import ask
from throughline.ingest import ingest
from throughline.core.settings import load_settings


def test_maven_crm_record_is_honest_about_what_it_cannot_see(shared_dir: Path,
                                                             tmp_path: Path) -> None:
    settings = load_settings(workspace=tmp_path / "ws")
    ingest([shared_dir / "datasets" / "maven-crm"], settings,
           profile=str(ROOT / "examples" / "mappings" / "maven-crm.yaml"))
    result = ask(settings, "What should we fix first in our sales motion?",
                 out=tmp_path / "record.md", run_date=date(2026, 11, 21))
    r = result.record
    assert r.claim_check.total > 20
    assert r.claim_check.unsupported == 0 and r.claim_check.contradicted == 0
    assert {"engineering", "customer_success"} <= set(r.cannot_see.functions_without_data)
    assert any("not measurable" in n.lower() for n in r.cannot_see.notes)
    assert any(rule.rule == "numeric_claims_traced" and rule.passed for rule in r.run.policy)
    assert (tmp_path / "record.md").read_text().count("#") > 10
