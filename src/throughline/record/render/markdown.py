"""The Markdown record: the same content as the HTML, in the order of the spec.

Sections follow ``RECORD.md``: question and frame, verdict, predictions, action plan,
future paths, the deeper story, evidence, risks, the panel, debate rounds, claim check,
what the evidence cannot see, sources, run facts and the generated-by notice.

Every string from the record is untrusted and goes through :mod:`throughline.core.text`:
HTML, links, images, emphasis, code and table syntax are escaped so a Markdown viewer
shows the text instead of running it; text that would start a Markdown block (a heading,
a list, a quote, a fence) is escaped at the start of its line; bidirectional controls are
made visible.
"""

from __future__ import annotations

import re

from throughline.core.text import md_inline, md_paragraph, neutralise_bidi
from throughline.diagnose.report import issue_table, markdown_document, section
from throughline.record.decision import DecisionRecord
from throughline.record.render.debate import StatementView
from throughline.record.render.facts import sections_line
from throughline.record.render.formatting import CiteRef, SourceLink, paragraphs
from throughline.record.render.panel import MemberView, RoundMark
from throughline.record.render.view import RecordView, build_view


def render_markdown(record: DecisionRecord) -> str:
    v = build_view(record)
    out: list[str] = []
    _masthead(v, out)
    _frame(v, out)
    _verdict(v, out)
    _trust(v, out)
    _scorecard(v, out)
    _predictions(v, out)
    _plan(v, out)
    _paths(v, out)
    _story(v, out)
    _evidence(v, out)
    _risks(v, out)
    _panel(v, out)
    _rounds(v, out)
    _claims(v, out)
    _cannot_see(v, out)
    _sources(v, out)
    _run(v, out)
    _notice(v, out)
    return markdown_document(out)


# -- sections --------------------------------------------------------------------------


def _masthead(v: RecordView, out: list[str]) -> None:
    out += [f"# {_i(v.title or v.question)}", ""]
    meta = ["Decision record", f"{_i(v.decision_type)} decision", v.run_date,
            f"run {_c(v.run_id)}", f"engine: {_i(v.run.engine)}"]
    out += ["*" + " · ".join(meta) + "*", ""]
    if v.run.partial:
        out += [_partial(v), ""]
    if v.run.degraded_reason:
        out += [_degraded(v), ""]


def _degraded(v: RecordView) -> str:
    return f"> **Degraded run.** {_i(v.run.degraded_reason or '')}"


def _partial(v: RecordView) -> str:
    reason = v.run.partial_reason or ("The run did not finish; sections it did not reach "
                                      "are marked as not written.")
    return f"> **Partial record.** {_i(reason)}"


def _frame(v: RecordView, out: list[str]) -> None:
    out += ["## The question and its frame", ""]
    out += _quote(v.question) + [""]
    out.append(f"- **Decision:** {_i(v.choice)}")
    if v.options:
        out.append("- **Options:**")
        out += [f"  - {_i(o)}" for o in v.options]
    out.append(f"- **Stakes:** {_i(v.stakes)}")
    if v.constraints:
        out.append("- **Constraints:**")
        out += [f"  - {_i(c)}" for c in v.constraints]
    out.append(f"- **Type and horizon:** {_i(v.decision_type)} · {v.horizon} from {v.run_date}")
    if v.must_contain:
        out.append("- **A useful answer has:**")
        out += [f"  - {_i(c)}" for c in v.must_contain]
    out += [f"- **Framed by:** {_i(v.framed_by)}", ""]


def _verdict(v: RecordView, out: list[str]) -> None:
    out += ["## Verdict", ""]
    for para in v.verdict_paragraphs:
        out += [_p(para), ""]
    binding = f"**Binding constraint:** {_i(v.binding_short)}"
    if v.binding_subtitle:
        binding += f" ({_i(v.binding_subtitle)})"
    if v.runner_up:
        binding += f" · runner-up: {_i(v.runner_up)}"
        if v.runner_up_subtitle:
            binding += f" ({_i(v.runner_up_subtitle)})"
    cc = v.claim_check
    check = (f"**Claim check:** {cc.verified} of {cc.total} verified ({cc.share}) · "
             f"{cc.unsupported} unsupported · {cc.contradicted} contradicted"
             + (f" · {cc.unfit} resting on unfit data" if cc.unfit else "")
             if cc.total else "**Claim check:** no claims were checked")
    out += [binding + "  ", check, ""]
    if v.tie_line:
        out += [f"**{_i(v.tie_line)}**", ""]


def _trust(v: RecordView, out: list[str]) -> None:
    t = v.trust
    if t is None or not t.shown:
        return
    out += ["## What we could not trust, and what we did about it", "", *issue_table(t.issues)]
    out += [f"- {_i(line)}" for line in (t.as_of_line, t.currency_line, *t.blocked) if line]
    out.append("")


def _scorecard(v: RecordView, out: list[str]) -> None:
    if not v.scorecard:
        return
    out += ["## Alignment scorecard", "",
            "| Capability | Rating | What sets it | Evidence |", "|---|---|---|---|"]
    for c in v.scorecard:
        out.append(f"| {_cell(c.title)} | **{_cell(c.rating)}** | {_cell(c.driver)} | "
                   f"{_cell(c.rests_on)} |")
    out.append("")


def _predictions(v: RecordView, out: list[str]) -> None:
    if not section(out, "## Predictions", v.forecasts, "No forecasts were made."):
        _omitted(v, out)
        return
    for i, f in enumerate(v.forecasts, start=1):
        out.append(f"{i}. **{f.probability}** — {_i(f.statement)}")
        out.append(f"   - **By:** {f.horizon}")
        out.append(f"   - **Resolves:** {_i(f.resolution)}")
        out.append(f"   - **Owner:** {_i(f.owner)}")
        if f.measure:
            out.append(f"   - **Measure:** {_i(f.measure)}{_cites(f.cites)}")
        if f.method:
            out.append(f"   - **Method:** {_i(f.method)}")
        out.append(f"   - **Id:** {_c(f.id)}")
    out.append("")
    _omitted(v, out)


def _omitted(v: RecordView, out: list[str]) -> None:
    if v.omitted_forecasts:
        out += ["**Not forecast** (the data cannot support these):", ""]
        out += [f"- {_i(o)}" for o in v.omitted_forecasts]
        out.append("")


def _plan(v: RecordView, out: list[str]) -> None:
    out += ["## Action plan", "",
            f"Dated from {v.run_date}. Steps that begin with **If …** are branches: take "
            "them only when their condition holds.", ""]
    if not v.steps:
        out += ["_No action plan was written._", ""]
        return
    for i, s in enumerate(v.steps, start=1):
        head = f"**{s.due}** ({_i(s.when)}) — **{_i(s.who)}:** {_i(s.what)}{_cites(s.cites)}"
        if s.condition:
            out.append(f"{i}. **{_i(s.condition)}:**  ")
            out.append(f"   ↳ {head}")
        else:
            out.append(f"{i}. {head}")
        if s.opening_words:
            out.append(f"   > **Open with these words:** “{_i(s.opening_words)}”")
        out.append("")


def _paths(v: RecordView, out: list[str]) -> None:
    if not section(out, "## Future paths", v.paths, "No future paths were written."):
        return
    for p in v.paths:
        out += [f"### Path {p.letter} — {_i(p.stance)}", "", f"**{_i(p.title)}**", ""]
        for m in p.milestones:
            backing = f"“{_i(m.backing)}”" if m.kind == "quote" else _i(m.backing)
            out.append(f"- **Month {m.month}:** {_i(m.text)}  ")
            out.append(f"  *Backed by:* {backing} — {_link(m.source)}")
        out.append("")


def _story(v: RecordView, out: list[str]) -> None:
    if not section(out, "## The deeper story", v.story_paragraphs, "Not written in this run."):
        return
    for para in v.story_paragraphs:
        out += [_p(para), ""]


def _evidence(v: RecordView, out: list[str]) -> None:
    if not section(out, "## Evidence", v.evidence, "No evidence listed."):
        return
    out += [_attributed(f"{e.number}.", e.text, e.cites, e.attribution) for e in v.evidence]
    out.append("")


def _risks(v: RecordView, out: list[str]) -> None:
    if not section(out, "## Risks", v.risks, "No risks recorded."):
        return
    out += [_attributed("-", r.text, r.cites, r.raised_by) for r in v.risks]
    out.append("")


def _panel(v: RecordView, out: list[str]) -> None:
    if not section(out, "## The panel", v.panel, "No panel was seated."):
        return
    out += ["| Advisor | Role | Conviction by round | Final | Status |",
            "|---|---|---|--:|---|"]
    for m in v.panel:
        history = " · ".join(_mark(t) for t in m.timeline) or "—"
        out.append(f"| **{_cell(m.name)}** | {_cell(m.role)} | {history} | **{m.final}** | "
                   f"{_status(m)} |")
    out += ["", "_Conviction is each advisor's confidence in the verdict's side. ⚑ marks a "
            "change with no cause named (conformity); ✕ a failed turn._", ""]
    for m in v.panel:
        seat = ", always seated" if m.always_seated else ""
        out.append(f"- **{_i(m.name)}** ({_i(m.role)}{seat}) — {_i(m.lens)}")
        if m.background:
            out.append(f"  - Background: {_i(m.background)}")
        if m.cast_reason:
            out.append(f"  - Why seated: {_i(m.cast_reason)}")
        model = f"{_c(m.model)}" + (f" — {_i(m.model_reason)}" if m.model_reason else "")
        out.append(f"  - Model: {model}")
    out.append("")


def _mark(t: RoundMark) -> str:
    if t.failed:
        return f"R{t.round} ✕ failed"
    return f"R{t.round} {t.conviction}" + (" ⚑" if t.conformity else "")


def _status(m: MemberView) -> str:
    if m.status == "ok":
        return m.status_label
    turns = f" ({m.failed_turns} failed turn{'s' if m.failed_turns != 1 else ''})"
    return f"**{m.status_label}**{turns if m.failed_turns else ''}"


def _rounds(v: RecordView, out: list[str]) -> None:
    if not section(out, "## Debate rounds", v.rounds, "No rounds were held."):
        return
    for r in v.rounds:
        out += [f"### Round {r.number} · {_i(r.title)}", ""]
        if r.purpose:
            out += [f"*{_i(r.purpose)}*", ""]
        out += [f"> **Summary.** {_i(r.summary)}", ""]
        for s in r.statements:
            _statement(s, out)


def _statement(s: StatementView, out: list[str]) -> None:
    if s.failed:
        reason = s.failure or "This turn failed; no statement was recorded."
        out += [f"**{_i(s.advisor)}** · ✕ **TURN FAILED** — {_i(reason)}", ""]
        return
    head = [f"**{_i(s.advisor)}**", f"`{s.move}`"]
    if s.addressed:
        head.append("to " + ", ".join(_i(a) for a in s.addressed))
    conv = f"{s.previous} → {s.conviction}" if s.previous else s.conviction
    head.append(f"conviction {conv}")
    out += [" · ".join(head), ""]
    for para in s.paragraphs:
        out += [_p(para), ""]
    foot = []
    if s.takes_up:
        foot.append(f"takes up {_link(s.takes_up)}" + (f": “{_i(s.claim)}”" if s.claim else ""))
    if s.cites:
        foot.append("Cites" + _cites(s.cites))
    if s.cause:
        foot.append(f"moved by {_link(s.cause)}")
    if s.conformity:
        foot.append("⚑ **conformity: conviction changed with no cause named**")
    if s.dropped_cites:
        foot.append("dropped citations (not in this advisor's evidence): "
                    + ", ".join(_c(d) for d in s.dropped_cites))
    if foot:
        out += ["*" + " · ".join(foot) + "*", ""]


def _claims(v: RecordView, out: list[str]) -> None:
    cc = v.claim_check
    if not section(out, "## Claim check", cc.total or cc.claims, "No claims were checked."):
        return
    out += [f"**{cc.verified} of {cc.total} verified ({cc.share})** · "
            f"{cc.unsupported} unsupported · {cc.contradicted} contradicted"
            + (f" · {cc.unfit} resting on unfit data" if cc.unfit else ""), ""]
    if cc.claims:
        out += ["| Status | Claim | Where | Matched against | Evidence says | Note |",
                "|---|---|---|---|---|---|"]
        for c in cc.claims:
            status = c.status.upper() if c.status != "verified" else c.status
            matched = f"{_c(c.matched)}" if c.matched else "—"
            out.append(f"| {status} | “{_cell(c.text)}” | {_cell(_link(c.location))} | "
                       f"{matched} | {_cell(c.expected or '—')} | {_cell(c.note or '—')} |")
        out.append("")


def _cannot_see(v: RecordView, out: list[str]) -> None:
    if not section(out, "## What the evidence cannot see",
                   v.functions_without_data or v.claims_without_numbers or v.cannot_see_notes,
                   "Nothing recorded."):
        return
    if v.functions_without_data:
        out += ["**Functions with no data**", ""]
        out += [f"- {_i(f)}" for f in v.functions_without_data] + [""]
    if v.claims_without_numbers:
        out += ["**Statements resting on no number**", ""]
        out += [f"- {_link(s)}" for s in v.claims_without_numbers] + [""]
    if v.cannot_see_notes:
        out += ["**Notes**", ""]
        out += [f"- {_i(n)}" for n in v.cannot_see_notes] + [""]


def _sources(v: RecordView, out: list[str]) -> None:
    out += ["## Sources", "", "### Cited", ""]
    if v.cited:
        for c in v.cited:
            where = f"{c.kind} · {_c(c.ref)}" + (f" · {_i(c.location)}" if c.location else "")
            out.append(f"- **[{c.number}] {_i(c.title)}** ({where})  ")
            out.append(f"  {_i(c.excerpt)}")
        out.append("")
    else:
        out += ["_Nothing was cited._", ""]
    out += [f"### Consulted ({len(v.consulted)})", ""]
    if v.consulted:
        for c in v.consulted:
            loc = f" · {_i(c.location)}" if c.location else ""
            out.append(f"- {c.kind}: {_i(c.title)} ({_c(c.ref)}{loc})")
        out.append("")
    else:
        out += ["_No sources were put before the panel._", ""]
    plural = "s" if v.unused_count != 1 else ""
    out += [f"### Unused ({v.unused_count})", "",
            f"{v.unused_count} consulted source{plural} cited by no statement"
            + (":" if v.unused else "."), ""]
    if v.unused:
        out += [f"- {_i(c.title)} ({c.kind} · {_c(c.ref)})" for c in v.unused] + [""]


def _run(v: RecordView, out: list[str]) -> None:
    r = v.run
    out += ["## Run facts", ""]
    if r.partial:
        out += [_partial(v), ""]
    if r.degraded_reason:
        out += [_degraded(v), ""]
    out += [
        f"- **Synthesised sections:** {_i(sections_line(r.written_by_model, r.written_by_rules))}",
    ]
    out += [
        f"- **Run:** {_c(r.run_id)} · engine {_i(r.engine)}",
        f"- **Started:** {r.started} · **finished:** {r.finished} · **wall time:** {r.duration}",
        f"- **Model calls:** {r.calls} · **tokens in:** {r.tokens_in} · "
        f"**tokens out:** {r.tokens_out} · **cost:** {r.cost}",
        f"- **Rounds:** {r.rounds} · **policy checks passed:** {r.policy_passed} of "
        f"{len(r.policy)}",
        f"- **Diagnosis as of:** {r.diagnosis_as_of} · **library documents:** "
        f"{r.library_documents}",
        "",
        "### Models by role", "",
    ]
    if r.models:
        out += ["| Role | Model | Engine | Why |", "|---|---|---|---|"]
        out += [f"| {_cell(m.role)} | {_c(m.model)} | {_cell(m.engine)} | {_cell(m.reason)} |"
                for m in r.models]
        out.append("")
    else:
        out += ["_No models recorded._", ""]
    out += ["### Policy checks", ""]
    if r.policy:
        out += ["| Result | Rule | Check | Detail |", "|---|---|---|---|"]
        out += [f"| {'✓ pass' if p.passed else '✕ **FAIL**'} | {_c(p.rule)} | "
                f"{_cell(p.description)} | {_cell(p.detail or '—')} |" for p in r.policy]
        out.append("")
    else:
        out += ["_No policy checks ran._", ""]
    out += ["### Failures", ""]
    if r.failures:
        out += [f"- {_i(f)}" for f in r.failures] + [""]
    else:
        out += ["None.", ""]
    if r.tables:
        out += ["### Data read", "", "| Table | Rows |", "|---|--:|"]
        out += [f"| {_cell(name)} | {n} |" for name, n in r.tables]
        out.append("")


def _notice(v: RecordView, out: list[str]) -> None:
    out += ["---", "", f"**Who wrote this.** {_i(v.notice)}", "",
            f"*Throughline decision record · run {_c(v.run_id)} · {v.run_date}*", ""]


# -- pieces and escaping ---------------------------------------------------------------


def _cites(refs: list[CiteRef]) -> str:
    if not refs:
        return ""
    return " " + "".join(f"[{c.number}]" if c.number is not None else f" {_c(c.ref)}"
                         for c in refs).strip()


def _attributed(marker: str, text: str, cites: list[CiteRef], by: str | None) -> str:
    """'1. text [2][3] — *The Auditor*': a list item with its citations and, when known, who
    said it."""
    return f"{marker} {_i(text)}{_cites(cites)}" + (f" — *{_i(by)}*" if by else "")


def _link(src: SourceLink) -> str:
    return _i(src.label)


def _quote(text: str) -> list[str]:
    lines = []
    for para in paragraphs(text):
        lines += [f"> {_i(para)}", ">"]
    return lines[:-1] if lines else ["> "]


def _i(text: str) -> str:
    """Inline text: shown literally on one line, never Markdown (see core.text)."""
    return md_inline(text)


def _p(text: str) -> str:
    """A paragraph: inline-escaped, and not allowed to open a Markdown block."""
    return md_paragraph(text)


def _cell(text: str) -> str:
    return md_inline(text)


def _c(text: str) -> str:
    """An id as an inline code span; text with markup characters is escaped prose instead
    (inside a code span an entity would show literally)."""
    flat = re.sub(r"\s+", " ", neutralise_bidi(text)).strip()
    if re.search(r"[<>&`|]", flat):
        return _cell(flat)
    return f"`{flat}`"
