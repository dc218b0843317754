"""What a diagnostic sees: :class:`DiagnoseContext` (the store, the options, a per-run
memo of tables, query results and compiled SQL) and :class:`DiagnoseOptions`.

``ctx.require(...)`` hands a diagnostic the table it reads or raises
:class:`~throughline.core.errors.NotMeasurable` with the standard wording.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import ibis
import pandas as pd
import sqlglot as sg
from ibis.common.graph import Graph, Node

from throughline.core.errors import NotMeasurable
from throughline.store import EvidenceStore

log = logging.getLogger(__name__)
_INLINE = object()  # a shared intermediate the backend could not materialize


class Declared(Protocol):
    """What a running diagnostic knows of its own declaration (``@diagnostic``)."""

    id: str
    family: str
    title: str


# Findings on fewer observations than this are reported at severity ``info`` with a
# small-sample caveat (an interval, not a verdict); counter-signals need at least as many.
MIN_N = 30
# Days after shipping by which a feature should have a sales play (``handoff.inventory``).
INVENTORY_DAYS = 45


@dataclass
class DiagnoseOptions:
    """What a run is asked: the as-of date (None: the latest CRM event in the store), a
    step-change date (e.g. an AI tooling rollout), and two thresholds the Python API may
    set — ``min_n`` (see ``MIN_N``) and ``inventory_days`` (see ``INVENTORY_DAYS``)."""

    as_of: date | None = None
    change_date: date | None = None
    inventory_days: int = INVENTORY_DAYS
    min_n: int = MIN_N


@dataclass
class DiagnoseContext:
    """What a diagnostic sees: the store, the options, the declaration of the diagnostic
    running (:attr:`declared`: id, family, title), and a per-run memo. A diagnostic reads a
    table with :meth:`require` (or :meth:`table` for optional inputs).

    The store is read-only for the length of a run, so the context remembers what it has
    asked it: table handles and the list of tables, query results (keyed by the Ibis
    operation, which compares by structure, so two diagnostics that build the same query
    share one execution) and compiled SQL (one compilation serves both the execution and
    the evidence text). Results are handed out as copies.

    Intermediates several queries read (an account profile, a per-deal summary of the
    stage history) are marked with :meth:`shared`: the first query that contains one
    materializes it once in the backend, and later queries read that instead of
    recomputing it. Call :meth:`release` when the run is over.
    """

    store: EvidenceStore
    options: DiagnoseOptions = field(default_factory=DiagnoseOptions)
    _as_of: date | None = None
    current: Declared | None = field(default=None, repr=False, compare=False)
    _memo: _RunMemo = field(default_factory=lambda: _RunMemo(), repr=False, compare=False)

    @property
    def declared(self) -> Declared:
        """The declaration (id, family, title) of the diagnostic now running."""
        if self.current is None:
            raise RuntimeError("no diagnostic is running on this context")
        return self.current

    def table(self, name: str) -> ibis.Table | None:
        """The table a diagnostic reads: the data-fitness gate's corrected view of it when
        the gate corrected it (see :meth:`use_views`), else the stored table."""
        tables = self._memo.tables
        if name not in tables:
            tables[name] = self.store.table(name)
        return tables[name]

    def require(self, name: str, *, columns: tuple[str, ...] = (),
                needs: tuple[str, ...] = ()) -> ibis.Table:
        """The table a diagnostic reads (as :meth:`table`), or :class:`NotMeasurable` with
        the standard wording: ``missing <table>`` when the store lacks it; with
        ``columns``, ``the <table> table is empty`` or ``<table>.<column>, … is blank on
        every row``. ``needs`` (else the diagnostic's declared ``needs_text``) says what
        would make it measurable."""
        table = self.table(name) if self.has(name) else None
        if table is None:
            raise unmeasurable(f"missing {name}", needs, hint=f"table {name}")
        if columns:
            rows, filled = filled_counts(self, table, columns)
            blank = [c for c, k in filled.items() if k == 0]
            if rows == 0:
                raise unmeasurable(f"the {name} table is empty", needs)
            if blank:
                raise unmeasurable(
                    f"{name}." + f", {name}.".join(blank) + " is blank on every row", needs)
        return table

    def use_views(self, views: dict[str, ibis.Table]) -> None:
        """Hand every later :meth:`table` call these corrected views instead of the stored
        tables (the data-fitness gate's corrections; tables not named stay as stored)."""
        for name, view in views.items():
            self._memo.tables[name] = view

    def has(self, *names: str) -> bool:
        if self._memo.present is None:
            self._memo.present = frozenset(self.store.tables())
        return all(n in self._memo.present for n in names)

    def execute(self, expr: Any) -> Any:
        """Run an Ibis expression on the store's backend (reading shared intermediates from
        where they were materialized)."""
        key = expr.op()
        results = self._memo.results
        if key not in results:
            run = self._memo.substituted(self.store.con, key).to_expr()
            with self._memo.compiling(self.store.con):
                results[key] = self.store.con.execute(run)
        return _fresh(results[key])

    def shared(self, expr: ibis.Table) -> ibis.Table:
        """Mark ``expr`` as an intermediate that several queries read; returns it unchanged.

        Nothing runs yet: the first :meth:`execute` of a query containing it materializes it
        (a temporary table, on DuckDB and PostgreSQL alike), so a run that never needs it
        pays nothing, and a join or pass over a big table done once serves every diagnostic
        built on it. Evidence SQL (:meth:`sql`) still shows the whole query, so it runs on
        its own against the store.
        """
        self._memo.shared.setdefault(expr.op(), None)
        return expr

    def release(self) -> None:
        """Drop the materialized intermediates (the end of a run)."""
        self._memo.release(self.store.con)

    def sql(self, expr: Any) -> str:
        """The SQL the backend runs for an expression (kept as evidence)."""
        con = self.store.con
        if getattr(con, "name", None) != self.store.backend_name or not callable(
                getattr(con, "compile", None)):
            return str(ibis.to_sql(expr, dialect=self.store.backend_name))
        return self._memo.compile(con, expr)


def unmeasurable(reason: str, needs: Iterable[str] = (),
                 hint: str | None = None) -> NotMeasurable:
    """The exception a diagnostic raises when its data cannot carry it: the runner turns it
    into one ``not_measurable`` finding, ``reason`` its statement and ``needs`` (else the
    diagnostic's declared ``needs_text``, else ``hint``) what would make it measurable."""
    exc = NotMeasurable(reason, hint=hint)
    exc.needs = list(needs)  # type: ignore[attr-defined]  (read by the runner)
    return exc


def filled_counts(ctx: DiagnoseContext, table: ibis.Table,
                  columns: Iterable[str]) -> tuple[int, dict[str, int]]:
    """Row count and, per column present, how many rows hold a non-blank value."""
    cols = [c for c in columns if c in table.columns]
    aggs: dict[str, Any] = {"_rows": table.count()}
    for c in cols:
        col = table[c]
        filled = col.notnull()
        if col.type().is_string():
            filled = filled & (col.strip() != "")
        aggs[c] = filled.sum().fill_null(0)
    row = ctx.execute(table.aggregate(**aggs)).iloc[0]
    return int(row["_rows"]), {c: int(row[c]) for c in cols}


def require_filled(ctx: DiagnoseContext, table: ibis.Table, columns: Iterable[str],
                   reason: str, needs: Iterable[str] = ()) -> int:
    """The table's row count, or ``unmeasurable(reason, needs)`` when it is empty or one of
    ``columns`` is missing or blank on every row (see :func:`filled_counts`)."""
    columns = list(columns)
    rows, filled = filled_counts(ctx, table, columns)
    if rows == 0 or any(filled.get(c, 0) == 0 for c in columns):
        raise unmeasurable(reason, needs)
    return rows


class _RunMemo:
    """The per-run memo behind :class:`DiagnoseContext` (see its docstring).

    Compiled SQL is remembered in its pretty form, which is what the evidence shows; the
    backend executes that same text (layout does not change what a query means).
    """

    def __init__(self) -> None:
        self.tables: dict[str, ibis.Table | None] = {}
        self.present: frozenset[str] | None = None
        self.results: dict[Any, Any] = {}
        self.queries: dict[tuple[Any, Any], str] = {}
        self.shared: dict[Node, Any] = {}  # None (not yet), a table, or _INLINE
        self.temporary: list[str] = []  # names of the tables materializing them

    def substituted(self, con: Any, op: Node, inside: Node | None = None) -> Node:
        """``op`` with each shared intermediate in it (other than ``inside``, the one being
        materialized) replaced by its materialized table, materializing it on first use."""
        if not self.shared:
            return op
        graph = Graph.from_bfs(op)
        found = [n for n in self.shared if n != inside and n in graph]
        mapping = {n: t.op() for n in found if (t := self._materialized(con, n)) is not None}
        return op.replace(mapping) if mapping else op

    def _materialized(self, con: Any, op: Node) -> ibis.Table | None:
        """The temporary table holding a shared intermediate, created on first use (shared
        intermediates inside it are materialized first and read from); None when the
        backend cannot hold one (Trino has no temporary tables; a read-only role may not
        create them): then every query computes the intermediate inline, as it would
        without the memo."""
        table = self.shared[op]
        if table is _INLINE:
            return None
        if table is None:
            name = ibis.util.gen_name("diagnose_shared")
            try:
                table = con.create_table(name, self.substituted(con, op, inside=op).to_expr(),
                                         temp=True)
            except Exception as exc:  # noqa: BLE001 - any refusal: fall back to inline
                log.info("shared intermediate computed inline (no temporary table: %s)",
                         " ".join(str(exc).split())[:200])
                self.shared[op] = _INLINE
                return None
            self.shared[op] = table
            self.temporary.append(name)
        return table  # type: ignore[return-value]

    def release(self, con: Any) -> None:
        """Drop the temporary tables. Plain portable SQL: Ibis 12's ``drop_table`` renders
        an empty ``DROP`` with the sqlglot installed beside it."""
        for name in self.temporary:
            ident = sg.to_identifier(name, quoted=True).sql(dialect=con.name)
            con.raw_sql(f"DROP TABLE IF EXISTS {ident}")
        self.temporary.clear()
        self.shared = dict.fromkeys(self.shared)

    def compile(self, con: Any, expr: Any, limit: Any = None, params: Any = None,
                compile: Any = None) -> str:
        """``con.compile(expr)`` once per run (pretty); ``compile``: the unwrapped method."""
        compile = compile or con.compile
        if params:
            return compile(expr, limit=limit, params=params)
        key = (expr.as_table().op(), limit)
        if key not in self.queries:
            self.queries[key] = compile(expr, limit=limit, pretty=True)
        return self.queries[key]

    @contextmanager
    def compiling(self, con: Any) -> Iterator[None]:
        """While the backend executes, let its ``compile`` draw on (and fill) the memo."""
        original = getattr(con, "compile", None)
        if not callable(original) or "compile" in vars(con):
            yield  # not an Ibis SQL backend, or its compile is already wrapped
            return

        def compile(expr: Any, /, *, limit: Any = None, params: Any = None,
                    pretty: bool = False, **kwargs: Any) -> str:
            if kwargs:  # options this memo does not key on: compile as asked
                return original(expr, limit=limit, params=params, pretty=pretty, **kwargs)
            return self.compile(con, expr, limit, params, original)

        con.compile = compile
        try:
            yield
        finally:
            del con.compile


def _fresh(result: Any) -> Any:
    """A copy of a remembered result that the caller may change freely."""
    return result.copy() if isinstance(result, (pd.DataFrame, pd.Series)) else result
