"""The Markdown report: the same content as the HTML, in the same order.

Text from the data is escaped for Markdown viewers that pass HTML through (``<``, ``>``,
``&``), table cells escape ``|`` and newlines, and SQL goes in fences longer than any run
of backticks inside it. Charts are replaced by their data in a collapsible table.
"""

from __future__ import annotations

import re

from throughline.core.text import md_inline
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report.finding_view import FindingView
from throughline.diagnose.report.md_blocks import issue_table, markdown_document, section
from throughline.diagnose.report.verdict import EvidenceItem
from throughline.diagnose.report.view import ReportMeta, ReportView, build_view

_MAX_SERIES_ROWS = 60


def render_markdown(diagnosis: Diagnosis, meta: ReportMeta | None = None) -> str:
    v = build_view(diagnosis, meta)
    out: list[str] = []
    _masthead(v, out)
    _trust(v, out)
    _scorecard(v, out)
    _verdict(v, out)
    _scores(v, out)
    for fam in v.families:
        out += ["", f"## {_t(fam.heading)}", ""]
        if fam.question:
            out += [f"*{_t(fam.question)}*", ""]
        if not fam.findings:
            out += ["_No diagnostic in this family ran._", ""]
        for f in fam.findings:
            _finding(f, out)
        if fam.id == "legibility":
            _legibility(v, out)
    _cannot_see(v, out)
    _footer(v, out)
    return markdown_document(out)


# -- sections --------------------------------------------------------------------------


def _masthead(v: ReportView, out: list[str]) -> None:
    subject = f" — {_t(v.meta.subject)}" if v.meta.subject else ""
    out.append(f"# {_t(v.meta.title)}{subject}")
    out.append("")
    verdict = v.verdict
    if verdict.found:
        out.append(f"**The binding constraint is {_t(verdict.short)}** — {_t(verdict.subtitle)}.")
    else:
        out.append(f"**{_t(verdict.short)}** — {_t(verdict.subtitle)}.")
    out.append("")
    meta = [f"As of {v.as_of}", v.counts_line,
            f"{len(v.tables)} tables, {v.total_rows} rows", _t(v.backend)]
    if v.generated:
        meta.append(f"generated {v.generated}")
    out += [" · ".join(meta), ""]


def _trust(v: ReportView, out: list[str]) -> None:
    t = v.trust
    if t is None:
        return
    out += [f"## {_t(t.title)}", "", *issue_table(t.issues)]
    out += [f"- {_t(t.as_of_line)}", f"- {_t(t.currency_line)}", ""]


def _scorecard(v: ReportView, out: list[str]) -> None:
    if not v.scorecard:
        return
    out += ["## Alignment scorecard", "",
            ("Five capabilities of an aligned go-to-market, each scored from the findings "
             "that measure it (1 = no problem seen, 0 = the worst the signals allow)."), "",
            "| Capability | Rating | What drives it | Rests on |", "|---|---|---|---|"]
    for c in v.scorecard:
        rating = f"**{c.rating}**" + (f" {c.score}" if c.score else "")
        if c.rating == "not measurable":
            drives = "Not measurable with these exports. Needs: " + "; ".join(c.needs) + "."
        elif c.driver is not None and c.bar < 1:
            drives = f"[{c.driver.title}](#{c.driver.anchor}): {c.driver.statement}"
        else:
            drives = "No problem signal in the findings it rests on."
        rests = ", ".join(f"`{f.id}`" for f in c.findings) or "—"
        out.append(f"| {_cell(c.title)} | {rating} | {_cell(drives)} | {rests} |")
    out.append("")


def _verdict(v: ReportView, out: list[str]) -> None:
    d = v.verdict
    out += ["## The finding", ""]
    parts = [f"Score **{d.score}**"] if d.found else []
    if d.tied:
        parts.append("tied " + ", ".join(f"{_t(t.short)} {t.score}" for t in d.tied))
    parts.append(f"threshold {d.threshold}")
    if d.runner_up:
        parts.append(f"runner-up {_t(d.runner_up.short)} {d.runner_up.score}")
    if d.closest:
        parts.append(f"closest {_t(d.closest.short)} {d.closest.score}")
    if d.margin:
        parts.append(f"margin {d.margin}")
    line = " · ".join(parts)
    out += [line[:1].upper() + line[1:], ""]
    if d.tie_line:
        out += [f"**{_t(d.tie_line)}**", ""]
    if d.rationale:
        out += [_t(d.rationale), ""]
    for row, items in zip(d.tied, d.tied_evidence, strict=True):
        out += [f"### Tied: {_t(row.short)} ({row.score})", ""]
        for item in items:
            out += _evidence_item(item, "-")
        out.append("")
    if d.blocked:
        out += ["### Not named binding", ""]
        out += [f"- {_t(b)}" for b in d.blocked]
        out.append("")
    if d.evidence_for:
        out += ["### The evidence behind it", ""]
        for i, item in enumerate(d.evidence_for, start=1):
            out += _evidence_item(item, f"{i}.")
        out.append("")
    if d.evidence_against:
        out += ["### What counts against it", ""]
        for item in d.evidence_against:
            out += _evidence_item(item, "-")
        out.append("")
    if d.runner_up:
        out += [f"### Runner-up: {_t(d.runner_up.short)} ({d.runner_up.score})", ""]
        for item in d.runner_up_evidence:
            out += _evidence_item(item, "-")
        out.append("")
    if d.closest:
        out += [f"### Closest: {_t(d.closest.short)} ({d.closest.score}, {_t(d.closest_note)})",
                ""]
        for item in d.closest_evidence:
            out += _evidence_item(item, "-")
        out.append("")
    if d.order_of_operations:
        out += ["### Order of repairs", ""]
        out += [f"{i}. {_t(s)}" for i, s in enumerate(d.order_of_operations, start=1)]
        out.append("")
    if d.wrong_remedies:
        out += ["### Remedies that would be wrong", ""]
        out += [f"- ✕ {_t(r)}" for r in d.wrong_remedies]
        out.append("")


def _evidence_item(item: EvidenceItem, bullet: str) -> list[str]:
    signal = f"signal {_t(item.signal)} {item.strength} × weight {item.weight}"
    if item.note:
        signal += f" — {_t(item.note)}"
    f = item.finding
    if f is None:
        return [f"{bullet} `{item.finding_id}` ({signal})"]
    chips = "; ".join(f"{_t(m.label)} **{m.value}**" + (f" ({m.n})" if m.n else "")
                      for m in f.chips)
    lines = [f"{bullet} **[{f.badge}] {_t(f.title)}** — {_t(f.statement)}"]
    pad = " " * (len(bullet) + 1)
    if f.exclusions:
        lines.append(f"{pad}_{_t(f.exclusions)}_")
    if chips:
        lines.append(f"{pad}{chips}")
    for c in f.caveats:
        lines.append(f"{pad}_Note: {_t(c)}_")
    lines.append(f"{pad}_{signal}_")
    return lines


def _scores(v: ReportView, out: list[str]) -> None:
    out += ["## How each hypothesis scored", "",
            (f"Scores run from 0 to 1; a hypothesis is named binding only if it reaches "
            f"{v.threshold}."), ""]
    if not v.scores:
        out += ["_No hypothesis was scored._", ""]
    else:
        out += ["| # | Hypothesis | Score | Status | Raised by | Lowered by |",
                "|--:|---|--:|---|---|---|"]
        for s in v.scores:
            out.append(
                f"| {s.rank} | **{_cell(s.short)}**"
                + (f" — {_cell(s.subtitle)}" if s.subtitle else "") + f" | {s.score} | "
                f"{s.status} | {_cell('; '.join(s.raised)) or '—'} | "
                f"{_cell('; '.join(s.lowered)) or '—'} |"
            )
        out.append("")
    out += ["### Findings by family", "",
            "| Family | Problem | Watch | Info | Not measurable |", "|---|--:|--:|--:|--:|"]
    for fam in v.families:
        c = fam.counts
        out.append(f"| {_cell(fam.heading)} | {c['problem']} | {c['watch']} | {c['info']} | "
                   f"{c['not_measurable']} |")
    out.append("")


def _finding(f: FindingView, out: list[str]) -> None:
    out += [f"### [{f.badge}] {_t(f.title)}", "", f"`{f.id}`", ""]
    out += [_t(f.statement), ""]
    if not f.measurable:
        return
    if f.exclusions:
        out += [f"_{_t(f.exclusions)}_", ""]
    if f.comparison:
        out += [f"*Compared:* {_t(f.comparison)}", ""]
    if f.metrics:
        head = ["| Metric | Value | Interval | Sample |", "|---|--:|--:|--:|"]
        rows = [f"| {_cell(m.label)} | **{m.value}** | {m.interval or '—'} | {m.n or '—'} |"
                for m in f.metrics]
        _folded(head, rows, f.metrics_shown, "metric", out)
    if f.groups is not None:
        g = f.groups
        head = ["| " + _cell(g.dimension) + " | " + " | ".join(_cell(m) for m in g.measures)
                + (" | Sample |" if g.sample_column else " |"),
                "|---|" + "--:|" * (len(g.measures) + (1 if g.sample_column else 0))]
        rows = []
        for r in g.rows:
            cells = [("—" if c is None else f"**{c.value}**"
                      + (f" ({c.interval})" if c.interval else "")
                      + (f" {c.n}" if c.n else "")) for c in r.cells]
            name = _cell(r.group) + (f" _(not ranked: {_cell(r.excluded)})_" if r.excluded
                                     else "")
            rows.append("| " + " | ".join([name, *cells])
                        + (f" | {r.sample or '—'} |" if g.sample_column else " |"))
        _folded(head, rows, g.shown, "row", out)
    if f.caveats:
        out += [f"- *Caveat:* {_t(c)}" for c in f.caveats]
        out.append("")
    if f.significance:
        out += [f"*Significance:* {_t(f.significance)}", ""]
    if f.series:
        _series(f.series, out)
    if f.evidence:
        summary = _t(f.sources)
        out += ["<details>", f"<summary>Evidence: {summary}</summary>", ""]
        for e in f.evidence:
            where = f" · filter: `{e.filter}`" if e.filter else ""
            out += [f"**{_t(e.table)}**{where} · {e.rows} rows", ""]
            fence = "`" * max(3, _longest_backticks(e.query) + 1)
            out += [f"{fence}sql", e.query, fence, ""]
        out += ["</details>", ""]


def _folded(head: list[str], rows: list[str], shown: int, noun: str,
            out: list[str]) -> None:
    """A table whose first ``shown`` rows are visible and the rest behind <details>."""
    out += [*head, *rows[:shown], ""]
    rest = rows[shown:]
    if rest:
        more = f"{len(rest)} more {noun}{'' if len(rest) == 1 else 's'}"
        out += ["<details>", f"<summary>{more}</summary>", "", *head, *rest, "",
                "</details>", ""]


def _series(rows: list[dict[str, object]], out: list[str]) -> None:
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    shown = rows[:_MAX_SERIES_ROWS]
    more = len(rows) - len(shown)
    out += ["<details>", f"<summary>Chart data ({len(rows)} rows)</summary>", ""]
    out += ["| " + " | ".join(_cell(fmt.humanize(k)) for k in keys) + " |",
            "|" + "---|" * len(keys)]
    for r in shown:
        out.append("| " + " | ".join(_cell(_plain(r.get(k), k)) for k in keys) + " |")
    if more > 0:
        out += ["", f"… and {more} more rows (all in the JSON report)."]
    out += ["", "</details>", ""]


def _legibility(v: ReportView, out: list[str]) -> None:
    if not section(out, "### Legibility map", v.legibility,
                   "The legibility map was not computed."):
        return
    out += ["| Function | What the data lets us measure | What it would need |",
            "|---|---|---|"]
    for row in v.legibility:
        measured = ("**Nothing: a measurement vacuum**" if row.vacuum
                    else _cell(", ".join(row.metrics)))
        out.append(f"| {_cell(row.function)} | {measured} | "
                   f"{_cell(', '.join(row.missing)) or '—'} |")
    out.append("")


def _cannot_see(v: ReportView, out: list[str]) -> None:
    out.append("")
    if not section(out, "## What the data cannot see", v.cannot_see, "Nothing recorded."):
        return
    for b in v.cannot_see:
        out.append(f"- **{_t(b.lead)}:** {_t(b.text)}" if b.lead else f"- {_t(b.text)}")
    out.append("")


def _footer(v: ReportView, out: list[str]) -> None:
    version = f" {v.meta.version}" if v.meta.version else ""
    line = (f"Produced by {_t(v.meta.generator)}{version} from the evidence store "
            f"({_t(v.backend)}).")
    if v.trust is not None:
        line += " " + _t(v.trust.currency_line)
    out += ["---", "", line, ""]
    if v.tables:
        out += ["| Table | Rows |", "|---|--:|"]
        out += [f"| {_cell(name)} | {n} |" for name, n in v.tables]
        out.append("")


# -- escaping --------------------------------------------------------------------------


def _t(text: str) -> str:
    """Text from the data, shown as written and never run as Markdown (core.text)."""
    return md_inline(text)


def _cell(text: str) -> str:
    return md_inline(text)


def _plain(value: object, key: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and fmt.is_p_value(key):
        return fmt.p_value(value)
    if isinstance(value, float):
        return fmt.statistic(value)
    if isinstance(value, str):
        return fmt.label(value)
    return str(value)


def _longest_backticks(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)
