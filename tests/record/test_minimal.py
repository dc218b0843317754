"""A bare record (no binding, no panel, nothing synthesised) still renders every section."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.record.helpers import html_text
from throughline.record.decision import DecisionRecord, Intent, RunFacts
from throughline.record.render import FORMATS, render_record


def _bare() -> DecisionRecord:
    t = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    return DecisionRecord(
        run_id="run-bare", title="", verdict="No verdict was reached.", binding=None,
        intent=Intent(question="What now?", choice="What to do next.", stakes="Unknown.",
                      decision_type="other", run_date=date(2026, 1, 5)),
        run=RunFacts(run_id="run-bare", started_at=t, finished_at=t, duration_s=0.0,
                     engine="offline"),
        notice="Written by the offline engine.",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_bare_record_renders(fmt: str) -> None:
    text = render_record(_bare(), fmt)
    assert "What now?" in text


def test_bare_record_says_what_is_missing() -> None:
    html = html_text(render_record(_bare(), "html"))
    for empty in ("No binding constraint found", "No forecasts were made.",
                  "No action plan was written.", "No future paths were written.",
                  "Not written in this run.", "No evidence listed.", "No risks recorded.",
                  "No panel was seated.", "No rounds were held.", "Nothing recorded.",
                  "Nothing was cited.", "No models recorded.", "No policy checks ran."):
        assert empty in html, empty
    md = render_record(_bare(), "md")
    assert md.startswith("# What now?\n")
    assert "_No forecasts were made._" in md


def test_advisor_whose_every_turn_failed_is_shown_as_failed() -> None:
    from tests.record.fixture import make_record

    record = make_record()
    cro = next(m for m in record.panel if m.advisor.id == "cro")
    cro.history, cro.final_conviction, cro.status, cro.failed_turns = [], None, "failed", 5
    for rnd in record.rounds:
        for s in rnd.statements:
            if s.advisor_id == "cro":
                s.failed, s.failure = True, "Provider returned 503 five times."
    html, md = render_record(record, "html"), render_record(record, "md")
    assert '<tr id="adv-cro" class="failed">' in html
    assert html.count("Provider returned 503 five times.") == 5
    assert "| **Mira Lindqvist** | Chief revenue officer, two exits | R1 ✕ failed" in md
    assert "| **—** | **failed** (5 failed turns) |" in md
