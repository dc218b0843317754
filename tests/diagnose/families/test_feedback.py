"""Loop-closure shares and loss reasons on five feedback records and four deals."""

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

FEEDBACK = [
    # owned, answered after 9 days, change recorded: closed
    dict(feedback_id="f1", kind="win_loss", opportunity_id="o1", recorded_at=D(2025, 5, 1),
         outcome="lost", reason="Price", owner="PM", responded_at=D(2025, 5, 10),
         change_recorded=True),
    # nobody owns it, nobody answered: open
    dict(feedback_id="f2", kind="win_loss", opportunity_id="o2", recorded_at=D(2025, 5, 1),
         outcome="lost", reason="Missing SSO", owner=" "),
    # owned but answered after 29 days: open
    dict(feedback_id="f3", kind="Debrief", recorded_at=D(2025, 5, 1), owner="AE",
         responded_at=D(2025, 5, 30)),
    # community posts are not loops with owners
    dict(feedback_id="f4", kind="community", recorded_at=D(2025, 5, 1)),
    # recorded five days before as-of: not yet due
    dict(feedback_id="f5", kind="debrief", recorded_at=D(2025, 6, 25), owner="AE"),
]
OPPS = [
    dict(opportunity_id="o1", stage="Closed Lost", is_closed=True, is_won=False,
         created_date=D(2025, 1, 1), channel="events", segment="smb", loss_reason="Budget"),
    dict(opportunity_id="o2", stage="Closed Lost", is_closed=True, is_won=False,
         created_date=D(2025, 1, 1), channel="events", segment="smb"),
    dict(opportunity_id="o3", stage="Closed Lost", is_closed=True, is_won=False,
         created_date=D(2025, 1, 1), channel="outbound", segment="enterprise",
         loss_reason="price "),
    dict(opportunity_id="o4", stage="Closed Won", is_closed=True, is_won=True,
         created_date=D(2025, 1, 1), channel="outbound", segment="enterprise"),
]


def test_loop_closure_shares() -> None:
    f = only(run("feedback.loop_closure", context({"feedback": FEEDBACK})), "closure")
    assert value(f, "records_due") == 3  # f1, f2, f3
    assert value(f, "owned_share") == pytest.approx(2 / 3)
    assert value(f, "answered_share") == pytest.approx(1 / 3)
    assert value(f, "changed_share") == pytest.approx(1 / 3)
    assert value(f, "open_share") == pytest.approx(2 / 3)
    assert f.signals["feedback_loop_open"] == pytest.approx(wilson_lower_95_one_sided(2, 3),
                                                             abs=1e-4)
    assert "66.7% have an accountable owner" in f.statement
    kinds = {r["kind"]: r for r in f.series or []}
    assert kinds["debrief"]["records"] == 2 and kinds["debrief"]["due"] == 1
    assert kinds["win_loss"]["open_share"] == 0.5


def test_loop_closure_waits_fourteen_days() -> None:
    (f,) = run("feedback.loop_closure", context({"feedback": [FEEDBACK[4]]}))
    assert f.kind.value == "not_measurable"
    assert "14 days old" in f.statement


def test_loss_reasons_prefer_the_review_and_join_deals() -> None:
    f = only(run("feedback.loss_reasons",
                 context({"feedback": FEEDBACK, "opportunities": OPPS})), "top")
    # o1 'price' (review beats CRM 'Budget'), o2 'missing sso', o3 'price' (CRM, trimmed)
    assert value(f, "lost_with_reason") == 3
    assert value(f, "top1_share") == pytest.approx(2 / 3)
    assert value(f, "top2_share") == pytest.approx(1 / 3)
    assert "'price' at 66.7%" in f.statement
    by = {r["group"]: r for r in f.series or []}
    assert by["channel: outbound"]["top_reason"] == "price"
    assert by["channel: events"]["top_reason"] == "missing sso"  # 1–1 tie: by name
    assert by["segment: smb"]["n"] == 2


def test_loss_reasons_from_the_crm_alone() -> None:
    f = only(run("feedback.loss_reasons", context({"opportunities": OPPS})), "top")
    assert value(f, "lost_with_reason") == 2  # 'budget' and 'price'
    assert f.caveats and "1 lost deal(s) have no reason" in f.caveats[0]
