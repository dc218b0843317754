"""The claim check: extraction, unit- and rounding-aware matching, planted bad claims, and
every real finding statement verifying against its own finding."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from throughline.council.claimcheck import (
    EvidenceIndex,
    build_evidence_index,
    check_record,
    check_record_texts,
    check_text,
    extract_numbers,
    record_texts,
    summarise,
)
from throughline.diagnose.families.measure import metric
from throughline.diagnose.findings import Finding, FindingKind, Metric, Significance
from throughline.diagnose.quality import DataQualityIssue
from throughline.library.records import Passage, SourceRef
from throughline.record.decision import (
    ActionStep,
    Citation,
    Claim,
    DecisionRecord,
    Forecast,
    Intent,
    Move,
    RoundRecord,
    RunFacts,
    Statement,
)

VELOCITY = "pipeline.velocity.overall"
OPTIMISM = "honesty.stage_optimism.summary"
NPS = "post_sale.nps.overall"
PR = "legibility.pr_cycle_time.summary"
DIVERGENCE = "handoff.feature_pipeline_divergence.growth_ratio"
FORECAST_ACC = "honesty.forecast_accuracy.summary"
RETENTION = "post_sale.retention.not_measurable"
PASSAGE = "0123456789ab-0123456789"
FORECAST = "fc.win_rate.m6"


def finding(fid: str, *metrics: Metric, title: str = "A finding", statement: str = "",
            **extra: object) -> Finding:
    return Finding(id=fid, diagnostic=fid.rsplit(".", 1)[0], family=fid.split(".")[0],
                   title=title, statement=statement or title,
                   metrics={m.name: m for m in metrics}, **extra)  # type: ignore[arg-type]


FINDINGS = [
    finding(VELOCITY,
            metric("win_rate", 0.4167, "ratio", n=1162, ci=(0.39, 0.44),
                   label="Win rate (won / closed)"),
            metric("closed_deals", 1162, "count"),
            metric("avg_deal_size", 42419.3, "currency", label="Average won deal"),
            metric("median_cycle_days", 45.6, "days", label="Median sales cycle"),
            metric("velocity", 20044.6, "currency_per_day", label="Pipeline velocity"),
            title="Pipeline velocity",
            significance=Significance(test="one-sided t-test: cycle > 0", p_value=0.031)),
    finding(OPTIMISM,
            metric("weighted_gap", 0.1806, "ratio", label="Stated minus realised, weighted"),
            metric("stated_proposal", 0.6, "probability", label="Stated probability, proposal"),
            metric("realised_proposal", 0.2575, "ratio", n=998,
                   label="Realised win rate from proposal"),
            title="Stage optimism", signals={"stage_optimism": 0.93}),
    finding(NPS, metric("nps", 36.7, "percent", n=398, label="Net promoter score"),
            title="NPS"),
    finding(PR, metric("median_cycle_hours", 20.2, "hours", label="Median created → merged"),
            title="PR cycle time"),
    finding(DIVERGENCE,
            metric("divergence", 2.1836, "statistic",
                   label="Feature growth / conversion growth"),
            title="Features outgrow conversion"),
    finding(FORECAST_ACC,
            metric("latest_forecast", 2049100.0, "currency", label="Latest forecast"),
            metric("forecast_gap", 0.3288, "ratio", label="Forecast over actual"),
            title="Forecast against actual"),
    Finding(id=RETENTION, diagnostic="post_sale.retention", family="post_sale",
            kind=FindingKind.not_measurable, title="Retention",
            statement="Not measurable: no revenue. Needs: subscriptions reaching back at "
                      "least 12 months.",
            needs=["subscriptions reaching back at least 12 months"]),
]
PASSAGES = [Passage(
    id=PASSAGE, document_id="0123456789ab", heading="Speed",
    source=SourceRef(title="Speed to lead", path="builtin:speed.md", kind="markdown"),
    text="Teams that answer a new lead within 48 hours lift win rates by 15% on average.",
    score=1.0)]
FORECASTS = [Forecast(
    id=FORECAST, statement="Win rate stays below 45.0% by 2027-05-21.", probability=0.72,
    horizon=date(2027, 5, 21), resolution="Resolves on the win rate of the six months.",
    owner="auditor", finding_id=VELOCITY, metric="win_rate", current=0.4167,
    threshold=0.45, unit="ratio")]
CITATIONS = [
    Citation(number=1, kind="finding", ref=VELOCITY, title="Pipeline velocity", excerpt="…"),
    Citation(number=2, kind="passage", ref=PASSAGE, title="Speed to lead", excerpt="…"),
    Citation(number=3, kind="forecast", ref=FORECAST, title="Win rate", excerpt="…"),
]


@pytest.fixture(scope="module")
def index() -> EvidenceIndex:
    return build_evidence_index(FINDINGS, PASSAGES, FORECASTS, CITATIONS)


def numeric(text: str, index: EvidenceIndex, cites: tuple[str, ...] = ()) -> list[Claim]:
    return [c for c in check_text("r1.auditor", text, index, cites, check_cites=False)
            if c.kind != "citation"]


def one(text: str, index: EvidenceIndex, cites: tuple[str, ...] = ()) -> Claim:
    claims = numeric(text, index, cites)
    assert len(claims) == 1, [(c.text, c.value) for c in claims]
    return claims[0]


# -- units and rounding -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "matched"), [
    ("Win rate is 41.7%.", "win_rate"),  # ratio 0.4167 at one decimal
    ("Win rate is 42%.", "win_rate"),  # rounded to the precision written
    ("Win rate is 41.67%.", "win_rate"),
    ("Win rate is 41.7 percent.", "win_rate"),
    ("We closed 1,162 deals.", "closed_deals"),  # count with a separator
    ("We closed 1162 deals.", "closed_deals"),
    ("The average won deal is 42,419.", "avg_deal_size"),  # currency printed bare
    ("The average won deal is $42.4k.", "avg_deal_size"),
    ("The average won deal is $42k.", "avg_deal_size"),
    ("The average won deal is €42,419.", "avg_deal_size"),
    ("The average won deal is USD 42,419.", "avg_deal_size"),
    ("The average won deal is 42.4 thousand dollars.", "avg_deal_size"),
    ("Pipeline velocity is 20,045 per day.", "velocity"),
    ("The median sales cycle is 46 days.", "median_cycle_days"),  # days 45.6
    ("The median sales cycle is 45.6 days.", "median_cycle_days"),
    ("Win rate interval runs from 39.0% up to the top.", "win_rate"),  # interval low
    ("Win rate could be as high as 44%.", "win_rate"),  # interval high
])
def test_metric_values_match_in_every_unit_and_rounding(text: str, matched: str,
                                                        index: EvidenceIndex) -> None:
    claim = one(text, index, (VELOCITY,))
    assert claim.status == "verified"
    assert claim.matched == f"{VELOCITY}#{matched}"


@pytest.mark.parametrize(("text", "cites", "matched"), [
    ("Stages are 18.1 percentage points optimistic.", OPTIMISM, "weighted_gap"),
    ("Stages are 18 pp optimistic.", OPTIMISM, "weighted_gap"),
    ("The CRM states 60% for proposal.", OPTIMISM, "stated_proposal"),  # probability
    ("NPS is 36.7 across answers.", NPS, "nps"),  # percent unit, printed bare
    ("NPS is 37.", NPS, "nps"),
    ("PRs merge in a median of 20.2 hours.", PR, "median_cycle_hours"),
    ("Feature velocity outgrew conversion 2.2 times.", DIVERGENCE, "divergence"),
    ("Feature velocity outgrew conversion 2.2x.", DIVERGENCE, "divergence"),
    ("The latest forecast was $2.05M.", FORECAST_ACC, "latest_forecast"),
    ("The latest forecast was 2,049,100.", FORECAST_ACC, "latest_forecast"),
    ("The latest forecast was 2.0 million.", FORECAST_ACC, "latest_forecast"),
    ("Forecasts overshoot by 33%.", FORECAST_ACC, "forecast_gap"),
])
def test_other_units(text: str, cites: str, matched: str, index: EvidenceIndex) -> None:
    claim = one(text, index, (cites,))
    assert claim.status == "verified", claim
    assert claim.matched == f"{cites}#{matched}"


def test_sample_sizes_intervals_ranges_and_kinds(index: EvidenceIndex) -> None:
    claims = numeric("Proposal deals won 25.8% of 998 decided.", index, (OPTIMISM,))
    assert [(c.kind, c.status, c.matched) for c in claims] == [
        ("percent", "verified", f"{OPTIMISM}#realised_proposal"),
        ("number", "verified", f"{OPTIMISM}#realised_proposal"),  # its n
    ]
    assert "sample size" in claims[1].note
    rng = numeric("Win rate sits in 39–44%.", index, (VELOCITY,))
    assert [(c.kind, c.status, c.value) for c in rng] == [
        ("percent", "verified", 39.0), ("percent", "verified", 44.0)]
    money = one("Deals average $42.4k.", index, (VELOCITY,))
    assert (money.kind, money.value) == ("currency", 42400.0)


def test_signals_significance_and_labels_of_a_cited_finding(index: EvidenceIndex) -> None:
    assert one("Its stage_optimism signal is 0.93.", index, (OPTIMISM,)).matched == \
        f"{OPTIMISM}#stage_optimism"
    assert one("The test gives p = 0.031.", index, (VELOCITY,)).status == "verified"
    assert one("Tested: cycle > 0.", index, (VELOCITY,)).status == "verified"
    assert one("No data reaching back at least 12 months.", index,
               (RETENTION,)).matched == RETENTION


@pytest.mark.parametrize("text", [
    "Win rate is 40%.",  # 41.7% does not round to 40
    "Win rate is 41.5%.",
    "Win rate is 4.2%.",
])
def test_wrong_rounding_does_not_match(text: str, index: EvidenceIndex) -> None:
    assert one(text, index, (VELOCITY,)).status != "verified"


def test_a_time_word_restricts_the_unit(index: EvidenceIndex) -> None:
    # 46 matches the days metric; as hours it is no metric at all
    assert one("The sales cycle is 46 days.", index, (VELOCITY,)).status == "verified"
    assert one("The sales cycle is 46 hours.", index, (VELOCITY,)).status == "unsupported"


# -- what is not a claim ----------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "We meet on 2026-05-08.",
    "By May 8, 2026 the team reports.",
    "Decide by 8 May.",
    "Review it in March 2026.",
    "Q3 2026 is the quarter; FY26 is the budget; H1 is done.",
    "In 2025 the team grew.",
    "Round 4 opens.",
    "By month 6 the paths diverge.",
    "Step 2: call them.",
    "The 3rd option is worse.",
    "Item #2 comes first; the top 3 reasons follow.",
    "Call every account within 14 days.",
    "In the next 90 days, fix the forecast.",
    "Within 2 weeks the team reviews it.",
    "Run a 30-day pilot.",
    "Over the last 12 months nothing changed.",
    "The 'smb' and '1-50' segments, and 'E-invoicing: v2'.",
    "Feature f_104 ships in v2 after Q3.",
    "Meet at 10:30.",
    "See https://example.com/report/2024/42 for more.",
    "Read the 95% confidence interval, significant at p < 0.05.",
    "1. Fix the forecast\n2. Call the buyers",
    "Start with r4.auditor and e.g. the contrarian.",
])
def test_dates_structure_horizons_and_identifiers_are_not_claims(
        text: str, index: EvidenceIndex) -> None:
    assert check_text("r1.auditor", text, index) == []


def test_a_measured_duration_is_a_claim_and_a_horizon_is_not(index: EvidenceIndex) -> None:
    claims = numeric("A median of 46 days; review again within 14 days.", index, (VELOCITY,))
    assert [(c.value, c.status) for c in claims] == [(46.0, "verified")]
    reasons = {m.raw: m.skipped for m in extract_numbers(
        "A median of 46 days; within 14 days; on 2026-05-08; Round 4; in 2025.")}
    assert reasons == {"46": None, "14": "horizon", "2026": "date", "05": "date",
                       "08": "date", "4": "structural", "2025": "year"}


# -- planted bad claims -----------------------------------------------------------------


def test_an_invented_percentage_is_unsupported(index: EvidenceIndex) -> None:
    claim = one("An invented 37.3% of deals churn.", index, (VELOCITY,))
    assert claim.status == "unsupported" and claim.matched is None and claim.value == 37.3


def test_a_wrong_value_for_a_named_metric_of_a_cited_finding_is_contradicted(
        index: EvidenceIndex) -> None:
    claim = one("Win rate is 19.0% over the year.", index, (VELOCITY,))
    assert claim.status == "contradicted"
    assert claim.matched == f"{VELOCITY}#win_rate" and claim.expected == "41.7%"
    money = one("The average won deal is $48k [1].", index)  # cited through [1]
    assert (money.status, money.expected) == ("contradicted", "42,419")
    days = one("The median sales cycle is 60 days.", index, (VELOCITY,))
    assert (days.status, days.expected) == ("contradicted", "45.6 days")


def test_projections_thresholds_and_uncited_numbers_are_never_contradicted(
        index: EvidenceIndex) -> None:
    assert one("Win rate could reach 55% next year.", index, (VELOCITY,)).status == \
        "unsupported"
    assert one("Keep the win rate above 55%.", index, (VELOCITY,)).status == "unsupported"
    assert one("Win rate is 19.0%.", index).status == "unsupported"  # nothing cited


def test_citations_must_exist(index: EvidenceIndex) -> None:
    claims = check_text("r1.auditor", "As [1] and [2, 3] show, and [9] does not.", index)
    assert [(c.value, c.status, c.matched) for c in claims] == [
        (1.0, "verified", VELOCITY), (2.0, "verified", PASSAGE), (3.0, "verified", FORECAST),
        (9.0, "unsupported", None)]
    assert [c.status for c in check_text("x", "See [1–3].", index)] == ["verified"] * 3


def test_evidence_ids_in_text_and_in_cites_must_exist(index: EvidenceIndex) -> None:
    text = (f"Per {VELOCITY} win rate is 41.7%; pipeline.velocity.nonexistent says "
            f"nothing, nor does passage abcdefabcdef-0123456789.")
    claims = check_text("r2.auditor", text, index, [OPTIMISM, "no.such.finding"])
    got = [(c.kind, c.status, c.matched) for c in claims]
    assert got == [
        ("citation", "verified", VELOCITY),
        ("percent", "verified", f"{VELOCITY}#win_rate"),  # cited by naming it
        ("citation", "unsupported", None),
        ("citation", "unsupported", None),
        ("citation", "verified", OPTIMISM),  # the cites list
        ("citation", "unsupported", None),
    ]
    assert [c.id for c in claims] == [f"r2.auditor#{i}" for i in range(1, 7)]


def test_a_diagnostic_name_resolves_and_quotations_are_checked(index: EvidenceIndex) -> None:
    named = check_text("x", "The pipeline.velocity diagnostic agrees.", index)
    assert [(c.status, c.matched) for c in named] == [("verified", "pipeline.velocity")]
    # a label in single quotes hides its numbers; a quotation (longer) does not
    quoted = numeric("The CRO said 'we will cut the sales cycle to 30 days for all'.", index)
    assert [(c.value, c.status) for c in quoted] == [(30.0, "unsupported")]
    library = numeric("The library: “answer within a day and win rates lift by 15%”.", index)
    assert [(c.value, c.matched) for c in library] == [(15.0, PASSAGE)]


def test_passages_and_forecasts_back_numbers(index: EvidenceIndex) -> None:
    cited = one("Fast answers lift win rates by 15%.", index, (PASSAGE,))
    assert (cited.status, cited.matched) == ("verified", PASSAGE)
    assert one("Answer leads within a day: win rates lift by 15% [2].", index).matched == \
        PASSAGE
    # uncited passage: the clause must share a word with the passage's sentence
    assert one("Fast answers lift win rates by 15%.", index).matched == PASSAGE
    assert one("We spent 15% of the budget.", index).status == "unsupported"
    fc = numeric("A 72% chance the win rate stays below 45.0% [3].", index)
    assert [(c.status, c.matched) for c in fc] == [("verified", FORECAST)] * 2


def test_uncited_numbers_need_their_clause_to_name_the_evidence(index: EvidenceIndex) -> None:
    assert one("Win rate is 41.7%.", index).matched == f"{VELOCITY}#win_rate"
    assert one("Headcount grew 41.7%.", index).status == "unsupported"


# -- evidence resting on unfit data -------------------------------------------------------

ATTRIBUTION = "attribution.coverage.share"
ABSENT = DataQualityIssue(
    id="dq.absent_column.opportunities", check="absent_column", action="unfit",
    table="opportunities", columns=["LeadSource"], title="LeadSource column absent",
    statement="The Opportunity export has no LeadSource column.",
    remedy="Attribution is not measurable.", affects=["attribution"])
BULK = DataQualityIssue(
    id="dq.bulk_timestamps.stage_history", check="bulk_timestamps", action="corrected",
    title="Stage history bulk-loaded", statement="62 of 62 changes share one timestamp.",
    remedy="Excluded from slippage.")


def _attribution(quality: list[str]) -> Finding:
    return finding(ATTRIBUTION,
                   metric("unknown_share_deals", 0.973, "ratio", n=512,
                          label="Deals with no known source"),
                   title="Attribution coverage", quality=quality)


def test_a_number_on_unfit_evidence_is_never_verified() -> None:
    text = "Today 97.3% of 512 deals have no known source."
    unfit = build_evidence_index([_attribution([ABSENT.id])], data_quality=[ABSENT, BULK])
    claims = numeric(text, unfit, (ATTRIBUTION,))
    assert [(c.status, c.unfit) for c in claims] == [("unsupported", True)] * 2
    assert claims[0].matched == f"{ATTRIBUTION}#unknown_share_deals"
    assert claims[0].note == ("rests on data marked unfit: LeadSource column absent "
                              "(dq.absent_column.opportunities)")
    assert summarise(claims).unfit == 2 and summarise(claims).verified == 0
    # the same finding resting on a *corrected* issue, or on none, verifies as before
    for quality, issues in (([BULK.id], [ABSENT, BULK]), ([ABSENT.id], [])):
        fit = build_evidence_index([_attribution(quality)], data_quality=issues)
        assert {(c.status, c.unfit) for c in numeric(text, fit, (ATTRIBUTION,))} == {
            ("verified", False)}


def test_a_not_measurable_finding_backs_no_measurement_but_its_needs_stay_quotable(
        index: EvidenceIndex) -> None:
    nm = Finding(id="post_sale.nrr.not_measurable", diagnostic="post_sale.nrr",
                 family="post_sale", kind=FindingKind.not_measurable, title="Net retention",
                 statement="Not measurable.", needs=["at least 12 months of revenue"],
                 metrics={"months": metric("months", 4, "count", label="Months of revenue")})
    ix = build_evidence_index([nm])
    claim = one("Net retention rests on 4 months of revenue.", ix, (nm.id,))
    assert (claim.status, claim.unfit) == ("unsupported", True)
    assert "“Net retention” is not measurable" in claim.note
    # the data it needs is prose, not a measurement: quoting it stays verified
    assert one("It needs at least 12 months of revenue.", ix, (nm.id,)).status == "verified"


# -- whole records ----------------------------------------------------------------------


def make_record(statements: list[Statement], **fields: object) -> DecisionRecord:
    now = datetime(2026, 5, 8, 12, 0, 0)
    intent = Intent(question="What binds?", choice="Pick the constraint", stakes="A quarter",
                    decision_type="diagnose", run_date=date(2026, 5, 8))
    run = RunFacts(run_id="run-1", started_at=now, finished_at=now, duration_s=1.0,
                   engine="offline")
    base: dict[str, object] = {
        "run_id": "run-1", "title": "Record", "intent": intent, "verdict": "", "binding": None,
        "rounds": [RoundRecord(number=1, title="Openings", purpose="open", summary="",
                               statements=statements)],
        "citations": CITATIONS, "run": run, "notice": "Written by the offline engine.",
    }
    base.update(fields)
    return DecisionRecord.model_validate(base)


def statement(sid: str, text: str, cites: list[str]) -> Statement:
    return Statement(id=sid, round=1, advisor_id=sid.split(".")[1], move=Move.SHARE,
                     text=text, cites=cites, conviction=0.6)


def test_check_record_counts_and_locates_every_claim(index: EvidenceIndex) -> None:
    record = make_record(
        [statement("r1.auditor", "Win rate is 41.7% over 1,162 deals.", [VELOCITY]),
         statement("r1.contrarian", "Win rate is 19.0%; and 37.3% churn [9].", [VELOCITY])],
        verdict="Act on stage optimism: 18.1 percentage points between stated and realised.",
        action_plan=[ActionStep(due=date(2026, 5, 15), when="This week", who="CRO",
                                what="Re-base stage probabilities within 7 days.",
                                opening_words="Our proposal stage wins 25.8%, not 60%.",
                                citations=[1])],
    )
    locations = [loc for loc, _, _ in record_texts(record)]
    assert locations == ["r1.auditor", "r1.contrarian", "synthesis.verdict",
                         "synthesis.action_plan.1"]
    cc = check_record(record, index)
    bad = {(c.location, c.status, c.value) for c in cc.claims if c.status != "verified"}
    assert bad == {("r1.contrarian", "contradicted", 19.0),
                   ("r1.contrarian", "unsupported", 37.3),
                   ("r1.contrarian", "unsupported", 9.0)}
    assert (cc.contradicted, cc.unsupported) == (1, 2)
    assert cc.total == len(cc.claims) and cc.verified == cc.total - 3
    again = check_record_texts(record_texts(record), index)
    assert again == cc  # deterministic


# -- real findings ----------------------------------------------------------------------


@pytest.fixture(scope="module", params=["honesty", "measurement-vacuum"])
def diagnosed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              ) -> list[Finding]:
    from throughline.diagnose import run_diagnose
    from throughline.ingest import ingest
    from throughline.sample import generate
    from throughline.core.settings import load_settings

    root: Path = tmp_path_factory.mktemp(f"claimcheck-{request.param}")
    generate(request.param, 7, 0.1, root / "exports")
    settings = load_settings(workspace=root / "ws")
    ingest([root / "exports"], settings)
    return run_diagnose(settings).findings


def test_every_real_finding_statement_verifies_against_its_own_finding(
        diagnosed: list[Finding]) -> None:
    index = build_evidence_index(diagnosed)
    claims = 0
    for f in diagnosed:
        for c in check_text(f.id, f.statement, index, [f.id], check_cites=False):
            claims += 1
            own = c.matched is not None and c.matched.split("#")[0] == f.id
            assert c.status == "verified" and own, (f.id, c.text, c.status, c.matched)
    assert claims > 60


def test_a_number_at_the_very_start_of_a_text_is_a_claim(index: EvidenceIndex) -> None:
    """'97.3% of …' opening a statement was read as a list marker / structural number
    (nothing before it) and never checked; a negative sign was invented for it too."""
    first = extract_numbers("41.7% of closed deals were won.")[0]
    assert (first.skipped, first.value, first.kind) == (None, 41.7, "percent")
    assert one("41.7% of closed deals were won.", index, (VELOCITY,)).status == "verified"
    assert one("97.3% of closed deals were won.", index, (VELOCITY,)).status == \
        "contradicted"
    assert extract_numbers("1162 deals closed.")[0].skipped is None
    # a real list marker and a '#3' stay what they are
    assert extract_numbers("2. Second point")[0].skipped == "list marker"
    assert extract_numbers("#3 on the list")[0].skipped == "structural"


def test_numbers_in_the_users_own_words_are_not_claims(index: EvidenceIndex) -> None:
    """'Hold off on raising prices by 10% this year': the 10% is the question's, not a claim
    about the company; the same number outside the quoted words is still checked."""
    text = "Not now — hold off on raising prices by 10% this year. An invented 37.3% churn."
    asked = ["Should we raise prices by 10% this year?", "raising prices by 10% this year"]
    with_asked = check_record_texts([("synthesis.verdict", text, [])], index, asked=asked)
    without = check_record_texts([("synthesis.verdict", text, [])], index)
    assert [c.value for c in with_asked.claims] == [37.3]
    assert [c.value for c in without.claims] == [10.0, 37.3]
