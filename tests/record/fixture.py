"""Sample decision records for tests: two builders, one per need.

``make_record()`` is a realistic record for renderer tests. A B2B software company missed
two quarters on 3.1x pipeline coverage and the board wants two more account executives.
Five advisors (The Auditor and The Contrarian among them) debate over five rounds; one
model call times out (a failed turn), one conviction moves with no cause named (a
conformity flag), the claim check holds one claim of each status, and one policy check
fails. ``make_record(partial=True)`` is the same run stopped after round 4 by the budget
limit. The golden files under ``tests/record/golden`` are rendered from it.

``make_small_record(run_id)`` is a small but complete record (every section filled) for
run-log tests: two advisors over two rounds, dated 3 Mar 2025, with markup and non-ASCII
text in ``SMALL_QUESTION``. Its parts come from ``make_small_intent()``,
``make_small_statements()``, ``make_small_claims()`` and ``make_small_forecasts()``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from throughline.diagnose.scorecard import CapabilityScore
from throughline.diagnose.quality import DataQualityIssue
from throughline.record.decision import (
    ActionStep,
    Advisor,
    CannotSee,
    Citation,
    Claim,
    ClaimCheck,
    ConvictionPoint,
    DataTrust,
    DecisionRecord,
    EvidenceItem,
    Forecast,
    FuturePath,
    Intent,
    Milestone,
    ModelUse,
    Move,
    OmittedForecast,
    PanelMember,
    PolicyCheck,
    Risk,
    RoundRecord,
    RunFacts,
    SourceItem,
    Sources,
    Statement,
)

RUN_ID = "run-20260413-7f3a9c"
STARTED = datetime(2026, 4, 13, 9, 14, 5, tzinfo=UTC)
RUN_DATE = date(2026, 4, 13)

QUESTION = (
    "We have 3.1x pipeline coverage but missed the last two quarters by 18% and 22%. "
    "The board wants two more AEs in Q3. Is headcount really our constraint, or is it "
    "something else, and what should we do first?"
)

# Finding and passage ids as the diagnose engine and the library would name them.
F_STAGE = "honesty.stage_optimism"
F_SLIP = "honesty.commit_slippage"
F_PUSH = "honesty.close_date_pushes"
F_CHANNEL = "distribution.channel_dependency"
F_LOSS = "feedback.loss_reasons"
P_BINDING = "psg-3f9a1c07e2"
P_FEEDBACK = "psg-b2d47e1046"

SONNET = "anthropic:claude-sonnet-4-5"
MINI = "openai:gpt-4o-mini"
HAIKU = "anthropic:claude-haiku-4-5"


def _advisors() -> list[Advisor]:
    return [
        Advisor(
            id="auditor", name="The Auditor", role="Fact-checker",
            lens="Which claims rest on a number from the data, and which rest on none.",
            background="Reads every figure back to the finding it came from; has no stake in "
                       "the answer.",
            weighs=["honesty", "legibility", "claims"], always_seated=True, model=SONNET,
            model_reason="Checking numbers needs the most careful reader on the panel.",
            cast_reason="Seated on every panel.",
        ),
        Advisor(
            id="contrarian", name="The Contrarian", role="Devil's advocate",
            lens="The runner-up constraint and the strongest evidence against the verdict.",
            background="Argues the case nobody else is making, on purpose.",
            weighs=["distribution", "runner_up"], always_seated=True, model=MINI,
            model_reason="Default advisor model; the role is argument, not arithmetic.",
            cast_reason="Seated on every panel.",
        ),
        Advisor(
            id="revops", name="Dana Okafor", role="RevOps architect",
            lens="Stage definitions, forecast categories and CRM hygiene.",
            background="Rebuilt pipeline stages and forecast processes at three B2B software "
                       "companies between 40 and 400 sellers.",
            weighs=["honesty", "feedback", "pipeline"], model=MINI,
            model_reason="Default advisor model.",
            cast_reason="The binding constraint is honesty; this lens reads stage data.",
        ),
        Advisor(
            id="cro", name="Mira Lindqvist", role="Chief revenue officer, two exits",
            lens="Capacity, ramp and quota coverage.",
            background="Ran sales at two companies through acquisition; has hired and "
                       "managed out sellers against a forecast that did not hold.",
            weighs=["capacity", "pipeline"], model=MINI,
            model_reason="Default advisor model.",
            cast_reason="The decision type is 'hire'; a capacity lens must be heard.",
        ),
        Advisor(
            id="finance", name="Tomás Reyes", role="Sales finance and forecasting lead",
            lens="Forecast accuracy, slippage and the cash timing of hires.",
            background="Owned the bookings forecast and the hiring budget at a public "
                       "SaaS company for six years.",
            weighs=["honesty", "forecast"], model=MINI,
            model_reason="Default advisor model.",
            cast_reason="Slippage and forecast error are the strongest signals in the data.",
        ),
    ]


def _citations() -> list[Citation]:
    return [
        Citation(number=1, kind="finding", ref=F_STAGE,
                 title="Stage probabilities against realised stage-to-win conversion",
                 excerpt="Opportunities at Proposal carry a 60% stage probability; 23% of them "
                         "were won (n = 412, 95% interval 19%–27%)."),
        Citation(number=2, kind="finding", ref=F_SLIP, title="Commit slippage",
                 excerpt="38% of deals in the commit category closed after the quarter they "
                         "were committed to, or were lost (last four quarters, n = 183)."),
        Citation(number=3, kind="finding", ref=F_PUSH, title="Close-date pushes",
                 excerpt="Deals pushed twice or more were won 11% of the time; deals never "
                         "pushed were won 31% of the time."),
        Citation(number=4, kind="finding", ref=F_CHANNEL,
                 title="Dependence on one source of pipeline",
                 excerpt="Partner referrals sourced 57% of new pipeline over twelve months; the "
                         "next source sourced 18%. Partner win rate 29%, other sources 27%."),
        Citation(number=5, kind="finding", ref=F_LOSS, title="Loss reasons recorded",
                 excerpt="71% of closed-lost opportunities carry no loss reason."),
        Citation(number=6, kind="passage", ref=P_BINDING,
                 title="Binding constraints and the problems that masquerade as others",
                 excerpt="Stage labels that are never compared with outcomes drift upward; "
                         "the pipeline then reports intent as if it were inventory.",
                 location="builtin:binding-constraints.md"),
        Citation(number=7, kind="passage", ref=P_FEEDBACK,
                 title="Feedback loops: reading the losses",
                 excerpt="A loss nobody records is a lesson nobody learns; the forecast repeats "
                         "its error the next quarter.",
                 location="builtin:feedback-loops.md"),
    ]


# (round, advisor, move, addressed, cites, conviction, cause, text)
_TURNS: list[tuple[int, str, Move, list[str], list[str], float, str | None, str]] = [
    (1, "auditor", Move.WARN, [], [F_STAGE, F_SLIP], 0.70, None,
     "Before anyone argues for or against hiring, here is what the data can carry. Deals "
     "at Proposal are forecast at 60% and won 23% of the time across 412 opportunities. "
     "38% of commit deals slipped out of their quarter. Those numbers say the forecast is "
     "optimistic; they say nothing yet about whether the team lacks capacity. No finding "
     "measures rep utilisation or ramp, so any claim that we are short of sellers rests "
     "on no number."),
    (1, "contrarian", Move.REFRAME, [], [F_CHANNEL], 0.35, None,
     "My opening position is the unpopular one: the pipeline may be honest enough, and the "
     "real limit may be where it comes from. Partner referrals sourced 57% of new pipeline "
     "over the last twelve months, more than three times the next source. If the partner "
     "motion cools, no stage recalibration will save the quarter. Hiring AEs into a "
     "pipeline that one channel feeds is a bet on that channel, and nobody has said so "
     "out loud."),
    (1, "revops", Move.SHARE, [], [F_STAGE, P_BINDING], 0.78, None,
     "Stage probabilities in this CRM were set at implementation and never revisited. A "
     "60% label on a stage that converts at 23% inflates coverage by itself: the 3.1x the "
     "board sees is closer to 1.2x once each stage is weighted by what it converts. I "
     "would not add sellers against a number that is off by that much."),
    (1, "cro", Move.SHARE, [], [], 0.40, None,
     "From the revenue seat, two misses in a row usually mean the team is stretched: too "
     "many open deals per rep and too little time on each. The board's request is "
     "reasonable on its face. My opening view is to hire one AE now and hold the second "
     "until the pipeline is cleaned up, because a new seller needs five to six months to "
     "ramp and Q4 will arrive either way."),
    (1, "finance", Move.SHARE, [], [F_SLIP], 0.62, None,
     "The miss pattern is the tell. In both missed quarters the commit category carried "
     "deals that closed a quarter later. Those deals were not lost; they were late. That "
     "is a timing error in the forecast, and timing errors compound when you hire against "
     "them: you pay a seller from the first month and the revenue that justified the hire "
     "arrives a quarter after it was promised."),
    (2, "contrarian", Move.CHALLENGE, ["revops", "finance"], [F_CHANNEL], 0.30, "r1.revops",
     "Dana and Tomás are treating the forecast as the disease. I think it is a symptom. "
     "Partner-sourced deals win at 40%, far above anything our own outbound produces, so "
     "the real question is whether we can keep that channel fed, not whether the stages "
     "are labelled well. Recalibrating the stages will make the forecast accurate and the "
     "company no bigger."),
    (2, "revops", Move.REFRAME, ["contrarian", "cro"], [F_STAGE], 0.80, "r1.auditor",
     "The board asked how many sellers we need. The question underneath it is how much of "
     "our pipeline is real, and the two have different owners. Until stage exits are "
     "defined as things the buyer did, every capacity model we build sits on coverage "
     "that the labels themselves inflate. Put the hiring decision second, not last."),
    (2, "auditor", Move.WARN, [], [F_PUSH], 0.74, "r1.finance",
     "The premise that we miss because we are short of sellers has no number under it. "
     "The data holds no quotas, no hire dates and no activity per rep. What it does hold "
     "is that deals pushed twice or more win 11% of the time against 31% for deals never "
     "pushed. A stretched team lets deals go stale; an optimistic one keeps them open. "
     "The pushes fit both stories, so they cannot settle this alone."),
    (2, "cro", Move.SHARE, ["revops"], [], 0.48, "r1.revops",
     "Dana's point lands with me. If I take the coverage number at face value I would ask "
     "for both hires today; if that number is inflated I would be hiring for pipeline that "
     "does not exist. I have done that once and spent the following year managing out a "
     "seller who never had a fair territory. I still think capacity is part of this, but "
     "I will not argue it from a coverage figure I no longer trust."),
    (2, "finance", Move.WARN, ["cro"], [F_SLIP], 0.66, "r1.auditor",
     "Hiring against this forecast is a cash decision as well as a capacity one. A seller "
     "costs a full salary from the first month, and the commit deals that slip arrive a "
     "quarter late. If the next two quarters look like the last four, the hires will be "
     "paid for twice over before the revenue they were meant to bring shows up."),
    (3, "auditor", Move.FACTCHECK, ["contrarian"], [F_CHANNEL, F_STAGE], 0.82, "r2.revops",
     "A correction first. The Contrarian said partner deals win at 40%; the finding puts "
     "the partner win rate at 29%, close to the 27% for all other sources. The dependency "
     "is real, 57% of new pipeline, but partner deals do not convert better, so the "
     "channel argument is about concentration risk, not quality. The stage figures stand "
     "as stated: 60% labelled, 23% realised at Proposal."),
    (3, "finance", Move.SHARE, ["auditor", "cro"], [F_SLIP, F_PUSH], 0.70, "r2.auditor",
     "The slippage and the pushes are the same deals. Most commit deals that slipped had "
     "their close date moved at least twice before the quarter ended. That gives us a "
     "warning we can use this quarter: a commit deal with a second push leaves commit "
     "until the buyer does something new."),
    (3, "cro", Move.SHARE, [], [], 0.48, None, ""),
    (3, "revops", Move.SHARE, ["contrarian"], [F_LOSS, P_FEEDBACK], 0.84, "r2.auditor",
     "Loss reasons are missing on 71% of closed-lost deals. That is why nobody can say "
     "whether we lose on price, on fit or on timing, and why the forecast never learns. "
     "It is also the cheapest fix on this list: one required field and a weekly review "
     "of the losses with the managers."),
    (3, "contrarian", Move.WARN, ["auditor", "finance"], [F_CHANNEL], 0.38, "r2.auditor",
     "Nobody has yet shown that the misses came from the stages rather than from the "
     "partner channel thinning out in those same quarters. If partner-sourced pipeline "
     "fell in the two missed quarters, the story changes, and the fix with it."),
    (4, "auditor", Move.SHARE, ["finance"], [F_STAGE, F_SLIP], 0.82, None,
     "My untested assumption is that the stage history is complete. If reps skip stages "
     "when they update the CRM, the realised rate at Proposal is measured only on the "
     "deals that happened to be logged there. The peer assumption I find dangerous is "
     "Tomás's: that a slipped deal is a late deal. Some are lost deals nobody has closed "
     "yet, and the data cannot tell the two apart until they close."),
    (4, "contrarian", Move.REFRAME, ["auditor", "cro"], [F_CHANNEL], 0.44, "r3.auditor",
     "I take the Auditor's correction: partner deals win at 29%, not the 40% I claimed. "
     "My untested assumption was that a channel which sources more also converts better. "
     "The one I find dangerous in this room is Mira's: that capacity is a number of "
     "people. A team that spends its week on deals pushed twice is at capacity whatever "
     "its headcount."),
    (4, "revops", Move.SHARE, ["finance"], [P_BINDING], 0.84, None,
     "My assumption is that buyer-action exit criteria will be followed. Every stage "
     "redesign I have run held for about two quarters and then drifted back, because "
     "nobody audited it. Tomás's dangerous assumption is that the board will read a lower "
     "forecast as progress. A recalibrated pipeline shows coverage falling overnight, and "
     "that needs explaining before it appears in a board pack."),
    (4, "cro", Move.SHARE, ["revops", "contrarian"], [F_STAGE], 0.58, "r3.revops",
     "My assumption is that a seller hired now is productive by Q4, and this data holds no "
     "number for that. The Contrarian's point about time spent on stale deals is fair. I "
     "would tie the second hire to the recalibrated coverage: if it still covers the Q3 "
     "target at 2.5x, open the requisition; if it does not, the problem is not seats."),
    (4, "finance", Move.SHARE, ["revops"], [F_SLIP], 0.78, None,
     "My untested assumption is that slippage is a timing problem, and the data cannot "
     "confirm it. The dangerous assumption I see in Dana's plan is that new exit criteria "
     "will be applied to the open pipeline and not only to new deals. If they are not, "
     "the old inflation stays in coverage for two more quarters."),
    (5, "auditor", Move.REFRAME, [], [F_STAGE], 0.84, "r4.finance",
     "The pipeline is a warehouse whose stock count includes orders customers only talked "
     "about. The current story, that we have plenty of pipeline and need hands to work it, "
     "protects everyone who built the forecast. It hides that nobody measures whether a "
     "stage predicts anything. The better story: each stage is a claim about a buyer, and "
     "each claim needs a buyer action behind it. The change: a quarterly review that sets "
     "each stage's label against its realised rate."),
    (5, "contrarian", Move.REFRAME, [], [F_CHANNEL], 0.46, "r4.revops",
     "This is a single-engine aircraft with the fuel gauge stuck at three-quarters. The "
     "story that the gauge is fine protects the pilots' confidence; it hides that one "
     "engine, the partner channel, carries most of the flight. The better story names "
     "both: the gauge is wrong and the plane has one engine. The change I would make is a "
     "second source of pipeline with its own target, before more pilots."),
    (5, "revops", Move.REFRAME, [], [F_STAGE], 0.86, "r4.auditor",
     "The CRM is a map drawn by people who want the territory to look large. The story it "
     "protects is that activity equals progress; it hides that stage labels were never "
     "tested against outcomes. The better story treats every stage as a hypothesis with a "
     "measured hit rate. The change: exit criteria written as buyer actions and audited "
     "monthly by RevOps, not by the deal owners."),
    (5, "cro", Move.SHARE, [], [], 0.62, "r4.contrarian",
     "I think of a restaurant that keeps adding tables while the kitchen sends half the "
     "orders out late. The story that we need more covers protects the front of house; it "
     "hides that the kitchen, qualification and forecasting, sets the pace. The better "
     "story: seats follow throughput. The change: the hiring plan is written against "
     "calibrated coverage and reviewed each quarter, not set once a year."),
    (5, "finance", Move.REFRAME, [], [F_SLIP], 0.80, "r4.auditor",
     "A forecast is a promise the company makes to itself, and this one has been broken "
     "twice. The current story protects the quarterly rhythm of hope; it hides that the "
     "same deals keep slipping. The better story treats the forecast as an instrument with "
     "a known error. The change: sales finance publishes a calibration report every "
     "quarter, and hiring is approved against the calibrated number."),
]

_ROUNDS = [
    (1, "Opening positions",
     "Each advisor states a position without seeing any other (blind).",
     "Written blind, the openings split along lenses. The Auditor, Dana Okafor and Tomás "
     "Reyes read the stage and slippage data as an optimistic forecast; Mira Lindqvist "
     "argued for one hire now; the Contrarian named the partner channel's share of "
     "pipeline as the real limit."),
    (2, "Challenge the premise",
     "Is 'how many sellers' the right question?",
     "The panel questioned whether headcount is the decision at all. The Contrarian pressed "
     "the channel argument with a partner win rate that was later corrected; Dana Okafor "
     "and Tomás Reyes argued that coverage is overstated before capacity is in question; "
     "Mira Lindqvist said she would not argue capacity from a coverage figure she no "
     "longer trusts."),
    (3, "Evidence and measurement",
     "Who can show a number?",
     "The Auditor corrected the partner win rate (29%, not 40%) and confirmed the stage "
     "figures. Tomás Reyes tied slippage and close-date pushes to the same deals. Dana "
     "Okafor put the missing loss reasons on the table. Mira Lindqvist's turn failed "
     "(model timeout) and the round went on without it."),
    (4, "Untested assumptions",
     "Each advisor names its own untested assumption, then a peer's it finds dangerous.",
     "Each advisor named the assumption it had not tested. The Contrarian accepted the "
     "correction and narrowed its case to concentration risk. Tomás Reyes's conviction "
     "rose without naming a cause and is flagged. Mira Lindqvist tied the second hire to "
     "the recalibrated coverage."),
    (5, "The hidden story",
     "A metaphor, what the current story protects and hides, a better story, one change.",
     "The metaphors converged on one picture: a pipeline that counts intent as inventory. "
     "The changes proposed were buyer-action stage exits, a quarterly calibration review "
     "owned by sales finance, a hiring plan written against calibrated coverage, and a "
     "second source of pipeline."),
]


def _statements() -> dict[int, list[Statement]]:
    by_round: dict[int, list[Statement]] = {}
    for rnd, adv, move, addressed, cites, conviction, cause, text in _TURNS:
        failed = adv == "cro" and rnd == 3
        flag = adv == "finance" and rnd == 4
        by_round.setdefault(rnd, []).append(Statement(
            id=f"r{rnd}.{adv}", round=rnd, advisor_id=adv, move=move, text=text,
            addressed=addressed, cites=cites, conviction=conviction, conviction_cause=cause,
            conformity_flag=flag, failed=failed,
            failure=("Model call timed out after 3 attempts (60 s each); the debate went on "
                     "without this turn.") if failed else None,
            # one reply cited an id outside the advisor's evidence: dropped and flagged
            dropped_cites=["pipeline.velocity.made_up"] if (rnd, adv) == (2, "auditor") else [],
        ))
    return by_round


def _forecasts() -> list[Forecast]:
    return [
        Forecast(
            id="fc.commit-slippage",
            statement="Commit slippage stays above 30% through Q3 2026 if stage definitions "
                      "are left as they are.",
            probability=0.72, horizon=date(2026, 9, 30),
            resolution="True if more than 30% of deals committed for Q3 2026 close after 30 "
                       "Sep 2026 or are lost, read from stage history on 7 Oct 2026.",
            owner="finance", finding_id=F_SLIP, metric="commit_slippage_rate", current=0.38,
            threshold=0.30, unit="ratio",
            method="Quarterly slippage, linear trend over four quarters; share of 2,000 "
                   "bootstrap trends above 30% at the horizon.",
        ),
        Forecast(
            id="fc.q2-bookings-miss",
            statement="Q2 2026 bookings land more than 15% below the committed forecast.",
            probability=0.64, horizon=date(2026, 6, 30),
            resolution="True if closed-won bookings for Q2 2026 are below 85% of the commit "
                       "figure recorded on 1 Apr 2026.",
            owner="auditor", finding_id=F_STAGE, metric="forecast_error", current=0.20,
            threshold=0.15, unit="ratio",
            method="Realised stage-to-win rates applied to the open Q2 pipeline; 95% "
                   "interval from the stage-rate intervals.",
        ),
        Forecast(
            id="fc.partner-share",
            statement="Partner referrals still source more than half of new pipeline at the "
                      "end of 2026.",
            probability=0.58, horizon=date(2026, 12, 31),
            resolution="True if partner referrals source over 50% of pipeline created in "
                       "Q4 2026.",
            owner="contrarian", finding_id=F_CHANNEL, metric="partner_pipeline_share",
            current=0.57, threshold=0.50, unit="ratio",
            method="Monthly channel shares, trend with a bootstrap interval.",
        ),
    ]


def _action_plan() -> list[ActionStep]:
    return [
        ActionStep(
            due=date(2026, 4, 17), when="This week", who="CRO, with the RevOps lead",
            what="Go through every deal in commit for Q2 with its owner and write down the "
                 "last thing the buyer did and when. Deals with no buyer action in the last "
                 "30 days leave commit.",
            opening_words="I'm not grading anyone's forecast. For each deal, tell me the "
                          "last thing the buyer did, not what we did, and the date it "
                          "happened.",
            citations=[2, 3],
        ),
        ActionStep(
            due=date(2026, 4, 24), when="Within two weeks", who="RevOps lead",
            what="Rewrite each stage's exit criterion as a buyer action and reset stage "
                 "probabilities to realised win rates (Proposal from 60% to 23%). Apply "
                 "it to open deals, not only new ones.",
            citations=[1, 6],
        ),
        ActionStep(
            due=date(2026, 5, 1), when="By 1 May", who="Sales managers",
            what="Make a loss reason required to close a deal as lost, and review every loss "
                 "from the last two quarters in the weekly pipeline meeting.",
            citations=[5, 7],
        ),
        ActionStep(
            due=date(2026, 5, 8), when="Before the May board meeting", who="CEO and CRO",
            what="Hold both AE requisitions until the recalibrated forecast has held for one "
                 "quarter, and tell the board why in the pre-read.",
            opening_words="We are not short of sellers yet; we are short of a forecast we "
                          "can hire against. We'll bring the hiring case back in Q3 on a "
                          "number we trust.",
            condition="If fewer than half of the commit deals can name a dated buyer action",
            citations=[1, 2],
        ),
        ActionStep(
            due=date(2026, 5, 8), when="Before the May board meeting", who="CRO",
            what="Open one AE requisition now, for the partner territory, and hold the "
                 "second until Q3 closes.",
            condition="If the recalibrated pipeline still covers the Q3 target at 2.5x or "
                      "more",
            citations=[4],
        ),
        ActionStep(
            due=date(2026, 7, 10), when="After Q2 closes", who="Head of sales finance",
            what="Score Q2 against both the old and the recalibrated forecast and put both "
                 "in the board pack, with the calibration report as a standing item.",
        ),
    ]


def _future_paths() -> list[FuturePath]:
    return [
        FuturePath(
            id="path.act", stance="act_on_constraint",
            title="You treat the optimistic pipeline as the root cause and rebuild stages "
                  "around buyer actions before adding headcount.",
            milestones=[
                Milestone(month=3, text="Reported coverage drops from 3.1x to about 1.3x on "
                          "the new stage weights; the board pack explains it as a correction.",
                          backing="Put the hiring decision second, not last.",
                          backing_kind="quote", backing_ref="r2.revops"),
                Milestone(month=6, text="Commit slippage falls below 30% for the first time "
                          "in five quarters; Q3 lands within 10% of commit.",
                          backing="Commit slippage stays above 30% through Q3 2026 if stage "
                                  "definitions are left as they are.",
                          backing_kind="forecast", backing_ref="fc.commit-slippage"),
                Milestone(month=12, text="Two AEs are hired against calibrated coverage and "
                          "ramp into a pipeline that converts at its stated rates.",
                          backing="Seats follow throughput.",
                          backing_kind="quote", backing_ref="r5.cro"),
                Milestone(month=18, text="The calibration report is a standing board item; "
                          "hiring is approved against it each quarter.",
                          backing="Sales finance publishes a calibration report every "
                                  "quarter.",
                          backing_kind="quote", backing_ref="r5.finance"),
            ],
        ),
        FuturePath(
            id="path.keep", stance="keep_going",
            title="You hire both AEs in Q3 on today's coverage number and leave the stages "
                  "as they are.",
            milestones=[
                Milestone(month=3, text="Q2 misses commit again by more than 15%; the two "
                          "requisitions are already open.",
                          backing="Q2 2026 bookings land more than 15% below the committed "
                                  "forecast.",
                          backing_kind="forecast", backing_ref="fc.q2-bookings-miss"),
                Milestone(month=6, text="Two new AEs inherit pushed deals; slippage stays "
                          "near 38%.",
                          backing="38% of deals in the commit category closed after the "
                                  "quarter they were committed to.",
                          backing_kind="finding", backing_ref=F_SLIP),
                Milestone(month=12, text="Hires are paid for two quarters before their "
                          "pipeline closes; the board asks for a cost review.",
                          backing="The hires will be paid for twice over before the revenue "
                                  "they were meant to bring shows up.",
                          backing_kind="quote", backing_ref="r2.finance"),
            ],
        ),
        FuturePath(
            id="path.partner", stance="other",
            title="You treat partner concentration as the root cause and spend the hiring "
                  "budget on a second source of pipeline.",
            milestones=[
                Milestone(month=3, text="A partner manager and an outbound pilot are funded "
                          "instead of the second AE.",
                          backing="A second source of pipeline with its own target, before "
                                  "more pilots.",
                          backing_kind="quote", backing_ref="r5.contrarian"),
                Milestone(month=9, text="Partner share of new pipeline is still above half; "
                          "the outbound pilot has not yet produced a forecastable number.",
                          backing="Partner referrals still source more than half of new "
                                  "pipeline at the end of 2026.",
                          backing_kind="forecast", backing_ref="fc.partner-share"),
                Milestone(month=12, text="The forecast is still off because the stages were "
                          "never fixed; the channel mix is better, the miss is the same.",
                          backing="Partner deals do not convert better, so the channel "
                                  "argument is about concentration risk, not quality.",
                          backing_kind="quote", backing_ref="r3.auditor"),
            ],
        ),
    ]


def _claims() -> ClaimCheck:
    claims = [
        Claim(id="c01", location="r1.auditor", text="forecast at 60% and won 23% of the time",
              kind="percent", value=23.0, status="verified",
              matched=f"{F_STAGE}#realised_win_rate"),
        Claim(id="c02", location="r1.auditor", text="across 412 opportunities", kind="number",
              value=412.0, status="verified", matched=f"{F_STAGE}#n"),
        Claim(id="c03", location="r1.auditor", text="38% of commit deals slipped",
              kind="percent", value=38.0, status="verified",
              matched=f"{F_SLIP}#slippage_rate"),
        Claim(id="c04", location="r1.revops", text="the 3.1x the board sees is closer to 1.2x",
              kind="number", value=1.2, status="verified",
              matched=f"{F_STAGE}#calibrated_coverage"),
        Claim(id="c05", location="r1.cro", text="a new seller needs five to six months to ramp",
              kind="number", value=5.0, status="unsupported",
              note="No finding measures ramp time; the exports hold no seller hire dates."),
        Claim(id="c06", location="r2.contrarian", text="Partner-sourced deals win at 40%",
              kind="percent", value=40.0, status="contradicted",
              matched=f"{F_CHANNEL}#partner_win_rate", expected="29.4%",
              note="Corrected by The Auditor in round 3."),
        Claim(id="c07", location="r2.auditor",
              text="win 11% of the time against 31% for deals never pushed", kind="percent",
              value=11.0, status="verified", matched=f"{F_PUSH}#win_rate_pushed_2plus"),
        Claim(id="c08", location="r3.revops", text="missing on 71% of closed-lost deals",
              kind="percent", value=71.0, status="verified",
              matched=f"{F_LOSS}#missing_reason_share"),
        Claim(id="c09", location="synthesis.evidence.4", text="[4]", kind="citation",
              status="verified", matched=F_CHANNEL),
        Claim(id="c10", location="r3.cro", text="no known source on 100% of 512 deals",
              kind="percent", value=100.0, status="unsupported", unfit=True,
              matched="attribution.coverage.share#unknown_share_deals",
              note="rests on data marked unfit: LeadSource column absent "
                   "(dq.absent_column.opportunities)"),
    ]
    return ClaimCheck(
        verified=sum(c.status == "verified" for c in claims),
        unsupported=sum(c.status == "unsupported" for c in claims),
        contradicted=sum(c.status == "contradicted" for c in claims),
        unfit=sum(c.unfit for c in claims),
        claims=claims,
    )


def _data_trust() -> DataTrust:
    """What the fixture company's data could not be trusted for (one issue per action)."""
    return DataTrust(
        issues=[
            DataQualityIssue(
                id="dq.bulk_timestamps.stage_history", check="bulk_timestamps",
                action="corrected", table="stage_history", columns=["changed_at"],
                title="Stage history bulk-loaded",
                statement="1,204 of 3,870 stage changes share one timestamp (2024-12-31 "
                          "23:58), the CRM migration.",
                remedy="Excluded from slippage, pushes and time in stage.",
                rows_affected=1204, rows_total=3870,
                affects=["honesty.close_date_pushes", "pipeline.time_in_stage"]),
            DataQualityIssue(
                id="dq.absent_column.opportunities", check="absent_column", action="unfit",
                table="opportunities", columns=["LeadSource"],
                title="LeadSource column absent",
                statement="The Opportunity export has no LeadSource column: no deal's source "
                          "is known, which is a gap in the export, not in attribution.",
                remedy="Attribution and channel stability are not measurable; export "
                       "LeadSource to measure them.",
                affects=["attribution", "channels"]),
            DataQualityIssue(
                id="dq.stale.opportunities", check="stale", action="warning",
                table="opportunities", title="Data ends before the run",
                statement="The newest CRM event is 31 Mar 2026, 13 days before this run.",
                remedy="Nothing changed; forecasts count from 31 Mar 2026."),
        ],
        as_of=date(2026, 3, 31),
        as_of_line="Data as of 31 Mar 2026 — the latest CRM event, a stage change.",
        currency_line="Amounts are in USD; 14 deals in EUR and GBP excluded (no exchange "
                      "rates).",
        blocked=["Messaging was not named: its evidence rests on data marked unfit — the "
                 "Opportunity export has no LeadSource column."],
    )


VERDICT = (
    "Fix the forecast before you add sellers. The 3.1x coverage that makes the board "
    "comfortable rests on stage labels nobody has tested: Proposal is forecast at 60% and "
    "won 23% of the time, and 38% of commit deals slip out of their quarter. Weighted by "
    "what each stage actually converts, coverage is nearer 1.2x, too thin to hire against. "
    "Rebuild stage exits around buyer actions and make loss reasons mandatory this month; "
    "open one AE requisition only if the recalibrated pipeline still covers Q3 at 2.5x. "
    "The runner-up, one partner channel sourcing 57% of new pipeline, belongs on the same "
    "board agenda."
)

DEEPER_STORY = (
    "Five metaphors, one picture: a warehouse counting orders that were only discussed, a "
    "fuel gauge stuck at three-quarters, a map drawn to make the territory look large, a "
    "restaurant adding tables while the kitchen runs late, a promise broken twice. In each, "
    "the company reads its hopes as stock on hand. The forecast has become a way to keep "
    "the quarter's story intact rather than a measurement that can be wrong, and hiring "
    "against it would turn that story into payroll. The change the advisors agree on is "
    "small and unglamorous: make every stage answer to what buyers did, and let the "
    "calibration, not the board's appetite, set the pace of hiring."
)

NOTICE = (
    "Written by AI models (listed under Run facts) from this company's exports and the "
    "research library. Models make mistakes: every number was checked against the data "
    "(see Claim check), but judgements were not. Decision support, not financial or legal "
    "advice."
)


def _scorecard() -> list[CapabilityScore]:
    """Three of the five capabilities: weak, strong and not measurable."""
    return [
        CapabilityScore(id="critical_thinking",
                        title="Critical thinking: assumptions tested against outcomes",
                        rating="weak", score=0.2, driver="honesty.commit_slippage",
                        driver_statement="38% of deals in the commit category closed after the "
                        "quarter they were committed to.",
                        findings=["honesty.stage_optimism", "honesty.commit_slippage"]),
        CapabilityScore(id="feedback", title="Feedback loops that close", rating="strong",
                        score=0.9, findings=["feedback.loop_closure"]),
        CapabilityScore(id="messaging", title="Messaging that travels",
                        rating="not_measurable", score=None,
                        needs=["website, deck and email copy as Markdown"]),
    ]


def make_record(*, partial: bool = False, run_id: str = RUN_ID,
                started_at: datetime = STARTED, degraded: bool = False) -> DecisionRecord:
    """The fixture record; ``partial=True`` stops the run after round 4; ``degraded=True``
    marks it degraded (more than a third of the turns failed)."""
    advisors = _advisors()
    by_round = _statements()
    last_round = 4 if partial else 5
    rounds = [RoundRecord(number=n, title=t, purpose=p, summary=s, statements=by_round[n])
              for n, t, p, s in _ROUNDS if n <= last_round]
    statements = [s for r in rounds for s in r.statements]

    panel = []
    for a in advisors:
        own = [s for s in statements if s.advisor_id == a.id]
        ok = [s for s in own if not s.failed]
        failed = len(own) - len(ok)
        history = [ConvictionPoint(round=s.round, conviction=s.conviction,
                                   cause=s.conviction_cause, conformity_flag=s.conformity_flag)
                   for s in ok]
        panel.append(PanelMember(
            advisor=a, final_conviction=ok[-1].conviction if ok else None, history=history,
            failed_turns=failed,
            status="failed" if not ok else ("partly_failed" if failed else "ok"),
        ))

    citations = _citations()
    duration = 168.9 if partial else 212.4
    policy = [
        PolicyCheck(rule="numeric-claims-traced",
                    description="Every number in the record is traced to a finding metric or "
                                "a passage.",
                    passed=False,
                    detail="2 of 9 claims not traced: c05 unsupported, c06 contradicted; both "
                           "are shown in the claim check."),
        PolicyCheck(rule="no-unreleased-capability",
                    description="No step promises a product capability that is not generally "
                                "available.",
                    passed=True),
        PolicyCheck(rule="budget",
                    description="Model spend stays under the run budget.",
                    passed=not partial,
                    detail=("Stopped at $0.30 of a $0.30 limit." if partial
                            else "$0.41 of a $2.00 limit.")),
    ]
    failures = ["Mira Lindqvist (cro), round 3: model call timed out after 3 attempts "
                "(60 s each)."]
    if partial:
        failures.append("Run stopped before round 5: budget limit reached.")

    return DecisionRecord(
        run_id=run_id,
        title="Hire two AEs now, or fix the forecast first?",
        intent=Intent(
            question=QUESTION,
            choice="Whether to add two account executives in Q3 or first fix what makes "
                   "the pipeline overstate itself.",
            options=["Hire two AEs in Q3 as the board asked", "Hire one AE now, hold one",
                     "Fix the forecast first and tie hiring to calibrated coverage"],
            stakes="Two fully loaded seller salaries for a year, and a third missed quarter "
                   "with the board.",
            constraints=["Board meeting on 12 May 2026", "Hiring budget approved for two AEs",
                         "No new tooling this half"],
            decision_type="hire", run_date=RUN_DATE, horizon_months=12,
            must_contain=["Whether capacity is the binding constraint, with a number",
                          "What to do in the next two weeks",
                          "What would change the answer"],
            framed_by=HAIKU,
        ),
        verdict=VERDICT,
        binding="honesty",
        binding_label="Honesty (optimistic pipeline masquerading as a creative problem)",
        runner_up="distribution",
        predictions=_forecasts(),
        action_plan=_action_plan(),
        future_paths=_future_paths(),
        deeper_story="" if partial else DEEPER_STORY,
        evidence=[
            EvidenceItem(text="Stage probabilities overstate conversion: Proposal is labelled "
                              "60% and converts at 23% across 412 opportunities.",
                         citations=[1]),
            EvidenceItem(text="38% of commit deals slipped out of their committed quarter "
                              "over the last four quarters.", citations=[2]),
            EvidenceItem(text="Deals pushed twice or more win 11% of the time; deals never "
                              "pushed win 31%.", citations=[3]),
            EvidenceItem(text="Weighted by realised conversion, 3.1x coverage is about 1.2x.",
                         citations=[1, 6]),
            EvidenceItem(text="Partner referrals source 57% of new pipeline, and their win "
                              "rate (29%) is no better than other sources'.", citations=[4]),
            EvidenceItem(text="71% of closed-lost deals carry no loss reason, so the forecast "
                              "cannot learn from its misses.", citations=[5, 7]),
            EvidenceItem(text="The data holds no measure of seller capacity or ramp; the case "
                              "for hiring rests on experience, not on a number.",
                         attribution="The Auditor"),
            EvidenceItem(text="Stage redesigns drift back within two quarters unless someone "
                              "outside the deal audits them.", attribution="Dana Okafor"),
        ],
        citations=citations,
        risks=[
            Risk(text="Recalibration cuts reported coverage overnight. If the board reads "
                      "that as a collapse rather than a correction, the hiring case may be "
                      "lost for a year.", raised_by="revops", citations=[1]),
            Risk(text="One channel sources 57% of new pipeline. A cooling partner programme "
                      "would cause a miss that no forecast fix prevents.",
                 raised_by="contrarian", citations=[4]),
            Risk(text="Capacity may be short as well. The data cannot measure it, and holding "
                      "both hires could leave good deals unworked in Q3.", raised_by="cro"),
            Risk(text="Some slipped deals are lost deals not yet closed; treating slippage as "
                      "timing keeps dead deals in commit.", raised_by="auditor",
                 citations=[2]),
        ],
        panel=panel,
        rounds=rounds,
        claim_check=_claims(),
        data_quality=_data_trust(),
        scorecard=_scorecard(),
        predictions_omitted=[OmittedForecast(
            name="unattributed share", months=12,
            reason="4 monthly points, fewer than the 6 a trend needs")],
        cannot_see=CannotSee(
            functions_without_data=[
                "Seller capacity and ramp: no hire dates, quotas or activity per rep",
                "Customer success: no ticket or health-score export",
                "Marketing spend: no cost per channel",
            ],
            claims_without_numbers=["r1.cro", "r2.cro", "r5.cro"],
            notes=["Stage history starts in January 2025; stage behaviour before then is "
                   "not measured.",
                   "Why deals are lost is not measured: most losses carry no reason."],
        ),
        sources=Sources(
            cited=citations,
            consulted=[SourceItem(kind=c.kind, ref=c.ref, title=c.title, location=c.location)
                       for c in citations] + [
                SourceItem(kind="finding", ref="messaging.attribution_gap",
                           title="Deals with no attributed source"),
                SourceItem(kind="finding", ref="push_pull.inbound_share",
                           title="Inbound share of created pipeline"),
                SourceItem(kind="passage", ref="psg-91c0d2aa3b",
                           title="Push versus pull: reading a flat pipeline",
                           location="builtin:push-vs-pull.md"),
                SourceItem(kind="passage", ref="psg-0e6b7c5d19",
                           title="Handoff velocity between product and sales",
                           location="builtin:handoff-velocity.md"),
            ],
            unused_count=4,
            unused=[
                SourceItem(kind="finding", ref="messaging.attribution_gap",
                           title="Deals with no attributed source"),
                SourceItem(kind="finding", ref="push_pull.inbound_share",
                           title="Inbound share of created pipeline"),
                SourceItem(kind="passage", ref="psg-91c0d2aa3b",
                           title="Push versus pull: reading a flat pipeline",
                           location="builtin:push-vs-pull.md"),
                SourceItem(kind="passage", ref="psg-0e6b7c5d19",
                           title="Handoff velocity between product and sales",
                           location="builtin:handoff-velocity.md"),
            ],
        ),
        run=RunFacts(
            run_id=run_id, started_at=started_at,
            finished_at=started_at + timedelta(seconds=duration), duration_s=duration,
            engine="model",
            models=[
                ModelUse(role="framer", engine="anthropic", model=HAIKU,
                         reason="A short structured task; the smallest model that passes the "
                                "frame schema."),
                ModelUse(role="advisor", engine="openai", model=MINI,
                         reason="Default advisor model: 25 turns fit the budget."),
                ModelUse(role="advisor", engine="anthropic", model=SONNET,
                         reason="The Auditor checks numbers and gets the most careful "
                                "reader."),
                ModelUse(role="summariser", engine="openai", model=MINI,
                         reason="Summaries are short and bounded."),
                ModelUse(role="synthesiser", engine="anthropic", model=SONNET,
                         reason="The verdict and the plan are what the reader acts on."),
                ModelUse(role="claim_extractor", engine="offline", model="rules",
                         reason="Numbers, percentages and citations are matched by rule; no "
                                "model needed."),
            ],
            calls=27 if partial else 34,
            tokens_in=141_870 if partial else 184_220,
            tokens_out=16_905 if partial else 21_340,
            cost_usd=0.30 if partial else 0.4137,
            rounds=last_round,
            policy=policy,
            failures=failures,
            partial=partial,
            partial_reason=("The run stopped after round 4 when the $0.30 budget was reached. "
                            "Round 5 and the deeper story were not written; the rest of the "
                            "record is complete.") if partial else None,
            degraded_reason=("11 of 25 advisor turns failed (more than a third), so the "
                             "debate is thin and the verdict rests on fewer voices than the "
                             "panel; first failure, r3.cro: model call timed out.")
            if degraded else None,
            model_sections=[] if partial else ["verdict"],
            diagnosis_as_of=date(2026, 4, 12),
            tables={"accounts": 640, "opportunities": 2412, "stage_history": 18933,
                    "activities": 52110},
            library_documents=8,
        ),
        notice=NOTICE,
    )


# ---------------------------------------------------------------------------------------
# The small record, for run-log tests: ``make_small_record(run_id)`` and its parts.
# ---------------------------------------------------------------------------------------

SMALL_RUN_DATE = date(2025, 3, 3)
SMALL_QUESTION = "Should we hire two more AEs in Q3? <script>alert('x')</script> — «ja»"


def make_small_intent(question: str = SMALL_QUESTION) -> Intent:
    return Intent(question=question, choice="Hire two AEs now or fix onboarding first",
                  options=["hire now", "fix onboarding first"], stakes="A year of runway",
                  constraints=["no new funding"], decision_type="hire",
                  run_date=SMALL_RUN_DATE,
                  must_contain=["a date for the decision"])


def make_small_statements() -> list[Statement]:
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


def make_small_claims() -> list[Claim]:
    return [
        Claim(id="c1", location="r1.auditor", text="91.3%", kind="percent", value=91.3,
              status="verified", matched="f.nrr#nrr"),
        Claim(id="c2", location="r1.contrarian", text="0.30000000000000004", kind="number",
              value=0.30000000000000004, status="unsupported", note="no metric matches"),
        Claim(id="c3", location="synthesis.verdict", text="$1.2M", kind="currency",
              value=1_200_000.0, status="contradicted", matched="f.arr#arr",
              expected="$0.9M"),
    ]


def make_small_forecasts() -> list[Forecast]:
    return [Forecast(id="fc1", statement="NRR stays below 95% through Q4", probability=0.72,
                     horizon=date(2025, 12, 31), resolution="NRR on 2025-12-31 < 95%",
                     owner="auditor", finding_id="f.nrr", metric="nrr", current=91.3,
                     threshold=95.0, unit="%", method="linear trend, bootstrap interval")]


def make_small_record(run_id: str, *, partial: bool = False) -> DecisionRecord:
    advisors = [
        Advisor(id="auditor", name="The Auditor", role="Fact-checker", lens="numbers",
                background="Audit", always_seated=True, model="offline",
                model_reason="no model configured"),
        Advisor(id="contrarian", name="The Contrarian", role="Devil's advocate",
                lens="the runner-up", background="Short seller", always_seated=True),
    ]
    statements = make_small_statements()
    claims = make_small_claims()
    started = datetime(2025, 3, 3, 9, 0, 0, tzinfo=UTC)
    finished = datetime(2025, 3, 3, 9, 0, 12, 345000, tzinfo=UTC)
    return DecisionRecord(
        run_id=run_id, title="Hire or fix onboarding", intent=make_small_intent(),
        verdict="Fix onboarding first; hire in Q4.\nSecond line of the verdict.",
        binding="post_sale", binding_label="Post-sale truth", runner_up="distribution",
        predictions=make_small_forecasts(),
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
