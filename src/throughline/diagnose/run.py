"""The diagnose engine: run every registered diagnostic, rank, assemble the Diagnosis.

One engine, several faces: the CLI (Rich progress), the Python API (``run_diagnose``), the
web app and the tests all call :func:`diagnose` and subscribe to its :class:`DiagnoseEvent`
stream. Nothing here knows how progress is displayed.

Contract with the diagnostics
-----------------------------
* Before any diagnostic, the data-fitness gate (``throughline.diagnose.fitness``) inspects
  the store once: its corrected views replace the stored tables in ``ctx.table``, a
  diagnostic whose input it marked ``unfit`` is not called and becomes one
  ``not_measurable`` finding whose reason is the issue's statement, and every finding
  lists in ``quality`` the issues its numbers rest on. The issues are the Diagnosis's
  ``data_quality``; the ranking may not name a hypothesis binding on unfit evidence.
* Diagnostics run in id order against one shared :class:`DiagnoseContext`. The context's
  ``options.as_of`` is always set: the user's ``--as-of`` or, failing that, the latest
  CRM event in the store (see :func:`throughline.diagnose.fitness.resolve_as_of`), so the
  same store gives the same Diagnosis on any day.
* A diagnostic that raises :class:`~throughline.core.errors.NotMeasurable` becomes one
  ``not_measurable`` finding (``Diagnostic.run`` in ``registry.py`` does it; the
  exception's message is the reason, its ``needs``, else the diagnostic's ``needs_text``,
  say what would fix it).
* Any other exception is a bug or an environment failure: it is raised again as
  :class:`DiagnosticFailed` (exit code 1) naming the diagnostic, with the cause chained.
  Nothing is swallowed.

Contract with the legibility family
-----------------------------------
The legibility map is read from the first measured finding (family ``legibility`` first,
then any family) whose ``series`` is a list of rows shaped like::

    {"function": "engineering", "metrics": ["pr_cycle_time", ...], "missing": ["..."]}

``metrics`` lists what the data lets us compute for that function; an empty list is a
measurement vacuum. ``missing`` (optional) names the data that would make more of it
measurable. Rows keep the order the diagnostic gave them.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from throughline.core.errors import ThroughlineError, UsageError
from throughline.diagnose import (
    builtin,  # noqa: F401  (registers the built-in families)
    fitness,
)
from throughline.diagnose.constraint import rank
from throughline.diagnose.context import DiagnoseContext, DiagnoseOptions
from throughline.diagnose.diagnosis import Diagnosis, LegibilityRow
from throughline.diagnose.findings import Finding, FindingKind, not_measurable
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.ranking import ConstraintRanking
from throughline.diagnose.registry import Diagnostic
from throughline.diagnose.registry import diagnostics as registered_diagnostics
from throughline.store import EvidenceStore
from throughline.store.connection import store_session

if TYPE_CHECKING:
    from throughline.core.settings import Settings

Ranker = Callable[[list[Finding]], ConstraintRanking]

EventKind = Literal["begin", "gate", "start", "finish", "rank", "end"]

NOTHING_INGESTED = "nothing ingested yet; run `throughline ingest PATH`"

LEGIBILITY_FAMILY = "legibility"

class DiagnoseEvent(BaseModel):
    """A progress event. Subscribers get, in order: ``begin``; ``gate`` once the
    data-fitness gate has inspected the store; then ``start`` and ``finish`` for each
    diagnostic; ``rank`` once the ranking is done; ``end``.

    ``index`` is the diagnostic's 1-based position (0 for run-level events), ``total``
    the number of diagnostics. ``duration_s`` is set on ``gate``, ``finish``, ``rank``
    and ``end``; on ``gate``, ``findings`` is the number of data-quality issues raised.
    """

    model_config = ConfigDict(frozen=True)

    kind: EventKind
    total: int
    index: int = 0
    diagnostic: str | None = None
    family: str | None = None
    title: str | None = None
    findings: int | None = None
    not_measurable: bool = False
    duration_s: float | None = None


class DiagnosticFailed(ThroughlineError):
    """A diagnostic (or the ranking) failed for a reason other than missing data."""

    def __init__(self, diagnostic: str, cause: BaseException) -> None:
        self.diagnostic = diagnostic
        detail = cause.message if isinstance(cause, ThroughlineError) else str(cause)
        super().__init__(
            f"diagnostic {diagnostic} failed: {type(cause).__name__}: {detail}",
            hint=getattr(cause, "hint", None)
            or "this is a bug in the diagnostic or a problem with the store; re-run to "
            "reproduce and report it with the message above",
        )
        self.exit_code = cause.exit_code if isinstance(cause, ThroughlineError) else 1


def diagnose(
    store: EvidenceStore,
    options: DiagnoseOptions | None = None,
    *,
    on_event: Callable[[DiagnoseEvent], None] | None = None,
    diagnostics: Sequence[Diagnostic] | None = None,
    ranker: Ranker | None = None,
) -> Diagnosis:
    """Run the diagnostics (default: every registered one) and rank the hypotheses.

    ``diagnostics`` and ``ranker`` exist so tests and plugins can substitute their own;
    the default ranker is :func:`throughline.diagnose.constraint.rank`.
    """
    started = time.perf_counter()
    emit = on_event or (lambda _event: None)
    opts = options or DiagnoseOptions()
    units = _ordered(registered_diagnostics() if diagnostics is None else diagnostics)
    total = len(units)
    ctx = DiagnoseContext(store=store, options=opts)

    emit(DiagnoseEvent(kind="begin", total=total))
    try:
        fit = fitness.inspect(ctx, as_of=opts.as_of)
        assert fit.as_of is not None
        opts = replace(opts, as_of=fit.as_of)
        ctx.options = opts
        ctx.use_views(fit.views)
        emit(DiagnoseEvent(kind="gate", total=total, findings=len(fit.issues),
                           duration_s=fit.duration_s))
        findings = _run_all(units, ctx, emit, fit)
    finally:
        ctx.release()
    for f in findings:
        f.quality = list(dict.fromkeys([*f.quality, *fit.quality_for(f)]))

    t0 = time.perf_counter()
    ranking = _rank(ranker, findings, fit.issues)
    emit(DiagnoseEvent(kind="rank", total=total, duration_s=time.perf_counter() - t0))

    legibility = legibility_map(findings)
    diagnosis = Diagnosis(
        as_of=fit.as_of,
        backend=store.backend_name,
        tables=store.row_counts(),
        findings=findings,
        ranking=ranking,
        legibility=legibility,
        cannot_see=blind_spots(findings, ranking, legibility),
        data_quality=fit.issues,
        reporting_currency=fit.reporting_currency,
        as_of_source=fit.as_of_source,
        duration_s=round(time.perf_counter() - started, 3),
    )
    emit(DiagnoseEvent(kind="end", total=total, findings=len(findings),
                       duration_s=diagnosis.duration_s))
    return diagnosis


def run_diagnose(
    settings: Settings,
    options: DiagnoseOptions | None = None,
    *,
    on_event: Callable[[DiagnoseEvent], None] | None = None,
) -> Diagnosis:
    """Open the workspace's store read-only, check something was ingested, diagnose.

    The Python API and ``throughline demo`` call this; the CLI does the same steps.
    Raises ``UsageError`` (exit 2) when the store holds no canonical rows.
    """
    with store_session(settings, read_only=True) as store:
        ensure_ingested(store)
        return diagnose(store, options, on_event=on_event)


def ensure_ingested(store: EvidenceStore) -> None:
    """Raise ``UsageError`` unless at least one canonical table holds a row."""
    if not any(count > 0 for count in store.row_counts().values()):
        raise UsageError(NOTHING_INGESTED,
                         hint="or point --workspace / --backend at a store that has data")


def legibility_map(findings: Sequence[Finding]) -> list[LegibilityRow]:
    """The legibility map carried by the legibility finding's ``series`` (see module doc)."""
    candidates = sorted(
        (f for f in findings if f.kind is FindingKind.measured and _is_legibility_series(f)),
        key=lambda f: f.family != LEGIBILITY_FAMILY,
    )
    if not candidates:
        return []
    source = candidates[0]
    try:
        return [
            LegibilityRow.model_validate(
                {"function": row["function"], "metrics": row["metrics"],
                 "missing": row.get("missing") or []}
            )
            for row in source.series or []
        ]
    except ValidationError as exc:
        raise DiagnosticFailed(source.diagnostic, ValueError(
            f"finding {source.id} has a malformed legibility map: {exc}")) from exc


def blind_spots(
    findings: Sequence[Finding],
    ranking: ConstraintRanking,
    legibility: Sequence[LegibilityRow],
) -> list[str]:
    """Plain statements of what the data cannot show, each ``"<subject>: <what>"``.

    Order: measurement vacuums, not-measurable diagnostics, hypotheses that could not be
    scored, then every distinct caveat with the findings it applies to.
    """
    out: list[str] = []
    for row in legibility:
        if row.vacuum:
            text = (f"{sentence_case(row.function)}: a measurement vacuum — the data lets us "
                    "compute no metric for this function")
            if row.missing:
                text += " (it would need " + ", ".join(row.missing) + ")"
            out.append(text + ".")
    for f in findings:
        if f.kind is FindingKind.not_measurable:
            if f.needs:
                out.append(f"{f.title}: not measurable; needs " + "; ".join(f.needs) + ".")
            else:
                out.append(f"{f.title}: {f.statement}")
    for score in ranking.scores:
        if not score.measurable:
            out.append(f"{score.label}: this hypothesis could not be scored from the data "
                       "available, so the ranking is silent about it.")
    caveats: dict[str, list[str]] = {}
    for f in findings:
        if f.kind is FindingKind.measured:
            for caveat in f.caveats:
                titles = caveats.setdefault(caveat.strip(), [])
                if f.title not in titles:
                    titles.append(f.title)
    for caveat, titles in caveats.items():
        if caveat:
            out.append(f"Caveat on {', '.join(titles)}: {caveat}")
    return out


# -- internals -------------------------------------------------------------------------


def _ordered(units: Sequence[Diagnostic]) -> list[Diagnostic]:
    ordered = sorted(units, key=lambda d: d.id)
    for a, b in pairwise(ordered):
        if a.id == b.id:
            raise ThroughlineError(f"two diagnostics share the id {a.id!r}")
    return ordered


def _run_all(units: Sequence[Diagnostic], ctx: DiagnoseContext,
             emit: Callable[[DiagnoseEvent], None],
             fit: fitness.Fitness | None = None) -> list[Finding]:
    """Every diagnostic in order, with its start and finish events; finding ids unique."""
    total = len(units)
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for index, unit in enumerate(units, start=1):
        emit(DiagnoseEvent(kind="start", total=total, index=index, diagnostic=unit.id,
                           family=unit.family, title=unit.title))
        t0 = time.perf_counter()
        produced = _run_one(unit, ctx, fit)
        for finding in produced:
            if finding.id in seen:
                raise DiagnosticFailed(unit.id, ValueError(
                    f"finding id {finding.id!r} was already produced by {seen[finding.id]}"))
            seen[finding.id] = unit.id
        findings.extend(produced)
        emit(DiagnoseEvent(
            kind="finish", total=total, index=index, diagnostic=unit.id, family=unit.family,
            title=unit.title, findings=len(produced),
            not_measurable=any(f.kind is FindingKind.not_measurable for f in produced),
            duration_s=time.perf_counter() - t0,
        ))
    return findings


def _run_one(unit: Diagnostic, ctx: DiagnoseContext,
             fit: fitness.Fitness | None = None) -> list[Finding]:
    unfit = fit.unfit_for(unit.id) if fit is not None else None
    if unfit is not None and all(ctx.has(t) for t in unit.needs):
        finding = not_measurable(
            diagnostic=unit.id, family=unit.family, title=unit.title, missing=[],
            needs=list(unit.needs_text) or [unfit.remedy],
            reason=unfit.statement.rstrip("."))
        finding.quality = [unfit.id]
        return [finding]
    try:
        produced = unit.run(ctx)
    except Exception as exc:  # not swallowed: re-raised with the diagnostic's id
        raise DiagnosticFailed(unit.id, exc) from exc
    if not isinstance(produced, list) or not all(isinstance(f, Finding) for f in produced):
        raise DiagnosticFailed(unit.id, TypeError(
            f"expected list[Finding], got {type(produced).__name__}"))
    return produced


def _rank(ranker: Ranker | None, findings: list[Finding],
          data_quality: Sequence[DataQualityIssue] = ()) -> ConstraintRanking:
    fn = ranker or rank
    try:
        if "data_quality" in inspect.signature(fn).parameters:
            ranking = fn(list(findings), data_quality=list(data_quality))  # type: ignore[call-arg]
        else:
            ranking = fn(list(findings))
    except Exception as exc:
        raise DiagnosticFailed("constraint ranking", exc) from exc
    if not isinstance(ranking, ConstraintRanking):
        raise DiagnosticFailed("constraint ranking", TypeError(
            f"expected ConstraintRanking, got {type(ranking).__name__}"))
    return ranking


def _is_legibility_series(f: Finding) -> bool:
    rows = f.series
    return bool(rows) and all(
        isinstance(r, dict) and "function" in r and "metrics" in r for r in rows or []
    )


def sentence_case(name: str) -> str:
    """'sales_ops' → 'Sales ops': underscores to spaces, the first letter capitalised (a
    function's name in a sentence; unlike ``core.format.humanize`` it leaves acronyms be)."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
