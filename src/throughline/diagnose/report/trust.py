"""What the reader must know before any finding: the data-quality list, the currency, the
as-of date, ties and hypotheses that may not be named binding.

One module so the diagnosis report (HTML, Markdown), the CLI summary, the council and
the decision record say these things in the same words. Every sentence is built from the
diagnosis (the data-fitness gate's :class:`DataQualityIssue` list, ``reporting_currency``,
``as_of_source`` and the ranking's ``tied`` and ``blocked``); nothing here computes a
number of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from throughline.diagnose.constraint import SPECS
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.ranking import HYPOTHESES, ConstraintRanking
from throughline.diagnose.report import formatting as fmt

SECTION_TITLE = "What we could not trust, and what we did about it"

ACTION_LABELS = {
    "corrected": "corrected",
    "unfit": "not measurable",
    "warning": "warning",
}

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class IssueLine:
    """One data-quality issue as every face shows it."""

    id: str
    title: str
    statement: str
    remedy: str
    action: str  # corrected | unfit | warning
    action_label: str  # corrected | not measurable | warning
    rows: str  # '37 of 512 rows' or ''
    affects: list[str]


def issue_line(issue: DataQualityIssue) -> IssueLine:
    return IssueLine(
        id=issue.id, title=issue.title, statement=issue.statement, remedy=issue.remedy,
        action=issue.action, action_label=ACTION_LABELS.get(issue.action, issue.action),
        rows=rows_affected(issue), affects=list(issue.affects),
    )


def rows_affected(issue: DataQualityIssue) -> str:
    if issue.rows_affected is None:
        return ""
    where = f" {issue.table}" if issue.table else ""
    if issue.rows_total is not None:
        return (f"{fmt.integer(issue.rows_affected)} of {fmt.integer(issue.rows_total)}"
                f"{where} rows")
    n = issue.rows_affected
    return f"{fmt.integer(n)}{where} row{'' if n == 1 else 's'}"


def short(name: str) -> str:
    """'honesty' → 'honesty'; 'measurement_vacuum' → 'measurement vacuum' (lower case)."""
    return HYPOTHESES.get(name, name).split(" (")[0].lower()


def join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# -- currency and as-of -----------------------------------------------------------------


def currency_issues(diagnosis: Diagnosis) -> list[DataQualityIssue]:
    """The gate's issues about currencies (mixed, converted), in its order."""
    return [i for i in diagnosis.data_quality
            if "currenc" in i.check.lower() or "currenc" in i.id.lower()]


_NOUNS = {"opportunities": ("deal", "deals"), "subscriptions": ("subscription", "subscriptions"),
          "forecasts": ("forecast row", "forecast rows")}


def _per_table(value: object) -> dict[str, dict[str, int]]:
    """{table: {currency: rows}} from an issue's details (non-numbers dropped)."""
    out: dict[str, dict[str, int]] = {}
    if isinstance(value, dict):
        for table, per in value.items():
            if isinstance(per, dict):
                got = {str(c): int(k) for c, k in per.items()
                       if isinstance(k, int | float) and not isinstance(k, bool) and k}
                if got:
                    out[str(table)] = got
    return out


def _counted(per_table: dict[str, dict[str, int]]) -> str:
    """'37 deals in COP, MXN and PEN' (and '; 4 subscriptions in EUR' per further table)."""
    parts = []
    for table, per in per_table.items():
        k = sum(per.values())
        one, many = _NOUNS.get(table, ("row", "rows"))
        parts.append(f"{fmt.integer(k)} {one if k == 1 else many} in {join(sorted(per))}")
    return "; ".join(parts)


def currency_line(diagnosis: Diagnosis, symbol: str = "") -> str:
    """'Amounts are in USD; 37 deals in COP, MXN and PEN excluded (no exchange rates).'"""
    cur = diagnosis.reporting_currency
    issues = currency_issues(diagnosis)
    if cur is None:
        if symbol:
            return f"Amounts are shown with {symbol}; the exports name no currency."
        return "Amounts are in the CRM's currency; the exports name none."
    line = f"Amounts are in {cur}"
    extra: list[str] = []
    for issue in issues:
        d = issue.details
        rates = d.get("rates")
        if isinstance(rates, dict):  # converted with an FX table (its statement names which)
            extra.append("amounts in other currencies converted with the exchange rates given")
            lost = _per_table(d.get("without_rate"))
            if lost:
                extra.append(f"{_counted(lost)} excluded (no exchange rate)")
            continue
        excluded = _per_table(d.get("excluded"))
        if not excluded:  # {currency: rows} at the top level
            flat = {str(c): int(k) for c, k in d.items() if _CURRENCY_CODE.match(str(c))
                    and str(c) != cur and isinstance(k, int | float) and not isinstance(k, bool)
                    and k}
            excluded = {issue.table or "rows": flat} if flat else {}
        if excluded:
            extra.append(f"{_counted(excluded)} excluded (no exchange rates)")
        elif issue.remedy:
            extra.append(issue.remedy.rstrip(".")[:1].lower() + issue.remedy.rstrip(".")[1:])
    return line + ("; " + "; ".join(extra) if extra else "") + "."


def as_of_line(diagnosis: Diagnosis) -> str:
    """'Data as of 15 Aug 2025 — the latest CRM event.'"""
    when = fmt.long_date(diagnosis.as_of)
    source = (diagnosis.as_of_source or "").strip().rstrip(".")
    return f"Data as of {when}" + (f" — {source}." if source else ".")


# -- ties and blocked hypotheses --------------------------------------------------------


def scores_of(ranking: ConstraintRanking) -> dict[str, float]:
    return {s.name: s.score for s in ranking.scores}


def tie_names(ranking: ConstraintRanking) -> str:
    """'honesty and messaging at 1.00' or 'honesty (0.82) and messaging (0.78)'."""
    scores = scores_of(ranking)
    shown = [fmt.score(scores.get(n, 0.0)) for n in ranking.tied]
    if len(set(shown)) == 1:
        return f"{join([short(n) for n in ranking.tied])} at {shown[0]}"
    return join([f"{short(n)} ({s})" for n, s in zip(ranking.tied, shown, strict=True)])


def separating_evidence(ranking: ConstraintRanking) -> str:
    """What would separate tied hypotheses: the signals only one of them reads as primary."""
    tied = [n for n in ranking.tied if n in SPECS]
    parts = []
    for n in tied:
        others = {sig for m in tied if m != n for sig in SPECS[m].primary}
        own = [fmt.humanize(sig).lower() for sig in SPECS[n].primary if sig not in others]
        if own:
            parts.append(f"{join_or(own)} for {short(n)}")
    if not parts:
        return "a measure that moves one of them and not the others"
    return "; ".join(parts)


def join_or(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def tie_sentence(ranking: ConstraintRanking) -> str:
    """'Tie: honesty and messaging at 1.00 — the data does not separate them; the evidence
    that would is a signal only one of them reads: …'."""
    if not ranking.tied:
        return ""
    them = "them" if len(ranking.tied) == 2 else "them from each other"
    return (f"Tie: {tie_names(ranking)} — the data does not separate {them}; the evidence "
            f"that would is a signal only one of them reads: {separating_evidence(ranking)}.")


def blocked_sentence(name: str, reason: str) -> str:
    """'Messaging was not named: its evidence rests on data marked unfit — <reason>'."""
    text = reason.strip().rstrip(".")
    return (f"{short(name).capitalize()} was not named: its evidence rests on data marked "
            f"unfit — {text[:1].lower() + text[1:] if text[1:2].islower() else text}.")


# -- findings on unfit data ---------------------------------------------------------------


def unfit_findings(diagnosis: Diagnosis, findings: list[Finding] | None = None,
                   ) -> dict[str, str]:
    """Finding id → why its numbers rest on unfit data: its quality ids name an issue the gate
    marked unfit (the reason is that issue's title and id), or it is not measurable."""
    unfit = {i.id: i for i in diagnosis.data_quality if i.action == "unfit"}
    out: dict[str, str] = {}
    for f in findings if findings is not None else diagnosis.findings:
        bad = [unfit[q] for q in f.quality if q in unfit]
        if bad:
            out[f.id] = "; ".join(f"{i.title} ({i.id})" for i in bad)
        elif f.kind is FindingKind.not_measurable:
            out[f.id] = "the finding is not measurable"
    return out
