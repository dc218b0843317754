"""Fakes for the engine and report tests: diagnostics, a ranker, a realistic Diagnosis.

The realistic diagnosis plants one finding (or more) in every family, with the series
shapes the real families emit (monthly channel shares, Kaplan–Meier curves, PR cycle
time by month, stage probability vs realised conversion, a legibility map).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from throughline.diagnose.diagnosis import Diagnosis, LegibilityRow
from throughline.diagnose.findings import (
    Evidence,
    Finding,
    FindingKind,
    Metric,
    Severity,
    Significance,
    not_measurable,
)
from throughline.diagnose.ranking import (
    HYPOTHESES,
    ConstraintRanking,
    Contribution,
    HypothesisScore,
)
from throughline.diagnose.registry import DiagnoseContext, Diagnostic
from throughline.evidence import SCHEMA

# -- fake diagnostics and ranker -------------------------------------------------------


def make_diagnostic(
    id: str,
    fn: Callable[[DiagnoseContext], list[Finding]],
    *,
    family: str = "pipeline",
    needs: tuple[str, ...] = (),
    needs_text: tuple[str, ...] = (),
) -> Diagnostic:
    return Diagnostic(id=id, family=family, title=f"Title of {id}", needs=needs, optional=(),
                      needs_text=needs_text, fn=fn)


def count_diagnostic(id: str, table: str = "opportunities", *,
                     family: str = "pipeline", signal: str | None = None) -> Diagnostic:
    """A diagnostic that counts a table through Ibis and reports it as a finding."""

    def fn(ctx: DiagnoseContext) -> list[Finding]:
        t = ctx.table(table)
        assert t is not None
        expr = t.count()
        n = int(ctx.execute(expr))
        return [Finding(
            id=f"{id}.rows", diagnostic=id, family=family, title=f"Rows in {table}",
            severity=Severity.watch if signal else Severity.info,
            statement=f"{table} holds {n} rows.",
            metrics={"rows": Metric(name="rows", value=n, unit="count", n=n)},
            evidence=[Evidence(table=table, row_count=n, query=ctx.sql(expr))],
            signals={signal: 0.8} if signal else {},
        )]

    return Diagnostic(id=id, family=family, title=f"Rows in {table}", needs=(table,),
                      optional=(), needs_text=(f"a {table} export",), fn=fn)


def fake_rank(findings: list[Finding]) -> ConstraintRanking:
    """Scores each hypothesis by the strongest signal of that name; deterministic."""
    scores = []
    for name, label in HYPOTHESES.items():
        raised = [
            Contribution(finding_id=f.id, signal=s, value=v, weight=1.0)
            for f in findings for s, v in sorted(f.signals.items()) if s == name
        ]
        score = max((c.value for c in raised), default=0.0)
        scores.append(HypothesisScore(name=name, label=label, score=score, raised_by=raised))
    scores.sort(key=lambda s: (-s.score, s.name))
    binding = scores[0].name if scores[0].score >= 0.5 else None
    return ConstraintRanking(
        scores=scores, binding=binding, runner_up=scores[1].name if binding else None,
        threshold=0.5, margin=scores[0].score - scores[1].score,
        rationale="fake ranker", order_of_operations=["fix it"],
        wrong_remedies=["do the opposite"],
    )


# -- a small store built with canonical tables -----------------------------------------


def build_store(path: Path) -> Path:
    """A DuckDB evidence store with opportunities, accounts and pull_requests."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        for name in ("accounts", "opportunities", "pull_requests"):
            con.execute(SCHEMA[name].ddl())
        con.execute("INSERT INTO accounts (account_id, name, segment) VALUES "
                    "('a1', 'Acme', 'smb'), ('a2', 'Globex', 'mid_market')")
        rows = []
        for i in range(12):
            won = i % 3 == 0
            rows.append(
                f"('o{i}', 'a{1 + i % 2}', 'Deal {i}', 'Webinar', "
                f"'{['events', 'referral', 'outbound'][i % 3]}', 'inbound', "
                f"'{'Closed Won' if won else 'Closed Lost'}', {1000 * (i + 1)}, true, "
                f"{str(won).lower()}, DATE '2025-01-01' + INTERVAL {i * 9} DAY, "
                f"DATE '2025-03-01' + INTERVAL {i * 9} DAY)"
            )
        con.execute(
            "INSERT INTO opportunities (opportunity_id, account_id, name, lead_source, channel, "
            "motion, stage, amount, is_closed, is_won, created_date, close_date) VALUES "
            + ", ".join(rows)
        )
        con.execute("INSERT INTO pull_requests (pr_id, created_at) VALUES "
                    "('p1', TIMESTAMP '2025-04-20 10:00:00')")
    finally:
        con.close()
    return path


# -- a realistic diagnosis --------------------------------------------------------------

_SQL = (
    'SELECT "t0"."channel", COUNT(*) AS "n", AVG(CAST("t0"."is_won" AS INT)) AS "win_rate"\n'
    'FROM "opportunities" AS "t0"\nWHERE "t0"."is_closed"\nGROUP BY 1\nORDER BY 1'
)
_MONTHS = [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]


def _ev(table: str, rows: int, filt: str | None = None) -> list[Evidence]:
    return [Evidence(table=table, filter=filt, row_count=rows, query=_SQL)]


def _channel_shares() -> list[dict[str, object]]:
    base = {"paid_social": 0.30, "events": 0.22, "outbound": 0.24, "referral": 0.14,
            "partner": 0.10}
    rows: list[dict[str, object]] = []
    for i, month in enumerate(_MONTHS):
        wobble = {"paid_social": 0.12 * math.sin(i / 1.3), "events": -0.08 * math.sin(i / 1.3),
                  "outbound": 0.03 * math.cos(i), "referral": -0.02 * math.cos(i),
                  "partner": -0.05 * math.sin(i / 2)}
        raw = {c: max(0.02, base[c] + wobble[c]) for c in base}
        total = sum(raw.values())
        rows += [{"month": month, "channel": c, "share": raw[c] / total, "n": 40 + i}
                 for c in base]
    return rows


def _km_curves() -> list[dict[str, object]]:
    hazards = {"paid_social": 0.042, "outbound": 0.021, "referral": 0.009}
    rows: list[dict[str, object]] = []
    for channel, h in hazards.items():
        for t in range(13):
            s = math.exp(-h * t)
            rows.append({"channel": channel, "t": t, "survival": s,
                         "low": max(0.0, s - 0.02 - 0.004 * t),
                         "high": min(1.0, s + 0.02 + 0.003 * t)})
    return rows


def _pr_trend() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i, month in enumerate(_MONTHS):
        after = i >= 8
        rows.append({"month": month, "median_hours": (41.0 - i * 0.4) if not after
                     else (29.5 - (i - 8) * 0.6), "phase": "after rollout" if after
                     else "before rollout", "n": 118 + 3 * i})
    return rows


def _stage_honesty() -> list[dict[str, object]]:
    stages = [("Discovery", 0.10, 0.07), ("Qualified", 0.25, 0.14), ("Proposal", 0.50, 0.26),
              ("Negotiation", 0.75, 0.38), ("Commit", 0.90, 0.472)]
    return [{"stage": s, "stated_probability": p, "realised_rate": r, "n": 60 + 30 * i}
            for i, (s, p, r) in enumerate(stages)]


def realistic_findings(statement_override: str | None = None) -> list[Finding]:
    findings = [
        Finding(
            id="honesty.stage_optimism.commit", diagnostic="honesty.stage_optimism",
            family="honesty", title="Commit deals close far below the probability the CRM claims",
            severity=Severity.problem,
            statement=statement_override or (
                "Deals that reached Commit closed won 47.2% of the time against the 90.0% "
                "the CRM assigns to the stage (n = 214)."),
            metrics={
                "realised": Metric(name="realised", value=0.4719626, unit="ratio", n=214,
                                   low=0.406, high=0.539, label="Realised win rate at Commit"),
                "stated": Metric(name="stated", value=90.0, unit="percent",
                                 label="CRM stage probability"),
                "gap": Metric(name="gap", value=0.428, unit="ratio", label="Optimism gap"),
            },
            comparison="closed deals that reached Commit vs the stage probability in the CRM",
            significance=Significance(test="exact binomial, one-sided", p_value=1.2e-38, n=214,
                                      interval=(0.406, 0.539)),
            evidence=_ev("stage_history", 1893, "stage = 'Commit'"),
            caveats=[("Stage probabilities were read from the current CRM configuration; "
                     "earlier settings may have differed.")],
            signals={"honesty": 0.86},
            series=_stage_honesty(),
        ),
        Finding(
            id="honesty.slippage.closed", diagnostic="honesty.slippage", family="honesty",
            title="Most closed deals had their close date pushed", severity=Severity.problem,
            statement="61.3% of closed deals had their close date pushed at least once, by a "
                      "median of 34 days (n = 389).",
            metrics={
                "pushed": Metric(name="pushed_share", value=0.6131, unit="ratio", n=389,
                                 low=0.564, high=0.66),
                "median_push": Metric(name="median_push_days", value=34.0, unit="days", n=238),
                "pushes": Metric(name="pushes", value=611, unit="count"),
            },
            evidence=_ev("stage_history", 1893),
            signals={"honesty": 0.71},
        ),
        Finding(
            id="honesty.forecast.quarters", diagnostic="honesty.forecast", family="honesty",
            title="Forecasts overshoot actual bookings every quarter", severity=Severity.watch,
            statement="Committed forecast exceeded actual bookings in 4 of 4 quarters, by "
                      "a median of 1,184,500.",
            metrics={"quarters_over": Metric(name="quarters_over", value=4, unit="count", n=4),
                     "median_overshoot": Metric(name="median_overshoot", value=1184500.0,
                                                unit="currency")},
            evidence=_ev("forecasts", 16),
            series=[{"quarter": q, "forecast": f, "actual": a} for q, f, a in
                    [("2024-Q3", 3.9e6, 2.7e6), ("2024-Q4", 4.4e6, 3.1e6),
                     ("2025-Q1", 4.1e6, 3.0e6), ("2025-Q2", 4.6e6, 3.5e6)]],
            signals={"honesty": 0.55},
        ),
        Finding(
            id="post_sale.survival.channel", diagnostic="post_sale.survival",
            family="post_sale", title="Paid-social customers leave three times as fast",
            severity=Severity.problem,
            statement="12-month logo retention is 60.5% for paid-social accounts against "
                      "89.8% for referral accounts (log-rank p < 0.001).",
            metrics={
                "paid_social": Metric(name="retention_paid_social", value=0.605, unit="ratio",
                                      n=68, low=0.49, high=0.71,
                                      label="12-month retention, paid social"),
                "referral": Metric(name="retention_referral", value=0.898, unit="ratio", n=79,
                                   low=0.81, high=0.95, label="12-month retention, referral"),
            },
            significance=Significance(test="log-rank", statistic=24.6133, p_value=4.4e-6,
                                      n=218),
            evidence=_ev("subscriptions", 4120),
            caveats=["Accounts younger than 12 months are censored at the as-of date."],
            signals={"positioning": 0.45},
            series=_km_curves(),
        ),
        Finding(
            id="post_sale.nrr.overall", diagnostic="post_sale.nrr", family="post_sale",
            title="Net revenue retention just under 100%", severity=Severity.watch,
            statement="NRR over the last 12 months is 96.8% and GRR 88.1% on a starting "
                      "MRR of 412,300.",
            metrics={"nrr": Metric(name="nrr", value=0.96834, unit="ratio", n=318),
                     "grr": Metric(name="grr", value=0.88071, unit="ratio", n=318),
                     "start": Metric(name="starting_mrr", value=412300.0, unit="currency")},
            evidence=_ev("subscriptions", 4120),
        ),
        not_measurable(diagnostic="post_sale.time_to_value", family="post_sale",
                       title="Time to value by channel", missing=["time_to_value"],
                       needs=[("a time_to_value export (signed date and first-value date "
                              "per account)")]),
        Finding(
            id="icp.divergence.segment", diagnostic="icp.divergence", family="icp",
            title="Wins skew to SMB; retained customers are mid-market",
            severity=Severity.watch,
            statement="SMB is 52.0% of closed-won accounts but 31.5% of accounts that "
                      "retained and expanded (Jensen–Shannon 0.081).",
            metrics={"won_smb": Metric(name="won_share_smb", value=0.52, unit="ratio", n=221),
                     "kept_smb": Metric(name="retained_share_smb", value=0.315, unit="ratio",
                                        n=143),
                     "js": Metric(name="js_divergence", value=0.08123, unit="statistic")},
            significance=Significance(test="chi-square", statistic=17.42, p_value=0.00055,
                                      n=364, effect_size=0.2187,
                                      effect_measure="Cramér's V"),
            evidence=_ev("accounts", 612),
            series=[{"segment": s, "won_share": w, "retained_share": r} for s, w, r in
                    [("smb", 0.52, 0.315), ("mid_market", 0.36, 0.52),
                     ("enterprise", 0.12, 0.165)]],
            signals={"positioning": 0.42},
        ),
        Finding(
            id="pipeline.win_rate.overall", diagnostic="pipeline.win_rate", family="pipeline",
            title="Win rate, cycle and velocity", severity=Severity.info,
            statement="Win rate (won / closed) is 22.4%, the median cycle 64 days, the "
                      "average deal 28,450 and pipeline velocity 9,874 per day.",
            metrics={"win_rate": Metric(name="win_rate_closed", value=0.22413793, unit="ratio",
                                        n=580, low=0.191, high=0.26),
                     "cycle": Metric(name="median_cycle_days", value=64.0, unit="days", n=130),
                     "deal": Metric(name="avg_deal_size", value=28450.333, unit="currency",
                                    n=130),
                     "velocity": Metric(name="pipeline_velocity", value=9874.41666,
                                        unit="currency_per_day")},
            evidence=_ev("opportunities", 1240),
        ),
        Finding(
            id="push_pull.pull_share.trend", diagnostic="push_pull.pull_share",
            family="push_pull", title="Pull share of new pipeline is flat",
            severity=Severity.info,
            statement="Inbound, referral and product-led motions made 31.0% of new pipeline, "
                      "with no trend over 12 months.",
            metrics={"pull": Metric(name="pull_share", value=0.31, unit="ratio", n=1240)},
            evidence=_ev("opportunities", 1240),
            signals={"architecture": 0.28},
        ),
        Finding(
            id="channels.volatility.share", diagnostic="channels.volatility",
            family="channels", title="Channel mix swings month to month",
            severity=Severity.watch,
            statement="Paid social's monthly share of new pipeline varies with a coefficient "
                      "of variation of 0.38; the largest channel holds 46.0% (HHI 0.29).",
            metrics={"cv": Metric(name="cv_paid_social", value=0.3812, unit="statistic", n=12),
                     "top": Metric(name="top_share", value=0.46, unit="ratio", n=1240),
                     "hhi": Metric(name="hhi", value=0.2931, unit="statistic")},
            evidence=_ev("opportunities", 1240),
            signals={"distribution": 0.48},
            series=_channel_shares(),
        ),
        Finding(
            id="attribution.unknown.share", diagnostic="attribution.unknown",
            family="attribution", title="One deal in five has no known source",
            severity=Severity.watch,
            statement="18.7% of opportunities and 12.1% of won revenue have a blank, "
                      "unknown or 'other' source.",
            metrics={"opps": Metric(name="unknown_share_opps", value=0.187, unit="ratio",
                                    n=1240),
                     "rev": Metric(name="unknown_share_revenue", value=0.121, unit="ratio")},
            evidence=_ev("opportunities", 1240, "channel IS NULL OR channel IN ('unknown', "
                         "'other')"),
            signals={"messaging": 0.22},
        ),
        Finding(
            id="handoff.inventory.unsold", diagnostic="handoff.inventory", family="handoff",
            title="Shipped features waiting for a sales play", severity=Severity.watch,
            statement="7 of 19 features shipped more than 45 days ago still have no sales "
                      "play or narrative.",
            metrics={"unsold": Metric(name="unsold_features", value=7, unit="count", n=19),
                     "decided_to_spec": Metric(name="median_decided_to_spec_days", value=21.5,
                                               unit="days", n=19)},
            evidence=_ev("features", 19),
            signals={"inventory": 0.33},
        ),
        Finding(
            id="legibility.pr_cycle.trend", diagnostic="legibility.pr_cycle",
            family="legibility", title="PR cycle time fell after the tooling rollout",
            severity=Severity.info,
            statement="Median PR cycle time fell from 38.2 hours before 1 Mar 2025 to 28.6 "
                      "hours after (Mann–Whitney p < 0.001).",
            metrics={"before": Metric(name="median_before_hours", value=38.2, unit="hours",
                                      n=904),
                     "after": Metric(name="median_after_hours", value=28.6, unit="hours",
                                     n=512),
                     "throughput": Metric(name="merged_per_month", value=143.5,
                                          unit="per_month")},
            significance=Significance(test="Mann–Whitney U", statistic=181234.0,
                                      p_value=2.1e-9, n=1416),
            evidence=_ev("pull_requests", 1416),
            series=_pr_trend(),
        ),
        Finding(
            id="legibility.map", diagnostic="legibility.map", family="legibility",
            title="What each function can measure", severity=Severity.watch,
            statement="2 of 5 functions have no metric the data can compute.",
            metrics={"vacuums": Metric(name="vacuum_functions", value=2, unit="count", n=5)},
            signals={"measurement_vacuum": 0.38},
            series=[
                {"function": "engineering", "metrics": ["pr_cycle_time", "pr_throughput",
                                                        "review_pickup"], "missing": []},
                {"function": "product", "metrics": ["decided_to_spec_days"],
                 "missing": ["spec-ready dates for every feature"]},
                {"function": "marketing", "metrics": [],
                 "missing": ["campaign or lead records with a source"]},
                {"function": "sales", "metrics": ["win_rate", "sales_cycle",
                                                  "pipeline_velocity"], "missing": []},
                {"function": "customer_success", "metrics": [],
                 "missing": ["NPS responses", "time-to-value dates"]},
            ],
        ),
        Finding(
            id="feedback.loops.closure", diagnostic="feedback.loops", family="feedback",
            title="Loss reviews rarely reach an owner", severity=Severity.problem,
            statement="23.5% of loss reviews have an accountable owner and 9.8% were "
                      "answered within 14 days (n = 153).",
            metrics={"owned": Metric(name="owned_share", value=0.235, unit="ratio", n=153),
                     "answered": Metric(name="answered_14d_share", value=0.098, unit="ratio",
                                        n=153)},
            evidence=_ev("feedback", 153),
            series=[{"reason": r, "count": c} for r, c in
                    [("No budget", 41), ("Chose competitor", 33), ("Missing feature", 29),
                     ("No decision", 22), ("Price", 14)]],
            signals={"honesty": 0.35},
        ),
        not_measurable(diagnostic="promises.ledger", family="promises",
                       title="Promise ledger", missing=["commitments"],
                       needs=[("a commitments export (promise, made by, engineering sign-off, "
                              "due date)")]),
        not_measurable(diagnostic="messaging.coherence", family="messaging",
                       title="Messaging coherence", missing=["messaging_artifacts"],
                       needs=["the text of the website, deck, email sequence and a proposal"]),
    ]
    return findings


def realistic_ranking() -> ConstraintRanking:
    def s(name: str, score: float, raised: list[Contribution],
          lowered: list[Contribution] | None = None, measurable: bool = True
          ) -> HypothesisScore:
        return HypothesisScore(name=name, label=HYPOTHESES[name], score=score,
                               raised_by=raised, lowered_by=lowered or [],
                               measurable=measurable)

    c = Contribution
    scores = [
        s("honesty", 0.7416, [
            c(finding_id="honesty.stage_optimism.commit", signal="stage_optimism", value=0.86,
              weight=1.0, note="Commit closes at half its stated probability"),
            c(finding_id="honesty.slippage.closed", signal="slippage", value=0.71, weight=0.8),
            c(finding_id="honesty.forecast.quarters", signal="forecast_overshoot", value=0.55,
              weight=0.6),
            c(finding_id="feedback.loops.closure", signal="unanswered_losses", value=0.35,
              weight=0.4),
        ], [c(finding_id="pipeline.win_rate.overall", signal="win_rate_in_range", value=0.2,
              weight=0.3)]),
        s("distribution", 0.4633, [
            c(finding_id="channels.volatility.share", signal="channel_volatility", value=0.48,
              weight=1.0)]),
        s("positioning", 0.4211, [
            c(finding_id="icp.divergence.segment", signal="icp_divergence", value=0.42,
              weight=1.0),
            c(finding_id="post_sale.survival.channel", signal="retention_gap", value=0.45,
              weight=0.7)]),
        s("measurement_vacuum", 0.38, [
            c(finding_id="legibility.map", signal="vacuum_functions", value=0.38, weight=1.0)]),
        s("inventory", 0.3312, [
            c(finding_id="handoff.inventory.unsold", signal="unsold_features", value=0.33,
              weight=1.0)]),
        s("architecture", 0.28, [
            c(finding_id="push_pull.pull_share.trend", signal="pull_share_low", value=0.28,
              weight=1.0)]),
        s("messaging", 0.2212, [
            c(finding_id="attribution.unknown.share", signal="unknown_source", value=0.22,
              weight=1.0)], measurable=False),
    ]
    return ConstraintRanking(
        scores=scores, binding="honesty", runner_up="distribution", threshold=0.5,
        margin=0.2783,
        rationale="The pipeline tells leadership a more optimistic story than outcomes "
                  "support: late stages close at about half the probability they carry, most "
                  "deals slip, and forecasts overshoot bookings every quarter. Until stages "
                  "mean what they say, every other number built on the pipeline inherits the "
                  "optimism.",
        order_of_operations=[
            ("Redefine stage exit criteria so each stage is a buyer action, and recalibrate "
            "stage probabilities to realised conversion."),
            "Review every Commit deal weekly against evidence of a buyer decision.",
            "Then stabilise channel mix: the runner-up constraint.",
            "Re-run the diagnosis after one full quarter.",
        ],
        wrong_remedies=[
            "Adding more pipeline volume: more optimistic pipeline is still optimistic.",
            "Buying a forecasting tool before the stages carry meaning.",
            "Changing messaging to fix a conversion problem that starts in the CRM.",
        ],
    )


def realistic_diagnosis(statement_override: str | None = None) -> Diagnosis:
    findings = realistic_findings(statement_override)
    from throughline.diagnose.run import blind_spots, legibility_map

    ranking = realistic_ranking()
    legibility = legibility_map(findings)
    return Diagnosis(
        as_of=date(2025, 6, 30), backend="duckdb",
        tables={"accounts": 612, "opportunities": 1240, "stage_history": 1893,
                "subscriptions": 4120, "pull_requests": 1416, "features": 19,
                "feedback": 153, "forecasts": 16},
        findings=findings, ranking=ranking, legibility=legibility,
        cannot_see=blind_spots(findings, ranking, legibility), duration_s=2.41,
    )


def healthy_diagnosis() -> Diagnosis:
    d = realistic_diagnosis()
    ranking = d.ranking.model_copy(update={
        "binding": None, "runner_up": None, "margin": 0.0,
        "scores": [s.model_copy(update={"score": min(s.score, 0.31)})
                   for s in d.ranking.scores],
        "rationale": "No hypothesis reached the threshold.", "order_of_operations": [],
        "wrong_remedies": [],
    })
    return d.model_copy(update={"ranking": ranking})


def is_not_measurable(f: Finding) -> bool:
    return f.kind is FindingKind.not_measurable


__all__ = ["LegibilityRow", "build_store", "count_diagnostic", "fake_rank", "healthy_diagnosis",
           "is_not_measurable", "make_diagnostic", "realistic_diagnosis"]
