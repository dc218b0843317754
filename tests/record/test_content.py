"""What the record says: every section in spec order, the same content in all formats."""

from __future__ import annotations

import json
import re

import pytest

from tests.record.fixture import make_record
from tests.record.helpers import html_tags, html_text, md_text, squash
from throughline.record.decision import DecisionRecord
from throughline.record.render import render_record

MD_SECTIONS = [
    "The question and its frame", "Verdict",
    "What we could not trust, and what we did about it", "Alignment scorecard", "Predictions", "Action plan", "Future paths",
    "The deeper story", "Evidence", "Risks", "The panel", "Debate rounds", "Claim check",
    "What the evidence cannot see", "Sources", "Run facts",
]
HTML_SECTIONS = [  # the verdict leads, in the masthead, then the same order as the spec
    "verdict", "data-quality", "scorecard", "at-a-glance", "frame", "predictions", "action-plan", "future-paths",
    "deeper-story", "evidence", "risks", "panel", "debate", "claim-check", "cannot-see",
    "sources", "run-facts",
]


@pytest.fixture(scope="module")
def record() -> DecisionRecord:
    return make_record()


@pytest.fixture(scope="module")
def rendered(record: DecisionRecord) -> dict[str, str]:
    return {fmt: render_record(record, fmt) for fmt in ("html", "md", "json")}


def _contents(r: DecisionRecord) -> list[str]:
    """Every piece of text a reader must find in each format."""
    out = [r.intent.question, r.verdict, r.deeper_story, r.notice, r.intent.choice,
           r.intent.stakes, *r.intent.options, *r.intent.constraints, *r.intent.must_contain]
    for f in r.predictions:
        out += [f.statement, f.resolution, f.method]
    for s in r.action_plan:
        out += [s.what, s.who, s.when] + ([s.opening_words] if s.opening_words else [])
        out += [s.condition] if s.condition else []
    for p in r.future_paths:
        out.append(p.title)
        for m in p.milestones:
            out += [m.text, m.backing]
    out += [e.text for e in r.evidence] + [e.attribution for e in r.evidence if e.attribution]
    out += [k.text for k in r.risks]
    for m in r.panel:
        out += [m.advisor.name, m.advisor.role, m.advisor.lens, m.advisor.model]
    for rnd in r.rounds:
        out += [rnd.title, rnd.summary, rnd.purpose]
        for s in rnd.statements:
            out += [s.text] if s.text else [s.failure or ""]
    out += [c.text for c in r.claim_check.claims] + [c.note for c in r.claim_check.claims]
    for c in r.sources.cited:
        out += [c.title, c.excerpt, c.ref]
    out += [c.title for c in r.sources.consulted]
    out += r.cannot_see.functions_without_data + r.cannot_see.notes
    out += [m.reason for m in r.run.models] + [p.description for p in r.run.policy]
    out += r.run.failures + [r.run.run_id]
    return [squash(t) for t in out if t]


def _json_strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _json_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _json_strings(v)]
    return []


def test_every_piece_of_content_is_in_every_format(record: DecisionRecord,
                                                   rendered: dict[str, str]) -> None:
    html, md = html_text(rendered["html"]), md_text(rendered["md"])
    strings = {squash(s) for s in _json_strings(json.loads(rendered["json"]))}
    contents = _contents(record)
    assert len(contents) > 150
    for text in contents:
        assert text in html, f"missing from HTML: {text[:80]}"
        assert text in md, f"missing from Markdown: {text[:80]}"
        assert text in strings or any(text in s for s in strings), f"missing from JSON: {text}"


def test_numbers_agree_across_formats(record: DecisionRecord,
                                      rendered: dict[str, str]) -> None:
    html, md = html_text(rendered["html"]), md_text(rendered["md"])
    for expected in ("72%", "64%", "58%", "30 Sep 2026", "7 of 10", "verified (70%)",
                     "184,220", "21,340", "$0.41", "3 min 32 s", "2 of 3"):
        assert expected in html, expected
        assert expected in md, expected
    for member in record.panel:
        final = f"{round(member.final_conviction * 100)}%"
        assert final in html and final in md


def test_markdown_sections_follow_the_spec(rendered: dict[str, str]) -> None:
    headings = re.findall(r"^## (.+)$", rendered["md"], flags=re.M)
    assert headings == MD_SECTIONS
    assert rendered["md"].startswith("# Hire two AEs now, or fix the forecast first?\n")
    assert "**Who wrote this.**" in rendered["md"].split("## Run facts")[1]


def test_html_sections_follow_the_spec(rendered: dict[str, str]) -> None:
    html = rendered["html"]
    positions = [html.index(f'id="{s}"') for s in HTML_SECTIONS]
    assert positions == sorted(positions)
    assert html.index('class="notice"') > positions[-1]
    # question and verdict come first, before anything else is said
    text = html_text(html)
    assert text.index("The question") < text.index("Verdict") < text.index("Binding constraint")


def test_html_is_one_self_contained_file(rendered: dict[str, str]) -> None:
    html = rendered["html"]
    low = html.lower()
    for banned in ("<script", "<link", "<iframe", "<img", "<object", "@import", "url(",
                   "http://", "https://", "javascript:"):
        assert banned not in low, banned
    assert low.count("<style>") == 1
    assert "@media print" in html and "break-before: page" in html


def test_html_internal_links_all_land(rendered: dict[str, str]) -> None:
    tags = html_tags(rendered["html"])
    ids = [v for _t, attrs in tags for n, v in attrs if n == "id"]
    assert len(ids) == len(set(ids)), "duplicate ids"
    hrefs = {v for _t, attrs in tags for n, v in attrs if n == "href"}
    assert hrefs, "no links"
    for href in hrefs:
        assert href and href.startswith("#"), href
        assert href[1:] in ids, f"dangling link {href}"


def test_debate_shows_moves_addressees_cites_and_convictions(rendered: dict[str, str]) -> None:
    html, md = html_text(rendered["html"]), rendered["md"]
    for move in ("WARN", "SHARE", "REFRAME", "FACTCHECK", "CHALLENGE"):
        assert move in html and f"`{move}`" in md
    assert "→ Dana Okafor, Tomás Reyes" in html
    assert "to Dana Okafor, Tomás Reyes" in md
    assert "conviction 35% → 30%" in html and "conviction 35% → 30%" in md
    assert "Moved by Dana Okafor, round 1" in html and "moved by Dana Okafor, round 1" in md


def test_conformity_flag_and_failed_turn_are_visible(rendered: dict[str, str]) -> None:
    html, md = rendered["html"], rendered["md"]
    assert html.count("Conformity: conviction changed with no cause named") == 1
    assert md.count("conformity: conviction changed with no cause named") == 1
    assert 'class="stmt failed" id="st-r3-cro"' in html
    assert "Model call timed out after 3 attempts" in html_text(html)
    assert "**Mira Lindqvist** · ✕ **TURN FAILED**" in md
    assert "R2 48%, R3 failed turn, R4 58%" in html and "R3 ✕ failed" in md
    assert "some turns failed" in html and "**some turns failed** (1 failed turn)" in md


def test_conditional_branches_read_if(rendered: dict[str, str]) -> None:
    html, md = rendered["html"], rendered["md"]
    assert html.count('<li class="branch">') == 2
    assert html.count('<span class="badge b-if">If</span> If ') == 2
    assert re.search(r"^\d+\. \*\*If fewer than half .*:\*\*", md, flags=re.M)
    assert md.count("   ↳ ") == 2


def test_claim_check_lists_each_status(rendered: dict[str, str]) -> None:
    html, md = rendered["html"], rendered["md"]
    for status in ("verified", "unsupported", "contradicted"):
        assert f'class="badge b-{status}"' in html
    assert "| CONTRADICTED |" in md and "| UNSUPPORTED |" in md and "| verified |" in md
    assert "evidence says" in html and "29.4%" in md
    # problems first
    assert md.index("| CONTRADICTED |") < md.index("| UNSUPPORTED |") < md.index("| verified |")


def test_panel_draws_one_sparkline_per_advisor(record: DecisionRecord,
                                               rendered: dict[str, str]) -> None:
    html = rendered["html"]
    assert html.count('<svg class="spark"') == len(record.panel)
    for member in record.panel:
        assert f"Conviction by round, {member.advisor.name}: R1 " in html


def test_partial_banner_only_on_partial_runs(rendered: dict[str, str]) -> None:
    assert "Partial record." not in rendered["html"]
    assert "Partial record." not in rendered["md"]
    partial = make_record(partial=True)
    html, md = render_record(partial, "html"), render_record(partial, "md")
    assert html.count("<b>Partial record.</b>") == 2  # top of the page and in run facts
    assert md.count("> **Partial record.**") == 2
    assert partial.run.partial_reason and partial.run.partial_reason in html_text(html)
    assert "Not written in this run." in html and "_Not written in this run._" in md
    assert "Round 5 ·" not in html_text(html)


def test_offline_notice_is_shown_as_written(record: DecisionRecord) -> None:
    offline = record.model_copy(update={
        "notice": "Written by Throughline's offline engine from your data; no AI model was "
                  "used."})
    for fmt in ("html", "md"):
        assert "no AI model was used." in render_record(offline, fmt)


# -- what the run added that the record must show (issue 13) ---------------------------


def test_a_degraded_run_shows_a_banner_in_every_format() -> None:
    plain = make_record()
    bad = make_record(degraded=True)
    reason = bad.run.degraded_reason
    assert reason and plain.run.degraded_reason is None
    md, html = render_record(bad, "md"), render_record(bad, "html")
    # at the top (before the frame) and again in the run facts
    head = md.split("## The question and its frame")[0]
    assert f"> **Degraded run.** {reason}" in head
    assert md.count("**Degraded run.**") == 2
    assert html.count('class="banner degraded" role="alert"') == 2
    assert squash(reason) in squash(html_text(html))
    assert json.loads(render_record(bad, "json"))["run"]["degraded_reason"] == reason
    for fmt in ("md", "html"):
        assert "Degraded run" not in render_record(plain, fmt)
    assert "degraded_reason" not in json.loads(render_record(plain, "json"))["run"]


def test_dropped_citations_are_shown_on_their_statement(rendered: dict[str, str]) -> None:
    md = rendered["md"]
    assert ("dropped citations (not in this advisor's evidence): "
            "`pipeline.velocity.made_up`") in md
    assert md.count("dropped citations") == 1  # only the statement that had one
    assert "Dropped citations (not in this advisor's evidence): <code>pipeline.velocity.made_up" \
        "</code>" in rendered["html"]
    st = [s for r in json.loads(rendered["json"])["rounds"] for s in r["statements"]
          if s.get("dropped_cites")]
    assert [(s["id"], s["dropped_cites"]) for s in st] == [
        ("r2.auditor", ["pipeline.velocity.made_up"])]


def test_unused_sources_are_named_not_only_counted(rendered: dict[str, str],
                                                   record: DecisionRecord) -> None:
    titles = [u.title for u in record.sources.unused]
    assert len(titles) == record.sources.unused_count == 4
    unused_md = rendered["md"].split("### Unused (4)")[1].split("## Run facts")[0]
    unused_html = rendered["html"].split("<h3>Unused (4)</h3>")[1].split("</section>")[0]
    for t in titles:
        assert t in unused_md and t in unused_html


def test_the_record_says_which_sections_a_model_wrote(rendered: dict[str, str]) -> None:
    line = ("Written by a model: verdict; by rules (the model's version failed the claim "
            "check or was not asked for): action plan, future paths, deeper story, risks.")
    assert f"- **Synthesised sections:** {line}" in rendered["md"]
    assert squash(line) in squash(html_text(rendered["html"]))
    offline = make_record(partial=True)  # no model section: all by rules
    assert ("Written by rules from the debate and the evidence: verdict, action plan, future "
            "paths, deeper story, risks.") in render_record(offline, "md")


def test_the_alignment_scorecard_is_in_every_format() -> None:
    r = make_record()
    md = md_text(render_record(r, "md"))
    html = html_text(render_record(r, "html"))
    for text in ("Alignment scorecard", "Critical thinking: assumptions tested against outcomes",
                 "Weak 0.20", "38% of deals in the commit category closed after the quarter",
                 "Rests on 2 findings: honesty.stage_optimism, honesty.commit_slippage.",
                 "Feedback loops that close", "Strong 0.90", "Not measurable",
                 "Needs: website, deck and email copy as Markdown."):
        assert text in md and text in html, text
    data = json.loads(render_record(r, "json"))
    assert [c["id"] for c in data["scorecard"]] == ["critical_thinking", "feedback", "messaging"]
