"""Renderers: self-contained HTML, escaping, sections, and MD/JSON parity."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.diagnose.engine.diagnose_fakes import healthy_diagnosis, realistic_diagnosis
from throughline.diagnose.ranking import Contribution
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import Evidence, Finding
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report import render, write_report
from throughline.diagnose.report.charts import chart_spec, finding_svg
from throughline.diagnose.report.families import FAMILIES
from throughline.diagnose.report.view import ReportMeta

META = ReportMeta(subject="Northwind", generated_at=datetime(2025, 7, 1, 9, 30,
                                                             tzinfo=UTC),
                  version="0.1.0")
EVIL = "<script>alert('owned')</script> Commit closed won 47.2% (n = 214)."


@pytest.fixture(scope="module")
def diagnosis() -> Diagnosis:
    return realistic_diagnosis(statement_override=EVIL)


@pytest.fixture(scope="module")
def html(diagnosis: Diagnosis) -> str:
    return render(diagnosis, "html", META)


@pytest.fixture(scope="module")
def markdown(diagnosis: Diagnosis) -> str:
    return render(diagnosis, "md", META)


@pytest.fixture(scope="module")
def document(diagnosis: Diagnosis) -> dict[str, object]:
    return json.loads(render(diagnosis, "json", META))  # type: ignore[no-any-return]


def _visible_text(html: str) -> str:
    no_svg = re.sub(r"<svg.*?</svg>", " ", html, flags=re.DOTALL)
    no_style = re.sub(r"<style.*?</style>", " ", no_svg, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", no_style)


# -- HTML ------------------------------------------------------------------------------


def test_html_is_self_contained(html: str) -> None:
    assert "<script" not in html.lower()  # no scripts at all, inline or remote
    assert not re.search(r"<link\b", html, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.IGNORECASE)
    # the only URLs are SVG namespace declarations
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_html_escapes_data(html: str) -> None:
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_html_opens_with_the_finding(html: str) -> None:
    text = _visible_text(html)
    order = [text.index(s) for s in (
        "The binding constraint is", "Honesty", "The evidence behind it",
        "Runner-up: Distribution", "Order of repairs", "Remedies that would be wrong",
        "How each hypothesis scored", "Post-sale truth", "What the data cannot see")]
    assert order == sorted(order)


def test_html_has_every_family_and_the_cannot_see_section(html: str,
                                                          diagnosis: Diagnosis) -> None:
    for family in FAMILIES:
        assert f"<h2>{family.heading.replace('&', '&amp;')}</h2>" in html
    assert 'id="cannot-see"' in html and "What the data cannot see" in html
    assert "Legibility map" in html and "Nothing: a measurement vacuum" in html
    for f in diagnosis.findings:
        assert f'id="f-{f.id.replace(".", "-")}"' in html


def test_html_formats_numbers(html: str) -> None:
    text = _visible_text(html)
    for shown in ("47.2%", "9,874/day", "28,450", "34 days", "p &lt; 0.001", "n = 1,240",
                  "40.6%–53.9%", "0.74", "1,184,500"):
        assert shown in text, shown
    for raw in ("0.4719626", "9874.41666", "28450.333", "0.22413793", "0.96834"):
        assert raw not in html, raw


def test_html_has_charts_for_series(html: str, diagnosis: Diagnosis) -> None:
    charted = [f for f in diagnosis.findings if f.series and chart_spec(f) is not None]
    assert len(charted) >= 6
    assert html.count("<figure class=\"chart\"") == len(charted)
    assert html.count("<svg") == len(charted)


def test_html_is_deterministic(diagnosis: Diagnosis, html: str) -> None:
    assert render(diagnosis, "html", META) == html


def test_html_none_found() -> None:
    out = render(healthy_diagnosis(), "html", META)
    assert "No binding constraint found" in out
    assert "Closest: Honesty" in out


def test_html_prints(html: str) -> None:
    assert "@media print" in html and "@page" in html


# -- Markdown and JSON -----------------------------------------------------------------


def test_markdown_and_json_carry_the_same_content(markdown: str, document: dict,
                                                  diagnosis: Diagnosis) -> None:
    ids = [f.id for f in diagnosis.findings]
    assert document["report"]["finding_ids"] == ids  # type: ignore[index]
    assert [f["id"] for f in document["findings"]] == ids  # type: ignore[index,union-attr]
    for fid in ids:
        assert f"`{fid}`" in markdown
    assert document["ranking"]["binding"] == "honesty"  # type: ignore[index]
    assert document["report"]["binding_label"] == "Honesty"  # type: ignore[index]
    assert "**The binding constraint is Honesty**" in markdown
    assert "Runner-up: Distribution" in markdown
    for family in FAMILIES:
        assert f"## {family.heading.replace('&', '&amp;')}" in markdown
    assert "## What the data cannot see" in markdown
    for line in diagnosis.cannot_see:
        lead = line.partition(": ")[0]
        assert lead.replace("&", "&amp;") in markdown


def test_json_round_trips_to_the_diagnosis(document: dict, diagnosis: Diagnosis) -> None:
    body = {k: v for k, v in document.items() if k != "report"}
    assert Diagnosis.model_validate(body) == diagnosis
    assert document["report"]["generated_at"] == "2025-07-01T09:30:00Z"  # type: ignore[index]


def test_markdown_escapes_data(markdown: str) -> None:
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown


def test_markdown_formats_numbers_and_fences_sql(markdown: str) -> None:
    assert "47.2%" in markdown and "9,874/day" in markdown and "0.4719626" not in markdown
    assert "```sql" in markdown


def test_markdown_none_found() -> None:
    assert "**No binding constraint found**" in render(healthy_diagnosis(), "md", META)


def test_write_report_writes_each_format(tmp_path: Path, diagnosis: Diagnosis) -> None:
    for f in ("html", "md", "json"):
        path = write_report(diagnosis, tmp_path / "out" / f"d.{f}", f, META)  # type: ignore[arg-type]
        assert path.read_text(encoding="utf-8").strip()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["d.html", "d.json",
                                                                    "d.md"]
    with pytest.raises(ValueError, match="unknown report format"):
        render(diagnosis, "pdf")  # type: ignore[arg-type]


# -- charts and formatting -------------------------------------------------------------


def _f(diagnosis: Diagnosis, fid: str) -> Finding:
    return diagnosis.finding(fid)


def test_chart_inference(diagnosis: Diagnosis) -> None:
    shares = chart_spec(_f(diagnosis, "channels.volatility.share"))
    assert shares is not None
    assert shares["mark"]["type"] == "line"
    assert shares["encoding"]["x"]["type"] == "temporal"
    assert shares["encoding"]["color"]["field"] == "channel"
    assert shares["encoding"]["y"]["axis"]["format"] == ".0%"

    km = chart_spec(_f(diagnosis, "post_sale.survival.channel"))
    assert km is not None
    assert [layer["mark"]["type"] for layer in km["layer"]] == ["area", "line"]
    assert km["layer"][1]["mark"]["interpolate"] == "step-after"

    stages = chart_spec(_f(diagnosis, "honesty.stage_optimism.commit"))
    assert stages is not None and stages["mark"]["type"] == "bar"
    assert stages["encoding"]["color"]["field"] == "measure"  # stated vs realised

    assert chart_spec(_f(diagnosis, "legibility.map")) is None  # a table, not a chart
    assert chart_spec(_f(diagnosis, "pipeline.win_rate.overall")) is None  # no series


def test_chart_svg_escapes_labels() -> None:
    f = Finding(id="x.y", diagnostic="x", family="channels", title="t", statement="s",
                series=[{"month": "2025-01", "channel": "<script>x</script>", "share": 0.5},
                        {"month": "2025-02", "channel": "<script>x</script>", "share": 0.4},
                        {"month": "2025-01", "channel": "web", "share": 0.5},
                        {"month": "2025-02", "channel": "web", "share": 0.6}])
    svg = finding_svg(f)
    assert svg is not None and svg.startswith("<svg")
    assert "<script" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.41666667, "ratio", "41.7%"),
    (0.5, "probability", "50.0%"),
    (90.0, "percent", "90.0%"),
    (1234567.891, "currency", "1,234,568"),
    (42.5, "currency", "42.50"),
    (9874.41666, "currency_per_day", "9,874/day"),
    (34.0, "days", "34 days"),
    (1.0, "days", "1 day"),
    (38.26, "hours", "38.3 hours"),
    (1240, "count", "1,240"),
    (2.5, "count", "2.5"),
    (0.0812345, "statistic", "0.0812"),
    (24.6133, "statistic", "24.6"),
    (143.5, "per_month", "144/month"),
    (32.0, "score", "32"),
    (None, "ratio", "—"),
    (float("nan"), "ratio", "—"),
])
def test_value_formatting(value: float | None, unit: str, shown: str) -> None:
    assert fmt.value(value, unit) == shown


def test_other_formatting() -> None:
    assert fmt.value(1234.5, "currency", currency_symbol="€") == "€1,234"
    assert fmt.p_value(0.0004) == "p < 0.001"
    assert fmt.p_value(0.0342) == "p = 0.034"
    assert fmt.p_value(0.42) == "p = 0.42"
    assert fmt.number(0.41666667) == "0.417"
    assert fmt.humanize("nrr_by_channel") == "NRR by channel"
    assert fmt.score(0.7416) == "0.74"


def test_nothing_measured_is_not_called_healthy() -> None:
    d = healthy_diagnosis()
    d = d.model_copy(update={"findings": [f for f in d.findings
                                          if f.kind.value == "not_measurable"]})
    out = render(d, "html", META)
    assert "Not enough data to name a constraint" in out
    assert "No binding constraint found" not in out


# -- what we could not trust, ties and blocked hypotheses (issue 12) ----------------------

ISSUES = [
    DataQualityIssue(
        id="dq.currencies.opportunities", check="currencies", action="corrected",
        table="opportunities", columns=["CurrencyIsoCode"], title="Several currencies",
        statement="512 deals carry 4 currencies: USD 475, COP 20, MXN 10, PEN 7.",
        remedy="Amounts in COP, MXN and PEN are excluded: no exchange rates were given.",
        rows_affected=37, rows_total=512, details={"USD": 475, "COP": 20, "MXN": 10, "PEN": 7}),
    DataQualityIssue(
        id="dq.absent_column.opportunities", check="absent_column", action="unfit",
        table="opportunities", columns=["LeadSource"], title="LeadSource column absent",
        statement="The Opportunity export has no LeadSource column.",
        remedy="Attribution is not measurable; export LeadSource to measure it.",
        affects=["attribution"]),
]


def tied_diagnosis() -> Diagnosis:
    """Honesty and messaging tied at 1.00; distribution blocked by unfit evidence."""
    d = realistic_diagnosis()
    scores = [s.model_copy(update={"score": 1.0 if s.name in ("honesty", "messaging")
                                   else min(s.score, 0.3), "measurable": True})
              for s in d.ranking.scores]
    scores.sort(key=lambda s: (-s.score, s.name))
    ranking = d.ranking.model_copy(update={
        "scores": scores, "binding": None, "runner_up": None, "margin": 0.0,
        "tied": ["honesty", "messaging"], "order_of_operations": [], "wrong_remedies": [],
        "blocked": {"distribution": "The Opportunity export has no LeadSource column."},
        "rationale": "None found: honesty (1.00) and messaging (1.00) are within the 0.10 "
                     "margin."})
    return d.model_copy(update={"ranking": ranking, "data_quality": ISSUES,
                                "reporting_currency": "USD",
                                "as_of_source": "the latest CRM event, a stage change"})


def test_a_tie_is_reported_as_a_tie_in_every_format() -> None:
    d = tied_diagnosis()
    html = _visible_text(render(d, "html", META))
    md = render(d, "md", META)
    doc = json.loads(render(d, "json", META))
    tie = ("Tie: honesty and messaging at 1.00 — the data does not separate them; the "
           "evidence that would is a signal only one of them reads:")
    for text in (html, md):
        assert tie in " ".join(text.split())
        assert "Tie: Honesty and Messaging" in text
        assert "Closest:" not in text and "below the threshold" not in text
        assert "No binding constraint found" not in text
        assert ("Distribution was not named: its evidence rests on data marked unfit — the "
                "Opportunity export has no LeadSource column.") in " ".join(text.split())
    assert "Tied: Honesty (1.00)" in md and "Tied: Messaging (1.00)" in md
    assert md.count("| tied |") == 2 and "| blocked |" in md
    assert doc["report"]["tied"] == ["honesty", "messaging"]
    assert doc["report"]["tie_line"].startswith(tie)
    assert doc["ranking"]["tied"] == ["honesty", "messaging"]


def test_what_we_could_not_trust_comes_first_with_currency_and_as_of() -> None:
    d = tied_diagnosis()
    md = render(d, "md", META)
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings[0] == "What we could not trust, and what we did about it"
    assert ("| **Several currencies** | 512 deals carry 4 currencies: USD 475, COP 20, MXN 10, "
            "PEN 7. | **corrected:** Amounts in COP, MXN and PEN are excluded: no exchange "
            "rates were given. | 37 of 512 opportunities rows |") in md
    assert "| **LeadSource column absent** |" in md and "**not measurable:**" in md
    currency = "Amounts are in USD; 37 deals in COP, MXN and PEN excluded (no exchange rates)."
    assert f"- {currency}" in md and "CRM's currency" not in md
    assert "- Data as of 30 Jun 2025 — the latest CRM event, a stage change." in md
    html = render(d, "html", META)
    text = _visible_text(html)
    assert html.index('id="data-quality"') < html.index('id="verdict"')
    assert currency in text and "CRM's currency" not in text
    assert "37 of 512 opportunities rows" in text and "not measurable" in text
    doc = json.loads(render(d, "json", META))
    assert [i["id"] for i in doc["data_quality"]] == [i.id for i in ISSUES]
    assert doc["report"]["currency_line"] == currency
    assert doc["report"]["data_quality"] == {"corrected": 1, "unfit": 1, "warning": 0}


def test_without_a_currency_column_the_report_says_so() -> None:
    md = render(realistic_diagnosis(), "md", META)
    assert "- Amounts are in the CRM's currency; the exports name none." in md
    assert "_The data-fitness gate found nothing to correct or distrust._" in md


def test_a_score_above_the_threshold_not_named_is_not_called_below_it() -> None:
    d = realistic_diagnosis()
    ranking = d.ranking.model_copy(update={"binding": None, "runner_up": None,
                                           "order_of_operations": [], "wrong_remedies": []})
    md = render(d.model_copy(update={"ranking": ranking}), "md", META)
    assert "### Closest: Honesty (0.74, above the threshold, but not clear of the " \
           "runner-up)" in md
    assert "below the threshold" not in md


def test_the_currency_line_reads_the_gate_issues_as_the_gate_writes_them() -> None:
    from throughline.diagnose.report.trust import currency_line

    mixed = DataQualityIssue(
        id="dq.currency.mixed", check="currencies", action="corrected", table="opportunities",
        title="Amounts in several currencies", statement="…", remedy="…",
        rows_affected=37, rows_total=512,
        details={"reporting": "USD",
                 "excluded": {"opportunities": {"COP": 20, "MXN": 10, "PEN": 7},
                              "subscriptions": {"EUR": 1}},
                 "counts": {"opportunities": {"USD": 475, "COP": 20, "MXN": 10, "PEN": 7}}})
    d = realistic_diagnosis().model_copy(update={"data_quality": [mixed],
                                                 "reporting_currency": "USD"})
    assert currency_line(d) == ("Amounts are in USD; 37 deals in COP, MXN and PEN; "
                                "1 subscription in EUR excluded (no exchange rates).")
    converted = mixed.model_copy(update={
        "id": "dq.currency.converted",
        "details": {"reporting": "USD", "rates": {"EUR": 0.92, "MXN": 17.1},
                    "without_rate": {"opportunities": {"PEN": 7}}}})
    d = d.model_copy(update={"data_quality": [converted]})
    assert currency_line(d) == ("Amounts are in USD; amounts in other currencies converted "
                                "with the exchange rates given; 7 deals in PEN excluded (no "
                                "exchange rate).")
    one = d.model_copy(update={"data_quality": []})
    assert currency_line(one) == "Amounts are in USD."


# -- a report a board can read (issue 14) ----------------------------------------------------
# Each test below reproduces one defect seen in the demo report in Chromium; each fails on
# the report as it was before issue 14.

PERSONAS = [("cfo", 11, 0.182, 0.962, 0.832, 1.092), ("cto", 6, 0.0, 0.975, 0.93, 1.02),
            ("founder", 3, 0.667, 0.178, -0.291, 0.647), ("head_of_cs", 9, 0.222, 0.852,
                                                          0.521, 1.183)]


def _by_persona() -> Finding:
    from throughline.diagnose.findings import Metric, Severity

    metrics: dict[str, Metric] = {}
    for g, n, churn, nrr, lo, hi in PERSONAS:
        metrics[f"logo_churn_{g}"] = Metric(name=f"logo_churn_{g}", value=churn, unit="ratio",
                                            n=n, label=f"Logo churn, {g}")
        metrics[f"nrr_{g}"] = Metric(name=f"nrr_{g}", value=nrr, unit="ratio", n=n, low=lo,
                                     high=hi, label=f"NRR, {g}")
    metrics["chi_square_p"] = Metric(name="chi_square_p", value=0.0087, unit="statistic",
                                     n=29)
    return Finding(
        id="post_sale.retention.by_persona", diagnostic="post_sale.retention",
        family="post_sale", title="Retention by buyer persona", severity=Severity.watch,
        statement="Logo churn by buyer persona differs significantly (chi-square): highest "
                  "for 'head_of_cs' at 22.2% of 9 accounts (NRR 85.2%), lowest for 'cto' at "
                  "0.0% of 6 (NRR 97.5%).",
        metrics=metrics,
        series=[{"persona": g, "starting_accounts": n, "logo_churn": c, "nrr": r}
                for g, n, c, r, _, _ in PERSONAS],
        evidence=[Evidence(table="subscriptions", row_count=301, query="SELECT 1"),
                  Evidence(table="subscriptions", row_count=301, query="SELECT 1")])


def _stage_optimism() -> Finding:
    from throughline.diagnose.findings import Metric

    stages = [("prospecting", 0.1, 0.051), ("qualification", 0.2, 0.123),
              ("discovery", 0.4, 0.211), ("proposal", 0.6, 0.258)]
    return Finding(
        id="honesty.stage_optimism.tiny_p", diagnostic="honesty.stage_optimism",
        family="honesty", title="Stage optimism", statement="Stages are optimistic.",
        signals={"stage_optimism": 0.9},
        metrics={"bonferroni_p": Metric(name="bonferroni_p", value=4.2533804089188574e-106,
                                        unit="statistic", n=4790)},
        series=[{"stage": s, "stated_probability": p, "realised_rate": r, "low": r - 0.02,
                 "high": r + 0.02, "n": 800, "p_value": 1e-40} for s, p, r in stages])


def _feature_cohorts(k: int = 39) -> Finding:
    from throughline.diagnose.findings import Metric

    metrics = {}
    for i in range(k):
        metrics[f"win_rate_f_{i}"] = Metric(name=f"win_rate_f_{i}", value=0.1, unit="ratio",
                                            n=20, label=f"Win rate (won / closed), Feature {i}")
        metrics[f"open_deals_f_{i}"] = Metric(name=f"open_deals_f_{i}", value=3, unit="count",
                                              label=f"Open deals, Feature {i}")
    return Finding(id="pipeline.feature_cohorts.summary", diagnostic="pipeline.feature_cohorts",
                   family="pipeline", title="Feature cohorts", statement="Cohorts.",
                   metrics=metrics)


@pytest.fixture(scope="module")
def board() -> Diagnosis:
    d = realistic_diagnosis()
    return d.model_copy(update={"findings": [*d.findings, _by_persona(), _stage_optimism(),
                                             _feature_cohorts()],
                                "reporting_currency": "USD"})


@pytest.fixture(scope="module")
def board_html(board: Diagnosis) -> str:
    return render(board, "html", META)


@pytest.fixture(scope="module")
def board_md(board: Diagnosis) -> str:
    return render(board, "md", META)


def _article(html: str, fid: str) -> str:
    start = html.index(f'id="f-{fid.replace(".", "-")}"')
    return html[start:html.index("</article>", start)]


def test_a_tiny_p_value_is_p_below_one_in_a_thousand_not_ninety_digits(board_html: str,
                                                                        board_md: str) -> None:
    card = _visible_text(_article(board_html, "honesty.stage_optimism.tiny_p"))
    assert "Bonferroni p-value" in card and "p &lt; 0.001" in card
    for text in (_visible_text(board_html), board_md):
        assert "0.00000000" not in text
    assert fmt.statistic(4.2533804089188574e-106) == "4.3 × 10⁻¹⁰⁶"


def test_rate_axes_are_percent_and_p_values_are_never_drawn() -> None:
    spec = chart_spec(_stage_optimism())
    assert spec is not None
    measures = sorted({r["measure"] for r in spec["data"]["values"]})
    assert measures == ["Realised rate", "Stated probability"]  # no 'P value' legend entry
    assert spec["encoding"]["y"]["axis"]["format"] == ".0%"  # 20%, not '200m'
    assert "~s" not in json.dumps(spec)  # no SI prefixes on any axis


def test_counts_and_rates_never_share_an_axis() -> None:
    spec = chart_spec(_by_persona())
    assert spec is not None
    plotted = {r["measure"] for r in spec["data"]["values"]}
    assert plotted == {"Logo churn", "NRR"}  # starting accounts (3–11) left to the table
    assert spec["encoding"]["y"]["axis"]["format"] == ".0%"
    mixed = Finding(id="p.a", diagnostic="p", family="push_pull", title="t", statement="s",
                    series=[{"month": f"2025-{m:02d}", "activities": 20000 + m * 500,
                             "new_deals": 80 + m} for m in range(1, 13)])
    spec = chart_spec(mixed)
    assert spec is not None  # two counts 250 times apart: not one axis either
    assert "measure" not in json.dumps(spec["encoding"])
    assert spec["encoding"]["y"]["field"] == "activities"


def test_labels_are_humanised(board_html: str) -> None:
    assert fmt.humanize("head_of_cs") == "Head of CS"
    assert fmt.humanize("mid_market") == "Mid-market"
    assert fmt.humanize("product_led") == "Product-led"
    assert fmt.humanize("vp_sales") == "VP sales" and fmt.humanize("cfo") == "CFO"
    card = html_lib.unescape(_visible_text(_article(board_html,
                                                    "post_sale.retention.by_persona")))
    assert "'Head of CS' at 22.2%" in card and "head_of_cs" not in card
    svg = finding_svg(_by_persona())
    assert svg is not None and "Head of CS" in svg and "head_of_cs" not in svg


def test_groups_left_out_of_a_ranking_are_named_with_the_minimum(board: Diagnosis,
                                                                 board_html: str,
                                                                 board_md: str) -> None:
    line = "Left out of highest and lowest: Founder (n = 3, below the minimum of 5)."
    card = _visible_text(_article(board_html, "post_sale.retention.by_persona"))
    assert line in " ".join(card.split())
    assert "not ranked: n = 3, below the minimum of 5" in card
    assert f"_{line}_" in board_md
    doc = json.loads(render(board, "json", META))
    assert doc["report"]["exclusions"]["post_sale.retention.by_persona"] == line


def test_intervals_are_clipped_to_the_metric_domain(board_html: str) -> None:
    card = _visible_text(_article(board_html, "post_sale.retention.by_persona"))
    assert "0.0%–64.7%" in card and "-29.1%" not in card  # NRR never below 0
    assert fmt.interval(0.5, 1.18, "ratio", name="grr_paid") == "50.0%–100.0%"
    assert fmt.interval(0.93, 1.21, "ratio", name="nrr_revops") == "93.0%–121.0%"
    assert fmt.interval(-6.9, 66.9, "percent", name="nps_content") == "-6.9–66.9"


def test_small_slopes_keep_their_digits() -> None:
    assert fmt.number(0.0439) == "0.0439" and fmt.number(-0.01777) == "-0.0178"
    assert fmt.slope(0.04385, "week") == "+0.0439 per week"
    from throughline.diagnose.families.measure import num

    assert num(0.04385341463110512) == "0.044"  # statements: never 'rising by 0 per week'
    assert num(29.59) == "29.6" and num(0.0) == "0"


def test_grouped_metrics_are_one_table_and_long_tables_fold(board_html: str,
                                                            board_md: str) -> None:
    card = _article(board_html, "pipeline.feature_cohorts.summary")
    visible, _, folded = card.partition("<details class=\"more\">")
    assert visible.count("<tr>") == 1 + 8  # header and the first eight cohorts
    assert "31 more rows (of 39)" in folded and folded.count("<tr>") == 1 + 31
    assert "<summary>31 more rows</summary>" in board_md


def test_each_evidence_table_is_listed_once(board_html: str, board_md: str) -> None:
    card = _article(board_html, "post_sale.retention.by_persona")
    assert "Evidence: subscriptions (301 rows)</summary>" in card
    assert card.count("<pre><code>SELECT 1</code></pre>") == 1
    assert "subscriptions (301 rows), subscriptions" not in board_md


def test_counts_match_what_is_listed_with_plurals(board_html: str) -> None:
    from throughline.diagnose.report.view import counts_line
    from throughline.core.errors import InputError, ValidationFailed

    assert counts_line({"total": 3, "problem": 1, "watch": 0, "info": 2,
                        "not_measurable": 0}) == "3 findings: 1 problem, 2 info"
    assert counts_line({"total": 1, "problem": 0, "watch": 1, "info": 0,
                        "not_measurable": 0}) == "1 finding: 1 watch"
    assert "problem(s)" not in board_html
    two = [InputError("bad date", file="a.csv", row=2, column="CloseDate"),
           InputError("bad amount", file="a.csv", row=2, column="Amount")]
    err = ValidationFailed(two, total=1)  # one bad row, two problems in it
    assert str(err).startswith("2 problems found; nothing was loaded:")
    assert str(ValidationFailed(two[:1])).startswith("1 problem found;")


def test_overlapping_shares_are_explained_where_they_are_shown() -> None:
    from throughline.diagnose.findings import Metric, Severity

    note = ("A deal that slipped and was then lost counts once as failed, and in both the "
            "lost and the slipped share.")
    slip = Finding(
        id="honesty.commit_slippage.summary", diagnostic="honesty.commit_slippage",
        family="honesty", title="Commit deals lost or slipped", severity=Severity.problem,
        statement="Of 542 commit deals, 55.5% failed: 49.1% were lost and 16.1% slipped.",
        metrics={k: Metric(name=k, value=v, unit="ratio", n=542) for k, v in
                 (("failed_share", 0.555), ("lost_share", 0.491), ("slipped_share", 0.161))},
        caveats=[note], signals={"commit_slippage": 1.0})
    d = realistic_diagnosis()
    contrib = Contribution(signal="commit_slippage", value=1.0, weight=1.0,
                           finding_id=slip.id, note="primary")
    scores = [s.model_copy(update={"raised_by": [contrib, *s.raised_by]})
              if s.name == d.ranking.binding else s for s in d.ranking.scores]
    d = d.model_copy(update={"findings": [*d.findings, slip],
                             "ranking": d.ranking.model_copy(update={"scores": scores})})
    html = render(d, "html", META)
    verdict = html[html.index('id="verdict"'):html.index('id="scores"')]
    item = verdict[verdict.index("Commit deals lost or slipped"):]
    item = item[:item.index("</li>")]
    assert "55.5%" in item and note in item  # the overlap beside the numbers
    md = render(d, "md", META)
    block = md[md.index("**[problem] Commit deals lost or slipped**"):]
    assert f"_Note: {note}_" in block.split("\n\n")[0]


def test_the_alignment_scorecard_comes_after_data_quality_in_every_format(
        board: Diagnosis, board_html: str, board_md: str) -> None:
    assert (board_html.index('id="data-quality"') < board_html.index('id="scorecard"')
            < board_html.index('id="verdict"') < board_html.index('id="fam-post_sale"'))
    text = _visible_text(board_html)
    for title in ("A unified, evidence-based view of the customer", "Messaging that travels",
                  "Enablement built around buyer decisions", "Feedback loops that close",
                  "Critical thinking: assumptions tested against outcomes"):
        assert title in text and f"| {title} |" in board_md
    headings = re.findall(r"^## (.+)$", board_md, flags=re.M)
    assert headings[:3] == ["What we could not trust, and what we did about it",
                            "Alignment scorecard", "The finding"]
    doc = json.loads(render(board, "json", META))
    cards = doc["report"]["scorecard"]
    assert [c["id"] for c in cards] == ["customer_view", "messaging", "enablement", "feedback",
                                        "critical_thinking"]
    driven = [c for c in cards if c["driver"]]
    assert cards[-1]["driver"] == "honesty.stage_optimism.tiny_p"
    assert cards[-1]["score"] == 0.1 and cards[-1]["rating"] == "weak"
    assert driven and all(c["findings"] for c in driven)
    for c in driven:
        assert f'href="#f-{c["driver"].replace(".", "-")}"' in board_html


def test_money_carries_the_reporting_currency(board: Diagnosis) -> None:
    from throughline.diagnose.findings import Metric

    f = Finding(id="honesty.forecast_accuracy.x", diagnostic="honesty.forecast_accuracy",
                family="honesty", title="Forecast", statement="s",
                metrics={"latest_forecast": Metric(name="latest_forecast", value=2049100.0,
                                                   unit="currency")},
                series=[{"period": f"2025-{m:02d}", "forecast": 1e6 + m, "actual": 9e5 + m}
                        for m in (1, 4, 7)])
    d = board.model_copy(update={"findings": [*board.findings, f]})
    assert "USD 2,049,100" in _visible_text(_article(render(d, "html", META), f.id))
    spec = chart_spec(f, currency="USD")
    assert spec is not None and spec["encoding"]["y"]["title"] == "USD"


def test_groups_without_metrics_are_named_and_not_drawn() -> None:
    """A cohort of two deals at 50% had no metrics yet was the longest bar of the chart."""
    from throughline.diagnose.report.charts import chart_spec as spec_of
    from throughline.diagnose.report.finding_view import chart_finding
    from throughline.diagnose.report.view import build_view

    f = _feature_cohorts(3).model_copy(update={"series": [
        {"feature": f"f-{i}", "name": f"Feature {i}", "win_rate": 0.1, "closed": 20}
        for i in range(3)] + [{"feature": "f-9", "name": "Tiny cohort", "win_rate": 0.5,
                               "closed": 2}]})
    d = realistic_diagnosis()
    view = build_view(d.model_copy(update={"findings": [*d.findings, f]}), META)
    fv = next(x for fam in view.families for x in fam.findings if x.id == f.id)
    assert fv.exclusions == ("Not measured (fewer than 5 each), so left out of the table and "
                             "the chart: Tiny cohort (n = 2).")
    drawn = spec_of(chart_finding(fv))
    assert drawn is not None
    assert {r["name"] for r in drawn["data"]["values"]} == {"Feature 0", "Feature 1",
                                                            "Feature 2"}


@pytest.mark.parametrize("payload", ["[x](javascript:alert(1))", "![p](http://evil.example/p.png)",
                                     "**loud** | cell", "invoice\u202etxt.exe"])
def test_markdown_report_shows_untrusted_markdown_and_bidi_as_text(payload: str) -> None:
    md = render(realistic_diagnosis(statement_override=f"Loss note {payload} 47.2% (n = 214)."),
                "md", META)
    assert payload not in md
    assert "\u202e" not in md
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)
    assert payload.replace("\u202e", "(U+202E)") in unescaped
    html = render(realistic_diagnosis(statement_override=f"Loss note {payload}."), "html", META)
    assert "\u202e" not in html
