"""Each planted problem is measurably present in the files (and absent from healthy).

The checks are deliberately plain SQL over the exports — what a first-pass analyst would
compute — with margins well inside the ranges the scenarios draw from.
"""

from __future__ import annotations

import json

import pytest

from throughline.sample.vocabulary import LEAD_SOURCES, NEXT_STEP_POSITIVE

SEEDS = (11, 12)
NEW = "Type = 'New Business'"
MONTH = "strftime(CreatedDate[:10]::DATE, '%Y-%m')"


def truth(company, scenario: str, seed: int) -> dict:
    return json.loads((company(scenario, seed) / "truth.json").read_text())


def late_stage_win_rate(f) -> float:
    """Won share of closed deals that ever reached Proposal."""
    return f.one("""
        SELECT avg((o.IsWon = 'true')::INT) FROM opp o
        WHERE o.IsClosed = 'true' AND o.Id IN (SELECT OpportunityId FROM hist
                                                WHERE StageName = 'Proposal')""")


def pushes_per_deal(f) -> float:
    return f.one("""
        WITH h AS (SELECT OpportunityId, CloseDate::DATE cd,
                          lag(CloseDate::DATE) OVER (PARTITION BY OpportunityId
                                                     ORDER BY CreatedDate, Id) prev FROM hist)
        SELECT count(*) FILTER (WHERE cd > prev) / count(DISTINCT OpportunityId) FROM h""")


def forecast_ratio(f, ref: str) -> float:
    return f.one(f"""
        WITH fc AS (SELECT period_start::DATE ps, period_end::DATE pe, owner,
                           arg_max(amount::DOUBLE, submitted_at) amt FROM forecasts
                    WHERE category = 'commit' AND period_end < '{ref}' GROUP BY ALL),
             p AS (SELECT ps, pe, sum(amt) fc FROM fc GROUP BY ALL),
             w AS (SELECT ps, fc, sum(o.Amount::DOUBLE) won FROM p JOIN opp o
                   ON o.IsWon = 'true' AND o.CloseDate::DATE >= ps AND o.CloseDate::DATE < pe
                   GROUP BY ALL)
        SELECT exp(avg(ln(fc / won))) FROM w""")


@pytest.mark.parametrize("seed", SEEDS)
def test_honesty_stages_promise_more_than_they_deliver(company, files, seed: int) -> None:
    honest, optimistic = files("healthy", seed), files("honesty", seed)
    assert abs(late_stage_win_rate(honest) - 0.6) < 0.12
    assert late_stage_win_rate(optimistic) < 0.6 - 0.2
    assert pushes_per_deal(optimistic) > 2 * pushes_per_deal(honest)
    ref_h, ref_o = (truth(company, s, seed)["reference_date"] for s in ("healthy", "honesty"))
    assert 0.85 < forecast_ratio(honest, ref_h) < 1.18
    assert forecast_ratio(optimistic, ref_o) > 1.25
    assert positive_share_of_stalled(optimistic, ref_o) > 0.5
    assert positive_share_of_stalled(honest, ref_h) < 0.4


def positive_share_of_stalled(f, ref: str) -> float:
    """Upbeat NextStep notes among open late-stage deals stuck in their stage 60+ days."""
    bank = ", ".join("'" + s.replace("'", "''") + "'" for s in NEXT_STEP_POSITIVE)
    return f.one(f"""
        WITH entered AS (SELECT h.OpportunityId, min(h.CreatedDate[:10]::DATE) d
                         FROM hist h JOIN opp o ON o.Id = h.OpportunityId
                         AND h.StageName = o.StageName GROUP BY 1)
        SELECT coalesce(avg((o.NextStep IN ({bank}))::INT), 0) FROM opp o JOIN entered e
        ON e.OpportunityId = o.Id
        WHERE o.IsClosed = 'false' AND o.StageName IN ('Proposal', 'Negotiation')
          AND e.d < '{ref}'::DATE - 60""")


def _half_ratio(f, sql_by_month: str) -> float:
    """Mean of the last six complete months ÷ mean of the first six."""
    rows = f.all(sql_by_month)
    values = [r[1] for r in rows][:-1]  # the last month is partial
    return (sum(values[-6:]) / 6) / (sum(values[:6]) / 6)


@pytest.mark.parametrize("seed", SEEDS)
def test_architecture_activity_climbs_while_pipeline_is_flat(files, seed: int) -> None:
    activity = ("SELECT strftime(activity_date::DATE, '%Y-%m') m, sum(count::INT) "
                "FROM activities GROUP BY 1 ORDER BY 1")
    pipeline = f"SELECT {MONTH} m, count(*) FROM opp WHERE {NEW} GROUP BY 1 ORDER BY 1"
    pushy, healthy = files("architecture", seed), files("healthy", seed)
    assert _half_ratio(pushy, activity) > 2.0
    assert 0.7 < _half_ratio(pushy, pipeline) < 1.35
    ratio_h = _half_ratio(healthy, activity) / _half_ratio(healthy, pipeline)
    assert 0.75 < ratio_h < 1.3  # healthy: activity moves with pipeline
    pull = ("SELECT avg((LeadSource IN ('Web', 'Inbound - Demo Request', 'Content Download', "
            "'Webinar', 'Paid Search', 'Partner Referral', 'Customer Referral', "
            "'Employee Referral', 'Warm Intro', 'Founder Network', 'Product Signup', "
            "'Free Trial'))::INT) FROM opp WHERE " + NEW)
    assert pushy.one(pull) < 0.4 < healthy.one(pull)
    early = pushy.one(pull + f" AND {MONTH} < (SELECT min({MONTH}) FROM opp)::VARCHAR || 'z' "
                      f"AND CreatedDate < (SELECT min(CreatedDate)::DATE + 240 FROM opp)::VARCHAR")
    late = pushy.one(pull + " AND CreatedDate > (SELECT max(CreatedDate)::DATE - 240 "
                     "FROM opp)::VARCHAR")
    assert late < early


def channel_case() -> str:
    """SQL mapping LeadSource to the channel group the Salesforce profile derives."""
    whens = " ".join(f"WHEN '{s.label}' THEN '{s.group}'" for s in LEAD_SOURCES if s.label)
    return f"CASE coalesce(LeadSource, '') {whens} ELSE 'unknown' END"


@pytest.mark.parametrize("seed", SEEDS)
def test_distribution_one_channel_surges_and_dies(files, company, seed: int) -> None:
    share = f"""
        WITH m AS (SELECT date_trunc('quarter', CreatedDate[:10]::DATE) m,
                          {channel_case()} ch, count(*) n FROM opp
                   WHERE {NEW} GROUP BY ALL),
             t AS (SELECT m, sum(n) total FROM m GROUP BY 1 HAVING sum(n) >= 60)
        SELECT ch, max(n / total) FROM m JOIN t USING (m) GROUP BY 1
        ORDER BY 2 DESC LIMIT 1"""
    planted = truth(company, "distribution", seed)["planted"]
    channel, peak = files("distribution", seed).one(share)
    assert channel == planted["surge_channel"]
    assert peak > 0.4
    _, healthy_peak = files("healthy", seed).one(share)
    assert healthy_peak < 0.38
    after = files("distribution", seed).one(
        f"SELECT avg(({channel_case()} = '{channel}')::INT) FROM opp WHERE {NEW} "
        f"AND {MONTH} > '{planted['collapse_month']}'")
    assert after < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_positioning_wins_drift_to_the_segment_that_churns(files, company, seed: int) -> None:
    planted = truth(company, "positioning", seed)["planted"]
    drift, home = planted["drift_segment"], planted["revealed_icp_segment"]
    f = files("positioning", seed)
    by_half = f"""
        WITH w AS (SELECT Segment__c seg, CloseDate::DATE d FROM opp
                   WHERE IsWon = 'true' AND {NEW}),
             b AS (SELECT min(d) + 120 lo, max(d) hi FROM w)
        SELECT avg((seg = '{{seg}}')::INT) FILTER (WHERE d >= lo
                                                   AND d < lo + ((hi - lo) // 3)::INTEGER),
               avg((seg = '{{seg}}')::INT) FILTER (WHERE d > hi - ((hi - lo) // 3)::INTEGER)
        FROM w, b"""
    early, late = f.one(by_half.format(seg=drift))
    assert late - early > 0.15
    early_h, late_h = f.one(by_half.format(seg=home))
    assert late_h < early_h
    churn = """
        WITH s AS (SELECT account_id, max(coalesce(end_date, '2999-01-01')) e FROM subs
                   GROUP BY 1)
        SELECT avg((e < '2999-01-01')::INT) FROM s JOIN account a ON a.Id = s.account_id
        WHERE a.Segment__c = '{seg}'"""
    assert f.one(churn.format(seg=drift)) > 2 * f.one(churn.format(seg=home))
    stated = f.all("SELECT function FROM icp WHERE attribute = 'segment' AND weight = '1' "
                   f"AND value = '{drift}' ORDER BY 1")
    assert ("sales",) in stated and ("marketing",) in stated


@pytest.mark.parametrize("seed", SEEDS)
def test_messaging_attribution_fails_and_artifacts_disagree(files, company, seed: int
                                                            ) -> None:
    unknown = (f"SELECT avg((LeadSource IS NULL OR LeadSource = 'Other')::INT) FROM opp "
               f"WHERE {NEW}")
    f = files("messaging", seed)
    late = f.one(unknown + " AND CreatedDate > (SELECT max(CreatedDate)::DATE - 180 "
                 "FROM opp)::VARCHAR")
    early = f.one(unknown + " AND CreatedDate < (SELECT min(CreatedDate)::DATE + 180 "
                  "FROM opp)::VARCHAR")
    assert late > 0.25 and late > early + 0.1
    assert files("healthy", seed).one(unknown) < 0.08
    root = company("messaging", seed)
    not_ga = f.all("SELECT name FROM capabilities WHERE status <> 'ga'")
    deck = (root / "messaging/deck.md").read_text()
    assert any(name in deck for (name,) in not_ga)
    healthy_root = company("healthy", seed)
    healthy_not_ga = files("healthy", seed).all(
        "SELECT name FROM capabilities WHERE status <> 'ga'")
    for kind in ("website", "deck", "email_sequence", "proposal"):
        text = (healthy_root / f"messaging/{kind}.md").read_text()
        assert not any(f"- {name}" in text for (name,) in healthy_not_ga), kind


@pytest.mark.parametrize("seed", SEEDS)
def test_measurement_vacuum_engineering_legible_gtm_not(files, company, seed: int) -> None:
    root = company("measurement-vacuum", seed)
    t = truth(company, "measurement-vacuum", seed)
    for rel in t["planted"]["omitted_files"]:
        assert not (root / rel).exists()
    f = files("measurement-vacuum", seed)
    assert f.one("SELECT count(*) FROM opp WHERE Loss_Reason__c IS NOT NULL") == 0
    change = t["change_date"]
    cycle = f"""
        SELECT median(epoch(mergedAt::TIMESTAMP) - epoch(createdAt::TIMESTAMP))
        FROM prs WHERE state = 'MERGED' AND createdAt::DATE {{op}} '{change}'::DATE"""
    assert f.one(cycle.format(op=">=")) < 0.8 * f.one(cycle.format(op="<"))


def test_measurement_vacuum_files_still_import(company, tmp_path) -> None:
    from throughline.ingest.loader import ingest
    from throughline.core.settings import load_settings

    report = ingest([company("measurement-vacuum", 11)], load_settings(workspace=tmp_path))
    assert report.rejected == 0
    loaded = {t.table: t.total_after for t in report.tables}
    assert {"accounts", "opportunities", "stage_history", "pull_requests",
            "messaging_artifacts", "stated_icp"} <= set(loaded)
    assert not {"subscriptions", "activities", "nps_responses", "features"} & set(loaded)
    kept = truth(company, "measurement-vacuum", 11)["planted"]["kept_field_files"]
    for rel, table in (("field/feedback.csv", "feedback"), ("field/forecasts.csv", "forecasts"),
                       ("field/commitments.csv", "commitments")):
        assert (table in loaded) == (rel in kept), rel
    assert not any(f.skipped for f in report.files)


def test_measurement_vacuum_varies_what_survives() -> None:
    from throughline.sample.company import draw_company
    from throughline.sample.plan import build_plan

    kept = {tuple(build_plan(draw_company(seed, 0.1), "measurement-vacuum")
                  .parameters["kept_field_files"]) for seed in range(40)}
    assert () in kept and len(kept) >= 4  # usually nothing, sometimes one or two files


@pytest.mark.parametrize("seed", SEEDS)
def test_inventory_features_pile_up_unsold(files, company, seed: int) -> None:
    ref = truth(company, "inventory", seed)["reference_date"]
    unsold = f"""
        SELECT avg((sales_play IS NULL)::INT), median(spec_ready_at::DATE - decided_at::DATE)
        FROM features WHERE shipped_at::DATE < '{ref}'::DATE - 45"""
    share, spec_days = files("inventory", seed).one(unsold)
    share_h, spec_days_h = files("healthy", seed).one(unsold)
    assert share > 0.5 and share_h < 0.25
    assert spec_days > 25 and spec_days_h < 18
    t = truth(company, "inventory", seed)
    thirds = f"""
        WITH b AS (SELECT '{t["window_start"]}'::DATE lo, '{t["reference_date"]}'::DATE hi)
        SELECT count(*) FILTER (WHERE shipped_at::DATE < lo + ((hi - lo) // 3)::INTEGER),
               count(*) FILTER (WHERE shipped_at::DATE >= hi - ((hi - lo) // 3)::INTEGER)
        FROM features, b WHERE shipped_at IS NOT NULL AND shipped_at::DATE >= lo"""
    first, last = files("inventory", seed).one(thirds)
    assert last > 1.4 * first
