"""A small but complete DecisionRecord (every section filled) for run-log tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from throughline.record.model import (
    ActionStep,
    Advisor,
    CannotSee,
    Citation,
    Claim,
    ClaimCheck,
    ConvictionPoint,
    DecisionRecord,
    EvidenceItem,
    Forecast,
    FuturePath,
    Intent,
    Milestone,
    ModelUse,
    Move,
    PanelMember,
    PolicyCheck,
    Risk,
    RoundRecord,
    RunFacts,
    SourceItem,
    Sources,
    Statement,
)

RUN_DATE = date(2025, 3, 3)
QUESTION = "Should we hire two more AEs in Q3? <script>alert('x')</script> — «ja»"


def make_intent(question: str = QUESTION) -> Intent:
    return Intent(question=question, choice="Hire two AEs now or fix onboarding first",
                  options=["hire now", "fix onboarding first"], stakes="A year of runway",
                  constraints=["no new funding"], decision_type="hire", run_date=RUN_DATE,
                  must_contain=["a date for the decision"])


def make_statements() -> list[Statement]:
    return [
        Statement(id="r1.auditor", round=1, advisor_id="auditor", move=Move.FACTCHECK,
                  text="Net revenue retention is 91.3% over 12 months [f.nrr].",
                  cites=["f.nrr"], conviction=0.7),
        Statement(id="r1.contrarian", round=1, advisor_id="contrarian", move=Move.CHALLENGE,
                  text="Win rate fell to 0.1 + 0.2 = 0.30000000000000004 of deals.",
                  addressed=["auditor"], cites=["p.3e71f48757de.2"], conviction=0.35),
        Statement(id="r2.auditor", round=2, advisor_id="auditor", move=Move.WARN,
                  text="Conviction moved after the contrarian's point.", conviction=0.6,
                  conviction_cause="r1.contrarian"),
        Statement(id="r2.contrarian", round=2, advisor_id="contrarian", move=Move.SHARE,
                  text="(failed)", conviction=0.35, conformity_flag=True, failed=True,
                  failure="model timed out twice"),
    ]


def make_claims() -> list[Claim]:
    return [
        Claim(id="c1", location="r1.auditor", text="91.3%", kind="percent", value=91.3,
              status="verified", matched="f.nrr#nrr"),
        Claim(id="c2", location="r1.contrarian", text="0.30000000000000004", kind="number",
              value=0.30000000000000004, status="unsupported", note="no metric matches"),
        Claim(id="c3", location="synthesis.verdict", text="$1.2M", kind="currency",
              value=1_200_000.0, status="contradicted", matched="f.arr#arr",
              expected="$0.9M"),
    ]


def make_forecasts() -> list[Forecast]:
    return [Forecast(id="fc1", statement="NRR stays below 95% through Q4", probability=0.72,
                     horizon=date(2025, 12, 31), resolution="NRR on 2025-12-31 < 95%",
                     owner="auditor", finding_id="f.nrr", metric="nrr", current=91.3,
                     threshold=95.0, unit="%", method="linear trend, bootstrap interval")]


def make_record(run_id: str, *, partial: bool = False) -> DecisionRecord:
    advisors = [
        Advisor(id="auditor", name="The Auditor", role="Fact-checker", lens="numbers",
                background="Audit", always_seated=True, model="offline",
                model_reason="no model configured"),
        Advisor(id="contrarian", name="The Contrarian", role="Devil's advocate",
                lens="the runner-up", background="Short seller", always_seated=True),
    ]
    statements = make_statements()
    claims = make_claims()
    started = datetime(2025, 3, 3, 9, 0, 0, tzinfo=UTC)
    finished = datetime(2025, 3, 3, 9, 0, 12, 345000, tzinfo=UTC)
    return DecisionRecord(
        run_id=run_id, title="Hire or fix onboarding", intent=make_intent(),
        verdict="Fix onboarding first; hire in Q4.\nSecond line of the verdict.",
        binding="post_sale", binding_label="Post-sale truth", runner_up="distribution",
        predictions=make_forecasts(),
        action_plan=[ActionStep(due=date(2025, 3, 10), when="This week", who="CRO",
                                what="Review churned accounts", opening_words="What made you go?",
                                citations=[1]),
                     ActionStep(due=date(2025, 4, 1), when="In a month", who="CEO",
                                what="Pause hiring", condition="If NRR < 90%")],
        future_paths=[FuturePath(id="p1", title="You treat onboarding as the root cause",
                                 stance="act_on_constraint",
                                 milestones=[Milestone(month=3, text="NRR back to 95%",
                                                       backing="fc1", backing_kind="forecast",
                                                       backing_ref="fc1")])],
        deeper_story="A leaky bucket masquerading as a thin funnel.",
        evidence=[EvidenceItem(text="NRR is 91.3%", citations=[1]),
                  EvidenceItem(text="Deals slip", attribution="The Contrarian")],
        citations=[Citation(number=1, kind="finding", ref="f.nrr", title="Net revenue retention",
                            excerpt="NRR 91.3% over 12 months")],
        risks=[Risk(text="Hiring later loses the Q4 window", raised_by="contrarian")],
        panel=[PanelMember(advisor=advisors[0], final_conviction=0.6,
                           history=[ConvictionPoint(round=1, conviction=0.7),
                                    ConvictionPoint(round=2, conviction=0.6,
                                                    cause="r1.contrarian")]),
               PanelMember(advisor=advisors[1], final_conviction=0.35, failed_turns=1,
                           status="partly_failed")],
        rounds=[RoundRecord(number=1, title="Opening positions", purpose="blind openings",
                            summary="They disagree.", statements=statements[:2]),
                RoundRecord(number=2, title="Challenge the premise", purpose="premise",
                            summary="The auditor moved.", statements=statements[2:])],
        claim_check=ClaimCheck(verified=1, unsupported=1, contradicted=1, claims=claims),
        cannot_see=CannotSee(functions_without_data=["support"], notes=["no CS data"]),
        sources=Sources(cited=[], consulted=[SourceItem(kind="passage", ref="p.3e71f48757de.2",
                                                        title="Retention notes")],
                        unused_count=1),
        run=RunFacts(run_id=run_id, started_at=started, finished_at=finished,
                     duration_s=12.345, engine="offline",
                     models=[ModelUse(role="advisor", engine="offline", model="offline",
                                      reason="no model configured")],
                     calls=3, rounds=2,
                     policy=[PolicyCheck(rule="numbers", description="numeric claims traced",
                                         passed=False, detail="1 contradicted")],
                     failures=["contrarian round 2: model timed out twice"], partial=partial,
                     partial_reason="budget" if partial else None,
                     diagnosis_as_of=date(2025, 2, 28), tables={"opportunities": 1200}),
        notice="Written by Throughline's offline engine, not by a person.",
    )
